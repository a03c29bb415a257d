#include "agent/daemon/run_options.h"
#include "agent/metrics/metrics_sample.h"

#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <string.h>

#include "agent/daemon/boot_check.h"
#include "agent/link/identity.h"
#include "cgroups/cgroup_driver.h"
#include "common/cleanup.h"
#include "common/parse.h"

typedef int (*run_option_set)(struct run_options *o, const char *value, struct error *err);

struct run_option {
	const char *flag;     /* without the leading "--" */
	const char *env_key;
	const char *arg_name; /* NULL: a switch, "true" when given as a flag */
	run_option_set set;
};

static int set_state_dir(struct run_options *o, const char *value, struct error *err)
{
	(void)err;
	o->state_dir = value;
	return 0;
}

static int set_monitor(struct run_options *o, const char *value, struct error *err)
{
	(void)err;
	o->monitor = value;
	return 0;
}

static int set_ca_file(struct run_options *o, const char *value, struct error *err)
{
	(void)err;
	o->ca_file = value;
	return 0;
}

/* The spellings systemd itself takes for booleans, and nothing else. */
static int parse_bool(const char *value, bool *ret)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(value, yes[i])) {
			*ret = true;
			return 0;
		}
		if (!strcasecmp(value, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int set_allow_no_limits(struct run_options *o, const char *value, struct error *err)
{
	if (parse_bool(value, &o->allow_no_limits) < 0)
		return error_set(err, EINVAL, "takes true or false (also yes/no, on/off, 1/0), "
					      "not '%s'", value);
	return 0;
}

static int set_restore_after_reboot(struct run_options *o, const char *value, struct error *err)
{
	if (parse_bool(value, &o->restore_after_reboot) < 0)
		return error_set(err, EINVAL, "takes true or false (also yes/no, on/off, 1/0), "
					      "not '%s'", value);
	return 0;
}

static int set_boot_id_file(struct run_options *o, const char *value, struct error *err)
{
	if (value[0] != '/')
		return error_set(err, EINVAL, "takes an absolute path, not '%s'", value);
	o->boot_id_file = value;
	return 0;
}

static int set_pids_max(struct run_options *o, const char *value, struct error *err)
{
	if (parse_u64(value, 1, UINT32_MAX, &o->pids_max) < 0)
		return error_set(err, EINVAL, "takes a number from 1 to %u, not '%s'", UINT32_MAX,
				 value);
	return 0;
}

static int set_cgroup_driver(struct run_options *o, const char *value, struct error *err)
{
	if (!cgroup_driver_by_name(value)) {
		_cleanup_free_ char *names = NULL;
		return error_set(err, EINVAL, "unknown cgroup driver '%s' (known: %s)", value,
				 cgroup_driver_names(&names) < 0 ? "?" : names);
	}
	o->cgroup_driver = value;
	return 0;
}

static int set_registry_auth_file(struct run_options *o, const char *value, struct error *err)
{
	(void)err;
	o->registry.auth_file = value;
	return 0;
}

static int set_registry_certs_dir(struct run_options *o, const char *value, struct error *err)
{
	(void)err;
	o->registry.certs_dir = value;
	return 0;
}

static int set_insecure_registries(struct run_options *o, const char *value, struct error *err)
{
	(void)err;
	o->registry.insecure = value;
	return 0;
}

static int set_registry_mirror(struct run_options *o, const char *value, struct error *err)
{
	if (strncmp(value, "https://", 8) != 0 && strncmp(value, "http://", 7) != 0)
		return error_set(err, EINVAL, "takes an http:// or https:// URL, not '%s'", value);
	o->registry.mirror = value;
	return 0;
}

static int set_image_pull_behavior(struct run_options *o, const char *value, struct error *err)
{
	if (image_pull_behavior_parse(value, &o->image_pull_behavior) < 0)
		return error_set(err, EINVAL, "takes one of %s, not '%s'",
				 IMAGE_PULL_BEHAVIOR_NAMES, value);
	return 0;
}

static int set_image_store_budget(struct run_options *o, const char *value, struct error *err)
{
	if (parse_u64_with_unit(value, parse_size_units, 1ULL << 20, UINT64_MAX, &o->image_store_budget) < 0)
		return error_set(err, EINVAL, "takes a size of at least 1M (a number of bytes, or "
				 "with K, M, G or T), not '%s'", value);
	return 0;
}

static int set_image_cleanup_age(struct run_options *o, const char *value, struct error *err)
{
	if (parse_u64_with_unit(value, parse_duration_units, 60, 10ULL * 365 * 86400,
				&o->image_cleanup_age_s) < 0)
		return error_set(err, EINVAL, "takes a duration of at least a minute (seconds, or "
				 "with s, m, h or d), not '%s'", value);
	return 0;
}
static int set_metrics_interval(struct run_options *o, const char *value, struct error *err)
{
	if (parse_u64(value, 1, 3600, &o->metrics_interval_s) < 0)
		return error_set(err, EINVAL, "takes a number of seconds from 1 to 3600, not '%s'",
				 value);
	return 0;
}

static int set_restart_period_percent(struct run_options *o, const char *value,
				      struct error *err)
{
	uint64_t percent;
	if (parse_u64(value, 1, 100, &percent) < 0)
		return error_set(err, EINVAL, "takes a percent from 1 to 100, not '%s'", value);
	o->restart_period_percent = (unsigned)percent;
	return 0;
}

static int set_api_socket(struct run_options *o, const char *value, struct error *err)
{
	if (!strcmp(value, "off")) {
		o->api_socket = NULL;
		return 0;
	}
	if (value[0] != '/')
		return error_set(err, EINVAL, "takes an absolute path or off, not '%s'", value);
	o->api_socket = value;
	return 0;
}

/* "off", "0", PORT or ADDRESS:PORT with ADDRESS in 127.0.0.0/8: what the endpoint tells is
 * for this node's containers, never for the network. */
/* ADDRESS:PORT on IPv4 loopback (127.x.x.x), a PORT alone (on 127.0.0.1), or "off"/"0" (port 0):
 * where the agent's loopback servers listen. */
static int parse_loopback_address(const char *value, char address[16], unsigned *ret_port,
				  struct error *err)
{
	if (!strcmp(value, "off") || !strcmp(value, "0")) {
		*ret_port = 0;
		return 0;
	}
	const char *colon = strrchr(value, ':');
	const char *port_text = colon ? colon + 1 : value;
	char parsed[16] = RUN_DEFAULT_METADATA_ADDRESS;
	if (colon) {
		size_t n = (size_t)(colon - value);
		struct in_addr in;
		if (n >= sizeof(parsed))
			n = sizeof(parsed) - 1;
		memcpy(parsed, value, n);
		parsed[n] = '\0';
		if (n != (size_t)(colon - value) || inet_pton(AF_INET, parsed, &in) != 1 ||
		    (ntohl(in.s_addr) >> 24) != 127)
			return error_set(err, EINVAL, "takes a loopback IPv4 address (127.x.x.x) with "
					 "its port, a port, or off, not '%s'", value);
	}
	uint64_t port;
	if (parse_u64(port_text, 0, 65535, &port) < 0)
		return error_set(err, EINVAL, "takes a port from 0 to 65535 (0: off), not '%s'",
				 port_text);
	memcpy(address, parsed, sizeof(parsed));
	*ret_port = (unsigned)port;
	return 0;
}

static int set_metadata_address(struct run_options *o, const char *value, struct error *err)
{
	return parse_loopback_address(value, o->metadata_address, &o->metadata_port, err);
}

static int set_metrics_address(struct run_options *o, const char *value, struct error *err)
{
	return parse_loopback_address(value, o->metrics_address, &o->metrics_port, err);
}

/* Every option of `tether run`, one row each; docs/configuration.md describes them. */
static const struct run_option run_option_table[] = {
	{ "state-dir", "TETHER_STATE_DIR", "DIR", set_state_dir },
	{ "monitor", "TETHER_MONITOR", "PATH", set_monitor },
	{ "ca-file", "TETHER_CA_FILE", "FILE", set_ca_file },
	{ "allow-no-limits", "TETHER_ALLOW_NO_LIMITS", NULL, set_allow_no_limits },
	{ "pids-max", "TETHER_PIDS_MAX", "N", set_pids_max },
	{ "cgroup-driver", "TETHER_CGROUP_DRIVER", "NAME", set_cgroup_driver },
	{ "registry-auth-file", "TETHER_REGISTRY_AUTH_FILE", "FILE", set_registry_auth_file },
	{ "registry-certs-dir", "TETHER_REGISTRY_CERTS_DIR", "DIR", set_registry_certs_dir },
	{ "insecure-registries", "TETHER_INSECURE_REGISTRIES", "LIST", set_insecure_registries },
	{ "registry-mirror", "TETHER_REGISTRY_MIRROR", "URL", set_registry_mirror },
	{ "image-pull-behavior", "TETHER_IMAGE_PULL_BEHAVIOR", "WHEN", set_image_pull_behavior },
	{ "image-store-budget", "TETHER_IMAGE_STORE_BUDGET", "SIZE", set_image_store_budget },
	{ "image-cleanup-age", "TETHER_IMAGE_CLEANUP_AGE", "DURATION", set_image_cleanup_age },
	{ "api-socket", "TETHER_API_SOCKET", "PATH", set_api_socket },
	{ "metadata-address", "TETHER_METADATA_ADDRESS", "ADDRESS", set_metadata_address },
	{ "metrics-interval", "TETHER_METRICS_INTERVAL", "SECONDS", set_metrics_interval },
	{ "metrics-address", "TETHER_METRICS_ADDRESS", "ADDRESS", set_metrics_address },
	{ "restart-period-percent", "TETHER_RESTART_PERIOD_PERCENT", "PERCENT",
	  set_restart_period_percent },
	{ "restore-after-reboot", "TETHER_RESTORE_AFTER_REBOOT", "BOOL", set_restore_after_reboot },
	{ "boot-id-file", "TETHER_BOOT_ID_FILE", "FILE", set_boot_id_file },
};
#define RUN_OPTION_COUNT (sizeof(run_option_table) / sizeof(run_option_table[0]))
#define OPTION_HELP 'h'
#define OPTION_FIRST 256 /* getopt values of the table's rows: OPTION_FIRST + row */

static const struct run_option *option_by_key(const char *entry, size_t key_len)
{
	for (size_t i = 0; i < RUN_OPTION_COUNT; i++) {
		const char *key = run_option_table[i].env_key;
		if (strlen(key) == key_len && !strncmp(key, entry, key_len))
			return &run_option_table[i];
	}
	return NULL;
}

/* Appends ", KEY" (or "KEY" first) to list, within size. */
static void list_append(char *list, size_t size, const char *key, size_t key_len)
{
	size_t used = strlen(list);
	snprintf(list + used, size - used, "%s%.*s", used ? ", " : "", (int)key_len, key);
}

static int apply_environment(struct run_options *o, char **envp, struct error *err)
{
	char unknown[512] = "";
	for (char **e = envp; e && *e; e++) {
		if (strncmp(*e, RUN_OPTIONS_ENV_PREFIX, strlen(RUN_OPTIONS_ENV_PREFIX)))
			continue;
		const char *eq = strchr(*e, '=');
		size_t key_len = eq ? (size_t)(eq - *e) : strlen(*e);
		const struct run_option *opt = option_by_key(*e, key_len);
		if (!opt) {
			list_append(unknown, sizeof(unknown), *e, key_len);
			continue;
		}
		const char *value = eq ? eq + 1 : "";
		if (!value[0])
			continue;
		if (opt->set(o, value, err) < 0)
			return error_wrap(err, "%s", opt->env_key);
	}
	if (!unknown[0])
		return 0;
	char known[1024] = "";
	for (size_t i = 0; i < RUN_OPTION_COUNT; i++)
		list_append(known, sizeof(known), run_option_table[i].env_key,
			    strlen(run_option_table[i].env_key));
	return error_set(err, EINVAL, "unknown configuration key%s in the environment: %s "
				      "(tether run knows %s)",
			 strchr(unknown, ',') ? "s" : "", unknown, known);
}

static int apply_flags(struct run_options *o, int argc, char **argv, struct error *err)
{
	struct option longopts[RUN_OPTION_COUNT + 2];
	for (size_t i = 0; i < RUN_OPTION_COUNT; i++)
		longopts[i] = (struct option){
			.name = run_option_table[i].flag,
			.has_arg = run_option_table[i].arg_name ? required_argument : no_argument,
			.val = OPTION_FIRST + (int)i,
		};
	longopts[RUN_OPTION_COUNT] = (struct option){ .name = "help", .val = OPTION_HELP };
	longopts[RUN_OPTION_COUNT + 1] = (struct option){ 0 };

	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPTION_HELP)
			return 1;
		if (c < OPTION_FIRST || c >= OPTION_FIRST + (int)RUN_OPTION_COUNT)
			return error_set(err, EINVAL, "unknown or incomplete option '%s'",
					 argv[optind - 1]);
		const struct run_option *opt = &run_option_table[c - OPTION_FIRST];
		if (opt->set(o, opt->arg_name ? optarg : "true", err) < 0)
			return error_wrap(err, "--%s", opt->flag);
	}
	if (optind != argc)
		return error_set(err, EINVAL, "unexpected argument '%s'", argv[optind]);
	return 0;
}

int run_options_parse(struct run_options *o, char **envp, int argc, char **argv,
		      struct error *err)
{
	*o = (struct run_options){
		.state_dir = DEFAULT_STATE_DIR,
		.registry = REGISTRY_OPTIONS_DEFAULT,
		.api_socket = RUN_DEFAULT_API_SOCKET,
		.metadata_address = RUN_DEFAULT_METADATA_ADDRESS,
		.metadata_port = RUN_DEFAULT_METADATA_PORT,
		.metrics_interval_s = METRICS_INTERVAL_DEFAULT_S,
		.restart_period_percent = 100,
		.restore_after_reboot = true,
		.boot_id_file = BOOT_ID_FILE_DEFAULT,
	};
	/* The flags are read once on their own first: --help and a bad flag are answered even
	 * when the environment is wrong too. */
	struct run_options flags_only = *o;
	int r = apply_flags(&flags_only, argc, argv, err);
	if (r != 0)
		return r;
	r = apply_environment(o, envp, err);
	if (r < 0)
		return r;
	return apply_flags(o, argc, argv, err);
}

void run_options_usage(FILE *out)
{
	fputs("Usage: tether run [OPTION]...\n"
	      "Options (each also read from its environment key; flags win):\n", out);
	for (size_t i = 0; i < RUN_OPTION_COUNT; i++) {
		const struct run_option *opt = &run_option_table[i];
		char flag[64];
		snprintf(flag, sizeof(flag), "--%s%s%s", opt->flag, opt->arg_name ? " " : "",
			 opt->arg_name ? opt->arg_name : "");
		fprintf(out, "  %-24s %s\n", flag, opt->env_key);
	}
}

/* tether register: exchange a one-time activation for a node identity. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "agent/cli/commands.h"
#include "common/curl_dl.h"
#include "agent/link/hostinfo.h"
#include "agent/link/identity.h"
#include "agent/link/register_client.h"
#include "agent/link/register_response.h"
#include "agent/link/version.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "protocol/attribute.h"
#include "protocol/auth.h"


struct register_options {
	const char *hub;
	const char *cluster;
	const char *activation_id;
	const char *activation_code;
	const char *state_dir;
	const char *ca_file;
	bool force;
	/* --attribute NAME=VALUE, as given (checked by add_custom_attribute). */
	const char *attributes[ATTRIBUTE_CUSTOM_MAX];
	size_t n_attributes;
};

/* One --attribute NAME[=VALUE]: checked here with the hub's rules, so that a typo is refused
 * before the activation is spent. */
static int add_custom_attribute(struct register_options *o, const char *arg, struct error *err)
{
	size_t n = strcspn(arg, "=");
	char name[ATTRIBUTE_TEXT_MAX + 1];
	const char *value = arg[n] ? arg + n + 1 : "";
	if (n > ATTRIBUTE_TEXT_MAX)
		return error_set(err, EINVAL, "--attribute %.40s...: the name is longer than %d",
				 arg, ATTRIBUTE_TEXT_MAX);
	memcpy(name, arg, n);
	name[n] = '\0';
	if (!attribute_name_is_valid(name))
		return error_set(err, EINVAL,
				 "--attribute %s: the name must be 1 to %d letters, digits, '-', '_',"
				 " '.', '/' or '@'", arg, ATTRIBUTE_TEXT_MAX);
	if (attribute_name_is_builtin(name))
		return error_set(err, EINVAL,
				 "--attribute %s: names starting with ecs. or tether. are the"
				 " agent's own", arg);
	if (!attribute_value_is_valid(value))
		return error_set(err, EINVAL,
				 "--attribute %s: the value must be at most %d letters, digits,"
				 " spaces, '-', '_', '.', '/', '@', '\\' or ':', not starting or"
				 " ending with a space", arg, ATTRIBUTE_TEXT_MAX);
	for (size_t i = 0; i < o->n_attributes; i++)
		if (strncmp(o->attributes[i], arg, n) == 0 &&
		    (o->attributes[i][n] == '=' || !o->attributes[i][n]))
			return error_set(err, EINVAL, "--attribute %s: given twice", name);
	if (o->n_attributes == ATTRIBUTE_CUSTOM_MAX)
		return error_set(err, EINVAL, "at most %d --attribute options",
				 ATTRIBUTE_CUSTOM_MAX);
	o->attributes[o->n_attributes++] = arg;
	return 0;
}

static cJSON *attributes_json(const struct register_options *o, const struct hostinfo *h)
{
	cJSON *j = hostinfo_attributes_json(h);
	for (size_t i = 0; j && i < o->n_attributes; i++) {
		const char *arg = o->attributes[i];
		size_t n = strcspn(arg, "=");
		_cleanup_free_ char *name = strndup(arg, n);
		if (!name || !cJSON_AddStringToObject(j, name, arg[n] ? arg + n + 1 : "")) {
			cJSON_Delete(j);
			return NULL;
		}
	}
	return j;
}

static char *build_request(const struct register_options *o, const char *public_b64,
			   const struct hostinfo *h)
{
	cJSON *j = cJSON_CreateObject();
	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "activation_id", o->activation_id);
	cJSON_AddStringToObject(j, "activation_code", o->activation_code);
	cJSON_AddStringToObject(j, "cluster", o->cluster);
	cJSON_AddStringToObject(j, "public_key", public_b64);
	cJSON_AddStringToObject(j, "hostname", h->hostname);
	cJSON_AddStringToObject(j, "agent_version", TETHER_VERSION);
	cJSON_AddStringToObject(j, "protocol", TETHER_PROTOCOL_VERSION);
	cJSON_AddItemToObject(j, "resources", hostinfo_resources_json(h));
	cJSON_AddItemToObject(j, "attributes", attributes_json(o, h));
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

static int do_register(const struct register_options *o, struct error *err)
{
	if (identity_exists(o->state_dir) && !o->force)
		return error_set(err, EEXIST,
				 "already registered (identity in %s); use --force to replace it",
				 o->state_dir);
	int r = register_check_hub_url(o->hub, err);
	if (r < 0)
		return r;
	/* Stored for the daemon, which does not run from this directory. */
	_cleanup_free_ char *ca_file = o->ca_file ? realpath(o->ca_file, NULL) : NULL;
	if (o->ca_file && !ca_file)
		return error_set_errno(err, errno, "CA file %s", o->ca_file);

	struct hostinfo h = { 0 };
	r = hostinfo_collect(&h, err);
	if (r < 0)
		return error_wrap(err, "host information");

	_cleanup_free_ char *private_pem = NULL, *public_b64 = NULL;
	r = auth_generate_key(&private_pem, &public_b64, err);
	if (r < 0) {
		hostinfo_release(&h);
		return error_wrap(err, "generate node key");
	}
	_cleanup_free_ char *body = build_request(o, public_b64, &h);
	hostinfo_release(&h);
	if (!body)
		return error_set(err, ENOMEM, "out of memory");

	long status = 0;
	_cleanup_free_ char *answer = NULL;
	size_t answer_size = 0;
	r = register_post(o->hub, o->ca_file, body, &status, &answer, &answer_size, err);
	/* The body holds the activation code: wipe it as soon as it has been sent. */
	explicit_bzero(body, strlen(body));
	if (r < 0)
		return r;
	if (status != 200) {
		register_refusal_parse(status, answer, answer_size, err);
		return error_wrap(err, "registration refused");
	}

	struct register_result res = { 0 };
	r = register_response_parse(answer, answer_size, &res, err);
	if (r < 0)
		return r;
	struct identity id = {
		.node_id = res.node_id,
		.container_instance_arn = res.container_instance_arn,
		.cluster = res.cluster,
		.hub_url = (char *)o->hub,
		.connect_url = res.connect_url,
		.ca_file = ca_file,
		.private_key_pem = private_pem,
	};
	r = identity_save(o->state_dir, &id, err);
	if (r >= 0)
		printf("Registered as %s in cluster %s\n%s\n", res.node_id, res.cluster,
		       res.container_instance_arn);
	register_result_release(&res);
	explicit_bzero(private_pem, strlen(private_pem));
	return r < 0 ? error_wrap(err, "store identity") : 0;
}

static void register_usage(FILE *out)
{
	fputs("Usage: tether register --hub URL --cluster NAME --activation-id ID\n"
	      "                       --activation-code CODE [--state-dir DIR] [--ca-file FILE]\n"
	      "                       [--force] [--attribute NAME[=VALUE]]...\n",
	      out);
}

int cmd_register(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "hub", required_argument, NULL, 'H' },
		{ "cluster", required_argument, NULL, 'c' },
		{ "activation-id", required_argument, NULL, 'i' },
		{ "activation-code", required_argument, NULL, 'k' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "ca-file", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "attribute", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct register_options o = { .state_dir = DEFAULT_STATE_DIR };
	struct error err = { 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'H': o.hub = optarg; break;
		case 'c': o.cluster = optarg; break;
		case 'i': o.activation_id = optarg; break;
		case 'k': o.activation_code = optarg; break;
		case 's': o.state_dir = optarg; break;
		case 'a': o.ca_file = optarg; break;
		case 'f': o.force = true; break;
		case 'A':
			if (add_custom_attribute(&o, optarg, &err) < 0) {
				log_error("%s", err.message);
				return 2;
			}
			break;
		case 'h': register_usage(stdout); return 0;
		default: register_usage(stderr); return 2;
		}
	}
	if (!o.hub || !o.cluster || !o.activation_id || !o.activation_code || optind != argc) {
		register_usage(stderr);
		return 2;
	}

	if (curl_dl_open(&err) < 0) {
		log_error("Registration needs libcurl: %s", err.message);
		return 1;
	}
	sym_curl_global_init(CURL_GLOBAL_DEFAULT);
	int r = do_register(&o, &err);
	sym_curl_global_cleanup();
	if (r < 0) {
		log_error("%s", err.message);
		return 1;
	}
	return 0;
}

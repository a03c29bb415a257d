/* The options of `tether run`, from two sources: the TETHER_* keys of the environment (what
 * systemd reads from /etc/tether/tether.conf, an EnvironmentFile) and the command-line flags,
 * which override them. One table in run_options.c lists every option with its flag and its
 * key; docs/configuration.md documents each. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "image/image.h"

#define RUN_OPTIONS_ENV_PREFIX "TETHER_"

struct run_options {
	const char *state_dir;
	const char *monitor;   /* NULL: tether-monitor beside this binary */
	const char *ca_file;   /* NULL: the one the identity names, else the system's */
	bool allow_no_limits;
	uint64_t pids_max;     /* 0: the task manager's default */
	const char *cgroup_driver; /* NULL: the host's default (cgroups/cgroup_drivers.c) */
	struct registry_options registry;
	enum image_pull_behavior image_pull_behavior;
	uint64_t image_store_budget;  /* bytes; 0: none */
	uint64_t image_cleanup_age_s; /* 0: unused images stay until the budget needs room */
	const char *api_socket;       /* the local API's unix socket; NULL: off */
	char metadata_address[16];    /* the task metadata endpoint's IPv4 loopback address */
	unsigned metadata_port;       /* 0: the endpoint is off */
	char metrics_address[16];     /* the node's Prometheus text, on IPv4 loopback */
	unsigned metrics_port;        /* 0: off (the default) */
	uint64_t metrics_interval_s;  /* containers' metrics sampled this often */
	unsigned restart_period_percent; /* restartAttemptPeriod applied at this percent (tests) */
	bool restore_after_reboot;    /* containers the host's reboot killed start again */
	const char *boot_id_file;     /* where this boot's id is read (a test's own file) */
};

#define RUN_DEFAULT_API_SOCKET "/run/tether/agent.sock"
#define RUN_DEFAULT_METADATA_ADDRESS "127.0.0.1"
#define RUN_DEFAULT_METADATA_PORT 51679

/* Defaults first, then every TETHER_* key of envp (a NULL-terminated "KEY=value" array, as
 * environ), then the flags of argv (argv[0] is "run"). A key with an empty value counts as
 * unset. Strings in o point into envp and argv.
 * Returns 0, 1 when --help was asked (whatever the environment holds), or -EINVAL with err naming
 * the flag or key at fault: every TETHER_* key the table lacks is refused, all named at once,
 * so that a misspelt key in the configuration file never goes silently unused. */
int run_options_parse(struct run_options *o, char **envp, int argc, char **argv,
		      struct error *err);

void run_options_usage(FILE *out);

/* The options of `tether run`: TETHER_* keys of the environment, flags over them, and the
 * refusal of keys and values it does not know. */
#include <errno.h>
#include <stdlib.h>

#include "agent/daemon/run_options.h"
#include "agent/link/identity.h"
#include "tests/unit/test.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

TEST(run_options_defaults_without_keys_or_flags)
{
	char *envp[] = { "PATH=/usr/bin", "HOME=/root", NULL };
	char *argv[] = { "run", NULL };
	struct run_options o;
	struct error err = { 0 };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(argv), argv, &err), 0);
	ASSERT_STR_EQ(o.state_dir, DEFAULT_STATE_DIR);
	ASSERT_TRUE(!o.monitor && !o.ca_file && !o.allow_no_limits);
	ASSERT_INT_EQ(o.pids_max, 0);
}

TEST(run_options_every_key_from_the_environment)
{
	char *envp[] = { "TETHER_STATE_DIR=/srv/tether", "TETHER_MONITOR=/opt/tether-monitor",
			 "TETHER_CA_FILE=/etc/tether/ca.pem", "TETHER_ALLOW_NO_LIMITS=yes",
			 "TETHER_PIDS_MAX=512", NULL };
	char *argv[] = { "run", NULL };
	struct run_options o;
	struct error err = { 0 };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(argv), argv, &err), 0);
	ASSERT_STR_EQ(o.state_dir, "/srv/tether");
	ASSERT_STR_EQ(o.monitor, "/opt/tether-monitor");
	ASSERT_STR_EQ(o.ca_file, "/etc/tether/ca.pem");
	ASSERT_TRUE(o.allow_no_limits);
	ASSERT_INT_EQ(o.pids_max, 512);
}

TEST(run_options_flags_override_the_environment)
{
	char *envp[] = { "TETHER_STATE_DIR=/srv/tether", "TETHER_PIDS_MAX=512",
			 "TETHER_ALLOW_NO_LIMITS=false", NULL };
	char *argv[] = { "run", "--state-dir", "/var/lib/other", "--pids-max=64",
			 "--allow-no-limits", NULL };
	struct run_options o;
	struct error err = { 0 };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(argv), argv, &err), 0);
	ASSERT_STR_EQ(o.state_dir, "/var/lib/other");
	ASSERT_INT_EQ(o.pids_max, 64);
	ASSERT_TRUE(o.allow_no_limits);
}

TEST(run_options_empty_key_means_the_default)
{
	char *envp[] = { "TETHER_STATE_DIR=", "TETHER_PIDS_MAX=", NULL };
	char *argv[] = { "run", NULL };
	struct run_options o;
	struct error err = { 0 };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(argv), argv, &err), 0);
	ASSERT_STR_EQ(o.state_dir, DEFAULT_STATE_DIR);
	ASSERT_INT_EQ(o.pids_max, 0);
}

TEST(run_options_unknown_keys_refused_all_by_name)
{
	char *envp[] = { "TETHER_STAT_DIR=/srv", "TETHER_PIDS_MAX=10", "TETHER_HUB=ws://x",
			 "TETHERED=1", NULL };
	char *argv[] = { "run", NULL };
	struct run_options o;
	struct error err = { 0 };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(argv), argv, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "unknown configuration keys in the environment: "
				     "TETHER_STAT_DIR, TETHER_HUB");
	ASSERT_CONTAINS(err.message, "TETHER_STATE_DIR");
	ASSERT_TRUE(!strstr(err.message, "TETHERED"));
}

TEST(run_options_unknown_key_refused_even_when_empty)
{
	char *envp[] = { "TETHER_PID_MAX=", NULL };
	char *argv[] = { "run", NULL };
	struct run_options o;
	struct error err = { 0 };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(argv), argv, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "key in the environment: TETHER_PID_MAX ");
}

TEST(run_options_bad_values_named_by_source)
{
	char *argv[] = { "run", NULL };
	struct run_options o;
	struct error err = { 0 };
	char *bad_number[] = { "TETHER_PIDS_MAX=0x10", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, bad_number, ARGC(argv), argv, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "TETHER_PIDS_MAX: takes a number from 1 to");
	char *bad_bool[] = { "TETHER_ALLOW_NO_LIMITS=maybe", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, bad_bool, ARGC(argv), argv, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "TETHER_ALLOW_NO_LIMITS: takes true or false");
	char *flag_argv[] = { "run", "--pids-max", "0", NULL };
	char *envp[] = { NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(flag_argv), flag_argv, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "--pids-max: takes a number");
}

TEST(run_options_unknown_flag_and_argument_refused)
{
	char *envp[] = { NULL };
	struct run_options o;
	struct error err = { 0 };
	char *flag[] = { "run", "--heartbeat", "3", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(flag), flag, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "'--heartbeat'");
	char *missing[] = { "run", "--state-dir", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(missing), missing, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "--state-dir");
	char *extra[] = { "run", "now", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(extra), extra, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "'now'");
}

TEST(run_options_help_even_with_unknown_keys)
{
	char *envp[] = { "TETHER_NOT_A_KEY=1", NULL };
	char *argv[] = { "run", "--help", NULL };
	struct run_options o;
	struct error err = { 0 };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(argv), argv, &err), 1);
}

TEST(run_options_metrics_interval)
{
	char *argv[] = { "run", NULL };
	struct run_options o;
	struct error err = { 0 };
	char *none[] = { NULL };
	ASSERT_INT_EQ(run_options_parse(&o, none, ARGC(argv), argv, &err), 0);
	ASSERT_INT_EQ(o.metrics_interval_s, 20);
	char *key[] = { "TETHER_METRICS_INTERVAL=5", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, key, ARGC(argv), argv, &err), 0);
	ASSERT_INT_EQ(o.metrics_interval_s, 5);
	char *flag_argv[] = { "run", "--metrics-interval", "0", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, none, ARGC(flag_argv), flag_argv, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "--metrics-interval: takes a number of seconds from 1 to 3600");
	char *too_long[] = { "TETHER_METRICS_INTERVAL=3601", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, too_long, ARGC(argv), argv, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "TETHER_METRICS_INTERVAL: takes");
}

TEST(run_options_restart_period_percent)
{
	char *argv[] = { "run", NULL };
	struct run_options o;
	struct error err = { 0 };
	char *none[] = { NULL };
	ASSERT_INT_EQ(run_options_parse(&o, none, ARGC(argv), argv, &err), 0);
	ASSERT_INT_EQ(o.restart_period_percent, 100);
	char *key[] = { "TETHER_RESTART_PERIOD_PERCENT=5", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, key, ARGC(argv), argv, &err), 0);
	ASSERT_INT_EQ(o.restart_period_percent, 5);
	char *flag_argv[] = { "run", "--restart-period-percent", "2", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, key, ARGC(flag_argv), flag_argv, &err), 0);
	ASSERT_INT_EQ(o.restart_period_percent, 2);
	char *zero[] = { "run", "--restart-period-percent", "0", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, none, ARGC(zero), zero, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "--restart-period-percent: takes a percent from 1 to 100");
	char *over[] = { "TETHER_RESTART_PERIOD_PERCENT=101", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, over, ARGC(argv), argv, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "TETHER_RESTART_PERIOD_PERCENT: takes");
}

TEST(run_options_restore_after_reboot_is_on_and_can_be_turned_off)
{
	char *envp[] = { NULL };
	char *argv[] = { "run", NULL };
	struct run_options o;
	struct error err = { 0 };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(argv), argv, &err), 0);
	ASSERT_TRUE(o.restore_after_reboot);
	ASSERT_STR_EQ(o.boot_id_file, "/proc/sys/kernel/random/boot_id");

	char *off_env[] = { "TETHER_RESTORE_AFTER_REBOOT=off", "TETHER_BOOT_ID_FILE=/run/x", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, off_env, ARGC(argv), argv, &err), 0);
	ASSERT_TRUE(!o.restore_after_reboot);
	ASSERT_STR_EQ(o.boot_id_file, "/run/x");
	char *on_flag[] = { "run", "--restore-after-reboot", "true", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, off_env, ARGC(on_flag), on_flag, &err), 0);
	ASSERT_TRUE(o.restore_after_reboot);

	char *bad[] = { "run", "--restore-after-reboot", "maybe", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(bad), bad, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "--restore-after-reboot");
	ASSERT_CONTAINS(err.message, "maybe");
	error_clear(&err);
	char *relative[] = { "run", "--boot-id-file", "boot_id", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, ARGC(relative), relative, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "--boot-id-file");
}

#!/bin/bash
# Which init the VM booted: the fast runner, or systemd when booted with --systemd.
source "$(dirname "$0")/../../lib.sh"
if [ "${TETHER_VM_MODE:-fast}" = systemd ]; then
	check systemd_is_pid1 test "$(cat /proc/1/comm)" = systemd
	# The tests run as a unit of the boot itself, so the boot is still "starting" here.
	check systemd_runs_transient_units systemd-run --wait --quiet /bin/true
	check systemd_sees_cgroup2 test "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs
else
	check runner_is_pid1 grep -q guest-runner /proc/1/cmdline
fi

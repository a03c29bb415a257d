#!/bin/bash
# The systemd boot of the VM: systemd is PID 1, runs transient units, and owns a pure cgroup v2
# tree. The other scripts of this folder run in the same boot, as a unit of it.
source "$(dirname "$0")/../../lib.sh"
check systemd_is_pid1 test "$(cat /proc/1/comm)" = systemd
check systemd_runs_transient_units systemd-run --wait --quiet /bin/true
check systemd_sees_cgroup2 test "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs

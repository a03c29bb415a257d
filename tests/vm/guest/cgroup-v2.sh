#!/bin/bash
# The VM is what the host cannot be: a pure cgroup v2 system whose controllers take limits.
source "$(dirname "$0")/../../lib.sh"

check cgroup2_is_the_root_hierarchy test "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs
for c in cpu memory pids io; do
	check "controller_${c}_delegated" grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
done
probe=/sys/fs/cgroup/tether-vm-probe
mkdir -p "$probe"
check memory_max_settable bash -c "echo 67108864 > $probe/memory.max && [ \$(cat $probe/memory.max) = 67108864 ]"
check cpu_max_settable bash -c "echo '25000 100000' > $probe/cpu.max && grep -q '^25000 100000' $probe/cpu.max"
check pids_max_settable bash -c "echo 64 > $probe/pids.max && [ \$(cat $probe/pids.max) = 64 ]"
rmdir "$probe"

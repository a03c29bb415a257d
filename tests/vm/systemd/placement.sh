#!/bin/bash
# Where tasks live under systemd: tether.service (Delegate=yes) runs the agent with the
# delegated cgroup driver, and a task's containers sit in the unit's own subtree
# (/system.slice/tether.service/tasks/<task>/<container>), with their limits, an OOM kill
# reported, a CPU limit that holds, and systemd's root cgroup left alone. Then
# `systemctl restart tether`: re-adoption by the new agent where systemd can start it (254,
# DelegateSubgroup=); under systemd 252 the failed restart is measured, and an agent started
# in <unit>/agent by hand, as systemd 254 would start it, picks the delegated driver by
# default and re-adopts the running container.
source "$(dirname "$0")/../../lib.sh"

UNIT=/system.slice/tether.service
V2=/sys/fs/cgroup
NODE=$WORK/node # tmpfs: container roots are overlayfs, whose upper folder cannot be on overlayfs

unit_agent_setup "$NODE" --cgroup-driver delegated || exit 1

# Stop the unit and end its tasks' containers however the test ends.
end_unit() {
	systemctl stop tether 2>/dev/null
	[ -f "$V2$UNIT/cgroup.kill" ] && echo 1 >"$V2$UNIT/cgroup.kill"
	journalctl -u tether --no-pager >"$WORK/agent.log" 2>&1
	unit_agent_remove
}
trap 'end_unit; on_exit' EXIT

unit_agent_start || exit 1
# systemd enables at the root the controllers it delegates when it starts the unit (here
# cpuset cpu io memory pids); cgroupfs's way would add every other one the root has (hugetlb,
# rdma, misc). From here on the root is systemd's alone.
root_before=$(cat "$V2/cgroup.subtree_control")
check agent_connects wait_until 60 agent_connected
check agent_says_its_driver wait_until 10 \
	sh -c "journalctl -u tether --no-pager | grep -qF 'cgroup driver delegated: tasks below $UNIT'"
check agent_left_the_unit_root_for_its_leaf \
	test "$(cut -d: -f3 "/proc/$(systemctl show -P MainPID tether)/cgroup")" = "$UNIT/agent"

# --- a task with a hard CPU limit (task-level cpu) and a memory limit (container memory)
register_td limited '["sh", "-c", "trap \"exit 0\" TERM; while :; do :; done"]' \
	'"memory": 48, "stopTimeout": 2' '"cpu": "256"' >/dev/null
arn=$(run_task limited)
id=${arn##*/}
check limited_task_runs wait_until 90 task_is "$arn" RUNNING
pid=$(cat "$NODE/tasks/$id/main/pid" 2>/dev/null)
check container_is_in_the_unit test "$(grep '^0::' "/proc/$pid/cgroup")" = "0::$UNIT/tasks/$id/main"
check container_memory_max_is_its_memory test "$(cat "$V2$UNIT/tasks/$id/main/memory.max")" = \
	$((48 * 1024 * 1024))
check task_cpu_max_is_its_cpu grep -q '^25000 100000$' "$V2$UNIT/tasks/$id/cpu.max"
check monitor_is_beside_the_agent_not_in_the_task \
	test "$(cut -d: -f3 "/proc/$(cat "$NODE/tasks/$id/main/monitor.pid")/cgroup")" = "$UNIT/agent"
check systemd_cgls_lists_the_container \
	sh -c "systemd-cgls --no-pager '$UNIT' | grep -A2 -F '$id' | grep -qw '$pid'"
check nothing_at_the_root_of_the_tree test ! -e "$V2/tether"
share=$(cpu_share "$V2$UNIT/tasks/$id" 10)
echo "measured: cpu share of the 0.25 CPU task under tether.service: $share/1000"
check hard_cpu_limit_holds test "$share" -ge 100 -a "$share" -le 400

check_oom_reported
root_after=$(cat "$V2/cgroup.subtree_control")
echo "measured: root cgroup.subtree_control with the unit started: '$root_before', after its tasks: '$root_after'"
check root_subtree_control_unchanged test "$root_before" = "$root_after"

# --- systemctl restart tether: the container stays, the new agent adopts it
old_main=$(systemctl show -P MainPID tether)
systemctl restart tether
if systemctl is-active -q tether; then
	check restart_gives_a_new_agent test "$(systemctl show -P MainPID tether)" != "$old_main"
	check container_survives_restart kill -0 "$pid"
	check container_pid_unchanged test "$(cat "$NODE/tasks/$id/main/pid")" = "$pid"
	check agent_reconnects_after_restart wait_until 60 agent_connected
	check task_running_after_restart task_is "$arn" RUNNING
	check readopted_task_stops_on_request awsx ecs stop-task --cluster default --task "$arn"
	check readopted_task_stopped wait_until 30 task_is "$arn" STOPPED
else
	# The kernel takes no process into a cgroup whose subtree_control is set; systemd before
	# 254 (DelegateSubgroup=) starts the new main process in the unit's cgroup itself.
	result=$(systemctl show -P ExecMainStatus tether)
	echo "measured: systemd $(systemctl --version | awk 'NR == 1 {print $2}') restarting tether.service with tasks below it: ExecMainStatus $result"
	check container_survives_failed_restart kill -0 "$pid"
	skip restart_readopts "systemd $(systemctl --version | awk 'NR == 1 {print $2}') cannot start a delegated unit's process while tasks run below it (status $result, 219 = CGROUP); needs DelegateSubgroup= (systemd 254)"

	# What systemd 254 does with DelegateSubgroup=agent, done by hand: the next agent starts
	# in <unit>/agent, beside the monitors. It is given no --cgroup-driver: a leaf named agent
	# under a cgroup systemd marked delegated makes the delegated driver the default.
	systemctl stop tether
	sh -c "echo \$\$ >'$V2$UNIT/agent/cgroup.procs' && exec /usr/bin/tether run --state-dir '$NODE'" \
		>>"$WORK/leaf-agent.log" 2>&1 &
	STARTED_PIDS+=("$!")
	check agent_in_the_leaf_chooses_delegated_by_default wait_until 30 \
		grep -qF "cgroup driver delegated: tasks below $UNIT" "$WORK/leaf-agent.log"
	check agent_in_the_leaf_reconnects wait_until 60 agent_connected
	check readopted_container_pid_unchanged test "$(cat "$NODE/tasks/$id/main/pid")" = "$pid"
	check readopted_task_still_running task_is "$arn" RUNNING
	check readopted_task_stops_on_request awsx ecs stop-task --cluster default --task "$arn"
	check readopted_task_stopped wait_until 30 task_is "$arn" STOPPED
	check readopted_task_cgroup_removed wait_until 20 test ! -d "$V2$UNIT/tasks/$id"
	[ -s "$WORK/leaf-agent.log" ] && sed 's/^/vm: leaf agent: /' "$WORK/leaf-agent.log" | tail -n 5
fi

#!/bin/bash
# The systemd cgroup driver under systemd as PID 1: tether.service picks it by default, a task
# is a transient slice tether.slice/tether-<task>.slice carrying the task's limits as unit
# properties, each container a delegated scope whose first process is its tether-monitor
# (moved into the scope's monitor leaf, the container in its container leaf). Limits hold, an
# OOM kill is reported, `systemctl restart tether` leaves the container where it is (the
# restart that systemd 252 cannot make under the delegated driver), and a task's end stops
# its units.
source "$(dirname "$0")/../../lib.sh"

V2=/sys/fs/cgroup
NODE=$WORK/node # tmpfs: container roots are overlayfs, whose upper folder cannot be on overlayfs

unit_agent_setup "$NODE" || exit 1

trap 'unit_agent_stop; on_exit' EXIT

unit_agent_start || exit 1
check agent_connects wait_until 60 agent_connected
check agent_chooses_systemd_by_default wait_until 10 \
	sh -c "journalctl -u tether --no-pager | grep -qF 'cgroup driver systemd'"

# --- a task with task-level cpu (a hard cap) and memory, and a container memory limit
register_td limited '["sh", "-c", "trap \"exit 0\" TERM; while :; do :; done"]' \
	'"memory": 48, "stopTimeout": 2' '"cpu": "256", "memory": "128"' >/dev/null
arn=$(run_task limited)
id=${arn##*/}
slice="tether-$(systemd-escape "$id").slice"
scope="tether-$(systemd-escape "$id")-main.scope"
scope_dir="$V2/tether.slice/$slice/$scope"
check limited_task_runs wait_until 90 task_is "$arn" RUNNING
pid=$(cat "$NODE/tasks/$id/main/pid" 2>/dev/null)
monitor=$(cat "$NODE/tasks/$id/main/monitor.pid" 2>/dev/null)
echo "measured: task $id: slice $slice, scope $scope, container pid $pid, monitor pid $monitor"
check task_slice_is_active systemctl is-active -q "$slice"
check task_slice_memory_max test "$(systemctl show -P MemoryMax "$slice")" = $((128 * 1024 * 1024))
check task_slice_cpu_quota test "$(systemctl show -P CPUQuotaPerSecUSec "$slice")" = 250ms
check task_slice_cpu_max_file grep -q '^25000 100000$' "$V2/tether.slice/$slice/cpu.max"
check container_scope_is_active systemctl is-active -q "$scope"
check container_scope_is_delegated test "$(systemctl show -P Delegate "$scope")" = yes
check container_is_in_its_scope test "$(grep '^0::' "/proc/$pid/cgroup")" = \
	"0::/tether.slice/$slice/$scope/container"
check monitor_is_in_its_scope_leaf test "$(grep '^0::' "/proc/$monitor/cgroup")" = \
	"0::/tether.slice/$slice/$scope/monitor"
check container_memory_max_is_its_memory test "$(cat "$scope_dir/container/memory.max")" = \
	$((48 * 1024 * 1024))
check systemd_cgls_lists_the_container \
	sh -c "systemd-cgls --no-pager -u '$slice' | grep -qw '$pid'"
check nothing_in_the_agent_unit test "$(find "$V2/system.slice/tether.service" -mindepth 1 -type d | wc -l)" = 0
check nothing_at_the_root_of_the_tree test ! -e "$V2/tether"
share=$(cpu_share "$V2/tether.slice/$slice" 10)
echo "measured: cpu share of the 0.25 CPU task slice: $share/1000"
check hard_cpu_limit_holds test "$share" -ge 100 -a "$share" -le 400

check_oom_reported

# --- systemctl restart tether: nothing of the task is in the unit, so systemd 252 restarts it
old_main=$(systemctl show -P MainPID tether)
check restart_succeeds systemctl restart tether
check restart_gives_a_new_agent test "$(systemctl show -P MainPID tether)" != "$old_main"
check container_survives_restart kill -0 "$pid"
check container_pid_unchanged test "$(cat "$NODE/tasks/$id/main/pid")" = "$pid"
check container_still_in_its_scope test "$(grep '^0::' "/proc/$pid/cgroup")" = \
	"0::/tether.slice/$slice/$scope/container"
check agent_reconnects_after_restart wait_until 60 agent_connected
check task_running_after_restart task_is "$arn" RUNNING

# --- the task's end stops its units
check readopted_task_stops_on_request awsx ecs stop-task --cluster default --task "$arn"
check readopted_task_stopped wait_until 30 task_is "$arn" STOPPED
# The task's units only: the test harness's own units are named tether-vm* too.
units() { systemctl list-units --all --plain --no-legend 'tether-*.slice' 'tether-*.scope' | awk '{print $1}'; }
check task_units_removed wait_until 20 sh -c "! systemctl list-units --all --plain --no-legend 'tether-*.slice' 'tether-*.scope' | grep -q ."
echo "measured: tether units left: '$(units | tr '\n' ' ')'"
check task_slice_cgroup_removed test ! -d "$V2/tether.slice/$slice"

#!/bin/bash
# Resource limits that hold, on a pure cgroup v2 kernel: OOM kill reported and contained, a
# fork bomb held at pids.max, a hard CPU limit, and cpu.weight shares. `tether task run` is
# used (no hub); the cgroups are read from outside the container.
source "$(dirname "$0")/../../lib.sh"

busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
STATE=$WORK/state
CGROOT=/sys/fs/cgroup/tether

td() { # file json
	printf '%s\n' "$2" >"$WORK/$1.json"
}
# tether runs as a direct child (not inside a function), so that $! is its pid for signals.
task_run() { # name [tether options]
	local name=$1
	shift
	"$BIN/tether" task run "$WORK/$name.json" --state-dir "$STATE" "$@" >"$WORK/$name.log" 2>&1
}
started() { # started CONTAINER: its cgroup in the task's cgroup holds a process (slow hosts)
	local cg pid
	cg=$(task_cgroup)
	# Read, not tested with -s: cgroup files have no size, and the wait ran out every time.
	[ -n "$cg" ] && read -r pid 2>/dev/null <"$cg/$1/cgroup.procs" && [ -n "$pid" ]
}
task_cgroup() { # the one task cgroup present now
	find "$CGROOT" -mindepth 1 -maxdepth 1 -type d | head -n 1
}
image="oci:$WORK/image:latest"

# 1. OOM: the hog is killed and reported; its sibling and tether go on.
td oom "{\"family\": \"oom\", \"containerDefinitions\": [
  {\"name\": \"hog\", \"image\": \"$image\", \"essential\": false, \"memory\": 32,
   \"command\": [\"tail\", \"/dev/zero\"]},
  {\"name\": \"sibling\", \"image\": \"$image\", \"essential\": true,
   \"command\": [\"sh\", \"-c\", \"sleep 4; echo sibling survived\"]}]}"
task_run oom
rc=$?
check oom_sibling_exit_code_is_task_exit_code test "$rc" = 0
check oom_sibling_kept_running grep -q "sibling survived" "$WORK/oom.log"
check oom_reported_with_ecs_reason grep -q "OutOfMemoryError: Container killed due to memory usage" "$WORK/oom.log"
check oom_exit_code_137 grep -q "container hog exited with code 137" "$WORK/oom.log"

# 2. A fork bomb is held at the container's pids.max; the host stays responsive.
td bomb "{\"family\": \"bomb\", \"containerDefinitions\": [
  {\"name\": \"bomb\", \"image\": \"$image\",
   \"command\": [\"sh\", \"-c\", \"b() { b | b & }; b & sleep 6; exit 0\"]}]}"
"$BIN/tether" task run "$WORK/bomb.json" --state-dir "$STATE" --pids-max 64 >"$WORK/bomb.log" 2>&1 &
bomb_pid=$!
sleep 4
cg=$(task_cgroup)
check fork_bomb_has_pids_max test -n "$cg" -a "$(cat "$cg"/bomb/pids.max 2>/dev/null)" = 64
check fork_bomb_held_at_pids_max test "$(cat "$cg"/bomb/pids.current 2>/dev/null)" -le 64
check fork_bomb_hits_pids_max test "$(awk '/^max/ {print $2}' "$cg"/bomb/pids.events 2>/dev/null)" -gt 0
check host_responsive_during_fork_bomb timeout 5 sh -c 'for i in 1 2 3 4 5; do /bin/true; done'
wait "$bomb_pid"
check fork_bomb_task_ends test $? = 0

# 3. A task limited to 0.25 CPU uses 25% +/- 15% of one CPU over 10 s (cpu.stat).
td hog "{\"family\": \"hog\", \"cpu\": \"256\", \"containerDefinitions\": [
  {\"name\": \"hog\", \"image\": \"$image\", \"stopTimeout\": 2, \"command\": [\"sh\", \"-c\", \"while :; do :; done\"]}]}"
"$BIN/tether" task run "$WORK/hog.json" --state-dir "$STATE" >"$WORK/hog.log" 2>&1 &
hog_pid=$!
wait_until 60 started hog
sleep 2
cg=$(task_cgroup)
check default_pids_max_applied test "$(cat "$cg"/hog/pids.max)" = 1024
check hard_cpu_limit_written grep -q '^25000 100000' "$cg/cpu.max"
share=$(cpu_share "$cg" 10)
echo "measured: cpu share of the 0.25 CPU task: $share/1000"
check hard_cpu_limit_holds test "$share" -ge 100 -a "$share" -le 400
kill -INT "$hog_pid"; wait "$hog_pid"

# 4. cpu.weight follows cpu units: 512 and 1024 split the CPUs about 1:2. Each container runs
# two busy loops, so that four loops contend for the VM's two CPUs (pinning with taskset does
# not hold: moving into a cgroup with cpuset enabled resets the affinity).
td weights "{\"family\": \"weights\", \"containerDefinitions\": [
  {\"name\": \"small\", \"image\": \"$image\", \"cpu\": 512, \"stopTimeout\": 2, \"command\": [\"sh\", \"-c\", \"while :; do :; done & while :; do :; done\"]},
  {\"name\": \"large\", \"image\": \"$image\", \"cpu\": 1024, \"stopTimeout\": 2, \"command\": [\"sh\", \"-c\", \"while :; do :; done & while :; do :; done\"]}]}"
"$BIN/tether" task run "$WORK/weights.json" --state-dir "$STATE" >"$WORK/weights.log" 2>&1 &
weights_pid=$!
wait_until 60 started small && wait_until 60 started large
sleep 3
cg=$(task_cgroup)
s0=$(usage_usec "$cg/small"); l0=$(usage_usec "$cg/large")
sleep 8
s1=$(usage_usec "$cg/small"); l1=$(usage_usec "$cg/large")
ratio=$(( (l1 - l0) * 100 / (s1 - s0 + 1) ))
echo "measured: cpu.weight split large/small: $ratio/100 (weights $(cat "$cg/small/cpu.weight") and $(cat "$cg/large/cpu.weight"))"
check container_cpu_is_a_share_not_a_cap grep -q '^max ' "$cg/small/cpu.max"
check cpu_weight_splits_one_to_two test "$ratio" -ge 150 -a "$ratio" -le 270
kill -INT "$weights_pid"; wait "$weights_pid"
check no_task_cgroups_left test -z "$(task_cgroup)"

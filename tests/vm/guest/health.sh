#!/bin/bash
# A health check counts against its container's limits, on a pure cgroup v2 kernel: a check
# that allocates more than the container's memory is OOM-killed inside the container's
# cgroup (memory.events of the container counts it), fails, and turns the container
# UNHEALTHY, while the container itself runs on and is not reported as OOM-killed.
source "$(dirname "$0")/../../lib.sh"

busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
STATE=$WORK/state
image="oci:$WORK/image:latest"

printf '%s\n' "{\"family\": \"health-oom\", \"containerDefinitions\": [
  {\"name\": \"app\", \"image\": \"$image\", \"memory\": 32,
   \"command\": [\"sh\", \"-c\", \"sleep 25; echo container survived\"],
   \"healthCheck\": {\"command\": [\"CMD\", \"tail\", \"/dev/zero\"], \"interval\": 5,
                     \"timeout\": 15, \"retries\": 1}}]}" >"$WORK/oom.json"
"$BIN/tether" task run "$WORK/oom.json" --state-dir "$STATE" >"$WORK/oom.log" 2>&1 &
run_pid=$!

folder() { ls -d "$STATE"/tasks/*/app 2>/dev/null | head -n 1; }
unhealthy() { grep -q '"status":"UNHEALTHY"' "$(folder)/health.json" 2>/dev/null; }
check oom_killed_check_makes_container_unhealthy wait_until 90 unhealthy
cat "$(folder)/health.json"; echo
check record_says_out_of_memory grep -q "out of memory" "$(folder)/health.json"
cg=/sys/fs/cgroup/$(jq -r .cgroup "$(folder)/config.json")
check container_memory_events_count_the_kill \
	test "$(awk '/^oom_kill/ {print $2}' "$cg/memory.events" 2>/dev/null)" -ge 1
check container_memory_limit_is_32_mib test "$(cat "$cg/memory.max")" = $((32 << 20))
wait "$run_pid"
check container_exits_0_after_the_check_oom test $? = 0
check container_survived grep -q "container survived" "$WORK/oom.log"
check container_not_reported_oom_killed bash -c "! grep -q OutOfMemoryError '$WORK/oom.log'"

#!/bin/bash
# Health checks under the systemd cgroup driver: a check runs in a cgroup below the
# container's leaf of its delegated scope, its failing output reaches describe-tasks, and the
# task's end stops the scope with nothing of the checks left. The task metadata endpoint's
# stats are the container's cgroup figures there.
source "$(dirname "$0")/../../lib.sh"

V2=/sys/fs/cgroup
NODE=$WORK/node

unit_agent_setup "$NODE" || exit 1
trap 'unit_agent_stop; on_exit' EXIT
unit_agent_start || exit 1
check agent_connects wait_until 60 agent_connected

# The check says where it runs, and fails so that its output is kept.
register_td checked '["sh", "-c", "trap \"exit 0\" TERM; sleep 100000 & wait"]' \
	'"memory": 48, "stopTimeout": 2, "healthCheck": {"command": ["CMD-SHELL", "cat /proc/self/cgroup; exit 1"], "interval": 5, "retries": 1}' >/dev/null
arn=$(run_task checked)
id=${arn##*/}
slice="tether-$(systemd-escape "$id").slice"
scope="tether-$(systemd-escape "$id")-main.scope"
check checked_task_runs wait_until 90 task_is "$arn" RUNNING
# The task metadata endpoint (on by default) reads the container's own cgroup through the
# systemd driver's paths: the figures only a kernel with these controllers shows.
uri=$(jq -r '.env[] | select(startswith("ECS_CONTAINER_METADATA_URI_V4=")) | sub("^[^=]*="; "")' \
	"$NODE/tasks/$id/main/config.json")
check metadata_stats_read_the_scope bash -c "curl -s '$uri/stats' | jq -e '.memory_stats.usage > 0 and
	.pids_stats.current >= 1 and .cpu_stats.cpu_usage.total_usage > 0 and .id == \"$id-main\"'"
unhealthy() { [ "$(json_api_call ecs describe-tasks --cluster default --tasks "$arn" | jq -r '.tasks[0].containers[0].healthStatus')" = UNHEALTHY ]; }
check container_turns_unhealthy wait_until 60 unhealthy
reason=$(json_api_call ecs describe-tasks --cluster default --tasks "$arn" | jq -r '.tasks[0].containers[0].reason')
echo "measured: check output: $reason"
check check_runs_below_the_container_leaf test "$reason" = \
	"0::/tether.slice/$slice/$scope/container/health-check"
check task_is_unhealthy test "$(json_api_call ecs describe-tasks --cluster default --tasks "$arn" | jq -r '.tasks[0].healthStatus')" = UNHEALTHY

check task_stops awsx ecs stop-task --cluster default --task "$arn"
check task_stopped wait_until 30 task_is "$arn" STOPPED
check task_units_removed wait_until 20 sh -c "! systemctl list-units --all --plain --no-legend 'tether-*.slice' 'tether-*.scope' | grep -q ."
check task_slice_cgroup_removed test ! -d "$V2/tether.slice/$slice"

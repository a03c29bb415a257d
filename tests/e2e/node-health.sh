#!/bin/bash
# Node health through a real hub and `tether run` on loopback, read with the real aws CLI:
# describe-container-instances shows ECS's healthStatus (OK, a detail per self-check, with
# when it was updated and last changed) and figures that match the node's tasks; an image
# store over its budget (the agent restarted with a budget below the images its running task
# holds) turns the node IMPAIRED with the reason in statusReason while the task runs on, and
# back to OK when the budget is raised.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip node-health "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi

NODE=$WORK/node
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT

start_hub || { fail hub_starts "see hub.log"; exit 1; }
# busybox and a 3 MiB layer: more than the smallest budget (1 MiB).
/usr/bin/python3 "$TOP/tests/registry/make-images.py" --out "$WORK/images" --escape-dir unused \
	--bench --bench-layers 1 --bench-layer-mib 3 >/dev/null || { fail images_made; exit 1; }
join_node "$NODE" || { fail join_node "see hub.log"; exit 1; }
check agent_connects wait_until 30 agent_connected

ci_arn=$(awsx ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')
describe_ci() { awsx ecs describe-container-instances --cluster default --container-instances "$ci_arn"; }
overall_is() { [ "$(describe_ci | jq -r '.containerInstances[0].healthStatus.overallStatus')" = "$1" ]; }

check health_reported_ok wait_until 30 overall_is OK
ci=$(describe_ci)
for type in STATE_STORE CGROUP_TREE IMAGE_STORE; do
	check "detail_${type,,}_ok" jq -e --arg t "$type" \
		'.containerInstances[0].healthStatus.details[] | select(.type == $t and .status == "OK")' <<<"$ci"
done
check details_have_times jq -e '[.containerInstances[0].healthStatus.details[] |
	(.lastUpdated | type == "string" or type == "number") and (.lastStatusChange != null)] | all' <<<"$ci"
check no_status_reason_when_ok jq -e '.containerInstances[0] | has("statusReason") | not' <<<"$ci"

json_api_call ecs register-task-definition --cli-input-json "$(jq -nc --arg image "oci:$WORK/images/bench:1.0" \
	'{family: "idle", requiresCompatibilities: ["EXTERNAL"],
	  containerDefinitions: [{name: "main", image: $image, essential: true,
	                          command: ["sh", "-c", "trap \"exit 0\" TERM; sleep 100000 & wait"]}]}')" >/dev/null
arn=$(awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition idle | jq -r '.tasks[0].taskArn')
check task_reaches_running wait_until 60 task_is "$arn" RUNNING
running_count() { [ "$(describe_ci | jq '.containerInstances[0].runningTasksCount')" = "$1" ]; }
check running_tasks_count_matches wait_until 10 running_count 1

# The same node with a budget its running task's image is over: the images in use cannot be
# collected, and the node says so.
used_mib=$(( $(du -sB1 "$NODE/images/layers" | cut -f1) >> 20 ))
stop_pid "$AGENT_PID"
check image_store_holds_more_than_2_mib test "$used_mib" -ge 3
start_agent "$NODE" --image-store-budget 2M
check agent_reconnects_with_budget wait_until 30 agent_connected
check health_impaired_over_budget wait_until 30 overall_is IMPAIRED
ci=$(describe_ci)
check image_store_detail_impaired jq -e '.containerInstances[0].healthStatus.details[] |
	select(.type == "IMAGE_STORE" and .status == "IMPAIRED")' <<<"$ci"
check state_store_still_ok jq -e '.containerInstances[0].healthStatus.details[] |
	select(.type == "STATE_STORE" and .status == "OK")' <<<"$ci"
reason=$(jq -r '.containerInstances[0].statusReason' <<<"$ci")
check status_reason_names_store_budget_and_fix bash -c 'grep "image store $1/images holds" <<<"$2" |
	grep "over its budget of 2 MiB" | grep -q "raise the budget"' _ "$NODE" "$reason"
check task_runs_on_while_impaired task_is "$arn" RUNNING
stop_pid "$AGENT_PID"
start_agent "$NODE"
check agent_reconnects wait_until 30 agent_connected
check health_ok_again wait_until 30 overall_is OK
check status_reason_cleared jq -e '.containerInstances[0] | has("statusReason") | not' <<<"$(describe_ci)"
check task_still_running task_is "$arn" RUNNING

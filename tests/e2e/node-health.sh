#!/bin/bash
# Node health and metrics through a real hub and `tether run` on loopback, read with the real
# aws CLI and Prometheus' own parser: describe-container-instances shows ECS's healthStatus
# (OK, a detail per self-check, with when it was updated and last changed); a running task's
# container metrics reach the hub's GET /metrics, whose text parses and whose figures match
# describe-tasks and describe-container-instances; an image store over its budget (the agent
# restarted with a budget below the images its running task holds) turns the node IMPAIRED
# with the reason in statusReason while the task runs on, and back to OK when the budget is
# raised.
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
# Samples every 2 s instead of 20 (--metrics-interval, docs/configuration.md).
make_activation --registration-limit 1 && "$BIN/tether" register --hub "$HUB_URL" --cluster default \
	--activation-id "$ACT_ID" --activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null ||
	{ fail join_node "see hub.log"; exit 1; }
# The node's own metrics on an opt-in loopback address (--metrics-address, docs/configuration.md).
AGENT_METRICS_PORT=$(free_port)
start_agent "$NODE" --metrics-interval 2 --metrics-address "127.0.0.1:$AGENT_METRICS_PORT"
check agent_connects wait_until 30 agent_connected

ci_arn=$(awsx ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')
describe_ci() { awsx ecs describe-container-instances --cluster default --container-instances "$ci_arn"; }
# Polled every 0.1 s: asked with curl (tests/lib.sh instance_connected says why).
overall_is() {
	[ "$(json_api_call ecs describe-container-instances --cluster default --container-instances "$ci_arn" |
		jq -r '.containerInstances[0].healthStatus.overallStatus')" = "$1" ]
}

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
running_count() {
	[ "$(json_api_call ecs describe-container-instances --cluster default --container-instances "$ci_arn" |
		jq '.containerInstances[0].runningTasksCount')" = "$1" ]
}
check running_tasks_count_matches wait_until 10 running_count 1

# --- metrics: GET /metrics of the hub, read by Prometheus' parser
metrics() { curl -sf "$HUB_URL/metrics" | /usr/bin/python3 "$TOP/tests/metrics-check.py"; }
sample() { # NAME [jq condition on .labels]: the value of the first sample that matches
	metrics | jq -r --arg n "$1" "select(.name == \$n and (${2:-true})) | .value" | head -n 1
}
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 > b + 0) }'; } # A > B
task_cpu_reported() { [ -n "$(sample tether_container_cpu_usage_usec_total ".labels.task_arn == \"$arn\"")" ]; }
check task_metrics_reach_the_hub wait_until 30 task_cpu_reported
check metrics_parse_as_exposition bash -c 'curl -sf "$1/metrics" | /usr/bin/python3 "$2/tests/metrics-check.py" >/dev/null' _ "$HUB_URL" "$TOP"
check metrics_content_type bash -c "curl -sf -o /dev/null -w '%{content_type}' '$HUB_URL/metrics' | grep -q '^text/plain; version=0.0.4'"
ci=$(describe_ci)
node_id=$(jq -r '.containerInstances[0].ec2InstanceId' <<<"$ci")
on_node=".labels.node_id == \"$node_id\""
check node_connected_gauge test "$(sample tether_node_connected "$on_node")" = 1
check node_health_ok_gauge test "$(sample tether_node_health_ok "$on_node")" = 1
check node_running_tasks_match test "$(sample tether_node_running_tasks "$on_node")" = \
	"$(jq '.containerInstances[0].runningTasksCount' <<<"$ci")"
for r in CPU MEMORY; do
	unit=$([ $r = CPU ] && echo cpu_units || echo memory_mib)
	check "registered_${r,,}_matches" test "$(sample "tether_node_registered_$unit" "$on_node")" = \
		"$(jq --arg r $r '.containerInstances[0].registeredResources[] | select(.name == $r) | .integerValue' <<<"$ci")"
	check "remaining_${r,,}_matches" test "$(sample "tether_node_remaining_$unit" "$on_node")" = \
		"$(jq --arg r $r '.containerInstances[0].remainingResources[] | select(.name == $r) | .integerValue' <<<"$ci")"
done
running=$(awsx ecs list-tasks --cluster default --desired-status RUNNING | jq '.taskArns | length')
check running_tasks_gauge_matches_list_tasks test "$(sample tether_tasks '.labels.status == "RUNNING"')" = "$running"
check node_memory_available_reported above "$(sample tether_node_memory_available_bytes "$on_node")" 0
check node_state_disk_free_reported above "$(sample tether_node_state_disk_free_bytes "$on_node")" 0
check instances_gauge test "$(sample tether_container_instances '.labels.status == "ACTIVE" and .labels.connected == "true"')" = 1
task_container=".labels.task_arn == \"$arn\" and .labels.container == \"main\""
check container_cpu_is_positive above "$(sample tether_container_cpu_usage_usec_total "$task_container")" 0
check links_welcomed_counted above "$(sample tether_links_welcomed_total)" 0
check api_requests_counted above "$(sample tether_api_requests_total '.labels.operation == "DescribeContainerInstances" and .labels.status == "200"')" 0
# The agent samples again: the latest sample moves on.
first=$(sample tether_container_sample_timestamp_seconds "$task_container")
check sample_time_is_recent above "$first" "$(( $(date +%s) - 60 ))"
sample_moved() { [ "$(sample tether_container_sample_timestamp_seconds "$task_container")" != "$first" ]; }
check later_samples_arrive wait_until 20 sample_moved

# --- the agent's own GET /metrics, and its local API's health
agent_metrics() { curl -sf "http://127.0.0.1:$AGENT_METRICS_PORT/metrics" | /usr/bin/python3 "$TOP/tests/metrics-check.py"; }
agent_sample() { agent_metrics | jq -r --arg n "$1" "select(.name == \$n and (${2:-true})) | .value" | head -n 1; }
check agent_metrics_parse_as_exposition bash -c 'curl -sf "http://127.0.0.1:$1/metrics" | /usr/bin/python3 "$2/tests/metrics-check.py" >/dev/null' _ "$AGENT_METRICS_PORT" "$TOP"
check agent_metrics_content_type bash -c "curl -sf -o /dev/null -w '%{content_type}' 'http://127.0.0.1:$AGENT_METRICS_PORT/metrics' | grep -q '^text/plain; version=0.0.4'"
described_running=$(awsx ecs describe-tasks --cluster default --tasks "$arn" | jq '[.tasks[] | select(.lastStatus == "RUNNING")] | length')
check agent_running_tasks_match_describe_tasks test "$(agent_sample tether_tasks '.labels.status == "RUNNING"')" = "$described_running"
check agent_container_cpu_of_the_task above "$(agent_sample tether_container_cpu_usage_usec_total "$task_container")" 0
check agent_health_ok_gauge test "$(agent_sample tether_node_health_ok)" = 1
check agent_memory_total_reported test "$(agent_sample tether_node_memory_total_bytes)" -gt 0
check agent_metrics_not_on_other_paths test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AGENT_METRICS_PORT/v1/health")" = 404
check local_api_health_has_the_verdict bash -c "curl -sf --unix-socket '$NODE/api.sock' http://localhost/v1/health |
	jq -e '.node.status == \"OK\" and (.node.checks | length) == 3'"

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

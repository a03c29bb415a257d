#!/bin/bash
# tether-hub's operator API with the real aws CLI, the registration endpoint with curl, and the
# refusals: malformed JSON, unknown actions, bad task definitions, bad activations. After every
# refusal the hub must still answer.
source "$(dirname "$0")/../lib.sh"

start_hub || { fail hub_starts "see hub.log"; exit 1; }

hub_serves() { awsx ecs list-clusters | jq -e '.clusterArns | length >= 1' >/dev/null; }
# refused NAME EXPECTED_TYPE COMMAND...: the command fails with the error type in its output.
refused() {
	local name=$1 want=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$name" "succeeded: $out"
	elif ! grep -q "$want" <<<"$out"; then
		fail "$name" "wanted $want, got: $(tr '\n' ' ' <<<"$out")"
	elif ! hub_serves; then
		fail "$name" "hub stopped serving"
	else
		pass "$name"
	fi
}
target() { curl -s -XPOST -H "X-Amz-Target: $1" -H 'Content-Type: application/x-amz-json-1.1' \
	--data-binary "$2" "$HUB_URL/"; }
ECS=AmazonEC2ContainerServiceV20141113

# --- SSM activations
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
check activation_id_is_uuid grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' <<<"$ACT_ID"
check activation_code_is_long test "${#ACT_CODE}" -ge 20
check code_stored_only_as_hash bash -c "! sqlite3 '$WORK/hub.db' 'SELECT * FROM activations' | grep -q '$ACT_CODE'"
refused activation_in_the_past_refused InvalidParameters \
	awsx ssm create-activation --iam-role r --expiration-date 2001-01-01T00:00:00Z
check activation_needs_role grep -q InvalidParameters <<<"$(target AmazonSSM.CreateActivation '{}')"

# --- registration
register() { register_request "$@"; }
check wrong_code_is_invalid_activation bash -c '[ "$1" = 403 ] && grep -q InvalidActivation "$2"' _ \
	"$(register "$ACT_ID" wrongcodewrongcodewrong)" "$WORK/reg.json"
check unknown_cluster_refused bash -c '[ "$1" = 404 ] && grep -q ClusterNotFound "$2"' _ \
	"$(register "$ACT_ID" "$ACT_CODE" nosuch)" "$WORK/reg.json"
status=$(register "$ACT_ID" "$ACT_CODE")
check register_succeeds test "$status" = 200
NODE_ID=$(jq -r .node_id "$WORK/reg.json")
check node_id_shape grep -Eq '^mi-[0-9a-f]{17}$' <<<"$NODE_ID"
check connect_url_from_host test "$(jq -r .connect_url "$WORK/reg.json")" = "ws://127.0.0.1:$HUB_PORT/v1/connect"
check registration_limit_reached bash -c '[ "$1" = 403 ] && grep -q RegistrationLimitExceeded "$2"' _ \
	"$(register "$ACT_ID" "$ACT_CODE")" "$WORK/reg.json"
make_activation --registration-limit 5
sqlite3 "$WORK/hub.db" "UPDATE activations SET expires_at = 1 WHERE id = '$ACT_ID'"
check expired_activation_refused bash -c '[ "$1" = 403 ] && grep -q ActivationExpired "$2"' _ \
	"$(register "$ACT_ID" "$ACT_CODE")" "$WORK/reg.json"
check malformed_register_body bash -c '[ "$(curl -s -o /dev/null -w "%{http_code}" -XPOST --data-binary "{x" "$1/v1/register")" = 400 ]' _ "$HUB_URL"
check oversized_register_body bash -c 'head -c 70000 /dev/zero | tr "\0" a | curl -s -o /dev/null -w "%{http_code}" -XPOST --data-binary @- "$1/v1/register" | grep -q 413' _ "$HUB_URL"
check hub_serves_after_registration_errors hub_serves

# --- container instances
ci=$(awsx ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')
check container_instance_listed grep -q ':container-instance/default/' <<<"$ci"
d=$(awsx ecs describe-container-instances --cluster default --container-instances "$ci" nosuch)
check instance_has_node_id test "$(jq -r '.containerInstances[0].ec2InstanceId' <<<"$d")" = "$NODE_ID"
check instance_not_connected test "$(jq -r '.containerInstances[0].agentConnected' <<<"$d")" = false
check instance_cpu test "$(jq '.containerInstances[0].registeredResources[] | select(.name=="CPU") | .integerValue' <<<"$d")" = 2048
check instance_attributes jq -e '.containerInstances[0].attributes[] | select(.name=="ecs.os-type" and .value=="linux")' <<<"$d"
check unknown_instance_missing test "$(jq -r '.failures[0].reason' <<<"$d")" = MISSING

# --- clusters
check create_cluster test "$(awsx ecs create-cluster --cluster-name prod | jq -r .cluster.clusterArn)" = "arn:aws:ecs:local:000000000000:cluster/prod"
check describe_clusters test "$(awsx ecs describe-clusters --clusters prod | jq -r '.clusters[0].status')" = ACTIVE
refused unknown_cluster ClusterNotFoundException awsx ecs list-tasks --cluster nosuch

# --- task definitions
td='{"family": "web", "requiresCompatibilities": ["EXTERNAL"], "tags": [{"key": "a", "value": "b"}],
     "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 64, "cpu": 64}]}'
check register_revision_1 test "$(awsx ecs register-task-definition --cli-input-json "$td" | jq -r .taskDefinition.revision)" = 1
r2=$(awsx ecs register-task-definition --cli-input-json "$td")
check register_revision_2 test "$(jq -r .taskDefinition.taskDefinitionArn <<<"$r2")" = "arn:aws:ecs:local:000000000000:task-definition/web:2"
check register_compatibilities jq -e '.taskDefinition.compatibilities == ["EXTERNAL","EC2"] and .taskDefinition.status == "ACTIVE"' <<<"$r2"
check describe_task_definition test "$(awsx ecs describe-task-definition --task-definition web:1 | jq -r .taskDefinition.revision)" = 1
refused unknown_taskdef_field ClientException awsx ecs register-task-definition --cli-input-json \
	'{"family": "x", "containerDefinitions": [{"name": "a", "image": "busybox", "links": ["b"]}]}'
refused taskdef_missing_image ClientException awsx ecs register-task-definition --family x \
	--container-definitions '[{"name": "a"}]'
many=$(awsx ecs register-task-definition --cli-input-json '{"family": "x", "placementConstraints": [],
	"containerDefinitions": [{"name": "a", "image": "busybox", "links": ["b"], "portMappings": []},
	                         {"name": "b", "image": "busybox", "privileged": true}]}' 2>&1 || true)
check unsupported_fields_named_together grep -qF "unsupported fields: containerDefinitions[0].links, containerDefinitions[1].privileged" <<<"$many"
check empty_forms_register test "$(awsx ecs register-task-definition --cli-input-json '{"family": "empty-forms",
	"placementConstraints": [], "containerDefinitions": [{"name": "a", "image": "busybox", "portMappings": [],
	"privileged": false}]}' | jq -r .taskDefinition.family)" = empty-forms

# --- tasks (the node is registered but not connected: nothing can be placed)
run=$(awsx ecs run-task --cluster default --task-definition web --launch-type EXTERNAL --count 2)
check run_task_without_connected_agent_fails test "$(jq -r '.failures[0].reason' <<<"$run")" = AGENT
check run_task_failures_per_count test "$(jq '.failures | length' <<<"$run")" = 2
sqlite3 "$WORK/hub.db" "UPDATE nodes SET connected = 1"  # as if its agent were connected
run=$(awsx ecs run-task --cluster default --task-definition web:2 --launch-type EXTERNAL --count 3)
check run_task_places_tasks test "$(jq '.tasks | length' <<<"$run")" = 3
check run_task_provisioning jq -e '.tasks[0].lastStatus == "PROVISIONING" and .tasks[0].desiredStatus == "RUNNING"' <<<"$run"
check assignments_queued test "$(sqlite3 "$WORK/hub.db" "SELECT count(*) FROM outbox WHERE kind = 'assign'")" = 3
awsx ecs run-task --cluster default --task-definition web --launch-type EXTERNAL --count 10 >/dev/null
over=$(awsx ecs run-task --cluster default --task-definition web --launch-type EXTERNAL --count 10)
check memory_runs_out test "$(jq -r '[.failures[].reason] | unique | join(",")' <<<"$over")" = RESOURCE:MEMORY
check memory_filled_exactly test "$(jq '.tasks | length' <<<"$over")" = 3
refused launch_type_ec2_refused InvalidParameterException awsx ecs run-task --task-definition web --launch-type EC2
refused unknown_taskdef_in_run ClientException awsx ecs run-task --task-definition nosuch
# Options the hub does not implement are refused by name, all in one answer, and nothing runs.
before=$(sqlite3 "$WORK/hub.db" "SELECT count(*) FROM tasks")
unimpl=$(awsx ecs run-task --task-definition web --enable-execute-command --capacity-provider-strategy capacityProvider=x 2>&1 || true)
check unimplemented_options_named_together grep -q 'RunTask: tether does not implement the parameters .*capacityProviderStrategy.*enableExecuteCommand\|RunTask: tether does not implement the parameters .*enableExecuteCommand.*capacityProviderStrategy' <<<"$unimpl"
check unimplemented_options_run_nothing test "$(sqlite3 "$WORK/hub.db" "SELECT count(*) FROM tasks")" = "$before"
check default_valued_option_is_absent jq -e '(.tasks | length) + (.failures | length) == 1' <<<"$(awsx ecs run-task --task-definition web --disable-execute-command)"
arn=$(jq -r '.tasks[0].taskArn' <<<"$run")
d=$(awsx ecs describe-tasks --cluster default --tasks "$arn" nosuch)
check describe_task jq -e '.tasks[0].launchType == "EXTERNAL" and .tasks[0].containers[0].name == "app" and .tasks[0].memory == "64"' <<<"$d"
check describe_unknown_missing test "$(jq -r '.failures[0].reason' <<<"$d")" = MISSING
check list_tasks_running test "$(awsx ecs list-tasks --cluster default | jq '.taskArns | length')" = 16
check list_tasks_by_instance test "$(awsx ecs list-tasks --cluster default --container-instance "$ci" | jq '.taskArns | length')" = 16
check list_tasks_by_family test "$(awsx ecs list-tasks --cluster default --family other | jq '.taskArns | length')" = 0
stopped=$(awsx ecs stop-task --cluster default --task "$arn" --reason "no longer needed")
check undelivered_task_stops_at_once jq -e '.task.lastStatus == "STOPPED" and .task.desiredStatus == "STOPPED" and .task.stoppedReason == "no longer needed"' <<<"$stopped"
check stopped_listed test "$(awsx ecs list-tasks --cluster default --desired-status STOPPED | jq -r '.taskArns[0]')" = "$arn"
check stop_frees_memory test "$(awsx ecs describe-container-instances --cluster default --container-instances "$ci" | jq '.containerInstances[0].remainingResources[] | select(.name=="MEMORY") | .integerValue')" = 64
sb=$(awsx ecs run-task --task-definition web:2 --started-by nightly-job --group batch:reports)
sb_arn=$(jq -r '.tasks[0].taskArn // empty' <<<"$sb")
check run_task_started_by_and_group jq -e '.tasks[0].startedBy == "nightly-job" and .tasks[0].group == "batch:reports"' <<<"$sb"
check default_group_is_family test "$(jq -r '.tasks[0].group' <<<"$d")" = family:web
check list_tasks_by_started_by test "$(awsx ecs list-tasks --started-by nightly-job | jq -c .taskArns)" = "[\"$sb_arn\"]"
check list_tasks_other_started_by_empty test "$(awsx ecs list-tasks --started-by someone-else | jq '.taskArns | length')" = 0
sqlite3 "$WORK/hub.db" "UPDATE nodes SET memory = memory + 128"  # room for two more tasks
first=$(target $ECS.RunTask '{"taskDefinition": "web:2", "clientToken": "retry-1"}')
again=$(target $ECS.RunTask '{"taskDefinition": "web:2", "clientToken": "retry-1"}')
check client_token_first_runs jq -e ".tasks | length == 1" <<<"$first"
check client_token_retry_same_task test "$(jq -r '.tasks[0].taskArn' <<<"$again")" = "$(jq -r '.tasks[0].taskArn' <<<"$first")"
check client_token_retry_runs_once test "$(sqlite3 "$WORK/hub.db" "SELECT count(*) FROM tasks WHERE client_token = 'retry-1'")" = 1
refused started_by_charset InvalidParameterException awsx ecs run-task --task-definition web --started-by "a b"

# --- protocol errors
check malformed_json_is_serialization_exception bash -c '[[ $(curl -s -w " %{http_code}" -XPOST -H "X-Amz-Target: '$ECS'.ListTasks" --data-binary "{bad" "$1/") == *SerializationException*" 400" ]]' _ "$HUB_URL"
check unknown_action bash -c '[[ $(curl -s -w " %{http_code}" -XPOST -H "X-Amz-Target: '$ECS'.DeleteEverything" --data-binary "{}" "$1/") == *UnknownOperationException*" 400" ]]' _ "$HUB_URL"
check unknown_service_prefix grep -q UnknownOperationException <<<"$(target Foo.ListTasks '{}')"
check websocket_other_path_refused bash -c '! curl -s -m 3 -i -H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" -H "Sec-WebSocket-Protocol: tether.v1" "$1/other" | grep -q "^HTTP/1.1 101"' _ "$HUB_URL"
check websocket_challenge bash -c 'curl -s -m 2 -i --output - -H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" -H "Sec-WebSocket-Protocol: tether.v1" "$1/v1/connect" | grep -a -q "\"type\":\"challenge\""' _ "$HUB_URL"
# ws_close_code KIND PAYLOAD: opens /v1/connect, reads the challenge, sends PAYLOAD framed as
# KIND (tests/hostile/link_client.py) and prints the close code the hub answers with.
ws_close_code() {
	/usr/bin/python3 "$TOP/tests/hostile/link_client.py" --port "$HUB_PORT" "$1" "$2" |
		awk '$1 == "close" { print $2 }'
}
check ws_frame_before_hello_closes_4003 test "$(ws_close_code text '{"type":"heartbeat"}')" = 4003
check ws_unsigned_hello_closes_4003 test "$(ws_close_code text '{"type":"hello","node_id":"'"$NODE_ID"'","protocol":"1.0","signature":"AAAA"}')" = 4003
check ws_other_major_closes_4001 test "$(ws_close_code text '{"type":"hello","node_id":"'"$NODE_ID"'","protocol":"2.0","signature":"AAAA"}')" = 4001
check ws_oversized_frame_closes_1009 test "$(ws_close_code size 300000)" = 1009
check hub_serves_after_errors hub_serves

# --- state survives a restart; SIGTERM ends the hub cleanly
stop_pid "$HUB_PID"
check clean_exit_logged grep -q stopped "$WORK/hub.log"
check no_sanitizer_reports bash -c "! grep -q 'ERROR: AddressSanitizer\|LeakSanitizer\|runtime error' '$WORK/hub.log'"
start_hub || { fail hub_restarts "see hub.log"; exit 1; }
check tasks_survive_restart test "$(awsx ecs list-tasks --cluster default --desired-status STOPPED | jq -r '.taskArns[0]')" = "$arn"
check restart_marks_disconnected test "$(awsx ecs describe-container-instances --cluster default --container-instances "$ci" | jq -r '.containerInstances[0].agentConnected')" = false
check revisions_continue test "$(awsx ecs register-task-definition --cli-input-json "$td" | jq -r .taskDefinition.revision)" = 3

# --- the bounds ECS puts on lists, with the real CLI (--page-size is its maxResults)
refused page_size_0_refused "maxResults must be between 1 and 100" awsx ecs list-tasks --page-size 0
refused page_size_101_refused "maxResults must be between 1 and 100" awsx ecs list-clusters --page-size 101
# Pages: the CLI follows nextToken (--page-size is maxResults); --max-items stops early and
# hands out its own token, which --starting-token resumes from.
all=$(awsx ecs list-tasks --cluster default | jq -c .taskArns)
check pages_hold_every_task test "$(awsx ecs list-tasks --cluster default --page-size 3 | jq -c .taskArns)" = "$all"
check one_page_has_next_token jq -e '.taskArns | length == 3' <<<"$(target $ECS.ListTasks '{"maxResults": 3}')"
check next_token_given jq -e '.nextToken | length > 0' <<<"$(target $ECS.ListTasks '{"maxResults": 3}')"
p1=$(awsx ecs list-tasks --cluster default --max-items 5 --page-size 2)
p2=$(awsx ecs list-tasks --cluster default --max-items 100 --page-size 2 --starting-token "$(jq -r .NextToken <<<"$p1")")
check max_items_then_resume test "$(jq -c -n --argjson a "$p1" --argjson b "$p2" '$a.taskArns + $b.taskArns')" = "$all"
check last_page_has_no_token jq -e 'has("nextToken") | not' <<<"$(target $ECS.ListTasks '{"maxResults": 100}')"
check bad_token_refused grep -q "nextToken is not one this hub gave" <<<"$(target $ECS.ListTasks '{"nextToken": "x"}')"
check cluster_pages test "$(awsx ecs list-clusters --page-size 1 | jq '.clusterArns | length')" = "$(sqlite3 "$WORK/hub.db" "SELECT count(*) FROM clusters")"
check page_size_100_taken awsx ecs list-container-instances --cluster default --page-size 100
refused describe_101_clusters_refused "clusters can have at most 100 items" \
	awsx ecs describe-clusters --clusters $(seq -f 'c%g' 101)
refused describe_101_tasks_refused "tasks can have at most 100 items" \
	awsx ecs describe-tasks --cluster default --tasks $(seq -f 't%g' 101)
refused describe_101_instances_refused "instanceIds can have at most 100 items" \
	awsx ecs describe-container-instances --cluster default --container-instances $(seq -f 'i%g' 101)

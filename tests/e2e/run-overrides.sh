#!/bin/bash
# run-task --overrides, the task fields describe-tasks shows, and a task definition exported
# from the ECS console, with the real aws CLI against tether-hub and a real agent running real
# containers on this host.
source "$(dirname "$0")/../lib.sh"

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image "scripts/make-busybox-image.sh failed"; exit 1; }
join_node "$WORK/node" || { fail join_node "activation or registration failed"; exit 1; }
check agent_connects wait_until 20 instance_connected

run_with() { # FAMILY OVERRIDES-JSON: prints the task's ARN
	awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition "$1" \
		--overrides "$2" | jq -r '.tasks[0].taskArn'
}
# The instance's ARN and the figures before a task are read with curl (json_api_call), what
# the checks compare with the aws CLI: each CLI call costs about a second of CPU.
instance_arn() { json_api_call ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]'; }
instance_remaining() { # CPU|MEMORY
	awsx ecs describe-container-instances --cluster default --container-instances "$(instance_arn)" |
		jq -r ".containerInstances[0].remainingResources[] | select(.name == \"$1\") | .integerValue"
}
instance_registered() { # CPU|MEMORY
	json_api_call ecs describe-container-instances --cluster default --container-instances "$(instance_arn)" |
		jq -r ".containerInstances[0].registeredResources[] | select(.name == \"$1\") | .integerValue"
}
task_count() { json_api_call ecs list-tasks --cluster default | jq '.taskArns | length'; }

# --- the container runs the overridden command with the overridden environment
mkdir -p "$WORK/out"
register_td report '["sh", "-c", "echo original > /out/result"]' \
	'"environment": [{"name": "GREETING", "value": "hello"}, {"name": "KEEP", "value": "kept"}],
	 "cpu": 128, "memory": 64, "mountPoints": [{"sourceVolume": "out", "containerPath": "/out"}]' \
	"\"volumes\": [{\"name\": \"out\", \"host\": {\"sourcePath\": \"$WORK/out\"}}]" >/dev/null
overrides='{"containerOverrides": [{"name": "main",
  "command": ["sh", "-c", "echo \"$GREETING $KEEP $ADDED\" > /out/result"],
  "environment": [{"name": "GREETING", "value": "overridden"}, {"name": "ADDED", "value": "added"}],
  "memory": 96}]}'
arn=$(run_with report "$overrides")
check overridden_task_runs_and_stops wait_until 30 task_is "$arn" STOPPED
check container_ran_the_overridden_command_and_environment \
	test "$(cat "$WORK/out/result" 2>&1)" = "overridden kept added"
check overridden_container_exit_code_0 test "$(task_field "$arn" '.containers[0].exitCode')" = 0
task=$(awsx ecs describe-tasks --cluster default --tasks "$arn" | jq -c '.tasks[0]')
check describe_shows_the_overrides test "$(jq -c '.overrides.containerOverrides[0] | [.name, .command[2], .memory]' <<<"$task")" \
	= '["main","echo \"$GREETING $KEEP $ADDED\" > /out/result",96]'
check describe_shows_container_cpu_and_memory_as_run \
	test "$(jq -c '.containers[0] | [.cpu, .memory]' <<<"$task")" = '["128","96"]'
check task_memory_follows_the_override test "$(jq -r .memory <<<"$task")" = 96
check describe_shows_runtime_id test "$(jq -r '.containers[0].runtimeId' <<<"$task")" = "${arn##*/}-main"
check describe_shows_execution_stopped_at jq -e '.executionStoppedAt > 0 and .executionStoppedAt == .stoppedAt' <<<"$task"
check describe_shows_connectivity jq -e '.connectivity == "CONNECTED" and .connectivityAt > 0' <<<"$task"

# Without overrides: the definition as registered, and each container named in overrides.
arn=$(run_task report)
check plain_task_stops wait_until 30 task_is "$arn" STOPPED
check plain_task_runs_the_definition test "$(cat "$WORK/out/result" 2>&1)" = original
check plain_task_overrides_name_each_container test "$(task_field "$arn" '.overrides.containerOverrides | map(.name) | join(",")')" = main

# --- what placement reserves follows the task-level overrides
register_td sleeper '["sh", "-c", "trap \"exit 0\" TERM; sleep 100000 & wait"]' '"memory": 64' >/dev/null
cpu0=$(instance_registered CPU) mem0=$(instance_registered MEMORY)
arn=$(run_with sleeper '{"cpu": "256", "memory": "300"}')
check sleeper_with_overrides_runs wait_until 30 task_is "$arn" RUNNING
check task_cpu_and_memory_as_overridden test "$(task_field "$arn" ' | [.cpu, .memory] | join(" ")')" = "256 300"
check reserved_memory_is_the_override test "$(instance_remaining MEMORY)" = $((mem0 - 300))
check reserved_cpu_is_the_override test "$(instance_remaining CPU)" = $((cpu0 - 256))
awsx ecs stop-task --cluster default --task "$arn" >/dev/null
check sleeper_stops wait_until 20 task_is "$arn" STOPPED

# --- overrides tether does not implement: one answer naming each, and nothing started
before=$(task_count)
out=$(awsx ecs run-task --cluster default --task-definition report --overrides \
	'{"taskRoleArn": "arn:aws:iam::123456789012:role/r", "inferenceAcceleratorOverrides": [],
	  "containerOverrides": [{"name": "main", "environmentFiles": [{"value": "arn:aws:s3:::b/app.env", "type": "s3"}]},
	                         {"name": "nosuch", "command": ["true"]}]}' 2>&1)
check unimplemented_overrides_refused grep -q InvalidParameterException <<<"$out"
check refusal_names_every_override bash -c 'grep -q "overrides.taskRoleArn, overrides.containerOverrides\[0\].environmentFiles, overrides.containerOverrides\[1\].name (no container \"nosuch\"" <<<"$1"' _ "$out"
check refused_overrides_start_nothing test "$(task_count)" = "$before"
out=$(awsx ecs run-task --cluster default --task-definition report --overrides \
	'{"containerOverrides": [{"name": "main", "memory": 1}]}' 2>&1)
check invalid_override_value_named grep -q "overrides: the task definition with them is not valid: containerDefinitions\[0\].memory" <<<"$out"

# --- a definition exported from the ECS console
sed "s|@IMAGE@|oci:$WORK/image:latest|" "$(dirname "$0")/console-task-definition.json" >"$WORK/exported.json"
out=$(awsx ecs register-task-definition --cli-input-json "file://$WORK/exported.json" 2>&1)
check cli_itself_refuses_describe_only_members grep -q 'Unknown parameter in input: "taskDefinitionArn"' <<<"$out"
jq 'del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
        .registeredAt, .registeredBy)' "$WORK/exported.json" >"$WORK/input.json"
out=$(awsx ecs register-task-definition --cli-input-json "file://$WORK/input.json" 2>&1)
check exported_definition_refused_in_one_answer grep -q ClientException <<<"$out"
check one_answer_names_every_unsupported_field grep -qF "unsupported fields: taskRoleArn, executionRoleArn, runtimePlatform, containerDefinitions[0].portMappings, containerDefinitions[0].dockerLabels, containerDefinitions[1].privileged" <<<"$out"
jq 'del(.taskRoleArn, .executionRoleArn, .runtimePlatform, .containerDefinitions[0].portMappings,
        .containerDefinitions[0].dockerLabels, .containerDefinitions[1].privileged)' \
	"$WORK/input.json" >"$WORK/supported.json"
out=$(awsx ecs register-task-definition --cli-input-json "file://$WORK/supported.json" 2>&1)
check exported_definition_registers_without_them test "$(jq -r .taskDefinition.family <<<"$out" 2>/dev/null)" = web-app
stored=$(awsx ecs describe-task-definition --task-definition web-app)
check empty_fields_taken_as_absent jq -e '.taskDefinition |
	(.containerDefinitions[1] | has("portMappings") or has("interactive") or has("links")) | not' <<<"$stored"
check exported_fields_kept jq -e '.taskDefinition.containerDefinitions[0].environment | length == 2' <<<"$stored"
# The agent runs what was stored (commands overridden so the task ends by itself).
arn=$(run_with web-app '{"containerOverrides": [{"name": "web", "command": ["true"]},
	{"name": "cache", "command": ["true"]}]}')
check exported_definition_runs wait_until 30 task_is "$arn" STOPPED
check exported_definition_exit_0 test "$(task_field "$arn" '.containers[0].exitCode')" = 0

# --- a node whose link is down shows its tasks DISCONNECTED
arn=$(run_task sleeper)
check sleeper_runs wait_until 30 task_is "$arn" RUNNING
at=$(task_field "$arn" .connectivityAt)
stop_pid "$AGENT_PID" KILL
kill_task_cgroups "$WORK/node"
disconnected() { [ "$(json_api_call ecs describe-tasks --cluster default --tasks "$arn" | jq -r '.tasks[0].connectivity')" = DISCONNECTED ]; }
check task_disconnected_with_its_node wait_until 20 disconnected
check connectivity_at_moves test "$(task_field "$arn" .connectivityAt)" != "$at"

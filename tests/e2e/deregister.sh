#!/bin/bash
# Leaving the fleet: `tether deregister` on a node with a running task and a running agent
# stops the task and the agent, has the hub list the instance INACTIVE, removes the identity
# (a copy of it can no longer connect) and is harmless when run again. The operator's
# DeregisterContainerInstance refuses an instance with tasks unless forced, and forced orphans
# them as ECS does; unknown and inactive instances are refused. A node whose hub cannot be
# reached still leaves, and says how the operator finishes.
source "$(dirname "$0")/../lib.sh"

# The forced deregistration leaves a container running, orphaned.
trap 'kill_task_cgroups "$WORK"/node-*; on_exit' EXIT

port_in_range() { # a free loopback port among 33000-33999
	local p
	while :; do
		p=$((33000 + RANDOM % 1000))
		ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}
HUB_PORT=$(port_in_range) start_hub --heartbeat-seconds 2 || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
awsx ecs register-task-definition --cli-input-json "$(cat <<JSON
{"family": "sleeper", "requiresCompatibilities": ["EXTERNAL"],
 "containerDefinitions": [{"name": "main", "image": "oci:$WORK/image:latest", "essential": true,
   "stopTimeout": 5, "command": ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]}]}
JSON
)" >/dev/null || { fail register_task_definition; exit 1; }

not() { ! "$@"; }
arn_of() { jq -r .container_instance_arn "$1/identity.json"; }
instance() { # ARN -> its description as the operator sees it
	json_api_call ecs describe-container-instances --cluster default --container-instances "$1" |
		jq -c '.containerInstances[0]'
}
connected() { [ "$(instance "$1" | jq -r .agentConnected)" = true ]; }
status_of() { instance "$1" | jq -r .status; }
listed() { json_api_call ecs list-container-instances --cluster default | jq -e --arg a "$1" '.containerInstanceArns | index($a) != null' >/dev/null; }
run_sleeper() { awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition sleeper | jq -r '.tasks[0].taskArn // empty'; }
container_pid() { cat "$1/tasks/${2##*/}/main/pid" 2>/dev/null; }

# --- The node leaves by itself, its agent running and a task on it. ---
A=$WORK/node-a
join_node "$A" || { fail join_a; exit 1; }
A_ARN=$(arn_of "$A")
check a_connects wait_until 30 connected "$A_ARN"
TASK_A=$(run_sleeper)
check a_task_placed test -n "$TASK_A"
task_is() { [ "$(task_status "$2")" = "$1" ]; }
check a_task_running wait_until 60 task_is RUNNING "$TASK_A"
PID_A=$(container_pid "$A" "$TASK_A")
check a_container_alive kill -0 "$PID_A"
cp "$A/identity.json" "$A/node.key" "$WORK/"

out=$("$BIN/tether" deregister --state-dir "$A" 2>&1)
rc=$?
echo "$out" >>"$WORK/deregister.log"
check deregister_succeeds test "$rc" = 0
check deregister_says_deregistered grep -q "^Deregistered $A_ARN" <<<"$out"
check deregister_stops_the_agent wait_until 10 bash -c "! kill -0 $AGENT_PID 2>/dev/null"
check deregister_stops_the_container wait_until 10 bash -c "! kill -0 $PID_A 2>/dev/null"
check hub_shows_inactive test "$(awsx ecs describe-container-instances --cluster default \
	--container-instances "$A_ARN" | jq -r '.containerInstances[0].status')" = INACTIVE
check inactive_not_listed not listed "$A_ARN"
check hub_shows_task_stopped test "$(task_status "$TASK_A")" = STOPPED
# The node's own account of the stop reached the hub before it left (not an orphan's).
task_a=$(awsx ecs describe-tasks --cluster default --tasks "$TASK_A" | jq -c '.tasks[0]')
check hub_has_the_nodes_stop_reason test "$(jq -r .stoppedReason <<<"$task_a")" = "Node deregistered"
check hub_has_the_exit_code_of_sigterm test "$(jq -r '.containers[0].exitCode' <<<"$task_a")" = 0
check identity_removed test ! -e "$A/identity.json" -a ! -e "$A/identity.leaving.json" -a ! -e "$A/node.key"
out=$("$BIN/tether" deregister --state-dir "$A" 2>&1)
check second_run_exits_0 test $? = 0
check second_run_says_nothing_to_do grep -q "Nothing to deregister" <<<"$out"

# A copy of the identity can no longer connect.
mkdir -p "$WORK/node-a-copy" && cp "$WORK/identity.json" "$WORK/node.key" "$WORK/node-a-copy/"
mark=$(wc -l <"$WORK/agent.log")
start_agent "$WORK/node-a-copy"
COPY_PID=$AGENT_PID
refused() { tail -n +"$((mark + 1))" "$WORK/agent.log" | grep -q "node deregistered by the hub (4004): node deregistered"; }
check copied_identity_refused_4004 wait_until 20 refused
check copied_identity_not_connected not connected "$A_ARN"
stop_pid "$COPY_PID"

# --- The operator deregisters a node with a running task. ---
B=$WORK/node-b
join_node "$B" || { fail join_b; exit 1; }
B_AGENT=$AGENT_PID
B_ARN=$(arn_of "$B")
check b_connects wait_until 30 connected "$B_ARN"
TASK_B=$(run_sleeper)
check b_task_running wait_until 60 task_is RUNNING "$TASK_B"
PID_B=$(container_pid "$B" "$TASK_B")
out=$(awsx ecs deregister-container-instance --cluster default --container-instance "$B_ARN" 2>&1)
check no_force_refused_with_tasks test $? != 0
check no_force_refusal_says_why grep -q "InvalidParameterException.*not yet STOPPED.*force" <<<"$out"
check no_force_keeps_instance_active test "$(status_of "$B_ARN")" = ACTIVE
check no_force_keeps_task_running test "$(task_status "$TASK_B")" = RUNNING
out=$(awsx ecs deregister-container-instance --cluster default --container-instance "$B_ARN" --no-force 2>&1)
check explicit_no_force_refused_too grep -q "not yet STOPPED" <<<"$out"

mark=$(wc -l <"$WORK/agent.log")
out=$(awsx ecs deregister-container-instance --cluster default --container-instance "${B_ARN##*/}" --force)
check force_answers_inactive test "$(jq -r .containerInstance.status <<<"$out")" = INACTIVE
check force_answers_the_instance test "$(jq -r .containerInstance.containerInstanceArn <<<"$out")" = "$B_ARN"
check force_orphans_task_for_the_hub test "$(task_status "$TASK_B")" = STOPPED
check force_leaves_container_running kill -0 "$PID_B"
b_closed() { tail -n +"$((mark + 1))" "$WORK/agent.log" | grep -q "node deregistered by the hub (4004)"; }
check force_closes_the_agent_link wait_until 10 b_closed
check force_agent_disconnected wait_until 10 not connected "$B_ARN"
out=$(awsx ecs deregister-container-instance --cluster default --container-instance "$B_ARN" --force 2>&1)
check inactive_instance_refused grep -q "ClientException.*is inactive" <<<"$out"
out=$(awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition sleeper)
check nothing_placed_on_inactive test "$(jq '.tasks | length' <<<"$out")" = 0
# The node finishes its part: the hub already has it INACTIVE (its hello is refused with 4004,
# which confirms as well), the orphaned container is stopped, the identity removed.
out=$("$BIN/tether" deregister --state-dir "$B" 2>&1)
rc=$?
echo "$out" >>"$WORK/deregister.log"
check node_after_operator_succeeds test "$rc" = 0
check node_after_operator_stops_orphan wait_until 10 bash -c "! kill -0 $PID_B 2>/dev/null"
check node_after_operator_agent_gone bash -c "! kill -0 $B_AGENT 2>/dev/null"
check node_after_operator_identity_removed test ! -e "$B/identity.json" -a ! -e "$B/node.key"

out=$(awsx ecs deregister-container-instance --cluster default \
	--container-instance 0123456789abcdef0123456789abcdef 2>&1)
check unknown_instance_refused grep -q "InvalidParameterException.*container instance was not found" <<<"$out"
out=$(awsx ecs list-container-instances --cluster default --status INACTIVE 2>&1)
check list_status_inactive_refused grep -q "status must be one of ACTIVE" <<<"$out"
# Both instances are INACTIVE now: the filter, which works, finds none of them.
out=$(awsx ecs list-container-instances --cluster default --filter "attribute:ecs.os-type == linux" 2>&1)
check list_filter_lists_no_inactive test "$(jq -c .containerInstanceArns <<<"$out")" = "[]"
out=$(awsx ecs list-container-instances --cluster default --filter "attribute:ecs.os-type ==" 2>&1)
check list_filter_error_names_position grep -q "filter: position 25: expected a value" <<<"$out"

# --- The hub cannot be reached: the node leaves all the same and says how to finish. ---
C=$WORK/node-c
join_node "$C" || { fail join_c; exit 1; }
C_ARN=$(arn_of "$C")
check c_connects wait_until 30 connected "$C_ARN"
stop_pid "$HUB_PID"
out=$("$BIN/tether" deregister --state-dir "$C" 2>&1)
rc=$?
echo "$out" >>"$WORK/deregister.log"
check unreachable_hub_exit_nonzero test "$rc" != 0
check unreachable_hub_says_not_told grep -q "the hub was NOT told" <<<"$out"
check unreachable_hub_says_how_to_finish grep -q "aws ecs deregister-container-instance --cluster default --container-instance $C_ARN --force" <<<"$out"
check unreachable_hub_identity_removed test ! -e "$C/identity.json" -a ! -e "$C/node.key"
check unreachable_hub_agent_stopped bash -c "! kill -0 $AGENT_PID 2>/dev/null"

# --- An identity whose key is gone is a damaged registration, not none: refused, kept. ---
D=$WORK/node-d
mkdir -p "$D"
printf '{"node_id": "n", "container_instance_arn": "%s", "cluster": "default", "hub_url": "https://127.0.0.1:1", "connect_url": "wss://127.0.0.1:1"}\n' \
	"arn:aws:ecs:local:000000000000:container-instance/default/0123" >"$D/identity.json"
out=$("$BIN/tether" deregister --state-dir "$D" 2>&1)
rc=$?
echo "$out" >>"$WORK/deregister.log"
check keyless_identity_exit_nonzero test "$rc" != 0
check keyless_identity_names_the_key grep -q "node.key is missing" <<<"$out"
check keyless_identity_kept test -e "$D/identity.json" -a ! -e "$D/identity.leaving.json"

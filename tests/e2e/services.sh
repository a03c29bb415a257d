#!/bin/bash
# The service scheduler with the real aws CLI and two real agents: a REPLICA service is kept at
# its desired count (a container killed by hand is replaced, `aws ecs wait services-stable`
# returns); a DAEMON service runs one task on every node, a node joining later included; a
# rolling update keeps at least minimumHealthyPercent running; a revision whose container exits
# at once trips the circuit breaker and rolls back; DRAINING a node moves its service tasks and
# leaves standalone ones running; a node disconnected for longer than the grace keeps its task
# running, and when it is back the fleet holds exactly the desired count.
# make check: runs beside the others
source "$(dirname "$0")/../lib.sh"

trap 'kill_task_cgroups "$WORK"/node-*; on_exit' EXIT

GRACE=20
start_hub --heartbeat-seconds 2 --service-disconnect-grace "$GRACE" || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
SLEEP='["sh", "-c", "trap \"exit 0\" TERM; sleep 100000 & wait"]'
register_td web "$SLEEP" '"memory": 16' >/dev/null || { fail register_web; exit 1; }

A=$WORK/node-a B=$WORK/node-b
join_node "$A" || { fail join_a; exit 1; }
A_AGENT=$AGENT_PID
join_node "$B" || { fail join_b; exit 1; }
B_AGENT=$AGENT_PID
A_ARN=$(jq -r .container_instance_arn "$A/identity.json")
B_ARN=$(jq -r .container_instance_arn "$B/identity.json")
connected() {
	json_api_call ecs describe-container-instances --cluster default --container-instances "$1" |
		jq -e '.containerInstances[0].agentConnected' >/dev/null
}
both_connected() { connected "$A_ARN" && connected "$B_ARN"; }
check nodes_connect wait_until 30 both_connected

service() {
	json_api_call ecs describe-services --cli-input-json "{\"cluster\": \"default\", \"services\": [\"$1\"]}" |
		jq -c '.services[0]'
}
svc_field() { service "$1" | jq -r "$2"; }
# The service's tasks desired RUNNING, as ListTasks gives them (by startedBy: its deployments).
service_tasks() {
	json_api_call ecs list-tasks --cluster default --desired-status RUNNING | jq -r '.taskArns[]' |
		while read -r t; do
			json_api_call ecs describe-tasks --cluster default --tasks "$t" |
				jq -r --arg g "service:$1" '.tasks[] | select(.group == $g) |
					[.taskArn, .lastStatus, (.containerInstanceArn | split("/") | last), .startedBy, .taskDefinitionArn] | @tsv'
		done
}
running_count() { svc_field "$1" .runningCount; }
steady() { # NAME COUNT: running = desired = COUNT, one deployment
	service "$1" | jq -e --argjson n "$2" '.runningCount == $n and .desiredCount == $n and
		.pendingCount == 0 and (.deployments | length) == 1' >/dev/null
}
container_pid() { # STATE_DIR TASK_ARN
	cat "$1/tasks/${2##*/}/main/pid" 2>/dev/null
}
node_of_instance() { [ "$1" = "${A_ARN##*/}" ] && echo "$A" || echo "$B"; }

# --- 1. REPLICA: 3 tasks over two nodes, a killed container replaced, services-stable. ---
out=$(awsx ecs create-service --cluster default --service-name web --task-definition web \
	--desired-count 3 --launch-type EXTERNAL)
check create_service_answers test "$(jq -r .service.serviceName <<<"$out")" = web
check create_service_replica test "$(jq -r .service.schedulingStrategy <<<"$out")" = REPLICA
check create_service_defaults_200_100 test "$(jq -c '[.service.deploymentConfiguration.maximumPercent, .service.deploymentConfiguration.minimumHealthyPercent]' <<<"$out")" = "[200,100]"
check replica_reaches_3_running wait_until 90 steady web 3
tasks=$(service_tasks web)
echo "$tasks" >>"$WORK/services.log"
check replica_tasks_group_and_started_by test "$(cut -f4 <<<"$tasks" | grep -cE '^ecs-svc/[0-9]{19}$')" = 3
check replica_spreads_over_both_nodes test "$(cut -f3 <<<"$tasks" | sort -u | wc -l)" = 2
check replica_listed test "$(awsx ecs list-services --cluster default | jq -r '.serviceArns[0]')" = "arn:aws:ecs:local:000000000000:service/default/web"
check steady_state_event test "$(svc_field web '[.events[].message | select(test("has reached a steady state"))] | length')" -ge 1

victim=$(head -n 1 <<<"$tasks")
victim_arn=$(cut -f1 <<<"$victim")
victim_node=$(node_of_instance "$(cut -f3 <<<"$victim")")
pid=$(container_pid "$victim_node" "$victim_arn")
check victim_has_a_pid test -n "$pid"
kill -KILL "$pid"
victim_stopped() { task_is "$victim_arn" STOPPED; }
check killed_task_stops wait_until 30 victim_stopped
replaced() { steady web 3 && ! service_tasks web | grep -q "${victim_arn##*/}"; }
check killed_task_replaced wait_until 60 replaced
check replacement_event test "$(svc_field web '[.events[].message | select(test("^\\(service web\\) has started 1 tasks: \\(task [0-9a-f]{32}\\)\\.$"))] | length')" -ge 1
start=$SECONDS
check wait_services_stable awsx ecs wait services-stable --cluster default --services web
echo "services-stable took $((SECONDS - start)) s" >>"$WORK/services.log"

# --- 2. DAEMON: one task on each node, and on a node registered afterwards. ---
register_td agentd "$SLEEP" '"memory": 8' >/dev/null
out=$(awsx ecs create-service --cluster default --service-name agentd --task-definition agentd \
	--scheduling-strategy DAEMON --launch-type EXTERNAL)
check daemon_create_answers test "$(jq -r .service.schedulingStrategy <<<"$out")" = DAEMON
per_node() { # NAME: "instance count" lines of the service's RUNNING tasks
	service_tasks "$1" | awk -F'\t' '$2 == "RUNNING" { print $3 }' | sort | uniq -c | awk '{print $2, $1}'
}
one_each() { # NAME N: N nodes with exactly one RUNNING task each, and desiredCount N
	local lines
	lines=$(per_node "$1")
	[ "$(wc -l <<<"$lines")" = "$2" ] && ! awk '$2 != 1' <<<"$lines" | grep -q . &&
		[ "$(svc_field "$1" .desiredCount)" = "$2" ]
}
check daemon_one_task_per_node wait_until 90 one_each agentd 2
C=$WORK/node-c
join_node "$C" || fail join_c
C_AGENT=$AGENT_PID
check daemon_task_on_a_node_joining_later wait_until 90 one_each agentd 3
out=$(awsx ecs delete-service --cluster default --service agentd)
check daemon_delete_without_force test "$(jq -r .service.status <<<"$out")" = DRAINING
daemon_gone() { [ "$(svc_field agentd .status)" = INACTIVE ] && [ -z "$(service_tasks agentd)" ]; }
check daemon_deleted_tasks_stopped wait_until 60 daemon_gone
check inactive_service_not_listed test "$(awsx ecs list-services --cluster default | jq -c '[.serviceArns[] | split("/") | last]')" = '["web"]'
# The third node leaves again: the services below run on two.
stop_pid "$C_AGENT"
awsx ecs deregister-container-instance --cluster default --force \
	--container-instance "$(jq -r .container_instance_arn "$C/identity.json")" >/dev/null

# --- 3. A rolling update within 50/200, then a revision that cannot start rolls back. ---
register_td web "$SLEEP" '"memory": 16, "environment": [{"name": "REVISION", "value": "2"}]' >/dev/null
out=$(awsx ecs update-service --cluster default --service web --task-definition web:2 \
	--deployment-configuration 'maximumPercent=200,minimumHealthyPercent=50')
check update_starts_a_deployment test "$(jq -c '[.service.deployments[] | [.status, (.taskDefinition | split(":") | last)]]' <<<"$out")" = '[["PRIMARY","2"],["ACTIVE","1"]]'
check update_answers_percents test "$(jq -c '.service.deploymentConfiguration | [.maximumPercent, .minimumHealthyPercent]' <<<"$out")" = '[200,50]'

lowest=3
on_revision_2() {
	service "$1" | jq -e '.taskDefinition | endswith(":2")' >/dev/null && steady "$1" 3 &&
		[ "$(service_tasks web | awk -F'\t' '$5 !~ /:2$/' | wc -l)" = 0 ]
}
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ]; do
	n=$(service_tasks web | awk -F'\t' '$2 == "RUNNING"' | wc -l)
	[ "$n" -lt "$lowest" ] && lowest=$n
	on_revision_2 web && break
	sleep 0.2
done
echo "lowest running during the roll: $lowest" >>"$WORK/services.log"
check roll_completes on_revision_2 web
check roll_never_below_min_healthy test "$lowest" -ge 2
check roll_completed_event test "$(svc_field web '[.events[].message | select(test("deployment completed"))] | length')" -ge 2

register_td web '["sh", "-c", "exit 1"]' '"memory": 16' >/dev/null
awsx ecs update-service --cluster default --service web --task-definition web:3 \
	--deployment-configuration 'maximumPercent=200,minimumHealthyPercent=50,deploymentCircuitBreaker={enable=true,rollback=true}' >/dev/null
breaker_tripped() { svc_field web '[.events[].message | select(test("deployment failed: tasks failed to start"))] | length' | grep -qx '[1-9][0-9]*'; }
check breaker_trips wait_until 120 breaker_tripped
rolled_back() {
	service web | jq -e '.taskDefinition | endswith(":2")' >/dev/null && steady web 3 &&
		service web | jq -e '[.events[].message | select(test("rolling back to task definition web:2"))] | length > 0' >/dev/null
}
check breaker_rolls_back_to_revision_2 wait_until 120 rolled_back
check rolled_back_tasks_are_revision_2 test "$(service_tasks web | awk -F'\t' '$5 ~ /:2$/ && $2 == "RUNNING"' | wc -l)" = 3

# --- 4. DRAINING moves the service tasks and leaves a standalone task running. ---
standalone=$(run_task web:2)
check standalone_runs wait_until 60 task_is "$standalone" RUNNING
S_INSTANCE=$(task_field "$standalone" .containerInstanceArn)
S_NODE=$(node_of_instance "${S_INSTANCE##*/}")
S_PID=$(container_pid "$S_NODE" "$standalone")
OTHER_ARN=$([ "$S_INSTANCE" = "$A_ARN" ] && echo "$B_ARN" || echo "$A_ARN")
out=$(awsx ecs update-container-instances-state --cluster default --container-instances "$S_INSTANCE" --status DRAINING)
check drain_answers_draining test "$(jq -r '.containerInstances[0].status' <<<"$out")" = DRAINING
all_on_other() {
	steady web 3 && [ "$(service_tasks web | awk -F'\t' -v o="${OTHER_ARN##*/}" '$3 == o && $2 == "RUNNING"' | wc -l)" = 3 ] &&
		[ "$(service_tasks web | wc -l)" = 3 ]
}
check drain_moves_service_tasks wait_until 120 all_on_other
check drain_leaves_standalone_running task_is "$standalone" RUNNING
check drain_standalone_container_alive kill -0 "$S_PID"
check described_draining test "$(awsx ecs describe-container-instances --cluster default --container-instances "$S_INSTANCE" | jq -r '.containerInstances[0].status')" = DRAINING
out=$(awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition web:2 --count 3)
check draining_gets_no_new_task test "$(jq --arg i "$S_INSTANCE" '[.tasks[] | select(.containerInstanceArn == $i)] | length' <<<"$out")" = 0
# Clean-up, with curl (the CLI's stop-task is the standalone task's below).
for t in $(jq -r '.tasks[].taskArn' <<<"$out"); do json_api_call ecs stop-task --cluster default --task "$t" >/dev/null; done
out=$(awsx ecs update-container-instances-state --cluster default --container-instances "$S_INSTANCE" --status ACTIVE)
check back_to_active test "$(jq -r '.containerInstances[0].status' <<<"$out")" = ACTIVE
awsx ecs stop-task --cluster default --task "$standalone" >/dev/null

# --- 7. A node disconnected past the grace: its task runs on, the fleet ends at the count. ---
awsx ecs create-service --cluster default --service-name edge --task-definition web:2 \
	--desired-count 2 --launch-type EXTERNAL >/dev/null
check edge_steady wait_until 90 steady edge 2
E_INSTANCE=$(service_tasks edge | head -n 1 | cut -f3)
E_NODE=$(node_of_instance "$E_INSTANCE")
E_TASK=$(service_tasks edge | head -n 1 | cut -f1)
E_PID=$(container_pid "$E_NODE" "$E_TASK")
E_AGENT=$([ "$E_NODE" = "$A" ] && echo "$A_AGENT" || echo "$B_AGENT")
on_node_before=$(service_tasks edge | awk -F'\t' -v i="$E_INSTANCE" '$3 == i' | wc -l)
stop_pid "$E_AGENT" KILL
E_ARN=$([ "$E_NODE" = "$A" ] && echo "$A_ARN" || echo "$B_ARN")
disconnected() { ! connected "$E_ARN"; }
check edge_node_disconnects wait_until 30 disconnected
sleep 5
check within_grace_no_replacement test "$(service_tasks edge | wc -l)" = 2
check within_grace_task_still_counted test "$(service_tasks edge | awk -F'\t' -v i="$E_INSTANCE" '$3 == i' | wc -l)" = "$on_node_before"
replaced_elsewhere() {
	steady edge 2 && [ "$(service_tasks edge | awk -F'\t' -v i="$E_INSTANCE" '$3 == i' | wc -l)" = 0 ]
}
check past_grace_replaced_elsewhere wait_until 90 replaced_elsewhere
check past_grace_container_still_runs kill -0 "$E_PID"
check replacement_reason_given test "$(task_field "$E_TASK" .stoppedReason | grep -c 'disconnected for more than')" = 1
start_agent "$E_NODE"
check edge_node_reconnects wait_until 30 connected "$E_ARN"
old_container_gone() { ! kill -0 "$E_PID" 2>/dev/null; }
check returning_node_stops_the_old_task wait_until 60 old_container_gone
running_edge_containers() { # how many edge containers live on both nodes
	local n=0 t node
	while IFS=$'\t' read -r t _ i _; do
		node=$(node_of_instance "$i")
		kill -0 "$(container_pid "$node" "$t")" 2>/dev/null && n=$((n + 1))
	done < <(service_tasks edge)
	for t in $(json_api_call ecs list-tasks --cluster default --desired-status STOPPED | jq -r '.taskArns[]'); do
		for node in "$A" "$B"; do
			p=$(container_pid "$node" "$t")
			[ -n "$p" ] && kill -0 "$p" 2>/dev/null && n=$((n + 1))
		done
	done
	echo "$n"
}
check fleet_holds_exactly_desired test "$(running_edge_containers)" = 2
check edge_steady_after_return steady edge 2

# --- Deleting a service with tasks needs --force. ---
out=$(awsx ecs delete-service --cluster default --service edge 2>&1)
check delete_scaled_service_refused grep -q "InvalidParameterException.*scaled above 0" <<<"$out"
out=$(awsx ecs delete-service --cluster default --service edge --force)
check delete_force_draining test "$(jq -r .service.status <<<"$out")" = DRAINING
edge_gone() { [ "$(svc_field edge .status)" = INACTIVE ] && [ -z "$(service_tasks edge)" ]; }
check delete_force_stops_tasks wait_until 60 edge_gone
out=$(awsx ecs create-service --cluster default --service-name web --task-definition web --desired-count 1 2>&1)
check create_existing_refused grep -q "not idempotent" <<<"$out"
out=$(awsx ecs create-service --cluster default --service-name x --task-definition web --desired-count 1 \
	--placement-constraints type=distinctInstance 2>&1)
check unimplemented_member_refused_by_name grep -q "placementConstraints" <<<"$out"

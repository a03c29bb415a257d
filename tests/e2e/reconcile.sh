#!/bin/bash
# The reconciliation after every welcome (docs/protocol.md), with a real hub and agent: a hub
# restored from an older copy of its database (copied while it was stopped) adopts the task it
# does not know instead of stopping it, and marks STOPPED the task it still thinks runs but the
# node had finished; then a task the hub stopped while the node could not hear it (its
# assignment was on the wire when the agent was frozen, and StopTask withdrew it) runs on the
# node, and stops only when the hub confirms it on the next connection.
source "$(dirname "$0")/../lib.sh"

NODE=$WORK/node
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
join_node "$NODE" || { fail register; exit 1; }
check agent_connects wait_until 30 agent_connected

describe() { # arn jq-filter, through the operator API
	json_api_call ecs describe-tasks --cluster default --tasks "$1" | jq -r ".tasks[0]$2"
}
status_is() { [ "$(describe "$1" .lastStatus)" = "$2" ]; }
run_idle() {
	json_api_call ecs run-task --cluster default --launch-type EXTERNAL --task-definition idle |
		jq -r '.tasks[0].taskArn'
}
pid_of() { cat "$NODE/tasks/${1##*/}/main/pid" 2>/dev/null; }
alive() { local p; p=$(pid_of "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
on_node() { "$BIN/tether" status --state-dir "$NODE" --json | jq -e --arg a "$1" 'any(.tasks[]; .task_arn == $a)'; }
not() { ! "$@"; }
copy_db() { # FROM TO: a stopped hub's database, with its write-ahead log when one is left
	rm -f "$2-wal" "$2-shm"
	cp "$1" "$2" && { [ ! -f "$1-wal" ] || cp "$1-wal" "$2-wal"; }
}

OLD=$(run_idle_task "$WORK/image")
check first_task_running wait_until 60 status_is "$OLD" RUNNING

# The copy an operator would restore: taken while the hub is stopped.
stop_pid "$HUB_PID"
copy_db "$WORK/hub.db" "$WORK/backup.db"
start_hub || { fail hub_restarts "see hub.log"; exit 1; }
check agent_reconnects wait_until 30 agent_connected

NEW=$(run_idle)
check second_task_running wait_until 30 status_is "$NEW" RUNNING
NEW_PID=$(pid_of "$NEW")
awsx ecs stop-task --cluster default --task "$OLD" >/dev/null
check first_task_stopped wait_until 30 status_is "$OLD" STOPPED
check node_forgets_first_task wait_until 30 not on_node "$OLD"

mark=$(wc -l <"$WORK/agent.log")
stop_pid "$HUB_PID"
copy_db "$WORK/backup.db" "$WORK/hub.db"
start_hub || { fail restored_hub_starts "see hub.log"; exit 1; }
check agent_reconnects_to_restored_hub wait_until 30 agent_connected
check restored_hub_adopts_task_it_did_not_know wait_until 30 status_is "$NEW" RUNNING
adopted=$(awsx ecs describe-tasks --cluster default --tasks "$NEW" | jq -r '.tasks[0] |
	[.containerInstanceArn, (.taskDefinitionArn | sub(".*/"; "")), .desiredStatus] | @tsv')
check adopted_task_on_its_node_with_its_revision test "$adopted" = \
	"$(jq -r .container_instance_arn "$NODE/identity.json")	idle:1	RUNNING"
check adopted_task_listed grep -qx "$NEW" < <(awsx ecs list-tasks --cluster default | jq -r '.taskArns[]')
check adopted_task_same_process_on_node test "$(pid_of "$NEW")" = "$NEW_PID"
check adopted_task_still_running alive "$NEW"
check agent_says_hub_lost_history grep -q "lacks state changes it acknowledged" \
	<(tail -n +"$((mark + 1))" "$WORK/agent.log")
check finished_task_marked_stopped wait_until 30 status_is "$OLD" STOPPED
check finished_task_reason test "$(describe "$OLD" .stoppedReason)" = \
	"Task not found on its container instance when the agent reconnected"

# A task stopped at the hub while its assignment sat unread on a frozen agent's socket.
kill -STOP "$AGENT_PID"
GHOST=$(run_idle)
sleep 0.5 # the assignment leaves the hub before it stops
stop_pid "$HUB_PID"
start_hub || { kill -CONT "$AGENT_PID"; fail hub_restarts_again "see hub.log"; exit 1; }
json_api_call ecs stop-task --cluster default --task "$GHOST" >/dev/null
check undelivered_task_stopped_at_hub status_is "$GHOST" STOPPED
kill -CONT "$AGENT_PID"
check unread_assignment_taken_by_node wait_until 30 grep -q "Task $GHOST assigned" "$WORK/agent.log"
check stop_confirmed_by_hub wait_until 30 grep -q "Task $GHOST stopping: the hub confirmed" \
	"$WORK/agent.log"
check confirmed_stop_ends_it wait_until 30 not alive "$GHOST"
check node_forgets_it wait_until 30 not on_node "$GHOST"
check hub_keeps_it_stopped status_is "$GHOST" STOPPED
check adopted_task_untouched alive "$NEW"
check adopted_task_running_at_hub status_is "$NEW" RUNNING

#!/bin/bash
# The journald log driver against a real systemd-journald (started here as a plain daemon):
# with journald running it is the default; every line is an entry with MESSAGE, PRIORITY,
# SYSLOG_IDENTIFIER, TETHER_TASK_ARN and TETHER_CONTAINER_NAME, read back with
# `journalctl -o json` and with `tether logs` (also -f and --tail).
source "$(dirname "$0")/../../lib.sh"

if [ -S /run/systemd/journal/socket ]; then
	skip journald_driver "a journal already runs here; this test starts its own"
	exit 0
fi
mkdir -p /run/systemd/journal /run/log/journal
# The guest tests after this one run without a journal, as before it.
trap 'on_exit; rm -rf /run/systemd/journal /run/log/journal' EXIT
/lib/systemd/systemd-journald >>"$WORK/journald.log" 2>&1 &
STARTED_PIDS+=($!)
wait_until 20 test -S /run/systemd/journal/socket || { fail journald_starts "$(cat "$WORK/journald.log")"; exit 1; }

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
NODE=$WORK/node
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >>"$WORK/agent.log" 2>&1 || { fail register; exit 1; }
start_agent "$NODE"
instance_connected() {
	awsx ecs describe-container-instances --cluster default --container-instances \
		"$(awsx ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')" |
		jq -e '.containerInstances[0].agentConnected == true' >/dev/null
}
check agent_connects wait_until 60 instance_connected

taskdef() { # family command-json [log-configuration]
	cat <<JSON
{"family": "$1", "requiresCompatibilities": ["EXTERNAL"],
 "containerDefinitions": [{"name": "app", "image": "oci:$WORK/image:latest",
   "command": $2 ${3:+, \"logConfiguration\": $3}}]}
JSON
}
run_td() {
	awsx ecs register-task-definition --cli-input-json "$(taskdef "$@")" >/dev/null &&
		awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition "$1" |
		jq -r '.tasks[0].taskArn'
}
task_is() {
	[ "$(awsx ecs describe-tasks --cluster default --tasks "$1" | jq -r '.tasks[0].lastStatus')" = "$2" ]
}

arn=$(run_td hello '["sh", "-c", "echo out-1; echo err-1 >&2; sleep 1; echo out-2; printf cut"]')
id=${arn##*/}
check journald_task_stops wait_until 60 task_is "$arn" STOPPED
check journald_is_the_default jq -e '.log.driver == "journald"' "$NODE/tasks/$id/app/config.json"
check no_log_file_with_journald test ! -e "$NODE/tasks/$id/app/container.log"
entries() { journalctl -o json --no-pager "TETHER_TASK_ID=$id"; }
check journal_has_every_line wait_until 10 eval '[ "$(entries | wc -l)" = 4 ]'
entries >"$WORK/entries.json"
has_entry() { jq -s -e --arg arn "$arn" "any(.[]; $1)" "$WORK/entries.json"; }
check entry_fields has_entry '.MESSAGE == "out-1" and .SYSLOG_IDENTIFIER == "app" and
	.TETHER_TASK_ARN == $arn and .TETHER_CONTAINER_NAME == "app" and .PRIORITY == "6"'
check stderr_priority_3 has_entry '.MESSAGE == "err-1" and .PRIORITY == "3"'
check partial_line_marked has_entry '.MESSAGE == "cut" and .TETHER_PARTIAL_MESSAGE == "true"'
check task_id_field has_entry '.MESSAGE == "out-2" and .TETHER_TASK_ID == ($arn | sub(".*/"; ""))'
"$BIN/tether" logs --state-dir "$NODE" "$arn" >"$WORK/out" 2>"$WORK/err"
check tether_logs_reads_the_journal test "$(cat "$WORK/out")" = "$(printf 'out-1\nout-2\ncut')"
check tether_logs_stderr_apart test "$(cat "$WORK/err")" = err-1
check tether_logs_tail test "$("$BIN/tether" logs --state-dir "$NODE" "$id" app --tail 2 2>/dev/null)" = "$(printf 'out-2\ncut')"

# -f started before the lines are written, ends by itself once the container has ended.
arn=$(run_td follow '["sh", "-c", "sleep 4; i=0; while [ $i -lt 200 ]; do echo f-$i; i=$((i+1)); done"]' \
	'{"logDriver": "journald", "options": {"tag": "follower"}}')
id=${arn##*/}
check follow_task_folder wait_until 60 test -f "$NODE/tasks/$id/app/config.json"
timeout 120 "$BIN/tether" logs -f --state-dir "$NODE" "$id" >"$WORK/follow.out" 2>&1
check journal_follow_ends_by_itself test $? = 0
check journal_follow_every_line_in_order test "$(cat "$WORK/follow.out")" = "$(seq 0 199 | sed 's/^/f-/')"
check tag_is_syslog_identifier test "$(journalctl -o json --no-pager "TETHER_TASK_ID=$id" | jq -r .SYSLOG_IDENTIFIER | sort -u)" = follower

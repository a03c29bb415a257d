#!/bin/bash
# Storage faults on a node, through a real hub and `tether run` on loopback. The state dir is
# a small tmpfs, and its tasks folder (the containers' folders) another, mounted in a mount
# namespace of this test's own: the script runs itself again under `unshare --mount`, with
# the hub and the agent, and the host's mounts never change.
# - The state dir's file system fills up under the running agent: a task stopped meanwhile
#   has its STOPPED state kept in memory (the hub still sees RUNNING), an assignment is not
#   acknowledged and no container starts for it, the node turns IMPAIRED naming the file and
#   the fix; once the filler is removed the STOPPED state reaches the hub with its exit code,
#   the assignment comes again and runs, and the node is OK, without a restart of the agent.
# - kill -9 and a half-written transaction at the end of the WAL: not damage, the agent starts
#   and takes its running task back.
# - state.db overwritten with garbage, cut to half, emptied: the agent refuses to start naming
#   the file and the fix and leaves the file as it was; the task keeps running, and the agent
#   adopts it again once the file is put back.
# - The tasks folder full: a task that cannot start is STOPPED with a reason naming the file
#   and the fix.
# - An agent stopped while a state change waits in memory says so, and its next start tells
#   the change from the container's exit record.
# - The state dir read-only: the agent refuses to start naming the dir and the fix.
if [ "$(id -u)" != 0 ]; then
	echo "SKIP storage-faults: needs root (mount namespaces, tmpfs, overlayfs, cgroups)"
	exit 0
fi
if [ -z "${STORAGE_FAULTS_OWN_MOUNTS:-}" ]; then
	STORAGE_FAULTS_OWN_MOUNTS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
export -n STORAGE_FAULTS_OWN_MOUNTS
source "$(dirname "$0")/../lib.sh"

NODE=$WORK/node
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT
mkdir -p "$NODE" && mount -t tmpfs -o size=32m,mode=0700 tmpfs "$NODE" &&
	mkdir "$NODE/tasks" && mount -t tmpfs -o size=8m,mode=0700 tmpfs "$NODE/tasks" ||
	{ fail small_file_systems; exit 1; }
DB=$NODE/state.db

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
join_node "$NODE" || { fail join_node "see hub.log"; exit 1; }
check agent_connects wait_until 30 agent_connected

ci_arn=$(json_api_call ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')
describe_ci() { json_api_call ecs describe-container-instances --cluster default --container-instances "$ci_arn"; }
overall_is() { [ "$(describe_ci | jq -r '.containerInstances[0].healthStatus.overallStatus')" = "$1" ]; }
task_json() { json_api_call ecs describe-tasks --cluster default --tasks "$1" | jq '.tasks[0]'; }
status_is() { [ "$(task_json "$1" | jq -r .lastStatus)" = "$2" ]; }
log_has() { grep -qF -- "$1" "$WORK/agent.log"; }
# fill DIR: a file that takes every free block of DIR's file system.
fill() { dd if=/dev/zero of="$1/filler" bs=64k 2>/dev/null; [ "$(stat -f -c %a "$1")" = 0 ]; }
# run_agent_once LOG: `tether run` in the foreground, as start_agent runs it; its status.
run_agent_once() {
	timeout 20 "$BIN/tether" run --state-dir "$NODE" --allow-no-limits --api-socket "$NODE/api.sock" \
		--metadata-address off >"$1" 2>&1
}
# container_alive ARN: the first process of the task's container "main" still runs.
container_alive() { kill -0 "$(cat "$NODE/tasks/${1##*/}/main/pid")"; }
container_gone() { ! container_alive "$1"; }

arn1=$(run_idle_task "$WORK/image")
check first_task_runs wait_until 60 status_is "$arn1" RUNNING
check health_ok_first wait_until 30 overall_is OK

# --- the state dir's file system full under the running agent
check state_dir_filled fill "$NODE"
json_api_call ecs stop-task --cluster default --task "$arn1" >/dev/null
check container_stops_while_full wait_until 20 container_gone "$arn1"
check write_failure_logged_with_file wait_until 20 bash -c \
	"grep -E 'Cannot write the state database: $DB: .*database or disk is full; [0-9]+ task state change\(s\) are kept in memory' '$WORK/agent.log'"
check stopped_state_not_told_while_full status_is "$arn1" RUNNING
check health_impaired wait_until 30 overall_is IMPAIRED
ci=$(describe_ci)
check state_store_detail_impaired jq -e '.containerInstances[0].healthStatus.details[] |
	select(.type == "STATE_STORE" and .status == "IMPAIRED")' <<<"$ci"
reason=$(jq -r '.containerInstances[0].statusReason' <<<"$ci")
check reason_names_file_and_fix bash -c 'grep -F "$1/state.db cannot be written (" <<<"$2" |
	grep -F "database or disk is full" | grep -qF "the file system that holds $1 is full; free space on it"' _ "$NODE" "$reason"

arn2=$(run_idle_task "$WORK/image")
check unstored_assignment_dropped_with_its_ack wait_until 20 log_has \
	"Frames to the hub dropped with the writes they told of; reconnecting"
check no_container_for_unstored_assignment test ! -e "$NODE/tasks/${arn2##*/}"
# The hub's PROVISIONING turns PENDING at the agent's ack.
check hub_has_no_ack_for_unstored_assignment status_is "$arn2" PROVISIONING
check agent_still_running kill -0 "$AGENT_PID"

rm -f "$NODE/filler"
check recovery_logged wait_until 20 log_has "The state database $DB takes writes again"
check stopped_state_told_after_room_returns wait_until 20 status_is "$arn1" STOPPED
check exit_code_kept test "$(task_json "$arn1" | jq -r '.containers[0].exitCode')" = 0
check resent_assignment_runs wait_until 60 status_is "$arn2" RUNNING
check health_ok_again wait_until 30 overall_is OK
check same_agent_throughout kill -0 "$AGENT_PID"

# --- kill -9 with a half-written transaction at the end of the WAL: SQLite's own recovery
stop_pid "$AGENT_PID" KILL
check wal_left_by_the_crash test -s "$DB-wal"
head -c 3000 /dev/urandom >>"$DB-wal"
mark=$(wc -l <"$WORK/agent.log")
start_agent "$NODE"
check agent_starts_after_crash wait_until 30 agent_connected
check running_task_taken_back wait_until 20 bash -c \
	"tail -n +$((mark + 1)) '$WORK/agent.log' | grep -qF 'Resuming task $arn2 (last reported RUNNING)'"
check half_written_wal_is_not_damage bash -c "! tail -n +$((mark + 1)) '$WORK/agent.log' | grep -q damaged"
check task_still_running_after_crash status_is "$arn2" RUNNING
stop_pid "$AGENT_PID"

# --- a damaged state.db is refused, named, left as it was; the task runs on
cp "$DB" "$WORK/state.db.good"
printf 'this is not what tether wrote %.0s' {1..40} | dd of="$DB" conv=notrunc status=none
sum=$(sha256sum <"$DB")
run_agent_once "$WORK/garbage.log"
check garbage_db_refused test $? != 0
check garbage_db_named_with_fix bash -c "grep -F 'Refusing to start: $DB: the database is damaged (' '$WORK/garbage.log' |
	grep -F 'sqlite3 $DB .recover | sqlite3 $DB.recovered' | grep -qF 'mv $DB $DB.damaged'"
check garbage_db_left_as_it_was test "$(sha256sum <"$DB")" = "$sum"

cp "$WORK/state.db.good" "$DB"
truncate -s $(($(stat -c %s "$DB") / 2)) "$DB"
run_agent_once "$WORK/truncated.log"
check truncated_db_refused test $? != 0
check truncated_db_named grep -qF "Refusing to start: $DB: the database is damaged (" "$WORK/truncated.log"

: >"$DB"
run_agent_once "$WORK/emptied.log"
check emptied_db_refused test $? != 0
check emptied_db_named_with_fix grep -qF "Refusing to start: $DB is empty, but $NODE/tasks holds the folders of tasks this node ran" "$WORK/emptied.log"
check container_runs_through_refusals container_alive "$arn2"

cp "$WORK/state.db.good" "$DB"
start_agent "$NODE"
check agent_starts_on_the_restored_file wait_until 30 agent_connected
check restored_task_adopted wait_until 20 log_has "Resuming task $arn2 (last reported RUNNING)"

# --- the containers' folders full: a task that cannot start says where and what to do
check tasks_folder_filled fill "$NODE/tasks"
arn3=$(run_idle_task "$WORK/image")
check unstartable_task_stopped wait_until 60 status_is "$arn3" STOPPED
stopped=$(task_json "$arn3")
check stopped_reason_names_path_and_fix bash -c 'jq -r .stoppedReason <<<"$1" | grep -F "$2/tasks/${3##*/}/" |
	grep -F "No space left on device" | grep -qF "its file system is full: free space on it"' _ "$stopped" "$NODE" "$arn3"
check stop_code_task_failed_to_start test "$(jq -r .stopCode <<<"$stopped")" = TaskFailedToStart
rm -f "$NODE/tasks/filler"

# --- stopped while a state change waits: said, and told again by the next start
mark=$(wc -l <"$WORK/agent.log")
logged_since_mark() { tail -n +$((mark + 1)) "$WORK/agent.log" | grep -E "$1"; }
check state_dir_filled_again fill "$NODE"
json_api_call ecs stop-task --cluster default --task "$arn2" >/dev/null
check second_container_stops_while_full wait_until 20 container_gone "$arn2"
check second_write_failure_logged wait_until 20 logged_since_mark "Cannot write the state database: $DB: "
stop_pid "$AGENT_PID"
check waiting_change_said_at_stop logged_since_mark \
	"[0-9]+ task state change\(s\) could not be written to $DB and end with the agent"
rm -f "$NODE/filler"
start_agent "$NODE"
check stopped_state_told_by_the_next_start wait_until 30 status_is "$arn2" STOPPED
check its_exit_code_too test "$(task_json "$arn2" | jq -r '.containers[0].exitCode')" = 0
stop_pid "$AGENT_PID"

# --- a read-only state dir is refused at start, named, with the fix
mount -o remount,ro "$NODE" || fail remount_read_only
run_agent_once "$WORK/read-only.log"
check read_only_state_dir_refused test $? != 0
check read_only_state_dir_named_with_fix bash -c "grep -F 'Refusing to start: the state dir $NODE cannot be written (Read-only file system)' '$WORK/read-only.log' |
	grep -qF 'mount -o remount,rw'"
mount -o remount,rw "$NODE"
check state_dir_writable_again test -w "$NODE"

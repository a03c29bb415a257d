#!/bin/bash
# Container logs with the json-file driver, through a real agent and hub: Docker's format,
# rotation by size (200 MB written, at most max-size x max-file kept, the last lines there),
# `tether logs` (--tail, stdout/stderr kept apart, -f across rotations until the container
# ends), a full disk that drops lines without hurting the container, a container that keeps
# running and logging when the agent is gone, and the refusals of what is not supported.
# (This host runs no journald, so json-file is the default; tests/vm/guest/logs.sh proves
# the journald driver against a real journald.)
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip logs "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
NODE=$WORK/node
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >>"$WORK/agent.log" 2>&1 ||
	{ fail register; exit 1; }
# The containers' folders on a small file system of their own, so that a full disk can be
# tested without filling the host's.
mkdir -p "$NODE/tasks"
mount -t tmpfs -o size=24m,mode=0700 tmpfs "$NODE/tasks" || { fail tmpfs_for_tasks; exit 1; }
start_agent "$NODE"

taskdef() { # family command-json log-configuration-json
	cat <<JSON
{"family": "$1", "requiresCompatibilities": ["EXTERNAL"],
 "containerDefinitions": [{"name": "main", "image": "oci:$WORK/image:latest",
   "command": $2 ${3:+, \"logConfiguration\": $3}}]}
JSON
}
register_td() { awsx ecs register-task-definition --cli-input-json "$(taskdef "$@")"; }
run_task() {
	awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition "$1" |
		jq -r '.tasks[0].taskArn'
}
task_field() { awsx ecs describe-tasks --cluster default --tasks "$1" | jq -r ".tasks[0]$2"; }
folder_of() { echo "$NODE/tasks/${1##*/}/main"; }
logs() { "$BIN/tether" logs --state-dir "$NODE" "$@"; }

# --- refusals at registration, naming what is supported
refusal() { # name log-configuration expected-text
	local out
	out=$(register_td refused '["true"]' "$2" 2>&1)
	if grep -qF -- "$3" <<<"$out"; then pass "$1"; else fail "$1" "$out"; fi
}
refusal other_driver_refused_naming_supported '{"logDriver": "awslogs"}' \
	'"awslogs" is not supported by tether (supported: json-file, journald)'
refusal unknown_option_refused_by_name '{"logDriver": "json-file", "options": {"compress": "true"}}' \
	'logConfiguration.options.compress: option not supported'
refusal secret_options_refused '{"logDriver": "journald", "secretOptions": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:x"}]}' \
	'containerDefinitions[0].logConfiguration.secretOptions: field not supported by tether'
refusal bad_max_size_refused '{"logDriver": "json-file", "options": {"max-size": "10x"}}' \
	'logConfiguration.options.max-size'

# --- 200 MB through json-file with max-size 1m, max-file 3
big_cmd='["sh", "-c", "echo to-stderr >&2; yes $(printf %0990d 7) | head -n 201817; i=1; while [ $i -le 1000 ]; do echo last-$i; i=$((i+1)); done"]'
register_td big "$big_cmd" '{"logDriver": "json-file", "options": {"max-size": "1m", "max-file": "3"}}' >/dev/null
started=$SECONDS
arn=$(run_task big)
check big_task_stops wait_until 300 task_is "$arn" STOPPED
echo "measured: 200 MB of container output through json-file in $((SECONDS - started)) s (sanitizer build)"
check big_task_exit_code_0 test "$(task_field "$arn" '.containers[0].exitCode')" = 0
dir=$(folder_of "$arn")
total=$(cat "$dir"/container.log* | wc -c)
echo "measured: json-file files after 200 MB: $(ls "$dir" | grep -c '^container.log') files, $total bytes"
check logs_kept_within_max_size_times_max_file test "$total" -le $((3 * 1024 * 1024))
check logs_rotated_to_max_file test -f "$dir/container.log.2" -a ! -e "$dir/container.log.3"
check each_file_within_max_size test "$(find "$dir" -name 'container.log*' -size +1024k | wc -l)" = 0
check docker_json_file_format jq -e 'select(.log == "last-1000\n" and .stream == "stdout" and
	(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\\.[0-9]+)?Z$")))' "$dir/container.log"
check every_file_is_json_lines bash -c "cat '$dir'/container.log* | jq -e . >/dev/null"
logs "$arn" --tail 1000 >"$WORK/tail.out" 2>"$WORK/tail.err"
seq 1 1000 | sed 's/^/last-/' >"$WORK/tail.want"
check tail_gives_the_last_lines_in_order cmp "$WORK/tail.out" "$WORK/tail.want"
logs "$arn" main --tail 3 >"$WORK/tail3.out"
check tail_with_container_name test "$(cat "$WORK/tail3.out" | tr '\n' ' ')" = "last-998 last-999 last-1000 "
# The first line went out of the files long ago; a fresh task's stderr is checked below.

# --- tether logs -f across rotations: started before the lines are written
follow_cmd='["sh", "-c", "p=$(printf %0240d 0); sleep 3; echo err-line >&2; c=0; while [ $c -lt 30 ]; do i=0; while [ $i -lt 400 ]; do echo line-$c-$i-$p; i=$((i+1)); done; c=$((c+1)); sleep 0.1; done; printf no-newline"]'
register_td follow "$follow_cmd" '{"logDriver": "json-file", "options": {"max-size": "1m", "max-file": "2"}}' >/dev/null
arn=$(run_task follow)
dir=$(folder_of "$arn")
check follow_task_folder_appears wait_until 30 test -f "$dir/config.json"
timeout 120 "$BIN/tether" logs -f "${arn##*/}" --state-dir "$NODE" >"$WORK/follow.out" 2>"$WORK/follow.err" &
follow_pid=$!
STARTED_PIDS+=("$follow_pid")
wait "$follow_pid"
rc=$?
check follow_stops_when_container_ended_and_drained test "$rc" = 0
pad=$(printf %0240d 0)
awk -v pad="$pad" 'BEGIN { for (c = 0; c < 30; c++) for (i = 0; i < 400; i++) print "line-" c "-" i "-" pad }' >"$WORK/follow.want"
printf no-newline >>"$WORK/follow.want"
check follow_got_every_line_in_order_across_rotations cmp "$WORK/follow.out" "$WORK/follow.want"
check follow_rotated_meanwhile test -f "$dir/container.log.1"
check stderr_lines_go_to_stderr test "$(cat "$WORK/follow.err")" = err-line
check unfinished_last_line_kept_as_is test "$(tail -c 10 "$WORK/follow.out")" = no-newline

# --- a full disk drops lines and the container goes on (the tasks' tmpfs is 24 MiB). Space
# comes back (the test empties the file) before the container's last line, which is kept.
register_td flood '["sh", "-c", "yes $(printf %0990d 1) | head -n 40000; sleep 10; echo done"]' \
	'{"logDriver": "json-file", "options": {"max-size": "100m"}}' >/dev/null
arn=$(run_task flood)
dir=$(folder_of "$arn")
# The container got past its 40 MB (to its sleep) although most of it could not be written.
flood_written() { ps -o comm= --ppid "$(cat "$dir/pid")" | grep -qx sleep; }
check full_disk_does_not_block_the_container wait_until 180 flood_written
check full_disk_reached grep -q 'Dropping log lines' "$dir/monitor.log"
check full_disk_container_keeps_running task_is "$arn" RUNNING
truncate -s 0 "$dir/container.log"
check full_disk_task_stops wait_until 60 task_is "$arn" STOPPED
code=$(task_field "$arn" '.containers[0]')
[ "$(jq -r .exitCode <<<"$code")" = 0 ] && pass full_disk_container_exit_code_0 ||
	fail full_disk_container_exit_code_0 "$code $(cat "$dir/exit.json") $(df -k "$NODE/tasks" | tail -n 1)"
check full_disk_noted_once test "$(grep -c 'Dropping log lines' "$dir/monitor.log")" = 1
check full_disk_dropped_lines_counted grep -q 'log lines dropped (first cause: No space left on device)' "$dir/monitor.log"
last=$(logs "$arn" --tail 1 2>&1)
[ "$last" = done ] && pass logging_resumes_when_space_returns ||
	fail logging_resumes_when_space_returns "last line: ${last:0:80}"
rm -f "$dir"/container.log*

# --- the agent goes away: the container keeps running and logging through its monitor
register_td ticker '["sh", "-c", "i=0; while :; do echo tick-$i; i=$((i+1)); sleep 0.05; done"]' \
	'{"logDriver": "json-file"}' >/dev/null
arn=$(run_task ticker)
check ticker_runs wait_until 30 task_is "$arn" RUNNING
dir=$(folder_of "$arn")
stop_pid "$AGENT_PID" KILL
sleep 1
before=$(wc -c <"$dir/container.log")
sleep 2
after=$(wc -c <"$dir/container.log")
check container_logs_while_agent_is_gone test "$after" -gt "$before"
check logs_read_without_agent bash -c "'$BIN/tether' logs --state-dir '$NODE' '$arn' --tail 1 | grep -q '^tick-'"
# End it through its monitor, as a re-adopting agent would (SIGTERM, SIGKILL after stopTimeout).
monitor=$(ps -o ppid= -p "$(cat "$dir/pid")" | tr -d ' ')
kill -TERM "$monitor"
check monitor_stops_the_container wait_until 40 test -f "$dir/exit.json"

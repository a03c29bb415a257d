#!/bin/bash
# The agent's local API (a root-only unix socket) and the task metadata endpoint its containers
# reach through ECS_CONTAINER_METADATA_URI_V4, with a real hub and agent on loopback.
source "$(dirname "$0")/../lib.sh"

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image "scripts/make-busybox-image.sh failed"; exit 1; }
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
NODE=$WORK/node
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null || { fail register; exit 1; }
node_id=$(jq -r .node_id "$NODE/identity.json")

SOCKDIR=$WORK/run
SOCK=$SOCKDIR/agent.sock
MPORT=$(free_port)
start_agent "$NODE" --api-socket "$SOCK" --metadata-address "127.0.0.1:$MPORT"
check agent_connects wait_until 20 instance_connected

api() { curl -s --max-time 5 --unix-socket "$SOCK" "http://localhost$1"; }
api_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$SOCK" "$@"; }

check socket_is_0600_root test "$(stat -c '%a %U %F' "$SOCK")" = "600 root socket"
check socket_folder_is_0700 test "$(stat -c '%a' "$SOCKDIR")" = 700
check metadata_names_the_node bash -c "curl -s --unix-socket '$SOCK' http://localhost/v1/metadata |
	jq -e --arg id '$node_id' '.node_id == \$id and .cluster == \"default\" and
	(.container_instance_arn | test(\":container-instance/\")) and (.version | length > 0)'"
check metadata_says_connected_and_since wait_until 10 bash -c "curl -s --unix-socket '$SOCK' \
	http://localhost/v1/metadata | jq -e '.connection.state == \"connected\" and .connection.since > 0'"

# Task A reads its own task from the endpoint, task B tries what it should not get.
register_td reader '["sh", "-c", "wget -qO- \"$ECS_CONTAINER_METADATA_URI_V4/task\"; echo; wget -qO- \"$ECS_CONTAINER_METADATA_URI_V4\"; echo; sleep 1000"]' >/dev/null
A=$(run_task reader)
check task_a_runs wait_until 30 task_is "$A" RUNNING
a_id=${A##*/}
a_log() { "$BIN/tether" logs --state-dir "$NODE" "$a_id" 2>/dev/null; }
a_task_read() { a_log | grep '^{' | jq -se --arg arn "$A" '.[0].TaskARN == $arn and .[0].Cluster == "default" and .[0].Family == "reader" and (.[0].Containers | length) == 1 and .[0].Containers[0].Name == "main" and .[0].Containers[0].KnownStatus == "RUNNING"'; }
check container_reads_its_task_from_ecs_uri wait_until 20 a_task_read
check container_reads_itself_from_ecs_uri bash -c "'$BIN/tether' logs --state-dir '$NODE' '$a_id' |
	grep '^{' | jq -se '.[1].Name == \"main\" and .[1].Labels[\"com.amazonaws.ecs.task-arn\"] == \"$A\" and (.[1].StartedAt | test(\"Z$\"))'"
a_uri=$(jq -r '.env[] | select(startswith("ECS_CONTAINER_METADATA_URI_V4=")) | sub("^[^=]*="; "")' \
	"$NODE/tasks/$a_id/main/config.json")
check uri_is_loopback_with_128_bit_token grep -Eq "^http://127\.0\.0\.1:$MPORT/v4/[0-9a-f]{32}\$" <<<"$a_uri"

register_td prober '["sh", "-c", "U=$ECS_CONTAINER_METADATA_URI_V4; case $U in *0) F=${U%?}1;; *) F=${U%?}0;; esac; wget -qO- $U/task; echo; if wget -qO- $F/task; then echo; fi; wget -q -O /dev/null $F/task || echo FORGED-REFUSED; wget -q -O /dev/null ${U%/v4/*}/v1/tasks || echo LOCAL-API-REFUSED; sleep 1000"]' >/dev/null
B=$(run_task prober)
check task_b_runs wait_until 30 task_is "$B" RUNNING
b_id=${B##*/}
b_log() { "$BIN/tether" logs --state-dir "$NODE" "$b_id" 2>/dev/null; }
check task_b_reads_its_own_task wait_until 20 bash -c "'$BIN/tether' logs --state-dir '$NODE' '$b_id' |
	grep '^{' | head -n 1 | jq -e '.TaskARN == \"$B\"'"
check task_b_forged_token_refused wait_until 10 bash -c "'$BIN/tether' logs --state-dir '$NODE' '$b_id' | grep -qx FORGED-REFUSED"
check task_b_local_api_not_over_tcp wait_until 10 bash -c "'$BIN/tether' logs --state-dir '$NODE' '$b_id' | grep -qx LOCAL-API-REFUSED"
check task_b_sees_nothing_of_task_a bash -c "! '$BIN/tether' logs --state-dir '$NODE' '$b_id' | grep -qF '$a_id'"
b_uri=$(jq -r '.env[] | select(startswith("ECS_CONTAINER_METADATA_URI_V4=")) | sub("^[^=]*="; "")' \
	"$NODE/tasks/$b_id/main/config.json")
check tokens_differ test "${a_uri##*/}" != "${b_uri##*/}"
check b_token_answers_only_b bash -c "curl -s '$b_uri/task' | jq -e '.TaskARN == \"$B\" and ([.Containers[].Labels[\"com.amazonaws.ecs.task-arn\"]] | all(. == \"$B\"))'"
check unknown_token_404 test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/v4/00000000000000000000000000000000/task")" = 404
check metadata_path_climbing_refused test "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$b_uri/../../v1/tasks")" = 404
check metadata_wrong_method_405 test "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -d x "$b_uri/task")" = 405
check metadata_token_case_matters test "$(curl -s -o /dev/null -w '%{http_code}' "${b_uri%/*}/$(tr a-f A-F <<<"${b_uri##*/}")")" = 404
check task_stats_keyed_by_container bash -c "curl -s '$a_uri/task/stats' | jq -e 'has(\"$a_id-main\")'"
if grep -qw memory "$(cgroup_v2_mount)/cgroup.controllers" 2>/dev/null; then
	# With the controllers (the VM), the figures are the container's cgroup's.
	check container_stats_read_cgroup bash -c "curl -s '$a_uri/stats' | jq -e '.memory_stats.usage > 0 and
		.pids_stats.current >= 1 and .cpu_stats.cpu_usage.total_usage > 0 and .id == \"$a_id-main\"'"
else
	check container_stats_json bash -c "curl -s '$a_uri/stats' | jq -e 'type == \"object\" or type == \"null\"'"
fi

# networkMode none: its own loopback cannot reach the endpoint, so it gets no variable.
register_td isolated '["sh", "-c", "echo URI=[$ECS_CONTAINER_METADATA_URI_V4]; sleep 1000"]' "" '"networkMode": "none"' >/dev/null
N=$(run_task isolated)
check network_none_task_runs wait_until 30 task_is "$N" RUNNING
check network_none_gets_no_variable wait_until 10 bash -c "'$BIN/tether' logs --state-dir '$NODE' '${N##*/}' | grep -qx 'URI=\[\]'"
awsx ecs stop-task --cluster default --task "$N" >/dev/null

# The local API's answers.
check tasks_list_both bash -c "curl -s --unix-socket '$SOCK' http://localhost/v1/tasks |
	jq -e '[.tasks[].task_arn] | index(\"$A\") != null and index(\"$B\") != null'"
check one_task_by_id bash -c "curl -s --unix-socket '$SOCK' http://localhost/v1/tasks/$a_id |
	jq -e '.task_arn == \"$A\" and .status == \"RUNNING\" and .containers[0].name == \"main\" and .containers[0].status == \"RUNNING\"'"
check one_task_by_arn bash -c "curl -s --unix-socket '$SOCK' 'http://localhost/v1/tasks/$A' | jq -e '.task_arn == \"$A\"'"
check unknown_task_404 test "$(api_code http://localhost/v1/tasks/no-such-task)" = 404
check unknown_path_404 test "$(api_code http://localhost/v2/nothing)" = 404
check wrong_method_405 test "$(api_code -X POST -d x http://localhost/v1/tasks)" = 405
check health_counts_tasks bash -c "curl -s --unix-socket '$SOCK' http://localhost/v1/health |
	jq -e '.link.state == \"connected\" and .tasks.RUNNING >= 2 and .uptime_seconds >= 0'"
# A head past libwebsockets' 4 KiB buffer is closed unanswered; the server goes on.
big=$(head -c 6000 /dev/zero | tr '\0' a)
check oversized_head_refused test "$(api_code -H "X-Big: $big" http://localhost/v1/health)" = 000
# A half request holds its own connection only.
/usr/bin/python3 - "$SOCK" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"GET /v1/hea")
time.sleep(8)
PY
half=$!
sleep 0.5
check half_request_does_not_block_others test "$(api_code http://localhost/v1/health)" = 200
wait "$half" 2>/dev/null

# Connections past the limit are hung up; once they go, the API answers again.
many_hung_up() {
	/usr/bin/python3 - "$SOCK" <<'PY'
import socket, sys, time
conns = []
for _ in range(40):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    conns.append(s)
time.sleep(1)
closed = 0
for s in conns:
    s.setblocking(False)
    try:
        closed += s.recv(1) == b""
    except (BlockingIOError, ConnectionResetError) as e:
        closed += isinstance(e, ConnectionResetError)
print(closed)
sys.exit(0 if closed >= 8 else 1)
PY
}
check connections_past_32_hung_up many_hung_up
check answers_after_the_crowd_left wait_until 10 eval '[ "$(api_code http://localhost/v1/health)" = 200 ]'

# Only root: a caller that is not root cannot reach the socket, and when let through the
# folder and socket modes it is refused by its credentials.
check non_root_cannot_connect bash -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups \
	curl -s --max-time 5 --unix-socket '$SOCK' http://localhost/v1/metadata"
work_mode=$(stat -c %a "$WORK")
chmod o+x "$WORK"; chmod 0711 "$SOCKDIR"; chmod 0666 "$SOCK"
check non_root_refused_403 test "$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$SOCK" http://localhost/v1/metadata)" = 403
chmod 0700 "$SOCKDIR"; chmod 0600 "$SOCK"; chmod "$work_mode" "$WORK"

# tether status through the socket.
check status_json_from_daemon bash -c "'$BIN/tether' status --state-dir '$NODE' --json |
	jq -e '.daemon.running == true and .registration.node_id == \"$node_id\" and
	([.tasks[].task_arn] | index(\"$A\") != null) and .connection.state == \"connected\"'"
check status_with_relative_state_dir bash -c "cd '$WORK' && '$BIN/tether' status --state-dir node --json |
	jq -e '.daemon.running == true and (.daemon | has(\"api_error\") | not)'"
check status_text_lists_tasks bash -c "'$BIN/tether' status --state-dir '$NODE' | grep -q 'RUNNING  $A'"

# A second agent on another state dir with the same socket does not take it.
OTHER=$WORK/other
mkdir -m 0700 "$OTHER"
cp -p "$NODE/node.key" "$OTHER/"
jq '.connect_url = "ws://127.0.0.1:1/v1/connect"' "$NODE/identity.json" >"$OTHER/identity.json"
chmod 0600 "$OTHER/identity.json"
"$BIN/tether" run --state-dir "$OTHER" --allow-no-limits --api-socket "$SOCK" --metadata-address off \
	>"$WORK/second.log" 2>&1 &
second=$!
STARTED_PIDS+=("$second")
check second_agent_says_socket_taken wait_until 10 grep -q "another 'tether run'" "$WORK/second.log"
check first_agent_keeps_its_socket bash -c "curl -s --unix-socket '$SOCK' http://localhost/v1/metadata | jq -e '.node_id == \"$node_id\"'"
stop_pid "$second"

# After a restart the adopted container's token still answers.
stop_pid "$AGENT_PID"
check socket_removed_at_stop test ! -e "$SOCK"
check status_says_daemon_not_running bash -c "'$BIN/tether' status --state-dir '$NODE' | grep -q 'Daemon:     not running'"
start_agent "$NODE" --api-socket "$SOCK" --metadata-address "127.0.0.1:$MPORT"
check token_survives_restart wait_until 20 bash -c "curl -s '$a_uri/task' | jq -e '.TaskARN == \"$A\"'"

# Off: no endpoint, and no variable.
stop_pid "$AGENT_PID"
start_agent "$NODE" --api-socket "$SOCK" --metadata-address off
register_td plain '["sh", "-c", "echo URI=[$ECS_CONTAINER_METADATA_URI_V4]; sleep 1000"]' >/dev/null
C=$(run_task plain)
check task_c_runs wait_until 30 task_is "$C" RUNNING
check endpoint_off_no_variable wait_until 10 bash -c "'$BIN/tether' logs --state-dir '$NODE' '${C##*/}' | grep -qx 'URI=\[\]'"
check endpoint_off_not_listening bash -c "! curl -s --max-time 3 '$a_uri/task'"

# The CLI stops one; the others, with curl (a CLI call costs about a second of CPU).
awsx ecs stop-task --cluster default --task "$A" >/dev/null
for t in "$B" "$C"; do json_api_call ecs stop-task --cluster default --task "$t" >/dev/null; done
kill_task_cgroups "$NODE"
check tasks_stop wait_until 30 task_is "$C" STOPPED

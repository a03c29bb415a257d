#!/bin/bash
# restartPolicy with a real hub and agent on loopback: a container that exits 1 after running
# its (shortened) restartAttemptPeriod is restarted in place each time, its task RUNNING and
# its restartCount told to the hub and the task metadata endpoint; one that exits with an
# ignored code, or before the period, is not restarted and its task stops. The same restarts
# happen while the hub is stopped and reach it in order once it is back; an agent killed with
# SIGKILL between two restarts, with the container running or ending while it is away, neither
# restarts it twice nor loses the count. The containers count their starts in a host volume.
# make check: runs beside the others
source "$(dirname "$0")/../lib.sh"
FAILED=0
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: ${2:-}"; }

if [ "$(id -u)" != 0 ]; then
	skip restart-policy "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi
NODE=$WORK/node
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT
busybox_image "$WORK/image" || { fail restart-image "scripts/make-busybox-image.sh failed"; exit 1; }
start_hub || { fail restart-hub-starts "see hub.log"; exit 1; }
make_activation || { fail restart-activation "see hub.log"; exit 1; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null || { fail restart-register; exit 1; }
MPORT=$(free_port)
# restartAttemptPeriod's 60 s minimum at 2 %: 1.2 s.
AGENT_ARGS=(--restart-period-percent 2 --metadata-address "127.0.0.1:$MPORT")
start_agent "$NODE" "${AGENT_ARGS[@]}"
wait_until 30 agent_connected || { fail restart-agent-connects "$(tail -5 "$WORK/agent.log")"; exit 1; }

# FAMILY POLICY SCRIPT: a definition whose container "main" runs SCRIPT with the host folder
# $WORK/FAMILY at /v.
taskdef_json() {
	mkdir -p "$WORK/$1"
	jq -nc --arg family "$1" --arg image "oci:$WORK/image:latest" --arg dir "$WORK/$1" \
		--argjson policy "$2" --arg script "$3" \
		'{family: $family, requiresCompatibilities: ["EXTERNAL"],
		  volumes: [{name: "v", host: {sourcePath: $dir}}],
		  containerDefinitions: [{name: "main", image: $image, essential: true,
		    restartPolicy: $policy, logConfiguration: {logDriver: "json-file"}, stopTimeout: 2,
		    mountPoints: [{sourceVolume: "v", containerPath: "/v"}],
		    command: ["sh", "-c", $script]}]}'
}
POLICY='{"enabled": true, "ignoredExitCodes": [3], "restartAttemptPeriod": 60}'
# The early one's period is 1800 s (36 s here), so that a loaded machine seeing its exit late
# still sees it within the period.
# Runs longer than the period, then exits 1; from its 4th start on it waits for the test's
# go file first. Each start counts itself in the volume and in its own root file system.
CRASH='trap "exit 0" TERM; echo start >> /v/starts; n=$(wc -l < /v/starts); echo x >> /root-starts;
echo "run $n root $(wc -l < /root-starts)"; sleep 1.6;
if [ "$n" -ge 4 ]; then while [ ! -e /v/go$n ]; do sleep 0.1; done; fi; exit 1'
for td in "$(taskdef_json crash "$POLICY" "$CRASH")" \
	"$(taskdef_json ignored "$POLICY" 'echo start >> /v/starts; sleep 1.6; exit 3')" \
	"$(taskdef_json early "${POLICY/60/1800}" 'echo start >> /v/starts; exit 1')"; do
	# The Debian aws CLI predates restartPolicy and refuses it before sending: the request
	# the CLI would send, with curl.
	json_api_call ecs register-task-definition --cli-input-json "$td" >/dev/null ||
		fail restart-policy-registered "$(json_api_call ecs register-task-definition --cli-input-json "$td")"
done
run() { json_api_call ecs run-task --cluster default --launch-type EXTERNAL --task-definition "$1" | jq -r '.tasks[0].taskArn'; }
json_api_call ecs describe-task-definition --task-definition crash |
	jq -e '.taskDefinition.containerDefinitions[0].restartPolicy == {"enabled": true, "ignoredExitCodes": [3], "restartAttemptPeriod": 60}' >/dev/null &&
	pass restart-policy-registered-as-given || fail restart-policy-registered-as-given "$(json_api_call ecs describe-task-definition --task-definition crash)"
CRASH_ARN=$(run crash)
IGNORED_ARN=$(run ignored)
EARLY_ARN=$(run early)
container() { # ARN FIELD: the container's FIELD as the raw API shows it
	json_api_call ecs describe-tasks --cluster default --tasks "$1" | jq -r ".tasks[0].containers[0].$2"
}
task_status() { json_api_call ecs describe-tasks --cluster default --tasks "$1" | jq -r '.tasks[0].lastStatus'; }
starts() { wc -l <"$WORK/$1/starts" 2>/dev/null || echo 0; }
# For wait_until, which runs its command again each time (a $(...) in its arguments would be
# read once).
starts_are() { [ "$(starts "$1")" = "$2" ]; }
status_is() { [ "$(task_status "$1")" = "$2" ]; }
crash_is() { # STARTS RESTART_COUNT: the crash container's starts and what the hub shows
	[ "$(starts crash)" = "$1" ] && [ "$(container "$CRASH_ARN" restartCount)" = "$2" ] &&
		[ "$(task_status "$CRASH_ARN")" = RUNNING ]
}
started=$SECONDS

wait_until 40 crash_is 4 3 && pass restarted-three-times-task-running ||
	fail restarted-three-times-task-running "starts $(starts crash), restartCount $(container "$CRASH_ARN" restartCount), $(task_status "$CRASH_ARN")"
wait_until 20 status_is "$IGNORED_ARN" STOPPED
[ "$(starts ignored)" = 1 ] && [ "$(container "$IGNORED_ARN" exitCode)" = 3 ] &&
	[ "$(container "$IGNORED_ARN" restartCount)" = 0 ] && pass ignored-exit-code-not-restarted ||
	fail ignored-exit-code-not-restarted "$(task_status "$IGNORED_ARN"), starts $(starts ignored), exit $(container "$IGNORED_ARN" exitCode)"
wait_until 20 status_is "$EARLY_ARN" STOPPED
[ "$(starts early)" = 1 ] && [ "$(container "$EARLY_ARN" exitCode)" = 1 ] &&
	[ "$(json_api_call ecs describe-tasks --cluster default --tasks "$EARLY_ARN" | jq -r '.tasks[0].stopCode')" = EssentialContainerExited ] &&
	pass exit-before-period-not-restarted ||
	fail exit-before-period-not-restarted "$(task_status "$EARLY_ARN"), starts $(starts early), exit $(container "$EARLY_ARN" exitCode)"

# The same root file system (its writable layer kept) and the same log stream.
CRASH_DIR=$NODE/tasks/${CRASH_ARN##*/}/main
check restart-keeps-root-and-log-stream bash -c "grep -c '\"log\":\"run [1-4] root [1-4]' '$CRASH_DIR/container.log' | grep -qx 4 &&
	grep -q '\"log\":\"run 4 root 4' '$CRASH_DIR/container.log'"
uri=$(jq -r '.env[] | select(startswith("ECS_CONTAINER_METADATA_URI_V4=")) | sub("^[^=]*="; "")' "$CRASH_DIR/config.json")
check metadata-shows-restart-count bash -c "curl -s '$uri' | jq -e '.RestartCount == 3 and .KnownStatus == \"RUNNING\"'"

# Offline: two restarts while the hub is stopped, told to it in order once it is back.
stop_pid "$HUB_PID"
touch "$WORK/crash/go4"
wait_until 20 starts_are crash 5 && touch "$WORK/crash/go5" &&
	wait_until 20 starts_are crash 6 && pass restarted-while-hub-away ||
	fail restarted-while-hub-away "starts $(starts crash): $(tail -3 "$WORK/agent.log")"
start_hub || { fail restart-hub-restarts "see hub.log"; exit 1; }
wait_until 40 crash_is 6 5 && pass offline-restarts-reach-hub-in-order ||
	fail offline-restarts-reach-hub-in-order "restartCount $(container "$CRASH_ARN" restartCount)"

# kill -9 of the agent while start 6 runs: adopted, and its exit restarted once, counted on.
stop_pid "$AGENT_PID" KILL
start_agent "$NODE" "${AGENT_ARGS[@]}"
wait_until 30 agent_connected
touch "$WORK/crash/go6"
wait_until 20 crash_is 7 6 && pass agent-killed-count-goes-on ||
	fail agent-killed-count-goes-on "starts $(starts crash), restartCount $(container "$CRASH_ARN" restartCount)"
# kill -9 again, and start 7 exits while no agent runs: restarted once the agent is back.
stop_pid "$AGENT_PID" KILL
touch "$WORK/crash/go7"
wait_until 20 test -e "$CRASH_DIR/exit.json"
start_agent "$NODE" "${AGENT_ARGS[@]}"
wait_until 30 crash_is 8 7 && sleep 1.5 && crash_is 8 7 && pass exit-while-agent-away-restarted-once ||
	fail exit-while-agent-away-restarted-once "starts $(starts crash), restartCount $(container "$CRASH_ARN" restartCount)"

# A task stopped is not restarted.
json_api_call ecs stop-task --cluster default --task "$CRASH_ARN" >/dev/null
wait_until 30 status_is "$CRASH_ARN" STOPPED && sleep 1.5 && [ "$(starts crash)" = 8 ] &&
	pass stopped-task-not-restarted || fail stopped-task-not-restarted "$(task_status "$CRASH_ARN"), starts $(starts crash)"
echo "restart-policy: $((SECONDS - started)) s from the first task to the last check"
[ "$FAILED" = 0 ]

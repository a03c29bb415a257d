#!/bin/bash
# dependsOn and startTimeout: containers start in the order their conditions ask (START,
# COMPLETE, SUCCESS, HEALTHY), give up with the dependency named when it cannot be met or its
# startTimeout passes, and stop dependents first. Run with `tether task run`; a definition with
# a cycle is refused by name at `aws ecs register-task-definition`; and through a hub and
# `tether run`, a task whose dependent waits stays PENDING and, across an agent killed with
# SIGKILL, starts each container once, when its dependency allows.
source "$(dirname "$0")/../lib.sh"
FAILED=0
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: ${2:-}"; }

# The hub's refusal needs no root.
start_hub || { fail depends-hub-starts "see hub.log"; exit 1; }
cycle='{"family":"cycle","containerDefinitions":[
 {"name":"a","image":"busybox","dependsOn":[{"containerName":"b","condition":"START"}]},
 {"name":"b","image":"busybox","dependsOn":[{"containerName":"a","condition":"START"}]}]}'
out=$(awsx ecs register-task-definition --cli-input-json "$cycle" 2>&1)
rc=$?
[ "$rc" != 0 ] && grep -q "ClientException" <<<"$out" &&
	grep -q "containerDefinitions\[0\].dependsOn: a cycle a -> b -> a" <<<"$out" &&
	pass cycle-refused-at-registration || fail cycle-refused-at-registration "rc=$rc $out"
ok='{"family":"ordered","containerDefinitions":[
 {"name":"init","image":"busybox","essential":false,"startTimeout":5},
 {"name":"app","image":"busybox","dependsOn":[{"containerName":"init","condition":"SUCCESS"}]}]}'
out=$(awsx ecs register-task-definition --cli-input-json "$ok" 2>&1)
[ "$(jq -r .taskDefinition.revision <<<"$out" 2>/dev/null)" = 1 ] &&
	pass depends-on-registered || fail depends-on-registered "$out"

if [ "$(id -u)" != 0 ]; then
	skip depends-task-run "needs root (namespaces, overlayfs, cgroups)"
	exit "$FAILED"
fi

STATE=$WORK/state
IMAGE=$WORK/image
SHARED=$WORK/shared
busybox_image "$IMAGE" || { fail depends-image "scripts/make-busybox-image.sh failed"; exit 1; }

NODE=$WORK/node
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT

# task NAME CONTAINERS: a definition NAME.json whose containers share $SHARED at /shared and
# see the local runner's state folder at /state (read-only). In CONTAINERS, @IMAGE@ is the
# test image.
task() {
	rm -rf "$SHARED"
	mkdir -p "$SHARED"
	printf '{"family":"depends","volumes":[{"name":"shared","host":{"sourcePath":"%s"}},
 {"name":"state","host":{"sourcePath":"%s"}}],"containerDefinitions":[%s]}\n' \
		"$SHARED" "$STATE" "${2//@IMAGE@/oci:$IMAGE:latest}" >"$WORK/$1.json"
}
MOUNTS='"mountPoints":[{"sourceVolume":"shared","containerPath":"/shared"},
 {"sourceVolume":"state","containerPath":"/state","readOnly":true}]'

# run NAME: runs NAME.json in the foreground; sets OUT, ERR, RC.
run() {
	"$BIN/tether" task run "$WORK/$1.json" --state-dir "$STATE" --allow-no-limits \
		>"$WORK/$1.out" 2>"$WORK/$1.log"
	RC=$?
	OUT=$(cat "$WORK/$1.out")
	ERR=$(cat "$WORK/$1.log")
}
mkdir -p "$STATE"

# COMPLETE: b starts after a exited, whatever its code.
task complete "{\"name\":\"a\",\"image\":\"@IMAGE@\",\"essential\":false,$MOUNTS,
 \"command\":[\"sh\",\"-c\",\"sleep 1; echo a-finished > /shared/a; exit 4\"]},
 {\"name\":\"b\",\"image\":\"@IMAGE@\",$MOUNTS,\"dependsOn\":[{\"containerName\":\"a\",\"condition\":\"COMPLETE\"}],
 \"command\":[\"sh\",\"-c\",\"cat /shared/a || echo a-not-finished\"]}"
run complete
[ "$RC" = 0 ] && [ "$OUT" = a-finished ] && grep -q "container a exited with code 4" <<<"$ERR" &&
	pass complete-waits-for-the-exit || fail complete-waits-for-the-exit "rc=$RC out=$OUT $ERR"

# SUCCESS: b starts after a exited 0 ...
task success "{\"name\":\"a\",\"image\":\"@IMAGE@\",\"essential\":false,$MOUNTS,
 \"command\":[\"sh\",\"-c\",\"sleep 1; echo a-succeeded > /shared/a\"]},
 {\"name\":\"b\",\"image\":\"@IMAGE@\",$MOUNTS,\"dependsOn\":[{\"containerName\":\"a\",\"condition\":\"SUCCESS\"}],
 \"command\":[\"sh\",\"-c\",\"cat /shared/a || echo a-not-finished\"]}"
run success
[ "$RC" = 0 ] && [ "$OUT" = a-succeeded ] && pass success-waits-for-exit-0 ||
	fail success-waits-for-exit-0 "rc=$RC out=$OUT $ERR"

# ... and never when it exits otherwise: the task fails to start, saying why.
task failure "{\"name\":\"a\",\"image\":\"@IMAGE@\",\"essential\":false,$MOUNTS,\"command\":[\"sh\",\"-c\",\"exit 3\"]},
 {\"name\":\"b\",\"image\":\"@IMAGE@\",$MOUNTS,\"dependsOn\":[{\"containerName\":\"a\",\"condition\":\"SUCCESS\"}],
 \"command\":[\"sh\",\"-c\",\"echo b-ran > /shared/b\"]}"
run failure
reason="dependsOn a SUCCESS: a exited with code 3 (dependency did not exit successfully)"
[ "$RC" = 125 ] && [ ! -e "$SHARED/b" ] && grep -q "container b stopped: CannotStartContainerError: $reason" <<<"$ERR" &&
	grep -q "task failed to start: CannotStartContainerError: $reason" <<<"$ERR" &&
	pass success-refuses-a-failed-dependency || fail success-refuses-a-failed-dependency "rc=$RC b: $(cat "$SHARED/b" 2>&1) $ERR"

# START: b starts once a's pid is known, which is when a's monitor has written a's pid file.
# b looks for that file through the state folder as its first act. Without the order b, first
# in the definition, would be started first, and a would start slower than it: a's capability
# set is new to this state folder, so its monitor builds a seccomp filter where b's finds its
# own (the same as the earlier tasks') in the cache.
task start "{\"name\":\"b\",\"image\":\"@IMAGE@\",$MOUNTS,\"dependsOn\":[{\"containerName\":\"a\",\"condition\":\"START\"}],
 \"command\":[\"sh\",\"-c\",\"ls /state/tasks/*/a/pid >/dev/null 2>&1 && echo a-had-started || echo a-not-started\"]},
 {\"name\":\"a\",\"image\":\"@IMAGE@\",\"essential\":false,$MOUNTS,\"stopTimeout\":1,
 \"linuxParameters\":{\"capabilities\":{\"add\":[\"SYS_PTRACE\"]}},
 \"command\":[\"sh\",\"-c\",\"sleep 1000 & wait\"]}"
run start
[ "$RC" = 0 ] && [ "$OUT" = a-had-started ] && pass start-waits-for-the-pid ||
	fail start-waits-for-the-pid "rc=$RC out=$OUT $ERR"

# startTimeout: a has 2 s to complete and does not; b gives up and does not start.
task timeout "{\"name\":\"a\",\"image\":\"@IMAGE@\",\"essential\":false,$MOUNTS,\"startTimeout\":2,\"stopTimeout\":1,
 \"command\":[\"sh\",\"-c\",\"sleep 1000 & wait\"]},
 {\"name\":\"b\",\"image\":\"@IMAGE@\",$MOUNTS,\"dependsOn\":[{\"containerName\":\"a\",\"condition\":\"COMPLETE\"}],
 \"command\":[\"sh\",\"-c\",\"echo b-ran > /shared/b\"]}"
run timeout
reason="dependsOn a COMPLETE: a did not reach COMPLETE within its startTimeout of 2 s (dependency timed out)"
[ "$RC" = 125 ] && [ ! -e "$SHARED/b" ] && grep -q "container b stopped: CannotStartContainerError: $reason" <<<"$ERR" &&
	pass start-timeout-gives-up || fail start-timeout-gives-up "rc=$RC b: $(cat "$SHARED/b" 2>&1) $ERR"

# HEALTHY: b waits until a's check passes. a is ready 6 s after it starts, so its first check
# (5 s in) fails and the second passes; b, at its start, finds a's monitor recorded HEALTHY and
# counts the checks that ran before it.
task healthy "{\"name\":\"a\",\"image\":\"@IMAGE@\",\"essential\":false,$MOUNTS,\"stopTimeout\":1,
 \"healthCheck\":{\"command\":[\"CMD-SHELL\",\"echo check >> /shared/checks; test -e /shared/ready\"],\"interval\":5,\"timeout\":2,\"retries\":3},
 \"command\":[\"sh\",\"-c\",\"sleep 6; touch /shared/ready; sleep 1000 & wait\"]},
 {\"name\":\"b\",\"image\":\"@IMAGE@\",$MOUNTS,\"dependsOn\":[{\"containerName\":\"a\",\"condition\":\"HEALTHY\"}],
 \"command\":[\"sh\",\"/shared/b.sh\"]}"
cat >"$SHARED/b.sh" <<'SH'
grep -q '"HEALTHY"' /state/tasks/*/a/health.json && echo a-healthy || echo a-not-healthy
wc -l < /shared/checks
SH
run healthy
[ "$RC" = 0 ] && [ "$(head -n 1 <<<"$OUT")" = a-healthy ] && [ "$(tail -n 1 <<<"$OUT")" -ge 2 ] &&
	pass healthy-waits-for-the-check || fail healthy-waits-for-the-check "rc=$RC out=$OUT $ERR"

# Stop order: b depends on a, so at a stop b gets SIGTERM first and a only once b has ended.
# b takes a second over its stop and then leaves a mark; a, at its SIGTERM, records whether
# that mark is there.
task order "{\"name\":\"a\",\"image\":\"@IMAGE@\",\"essential\":false,$MOUNTS,
 \"command\":[\"sh\",\"-c\",\"trap 'test -e /shared/b-ended && echo after-b > /shared/a-stopped || echo before-b > /shared/a-stopped; exit 0' TERM; touch /shared/a-up; sleep 1000 & wait\"]},
 {\"name\":\"b\",\"image\":\"@IMAGE@\",$MOUNTS,\"dependsOn\":[{\"containerName\":\"a\",\"condition\":\"START\"}],
 \"command\":[\"sh\",\"-c\",\"trap 'sleep 1; touch /shared/b-ended; exit 0' TERM; touch /shared/b-up; sleep 1000 & wait\"]}"
"$BIN/tether" task run "$WORK/order.json" --state-dir "$STATE" --allow-no-limits \
	>"$WORK/order.out" 2>"$WORK/order.log" &
PID=$!
STARTED_PIDS+=("$PID")
if wait_until 20 test -e "$SHARED/a-up" -a -e "$SHARED/b-up"; then
	stop_pid "$PID" TERM
	[ "$(cat "$SHARED/a-stopped" 2>&1)" = after-b ] && pass stop-order-dependents-first ||
		fail stop-order-dependents-first "a at its SIGTERM: $(cat "$SHARED/a-stopped" 2>&1) $(cat "$WORK/order.log")"
else
	fail stop-order-dependents-first "the containers did not start: $(cat "$WORK/order.log")"
fi

# After an agent restart (tether run, killed with SIGKILL): a container already running is
# adopted, never started again, and the one waiting for it starts when its dependency allows:
# for task "away" a exits 0 while no agent runs, for task "back" after the agent is back.
resume_taskdef() { # family
	cat <<JSON
{"family": "$1", "requiresCompatibilities": ["EXTERNAL"],
 "volumes": [{"name": "shared", "host": {"sourcePath": "$WORK/$1"}}],
 "containerDefinitions": [
  {"name": "a", "image": "oci:$IMAGE:latest", "essential": false,
   "mountPoints": [{"sourceVolume": "shared", "containerPath": "/shared"}],
   "command": ["sh", "-c", "echo started >> /shared/a-starts; while [ ! -e /shared/release ]; do sleep 1; done"]},
  {"name": "b", "image": "oci:$IMAGE:latest",
   "mountPoints": [{"sourceVolume": "shared", "containerPath": "/shared"}],
   "dependsOn": [{"containerName": "a", "condition": "SUCCESS"}],
   "command": ["sh", "-c", "echo started >> /shared/b-starts; trap 'exit 0' TERM; sleep 1000 & wait"]}]}
JSON
}
mkdir -p "$WORK/away" "$WORK/back"
make_activation || { fail depends-activation "see hub.log"; exit 1; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null || { fail depends-register; exit 1; }
start_agent "$NODE"
wait_until 30 instance_connected || { fail depends-agent-connects "$(tail -5 "$WORK/agent.log")"; exit 1; }
for family in away back; do
	json_api_call ecs register-task-definition --cli-input-json "$(resume_taskdef $family)" >/dev/null
done
AWAY=$(json_api_call ecs run-task --cluster default --launch-type EXTERNAL --task-definition away | jq -r '.tasks[0].taskArn')
BACK=$(json_api_call ecs run-task --cluster default --launch-type EXTERNAL --task-definition back | jq -r '.tasks[0].taskArn')
last_status() { json_api_call ecs describe-tasks --cluster default --tasks "$1" | jq -r '.tasks[0].lastStatus'; }
# Asked again at each poll (a "$(last_status ...)" argument of wait_until is asked once).
status_is() { [ "$(last_status "$1")" = "$2" ]; }
if wait_until 60 test -e "$WORK/away/a-starts" -a -e "$WORK/back/a-starts"; then
	sleep 1 # a tick or ten: b must still wait
	[ "$(last_status "$AWAY")" = PENDING ] && [ ! -e "$WORK/away/b-starts" ] &&
		pass waiting-task-stays-pending || fail waiting-task-stays-pending "$(last_status "$AWAY")"
else
	fail waiting-task-stays-pending "a did not start: $(tail -5 "$WORK/agent.log")"
fi
stop_pid "$AGENT_PID" KILL
touch "$WORK/away/release"
wait_until 30 test -e "$NODE/tasks/${AWAY##*/}/a/exit.json"
start_agent "$NODE"
wait_until 60 test -e "$WORK/away/b-starts" && wait_until 30 status_is "$AWAY" RUNNING &&
	pass resumed-dependency-exited-while-away ||
	fail resumed-dependency-exited-while-away "$(last_status "$AWAY") $(tail -5 "$WORK/agent.log")"
sleep 1
[ ! -e "$WORK/back/b-starts" ] && pass resumed-dependent-still-waits ||
	fail resumed-dependent-still-waits "b of back started before a exited"
touch "$WORK/back/release"
wait_until 60 test -e "$WORK/back/b-starts" && wait_until 30 status_is "$BACK" RUNNING &&
	pass resumed-dependency-exits-after-restart ||
	fail resumed-dependency-exits-after-restart "$(last_status "$BACK") $(tail -5 "$WORK/agent.log")"
starts=$(cat "$WORK"/away/a-starts "$WORK"/away/b-starts "$WORK"/back/a-starts "$WORK"/back/b-starts 2>/dev/null | wc -l)
[ "$starts" = 4 ] && pass resumed-containers-start-once || fail resumed-containers-start-once "$starts starts, expected 4"
for arn in "$AWAY" "$BACK"; do
	json_api_call ecs stop-task --cluster default --task "$arn" >/dev/null
done
wait_until 60 eval 'status_is "$AWAY" STOPPED && status_is "$BACK" STOPPED' &&
	pass resumed-tasks-stop || fail resumed-tasks-stop "$(last_status "$AWAY") $(last_status "$BACK")"
[ "$FAILED" = 0 ]

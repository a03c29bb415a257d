#!/bin/bash
# The operator's journey end to end, with the real aws CLI against tether-hub and a real agent
# running real containers on this host: activation, registration, the host's resources,
# task definitions, run-task, RUNNING then STOPPED with exit codes, stop-task with and
# without a SIGTERM handler, and a hub restart while a task runs.
source "$(dirname "$0")/../lib.sh"

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image "scripts/make-busybox-image.sh failed"; exit 1; }

# --- activation and registration
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
check create_activation_returns_id_and_code test -n "$ACT_ID" -a "$ACT_CODE" != null

NODE=$WORK/node
check register_with_activation "$BIN/tether" register --hub "$HUB_URL" --cluster default \
	--activation-id "$ACT_ID" --activation-code "$ACT_CODE" --state-dir "$NODE"
check identity_files_are_private bash -c "[ \$(stat -c %a '$NODE') = 700 ] && ! find '$NODE' -type f ! -perm 600 | grep -q ."

v2_mount=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' /proc/self/mountinfo | head -n 1)
v2_controllers=$(cat "$v2_mount/cgroup.controllers")
if ! grep -qw memory <<<"$v2_controllers"; then
	check agent_refuses_to_start_without_memory_controller \
		bash -c "! '$BIN/tether' run --state-dir '$NODE' 2>'$WORK/refusal.log'"
	check refusal_says_how_to_fix grep -q "allow-no-limits" "$WORK/refusal.log"
fi
start_agent "$NODE"

check agent_connects wait_until 20 instance_connected

instances=$(awsx ecs list-container-instances --cluster default)
check one_container_instance_listed test "$(jq '.containerInstanceArns | length' <<<"$instances")" = 1
ci_arn=$(jq -r '.containerInstanceArns[0]' <<<"$instances")
ci=$(awsx ecs describe-container-instances --cluster default --container-instances "$ci_arn")
want_cpu=$(( $(nproc) * 1024 ))
want_mem=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
check registered_cpu_is_ncpu_times_1024 test "$(jq '.containerInstances[0].registeredResources[] | select(.name=="CPU") | .integerValue' <<<"$ci")" = "$want_cpu"
check registered_memory_is_memtotal_mib test "$(jq '.containerInstances[0].registeredResources[] | select(.name=="MEMORY") | .integerValue' <<<"$ci")" = "$want_mem"
check attributes_name_the_architecture jq -e '.containerInstances[0].attributes[] | select(.name=="ecs.cpu-architecture" and .value=="x86_64")' <<<"$ci"
check attributes_name_the_tether_version jq -e '.containerInstances[0].attributes[] | select(.name=="tether.version")' <<<"$ci"

# --- task definitions and tasks
td=$(register_td hello '["sh", "-c", "echo hello from tether; exit 7"]')
check register_task_definition test "$(jq -r .taskDefinition.revision <<<"$td")" = 1

arn=$(run_task hello)
check run_task_returns_a_task_arn grep -q ':task/default/' <<<"$arn"
check short_task_reaches_stopped wait_until 30 task_is "$arn" STOPPED
check exit_code_reported test "$(task_field "$arn" '.containers[0].exitCode')" = 7
check stop_code_essential_container_exited test "$(task_field "$arn" .stopCode)" = EssentialContainerExited
task_id=${arn##*/}
check container_output_kept bash -c "'$BIN/tether' logs --state-dir '$NODE' '$task_id' | grep -q 'hello from tether'"

register_td sleeper '["sh", "-c", "trap \"exit 0\" TERM; sleep 1000 & wait"]' >/dev/null
arn=$(run_task sleeper)
check sleeping_task_reaches_running wait_until 30 task_is "$arn" RUNNING
check running_task_shows_container_running test "$(task_field "$arn" '.containers[0].lastStatus')" = RUNNING
awsx ecs stop-task --cluster default --task "$arn" --reason "test says stop" >/dev/null
check stop_task_ends_task wait_until 15 task_is "$arn" STOPPED
check stop_code_user_initiated test "$(task_field "$arn" .stopCode)" = UserInitiated
check stopped_reason_kept test "$(task_field "$arn" .stoppedReason)" = "test says stop"
check sigterm_handler_exit_code test "$(task_field "$arn" '.containers[0].exitCode')" = 0

register_td stubborn '["sh", "-c", "trap \"\" TERM; while :; do sleep 1; done"]' '"stopTimeout": 3' >/dev/null
arn=$(run_task stubborn)
wait_until 30 task_is "$arn" RUNNING
stop_requested=$SECONDS
awsx ecs stop-task --cluster default --task "$arn" >/dev/null
check sigterm_ignoring_task_is_killed wait_until 30 task_is "$arn" STOPPED
check killed_after_stop_timeout_not_before test $((SECONDS - stop_requested)) -ge 3
check killed_task_exit_code_137 test "$(task_field "$arn" '.containers[0].exitCode')" = 137

# --- where limits are enforced (the VM), an OOM kill is reported as ECS reports it
if [ -n "${TETHER_IN_VM:-}" ]; then
	check_oom_reported
	check agent_survives_oom kill -0 "$AGENT_PID"
fi

# --- the hub goes away while a task runs, and comes back
# The task waits for a file in a volume, so it ends when the test says, not on a clock.
mkdir -p "$WORK/gate"
register_td survivor '["sh", "-c", "until [ -e /gate/go ]; do sleep 0.2; done; exit 5"]' \
	'"mountPoints": [{"sourceVolume": "gate", "containerPath": "/gate"}]' \
	"\"volumes\": [{\"name\": \"gate\", \"host\": {\"sourcePath\": \"$WORK/gate\"}}]" >/dev/null
arn=$(run_task survivor)
check survivor_runs wait_until 30 task_is "$arn" RUNNING
stop_pid "$HUB_PID" KILL
touch "$WORK/gate/go"   # the task ends while the hub is down; its state waits in the agent's outbox
check task_finished_while_hub_down wait_until 30 grep -q . "$NODE/tasks/${arn##*/}/main/exit.json"
start_hub || fail hub_restarts "see hub.log"
check agent_reconnects_by_itself wait_until 90 instance_connected
check hub_shows_true_state_after_reconnect wait_until 20 task_is "$arn" STOPPED
check exit_code_delivered_after_reconnect test "$(task_field "$arn" '.containers[0].exitCode')" = 5
check agent_kept_running kill -0 "$AGENT_PID"

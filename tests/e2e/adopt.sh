#!/bin/bash
# Containers outlive the agent, and a restarted agent re-adopts them: 20 tasks run through the
# real aws CLI and a real hub, the agent is killed with SIGKILL, one container exits (code 7)
# and another container's monitor is killed while no agent runs; the restarted agent reports
# every task as it really is, never starts a second copy, and can stop the adopted tasks.
source "$(dirname "$0")/../lib.sh"

NODE=$WORK/node
V2=$(cgroup_v2_mount)
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
make_activation || { fail create_activation; exit 1; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null || { fail register; exit 1; }
start_agent "$NODE"

check agent_connects wait_until 30 instance_connected

taskdef() { # family command-json stop-timeout
	cat <<JSON
{"family": "$1", "requiresCompatibilities": ["EXTERNAL"],
 "containerDefinitions": [{"name": "main", "image": "oci:$WORK/image:latest", "essential": true,
   "stopTimeout": $3, "command": $2}]}
JSON
}
awsx ecs register-task-definition --cli-input-json "$(taskdef adoptee \
	'["sh", "-c", "trap \"exit 7\" USR1; trap \"exit 0\" TERM; sleep 1000 & wait"]' 10)" >/dev/null
awsx ecs register-task-definition --cli-input-json "$(taskdef stubborn \
	'["sh", "-c", "trap \"\" TERM; while :; do sleep 1; done"]' 3)" >/dev/null
run_tasks() { # family count
	awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition "$1" \
		--count "$2" | jq -r '.tasks[].taskArn'
}
mapfile -t ADOPTEES < <(run_tasks adoptee 10; run_tasks adoptee 10)
STUBBORN=$(run_tasks stubborn 1)
VICTIM=$(run_tasks adoptee 1)   # its monitor is killed while no agent runs
ALL=("${ADOPTEES[@]}" "$STUBBORN" "$VICTIM")
EXITER=${ADOPTEES[0]}           # exits with 7 while no agent runs
check twenty_two_tasks_placed test "${#ALL[@]}" = 22

# Polls and the bulk stops go out as the JSON requests the CLI sends (lib.sh json_api_call):
# the CLI costs seconds a call here, and the checks below use it for every kind of call.
statuses() { # arn... -> one lastStatus per line (describe-tasks takes up to 100 ARNs)
	json_api_call ecs describe-tasks --cli-input-json \
		"$(jq -nc '{cluster: "default", tasks: $ARGS.positional}' --args "$@")" |
		jq -r '.tasks[].lastStatus'
}
all_are() { # status arn...
	local want=$1
	shift
	[ "$(statuses "$@" | grep -cx "$want")" = "$#" ]
}
# described ARN: the stopped task as the aws CLI describes it, read once for the checks after it.
described() { DESCRIBED=$(awsx ecs describe-tasks --cluster default --tasks "$1" | jq -c '.tasks[0]'); }
field() { jq -r "$1" <<<"$DESCRIBED"; }
folder() { echo "$NODE/tasks/${1##*/}/main"; }
cgroup_of() { echo "$V2/tether/${1##*/}/main"; }

check all_tasks_running wait_until 120 all_are RUNNING "${ALL[@]}"
# The pull's times, on this node's clock (the hub's is the same here): in order, and before
# the hub heard the task was RUNNING.
pull_times=$(json_api_call ecs describe-tasks --cluster default --tasks "$EXITER" |
	jq -r '.tasks[0] | [.pullStartedAt, .pullStoppedAt, .startedAt] | @tsv')
check pull_times_reported awk -F'\t' '$1 > 0 && $1 <= $2 && $2 <= $3 + 0.001 { ok = 1 } END { exit !ok }' <<<"$pull_times"

# The monitors and containers as they are before the agent dies.
declare -A PID MONITOR
for a in "${ALL[@]}"; do
	PID[$a]=$(cat "$(folder "$a")/pid")
	MONITOR[$a]=$(cat "$(folder "$a")/monitor.pid")
done
monitors_of_node() { # how many tether-monitor processes serve this node's containers
	grep -lsa "tether-monitor" /proc/[0-9]*/cmdline 2>/dev/null | while read -r f; do
		tr '\0' ' ' 2>/dev/null <"$f" | grep -q " $NODE/tasks/" && echo
	done | wc -l
}
check one_monitor_per_container test "$(monitors_of_node)" = 22

stop_pid "$AGENT_PID" KILL
kill -USR1 "${PID[$EXITER]}"
kill -KILL "${MONITOR[$VICTIM]}"
check exit_recorded_without_agent wait_until 20 test -s "$(folder "$EXITER")/exit.json"
alive=0
for a in "${ALL[@]}"; do
	[ "$a" = "$EXITER" ] && continue
	kill -0 "${PID[$a]}" 2>/dev/null && alive=$((alive + 1))
done
check containers_outlive_the_agent test "$alive" = 21

mark=$(wc -l <"$WORK/agent.log")
start_agent "$NODE"
check agent_reconnects wait_until 30 instance_connected
RUNNING_NOW=("${ADOPTEES[@]:1}" "$STUBBORN")
check exited_container_reported_stopped wait_until 30 all_are STOPPED "$EXITER"
described "$EXITER"
check exited_container_exit_code_7 test "$(field '.containers[0].exitCode')" = 7
check exited_container_stop_code test "$(field .stopCode)" = EssentialContainerExited
check lost_monitor_reported_stopped wait_until 30 all_are STOPPED "$VICTIM"
described "$VICTIM"
check lost_monitor_no_exit_code test "$(field '.containers[0].exitCode')" = null
check lost_monitor_reason_says_unknown grep -q "exit code unknown" <<<"$(field '.containers[0].reason')"
check lost_container_killed wait_until 10 bash -c "! kill -0 ${PID[$VICTIM]} 2>/dev/null"
check lost_container_cgroup_removed wait_until 10 test ! -d "$(cgroup_of "$VICTIM")"
check adopted_tasks_still_running all_are RUNNING "${RUNNING_NOW[@]}"
status_running=$("$BIN/tether" status --state-dir "$NODE" --json | jq '[.tasks[] | select(.status == "RUNNING")] | length')
check tether_status_shows_twenty_running test "$status_running" = 20

same=0 single=0
for a in "${RUNNING_NOW[@]}"; do
	[ "$(cat "$(folder "$a")/pid")" = "${PID[$a]}" ] && kill -0 "${PID[$a]}" &&
		[ "$(cat "$(folder "$a")/monitor.pid")" = "${MONITOR[$a]}" ] && same=$((same + 1))
	# sh and its sleep: a second copy in the same cgroup would double it.
	[ "$(wc -l <"$(cgroup_of "$a")/cgroup.procs")" = 2 ] && single=$((single + 1))
done
check adopted_containers_are_the_same_processes test "$same" = 20
check no_second_copy_in_any_cgroup test "$single" = 20
check no_second_monitor test "$(monitors_of_node)" = 20
# Only the two real changes were reported after the restart, not the 20 unchanged tasks.
reported=$(tail -n +"$((mark + 1))" "$WORK/agent.log" | grep -c "Task .* is ")
check only_changes_reported_after_restart test "$reported" = 2

# A graceful restart (systemctl restart: SIGTERM to the agent alone) changes nothing either.
stop_pid "$AGENT_PID" TERM
mark=$(wc -l <"$WORK/agent.log")
start_agent "$NODE"
check agent_reconnects_after_sigterm wait_until 30 instance_connected
check still_running_after_sigterm_restart all_are RUNNING "${RUNNING_NOW[@]}"
check same_monitors_after_sigterm_restart test "$(monitors_of_node)" = 20
reported=$(tail -n +"$((mark + 1))" "$WORK/agent.log" | grep -c "Task .* is ")
check nothing_reported_after_sigterm_restart test "$reported" = 0

# Stopping adopted tasks: SIGTERM reaches the container through its monitor; the stubborn one
# is killed after its stopTimeout (3 s), not before.
ADOPTED=${ADOPTEES[1]}
asked=$SECONDS
awsx ecs stop-task --cluster default --task "$ADOPTED" >/dev/null
check adopted_task_stops_within_stop_timeout wait_until 10 all_are STOPPED "$ADOPTED"
described "$ADOPTED"
check adopted_task_sigterm_exit_code test "$(field '.containers[0].exitCode')" = 0
check adopted_task_stop_code test "$(field .stopCode)" = UserInitiated
asked=$SECONDS
awsx ecs stop-task --cluster default --task "$STUBBORN" >/dev/null
check adopted_stubborn_task_killed wait_until 30 all_are STOPPED "$STUBBORN"
check adopted_stubborn_killed_not_before_stop_timeout test $((SECONDS - asked)) -ge 3
described "$STUBBORN"
check adopted_stubborn_exit_code_137 test "$(field '.containers[0].exitCode')" = 137

# The rest end through the hub too, and nothing is left behind.
for a in "${ADOPTEES[@]:2}"; do
	json_api_call ecs stop-task --cluster default --task "$a" >/dev/null
done
check every_task_stopped wait_until 60 all_are STOPPED "${ALL[@]}"
check no_monitor_left wait_until 10 eval '[ "$(monitors_of_node)" = 0 ]'
check no_task_cgroup_left wait_until 10 bash -c "! ls -d '$V2'/tether/*/main 2>/dev/null | grep -F -f <(ls '$NODE/tasks')"
check agent_alive kill -0 "$AGENT_PID"

#!/bin/bash
# What health checks and metrics cost on the host: 100 sleeping containers started through the
# hub, first without a healthCheck, then with one run every 5 s (ECS's shortest interval). For
# each: the agent's CPU over a steady window (utime+stime), its memory, and the CPU of the
# monitors with what they reaped (the checks run as their children), over the same window.
# The agent samples every container's metrics every 20 s in both rounds.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/node-lib.sh"
trap 'node_down; on_exit' EXIT
count=${BENCH_HEALTH_TASKS:-100}
window=${BENCH_STEADY_SECONDS:-60}

node_up || { echo "the hub or the agent did not start; see $WORK"; cat "$WORK/agent.log"; exit 1; }
register_family sleeper '["sleep", "3600"]'
ecs RegisterTaskDefinition "$(jq -cn --arg img "oci:$WORK/image:latest" '{family: "checked",
	requiresCompatibilities: ["EXTERNAL"], containerDefinitions: [{name: "main", image: $img,
	command: ["sleep", "3600"], stopTimeout: 1, healthCheck: {command: ["CMD-SHELL", "exit 0"],
	interval: 5, timeout: 2, retries: 3}}]}')" >/dev/null || exit 1

# healthy_is N: N tasks of the cluster report healthStatus HEALTHY (DescribeTasks takes 100).
healthy_is() {
	local arns
	arns=$(ecs ListTasks '{"cluster": "default"}' | jq -c '.taskArns[:100]')
	[ "$(ecs DescribeTasks "{\"cluster\": \"default\", \"tasks\": $arns}" |
		jq '[.tasks[] | select(.healthStatus == "HEALTHY")] | length')" = "$1" ]
}

# monitors_ticks: CPU ticks of this node's monitors and their reaped children, summed.
monitors_ticks() {
	local m sum=0
	for m in $(monitor_pids); do sum=$((sum + $(cpu_ticks_with_children "$m"))); done
	echo "$sum"
}

hz=$(getconf CLK_TCK)
percent() { awk -v d="$1" -v hz="$hz" -v ns="$2" 'BEGIN {printf "%.2f%%", 100 * d / hz / (ns / 1e9)}'; }

# measure FAMILY: run COUNT tasks of FAMILY, wait until they run (and are healthy when checked),
# measure for the window, stop them; prints one table row.
measure() {
	local family=$1 a0 m0 t0 a1 m1 t1
	run_tasks "$family" "$count" || return 1
	wait_until "$(bounded 120)" running_is "$count" || { echo "$family: not all RUNNING"; return 1; }
	[ "$family" = checked ] && { wait_until "$(bounded 60)" healthy_is "$count" ||
		echo "($family: not all HEALTHY by the deadline)" >&2; }
	sleep 5
	a0=$(cpu_ticks "$AGENT_PID") m0=$(monitors_ticks) t0=$(date +%s%N)
	sleep "$window" & wait $!
	a1=$(cpu_ticks "$AGENT_PID") m1=$(monitors_ticks) t1=$(date +%s%N)
	printf '%s\t%s\t%s\t%s / %s KiB\t%s\n' "$family" "$(running_is "$count" && echo "$count")" \
		"$(percent $((a1 - a0)) $((t1 - t0)))" "$(pss_kb "$AGENT_PID")" "$(rss_kb "$AGENT_PID")" \
		"$(percent $((m1 - m0)) $((t1 - t0)))"
	stop_all_tasks
}

{
	printf 'containers\trunning\tagent CPU (of one CPU)\tagent PSS / RSS\tmonitors and checks CPU\n'
	measure sleeper
	measure checked
} | table "$count containers on one node, ${window} s windows, checks every 5 s"

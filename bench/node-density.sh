#!/bin/bash
# Density on the host: 500 sleeping containers on one node, started through the hub. The time
# until all are RUNNING, the agent's CPU at steady state over 60 s (utime+stime from
# /proc/PID/stat), its memory, and the sum of the monitors' PSS. When the part's deadline
# comes first, what is running by then is measured and the count says so.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/node-lib.sh"
trap 'node_down; on_exit' EXIT
count=${BENCH_DENSITY:-500}
window=${BENCH_STEADY_SECONDS:-60}

node_up || { echo "the hub or the agent did not start; see $WORK"; cat "$WORK/agent.log"; exit 1; }
register_family sleeper '["sleep", "3600"]'
started=$(date +%s%N)
run_tasks sleeper "$count"
submitted_ms=$((($(date +%s%N) - started) / 1000000))
# Keep time for the steady-state window, the stops and the clean-up.
wait_until "$(bounded $(($(seconds_left) - window - 40)))" running_is "$count"
ready_ms=$((($(date +%s%N) - started) / 1000000))
running=$(cluster_count runningTasksCount)

sleep 5
ticks0=$(cpu_ticks "$AGENT_PID") t0=$(date +%s%N)
sleep "$window" & wait $!
ticks1=$(cpu_ticks "$AGENT_PID") t1=$(date +%s%N)
hz=$(getconf CLK_TCK)
cpu=$(awk -v d=$((ticks1 - ticks0)) -v hz="$hz" -v ns=$((t1 - t0)) \
	'BEGIN {printf "%.2f%% of one CPU (%.2f s in %.0f s)", 100 * d / hz / (ns / 1e9), d / hz, ns / 1e9}')
mapfile -t monitors < <(monitor_pids)
monitor_pss=0
for m in "${monitors[@]}"; do
	kb=$(pss_kb "$m")  # empty when the monitor has just ended
	monitor_pss=$((monitor_pss + ${kb:-0}))
done

{
	printf 'what\tvalue\n'
	printf 'tasks RUNNING (of %s asked)\t%s\n' "$count" "$running"
	printf 'RunTask calls done (10 tasks each)\t%s ms\n' "$submitted_ms"
	printf 'RUNNING count reached, from the first RunTask\t%s ms\n' "$ready_ms"
	printf 'agent CPU at steady state\t%s\n' "$cpu"
	printf 'agent PSS / private / RSS\t%s / %s / %s KiB\n' "$(pss_kb "$AGENT_PID")" "$(private_kb "$AGENT_PID")" "$(rss_kb "$AGENT_PID")"
	printf 'tether-monitor processes\t%s\n' "${#monitors[@]}"
	printf "monitors' PSS summed\\t%s KiB (%s KiB each)\\n" "$monitor_pss" $((monitor_pss / (${#monitors[@]} > 0 ? ${#monitors[@]} : 1)))
} | table "$count sleeping containers on one node"
stopping=$(date +%s%N)
stop_all_tasks
echo "(all stopped $((($(date +%s%N) - stopping) / 1000000)) ms after the StopTask calls began)"

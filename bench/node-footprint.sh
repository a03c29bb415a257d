#!/bin/bash
# Agent footprint on the host: PSS and RSS (/proc/PID/smaps_rollup) of the agent idle
# (registered, connected to a hub on loopback, no tasks), with 100 running containers (and
# each tether-monitor's PSS), and along start/stop cycles of short tasks run through the hub
# in concurrent batches (growth shows a leak); binary sizes. The host has no cgroup v2
# controllers, so the agent runs with --allow-no-limits. Tables are printed as soon as their
# figures are in, so a part cut short by its time limit still shows what it measured.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/node-lib.sh"
trap 'node_down; on_exit' EXIT
cycles=${BENCH_CYCLES:-10000}
cycle_seconds=${BENCH_CYCLE_SECONDS:-400}  # the cycles stop here if not done by then
in_flight=${BENCH_IN_FLIGHT:-40}

kb_row() { # label pid
	printf '%s\t%s KiB\t%s KiB\t%s KiB\n' "$1" "$(pss_kb "$2")" "$(private_kb "$2")" "$(rss_kb "$2")"
}

{
	printf 'binary\tas built\tstripped\n'
	for b in tether tether-hub tether-monitor; do
		strip -o "$WORK/$b.stripped" "$BIN/$b"
		printf '%s\t%s KiB\t%s KiB\n' "$b" $(($(stat -c %s "$BIN/$b") / 1024)) $(($(stat -c %s "$WORK/$b.stripped") / 1024))
	done
} | table "binary sizes ($(basename "$BIN") build; tether links $(ldd "$BIN/tether" | wc -l) shared objects, tether-monitor $(ldd "$BIN/tether-monitor" | wc -l))"

node_up || { echo "the hub or the agent did not start; see $WORK"; cat "$WORK/agent.log"; exit 1; }
sleep 2
rows=$(kb_row "agent idle (connected, no tasks)" "$AGENT_PID")
pss_by_mapping "$AGENT_PID" 12 | table "where the idle agent's memory is (from /proc/PID/smaps)"

# 100 running containers.
register_family sleeper '["sleep", "3600"]'
started=$(date +%s%N)
run_tasks sleeper 100
wait_until "$(bounded 180)" running_is 100
ready_ms=$((($(date +%s%N) - started) / 1000000))
sleep 2
mapfile -t monitors < <(monitor_pids)
rows+=$'\n'$(kb_row "agent with ${#monitors[@]} running containers" "$AGENT_PID")
for m in "${monitors[@]}"; do printf 'tether-monitor PSS\t%s\n' "$(pss_kb "$m")"; done >"$WORK/monitor.tsv"
for m in "${monitors[@]}"; do printf 'tether-monitor private\t%s\n' "$(private_kb "$m")"; done >>"$WORK/monitor.tsv"
for m in "${monitors[@]}"; do printf 'tether-monitor RSS\t%s\n' "$(rss_kb "$m")"; done >>"$WORK/monitor.tsv"
summarize 1 " KiB" <"$WORK/monitor.tsv" | cut -f1-7 |
	table "per-container supervisor, ${#monitors[@]} monitors (goal: under 300 KB PSS each)"
echo "monitors' PSS summed: $(awk -F'\t' '/PSS/ {s += $2} END {print s}' "$WORK/monitor.tsv") KiB;" \
	"$(cluster_count runningTasksCount) tasks RUNNING $ready_ms ms after the first RunTask"
stop_all_tasks
sleep 2
rows+=$'\n'$(kb_row "agent after stopping them" "$AGENT_PID")
{ printf 'what\tPSS\tprivate\tRSS\n'; echo "$rows"; } | table "agent memory (goal: idle under 3 MB PSS)"

# Start/stop cycles: tasks that exit at once, kept about $in_flight at a time, until the
# count or the time allowed is reached (whichever comes first; the deadline keeps 25 s to
# drain and print).
register_family cycle '["/bin/true"]'
left=$(($(seconds_left) - 25))
[ "$left" -lt "$cycle_seconds" ] && cycle_seconds=$left
done_runs=0 submitted=0 next_sample=250 t0=$SECONDS
printf 'cycles\tseconds\tagent PSS\tprivate\tRSS\n' >"$WORK/growth.tsv"
kb_row 0$'\t'0 "$AGENT_PID" >>"$WORK/growth.tsv"
# active_tasks: RUNNING + PENDING of the default cluster from one call, read without jq: the
# loop asks often, and its own processes take the CPU that the cycles measure.
active_tasks() {
	local out n=0
	out=$(ecs DescribeClusters '{"clusters": ["default"]}') || return 1
	[[ $out =~ \"runningTasksCount\":[[:space:]]*([0-9]+) ]] && n=${BASH_REMATCH[1]}
	[[ $out =~ \"pendingTasksCount\":[[:space:]]*([0-9]+) ]] && n=$((n + BASH_REMATCH[1]))
	echo "$n"
}
while [ "$done_runs" -lt "$cycles" ] && [ $((SECONDS - t0)) -lt "$cycle_seconds" ]; do
	active=$(active_tasks) || active=$in_flight
	done_runs=$((submitted - active))
	if [ "$active" -lt "$in_flight" ] && [ "$submitted" -lt "$cycles" ]; then
		run_tasks cycle 10 && submitted=$((submitted + 10))
	else
		sleep 0.1
	fi
	if [ "$done_runs" -ge "$next_sample" ]; then
		kb_row "$done_runs"$'\t'$((SECONDS - t0)) "$AGENT_PID" >>"$WORK/growth.tsv"
		next_sample=$((next_sample + 250))
	fi
done
wait_until "$(bounded 40)" none_active
sleep 2
active=$(active_tasks)
done_runs=$((submitted - active))
kb_row "$done_runs"$'\t'$((SECONDS - t0)) "$AGENT_PID" >>"$WORK/growth.tsv"
table "agent memory along start/stop cycles ($in_flight tasks in flight; goal: no growth)" <"$WORK/growth.tsv"
[ "$done_runs" -lt "$cycles" ] &&
	echo "($done_runs of $cycles cycles done in the $cycle_seconds s allowed: $(awk -v n="$done_runs" -v s=$((SECONDS - t0)) 'BEGIN {printf "%.1f", n / (s ? s : 1)}') tasks/s)"
exit 0

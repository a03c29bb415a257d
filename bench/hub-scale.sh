#!/bin/bash
# Hub scale: one tether-hub on loopback holding N simulated agents (bench/loadgen: real
# registration, Ed25519 handshake, heartbeats, task_state with acks and replay, the agent's
# jittered backoff). For each N it reports the time to enrol and connect the fleet, the hub's
# CPU (utime+stime from /proc over a steady window) and memory (RSS, PSS), RunTask to RUNNING
# with the fleet connected (the simulated agents report RUNNING at once, so this is the hub's
# own share), and the time for every agent to be back after the hub is restarted on the same
# database and port. With the largest fleet it also runs the service scheduler: S services of
# 3 tasks each, the time for all of them to reach their count, the hub's CPU with the
# scheduler's pass over them every second, and, after the restart, the time until every agent
# is back with every service at its count and no task started twice.
#
#   bench/hub-scale.sh [N ...]        (default: 1000 10000)
#   HUB_SCALE_WINDOW=30               steady-state window, seconds
#   HUB_SCALE_SERVICES=1000           services with the largest fleet (0: none)
#
# Prints tables; never fails on a figure.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TETHER_BIN_DIR=${TETHER_BIN_DIR:-$TOP/build/release}
source "$TOP/tests/lib.sh"
source "$TOP/bench/lib.sh"

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)
WINDOW=${HUB_SCALE_WINDOW:-30}
SERVICES=${HUB_SCALE_SERVICES:-1000}
SERVICE_TASKS=3
LARGEST=$(printf '%s\n' "${SIZES[@]}" | sort -n | tail -n 1)
LOADGEN=$BIN/bench/tether-loadgen
TICKS=$(getconf CLK_TCK)
[ -x "$LOADGEN" ] || { echo "hub-scale: $LOADGEN missing (make MODE=release bench-tools)" >&2; exit 1; }

now() { date +%s.%N; }
# field KEY LINE: the value of key=value in a loadgen line.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
# last_census KEY: KEY's value in the load generator's latest census line.
last_census() { field "$1" "$(grep '^census ' "$WORK/loadgen.out" | tail -n 1)"; }
# wait_line PATTERN FILE SECONDS: the first line of FILE matching PATTERN, once it appears.
wait_line() {
	local deadline=$((SECONDS + $3)) line
	while [ $SECONDS -lt $deadline ]; do
		line=$(grep -m1 -- "$1" "$2" 2>/dev/null) && { echo "$line"; return 0; }
		sleep 0.1
	done
	return 1
}
# pct ARGS: awk arithmetic shown with one decimal.
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

# run_tasks COUNT: RunTask in calls of 10 (ECS's maximum), then the hub's createdAt to
# startedAt per task, in ms, one a line, in $WORK/tasks.ms; RunTask call times in
# $WORK/runtask.ms.
run_tasks() {
	local count=$1 arns=() out i
	: >"$WORK/runtask.ms"
	for ((i = 0; i < count; i += 10)); do
		out=$(curl -sS -w '\n%{time_total}' -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.RunTask" \
			-H 'Content-Type: application/x-amz-json-1.1' \
			--data-binary '{"cluster":"default","taskDefinition":"sim","count":10}' "$HUB_URL/")
		calc "${out##*$'\n'} * 1000" >>"$WORK/runtask.ms"
		echo >>"$WORK/runtask.ms"
		mapfile -t -O ${#arns[@]} arns < <(jq -r '.tasks[].taskArn' <<<"${out%$'\n'*}")
	done
	local body deadline=$((SECONDS + 60))
	body=$(printf '%s\n' "${arns[@]}" | jq -R . | jq -sc '{cluster: "default", tasks: .}')
	while :; do
		json_api_call ecs describe-tasks --cli-input-json "$body" >"$WORK/tasks.json"
		jq -e '[.tasks[] | select(.lastStatus != "RUNNING")] | length == 0' "$WORK/tasks.json" \
			>/dev/null && break
		[ $SECONDS -lt $deadline ] || break
		sleep 0.2
	done
	jq -r '.tasks[] | select(.startedAt) | (.startedAt - .createdAt) * 1000' "$WORK/tasks.json" \
		>"$WORK/tasks.ms"
}

# service_tasks: the services' tasks meant to run, RUNNING and in all ("RUNNING|ALL"), read
# from the hub's database beside it (WAL: readers do not block the hub).
service_tasks() {
	sqlite3 "$WORK/hub.db" "SELECT coalesce(sum(last_status = 'RUNNING'), 0), count(*) FROM tasks
		WHERE task_group LIKE 'service:%' AND desired_status = 'RUNNING'"
}
# wait_services_steady SECONDS: until every service task asked for is RUNNING and no more than
# that is meant to run.
wait_services_steady() {
	local deadline=$((SECONDS + $1)) want=$((SERVICES * SERVICE_TASKS))
	while [ $SECONDS -lt $deadline ]; do
		[ "$(service_tasks)" = "$want|$want" ] && return 0
		sleep 0.2
	done
	return 1
}
# create_services: SERVICES services of SERVICE_TASKS tasks of "sim", one CreateService each.
create_services() {
	local i
	for ((i = 0; i < SERVICES; i++)); do
		curl -sS -o /dev/null -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.CreateService" \
			-H 'Content-Type: application/x-amz-json-1.1' --data-binary \
			"{\"cluster\":\"default\",\"serviceName\":\"svc-$i\",\"taskDefinition\":\"sim\",\"desiredCount\":$SERVICE_TASKS,\"launchType\":\"EXTERNAL\"}" \
			"$HUB_URL/"
	done
}

# percentiles LABEL < values: LABEL, count, median, p90, p99, max (nearest rank), tab-separated.
percentiles() {
	sort -n | awk -v label="$1" '{ v[NR] = $1 }
		function rank(p,    i) { i = int(p * NR + 0.999999); if (i < 1) i = 1; return v[i] }
		END { if (!NR) { printf "%s\t0\t-\t-\t-\t-\n", label; exit }
		      printf "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\n", label, NR, rank(0.5), rank(0.9), rank(0.99), v[NR] }'
}

# print_tables: the rows gathered so far, as tables.
print_tables() {
	[ ${#steady_rows[@]} -gt 0 ] && {
		printf 'agents\tenrol_s\tconnect_s\tpeak_welcomed/s\thub_cpu\thub_rss_MiB\thub_pss_MiB\tloadgen_cpu\n'
		printf '%s\n' "${steady_rows[@]}"
	} | table "Hub holding N agents on loopback; CPU over a ${WINDOW} s steady window (100% = one core)"
	[ ${#task_rows[@]} -gt 0 ] && {
		printf 'what\tcount\tmedian_ms\tp90_ms\tp99_ms\tmax_ms\n'
		printf '%s\n' "${task_rows[@]}"
	} | table "RunTask with the fleet connected (simulated agents answer at once: the hub's share only)"
	[ ${#restart_rows[@]} -gt 0 ] && {
		printf 'agents\thub_stop_s\thub_start_s\tall_back_after_kill_s\tfirst_drop_to_all_back_s\tpeak_accepted/s\tpeak_welcomed/s\tfailed_attempts\thub_cpu_s\n'
		printf '%s\n' "${restart_rows[@]}"
	} | table "Hub restart (SIGTERM, same database and port): every agent back, with the agent's jittered backoff"
	[ ${#service_rows[@]} -gt 0 ] && {
		printf 'agents\tservices\ttasks\tcreate_calls_s\tall_at_count_s\thub_cpu_without\thub_cpu_with\trestart_all_back_and_at_count_s\ttasks_meant_to_run_after\tassigned_after_restart\n'
		printf '%s\n' "${service_rows[@]}"
	} | table "Service scheduler: services of $SERVICE_TASKS tasks (pass every second), CPU over a ${WINDOW} s window (100% = one core)"
	return 0
}

steady_rows=() restart_rows=() task_rows=() service_rows=()
for n in "${SIZES[@]}"; do
	rm -f "$WORK"/hub.db* "$WORK/loadgen.out"
	unset HUB_PORT
	start_hub || { echo "hub-scale: the hub did not start" >&2; exit 1; }
	json_api_call ecs register-task-definition --cli-input-json \
		'{"family":"sim","requiresCompatibilities":["EXTERNAL"],"containerDefinitions":[{"name":"main","image":"oci:/nonexistent:sim","essential":true,"memory":64}]}' >/dev/null
	# The first connections are spread over N/400 s (25 s for 10,000), as a fleet that comes
	# up over time; the restart below is the storm.
	"$LOADGEN" --hub "$HUB_URL" --agents "$n" --ramp-ms $((n * 1000 / 400)) \
		>"$WORK/loadgen.out" 2>>"$WORK/loadgen.log" &
	LOADGEN_PID=$!
	STARTED_PIDS+=("$LOADGEN_PID")
	registered=$(wait_line '^registered' "$WORK/loadgen.out" 600) || { echo "hub-scale: enrolment of $n did not finish" >&2; break; }
	wave0=$(wait_line '^wave index=0' "$WORK/loadgen.out" 300) || { echo "hub-scale: $n agents did not all connect" >&2; break; }

	sleep 5 # let the connection wave's work settle
	h0=$(cpu_ticks "$HUB_PID") l0=$(cpu_ticks "$LOADGEN_PID") t0=$(now)
	sleep "$WINDOW"
	h1=$(cpu_ticks "$HUB_PID") l1=$(cpu_ticks "$LOADGEN_PID") t1=$(now)
	rss=$(rss_kb "$HUB_PID") pss=$(pss_kb "$HUB_PID")
	elapsed=$(calc "$t1 - $t0" 3)
	steady_rows+=("$(printf '%s\t%s\t%s\t%s\t%s%%\t%s\t%s\t%s%%' "$n" \
		"$(field seconds "$registered")" "$(field seconds "$wave0")" \
		"$(field peak_welcomed_per_s "$wave0")" \
		"$(calc "($h1 - $h0) / $TICKS / $elapsed * 100")" "$(calc "$rss / 1024")" \
		"$(calc "$pss / 1024")" "$(calc "($l1 - $l0) / $TICKS / $elapsed * 100")")")

	run_tasks 100
	task_rows+=("$(percentiles "$n agents: RunTask call (10 tasks)" <"$WORK/runtask.ms")")
	task_rows+=("$(percentiles "$n agents: createdAt to startedAt" <"$WORK/tasks.ms")")

	with_services=0
	if [ "$n" = "$LARGEST" ] && [ "$SERVICES" -gt 0 ]; then
		with_services=1
		s0=$(now)
		create_services
		s1=$(now)
		if wait_services_steady 300; then
			s2=$(now)
			h0=$(cpu_ticks "$HUB_PID") t0=$(now)
			sleep "$WINDOW"
			h1=$(cpu_ticks "$HUB_PID") t1=$(now)
			service_cpu=$(calc "($h1 - $h0) / $TICKS / $(calc "$t1 - $t0" 3) * 100")
			service_row=$(printf '%s\t%s\t%s\t%s\t%s\t%s%%\t%s%%' "$n" "$SERVICES" \
				"$((SERVICES * SERVICE_TASKS))" "$(calc "$s1 - $s0" 1)" "$(calc "$s2 - $s0" 1)" \
				"$(awk -F'\t' '{ print $5 }' <<<"${steady_rows[-1]}" | tr -d '%')" "$service_cpu")
		else
			echo "hub-scale: $SERVICES services did not reach their count: $(service_tasks)" >&2
			with_services=0
		fi
	fi

	# The restart's wave is the first to open after the kill: an agent dropped earlier (and
	# back) has had its own. A wave still open at the kill would hide the restart in it.
	waves_before=$(grep -c '^wave index=' "$WORK/loadgen.out")
	assigns_before=$(last_census assigns)
	killed=$(now)
	stop_pid "$HUB_PID" TERM
	stopped=$(now)
	start_hub || { echo "hub-scale: the hub did not restart" >&2; break; }
	restarted=$(now)
	wave1=$(wait_line "^wave index=$waves_before " "$WORK/loadgen.out" 300) || { echo "hub-scale: $n agents did not all come back" >&2; break; }
	if [ "$with_services" = 1 ]; then
		# Every agent back (the wave's end) and every service at its count, from the kill;
		# then a census taken after that tells how many tasks the agents were given anew
		# (none, when nothing ran twice).
		wait_services_steady 120 && back=$(calc "$(now) - $killed" 2) || back=-
		sleep 11
		service_rows+=("$(printf '%s\t%s\t%s\t%s' "$service_row" "$back" \
			"$(service_tasks | cut -d'|' -f2)" "$(($(last_census assigns) - assigns_before))")")
	fi
	# All the new hub's CPU since it started: the storm begins before start_hub returns (its
	# API probe waits in the accept queue with the agents).
	r1=$(cpu_ticks "$HUB_PID")
	restart_rows+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$n" \
		"$(calc "$stopped - $killed" 2)" "$(calc "$restarted - $stopped" 2)" \
		"$(calc "$(field end "$wave1") - $killed" 2)" "$(field seconds "$wave1")" \
		"$(field peak_established_per_s "$wave1")" "$(field peak_welcomed_per_s "$wave1")" \
		"$(field failures "$wave1")" "$(calc "$r1 / $TICKS" 2)")")

	stop_pid "$LOADGEN_PID" TERM
	stop_pid "$HUB_PID" TERM
	print_tables
	steady_rows=() restart_rows=() task_rows=() service_rows=()
	grep '^totals' "$WORK/loadgen.out" | sed 's/^/loadgen /'
	cp "$WORK/loadgen.out" "$WORK/loadgen-$n.log" # kept with TETHER_ARTIFACTS=DIR
done
print_tables # what a size that did not finish measured


#!/bin/bash
# RunTask to RUNNING over loopback: a real hub, a real `tether run` agent and busybox sleep
# tasks. The clock is the hub's own: createdAt (stored when RunTask places the task) and
# startedAt (stored when the agent's RUNNING arrives), both with millisecond precision, so the
# polling below only decides when to go on, never what is measured.
#
#   bench/hub-latency.sh [SEQUENTIAL_TASKS [BURST_TASKS]]     (defaults 200 and 100)
#
# Prints a table; never fails on a figure. Needs root (containers) and a release build.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TETHER_BIN_DIR=${TETHER_BIN_DIR:-$TOP/build/release}
source "$TOP/tests/lib.sh"
source "$TOP/bench/lib.sh"  # seconds_left

SEQUENTIAL=${1:-200}
BURST=${2:-100}

die() { echo "hub-latency: $*" >&2; exit 1; }

# Containers outlive their agent by design: every task still running is stopped through the
# hub before the agent and the hub are ended.
stop_everything() {
	local arns
	arns=$(json_api_call ecs list-tasks --cluster default --desired-status RUNNING 2>/dev/null |
		jq -r '.taskArns[]?')
	[ -n "$arns" ] && stop_tasks $arns
	wait_until 30 no_task_running
	on_exit
}
no_task_running() {
	[ -z "$(json_api_call ecs list-tasks --cluster default --desired-status RUNNING | jq -r '.taskArns[]?')" ] &&
		! pgrep -f "tether-monitor $WORK/" >/dev/null
}
trap stop_everything EXIT

start_hub || die "the hub did not start"
busybox_image "$WORK/image" || die "cannot build the busybox image"
make_activation --registration-limit 1 || die "create-activation failed"
NODE=$WORK/node
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null 2>&1 || die "register failed"
start_agent "$NODE"

connected() {
	json_api_call ecs describe-container-instances --cluster default --container-instances \
		"$(json_api_call ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')" |
		jq -e '.containerInstances[0].agentConnected == true'
}
wait_until 30 connected || die "the agent did not connect (see $WORK/agent.log)"

# stopTimeout 0: a stop kills at once, so stopping one task costs the next one little.
json_api_call ecs register-task-definition --cli-input-json "$(cat <<JSON
{"family": "sleeper", "requiresCompatibilities": ["EXTERNAL"],
 "containerDefinitions": [{"name": "main", "image": "oci:$WORK/image:latest",
   "essential": true, "command": ["sleep", "3600"], "stopTimeout": 0}]}
JSON
)" >/dev/null || die "register-task-definition failed"

# describe_times ARN...: "createdAt startedAt lastStatus" per task, 100 ARNs per call.
describe_times() {
	local body
	while [ $# -gt 0 ]; do
		body=$(printf '%s\n' "${@:1:100}" | jq -R . | jq -sc '{cluster: "default", tasks: .}')
		shift $(($# < 100 ? $# : 100))
		json_api_call ecs describe-tasks --cli-input-json "$body" |
			jq -r '.tasks[] | "\(.createdAt) \(.startedAt // "null") \(.lastStatus)"'
	done
}

all_running() { ! describe_times "$@" | grep -qv ' RUNNING$'; }

stop_tasks() {
	local arn
	for arn in "$@"; do
		json_api_call ecs stop-task --cluster default --task "$arn" >/dev/null
	done
}

# summary LABEL < milliseconds, one a line: count, median, p90, p99, max (nearest rank).
summary() {
	sort -n | awk -v label="$1" '{ v[NR] = $1 }
		function rank(p) { i = int(p * NR + 0.999999); if (i < 1) i = 1; return v[i] }
		END { if (NR == 0) { printf "%-28s %6d %10s %8s %8s %8s\n", label, 0, "-", "-", "-", "-"; exit }
		      printf "%-28s %6d %10.1f %8.1f %8.1f %8.1f\n", label, NR, rank(0.5), rank(0.9),
		             rank(0.99), v[NR] }'
}

# --- one task at a time: RunTask, wait for RUNNING, stop it, next
seq_ms=$WORK/sequential.ms
: >"$seq_ms"
# A busy machine slows every curl: the sequential part stops at its time budget and says so.
# It leaves 45 s of the part's time for the burst, the stops and the table.
sequential_seconds=${HUB_LATENCY_SECONDS:-150}
[ $(($(seconds_left) - 45)) -lt "$sequential_seconds" ] && sequential_seconds=$(($(seconds_left) - 45))
budget=$((SECONDS + sequential_seconds))
for i in $(seq "$SEQUENTIAL"); do
	if [ $SECONDS -ge $budget ]; then
		echo "(sequential part stopped by its time budget after $((i - 1)) of $SEQUENTIAL tasks)"
		break
	fi
	arn=$(json_api_call ecs run-task --cluster default --task-definition sleeper |
		jq -r '.tasks[0].taskArn // empty')
	[ -n "$arn" ] || die "run-task placed nothing"
	deadline=$((SECONDS + 30))
	while times=$(describe_times "$arn") && [[ "$times" == *\ P* ]]; do  # PROVISIONING, PENDING
		[ $SECONDS -lt $deadline ] || die "task $arn did not start (see $WORK/agent.log)"
		sleep 0.01
	done
	awk '$3 == "RUNNING" { printf "%.1f\n", ($2 - $1) * 1000 }' <<<"$times" >>"$seq_ms"
	stop_tasks "$arn"
done

# --- BURST tasks at once on the one node: RunTask calls of 10 (its maximum) in parallel
burst_arns=$WORK/burst.arns
: >"$burst_arns"
callers=()
for _ in $(seq $((BURST / 10))); do
	json_api_call ecs run-task --cluster default --task-definition sleeper --count 10 |
		jq -r '.tasks[].taskArn' >>"$burst_arns" &
	callers+=($!)
done
wait "${callers[@]}"
mapfile -t arns <"$burst_arns"
burst_seconds=$(($(seconds_left) - 30))
[ "$burst_seconds" -gt 120 ] && burst_seconds=120
wait_until "$burst_seconds" all_running "${arns[@]}" || echo "hub-latency: not every burst task reached RUNNING" >&2
describe_times "${arns[@]}" >"$WORK/burst.times"
stop_tasks "${arns[@]}"

echo "RunTask -> RUNNING on loopback: one tether agent (--allow-no-limits), busybox sleep tasks"
printf '%-28s %6s %10s %8s %8s %8s\n' case tasks median_ms p90_ms p99_ms max_ms
summary "sequential" <"$seq_ms"
awk '$3 == "RUNNING" { printf "%.1f\n", ($2 - $1) * 1000 }' "$WORK/burst.times" |
	summary "$BURST at once, per task"
awk '$3 == "RUNNING" { if (!n++ || $1 < first) first = $1; if ($2 > last) last = $2 }
     END { printf "%-28s %6d %10s (first createdAt to last startedAt: %.1f ms)\n",
           "'"$BURST"' at once, all running", n, "", (last - first) * 1000 }' "$WORK/burst.times"

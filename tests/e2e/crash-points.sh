#!/bin/bash
# Nothing lost, nothing run twice, wherever the agent dies. A real hub and agent on loopback:
# - every crash point of the test build (common/crash_point.c) in turn: the agent is armed to
#   kill itself there (STATE_DIR/test-crash-point), a task's whole life (assigned, started,
#   stopped, forgotten) crosses the point, the agent is started again, and the life ends as
#   it should;
# - then kill -9 at random moments, 100 times of the agent and 6 times of the hub, while tasks
#   are run and stopped through the hub's API.
# Throughout: every container appends its task's id (its hostname) to a file on a host volume,
# so a task started twice shows twice; the hub logs every task_state it applies, which must
# be the node's seqs 1, 2, 3... each once (a hub killed may not have logged what it
# committed: after its first kill, only in order), and per task PENDING, RUNNING, RUNNING
# stopping, STOPPED never going back, each but PENDING at most once; every task ends STOPPED,
# its container started once when it ran and never when it was stopped before it started.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip crash-points "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi

NODE=$WORK/node
STARTS=$WORK/starts
mkdir -p "$STARTS"
: >"$STARTS/log"
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT
test_started=$SECONDS

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
activation=$(json_api_call ssm create-activation --iam-role tether) || { fail create_activation; exit 1; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default \
	--activation-id "$(jq -r .ActivationId <<<"$activation")" \
	--activation-code "$(jq -r .ActivationCode <<<"$activation")" --state-dir "$NODE" \
	>/dev/null || { fail register; exit 1; }
json_api_call ecs register-task-definition --cli-input-json "$(jq -nc \
	--arg image "oci:$WORK/image:latest" --arg starts "$STARTS" \
	'{family: "once", requiresCompatibilities: ["EXTERNAL"],
	  volumes: [{name: "starts", host: {sourcePath: $starts}}],
	  containerDefinitions: [{name: "main", image: $image, essential: true, stopTimeout: 5,
	    mountPoints: [{sourceVolume: "starts", containerPath: "/starts"}],
	    command: ["sh", "-c", "hostname >>/starts/log; trap \"exit 0\" TERM; sleep 100000 & wait"]}]}')" \
	>/dev/null || { fail register_task_definition; exit 1; }

INSTANCE=$(json_api_call ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')

# --- the agent, started again whenever it died

DEATHS=()  # exit status of every agent that ended by itself
ALL=()     # every task run

start_agent "$NODE"
# revive: the agent died (its crash point, or a kill): start it again.
revive() {
	kill -0 "$AGENT_PID" 2>/dev/null && return 0
	local status=0
	wait "$AGENT_PID" || status=$?
	DEATHS+=("$status")
	stop_pid "$AGENT_PID"
	start_agent "$NODE"
}
died_since() { [ ${#DEATHS[@]} -gt "$1" ]; } # COUNT: more agents died than COUNT
# until_true SECONDS COMMAND...: wait_until, reviving the agent meanwhile.
until_true() {
	local limit=$1
	shift
	local deadline=$((SECONDS + limit))
	while [ $SECONDS -lt $deadline ]; do
		revive
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	"$@" >/dev/null 2>&1
}
CRASH_FILE=test-crash-point
# check_now NAME COMMAND...: check, in this shell (the agent may be started again meanwhile).
check_now() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "${WHY:-}"; fi
}

# --- the hub's and the node's views

# The hub's API with curl alone, and its answers read by bash: a round costs few processes.
ecs() { # ACTION BODY: the answer, when 200
	curl -sf -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" \
		-H 'Content-Type: application/x-amz-json-1.1' --data-binary "$2" "$HUB_URL/"
}
run_one() {
	local out
	out=$(ecs RunTask '{"cluster": "default", "launchType": "EXTERNAL", "taskDefinition": "once"}') &&
		[[ $out =~ \"taskArn\":\ *\"([^\"]+)\" ]] && echo "${BASH_REMATCH[1]}"
}
stop_one() { ecs StopTask "{\"cluster\": \"default\", \"task\": \"$1\"}" >/dev/null; }
# The node's agent is connected (RunTask places tasks on connected instances only).
connected() {
	local out
	out=$(ecs DescribeContainerInstances "{\"cluster\": \"default\", \"containerInstances\": [\"$INSTANCE\"]}") &&
		[[ $out =~ \"agentConnected\":\ *true ]]
}
statuses() { # ARN... -> "ARN lastStatus desiredStatus" lines (up to 100 ARNs)
	json_api_call ecs describe-tasks --cli-input-json \
		"$(jq -nc '{cluster: "default", tasks: $ARGS.positional}' --args "$@")" |
		jq -r '.tasks[] | "\(.taskArn) \(.lastStatus) \(.desiredStatus)"'
}
hub_status_is() { # ARN STATUS...: its lastStatus (the task's comes before its containers') is one of them
	local arn=$1 out
	shift
	out=$(ecs DescribeTasks "{\"cluster\": \"default\", \"tasks\": [\"$arn\"]}") &&
		[[ $out =~ \"lastStatus\":\ *\"([A-Z]+)\" ]] && [[ " $* " == *" ${BASH_REMATCH[1]} "* ]]
}
node_sql() { sqlite3 -readonly "$NODE/state.db" "$1"; }
# The node forgot the task (or never had it): not among its tasks, nothing in the outbox.
forgotten() { # ARN
	[ "$(node_sql "SELECT (SELECT count(*) FROM tasks WHERE arn = '$1')
		|| (SELECT count(*) FROM outbox)")" = 00 ]
}
starts_of() { # ARN or task id: how many times its container started
	local id=${1##*/}
	grep -cx "${id:0:12}" "$STARTS/log"
}

# --- every crash point, crossed by a task's whole life

# The crossings of a point to test: the first, and for the acks also the stop's. ":early" stops
# the task as soon as the agent acknowledged it, most likely while its images are still
# prepared.
crossings() {
	case "$1" in
	ack-written) echo 1 2 2:early ;;
	stop-received) echo 1 1:early ;;
	*) echo 1 ;;
	esac
}
mapfile -t POINTS < <(sed -nE 's/^\t\{ "([a-z-]+)", ".*/\1/p' "$TOP/common/crash_point.c")
check crash_points_listed test "${#POINTS[@]}" -ge 15
# Every point named in the table is crossed somewhere in the agent's code.
unused=$(for p in "${POINTS[@]}"; do
	grep -rqF "\"$p\"" "$TOP"/agent "$TOP"/runtime || echo "$p"
done)
check every_crash_point_is_in_the_code test -z "$unused"

armed() { # MARK POINT HIT: the agent's log says it armed the point after line MARK
	tail -n +"$(($1 + 1))" "$WORK/agent.log" | grep -q "Test hook: crash point $2 armed for crossing $3 "
}
# life POINT HIT [early]: one task's life with the agent armed to die at POINT's HIT-th
# crossing (the running agent takes the file up at its next tick); sets WHY when something
# did not hold.
life() {
	local point=$1 hit=$2 early=${3:-} before=${#DEATHS[@]} mark arn died
	until_true 30 connected || { WHY="the agent did not connect"; return 1; }
	mark=$(wc -l <"$WORK/agent.log")
	echo "$point $hit" >"$NODE/$CRASH_FILE"
	until_true 10 armed "$mark" "$point" "$hit" || { WHY="the agent did not arm the point"; return 1; }
	arn=$(run_one) || { WHY="RunTask failed"; return 1; }
	ALL+=("$arn")
	if [ -z "$early" ]; then
		until_true 30 hub_status_is "$arn" RUNNING || { WHY="never RUNNING"; return 1; }
	else
		# Acknowledged (PROVISIONING no more), most likely not yet started.
		until_true 30 hub_status_is "$arn" PENDING RUNNING || { WHY="never acknowledged"; return 1; }
	fi
	stop_one "$arn"
	until_true 30 hub_status_is "$arn" STOPPED || { WHY="never STOPPED"; return 1; }
	until_true 30 forgotten "$arn" || { WHY="not forgotten by the node"; return 1; }
	until_true 10 died_since "$before"
	died=$(tail -n +"$((mark + 1))" "$WORK/agent.log" | grep -c "Test hook: crash point $point, crossing $hit:")
	[ "$died" = 1 ] || { WHY="the agent did not die there ($died times)"; return 1; }
	[ "${#DEATHS[@]}" = $((before + 1)) ] || { WHY="$((${#DEATHS[@]} - before)) deaths"; return 1; }
	[ "${DEATHS[-1]}" = 137 ] || { WHY="the agent ended with ${DEATHS[-1]}, not SIGKILL"; return 1; }
	local starts
	starts=$(starts_of "$arn")
	if [ -z "$early" ] && [ "$starts" != 1 ]; then
		WHY="container started $starts times"
		return 1
	fi
	[ "$starts" -le 1 ] || { WHY="container started $starts times"; return 1; }
}

for point in "${POINTS[@]}"; do
	for crossing in $(crossings "$point"); do
		hit=${crossing%%:*}
		early=
		[ "$crossing" != "$hit" ] && early=early
		WHY=
		check_now "crash_at_${point}_${hit}${early:+_early}" life "$point" "$hit" $early
	done
done
echo "crash points: $((SECONDS - test_started)) s"

# --- kill -9 at random moments while tasks come and go: 100 of the agent, 6 of the hub

# One operator action: two tasks run for one stopped (one that may not have started yet).
RUNNING_ARNS=()
operate() { # ROUND
	if [ $(($1 % 3)) != 0 ] || [ ${#RUNNING_ARNS[@]} = 0 ]; then
		arn=$(run_one) && { ALL+=("$arn"); RUNNING_ARNS+=("$arn"); }
	else
		local i=$((RANDOM % ${#RUNNING_ARNS[@]}))
		stop_one "${RUNNING_ARNS[$i]}"
		unset "RUNNING_ARNS[$i]"
		RUNNING_ARNS=("${RUNNING_ARNS[@]}")
	fi
}
pause() { sleep "0.$(printf '%02d' $((RANDOM % $1)))"; } # up to $1 hundredths of a second
kills_started=$SECONDS
# Each round: the agent starts; after a random while one action (a RunTask fails while the
# agent is not connected; a StopTask waits in the hub's queue); after another random while,
# kill -9 (some agents die resuming, some before they connected).
for round in $(seq 100); do
	pause 40
	operate "$round" && pause 15
	stop_pid "$AGENT_PID" KILL
	start_agent "$NODE"
done
echo "agent killed 100 times: $((SECONDS - kills_started)) s"
# What the hub logged before it was killed too: each line it applied since may have been
# committed by a hub killed before it logged it.
before_hub_kills=$(wc -l <"$WORK/hub.log")
kills_started=$SECONDS
for round in $(seq 6); do
	until_true 30 connected
	operate "$round"
	pause 40
	stop_pid "$HUB_PID" KILL
	start_hub || { fail hub_starts_again "see hub.log"; break; }
done
echo "hub killed 6 times: $((SECONDS - kills_started)) s"

# The tasks still wanted run; then every task is stopped and forgotten.
all_in() { # STATUS: every task the test ran but did not stop has it (WHY: those that do not)
	[ ${#RUNNING_ARNS[@]} = 0 ] && return 0
	WHY=$(statuses "${RUNNING_ARNS[@]}" | awk -v s="$1" '$2 != s { printf " %s %s", $1, $2 }')
	[ -z "$WHY" ]
}
check_now tasks_still_wanted_run until_true 60 all_in RUNNING
for arn in "${RUNNING_ARNS[@]}"; do stop_one "$arn"; done
# describe-tasks of every task run: "ARN lastStatus desiredStatus exitCode" lines.
describe_all() {
	local i
	for ((i = 0; i < ${#ALL[@]}; i += 100)); do
		json_api_call ecs describe-tasks --cli-input-json \
			"$(jq -nc '{cluster: "default", tasks: $ARGS.positional}' --args "${ALL[@]:i:100}")" |
			jq -r '.tasks[] | "\(.taskArn) \(.lastStatus) \(.desiredStatus) \(.containers[0].exitCode)"'
	done
}
every_task_stopped() {
	[ "$(describe_all | awk '$2 == "STOPPED" && $3 == "STOPPED"' | wc -l)" = ${#ALL[@]} ]
}
check_now every_task_stopped until_true 60 every_task_stopped
node_empty() { [ "$(node_sql "SELECT (SELECT count(*) FROM tasks) || (SELECT count(*) FROM outbox)")" = 00 ]; }
check_now node_forgot_every_task until_true 30 node_empty

# --- the invariants over everything

# Every container started at most once, and exactly once for a task whose container has an
# exit code (it ran, and ended on its stop).
twice= counted=
while read -r arn _ _ code; do
	starts=$(starts_of "$arn")
	[ "$starts" -gt 1 ] && twice+=" ${arn##*/}"
	want=1
	[ "$code" = null ] && want=0
	[ "$starts" != "$want" ] && counted+=" ${arn##*/}($starts starts, exit code $code)"
done < <(describe_all)
verdict() { # NAME WHAT-WENT-WRONG
	if [ -z "$2" ]; then pass "$1"; else fail "$1" "$2"; fi
}
verdict no_container_started_twice "$twice"
verdict each_task_ran_once_or_never_started "$counted"

APPLIED=$WORK/applied
# "SEQ TASK STATE": STATE is the status, and for a task stopping or stopped its stop code.
applied() {
	sed -nE 's/.*: task_state ([0-9]+) applied: task ([0-9a-f]+) ([A-Z]+)( \(([A-Za-z]+)\))?$/\1 \2 \3\5/p'
}
applied <"$WORK/hub.log" >"$APPLIED"
head -n "$before_hub_kills" "$WORK/hub.log" | applied >"$APPLIED.before"
check states_applied_are_seqs_1_to_n awk '$1 != NR { print "line " NR ": seq " $1; bad = 1; exit }
	END { exit bad || NR == 0 }' "$APPLIED.before"
check states_applied_in_seq_order awk '$1 <= last { print "seq " $1 " after " last; bad = 1 }
	{ last = $1 } END { exit bad }' "$APPLIED"
# PENDING (twice: the images' pull started, then ended), RUNNING, RUNNING with a stop code
# (stopping), STOPPED: in that order, and each but PENDING once.
check states_never_go_back_nor_repeat awk '
	{ rank = $3 ~ /^PENDING/ ? 1 : $3 == "RUNNING" ? 2 : $3 ~ /^RUNNING/ ? 3 : 4 }
	rank < last[$2] { print "task " $2 ": " $3 " after a later state"; bad = 1 }
	{ last[$2] = rank; n[$2 " " rank]++ }
	rank > 1 && n[$2 " " rank] > 1 { print "task " $2 ": " $3 " applied twice"; bad = 1 }
	END { exit bad }' "$APPLIED"
# Each task stopped before the hub was killed: its container started once when the hub
# applied a RUNNING of it (stopping or not), else never.
never=$(awk '$3 ~ /^STOPPED/ { print $2 }' "$APPLIED.before" | while read -r id; do
	ran=$(grep -c "^[0-9]* $id RUNNING" "$APPLIED.before")
	[ "$((ran > 0))" = "$(starts_of "$id")" ] || echo -n " $id($ran RUNNING, $(starts_of "$id") starts)"
done)
verdict each_start_reported_running "$never"
check tasks_were_run test "${#ALL[@]}" -gt 40
# Killed like all the others: an agent's SIGTERM exit under the sanitizers took seconds here.
stop_pid "$AGENT_PID" KILL
echo "crash-points.sh: ${#ALL[@]} tasks, $(wc -l <"$APPLIED") states applied, $((SECONDS - test_started)) s"

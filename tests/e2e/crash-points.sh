#!/bin/bash
# Nothing lost, nothing run twice, wherever the agent dies. A real hub and agent on loopback:
# - every crash point of the test build (common/crash_point.c) in turn: the agent is armed to
#   kill itself there (STATE_DIR/test-crash-point), a task's whole life (assigned, started,
#   stopped, forgotten) crosses the point, the agent is started again, and the life ends as
#   it should;
# - then kill -9 of the agent at 100 random moments while tasks are run and stopped through
#   the hub's API (tests/e2e/hub-kills.sh kills the hub the same way).
# Throughout: every container appends its task's id (its hostname) to a file on a host volume,
# so a task started twice shows twice; the hub logs every task_state it applies, which must
# be the node's seqs 1, 2, 3... each once, and per task PENDING, RUNNING, RUNNING
# stopping, STOPPED never going back, each but PENDING at most once; every task ends STOPPED,
# its container started once when it ran and never when it was stopped before it started.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/faults.sh"

test_started=$SECONDS
faults_start crash-points
died_since() { [ ${#DEATHS[@]} -gt "$1" ]; } # COUNT: more agents died than COUNT
CRASH_FILE=test-crash-point
hub_status_is() { # ARN STATUS...: its lastStatus (the task's comes before its containers') is one of them
	local arn=$1 out
	shift
	out=$(ecs DescribeTasks "{\"cluster\": \"default\", \"tasks\": [\"$arn\"]}") &&
		[[ $out =~ \"lastStatus\":\ *\"([A-Z]+)\" ]] && [[ " $* " == *" ${BASH_REMATCH[1]} "* ]]
}
# The node forgot the task (or never had it): not among its tasks, nothing in the outbox.
forgotten() { # ARN
	[ "$(node_sql "SELECT (SELECT count(*) FROM tasks WHERE arn = '$1')
		|| (SELECT count(*) FROM outbox)")" = 00 ]
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

# --- kill -9 of the agent at random moments while tasks come and go

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

faults_wind_down
faults_check_starts
faults_check_states "$WORK/hub.log"
check tasks_were_run test "${#ALL[@]}" -gt 40
# Killed like all the others: an agent's SIGTERM exit under the sanitizers took seconds here.
stop_pid "$AGENT_PID" KILL
echo "crash-points.sh: ${#ALL[@]} tasks, $(grep -c . "$WORK/applied") states applied, $((SECONDS - test_started)) s"

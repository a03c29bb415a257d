#!/bin/bash
# Nothing lost, nothing run twice, wherever the hub dies: kill -9 of the hub at 100 random
# moments while tasks are run and stopped through its API and the node starts, reports and
# forgets them (the agent's own deaths are tests/e2e/crash-points.sh's). After each kill the
# hub is started again on the same database and port, and the agent comes back with its
# reconnection backoff and reconciles.
# Checks (tests/faults.sh): every task ends STOPPED, its container (which counts its starts on
# a host volume) started once when it ran and never when it was stopped before it started;
# every task_state the node sent was applied once and in seq order (a seq missing from the
# hub's log only where a kill came between its commit and its log line), and in the end the
# hub holds the node's last seq; per task, states never go back nor repeat.
# make check: runs beside the others
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/faults.sh"

test_started=$SECONDS
faults_start hub-kills

# Each round: once the node is connected, one action (two RunTasks for one StopTask), then a
# random while (up to 0.6 s: the hub may be sending the assignment, applying the node's
# task_states, or idle) before kill -9. Every fifth round kills the hub at once after the
# action, while the assignment is most likely on its way.
restarts_failed=0
for round in $(seq 100); do
	until_true 30 connected || { fail "connected_before_round_$round" "see agent.log"; break; }
	operate "$round"
	[ $((round % 5)) = 0 ] || pause 60
	kill_hub
	start_hub || { restarts_failed=1; fail hub_starts_again "see hub.log"; break; }
done
echo "hub killed 100 times: $((SECONDS - test_started)) s"
check every_hub_restart_started test "$restarts_failed" = 0
check_now node_connected_after_the_last_kill until_true 30 connected

faults_wind_down
faults_check_starts
faults_check_states "$WORK/hub.log"
check tasks_were_run test "${#ALL[@]}" -gt 40
check hub_was_killed_100_times test "$(grep -cx "$HUB_KILLED_MARK" "$WORK/hub.log")" = 100
check agent_never_died test "${#DEATHS[@]}" = 0
stop_pid "$AGENT_PID" KILL
echo "hub-kills.sh: ${#ALL[@]} tasks, $(grep -vc killed "$WORK/applied") states applied, $((SECONDS - test_started)) s"

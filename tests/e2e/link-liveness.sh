#!/bin/bash
# An idle link stays up: both ends ping after a heartbeat period of silence and hang up only
# after three unanswered ones. The period is shortened to 2 s with the hub's documented knob
# (--heartbeat-seconds, passed to the agent in the welcome); the code is the same as with the
# 20 s default. Then each end is frozen in turn to show that the other one does hang up.
source "$(dirname "$0")/../lib.sh"

PERIOD=2
HANG_UP=$((3 * PERIOD))
start_hub --heartbeat-seconds "$PERIOD" || { fail hub_starts "see hub.log"; exit 1; }
NODE=$WORK/node
join_node "$NODE" || { fail join_node "activation or registration failed"; exit 1; }
check agent_connects wait_until 20 instance_connected

disconnected() { ! agent_connected; }

# Five hang-up periods of an idle link, looked at about twice a second (less on a loaded host:
# each look is two API calls; at least one look per period is asked, the logs below cover the
# rest).
samples=0 drops=0
deadline=$((SECONDS + 5 * HANG_UP))
while [ $SECONDS -lt $deadline ]; do
	samples=$((samples + 1))
	agent_connected || drops=$((drops + 1))
	sleep 0.5
done
check idle_link_stays_connected_for_five_hang_up_periods test "$drops" = 0 -a "$samples" -ge 5
check agent_connected_once test "$(grep -c "Connected to the hub" "$WORK/agent.log")" = 1
check agent_never_lost_the_link bash -c "! grep -q 'Hub link lost' '$WORK/agent.log'"
# The hub's link summary (every 10 s) counts ended links; none may have ended.
sleep 10
check hub_ended_no_link bash -c "! grep -E ' [1-9][0-9]* ended' '$WORK/hub.log'"

# A frozen agent answers no ping: the hub hangs up after three periods.
kill -STOP "$AGENT_PID"
check hub_hangs_up_on_a_silent_agent wait_until $((HANG_UP + 10)) disconnected
kill -CONT "$AGENT_PID"
check agent_comes_back wait_until 20 agent_connected

# A frozen hub answers no ping: the agent hangs up after three periods, and reconnects.
kill -STOP "$HUB_PID"
check agent_hangs_up_on_a_silent_hub wait_until $((HANG_UP + 10)) \
	grep -q "nothing heard from the hub for $HANG_UP s" "$WORK/agent.log"
kill -CONT "$HUB_PID"
check agent_reconnects_to_the_hub wait_until 20 agent_connected

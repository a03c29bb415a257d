#!/bin/bash
# `tether run` as systemd sees it (Type=notify, WatchdogSec=), against a stand-in for systemd's
# notification socket (tests/notify-listen.py): READY=1 comes with the first verdict on the hub
# even when the hub is down, the STATUS= line follows the hub going away and coming back, and
# WATCHDOG=1 comes at half of $WATCHDOG_USEC while the event loop turns, and not while the
# test hook blocks it (agent/daemon/test_hooks.h). The agent takes its options from TETHER_*
# keys of its environment, as the unit passes them from /etc/tether/tether.conf.
source "$(dirname "$0")/../lib.sh"

NODE=$WORK/node
NOTIFY=$WORK/notify.log
start_hub || { fail hub_starts "see hub.log"; exit 1; }
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null || { fail register; exit 1; }

# An unknown key stops the agent before it does anything, naming every such key.
out=$(TETHER_STATE_DIR=$NODE TETHER_STATEDIR=x TETHER_PID_MAX=1 "$BIN/tether" run 2>&1)
check unknown_keys_refused_exit_2 test $? = 2
check unknown_keys_all_named grep -Eq "unknown configuration keys in the environment: (TETHER_STATEDIR, TETHER_PID_MAX|TETHER_PID_MAX, TETHER_STATEDIR) " <<<"$out"
out=$(TETHER_STATE_DIR=$NODE TETHER_PIDS_MAX=lots "$BIN/tether" run 2>&1)
check bad_key_value_named grep -q "TETHER_PIDS_MAX: takes a number from 1 to [0-9]*, not 'lots'" <<<"$out"

"$TOP/tests/notify-listen.py" "$WORK/notify" "$NOTIFY" >>"$WORK/listener.log" 2>&1 &
STARTED_PIDS+=("$!")
wait_until 10 test -S "$WORK/notify" || { fail notify_listener_starts; exit 1; }

# The hub is down when the agent starts: it must still become ready.
stop_pid "$HUB_PID"
limits=true
[ -n "${TETHER_IN_VM:-}" ] && limits=false
NOTIFY_SOCKET=$WORK/notify WATCHDOG_USEC=1000000 WATCHDOG_PID= \
	TETHER_STATE_DIR=$NODE TETHER_ALLOW_NO_LIMITS=$limits \
	TETHER_API_SOCKET=$NODE/api.sock TETHER_METADATA_ADDRESS=off \
	"$BIN/tether" run >>"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
STARTED_PIDS+=("$AGENT_PID")

status_lines() { grep -o 'STATUS=[^|]*' "$NOTIFY" | cut -d= -f2-; }
last_status() { status_lines | tail -n 1; }
last_status_is() { last_status | grep -q "$1"; }
check ready_while_hub_down wait_until 20 grep -q 'READY=1|STATUS=Hub .* unreachable since' "$NOTIFY"
check ready_sent_once test "$(grep -c 'READY=1' "$NOTIFY")" = 1
check status_says_why_and_when_it_retries \
	grep -Eq 'unreachable since [0-9-]+ [0-9:]+ [A-Z+0-9-]+ \(.+\), retrying in [0-9.]+ s; 0 tasks running' \
	<<<"$(last_status)"
check state_dir_from_the_environment test -S "$NODE/agent.sock" -o -e "$NODE/agent.lock"

start_hub || { fail hub_restarts "see hub.log"; exit 1; }
check status_connected_when_hub_comes wait_until 40 last_status_is "^Connected to ws://127.0.0.1:$HUB_PORT/.*, 0 tasks running"

stop_pid "$HUB_PID"
check status_unreachable_when_hub_goes wait_until 20 last_status_is "unreachable since"
start_hub || { fail hub_restarts_again "see hub.log"; exit 1; }
check status_connected_when_hub_is_back wait_until 40 last_status_is "^Connected to"

if [ "$(id -u)" = 0 ]; then
	busybox_image "$WORK/image"
	TASK_ARN=$(run_idle_task "$WORK/image")
	check status_counts_running_tasks wait_until 60 last_status_is ", 1 task running$"
else
	skip status_counts_running_tasks "needs root (namespaces, cgroups)"
fi

# Keep-alives every half interval (0.5 s) while the loop turns.
watchdogs() { grep -c ' WATCHDOG=1$' "$NOTIFY"; }
before=$(watchdogs)
sleep 3
check watchdog_kept_at_half_the_interval test $(($(watchdogs) - before)) -ge 4

# The loop blocked for 4 s: no keep-alive meanwhile, and they come again afterwards.
mark=$(wc -l <"$NOTIFY")
echo 4 >"$NODE/test-block-loop"
check test_hook_blocks_the_loop wait_until 10 grep -q "Test hook: blocking the event loop for 4 s" "$WORK/agent.log"
sleep 6

# From the last line before the block: the keep-alive just before it starts the gap.
gap=$(tail -n +"$mark" "$NOTIFY" | awk '/ WATCHDOG=1$/ { if (last && $1 - last > max) max = $1 - last; last = $1 } END { printf "%d", max * 1000 }')
check no_watchdog_while_the_loop_is_blocked test "$gap" -ge 3500 -a "$gap" -lt 6000
after=$(watchdogs)
sleep 2
check watchdog_resumes_after_the_block test $(($(watchdogs) - after)) -ge 2

if [ -n "${TASK_ARN:-}" ]; then
	json_api_call ecs stop-task --cluster default --task "$TASK_ARN" >/dev/null
	check status_counts_the_stopped_task wait_until 30 last_status_is ", 0 tasks running$"
fi

stop_pid "$AGENT_PID"
check stopping_sent grep -q 'STOPPING=1|STATUS=Stopping; tasks keep running' "$NOTIFY"

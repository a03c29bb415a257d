#!/bin/bash
# tether.service under systemd as PID 1, installed as a package lays it out: the unit waits
# for the node's identity, `systemctl start` returns once the agent is ready and `systemctl
# status` shows its STATUS= line, /etc/tether/tether.conf's keys take effect, a task runs.
# Then a hung agent: the test hook (agent/daemon/test_hooks.h, test builds only) blocks the
# event loop, the watchdog (WatchdogSec=6s from a drop-in, the documented knob) kills it,
# systemd restarts it, and the container is the same process, RUNNING at the hub. A
# `systemctl restart` keeps it too.
source "$(dirname "$0")/../../lib.sh"

STATE=/var/lib/tether
IMAGE=$BIN/tests/security-image
[ -f "$IMAGE/index.json" ] || { fail security-image "$IMAGE missing (make MODE=test unit-tests)"; exit 0; }

# The guest's root is an overlay: the agent's container roots (overlayfs upper dirs) need a
# real filesystem below the state folder.
mkdir -p "$STATE" && mount -t tmpfs -o mode=0700 tmpfs "$STATE" || { fail state_tmpfs; exit 1; }
check package_installs "$TOP/packaging/install-files.sh" / "$BIN"
mkdir -p /etc/systemd/system/tether.service.d
cat >/etc/systemd/system/tether.service.d/test.conf <<UNIT
[Service]
WatchdogSec=6s
RestartSec=1s
Environment=ASAN_OPTIONS=detect_leaks=1:log_path=$TMPDIR/sanitizer
UNIT
echo "TETHER_PIDS_MAX=77" >>/etc/tether/tether.conf
systemctl daemon-reload

unit() { systemctl show -p "$1" --value tether; }
main_pid() { unit MainPID; }

# Not registered yet: the unit is skipped, not failed.
systemctl start tether
check unit_skipped_without_identity test "$(unit ConditionResult)" = no
check unit_inactive_without_identity test "$(unit ActiveState)" = inactive

start_hub || { fail hub_starts "see hub.log"; exit 1; }
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
check node_registers "$BIN/tether" register --hub "$HUB_URL" --cluster default \
	--activation-id "$ACT_ID" --activation-code "$ACT_CODE"

check systemctl_start_succeeds timeout 120 systemctl start tether
check unit_active test "$(unit ActiveState)" = active
check unit_condition_met test "$(unit ConditionResult)" = yes
status_connected() { systemctl status tether | grep -q "Status: \"Connected to ws://127.0.0.1:$HUB_PORT/"; }
check systemctl_status_shows_connected wait_until 60 status_connected
check agent_connected_at_hub wait_until 60 agent_connected

TASK=$(run_idle_task "$IMAGE")
task_status() { json_api_call ecs describe-tasks --cluster default --tasks "$TASK" | jq -r '.tasks[0].lastStatus'; }
task_running() { [ "$(task_status)" = RUNNING ]; }
check task_runs wait_until 120 task_running
PID_FILE=$STATE/tasks/${TASK##*/}/main/pid
CONTAINER=$(cat "$PID_FILE" 2>/dev/null)
check container_pid_known kill -0 "${CONTAINER:-0}"
cgroup=$(cut -d: -f3 "/proc/$CONTAINER/cgroup" 2>/dev/null)
check conf_pids_max_takes_effect test "$(cat "/sys/fs/cgroup$cgroup/pids.max" 2>/dev/null)" = 77
check status_counts_the_task wait_until 30 bash -c 'systemctl status tether | grep -q "Status: \"Connected to .*, 1 task running\""'

# The loop hangs: no WATCHDOG=1, systemd kills the agent after 6 s and starts it again.
hung=$(main_pid)
since=$(date '+%Y-%m-%d %H:%M:%S')
echo 600 >"$STATE/test-block-loop"
restarted() { local p; p=$(main_pid); [ "$p" != 0 ] && [ "$p" != "$hung" ] && [ "$(unit ActiveState)" = active ]; }
check watchdog_restarts_the_hung_agent wait_until 90 restarted
check journal_shows_watchdog_timeout bash -c "journalctl -u tether --since '$since' --no-pager | grep -qi 'watchdog timeout'"
check hung_agent_gone bash -c "! kill -0 $hung 2>/dev/null"
check container_survives_watchdog_restart test "$(cat "$PID_FILE")" = "$CONTAINER" -a -d "/proc/$CONTAINER"
check reconnected_after_watchdog_restart wait_until 60 status_connected
check task_running_after_watchdog_restart wait_until 30 task_running

before=$(main_pid)
check systemctl_restart_succeeds timeout 120 systemctl restart tether
check restart_is_a_new_agent test "$(main_pid)" != "$before"
check container_survives_systemctl_restart test "$(cat "$PID_FILE")" = "$CONTAINER" -a -d "/proc/$CONTAINER"
check reconnected_after_systemctl_restart wait_until 60 status_connected
check task_running_after_systemctl_restart wait_until 30 task_running

json_api_call ecs stop-task --cluster default --task "$TASK" >/dev/null
task_stopped() { [ "$(task_status)" = STOPPED ]; }
check task_stops wait_until 60 task_stopped
systemctl stop tether
check unit_stops test "$(unit ActiveState)" = inactive

# A misspelt key: the agent refuses to start, names it, and is not restarted in a loop.
cp /etc/tether/tether.conf "$WORK/tether.conf"
echo "TETHER_PID_MAX=50" >>/etc/tether/tether.conf
check start_fails_with_unknown_key bash -c '! timeout 120 systemctl start tether'
sleep 3
check unknown_key_unit_failed test "$(unit ActiveState)" = failed
check unknown_key_not_restarted test "$(unit NRestarts)" = 0
check unknown_key_named_in_journal bash -c 'journalctl -u tether --no-pager | grep -q "unknown configuration key in the environment: TETHER_PID_MAX"'
cp "$WORK/tether.conf" /etc/tether/tether.conf
systemctl reset-failed tether
check starts_again_once_fixed timeout 120 systemctl start tether
systemctl stop tether

#!/bin/bash
# Tasks come back after a reboot with no hub reachable. The agent's state lives on the guest's
# disk (/dev/vda, ext4, kept across the reset by tests/vm/run.sh). First boot: a hub and the
# agent as tether.service run two tasks ("solo", whose container counts its starts in a task
# volume, and "pair", whose "app" depends on its "base"); the hub is stopped (another machine,
# out of reach from now on) and the guest is reset without a clean shutdown (sysrq b: the agent,
# the monitors and the containers die with it, /run and the cgroups are gone). Second boot
# (tether.again=reboot): tether.service starts with no hub; the tasks run again, timed from the
# agent's start ("measured:"; only a generous bound is checked), in dependsOn order. Then the
# hub starts on its database and the agent's history reaches it: each task_state once, in seq
# order, the restarts counted (restartCount 1) with their reason. The reset is a power cut for
# the agent: what it and the monitors wrote without fsync may come back empty.
#
# clean-reboot.sh runs this with REBOOT_CLEAN=1: the first boot ends in `systemctl reboot`,
# which stops tether.service first (KillMode=process: the agent alone, which notes that the
# host is shutting down), then the monitors and their containers, whose ends the monitors
# record; the second boot checks the same, and that those ends were taken for the shutdown's.
source "$(dirname "$0")/../../lib.sh"
clean=${REBOOT_CLEAN:-0}
name=$(basename "$0" .sh)
# The second boot names the test it is for (tests/vm/run.sh).
phase=1
[[ " $(cat /proc/cmdline) " == *" tether.again=$name "* ]] && phase=2

DISK=/dev/vda
PERSIST=/var/lib/tether-vm-disk
STATE=/var/lib/tether
SANITIZER_DIR=$TMPDIR

mkdir -p "$PERSIST" "$STATE"
if [ "$phase" = 1 ]; then
	check disk_is_there test -b "$DISK"
fi
mount -t ext4 "$DISK" "$PERSIST" || { fail disk_mounts "$DISK"; exit 1; }
# Each test of this script (reboot, clean-reboot) has a folder of its own on the disk, which
# outlives this boot and the other test's.
mkdir -p "$PERSIST/$name/agent" "$PERSIST/$name/work"
chmod 0700 "$PERSIST/$name/agent"
mount --bind "$PERSIST/$name/agent" "$STATE" || { fail state_on_disk; exit 1; }
# The test's files (the hub's database and log, the image) are on the disk too.
rmdir "$WORK"
WORK=$PERSIST/$name/work
cleanup() {
	systemctl stop tether 2>/dev/null
	on_exit
	kill_task_cgroups "$STATE"
	umount -l "$STATE" 2>/dev/null
	umount -l "$PERSIST" 2>/dev/null
}
trap cleanup EXIT

# The overlay root starts afresh at each boot: the package is laid out again.
check package_installs "$TOP/packaging/install-files.sh" / "$BIN"
mkdir -p /etc/systemd/system/tether.service.d
cat >/etc/systemd/system/tether.service.d/test.conf <<UNIT
[Service]
Environment=ASAN_OPTIONS=detect_leaks=1:log_path=$SANITIZER_DIR/sanitizer
UNIT
# The journal does not outlive the reboot: the agent's last words go to the console too.
[ "$clean" = 1 ] && printf 'StandardOutput=journal+console\nStandardError=journal+console\n' \
	>>/etc/systemd/system/tether.service.d/test.conf
systemctl daemon-reload

folder() { echo "$STATE/tasks/${1##*/}/$2"; }
# The container runs, started in this boot: its pid file is newer than the boot.
booted_at=$(awk -v now="$(date +%s.%N)" '{ printf "%.3f", now - $1 }' /proc/uptime)
runs_now() { container_runs_since "$(folder "$1" "$2")" "$booted_at"; } # ARN CONTAINER
tasks_running() {
	runs_now "$SOLO" main && runs_now "$PAIR" base && runs_now "$PAIR" app
}
if [ "$phase" = 1 ]; then
	HUB_PORT=$((35000 + RANDOM % 1000))
	echo "$HUB_PORT" >"$WORK/hub_port"
	start_hub || { fail hub_starts "see hub.log"; exit 1; }
	make_activation --registration-limit 1 || { fail create_activation; exit 1; }
	check node_registers "$BIN/tether" register --hub "$HUB_URL" --cluster default \
		--activation-id "$ACT_ID" --activation-code "$ACT_CODE"
	check agent_starts timeout 120 systemctl start tether
	check agent_connected_at_hub wait_until 60 agent_connected
	busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
	run_reboot_tasks "oci:$WORK/image:latest" || { fail run_tasks; exit 1; }
	echo "$SOLO $PAIR" >"$WORK/tasks"
	check tasks_run_before_the_reset wait_until 180 reboot_tasks_are RUNNING
	check containers_run_before_the_reset tasks_running
	# The hub is another machine: it goes away cleanly, its files on the disk.
	stop_pid "$HUB_PID"
	sync "$WORK/hub.db" "$WORK/hub.log" "$WORK/tasks" "$WORK/hub_port"
	# The start counter is the evidence read after the reset: written to the disk now (the
	# agent's own state.db makes every commit durable by itself).
	sync "$STATE/tasks/${SOLO##*/}/volumes/count/starts"
	echo "vm: boot-again $name"
	if [ "$clean" = 1 ]; then
		# This test's unit is stopped by the shutdown too: nothing of cleanup() may run.
		trap - EXIT
		systemctl reboot
		sleep 300
		fail clean_reboot "the guest did not reboot"
		exit 1
	fi
	sleep 1
	echo b >/proc/sysrq-trigger
	sleep 60
	fail reset "the guest did not reset"
	exit 1
fi

read -r SOLO PAIR <"$WORK/tasks"
HUB_PORT=$(cat "$WORK/hub_port")
HUB_URL=http://127.0.0.1:$HUB_PORT
check hub_is_not_reachable bash -c "! curl -s -o /dev/null --max-time 2 '$HUB_URL/'"
none_running() { ! runs_now "$SOLO" main && ! runs_now "$PAIR" base && ! runs_now "$PAIR" app; }
check nothing_runs_before_the_agent none_running
if [ "$clean" = 1 ]; then
	# What the agent will find: the time it saw the host shutting down, and the exit records
	# the monitors wrote after it (a monitor the shutdown killed first leaves none: that
	# container is then lost, which a reboot explains without the note).
	noted=$(sqlite3 "$STATE/state.db" "SELECT value FROM meta WHERE key = 'host_stopping_at'")
	records=()
	for f in "$(folder "$SOLO" main)" "$(folder "$PAIR" base)" "$(folder "$PAIR" app)"; do
		[ -e "$f/exit.json" ] && records+=("$f/exit.json")
		echo "vm: clean-reboot: noted at '$noted', ${f##*/}: $(stat -c %Y "$f/exit.json" 2>/dev/null ||
			echo no) $(cat "$f/exit.json" 2>/dev/null)"
	done
	check shutdown_noted_by_the_agent test -n "$noted"
	check monitors_recorded_ends test "${#records[@]}" -gt 0
	recorded_after_it() { # NOTED FILE...
		local n=$1 f
		shift
		for f; do [ "$(stat -c %Y "$f")" -ge "$n" ] || return 1; done
	}
	check ends_recorded_after_it recorded_after_it "$noted" "${records[@]}"
fi

check agent_starts_without_the_hub timeout 120 systemctl start tether
started_at=$(systemctl show -p ExecMainStartTimestampMonotonic --value tether)
check tasks_run_again wait_until 60 tasks_running
now_us=$(awk '{ printf "%d", $1 * 1000000 }' /proc/uptime)
if ! tasks_running; then # for the console log run.sh keeps
	journalctl -u tether --no-pager | tail -n 40
	ls -la "$(folder "$SOLO" main)" "$(folder "$PAIR" base)"
fi
echo "measured: tasks running again $(awk -v a="$started_at" -v b="$now_us" \
	'BEGIN { printf "%.1f", (b - a) / 1e6 }') s after the agent's start (software emulation; polled every 0.1-0.5 s)"
check solo_started_twice test "$(grep -c start "$(folder "$SOLO" volumes/count)/starts")" = 2
# app depends on base's START: it was started after base was seen running.
check pair_started_in_depends_on_order test "$(stat -c %.6Y "$(folder "$PAIR" app)/pid" |
	tr -d .)" -ge "$(stat -c %.6Y "$(folder "$PAIR" base)/pid" | tr -d .)"
check journal_says_reboot bash -c "journalctl -u tether --no-pager | grep -q 'The host rebooted since the agent last ran'"
if [ "$clean" = 1 ]; then
	# Each end its monitor recorded was taken for the shutdown's, not for an exit of its own.
	check ends_taken_for_the_shutdowns test "$(journalctl -u tether --no-pager |
		grep -c 'after the agent saw the host shutting down: the shutdown stopped it')" = \
		"${#records[@]}"
fi

# The hub is back: what happened while it was away reaches it.
start_hub || { fail hub_starts_again "see hub.log"; exit 1; }
check agent_reconnects wait_until 90 agent_connected
check_reboot_history "$WORK/hub.log"

json_api_call ecs stop-task --cluster default --task "$SOLO" >/dev/null
json_api_call ecs stop-task --cluster default --task "$PAIR" >/dev/null
check restored_tasks_stop wait_until 90 reboot_tasks_are STOPPED

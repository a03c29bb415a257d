#!/bin/bash
# Tasks come back after a reboot with no hub reachable, on the host. A reboot is what it leaves
# behind: the agent, every monitor and container killed at once (SIGKILL, the containers by
# their cgroups), their cgroups gone, the state dir kept, and a new boot id, which the agent
# reads from the file --boot-id-file names (the documented option; /proc/sys/kernel/random/
# boot_id by default). The agent comes back with the hub down: the tasks run again, in dependsOn
# order, counted as restarts, though a power cut emptied what was not fsynced; the hub, back,
# gets that history once and in order. An agent
# restart without a reboot still adopts the containers; with --restore-after-reboot false a
# reboot's containers are reported stopped. The VM test tests/vm/systemd/reboot.sh does the
# same across a real reset of a guest.
source "$(dirname "$0")/../lib.sh"

NODE=$WORK/node
BOOT_ID=$WORK/boot_id
V2=$(cgroup_v2_mount)
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT

echo first-boot >"$BOOT_ID"
start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
make_activation || { fail create_activation; exit 1; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null || { fail register; exit 1; }
start_agent "$NODE" --boot-id-file "$BOOT_ID"
check agent_connects wait_until 30 instance_connected

run_reboot_tasks "oci:$WORK/image:latest" || { fail run_tasks; exit 1; }
check tasks_run wait_until 60 reboot_tasks_are RUNNING

folder() { echo "$NODE/tasks/${1##*/}/$2"; }
CONTAINERS=("$SOLO main" "$PAIR base" "$PAIR app")
# The container runs, started after the (simulated) reboot at $rebooted_at.
runs_since_reboot() { container_runs_since "$(folder "$1" "$2")" "$rebooted_at"; } # ARN CONTAINER
all_run_since_reboot() {
	local c
	for c in "${CONTAINERS[@]}"; do runs_since_reboot $c || return 1; done
}
none_runs() {
	local c
	for c in "${CONTAINERS[@]}"; do ! runs_since_reboot $c || return 1; done
}
pids() {
	local c
	for c in "${CONTAINERS[@]}"; do cat "$(folder $c)/pid"; done | tr '\n' ' '
}
# The host goes down: everything of the node dies at once, its cgroups with it; the state dir
# stays; the next boot has a new id.
reboot_host() { # NEW-BOOT-ID
	local c arn name
	stop_pid "$AGENT_PID" KILL
	for c in "${CONTAINERS[@]}"; do
		kill -KILL "$(cat "$(folder $c)/monitor.pid")" 2>/dev/null
	done
	kill_task_cgroups "$NODE"
	for c in "${CONTAINERS[@]}"; do
		read -r arn name <<<"$c"
		wait_until 10 rmdir "$V2/tether/${arn##*/}/$name"
	done
	rmdir "$V2/tether/${SOLO##*/}" "$V2/tether/${PAIR##*/}"
	echo "$1" >"$BOOT_ID"
	rebooted_at=$(date +%s.%N)
}
gone() { ! test -d "$V2/tether/${SOLO##*/}" && ! test -d "$V2/tether/${PAIR##*/}"; }

# 1. A reboot, and the agent starts with the hub down. A power cut empties what was written
# without fsync: solo's config.json and pid files come back empty.
stop_pid "$HUB_PID"
reboot_host second-boot
for f in config.json monitor.pid pid; do : >"$(folder "$SOLO" main)/$f"; done
check reboot_leaves_no_cgroup gone
check nothing_runs_after_the_reboot none_runs
start_agent "$NODE" --boot-id-file "$BOOT_ID"
agent_started=$(date +%s.%N)
check tasks_run_again_without_the_hub wait_until 30 all_run_since_reboot
echo "measured: tasks running again $(awk -v a="$agent_started" -v b="$(date +%s.%N)" \
	'BEGIN { printf "%.2f", b - a }') s after the agent's start (host, polled every 0.1 s)"
check solo_started_twice test "$(grep -c start "$(folder "$SOLO" volumes/count)/starts")" = 2
stamp() { stat -c %.6Y "$(folder "$PAIR" "$1")/pid" | tr -d .; }
check pair_started_in_depends_on_order test "$(stamp app)" -ge "$(stamp base)"
check agent_logs_the_reboot grep -q "The host rebooted since the agent last ran (boot id second-boot)" \
	"$WORK/agent.log"
check agent_logs_each_restart test "$(grep -c 'was running when the host went down; starting it again (restart 1)' \
	"$WORK/agent.log")" = 3

# 2. The hub is back: the history reaches it, each state once, in order.
start_hub || { fail hub_starts_again "see hub.log"; exit 1; }
check agent_reconnects wait_until 60 instance_connected
check_reboot_history "$WORK/hub.log"

# 3. An agent restart without a reboot adopts the containers as before.
before=$(pids)
stop_pid "$AGENT_PID" KILL
start_agent "$NODE" --boot-id-file "$BOOT_ID"
check agent_reconnects_after_its_restart wait_until 60 instance_connected
sleep 1
check restart_without_reboot_adopts test "$(pids)" = "$before"
check restart_without_reboot_counts_nothing reboot_tasks_restarted 1

# 4. The agent is killed once it has decided the restarts after a reboot (the crash point
# state-committed: the task_state that tells them is durable, nothing else has happened),
# its folders emptied by the power cut: started again, it makes them, counted once.
reboot_host fourth-boot
for c in "${CONTAINERS[@]}"; do
	for f in config.json monitor.pid pid; do : >"$(folder $c)/$f"; done
done
echo state-committed >"$NODE/test-crash-point"
start_agent "$NODE" --boot-id-file "$BOOT_ID"
check agent_killed_at_the_crash_point wait_until 30 bash -c "! kill -0 $AGENT_PID"
check nothing_ran_before_the_crash none_runs
start_agent "$NODE" --boot-id-file "$BOOT_ID"
check tasks_run_after_the_crash wait_until 30 all_run_since_reboot
check restarts_counted_once_across_the_crash wait_until 60 reboot_tasks_restarted 2
check states_still_applied_once applied_seqs_are_1_to_n "$WORK/hub.log"

# 5. Restore turned off: a reboot's containers are reported stopped, exit code unknown.
reboot_host third-boot
start_agent "$NODE" --boot-id-file "$BOOT_ID" --restore-after-reboot false
check restore_off_reports_stopped wait_until 60 reboot_tasks_are STOPPED
check restore_off_starts_nothing none_runs
exit_unknown() {
	describe_reboot_tasks | jq -e '[.tasks[].containers[] | select(.exitCode == null and
		(.reason | test("exit code unknown")))] | length == 3'
}
check restore_off_exit_unknown exit_unknown
check restore_off_logged grep -q "reported stopped (--restore-after-reboot false)" "$WORK/agent.log"

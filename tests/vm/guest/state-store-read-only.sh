#!/bin/bash
# A node whose state database's file system turns read-only under the running agent: the
# node's health turns IMPAIRED with a reason that names the file and the fix, while the agent
# stays connected and its task keeps running. The state dir is an ext4 file system on a loop
# device of the guest's own, mounted errors=remount-ro; ext4's trigger_fs_error makes it
# read-only the way a failing disk does (a remount to read-only is refused by the kernel while
# the database is open for writing).
source "$(dirname "$0")/../../lib.sh"

modules=$TOP/build/vm/kernel/lib/modules/$(uname -r)
# load_module NAME: insmod with busybox (the guest has no kmod), its dependencies first, as the
# module's own .modinfo names them.
load_module() {
	local ko dep
	grep -qw "^$1" /proc/modules && return 0
	ko=$(find "$modules" -name "$1.ko" | head -n 1)
	[ -n "$ko" ] || return 1
	for dep in $(grep -a -o 'depends=[a-z0-9_,-]*' "$ko" | head -n 1 | cut -d= -f2 | tr , ' '); do
		load_module "$dep" || return 1
	done
	busybox insmod "$ko" 2>/dev/null || grep -qw "^$1" /proc/modules
}
for m in crc32c_generic loop ext4; do
	load_module "$m" || { skip state_store_read_only "module $m cannot be loaded from $modules"; exit 0; }
done

NODE=$WORK/node
trap 'kill_task_cgroups "$NODE"; on_exit; umount "$NODE" 2>/dev/null; [ -n "${LOOP:-}" ] && losetup -d "$LOOP"' EXIT
truncate -s 256M "$WORK/state.img"
LOOP=$(losetup -f --show "$WORK/state.img") || { fail loop_device; exit 1; }
mkfs.ext4 -q "$LOOP" && mkdir -p "$NODE" && mount -o errors=remount-ro "$LOOP" "$NODE" ||
	{ fail ext4_state_dir; exit 1; }
chmod 700 "$NODE"

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >>"$WORK/agent.log" 2>&1 || { fail register; exit 1; }
start_agent "$NODE"
check agent_connects wait_until 60 agent_connected

ci_arn=$(json_api_call ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')
describe_ci() { json_api_call ecs describe-container-instances --cluster default --container-instances "$ci_arn"; }
overall_is() { [ "$(describe_ci | jq -r '.containerInstances[0].healthStatus.overallStatus')" = "$1" ]; }
check health_ok_first wait_until 60 overall_is OK

arn=$(run_idle_task "$WORK/image")
running() { json_api_call ecs describe-tasks --cluster default --tasks "$arn" | jq -e '.tasks[0].lastStatus == "RUNNING"' >/dev/null; }
check task_runs wait_until 120 running

device=$(basename "$LOOP")
echo "test: state dir made read-only" >"/sys/fs/ext4/$device/trigger_fs_error"
# ext4 turns itself read-only from a work item, a moment after the error.
refuses_writes() { ! touch "$NODE/write-probe" 2>/dev/null; }
check state_dir_refuses_writes wait_until 10 refuses_writes
check health_impaired wait_until 90 overall_is IMPAIRED
ci=$(describe_ci)
check state_store_detail_impaired jq -e '.containerInstances[0].healthStatus.details[] |
	select(.type == "STATE_STORE" and .status == "IMPAIRED")' <<<"$ci"
reason=$(jq -r '.containerInstances[0].statusReason' <<<"$ci")
check reason_names_file_and_fix bash -c 'grep -F "$1/state.db cannot be written" <<<"$2" |
	grep -q "make $1 writable again"' _ "$NODE" "$reason"
check agent_still_connected agent_connected
check agent_still_running kill -0 "$AGENT_PID"
check task_still_running running
task_id=${arn##*/}
check container_still_running grep -q 'populated 1' "$(cgroup_v2_mount)/tether/$task_id/main/cgroup.events"

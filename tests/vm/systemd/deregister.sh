#!/bin/bash
# tether under its own unit, left with `tether deregister`: the running service stops, its task
# with it, and Restart=always does not bring it back, since the unit's ConditionPathExists= on
# the identity no longer holds. The hub lists the instance INACTIVE.
source "$(dirname "$0")/../../lib.sh"

STATE=/var/lib/tether
UNIT_DIR=/run/systemd/system
cleanup_unit() {
	systemctl stop tether.service 2>/dev/null
	rm -rf "$UNIT_DIR/tether.service" "$UNIT_DIR/tether.service.d"
	systemctl daemon-reload
	kill_task_cgroups "$STATE"
	umount -l "$STATE" 2>/dev/null
}
trap 'cleanup_unit; on_exit' EXIT

# Overlayfs cannot take its upper layer from the guest's overlay root: the state on a tmpfs.
mkdir -p "$STATE" && mount -t tmpfs -o mode=0700 tmpfs "$STATE" || { fail state_tmpfs; exit 1; }
start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" >/dev/null || { fail register; exit 1; }
ARN=$(jq -r .container_instance_arn "$STATE/identity.json")

# The unit as shipped, with the binaries under test.
mkdir -p "$UNIT_DIR/tether.service.d"
cp "$TOP/systemd/tether.service" "$UNIT_DIR/tether.service"
printf '[Service]\nExecStart=\nExecStart=%s/tether run\n' "$BIN" >"$UNIT_DIR/tether.service.d/test.conf"
systemctl daemon-reload
check unit_starts systemctl start tether.service
check agent_connects wait_until 60 instance_connected

json_api_call ecs register-task-definition --cli-input-json "$(cat <<JSON
{"family": "sleeper", "requiresCompatibilities": ["EXTERNAL"],
 "containerDefinitions": [{"name": "main", "image": "oci:$WORK/image:latest", "essential": true,
   "memory": 64, "command": ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]}]}
JSON
)" >/dev/null
TASK=$(json_api_call ecs run-task --cluster default --launch-type EXTERNAL --task-definition sleeper |
	jq -r '.tasks[0].taskArn')
running() { json_api_call ecs describe-tasks --cluster default --tasks "$TASK" | jq -e '.tasks[0].lastStatus == "RUNNING"' >/dev/null; }
check task_running wait_until 120 running
PID=$(cat "$STATE/tasks/${TASK##*/}/main/pid")

out=$("$BIN/tether" deregister 2>&1)
check deregister_succeeds test $? = 0
echo "$out" >>"$WORK/deregister.log"
check container_gone wait_until 20 bash -c "! kill -0 $PID 2>/dev/null"
# Restart=always would start it again after RestartSec=2: the condition keeps it down.
sleep 5
check unit_stays_down bash -c "! systemctl is-active --quiet tether.service"
check unit_condition_failed test "$(systemctl show -P ConditionResult tether.service)" = no
check hub_lists_inactive test "$(json_api_call ecs describe-container-instances --cluster default \
	--container-instances "$ARN" | jq -r '.containerInstances[0].status')" = INACTIVE

#!/bin/bash
# make demo: a hub and an agent on loopback, one sample task, its state and its output.
# Usage: scripts/demo.sh BUILD_DIR   (the folder holding tether, tether-hub, tether-monitor)
# Environment: TETHER_DEMO_DIR (default /tmp/tether-demo), TETHER_DEMO_PORT (default 18080),
# TETHER_DEMO_AWS (the operator's client, default Debian's /usr/bin/aws), TETHER_DEMO_IMAGE (an
# OCI layout with busybox to copy, instead of packing one).
set -euo pipefail

bin=$(cd "${1:?usage: demo.sh BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
demo=${TETHER_DEMO_DIR:-/tmp/tether-demo}
port=${TETHER_DEMO_PORT:-18080}
# Not for the agent started below, which refuses TETHER_* keys it does not know; nor the
# test knobs TETHER_RESTART_PERIOD_PERCENT, which would shorten the demo's restart periods, and
# TETHER_BOOT_ID_FILE, which would stand for the host's boot id.
export -n TETHER_DEMO_DIR TETHER_DEMO_PORT TETHER_DEMO_AWS TETHER_DEMO_IMAGE \
	TETHER_RESTART_PERIOD_PERCENT TETHER_BOOT_ID_FILE 2>/dev/null
hub_url="http://127.0.0.1:$port"
aws=${TETHER_DEMO_AWS:-/usr/bin/aws}
image=${TETHER_DEMO_IMAGE:-}
pids=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }
aws_hub() {
	AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_PAGER="" \
		"$aws" --endpoint-url "$hub_url" --no-sign-request --region local --output json "$@"
}
finish() {
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap finish EXIT
wait_for() { # seconds command...
	local deadline=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}

if ss -Hltn "sport = :$port" | grep -q .; then
	echo "demo: port $port is in use; set TETHER_DEMO_PORT to another port" >&2
	exit 1
fi
rm -rf "$demo"
mkdir -p "$demo/node"

# tether check decides, not this script: whether tasks run with their limits, only without
# them (--allow-no-limits), or not at all, and why.
say "What this host offers (tether check --state-dir $demo/node)"
check_status=0
"$bin/tether" check --state-dir "$demo/node" --json >"$demo/check.json" || check_status=$?
summary=$(jq -r .summary "$demo/check.json" 2>/dev/null) || summary="tether check failed (status $check_status)"
limits_flag=()
case "$check_status" in
0) echo "$summary" ;;
1) echo "$summary"
   echo "So the agent runs with --allow-no-limits: the demo's task runs without limits."
   limits_flag=(--allow-no-limits) ;;
*) echo "demo: stopping, $summary" >&2
   echo "demo: 'tether check --state-dir $demo/node' tells item by item" >&2
   exit 1 ;;
esac

say "A tiny OCI image from Debian's busybox-static"
if [ -n "$image" ]; then
	run cp -r "$image" "$demo/image"
else
	run "$top/scripts/make-busybox-image.sh" "$demo/image"
fi

say "Start the hub (state in $demo/hub.db, log in $demo/hub.log)"
"$bin/tether-hub" --listen "127.0.0.1:$port" --db "$demo/hub.db" --dev >"$demo/hub.log" 2>&1 &
pids+=($!)
wait_for 10 curl -s -o /dev/null "$hub_url/" || { cat "$demo/hub.log"; exit 1; }
echo "hub listening on $hub_url"

say "Create an activation, as with SSM"
activation=$(aws_hub ssm create-activation --iam-role tether-demo --registration-limit 1)
echo "$activation"
act_id=$(jq -r .ActivationId <<<"$activation")
act_code=$(jq -r .ActivationCode <<<"$activation")

say "Register this host"
run "$bin/tether" register --hub "$hub_url" --cluster default \
	--activation-id "$act_id" --activation-code "$act_code" --state-dir "$demo/node"

say "Run the agent (log in $demo/agent.log)"
"$bin/tether" run --state-dir "$demo/node" "${limits_flag[@]}" >"$demo/agent.log" 2>&1 &
pids+=($!)
connected() {
	local ci
	ci=$(aws_hub ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0] // empty')
	[ -n "$ci" ] && aws_hub ecs describe-container-instances --cluster default --container-instances "$ci" |
		jq -e '.containerInstances[0].agentConnected' >/dev/null
}
wait_for 20 connected || { cat "$demo/agent.log"; exit 1; }
aws_hub ecs describe-container-instances --cluster default \
	--container-instances "$(aws_hub ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')" |
	jq '.containerInstances[0] | {ec2InstanceId, status, agentConnected, registeredResources: [.registeredResources[] | {name, integerValue}]}'

say "Register a task definition and run it"
cat >"$demo/hello.json" <<JSON
{
  "family": "hello",
  "requiresCompatibilities": ["EXTERNAL"],
  "containerDefinitions": [{
    "name": "hello",
    "image": "oci:$demo/image:latest",
    "essential": true,
    "command": ["sh", "-c", "echo Hello from a tether container on \$(hostname)"]
  }]
}
JSON
run aws_hub ecs register-task-definition --cli-input-json "file://$demo/hello.json" |
	jq -c '.taskDefinition | {taskDefinitionArn, revision, status}'
task_arn=$(aws_hub ecs run-task --cluster default --launch-type EXTERNAL --task-definition hello |
	jq -r '.tasks[0].taskArn')
echo "started $task_arn"

stopped() {
	[ "$(aws_hub ecs describe-tasks --cluster default --tasks "$task_arn" | jq -r '.tasks[0].lastStatus')" = STOPPED ]
}
wait_for 30 stopped || { echo "task did not stop in time"; cat "$demo/agent.log"; exit 1; }

say "describe-tasks"
aws_hub ecs describe-tasks --cluster default --tasks "$task_arn" |
	jq '.tasks[0] | {taskArn, lastStatus, stopCode, stoppedReason, containers: [.containers[] | {name, lastStatus, exitCode}]}'

say "What the container printed (tether logs ${task_arn##*/})"
"$bin/tether" logs --state-dir "$demo/node" "${task_arn##*/}"
echo
echo "Demo done. State is left in $demo for a look around: try"
echo "  $bin/tether status --state-dir $demo/node"

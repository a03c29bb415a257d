# Helpers for the node parts that run a hub and an agent on loopback (sourced after
# tests/lib.sh and bench/lib.sh). Tasks go to the hub as the JSON 1.1 requests the aws CLI
# sends, with curl, so that driving hundreds of tasks costs little next to what is measured.
# Every container started here is stopped before the part ends (monitors outlive the agent).

NODE=$WORK/node
# A part stopped at its time limit still ends its containers (the EXIT trap runs on exit).
trap 'exit 143' TERM INT

# ecs ACTION JSON: one ECS API call; prints the answer.
ecs() {
	curl -sS --fail-with-body -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" \
		-H 'Content-Type: application/x-amz-json-1.1' --data-binary "$2" "$HUB_URL/"
}

# node_up: a hub, the busybox image, a registered agent connected to the hub.
node_up() {
	start_hub || return 1
	busybox_image "$WORK/image" || return 1
	make_activation --registration-limit 1 || return 1
	"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
		--activation-code "$ACT_CODE" --state-dir "$NODE" >>"$WORK/agent.log" 2>&1 || return 1
	start_agent "$NODE"
	wait_until 30 node_connected
}
node_connected() {
	ecs DescribeClusters '{"clusters": ["default"]}' |
		jq -e '.clusters[0].registeredContainerInstancesCount == 1' >/dev/null &&
		ecs ListContainerInstances '{"cluster": "default"}' | jq -r '.containerInstanceArns[0]' |
		xargs -I{} curl -sS -H 'X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeContainerInstances' \
			-H 'Content-Type: application/x-amz-json-1.1' \
			--data-binary '{"cluster": "default", "containerInstances": ["{}"]}' "$HUB_URL/" |
		jq -e '.containerInstances[0].agentConnected == true' >/dev/null
}

# register_family FAMILY COMMAND-JSON: a one-container task definition of the busybox image;
# stopTimeout 1 so that stops of a sleeping PID 1 (which ignores SIGTERM) end quickly.
register_family() {
	ecs RegisterTaskDefinition "$(jq -cn --arg f "$1" --arg img "oci:$WORK/image:latest" \
		--argjson cmd "$2" '{family: $f, requiresCompatibilities: ["EXTERNAL"],
		containerDefinitions: [{name: "main", image: $img, command: $cmd, stopTimeout: 1}]}')" >/dev/null
}

# run_tasks FAMILY COUNT: asks for COUNT tasks, ten per call (the RunTask maximum).
run_tasks() {
	local left=$2 n
	while [ "$left" -gt 0 ]; do
		n=$((left < 10 ? left : 10))
		ecs RunTask "{\"cluster\": \"default\", \"launchType\": \"EXTERNAL\", \"taskDefinition\": \"$1\", \"count\": $n}" >/dev/null || return 1
		left=$((left - n))
	done
}

# cluster_count FIELD: runningTasksCount or pendingTasksCount of the default cluster.
cluster_count() {
	ecs DescribeClusters '{"clusters": ["default"]}' | jq -r ".clusters[0].$1"
}
running_is() { [ "$(cluster_count runningTasksCount)" = "$1" ]; }
none_active() { [ "$(cluster_count runningTasksCount)" = 0 ] && [ "$(cluster_count pendingTasksCount)" = 0 ]; }

# stop_all_tasks: stop-task for every task meant to run (four calls at a time), then wait
# until none runs.
stop_all_tasks() {
	ecs ListTasks '{"cluster": "default"}' | jq -r '.taskArns[]' |
		xargs -P 4 -I{} curl -sS -o /dev/null \
			-H 'X-Amz-Target: AmazonEC2ContainerServiceV20141113.StopTask' \
			-H 'Content-Type: application/x-amz-json-1.1' \
			--data-binary '{"cluster": "default", "task": "{}"}' "$HUB_URL/"
	wait_until "$(bounded 120)" none_active
}

# bounded SECONDS: SECONDS, or less when the part's deadline is nearer (at least 5).
bounded() {
	local left
	left=$(seconds_left)
	[ "$left" -lt "$1" ] && { [ "$left" -gt 5 ] && echo "$left" || echo 5; } || echo "$1"
}

# monitor_pids: the tether-monitor processes of this node (their argument is a folder of
# the node's state directory).
monitor_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$BIN/tether-monitor" ] || continue
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q " $NODE/" && echo "${p#/proc/}"
	done
}

# Last resort when a part is cut short: end this node's containers through their own task
# cgroups (named by the task ids in the node's state) and their monitors, by pid.
node_down() {
	local id cg v2
	v2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
	for id in $(ls "$NODE/tasks" 2>/dev/null); do
		cg=$v2/tether/$id
		[ -f "$cg/cgroup.kill" ] && echo 1 >"$cg/cgroup.kill" 2>/dev/null
	done
	for id in $(monitor_pids); do kill -KILL "$id" 2>/dev/null; done
}

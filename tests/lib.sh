# Shared helpers for end-to-end tests (sourced). A test prints "PASS name" / "FAIL name: why" /
# "SKIP name: why" lines, which tests/run.sh counts. Every process a test starts is recorded by
# pid and ended by pid when the test exits; nothing else is touched.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${TETHER_BIN_DIR:-$TOP/build/test}
# The harness's own TETHER_* variables stay shell variables: `tether run` refuses every
# TETHER_* key of its environment that is not one of its options (docs/configuration.md). So
# do the test knobs TETHER_RESTART_PERIOD_PERCENT and TETHER_BOOT_ID_FILE: a test that wants
# one passes the flag, and one left in a developer's shell does not shorten every agent's
# restart periods or make every agent take its start for one after a reboot.
export -n TETHER_BIN_DIR TETHER_BASELINE_BIN_DIR TETHER_IN_VM TETHER_VM_MODE TETHER_ARTIFACTS \
	TETHER_RESTART_PERIOD_PERCENT TETHER_BOOT_ID_FILE 2>/dev/null
AWS=/usr/bin/aws  # Debian's awscli: the operator's real client
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tether-e2e.XXXXXX")
STARTED_PIDS=()

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: ${2:-}"; }
skip() { echo "SKIP $1: ${2:-}"; }

# check NAME COMMAND...: PASS when the command succeeds, else FAIL with its output.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(printf '%s' "$out" | tail -n 5 | tr '\n' ' ')"
	fi
}

# wait_until SECONDS COMMAND...: poll until the command succeeds, every 0.1 s for the first
# second and every 0.5 s after: each poll starts processes (curl, jq), and waits of a minute
# polled ten times a second took tens of seconds of CPU from the rest of the suite.
wait_until() {
	local limit=$1 polls=0
	shift
	local deadline=$((SECONDS + limit))
	while [ $SECONDS -lt $deadline ]; do
		"$@" >/dev/null 2>&1 && return 0
		polls=$((polls + 1))
		if [ $polls -le 10 ]; then sleep 0.1; else sleep 0.5; fi
	done
	"$@" >/dev/null 2>&1
}

cleanup_started() {
	local pid
	for pid in "${STARTED_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${STARTED_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	STARTED_PIDS=()
}

on_exit() {
	cleanup_started
	if [ -n "${TETHER_ARTIFACTS:-}" ]; then
		mkdir -p "$TETHER_ARTIFACTS/$(basename "$0" .sh)"
		cp -r "$WORK"/*.log "$TETHER_ARTIFACTS/$(basename "$0" .sh)/" 2>/dev/null
	fi
	# Container roots may still be mounted below the work folder if a test failed mid-way.
	grep -o " $WORK[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$WORK"
}
trap on_exit EXIT

# free_port: a TCP port on loopback that nothing listens on, below the kernel's ephemeral
# range so that outgoing connections (agents, curl, load generators) cannot take it meanwhile.
free_port() {
	local p low
	read -r low _ </proc/sys/net/ipv4/ip_local_port_range
	while :; do
		p=$((20000 + RANDOM % (low - 20000)))
		ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

# hub_listening PID PORT: true once PID itself listens on PORT (not someone else's hub).
hub_listening() {
	ss -Hltnp "sport = :$2" | grep -q "pid=$1,"
}

hub_listening_or_gone() { # PID PORT
	hub_listening "$1" "$2" || ! kill -0 "$1" 2>/dev/null
}

# start_hub [extra args]: starts tether-hub on a free loopback port; sets HUB_PID, HUB_URL.
# Another test may take the same free port between the check and the bind: when HUB_PORT was
# not given, a hub that could not listen is started again on another port.
start_hub() {
	local attempt fixed_port=${HUB_PORT:-}
	for attempt in 1 2 3 4 5; do
		HUB_PORT=${fixed_port:-$(free_port)}
		HUB_URL="http://127.0.0.1:$HUB_PORT"
		"$BIN/tether-hub" --listen "127.0.0.1:$HUB_PORT" --db "$WORK/hub.db" --dev "$@" \
			>>"$WORK/hub.log" 2>&1 &
		HUB_PID=$!
		STARTED_PIDS+=("$HUB_PID")
		wait_until 20 hub_listening_or_gone "$HUB_PID" "$HUB_PORT"
		if hub_listening "$HUB_PID" "$HUB_PORT"; then
			wait_until 20 curl -s -o /dev/null "$HUB_URL/" && return 0
			break
		fi
		stop_pid "$HUB_PID"
		[ -z "$fixed_port" ] && grep -q "cannot listen" "$WORK/hub.log" || break
		echo "hub: port $HUB_PORT taken meanwhile, attempt $attempt" >>"$WORK/hub.log"
	done
	echo "hub did not start" >&2
	cat "$WORK/hub.log" >&2
	return 1
}

stop_pid() { # stop_pid PID [SIGNAL]
	kill "-${2:-TERM}" "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	local kept=()
	for p in "${STARTED_PIDS[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
	STARTED_PIDS=("${kept[@]}")
}

# awsx SERVICE ACTION [args]: the real aws CLI against the hub: signed with the key hub_key
# made, else unsigned (--no-sign-request, which a hub started with --dev takes from loopback).
# In the VM, where the CLI's Python start-up costs about 20 s per call under software
# emulation, the same calls go out as the JSON 1.1 requests the CLI would send, with curl (the
# host runs prove the CLI itself).
awsx() {
	if [ -n "${TETHER_IN_VM:-}" ]; then
		json_api_call "$@"
		return
	fi
	if [ -n "${HUB_ACCESS_KEY_ID:-}" ]; then
		AWS_ACCESS_KEY_ID=$HUB_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$HUB_SECRET_ACCESS_KEY \
			AWS_PAGER="" "$AWS" --endpoint-url "$HUB_URL" --region local --output json "$@"
		return
	fi
	AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_PAGER="" \
		"$AWS" --endpoint-url "$HUB_URL" --no-sign-request --region local --output json "$@"
}

# hub_key DB: an access key for the operator API (tether-hub keys create); sets
# HUB_ACCESS_KEY_ID and HUB_SECRET_ACCESS_KEY, which awsx then signs with.
hub_key() {
	local out
	out=$("$BIN/tether-hub" keys create --db "$1") || return 1
	HUB_ACCESS_KEY_ID=$(jq -r .AccessKey.AccessKeyId <<<"$out")
	HUB_SECRET_ACCESS_KEY=$(jq -r .AccessKey.SecretAccessKey <<<"$out")
}

# private_ca DIR: a certificate authority (DIR/ca.pem, DIR/ca.key) and a leaf certificate it
# signed for 127.0.0.1 (DIR/hub.pem, DIR/hub.key), as a hub behind a private CA has.
# private_ca_leaf DIR NAME makes another leaf, DIR/NAME.pem and DIR/NAME.key.
private_ca() {
	mkdir -p "$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=tether test CA $RANDOM" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout "$1/ca.key" -out "$1/ca.pem" >>"$1/openssl.log" 2>&1 &&
		private_ca_leaf "$1" hub
}
private_ca_leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj /CN=127.0.0.1 -keyout "$1/$2.key" -out "$1/$2.csr" >>"$1/openssl.log" 2>&1 &&
		printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
			>"$1/$2.ext" &&
		openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" -CAcreateserial \
			-days 1 -extfile "$1/$2.ext" -out "$1/$2.pem" >>"$1/openssl.log" 2>&1
}

# json_api_call SERVICE ACTION [--option value]...: the API's JSON requests, with curl.
source "$TOP/tests/json-api.sh"

# make_activation: creates an activation; sets ACT_ID and ACT_CODE.
make_activation() {
	local out
	out=$(awsx ssm create-activation --iam-role tether "$@") || return 1
	ACT_ID=$(jq -r .ActivationId <<<"$out")
	ACT_CODE=$(jq -r .ActivationCode <<<"$out")
}

# register_request ID CODE [CLUSTER]: POST /v1/register as an agent would, with a fresh
# Ed25519 key; prints the HTTP status, the answer goes to $WORK/reg.json, its headers to
# $WORK/reg.headers.
register_request() {
	local body key
	key=$(openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout -outform DER 2>/dev/null |
		tail -c 32 | base64)
	body=$(jq -n --arg id "$1" --arg code "$2" --arg c "${3:-default}" --arg k "$key" \
		'{activation_id: $id, activation_code: $code, cluster: $c, public_key: $k,
		  hostname: "h", agent_version: "0.1.0", protocol: "1.0",
		  resources: {cpu: 2048, memory: 1024}, attributes: {"ecs.os-type": "linux"}}')
	curl -s -o "$WORK/reg.json" -D "$WORK/reg.headers" -w '%{http_code}' -XPOST \
		-H 'Content-Type: application/json' --data-binary "$body" "$HUB_URL/v1/register"
}

# busybox_image DIR: an OCI image layout with busybox at DIR (tag "latest"). A copy of the one
# the build packed (make unit-tests), which is the same bytes, when DIR is new and nothing asks
# for more (EXTRA_BINARIES, EXTRA_LINKS, BUSYBOX): packing takes seconds in the VM, per test.
busybox_image() {
	local packed=$BIN/tests/busybox-image
	if [ -z "${EXTRA_BINARIES:-}${EXTRA_LINKS:-}${BUSYBOX:-}" ] && [ ! -e "$1" ] &&
		[ "$packed/index.json" -nt "$TOP/scripts/make-busybox-image.sh" ]; then
		mkdir -p "$(dirname "$1")" && cp -r "$packed" "$1"
		return
	fi
	"$TOP/scripts/make-busybox-image.sh" "$1" >/dev/null
}

# cgroup_v2_mount: where the cgroup v2 tree is mounted (the unified tree on a hybrid host).
cgroup_v2_mount() {
	awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -n 1
}

# kill_task_cgroups STATE_DIR...: ends what is left of the tasks of these nodes by their
# cgroups, which only they use: monitors run in their own session and outlive a test's agent.
kill_task_cgroups() {
	local v2 state d c
	v2=$(cgroup_v2_mount)
	for state in "$@"; do
		for d in "$state"/tasks/*/; do
			[ -d "$d" ] || continue
			# cgroupfs: tether/<task>/<container>; systemd: a scope per container in
			# tether.slice/tether-<task>.slice (systemd-escape'd).
			for c in "$v2/tether/$(basename "$d")"/*/cgroup.kill \
				"$v2/tether.slice/tether-$(systemd-escape "$(basename "$d")" 2>/dev/null).slice"/*/cgroup.kill; do
				[ -f "$c" ] && echo 1 >"$c" 2>/dev/null
			done
		done
	done
}

# start_agent STATE_DIR [extra args]: runs `tether run`; sets AGENT_PID.
start_agent() {
	local state=$1
	shift
	# Limits are enforced where the cgroup v2 controllers exist (the VM); this host has none.
	local limits=()
	[ -n "${TETHER_IN_VM:-}" ] || limits=(--allow-no-limits)
	# Each agent's local API in its own state dir and no task metadata endpoint, so that tests
	# running at once never meet on /run/tether/agent.sock or port 51679 (flags given in "$@"
	# come later and win).
	"$BIN/tether" run --state-dir "$state" "${limits[@]}" --api-socket "$state/api.sock" \
		--metadata-address off "$@" >>"$WORK/agent.log" 2>&1 &
	AGENT_PID=$!
	STARTED_PIDS+=("$AGENT_PID")
}

# join_node STATE_DIR: registers a node with a new activation and starts its agent; sets
# AGENT_PID. Returns non-zero when the activation or the registration fails.
join_node() {
	make_activation --registration-limit 1 || return 1
	"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
		--activation-code "$ACT_CODE" --state-dir "$1" >/dev/null || return 1
	start_agent "$1"
}

# run_idle_task IMAGE_DIR: registers the task definition "idle" (one essential container of the
# OCI layout IMAGE_DIR, tag latest, that sleeps until SIGTERM) and runs one task of it in the cluster
# "default"; prints the task's ARN.
run_idle_task() {
	json_api_call ecs register-task-definition --cli-input-json "$(jq -nc --arg image "oci:$1:latest" \
		'{family: "idle", requiresCompatibilities: ["EXTERNAL"],
		  containerDefinitions: [{name: "main", image: $image, essential: true,
		                          command: ["sh", "-c", "trap \"exit 0\" TERM; sleep 100000 & wait"]}]}')" >/dev/null || return 1
	json_api_call ecs run-task --cluster default --launch-type EXTERNAL --task-definition idle |
		jq -r '.tasks[0].taskArn'
}

# agent_connected: agentConnected of the cluster's first instance as the operator sees it,
# asked with curl (quick enough to poll every half second, which the aws CLI is not).
agent_connected() {
	local arn
	arn=$(json_api_call ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')
	json_api_call ecs describe-container-instances --cluster default --container-instances "$arn" |
		jq -e '.containerInstances[0].agentConnected == true' >/dev/null
}

# instance_connected: the cluster "default"'s first container instance has its agent connected.
# Tests poll it every 0.1 s, so it asks with curl (agent_connected): one aws CLI call costs
# about a second of CPU, which polls multiplied into minutes of the suite's time.
instance_connected() { agent_connected; }

# --- tasks through the operator API, in the cluster "default"

# taskdef FAMILY COMMAND-JSON [EXTRA CONTAINER FIELDS] [EXTRA TASK FIELDS]: a task definition
# with one essential container "main" of the busybox image at $WORK/image.
taskdef() {
	cat <<JSON
{"family": "$1", "requiresCompatibilities": ["EXTERNAL"],
 "containerDefinitions": [{"name": "main", "image": "oci:$WORK/image:latest", "essential": true,
   "command": $2 ${3:+, $3}}] ${4:+, $4}}
JSON
}
register_td() { awsx ecs register-task-definition --cli-input-json "$(taskdef "$@")"; }
run_task() {
	awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition "$1" |
		jq -r '.tasks[0].taskArn'
}
task_field() { # arn jq-filter
	awsx ecs describe-tasks --cluster default --tasks "$1" | jq -r ".tasks[0]$2"
}
# task_status ARN: the task's lastStatus, asked with curl, as the polls need (instance_connected
# says why); the checks read the task's fields through the aws CLI (task_field).
task_status() { json_api_call ecs describe-tasks --cluster default --tasks "$1" | jq -r '.tasks[0].lastStatus'; }
task_is() { [ "$(task_status "$1")" = "$2" ]; }

# --- the two tasks of the reboot tests (tests/e2e/boot-restore.sh, tests/vm/systemd/reboot.sh)

# run_reboot_tasks IMAGE_REF: runs "solo" (its container "main" appends a line to
# volumes/count/starts at each start) and "pair" ("app" depends on "base" being started); sets
# SOLO and PAIR to their ARNs. Their sleep, the init of a pid namespace, ignores SIGTERM: a
# stop (the tests' last, a clean reboot's) kills them after their stopTimeout, 2 s, not 30.
run_reboot_tasks() {
	json_api_call ecs register-task-definition --cli-input-json "$(jq -nc --arg image "$1" '
		{family: "solo", requiresCompatibilities: ["EXTERNAL"], volumes: [{name: "count"}],
		 containerDefinitions: [{name: "main", image: $image, essential: true, stopTimeout: 2,
		   mountPoints: [{sourceVolume: "count", containerPath: "/count"}],
		   command: ["sh", "-c", "echo start >>/count/starts; exec sleep 100000"]}]}')" >/dev/null &&
	json_api_call ecs register-task-definition --cli-input-json "$(jq -nc --arg image "$1" '
		{family: "pair", requiresCompatibilities: ["EXTERNAL"],
		 containerDefinitions: [
		   {name: "base", image: $image, essential: true, stopTimeout: 2,
		    command: ["sleep", "100000"]},
		   {name: "app", image: $image, essential: true, stopTimeout: 2,
		    command: ["sleep", "100000"],
		    dependsOn: [{containerName: "base", condition: "START"}]}]}')" >/dev/null || return 1
	SOLO=$(json_api_call ecs run-task --cluster default --launch-type EXTERNAL \
		--task-definition solo | jq -r '.tasks[0].taskArn')
	PAIR=$(json_api_call ecs run-task --cluster default --launch-type EXTERNAL \
		--task-definition pair | jq -r '.tasks[0].taskArn')
}
describe_reboot_tasks() {
	json_api_call ecs describe-tasks --cli-input-json "$(jq -nc --arg a "$SOLO" --arg b "$PAIR" \
		'{cluster: "default", tasks: [$a, $b]}')"
}
# container_runs_since FOLDER EPOCH: the container of that folder runs, started after EPOCH
# (seconds, fractions allowed): its pid file is newer.
container_runs_since() {
	local pid
	pid=$(cat "$1/pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null &&
		awk -v t="$(stat -c %.3Y "$1/pid")" -v b="$2" 'BEGIN { exit !(t > b) }'
}
# reboot_tasks_are STATUS: both tasks are STATUS at the hub.
reboot_tasks_are() {
	[ "$(describe_reboot_tasks | jq -r '[.tasks[].lastStatus] | unique | join(",")')" = "$1" ]
}
# reboot_tasks_restarted N: their three containers RUNNING, restarted N times after a reboot.
reboot_tasks_restarted() {
	describe_reboot_tasks | jq -e --argjson n "$1" '[.tasks[].containers[] | select(
		.restartCount == $n and .reason == "Restarted after the host rebooted" and
		.lastStatus == "RUNNING")] | length == 3'
}
# reboot_tasks_history HUB_LOG ARN: the statuses after PENDING the hub applied for the task.
reboot_tasks_history() {
	sed -nE 's/.*: task_state ([0-9]+) applied: task ([0-9a-f]+) ([A-Z]+)( \(([A-Za-z]+)\))?$/\1 \2 \3\5/p' "$1" |
		awk -v id="${2##*/}" '$2 == id && $3 != "PENDING" { printf "%s ", $3 }'
}
# applied_seqs_are_1_to_n HUB_LOG: the task_state seqs the hub applied are 1, 2, 3... each once.
applied_seqs_are_1_to_n() {
	sed -nE 's/.*: task_state ([0-9]+) applied: .*/\1/p' "$1" |
		awk '$1 != NR { print "line " NR ": seq " $1; bad = 1; exit } END { exit bad || NR == 0 }'
}
# check_reboot_history HUB_LOG: once the hub is back after the reboot, the tasks' history
# reaches it: their restarts, the task_states applied each once in seq order, and per task
# RUNNING then the restart's RUNNING (after the PENDING of the pull).
check_reboot_history() {
	local arn
	check restarts_reach_the_hub wait_until 60 reboot_tasks_restarted 1
	check tasks_running_at_the_hub reboot_tasks_are RUNNING
	check states_applied_are_seqs_1_to_n applied_seqs_are_1_to_n "$1"
	for arn in "$SOLO" "$PAIR"; do
		check "history_of_${arn##*/}_is_running_then_restarted" \
			test "$(reboot_tasks_history "$1" "$arn")" = "RUNNING RUNNING "
	done
}

# check_oom_reported: a container over its 32 MiB is OOM-killed, and its task stops with the
# exit code and the reason ECS gives. Needs an agent where limits hold (the VM).
check_oom_reported() {
	register_td oom '["tail", "/dev/zero"]' '"memory": 32' >/dev/null
	local arn
	arn=$(run_task oom)
	check oom_killed_task_stops wait_until 60 task_is "$arn" STOPPED
	check oom_exit_code_137 test "$(task_field "$arn" '.containers[0].exitCode')" = 137
	check oom_reason_reported test "$(task_field "$arn" '.containers[0].reason')" = \
		"OutOfMemoryError: Container killed due to memory usage"
}

# --- what cgroups measure

usage_usec() { awk '/^usage_usec/ {print $2}' "$1/cpu.stat"; }

# cpu_share CGROUP_DIR SECONDS: the CPU the cgroup used over SECONDS, in thousandths of one CPU.
cpu_share() {
	local u0 u1 t0 t1
	u0=$(usage_usec "$1"); t0=$(date +%s%N)
	sleep "$2"
	u1=$(usage_usec "$1"); t1=$(date +%s%N)
	echo $(( (u1 - u0) * 1000 / ((t1 - t0) / 1000) ))
}

# --- tether.service under systemd as PID 1 (tests/vm/systemd)

# unit_agent_setup STATE_DIR [RUN ARGS...]: installs the binaries and tether.service with
# `tether run --state-dir STATE_DIR ARGS` as its ExecStart (the guest's root is the host's,
# read-only under a tmpfs overlay: install as a package would), starts a hub, makes the busybox
# image at $WORK/image and registers the node. Returns non-zero after a FAIL line.
unit_agent_setup() {
	local state=$1
	shift
	install -m 755 "$BIN/tether" "$BIN/tether-monitor" /usr/bin/ || { fail install_binaries; return 1; }
	install -m 644 "$TOP/systemd/tether.service" /etc/systemd/system/tether.service
	mkdir -p /etc/systemd/system/tether.service.d
	cat >/etc/systemd/system/tether.service.d/test.conf <<UNIT
[Unit]
ConditionPathExists=
ConditionPathExists=$state/identity.json
[Service]
ExecStart=
ExecStart=/usr/bin/tether run --state-dir $state $*
Environment=ASAN_OPTIONS=${ASAN_OPTIONS:-}
UNIT
	systemctl daemon-reload
	start_hub || { fail hub_starts "see hub.log"; return 1; }
	busybox_image "$WORK/image" || { fail busybox_image; return 1; }
	make_activation --registration-limit 1 || { fail create_activation; return 1; }
	"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
		--activation-code "$ACT_CODE" --state-dir "$state" >/dev/null || { fail register; return 1; }
}

# unit_agent_stop: at a test's end, stops tether.service and every task of the systemd cgroup
# driver (tether.slice), keeps the agent's journal as agent.log, and removes the unit
# unit_agent_setup installed, so that the tests after it (a package's own unit among them)
# find none of it.
unit_agent_stop() {
	systemctl stop tether 2>/dev/null
	systemctl stop tether.slice 2>/dev/null
	journalctl -u tether --no-pager >"$WORK/agent.log" 2>&1
	unit_agent_remove
}

# unit_agent_remove: the unit files of unit_agent_setup gone, and systemd told.
unit_agent_remove() {
	rm -f /etc/systemd/system/tether.service /etc/systemd/system/tether.service.d/test.conf
	rmdir /etc/systemd/system/tether.service.d 2>/dev/null
	systemctl daemon-reload
}

# unit_agent_start: systemctl start tether, PASS unit_starts, or FAIL with its journal.
unit_agent_start() {
	if ! systemctl start tether; then
		fail unit_starts "its journal follows"
		journalctl -u tether --no-pager | tail -n 30 | sed 's/^/vm: journal: /'
		return 1
	fi
	pass unit_starts
}

#!/bin/bash
# What the fault tests share (tests/e2e/crash-points.sh, tests/e2e/hub-kills.sh): a real hub and
# one node on loopback; a task definition whose container appends its task's id (its hostname)
# to a file on a host volume, so a task started twice shows twice; the hub's API with curl
# alone (a round costs few processes); and the checks over everything at the end.
# Sourced after tests/lib.sh.

NODE=$WORK/node
STARTS=$WORK/starts
DEATHS=()       # exit status of every agent that ended by itself
ALL=()          # every task run
RUNNING_ARNS=() # the tasks run and not stopped

# faults_setup: the hub, the image, the node registered, the task definition "once"; sets
# INSTANCE. The agent is not started.
faults_setup() {
	mkdir -p "$STARTS"
	: >"$STARTS/log"
	start_hub || { fail hub_starts "see hub.log"; return 1; }
	busybox_image "$WORK/image" || { fail busybox_image; return 1; }
	local activation
	activation=$(json_api_call ssm create-activation --iam-role tether) || { fail create_activation; return 1; }
	"$BIN/tether" register --hub "$HUB_URL" --cluster default \
		--activation-id "$(jq -r .ActivationId <<<"$activation")" \
		--activation-code "$(jq -r .ActivationCode <<<"$activation")" --state-dir "$NODE" \
		>/dev/null || { fail register; return 1; }
	json_api_call ecs register-task-definition --cli-input-json "$(jq -nc \
		--arg image "oci:$WORK/image:latest" --arg starts "$STARTS" \
		'{family: "once", requiresCompatibilities: ["EXTERNAL"],
		  volumes: [{name: "starts", host: {sourcePath: $starts}}],
		  containerDefinitions: [{name: "main", image: $image, essential: true, stopTimeout: 5,
		    mountPoints: [{sourceVolume: "starts", containerPath: "/starts"}],
		    command: ["sh", "-c", "hostname >>/starts/log; trap \"exit 0\" TERM; sleep 100000 & wait"]}]}')" \
		>/dev/null || { fail register_task_definition; return 1; }
	INSTANCE=$(json_api_call ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[0]')
}

# faults_start TEST: the test ends here, skipped when not root, failed when the setup fails;
# else the node's agent runs.
faults_start() {
	if [ "$(id -u)" != 0 ]; then
		skip "$1" "needs root (namespaces, overlayfs, cgroups)"
		exit 0
	fi
	trap 'kill_task_cgroups "$NODE"; on_exit' EXIT
	faults_setup || exit 1
	start_agent "$NODE"
}

# revive: the agent died (a crash point, or a kill): start it again.
revive() {
	kill -0 "$AGENT_PID" 2>/dev/null && return 0
	local status=0
	wait "$AGENT_PID" || status=$?
	DEATHS+=("$status")
	stop_pid "$AGENT_PID"
	start_agent "$NODE"
}
# until_true SECONDS COMMAND...: wait_until, reviving the agent meanwhile.
until_true() {
	local limit=$1
	shift
	local deadline=$((SECONDS + limit))
	while [ $SECONDS -lt $deadline ]; do
		revive
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@" >/dev/null 2>&1
}
# check_now NAME COMMAND...: check, in this shell (the agent may be started again meanwhile).
check_now() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "${WHY:-}"; fi
}
verdict() { # NAME WHAT-WENT-WRONG
	if [ -z "$2" ]; then pass "$1"; else fail "$1" "$2"; fi
}

# --- the hub's and the node's views

ecs() { # ACTION BODY: the answer, when 200
	curl -sf -H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" \
		-H 'Content-Type: application/x-amz-json-1.1' --data-binary "$2" "$HUB_URL/"
}
run_one() {
	local out
	out=$(ecs RunTask '{"cluster": "default", "launchType": "EXTERNAL", "taskDefinition": "once"}') &&
		[[ $out =~ \"taskArn\":\ *\"([^\"]+)\" ]] && echo "${BASH_REMATCH[1]}"
}
stop_one() { ecs StopTask "{\"cluster\": \"default\", \"task\": \"$1\"}" >/dev/null; }
# The node's agent is connected (RunTask places tasks on connected instances only).
connected() {
	local out
	out=$(ecs DescribeContainerInstances "{\"cluster\": \"default\", \"containerInstances\": [\"$INSTANCE\"]}") &&
		[[ $out =~ \"agentConnected\":\ *true ]]
}
statuses() { # ARN... -> "ARN lastStatus desiredStatus" lines (up to 100 ARNs)
	json_api_call ecs describe-tasks --cli-input-json \
		"$(jq -nc '{cluster: "default", tasks: $ARGS.positional}' --args "$@")" |
		jq -r '.tasks[] | "\(.taskArn) \(.lastStatus) \(.desiredStatus)"'
}
node_sql() { sqlite3 -readonly "$NODE/state.db" "$1"; }
starts_of() { # ARN or task id: how many times its container started
	local id=${1##*/}
	grep -cx "${id:0:12}" "$STARTS/log"
}

# --- operations

# operate ROUND: two tasks run for one stopped (one that may not have started yet).
operate() {
	if [ $(($1 % 3)) != 0 ] || [ ${#RUNNING_ARNS[@]} = 0 ]; then
		arn=$(run_one) && { ALL+=("$arn"); RUNNING_ARNS+=("$arn"); }
	else
		local i=$((RANDOM % ${#RUNNING_ARNS[@]}))
		stop_one "${RUNNING_ARNS[$i]}"
		unset "RUNNING_ARNS[$i]"
		RUNNING_ARNS=("${RUNNING_ARNS[@]}")
	fi
}
pause() { sleep "0.$(printf '%02d' $((RANDOM % $1)))"; } # up to $1 hundredths of a second

# --- the end: the tasks still wanted run; then every task is stopped and forgotten

all_in() { # STATUS: every task the test ran but did not stop has it (WHY: those that do not)
	[ ${#RUNNING_ARNS[@]} = 0 ] && return 0
	WHY=$(statuses "${RUNNING_ARNS[@]}" | awk -v s="$1" '$2 != s { printf " %s %s", $1, $2 }')
	[ -z "$WHY" ]
}
# describe-tasks of every task run: "ARN lastStatus desiredStatus exitCode" lines.
describe_all() {
	local i
	for ((i = 0; i < ${#ALL[@]}; i += 100)); do
		json_api_call ecs describe-tasks --cli-input-json \
			"$(jq -nc '{cluster: "default", tasks: $ARGS.positional}' --args "${ALL[@]:i:100}")" |
			jq -r '.tasks[] | "\(.taskArn) \(.lastStatus) \(.desiredStatus) \(.containers[0].exitCode)"'
	done
}
every_task_stopped() {
	[ "$(describe_all | awk '$2 == "STOPPED" && $3 == "STOPPED"' | wc -l)" = ${#ALL[@]} ]
}
node_empty() { [ "$(node_sql "SELECT (SELECT count(*) FROM tasks) || (SELECT count(*) FROM outbox)")" = 00 ]; }

# faults_wind_down: the tasks still wanted run, then all are stopped and the node forgets them.
faults_wind_down() {
	check_now tasks_still_wanted_run until_true 60 all_in RUNNING
	local arn
	for arn in "${RUNNING_ARNS[@]}"; do stop_one "$arn"; done
	check_now every_task_stopped until_true 60 every_task_stopped
	check_now node_forgot_every_task until_true 30 node_empty
}

# --- the checks over everything

# Every container started at most once, and exactly once for a task whose container has an
# exit code (it ran, and ended on its stop).
faults_check_starts() {
	local twice='' counted='' arn code starts want
	while read -r arn _ _ code; do
		starts=$(starts_of "$arn")
		[ "$starts" -gt 1 ] && twice+=" ${arn##*/}"
		want=1
		[ "$code" = null ] && want=0
		[ "$starts" != "$want" ] && counted+=" ${arn##*/}($starts starts, exit code $code)"
	done < <(describe_all)
	verdict no_container_started_twice "$twice"
	verdict each_task_ran_once_or_never_started "$counted"
}

# applied: the hub's log to "SEQ TASK STATE" lines (STATE is the status, and for a task stopping
# or stopped its stop code), and "killed" where the test killed the hub (a line the test
# wrote there, HUB_KILLED_MARK).
HUB_KILLED_MARK="test: the hub was killed here"
applied() {
	sed -nE -e 's/.*: task_state ([0-9]+) applied: task ([0-9a-f]+) ([A-Z]+)( \(([A-Za-z]+)\))?$/\1 \2 \3\5/p' \
		-e "s/^$HUB_KILLED_MARK\$/killed/p"
}
# faults_check_states HUB_LOG: every task_state the node sent was applied once, in seq order.
# A hub commits a task_state before it logs it, so a hub killed in between leaves a seq the log
# lacks (never one it shows twice): seqs missing from the log are allowed only just before a
# kill. In the end the hub holds the node's last seq. A task's states never go back: PENDING
# (twice: the images' pull started, then ended), RUNNING, RUNNING with a stop code (stopping),
# STOPPED, each but PENDING once.
faults_check_states() {
	local log=$1 states=$WORK/applied
	applied <"$log" >"$states"
	check states_applied_in_seq_order_each_once awk '
		$1 == "killed" { killed = 1; next }
		$1 != last + 1 && !(killed && $1 > last) { print "seq " $1 " after " last; bad = 1 }
		{ last = $1; killed = 0 }
		END { exit bad || NR == 0 }' "$states"
	awk '$1 == "killed" { killed = 1; next }
		killed && $1 > last + 1 { gaps++ } { last = $1; killed = 0 }
		END { printf "kills between a task_state commit and its log line: %d\n", gaps }' "$states"
	local node_seq hub_seq
	node_seq=$(node_sql "SELECT value - 1 FROM meta WHERE key = 'next_seq'")
	hub_seq=$(sqlite3 -readonly "$WORK/hub.db" "SELECT agent_seq FROM nodes")
	WHY="node sent $node_seq, hub holds $hub_seq"
	check_now hub_holds_the_nodes_last_seq test -n "$node_seq" -a "$node_seq" = "$hub_seq"
	WHY=
	check states_never_go_back_nor_repeat awk '
		$1 == "killed" { next }
		{ rank = $3 ~ /^PENDING/ ? 1 : $3 == "RUNNING" ? 2 : $3 ~ /^RUNNING/ ? 3 : 4 }
		rank < last[$2] { print "task " $2 ": " $3 " after a later state"; bad = 1 }
		{ last[$2] = rank; n[$2 " " rank]++ }
		rank > 1 && n[$2 " " rank] > 1 { print "task " $2 ": " $3 " applied twice"; bad = 1 }
		END { exit bad }' "$states"
	# Each task stopped before the hub was first killed: its container started once when the
	# hub applied a RUNNING of it (stopping or not), else never (after a kill, a RUNNING the hub
	# committed may be missing from its log).
	sed '/^killed$/,$d' "$states" >"$states.before"
	local never
	never=$(awk '$3 ~ /^STOPPED/ { print $2 }' "$states.before" | while read -r id; do
		ran=$(grep -c "^[0-9]* $id RUNNING" "$states.before")
		[ "$((ran > 0))" = "$(starts_of "$id")" ] || echo -n " $id($ran RUNNING, $(starts_of "$id") starts)"
	done)
	verdict each_start_reported_running "$never"
}

# kill_hub: kill -9 of the hub, marked in its log for faults_check_states.
kill_hub() {
	stop_pid "$HUB_PID" KILL
	echo "$HUB_KILLED_MARK" >>"$WORK/hub.log"
}

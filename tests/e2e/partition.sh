#!/bin/bash
# A 60 s partition loses nothing. The test runs in a network namespace of its own, where the
# hub listens on every address and the agent reaches it at 127.0.0.2 while the test's own API
# calls go to 127.0.0.1: nftables rules that drop the packets to and from 127.0.0.2 at the
# hub's port cut the agent's link silently (no reset, no error: the agent can only notice by
# its liveness pings) and leave the operator's API open. Heartbeats are 2 s (the hub's
# --heartbeat-seconds) and restart periods 2 % of theirs (--restart-period-percent).
# Before the partition three tasks run: one that exits 1 every 3 s and is restarted by its
# restartPolicy, one that exits 3 (ignored: not restarted) when the test lets it, during the
# partition, and one that the operator stops as the partition begins. A fourth task is run
# then too: both go to a link that the hub still takes for alive, into a socket nothing
# leaves. During the partition both ends must notice the dead link by their liveness, the
# agent keep restarting and keep every change; after it, the link comes back (the time it
# took is printed), the stop and the new task reach the node, and the hub has applied every
# state change of the node, each once and in seq order: a RUNNING for each start of a
# container, as many as the starts the containers counted in a host volume, and each task's
# restartCount one less.
# make check: runs beside the others
if [ "$(id -u)" != 0 ]; then
	echo "SKIP partition: needs root (namespaces, nftables, overlayfs, cgroups)"
	exit 0
fi
# The namespace dies with the last process in it (the containers' monitors are killed by
# their cgroups at exit).
[ "${1:-}" = --in-own-netns ] || exec unshare --net -- /bin/bash "$0" --in-own-netns
# The rules below go nowhere but into a namespace of this test's own.
if [ "$(readlink /proc/self/ns/net)" = "$(readlink "/proc/$PPID/ns/net")" ]; then
	echo "FAIL partition-own-namespace: the test runs in its caller's network namespace"
	exit 1
fi
source "$(dirname "$0")/../lib.sh"
FAILED=0
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: ${2:-}"; }
verdict() { # NAME WHAT-WENT-WRONG (empty: nothing)
	if [ -z "$2" ]; then pass "$1"; else fail "$1" "$2"; fi
}

NODE=$WORK/node
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT
ip link set lo up || { fail partition-loopback-up; exit 1; }
AGENT_ADDRESS=127.0.0.2 # where the agent reaches the hub; the test uses 127.0.0.1
HUB_PORT=8080           # the namespace is the test's own: no one else binds there
command -v nft >/dev/null || { fail partition-nftables "no nft (the nftables package: scripts/install-deps.sh)"; exit 1; }
nft -f - <<NFT || { fail partition-nftables "nft refused the table"; exit 1; }
table inet partition {
	chain output { type filter hook output priority 0; policy accept; }
}
NFT
partition_on() {
	nft add rule inet partition output ip daddr $AGENT_ADDRESS tcp dport $HUB_PORT drop &&
		nft add rule inet partition output ip saddr $AGENT_ADDRESS tcp sport $HUB_PORT drop
}
partition_off() { nft flush chain inet partition output; }

PERIOD=2
start_hub --listen "0.0.0.0:$HUB_PORT" --heartbeat-seconds "$PERIOD" ||
	{ fail partition-hub-starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail partition-image "scripts/make-busybox-image.sh failed"; exit 1; }
make_activation || { fail partition-activation "see hub.log"; exit 1; }
"$BIN/tether" register --hub "http://$AGENT_ADDRESS:$HUB_PORT" --cluster default \
	--activation-id "$ACT_ID" --activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null ||
	{ fail partition-register; exit 1; }
# restartAttemptPeriod's 60 s minimum at 2 %: 1.2 s.
start_agent "$NODE" --restart-period-percent 2
wait_until 30 agent_connected || { fail partition-agent-connects "$(tail -5 "$WORK/agent.log")"; exit 1; }

# FAMILY SCRIPT: a definition whose container "main" runs SCRIPT with the host folder
# $WORK/FAMILY at /v, restarted on any exit but 3 after a period of 60 s (1.2 s here).
definition() {
	mkdir -p "$WORK/$1"
	jq -nc --arg family "$1" --arg image "oci:$WORK/image:latest" --arg dir "$WORK/$1" --arg script "$2" \
		'{family: $family, requiresCompatibilities: ["EXTERNAL"],
		  volumes: [{name: "v", host: {sourcePath: $dir}}],
		  containerDefinitions: [{name: "main", image: $image, essential: true, stopTimeout: 2,
		    restartPolicy: {enabled: true, ignoredExitCodes: [3], restartAttemptPeriod: 60},
		    mountPoints: [{sourceVolume: "v", containerPath: "/v"}],
		    command: ["sh", "-c", ("trap \"exit 0\" TERM; echo start >> /v/starts; " + $script)]}]}'
}
for family in crash:'sleep 3 & wait $!; exit 1' \
	once:'while [ ! -e /v/go ]; do sleep 0.5; done; sleep 1.5; exit 3' \
	held:'sleep 100000 & wait' late:'sleep 100000 & wait'; do
	json_api_call ecs register-task-definition --cli-input-json "$(definition "${family%%:*}" "${family#*:}")" \
		>/dev/null || { fail partition-definition "${family%%:*}"; exit 1; }
done
run() { json_api_call ecs run-task --cluster default --launch-type EXTERNAL --task-definition "$1" | jq -r '.tasks[0].taskArn'; }
CRASH_ARN=$(run crash) ONCE_ARN=$(run once) HELD_ARN=$(run held)
describe() { # ARN: "lastStatus restartCount exitCode" of the task and its container
	json_api_call ecs describe-tasks --cluster default --tasks "$1" |
		jq -r '.tasks[0] | "\(.lastStatus) \(.containers[0].restartCount) \(.containers[0].exitCode)"'
}
starts() { wc -l <"$WORK/$1/starts" 2>/dev/null || echo 0; }
status_is() { [ "$(describe "$1" | cut -d' ' -f1)" = "$2" ]; }
crash_restarted() { [ "$(starts crash)" -ge 3 ] && [[ "$(describe "$CRASH_ARN")" == "RUNNING "[1-9]* ]]; }
all_running() { status_is "$ONCE_ARN" RUNNING && status_is "$HELD_ARN" RUNNING && crash_restarted; }
wait_until 60 all_running || { fail partition-tasks-run "crash $(describe "$CRASH_ARN"), once $(describe "$ONCE_ARN"), held $(describe "$HELD_ARN")"; exit 1; }
pass partition-tasks-run-before

# --- the partition: 60 s

agent_lines() { grep -c "$1" "$WORK/agent.log"; }
connects_before=$(agent_lines "Connected to the hub")
losses_before=$(agent_lines "Hub link lost")
crash_starts_before=$(starts crash)
applied_lines() { grep -c "task_state [0-9]* applied" "$WORK/hub.log"; }
agent_log_at_partition=$(wc -l <"$WORK/agent.log")
partition_on || { fail partition-rules "nft refused the drop rules"; exit 1; }
partition_started=$EPOCHREALTIME
echo "partition: on, crash has started $crash_starts_before times"
# The hub still takes the link for alive: what it sends now goes into a dead socket.
json_api_call ecs stop-task --cluster default --task "$HELD_ARN" >/dev/null ||
	fail partition-stop-accepted "StopTask failed as the partition began"
LATE_ARN=$(run late)
verdict partition-task-placed-on-dead-link "$([[ $LATE_ARN == arn:* ]] || echo "RunTask failed: $LATE_ARN")"
lost() { [ "$(agent_lines "Hub link lost")" -gt "$losses_before" ]; }
wait_until 30 lost
# What the hub applied from here on was sent after the agent hung up, not before the rules.
applied_at_partition=$(applied_lines)
noticed=$(awk -v a="$partition_started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
grep "Hub link lost" "$WORK/agent.log" | tail -n +"$((losses_before + 1))" | head -n 1 | sed 's/^/partition: agent: /'
check partition-agent-notices-dead-link bash -c "grep 'Hub link lost' '$WORK/agent.log' | tail -n +$((losses_before + 1)) |
	grep -q 'nothing heard from the hub for $((3 * PERIOD)) s'"
echo "partition: the agent noticed the dead link after about $noticed s"
disconnected() { ! agent_connected; }
check partition-hub-shows-agent-disconnected wait_until 20 disconnected
# The hub counts the links it ended, by cause, in a summary every 10 s.
check partition-hub-ends-silent-link wait_until 15 grep -q "silent=[1-9]" "$WORK/hub.log"
touch "$WORK/once/go"
# The rest of the 60 s.
sleep "$(awk -v a="$partition_started" -v b="$EPOCHREALTIME" 'BEGIN { r = 60 - (b - a); printf "%.2f", (r > 0 ? r : 0) }')"
applied_in_partition=$(($(applied_lines) - applied_at_partition))
crash_starts_in_partition=$(($(starts crash) - crash_starts_before))
partition_off
partition_ended=$EPOCHREALTIME
echo "partition: off after $(awk -v a="$partition_started" -v b="$partition_ended" 'BEGIN { printf "%.1f", b - a }') s;" \
	"crash started $crash_starts_in_partition times in it, the hub applied $applied_in_partition states"
verdict partition-hub-heard-nothing "$([ "$applied_in_partition" = 0 ] || echo "$applied_in_partition states applied")"
verdict partition-restarts-went-on "$([ "$crash_starts_in_partition" -ge 8 ] || echo "only $crash_starts_in_partition starts")"
verdict partition-ignored-exit-not-restarted "$([ "$(starts once)" = 1 ] || echo "once started $(starts once) times")"

# --- after: the link back, every change applied

reconnected() { [ "$(agent_lines "Connected to the hub")" -gt "$connects_before" ]; }
if wait_until 180 reconnected; then
	back=$(awk -v a="$partition_ended" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	echo "partition: link back $back s after the partition ended"
	pass partition-link-comes-back
else
	fail partition-link-comes-back "not connected 180 s after the partition: $(tail -3 "$WORK/agent.log")"
fi
tail -n +"$((agent_log_at_partition + 1))" "$WORK/agent.log" |
	grep -E "Hub link lost|not reachable|Connected to the hub" | sed 's/^/partition: agent: /'
check partition-stop-reaches-node wait_until 30 status_is "$HELD_ARN" STOPPED
check partition-task-placed-on-dead-link-runs wait_until 30 status_is "$LATE_ARN" RUNNING
json_api_call ecs stop-task --cluster default --task "$LATE_ARN" >/dev/null
check partition-late-task-stopped wait_until 30 status_is "$LATE_ARN" STOPPED
check partition-ignored-exit-stopped wait_until 30 status_is "$ONCE_ARN" STOPPED
# The crash loop ends by the operator's stop, so that its count stays put for the checks.
json_api_call ecs stop-task --cluster default --task "$CRASH_ARN" >/dev/null
check partition-crash-loop-stopped wait_until 30 status_is "$CRASH_ARN" STOPPED
node_sql() { sqlite3 -readonly "$NODE/state.db" "$1"; }
outbox_empty() { [ "$(node_sql 'SELECT count(*) FROM outbox')" = 0 ]; }
check partition-every-change-acknowledged wait_until 30 outbox_empty

APPLIED=$WORK/applied # "SEQ TASK STATUS", and for a task stopping or stopped its stop code
sed -nE 's/.*: task_state ([0-9]+) applied: task ([0-9a-f]+) ([A-Z]+)( \(([A-Za-z]+)\))?$/\1 \2 \3\5/p' \
	"$WORK/hub.log" >"$APPLIED"
last_seq=$(($(node_sql "SELECT value FROM meta WHERE key = 'next_seq'") - 1))
verdict partition-states-applied-are-seqs-1-to-last "$(awk -v last="$last_seq" '$1 != NR { print "line " NR ": seq " $1; exit }
	END { if (NR != last) print NR " applied, the node wrote " last }' "$APPLIED")"
verdict partition-no-state-applied-twice "$(cut -d' ' -f1 "$APPLIED" | sort -n | uniq -d | head -n 5 | tr '\n' ' ')"
# Per task: PENDING, RUNNING, RUNNING stopping, STOPPED, never back; a RUNNING (not stopping)
# for each start of its container.
verdict partition-states-never-go-back "$(awk '
	{ rank = $3 ~ /^PENDING/ ? 1 : $3 == "RUNNING" ? 2 : $3 ~ /^RUNNING/ ? 3 : 4 }
	rank < last[$2] { print "task " $2 ": " $3 " after a later state" }
	{ last[$2] = rank }' "$APPLIED" | head -n 5)"
running_applied() { # ARN: the RUNNING states of the task the hub applied
	local id=${1##*/}
	awk -v id="$id" '$2 == id && $3 == "RUNNING"' "$APPLIED" | wc -l
}
wrong=
for family in crash once held late; do
	arn_var=${family^^}_ARN
	[ "$(running_applied "${!arn_var}")" = "$(starts "$family")" ] ||
		wrong+=" $family: $(running_applied "${!arn_var}") RUNNING applied, $(starts "$family") starts"
done
verdict partition-a-running-applied-per-start "$wrong"
# Each start of the crash container is a restart the hub counted, and none is counted twice.
read -r _ crash_restarts _ <<<"$(describe "$CRASH_ARN")"
verdict partition-restart-count-is-starts-less-one \
	"$([ "$crash_restarts" = $(($(starts crash) - 1)) ] || echo "restartCount $crash_restarts, $(starts crash) starts")"
read -r _ once_restarts once_exit <<<"$(describe "$ONCE_ARN")"
verdict partition-ignored-exit-counted \
	"$([ "$once_restarts/$once_exit/$(starts once)" = 0/3/1 ] || echo "restartCount/exitCode/starts $once_restarts/$once_exit/$(starts once)")"
read -r _ held_restarts _ <<<"$(describe "$HELD_ARN")"
verdict partition-stopped-task-started-once \
	"$([ "$held_restarts/$(starts held)" = 0/1 ] || echo "restartCount/starts $held_restarts/$(starts held)")"
read -r _ late_restarts _ <<<"$(describe "$LATE_ARN")"
verdict partition-late-task-started-once \
	"$([ "$late_restarts/$(starts late)" = 0/1 ] || echo "restartCount/starts $late_restarts/$(starts late)")"
echo "partition: $(wc -l <"$APPLIED") states applied (seqs 1 to $last_seq), crash restarted $crash_restarts times"
[ "$FAILED" = 0 ]

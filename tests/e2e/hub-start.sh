#!/bin/bash
# How a hub starts: it listens on exactly the address it is given (IPv4 or IPv6), refuses
# names it would have to guess about, and holds its database alone: a second hub started on
# the same database by mistake exits naming the first, and touches nothing of it.
source "$(dirname "$0")/../lib.sh"

# listening_on PORT: the local addresses listening on PORT, one per line.
listening_on() { ss -Hltn "sport = :$1" | awk '{print $4}'; }

start_hub || { fail hub_starts "see hub.log"; exit 1; }
check ipv4_hub_listens_only_on_the_given_address \
	test "$(listening_on "$HUB_PORT")" = "127.0.0.1:$HUB_PORT"

# IPv6, when the host has it on loopback.
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	V6_PORT=$(free_port)
	"$BIN/tether-hub" --listen "[::1]:$V6_PORT" --db "$WORK/v6.db" --dev >>"$WORK/hub-v6.log" 2>&1 &
	V6_PID=$!
	STARTED_PIDS+=("$V6_PID")
	check ipv6_hub_starts wait_until 20 hub_listening "$V6_PID" "$V6_PORT"
	check ipv6_hub_listens_only_on_the_given_address \
		test "$(listening_on "$V6_PORT")" = "[::1]:$V6_PORT"
	check ipv6_hub_answers curl -sfg -H 'X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters' \
		-H 'Content-Type: application/x-amz-json-1.1' -d '{}' "http://[::1]:$V6_PORT/"
	stop_pid "$V6_PID"
else
	skip ipv6_hub_listens_only_on_the_given_address "no IPv6 on loopback"
fi

for bad in localhost:8080 lo:8080 "::1:8080" "[127.0.0.1]:8080" 127.0.0.1 127.0.0.1:0; do
	# timeout: a hub that took the address would serve until stopped.
	if timeout 5 "$BIN/tether-hub" --listen "$bad" --db "$WORK/bad.db" --dev >"$WORK/bad.log" 2>&1; then
		fail "listen_${bad}_is_refused" "it started"
	else
		check "listen_${bad}_is_refused_with_a_reason" grep -qF -- "--listen $bad" "$WORK/bad.log"
	fi
done
check refused_listen_creates_no_database test ! -e "$WORK/bad.db"

# --- one hub per database
NODE=$WORK/node
join_node "$NODE" || { fail join_node "activation or registration failed"; exit 1; }
check agent_connects wait_until 20 instance_connected

# Watch agentConnected while a second hub tries the same database (on another port: the same
# port would fail to bind before it ever opened the database).
watch_connected() {
	local end=$((SECONDS + 8))
	while [ $SECONDS -lt $end ]; do
		agent_connected && echo up || echo DOWN
		sleep 0.2
	done
}
watch_connected >"$WORK/watch.log" &
WATCH_PID=$!
sleep 1
SECOND_PORT=$(free_port)
"$BIN/tether-hub" --listen "127.0.0.1:$SECOND_PORT" --db "$WORK/hub.db" --dev >"$WORK/second.log" 2>&1
second_rc=$?
wait "$WATCH_PID"
check second_hub_exits test "$second_rc" != 0
check second_hub_names_the_first grep -q "in use by another tether-hub (pid $HUB_PID" "$WORK/second.log"
check second_hub_never_listened bash -c "! grep -q listening '$WORK/second.log'"
check first_hub_node_connected_throughout bash -c \
	"test \$(grep -c up '$WORK/watch.log') -ge 3 && ! grep -q DOWN '$WORK/watch.log'"
check first_hub_node_still_connected agent_connected

# The same for a second agent on the agent's state folder.
"$BIN/tether" run --state-dir "$NODE" --allow-no-limits >"$WORK/second-agent.log" 2>&1
check second_agent_exits_naming_the_first grep -q "pid $AGENT_PID" "$WORK/second-agent.log"
check first_agent_still_connected agent_connected

# --- damaged databases are refused at start, named, and left as they are
# damage FILE PAGE: overwrite one page in the middle of a SQLite file with random bytes.
damage() {
	local size
	size=$(sqlite3 "$1" 'PRAGMA page_size')
	dd if=/dev/urandom of="$1" bs="$size" seek="$(($2 - 1))" count=1 conv=notrunc 2>/dev/null
}
stop_pid "$AGENT_PID"
stop_pid "$HUB_PID"
cp "$WORK/hub.db" "$WORK/damaged.db"
pages=$(sqlite3 "$WORK/damaged.db" 'PRAGMA page_count')
damage "$WORK/damaged.db" $((pages / 2 + 1))
sum_before=$(sha256sum <"$WORK/damaged.db")
"$BIN/tether-hub" --listen "127.0.0.1:$(free_port)" --db "$WORK/damaged.db" --dev >"$WORK/damaged.log" 2>&1
check hub_refuses_a_damaged_database test $? != 0
check hub_names_the_damaged_file grep -qF "$WORK/damaged.db: the database is damaged (" "$WORK/damaged.log"
check hub_says_what_to_do grep -q "sqlite3 FILE .recover" "$WORK/damaged.log"
check hub_leaves_the_damaged_file_as_it_was test "$(sha256sum <"$WORK/damaged.db")" = "$sum_before"

state_db=$NODE/state.db
pages=$(sqlite3 "$state_db" 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA page_count' | tail -n 1)
damage "$state_db" $((pages / 2 + 1))
"$BIN/tether" run --state-dir "$NODE" --allow-no-limits >"$WORK/damaged-agent.log" 2>&1
check agent_refuses_a_damaged_state_database test $? != 0
check agent_names_the_damaged_file grep -qF "$state_db: the database is damaged (" "$WORK/damaged-agent.log"

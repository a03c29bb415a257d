#!/bin/bash
# A hub serving TLS: registration over https (libcurl, certificate checked against the given
# CA) and the agent's link over wss:// (libwebsockets sets up TLS only for a wss:// hub).
source "$(dirname "$0")/../lib.sh"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" \
	-keyout "$WORK/hub.key" -out "$WORK/hub.pem" >"$WORK/openssl.log" 2>&1 ||
	{ fail make_certificate "$(cat "$WORK/openssl.log")"; exit 1; }

HUB_PORT=$(free_port)
HUB_URL="https://127.0.0.1:$HUB_PORT"
export AWS_CA_BUNDLE=$WORK/hub.pem
"$BIN/tether-hub" --listen "127.0.0.1:$HUB_PORT" --db "$WORK/hub.db" \
	--tls-cert "$WORK/hub.pem" --tls-key "$WORK/hub.key" >>"$WORK/hub.log" 2>&1 &
HUB_PID=$!
STARTED_PIDS+=("$HUB_PID")
check hub_serves_https wait_until 20 curl -s -o /dev/null --cacert "$WORK/hub.pem" "$HUB_URL/"

make_activation --registration-limit 1 || { fail create_activation "$(cat "$WORK/hub.log")"; exit 1; }
NODE=$WORK/node
register() { # STATE-DIR [OPTIONS]
	local state=$1
	shift
	"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
		--activation-code "$ACT_CODE" --state-dir "$state" "$@"
}
register_refused() { ! register "$WORK/untrusted" 2>"$WORK/untrusted.log"; }
check register_refuses_an_unknown_certificate register_refused
check refusal_names_the_certificate grep -qi certificate "$WORK/untrusted.log"
check register_over_https register "$NODE" --ca-file "$WORK/hub.pem"
check identity_connects_over_wss grep -q "\"wss://127.0.0.1:$HUB_PORT/v1/connect\"" "$NODE/identity.json"

start_agent "$NODE"
check agent_connects_over_wss wait_until 30 instance_connected
check agent_says_connected grep -q "Connected to the hub" "$WORK/agent.log"

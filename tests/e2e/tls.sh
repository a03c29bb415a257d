#!/bin/bash
# A hub serving TLS with a certificate from a private CA (not a self-signed leaf) and without
# --dev: the operator API signed with a key from `tether-hub keys create`, registration over
# https (libcurl, the certificate checked against --ca-file) and the agent's link over wss://
# (libwebsockets sets up TLS only for a wss:// hub). A client without the CA is refused with a
# message naming the certificate problem.
source "$(dirname "$0")/../lib.sh"

private_ca "$WORK/pki" || { fail make_certificates "$(cat "$WORK/pki/openssl.log")"; exit 1; }
private_ca "$WORK/other-pki" || { fail make_other_ca "$(cat "$WORK/other-pki/openssl.log")"; exit 1; }
check leaf_is_not_self_signed bash -c "openssl verify -CAfile '$WORK/pki/ca.pem' '$WORK/pki/hub.pem' &&
	! openssl verify -CAfile '$WORK/pki/hub.pem' '$WORK/pki/hub.pem'"

HUB_PORT=$(free_port)
HUB_URL="https://127.0.0.1:$HUB_PORT"
export AWS_CA_BUNDLE=$WORK/pki/ca.pem
hub_key "$WORK/hub.db" || { fail create_key; exit 1; }
"$BIN/tether-hub" --listen "127.0.0.1:$HUB_PORT" --db "$WORK/hub.db" \
	--tls-cert "$WORK/pki/hub.pem" --tls-key "$WORK/pki/hub.key" >>"$WORK/hub.log" 2>&1 &
HUB_PID=$!
STARTED_PIDS+=("$HUB_PID")
check hub_serves_https wait_until 20 curl -s -o /dev/null --cacert "$WORK/pki/ca.pem" "$HUB_URL/"

make_activation --registration-limit 2 || { fail create_activation "$(cat "$WORK/hub.log")"; exit 1; }
NODE=$WORK/node
register() { # STATE-DIR [OPTIONS]
	local state=$1
	shift
	"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
		--activation-code "$ACT_CODE" --state-dir "$state" "$@"
}
register_refused() { ! register "$WORK/untrusted" "$@" 2>"$WORK/untrusted.log"; }
check register_refuses_without_the_ca register_refused
check refusal_names_the_certificate grep -qi certificate "$WORK/untrusted.log"
check register_refuses_another_ca register_refused --ca-file "$WORK/other-pki/ca.pem"
check register_over_https register "$NODE" --ca-file "$WORK/pki/ca.pem"
check identity_connects_over_wss grep -q "\"wss://127.0.0.1:$HUB_PORT/v1/connect\"" "$NODE/identity.json"

# The same identity without the CA: its link is refused, and the agent says why.
cp -a "$NODE" "$WORK/no-ca"
jq 'del(.ca_file)' "$NODE/identity.json" >"$WORK/no-ca/identity.json"
"$BIN/tether" run --state-dir "$WORK/no-ca" --allow-no-limits >"$WORK/no-ca.log" 2>&1 &
NO_CA_PID=$!
STARTED_PIDS+=("$NO_CA_PID")
check agent_without_ca_names_the_certificate wait_until 30 grep -qi "certificate" "$WORK/no-ca.log"
stop_pid "$NO_CA_PID"
check agent_without_ca_never_connected bash -c "! grep -q 'Connected to the hub' '$WORK/no-ca.log'"

start_agent "$NODE"
check agent_connects_over_wss wait_until 30 instance_connected
check agent_says_connected grep -q "Connected to the hub" "$WORK/agent.log"

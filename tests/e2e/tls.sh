#!/bin/bash
# A hub serving TLS with a certificate from a private CA (not a self-signed leaf) and without
# --dev: the operator API signed with a key from `tether-hub keys create`, registration over
# https (libcurl, the certificate checked against --ca-file) and the agent's link over wss://
# (libwebsockets sets up TLS only for a wss:// hub). A client without the CA, or with another
# CA, is refused with a message naming the certificate problem. SIGHUP serves a renewed
# certificate (openssl s_client sees its serial) and keeps the served one when the new pair is
# bad.
source "$(dirname "$0")/../lib.sh"

private_ca "$WORK/pki" || { fail make_certificates "$(cat "$WORK/pki/openssl.log")"; exit 1; }
private_ca "$WORK/other-pki" || { fail make_other_ca "$(cat "$WORK/other-pki/openssl.log")"; exit 1; }
check leaf_is_not_self_signed bash -c "openssl verify -CAfile '$WORK/pki/ca.pem' '$WORK/pki/hub.pem' &&
	! openssl verify -CAfile '$WORK/pki/hub.pem' '$WORK/pki/hub.pem'"

HUB_PORT=$(free_port)
HUB_URL="https://127.0.0.1:$HUB_PORT"
export AWS_CA_BUNDLE=$WORK/pki/ca.pem
hub_key "$WORK/hub.db" || { fail create_key; exit 1; }
# The files the hub reads, replaced later by a renewed certificate.
cp "$WORK/pki/hub.pem" "$WORK/served.pem"
cp "$WORK/pki/hub.key" "$WORK/served.key"
"$BIN/tether-hub" --listen "127.0.0.1:$HUB_PORT" --db "$WORK/hub.db" \
	--tls-cert "$WORK/served.pem" --tls-key "$WORK/served.key" >>"$WORK/hub.log" 2>&1 &
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
AUDITED="audit {\"caller\":\"$HUB_ACCESS_KEY_ID\",.*\"operation\":\"CreateActivation\""
check activation_audited_with_the_key grep -q "$AUDITED.*\"activationId\":\"$ACT_ID\"" "$WORK/hub.log"
check activation_code_in_no_log bash -c '! grep -qF "$1" "$2"' _ "$ACT_CODE" "$WORK/hub.log"
check identity_connects_over_wss grep -q "\"wss://127.0.0.1:$HUB_PORT/v1/connect\"" "$NODE/identity.json"

# The same identity with no CA (the system store) or another CA: its link is refused, and the
# agent says why.
agent_refused() { # NAME [tether run options]
	local name=$1 pid
	shift
	rm -rf "$WORK/$name"
	cp -a "$NODE" "$WORK/$name"
	jq 'del(.ca_file)' "$NODE/identity.json" >"$WORK/$name/identity.json"
	"$BIN/tether" run --state-dir "$WORK/$name" --allow-no-limits --api-socket "$WORK/$name/api.sock" \
		--metadata-address off "$@" >"$WORK/$name.log" 2>&1 &
	pid=$!
	STARTED_PIDS+=("$pid")
	check "${name}_names_the_certificate" wait_until 30 grep -qi "certificate" "$WORK/$name.log"
	stop_pid "$pid"
	check "${name}_never_connected" bash -c "! grep -q 'Connected to the hub' '$WORK/$name.log'"
}
agent_refused agent_without_ca
agent_refused agent_with_another_ca --ca-file "$WORK/other-pki/ca.pem"

start_agent "$NODE"
check agent_connects_over_wss wait_until 30 instance_connected
# The hub shows the link at its welcome, a moment before the agent has read it.
check agent_says_connected wait_until 10 grep -q "Connected to the hub" "$WORK/agent.log"

# --- SIGHUP: a renewed certificate is served without a restart
serial_served() {
	openssl s_client -connect "127.0.0.1:$HUB_PORT" -CAfile "$WORK/pki/ca.pem" </dev/null 2>/dev/null |
		openssl x509 -noout -serial
}
serial_of() { openssl x509 -noout -serial -in "$1"; }
check first_certificate_served bash -c '[ "$1" = "$2" ]' _ "$(serial_served)" "$(serial_of "$WORK/pki/hub.pem")"
private_ca_leaf "$WORK/pki" renewed || { fail make_renewed "$(cat "$WORK/pki/openssl.log")"; exit 1; }
cp "$WORK/pki/renewed.pem" "$WORK/served.pem"
cp "$WORK/pki/renewed.key" "$WORK/served.key"
kill -HUP "$HUB_PID"
check reload_logged wait_until 10 grep -q "certificate reloaded from $WORK/served.pem" "$WORK/hub.log"
check renewed_certificate_served bash -c '[ "$1" = "$2" ]' _ "$(serial_served)" \
	"$(serial_of "$WORK/pki/renewed.pem")"
lists_clusters() { awsx ecs list-clusters | grep -q cluster/default; }
check operator_api_after_reload lists_clusters
check link_kept_across_reload instance_connected
# A key that is not the certificate's: refused, and the renewed certificate still served.
cp "$WORK/pki/hub.key" "$WORK/served.key"
kill -HUP "$HUB_PID"
check bad_reload_logged wait_until 10 grep -q "certificate not reloaded.*key $WORK/served.key" "$WORK/hub.log"
check renewed_certificate_still_served bash -c '[ "$1" = "$2" ]' _ "$(serial_served)" \
	"$(serial_of "$WORK/pki/renewed.pem")"
check hub_alive_after_bad_reload kill -0 "$HUB_PID"

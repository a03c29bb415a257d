#!/bin/bash
# The hub's HTTP front door: what it answers requests that are not what the aws CLI sends
# (HTTP/2, headers too long, a Content-Length that leaves the body's end in doubt). Each
# refusal has its HTTP status and an AWS-style __type, and the hub goes on serving.
source "$(dirname "$0")/../lib.sh"

ECS=AmazonEC2ContainerServiceV20141113
LIST="X-Amz-Target: $ECS.ListClusters"
start_hub || { fail hub_starts "see hub.log"; exit 1; }
hub_serves() { awsx ecs list-clusters | jq -e '.clusterArns | length >= 1' >/dev/null; }

# answers NAME "STATUS TYPE" CURL-ARGS...: curl's "HTTP-VERSION STATUS" and the body's __type.
answers() {
	local name=$1 want=$2 got
	shift 2
	got=$(curl -sS -m 20 -o "$WORK/answer.json" -w '%{http_version} %{http_code}' "$@" 2>&1)
	got="$got $(jq -r '.__type // .error' "$WORK/answer.json" 2>/dev/null)"
	if [ "$got" != "$want" ]; then
		fail "$name" "wanted '$want', got '$got': $(head -c 300 "$WORK/answer.json")"
	elif ! hub_serves; then
		fail "$name" "hub stopped serving"
	else
		pass "$name"
	fi
}

# --- HTTP/2: never agreed, so X-Amz-Target is read whatever the client offers
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" \
	-keyout "$WORK/tls.key" -out "$WORK/tls.pem" >"$WORK/openssl.log" 2>&1 ||
	{ fail make_certificate "$(cat "$WORK/openssl.log")"; exit 1; }
TLS_PORT=$(free_port)
"$BIN/tether-hub" --listen "127.0.0.1:$TLS_PORT" --db "$WORK/tls-hub.db" --dev \
	--tls-cert "$WORK/tls.pem" --tls-key "$WORK/tls.key" >>"$WORK/hub.log" 2>&1 &
TLS_PID=$!
STARTED_PIDS+=("$TLS_PID")
TLS_URL=https://127.0.0.1:$TLS_PORT/
wait_until 20 hub_listening "$TLS_PID" "$TLS_PORT"
answers https_curl_default_is_http1 "1.1 200 null" --cacert "$WORK/tls.pem" -H "$LIST" -d '{}' "$TLS_URL"
answers https_curl_http2_is_answered_over_http1 "1.1 200 null" --http2 --cacert "$WORK/tls.pem" \
	-H "$LIST" -d '{}' "$TLS_URL"
check alpn_offers_only_http1 bash -c "openssl s_client -connect 127.0.0.1:$TLS_PORT -alpn h2,http/1.1 \
	</dev/null 2>/dev/null | grep -q 'ALPN protocol: http/1.1'"
answers h2c_upgrade_declined "1.1 200 null" --http2 -H "$LIST" -d '{}' "$HUB_URL/"
check h2_prior_knowledge_refused bash -c "! curl -s -m 5 --http2-prior-knowledge -H '$LIST' -d '{}' '$HUB_URL/'"

# --- X-Amz-Target too long: said so, not taken for a missing one
long() { head -c "$1" /dev/zero | tr '\0' a; }
answers target_of_3kb_too_long "1.1 400 UnknownOperationException" -H "X-Amz-Target: $(long 3000)" \
	-d '{}' "$HUB_URL/"
check target_too_long_says_so grep -q "X-Amz-Target is too long" "$WORK/answer.json"
answers target_of_128_bytes_too_long "1.1 400 UnknownOperationException" \
	-H "X-Amz-Target: $(long 128)" -d '{}' "$HUB_URL/"
# Headers past libwebsockets' 4 KiB header space cannot be answered (docs/architecture.md):
# the connection is closed, and the hub goes on.
check headers_over_4kib_closed bash -c "! curl -s -m 5 -H 'X-Amz-Target: $(long 100000)' -d '{}' '$HUB_URL/'"
check hub_serves_after_long_headers hub_serves

# --- Content-Length: one decimal number, or the request is refused at once and closed
# raw_request NAME BYTES: sends BYTES (printf escapes) and prints the status line and body.
raw_request() {
	/usr/bin/python3 - "$HUB_PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
out = b""
while True:  # the hub closes the connection once it has answered
    b = s.recv(65536)
    if not b:
        break
    out += b
head, _, body = out.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode(), body.decode())
PY
}
raw_refused() { # NAME STATUS TYPE CONTENT-LENGTH-LINES BODY
	local got
	got=$(raw_request "POST / HTTP/1.1\r\nHost: h\r\n$LIST\r\n$4\r\n$5")
	if [[ "$got" != "HTTP/1.1 $2 "*"\"__type\":\"$3\""* ]]; then
		fail "$1" "wanted $2 $3, got: $got"
	elif ! hub_serves; then
		fail "$1" "hub stopped serving"
	else
		pass "$1"
	fi
}
raw_refused content_length_not_a_number 400 SerializationException 'Content-Length: abc\r\n' '{}'
raw_refused content_length_negative 400 SerializationException 'Content-Length: -5\r\n' '{}'
raw_refused content_length_twice 400 SerializationException 'Content-Length: 2\r\nContent-Length: 3\r\n' '{}'
raw_refused content_length_twice_equal 400 SerializationException 'Content-Length: 2\r\nContent-Length: 2\r\n' '{}'
raw_refused content_length_with_sign 400 SerializationException 'Content-Length: +2\r\n' '{}'
raw_refused content_length_huge 413 SerializationException 'Content-Length: 99999999999999999999999\r\n' '{}'
raw_refused content_length_missing 411 SerializationException '' ''
raw_refused chunked_body 411 SerializationException 'Transfer-Encoding: chunked\r\n' '2\r\n{}\r\n0\r\n\r\n'
# A body shorter than announced cannot be told from a slow one at once: it is answered when no
# byte came for 4 s, before libwebsockets would close the connection without a word.
raw_refused body_shorter_than_content_length 400 SerializationException 'Content-Length: 50\r\n' '{}'
check short_body_says_so grep -q "50 bytes announced, 2 received" <<<"$(raw_request \
	"POST /v1/register HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\n{}")"
check register_content_length_refused grep -q '^HTTP/1.1 400 .*"error":"InvalidRequest"' <<<"$(raw_request \
	"POST /v1/register HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n{}")"
long 700000 >"$WORK/big.json"
# With Expect: 100-continue the client waits for the hub's word before it sends the body, so
# the refusal is read whole. Without it the client may still be writing when the hub closes
# the connection with the body unread, and then sees its write fail (the kernel resets the
# connection) before it reads the answer.
answers oversized_body_refused "1.1 413 InvalidRequest" -H "Expect: 100-continue" \
	--data-binary "@$WORK/big.json" "$HUB_URL/v1/register"

# --- one connection, several requests (the aws CLI's paginators keep it open)
check keep_alive_serves_twice bash -c "curl -s -H '$LIST' -d '{}' '$HUB_URL/' '$HUB_URL/' | grep -o clusterArns | wc -l | grep -qx 2"

stop_pid "$TLS_PID"
stop_pid "$HUB_PID"
check no_sanitizer_reports bash -c "! grep -q 'ERROR: AddressSanitizer\|LeakSanitizer\|runtime error' '$WORK/hub.log'"

# --- wrong activation codes are slowed down, per activation and per address
start_hub || { fail hub_restarts "see hub.log"; exit 1; }
make_activation --registration-limit 5 || { fail create_activation; exit 1; }
for i in 1 2 3 4; do register_request "$ACT_ID" "wrong-code-$i" >/dev/null; done
check four_wrong_codes_still_answered bash -c '[ "$1" = 403 ] && grep -q InvalidActivation "$2"' _ \
	"$(register_request "$ACT_ID" wrong-code-5)" "$WORK/reg.json"
check then_even_the_right_code_waits bash -c '[ "$1" = 429 ] && grep -q TooManyFailedAttempts "$2"' _ \
	"$(register_request "$ACT_ID" "$ACT_CODE")" "$WORK/reg.json"
check retry_after_given grep -qi '^retry-after: [0-9]' "$WORK/reg.headers"
check block_is_logged grep -q "refused for 60 s after 5 wrong activation codes" "$WORK/hub.log"
check wrong_codes_not_logged bash -c "! grep -q wrong-code '$WORK/hub.log'"
make_activation --registration-limit 5
check address_blocked_for_other_activations bash -c '[ "$1" = 429 ]' _ \
	"$(register_request "$ACT_ID" "$ACT_CODE")"
check operator_api_not_slowed hub_serves

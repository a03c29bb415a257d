#!/bin/bash
# The operator API signed with SigV4, over https, without --dev: the real aws CLI with a profile
# holding a key from `tether-hub keys create`; the refusals AWS gives (wrong secret, unknown or
# deleted key, expired signature, no signature), a signed request sent twice, the audit line
# per mutating call, and no secret in any log. Plain curl (offering h2 in ALPN) is answered
# over HTTP/1.1. A hub with --dev takes unsigned requests from loopback.
source "$(dirname "$0")/../lib.sh"

SIGN="/usr/bin/python3 $TOP/tests/sigv4-send.py"
ECS=AmazonEC2ContainerServiceV20141113
private_ca "$WORK/pki" || { fail make_certificates "$(cat "$WORK/pki/openssl.log")"; exit 1; }
export AWS_CA_BUNDLE=$WORK/pki/ca.pem AWS_PAGER=""

out=$("$BIN/tether-hub" keys create --db "$WORK/hub.db") || { fail create_key "$out"; exit 1; }
KEY_ID=$(jq -r .AccessKey.AccessKeyId <<<"$out")
SECRET=$(jq -r .AccessKey.SecretAccessKey <<<"$out")
check key_printed_as_iam_does bash -c '[[ "$1" =~ ^AKIA[A-Z0-9]{16}$ ]] && [ ${#2} = 40 ]' _ "$KEY_ID" "$SECRET"
check secret_not_in_database bash -c '! grep -qaF "$1" "$2"' _ "$SECRET" "$WORK/hub.db"
check key_listed_without_secret bash -c '"$1" keys list --db "$2" | jq -e --arg id "$3" \
	".AccessKeyMetadata | map(select(.AccessKeyId == \$id)) | length == 1" >/dev/null &&
	! "$1" keys list --db "$2" | grep -qF "$4"' _ "$BIN/tether-hub" "$WORK/hub.db" "$KEY_ID" "$SECRET"

# The operator's profile, as `aws configure` writes it.
export AWS_SHARED_CREDENTIALS_FILE=$WORK/aws/credentials AWS_CONFIG_FILE=$WORK/aws/config
mkdir -p "$WORK/aws"
printf '[hub]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$KEY_ID" "$SECRET" \
	>"$AWS_SHARED_CREDENTIALS_FILE"
printf '[profile hub]\nregion = local\noutput = json\n' >"$AWS_CONFIG_FILE"

HUB_PORT=$(free_port)
HUB_URL="https://127.0.0.1:$HUB_PORT"
"$BIN/tether-hub" --listen "127.0.0.1:$HUB_PORT" --db "$WORK/hub.db" \
	--tls-cert "$WORK/pki/hub.pem" --tls-key "$WORK/pki/hub.key" >>"$WORK/hub.log" 2>&1 &
HUB_PID=$!
STARTED_PIDS+=("$HUB_PID")
check hub_serves_https wait_until 20 curl -s -o /dev/null --cacert "$WORK/pki/ca.pem" "$HUB_URL/"

hub() { aws --profile hub --endpoint-url "$HUB_URL" "$@"; }
# refused NAME TYPE MESSAGE-PART COMMAND...: the command fails with AWS's error type and message.
refused() {
	local name=$1 type=$2 part=$3 out
	shift 3
	if out=$("$@" 2>&1); then
		fail "$name" "accepted: $out"
	elif [[ "$out" != *"($type)"*"$part"* ]]; then
		fail "$name" "wanted $type with '$part', got: $out"
	else
		pass "$name"
	fi
}

# --- (a) the real CLI, with the profile, over https with the private CA
# answer_is FILTER WANT COMMAND...: the command's JSON answer, through jq FILTER, is WANT.
answer_is() {
	local filter=$1 want=$2 got
	shift 2
	got=$("$@" | jq -r "$filter") || return 1
	[ "$got" = "$want" ] || { echo "wanted $want, got '$got'"; return 1; }
}
check cli_creates_a_cluster answer_is .cluster.clusterName signed \
	hub ecs create-cluster --cluster-name signed
check cli_registers_a_task_definition answer_is .taskDefinition.revision 1 \
	hub ecs register-task-definition --family web \
	--container-definitions '[{"name":"web","image":"busybox","memory":64}]'
check cli_describes answer_is .taskDefinition.family web \
	hub ecs describe-task-definition --task-definition web
check cli_runs_a_task_as_ecs_would_without_nodes answer_is '.failures[0].reason' NO_ACTIVE_INSTANCES \
	hub ecs run-task --cluster signed --task-definition web
audited() { # OPERATION CALLER
	grep 'tether-hub: audit {"caller":"'"$2"'",' "$WORK/hub.log" | grep -q '"operation":"'"$1"'"'
}
check audit_names_key_and_create_cluster audited CreateCluster "$KEY_ID"
check audit_names_key_and_register audited RegisterTaskDefinition "$KEY_ID"
check audit_names_key_and_run_task audited RunTask "$KEY_ID"
check reads_not_audited bash -c "! grep audit '$WORK/hub.log' | grep -q DescribeTaskDefinition"

# --- plain curl: offers h2 and http/1.1 in ALPN, gets HTTP/1.1 and a right answer
# (A body of its own: the CLI's list-clusters a moment before, signed in the same second, would
# be the very same request, a replay.)
curl_lists() {
	curl -sS -w ' %{http_version}' --cacert "$WORK/pki/ca.pem" --aws-sigv4 aws:amz:local:ecs \
		--user "$KEY_ID:$SECRET" -H "X-Amz-Target: $ECS.ListClusters" \
		-H 'Content-Type: application/x-amz-json-1.1' -d '{"maxResults":50}' "$HUB_URL/"
}
check curl_default_over_https_answered bash -c '[[ "$1" == *cluster/signed*" 1.1" ]] || ! echo "$1"' _ \
	"$(curl_lists)"

# --- (b) refusals, with AWS's types
refused wrong_secret InvalidSignatureException "signature we calculated does not match" \
	env AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY=not-the-secret-0000000000000000000000000 \
	aws --endpoint-url "$HUB_URL" --region local ecs create-cluster --cluster-name forged
check refused_call_audited_as_unauthenticated bash -c "grep 'audit ' '$WORK/hub.log' |
	grep '\"caller\":\"unauthenticated\"' | grep '\"claimedAccessKeyId\":\"$KEY_ID\"' |
	grep -q InvalidSignatureException"
refused unknown_key UnrecognizedClientException "security token included in the request is invalid" \
	env AWS_ACCESS_KEY_ID=AKIAAAAAAAAAAAAAAAAA AWS_SECRET_ACCESS_KEY="$SECRET" \
	aws --endpoint-url "$HUB_URL" --region local ecs list-clusters
refused unsigned_without_dev MissingAuthenticationTokenException "missing Authentication Token" \
	aws --endpoint-url "$HUB_URL" --region local --no-sign-request ecs list-clusters

# A request signed 6 minutes ago: past AWS's 5-minute window, refused as expired.
OLD=$(date -u -d '-6 min' +%Y%m%dT%H%M%SZ)
check expired_signature_refused bash -c "$SIGN '$HUB_URL' '$KEY_ID' '$SECRET' $ECS.ListClusters '{}' \
	--date $OLD --ca '$WORK/pki/ca.pem' |
	grep -q '^400 InvalidSignatureException Signature expired: $OLD is now earlier than'"
# The very same signed request twice within its window: the second is a replay.
$SIGN "$HUB_URL" "$KEY_ID" "$SECRET" $ECS.CreateCluster '{"clusterName":"once"}' --times 2 \
	--ca "$WORK/pki/ca.pem" >"$WORK/replay.txt" 2>&1
check first_sending_accepted bash -c "sed -n 1p '$WORK/replay.txt' | grep -q '^200 -'"
check replay_refused bash -c "sed -n 2p '$WORK/replay.txt' |
	grep -q '^400 InvalidSignatureException Signature already used'"
check replay_did_nothing bash -c "grep 'audit ' '$WORK/hub.log' | grep '\"clusterName\":\"once\"' |
	grep -c '\"status\":200' | grep -qx 1"

# --- a key deleted while the hub runs is refused at once
check key_deleted "$BIN/tether-hub" keys delete --db "$WORK/hub.db" "$KEY_ID"
refused deleted_key_refused_at_once UnrecognizedClientException "security token" hub ecs list-clusters

# A key made while the hub runs works at once.
out=$("$BIN/tether-hub" keys create --db "$WORK/hub.db") || fail create_second_key "$out"
check key_made_while_running_works answer_is '.clusterArns | length' 3 \
	env AWS_ACCESS_KEY_ID="$(jq -r .AccessKey.AccessKeyId <<<"$out")" \
	AWS_SECRET_ACCESS_KEY="$(jq -r .AccessKey.SecretAccessKey <<<"$out")" \
	aws --endpoint-url "$HUB_URL" --region local ecs list-clusters
SECOND_SECRET=$(jq -r .AccessKey.SecretAccessKey <<<"$out")

stop_pid "$HUB_PID"
check secrets_in_no_log bash -c '! grep -rqF -e "$1" -e "$2" "$3"/*.log' _ "$SECRET" "$SECOND_SECRET" "$WORK"
check no_sanitizer_reports bash -c "! grep -q 'ERROR: AddressSanitizer\|LeakSanitizer\|runtime error' '$WORK/hub.log'"

# --- --dev: unsigned requests from loopback, over plain HTTP
unset HUB_PORT
start_hub || { fail dev_hub_starts; exit 1; }
check dev_accepts_unsigned_from_loopback bash -c "aws --endpoint-url '$HUB_URL' --region local \
	--no-sign-request ecs create-cluster --cluster-name dev | jq -e '.cluster.clusterName == \"dev\"'"
check dev_call_audited_as_dev audited CreateCluster dev

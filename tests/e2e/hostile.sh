#!/bin/bash
# The catalogue of hostile inputs (tests/hostile/*.tsv): what an attacker or a careless operator
# could send to the operator API, registration, the agent link, and what a task definition, an
# image or a container could try, each row with the refusal it must get. Every row prints
# "PASS hostile:SURFACE:NAME" or "FAIL ...", which tests/run.sh counts on its own line.
source "$(dirname "$0")/../lib.sh"

CATALOGUE=$TOP/tests/hostile
PYTHON=/usr/bin/python3 # Debian's, with python3-cryptography for the link's hello

# rows FILE: the catalogue's rows, without comments and blank lines.
rows() { grep -v -e '^#' -e '^[[:space:]]*$' "$1"; }

# verdict SURFACE NAME GOT WANT: PASS when WANT is part of GOT.
verdict() {
	if [[ "$3" == *"$4"* ]]; then
		pass "hostile:$1:$2"
	else
		fail "hostile:$1:$2" "expected '$4', got '$(head -c 300 <<<"$3" | tr '\n' ' ')'"
	fi
}

# Bodies too awkward for a TSV cell, made once.
mkdir -p "$WORK/bodies"
head -c 100000 /dev/zero | tr '\0' ' ' >"$WORK/bodies/big"
printf '{"cluster":"a\0b"}' >"$WORK/bodies/nul"
"$PYTHON" -c 'print("[" * 30000 + "]" * 30000)' >"$WORK/bodies/deep"
"$PYTHON" -c 'print("[" * 5000 + "]" * 5000)' >"$WORK/bodies/deep-frame"
"$PYTHON" -c 'import json; print(json.dumps({"tasks": ["t%d" % i for i in range(101)]}))' \
	>"$WORK/bodies/describe-101"
"$PYTHON" -c 'import json; print(json.dumps({"clusters": ["c%d" % i for i in range(101)]}))' \
	>"$WORK/bodies/describe-101-clusters"
long_target=AmazonEC2ContainerServiceV20141113.$(printf 'A%.0s' {1..3000})

start_hub || exit 1

# 1. The operator API.
while IFS=$'\t' read -r name method target body status text; do
	args=(-sS -m 10 -o "$WORK/answer" -w '%{http_code}' -X "$method" --path-as-is)
	case "$target" in
	-) ;;
	@long-target) args+=(-H "X-Amz-Target: $long_target") ;;
	ecs:*) args+=(-H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.${target#ecs:}") ;;
	ssm:*) args+=(-H "X-Amz-Target: AmazonSSM.${target#ssm:}") ;;
	*) args+=(-H "X-Amz-Target: $target") ;;
	esac
	case "$body" in
	-) ;;
	@*) args+=(--data-binary "@$WORK/bodies/${body#@}") ;;
	*) args+=(--data-binary "$body") ;;
	esac
	url=$HUB_URL/
	[ "$name" = path-climbing-out ] && url=$HUB_URL/../../etc/passwd
	got=$(curl "${args[@]}" -H 'Content-Type: application/x-amz-json-1.1' "$url" 2>&1)
	answer=$(cat "$WORK/answer" 2>/dev/null)
	# One JSON document and nothing after it: a second answer would show here.
	jq -e . >/dev/null 2>&1 <<<"$answer" || answer="(not one JSON document) $answer"
	verdict operator-api "$name" "$got $answer" "$status"
	[[ "$answer" == "(not one"* ]] ||
		verdict operator-api "$name-message" "$answer $(jq -r '.message // empty' <<<"$answer")" "$text"
done < <(rows "$CATALOGUE/operator-api.tsv")

# 2. Task definitions, through the same API.
while IFS=$'\t' read -r name body text; do
	got=$(json_api_call ecs register-task-definition --cli-input-json "$body" 2>&1)
	got="$got $(jq -r '.message // empty' 2>/dev/null <<<"$got")"
	verdict task-definitions "$name" "$got" ClientException
	verdict task-definitions "$name-message" "$got" "$text"
done < <(rows "$CATALOGUE/task-definitions.tsv")

# 3. Registration: one valid activation, with the row's own code or key.
make_activation --registration-limit 5 || { fail hostile:registration "no activation"; exit 0; }
long=$(printf 'a%.0s' {1..1000})
while IFS=$'\t' read -r name body status text; do
	body=${body//ACT_ID/$ACT_ID}
	body=${body//@1000/$long}
	got=$(curl -sS -m 10 -w ' %{http_code}' -H 'Content-Type: application/json' \
		--data-binary "$body" "$HUB_URL/v1/register" 2>&1)
	verdict registration "$name" "$got" " $status"
	verdict registration "$name-message" "$got" "$text"
done < <(rows "$CATALOGUE/registration.tsv")

# 4. The agent link, as an unknown peer and as a registered node whose agent is not running
# (its identity and key are the real ones; the link_client speaks for it).
make_activation || { fail hostile:link-frames "no activation"; exit 0; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" --activation-code "$ACT_CODE" \
	--state-dir "$WORK/node" >"$WORK/register.log" 2>&1 ||
	{ fail hostile:link-frames "registration failed: $(cat "$WORK/register.log")"; exit 0; }
while IFS=$'\t' read -r name when kind payload answer; do
	if [[ "$answer" == skip:* ]]; then
		skip "hostile:link-frames:$name" "${answer#skip: }"
		continue
	fi
	[ "$payload" = @deep ] && payload=@$WORK/bodies/deep-frame
	state=()
	[ "$when" = after-welcome ] && state=(--state "$WORK/node")
	got=$("$PYTHON" "$CATALOGUE/link_client.py" --port "$HUB_PORT" "${state[@]}" \
		"$kind" "$payload" 2>&1)
	verdict link-frames "$name" "$got" "$answer"
done < <(rows "$CATALOGUE/link-frames.tsv")
kill -0 "$HUB_PID" 2>/dev/null && pass hostile:hub-survived || fail hostile:hub-survived "the hub died"

# 5 and 6 run containers: root, namespaces and cgroups.
if [ "$(id -u)" != 0 ]; then
	skip hostile:images "needs root (namespaces, cgroups)"
	skip hostile:containers "needs root (namespaces, cgroups)"
	exit 0
fi
LIMITS=()
[ -n "${TETHER_IN_VM:-}" ] || LIMITS=(--allow-no-limits)

# run_container NAME IMAGE_DIR USER COMMAND STATE: `tether task run` of one container; prints
# its output and tether's.
run_container() {
	local user=""
	[ "$3" = - ] || user="\"user\":\"$3\","
	jq -n --arg image "oci:$2:latest" --arg command "$4" --argjson user "{${user%,}}" \
		'{family: "hostile", containerDefinitions: [{name: "app", image: $image,
		  command: ["sh", "-c", $command]} + $user]}' >"$WORK/$1.json"
	timeout 60 "$BIN/tether" task run "$WORK/$1.json" --state-dir "$5" "${LIMITS[@]}" 2>&1
}

# 5. Images. Each aims at a host file of its own, which must stay as it was.
busybox_image "$WORK/busybox" || { fail hostile:images "no busybox image"; exit 0; }
mkdir -p "$WORK/host"
victims=0
while IFS=$'\t' read -r name kind command text; do
	victim=$WORK/host/$name
	echo "host file of $name" >"$victim"
	"$PYTHON" "$CATALOGUE/make_image.py" "$WORK/busybox" "$WORK/image-$name" "$kind" "$victim" ||
		{ fail "hostile:images:$name" "make_image.py $kind failed"; continue; }
	[ "$command" = - ] && command=true
	got=$(run_container "image-$name" "$WORK/image-$name" - "$command" "$WORK/state-$name")
	victims=$((victims + 1))
	if [ "$(cat "$victim" 2>&1)" != "host file of $name" ] ||
		[ "$(ls "$WORK/host" | wc -l)" != "$victims" ]; then
		fail "hostile:images:$name" "the host folder changed: $(ls "$WORK/host" | tr '\n' ' ')"
		continue
	fi
	verdict images "$name" "$got" "$text"
	rm -rf "$WORK/state-$name" "$WORK/image-$name"
done < <(rows "$CATALOGUE/images.tsv")

# 6. Containers, in the image with syscall-probe.
IMAGE=$BIN/tests/security-image
[ -f "$IMAGE/index.json" ] || { fail hostile:containers "$IMAGE missing (make MODE=test unit-tests)"; exit 0; }
while IFS=$'\t' read -r name user command text; do
	got=$(run_container "container-$name" "$IMAGE" "$user" "$command" "$WORK/state")
	verdict containers "$name" "$got" "$text"
done < <(rows "$CATALOGUE/containers.tsv")

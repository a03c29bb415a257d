# The hub's JSON 1.1 API as the aws CLI calls it, with curl (sourced by tests/lib.sh and
# tests/aws-json.sh, which needs nothing else of lib.sh). Needs HUB_URL.

# json_string VAR VALUE: VALUE as a JSON string literal, into the variable VAR (no subshell).
json_string() {
	local -n json_string_out=$1
	local s=$2
	if [[ ${s//[$'\n\t\r']/} == *[[:cntrl:]]* ]]; then # rare: jq escapes the rest
		json_string_out=$(jq -n --arg s "$s" '$s')
		return
	fi
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/\\n}
	s=${s//$'\t'/\\t}
	s=${s//$'\r'/\\r}
	json_string_out="\"$s\""
}

# json_api_call SERVICE ACTION [--option value]...: kebab-case options become the request's
# members (camelCase for ECS, PascalCase for SSM); the plural list options become arrays;
# --cli-input-json gives the whole body.
json_api_call() {
	local service=$1 action=$2 target body='{}' words word pascal=''
	shift 2
	# Built in bash, without a program per word or per option (sed, jq): polls call this ten
	# times a second, and under the VM's emulation each program started costs half a second.
	IFS=- read -ra words <<<"$action"
	for word in "${words[@]}"; do pascal+=${word^}; done
	case "$service" in
	ecs) target=AmazonEC2ContainerServiceV20141113.$pascal ;;
	ssm) target=AmazonSSM.$pascal ;;
	*) echo "json_api_call: unknown service $service" >&2; return 2 ;;
	esac
	local members=() member
	while [ $# -gt 0 ]; do
		local opt=${1#--} value=${2:-} key parts part
		shift 2
		if [ "$opt" = cli-input-json ]; then
			body=$value
			continue
		fi
		IFS=- read -ra parts <<<"$opt"
		key=${parts[0]}
		for part in "${parts[@]:1}"; do key+=${part^}; done
		[ "$service" = ssm ] && key=${key^}
		case "$opt" in
		container-instances | tasks) json_string member "$value"; member="[$member]" ;;
		registration-limit | count)
			[[ $value =~ ^-?[0-9]+$ ]] || { echo "json_api_call: --$opt takes a number" >&2; return 2; }
			member=$value ;;
		*) json_string member "$value" ;;
		esac
		members+=("\"$key\":$member")
	done
	if [ ${#members[@]} -gt 0 ]; then
		printf -v member '%s,' "${members[@]}"
		member="{${member%,}}"
		if [ "$body" = '{}' ]; then
			body=$member
		else # the options win over the same members of --cli-input-json
			body=$(jq -c --argjson m "$member" '. + $m' <<<"$body") || return 2
		fi
	fi
	local out code
	out=$(curl -sS -w '\n%{http_code}' -H "X-Amz-Target: $target" \
		-H 'Content-Type: application/x-amz-json-1.1' --data-binary "$body" "$HUB_URL/") || return 1
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	printf '%s\n' "$out"
	[ "$code" = 200 ]
}

#!/bin/bash
# Placement as an edge fleet uses it, with the real aws CLI: two nodes with their agents
# connected, registered with a custom attribute (site=paris, site=lyon). Attributes are put,
# listed and deleted; instances are listed by filter; RunTask places by memberOf on the custom
# attribute and by distinctInstance, spreads by site, and applies a task definition's memberOf;
# a constraint no instance meets (an unknown site, the other CPU architecture) places nothing
# and says why as ECS does.
# make check: runs beside the others
source "$(dirname "$0")/../lib.sh"

trap 'kill_task_cgroups "$WORK"/node-*; on_exit' EXIT

start_hub --heartbeat-seconds 2 || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }
register_td idle '["sleep", "100000"]' >/dev/null || { fail register_task_definition; exit 1; }

# join_site STATE_DIR SITE: registers a node with the custom attribute site=SITE, starts its agent.
join_site() {
	make_activation --registration-limit 1 || return 1
	"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
		--activation-code "$ACT_CODE" --state-dir "$1" --attribute "site=$2" --attribute edge \
		>/dev/null || return 1
	start_agent "$1"
}
arn_of() { jq -r .container_instance_arn "$1/identity.json"; }
instance() {
	json_api_call ecs describe-container-instances --cluster default --container-instances "$1" |
		jq -c '.containerInstances[0]'
}
connected() { [ "$(instance "$1" | jq -r .agentConnected)" = true ]; }
not() { ! "$@"; }

# --- registration takes custom attributes, checked before the activation is used
out=$("$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id x \
	--activation-code y --state-dir "$WORK/node-bad" --attribute "bad name=x" 2>&1)
check register_refuses_bad_attribute_name test $? = 2 -a -n "$(grep -F -- "--attribute bad name=x: the name must be" <<<"$out")"
out=$("$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id x \
	--activation-code y --state-dir "$WORK/node-bad" --attribute ecs.os-type=windows 2>&1)
check register_refuses_builtin_name grep -q "are the agent's own" <<<"$out"

A=$WORK/node-a B=$WORK/node-b
join_site "$A" paris || { fail join_paris; exit 1; }
join_site "$B" lyon || { fail join_lyon; exit 1; }
A_ARN=$(arn_of "$A") B_ARN=$(arn_of "$B")
check paris_connects wait_until 30 connected "$A_ARN"
check lyon_connects wait_until 30 connected "$B_ARN"

# --- attributes
desc=$(awsx ecs describe-container-instances --cluster default --container-instances "$A_ARN")
attr() { jq -e --arg n "$1" --arg v "$2" '.containerInstances[0].attributes[] | select(.name == $n and (.value // "") == $v)' <<<"$desc" >/dev/null; }
arch=$(uname -m)
case "$arch" in aarch64) arch=arm64 other=x86_64 ;; *) other=arm64 ;; esac
check describe_shows_cpu_architecture attr ecs.cpu-architecture "$arch"
check describe_shows_os_type attr ecs.os-type linux
check describe_shows_os_family attr ecs.os-family LINUX
check describe_shows_cgroup_driver jq -e '.containerInstances[0].attributes[] | select(.name == "tether.cgroup-driver" and (.value | length > 0))' <<<"$desc"
check describe_shows_tether_version jq -e '.containerInstances[0].attributes[] | select(.name == "tether.version")' <<<"$desc"
check describe_shows_custom_site attr site paris
check describe_shows_valueless_custom attr edge ""

out=$(awsx ecs put-attributes --cluster default \
	--attributes "name=rack,value=r1,targetId=$A_ARN,targetType=container-instance")
check put_attributes_answers test "$(jq -r '.attributes[0].name' <<<"$out")" = rack
out=$(awsx ecs list-attributes --cluster default --target-type container-instance --attribute-name site)
check list_attributes_by_name test "$(jq '.attributes | length' <<<"$out")" = 2
out=$(awsx ecs list-attributes --cluster default --target-type container-instance \
	--attribute-name site --attribute-value lyon)
check list_attributes_by_value test "$(jq -c '[.attributes[].targetId]' <<<"$out")" = "[\"$B_ARN\"]"
out=$(awsx ecs list-attributes --cluster default --target-type container-instance --page-size 3 | jq '.attributes | length')
all=$(awsx ecs list-attributes --cluster default --target-type container-instance --max-items 3 | jq '.attributes | length')
check list_attributes_pages test "$out" -gt 3 -a "$all" = 3
out=$(awsx ecs put-attributes --cluster default \
	--attributes "name=ecs.os-type,value=windows,targetId=$A_ARN" 2>&1)
check put_builtin_refused grep -q "reported by the node's agent" <<<"$out"

# --- instances by filter
listed() { awsx ecs list-container-instances --cluster default --filter "$1" | jq -c .containerInstanceArns; }
check filter_by_custom_attribute test "$(listed "attribute:site == lyon")" = "[\"$B_ARN\"]"
check filter_with_and_exists test "$(listed "attribute:site in [paris, lyon] and attribute:rack exists")" = "[\"$A_ARN\"]"
check filter_by_instance_id test "$(listed "ec2InstanceId == ${B_ARN##*/}")" = "[\"$B_ARN\"]"
check filter_with_status test "$(awsx ecs list-container-instances --cluster default --status ACTIVE \
	--filter "not attribute:site == paris" | jq -c .containerInstanceArns)" = "[\"$B_ARN\"]"
out=$(awsx ecs list-container-instances --cluster default --filter "attribute:site = paris" 2>&1)
check filter_error_names_the_position grep -q "filter: position 16: unexpected character '='" <<<"$out"
awsx ecs delete-attributes --cluster default --attributes "name=rack,targetId=$A_ARN" >/dev/null
check delete_attributes_removes test "$(listed "attribute:rack exists")" = "[]"

# --- placement
run() { awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition "$@"; }
on() { jq -c '[.tasks[].containerInstanceArn] | sort' <<<"$1"; }
out=$(run idle --count 3 --placement-constraints '[{"type": "memberOf", "expression": "attribute:site == lyon"}]')
check member_of_custom_attribute test "$(on "$out")" = "[\"$B_ARN\",\"$B_ARN\",\"$B_ARN\"]"

out=$(run idle --count 3 --group distinct --placement-constraints '[{"type": "distinctInstance"}]')
check distinct_instance_one_each test "$(jq -c '[.tasks[].containerInstanceArn] | unique | length' <<<"$out")" = 2 -a "$(jq '.tasks | length' <<<"$out")" = 2
check distinct_instance_third_says_why test "$(jq -r '.failures[0].reason' <<<"$out")" = "DistinctInstance placement constraint unsatisfied."

out=$(run idle --count 2 --group spread --placement-strategy '[{"type": "spread", "field": "attribute:site"}]')
check spread_by_site test "$(jq -c '[.tasks[].containerInstanceArn] | unique | length' <<<"$out")" = 2

out=$(run idle --placement-constraints '[{"type": "memberOf", "expression": "attribute:site == nice"}]')
check impossible_constraint_places_nothing test "$(jq '.tasks | length' <<<"$out")" = 0
check impossible_constraint_says_why test "$(jq -r '.failures[0].reason' <<<"$out")" = "MemberOf placement constraint unsatisfied."

out=$(run idle --placement-constraints "[{\"type\": \"memberOf\", \"expression\": \"attribute:ecs.cpu-architecture == $other\"}]")
check other_architecture_places_nothing test "$(jq '.tasks | length' <<<"$out")" = 0
check other_architecture_says_why test "$(jq -r '.failures[0].reason' <<<"$out")" = "MemberOf placement constraint unsatisfied."

out=$(run idle --placement-constraints '[{"type": "memberOf", "expression": "attribute:site =="}]' 2>&1)
check bad_expression_refused grep -q "placementConstraints\[0\].expression: position 18: expected a value" <<<"$out"

register_td paris '["sleep", "100000"]' "" \
	'"placementConstraints": [{"type": "memberOf", "expression": "attribute:site == paris"}]' >/dev/null
out=$(awsx ecs describe-task-definition --task-definition paris)
check definition_keeps_constraints test "$(jq -r '.taskDefinition.placementConstraints[0].expression' <<<"$out")" = "attribute:site == paris"
out=$(run paris --count 2)
check definition_member_of_applies test "$(on "$out")" = "[\"$A_ARN\",\"$A_ARN\"]"
out=$(run paris --placement-constraints '[{"type": "memberOf", "expression": "attribute:site == lyon"}]')
check definition_and_request_both_apply test "$(jq -r '.failures[0].reason' <<<"$out")" = "MemberOf placement constraint unsatisfied."

# A task placed by constraint runs on its node.
task=$(run idle --placement-constraints '[{"type": "memberOf", "expression": "attribute:site == paris"}]' | jq -r '.tasks[0].taskArn')
check constrained_task_runs wait_until 60 task_is "$task" RUNNING
check constrained_task_on_paris test -d "$A/tasks/${task##*/}"

# A service's tasks meet their definition's constraints too, a DAEMON's only where they hold.
# tasks_on FAMILY SERVICE [cli]: the container instances of the service's tasks of FAMILY meant
# to run, sorted. Polled, so asked with curl (tests/lib.sh instance_connected says why); with
# "cli", with the aws CLI, as the check after the polls does.
tasks_on() {
	local arns
	if [ "${3:-}" = cli ]; then
		arns=$(awsx ecs list-tasks --cluster default --family "$1" | jq -r '.taskArns[]')
		[ -n "$arns" ] || { echo "[]"; return; }
		# shellcheck disable=SC2086
		awsx ecs describe-tasks --cluster default --tasks $arns
	else
		arns=$(json_api_call ecs list-tasks --cluster default --family "$1" | jq -c .taskArns)
		[ "$arns" != "[]" ] || { echo "[]"; return; }
		json_api_call ecs describe-tasks --cli-input-json "{\"cluster\": \"default\", \"tasks\": $arns}"
	fi | jq -c --arg g "service:$2" '[.tasks[] | select(.group == $g) | .containerInstanceArn] | sort'
}
service_on() { tasks_on paris "$@"; } # NAME [cli]
awsx ecs create-service --cluster default --service-name paris-web --task-definition paris \
	--desired-count 2 --launch-type EXTERNAL >/dev/null
check service_tasks_meet_definition_constraints wait_until 60 eval \
	'[ "$(service_on paris-web)" = "[\"$A_ARN\",\"$A_ARN\"]" ]'
awsx ecs create-service --cluster default --service-name paris-daemon --task-definition paris \
	--scheduling-strategy DAEMON --launch-type EXTERNAL >/dev/null
check daemon_only_where_constraints_hold wait_until 60 eval '[ "$(service_on paris-daemon)" = "[\"$A_ARN\"]" ]'
sleep 3
check daemon_not_on_other_instance test "$(service_on paris-daemon cli)" = "[\"$A_ARN\"]"
awsx ecs create-service --cluster default --service-name lyon-web --task-definition idle \
	--desired-count 2 --launch-type EXTERNAL \
	--placement-constraints '[{"type": "memberOf", "expression": "attribute:site == lyon"}]' \
	--placement-strategy '[{"type": "spread", "field": "instanceId"}]' >/dev/null
lyon_on() { tasks_on idle lyon-web; }
check service_own_constraints_hold wait_until 60 eval '[ "$(lyon_on)" = "[\"$B_ARN\",\"$B_ARN\"]" ]'
out=$(awsx ecs describe-services --cluster default --services lyon-web)
check service_shows_its_placement jq -e '.services[0].placementConstraints[0].expression == "attribute:site == lyon" and .services[0].placementStrategy[0].field == "instanceId"' <<<"$out"
for svc in paris-web paris-daemon lyon-web; do
	awsx ecs delete-service --cluster default --service "$svc" --force >/dev/null
done

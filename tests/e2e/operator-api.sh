#!/bin/bash
# The operator's daily actions with the real aws CLI, on two nodes: tags (TagResource,
# UntagResource, ListTagsForResource, tags on CreateCluster, RegisterTaskDefinition, RunTask and
# StartTask, propagateTags, include TAGS), ListTaskDefinitions, ListTaskDefinitionFamilies,
# DeregisterTaskDefinition, DeleteCluster, StartTask, and SSM's DescribeActivations,
# DeleteActivation, DescribeInstanceInformation and DeregisterManagedInstance.
# make check: runs beside the others
source "$(dirname "$0")/../lib.sh"

trap 'kill_task_cgroups "$WORK"/node-*; on_exit' EXIT

start_hub --heartbeat-seconds 2 || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }

# refused NAME EXPECTED COMMAND...: the command fails and says EXPECTED.
refused() {
	local name=$1 want=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$name" "succeeded: $out"
	elif ! grep -q -- "$want" <<<"$out"; then
		fail "$name" "wanted $want, got: $(tr '\n' ' ' <<<"$out")"
	else
		pass "$name"
	fi
}
SLEEP='["sh", "-c", "trap \"exit 0\" TERM; sleep 100000 & wait"]'
CLUSTER_ARN=arn:aws:ecs:local:000000000000:cluster

# --- cluster tags
out=$(awsx ecs create-cluster --cluster-name ops --tags key=team,value=edge key=empty,value=)
check create_cluster_answers_tags jq -e '.cluster.tags == [{"key":"empty","value":""},{"key":"team","value":"edge"}]' <<<"$out"
check describe_cluster_include_tags jq -e '.clusters[0].tags[] | select(.key=="team" and .value=="edge")' \
	<<<"$(awsx ecs describe-clusters --clusters ops --include TAGS)"
check describe_cluster_without_include_has_no_tags jq -e '.clusters[0] | has("tags") | not' \
	<<<"$(awsx ecs describe-clusters --clusters ops)"
refused describe_cluster_other_include_refused "tether does not implement STATISTICS" \
	awsx ecs describe-clusters --clusters ops --include STATISTICS
check tag_resource awsx ecs tag-resource --resource-arn "$CLUSTER_ARN/ops" --tags key=site,value=berlin key=team,value=core
# A resource's tags after a change, read with curl: the aws CLI's list-tags-for-resource is
# checked by the calls below that name it (a CLI call costs about a second of CPU).
tags() { json_api_call ecs list-tags-for-resource --resource-arn "$1" | jq -c '[.tags[] | "\(.key)=\(.value)"]'; }
check tag_resource_adds_and_replaces test "$(tags "$CLUSTER_ARN/ops")" = '["empty=","site=berlin","team=core"]'
check untag_resource awsx ecs untag-resource --resource-arn "$CLUSTER_ARN/ops" --tag-keys empty nosuchkey
check untag_resource_removes test "$(tags "$CLUSTER_ARN/ops")" = '["site=berlin","team=core"]'
refused reserved_prefix_refused "aws: prefix is reserved" \
	awsx ecs tag-resource --resource-arn "$CLUSTER_ARN/ops" --tags key=aws:owner,value=x
refused reserved_prefix_untag_refused "aws: prefix is reserved" \
	awsx ecs untag-resource --resource-arn "$CLUSTER_ARN/ops" --tag-keys AWS:ecs:clusterName
refused long_key_refused "must be 1 to 128" \
	awsx ecs tag-resource --resource-arn "$CLUSTER_ARN/ops" --tags "key=$(printf 'k%.0s' $(seq 129)),value=v"
refused long_value_refused "at most 256" \
	awsx ecs tag-resource --resource-arn "$CLUSTER_ARN/ops" --tags "key=k,value=$(printf 'v%.0s' $(seq 257))"
refused bad_character_refused InvalidParameterException \
	awsx ecs tag-resource --resource-arn "$CLUSTER_ARN/ops" --tags 'key=a*b,value=v'
many=$(for i in $(seq 49); do printf 'key=k%d,value=v ' "$i"; done)
# shellcheck disable=SC2086
refused fifty_first_tag_refused "at most 50 tags" awsx ecs tag-resource --resource-arn "$CLUSTER_ARN/ops" --tags $many
check refused_tagging_changed_nothing test "$(tags "$CLUSTER_ARN/ops")" = '["site=berlin","team=core"]'
# shellcheck disable=SC2086
check fifty_tags_taken awsx ecs tag-resource --resource-arn "$CLUSTER_ARN/ops" --tags $(for i in $(seq 48); do printf 'key=k%d,value=v ' "$i"; done)
check fifty_tags_listed test "$(awsx ecs list-tags-for-resource --resource-arn "$CLUSTER_ARN/ops" | jq '.tags | length')" = 50
refused unknown_cluster_tag_refused ClusterNotFoundException awsx ecs list-tags-for-resource --resource-arn "$CLUSTER_ARN/nosuch"
refused unknown_task_tag_refused ResourceNotFoundException \
	awsx ecs list-tags-for-resource --resource-arn arn:aws:ecs:local:000000000000:task/default/0123456789abcdef0123456789abcdef
refused service_arn_not_found ResourceNotFoundException \
	awsx ecs tag-resource --resource-arn arn:aws:ecs:local:000000000000:service/default/web --tags key=a,value=b
refused foreign_arn_refused InvalidParameterException \
	awsx ecs list-tags-for-resource --resource-arn arn:aws:ecs:us-east-1:123456789012:cluster/ops

# --- task definitions: tags, lists, deregistration
reg() { awsx ecs register-task-definition --cli-input-json "$(taskdef "$@")"; }
out=$(reg idle "$SLEEP" '"memory": 64, "cpu": 64' '"tags": [{"key": "app", "value": "idle"}, {"key": "tier", "value": "td"}]')
check register_answers_tags jq -e '.tags == [{"key":"app","value":"idle"},{"key":"tier","value":"td"}]' <<<"$out"
check describe_td_include_tags jq -e '.tags == [{"key":"app","value":"idle"},{"key":"tier","value":"td"}]' \
	<<<"$(awsx ecs describe-task-definition --task-definition idle:1 --include TAGS)"
check describe_td_without_include_has_no_tags jq -e 'has("tags") | not' \
	<<<"$(awsx ecs describe-task-definition --task-definition idle:1)"
check td_tags_listed test "$(tags arn:aws:ecs:local:000000000000:task-definition/idle:1)" = '["app=idle","tier=td"]'
refused td_reserved_tag_refused "aws: prefix is reserved" reg bad '["true"]' '' '"tags": [{"key": "aws:x", "value": "y"}]'
# More revisions and families to list, sent with curl (the CLI registered the first above).
reg_curl() { json_api_call ecs register-task-definition --cli-input-json "$(taskdef "$@")"; }
for _ in 1 2; do
	reg_curl idle "$SLEEP" '"memory": 64, "cpu": 64' '"tags": [{"key": "app", "value": "idle"}, {"key": "tier", "value": "td"}]' >/dev/null
done
reg_curl big "$SLEEP" '"memory": 100000' >/dev/null
reg alpha '["true"]' >/dev/null
TD=arn:aws:ecs:local:000000000000:task-definition
check list_task_definitions test "$(awsx ecs list-task-definitions | jq -c .taskDefinitionArns)" = \
	"[\"$TD/alpha:1\",\"$TD/big:1\",\"$TD/idle:1\",\"$TD/idle:2\",\"$TD/idle:3\"]"
check list_task_definitions_family test "$(awsx ecs list-task-definitions --family-prefix idle --sort DESC | jq -c .taskDefinitionArns)" = \
	"[\"$TD/idle:3\",\"$TD/idle:2\",\"$TD/idle:1\"]"
check list_task_definitions_pages test "$(awsx ecs list-task-definitions --page-size 2 | jq '.taskDefinitionArns | length')" = 5
p1=$(awsx ecs list-task-definitions --max-items 2)
check list_task_definitions_resume test "$(awsx ecs list-task-definitions --starting-token "$(jq -r .NextToken <<<"$p1")" | jq -c .taskDefinitionArns)" = \
	"[\"$TD/idle:1\",\"$TD/idle:2\",\"$TD/idle:3\"]"
refused list_bad_sort_refused "sort must be ASC or DESC" awsx ecs list-task-definitions --sort UP
check families_by_prefix test "$(awsx ecs list-task-definition-families --family-prefix i | jq -c .families)" = '["idle"]'
check families_pages test "$(awsx ecs list-task-definition-families --page-size 1 | jq -c .families)" = '["alpha","big","idle"]'

out=$(awsx ecs deregister-task-definition --task-definition idle:1)
check deregister_answers_inactive jq -e '.taskDefinition.status == "INACTIVE" and .taskDefinition.deregisteredAt != null' <<<"$out"
check describe_shows_inactive jq -e '.taskDefinition | .status == "INACTIVE" and has("deregisteredAt")' \
	<<<"$(awsx ecs describe-task-definition --task-definition idle:1 | jq '{taskDefinition: .taskDefinition}')"
check inactive_not_listed_active test "$(awsx ecs list-task-definitions --family-prefix idle | jq -c .taskDefinitionArns)" = \
	"[\"$TD/idle:2\",\"$TD/idle:3\"]"
check inactive_listed_inactive test "$(awsx ecs list-task-definitions --status INACTIVE | jq -c .taskDefinitionArns)" = "[\"$TD/idle:1\"]"
refused deregister_needs_revision "must name a revision" awsx ecs deregister-task-definition --task-definition idle
awsx ecs deregister-task-definition --task-definition alpha:1 >/dev/null
check family_inactive_when_no_revision_is test "$(awsx ecs list-task-definition-families --status INACTIVE | jq -c .families)" = '["alpha"]'
check family_active_lists test "$(awsx ecs list-task-definition-families --status ACTIVE | jq -c .families)" = '["big","idle"]'
refused run_inactive_refused "TaskDefinition is inactive" awsx ecs run-task --task-definition idle:1
refused run_inactive_family_refused "Unable to describe task definition" awsx ecs run-task --task-definition alpha

# --- two nodes
join_node "$WORK/node-a" || { fail join_node_a; exit 1; }
ACT_A=$ACT_ID
join_node "$WORK/node-b" || { fail join_node_b; exit 1; }
ci_of() { jq -r .container_instance_arn "$1/identity.json"; }
node_of() { jq -r .node_id "$1/identity.json"; }
connected() {
	json_api_call ecs describe-container-instances --cluster default --container-instances "$(ci_of "$1")" |
		jq -e '.containerInstances[0].agentConnected' >/dev/null
}
both_connected() { connected "$WORK/node-a" && connected "$WORK/node-b"; }
check nodes_connect wait_until 30 both_connected
CI_A=$(ci_of "$WORK/node-a")
CI_B=$(ci_of "$WORK/node-b")

# --- RunTask tags
out=$(awsx ecs run-task --task-definition idle --propagate-tags TASK_DEFINITION --tags key=tier,value=run key=job,value=x \
	--enable-ecs-managed-tags)
T1=$(jq -r '.tasks[0].taskArn' <<<"$out")
check run_task_latest_active_revision jq -e '.tasks[0].taskDefinitionArn | endswith("idle:3")' <<<"$out"
check run_task_tags test "$(tags "$T1")" = '["app=idle","aws:ecs:clusterName=default","job=x","tier=run"]'
check describe_tasks_include_tags jq -e '.tasks[0].tags | length == 4' \
	<<<"$(awsx ecs describe-tasks --tasks "$T1" --include TAGS)"
check describe_tasks_without_include_has_no_tags jq -e '.tasks[0] | has("tags") | not' \
	<<<"$(awsx ecs describe-tasks --tasks "$T1")"
out=$(awsx ecs run-task --task-definition idle --propagate-tags NONE)
check propagate_none_no_tags test "$(tags "$(jq -r '.tasks[0].taskArn' <<<"$out")")" = '[]'
refused propagate_service_refused "propagateTags SERVICE" awsx ecs run-task --task-definition idle --propagate-tags SERVICE
refused run_task_reserved_tag_refused "aws: prefix is reserved" awsx ecs run-task --task-definition idle --tags key=aws:x,value=y
check task_tag_resource awsx ecs tag-resource --resource-arn "$T1" --tags key=extra,value=1
check task_untag_resource awsx ecs untag-resource --resource-arn "$T1" --tag-keys job
check task_tags_changed test "$(tags "$T1")" = '["app=idle","aws:ecs:clusterName=default","extra=1","tier=run"]'
refused untag_managed_refused "aws: prefix is reserved" awsx ecs untag-resource --resource-arn "$T1" --tag-keys aws:ecs:clusterName
check instance_tag_resource awsx ecs tag-resource --resource-arn "$CI_A" --tags key=rack,value=r1
check instance_tags_listed test "$(tags "$CI_A")" = '["rack=r1"]'
task_running() { [ "$(json_api_call ecs describe-tasks --cluster default --tasks "$1" | jq -r '.tasks[0].lastStatus')" = RUNNING ]; }
check task_runs wait_until 60 task_running "$T1"
awsx ecs deregister-task-definition --task-definition idle:3 >/dev/null
sleep 1
check deregistered_revision_task_keeps_running task_running "$T1"
refused run_deregistered_revision_refused "TaskDefinition is inactive" awsx ecs run-task --task-definition idle:3

# --- StartTask
out=$(awsx ecs start-task --task-definition idle:2 --container-instances "$CI_A" "$CI_B" --started-by ops \
	--group batch --tags key=k,value=v --propagate-tags TASK_DEFINITION)
check start_task_two_tasks jq -e '(.tasks | length) == 2 and (.failures | length) == 0' <<<"$out"
check start_task_on_named_instances test "$(jq -c '[.tasks[].containerInstanceArn] | sort' <<<"$out")" = \
	"$(jq -nc --arg a "$CI_A" --arg b "$CI_B" '[$a, $b] | sort')"
check start_task_started_by jq -e '[.tasks[] | select(.startedBy == "ops" and .group == "batch")] | length == 2' <<<"$out"
S1=$(jq -r '.tasks[0].taskArn' <<<"$out")
check start_task_tags test "$(tags "$S1")" = '["app=idle","k=v","tier=td"]'
check started_task_runs wait_until 60 task_running "$S1"
out=$(awsx ecs start-task --task-definition big --container-instances "$CI_A" nosuch)
check start_task_resource_failure jq -e --arg a "$CI_A" '.failures[] | select(.arn == $a and .reason == "RESOURCE:MEMORY")' <<<"$out"
check start_task_missing_failure jq -e '.failures[] | select(.arn == "nosuch" and .reason == "MISSING")' <<<"$out"
check start_task_no_task_on_failure jq -e '.tasks == []' <<<"$out"
# shellcheck disable=SC2046
refused start_task_eleven_refused "at most 10" awsx ecs start-task --task-definition idle:2 --container-instances $(seq -f 'i%g' 11)
refused start_task_inactive_td_refused "TaskDefinition is inactive" \
	awsx ecs start-task --task-definition idle:1 --container-instances "$CI_A"
refused start_task_unknown_member_refused "networkConfiguration" \
	awsx ecs start-task --task-definition idle:2 --container-instances "$CI_A" \
	--network-configuration 'awsvpcConfiguration={subnets=[s]}'

# --- DeleteCluster
refused delete_cluster_with_instances ClusterContainsContainerInstancesException awsx ecs delete-cluster --cluster default
out=$(awsx ecs delete-cluster --cluster ops)
check delete_cluster_inactive jq -e '.cluster.status == "INACTIVE"' <<<"$out"
check deleted_cluster_described_inactive jq -e '.clusters[0].status == "INACTIVE" and (.failures | length) == 0' \
	<<<"$(awsx ecs describe-clusters --clusters ops)"
check deleted_cluster_not_listed bash -c "! awsx ecs list-clusters | grep -q cluster/ops"
refused deleted_cluster_refuses_tasks ClusterNotFoundException awsx ecs run-task --cluster ops --task-definition idle:2
refused deleted_cluster_refuses_tags ClusterNotFoundException awsx ecs list-tags-for-resource --resource-arn "$CLUSTER_ARN/ops"
refused delete_unknown_cluster ClusterNotFoundException awsx ecs delete-cluster --cluster nosuch
out=$(awsx ecs create-cluster --cluster-name ops)
check cluster_made_again jq -e '.cluster.status == "ACTIVE"' <<<"$out"
check cluster_made_again_without_tags test "$(tags "$CLUSTER_ARN/ops")" = '[]'
awsx ecs delete-cluster --cluster ops >/dev/null
make_activation
registration_refused() { # STATUS ERROR ACTIVATION-ID CODE [CLUSTER]
	local want=$1 error=$2
	shift 2
	[ "$(register_request "$@")" = "$want" ] && grep -q "$error" "$WORK/reg.json"
}
check registration_into_deleted_cluster_refused registration_refused 404 ClusterNotFound "$ACT_ID" "$ACT_CODE" ops

# --- SSM
out=$(awsx ssm create-activation --iam-role edge-role --default-instance-name edgebox --description "site 1" --registration-limit 3)
ACT=$(jq -r .ActivationId <<<"$out")
CODE=$(jq -r .ActivationCode <<<"$out")
acts() { awsx ssm describe-activations "$@"; }
out=$(acts --filters "FilterKey=ActivationIds,FilterValues=$ACT")
check describe_activations_by_id jq -e --arg id "$ACT" '.ActivationList | length == 1 and .[0].ActivationId == $id and
	.[0].DefaultInstanceName == "edgebox" and .[0].IamRole == "edge-role" and .[0].RegistrationLimit == 3 and
	.[0].RegistrationsCount == 0 and .[0].Expired == false and .[0].Description == "site 1"' <<<"$out"
check describe_activations_by_name test "$(acts --filters FilterKey=DefaultInstanceName,FilterValues=edgebox | jq '.ActivationList | length')" = 1
check describe_activations_by_role test "$(acts --filters FilterKey=IamRole,FilterValues=tether | jq ".ActivationList | length")" = 3
check activation_counts_registrations jq -e --arg id "$ACT_A" '.ActivationList[0].RegistrationsCount == 1' \
	<<<"$(acts --filters "FilterKey=ActivationIds,FilterValues=$ACT_A")"
all=$(acts | jq -c '[.ActivationList[].ActivationId]')
check describe_activations_pages test "$(acts --page-size 1 | jq -c '[.ActivationList[].ActivationId]')" = "$all"
p1=$(acts --max-items 1)
check describe_activations_resume test "$(jq -c --argjson rest "$(acts --starting-token "$(jq -r .NextToken <<<"$p1")" | jq -c '[.ActivationList[].ActivationId]')" \
	'[.ActivationList[].ActivationId] + $rest' <<<"$p1")" = "$all"
refused describe_activations_bad_key InvalidFilterKey acts --filters FilterKey=Region,FilterValues=x
check delete_activation awsx ssm delete-activation --activation-id "$ACT"
check deleted_activation_gone test "$(acts --filters "FilterKey=ActivationIds,FilterValues=$ACT" | jq '.ActivationList | length')" = 0
refused delete_activation_again InvalidActivationId awsx ssm delete-activation --activation-id "$ACT"
check deleted_activation_registers_nothing registration_refused 403 InvalidActivation "$ACT" "$CODE"

NODE_A=$(node_of "$WORK/node-a")
NODE_B=$(node_of "$WORK/node-b")
infos() { awsx ssm describe-instance-information "$@"; }
out=$(infos --instance-information-filter-list "key=InstanceIds,valueSet=$NODE_A")
check instance_information jq -e --arg id "$NODE_A" --arg act "$ACT_A" --arg host "$(hostname)" \
	'.InstanceInformationList | length == 1 and .[0].InstanceId == $id and .[0].PingStatus == "Online" and
	 .[0].PlatformType == "Linux" and .[0].ActivationId == $act and .[0].IamRole == "tether" and
	 .[0].ResourceType == "ManagedInstance" and .[0].ComputerName == $host and
	 .[0].RegistrationDate != null and .[0].LastPingDateTime != null and
	 (.[0].AgentVersion | length) > 0' <<<"$out"
check instance_information_filters test "$(infos --filters Key=PingStatus,Values=Online "Key=InstanceIds,Values=$NODE_A,$NODE_B" | jq '.InstanceInformationList | length')" = 2
check instance_information_pages test "$(infos --max-items 1 | jq '(.InstanceInformationList | length) == 1 and has("NextToken")')" = true
p1=$(infos --max-items 1)
check instance_information_resume test "$(infos --starting-token "$(jq -r .NextToken <<<"$p1")" | jq -r '.InstanceInformationList[0].InstanceId')" = "$NODE_B"
# The aws CLI checks SSM's bounds itself; the hub does too, for other clients.
check instance_information_small_page grep -q InvalidParameters <<<"$(curl -s -XPOST -H 'X-Amz-Target: AmazonSSM.DescribeInstanceInformation' \
	-H 'Content-Type: application/x-amz-json-1.1' --data-binary '{"MaxResults": 2}' "$HUB_URL/")"
refused instance_information_bad_key InvalidFilterKey infos --filters Key=tag:Name,Values=x

stop_pid "$AGENT_PID" # node-b's agent: its link ends
# Polled: asked with curl (tests/lib.sh instance_connected says why).
lost() {
	[ "$(json_api_call ssm describe-instance-information --cli-input-json \
		"{\"Filters\": [{\"Key\": \"InstanceIds\", \"Values\": [\"$NODE_B\"]}]}" |
		jq -r '.InstanceInformationList[0].PingStatus')" = ConnectionLost ]
}
check stopped_agent_connection_lost wait_until 30 lost
check deregister_managed_instance awsx ssm deregister-managed-instance --instance-id "$NODE_B"
check deregistered_not_managed test "$(infos --filters "Key=InstanceIds,Values=$NODE_B" | jq '.InstanceInformationList | length')" = 0
check deregistered_instance_inactive test "$(json_api_call ecs describe-container-instances --cluster default --container-instances "$CI_B" | jq -r '.containerInstances[0].status')" = INACTIVE
out=$(awsx ecs start-task --task-definition idle:2 --container-instances "$CI_B")
check start_task_inactive_instance jq -e --arg b "$CI_B" '.failures[0] | .arn == $b and .reason == "INACTIVE"' <<<"$out"
refused deregister_again InvalidInstanceId awsx ssm deregister-managed-instance --instance-id "$NODE_B"
refused deregister_unknown InvalidInstanceId awsx ssm deregister-managed-instance --instance-id mi-00000000000000000
check hub_still_serves awsx ecs list-clusters

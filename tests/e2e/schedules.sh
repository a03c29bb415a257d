#!/bin/bash
# Scheduled tasks with the real aws CLI (`aws events`) against tether-hub and a real agent: a
# rate(1 minute) rule runs its task at each tick with startedBy events-rule/NAME, a hub
# restart does not run a tick twice, DisableRule stops a rule; EventBridge's refusals. Two
# ticks are waited for, about two minutes (a tick missed while the hub was down is left to
# tests/unit/test-hub-events.c, which sets the clock). Calls are signed with an access key,
# scoped to the service "events".
# make check: runs beside the others
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip schedules "needs root (the agent runs real containers)"
	exit 0
fi

hub_key "$WORK/hub.db" || { fail create_key; exit 1; }
start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image "scripts/make-busybox-image.sh failed"; exit 1; }
join_node "$WORK/node" || { fail node_joins "see agent.log"; exit 1; }
check agent_connects wait_until 20 instance_connected

TD_ARN=$(register_td tick '["sh", "-c", "echo tick; exit 0"]' | jq -r .taskDefinition.taskDefinitionArn)
# More memory than the node has: its rule's ticks cannot place their task.
BIG_ARN=$(register_td big '["true"]' '"memory": 900000' | jq -r .taskDefinition.taskDefinitionArn)
CLUSTER_ARN=arn:aws:ecs:local:000000000000:cluster/default

# --- refusals, as EventBridge words them, naming what tether does not do
out=$(awsx events put-rule --name patterned --event-pattern '{"source": ["aws.ec2"]}' 2>&1)
check event_pattern_refused_by_name grep -q "ValidationException.*EventPattern" <<<"$out"
out=$(awsx events put-rule --name badcron --schedule-expression 'cron(0 12 * * * *)' 2>&1)
check cron_with_both_day_fields_refused grep -q "ValidationException.*day-of-month, day-of-week" <<<"$out"
out=$(awsx events put-rule --name badcron --schedule-expression 'cron(0 12 ? JUNE MON *)' 2>&1)
check cron_field_named_in_refusal grep -q "month: 'JUNE'" <<<"$out"
out=$(awsx events describe-rule --name nothing 2>&1)
check missing_rule_not_found grep -q "ResourceNotFoundException.*Rule nothing does not exist on EventBus default" <<<"$out"

# --- two rules of the same minute: "every" keeps running, "stopped" is disabled after one run
targets() { # [task definition ARN]
	jq -nc --arg c "$CLUSTER_ARN" --arg td "${1:-$TD_ARN}" \
		'[{Id: "tick", Arn: $c, RoleArn: "arn:aws:iam::000000000000:role/ecsEventsRole",
		   EcsParameters: {TaskDefinitionArn: $td, TaskCount: 1, LaunchType: "EXTERNAL"}}]'
}
# Both rules are put within one minute, so that they tick together.
while [ $((10#$(date +%S))) -ge 45 ]; do sleep 1; done
arn=$(awsx events put-rule --name every --schedule-expression 'rate(1 minute)' \
	--description "one task a minute" | jq -r .RuleArn)
check put_rule_answers_rule_arn test "$arn" = arn:aws:events:local:000000000000:rule/every
awsx events put-rule --name stopped --schedule-expression 'rate(1 minute)' >/dev/null
out=$(awsx events put-targets --rule every --targets "$(targets)")
check put_targets_has_no_failures test "$(jq -r .FailedEntryCount <<<"$out")" = 0
awsx events put-targets --rule stopped --targets "$(targets)" >/dev/null
awsx events put-rule --name toobig --schedule-expression 'rate(1 minute)' >/dev/null
awsx events put-targets --rule toobig --targets "$(targets "$BIG_ARN")" >/dev/null
out=$(awsx events put-targets --rule every --targets "[{\"Id\": \"placed\", \"Arn\": \"$CLUSTER_ARN\",
	\"EcsParameters\": {\"TaskDefinitionArn\": \"$TD_ARN\", \"PlacementStrategy\": [{\"type\": \"random\"}]}}]" 2>&1)
check placement_strategy_refused_by_name grep -q "does not implement the parameter PlacementStrategy" <<<"$out"

out=$(awsx events describe-rule --name every)
check describe_rule_shows_schedule test "$(jq -r '[.ScheduleExpression, .State, .Description, .Arn] | join(" ")' <<<"$out")" = \
	"rate(1 minute) ENABLED one task a minute arn:aws:events:local:000000000000:rule/every"
check list_rules_pages test "$(awsx events list-rules --page-size 1 | jq -r '[.Rules[].Name] | join(" ")')" = "every stopped toobig"
check list_rules_name_prefix test "$(awsx events list-rules --name-prefix st | jq -r '[.Rules[].Name] | join(" ")')" = stopped
out=$(awsx events list-targets-by-rule --rule every)
check list_targets_shows_ecs_parameters test "$(jq -r '.Targets[0] | [.Id, .Arn, .EcsParameters.TaskDefinitionArn, .EcsParameters.LaunchType] | join(" ")' <<<"$out")" = \
	"tick $CLUSTER_ARN $TD_ARN EXTERNAL"

# runs RULE: the tasks the rule started, whatever their state (polled with curl: quicker than
# the CLI's start-up).
runs() {
	local status n=0 c
	for status in RUNNING STOPPED; do
		c=$(json_api_call ecs list-tasks --cluster default --started-by "events-rule/$1" \
			--desired-status "$status" | jq '.taskArns | length') || return 1
		n=$((n + c))
	done
	echo "$n"
}
runs_are() { [ "$(runs "$1")" = "$2" ]; }
# run_minutes RULE: the minute (UTC, since the epoch) each of the rule's tasks was created in.
run_minutes() {
	for status in RUNNING STOPPED; do
		json_api_call ecs list-tasks --cluster default --started-by "events-rule/$1" \
			--desired-status $status | jq -r '.taskArns[]'
	done | while read -r t; do
		json_api_call ecs describe-tasks --cluster default --tasks "$t" |
			jq -r '.tasks[0].createdAt / 60 | floor'
	done | sort -n
}

check first_tick_runs_every wait_until 75 runs_are every 1
check first_tick_runs_stopped wait_until 5 runs_are stopped 1
awsx events disable-rule --name stopped >/dev/null
# What the disabled rule ran: its first tick, and on a slow machine the next one if it came
# before the call above.
stopped_runs=$(runs stopped)
# The first tick's minute (on a slow machine the second may have come already).
tick1=$(run_minutes every | head -n 1)

# A restart finds the tick done: it is recorded with the tasks it started. (Counted by the
# minute the tasks were created in, so that the next tick coming meanwhile does not count.)
stop_pid "$HUB_PID"
start_hub || fail hub_restarts "see hub.log"
check agent_reconnects wait_until 60 instance_connected
sleep 3
check restart_does_not_rerun_the_tick test "$(run_minutes every | grep -cx "$tick1")" = 1

# A tick that cannot place its task: shown in /metrics and logged.
failing() { curl -sf "$HUB_URL/metrics" | grep -qx "tether_rule_failing{rule=\"$1\"} $2"; }
# toobig ticks a minute after it was put, some seconds after "every" (more on a loaded machine).
check unplaceable_rule_shows_failing wait_until 75 failing toobig 1
check placed_rule_shows_not_failing failing every 0
check failure_logged_with_reason grep -q 'rule toobig: target tick: a task could not be placed: RESOURCE:MEMORY' "$WORK/hub.log"
check metrics_still_parse bash -c "curl -sf '$HUB_URL/metrics' | /usr/bin/python3 '$TOP/tests/metrics-check.py'"
check disabled_rule_shows_disabled test "$(awsx events describe-rule --name stopped | jq -r .State)" = DISABLED

task=$(json_api_call ecs list-tasks --cluster default --started-by events-rule/every --desired-status STOPPED |
	jq -r '.taskArns[0] // empty')
[ -n "$task" ] || task=$(json_api_call ecs list-tasks --cluster default --started-by events-rule/every | jq -r '.taskArns[0]')
check scheduled_task_started_by_rule test "$(task_field "$task" .startedBy)" = events-rule/every
check scheduled_task_runs_to_completion wait_until 60 task_is "$task" STOPPED
check scheduled_task_exits_cleanly test "$(task_field "$task" '.containers[0].exitCode')" = 0

check second_tick_runs_every wait_until 75 runs_are every 2
sleep 3
check second_tick_runs_once runs_are every 2
check ticks_are_a_minute_apart test "$(run_minutes every | tr '\n' ' ')" = "$tick1 $((tick1 + 1)) "
check disabled_rule_did_not_run runs_are stopped "$stopped_runs"
# Tried every second for over a minute, the failure is logged when its reason changes only:
# RESOURCE:MEMORY, AGENT while the restarted hub waits for the agent, RESOURCE:MEMORY again.
check failure_logged_when_it_changes test "$(grep -c 'rule toobig: target tick:' "$WORK/hub.log")" -le 3

# --- targets hold a rule until they are removed
out=$(awsx events delete-rule --name every 2>&1)
check delete_rule_with_targets_refused grep -q "ValidationException.*Rule can't be deleted since it has targets" <<<"$out"
check remove_targets awsx events remove-targets --rule every --ids tick
awsx events remove-targets --rule toobig --ids tick >/dev/null
check delete_rule awsx events delete-rule --name every
out=$(awsx events describe-rule --name every 2>&1)
check deleted_rule_is_gone grep -q ResourceNotFoundException <<<"$out"
check hub_survived kill -0 "$HUB_PID"

#!/bin/bash
# Container health checks through a real hub and `tether run`: a check that starts failing
# turns its container UNHEALTHY after exactly `retries` failures and describe-tasks shows the
# check's output as the container's reason; it turns HEALTHY again at the next pass; the
# task's healthStatus follows its essential containers only; a hanging check is killed at
# its timeout with everything it started; a check runs as the container's user (uid 1000
# cannot read a root-only file that root can); bad healthCheck values are refused by field.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip health "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi

NODE=$WORK/node
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image "scripts/make-busybox-image.sh failed"; exit 1; }
join_node "$NODE" || { fail node_joins; exit 1; }
check agent_connects wait_until 30 agent_connected

# --- refused at registration, naming the field
refused() { # field healthCheck-json
	local out
	out=$(awsx ecs register-task-definition --cli-input-json "$(taskdef bad '["true"]' "\"healthCheck\": $2")" 2>&1)
	grep -q "containerDefinitions\[0\].healthCheck.$1" <<<"$out" || { echo "$out"; return 1; }
}
check refuses_interval_below_5 refused interval '{"command": ["CMD", "true"], "interval": 4}'
check refuses_timeout_above_120 refused timeout '{"command": ["CMD", "true"], "timeout": 121}'
check refuses_retries_above_10 refused retries '{"command": ["CMD", "true"], "retries": 11}'
check refuses_start_period_above_300 refused startPeriod '{"command": ["CMD", "true"], "startPeriod": 301}'
check refuses_command_without_cmd refused command '{"command": ["NONE"]}'

# --- one task with five containers, checks every 5 s (ECS's shortest interval)
VOL=$WORK/vol
SECRET=$WORK/secret
mkdir -p "$VOL" "$SECRET"
echo "root only" >"$SECRET/s"
chmod 0600 "$SECRET/s"
chmod 0755 "$SECRET"
# flaky: run 1 passes, runs 2-4 fail, later runs pass; each run leaves a line in the volume.
# Later, while the agent is away, the test makes it fail again.
FLAKY='if [ -e /v/fail-now ]; then echo "told to fail"; exit 1; fi
n=$(( $(cat /v/flaky.n 2>/dev/null || echo 0) + 1 )); echo $n > /v/flaky.n
if [ $n -ge 2 ] && [ $n -le 4 ]; then echo F >> /v/flaky.log; echo "flaky check run $n failed"; exit 1; fi
echo P >> /v/flaky.log'
td=$(jq -nc --arg image "oci:$WORK/image:latest" --arg vol "$VOL" --arg secret "$SECRET" \
	--arg flaky "$FLAKY" '
	def c($name; $essential; $check; $more): {name: $name, image: $image, essential: $essential,
		command: ["sleep", "100000"], healthCheck: $check} + $more;
	{family: "health", requiresCompatibilities: ["EXTERNAL"],
	 volumes: [{name: "v", host: {sourcePath: $vol}}, {name: "secret", host: {sourcePath: $secret}}],
	 containerDefinitions: [
	  c("flaky"; true; {command: ["CMD-SHELL", $flaky], interval: 5, timeout: 2, retries: 3};
	    {mountPoints: [{sourceVolume: "v", containerPath: "/v"}]}),
	  c("sick"; false; {command: ["CMD-SHELL", "echo sick here; exit 1"], interval: 5, retries: 1}; {}),
	  c("hang"; false; {command: ["CMD", "sleep", "1000"], interval: 10, timeout: 2, retries: 1}; {}),
	  c("asuser"; false; {command: ["CMD", "cat", "/secret/s"], interval: 5, retries: 1};
	    {user: "1000", mountPoints: [{sourceVolume: "secret", containerPath: "/secret", readOnly: true}]}),
	  c("asroot"; false; {command: ["CMD", "cat", "/secret/s"], interval: 5, retries: 1};
	    {mountPoints: [{sourceVolume: "secret", containerPath: "/secret", readOnly: true}]})]}')
check register_health_task_definition awsx ecs register-task-definition --cli-input-json "$td"
arn=$(run_task health)
task_id=${arn##*/}
check health_task_runs wait_until 60 task_is "$arn" RUNNING

quick() { json_api_call ecs describe-tasks --cluster default --tasks "$arn" | jq -r ".tasks[0]$1"; }
health_of() { quick ".containers[] | select(.name == \"$1\") | .healthStatus"; }
reason_of() { quick ".containers[] | select(.name == \"$1\") | .reason"; }
is_health() { [ "$(health_of "$1")" = "$2" ]; }
task_health_is() { [ "$(quick .healthStatus)" = "$1" ]; }

check flaky_turns_healthy_at_its_first_pass wait_until 30 is_health flaky HEALTHY
check task_healthy_with_its_essential_container_healthy task_health_is HEALTHY
check flaky_turns_unhealthy wait_until 30 is_health flaky UNHEALTHY
# Seen within a second or two of the decision; the next run is 5 s later.
fails=$(grep -c F "$VOL/flaky.log")
check flaky_unhealthy_after_exactly_3_failures test "$fails" = 3
check task_unhealthy_with_its_essential_container task_health_is UNHEALTHY
described=$(awsx ecs describe-tasks --cluster default --tasks "$arn")
check aws_cli_shows_the_failing_output jq -e '.tasks[0].containers[] | select(.name == "flaky") |
	.healthStatus == "UNHEALTHY" and (.reason | contains("flaky check run 4 failed"))' <<<"$described"
check aws_cli_shows_task_health jq -e '.tasks[0].healthStatus == "UNHEALTHY"' <<<"$described"
check flaky_recovers wait_until 30 is_health flaky HEALTHY
check task_recovers task_health_is HEALTHY

# Non-essential containers: their health is theirs, the task stays HEALTHY.
check sick_unhealthy wait_until 20 is_health sick UNHEALTHY
check sick_shows_its_output test "$(reason_of sick)" = "sick here"
check task_healthy_despite_unhealthy_non_essential task_health_is HEALTHY

# A hanging check: killed at its timeout, a failure, nothing left running.
check hanging_check_fails_at_its_timeout wait_until 30 is_health hang UNHEALTHY
check hanging_check_says_it_was_killed grep -q "past its timeout (2 s)" <<<"$(reason_of hang)"
CG_MOUNT=$(cgroup_v2_mount)
hang_cgroup=$CG_MOUNT/$(jq -r .cgroup "$NODE/tasks/$task_id/hang/config.json")
no_sleep_left() { # no process of the container's cgroup tree runs the check's sleep
	local procs
	procs=$(cat "$hang_cgroup/cgroup.procs" "$hang_cgroup"/*/cgroup.procs 2>/dev/null)
	for p in $procs; do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "sleep 1000 " && return 1
	done
	[ -n "$procs" ]
}
# Gone once the kill is reaped: the verdict may be seen a moment before.
check hanging_check_leaves_no_process wait_until 10 no_sleep_left
check hanging_check_cgroup_removed wait_until 10 test ! -e "$hang_cgroup/health-check"

# The container's user: uid 1000 cannot read the root-only file, root can.
check check_as_uid_1000_cannot_read_root_only_file wait_until 20 is_health asuser UNHEALTHY
check its_output_says_permission_denied grep -q "Permission denied" <<<"$(reason_of asuser)"
check check_as_root_reads_it wait_until 20 is_health asroot HEALTHY

# Checks that keep failing (sick, asuser: every 5 s; hang: every 10 s) with their status
# unchanged send the hub nothing: the task's version, raised by every state the hub applies,
# stays.
version=$(quick .version)
sleep 11
check repeated_failures_send_no_state test "$(quick .version)" = "$version"

# `tether status` shows them too.
status_text=$("$BIN/tether" status --state-dir "$NODE")
check status_shows_task_health grep -Eq "RUNNING +$arn +HEALTHY" <<<"$status_text"
check status_shows_container_health grep -Eq "sick +RUNNING +UNHEALTHY" <<<"$status_text"

# The monitors run the checks: they go on while the agent is gone, and a restarted agent
# takes the health up from their records.
checks_of() { jq .checks "$NODE/tasks/$task_id/$1/health.json"; }
before=$(checks_of sick)
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
checked_since() { [ "$(checks_of sick)" -gt "$before" ]; }
check checks_go_on_without_the_agent wait_until 15 checked_since
touch "$VOL/fail-now"
flaky_recorded_unhealthy() { jq -e '.status == "UNHEALTHY"' "$NODE/tasks/$task_id/flaky/health.json"; }
check flaky_turns_unhealthy_while_the_agent_is_away wait_until 30 flaky_recorded_unhealthy
start_agent "$NODE"
check agent_reconnects wait_until 30 agent_connected
check health_decided_while_away_reaches_the_hub wait_until 20 is_health flaky UNHEALTHY
check its_output_too grep -q "told to fail" <<<"$(reason_of flaky)"
check task_unhealthy_again task_health_is UNHEALTHY

# A task without checks: UNKNOWN, and its containers show no healthStatus.
register_td plain '["sleep", "100000"]' >/dev/null
plain=$(run_task plain)
check plain_task_runs wait_until 60 task_is "$plain" RUNNING
plain_json=$(awsx ecs describe-tasks --cluster default --tasks "$plain")
check task_without_checks_is_unknown jq -e '.tasks[0].healthStatus == "UNKNOWN" and
	(.tasks[0].containers[0] | has("healthStatus") | not)' <<<"$plain_json"

# The CLI stops one; the other, with curl (a CLI call costs about a second of CPU).
awsx ecs stop-task --cluster default --task "$arn" >/dev/null
json_api_call ecs stop-task --cluster default --task "$plain" >/dev/null
both_stopped() { task_is "$arn" STOPPED && task_is "$plain" STOPPED; }
check tasks_stop wait_until 60 both_stopped
check no_health_cgroup_left bash -c "! find '$CG_MOUNT/tether' -path '*$task_id*' -name health-check | grep -q ."

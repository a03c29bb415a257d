#!/bin/bash
# Tasks whose images come from a registry, through a real hub and `tether run`: the agent
# takes the registry settings of its own options (a Basic-auth registry, its credentials in a
# config.json), `tether status` shows the bytes of a pull in progress (the registry behind a
# proxy at 8 MiB/s), describe-tasks gets pullStartedAt and pullStoppedAt, and an image that
# cannot be pulled stops its task with CannotPullContainerError naming the image and why.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/registry/registry.sh"

if [ "$(id -u)" != 0 ]; then
	skip registry-task "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi

NODE=$WORK/node
trap 'kill_task_cgroups "$NODE"; on_exit' EXIT

registry_start_basic || { fail registry_starts; exit 1; }
registry_push_images busybox bench >"$WORK/push.log" 2>&1 || { fail images_pushed; exit 1; }
# The big image through a slow proxy, so that a pull lasts long enough to be seen.
CUT_PROXY_RATE=$((8 << 20)) cut_proxy_start 999999999999 || { fail proxy_starts; exit 1; }
printf '{"auths":{"%s":{"auth":"%s"},"%s":{"auth":"%s"}}}\n' \
	"$REGISTRY" "$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASSWORD" | base64 -w0)" \
	"$CUT_PROXY" "$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASSWORD" | base64 -w0)" \
	>"$WORK/auth.json"

start_hub || { fail hub_starts "see hub.log"; exit 1; }
make_activation || { fail create_activation; exit 1; }
"$BIN/tether" register --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --state-dir "$NODE" >/dev/null || { fail register; exit 1; }
start_agent "$NODE" --registry-auth-file "$WORK/auth.json"
check agent_connects wait_until 30 agent_connected

image_td() { # family image command-json
	jq -nc --arg f "$1" --arg image "$2" --argjson cmd "$3" \
		'{family: $f, requiresCompatibilities: ["EXTERNAL"],
		  containerDefinitions: [{name: "main", image: $image, essential: true, command: $cmd}]}'
}
run_image_task() { # family image command-json: prints the task's ARN
	json_api_call ecs register-task-definition --cli-input-json "$(image_td "$@")" >/dev/null &&
		json_api_call ecs run-task --cluster default --launch-type EXTERNAL \
			--task-definition "$1" | jq -r '.tasks[0].taskArn'
}
field() { json_api_call ecs describe-tasks --cluster default --tasks "$1" | jq -r ".tasks[0]$2"; }
is() { [ "$(field "$1" .lastStatus)" = "$2" ]; }

# A registry image behind Basic auth, with the agent's own credentials.
small=$(run_image_task small "$IMAGE_BUSYBOX_REF" '["sleep", "600"]')
check registry_task_runs wait_until 60 is "$small" RUNNING
check registry_task_pull_times_in_order test "$(field "$small" \
	'.pullStartedAt > 0 and .pullStartedAt <= .pullStoppedAt and .pullStoppedAt <= .startedAt + 0.001')" = true

# The big one: tether status shows the bytes while it is pulled.
big=$(run_image_task big "$CUT_PROXY/tether-test/bench:1.0" '["sleep", "600"]')
pulling() { # the JSON status shows a pull under way, and the text status then says so too
	"$BIN/tether" status --state-dir "$NODE" --json |
		jq -e '.tasks[] | select(.pull) | .pull.bytes_done > 0 and .pull.bytes_done < .pull.bytes_total' >/dev/null &&
		"$BIN/tether" status --state-dir "$NODE" >"$WORK/status-while-pulling.txt" &&
		grep -Eq 'pulling images: [0-9.]+ of [0-9.]+ MiB fetched' "$WORK/status-while-pulling.txt"
}
check status_shows_pull_progress wait_until 30 pulling
grep "pulling images" "$WORK/status-while-pulling.txt"
check big_task_runs wait_until 120 is "$big" RUNNING
check pull_progress_gone_once_pulled bash -c "! ls $NODE/tasks/*/pull.json 2>/dev/null | grep -q ."

# An image that is not there: the task stops, and says which image and why.
missing=$(run_image_task missing "$REGISTRY/tether-test/nosuch:1.0" '["true"]')
check missing_image_task_stops wait_until 60 is "$missing" STOPPED
reason=$(field "$missing" .stoppedReason)$(field "$missing" '.containers[0].reason')
echo "missing image: $reason"
check missing_image_reason_is_cannot_pull grep -q "CannotPullContainerError" <<<"$reason"
check missing_image_reason_names_the_image grep -qF "tether-test/nosuch:1.0" <<<"$reason"
check missing_image_reason_says_why grep -q "manifest unknown" <<<"$reason"

for arn in "$small" "$big"; do
	json_api_call ecs stop-task --cluster default --task "$arn" >/dev/null
done
both_stopped() { is "$small" STOPPED && is "$big" STOPPED; }
check tasks_stop wait_until 60 both_stopped

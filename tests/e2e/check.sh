#!/bin/bash
# `tether check` on this host: what it says (text and JSON agree), its exit status, and the
# state dir refusals it shares with `tether run` and `tether task run`.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip check "needs root (the overlay mount in the state dir, clone3 into a cgroup)"
	exit 0
fi

T=$BIN/tether
STATE=$WORK/state
mkdir -p "$STATE"
"$T" check --state-dir "$STATE" >"$WORK/check.txt" 2>&1
text_rc=$?
"$T" check --state-dir "$STATE" --json >"$WORK/check.json" 2>>"$WORK/check.log"
json_rc=$?
j() { jq -r "$@" "$WORK/check.json"; }

# What the host offers, read here apart from tether: the cgroup2 mount and its controllers.
CG_MOUNT=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
has_v1=$(awk '$0 ~ / - cgroup / { print "yes"; exit }' /proc/self/mountinfo)
controllers=$(tr ' ' '\n' <"$CG_MOUNT/cgroup.controllers" | grep . | paste -sd, -)
missing=$(for c in cpu memory pids; do grep -qw "$c" "$CG_MOUNT/cgroup.controllers" || echo "$c"; done | paste -sd, -)

check json_is_valid jq -e .items "$WORK/check.json"
check json_exit_status_is_the_exit_status test "$(j .exit_status)" = "$json_rc"
check text_and_json_exit_alike test "$text_rc" = "$json_rc"
check json_controllers_are_the_hosts test "$(j '.controllers | join(",")')" = "$controllers"
check json_missing_controllers test "$(j '.missing_controllers | join(",")')" = "$missing"
check json_cgroup_mount test "$(j .cgroup_mount)" = "$CG_MOUNT"
check text_says_the_controllers grep -qx "ok       cgroup v2 controllers: ${controllers:-none}" "$WORK/check.txt"
check summary_is_the_last_line test "$(tail -n 1 "$WORK/check.txt")" = "$(j .summary)"
# Every JSON item is a line of the text with the same status and detail, and nothing else is.
mismatch=$(jq -r '.items[] | "\(if .ok then "ok" else "missing" end) \(.what): \(.detail)"' "$WORK/check.json" |
	while IFS= read -r line; do
		status=${line%% *}
		grep -qxF "$(printf '%-8s %s' "$status" "${line#* }")" "$WORK/check.txt" || echo "$line"
	done)
check text_has_every_json_item test -z "$mismatch"
check text_has_one_line_per_item test "$(grep -cE '^(ok|missing) ' "$WORK/check.txt")" = "$(j '.items | length')"
check every_missing_item_has_a_fix test "$(j '[.items[] | select(.ok == false and (.fix | length) == 0)] | length')" = 0

# This machine runs cgroups in hybrid mode, its v2 tree without cpu, memory and pids: tasks
# run there only without limits, which check says with the flag.
if [ "$has_v1" = yes ] && [ -n "$missing" ]; then
	check hybrid_mode_in_json test "$(j .cgroup_mode)" = hybrid
	check hybrid_mode_in_text grep -q '^ok       cgroup v2: hybrid, mounted at ' "$WORK/check.txt"
	check exit_1_without_controllers test "$text_rc" = 1
	check limits_item_missing test "$(j '.items[] | select(.name == "limits") | .ok')" = false
	check summary_names_the_flag grep -q -- "--allow-no-limits" <<<"$(j .summary)"
	check summary_names_the_missing_controllers grep -qF "controllers $missing are missing" <<<"$(j .summary)"
	# tether run decides as check does: it refuses without the flag, naming them.
	"$T" run --state-dir "$STATE" >"$WORK/run-limits.log" 2>&1
	check run_refuses_like_check test $? = 1
	check run_names_the_missing_controllers grep -qF "lacks the controllers $missing" "$WORK/run-limits.log"
	check run_names_the_flag grep -q -- "--allow-no-limits" "$WORK/run-limits.log"
else
	skip hybrid_mode "this host is $(j .cgroup_mode) with controllers '$controllers'"
fi

# A state dir on a real file system: an overlay is really mounted in it, and nothing stays.
check state_dir_ok test "$(j '.items[] | select(.name == "state_dir") | .ok')" = true
check state_dir_overlay_tried grep -q "state dir: $STATE holds overlay upper dirs (an overlay mounted there)" "$WORK/check.txt"
check state_dir_left_clean test -z "$(ls -A "$STATE")"
check no_mount_left test "$(grep -c " $STATE" /proc/self/mounts)" = 0

# A state dir on overlayfs: check says why and how to fix it; run and task run refuse at start.
ov=$WORK/ov
mkdir -p "$ov/lower" "$ov/upper" "$ov/work" "$ov/merged"
if mount -t overlay overlay -o "lowerdir=$ov/lower,upperdir=$ov/upper,workdir=$ov/work" "$ov/merged"; then
	mkdir -p "$ov/merged/state"
	"$T" check --state-dir "$ov/merged/state" >"$WORK/check-ov.txt" 2>&1
	check overlay_state_dir_exit_2 test $? = 2
	check overlay_state_dir_named grep -qF "missing  state dir: the state dir $ov/merged/state is on overlayfs, and an overlay upper dir cannot live on overlayfs" "$WORK/check-ov.txt"
	check overlay_state_dir_fix grep -qF "fix: give --state-dir a folder on a tmpfs or on a real file system" "$WORK/check-ov.txt"
	check overlay_state_dir_summary grep -q "^tasks cannot run: state dir: " "$WORK/check-ov.txt"
	"$T" check --state-dir "$ov/merged/not-made" --json >"$WORK/check-ov.json" 2>&1
	check overlay_parent_judged test "$(jq -r '.items[] | select(.name == "state_dir") | .detail' "$WORK/check-ov.json")" = \
		"the state dir $ov/merged/not-made is on overlayfs (as $ov/merged, where it would be made, is), and an overlay upper dir cannot live on overlayfs"
	"$T" run --state-dir "$ov/merged/state" --allow-no-limits >"$WORK/run-ov.log" 2>&1
	check run_refuses_overlay_state_dir test $? = 1
	check run_says_why grep -qF "Refusing to start: the state dir $ov/merged/state is on overlayfs, and an overlay upper dir cannot live on overlayfs: every container's root file system would fail to mount; give --state-dir a folder on a tmpfs or on a real file system" "$WORK/run-ov.log"
	echo '{"family":"x","containerDefinitions":[]}' >"$WORK/td.json"
	"$T" task run "$WORK/td.json" --state-dir "$ov/merged/state" >"$WORK/task-ov.log" 2>&1
	check task_run_refuses_overlay_state_dir test $? = 125
	check task_run_says_why grep -qF "refusing to start: the state dir $ov/merged/state is on overlayfs" "$WORK/task-ov.log"
	umount "$ov/merged"
else
	skip overlay_state_dir "cannot mount an overlay here"
fi

# Bad input is refused, not ignored.
"$T" check --state-dir "$STATE" --bogus >"$WORK/bad.log" 2>&1
check unknown_option_refused test $? = 2
check unknown_option_usage grep -q "Usage: tether check" "$WORK/bad.log"
"$T" check extra >"$WORK/extra.log" 2>&1
check extra_argument_refused test $? = 2
check extra_argument_named grep -q "unexpected argument 'extra'" "$WORK/extra.log"

#!/bin/bash
# `tether check` on a pure cgroup v2 kernel with every controller: tasks run with their
# limits; a state dir on the guest's overlay root is unusable and a tmpfs one is fine, and
# `tether run` refuses the overlay one at start with the same reason.
source "$(dirname "$0")/../../lib.sh"

T=$BIN/tether
STATE=$WORK/state # $TMPDIR: a tmpfs in the guest
mkdir -p "$STATE"
"$T" check --state-dir "$STATE" >"$WORK/check.txt" 2>&1
check exit_0_with_every_controller test $? = 0
"$T" check --state-dir "$STATE" --json >"$WORK/check.json" 2>&1
check json_exit_0 test $? = 0
j() { jq -r "$@" "$WORK/check.json"; }
check mode_unified test "$(j .cgroup_mode)" = unified
check text_mode_unified grep -q '^ok       cgroup v2: unified, mounted at /sys/fs/cgroup; cgroup driver cgroupfs$' "$WORK/check.txt"
check json_controllers_are_the_roots test "$(j '.controllers | join(" ")')" = "$(cat /sys/fs/cgroup/cgroup.controllers)"
check nothing_missing_for_limits test "$(j '.missing_controllers | length')" = 0
check limits_ok grep -q '^ok       limits (cpu, memory, pids): the cgroup v2 controllers cpu, memory and pids are available$' "$WORK/check.txt"
check summary_with_limits test "$(tail -n 1 "$WORK/check.txt")" = "tasks can run with their limits"
check tmpfs_state_dir_holds_overlays grep -qF "ok       state dir: $STATE holds overlay upper dirs (an overlay mounted there)" "$WORK/check.txt"
check tmpfs_state_dir_left_clean test -z "$(ls -A "$STATE")"
check clone3_into_cgroup_ok test "$(j '.items[] | select(.name == "clone_into_cgroup") | .ok')" = true

# The guest's root is an overlay (a tmpfs over the host's root): no place for upper dirs.
ROOT_STATE=/var/lib/tether-check-$$
mkdir -p "$ROOT_STATE"
check root_is_overlayfs test "$(stat -f -c %T "$ROOT_STATE")" = overlayfs
"$T" check --state-dir "$ROOT_STATE" >"$WORK/check-root.txt" 2>&1
check overlay_root_state_dir_exit_2 test $? = 2
check overlay_root_state_dir_says_why grep -qF "missing  state dir: the state dir $ROOT_STATE is on overlayfs, and an overlay upper dir cannot live on overlayfs" "$WORK/check-root.txt"
check overlay_root_state_dir_fix grep -qF "fix: give --state-dir a folder on a tmpfs or on a real file system" "$WORK/check-root.txt"
check overlay_root_summary grep -q "^tasks cannot run: state dir: the state dir $ROOT_STATE is on overlayfs" "$WORK/check-root.txt"

"$T" run --state-dir "$ROOT_STATE" >"$WORK/run-root.log" 2>&1
check run_refuses_overlay_root test $? = 1
check run_says_dir_reason_and_fix grep -qF "Refusing to start: the state dir $ROOT_STATE is on overlayfs, and an overlay upper dir cannot live on overlayfs: every container's root file system would fail to mount; give --state-dir a folder on a tmpfs or on a real file system" "$WORK/run-root.log"
rmdir "$ROOT_STATE"

#!/bin/bash
# scripts/demo.sh on hosts whose cgroup v2 tree offers only some controllers, or none, as
# hybrid hosts do (one had only hugetlb): the demo asks `tether check` and runs its task
# without limits, saying why. Such a host is made here from the VM's full tree: a cgroup
# whose parent enables only CONTROLLERS, and a shell in it with a cgroup namespace rooted
# there and cgroup2 mounted afresh, so that tether sees a root offering only those. A demo
# whose state dir is on the guest's overlay root stops before it starts anything, in check's
# words.
source "$(dirname "$0")/../../lib.sh"

# demo_in_cgroup NAME CONTROLLERS [IMAGE]: runs the demo there (with the OCI layout IMAGE
# instead of one it packs); output in $WORK/NAME.log, status in RC.
demo_in_cgroup() {
	local name=$1 controllers=$2 image=${3:-} parent=/sys/fs/cgroup/demo-$1
	mkdir -p "$parent/host"
	local c
	for c in $controllers; do echo "+$c" >"$parent/cgroup.subtree_control"; done
	TETHER_DEMO_DIR=$WORK/$name TETHER_DEMO_PORT=$((32000 + RANDOM % 1000)) \
		TETHER_DEMO_AWS=$TOP/tests/aws-json.sh TETHER_DEMO_IMAGE=$image \
		bash -c 'echo $$ >"$1/host/cgroup.procs" &&
			exec unshare -Cm sh -c "umount -l /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec \"\$0\" \"\$1\"" \
			"$2/scripts/demo.sh" "$3"' \
		demo "$parent" "$TOP" "$BIN" >"$WORK/$name.log" 2>&1
	RC=$?
	# The agent removes its tasks' cgroups; what is left of the made-up host goes too.
	find "$parent" -depth -type d -exec rmdir {} + 2>/dev/null
}

expect_demo_without_limits() { # NAME CONTROLLERS_SEEN
	local name=$1 seen=$2
	check "${name}_demo_succeeds" test "$RC" = 0
	check "${name}_check_saw_only_those" jq -e --arg seen "$seen" '(.controllers | join(",")) == $seen' "$WORK/$name/check.json"
	check "${name}_says_why" grep -qF "tasks can run only without their limits: the cgroup v2 controllers cpu,memory,pids are missing; run the agent with --allow-no-limits" "$WORK/$name.log"
	check "${name}_runs_without_limits" grep -qF "So the agent runs with --allow-no-limits" "$WORK/$name.log"
	check "${name}_task_ran" grep -q "^Hello from a tether container on " "$WORK/$name.log"
	check "${name}_agent_warned" grep -qF "so task limits cannot be enforced: tasks that ask for limits run without them (--allow-no-limits)" "$WORK/$name/agent.log"
	[ "$RC" = 0 ] || tail -n 20 "$WORK/$name.log" "$WORK/$name/agent.log" 2>/dev/null
}

demo_in_cgroup hugetlb hugetlb
expect_demo_without_limits hugetlb hugetlb

# With the image the first demo packed (seconds under emulation): the image is not what differs.
image=$WORK/hugetlb/image
[ -f "$image/index.json" ] || image=""
demo_in_cgroup none "" "$image"
expect_demo_without_limits none ""

# Tasks cannot run at all: the demo stops at once, with check's own reason and fix.
root_demo=/var/lib/tether-demo-$$
TETHER_DEMO_DIR=$root_demo TETHER_DEMO_PORT=$((32000 + RANDOM % 1000)) \
	"$TOP/scripts/demo.sh" "$BIN" >"$WORK/root.log" 2>&1
check overlay_root_demo_stops test $? = 1
check overlay_root_demo_says_why grep -qF "demo: stopping, tasks cannot run: state dir: the state dir $root_demo/node is on overlayfs, and an overlay upper dir cannot live on overlayfs (fix: give --state-dir a folder on a tmpfs or on a real file system" "$WORK/root.log"
check overlay_root_demo_started_nothing test ! -e "$root_demo/hub.db"
rm -rf "$root_demo"

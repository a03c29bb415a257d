#!/bin/bash
# Choosing the cgroup driver: an unknown name is refused by name, the delegated driver is
# refused where nothing was delegated to the agent (this host's tests run outside any unit
# with Delegate=yes; tests/vm/systemd/placement.sh runs it where systemd delegates), and the
# systemd driver where systemd is not the init (tests/vm/systemd/systemd-driver.sh runs it).
source "$(dirname "$0")/../lib.sh"

"$BIN/tether" run --state-dir "$WORK/state" --cgroup-driver nosuch >"$WORK/unknown.log" 2>&1
check unknown_driver_exits_with_usage_status test $? = 2
check unknown_driver_named_with_the_known_ones \
	grep -qF -e "--cgroup-driver: unknown cgroup driver 'nosuch' (known: delegated, systemd, cgroupfs)" "$WORK/unknown.log"

TETHER_CGROUP_DRIVER=nosuch "$BIN/tether" run --state-dir "$WORK/state" >"$WORK/env.log" 2>&1
check unknown_driver_from_the_environment_refused test $? = 2
check unknown_driver_from_the_environment_named \
	grep -qF "TETHER_CGROUP_DRIVER: unknown cgroup driver 'nosuch'" "$WORK/env.log"

"$BIN/tether" run --state-dir "$WORK/state" --cgroup-driver delegated >"$WORK/delegated.log" 2>&1
check delegated_refused_outside_a_delegated_cgroup test $? = 1
check delegated_refusal_says_why \
	grep -qE "cgroup driver delegated: .*(root cgroup, which is not delegated|is not delegated to this process)" \
	"$WORK/delegated.log"
check nothing_created_on_refusal test ! -e "$WORK/state"

if [ ! -d /run/systemd/system ]; then
	"$BIN/tether" run --state-dir "$WORK/state" --cgroup-driver systemd >"$WORK/systemd.log" 2>&1
	check systemd_driver_refused_without_systemd test $? = 1
	check systemd_refusal_says_why \
		grep -qF "cgroup driver systemd: systemd is not this host's init" "$WORK/systemd.log"
	check nothing_created_on_systemd_refusal test ! -e "$WORK/state"
fi

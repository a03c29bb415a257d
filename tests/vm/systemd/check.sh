#!/bin/bash
# `tether check` under systemd as PID 1: it says so, and tells a delegated cgroup (a unit with
# Delegate=yes, as tether.service has) from one that is not.
source "$(dirname "$0")/../../lib.sh"

T=$BIN/tether
STATE=$WORK/state
mkdir -p "$STATE"
# unit_check NAME [systemd-run properties]: tether check --json run as a transient service.
unit_check() {
	local name=$1
	shift
	systemd-run --wait --quiet --pipe --collect "$@" -p "Environment=ASAN_OPTIONS=${ASAN_OPTIONS:-}" \
		"$T" check --state-dir "$STATE" --json >"$WORK/$name.json" 2>"$WORK/$name.log"
}
item() { jq -r --arg n "$2" '.items[] | select(.name == $n) | .'"$3" "$WORK/$1.json"; }

unit_check delegated -p Delegate=yes
check systemd_is_seen test "$(item delegated systemd ok)" = true
check delegated_unit_is_seen test "$(item delegated delegated_cgroup ok)" = true
check delegated_unit_cgroup_named grep -q "is delegated" <<<"$(item delegated delegated_cgroup detail)"

unit_check plain
check plain_unit_not_delegated test "$(item plain delegated_cgroup ok)" = false
check plain_unit_fix_names_the_unit grep -q "tether.service" <<<"$(item plain delegated_cgroup fix)"
check plain_unit_still_runs_tasks grep -qx "[01]" <<<"$(jq -r .exit_status "$WORK/plain.json")"

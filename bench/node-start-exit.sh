#!/bin/bash
# Container start-to-exit: tether vs crun vs runc vs the unshare floor, in one boot of the test
# VM (a pure cgroup v2 kernel under qemu TCG; the host cannot set memory limits). The guest
# script bench/vm/start-exit.sh prints each run as it ends; the tables are made here.
# BENCH_BASELINE=DIR adds a second build of tether (its release binaries in DIR) to the same
# rounds: boots differ by more than a few per cent under emulation, so two builds are compared
# within one boot ("tether-baseline"), never across two.
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/bench/lib.sh"
samples=$(mktemp "${TMPDIR:-/tmp}/start-exit.XXXXXX")
trap 'rm -f "$samples"' EXIT

# The VM stops before the part's own limit in bench/run.sh, so that its last lines are shown.
VM_TIMEOUT=${VM_TIMEOUT:-260} "$top/tests/vm/run.sh" --guest-dir bench/vm \
	--bin "${TETHER_BIN_DIR:-$top/build/release}" ${BENCH_BASELINE:+--baseline "$BENCH_BASELINE"} start-exit |
	while IFS= read -r line; do
		case "$line" in
		"bench: sample"$'\t'*$'\t'*) printf '%s\n' "${line#bench: sample$'\t'}" >>"$samples" ;;
		"bench: sample"*) echo "${line#bench: sample$'\t'}" ;;  # exec-timer's own words
		"bench: "*) echo "${line#bench: }" ;;
		*) echo "$line" ;;
		esac
	done

[ -s "$samples" ] || { echo "no runs came back from the VM"; exit 1; }
summarize 1000000 ms <"$samples" | table "start-to-exit of /bin/true, interleaved rounds, in the VM guest \
(ms; failed = non-zero exits; the monitor's usage exits 2)"
ratio() { # a b: median(a) / median(b)
	local a b
	a=$(median_of "$1" <"$samples") b=$(median_of "$2" <"$samples")
	awk -v a="$a" -v b="$b" -v n="$1 / $2" 'BEGIN {printf "%s\t%.2fx\n", n, b ? a / b : 0}'
}
{
	printf 'medians\tratio\n'
	[ -n "${BENCH_BASELINE:-}" ] && ratio tether tether-baseline
	ratio tether crun
	ratio tether runc
	ratio tether-64m crun-64m
	ratio tether unshare
	ratio crun unshare
} | table "ratios of medians (goal: tether / crun at or below 0.70x)"

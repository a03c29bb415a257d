#!/bin/bash
# `make bench`: runs the benchmark parts and prints their tables. Benchmarks are never pass or
# fail; the figures kept in docs/performance.md come from this script's output.
#
#   bench/run.sh [BIN_DIR]        BIN_DIR defaults to build/release
#   BENCH=pattern bench/run.sh    only the parts whose file name contains pattern
#   BENCH_BASELINE=DIR            node-start-exit also runs the tether of DIR (another build)
#                                 in the same rounds, to compare two builds within one boot
#
# The whole run must stay under 28 minutes on the 2-core development machine: the parts'
# limits below add up to 27.5 minutes at most; on a quiet machine the parts take about 20.
# Each part runs under a time limit (seconds, after its name below) so that one stuck part
# cannot hold up the others; parts pace themselves by it (fewer rounds, not no figures).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bin=$(cd "${1:-build/release}" && pwd) || exit 2
export TETHER_BIN_DIR=$bin
source bench/lib.sh

# part file, time limit in seconds; add a line per part.
parts=(
	node-start-exit.sh 170  # VM: tether task run vs crun run vs runc run vs unshare (~120 s)
	node-footprint.sh 450   # host: agent PSS idle, with 100 containers, along 10,000 cycles (~420 s)
	node-density.sh 150     # host: 500 sleeping containers (~130 s)
	hub-latency.sh 190      # host: RunTask to RUNNING, a real agent, 200 one by one and 100 at once
	hub-scale.sh 290        # host: 1,000 and 10,000 simulated agents, CPU, memory, hub restart, 1,000 services (~200 s)
	registry-pull.sh 120    # host: cold pull of a 40 MiB, 9-layer image, tether vs skopeo copy (~60 s)
	health-checks.sh 300    # host: 100 containers without and with a check every 5 s (~250 s)
)

echo "tether benchmarks"
bench_machine
started=$SECONDS
for ((i = 0; i < ${#parts[@]}; i += 2)); do
	part=${parts[i]} limit=${parts[i + 1]}
	[ -z "${BENCH:-}" ] || [[ $part == *$BENCH* ]] || continue
	[ -f "bench/$part" ] || { echo; echo "== $part: missing"; continue; }
	echo
	echo "== $part"
	part_started=$SECONDS
	# Parts pace themselves by this (epoch seconds), keeping time to print and clean up.
	export BENCH_DEADLINE=$(($(date +%s) + limit - 30))
	timeout --kill-after=20 "$limit" bash "bench/$part"
	rc=$?
	[ $rc = 124 ] && echo "($part stopped at its time limit of $limit s)"
	[ $rc != 0 ] && [ $rc != 124 ] && echo "($part ended with status $rc)"
	echo "($part took $((SECONDS - part_started)) s)"
done
echo
echo "(all parts: $((SECONDS - started)) s)"

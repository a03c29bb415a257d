#!/bin/bash
# Runs every test of `make check` and ends with the summary line CI reads:
# "N passed, N failed" (", N skipped" when any were skipped).
#
# Every test program prints "PASS name", "FAIL name: why" or "SKIP name: why" lines. Unit
# tests and fuzzers are binaries under build/test and build/fuzz; end-to-end tests are
# tests/e2e/*.sh, run against the sanitizer build. Set TESTS=pattern to run a subset.
set -u
cd "$(dirname "$0")/.."

test_build=build/test
fuzz_build=build/fuzz
artifacts=$(mktemp -d /tmp/tether-check.XXXXXX)
export TETHER_ARTIFACTS=$artifacts
export TETHER_BIN_DIR=$PWD/$test_build
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$artifacts/sanitizer:suppressions=$PWD/tests/asan.supp"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$artifacts/sanitizer"

passed=0 failed=0 skipped=0
hostile_refused=0 hostile_rows=0 hostile_skipped=0 # the catalogue in tests/hostile
failures=()
pattern=${TESTS:-}

count_output() { # $1 = label, reads the program's output on stdin
	local label=$1 line
	while IFS= read -r line; do
		case "$line" in
		PASS\ hostile:*) hostile_refused=$((hostile_refused + 1)) hostile_rows=$((hostile_rows + 1)) ;;
		FAIL\ hostile:*) hostile_rows=$((hostile_rows + 1)) ;;
		SKIP\ hostile:*) hostile_skipped=$((hostile_skipped + 1)) ;;
		esac
		case "$line" in
		PASS\ *) passed=$((passed + 1)); echo "  $line" ;;
		FAIL\ *) failed=$((failed + 1)); failures+=("$label: ${line#FAIL }"); echo "  $line" ;;
		SKIP\ *) skipped=$((skipped + 1)); echo "  $line" ;;
		*) printf '    %s\n' "$line" ;;
		esac
	done
}

selected() { [ -z "$pattern" ] || [[ "$1" == *$pattern* ]]; }

# cpu_seconds FILE: CPU seconds (user + system) of the waited-for children in FILE, which holds
# the output of the builtin `times` (taken in this shell: a $(...) subshell has its own).
cpu_seconds() {
	awk 'END { t = 0; for (i = 1; i <= NF; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%d\n", t + 0.5 }' "$1"
}

# run_to_file LABEL LIMIT COMMAND...: runs it (at most LIMIT seconds) with its output in
# $artifacts/LABEL.out, its exit status in LABEL.rc, its time in LABEL.time and the CPU its
# processes used in LABEL.cpu: the machine is the suite's limit, so each test's share shows.
run_to_file() {
	local label=$1 limit=$2
	shift 2
	local base="$artifacts/$(basename "$label")" started=$SECONDS
	times >"$base.cpu-before"
	timeout --kill-after=10 "$limit" "$@" >"$base.out" 2>&1
	echo $? >"$base.rc"
	echo $((SECONDS - started)) >"$base.time"
	times >"$base.cpu-after"
	echo $(($(cpu_seconds "$base.cpu-after") - $(cpu_seconds "$base.cpu-before"))) >"$base.cpu"
}

# count_program LABEL: counts what run_to_file kept of LABEL; a program that failed without
# saying FAIL is a failure of its own.
count_program() {
	local label=$1 base="$artifacts/$(basename "$1")"
	local before_failed=$failed rc
	rc=$(cat "$base.rc")
	count_output "$label" <"$base.out"
	echo "    ($label: $(cat "$base.time") s, $(cat "$base.cpu") s of CPU)"
	if [ "$rc" -ne 0 ] && [ $failed -eq $before_failed ]; then
		failed=$((failed + 1))
		failures+=("$label: exited with status $rc")
		echo "  FAIL $label: exited with status $rc"
		tail -n 30 "$base.out" | sed 's/^/    | /'
	fi
}

run_program() { # label, timeout seconds, command...
	run_to_file "$@"
	count_program "$1"
}

# The VM stages need only the build, and spend their time emulating a CPU while the host's
# end-to-end tests mostly wait on loopback: they run in the background from the start, one
# boot after the other, and are counted at the end.
vm_stages=()
if [ -z "$pattern" ] || [[ vm == *$pattern* ]] || ls tests/vm/guest/*"$pattern"* >/dev/null 2>&1; then
	vm_stages+=(vm)
fi
# A second boot with systemd as PID 1, for what needs a real service manager (units, packages).
if [ -z "$pattern" ] || [[ vm-systemd == *$pattern* ]] || ls tests/vm/systemd/*"$pattern"* >/dev/null 2>&1; then
	vm_stages+=(vm-systemd)
fi
vm_started=$SECONDS
# Detached (a subshell that ends at once) for the reason start_beside gives; its end is the
# file vm-stages.done.
( (
	for stage in "${vm_stages[@]}"; do
		case $stage in
		vm) run_to_file vm 1500 tests/vm/run.sh ;;
		vm-systemd)
			while [ ! -e "$artifacts/packages.done" ]; do sleep 1; done
			run_to_file vm-systemd 1200 tests/vm/run.sh --systemd \
				--guest-dir tests/vm/systemd ;;
		esac
	done
	touch "$artifacts/vm-stages.done"
) & )

stage_started=$SECONDS
echo "== unit tests"
for t in "$test_build"/tests/test-*; do
	[ -x "$t" ] || continue
	selected "$t" || continue
	echo "-- $(basename "$t")"
	run_program "$t" 300 "$t"
done

echo "== fuzzers (short runs over the seed corpus, as many at once as there are cores)"
# Each fuzzer is one process bound by its time, not its work: running them side by side
# gives each the same time for a fraction of the wall clock. 10 s each replays the seed corpus
# (every crash once found is kept there) and mutates beyond it; the suite is bound by the
# machine's CPU, and the fuzzers' 20 s each took 400 s of it. Longer runs: FUZZ_SECONDS=N.
fuzz_one() { # fuzzer binary; leaves $artifacts/NAME.out and NAME.rc
	local f=$1 name work corpus
	name=$(basename "$f")
	work=$(mktemp -d "$artifacts/$name.XXXXXX")
	corpus="tests/fuzz/corpus/${name#fuzz-}"
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
	ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="halt_on_error=1" \
		timeout 120 "$f" -max_total_time="${FUZZ_SECONDS:-10}" -rss_limit_mb=2048 \
		-artifact_prefix="$artifacts/$name-" "$work" >"$artifacts/$name.out" 2>&1
	echo $? >"$artifacts/$name.rc"
}
fuzzers=()
for f in "$fuzz_build"/fuzz/fuzz-*; do
	[ -x "$f" ] && selected "$f" && fuzzers+=("$f")
done
# Waited for by pid: the VM stages run in the background too.
fuzz_pids=()
for f in "${fuzzers[@]}"; do
	if [ ${#fuzz_pids[@]} -ge "$(nproc)" ]; then
		wait "${fuzz_pids[0]}"
		fuzz_pids=("${fuzz_pids[@]:1}")
	fi
	fuzz_one "$f" &
	fuzz_pids+=($!)
done
for pid in "${fuzz_pids[@]}"; do wait "$pid"; done
for f in "${fuzzers[@]}"; do
	name=$(basename "$f")
	echo "-- $name"
	if [ "$(cat "$artifacts/$name.rc")" = 0 ]; then
		passed=$((passed + 1)); echo "  PASS $name"
	else
		failed=$((failed + 1)); failures+=("$name: crash or leak (see below)")
		echo "  FAIL $name"
		grep -A 30 -E '^==[0-9]+==ERROR|runtime error' "$artifacts/$name.out" | head -n 40 | sed 's/^/    | /'
	fi
done
echo "(unit tests and fuzzers: $((SECONDS - stage_started)) s)"

stage_started=$SECONDS
echo "== end-to-end tests on the host"
# Tests that spend minutes waiting on the clock or on the aws CLI (a schedule's ticks, a
# service's waiter) say so with the line "# make check: runs beside the others" and run in the
# background beside the rest, each on its own ports and state, counted after the rest. They
# start once packages.sh is done: its compilations are what the systemd boot waits for.
beside=()
for t in tests/e2e/*.sh; do
	selected "$t" && grep -qx '# make check: runs beside the others' "$t" && beside+=("$t")
done
start_beside() {
	local t
	for t in "${beside[@]}"; do
		# In a subshell that ends at once: the test's CPU is counted in its own .cpu file,
		# and must not join this shell's when it ends (it would be counted again, in
		# whichever test runs in line at that moment).
		(run_to_file "$t" 900 bash "$t" &)
	done
}
# packages.sh first: the systemd boot installs the packages it leaves in build/packages/.
for t in tests/e2e/packages.sh $(ls tests/e2e/*.sh | grep -vx tests/e2e/packages.sh); do
	[ -f "$t" ] || continue
	[[ " ${beside[*]} " == *" $t "* ]] && continue
	if selected "$t"; then
		echo "-- $t"
		limit=900
		# packages.sh compiles the release build twice (the .debs, the second time only
		# what the version changes; the .rpm): minutes on a busy 2-core machine.
		[ "$t" = tests/e2e/packages.sh ] && limit=1800
		run_program "$t" "$limit" bash "$t"
	fi
	if [ "$t" = tests/e2e/packages.sh ]; then
		touch "$artifacts/packages.done"
		start_beside
	fi
done
for t in "${beside[@]}"; do
	wait_file=$artifacts/$(basename "$t").rc
	while [ ! -e "$wait_file" ]; do sleep 1; done
	echo "-- $t (beside the others)"
	count_program "$t"
done
echo "(end-to-end tests: $((SECONDS - stage_started)) s)"

echo "== VM stages: a pure cgroup v2 kernel, then systemd as PID 1, under qemu (tests/vm/)"
while [ ! -e "$artifacts/vm-stages.done" ]; do sleep 1; done
for stage in "${vm_stages[@]}"; do
	echo "-- $stage"
	count_program "$stage"
done
echo "(VM stages, run beside the others: $((SECONDS - vm_started)) s in all)"

# Sanitizer reports from daemons (which do not stop the test that started them) fail the run.
for report in "$artifacts"/sanitizer.*; do
	[ -f "$report" ] || continue
	failed=$((failed + 1))
	failures+=("sanitizer report $(basename "$report")")
	echo "FAIL sanitizer report $(basename "$report"):"
	head -n 40 "$report" | sed 's/^/    | /'
done

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "(test output kept in $artifacts)"
if [ $((hostile_rows + hostile_skipped)) -gt 0 ]; then
	echo "hostile inputs refused as expected: $hostile_refused of $hostile_rows checks" \
		"(tests/hostile; $hostile_skipped known gaps skipped)"
fi
echo
summary="$passed passed, $failed failed"
[ $skipped -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ $failed -eq 0 ]

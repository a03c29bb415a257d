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

run_program() { # label, timeout seconds, command...
	local label=$1 limit=$2
	shift 2
	local out="$artifacts/$(basename "$label").out"
	local before_failed=$failed
	local started=$SECONDS
	timeout --kill-after=10 "$limit" "$@" >"$out" 2>&1
	local rc=$?
	count_output "$label" <"$out"
	echo "    ($label: $((SECONDS - started)) s)"
	if [ $rc -ne 0 ] && [ $failed -eq $before_failed ]; then
		failed=$((failed + 1))
		failures+=("$label: exited with status $rc")
		echo "  FAIL $label: exited with status $rc"
		tail -n 30 "$out" | sed 's/^/    | /'
	fi
}

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
# gives each the same time for a fraction of the wall clock.
fuzz_one() { # fuzzer binary; leaves $artifacts/NAME.out and NAME.rc
	local f=$1 name work corpus
	name=$(basename "$f")
	work=$(mktemp -d "$artifacts/$name.XXXXXX")
	corpus="tests/fuzz/corpus/${name#fuzz-}"
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
	ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="halt_on_error=1" \
		timeout 120 "$f" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 \
		-artifact_prefix="$artifacts/$name-" "$work" >"$artifacts/$name.out" 2>&1
	echo $? >"$artifacts/$name.rc"
}
fuzzers=()
for f in "$fuzz_build"/fuzz/fuzz-*; do
	[ -x "$f" ] && selected "$f" && fuzzers+=("$f")
done
jobs_at_once=$(nproc)
for f in "${fuzzers[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_at_once" ]; do wait -n; done
	fuzz_one "$f" &
done
wait
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
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	selected "$t" || continue
	echo "-- $t"
	limit=900
	# packages.sh compiles the release build three times (two .debs, one .rpm): 12 minutes
	# on a busy 2-core machine.
	[ "$t" = tests/e2e/packages.sh ] && limit=1800
	run_program "$t" "$limit" bash "$t"
done
echo "(end-to-end tests: $((SECONDS - stage_started)) s)"

stage_started=$SECONDS
echo "== VM stage: a pure cgroup v2 kernel under qemu (tests/vm/)"
if [ -z "$pattern" ] || [[ vm == *$pattern* ]] || ls tests/vm/guest/*"$pattern"* >/dev/null 2>&1; then
	run_program vm 1500 tests/vm/run.sh
fi
# A second boot with systemd as PID 1, for what needs a real service manager (units, packages).
if [ -z "$pattern" ] || [[ vm-systemd == *$pattern* ]] || ls tests/vm/systemd/*"$pattern"* >/dev/null 2>&1; then
	run_program vm-systemd 1200 tests/vm/run.sh --systemd --guest-dir tests/vm/systemd
fi
echo "(VM stage: $((SECONDS - stage_started)) s)"

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

#!/bin/bash
# A cold pull of a multi-layer image (busybox and 8 layers of 5 MiB, tests/registry/) from
# Debian's docker-registry on loopback: `tether image pull` (fetch, verify, unpack into the
# layer store) against `skopeo copy` of the same image from the same registry into an OCI
# layout (fetch and verify only: skopeo unpacks nothing), in alternating rounds within one
# run, so that both see the same machine; once with both stores on disk, once on a tmpfs.
# The ratio is tether's median over skopeo's.
#
#   bench/registry-pull.sh [ROUNDS]       (default 7)
#
# Prints a table; never fails on a figure. Needs root (the layer store keeps owners).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TETHER_BIN_DIR=${TETHER_BIN_DIR:-$TOP/build/release}
source "$TOP/tests/lib.sh"
source "$TOP/bench/lib.sh"
source "$TOP/tests/registry/registry.sh"

ROUNDS=${1:-7}
die() { echo "registry-pull: $*" >&2; exit 1; }
command -v skopeo >/dev/null || die "skopeo is missing (scripts/install-deps.sh --bench)"

registry_start_plain >/dev/null || die "the registry did not start"
registry_push_images bench >"$WORK/push.log" 2>&1 || die "pushing the image failed"
ref=$IMAGE_BENCH_REF
size_mib=$(jq -r '.bench.layers | map(.size) | add / 1048576 | floor' "$WORK/images/images.json")
n_layers=$(jq -r '.bench.layers | length' "$WORK/images/images.json")

now_ms() { date +%s%3N; }
# pull_rounds WHERE DIR: alternating rounds into DIR; "WHERE<TAB>who<TAB>ms<TAB>status" lines.
pull_rounds() {
	local where=$1 dir=$2 round who started rc
	for ((round = 0; round < ROUNDS; round++)); do
		[ "$(seconds_left)" -gt 30 ] || break
		for who in tether skopeo; do
			# Alternate who goes first: the second of a round finds the registry's files cached.
			[ $((round % 2)) = 1 ] && who=$([ "$who" = tether ] && echo skopeo || echo tether)
			rm -rf "$dir/store" "$dir/layout"
			sync
			started=$(now_ms)
			if [ "$who" = tether ]; then
				"$TETHER_BIN_DIR/tether" image pull "$ref" --state-dir "$dir/store" >/dev/null 2>&1
			else
				skopeo copy --quiet --src-tls-verify=false "docker://$ref" \
					"oci:$dir/layout:bench" >/dev/null 2>&1
			fi
			rc=$?
			printf '%s %s\t%s\t%s\n' "$who" "$where" "$(($(now_ms) - started))" "$rc"
		done
	done
	rm -rf "$dir/store" "$dir/layout"
}

results=$WORK/results.tsv
# On the disk of $WORK (tether syncs each layer before it publishes it; skopeo syncs nothing),
# and in memory (a tmpfs, where a sync costs nothing).
mkdir -p "$WORK/disk" "$WORK/memory"
trap 'umount -l "$WORK/memory" 2>/dev/null; on_exit' EXIT
pull_rounds disk "$WORK/disk" >"$results"
mount -t tmpfs -o size=256m,mode=0700 tmpfs "$WORK/memory" &&
	pull_rounds memory "$WORK/memory" >>"$results"

summarize 1 " ms" <"$results" |
	table "Cold pull of a ${size_mib} MiB image of $n_layers layers from a loopback registry (milliseconds)"
for where in disk memory; do
	t=$(median_of "tether $where" <"$results")
	s=$(median_of "skopeo $where" <"$results")
	[ -n "$t" ] && [ -n "$s" ] &&
		printf '%s\t%s\n' "$where" "$(awk -v a="$t" -v b="$s" 'BEGIN {printf "%.2f", a / b}')"
done | { printf 'store on\ttether / skopeo\n'; cat; } |
	table "tether's median over skopeo's (below 1: tether is faster; tether also unpacks, skopeo only fetches and verifies)"

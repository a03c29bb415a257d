#!/bin/bash
# A cold pull of a multi-layer image (busybox and 8 layers of 5 MiB, tests/registry/) from
# Debian's docker-registry on loopback: `tether image pull` (fetch, verify, unpack into the
# layer store) against `skopeo copy` of the same image from the same registry into an OCI
# layout (fetch and verify only: skopeo unpacks nothing), in alternating rounds within one
# run, so that both see the same machine. The ratio is tether's median over skopeo's.
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
results=$WORK/results.tsv
: >"$results"
for ((round = 0; round < ROUNDS; round++)); do
	[ "$(seconds_left)" -gt 60 ] || break
	for who in tether skopeo; do
		# Alternate who goes first: the second of a round finds the registry's files cached.
		[ $((round % 2)) = 1 ] && who=$([ "$who" = tether ] && echo skopeo || echo tether)
		rm -rf "$WORK/store" "$WORK/layout"
		sync
		started=$(now_ms)
		if [ "$who" = tether ]; then
			"$TETHER_BIN_DIR/tether" image pull "$ref" --state-dir "$WORK/store" >/dev/null 2>&1
		else
			skopeo copy --quiet --src-tls-verify=false "docker://$ref" "oci:$WORK/layout:bench" \
				>/dev/null 2>&1
		fi
		rc=$?
		printf '%s\t%s\t%s\n' "$who" "$(($(now_ms) - started))" "$rc" >>"$results"
	done
done

summarize 1 " ms" <"$results" | table "Cold pull of a ${size_mib} MiB image of $((n_layers)) layers from a loopback registry (milliseconds)"
t=$(median_of tether <"$results")
s=$(median_of skopeo <"$results")
[ -n "$t" ] && [ -n "$s" ] &&
	printf 'ratio\ttether / skopeo\n%s\t%s\n' "$(awk -v a="$t" -v b="$s" 'BEGIN {printf "%.2f", a / b}')" \
		"tether fetches, verifies and unpacks; skopeo fetches and verifies" |
	table "tether's median over skopeo's (below 1: tether is faster)"

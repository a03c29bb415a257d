#!/bin/bash
# In the VM guest (pure cgroup v2): start-to-exit of a busybox /bin/true container with
# `tether task run`, `crun run` and `runc run` of the same rootfs, tether and crun also with a
# 64 MiB memory limit, and the floor `unshare -pmiuf /bin/true`, interleaved round by round. Prints
# "bench: " lines, which tests/vm/run.sh passes through to the host.
source "$(dirname "$0")/../../tests/lib.sh"
source "$(dirname "$0")/../lib.sh"
runs=${BENCH_RUNS:-30}
budget=${BENCH_SECONDS:-140}  # no round starts after this (a loaded host runs TCG slowly)
out() { sed -u 's/^/bench: /'; }

busybox_image "$WORK/image" || { echo "bench: cannot build the busybox image" ; exit 1; }
# The same rootfs for the OCI peers: the image's single layer, unpacked.
manifest=$(jq -r '.manifests[0].digest' "$WORK/image/index.json")
layer=$(jq -r '.layers[0].digest' "$WORK/image/blobs/sha256/${manifest#sha256:}")
mkdir -p "$WORK/rootfs"
tar -xzf "$WORK/image/blobs/sha256/${layer#sha256:}" -C "$WORK/rootfs"

# Each peer's own default spec, made comparable with tether's container: /bin/true, no
# terminal, a writable root, and the host's network (tether has no network namespace yet).
# LIMIT is a jq expression run on the spec.
make_bundle() { # runtime name jq-edit
	mkdir -p "$WORK/$2"
	(cd "$WORK/$2" && "$1" spec) || return 1
	jq --arg root "$WORK/rootfs" '.process.terminal = false | .process.args = ["/bin/true"]
		| .root = {path: $root, readonly: false}
		| .linux.namespaces |= map(select(.type != "network"))'" | $3" \
		"$WORK/$2/config.json" >"$WORK/$2/config.tmp" && mv "$WORK/$2/config.tmp" "$WORK/$2/config.json"
}
mem64='.linux.resources.memory = {limit: 67108864}'
make_bundle crun crun . && make_bundle crun crun-64m "$mem64" && make_bundle runc runc . ||
	{ echo "bench: cannot write the OCI bundles"; exit 1; }

image="oci:$WORK/image:latest"
printf '{"family": "bench", "containerDefinitions": [{"name": "true", "image": "%s", "command": ["/bin/true"]}]}\n' \
	"$image" >"$WORK/true.json"
printf '{"family": "bench", "containerDefinitions": [{"name": "true", "image": "%s", "memory": 64, "command": ["/bin/true"]}]}\n' \
	"$image" >"$WORK/true-64m.json"

tether_run() { # json [bin-dir state-name]
	echo "${2:-$BIN}/tether task run $WORK/$1.json --state-dir $WORK/${3:-state} --quiet"
}
baseline=()
if [ -n "${TETHER_BASELINE_BIN_DIR:-}" ]; then
	# shellcheck disable=SC2207
	baseline=(-- tether-baseline $(tether_run true "$TETHER_BASELINE_BIN_DIR" state-baseline))
fi
bench_machine | out
# Two warm-up rounds: the first imports the image into tether's store and fills the caches.
# The last two commands only load each binary and exit: what starting the program costs.
# shellcheck disable=SC2046
"$BIN/bench/exec-timer" -n "$runs" -w 2 -t "$budget" \
	-- tether $(tether_run true) "${baseline[@]}" \
	-- crun crun --root "$WORK/crun-state" run --bundle "$WORK/crun" b1 \
	-- runc runc --root "$WORK/runc-state" run --bundle "$WORK/runc" b2 \
	-- unshare unshare -pmiuf /bin/true \
	-- tether-64m $(tether_run true-64m) \
	-- crun-64m crun --root "$WORK/crun-state" run --bundle "$WORK/crun-64m" b3 \
	-- "tether version" "$BIN/tether" version \
	-- "tether-monitor (usage)" "$BIN/tether-monitor" \
	2>&1 | sed -u 's/^/sample\t/' | out

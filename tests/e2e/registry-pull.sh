#!/bin/bash
# Images from registries (Debian's docker-registry on loopback, tests/registry/): pulls by tag
# and by digest, a multi-arch index, Docker schema 2, gzip and zstd layers, whiteouts; Basic,
# Bearer-token and TLS registries and wrong credentials; a corrupted blob refused and a cut
# transfer resumed; hostile layers refused with nothing written outside the store; two pulls
# of one image at once fetching its layers once.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/registry/registry.sh"

if [ "$(id -u)" != 0 ]; then
	skip registry-pull "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi

STATE=$WORK/state

# pull REF [OPTIONS...]: tether image pull into $STATE; sets OUT (stdout and stderr) and RC.
pull() {
	local ref=$1
	shift
	OUT=$("$BIN/tether" image pull "$ref" --state-dir "$STATE" "$@" 2>&1)
	RC=$?
}

# run_image NAME REF COMMAND: runs COMMAND (sh -c) in a container of REF; sets OUT and RC.
run_image() {
	printf '{"family":"e2e","requiresCompatibilities":["EXTERNAL"],"containerDefinitions":[{"name":"app","image":"%s","essential":true,"entryPoint":["sh","-c"],"command":[%s]}]}\n' \
		"$2" "$(jq -Rn --arg c "$3" '$c')" >"$WORK/$1.json"
	OUT=$("$BIN/tether" task run "$WORK/$1.json" --state-dir "$STATE" --allow-no-limits --quiet 2>"$WORK/$1.log")
	RC=$?
}

# blob_gets DIGEST: how many times the registry was asked for this blob's content.
blob_gets() {
	grep -c "\"GET /v2/[^ ]*/blobs/$1 HTTP" "$REGISTRY_LOG"
}

layers_of() { # NAME: the layer digests of an image as built
	jq -r --arg n "$1" '.[$n].layers[].digest // empty' "$WORK/images/images.json" 2>/dev/null
}

# --- A plain registry on loopback: what an image can be
registry_start_plain || { fail registry_starts "see $REGISTRY_LOG"; exit 0; }
registry_push_images busybox multiarch zstd whiteout docker-v2s2 corrupt hostile-dotdot \
	hostile-absolute hostile-symlink hostile-hardlink hostile-chardev >"$WORK/push.log" 2>&1 ||
	{ fail images_pushed "$(tail -n 5 "$WORK/push.log")"; exit 0; }

pull "$IMAGE_BUSYBOX_REF"
check pull_by_tag test "$RC" = 0
check pull_names_the_manifest_digest grep -qF "$IMAGE_BUSYBOX_DIGEST" <<<"$OUT"
pull "$REGISTRY/tether-test/busybox@$IMAGE_BUSYBOX_DIGEST"
check pull_by_digest test "$RC" = 0
pull "$REGISTRY/tether-test/busybox@sha256:$(printf '%064d' 0)"
check unknown_digest_refused test "$RC" != 0
check unknown_digest_named grep -q "manifest unknown" <<<"$OUT"
check no_download_left test -z "$(ls -A "$STATE/images/downloads")"

# A Docker Hub name through a mirror (Docker's registry-mirrors). Should the mirror fail, the
# pull would turn to Docker Hub: a dead proxy on loopback keeps that on this host.
OUT=$(https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 \
	"$BIN/tether" image pull tether-test/busybox:1.0 --state-dir "$WORK/mirrored" \
	--registry-mirror "http://$REGISTRY" 2>&1)
check mirror_serves_docker_hub_names test $? = 0
check mirror_pull_names_the_image grep -qF "$IMAGE_BUSYBOX_DIGEST" <<<"$OUT"
check mirror_was_asked grep -q '"GET /v2/tether-test/busybox/manifests/1.0 HTTP' "$REGISTRY_LOG"

run_image tag "$IMAGE_BUSYBOX_REF" 'echo hello from the registry'
check container_runs_from_a_registry_image test "$RC" = 0 -a "$OUT" = "hello from the registry"

run_image multiarch "$IMAGE_MULTIARCH_REF" 'cat /platform'
check multiarch_index_picks_this_host test "$RC" = 0 -a "$OUT" = amd64
pull "$IMAGE_MULTIARCH_REF"
check multiarch_pull_names_the_amd64_manifest grep -qF "$IMAGE_MULTIARCH_AMD64_DIGEST" <<<"$OUT"

run_image zstd "$IMAGE_ZSTD_REF" 'cat /zstd-marker'
check zstd_layer_unpacked test "$RC" = 0 -a "$OUT" = zstd

run_image whiteout "$IMAGE_WHITEOUT_REF" 'echo $(ls /data) / $(ls /opq)'
check whiteout_hides_the_lower_file test "$RC" = 0 -a "$OUT" = "keep / new"

run_image v2s2 "$IMAGE_DOCKER_V2S2_REF" 'echo schema2'
check docker_schema2_image_runs test "$RC" = 0 -a "$OUT" = schema2

pull "$REGISTRY/tether-test/UPPER:1"
check malformed_reference_refused test "$RC" != 0
check malformed_reference_named grep -q 'lower-case' <<<"$OUT"

# --- Hostile layers: refused, nothing written outside the store
for h in dotdot absolute symlink hardlink chardev; do
	var=IMAGE_HOSTILE_${h^^}_REF
	pull "${!var}"
	check "hostile_${h}_refused" test "$RC" != 0
	echo "hostile $h: $OUT" | tail -n 1
done
check hostile_nothing_escaped hostile_escapes
check hostile_downloads_not_kept test -z "$(ls -A "$STATE/images/downloads")"
check hostile_no_escape_beside_the_store test ! -e "$STATE/images/layers/tether-escape-dotdot" \
	-a ! -e "$STATE/images/tether-escape-dotdot" -a ! -e "$STATE/tether-escape-dotdot"

# --- A corrupted blob: refused, nothing of it kept
corrupt_layer=$(layers_of corrupt | tail -n 1)
registry_corrupt_image corrupt >/dev/null
pull "$IMAGE_CORRUPT_REF"
check corrupt_blob_refused test "$RC" != 0
check corrupt_blob_named grep -q "digest mismatch" <<<"$OUT"
check corrupt_layer_not_stored test ! -e "$STATE/images/layers/sha256/${corrupt_layer#sha256:}"
check corrupt_download_not_kept test -z "$(ls -A "$STATE/images/downloads")"

# --- Two pulls of one image at once fetch each layer once
rm -rf "$STATE/images"
big=$(layers_of busybox | head -n 1)
before=$(blob_gets "$big")
"$BIN/tether" image pull "$IMAGE_BUSYBOX_REF" --state-dir "$STATE" >"$WORK/twin1.log" 2>&1 &
twin1=$!
"$BIN/tether" image pull "$IMAGE_BUSYBOX_REF" --state-dir "$STATE" >"$WORK/twin2.log" 2>&1 &
twin2=$!
wait $twin1; rc1=$?
wait $twin2; rc2=$?
check twin_pulls_succeed test "$rc1" = 0 -a "$rc2" = 0
check twin_pulls_fetch_the_layer_once test "$(( $(blob_gets "$big") - before ))" = 1

# --- A transfer cut in the middle resumes where it stopped
rm -rf "$STATE/images"
cut_proxy_start 200000 || { fail cut_proxy_starts; exit 0; }
pull "$CUT_PROXY/tether-test/busybox:1.0"
check cut_transfer_completes test "$RC" = 0
check cut_transfer_was_cut grep -q '"cut"' "$CUT_PROXY_LOG"
check cut_transfer_resumed_with_range grep -q '"range": *"bytes=200000-' "$CUT_PROXY_LOG"

# --- Basic auth: the node's docker config.json
registry_start_basic || { fail basic_registry_starts; exit 0; }
registry_push_images busybox >/dev/null 2>&1
auth() { # USER PASSWORD: a config.json for the current registry
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY" "$(printf '%s:%s' "$1" "$2" | base64 -w0)" \
		>"$WORK/auth.json"
}
pull "$IMAGE_BUSYBOX_REF" --registry-auth-file "$WORK/nonexistent.json"
check basic_without_credentials_refused test "$RC" != 0
check basic_without_credentials_says_so grep -q "wants credentials" <<<"$OUT"
auth "$REGISTRY_USER" wrong
pull "$IMAGE_BUSYBOX_REF" --registry-auth-file "$WORK/auth.json"
check basic_wrong_password_refused test "$RC" != 0
check basic_wrong_password_says_so grep -q "refused the node's credentials" <<<"$OUT"
auth "$REGISTRY_USER" "$REGISTRY_PASSWORD"
pull "$IMAGE_BUSYBOX_REF" --registry-auth-file "$WORK/auth.json"
check basic_auth_pull test "$RC" = 0

# --- Bearer tokens from a token server
registry_start_token || { fail token_registry_starts; exit 0; }
registry_push_images busybox >/dev/null 2>&1
auth "$REGISTRY_USER" wrong
pull "$IMAGE_BUSYBOX_REF" --registry-auth-file "$WORK/auth.json"
check token_wrong_password_refused test "$RC" != 0
check token_wrong_password_names_the_user grep -q "refused the credentials of user \"$REGISTRY_USER\"" <<<"$OUT"
auth "$REGISTRY_USER" "$REGISTRY_PASSWORD"
pull "$IMAGE_BUSYBOX_REF" --registry-auth-file "$WORK/auth.json"
check token_auth_pull test "$RC" = 0
check token_asked_once_for_the_pull test "$(grep -c '"GET' "$TOKEN_LOG")" -le 3

# --- TLS with a private CA: refused without it, pulled with it in the certs folder
registry_start_tls || { fail tls_registry_starts; exit 0; }
registry_push_images busybox >/dev/null 2>&1
rm -rf "$STATE/images"
pull "$IMAGE_BUSYBOX_REF" --registry-certs-dir "$WORK/no-certs"
check tls_unknown_ca_refused test "$RC" != 0
check tls_unknown_ca_says_so grep -qi "certificate" <<<"$OUT"
mkdir -p "$WORK/certs.d/$REGISTRY"
cp "$REGISTRY_CA" "$WORK/certs.d/$REGISTRY/ca.crt"
pull "$IMAGE_BUSYBOX_REF" --registry-certs-dir "$WORK/certs.d"
check tls_private_ca_pull test "$RC" = 0

# --- The registry out of reach: the pull behaviours (ECS_IMAGE_PULL_BEHAVIOR's)
tls=(--registry-certs-dir "$WORK/certs.d")
kill "$REGISTRY_PID"
wait_until 10 bash -c "! kill -0 $REGISTRY_PID 2>/dev/null"
pull "$IMAGE_BUSYBOX_REF" "${tls[@]}" --image-pull-behavior always
check behaviour_always_fails_without_the_registry test "$RC" != 0
check behaviour_always_says_why grep -qi "connect" <<<"$OUT"
for b in default once prefer-cached; do
	pull "$IMAGE_BUSYBOX_REF" "${tls[@]}" --image-pull-behavior "$b"
	check "behaviour_${b//-/_}_uses_the_image_pulled_before" test "$RC" = 0
done
pull "$REGISTRY/tether-test/never-pulled:1.0" "${tls[@]}" --image-pull-behavior prefer-cached
check behaviour_prefer_cached_still_needs_a_first_pull test "$RC" != 0

# --- The image store's budget: least recently used unused images go first, images in use
# stay, and a pull that cannot fit is refused with the figures
registry_start_plain || { fail budget_registry_starts; exit 0; }
# random_image NAME MIB: busybox (the same layer in every such image) and a layer of MIB MiB
# of random bytes; prints that layer's digest (hex).
random_image() {
	/usr/bin/python3 - "$WORK/rnd-$1" "$2" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
out, mib = sys.argv[1], int(sys.argv[2])
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def blob(data, media_type):
    d = hashlib.sha256(data).hexdigest()
    open(f"{out}/blobs/sha256/{d}", "wb").write(data)
    return {"mediaType": media_type, "digest": "sha256:" + d, "size": len(data)}
def layer(entries):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, link in entries:
            info = tarfile.TarInfo(name)
            info.mtime, info.mode = 0, 0o755
            if link:
                info.type, info.linkname = tarfile.SYMTYPE, link
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    d = blob(gzip.compress(raw.getvalue(), 1, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip")
    return d, "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()
base, base_id = layer([("bin/busybox", open("/bin/busybox", "rb").read(), None), ("bin/sh", b"", "busybox")])
top, top_id = layer([("data", os.urandom(mib << 20), None)])
config = blob(json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/bin"]},
    "rootfs": {"type": "layers", "diff_ids": [base_id, top_id]}}).encode(),
    "application/vnd.oci.image.config.v1+json")
manifest = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": config, "layers": [base, top]}).encode(), "application/vnd.oci.image.manifest.v1+json")
manifest["annotations"] = {"org.opencontainers.image.ref.name": "1.0"}
json.dump({"schemaVersion": 2, "manifests": [manifest]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
print(top["digest"][7:])
PY
}
for n in a b c; do
	layer=$(random_image "$n" 4) &&
		skopeo copy -q --dest-tls-verify=false "oci:$WORK/rnd-$n:1.0" \
			"docker://$REGISTRY/tether-test/random-$n:1.0" >/dev/null 2>&1 ||
		{ fail "random_image_${n}_pushed"; exit 0; }
	printf -v "LAYER_${n^^}" '%s' "$layer"
done
B=$WORK/budget
layer_kept() { test -d "$B/images/layers/sha256/$1"; }
# budget_task NAME IMAGE BUDGET COMMAND: tether task run with an image store budget.
budget_task() {
	printf '{"family":"e2e","requiresCompatibilities":["EXTERNAL"],"containerDefinitions":[{"name":"app","image":"%s","essential":true,"command":["sh","-c",%s]}]}\n' \
		"$REGISTRY/tether-test/random-$2:1.0" "$(jq -Rn --arg c "$4" '$c')" >"$WORK/budget-$1.json"
	"$BIN/tether" task run "$WORK/budget-$1.json" --state-dir "$B" --allow-no-limits --quiet \
		--image-store-budget "$3"
}
# Two tasks one after the other, the store's budget smaller than their two images.
OUT=$(budget_task first a 9M 'echo first' 2>&1)
check budget_first_task_runs test "$OUT" = first
sleep 1.1 # usedAt has a resolution of a second: the next image is younger
OUT=$(budget_task second b 9M 'echo second' 2>&1)
check budget_second_task_runs test "$OUT" = second
check budget_second_task_evicts_the_first_image bash -c "! test -d $B/images/layers/sha256/$LAYER_A"
check budget_keeps_the_second_image layer_kept "$LAYER_B"
# A long task's image is the oldest but in use: another one goes instead.
budget_task long b 11M 'sleep 60' >"$WORK/budget-long.log" 2>&1 &
long_task=$!
STARTED_PIDS+=("$long_task")
check budget_long_task_running wait_until 30 bash -c "ls $B/tasks/*/app/pid"
sleep 1.1
pull "$REGISTRY/tether-test/random-a:1.0" --state-dir "$B" --image-store-budget 11M
check budget_pull_beside_the_running_task test "$RC" = 0
sleep 1.1
pull "$REGISTRY/tether-test/random-c:1.0" --state-dir "$B" --image-store-budget 11M
check budget_pull_evicts_the_unused_image test "$RC" = 0
check budget_evicted_the_unused_not_the_oldest bash -c "! test -d $B/images/layers/sha256/$LAYER_A"
check budget_keeps_the_image_in_use layer_kept "$LAYER_B"
pull "$REGISTRY/tether-test/random-a:1.0" --state-dir "$B" --image-store-budget 5M
check budget_too_small_refused test "$RC" != 0
check budget_too_small_says_why grep -q "image store's budget is 5 MiB" <<<"$OUT"
check budget_refusal_keeps_the_image_in_use layer_kept "$LAYER_B"
check budget_refusal_takes_back_nothing_half_done test -z "$(ls -A "$B/images/downloads")"
kill -TERM "$long_task" 2>/dev/null
wait "$long_task" 2>/dev/null || true # ended by the TERM it was sent

# --- A store whose file system cannot hold the image: refused before fetching, nothing left
TINY=$WORK/tiny
mkdir -p "$TINY"
trap 'umount -l "$TINY" 2>/dev/null; on_exit' EXIT
if mount -t tmpfs -o size=3m,mode=0700 tmpfs "$TINY"; then
	pull "$REGISTRY/tether-test/random-a:1.0" --state-dir "$TINY"
	check full_disk_refused test "$RC" != 0
	check full_disk_says_why grep -q "MiB to fetch, but the image store's file system has" <<<"$OUT"
	check full_disk_leaves_no_download test -z "$(ls -A "$TINY/images/downloads")"
	umount -l "$TINY"
else
	fail full_disk_tmpfs "cannot mount a tmpfs at $TINY"
fi

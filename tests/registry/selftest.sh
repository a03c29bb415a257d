#!/bin/bash
# Proves the registry fixtures of tests/registry with curl and skopeo only, before any pull
# client uses them:  tests/registry/selftest.sh [--no-bench]
# Not part of `make check`; prints PASS/FAIL lines like the end-to-end tests and exits non-zero
# when something failed. Takes about half a minute (the bench image is ~40 MiB to build).
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$TOP/tests/registry/registry.sh"

FAILS=0
check_() { # check with a count of failures, for the exit status
	local out
	out=$(check "$@")
	echo "$out"
	case "$out" in FAIL*) FAILS=$((FAILS + 1)) ;; esac
}

ACCEPT='application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json'

# get PATH [curl args]: GET REGISTRY_URL/v2/PATH into $WORK/body (headers $WORK/headers);
# prints the status.
get() {
	local path=$1
	shift
	registry_curl -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -H "Accept: $ACCEPT" \
		"$@" "$REGISTRY_URL/v2/$path"
}
status_is() { [ "$(get "${@:2}")" = "$1" ]; }
body_digest() { echo "sha256:$(sha256sum <"$WORK/body" | cut -d' ' -f1)"; }
header() { tr -d '\r' <"$WORK/headers" | awk -v h="$1" -F': ' 'tolower($1) == tolower(h) { print $2 }'; }

# manifest_ok REPO REF DIGEST [curl args]: the manifest fetched by REF has DIGEST (header and
# bytes).
manifest_ok() {
	status_is 200 "$1/manifests/$2" "${@:4}" && [ "$(header Docker-Content-Digest)" = "$3" ] &&
		[ "$(body_digest)" = "$3" ]
}

# blob_entries REPO DIGEST MEDIATYPE: lists the layer's tar entries (name, then link target),
# the raw names as stored (python's tarfile, which neither strips nor refuses anything).
blob_entries() {
	status_is 200 "$1/blobs/$2" || return 1
	[ "$(body_digest)" = "$2" ] || { echo "blob $2 has other bytes" >&2; return 1; }
	local tool=(zcat)
	[ "$3" = application/vnd.oci.image.layer.v1.tar+zstd ] && tool=(zstd -dc)
	"${tool[@]}" <"$WORK/body" | python3 -c '
import sys, tarfile
for m in tarfile.open(fileobj=sys.stdin.buffer, mode="r|"):
    print(m.name, m.linkname, "chr%d,%d" % (m.devmajor, m.devminor) if m.ischr() else "")'
}
layer_has() { # REPO DIGEST MEDIATYPE REGEX
	blob_entries "$1" "$2" "$3" | grep -Eq "$4"
}
images_json() { jq -r "$1" "$WORK/images/images.json"; }
# step NAME COMMAND...: like check, but in this shell (a start function records pids and sets
# variables that later checks read: a subshell would lose both), and with the time it took.
step() {
	local name=$1 t0=$EPOCHREALTIME
	shift
	if "$@" 2>"$WORK/step.err"; then
		pass "$name ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f s", b - a }'))"
	else
		fail "$name" "$(tail -n 5 "$WORK/step.err" | tr '\n' ' ')"
		FAILS=$((FAILS + 1))
	fi
}

bench=1
[ "${1:-}" = --no-bench ] && bench=""

# --- plain HTTP, anonymous: every image
step plain_starts registry_start_plain
images=(busybox multiarch zstd whiteout docker-v2s2 corrupt hostile-dotdot hostile-absolute
	hostile-symlink hostile-hardlink hostile-chardev)
[ -n "$bench" ] && images+=(bench)
step images_built_and_pushed registry_push_images "${images[@]}"

check_ busybox_manifest_by_tag manifest_ok tether-test/busybox 1.0 "$IMAGE_BUSYBOX_DIGEST"
check_ busybox_manifest_by_digest manifest_ok tether-test/busybox "$IMAGE_BUSYBOX_DIGEST" "$IMAGE_BUSYBOX_DIGEST"
check_ busybox_digest_file test "$(cat "$REGISTRY_DIR/digests/busybox")" = "$IMAGE_BUSYBOX_DIGEST"
busybox_config() {
	status_is 200 "tether-test/busybox/blobs/$(images_json .busybox.config)" &&
		jq -e '.config.Cmd == ["sh"] and .architecture == "amd64" and .os == "linux"' "$WORK/body"
}
check_ busybox_config_cmd_sh busybox_config
check_ busybox_layer_has_sh layer_has tether-test/busybox "$(images_json '.busybox.layers[0].digest')" \
	x '^bin/sh busybox'
check_ skopeo_inspects_busybox skopeo inspect --tls-verify=false "docker://$IMAGE_BUSYBOX_REF"
check_ missing_tag_404 status_is 404 tether-test/busybox/manifests/nope

index_ok() {
	manifest_ok tether-test/multiarch 1.0 "$IMAGE_MULTIARCH_DIGEST" &&
		jq -e --arg a "$IMAGE_MULTIARCH_AMD64_DIGEST" --arg b "$IMAGE_MULTIARCH_ARM64_DIGEST" '
		.mediaType == "application/vnd.oci.image.index.v1+json" and
		(.manifests | length) == 2 and
		(.manifests[] | select(.digest == $a) | .platform == {architecture: "amd64", os: "linux"}) and
		(.manifests[] | select(.digest == $b) | .platform == {architecture: "arm64", os: "linux", variant: "v8"})' \
			"$WORK/body"
}
check_ multiarch_index index_ok
platform_marker() { # ARCH: the platform's manifest's top layer has /platform saying ARCH
	local digest top
	digest=$(images_json ".multiarch.platforms.$1")
	manifest_ok tether-test/multiarch "$digest" "$digest" || return 1
	top=$(jq -r '.layers[-1].digest' "$WORK/body")
	status_is 200 "tether-test/multiarch/blobs/$top" &&
		[ "$(zcat <"$WORK/body" | tar -xOf - platform)" = "$1" ]
}
check_ multiarch_amd64_marker platform_marker amd64
check_ multiarch_arm64_marker platform_marker arm64

zstd_ok() {
	manifest_ok tether-test/zstd 1.0 "$IMAGE_ZSTD_DIGEST" &&
		jq -e '.layers[0].mediaType == "application/vnd.oci.image.layer.v1.tar+gzip" and
			.layers[1].mediaType == "application/vnd.oci.image.layer.v1.tar+zstd"' "$WORK/body" &&
		status_is 200 "tether-test/zstd/blobs/$(images_json '.zstd.layers[1].digest')" &&
		[ "$(zstd -dc <"$WORK/body" | sha256sum | cut -d' ' -f1)" = "$(images_json '.zstd.layers[1].diff_id' | cut -d: -f2)" ] &&
		[ "$(zstd -dc <"$WORK/body" | tar -xOf - zstd-marker)" = zstd ]
}
check_ zstd_top_layer zstd_ok

check_ whiteout_manifest manifest_ok tether-test/whiteout 1.0 "$IMAGE_WHITEOUT_DIGEST"
check_ whiteout_lower_files layer_has tether-test/whiteout "$(images_json '.whiteout.layers[1].digest')" x '^data/gone'
check_ whiteout_file layer_has tether-test/whiteout "$(images_json '.whiteout.layers[2].digest')" x '^data/\.wh\.gone'
check_ whiteout_opaque layer_has tether-test/whiteout "$(images_json '.whiteout.layers[2].digest')" x '^opq/\.wh\.\.wh\.\.opq'

v2s2_ok() {
	manifest_ok tether-test/docker-v2s2 1.0 "$IMAGE_DOCKER_V2S2_DIGEST" &&
		[ "$(header Content-Type)" = application/vnd.docker.distribution.manifest.v2+json ] &&
		jq -e '.mediaType == "application/vnd.docker.distribution.manifest.v2+json" and
			.config.mediaType == "application/vnd.docker.container.image.v1+json" and
			(.layers | all(.mediaType == "application/vnd.docker.image.rootfs.diff.tar.gzip"))' "$WORK/body"
}
check_ docker_v2s2_manifest v2s2_ok

hostile_ok() { # NAME REGEX
	local var
	var=IMAGE_$(tr 'a-z-' 'A-Z_' <<<"$1")_DIGEST
	manifest_ok "tether-test/$1" 1.0 "${!var}" &&
		layer_has "tether-test/$1" "$(images_json ".\"$1\".layers[0].digest")" x "$2"
}
esc=${HOSTILE_ESCAPE_DIR#/}
check_ hostile_dotdot hostile_ok hostile-dotdot '^\.\./tether-escape-dotdot '
check_ hostile_absolute hostile_ok hostile-absolute "^/$esc/absolute "
check_ hostile_symlink hostile_ok hostile-symlink "^link /$esc "
check_ hostile_symlink_write hostile_ok hostile-symlink '^link/through-symlink '
check_ hostile_hardlink hostile_ok hostile-hardlink '^passwd /etc/passwd '
check_ hostile_chardev hostile_ok hostile-chardev '^mem  chr1,1$'
check_ hostile_escape_dir_empty hostile_escapes
curl_push() { # pushes hostile-dotdot without skopeo, to REPO
	local digest
	digest=$(registry_push_curl "$WORK/images/hostile-dotdot" "$1" 1.0) &&
		[ "$digest" = "$IMAGE_HOSTILE_DOTDOT_DIGEST" ] &&
		manifest_ok "$1" 1.0 "$digest" "${@:2}"
}
check_ curl_push_plain curl_push tether-test/curl-pushed

if [ -n "$bench" ]; then
	bench_ok() {
		manifest_ok tether-test/bench 1.0 "$IMAGE_BENCH_DIGEST" &&
			jq -e '(.layers | length) == 9 and ([.layers[].size] | add) > 30000000 and
				([.layers[].size] | add) < 65000000' "$WORK/body"
	}
	check_ bench_layers bench_ok
fi

# Corruption: same length, other bytes, served under the right digest.
corrupt_ok() {
	local digest size
	digest=$(registry_corrupt_image corrupt) || return 1
	size=$(images_json '.corrupt.layers[-1].size')
	status_is 200 "tether-test/corrupt/blobs/$digest" &&
		[ "$(header Docker-Content-Digest)" = "$digest" ] &&
		[ "$(stat -c %s "$WORK/body")" = "$size" ] && [ "$(body_digest)" != "$digest" ]
}
check_ corrupt_blob_served_wrong corrupt_ok
check_ busybox_blob_untouched layer_has tether-test/busybox "$(images_json '.busybox.layers[0].digest')" x '^bin/busybox'

# The cut proxy: the first large blob stops at BYTES; a Range request then completes it.
cut_ok() {
	local layer cut=100000 out
	layer=$(images_json '.busybox.layers[0].digest')
	curl -s -o "$WORK/part" "$CUT_PROXY_URL/v2/tether-test/busybox/blobs/$layer"
	[ "$(stat -c %s "$WORK/part")" = "$cut" ] || { echo "first download not cut at $cut"; return 1; }
	jq -se --arg c "$cut" 'any(.[]; .event == "cut" and .forwarded == ($c | tonumber))' "$CUT_PROXY_LOG" ||
		{ echo "no cut logged"; return 1; }
	out=$(curl -s -w '%{http_code}' -o "$WORK/rest" -H "Range: bytes=$cut-" \
		"$CUT_PROXY_URL/v2/tether-test/busybox/blobs/$layer")
	[ "$out" = 206 ] || { echo "range answer $out"; return 1; }
	[ "sha256:$(cat "$WORK/part" "$WORK/rest" | sha256sum | cut -d' ' -f1)" = "$layer" ] ||
		{ echo "resumed blob has other bytes"; return 1; }
	jq -se --arg r "bytes=$cut-" 'any(.[]; .event == "request" and .range == $r)' "$CUT_PROXY_LOG" ||
		{ echo "range not logged"; return 1; }
	# Later downloads pass whole.
	curl -s "$CUT_PROXY_URL/v2/tether-test/busybox/blobs/$layer" | sha256sum | grep -q "${layer#sha256:}"
}
step cut_proxy_starts cut_proxy_start 100000
check_ cut_proxy_cuts_once_and_logs_range cut_ok
check_ skopeo_through_cut_proxy skopeo inspect --tls-verify=false "docker://$CUT_PROXY/tether-test/busybox:1.0"

# --- basic auth
step basic_starts registry_start_basic tether basic-secret
unauth_basic() {
	[ "$(curl -s -o /dev/null -D "$WORK/headers" -w '%{http_code}' "$REGISTRY_URL/v2/")" = 401 ] &&
		header Www-Authenticate | grep -q '^Basic realm="tether-test"'
}
check_ basic_401_without_credentials unauth_basic
step basic_push registry_push_images busybox
check_ basic_manifest_with_credentials manifest_ok tether-test/busybox 1.0 "$IMAGE_BUSYBOX_DIGEST"
check_ basic_wrong_password_refused test "$(curl -s -o /dev/null -w '%{http_code}' -u tether:wrong \
	"$REGISTRY_URL/v2/tether-test/busybox/manifests/1.0")" = 401
check_ basic_curl_push curl_push tether-test/curl-pushed
check_ basic_skopeo_inspect skopeo inspect --tls-verify=false --creds tether:basic-secret "docker://$IMAGE_BUSYBOX_REF"

# --- bearer tokens
step token_starts registry_start_token tether token-secret
challenge_ok() {
	[ "$(curl -s -o /dev/null -D "$WORK/headers" -w '%{http_code}' \
		"$REGISTRY_URL/v2/tether-test/busybox/manifests/1.0")" = 401 ] &&
		header Www-Authenticate | grep -q "^Bearer realm=\"$TOKEN_URL\",service=\"$TOKEN_SERVICE\",scope=\"repository:tether-test/busybox:pull\""
}
check_ token_challenge challenge_ok
step token_push registry_push_images busybox
token_answer_ok() {
	curl -sSf -u tether:token-secret -G --data-urlencode "service=$TOKEN_SERVICE" \
		--data-urlencode "scope=repository:tether-test/busybox:pull" "$TOKEN_URL" >"$WORK/token.json" &&
		jq -e '(.token | length) > 100 and .access_token == .token and .expires_in == 300' "$WORK/token.json"
}
check_ token_server_answers token_answer_ok
token_manifest() {
	local t
	t=$(jq -r .token "$WORK/token.json")
	manifest_ok tether-test/busybox 1.0 "$IMAGE_BUSYBOX_DIGEST" -H "Authorization: Bearer $t"
}
check_ token_manifest_with_token token_manifest
other_scope() { # a token for another repository does not open this one
	local t
	t=$(registry_token repository:tether-test/other:pull)
	status_is 401 tether-test/busybox/manifests/1.0 -H "Authorization: Bearer $t"
}
check_ token_scope_enforced other_scope
token_code() { curl -s -o /dev/null -w '%{http_code}' "$@" -G --data-urlencode "service=$TOKEN_SERVICE" \
	--data-urlencode "scope=repository:tether-test/busybox:pull" "$TOKEN_URL"; }
check_ token_wrong_password_refused test "$(token_code -u tether:wrong)" = 401
check_ token_no_credentials_refused test "$(token_code)" = 401
check_ token_skopeo_inspect skopeo inspect --tls-verify=false --creds tether:token-secret "docker://$IMAGE_BUSYBOX_REF"
token_curl_push() {
	curl_push tether-test/curl-pushed -H "Authorization: Bearer $(registry_token repository:tether-test/curl-pushed:pull)"
}
check_ token_curl_push token_curl_push
check_ token_log_written grep -q '"status": 401' "$TOKEN_LOG"

# Anonymous pull tokens, as public registries give them: pull yes, push no.
TOKEN_ANONYMOUS_PULL=1 step token_anonymous_starts registry_start_token tether token-secret
anonymous_token() {
	local t
	registry_push_images busybox || return 1
	t=$(curl -sSf -G --data-urlencode "service=$TOKEN_SERVICE" \
		--data-urlencode "scope=repository:tether-test/busybox:pull,push" "$TOKEN_URL" | jq -r .token) &&
		manifest_ok tether-test/busybox 1.0 "$IMAGE_BUSYBOX_DIGEST" -H "Authorization: Bearer $t" &&
		status_is 401 tether-test/busybox/blobs/uploads/ -X POST -H "Authorization: Bearer $t"
}
check_ token_anonymous_pull_only anonymous_token

# --- TLS with a private CA
step tls_starts registry_start_tls
step tls_push registry_push_images busybox
check_ tls_manifest_with_ca manifest_ok tether-test/busybox 1.0 "$IMAGE_BUSYBOX_DIGEST"
check_ tls_localhost_name test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" \
	"https://localhost:${REGISTRY#*:}/v2/")" = 200
tls_refused_without_ca() { ! curl -s -o /dev/null "$REGISTRY_URL/v2/"; }
check_ tls_refused_without_ca tls_refused_without_ca
check_ tls_curl_push curl_push tether-test/curl-pushed
check_ tls_skopeo_with_cert_dir skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" "docker://$IMAGE_BUSYBOX_REF"
skopeo_refuses() { ! skopeo inspect "docker://$IMAGE_BUSYBOX_REF"; }
check_ tls_skopeo_refused_without_ca skopeo_refuses

echo "selftest: $FAILS failed"
[ "$FAILS" = 0 ]

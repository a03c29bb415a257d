#!/bin/bash
# Build a tiny OCI image layout from Debian's busybox-static, with nothing downloaded:
#   scripts/make-busybox-image.sh DIR [TAG]
# DIR receives oci-layout, index.json and blobs/sha256/; TAG (default "latest") names the
# image in index.json (org.opencontainers.image.ref.name). The layer is packed
# deterministically (sorted names, fixed times, owner 0), so running the script again gives
# the same digests; other tags already in DIR are kept.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 DIR [TAG]" >&2
	exit 2
fi
out=$1
tag=${2:-latest}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "$0: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }

case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
armv7l | armv6l) arch=arm ;;
i?86) arch=386 ;;
*) arch=$(uname -m) ;;
esac

applets="sh ash echo cat ls sleep true false hostname id ps mount umount env pwd yes dd head
tail wc grep kill mkdir rmdir rm cp mv ln touch chmod chown sed awk printf test [ uname date
whoami find xargs tr cut sort uniq stat df du free top seq basename dirname readlink realpath
tee which expr timeout nc wget ip ping vi less more sync usleep nproc"

work=$(mktemp -d "${TMPDIR:-/tmp}/busybox-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 022
root=$work/rootfs
mkdir -p "$root"/{bin,etc,proc,dev,sys,root,tmp,usr/bin,usr/sbin,sbin,var}
cp "$busybox" "$root/bin/busybox"
for applet in $applets; do
	ln -s busybox "$root/bin/$applet"
done
# EXTRA_BINARIES="FILE..." adds programs to /usr/local/bin (the security tests' probe).
for extra in ${EXTRA_BINARIES:-}; do
	install -D -m 0755 "$extra" "$root/usr/local/bin/$(basename "$extra")"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
: >"$root/etc/hostname"
for link in ${EXTRA_LINKS:-}; do
	mkdir -p "$(dirname "$root/${link%%=*}")"
	ln -s "${link#*=}" "$root/${link%%=*}"
done
chmod 0755 "$root" "$root/bin/busybox"
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"

blobs=$out/blobs/sha256
mkdir -p "$blobs"

# put_blob FILE: store FILE under its digest; prints the digest.
put_blob() {
	local hex
	hex=$(sha256sum "$1" | cut -d' ' -f1)
	[ -f "$blobs/$hex" ] || cp "$1" "$blobs/$hex"
	echo "sha256:$hex"
}
size_of() { stat -c %s "$1"; }

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
	-C "$root" -cf "$work/layer.tar" .
diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
gzip -n -c "$work/layer.tar" >"$work/layer.tar.gz"
layer_digest=$(put_blob "$work/layer.tar.gz")
layer_size=$(size_of "$work/layer.tar.gz")

jq -c -n --arg arch "$arch" --arg diff_id "$diff_id" '{
	architecture: $arch, os: "linux",
	config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
		 Cmd: ["sh"]},
	rootfs: {type: "layers", diff_ids: [$diff_id]}
}' | tr -d '\n' >"$work/config.json"
config_digest=$(put_blob "$work/config.json")
config_size=$(size_of "$work/config.json")

jq -c -n --arg cd "$config_digest" --argjson cs "$config_size" \
	--arg ld "$layer_digest" --argjson ls "$layer_size" '{
	schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
	layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]
}' | tr -d '\n' >"$work/manifest.json"
manifest_digest=$(put_blob "$work/manifest.json")
manifest_size=$(size_of "$work/manifest.json")

printf '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
index='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'
[ -f "$out/index.json" ] && index=$(cat "$out/index.json")
printf '%s' "$index" | jq -c --arg tag "$tag" --arg md "$manifest_digest" \
	--argjson ms "$manifest_size" --arg arch "$arch" '
	.manifests = ([.manifests[]
		| select(.annotations["org.opencontainers.image.ref.name"] != $tag)] + [{
		mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
		platform: {architecture: $arch, os: "linux"},
		annotations: {"org.opencontainers.image.ref.name": $tag}}])' >"$work/index.json"
mv "$work/index.json" "$out/index.json"
echo "$manifest_digest"

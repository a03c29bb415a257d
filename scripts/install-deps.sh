#!/bin/sh
# Install the Debian 12 packages tether needs to build, test, package (debhelper, lintian,
# rpm) and run its demo, when missing; docker-registry, skopeo, apache2-utils (htpasswd),
# zstd and python3-cryptography serve the registry pull tests (tests/registry),
# python3-prometheus-client reads the hub's /metrics in tests/e2e/node-health.sh, nftables
# drops the link's packets in tests/e2e/partition.sh.
#   scripts/install-deps.sh [--bench]    --bench adds the benchmark peers (crun, runc)
set -eu

packages="gcc make pkg-config clang libclang-rt-14-dev
libwebsockets-dev libwebsockets-evlib-ev libev-dev libcurl4-openssl-dev libcjson-dev libcap-dev libsystemd-dev
libsqlite3-dev libssl-dev libarchive-dev libseccomp-dev
awscli busybox-static jq curl sqlite3 iproute2 nftables util-linux procps
qemu-system-x86 cpio
debhelper dpkg-dev fakeroot lintian rpm
docker-registry skopeo apache2-utils zstd python3 python3-cryptography python3-prometheus-client openssl"
[ "${1:-}" = --bench ] && packages="$packages crun runc"

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "tether: missing packages:$missing (run as root, or install them with apt-get)" >&2
	exit 1
fi
echo "tether: installing missing packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing

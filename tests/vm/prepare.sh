#!/bin/bash
# Prepare what the VM harness boots: Debian's own kernel (downloaded as a package with
# apt-get and unpacked, never installed) and a busybox initramfs that mounts the host's root
# over 9p with a tmpfs overlay on top. Everything is cached in the folder given.
# Usage: tests/vm/prepare.sh CACHE_DIR     prints the kernel version it prepared
set -euo pipefail

cache=$(mkdir -p "$1" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

# Modules needed for the 9p root and overlayfs, then for the persistent disk (virtio-blk,
# ext4: tests that reset the guest keep their state there), in load order.
modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache
9pnet 9pnet_virtio 9p overlay virtio_blk crc16 crc32c_generic mbcache jbd2 ext4"

if [ ! -f "$cache/kernel.version" ]; then
	package=$(apt-cache search --names-only '^linux-image-[0-9.]+-[0-9]+-amd64$' |
		awk '{print $1}' | sort -V | tail -n 1)
	if [ -z "$package" ]; then
		apt-get update -q >/dev/null
		package=$(apt-cache search --names-only '^linux-image-[0-9.]+-[0-9]+-amd64$' |
			awk '{print $1}' | sort -V | tail -n 1)
	fi
	[ -n "$package" ] || { echo "prepare: no linux-image-*-amd64 package found" >&2; exit 1; }
	rm -rf "$cache/download" "$cache/kernel"
	mkdir -p "$cache/download"
	(cd "$cache/download" && apt-get download -q "$package" >/dev/null 2>&1)
	dpkg -x "$cache"/download/*.deb "$cache/kernel"
	rm -rf "$cache/download"
	ls "$cache/kernel/lib/modules" >"$cache/kernel.version.tmp"
	mv "$cache/kernel.version.tmp" "$cache/kernel.version"
fi
version=$(cat "$cache/kernel.version")

initrd="$cache/initramfs.cpio.gz"
if [ ! -f "$initrd" ] || [ "$here/initramfs-init" -nt "$initrd" ] || [ "$0" -nt "$initrd" ]; then
	root="$cache/initramfs"
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,host,rw,newroot,modules}
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$here/initramfs-init" "$root/init"
	chmod 755 "$root/init"
	for m in $modules; do
		ko=$(find "$cache/kernel/lib/modules/$version" -name "$m.ko" | head -n 1)
		[ -n "$ko" ] || { echo "prepare: module $m not found in $version" >&2; exit 1; }
		cp "$ko" "$root/modules/"
	done
	echo "$modules" | tr ' \n' '  ' >"$root/modules/order"
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
fi
echo "$version"

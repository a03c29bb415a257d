#!/bin/bash
# Boot the test VM (qemu, software emulation, Debian's kernel, the host's root read-only over
# 9p with a tmpfs overlay) and run guest tests in it on a pure cgroup v2 system.
#
#   tests/vm/run.sh                 every test in tests/vm/guest/
#   tests/vm/run.sh NAME...         only these (file names without .sh)
#   tests/vm/run.sh --shell         a shell in the guest, for debugging
#   tests/vm/run.sh --systemd       boot systemd as PID 1 instead of the test runner
#   tests/vm/run.sh --guest-dir bench/vm --bin build/release NAME...
#                                   scripts from another folder (benchmarks), other binaries
#   tests/vm/run.sh ... --baseline DIR
#                                   a second build's binaries, for benchmarks that compare
#                                   two builds in one boot (TETHER_BASELINE_BIN_DIR)
#
# Guest tests print PASS/FAIL/SKIP lines; they are passed through, so tests/run.sh counts them.
# Lines starting "bench: " (benchmark tables) are passed through as well.
#
# The guest's second serial port (ttyS1, a working UART) writes into a file on this side. A
# guest test that writes there prints "vm: host-check ttyS1 NAME TEXT"; after the run NAME
# passes when TEXT arrived in that file.
#
# The guest has a disk that outlives a reboot (/dev/vda, ext4, made here for the run). A test
# that reboots the guest prints "vm: boot-again NAME" and resets it (sysrq b) or reboots it
# (systemctl reboot); qemu runs with -no-reboot, so it exits either way; then the guest boots
# once more with tether.again=NAME on its command line, and runs NAME again (its second phase)
# and the tests no boot reached yet. Each boot may ask for one more.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/vm
mode=fast shell=0 tests=() guest_dir="" bin="" baseline=""
while [ $# -gt 0 ]; do
	case "$1" in
	--shell) shell=1 ;;
	--systemd) mode=systemd ;;
	--guest-dir) guest_dir=$2; shift ;;
	--bin) bin=$(cd "$2" && pwd) || exit 2; shift ;;
	--baseline) baseline=$(cd "$2" && pwd) || exit 2; shift ;;
	*) tests+=("$1") ;;
	esac
	shift
done

version=$("$top/tests/vm/prepare.sh" "$cache") || { echo "FAIL vm_prepare: see above"; exit 1; }
# no_timer_check: under emulation on a loaded host the kernel's check of the IO-APIC timer can
# miss its ticks and panic the boot ("IO-APIC + timer doesn't work"); the timer itself works.
append="console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check tether.mode=$mode tether.top=$top"
[ ${#tests[@]} -gt 0 ] && append="$append tether.tests=$(IFS=,; echo "${tests[*]}")"
[ "$shell" = 1 ] && append="$append tether.shell=1"
[ -n "$guest_dir" ] && append="$append tether.dir=$guest_dir"
[ -n "$bin" ] && append="$append tether.bin=$bin"
[ -n "$baseline" ] && append="$append tether.baseline=$baseline"

disk=$(mktemp /tmp/tether-vm-disk.XXXXXX)
ttys1=$(mktemp /tmp/tether-vm-ttyS1.XXXXXX)
trap 'rm -f "$disk" "$ttys1" "$ttys1".*' EXIT
truncate -s 2G "$disk" && mkfs.ext4 -q -F "$disk" || { echo "FAIL vm_disk: mkfs.ext4"; exit 1; }
uart2=null # the guest's ttyS1: a file for the tests, nothing for a shell
[ "$shell" != 1 ] && uart2=file:$ttys1
qemu_args() { # APPEND TTYS1
	qemu=(qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m 2048 -nographic -no-reboot
		-serial mon:stdio -serial "$2"
		-kernel "$cache/kernel/boot/vmlinuz-$version" -initrd "$cache/initramfs.cpio.gz"
		-append "$1"
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-drive "file=$disk,if=virtio,format=raw"
		-nic none)
}
qemu_args "$append" "$uart2"

if [ "$shell" = 1 ]; then
	"${qemu[@]}"
	exit
fi

log=$(mktemp /tmp/tether-vm.XXXXXX)
boot() {
	timeout --kill-after=10 "${VM_TIMEOUT:-1200}" "${qemu[@]}" </dev/null 2>&1 | sed -u 's/\r$//' |
		tee -a "$log" | grep --line-buffered -E '^(PASS|FAIL|SKIP) |^(vm|measured|bench): '
	rc=${PIPESTATUS[0]}
}
started=$SECONDS
boot
boots=1
while :; do
	# This boot's last words: a test that asked for the next one.
	again=$(awk -v n="$boots" '/^vm: PID 1 is / { b++ } b == n' "$log" |
		sed -n 's/^vm: boot-again \([A-Za-z0-9_.-]*\)$/\1/p' | head -n 1)
	{ [ -n "$again" ] && [ "$boots" -lt 4 ] && ! grep -q '^vm: done' "$log"; } || break
	# The test that asked, then the ones no boot began, in the runner's order.
	dir=${guest_dir:-tests/vm/guest}
	[[ "$dir" == /* ]] || dir=$top/$dir
	rest=$again
	for t in "$dir"/*.sh; do
		name=$(basename "$t" .sh)
		if [ ${#tests[@]} -gt 0 ] && ! [[ ",$(IFS=,; echo "${tests[*]}")," == *",$name,"* ]]; then
			continue
		fi
		grep -qx "vm: -- $name" "$log" || rest="$rest,$name"
	done
	boots=$((boots + 1))
	next=$(echo "$append" | sed 's/ tether\.tests=[^ ]*//')
	echo "vm: booting again for $again (qemu exit $rc)"
	qemu_args "$next tether.tests=$rest tether.again=$again" "file:$ttys1.$boots"
	boot
	cat "$ttys1.$boots" >>"$ttys1"
done
echo "vm: stage took $((SECONDS - started)) s (qemu exit $rc)"
while read -r _ _ port name text; do
	[ "$port" = ttyS1 ] || continue
	if grep -qF -- "$text" "$ttys1"; then
		echo "PASS $name"
	else
		echo "FAIL $name: '$text' did not arrive through the guest's ttyS1 (it got $(wc -c <"$ttys1") bytes)"
		echo "FAIL $name" >>"$log"
	fi
done < <(grep '^vm: host-check ' "$log")
if ! grep -q '^vm: done' "$log"; then
	echo "FAIL vm_completes: the guest did not finish; last lines of its console:"
	tail -n 40 "$log" | sed 's/^/    | /'
	exit 1
fi
if grep -q '^FAIL ' "$log"; then
	echo "vm: console of the failing run kept in $log"
else
	rm -f "$log"
fi

#!/bin/bash
# PID 1 of the test VM in fast mode: a pure cgroup v2 system with every controller, then the
# guest tests named on the kernel command line (tether.tests=a,b; all by default), then
# power off. Output goes to the serial console, where tests/vm/run.sh reads it.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
under_systemd=0
[ "${1:-}" = --under-systemd ] && under_systemd=1

power_off() {
	sync
	if [ "$under_systemd" = 1 ]; then
		systemctl --no-block poweroff
		exit 0
	fi
	echo o >/proc/sysrq-trigger
	sleep 10
}

if [ "$under_systemd" = 0 ]; then
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
echo 1 >/proc/sys/kernel/sysrq
ip link set lo up
hostname tether-vm
fi
# Scratch space on tmpfs (overlayfs cannot use the overlay root as its upper layer). The host's
# /tmp stays visible: the checkout under test may live there.
mkdir -p /var/tmp/tether-vm
mount -t tmpfs tmpfs /var/tmp/tether-vm

top=/ tests="" shell=0 guest_dir=tests/vm/guest bin="" baseline=""
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	tether.top=*) top=${arg#tether.top=} ;;
	tether.dir=*) guest_dir=${arg#tether.dir=} ;;
	tether.bin=*) bin=${arg#tether.bin=} ;;
	tether.baseline=*) baseline=${arg#tether.baseline=} ;;
	tether.tests=*) tests=${arg#tether.tests=} ;;
	tether.shell=1) shell=1 ;;
	esac
done
cd "$top" || { echo "vm: no $top in the guest"; power_off; }

# The root cgroup may hold processes and still delegate: give every controller to children.
if [ "$under_systemd" = 0 ]; then
	controllers=$(sed 's/\([a-z_]*\)/+\1/g' /sys/fs/cgroup/cgroup.controllers)
	echo "$controllers" >/sys/fs/cgroup/cgroup.subtree_control
fi
echo "vm: PID 1 is $(cat /proc/1/comm)"
echo "vm: kernel $(uname -r), cgroup v2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
echo "vm: booted in $(cut -d' ' -f1 /proc/uptime) s"

if [ "$shell" = 1 ]; then
	echo "vm: shell in the guest; 'exit' powers off"
	setsid -c bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	power_off
fi

export TETHER_BIN_DIR=${bin:-${TETHER_BIN_DIR:-$top/build/test}}
[ -n "$baseline" ] && export TETHER_BASELINE_BIN_DIR=$baseline
export TETHER_IN_VM=1
export TETHER_VM_MODE=$([ "$under_systemd" = 1 ] && echo systemd || echo fast)
export TMPDIR=/var/tmp/tether-vm
export ASAN_OPTIONS="detect_leaks=1:log_path=$TMPDIR/sanitizer"
for t in "$guest_dir"/*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "$tests" ] && ! [[ ",$tests," == *",$name,"* ]]; then
		continue
	fi
	echo "vm: -- $name"
	started=$(cut -d' ' -f1 /proc/uptime)
	timeout 600 bash "$t" 2>&1
	echo "vm: $name took $(awk -v s="$started" '{printf "%.1f", $1 - s}' /proc/uptime) s"
done
for report in "$TMPDIR"/sanitizer.*; do
	[ -f "$report" ] || continue
	echo "FAIL sanitizer_report_in_vm: $(basename "$report")"
	head -n 40 "$report"
done
echo "vm: done"
power_off

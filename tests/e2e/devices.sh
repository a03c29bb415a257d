#!/bin/bash
# The devices a container reaches: only Docker's default nodes, its own terminals and what
# linuxParameters.devices gives it, with exactly the permissions given. Loop devices with
# known content stand for the host's disks: a container that makes a node for one (mknod
# b 7 N) must neither read nor write it. Three layers are checked apart: the cgroup device
# filter (EPERM), nodev on every mount the container can write in (EACCES), and the agent and
# monitor on a host that takes no filter. Runs on the host and, through
# tests/vm/guest/devices.sh, in the VM, where a container is also given a real UART.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip devices "needs root (namespaces, cgroups, loop devices)"
	exit 0
fi
IMAGE=$BIN/tests/security-image
[ -f "$IMAGE/index.json" ] || { fail devices-image "$IMAGE missing (make MODE=test unit-tests)"; exit 0; }
STATE=$WORK/state
LIMITS=()
[ -n "${TETHER_IN_VM:-}" ] || LIMITS=(--allow-no-limits)
LOOPS=()
trap 'for l in "${LOOPS[@]}"; do losetup -d "$l"; done; on_exit' EXIT

# The VM's kernel has loop as a module, in the kernel package unpacked by the harness.
if [ ! -e /dev/loop-control ] && [ -n "${TETHER_IN_VM:-}" ]; then
	ko=$(find "$TOP/build/vm/kernel/lib/modules/$(uname -r)" -name loop.ko 2>/dev/null | head -n 1)
	[ -n "$ko" ] && busybox insmod "$ko" # busybox: this host may have no kmod
fi
# new_loop NAME: a loop device over a file that starts with a line of its own; sets DEV,
# NUM ("MAJOR MINOR") and SECRET.
new_loop() {
	SECRET="tether-secret-$1-$RANDOM$RANDOM"
	printf '%s\n' "$SECRET" >"$WORK/$1.img"
	truncate -s 1M "$WORK/$1.img"
	DEV=$(losetup -f --show "$WORK/$1.img") || return 1
	LOOPS+=("$DEV")
	NUM="$((16#$(stat -c %t "$DEV"))) $((16#$(stat -c %T "$DEV")))"
}
new_loop one && ONE=$DEV ONE_NUM=$NUM ONE_SECRET=$SECRET &&
	new_loop two && TWO=$DEV TWO_NUM=$NUM TWO_SECRET=$SECRET &&
	new_loop three && THREE_NUM=$NUM ||
	{ skip devices "no loop devices here (losetup -f failed)"; exit 0; }

# The probes run as a script from a volume; each attempt prints "NAME ok" or "NAME <error>",
# the error being what follows the last ": " of the tool's message.
mkdir -p "$WORK/t"
cat >"$WORK/t/lib.sh" <<'SH'
attempt() {
	name=$1
	shift
	if out=$("$@" 2>&1); then echo "$name ok"; else echo "$name ${out##*: }"; fi
}
first_line() { head -n 1 "$1" 2>/dev/null; }
SH
# run_probe NAME TASK_FIELDS CONTAINER_FIELDS: runs /t/NAME.sh (written by the caller) in a
# container with the volume at /t; sets OUT, ERR and RC. WRAP, when set, is a command that
# runs tether; MONITOR another tether-monitor.
run_probe() {
	printf '{"family":"dev",%s"volumes":[{"name":"t","host":{"sourcePath":"%s"}}],
"containerDefinitions":[{"name":"app","image":"oci:%s:latest","mountPoints":[{"sourceVolume":"t","containerPath":"/t"}],
"command":["sh","/t/%s.sh"]%s}]}\n' "${2:+$2,}" "$WORK/t" "$IMAGE" "$1" "${3:+,$3}" >"$WORK/$1.json"
	${WRAP:-} "$BIN/tether" task run "$WORK/$1.json" --state-dir "$STATE" "${LIMITS[@]}" \
		${MONITOR:+--monitor "$MONITOR"} >"$WORK/$1.out" 2>"$WORK/$1.log"
	RC=$?
	OUT=$(cat "$WORK/$1.out")
	ERR=$(cat "$WORK/$1.log")
}
# expect NAME KEY VALUE: PASS when the line "KEY VALUE" is in $OUT.
expect() {
	grep -qxF -- "$2 $3" <<<"$OUT" && pass "$1" ||
		fail "$1" "expected '$2 $3', got '$(grep -m1 -- "^$2 " <<<"$OUT")' (rc=$RC $ERR)"
}
host_first_line() { head -n 1 "$WORK/$1.img"; }

# 1. A default container: the mknod of a host disk is refused, so is every other device;
# what it can write in is nodev; the default nodes and its own terminals work.
cat >"$WORK/t/default.sh" <<SH
. /t/lib.sh
attempt mknod-loop busybox mknod /tmp/disk b $ONE_NUM
echo "read-loop \$(first_line /tmp/disk)"
attempt write-loop sh -c 'echo overwritten | dd of=/tmp/disk conv=notrunc'
attempt mknod-mem busybox mknod /tmp/mem c 1 1
attempt mknod-kmsg busybox mknod /tmp/kmsg c 1 11
attempt mknod-in-dev busybox mknod /dev/disk b $ONE_NUM
attempt mknod-in-shm busybox mknod /dev/shm/disk b $ONE_NUM
attempt mknod-in-tmpfs busybox mknod /scratch/disk b $ONE_NUM
attempt mknod-in-volume busybox mknod /t/disk b $ONE_NUM
attempt write-null sh -c 'echo x >/dev/null'
attempt write-full sh -c 'echo x >/dev/full'
echo "zero \$(head -c 3 /dev/zero | wc -c)"
echo "urandom \$(head -c 4 /dev/urandom | wc -c)"
attempt open-ptmx sh -c 'exec 3<>/dev/ptmx'
while read -r _ _ _ _ mp opts _; do
	[ -d "\$mp" ] && kind=dir || kind=file
	echo "mount \$mp \$opts \$kind"
done </proc/self/mountinfo
SH
run_probe default "" '"linuxParameters":{"tmpfs":[{"containerPath":"/scratch","size":1}]}'
expect mknod-of-a-host-disk-refused mknod-loop "Operation not permitted"
grep -qF "$ONE_SECRET" <<<"$OUT" && fail host-disk-not-read-through-mknod "the container read: $OUT" ||
	pass host-disk-not-read-through-mknod
[ "$(host_first_line one)" = "$ONE_SECRET" ] && pass host-disk-unchanged ||
	fail host-disk-unchanged "the disk now starts with '$(host_first_line one)'"
expect mknod-dev-mem-refused mknod-mem "Operation not permitted"
expect mknod-dev-kmsg-refused mknod-kmsg "Operation not permitted"
for where in dev shm tmpfs volume; do
	expect "mknod-in-$where-refused" "mknod-in-$where" "Operation not permitted"
done
[ -e "$WORK/t/disk" ] && fail no-node-left-in-the-volume "$(ls -l "$WORK/t/disk")" ||
	pass no-node-left-in-the-volume
expect dev-null-writable write-null ok
expect dev-full-full write-full "No space left on device"
expect dev-zero-readable zero 3
expect dev-urandom-readable urandom 4
expect dev-ptmx-opens open-ptmx ok
# Every folder mount it can write in is nodev (devpts makes no node on request).
writable=$(grep '^mount ' <<<"$OUT" | awk '$3 ~ /^rw/ && $4 == "dir" && $2 != "/dev/pts"')
without=$(awk '$3 !~ /(^|,)nodev(,|$)/ { print $2 }' <<<"$writable" | tr '\n' ' ')
[ -n "$writable" ] && [ -z "$without" ] && pass writable-mounts-are-nodev ||
	fail writable-mounts-are-nodev "without nodev: '$without' (mounts: $(grep '^mount ' <<<"$OUT" | tr '\n' ';'))"
for mp in / /dev /dev/shm /dev/mqueue /scratch /t; do
	grep -q "^mount $mp rw[^ ]*nodev" <<<"$writable" && pass "nodev-on-$mp" ||
		fail "nodev-on-$mp" "$(grep "^mount $mp " <<<"$OUT")"
done

# 2. Given devices: exactly their permissions. "one" may only be read, "two" read, written
# and made; "three" is not given. A node for "two" made in the container's own folders
# passes the filter but stays shut by nodev (EACCES, not the filter's EPERM).
cat >"$WORK/t/given.sh" <<SH
. /t/lib.sh
echo "read-one \$(first_line /dev/disk-one)"
attempt write-one sh -c 'echo overwritten >/dev/disk-one'
attempt chmod-one chmod 666 /dev/disk-one
echo "read-two \$(first_line /srv/disk-two)"
attempt write-two sh -c 'printf "written-by-the-container\n" | dd of=/srv/disk-two conv=notrunc'
attempt mknod-two busybox mknod /tmp/two b $TWO_NUM
attempt open-made-two head -c 1 /tmp/two
attempt mknod-two-in-shm busybox mknod /dev/shm/two b $TWO_NUM
attempt open-made-two-in-shm head -c 1 /dev/shm/two
attempt mknod-one busybox mknod /tmp/one b $ONE_NUM
attempt mknod-three busybox mknod /tmp/three b $THREE_NUM
SH
ln -s "$ONE" "$WORK/link-to-one"
run_probe given "" "\"linuxParameters\":{\"devices\":[
 {\"hostPath\":\"$WORK/link-to-one\",\"containerPath\":\"/dev/disk-one\",\"permissions\":[\"read\"]},
 {\"hostPath\":\"$TWO\",\"containerPath\":\"/srv/disk-two\"}]}"
expect given-device-readable read-one "$ONE_SECRET"
expect read-only-device-not-writable write-one "Operation not permitted"
[ "$(host_first_line one)" = "$ONE_SECRET" ] && pass read-only-device-unchanged ||
	fail read-only-device-unchanged "the disk now starts with '$(host_first_line one)'"
expect host-node-not-changed-by-chmod chmod-one "Read-only file system"
[ "$(stat -c %a "$ONE")" != 666 ] && pass host-node-mode-kept || fail host-node-mode-kept "$(ls -l "$ONE")"
expect device-at-any-path read-two "$TWO_SECRET"
expect writable-device-written write-two ok
[ "$(host_first_line two)" = written-by-the-container ] && pass device-write-reached-the-host ||
	fail device-write-reached-the-host "the disk starts with '$(host_first_line two)'"
expect mknod-permission-allows-mknod mknod-two ok
expect nodev-keeps-a-made-node-shut open-made-two "Permission denied"
expect mknod-in-shm-allowed-by-filter mknod-two-in-shm ok
expect nodev-on-shm-keeps-it-shut open-made-two-in-shm "Permission denied"
expect no-mknod-without-the-permission mknod-one "Operation not permitted"
expect device-not-given-refused mknod-three "Operation not permitted"

# 3. A host path that is no device, or none at all, is refused at start, naming it.
printf 'true\n' >"$WORK/t/none.sh"
run_probe none "" '"linuxParameters":{"devices":[{"hostPath":"/etc/passwd"}]}'
[ "$RC" != 0 ] && grep -q "CannotStartContainerError: linuxParameters.devices: /etc/passwd is not a character or block device" <<<"$ERR" &&
	pass host-path-not-a-device-refused || fail host-path-not-a-device-refused "rc=$RC $ERR"
run_probe none "" "\"linuxParameters\":{\"devices\":[{\"hostPath\":\"$WORK/missing\"}]}"
[ "$RC" != 0 ] && grep -q "linuxParameters.devices: $WORK/missing: No such file or directory" <<<"$ERR" &&
	pass missing-host-path-refused || fail missing-host-path-refused "rc=$RC $ERR"
# Refused before anything runs, as at registration.
run_probe none "" '"linuxParameters":{"devices":[{"hostPath":"/dev/../etc/passwd"}]}'
grep -q 'devices\[0\].hostPath: "/dev/../etc/passwd" must be an absolute path' <<<"$ERR" &&
	pass dotdot-host-path-refused || fail dotdot-host-path-refused "rc=$RC $ERR"
run_probe none "" '"linuxParameters":{"tmpfs":[{"containerPath":"/x","size":1,"mountOptions":["dev"]}]}'
grep -q 'mountOptions\[0\]: "dev" is refused' <<<"$ERR" && pass tmpfs-dev-refused ||
	fail tmpfs-dev-refused "rc=$RC $ERR"

if [ -n "${TETHER_IN_VM:-}" ]; then
	# 4. A real UART: the VM's second serial port is a file on the host (tests/vm/run.sh), which
	# checks that the line the container writes arrived there. Beside it no other device opens.
	token="tether-uart-$RANDOM$RANDOM"
	cat >"$WORK/t/uart.sh" <<SH
. /t/lib.sh
attempt write-ttyS1 sh -c 'echo $token >/dev/ttyS1'
attempt read-ttyS1 sh -c 'exec 3</dev/ttyS1'
attempt mknod-ttyS2 busybox mknod /tmp/ttyS2 c 4 66
attempt open-ttyS2 sh -c 'exec 3</tmp/ttyS2'
attempt mknod-loop busybox mknod /tmp/disk b $ONE_NUM
attempt mknod-mem busybox mknod /tmp/mem c 1 1
attempt mknod-kmsg busybox mknod /tmp/kmsg c 1 11
SH
	run_probe uart "" '"linuxParameters":{"devices":[{"hostPath":"/dev/ttyS1","permissions":["write"]}]}'
	expect given-uart-written write-ttyS1 ok
	expect given-uart-not-readable-without-read read-ttyS1 "Operation not permitted"
	echo "vm: host-check ttyS1 given-uart-bytes-reached-the-host $token"
	expect uart-container-mknod-ttyS2-refused mknod-ttyS2 "Operation not permitted"
	expect uart-container-ttyS2-not-opened open-ttyS2 "no such file"
	expect uart-container-mknod-loop-refused mknod-loop "Operation not permitted"
	expect uart-container-mknod-mem-refused mknod-mem "Operation not permitted"
	expect uart-container-mknod-kmsg-refused mknod-kmsg "Operation not permitted"
	exit 0
fi

# 5. The hub takes linuxParameters.devices from the real aws CLI and refuses hostile ones by
# name (the CLI's calls take ~20 s each under emulation: host only).
start_hub || { fail hub-starts "see hub.log"; exit 0; }
out=$(awsx ecs register-task-definition --cli-input-json '{"family": "gps", "containerDefinitions": [{"name": "a",
	"image": "i", "linuxParameters": {"devices": [{"hostPath": "/dev/ttyS1"},
	{"hostPath": "/dev/serial/by-id/usb-gnss", "containerPath": "/dev/gps", "permissions": ["read", "write"]}]}}]}' 2>&1)
[ "$(jq -r '.taskDefinition.containerDefinitions[0].linuxParameters.devices[1].containerPath' <<<"$out" 2>/dev/null)" = /dev/gps ] &&
	pass hub-registers-devices || fail hub-registers-devices "$(tail -n 3 <<<"$out")"
for refused in 'devices[0].hostPath: "/dev/../etc/passwd" must be an absolute path|"devices": [{"hostPath": "/dev/../etc/passwd"}]' \
	'devices[0].containerPath: "/proc/kcore" cannot hold a device|"devices": [{"hostPath": "/dev/sda", "containerPath": "/proc/kcore"}]' \
	'mountOptions[0]: "dev" is refused|"tmpfs": [{"containerPath": "/x", "size": 1, "mountOptions": ["dev"]}]'; do
	want=${refused%%|*}
	out=$(awsx ecs register-task-definition --cli-input-json "{\"family\": \"x\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\", \"linuxParameters\": {${refused#*|}}}]}" 2>&1)
	[ $? != 0 ] && grep -qF -- "$want" <<<"$out" && pass "hub-refuses-${want%%:*}" ||
		fail "hub-refuses-${want%%:*}" "wanted $want, got: $(tr '\n' ' ' <<<"$out")"
done
stop_pid "$HUB_PID"

# 6. A host that takes no device filter: bpf(2) refused by a seccomp filter (as a hardened
# host's policy would), to tether and so to the monitors it starts, or to the monitor alone.
# The agent says so at start and refuses a task with devices; a default container runs
# without MKNOD; a monitor without the filter refuses devices itself.
cat >"$WORK/without-bpf.py" <<'PY'
# without-bpf.py COMMAND...: COMMAND with bpf(2) failing with EPERM (x86_64 only).
import ctypes, os, platform, struct, sys
if platform.machine() != 'x86_64':
    sys.exit(2)
AUDIT_ARCH_X86_64, NR_BPF, SECCOMP_RET_ERRNO, SECCOMP_RET_ALLOW, EPERM = 0xc000003e, 321, 0x50000, 0x7fff0000, 1
program = [(0x20, 0, 0, 4), (0x15, 0, 3, AUDIT_ARCH_X86_64), (0x20, 0, 0, 0), (0x15, 0, 1, NR_BPF),
           (0x06, 0, 0, SECCOMP_RET_ERRNO | EPERM), (0x06, 0, 0, SECCOMP_RET_ALLOW)]
filters = ctypes.create_string_buffer(b''.join(struct.pack('<HBBI', *i) for i in program))
fprog = ctypes.create_string_buffer(struct.pack('<HxxxxxxQ', len(program), ctypes.addressof(filters)))
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
if libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) or \
   libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.c_ulong(ctypes.addressof(fprog)), ctypes.c_ulong(0), ctypes.c_ulong(0)):
    sys.exit(3)
os.execvp(sys.argv[1], sys.argv[1:])
PY
NO_BPF="/usr/bin/python3 $WORK/without-bpf.py"
if ! $NO_BPF true 2>/dev/null; then
	skip devices-without-filter "cannot refuse bpf(2) to a program on this machine"
	exit 0
fi
printf '. /t/lib.sh\nattempt mknod-loop busybox mknod /tmp/disk b %s\necho "capeff $(grep ^CapEff /proc/self/status | cut -f2)"\n' \
	"$ONE_NUM" >"$WORK/t/nofilter.sh"
WRAP=$NO_BPF run_probe nofilter
grep -q "This host takes no cgroup device filter" <<<"$ERR" && pass no-filter-said-at-start ||
	fail no-filter-said-at-start "$ERR"
grep -q "No cgroup device filter" <<<"$ERR" && pass no-filter-said-by-the-monitor ||
	fail no-filter-said-by-the-monitor "$ERR"
expect no-filter-no-mknod mknod-loop "Operation not permitted"
expect no-filter-capabilities-without-mknod capeff "$(printf '%016x' $((0xa80425fb & ~(1 << 27))))"
WRAP=$NO_BPF run_probe nofilter "" "\"linuxParameters\":{\"devices\":[{\"hostPath\":\"$ONE\"}]}"
[ "$RC" != 0 ] && grep -q "linuxParameters.devices: this host cannot restrict a container to its devices" <<<"$ERR" &&
	pass no-filter-devices-refused-by-the-agent || fail no-filter-devices-refused-by-the-agent "rc=$RC $ERR"
printf '#!/bin/sh\nexec %s %s "$@"\n' "$NO_BPF" "$BIN/tether-monitor" >"$WORK/monitor-without-bpf"
chmod +x "$WORK/monitor-without-bpf"
MONITOR=$WORK/monitor-without-bpf run_probe nofilter "" "\"linuxParameters\":{\"devices\":[{\"hostPath\":\"$ONE\"}]}"
[ "$RC" != 0 ] && grep -q "CannotStartContainerError: linuxParameters.devices cannot be granted on this host" <<<"$ERR" &&
	pass no-filter-devices-refused-by-the-monitor || fail no-filter-devices-refused-by-the-monitor "rc=$RC $ERR"

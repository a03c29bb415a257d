#!/bin/bash
# A container's privileges as Docker's defaults give them, seen from inside: capability sets
# (root, non-root, add/drop), system calls the seccomp profile refuses with EPERM (never a
# kill) and those an added capability opens, ulimits, networkMode none and host, and the init
# of initProcessEnabled (pid 1 reaps orphans and forwards SIGTERM). tests/vm/guest/security.sh
# runs checks 1-3 on the VM's kernel.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip container-security "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi
# busybox with tests/probe/syscall-probe.c in /usr/local/bin, built by `make unit-tests`.
IMAGE=$BIN/tests/security-image
[ -f "$IMAGE/index.json" ] || { fail security-image "$IMAGE missing (make MODE=test unit-tests)"; exit 0; }
STATE=$WORK/state
LIMITS=()
[ -n "${TETHER_IN_VM:-}" ] || LIMITS=(--allow-no-limits)

# run_task NAME TASK_FIELDS CONTAINER_FIELDS: runs it in the foreground; sets OUT, ERR, RC.
run_task() {
	printf '{"family":"sec",%s"containerDefinitions":[{"name":"app","image":"oci:%s:latest",%s}]}\n' \
		"${2:+$2,}" "$IMAGE" "$3" >"$WORK/$1.json"
	local t0=$SECONDS
	"$BIN/tether" task run "$WORK/$1.json" --state-dir "$STATE" "${LIMITS[@]}" \
		>"$WORK/$1.out" 2>"$WORK/$1.log"
	RC=$?
	echo "measured: security run $1 took $((SECONDS - t0)) s"
	OUT=$(cat "$WORK/$1.out")
	ERR=$(cat "$WORK/$1.log")
}
# field NAME: sets FIELD to the value after "NAME:" or "NAME " in $OUT (first match, blanks
# trimmed). Pure bash: in the VM every fork and exec of a helper costs a visible fraction of a
# second, and there are sixty checks.
field() {
	local line
	FIELD=
	while IFS= read -r line; do
		[[ $line == "$1:"* || $line == "$1 "* ]] || continue
		line=${line:${#1}+1}
		line=${line#"${line%%[![:space:]]*}"}
		FIELD=${line%"${line##*[![:space:]]}"}
		return
	done <<<"$OUT"
}
# expect NAME FIELD VALUE: PASS when field FIELD of $OUT is VALUE.
expect() {
	field "$2"
	[ "$FIELD" = "$3" ] && pass "$1" || fail "$1" "$2 is '$FIELD', expected '$3' (rc=$RC $ERR)"
}
hex() { printf '%016x' "$1"; }

CAPS='grep -E \"^(Cap|NoNewPrivs|Seccomp)\" /proc/self/status'
PROBES="mount umount2 unshare setns kexec_load init_module reboot swapon bpf keyctl ptrace clone-newns clone-newuser clone3 fork personality-linux personality-norandom socket-inet socket-vsock"
DEFAULT_CAPS=$(hex 0xa80425fb)

# 1. Root with the defaults: Docker's 14 capabilities, the seccomp profile, the default ulimit.
run_task root "" "\"command\":[\"sh\",\"-c\",\"$CAPS; syscall-probe $PROBES; syscall-probe-i386 2>/dev/null || echo i386-abi unavailable; echo nofile \$(ulimit -n) \$(ulimit -Hn); echo netns \$(readlink /proc/self/ns/net)\"]"
expect root-cap-effective CapEff "$DEFAULT_CAPS"
expect root-cap-permitted CapPrm "$DEFAULT_CAPS"
expect root-cap-bounding CapBnd "$DEFAULT_CAPS"
expect root-cap-inheritable-empty CapInh 0000000000000000
expect root-cap-ambient-empty CapAmb 0000000000000000
expect no-new-privs NoNewPrivs 1
expect seccomp-filter Seccomp 2
for call in mount umount2 unshare setns kexec_load init_module reboot swapon bpf keyctl ptrace clone-newns clone-newuser socket-vsock personality-norandom; do
	expect "seccomp-$call-eperm" "$call" EPERM
done
expect seccomp-clone3-enosys clone3 ENOSYS
expect seccomp-fork-allowed fork OK
expect seccomp-personality-linux-allowed personality-linux OK
expect seccomp-socket-inet-allowed socket-inet OK
# The i386 ABI gets the same answers (its calls would be killed if the filter lacked it).
field i386-abi
if [ "$FIELD" = unavailable ]; then
	skip seccomp-i386-abi "this kernel runs no i386 programs (no IA32 emulation)"
else
	expect seccomp-i386-getpid-allowed i386-getpid OK
	expect seccomp-i386-socket-allowed i386-socket OK
	expect seccomp-i386-mount-eperm i386-mount EPERM
	expect seccomp-i386-unshare-eperm i386-unshare EPERM
	expect seccomp-i386-kexec_load-eperm i386-kexec_load EPERM
fi
# A default nofile of 1048576 (Docker's), or the node's hard limit where it cannot be raised.
if (ulimit -n 1048576) 2>/dev/null; then want=1048576; else want=$(ulimit -Hn); fi
expect default-nofile nofile "$want $want"
# No networkMode: the host's network.
expect network-default-is-host netns "$(readlink /proc/self/ns/net)"

# 2. add SYS_ADMIN and SYS_PTRACE, drop MKNOD: the sets follow and the calls they govern open.
run_task add "" "\"linuxParameters\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\",\"SYS_PTRACE\"],\"drop\":[\"MKNOD\"]}},\"command\":[\"sh\",\"-c\",\"$CAPS; syscall-probe mount unshare setns ptrace clone-newns clone3 kexec_load keyctl\"]"
ADDED=$(hex $(( (0xa80425fb | 1 << 21 | 1 << 19) & ~(1 << 27) )))
expect add-drop-cap-effective CapEff "$ADDED"
expect add-drop-cap-bounding CapBnd "$ADDED"
expect sys-admin-opens-mount mount OK
expect sys-admin-opens-unshare unshare OK
expect sys-admin-opens-setns setns EBADF
expect sys-admin-opens-clone-namespaces clone-newns OK
expect sys-admin-opens-clone3 clone3 OK
expect sys-ptrace-opens-ptrace ptrace ESRCH
expect kexec-stays-refused kexec_load EPERM
expect keyctl-stays-refused keyctl EPERM

# 3. One run for the rest (each run costs seconds in the VM): a non-root user with ulimits,
# networkMode none and initProcessEnabled. The user has nothing effective or permitted, the set
# only bounds; the ulimits apply; the network namespace is its own with only lo, up; the
# command is pid 2 under an init that holds no capability, reaps an orphan and forwards
# SIGTERM.
cat >"$WORK/init.json" <<JSON
{"family":"sec","networkMode":"none","containerDefinitions":[{"name":"app","image":"oci:$IMAGE:latest",
 "user":"65534:65534","linuxParameters":{"initProcessEnabled":true},
 "ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":2048},{"name":"core","softLimit":0,"hardLimit":-1},{"name":"nproc","softLimit":500,"hardLimit":600}],
 "command":["sh","-c",
 "grep -E '^(Cap|NoNewPrivs)' /proc/self/status | sed 's/^/self /'; echo nofile \$(ulimit -n) \$(ulimit -Hn); grep -E '^Max (core file size|processes)' /proc/self/limits | tr -s ' '; ls /sys/class/net | sed 's/^/net /'; ip -o link | sed 's/^/link /'; echo netns \$(readlink /proc/self/ns/net); echo pid \$\$; (sleep 60 & echo \$! >/tmp/orphan); o=\$(cat /tmp/orphan); echo ppid \$(cut -d' ' -f4 /proc/\$o/stat); kill \$o; for i in \$(seq 50); do test -e /proc/\$o || break; sleep 0.1; done; test -e /proc/\$o && echo orphan \$(cut -d' ' -f3 /proc/\$o/stat) || echo orphan reaped; grep -E '^(CapEff|CapPrm|NoNewPrivs|Seccomp)' /proc/1/status | sed 's/^/init /'; echo init-cmdline \$(tr '\\\\0' ' ' </proc/1/cmdline); trap 'echo got-term; exit 3' TERM; echo started; while :; do sleep 0.1; done"]}]}
JSON
t0=$SECONDS
"$BIN/tether" task run "$WORK/init.json" --state-dir "$STATE" "${LIMITS[@]}" >"$WORK/init.out" 2>"$WORK/init.log" &
pid=$!
STARTED_PIDS+=("$pid")
wait_until 60 grep -q started "$WORK/init.out"
# Seen from the host: the init holds stdio only, none of the monitor's descriptors.
init_pid=$(cat "$STATE"/tasks/*/app/pid 2>/dev/null | head -n 1)
init_fds=$(ls "/proc/${init_pid:-0}/fd" 2>&1 | tr '\n' ' ')
[ "$init_fds" = "0 1 2 " ] && pass init-holds-only-stdio ||
	fail init-holds-only-stdio "pid ${init_pid:-?} has: $init_fds"
stop_pid "$pid" TERM
echo "measured: security run init took $((SECONDS - t0)) s"
OUT=$(cat "$WORK/init.out") ERR=$(cat "$WORK/init.log") RC=
expect user-cap-effective-empty "self CapEff" 0000000000000000
expect user-cap-permitted-empty "self CapPrm" 0000000000000000
expect user-cap-inheritable-empty "self CapInh" 0000000000000000
expect user-cap-ambient-empty "self CapAmb" 0000000000000000
expect user-cap-bounding "self CapBnd" "$DEFAULT_CAPS"
expect user-no-new-privs "self NoNewPrivs" 1
expect ulimit-nofile nofile "1024 2048"
expect ulimit-core "Max core file size" "0 unlimited bytes"
expect ulimit-nproc "Max processes" "500 600 processes"
expect network-none-only-lo net lo
[ "$(grep -c '^net ' <<<"$OUT")" = 1 ] && pass network-none-one-device ||
	fail network-none-one-device "$(grep '^net ' <<<"$OUT" | tr '\n' ' ') $ERR"
grep -q '^link 1: lo: <LOOPBACK,UP,LOWER_UP>' <<<"$OUT" && pass network-none-lo-up ||
	fail network-none-lo-up "$(grep '^link' <<<"$OUT")"
field netns
[ -n "$FIELD" ] && [ "$FIELD" != "$(readlink /proc/self/ns/net)" ] &&
	pass network-none-own-namespace || fail network-none-own-namespace "container '$FIELD'"
expect init-command-is-pid-2 pid 2
expect init-is-named init-cmdline tether-init
expect init-orphan-reparented-to-pid-1 ppid 1
expect init-reaps-orphan orphan reaped
expect init-has-no-effective-capability "init CapEff" 0000000000000000
expect init-has-no-permitted-capability "init CapPrm" 0000000000000000
expect init-no-new-privs "init NoNewPrivs" 1
expect init-seccomp "init Seccomp" 2
grep -q got-term <<<"$OUT" && grep -q "container app exited with code 3" <<<"$ERR" &&
	pass init-forwards-sigterm-and-exits-with-the-command-status ||
	fail init-forwards-sigterm-and-exits-with-the-command-status "$OUT $ERR"

# Kernel behaviour the runs above do not already show ends here: the VM, where a run costs
# seconds, skips the rest.
[ -n "${TETHER_IN_VM:-}" ] && exit 0

# 4. drop ALL, add CHOWN: only CHOWN.
run_task dropall "" '"linuxParameters":{"capabilities":{"drop":["ALL"],"add":["CHOWN"]}},"command":["grep","^Cap","/proc/self/status"]'
expect drop-all-add-one CapEff 0000000000000001

run_task hostnet '"networkMode":"host"' '"command":["readlink","/proc/self/ns/net"]'
[ "$OUT" = "$(readlink /proc/self/ns/net)" ] && pass network-host || fail network-host "$OUT $ERR"

# Refused by tether task run as at registration, with the field named.
run_task refused "" '"linuxParameters":{"capabilities":{"add":["SYS_WIZARD"]}},"command":["true"]'
[ "$RC" != 0 ] && grep -q 'capabilities.add\[0\]: "SYS_WIZARD" is not a Linux capability' <<<"$ERR" &&
	pass unknown-capability-refused || fail unknown-capability-refused "rc=$RC $ERR"

# 5. The compiled seccomp filter is kept in the state folder (seccomp/KEY.bpf): the second
# start with the same capabilities loads that file (left as it was: same inode) and the calls
# stay refused; a file whose program was altered (the refusal turned into an allow, the hash
# not matching) is refused, built again and replaced. keyctl and personality(ADDR_NO_RANDOMIZE)
# are refused by the filter alone (the kernel would allow them to root without
# CAP_SYS_ADMIN), so a filter that let everything through would show.
STATE=$WORK/cache-state
CACHE_PROBES='"command":["syscall-probe","mount","unshare","keyctl","personality-norandom"]'
expect_refused() { # NAME
	local call
	for call in mount unshare keyctl personality-norandom; do
		expect "$1-$call-eperm" "$call" EPERM
	done
}
run_task cache-cold "" "$CACHE_PROBES"
cache_files=("$STATE"/seccomp/*.bpf)
if [ "${#cache_files[@]}" = 1 ] && [ -f "${cache_files[0]}" ]; then
	pass seccomp-cache-written
else
	fail seccomp-cache-written "$(ls -la "$STATE/seccomp" 2>&1)"
fi
cache=${cache_files[0]}
expect_refused seccomp-cache-cold
inode=$(stat -c %i "$cache" 2>/dev/null)
cp "$cache" "$WORK/cache.good" 2>/dev/null
run_task cache-warm "" "$CACHE_PROBES"
[ -n "$inode" ] && [ "$(stat -c %i "$cache" 2>/dev/null)" = "$inode" ] && pass seccomp-cache-used ||
	fail seccomp-cache-used "the file was replaced (inode $inode, now $(stat -c %i "$cache" 2>&1))"
expect_refused seccomp-cache-warm
# Every RET EPERM (code 0x06, k 0x00050001) made RET ALLOW (k 0x7fff0000), in place.
/usr/bin/python3 - "$cache" <<'PY'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, 'rb').read())
for off in range(32, len(data), 8):
    code, jt, jf, k = struct.unpack_from('<HBBI', data, off)
    if code == 0x06 and k == 0x00050001:
        struct.pack_into('<HBBI', data, off, code, jt, jf, 0x7fff0000)
open(path, 'r+b').write(data)
PY
cmp -s "$cache" "$WORK/cache.good" && fail seccomp-cache-tampered "python3 did not alter the file"
run_task cache-tampered "" "$CACHE_PROBES"
expect_refused seccomp-cache-tampered
cmp -s "$cache" "$WORK/cache.good" && pass seccomp-cache-tampered-file-replaced ||
	fail seccomp-cache-tampered-file-replaced "the file is not the one built"
grep -q "damaged" <<<"$ERR" && pass seccomp-cache-tampered-reported ||
	fail seccomp-cache-tampered-reported "no warning: $ERR"

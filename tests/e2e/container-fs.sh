#!/bin/bash
# The container's file system is as safe as Docker's defaults: masked and read-only kernel
# paths, a minimal /dev, generated name files, a read-only root on request, volumes writable
# only where readOnly is false, and mount points that never land outside the container's root
# whatever symlinks the image holds. Run on the host and, unchanged, in the VM
# (tests/vm/guest/isolation.sh).
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip container-fs "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi

STATE=$WORK/state
IMAGE=$WORK/image
# The hostile image: absolute and relative links out of the root, at the top and deeper down.
EXTRA_LINKS="data=/etc deep/er=../../../../etc" busybox_image "$IMAGE" ||
	{ fail container-fs-image "scripts/make-busybox-image.sh failed"; exit 0; }
image="oci:$IMAGE:latest"
limits=()
[ -n "${TETHER_IN_VM:-}" ] || limits=(--allow-no-limits)

# run_task NAME JSON: runs the definition in the foreground; sets OUT (both streams) and RC.
run_task() {
	printf '%s\n' "$2" >"$WORK/$1.json"
	"$BIN/tether" task run "$WORK/$1.json" --state-dir "$STATE" "${limits[@]}" >"$WORK/$1.log" 2>&1
	RC=$?
	OUT=$(cat "$WORK/$1.log")
}
has() { grep -qx -- "$2" <<<"$1"; } # has TEXT LINE: TEXT holds exactly LINE

# 1. Kernel views and /dev, name files: one container prints what it sees.
run_task kernel "{\"family\": \"fs\", \"containerDefinitions\": [{\"name\": \"app\", \"image\": \"$image\",
  \"hostname\": \"web-1\", \"dnsServers\": [\"10.0.0.2\"], \"dnsSearchDomains\": [\"corp.example\"],
  \"extraHosts\": [{\"hostname\": \"db\", \"ipAddress\": \"10.1.2.3\"}],
  \"command\": [\"sh\", \"-c\", \"echo kcore=\$(cat /proc/kcore 2>/dev/null | wc -c);
    echo keys=\$(cat /proc/keys 2>/dev/null | wc -c);
    echo kernel_mounts=\$(awk '\$5 ~ \\\"^/(proc|sys)/\\\" { print \$5 }' /proc/self/mountinfo | sort | tr '\\\\n' ' ');
    echo firmware=\$(ls -A /sys/firmware | wc -l);
    echo h 2>&1 >/proc/sysrq-trigger | sed 's/.*: /sysrq=/';
    awk '\$5 == \\\"/proc/sys\\\" || \$5 == \\\"/proc/sysrq-trigger\\\" { split(\$6, o, \\\",\\\"); print \$5 \\\"=\\\" o[1] }' /proc/self/mountinfo;
    echo dev=\$(ls -A /dev | sort | tr '\\\\n' ' ');
    echo shm=\$(df -k /dev/shm | awk 'NR == 2 { print \$2 }');
    echo hostname=\$(cat /etc/hostname);
    grep -E 'web-1|db|^127.0.0.1' /etc/hosts; grep -E '^(nameserver|search)' /etc/resolv.conf\"]}]}"
[ "$RC" = 0 ] && pass fs-kernel-task-runs || fail fs-kernel-task-runs "rc=$RC $(tail -n 5 <<<"$OUT")"
has "$OUT" kcore=0 && has "$OUT" keys=0 && pass masked-proc-files-read-empty ||
	fail masked-proc-files-read-empty "$(grep -E 'kcore|keys' <<<"$OUT")"
# Reading kcore fails for lack of CAP_SYS_RAWIO anyway: the mounts over it prove the mask.
masks=$(sed -n 's/^kernel_mounts=//p' <<<"$OUT")
missing=
for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/acpi /proc/scsi /sys/firmware; do
	[ -e "$p" ] && [[ " $masks " != *" $p "* ]] && missing="$missing $p"
done
[ -n "$masks" ] && [ -z "$missing" ] && pass kernel-paths-masked || fail kernel-paths-masked "not masked:$missing (mounts: $masks)"
has "$OUT" firmware=0 && pass sys-firmware-masked || fail sys-firmware-masked "$(grep firmware <<<"$OUT")"
if [ ! -e /proc/sysrq-trigger ]; then
	skip sysrq-trigger-read-only "this kernel has no /proc/sysrq-trigger"
else
	has "$OUT" "sysrq=Read-only file system" && has "$OUT" /proc/sysrq-trigger=ro &&
		pass sysrq-trigger-read-only || fail sysrq-trigger-read-only "$(grep sysrq <<<"$OUT")"
fi
has "$OUT" /proc/sys=ro && pass proc-sys-read-only || fail proc-sys-read-only "$(grep /proc/sys <<<"$OUT")"
has "$OUT" "dev=core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero" &&
	pass minimal-dev || fail minimal-dev "$(grep dev= <<<"$OUT")"
has "$OUT" shm=65536 && pass dev-shm-64-mib || fail dev-shm-64-mib "$(grep shm= <<<"$OUT")"
has "$OUT" hostname=web-1 && has "$OUT" "$(printf '127.0.1.1\tweb-1')" &&
	has "$OUT" "$(printf '10.1.2.3\tdb')" && has "$OUT" "$(printf '127.0.0.1\tlocalhost')" &&
	pass generated-etc-hosts || fail generated-etc-hosts "$OUT"
has "$OUT" "nameserver 10.0.0.2" && has "$OUT" "search corp.example" &&
	[ "$(grep -c nameserver <<<"$OUT")" = 1 ] && pass generated-resolv-conf || fail generated-resolv-conf "$OUT"

# 2. Read-only root, volumes, and mount points through the image's links out of the root.
mkdir -p "$WORK/rw" "$WORK/ro" "$WORK/escape"
echo inside >"$WORK/escape/marker"
echo setting=1 >"$WORK/app.conf"
etc_before=$(ls -la --time-style=full-iso /etc | sha256sum)
run_task volumes "{\"family\": \"fs\", \"volumes\": [
    {\"name\": \"rw\", \"host\": {\"sourcePath\": \"$WORK/rw\"}},
    {\"name\": \"ro\", \"host\": {\"sourcePath\": \"$WORK/ro\"}},
    {\"name\": \"escape\", \"host\": {\"sourcePath\": \"$WORK/escape\"}},
    {\"name\": \"conf\", \"host\": {\"sourcePath\": \"$WORK/app.conf\"}}],
  \"containerDefinitions\": [{\"name\": \"app\", \"image\": \"$image\", \"readonlyRootFilesystem\": true,
  \"mountPoints\": [{\"sourceVolume\": \"rw\", \"containerPath\": \"/rw\"},
    {\"sourceVolume\": \"conf\", \"containerPath\": \"/etc/app/app.conf\", \"readOnly\": true},
    {\"sourceVolume\": \"ro\", \"containerPath\": \"/ro\", \"readOnly\": true},
    {\"sourceVolume\": \"escape\", \"containerPath\": \"/data/tether-escape-abs\"},
    {\"sourceVolume\": \"escape\", \"containerPath\": \"/deep/er/tether-escape-rel\"}],
  \"linuxParameters\": {\"sharedMemorySize\": 32, \"tmpfs\": [
    {\"containerPath\": \"/scratch\", \"size\": 8, \"mountOptions\": [\"mode=1777\"]},
    {\"containerPath\": \"/rw/frozen\", \"size\": 1, \"mountOptions\": [\"ro\"]}]},
  \"command\": [\"sh\", \"-c\", \"touch /newfile 2>&1 | sed 's/.*: /root=/';
    touch /rw/written && echo rw=ok; touch /ro/written 2>&1 | sed 's/.*: /ro=/';
    touch /dev/shm/x && echo shm=ok;
    echo conf=\$(cat /etc/app/app.conf);
    touch /scratch/x && echo tmpfs=ok; touch /rw/frozen/x 2>&1 | sed 's/.*: /frozen=/';
    echo sizes=\$(df -k /scratch /dev/shm | awk 'NR > 1 { print \$2 }' | tr '\\\\n' ' ');
    awk '\$5 == \\\"/scratch\\\" { print \\\"scratch_opts=\\\" \$6 }' /proc/self/mountinfo;
    echo abs=\$(cat /etc/tether-escape-abs/marker) rel=\$(cat /etc/tether-escape-rel/marker)\"]}]}"
[ "$RC" = 0 ] && pass fs-volumes-task-runs || fail fs-volumes-task-runs "rc=$RC $(tail -n 5 <<<"$OUT")"
has "$OUT" "root=Read-only file system" && pass readonly-root-refuses-writes ||
	fail readonly-root-refuses-writes "$(grep root= <<<"$OUT")"
has "$OUT" rw=ok && [ -e "$WORK/rw/written" ] && pass volume-writable || fail volume-writable "$OUT"
has "$OUT" "ro=Read-only file system" && [ ! -e "$WORK/ro/written" ] && pass volume-read-only ||
	fail volume-read-only "$(grep ro= <<<"$OUT")"
has "$OUT" conf=setting=1 && pass file-volume || fail file-volume "$(grep conf= <<<"$OUT")"
has "$OUT" tmpfs=ok && has "$OUT" "frozen=Read-only file system" && pass tmpfs-mounts ||
	fail tmpfs-mounts "$(grep -E 'tmpfs=|frozen=' <<<"$OUT")"
has "$OUT" "sizes=8192 32768" && pass tmpfs-and-shm-sizes || fail tmpfs-and-shm-sizes "$(grep sizes= <<<"$OUT")"
grep -q '^scratch_opts=rw,nosuid,nodev,noexec' <<<"$OUT" && pass tmpfs-nosuid-nodev-noexec ||
	fail tmpfs-nosuid-nodev-noexec "$(grep scratch_opts <<<"$OUT")"
has "$OUT" shm=ok && pass dev-shm-writable-on-readonly-root || fail dev-shm-writable-on-readonly-root "$OUT"
has "$OUT" "abs=inside rel=inside" && pass symlinked-mount-points-land-inside-the-root ||
	fail symlinked-mount-points-land-inside-the-root "$OUT"
[ ! -e /etc/tether-escape-abs ] && [ ! -e /etc/tether-escape-rel ] &&
	[ "$(ls -la --time-style=full-iso /etc | sha256sum)" = "$etc_before" ] &&
	pass host-etc-unchanged || fail host-etc-unchanged "$(ls -d /etc/tether-escape-* 2>&1)"

# 3. A task-scoped volume shared by two containers; volumesFrom with readOnly.
run_task shared "{\"family\": \"fs\", \"volumes\": [{\"name\": \"scratch\"}],
  \"containerDefinitions\": [
  {\"name\": \"writer\", \"image\": \"$image\", \"essential\": false,
   \"mountPoints\": [{\"sourceVolume\": \"scratch\", \"containerPath\": \"/scratch\"}],
   \"command\": [\"sh\", \"-c\", \"echo shared >/scratch/f\"]},
  {\"name\": \"reader\", \"image\": \"$image\", \"volumesFrom\": [{\"sourceContainer\": \"writer\", \"readOnly\": true}],
   \"command\": [\"sh\", \"-c\", \"for i in \$(seq 100); do [ -s /scratch/f ] && break; sleep 0.1; done;
     echo got=\$(cat /scratch/f); touch /scratch/g 2>&1 | sed 's/.*: /from=/'\"]}]}"
has "$OUT" got=shared && pass task-volume-shared || fail task-volume-shared "rc=$RC $OUT"
has "$OUT" "from=Read-only file system" && pass volumes-from-read-only || fail volumes-from-read-only "$OUT"
[ -z "$(ls -A "$STATE/tasks" 2>/dev/null)" ] && pass task-volume-removed-with-the-task ||
	fail task-volume-removed-with-the-task "$(ls -R "$STATE/tasks")"

# 4. Refused before anything runs, with the field named.
run_task relative "{\"family\": \"fs\", \"volumes\": [{\"name\": \"v\"}], \"containerDefinitions\": [
  {\"name\": \"app\", \"image\": \"$image\", \"mountPoints\": [{\"sourceVolume\": \"v\", \"containerPath\": \"../etc\"}]}]}"
[ "$RC" = 125 ] && grep -q 'mountPoints\[0\].containerPath: "../etc" must be an absolute path' <<<"$OUT" &&
	pass relative-container-path-refused || fail relative-container-path-refused "rc=$RC $OUT"

# 5. The runtime holds even when given what registration refuses: a config.json written
# straight for tether-monitor with ".." in a destination still mounts inside the root.
dotdot() {
	local dir=$WORK/mon layer=$WORK/mon-layer manifest
	mkdir -p "$dir" "$layer"
	manifest=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$IMAGE/index.json")
	tar -C "$layer" -xzf "$IMAGE/blobs/sha256/$(jq -r '.layers[0].digest | sub("sha256:"; "")' "$IMAGE/blobs/sha256/$manifest")"
	jq -n --arg layer "$layer" --arg src "$WORK/escape" --arg cg "tether/e2e-fs-$$/app" '{
		args: ["sh", "-c", "cat /etc/tether-escape-dotdot/marker"], env: ["PATH=/bin"],
		cwd: "/", user: null, hostname: "mon", layers: [$layer], cgroup: $cg,
		stop_timeout: 1, inherit_output: false,
		mounts: [{source: $src, destination: "/../../../../etc/tether-escape-dotdot", read_only: true}]}' \
		>"$dir/config.json"
	"$BIN/tether-monitor" "$dir" >"$WORK/mon.log" 2>&1
	local rc=$? rec
	rec=$(jq -c . "$dir/exit.json" 2>&1)
	[ "$rc" = 0 ] && [ "$rec" = '{"exit_code":0,"signal":0,"oom":false,"error":null}' ] &&
		[ "$(jq -r .log "$dir/container.log")" = inside ] && [ ! -e /etc/tether-escape-dotdot ] &&
		pass dotdot-destination-lands-inside-the-root ||
		fail dotdot-destination-lands-inside-the-root "rc=$rc $rec $(cat "$dir/container.log" "$WORK/mon.log")"
	rmdir "$CG_MOUNT/tether/e2e-fs-$$" 2>/dev/null
}
# 6. The hub refuses hostile definitions at registration with the field named, and keeps
# serving (the aws CLI's calls take ~20 s each under emulation: host only).
hub_refusals() {
	start_hub || { fail hub-starts "see hub.log"; return; }
	local name def want out
	while IFS='|' read -r name want def; do
		if out=$(awsx ecs register-task-definition --cli-input-json "$def" 2>&1); then
			fail "$name" "registered: $out"
		elif ! grep -qF -- "$want" <<<"$out"; then
			fail "$name" "wanted $want, got: $(tr '\n' ' ' <<<"$out")"
		else
			pass "$name"
		fi
	done <<'DEFS'
hub-refuses-dotdot-container-path|mountPoints[0].containerPath: "/data/../../etc" must be an absolute path|{"family": "x", "volumes": [{"name": "v"}], "containerDefinitions": [{"name": "a", "image": "i", "mountPoints": [{"sourceVolume": "v", "containerPath": "/data/../../etc"}]}]}
hub-refuses-relative-source-path|volumes[0].host.sourcePath: "etc" must be an absolute path|{"family": "x", "volumes": [{"name": "v", "host": {"sourcePath": "etc"}}], "containerDefinitions": [{"name": "a", "image": "i"}]}
hub-refuses-volume-drivers|volumes[0].efsVolumeConfiguration: field not supported by tether|{"family": "x", "volumes": [{"name": "v", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}], "containerDefinitions": [{"name": "a", "image": "i"}]}
hub-refuses-unknown-volume|mountPoints[0].sourceVolume: no volume named "nope"|{"family": "x", "containerDefinitions": [{"name": "a", "image": "i", "mountPoints": [{"sourceVolume": "nope", "containerPath": "/x"}]}]}
DEFS
	out=$(awsx ecs register-task-definition --cli-input-json '{"family": "x", "volumes": [{"name": "v", "host": {"sourcePath": "/srv/v"}}, {"name": "t"}],
		"containerDefinitions": [{"name": "a", "image": "i", "readonlyRootFilesystem": true, "dnsServers": ["10.0.0.2"],
		"dnsSearchDomains": ["corp.example"], "extraHosts": [{"hostname": "db", "ipAddress": "10.1.2.3"}],
		"mountPoints": [{"sourceVolume": "v", "containerPath": "/v", "readOnly": true}, {"sourceVolume": "t", "containerPath": "/t"}]},
		{"name": "b", "image": "i", "essential": false, "volumesFrom": [{"sourceContainer": "a", "readOnly": true}]}]}' 2>&1)
	[ "$(jq -r .taskDefinition.revision <<<"$out" 2>/dev/null)" = 1 ] && pass hub-registers-storage-fields ||
		fail hub-registers-storage-fields "$(tail -n 3 <<<"$out")"
}
[ -n "${TETHER_IN_VM:-}" ] || hub_refusals

CG_MOUNT=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
dotdot
exit 0

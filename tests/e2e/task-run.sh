#!/bin/bash
# `tether task run`: containers started by tether-monitor in their own namespaces and cgroup,
# from an OCI image layout, with exit codes, signals and clean-up as `docker run` has them.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip task-run "needs root (namespaces, overlayfs, cgroups)"
	exit 0
fi

STATE=$WORK/state
IMAGE=$WORK/image
CG_MOUNT=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)

busybox_image "$IMAGE" || { fail task-run-image "scripts/make-busybox-image.sh failed"; exit 0; }
manifest=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$IMAGE/index.json")
image_config=$(jq -r '.config.digest | sub("sha256:"; "")' "$IMAGE/blobs/sha256/$manifest")
IMAGE_PATH=$(jq -r '.config.Env[] | select(startswith("PATH=")) | sub("PATH="; "")' "$IMAGE/blobs/sha256/$image_config")
# What / must hold: the layers' top-level names, and the mount points the runtime adds.
IMAGE_TOP=$(for l in $(jq -r '.layers[].digest | sub("sha256:"; "")' "$IMAGE/blobs/sha256/$manifest"); do
	tar -tzf "$IMAGE/blobs/sha256/$l"; done | sed -e 's|^\./||' -e 's|/.*||' | grep . |
	{ cat; printf 'dev\nproc\nsys\n'; } | sort -u | tr '\n' ' ')

# taskdef FILE CONTAINER_JSON_FIELDS: a one-container definition using the test image.
taskdef() {
	printf '{"family":"e2e","requiresCompatibilities":["EXTERNAL"],"containerDefinitions":[{"name":"app","image":"oci:%s:latest","essential":true,%s}]}\n' \
		"$IMAGE" "$2" >"$1"
}

# run_task NAME FIELDS: runs it in the foreground; sets OUT (stdout), ERR (stderr), RC.
run_task() {
	taskdef "$WORK/$1.json" "$2"
	"$BIN/tether" task run "$WORK/$1.json" --state-dir "$STATE" --allow-no-limits \
		>"$WORK/$1.out" 2>"$WORK/$1.log"
	RC=$?
	OUT=$(cat "$WORK/$1.out")
	ERR=$(cat "$WORK/$1.log")
}

# task_id NAME: the id `tether task run` said on stderr ("running as task ID").
task_id() {
	sed -n 's/^tether: running as task \([0-9a-f]*\)$/\1/p' "$WORK/$1.log"
}

# Nothing of a finished task may stay behind: no mount below the state folder, no cgroup of
# the task (found by the id it said: other tasks may run on this host meanwhile).
check_clean() {
	local name=$1 mounts id
	mounts=$(grep -c " $STATE" /proc/self/mounts)
	id=$(task_id "$name")
	if [ -n "$id" ] && [ "$mounts" = 0 ] && [ ! -e "$CG_MOUNT/tether/$id" ]; then
		pass "$name-leaves-nothing"
	else
		fail "$name-leaves-nothing" "task id '$id', $mounts mounts, cgroup: $(ls -d "$CG_MOUNT/tether/$id" 2>&1)"
	fi
}

run_task exit '"command":["sh","-c","exit 3"]'
[ "$RC" = 3 ] && pass exit-code-propagated || fail exit-code-propagated "rc=$RC $ERR"
check_clean exit

(cd "$WORK" && "$BIN/tether" task run "$WORK/exit.json" --state-dir relative-state --allow-no-limits >/dev/null 2>"$WORK/rel.log")
rc=$?
[ "$rc" = 3 ] && pass relative-state-dir || fail relative-state-dir "rc=$rc $(cat "$WORK/rel.log")"

run_task pid1 '"command":["sh","-c","echo $$; ps | wc -l"]'
first=$(sed -n 1p <<<"$OUT") procs=$(sed -n 2p <<<"$OUT")
[ "$RC" = 0 ] && [ "$first" = 1 ] && pass pid-1-is-the-task || fail pid-1-is-the-task "rc=$RC out=$OUT $ERR"
# ps prints its header, sh, ps and wc at most.
[ "${procs:-99}" -le 4 ] && pass own-pid-namespace || fail own-pid-namespace "ps lists $procs lines"

run_task host '"command":["hostname"]'
[ "$RC" = 0 ] && [ -n "$OUT" ] && [ "$OUT" != "$(hostname)" ] && [ ${#OUT} = 12 ] &&
	pass own-hostname || fail own-hostname "rc=$RC container=$OUT host=$(hostname)"

run_task named '"command":["hostname"],"hostname":"web-1"'
[ "$OUT" = web-1 ] && pass hostname-from-definition || fail hostname-from-definition "$OUT $ERR"

touch "$WORK/host-marker"
run_task root "\"command\":[\"sh\",\"-c\",\"test ! -e $WORK/host-marker && ls /\"]"
[ "$RC" = 0 ] && [ "$(echo $OUT) " = "$IMAGE_TOP" ] &&
	pass root-is-the-image || fail root-is-the-image "rc=$RC ls /: $(echo $OUT), image: $IMAGE_TOP $ERR"
check_clean root

run_task env '"command":["sh","-c","echo $PATH $ADDED; pwd; id"],"environment":[{"name":"ADDED","value":"new"}],"workingDirectory":"/tmp","user":"65534:65534"'
[ "$(sed -n 1p <<<"$OUT")" = "$IMAGE_PATH new" ] && pass environment || fail environment "$OUT (image PATH $IMAGE_PATH) $ERR"
[ "$(sed -n 2p <<<"$OUT")" = /tmp ] && pass working-directory || fail working-directory "$OUT"
case "$(sed -n 3p <<<"$OUT")" in
uid=65534*gid=65534*) pass user ;;
*) fail user "$OUT" ;;
esac

run_task envover '"command":["sh","-c","echo $PATH"],"environment":[{"name":"PATH","value":"/bin"}]'
[ "$OUT" = /bin ] && pass environment-overrides-image || fail environment-overrides-image "$OUT $ERR"

run_task byname '"command":["id","-un"],"user":"nobody"'
[ "$OUT" = nobody ] && pass user-by-name || fail user-by-name "$OUT $ERR"

# Docker's default capability set for root, none for other users, and no_new_privs.
run_task caps '"command":["sh","-c","grep -E \"^(CapEff|CapBnd|NoNewPrivs)\" /proc/self/status | tr -d \"\\t\""]'
[ "$(echo $OUT)" = "CapEff:00000000a80425fb CapBnd:00000000a80425fb NoNewPrivs:1" ] &&
	pass default-capabilities || fail default-capabilities "$(echo $OUT) $ERR"
run_task seccomp '"command":["grep","^Seccomp:","/proc/self/status"]'
[ "$(echo $OUT)" = "Seccomp: 2" ] && pass seccomp-filter || fail seccomp-filter "$OUT $ERR"
run_task usercaps '"command":["grep","CapEff","/proc/self/status"],"user":"65534"'
grep -q "0000000000000000" <<<"$OUT" && pass non-root-has-no-capabilities ||
	fail non-root-has-no-capabilities "$OUT $ERR"

run_task entry '"entryPoint":["/bin/echo","from-entry"],"command":["and-command"]'
[ "$OUT" = "from-entry and-command" ] && pass entrypoint-and-command || fail entrypoint-and-command "$OUT $ERR"

run_task nosuch '"command":["/bin/nosuch"]'
[ "$RC" = 125 ] && grep -q "exec /bin/nosuch: No such file or directory" <<<"$ERR" &&
	pass missing-command-is-125 || fail missing-command-is-125 "rc=$RC stderr=$ERR"
check_clean nosuch

taskdef "$WORK/quiet.json" '"command":["true"]'
"$BIN/tether" task run "$WORK/quiet.json" --state-dir "$STATE" --allow-no-limits --quiet \
	>/dev/null 2>"$WORK/quiet.log"
rc=$?
[ "$rc" = 0 ] && [ ! -s "$WORK/quiet.log" ] && [ -n "$(task_id nosuch)" ] &&
	pass task-id-said-unless-quiet || fail task-id-said-unless-quiet "rc=$rc $(cat "$WORK/quiet.log")"

taskdef "$WORK/comma.json" '"command":["true"]'
err=$("$BIN/tether" task run "$WORK/comma.json" --state-dir "$WORK/st,ate" --allow-no-limits 2>&1)
rc=$?
[ "$rc" = 125 ] && grep -q "cannot use a path with" <<<"$err" &&
	pass overlay-unsafe-path-refused || fail overlay-unsafe-path-refused "rc=$rc $err"

run_task nouser '"command":["true"],"user":"nosuchuser"'
[ "$RC" = 125 ] && grep -q "unable to find user nosuchuser" <<<"$ERR" &&
	pass unknown-user-is-125 || fail unknown-user-is-125 "rc=$RC stderr=$ERR"

# start_bg NAME FIELDS: runs a task in the background; sets PID.
start_bg() {
	taskdef "$WORK/$1.json" "$2"
	"$BIN/tether" task run "$WORK/$1.json" --state-dir "$STATE" --allow-no-limits \
		>"$WORK/$1.out" 2>"$WORK/$1.log" &
	PID=$!
	STARTED_PIDS+=("$PID")
	wait_until 20 grep -q started "$WORK/$1.out"
}

in_own_cgroup() { # the container's sleep is listed in tether/<task>/app/cgroup.procs
	local pid
	for pid in $(cat "$CG_MOUNT/tether/$(task_id cgroup)/app/cgroup.procs" 2>/dev/null); do
		grep -q "sleep" "/proc/$pid/cmdline" 2>/dev/null && return 0
	done
	return 1
}

start_bg cgroup '"command":["sh","-c","trap \"exit 0\" TERM; echo started; sleep 1000 & wait"]'
wait_until 10 in_own_cgroup && pass runs-in-own-cgroup ||
	fail runs-in-own-cgroup "not in $CG_MOUNT/tether/$(task_id cgroup)/app"
t0=$(date +%s%N)
stop_pid "$PID" TERM
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 1500 ] && pass sigterm-stops-at-once || fail sigterm-stops-at-once "took ${ms} ms"
check_clean cgroup

start_bg stubborn '"command":["sh","-c","trap \"\" TERM; echo started; sleep 1000"],"stopTimeout":2'
t0=$(date +%s%N)
stop_pid "$PID" INT
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 1900 ] && [ "$ms" -lt 5000 ] && pass sigint-kills-after-stop-timeout ||
	fail sigint-kills-after-stop-timeout "took ${ms} ms, expected about 2000"
check_clean stubborn
# Two containers: the essential one exits 5, the other (TERM handler) is stopped at once.
cat >"$WORK/pair.json" <<JSON
{"family":"e2e","containerDefinitions":[
 {"name":"side","image":"oci:$IMAGE:latest","essential":false,
  "command":["sh","-c","trap 'echo side-got-term; exit 0' TERM; sleep 1000 & wait"],"stopTimeout":10},
 {"name":"main","image":"oci:$IMAGE:latest","command":["sh","-c","sleep 0.5; exit 5"]}]}
JSON
t0=$(date +%s%N)
"$BIN/tether" task run "$WORK/pair.json" --state-dir "$STATE" --allow-no-limits >"$WORK/pair.out" 2>"$WORK/pair.log"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$rc" = 5 ] && [ "$ms" -lt 5000 ] && grep -q side-got-term "$WORK/pair.out" &&
	pass essential-exit-stops-the-others || fail essential-exit-stops-the-others "rc=$rc ${ms} ms $(cat "$WORK/pair.out" "$WORK/pair.log")"
check_clean pair

# tether-monitor on its own, as the daemon runs it: container.log, pid and exit.json records.
monitor_records() {
	local dir=$WORK/mon layer=$WORK/mon-layer
	mkdir -p "$dir" "$layer"
	tar -C "$layer" -xzf "$IMAGE/blobs/sha256/$(jq -r '.layers[0].digest | sub("sha256:"; "")' "$IMAGE/blobs/sha256/$manifest")"
	local cg="tether/e2e-monitor-$$/app"
	jq -n --arg layer "$layer" --arg cg "$cg" '{args: ["sh", "-c", "echo to-log; echo err-to-log >&2; exec sleep 1000"],
		env: ["PATH=/bin"], cwd: "/", user: null, hostname: "mon", layers: [$layer],
		cgroup: $cg, stop_timeout: 1, inherit_output: false,
		log: {driver: "json-file", max_size: 1048576, max_file: 2, tag: "app",
		      task_arn: "arn:aws:ecs:local:0:task/e2e/mon", container_name: "app"}}' >"$dir/config.json"
	"$BIN/tether-monitor" "$dir" &
	local mpid=$!
	STARTED_PIDS+=("$mpid")
	wait_until 10 test -s "$dir/pid" || { fail monitor-records "no pid file"; return; }
	wait_until 5 grep -q err-to-log "$dir/container.log"
	local cpid
	cpid=$(cat "$dir/pid")
	grep -q sleep "/proc/$cpid/cmdline" && grep -qx "$cpid" "$CG_MOUNT/$cg/cgroup.procs" &&
		pass monitor-pid-file || fail monitor-pid-file "pid $cpid: $(cat /proc/$cpid/cmdline 2>&1)"
	kill -KILL "$cpid"
	stop_pid "$mpid" 0
	wait_until 10 test -s "$dir/exit.json"
	local rec
	rec=$(jq -c . "$dir/exit.json" 2>&1)
	[ "$rec" = '{"exit_code":137,"signal":9,"oom":false,"error":null}' ] &&
		pass monitor-exit-record || fail monitor-exit-record "$rec"
	[ "$(jq -r '.stream + " " + .log' "$dir/container.log")" = "$(printf 'stdout to-log\n\nstderr err-to-log')" ] &&
		pass monitor-output-log || fail monitor-output-log "$(cat "$dir/container.log")"
	[ ! -d "$CG_MOUNT/$cg" ] && pass monitor-removes-cgroup || fail monitor-removes-cgroup "$CG_MOUNT/$cg left"

	# SIGTERM to the monitor alone (agent gone): forwarded, then the cgroup is killed after
	# stop_timeout (1 s) since the container ignores it.
	rm -f "$dir/pid" "$dir/exit.json"
	jq '.args = ["sh", "-c", "trap \"\" TERM; sleep 1000"]' "$dir/config.json" >"$dir/c" && mv "$dir/c" "$dir/config.json"
	"$BIN/tether-monitor" "$dir" &
	mpid=$!
	STARTED_PIDS+=("$mpid")
	wait_until 10 test -s "$dir/pid"
	sleep 0.2
	local t0 ms
	t0=$(date +%s%N)
	kill -TERM "$mpid"
	wait_until 10 test -s "$dir/exit.json"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	stop_pid "$mpid" 0
	rec=$(jq -c . "$dir/exit.json" 2>&1)
	[ "$rec" = '{"exit_code":137,"signal":9,"oom":false,"error":null}' ] && [ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ] &&
		pass monitor-kills-after-stop-timeout || fail monitor-kills-after-stop-timeout "$rec after ${ms} ms"
	rmdir "$CG_MOUNT/tether/e2e-monitor-$$" 2>/dev/null
}
monitor_records
exit 0

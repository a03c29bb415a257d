#!/bin/bash
# What the paths that run all the time map: the connected daemon and `tether task run` of an
# image already in the store load neither libcurl, libarchive nor libsystemd (nor what those
# bring), while registration (libcurl) and the first import of an image (libarchive) still
# open theirs at first use.
source "$(dirname "$0")/../lib.sh"

# Libraries of libcurl's, libarchive's and libsystemd's trees that nothing else here needs
# (libstdc++ is not among them: the sanitizers' runtime brings it to test builds).
HEAVY='lib(curl|archive|systemd|gnutls|krb5|ldap|ssh2|nghttp2|icuuc|xml2|gcrypt|lzma|zstd|lz4)\.so'
maps_are_lean() { # PID: no heavy library mapped
	local found
	found=$(grep -oE "/[^ ]*($HEAVY)[^ ]*" "/proc/$1/maps" | sort -u)
	[ -z "$found" ] || { echo "mapped: $found"; return 1; }
}
maps_have() { grep -qE "$2" "/proc/$1/maps"; }

start_hub || { fail hub_starts "see hub.log"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image "scripts/make-busybox-image.sh failed"; exit 1; }
make_activation --registration-limit 1 || { fail create_activation; exit 1; }
NODE=$WORK/node
check register_opens_libcurl_at_first_use "$BIN/tether" register --hub "$HUB_URL" \
	--cluster default --activation-id "$ACT_ID" --activation-code "$ACT_CODE" --state-dir "$NODE"
check tether_does_not_link_them bash -c "! readelf -d '$BIN/tether' | grep -E 'NEEDED.*($HEAVY)'"

start_agent "$NODE"
check agent_connects wait_until 30 instance_connected
check connected_daemon_maps_none_of_them maps_are_lean "$AGENT_PID"

if [ "$(id -u)" != 0 ]; then
	skip task_run_maps "needs root (namespaces, overlayfs)"
	exit 0
fi
taskdef() { # FILE COMMAND-JSON
	printf '{"family":"lean","containerDefinitions":[{"name":"app","image":"oci:%s:latest","command":%s}]}\n' \
		"$WORK/image" "$2" >"$1"
}
taskdef "$WORK/true.json" '["/bin/true"]'
taskdef "$WORK/sleep.json" '["sleep", "3"]'
STATE=$WORK/local
# The first run imports the image: libarchive is opened then, and the run succeeds.
check first_run_imports_the_image "$BIN/tether" task run "$WORK/true.json" --state-dir "$STATE" \
	--allow-no-limits
"$BIN/tether" task run "$WORK/sleep.json" --state-dir "$STATE" --allow-no-limits \
	>"$WORK/sleep.out" 2>&1 &
runner=$!
STARTED_PIDS+=("$runner")
check task_run_starts_its_container wait_until 20 \
	bash -c "ls '$STATE'/tasks/*/app/pid >/dev/null 2>&1"
check task_run_of_an_imported_image_maps_none_of_them maps_are_lean "$runner"
check task_run_still_maps_what_it_uses maps_have "$runner" 'libcjson\.so'
wait "$runner"
check task_run_ends_with_the_containers_status test $? = 0

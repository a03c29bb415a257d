#!/bin/bash
# `make install DESTDIR=` (packaging/install-files.sh, which the package builds use too) lays
# tether out as the packages do, into a tree of the test's own: the three programs, the units,
# the conf file, the man pages, and an installed tether that finds its monitor beside it.
source "$(dirname "$0")/../lib.sh"

dest=$WORK/root
check install-runs "$TOP/packaging/install-files.sh" "$dest" "$BIN"
for program in tether tether-monitor tether-hub; do
	check "installed-$program-executable" test -x "$dest/usr/bin/$program"
	check "installed-$program-is-the-build" cmp -s "$BIN/$program" "$dest/usr/bin/$program"
done
check installed-unit cmp -s "$TOP/systemd/tether.service" "$dest/lib/systemd/system/tether.service"
check installed-conf cmp -s "$TOP/systemd/tether.conf" "$dest/etc/tether/tether.conf"
echo "TETHER_PIDS_MAX=7" >"$dest/etc/tether/tether.conf"
check reinstall-keeps-the-conf bash -c '"$1" "$2" "$3" && grep -qx TETHER_PIDS_MAX=7 "$2/etc/tether/tether.conf"' _ \
	"$TOP/packaging/install-files.sh" "$dest" "$BIN"
check installed-unit-not-executable test "$(stat -c %a "$dest/lib/systemd/system/tether.service")" = 644
check installed-hub-unit cmp -s "$TOP/systemd/tether-hub.service" "$dest/lib/systemd/system/tether-hub.service"
for page in tether tether-monitor tether-hub; do
	check "installed-man-page-$page" test -s "$dest/usr/share/man/man8/$page.8"
done
check installed-unit-runs-the-installed-path grep -qx 'ExecStart=/usr/bin/tether run' \
	"$dest/lib/systemd/system/tether.service"
check install-refuses-a-missing-build bash -c '! "$1" "$2" "$3" 2>/dev/null' _ \
	"$TOP/packaging/install-files.sh" "$WORK/other" "$WORK/nothing-built"

# The installed agent runs a task with the monitor it finds beside itself.
if [ "$(id -u)" = 0 ]; then
	busybox_image "$WORK/image"
	printf '{"family":"i","containerDefinitions":[{"name":"app","image":"oci:%s:latest","command":["echo","installed"]}]}\n' \
		"$WORK/image" >"$WORK/task.json"
	limits=()
	[ -n "${TETHER_IN_VM:-}" ] || limits=(--allow-no-limits)
	out=$("$dest/usr/bin/tether" task run "$WORK/task.json" --state-dir "$WORK/state" "${limits[@]}" 2>&1)
	check installed-tether-finds-its-monitor grep -qx installed <<<"$out"
else
	skip installed-tether-finds-its-monitor "needs root (namespaces, cgroups)"
fi

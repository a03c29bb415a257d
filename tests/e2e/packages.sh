#!/bin/bash
# The packages: `make deb` and `make rpm` build, lintian finds nothing (beyond the overrides in
# packaging/debian), each package holds exactly the files expected, the conf file is a
# conffile, the dependencies name the libraries the programs open with dlopen, and the
# programs say the package's version. Also builds the same packages at a higher version, for
# the upgrade in tests/vm/systemd/join.sh: both sets are left in build/packages/ (current/ and
# next/), which the systemd VM stage (after this one) installs in the guest.
source "$(dirname "$0")/../lib.sh"

# Built into a folder of their own and put in place at the end, so that build/packages never
# holds half a set.
out=$TOP/build/packages.new
version=$(make -s -C "$TOP" --no-print-directory print-version)
next=$version+1
rm -rf "$out"
mkdir -p "$out/current" "$out/next"

# The higher version first: make deb removes the packages of the build before it, and the
# current version's are the ones to leave there. The second build compiles only what the
# version changes (make deb keeps its build folder).
check deb-builds-at-a-higher-version make -s -C "$TOP" deb VERSION="$next"
cp "$TOP"/build/deb/tether_"$next"_*.deb "$TOP"/build/deb/tether-hub_"$next"_*.deb "$out/next/" 2>/dev/null
check deb-builds make -s -C "$TOP" deb
cp "$TOP"/build/deb/tether_"$version"_*.deb "$TOP"/build/deb/tether-hub_"$version"_*.deb "$out/current/" 2>/dev/null
for d in current next; do
	mv "$out/$d"/tether_*.deb "$out/$d/tether.deb" 2>/dev/null
	mv "$out/$d"/tether-hub_*.deb "$out/$d/tether-hub.deb" 2>/dev/null
done
deb=$out/current/tether.deb hub_deb=$out/current/tether-hub.deb

# lintian at every severity, informational tags included; overridden tags are not shown.
lintian_tags() {
	local tags
	tags=$(lintian -I --pedantic "$TOP"/build/deb/tether_"$version"_*.changes 2>&1 |
		grep -E '^[EWIPX]: ')
	[ -z "$tags" ] || { echo "$tags"; return 1; }
}
check lintian-finds-nothing lintian_tags
check lintian-overrides-say-why bash -c 'for f in "$1"/*.lintian-overrides; do
	grep -q "^#" "$f" || { echo "$f has no comment"; exit 1; }; done' _ "$TOP/packaging/debian"

# files_of LIST: the file paths of a package listing (dpkg -c lines or rpm -qlp), sorted,
# without directories.
deb_files() { dpkg -c "$1" | grep -v '^d' | awk '{print $6}' | sed 's|^\./|/|' | sort; }
expect_files() { # NAME ACTUAL_COMMAND... <<< expected list
	local want have
	want=$(sort)
	local name=$1
	shift
	have=$("$@")
	if [ "$have" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "$(diff <(echo "$want") <(echo "$have") | grep '^[<>]' | tr '\n' ' ')"
	fi
}
expect_files deb-tether-files deb_files "$deb" <<'EOF'
/etc/tether/tether.conf
/lib/systemd/system/tether.service
/usr/bin/tether
/usr/bin/tether-monitor
/usr/share/doc/tether/changelog.gz
/usr/share/doc/tether/copyright
/usr/share/lintian/overrides/tether
/usr/share/man/man8/tether-monitor.8.gz
/usr/share/man/man8/tether.8.gz
EOF
expect_files deb-tether-hub-files deb_files "$hub_deb" <<'EOF'
/lib/systemd/system/tether-hub.service
/usr/bin/tether-hub
/usr/share/doc/tether-hub/changelog.gz
/usr/share/doc/tether-hub/copyright
/usr/share/lintian/overrides/tether-hub
/usr/share/man/man8/tether-hub.8.gz
EOF
check deb-conffile test "$(dpkg-deb -I "$deb" conffiles)" = /etc/tether/tether.conf
check deb-hub-has-no-conffile bash -c '! dpkg-deb -I "$1" conffiles 2>/dev/null' _ "$hub_deb"

# Depends: what the programs link (shlibs) and what they open with dlopen.
depends_has() { # DEB PACKAGE
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$2"
}
for lib in libcurl4 libarchive13 libsystemd0 libwebsockets17 libsqlite3-0; do
	check "deb-tether-depends-$lib" depends_has "$deb" "$lib"
done
check deb-tether-hub-depends-libwebsockets-evlib-ev depends_has "$hub_deb" libwebsockets-evlib-ev
# Every soname passed to dlopen in the sources is covered by a named dependency.
for soname in $(grep -rhoE 'DL_LIBRARY_DEFINE\([a-z_]+, [A-Z_]+, "[^"]+", "[^"]+"' "$TOP" \
	--include='*.c' --exclude-dir=build | sed -E 's/.*"([^"]+)", "([^"]+)"/\1=\2/'); do
	check "deb-depends-on-dlopened-${soname%%=*}" depends_has "$deb" "${soname#*=}"
done

# The units: the package's postinst enables tether.service (it stays skipped until the node is
# registered) and restarts it on upgrade, which containers outlive.
dpkg-deb -e "$deb" "$WORK/ctl"
check deb-postinst-restarts-on-upgrade grep -q '_dh_action=restart' "$WORK/ctl/postinst"
check deb-postrm-purges-the-state grep -q 'find /var/lib/tether -mindepth 1 -delete' "$WORK/ctl/postrm"

# The programs in the package are the release build of this version.
dpkg -x "$deb" "$WORK/root"
check deb-version test "$(dpkg-deb -f "$deb" Version)" = "$version"
check deb-tether-says-its-version grep -qF "tether $version " <<<"$("$WORK/root/usr/bin/tether" version)"
check deb-tether-not-sanitized bash -c '! nm -D "$1" | grep -q __asan' _ "$WORK/root/usr/bin/tether"
check deb-next-version-is-higher dpkg --compare-versions \
	"$(dpkg-deb -f "$out/next/tether.deb" Version)" gt "$version"
mkdir -p "$WORK/next"
dpkg -x "$out/next/tether.deb" "$WORK/next"
check deb-next-tether-says-its-version grep -qF "tether $next " \
	<<<"$("$WORK/next/usr/bin/tether" version)"

# The tree stays clean: the build happened in a copy.
check deb-build-leaves-no-debian-folder test ! -e "$TOP/debian"

# RPM.
check rpm-builds make -s -C "$TOP" rpm
rpm_file=$(ls "$TOP"/build/rpm/RPMS/*/tether-"$version"-*.rpm 2>/dev/null | head -n 1)
hub_rpm=$(ls "$TOP"/build/rpm/RPMS/*/tether-hub-"$version"-*.rpm 2>/dev/null | head -n 1)
rpm_files() { rpm -qlp "$1" 2>/dev/null | grep -v '^/usr/lib/\.build-id' | sort; }
expect_files rpm-tether-files rpm_files "$rpm_file" <<'EOF'
/etc/tether
/etc/tether/tether.conf
/usr/bin/tether
/usr/bin/tether-monitor
/usr/lib/systemd/system/tether.service
/usr/share/man/man8/tether-monitor.8
/usr/share/man/man8/tether.8
EOF
expect_files rpm-tether-hub-files rpm_files "$hub_rpm" <<'EOF'
/usr/bin/tether-hub
/usr/lib/systemd/system/tether-hub.service
/usr/share/man/man8/tether-hub.8
EOF
check rpm-conffile test "$(rpm -qp --configfiles "$rpm_file" 2>/dev/null)" = /etc/tether/tether.conf
for cap in 'libcurl(x86-64)' 'libarchive(x86-64)' 'systemd-libs(x86-64)' 'libwebsockets.so.17()(64bit)'; do
	check "rpm-tether-requires-$cap" grep -qxF "$cap" <<<"$(rpm -qp --requires "$rpm_file" 2>/dev/null)"
done
check rpm-version test "$(rpm -qp --qf '%{VERSION}' "$rpm_file" 2>/dev/null)" = "$version"

# The join command refuses what it does not know, by name, all at once, and what it cannot do
# here (not root, not systemd) with the fix.
join=$TOP/packaging/install.sh
out_unknown=$("$join" --hub h --cluster c --bogus --activation-id i --other 2>&1)
check join-refuses-unknown-options-by-name grep -q 'unknown options: --bogus --other' <<<"$out_unknown"
out_missing=$("$join" --hub h 2>&1)
check join-names-missing-options grep -q 'missing options: --cluster --activation-id --activation-code' \
	<<<"$out_missing"
out_uninstall=$("$join" --uninstall --cluster c 2>&1)
check join-uninstall-takes-nothing-else grep -q -- '--uninstall takes no other options: --cluster' \
	<<<"$out_uninstall"
if [ "$(id -u)" = 0 ] && [ "$(cat /proc/1/comm)" != systemd ]; then
	out_pid1=$("$join" --hub h --cluster c --activation-id i --activation-code k 2>&1)
	check join-refuses-without-systemd grep -q "not systemd" <<<"$out_pid1"
	check join-says-the-fix grep -q "fix:" <<<"$out_pid1"
fi
out_root=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$join" --uninstall 2>&1)
check join-refuses-non-root grep -q "must run as root" <<<"$out_root"

rm -rf "$TOP/build/packages"
mv "$out" "$TOP/build/packages"

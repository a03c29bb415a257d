#!/bin/bash
# Installs tether's files into a root file system tree, laid out as the packages lay them:
#   packaging/install-files.sh [DESTDIR] [BIN_DIR]
# DESTDIR defaults to / and BIN_DIR to build/release. `make install` runs it, and so do the
# Debian and RPM builds (into their staging trees), so the three agree on every path.
# tether-monitor goes beside tether, where the agent looks for it; the units go where systemd
# reads a package's units. Nothing else on the host is touched: no service is enabled or started.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-/}
bin=${2:-$top/build/release}

for program in tether tether-monitor tether-hub; do
	[ -x "$bin/$program" ] || { echo "$0: $bin/$program missing (make)" >&2; exit 1; }
done
install -D -m 0755 "$bin/tether" "$dest/usr/bin/tether"
install -D -m 0755 "$bin/tether-monitor" "$dest/usr/bin/tether-monitor"
install -D -m 0755 "$bin/tether-hub" "$dest/usr/bin/tether-hub"
install -D -m 0644 "$top/systemd/tether.service" "$dest/lib/systemd/system/tether.service"
install -D -m 0644 "$top/systemd/tether-hub.service" "$dest/lib/systemd/system/tether-hub.service"
# The configuration file is the administrator's once installed: an existing one is kept.
if [ ! -e "$dest/etc/tether/tether.conf" ]; then
	install -D -m 0644 "$top/systemd/tether.conf" "$dest/etc/tether/tether.conf"
fi
for page in tether.8 tether-monitor.8 tether-hub.8; do
	install -D -m 0644 "$top/docs/man/$page" "$dest/usr/share/man/man8/$page"
done

#!/bin/bash
# Joins this host to a tether hub in one command: installs the tether package, registers the
# node with a one-time activation, starts tether.service and waits until the agent is
# connected, then prints the node's container instance ARN.
#
#   install.sh --hub URL --cluster NAME --activation-id ID --activation-code CODE
#              [--package FILE] [--ca-file PEM] [--no-start]
#   install.sh --uninstall
#
# --package installs FILE (.deb or .rpm); without it the tether already installed is used.
# Running it again changes nothing that is already so, and says so: a package of the same
# version is not reinstalled, a registered node is not registered again, a running agent is
# not restarted. --uninstall deregisters the node, stops the agent and purges the package.
set -uo pipefail

prog=install.sh
STATE_DIR=/var/lib/tether
CONNECT_TIMEOUT=${TETHER_CONNECT_TIMEOUT:-120}
changed=0

say() { echo "$prog: $*"; }
# die MESSAGE FIX: what went wrong, and on a second line what to do about it.
die() {
	echo "$prog: $1" >&2
	[ -n "${2:-}" ] && echo "$prog: fix: $2" >&2
	exit 1
}

usage() {
	cat <<EOF
Usage: $prog --hub URL --cluster NAME --activation-id ID --activation-code CODE
                  [--package FILE] [--ca-file PEM] [--no-start]
       $prog --uninstall
EOF
}

hub="" cluster="" act_id="" act_code="" package="" ca_file="" no_start=0 uninstall=0
unknown=() missing_value=()
while [ $# -gt 0 ]; do
	opt=$1
	shift
	value=""
	case "$opt" in
	--*=*) value=${opt#*=}; opt=${opt%%=*}; set -- "$value" "$@" ;;
	esac
	case "$opt" in
	--hub | --cluster | --activation-id | --activation-code | --package | --ca-file)
		if [ $# -eq 0 ]; then
			missing_value+=("$opt")
			continue
		fi
		case "$opt" in
		--hub) hub=$1 ;;
		--cluster) cluster=$1 ;;
		--activation-id) act_id=$1 ;;
		--activation-code) act_code=$1 ;;
		--package) package=$1 ;;
		--ca-file) ca_file=$1 ;;
		esac
		shift
		;;
	--no-start) no_start=1 ;;
	--uninstall) uninstall=1 ;;
	--help | -h) usage; exit 0 ;;
	*) unknown+=("$opt") ;;
	esac
done
if [ ${#unknown[@]} -gt 0 ]; then
	usage >&2
	die "unknown options: ${unknown[*]}"
fi
[ ${#missing_value[@]} -gt 0 ] && { usage >&2; die "options without their value: ${missing_value[*]}"; }

if [ "$uninstall" = 1 ]; then
	given=()
	for pair in "--hub:$hub" "--cluster:$cluster" "--activation-id:$act_id" \
		"--activation-code:$act_code" "--package:$package" "--ca-file:$ca_file"; do
		[ -n "${pair#*:}" ] && given+=("${pair%%:*}")
	done
	[ "$no_start" = 1 ] && given+=(--no-start)
	[ ${#given[@]} -gt 0 ] && die "--uninstall takes no other options: ${given[*]}"
else
	absent=()
	[ -n "$hub" ] || absent+=(--hub)
	[ -n "$cluster" ] || absent+=(--cluster)
	[ -n "$act_id" ] || absent+=(--activation-id)
	[ -n "$act_code" ] || absent+=(--activation-code)
	[ ${#absent[@]} -gt 0 ] && { usage >&2; die "missing options: ${absent[*]}"; }
	[ -z "$package" ] || [ -f "$package" ] || die "no package file $package" \
		"give the path of the tether .deb or .rpm"
	[ -z "$ca_file" ] || [ -f "$ca_file" ] || die "no CA file $ca_file" \
		"give the PEM file of the authority that signed the hub's certificate"
fi

# The host: root, and systemd as PID 1 (tether runs as tether.service).
[ "$(id -u)" = 0 ] || die "must run as root (it installs a package and a service)" \
	"run it again with sudo"
pid1=$(cat /proc/1/comm 2>/dev/null)
[ "$pid1" = systemd ] && [ -d /run/systemd/system ] ||
	die "PID 1 is '$pid1', not systemd: tether runs as the systemd service tether.service" \
		"use a host booted with systemd, or run 'tether run' under your own supervisor (tether(8))"

# The package manager of this host, and what it says of the installed tether.
package_manager() {
	if command -v dpkg-query >/dev/null 2>&1; then echo deb
	elif command -v rpm >/dev/null 2>&1; then echo rpm
	else echo none
	fi
}
installed_version() {
	case "$(package_manager)" in
	deb) dpkg-query -W -f '${db:Status-Status} ${Version}\n' tether 2>/dev/null |
		sed -n 's/^installed //p' ;;
	rpm) rpm -q --qf '%{VERSION}\n' tether 2>/dev/null | grep -v 'not installed' ;;
	esac
}

# tether deregister and tether check come with newer agents: an older package has neither.
tether_has() { /usr/bin/tether "$1" --help >/dev/null 2>&1; }

registered() { /usr/bin/tether status --json 2>/dev/null | jq -e .registration.registered >/dev/null; }
status_field() { /usr/bin/tether status --json 2>/dev/null | jq -r "$1 // empty"; }

uninstall() {
	local version
	version=$(installed_version)
	if [ -z "$version" ]; then
		say "tether is not installed; nothing to do"
		exit 0
	fi
	if registered; then
		if tether_has deregister; then
			/usr/bin/tether deregister || die "tether deregister failed (see above)" \
				"bring the hub back, or deregister the instance there and run --uninstall again"
			say "deregistered from the hub"
		else
			say "warning: tether $version has no 'deregister' command: the hub still lists" \
				"$(status_field .registration.container_instance_arn); deregister it there"
		fi
	fi
	systemctl disable --now tether.service >/dev/null 2>&1
	say "tether.service stopped and disabled"
	# Containers outlive the agent (KillMode=process). Once the package is gone nothing
	# manages what is left of them, so it ends here, before the state it runs from is removed:
	# the systemd driver's units under tether.slice (cgroups/systemd_unit.h) are stopped by
	# systemd; the unit's own subtree (the delegated driver) and the cgroupfs driver's tree
	# (/sys/fs/cgroup/tether, cgroups/cgroupfs_paths.c) are killed whole (cgroup.kill: every
	# process, containers' children too) and their empty cgroups removed.
	if systemctl is-active --quiet tether.slice; then
		systemctl stop tether.slice || die "systemctl stop tether.slice failed (see above)"
		say "stopped the containers left in tether.slice"
	fi
	local cg
	for cg in /sys/fs/cgroup/system.slice/tether.service /sys/fs/cgroup/tether; do
		if grep -q 'populated 1' "$cg/cgroup.events" 2>/dev/null; then
			echo 1 >"$cg/cgroup.kill" || die "cannot kill the processes left in $cg"
			for _ in $(seq 100); do
				grep -q 'populated 0' "$cg/cgroup.events" && break
				sleep 0.1
			done
			say "stopped the containers left in $cg"
		fi
		# systemd removes the unit's own cgroup; the cgroupfs tree is the agent's to remove.
		[ "$cg" = /sys/fs/cgroup/tether ] && [ -d "$cg" ] &&
			find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	case "$(package_manager)" in
	deb) dpkg --purge tether >/dev/null || die "dpkg --purge tether failed (see above)" ;;
	rpm) rpm -e tether || die "rpm -e tether failed (see above)"
		# rpm has no purge: the node's state goes the way Debian's postrm takes it.
		find "$STATE_DIR" -mindepth 1 -delete 2>/dev/null
		rmdir "$STATE_DIR" 2>/dev/null ;;
	esac
	say "tether $version purged"
	exit 0
}
[ "$uninstall" = 1 ] && uninstall

command -v jq >/dev/null 2>&1 || die "jq is needed to read tether status --json" \
	"install it (apt-get install jq, or dnf install jq)"

# The package.
install_package() {
	local file=$1 kind version have
	case "$file" in
	*.deb) kind=deb; version=$(dpkg-deb -f "$file" Version) || die "$file is not a Debian package" ;;
	*.rpm) kind=rpm; version=$(rpm -qp --qf '%{VERSION}' "$file" 2>/dev/null) ||
		die "$file is not an RPM package" ;;
	*) die "$file: a package is a .deb or an .rpm" ;;
	esac
	[ "$kind" = "$(package_manager)" ] || die "$file is a .$kind, but this host installs $(package_manager) packages" \
		"give the tether package for this distribution"
	have=$(installed_version)
	if [ "$have" = "$version" ]; then
		say "tether $version is installed already; package unchanged"
		return
	fi
	say "installing tether $version${have:+ (over $have)}"
	case "$kind" in
	deb) # dpkg alone when the dependencies are there (apt-get reads the whole archive index
		# first, which takes long on a small device); else apt-get brings them and finishes.
		if ! dpkg -i "$file" >/dev/null 2>"${TMPDIR:-/tmp}/tether-install.$$"; then
			if command -v apt-get >/dev/null 2>&1 &&
				grep -q 'dependency problems' "${TMPDIR:-/tmp}/tether-install.$$"; then
				say "fetching the packages tether depends on (apt-get -f install)"
				DEBIAN_FRONTEND=noninteractive apt-get -f install -y -q >/dev/null
			else
				cat "${TMPDIR:-/tmp}/tether-install.$$" >&2
				false
			fi
		fi
		rc=$?
		rm -f "${TMPDIR:-/tmp}/tether-install.$$"
		[ $rc = 0 ] || die "installing $file failed (see above)" \
			"install the packages it depends on (apt-get -f install), then run $prog again" ;;
	rpm) rpm -U "$file" || die "installing $file failed (see above)" \
			"install the packages it depends on (dnf install), then run $prog again" ;;
	esac
	changed=1
}
if [ -n "$package" ]; then
	install_package "$package"
elif [ -z "$(installed_version)" ]; then
	die "tether is not installed" "give the package with --package FILE (.deb or .rpm)"
fi

# The host's cgroups: tasks run with their cpu and memory limits (tether check: 0), only
# without them (1), or not at all (2).
if tether_has check; then
	out=$(/usr/bin/tether check 2>&1)
	case $? in
	0) ;;
	1) echo "$out" >&2
		die "this host can run tasks only without their cpu and memory limits" \
			"boot with the unified cgroup hierarchy (kernel command line systemd.unified_cgroup_hierarchy=1)" ;;
	*) echo "$out" >&2
		die "this host cannot run tether's tasks (tether check, above)" \
			"fix what it names, then run $prog again; $prog --uninstall removes the package" ;;
	esac
else
	say "warning: tether $(installed_version) has no 'check' command; host not checked"
fi

# The node's identity.
if registered; then
	reg_hub=$(status_field .registration.hub)
	reg_cluster=$(status_field .registration.cluster)
	if [ "$reg_hub" != "$hub" ] || [ "$reg_cluster" != "$cluster" ]; then
		die "this node is registered with $reg_hub in cluster $reg_cluster already" \
			"run $prog --uninstall first to join another hub or cluster"
	fi
	say "registered already as $(status_field .registration.container_instance_arn); not registering again"
else
	args=(--hub "$hub" --cluster "$cluster" --activation-id "$act_id" --activation-code "$act_code")
	[ -n "$ca_file" ] && args+=(--ca-file "$ca_file")
	/usr/bin/tether register "${args[@]}" >/dev/null || die "registration failed (see above)" \
		"check the hub URL and that the activation is neither used up nor expired"
	say "registered as $(status_field .registration.container_instance_arn)"
	changed=1
fi

if [ "$no_start" = 1 ]; then
	say "--no-start: tether.service left as it is (systemctl enable --now tether starts it)"
else
	if [ "$(systemctl is-enabled tether.service 2>/dev/null)" != enabled ]; then
		systemctl enable tether.service >/dev/null 2>&1 || die "systemctl enable tether failed"
		say "tether.service enabled"
		changed=1
	fi
	if systemctl is-active --quiet tether.service; then
		say "tether.service is running already (pid $(systemctl show -P MainPID tether.service)); not restarted"
	else
		systemctl start tether.service || die "tether.service did not start" \
			"see journalctl -u tether"
		say "tether.service started"
		changed=1
	fi
	# The agent writes its connection into its state once the hub has accepted it.
	deadline=$((SECONDS + CONNECT_TIMEOUT))
	while [ "$(status_field .connection.state)" != connected ]; do
		[ $SECONDS -lt $deadline ] || die "the agent is not connected after ${CONNECT_TIMEOUT} s: $(/usr/bin/tether status | sed -n 's/^Connection: *//p')" \
			"see journalctl -u tether and tether status"
		sleep 0.5
	done
	say "connected to $(status_field .registration.hub)"
fi

[ "$changed" = 0 ] && say "nothing changed: this host had joined already"
echo "container instance ARN: $(status_field .registration.container_instance_arn)"

#!/bin/bash
# The one-command join on a host with systemd: the tether-hub package serves on loopback, an
# activation is made through its API, and packaging/install.sh --package tether.deb installs,
# registers and starts the agent. A second run changes nothing; a task runs; an upgrade to a
# higher version restarts the agent but not the container; --uninstall stops and purges.
# Prints "bench: " the time from install.sh's start to the first task RUNNING.
# The packages come from tests/e2e/packages.sh (build/packages/), which runs before this stage.
source "$(dirname "$0")/../../lib.sh"

pkgs=$TOP/build/packages
if [ ! -f "$pkgs/current/tether.deb" ] || [ ! -f "$pkgs/next/tether.deb" ]; then
	skip join "no packages in $pkgs (tests/e2e/packages.sh builds them)"
	exit 0
fi
join=$TOP/packaging/install.sh
STATE=/var/lib/tether

# The unit's StateDirectory=/var/lib/tether lies on the guest's root, an overlayfs, where the
# agent cannot put the overlay upper dirs of its containers (an overlay upper dir cannot live
# on overlayfs): a tmpfs there gives the state a real file system, as a host's disk would.
mkdir -p "$STATE"
mount -t tmpfs -o mode=0700 tmpfs "$STATE"
trap 'on_exit; systemctl stop tether-hub tether 2>/dev/null; umount -l "$STATE" 2>/dev/null' EXIT

# The guest shares this machine's root, a container image whose /usr/sbin/policy-rc.d forbids
# maintainer scripts to start services (exit 101). A host has none: removed from the guest's
# overlay, so that the packages' scripts start, restart and stop their units as on a host.
rm -f /usr/sbin/policy-rc.d
# man-db's trigger re-indexes every manual page after each package (minutes under emulation):
# its switch is turned off in the guest; the figure below leaves that time out.
rm -f /var/lib/man-db/auto-update

# The hub from its package, on a loopback port of its own (/etc/default/tether-hub, read by
# its unit), accepting unsigned operator requests from loopback (--dev).
HUB_PORT=$((34000 + RANDOM % 1000))
HUB_URL=http://127.0.0.1:$HUB_PORT
echo "TETHER_HUB_OPTIONS=--listen=127.0.0.1:$HUB_PORT --dev" >/etc/default/tether-hub
check hub_package_installs dpkg -i "$pkgs/current/tether-hub.deb"
check hub_service_active systemctl is-active --quiet tether-hub
check hub_answers wait_until 30 curl -s -o /dev/null "$HUB_URL/"
systemctl is-active --quiet tether-hub || systemctl status --no-pager tether-hub | tail -n 15
check hub_state_in_its_state_directory wait_until 10 test -f /var/lib/tether-hub/hub.db
make_activation --registration-limit 1 || { fail create_activation "$(journalctl -u tether-hub | tail -5)"; exit 1; }
busybox_image "$WORK/image" || { fail busybox_image; exit 1; }

echo "vm: join: hub ready at $SECONDS s of the test"

# The first join, timed to the first task RUNNING.
started=$(date +%s.%N)
out1=$("$join" --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --package "$pkgs/current/tether.deb" 2>&1)
rc=$?
joined=$(date +%s.%N)
echo "$out1" >"$WORK/join1.log"
check join_succeeds test "$rc" = 0
[ "$rc" = 0 ] || echo "$out1" | tail -n 15
arn1=$(sed -n 's/^container instance ARN: //p' <<<"$out1")
check join_prints_the_instance_arn grep -q '^arn:aws:ecs:.*:container-instance/' <<<"$arn1"
check tether_active systemctl is-active --quiet tether
check tether_enabled test "$(systemctl is-enabled tether)" = enabled
check tether_status_line bash -c 'systemctl status --no-pager tether | grep -q "Status: \"Connected to"'
check hub_lists_the_instance_connected wait_until 30 agent_connected
instances() { json_api_call ecs list-container-instances --cluster default | jq -r '.containerInstanceArns[]'; }
check hub_instance_is_the_printed_arn test "$(instances)" = "$arn1"

taskdef='{"family": "joined", "requiresCompatibilities": ["EXTERNAL"],
 "containerDefinitions": [{"name": "app", "image": "oci:'$WORK/image':latest", "memory": 32,
   "command": ["sleep", "3600"]}]}'
awsx ecs register-task-definition --cli-input-json "$taskdef" >/dev/null
task=$(awsx ecs run-task --cluster default --launch-type EXTERNAL --task-definition joined |
	jq -r '.tasks[0].taskArn')
task_is() {
	[ "$(awsx ecs describe-tasks --cluster default --tasks "$task" | jq -r '.tasks[0].lastStatus')" = "$1" ]
}
check task_runs wait_until 120 task_is RUNNING
running=$(date +%s.%N)
echo "bench: join to first task RUNNING: $(awk -v a="$started" -v b="$running" 'BEGIN{printf "%.1f", b-a}') s" \
	"(install.sh $(awk -v a="$started" -v b="$joined" 'BEGIN{printf "%.1f", b-a}') s: dpkg, register, start, connect;" \
	"then run-task to RUNNING; software emulation, man-db trigger off)"

echo "vm: join: task RUNNING at $SECONDS s of the test"

# Where the task lives with the package's defaults under systemd: the systemd driver's units,
# known to systemd by name, and nothing the agent made at the root of systemd's tree.
id=${task##*/}
cpid=$(cat "$STATE/tasks/$id/app/pid" 2>/dev/null)
check container_pid_known test -n "$cpid"
check default_driver_is_systemd bash -c 'journalctl -u tether --no-pager | grep -q "cgroup driver systemd"'
check container_in_a_tether_scope grep -q '^0::/tether.slice/.*\.scope/' "/proc/${cpid:-0}/cgroup"
check systemd_cgls_names_the_container \
	sh -c "systemd-cgls --no-pager -u tether.slice | grep -F '.scope' | grep -q ."
check nothing_made_at_the_root test ! -e /sys/fs/cgroup/tether

# The second run: nothing changes.
pid_before=$(systemctl show -P MainPID tether)
out2=$("$join" --hub "$HUB_URL" --cluster default --activation-id "$ACT_ID" \
	--activation-code "$ACT_CODE" --package "$pkgs/current/tether.deb" 2>&1)
rc=$?
echo "$out2" >"$WORK/join2.log"
check rejoin_succeeds test "$rc" = 0
check rejoin_says_nothing_changed grep -q 'nothing changed' <<<"$out2"
check rejoin_same_arn test "$(sed -n 's/^container instance ARN: //p' <<<"$out2")" = "$arn1"
check rejoin_no_second_registration test "$(instances | wc -l)" = 1
check rejoin_package_unchanged grep -q 'package unchanged' <<<"$out2"
check rejoin_service_not_restarted test "$(systemctl show -P MainPID tether)" = "$pid_before"

# The upgrade: a package of a higher version, installed over this one. The agent restarts;
# the container, a child of its tether-monitor, does not.
next_version=$(dpkg-deb -f "$pkgs/next/tether.deb" Version)
check upgrade_installs dpkg -i "$pkgs/next/tether.deb"
check upgrade_is_installed test "$(dpkg-query -W -f '${Version}' tether)" = "$next_version"
check upgrade_agent_is_the_new_one grep -qF "tether $next_version " <<<"$(tether version)"
check upgrade_agent_restarted test "$(systemctl show -P MainPID tether)" != "$pid_before"
check upgrade_agent_active systemctl is-active --quiet tether
check upgrade_container_pid_unchanged test "$(cat "$STATE/tasks/$id/app/pid" 2>/dev/null)" = "$cpid"
check upgrade_container_alive kill -0 "$cpid"
check upgrade_agent_reconnects wait_until 60 agent_connected
check upgrade_task_still_running task_is RUNNING
check upgrade_conffile_kept test -f /etc/tether/tether.conf

echo "vm: join: upgraded at $SECONDS s of the test"

# Uninstall: the unit stops, the package is purged with its state, no container is left.
out3=$("$join" --uninstall 2>&1)
rc=$?
echo "$out3" >"$WORK/uninstall.log"
check uninstall_succeeds test "$rc" = 0
[ "$rc" = 0 ] || echo "$out3" | tail -n 15
check uninstall_unit_inactive bash -c '! systemctl is-active --quiet tether'
check uninstall_package_purged bash -c '! dpkg-query -W -f "\${db:Status-Status}" tether 2>/dev/null | grep -qv not-installed'
check uninstall_conffile_gone test ! -e /etc/tether/tether.conf
check uninstall_state_gone test ! -e "$STATE/identity.json"
check uninstall_container_gone wait_until 10 bash -c '! kill -0 "$1" 2>/dev/null' _ "$cpid"
check uninstall_no_task_units_left bash -c '! systemctl is-active --quiet tether.slice && test -z "$(systemctl list-units --no-legend "tether-*.slice" "tether-*.scope")"'
out4=$("$join" --uninstall 2>&1)
check uninstall_twice_says_nothing_to_do grep -q 'not installed; nothing to do' <<<"$out4"

check hub_package_purges dpkg --purge tether-hub
check hub_purge_removes_its_state test ! -e /var/lib/tether-hub
rm -f /etc/default/tether-hub

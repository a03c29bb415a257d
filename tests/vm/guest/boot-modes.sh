#!/bin/bash
# The fast boot of the VM: the guest runner is PID 1 (tests/vm/systemd/ has the systemd boot).
source "$(dirname "$0")/../../lib.sh"
check runner_is_pid1 grep -q guest-runner /proc/1/cmdline

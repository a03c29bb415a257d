#!/bin/bash
# tests/e2e/devices.sh on the VM's kernel (pure cgroup v2): the device filter and nodev hold,
# and a container given the guest's second UART (/dev/ttyS1, a file on the host side that
# tests/vm/run.sh checks) writes to it and opens no other device.
exec bash "$(dirname "$0")/../../e2e/devices.sh"

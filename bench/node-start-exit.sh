#!/bin/bash
# Container start-to-exit: tether vs crun vs runc vs the unshare floor, in one boot of the test
# VM (a pure cgroup v2 kernel under qemu TCG; the host cannot set memory limits). The guest
# script is bench/vm/start-exit.sh; its tables come back on the console as "bench: " lines.
top=$(cd "$(dirname "$0")/.." && pwd)
VM_TIMEOUT=${VM_TIMEOUT:-330} "$top/tests/vm/run.sh" --guest-dir bench/vm \
	--bin "${TETHER_BIN_DIR:-$top/build/release}" start-exit |
	sed -n -e 's/^bench: //p' -e '/^vm: \(booted\|start-exit took\|stage took\)/p' -e '/^FAIL /p'

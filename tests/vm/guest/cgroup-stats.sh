#!/bin/bash
# cgroup_read_stats with every controller enabled: memory and pids figures are asserted too.
source "$(dirname "$0")/../../lib.sh"
"$BIN/tests/test-cgroup-stats"

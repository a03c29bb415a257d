#!/bin/bash
# The task metadata endpoint (tests/e2e/local-api.sh, up to its stats) on a pure cgroup v2
# kernel, where a container's stats carry its memory, pids and cpu figures.
exec bash "$(dirname "$0")/../../e2e/local-api.sh"

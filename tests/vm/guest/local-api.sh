#!/bin/bash
# The local API and the task metadata endpoint (tests/e2e/local-api.sh) on a pure cgroup v2
# kernel, where a container's stats carry its memory, pids and cpu figures.
exec bash "$(dirname "$0")/../../e2e/local-api.sh"

#!/bin/bash
# The operator's journey (tests/e2e/journey.sh) on a pure cgroup v2 kernel: the agent runs
# without --allow-no-limits, so limits are enforced, and an OOM kill reaches describe-tasks.
exec bash "$(dirname "$0")/../../e2e/journey.sh"

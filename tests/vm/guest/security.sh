#!/bin/bash
# Checks 1-3 of tests/e2e/container-security.sh, on the VM's kernel (pure
# cgroup v2, limits enforced): capabilities, seccomp, ulimits, networkMode, the init.
exec bash "$(dirname "$0")/../../e2e/container-security.sh"

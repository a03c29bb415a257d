#!/bin/bash
# The container file system tests of tests/e2e/container-fs.sh on Debian's kernel (which has
# /proc/sysrq-trigger, /proc/acpi and the rest of what Docker masks): masked and read-only
# kernel paths, read-only root, volumes, and mount points through the image's symlinks that
# must land inside the container's root.
exec bash "$(dirname "$0")/../../e2e/container-fs.sh"

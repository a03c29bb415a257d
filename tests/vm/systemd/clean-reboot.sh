#!/bin/bash
# Tasks come back after a clean reboot (systemctl reboot) too: reboot.sh's two boots, the
# first ending in a shutdown instead of a reset (see reboot.sh).
REBOOT_CLEAN=1 source "$(dirname "$0")/reboot.sh"

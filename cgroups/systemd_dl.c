#include "cgroups/systemd_dl.h"

DL_LIBRARY_DEFINE(systemd_dl, SYSTEMD_DL_SYMBOLS, "libsystemd.so.0", "libsystemd0")

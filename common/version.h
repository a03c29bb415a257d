#pragma once

/* TETHER_VERSION, the newest entry of packaging/debian/changelog (the one place the version is
 * written), from the header the Makefile generates in the build folder: only the files that
 * include this one are rebuilt when the version changes. */
#include "tether_version.h"

#pragma once

#include "protocol/frame.h"

/* The Makefile passes TETHER_VERSION from the newest entry of packaging/debian/changelog, the
 * one place the version is written. */
#ifndef TETHER_VERSION
#error "TETHER_VERSION is not defined: build with the Makefile"
#endif
#define TETHER_PROTOCOL_VERSION PROTOCOL_VERSION

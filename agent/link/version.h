#pragma once

#include "common/version.h"
#include "protocol/frame.h"

#define TETHER_PROTOCOL_VERSION PROTOCOL_VERSION

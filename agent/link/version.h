#pragma once

#include "protocol/frame.h"

#define TETHER_VERSION "0.1.0"
#define TETHER_PROTOCOL_VERSION PROTOCOL_VERSION

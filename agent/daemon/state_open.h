/* The daemon's state database opened at start, or refused with the file and the fix: a
 * damaged file (store_open), or one that was emptied (a file of no bytes beside the folders of
 * tasks this node ran: it lost what it held, and starting on it would forget running tasks). */
#pragma once

#include "agent/state/store.h"

int daemon_open_store(const char *state_dir, struct store **ret, struct error *err);

#include "agent/logs/journal_dl.h"

DL_LIBRARY_DEFINE(journal_dl, JOURNAL_DL_SYMBOLS, "libsystemd.so.0", "libsystemd0")

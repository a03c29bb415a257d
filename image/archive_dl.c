#include "image/archive_dl.h"

DL_LIBRARY_DEFINE(archive_dl, ARCHIVE_DL_SYMBOLS, "libarchive.so.13", "libarchive13")

#include "common/curl_dl.h"

DL_LIBRARY_DEFINE(curl_dl, CURL_DL_SYMBOLS, "libcurl.so.4", "libcurl4")

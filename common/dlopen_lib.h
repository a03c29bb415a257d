/* Optional shared libraries opened at first use rather than linked: a program then maps a
 * library (and everything it depends on) only on the paths that call it. A user lists the
 * functions it needs once, as an X-macro, and gets a pointer per function typed by the
 * library's own prototype (sym_curl_easy_init has the type of &curl_easy_init):
 *
 *     #define CURL_DL_SYMBOLS(X) X(curl_easy_init) X(curl_easy_cleanup)
 *     CURL_DL_SYMBOLS(DL_DECLARE)                  (header)
 *     int curl_dl_open(struct error *err);         (header)
 *     DL_LIBRARY_DEFINE(curl_dl, CURL_DL_SYMBOLS, "libcurl.so.4", "libcurl4")   (source)
 *
 * curl_dl_open() must succeed before the first call through a pointer: the library is
 * opened and every symbol resolved once, or none is and the error names the library and the
 * Debian package that ships it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct dl_symbol {
	const char *name;
	void **slot;
};

/* One entry of a symbol table: the name of function f and the sym_f pointer that gets it. */
#define DL_SYMBOL(f) { #f, (void **)&sym_##f }

struct dl_library {
	const char *soname;        /* "libcurl.so.4": the ABI the prototypes describe */
	const char *package;       /* "libcurl4": named when the library is missing */
	const struct dl_symbol *symbols;
	size_t n_symbols;
	bool loaded;               /* set once every symbol is resolved; never unset */
};

/* Open lib and resolve all its symbols, once per process; safe from any thread. A failure
 * leaves every slot as it was, and a later call tries again. */
int dl_library_open(struct dl_library *lib, struct error *err);

#define DL_DECLARE(f) extern typeof(f) *sym_##f;
#define DL_DEFINE(f) typeof(f) *sym_##f;
#define DL_ENTRY(f) DL_SYMBOL(f),

/* The pointers of LIST, their table and NAME_open(), for a library with that soname. */
#define DL_LIBRARY_DEFINE(name, list, soname_, package_)                                    \
	list(DL_DEFINE)                                                                     \
	static const struct dl_symbol name##_symbols[] = { list(DL_ENTRY) };                \
	static struct dl_library name##_library = {                                         \
		.soname = soname_,                                                          \
		.package = package_,                                                        \
		.symbols = name##_symbols,                                                  \
		.n_symbols = sizeof(name##_symbols) / sizeof(name##_symbols[0]),             \
	};                                                                                  \
	int name##_open(struct error *err)                                                  \
	{                                                                                   \
		return dl_library_open(&name##_library, err);                               \
	}

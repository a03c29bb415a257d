/* Libraries opened at first use: every symbol or none, a clear error naming the library and
 * its package, and the real wrappers resolving against the installed libraries. */
#include <errno.h>
#include <string.h>

#include "common/curl_dl.h"
#include "agent/logs/journal_dl.h"
#include "common/cleanup.h"
#include "common/dlopen_lib.h"
#include "image/archive_dl.h"
#include "tests/unit/test.h"

static void *sym_getpid;
static void *sym_tether_no_such_function;

TEST(dlopen_missing_library_names_it_and_its_package)
{
	static const struct dl_symbol symbols[] = { DL_SYMBOL(getpid) };
	struct dl_library lib = { "libtether-absent.so.9", "libtether-absent9", symbols, 1, false };
	struct error err = { 0 };
	ASSERT_INT_EQ(dl_library_open(&lib, &err), -ENOPKG);
	ASSERT_CONTAINS(err.message, "libtether-absent.so.9 is not installed");
	ASSERT_CONTAINS(err.message, "Debian package libtether-absent9");
	ASSERT_TRUE(!lib.loaded);
}

TEST(dlopen_missing_symbol_leaves_every_slot_empty)
{
	sym_getpid = NULL;
	sym_tether_no_such_function = NULL;
	static const struct dl_symbol symbols[] = {
		DL_SYMBOL(getpid),
		DL_SYMBOL(tether_no_such_function),
	};
	struct dl_library lib = { "libc.so.6", "libc6", symbols, ELEMENTSOF(symbols), false };
	struct error err = { 0 };
	ASSERT_INT_EQ(dl_library_open(&lib, &err), -ENOPKG);
	ASSERT_CONTAINS(err.message, "libc.so.6 has no tether_no_such_function");
	ASSERT_TRUE(sym_getpid == NULL);
	ASSERT_TRUE(!lib.loaded);
}

TEST(dlopen_resolves_once)
{
	sym_getpid = NULL;
	static const struct dl_symbol symbols[] = { DL_SYMBOL(getpid) };
	struct dl_library lib = { "libc.so.6", "libc6", symbols, 1, false };
	struct error err = { 0 };
	ASSERT_INT_EQ(dl_library_open(&lib, &err), 0);
	ASSERT_TRUE(lib.loaded && sym_getpid != NULL);
	sym_getpid = NULL;
	ASSERT_INT_EQ(dl_library_open(&lib, &err), 0); /* already loaded: nothing resolved again */
	ASSERT_TRUE(sym_getpid == NULL);
}

TEST(dlopen_wrappers_resolve_the_installed_libraries)
{
	struct error err = { 0 };
	ASSERT_INT_EQ(curl_dl_open(&err), 0);
	ASSERT_TRUE(sym_curl_easy_init && sym_curl_url_get);
	ASSERT_INT_EQ(archive_dl_open(&err), 0);
	ASSERT_TRUE(sym_archive_read_new && sym_archive_entry_xattr_add_entry);
	ASSERT_INT_EQ(journal_dl_open(&err), 0);
	ASSERT_TRUE(sym_sd_journal_open && sym_sd_journal_wait);
	/* The pointers are the libraries' own functions. */
	ASSERT_STR_EQ(sym_curl_easy_strerror(CURLE_OK), curl_easy_strerror(CURLE_OK));
}

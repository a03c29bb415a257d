#include "common/dlopen_lib.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

/* One lock for every library: opening happens a few times per process at most. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

static int open_locked(struct dl_library *lib, struct error *err)
{
	if (lib->loaded)
		return 0;
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return error_set(err, ENOPKG, "%s is not installed (Debian package %s): %s",
				 lib->soname, lib->package, dlerror());
	void **found = calloc(lib->n_symbols, sizeof(*found));
	if (!found) {
		dlclose(handle);
		return error_set(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < lib->n_symbols; i++) {
		found[i] = dlsym(handle, lib->symbols[i].name);
		if (!found[i]) {
			int r = error_set(err, ENOPKG, "%s has no %s (Debian package %s too old?)",
					  lib->soname, lib->symbols[i].name, lib->package);
			free(found);
			dlclose(handle);
			return r;
		}
	}
	/* All or nothing: callers never see half a table. The handle stays open for good. */
	for (size_t i = 0; i < lib->n_symbols; i++)
		*lib->symbols[i].slot = found[i];
	free(found);
	__atomic_store_n(&lib->loaded, true, __ATOMIC_RELEASE);
	return 0;
}

int dl_library_open(struct dl_library *lib, struct error *err)
{
	if (__atomic_load_n(&lib->loaded, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&open_lock);
	int r = open_locked(lib, err);
	pthread_mutex_unlock(&open_lock);
	return r;
}

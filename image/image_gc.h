/* The image store's disk budget and garbage collection. An image (a record, image_record.h)
 * is in use while a layer of it is: a caller-given list (the layers of containers that run or
 * are starting) or a pull of it in progress (which holds its record's lock). Unused images go
 * when they were last used longer ago than the age limit, and least recently used first when
 * the store is over its budget; layers no remaining image names go with them. */
#pragma once

#include <stdint.h>

#include "common/error.h"

struct image_gc_policy {
	uint64_t budget_bytes;   /* 0: no budget */
	uint64_t max_unused_age_s; /* 0: unused images stay until the budget needs their room */
};

/* Collect in STORE_DIR so that NEEDED_BYTES more fit within the budget. LAYERS_IN_USE is a
 * NULL-terminated list of layer folders (or NULL). -ENOSPC, naming the figures, when the
 * images in use alone leave no room for NEEDED_BYTES. */
int image_store_gc(const char *store_dir, const struct image_gc_policy *policy,
		   char *const *layers_in_use, uint64_t needed_bytes, struct error *err);

/* Remove the image REFERENCE was pulled as (its record, and its layers no other image or
 * container holds): a pull whose image turned out not to fit takes back what it added. */
int image_store_evict(const char *store_dir, const char *reference, char *const *layers_in_use,
		      struct error *err);

/* Bytes the layers of STORE_DIR take, walked without the collector's lock (a pull or a
 * collection may be under way: the figure is of the moment); 0 for a store not made yet. */
uint64_t image_store_bytes(const char *store_dir);

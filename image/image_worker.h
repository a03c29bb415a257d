/* Pulls the images of one task on a worker thread, so that the caller's event loop never
 * waits for disk or network. The caller polls image_worker_done() (ON_DONE, when given, tells it
 * when to look) and then takes results. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "image/image.h"

struct image_worker;

/* Pull REFERENCES[0..n) (copied) with OPTIONS (not copied: they must outlive the worker), in
 * order, stopping at the first failure. ON_DONE(ARG), when not NULL, is called on the worker
 * thread once done is true. */
int image_worker_start(const struct image_pull_options *options, char *const *references, size_t n,
		       void (*on_done)(void *arg), void *arg, struct image_worker **ret,
		       struct error *err);
bool image_worker_done(struct image_worker *w);
/* Bytes fetched so far, and of the layers started (registry pulls count; others report 0). */
void image_worker_progress(struct image_worker *w, uint64_t *ret_done, uint64_t *ret_total);
/* After done: 0 and the images, or the first failure's error ("pull <ref>: <why>"). */
int image_worker_result(struct image_worker *w, struct image ***ret_images,
			const struct error **ret_err);
/* Every image pulled stays pinned in the store (image_record_pin: the collector leaves its
 * layers) while the worker lives, so that a container started from it later (one that waits
 * for its dependsOn) still finds them. */

/* Joins the thread (waits when it is still pulling), frees every image and drops the pins. */
void image_worker_free(struct image_worker *w);

/* One thread per task pulls its images. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/image_record.h"
#include "image/image_worker.h"

struct image_worker {
	pthread_t thread;
	struct image_pull_options options; /* the caller's, with this worker's progress; its
					    * strings and callbacks outlive the worker */
	struct image_pull_progress progress;
	char **refs;
	size_t n;
	struct image **images;
	int *pins;  /* each pulled image's record pin, held until the worker is freed; -1: none */
	struct error err;
	int result;
	atomic_bool done;
	void (*on_done)(void *arg);
	void *on_done_arg;
};

static void *pull_all(void *userdata)
{
	struct image_worker *w = userdata;
	w->result = 0;
	for (size_t i = 0; i < w->n; i++) {
		w->result = image_pull(&w->options, w->refs[i], &w->images[i], &w->err);
		if (w->result < 0)
			break; /* the error names the image already */
		/* Without it only a running container's config.json keeps the layers from the
		 * collector; a pin that cannot be taken loses that cover, not the pull. */
		w->pins[i] = image_record_pin(w->options.store_dir, w->refs[i]);
	}
	atomic_store(&w->done, true);
	if (w->on_done)
		w->on_done(w->on_done_arg);
	return NULL;
}

static void worker_release(struct image_worker *w)
{
	/* Also for a worker whose arrays could not all be allocated. */
	for (size_t i = 0; i < w->n; i++) {
		if (w->refs)
			free(w->refs[i]);
		if (w->images)
			image_free(w->images[i]);
		if (w->pins && w->pins[i] >= 0)
			close(w->pins[i]);
	}
	free(w->pins);
	free(w->refs);
	free(w->images);
	free(w);
}

int image_worker_start(const struct image_pull_options *options, char *const *references, size_t n,
		       void (*on_done)(void *arg), void *arg, struct image_worker **ret,
		       struct error *err)
{
	struct image_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return error_set(err, ENOMEM, "image worker");
	w->n = n;
	w->on_done = on_done;
	w->on_done_arg = arg;
	w->refs = calloc(n + 1, sizeof(char *));
	w->images = calloc(n + 1, sizeof(struct image *));
	w->pins = calloc(n + 1, sizeof(int));
	for (size_t i = 0; w->pins && i < n; i++)
		w->pins[i] = -1;
	w->options = *options;
	w->options.progress = &w->progress;
	bool ok = w->refs && w->images && w->pins;
	for (size_t i = 0; ok && i < n; i++)
		ok = (w->refs[i] = strdup(references[i])) != NULL;
	if (!ok) {
		worker_release(w);
		return error_set(err, ENOMEM, "image worker");
	}
	int r = pthread_create(&w->thread, NULL, pull_all, w);
	if (r != 0) {
		worker_release(w);
		return error_set_errno(err, r, "start image worker thread");
	}
	*ret = w;
	return 0;
}

void image_worker_progress(struct image_worker *w, uint64_t *ret_done, uint64_t *ret_total)
{
	*ret_done = atomic_load(&w->progress.done);
	*ret_total = atomic_load(&w->progress.total);
}

bool image_worker_done(struct image_worker *w)
{
	return atomic_load(&w->done);
}

int image_worker_result(struct image_worker *w, struct image ***ret_images,
			const struct error **ret_err)
{
	*ret_images = w->images;
	*ret_err = &w->err;
	return w->result;
}

void image_worker_free(struct image_worker *w)
{
	if (!w)
		return;
	pthread_join(w->thread, NULL);
	worker_release(w);
}

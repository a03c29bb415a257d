#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/health/self_checks.h"
#include "cgroups/cgroup.h"
#include "cgroups/cgroup_driver.h"
#include "common/cleanup.h"
#include "image/image_gc.h"

/* The probe's name among the task ids (which are 32 hex digits, so it meets none). */
#define PROBE_TASK_ID "health-probe"

static void failed(struct health_check_result *ret, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failed(struct health_check_result *ret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ret->ok = false;
	vsnprintf(ret->reason, sizeof(ret->reason), fmt, ap);
	va_end(ap);
}

static void check_state_store(const struct self_check_context *c,
			      struct health_check_result *ret)
{
	struct error err = { 0 };
	*ret = (struct health_check_result){ .ok = true };
	if (store_write_probe(c->store, &err) >= 0)
		return;
	/* The message names the file first; the reason names it once. */
	const char *path = store_path(c->store);
	const char *why = err.message;
	size_t n = strlen(path);
	if (!strncmp(why, path, n) && !strncmp(why + n, ": ", 2))
		why += n + 2;
	if (err.code == ENOSPC || err.code == EDQUOT)
		failed(ret, "state database %s cannot be written (%s): the file system that holds "
		       "%s is full; free space on it. Tasks keep running, and their state changes "
		       "wait in memory until it takes writes again", path, why, c->state_dir);
	else
		failed(ret, "state database %s cannot be written (%s): make %s writable again (a "
		       "file system remounted read-only, the file's owner or mode). Tasks keep "
		       "running, and their state changes wait in memory until it takes writes "
		       "again", path, why, c->state_dir);
}

static void check_cgroup_tree(struct health_check_result *ret)
{
	const struct cgroup_driver *driver = cgroup_driver_choose();
	_cleanup_free_ char *path = NULL;
	struct error err = { 0 };
	*ret = (struct health_check_result){ .ok = true };
	int r = driver->task_path(PROBE_TASK_ID, &path, &err);
	if (r >= 0)
		r = cgroup_create(path, &err);
	if (r >= 0)
		r = cgroup_remove(path, &err);
	if (r < 0)
		failed(ret, "cgroup driver %s cannot make a task's cgroup (%s): new tasks cannot "
		       "start; check that the cgroup v2 tree is mounted read-write and the "
		       "agent may write below it (tether check)", driver->name, err.message);
}

void self_check_image_budget(uint64_t used_bytes, uint64_t budget_bytes, const char *store_dir,
			     struct health_check_result *ret)
{
	*ret = (struct health_check_result){ .ok = true };
	if (budget_bytes && used_bytes > budget_bytes)
		failed(ret, "image store %s holds %llu MiB, over its budget of %llu MiB "
		       "(TETHER_IMAGE_STORE_BUDGET): the images of running tasks cannot be "
		       "collected; raise the budget or stop tasks whose images are not needed",
		       store_dir, (unsigned long long)(used_bytes >> 20),
		       (unsigned long long)(budget_bytes >> 20));
}

void self_checks_run(const struct self_check_context *c, bool probe_cgroups,
		     struct health_check_result round[HEALTH_CHECK_COUNT])
{
	check_state_store(c, &round[HEALTH_STATE_STORE]);
	if (probe_cgroups)
		check_cgroup_tree(&round[HEALTH_CGROUP_TREE]);
	/* Without a budget the store cannot be over it: its layers are not walked for nothing. */
	if (!c->image_store_budget) {
		round[HEALTH_IMAGE_STORE] = (struct health_check_result){ .ok = true };
		return;
	}
	_cleanup_free_ char *images = NULL;
	if (asprintf(&images, "%s/images", c->state_dir) < 0) {
		failed(&round[HEALTH_IMAGE_STORE], "out of memory");
		return;
	}
	self_check_image_budget(image_store_bytes(images), c->image_store_budget, images,
				&round[HEALTH_IMAGE_STORE]);
}

/* The table of cgroup drivers and the choice among them. A new driver is one more line here,
 * before the drivers it should be preferred to. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/cgroup_driver.h"

const struct cgroup_driver *const cgroup_drivers[] = {
	&cgroup_driver_delegated,
	&cgroup_driver_systemd,
	&cgroup_driver_cgroupfs,
	NULL,
};

static const struct cgroup_driver *chosen;
static int choose_result;
static struct error choose_error;

const struct cgroup_driver *cgroup_driver_by_name(const char *name)
{
	for (size_t i = 0; cgroup_drivers[i]; i++)
		if (!strcmp(cgroup_drivers[i]->name, name))
			return cgroup_drivers[i];
	return NULL;
}

int cgroup_driver_names(char **ret_csv)
{
	char buf[256] = "";
	for (size_t i = 0; cgroup_drivers[i]; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? ", " : "",
			 cgroup_drivers[i]->name);
	char *csv = strdup(buf);
	if (!csv)
		return -ENOMEM;
	*ret_csv = csv;
	return 0;
}

static int choose_by_name(const char *name, struct error *err)
{
	const struct cgroup_driver *d = cgroup_driver_by_name(name);
	if (!d) {
		char *names = NULL;
		int r = error_set(err, EINVAL, "unknown cgroup driver '%s' (known: %s)", name,
				  cgroup_driver_names(&names) < 0 ? "?" : names);
		free(names);
		return r;
	}
	int r = d->usable(true, err);
	if (r < 0)
		return error_wrap(err, "cgroup driver %s", name);
	chosen = d;
	return 0;
}

static void choose_once(void)
{
	const char *name = getenv(CGROUP_DRIVER_ENV);
	if (name && *name) {
		choose_result = choose_by_name(name, &choose_error);
		if (choose_result >= 0)
			return;
	} else
		for (size_t i = 0; cgroup_drivers[i]; i++) {
			struct error ignored = { 0 };
			if (cgroup_drivers[i]->usable(false, &ignored) == 0) {
				chosen = cgroup_drivers[i];
				return;
			}
		}
	/* cgroupfs needs nothing but the files: it is the driver of last resort. */
	chosen = &cgroup_driver_cgroupfs;
}

static void choose(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, choose_once);
}

const struct cgroup_driver *cgroup_driver_choose(void)
{
	choose();
	return chosen;
}

int cgroup_driver_check(const struct cgroup_driver **ret, struct error *err)
{
	choose();
	if (choose_result < 0)
		return error_set(err, -choose_result, "%s", choose_error.message);
	*ret = chosen;
	return 0;
}

/* The table of cgroup drivers and the choice among them. A new driver is one more line here,
 * before the drivers it should be preferred to. */
#include <pthread.h>
#include <stddef.h>

#include "cgroups/cgroup_driver.h"

const struct cgroup_driver *const cgroup_drivers[] = {
	&cgroup_driver_cgroupfs,
	NULL,
};

static const struct cgroup_driver *chosen;

static void choose_once(void)
{
	for (size_t i = 0; cgroup_drivers[i]; i++)
		if (cgroup_drivers[i]->usable()) {
			chosen = cgroup_drivers[i];
			return;
		}
	/* cgroupfs needs nothing but the files: it is the driver of last resort. */
	chosen = &cgroup_driver_cgroupfs;
}

const struct cgroup_driver *cgroup_driver_choose(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, choose_once);
	return chosen;
}

/* Choosing the daemon's cgroup driver (agent/daemon/daemon_cgroups.h). */
#include <stdlib.h>

#include "agent/daemon/daemon_cgroups.h"
#include "cgroups/cgroup.h"
#include "cgroups/cgroup_driver.h"
#include "common/cleanup.h"
#include "common/log.h"

int daemon_cgroups_setup(const char *name)
{
	/* Set before the first choice so that the driver sees it was asked for by name, and
	 * left set for the monitors, which must name and create cgroups as the agent does. */
	if (name && setenv(CGROUP_DRIVER_ENV, name, 1) < 0) {
		log_error("Cannot set %s: %m", CGROUP_DRIVER_ENV);
		return -1;
	}
	const struct cgroup_driver *driver;
	struct error err = { 0 };
	if (cgroup_driver_check(&driver, &err) < 0) {
		log_error("%s", err.message);
		return -1;
	}
	if (!name && setenv(CGROUP_DRIVER_ENV, driver->name, 1) < 0) {
		log_error("Cannot set %s: %m", CGROUP_DRIVER_ENV);
		return -1;
	}
	/* A driver asked for by name that would not be this host's default says why. */
	struct error caveat = { 0 };
	if (name && driver->usable(false, &caveat) < 0)
		log_warning("cgroup driver %s: %s", driver->name, caveat.message);
	if (cgroup_prepare(&err) < 0) {
		log_error("cgroup driver %s: %s", driver->name, err.message);
		return -1;
	}
	_cleanup_free_ char *root = NULL;
	if (driver->tree_root(&root, &err) < 0) {
		log_error("cgroup driver %s: %s", driver->name, err.message);
		return -1;
	}
	log_info("cgroup driver %s: tasks below /%s", driver->name, root);
	return 0;
}

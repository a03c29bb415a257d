/* The daemon's cgroup driver: chosen once at start, before the first task. */
#pragma once

/* Choose the driver (NAME, from --cgroup-driver or $TETHER_CGROUP_DRIVER; NULL: the default
 * for this host), hand the choice on to the monitors through the environment, and let the
 * driver lay its tree out. Logs and returns -1 when the agent cannot go on. */
int daemon_cgroups_setup(const char *name);

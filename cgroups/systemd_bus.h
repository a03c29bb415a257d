/* Talking to systemd's manager over sd-bus for the systemd cgroup driver: start a transient
 * unit and wait for its job, stop a unit, change a unit's properties. Each operation opens
 * its own connection (systemd's private socket as root, else the system bus) and blocks
 * until systemd's job ends or SYSTEMD_JOB_TIMEOUT_SEC passes: the caller's thread waits a few
 * milliseconds per unit. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroups/systemd_unit.h"
#include "common/error.h"

#define SYSTEMD_JOB_TIMEOUT_SEC 30

struct systemd_unit_spec {
	const char *name;        /* "tether-x.slice", "tether-x-y.scope" */
	const char *description;
	const char *slice;       /* the slice a scope goes in; NULL for a slice (its name says) */
	pid_t pid;               /* a scope's first process */
	bool delegate;           /* Delegate=yes: the unit's subtree is its processes' to manage */
	const struct systemd_property *properties;
	size_t n_properties;
};

/* Open the connection now (the daemon's start), so that a host where systemd cannot be
 * reached says so before any task. */
int systemd_bus_connect(struct error *err);

/* StartTransientUnit(SPEC) and wait for its job: 0 when the job's result is "done"; -EEXIST
 * when a unit of that name is loaded already; else an error naming the unit and systemd's
 * reason or job result. */
int systemd_bus_start_unit(const struct systemd_unit_spec *spec, struct error *err);

/* StopUnit(NAME) and wait for its job; a unit systemd does not know is stopped already. */
int systemd_bus_stop_unit(const char *name, struct error *err);

/* SetUnitProperties(NAME, runtime) with PROPERTIES. */
int systemd_bus_set_properties(const char *name, const struct systemd_property *properties,
			       size_t n_properties, struct error *err);

/* The manager's SystemState ("running", "degraded", "stopping" while the host shuts down...),
 * in *RET, to be freed. */
int systemd_bus_system_state(char **ret, struct error *err);

/* How this host mounts its cgroup hierarchies, read from /proc/self/mountinfo: where the
 * cgroup2 tree is, and whether v1 hierarchies (which hold controllers away from it) are
 * mounted beside it. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

enum cgroup_mode {
	CGROUP_MODE_UNIFIED, /* cgroup2 alone: every controller can be in it */
	CGROUP_MODE_HYBRID,  /* cgroup2 beside v1 hierarchies, which keep their controllers */
	CGROUP_MODE_LEGACY,  /* no cgroup2 at all */
};

struct cgroup_layout {
	char *v2_mount; /* NULL when no cgroup2 hierarchy is mounted */
	bool has_v1;    /* a hierarchy of type "cgroup" is mounted */
};

/* From the text of a mountinfo file (proc(5)); lines that are not mount lines are skipped. */
int cgroup_layout_parse(const char *mountinfo, struct cgroup_layout *ret, struct error *err);
/* From this process's /proc/self/mountinfo. */
int cgroup_layout_read(struct cgroup_layout *ret, struct error *err);
void cgroup_layout_release(struct cgroup_layout *l);

enum cgroup_mode cgroup_layout_mode(const struct cgroup_layout *l);
/* "unified", "hybrid", "legacy". */
const char *cgroup_mode_name(enum cgroup_mode mode);

/* Finding the subtree systemd delegated to this process. A service with Delegate=yes owns its
 * unit's cgroup and everything below it, nothing above; systemd 252 marks such a cgroup with
 * the extended attribute trusted.delegate=1. The delegated driver keeps the agent and every
 * task inside that subtree:
 *
 *   <root>/agent                   the agent and the tether-monitor processes it spawns
 *   <root>/tasks/<task>/<container> one cgroup per task, one leaf per container
 *
 * Processes live only in leaves: the root and "tasks" are inner nodes. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

#define CGROUP_DELEGATION_AGENT_LEAF "agent"
#define CGROUP_DELEGATION_TASKS "tasks"

/* Where the delegated subtree is, for a process in cgroup OWN. */
struct cgroup_delegation {
	char *root;         /* relative to the cgroup2 mount, never "" (the root is systemd's) */
	bool in_agent_leaf; /* OWN is <root>/agent already: nothing needs to move */
};

/* The cgroup v2 path of a process from the text of /proc/PID/cgroup ("0::/a/b" gives "a/b",
 * "0::/" gives ""); -ENOENT when the text has no v2 line. */
int cgroup_self_path_parse(const char *proc_cgroup_text, char **ret);

/* Decide the delegated root for a process in cgroup OWN (relative to the mount). OWN_MARKED
 * and PARENT_MARKED say whether systemd marked OWN and its parent delegated; CHOSEN that the
 * delegated driver was asked for by name, which stands for a mark (another manager may have
 * delegated without one). A process in <root>/agent belongs to <root>. -ENOENT when nothing
 * is delegated here, -EPERM when the only candidate is the tree's root. */
int cgroup_delegation_decide(const char *own, bool own_marked, bool parent_marked, bool chosen,
			     struct cgroup_delegation *ret, struct error *err);

/* The same for this process: reads /proc/self/cgroup and the marks below MOUNT. */
int cgroup_delegation_detect(const char *mount, bool chosen, struct cgroup_delegation *ret,
			     struct error *err);

/* Whether systemd would place its next start of this service where the old one's tasks do not
 * block it. The kernel refuses a process in a cgroup whose subtree_control is not empty, so
 * a systemd that starts the main process in <root> itself (before DelegateSubgroup=, systemd
 * 254) cannot start the agent again while containers run below <root>. */
bool cgroup_delegation_survives_restart(const struct cgroup_delegation *d);

void cgroup_delegation_release(struct cgroup_delegation *d);

/* "<root>/agent", "<root>/tasks", "<root>/tasks/<task>", "<root>/tasks/<task>/<container>". */
int cgroup_delegation_agent_path(const char *root, char **ret, struct error *err);
int cgroup_delegation_tasks_path(const char *root, char **ret, struct error *err);
int cgroup_delegation_task_path(const char *root, const char *task_id, char **ret,
				struct error *err);
int cgroup_delegation_container_path(const char *root, const char *task_id,
				     const char *container, char **ret, struct error *err);

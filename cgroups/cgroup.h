/* cgroup v2: the one interface the agent and the monitor use; the driver behind it is picked
 * once at start-up (cgroups/cgroup_driver.h), and it names the cgroups of tasks and
 * containers. Paths given to these functions are relative to the v2 mount; processes live
 * only in leaves (no-internal-processes). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* The controllers the agent can use for its tasks, comma-separated in kernel order
 * ("cpu,io,memory,pids"), or "" when the v2 tree has none (hybrid hosts): those of the
 * driver's tree (the mount's root, or the delegated cgroup). The caller frees. */
int cgroup_available_controllers(char **ret_csv, struct error *err);
/* The text of a cgroup.controllers file ("cpu io memory pids\n") made into that list, in
 * place. */
void cgroup_controllers_to_csv(char *text);

/* Where the cgroup2 hierarchy is mounted (/sys/fs/cgroup, or .../unified on hybrid hosts). */
int cgroup_mount_point(char **ret_path, struct error *err);

/* Limits of one cgroup; a zero field is not set. */
struct cgroup_limits {
	uint32_t cpu_units;         /* 1024 = one CPU: cpu.weight, and cpu.max when cpu_hard */
	bool cpu_hard;              /* cap at cpu_units (ECS task-level cpu); else a share only */
	uint64_t memory_max_bytes;  /* memory.max */
	uint64_t memory_low_bytes;  /* memory.low */
	uint64_t pids_max;          /* pids.max */
};

/* cpu units to cpu.weight (1..10000), and to the cpu time allowed per PERIOD_USEC when the
 * cap is hard (cpu.max's quota; systemd's CPUQuotaPerSecUSec with a period of one second). */
uint64_t cgroup_cpu_weight(uint32_t units);
uint64_t cgroup_cpu_quota_usec(uint32_t units, uint64_t period_usec);

/* The controllers a set of limits needs, comma-separated ("cpu,memory"); "" when none. */
int cgroup_limits_controllers(const struct cgroup_limits *limits, char **ret_csv);

/* Once, in the agent, before its first task: the driver lays its tree out (the delegated
 * driver moves the agent into its leaf). */
int cgroup_prepare(struct error *err);

/* Create the cgroup and its missing parents, enabling in each parent's subtree_control the
 * controllers the host offers. An existing cgroup is accepted. */
int cgroup_create(const char *path, struct error *err);
/* Create the cgroup of a container for its tether-monitor PID, spawned and waiting to be
 * told to go on: the systemd driver starts the container's scope with PID as its first
 * process and moves it into the scope's monitor leaf; the other drivers create PATH as
 * cgroup_create does and leave PID where it was spawned. */
int cgroup_create_for_monitor(const char *path, pid_t pid, struct error *err);
/* Directory descriptor of the cgroup (O_PATH|O_DIRECTORY|O_CLOEXEC) for CLONE_INTO_CGROUP. */
int cgroup_open(const char *path, int *ret_fd, struct error *err);
/* Write limits; -EOPNOTSUPP naming the missing controller when it is not enabled there. */
int cgroup_set_limits(const char *path, const struct cgroup_limits *limits, struct error *err);
/* Kill every process of the cgroup (cgroup.kill, or SIGKILL to each pid until empty). */
int cgroup_kill(const char *path, struct error *err);
/* True while any process lives in the cgroup or below (cgroup.events "populated 1"). */
int cgroup_is_populated(const char *path, bool *ret, struct error *err);
/* The oom_kill counter of memory.events; -ENOENT when the memory controller is absent. */
int cgroup_oom_kills(const char *path, uint64_t *ret, struct error *err);
/* Remove the cgroup and its child cgroups (deepest first); a missing cgroup is not an error,
 * a populated one is -EBUSY. */
int cgroup_remove(const char *path, struct error *err);

/* What a cgroup has used, from its files. A controller that is not enabled there leaves its
 * fields at 0 with its has_ flag false; that is not an error. */
struct cgroup_stats {
	uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec; /* cpu.stat */
	bool has_cpu_throttling;
	uint64_t cpu_throttled_usec, cpu_nr_throttled;           /* cpu.stat, cpu controller */
	bool has_memory;
	uint64_t memory_current_bytes;                           /* memory.current */
	bool has_memory_peak;                                    /* memory.peak: kernel 5.19+ */
	uint64_t memory_peak_bytes;
	bool has_pids;
	uint64_t pids_current;                                   /* pids.current */
	bool has_io;
	uint64_t io_read_bytes, io_write_bytes;                  /* io.stat, all devices */
};

int cgroup_read_stats(const char *path, struct cgroup_stats *ret, struct error *err);

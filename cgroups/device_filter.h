/* A cgroup's device filter. cgroup v2 has no devices.allow file: the kernel asks a BPF
 * program of type BPF_PROG_TYPE_CGROUP_DEVICE, attached to the cgroup, before a process in it
 * (or below it) opens a device node or makes one with mknod, and refuses with EPERM what the
 * program does not allow. The program is built here from a list of rules, a few instructions
 * per rule, and loaded with the bpf(2) system call. It works whatever controllers the v2
 * hierarchy has, so on hybrid hosts too. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* What a rule allows, as the kernel encodes it (BPF_DEVCG_ACC_* of linux/bpf.h). */
enum {
	CGROUP_DEVICE_MKNOD = 1u << 0,
	CGROUP_DEVICE_READ = 1u << 1,
	CGROUP_DEVICE_WRITE = 1u << 2,
	CGROUP_DEVICE_RWM = CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE | CGROUP_DEVICE_MKNOD,
};

#define CGROUP_DEVICE_ANY (-1) /* a major or minor number that matches every number */

struct cgroup_device_rule {
	char type;       /* 'c' (character device) or 'b' (block device) */
	int32_t major;   /* or CGROUP_DEVICE_ANY */
	int32_t minor;   /* or CGROUP_DEVICE_ANY */
	unsigned access; /* CGROUP_DEVICE_* bits: an access asking for more is not matched */
};

/* Give the cgroup (CGROUP_FD: its folder, O_PATH is enough) a filter that allows exactly
 * RULES, replacing the filter it had, if any; every other open or mknod of a device by its
 * processes fails with EPERM. Call it before the cgroup's first process enters. */
int cgroup_device_filter_attach(int cgroup_fd, const struct cgroup_device_rule *rules,
				size_t n_rules, struct error *err);

/* Whether this kernel and our privileges load device filters at all (a kernel built without
 * CONFIG_CGROUP_BPF, or bpf(2) refused by a security policy, do not): 0, or -errno with the
 * reason in err. Loads a program that refuses everything and drops it again. */
int cgroup_device_filter_probe(struct error *err);

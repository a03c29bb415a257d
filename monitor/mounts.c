/* Mounts are made with the new mount API: open_tree takes a detached copy of a source while
 * the host's tree is still reachable, mount_setattr sets its flags before anyone can see it,
 * and move_mount attaches it to a descriptor resolved inside the container's root
 * (mount_target.c), so no path is looked up twice and none outside the root. */
#include "monitor/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "container/state_folder.h"
#include "monitor/devices.h"
#include "monitor/mount_target.h"
#include "monitor/rootfs.h"
#include "monitor/setup_die.h"

static const char *const name_files[][2] = {
	{ CONTAINER_HOSTS_FILE, "/etc/hosts" },
	{ CONTAINER_HOSTNAME_FILE, "/etc/hostname" },
	{ CONTAINER_RESOLV_FILE, "/etc/resolv.conf" },
};
#define N_NAME_FILES ELEMENTSOF(name_files)

int mounts_clone_tree(int dirfd, const char *path, unsigned flags, uint64_t attrs)
{
	int fd = open_tree(dirfd, path, flags | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		setup_die("open_tree %s: %s", path[0] ? path : "(fd)", strerror(errno));
	struct mount_attr attr = { .attr_set = attrs, .propagation = MS_PRIVATE };
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		setup_die("mount_setattr %s: %s", path[0] ? path : "(fd)", strerror(errno));
	return fd;
}

void mounts_attach_tree(int tree_fd, int target_fd, const char *dest)
{
	if (move_mount(tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		setup_die("mount on %s: %s", dest, strerror(errno));
}

void mounts_prepare(const struct container_setup *s, struct prepared_mounts *pm)
{
	const struct container_storage *st = &s->cfg->storage;
	const struct container_devices *devices = &s->cfg->devices;
	pm->tree_fds = calloc(N_NAME_FILES + st->n_mounts, sizeof(int));
	pm->device_fds = calloc(devices->n ? devices->n : 1, sizeof(int));
	if (!pm->tree_fds || !pm->device_fds)
		setup_die("mounts: out of memory");
	/* As Docker: the name files follow a read-only root; volumes are nosuid and nodev. */
	uint64_t name_attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
			      (st->readonly_root ? MOUNT_ATTR_RDONLY : 0);
	for (size_t i = 0; i < N_NAME_FILES; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", s->folder, name_files[i][0]);
		pm->tree_fds[pm->n++] = mounts_clone_tree(AT_FDCWD, path, 0, name_attrs);
	}
	for (size_t i = 0; i < st->n_mounts; i++) {
		const struct container_mount *m = &st->mounts[i];
		pm->tree_fds[pm->n++] = !m->source ? -1 :
			mounts_clone_tree(AT_FDCWD, m->source, 0, MOUNT_ATTR_NOSUID |
					  MOUNT_ATTR_NODEV | (m->read_only ? MOUNT_ATTR_RDONLY : 0));
	}
	for (size_t i = 0; i < devices->n; i++)
		pm->device_fds[i] = devices_clone_host_node(&devices->items[i]);
}

static int open_root(void)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		setup_die("open /: %s", strerror(errno));
	return fd;
}

static int target_or_die(int root, const char *dest, bool directory)
{
	const char *failed;
	int fd = mount_target_open(root, dest, directory, &failed);
	if (fd < 0)
		setup_die("mount point %s: %s: %s", dest, failed ? failed : dest, strerror(-fd));
	return fd;
}

static void mount_tmpfs(int root, const struct container_mount *m)
{
	_cleanup_close_ int target = target_or_die(root, m->destination, true);
	char via[64];
	snprintf(via, sizeof(via), "/proc/self/fd/%d", target);
	const unsigned long propagation = MS_PRIVATE | MS_SHARED | MS_SLAVE | MS_UNBINDABLE | MS_REC;
	unsigned long flags = (unsigned long)m->tmpfs_flags | (m->read_only ? MS_RDONLY : 0);
	if (mount("tmpfs", via, "tmpfs", flags & ~propagation, m->tmpfs_options) < 0)
		setup_die("mount tmpfs on %s: %s", m->destination, strerror(errno));
	if (!(flags & propagation))
		return;
	/* Propagation is a separate call on the new mount: the old descriptor names the folder
	 * under it, so the destination is resolved again (crossing into the tmpfs). */
	_cleanup_close_ int mounted = mount_target_open_existing(root, m->destination);
	if (mounted < 0)
		setup_die("tmpfs on %s: %s", m->destination, strerror(-mounted));
	snprintf(via, sizeof(via), "/proc/self/fd/%d", mounted);
	if (mount(NULL, via, NULL, flags & propagation, NULL) < 0)
		setup_die("tmpfs propagation on %s: %s", m->destination, strerror(errno));
}

void mounts_attach(const struct container_setup *s, struct prepared_mounts *pm)
{
	const struct container_storage *st = &s->cfg->storage;
	_cleanup_close_ int root = open_root();
	for (size_t i = 0; i < pm->n; i++) {
		const struct container_mount *m = i < N_NAME_FILES ? NULL : &st->mounts[i - N_NAME_FILES];
		const char *dest = m ? m->destination : name_files[i][1];
		if (m && !m->source) {
			mount_tmpfs(root, m);
			continue;
		}
		struct stat sb;
		if (fstat(pm->tree_fds[i], &sb) < 0)
			setup_die("mount source for %s: %s", dest, strerror(errno));
		_cleanup_close_ int target = target_or_die(root, dest, S_ISDIR(sb.st_mode));
		mounts_attach_tree(pm->tree_fds[i], target, dest);
		close(pm->tree_fds[i]);
		pm->tree_fds[i] = -1;
	}
	/* Devices last: one inside a tmpfs or volume of the task is not hidden by it. */
	const struct container_devices *devices = &s->cfg->devices;
	for (size_t i = 0; i < devices->n; i++) {
		const char *dest = devices->items[i].container_path;
		_cleanup_close_ int target = target_or_die(root, dest, false);
		mounts_attach_tree(pm->device_fds[i], target, dest);
		close(pm->device_fds[i]);
	}
	free(pm->tree_fds);
	free(pm->device_fds);
	*pm = (struct prepared_mounts){ 0 };
}

/* Docker's defaults (moby's oci/defaults.go): what a container must not read, and what it
 * must not write, of the kernel's views. */
static const char *const masked_paths[] = {
	"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware", "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static void mask_one(int root, const char *path)
{
	_cleanup_close_ int target = mount_target_open_existing(root, path);
	if (target == -ENOENT)
		return; /* what this kernel does not have needs no mask */
	if (target < 0)
		setup_die("mask %s: %s", path, strerror(-target));
	struct stat sb;
	if (fstat(target, &sb) < 0)
		setup_die("mask %s: %s", path, strerror(errno));
	if (!S_ISDIR(sb.st_mode)) {
		/* Files read as empty: /dev/null over them. */
		_cleanup_close_ int tree = mounts_clone_tree(AT_FDCWD, "/dev/null", 0,
							     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
							     MOUNT_ATTR_NOEXEC);
		mounts_attach_tree(tree, target, path);
		return;
	}
	/* Folders show as empty: a read-only tmpfs over them. */
	char via[64];
	snprintf(via, sizeof(via), "/proc/self/fd/%d", target);
	if (mount("tmpfs", via, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0555") < 0)
		setup_die("mask %s: %s", path, strerror(errno));
}

static void make_readonly(int root, const char *path)
{
	_cleanup_close_ int target = mount_target_open_existing(root, path);
	if (target == -ENOENT)
		return;
	if (target < 0)
		setup_die("read-only %s: %s", path, strerror(-target));
	_cleanup_close_ int tree = mounts_clone_tree(target, "", AT_EMPTY_PATH,
						     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
						     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	mounts_attach_tree(tree, target, path);
}

void mounts_mask_kernel_paths(void)
{
	_cleanup_close_ int root = open_root();
	for (size_t i = 0; i < ELEMENTSOF(readonly_paths); i++)
		make_readonly(root, readonly_paths[i]);
	for (size_t i = 0; i < ELEMENTSOF(masked_paths); i++)
		mask_one(root, masked_paths[i]);
}

void mounts_make_root_readonly(void)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof(attr)) < 0)
		setup_die("read-only root: %s", strerror(errno));
}

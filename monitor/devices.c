#include "monitor/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroups/device_filter.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "monitor/mounts.h"
#include "monitor/rootfs.h"
#include "monitor/setup_die.h"

/* Docker's default nodes, which every container finds in its /dev. */
static const struct {
	const char *path;
	int32_t major, minor;
} default_nodes[] = {
	{ "/dev/null", 1, 3 },    { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 },  { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

/* The terminals of the container's own devpts instance: /dev/ptmx (pts/ptmx) is 5:2, the
 * terminals 136:N. The kernel opens such nodes only inside a devpts file system, so a node
 * made elsewhere reaches no other instance's terminals. Docker's rules also allow 5:1
 * (console) and the mknod of any device; tether makes no console, and the mknod of other
 * devices stays refused: a node made in a volume would open on the host, whose mount of
 * that folder is not nodev. */
static const struct cgroup_device_rule pty_rules[] = {
	{ 'c', 5, 2, CGROUP_DEVICE_RWM },
	{ 'c', 136, CGROUP_DEVICE_ANY, CGROUP_DEVICE_RWM },
};

static int find_host_device(struct container_device *d, struct error *err)
{
	struct stat sb;
	if (stat(d->host_path, &sb) < 0)
		return error_set_errno(err, errno, "linuxParameters.devices: %s", d->host_path);
	if (!S_ISCHR(sb.st_mode) && !S_ISBLK(sb.st_mode))
		return error_set(err, EINVAL, "linuxParameters.devices: %s is not a character or "
				 "block device", d->host_path);
	d->type = sb.st_mode & S_IFMT;
	d->rdev = sb.st_rdev;
	return 0;
}

int devices_restrict_cgroup(int cgroup_fd, struct container_config *cfg, struct error *err)
{
	struct container_devices *devices = &cfg->devices;
	size_t n = ELEMENTSOF(default_nodes) + ELEMENTSOF(pty_rules) + devices->n, k = 0;
	_cleanup_free_ struct cgroup_device_rule *rules = calloc(n, sizeof(*rules));
	if (!rules)
		return error_set(err, ENOMEM, "device filter");
	for (size_t i = 0; i < ELEMENTSOF(default_nodes); i++)
		rules[k++] = (struct cgroup_device_rule){ 'c', default_nodes[i].major,
							  default_nodes[i].minor, CGROUP_DEVICE_RWM };
	for (size_t i = 0; i < ELEMENTSOF(pty_rules); i++)
		rules[k++] = pty_rules[i];
	for (size_t i = 0; i < devices->n; i++) {
		struct container_device *d = &devices->items[i];
		int r = find_host_device(d, err);
		if (r < 0)
			return r;
		rules[k++] = (struct cgroup_device_rule){ S_ISBLK(d->type) ? 'b' : 'c',
							  (int32_t)major(d->rdev),
							  (int32_t)minor(d->rdev), d->access };
	}
	struct error filter_err = { 0 };
	if (cgroup_device_filter_attach(cgroup_fd, rules, k, &filter_err) == 0)
		return 0;
	/* Only the filter can keep a given device to its permissions, and the container from
	 * the host's other devices beside it. */
	if (devices->n)
		return error_set(err, filter_err.code, "linuxParameters.devices cannot be granted on "
				 "this host: %s", filter_err.message);
	/* Without it the nodev mounts still keep any node the container makes from opening
	 * inside; without MKNOD it cannot leave one in a volume for the host either. */
	cfg->security.capabilities &= ~(UINT64_C(1) << CAP_MKNOD);
	log_warning("No cgroup device filter (%s): the container runs without MKNOD; its nodev "
		    "mounts keep device nodes from opening", filter_err.message);
	return 0;
}

int devices_clone_host_node(const struct container_device *d)
{
	/* Read-only: the node is the host's own, and a chmod, chown or touch from the container
	 * must not change it. Reading and writing the device are not writes to the mount. */
	int fd = mounts_clone_tree(AT_FDCWD, d->host_path, 0,
				   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		setup_die("linuxParameters.devices: %s: %s", d->host_path, strerror(errno));
	if ((sb.st_mode & S_IFMT) != d->type || sb.st_rdev != d->rdev)
		setup_die("linuxParameters.devices: %s changed while the container started",
			  d->host_path);
	return fd;
}

void devices_make_default_nodes(void)
{
	mode_t old = umask(0);
	for (size_t i = 0; i < ELEMENTSOF(default_nodes); i++)
		if (mknod(default_nodes[i].path, S_IFCHR | 0666,
			  makedev(default_nodes[i].major, default_nodes[i].minor)) < 0)
			setup_die("mknod %s: %s", default_nodes[i].path, strerror(errno));
	umask(old);
	/* Each node bound onto itself is a mount of its own, which keeps the flags of /dev as
	 * they are now (no nodev) when /dev itself turns nodev below. */
	for (size_t i = 0; i < ELEMENTSOF(default_nodes); i++) {
		const char *path = default_nodes[i].path;
		_cleanup_close_ int tree = mounts_clone_tree(AT_FDCWD, path, 0,
							     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
		_cleanup_close_ int target = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0)
			setup_die("open %s: %s", path, strerror(errno));
		mounts_attach_tree(tree, target, path);
	}
	struct mount_attr nodev = { .attr_set = MOUNT_ATTR_NODEV };
	if (mount_setattr(AT_FDCWD, "/dev", 0, &nodev, sizeof(nodev)) < 0)
		setup_die("nodev on /dev: %s", strerror(errno));
}

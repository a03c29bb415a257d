/* Building the container's root inside its new mount namespace. The overlay is mounted here
 * (not by the monitor) so that it lives and dies with the namespace: no mount is left behind
 * on the host when the container ends. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "monitor/devices.h"
#include "monitor/mount_target.h"
#include "monitor/mounts.h"
#include "monitor/rootfs.h"
#include "monitor/setup_die.h"

static void mount_or_die(const char *src, const char *target, const char *type,
			 unsigned long flags, const char *data)
{
	if (mount(src, target, type, flags, data) < 0)
		setup_die("mount %s on %s: %s", type ? type : src ? src : "(propagation)", target, strerror(errno));
}

static void mkdir_or_die(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		setup_die("mkdir %s: %s", path, strerror(errno));
}

static void mount_overlay(const struct container_config *cfg, const char *rootfs,
			  const char *upper, const char *work)
{
	size_t n = 0;
	while (cfg->layers[n])
		n++;
	if (n == 0)
		setup_die("rootfs: the image has no layers");
	/* overlayfs splits its options at ',' and lower dirs at ':'; such paths cannot be
	 * passed through, so refuse them clearly. */
	const char *paths[] = { upper, work };
	for (size_t i = 0; i < n + 2; i++) {
		const char *p = i < n ? cfg->layers[i] : paths[i - n];
		if (strpbrk(p, ",:"))
			setup_die("rootfs: overlayfs cannot use a path with ',' or ':' (%s)", p);
	}
	char opts[8192];
	size_t len = (size_t)snprintf(opts, sizeof(opts), "lowerdir=");
	/* overlayfs lists lower dirs top first; the image lists layers lowest first. */
	for (size_t i = n; i-- > 0 && len < sizeof(opts);)
		len += (size_t)snprintf(opts + len, sizeof(opts) - len, "%s%s", cfg->layers[i],
					i ? ":" : "");
	if (len < sizeof(opts))
		len += (size_t)snprintf(opts + len, sizeof(opts) - len, ",upperdir=%s,workdir=%s",
					upper, work);
	if (len >= sizeof(opts))
		setup_die("rootfs: overlay options too long (%zu layers)", n);
	/* nodev: a device node the image ships, or the container makes, does not open. */
	mount_or_die("overlay", rootfs, "overlay", MS_NODEV, opts);
}

static void make_dev(uint32_t shm_size_mib)
{
	static const struct { const char *target, *link; } links[] = {
		{ "/proc/self/fd", "/dev/fd" },      { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
		{ "pts/ptmx", "/dev/ptmx" },         { "/proc/kcore", "/dev/core" },
	};
	mount_or_die("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	devices_make_default_nodes(); /* and /dev turns nodev */
	mkdir_or_die("/dev/pts", 0755);
	mount_or_die("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620");
	mkdir_or_die("/dev/shm", 01777);
	char shm_opts[64];
	snprintf(shm_opts, sizeof(shm_opts), "mode=1777,size=%uk", shm_size_mib * 1024u);
	mount_or_die("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, shm_opts);
	/* POSIX message queues of the container's own IPC namespace. */
	mkdir_or_die("/dev/mqueue", 01777);
	mount_or_die("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i].target, links[i].link) < 0)
			setup_die("symlink %s: %s", links[i].link, strerror(errno));
}

/* The working directory is created before the root may turn read-only, resolved inside the
 * root like any mount point. */
static void make_working_directory(const char *cwd)
{
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		setup_die("open /: %s", strerror(errno));
	const char *failed;
	int fd = mount_target_open(root, cwd, true, &failed);
	close(root);
	if (fd < 0)
		setup_die("working directory %s: %s: %s", cwd, failed ? failed : cwd, strerror(-fd));
	close(fd);
}

void rootfs_setup(const struct container_setup *s)
{
	const struct container_config *cfg = s->cfg;
	const char *rootfs = s->rootfs;
	/* Nothing mounted from here on may propagate back to the host. */
	mount_or_die(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mount_overlay(cfg, rootfs, s->upper, s->work);
	mount_or_die(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
	struct prepared_mounts pm = { 0 };
	mounts_prepare(s, &pm);
	if (chdir(rootfs) < 0)
		setup_die("chdir %s: %s", rootfs, strerror(errno));
	mkdir_or_die("proc", 0555);
	mkdir_or_die("dev", 0755);
	mkdir_or_die("sys", 0555);
	/* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
	 * only the container's files reachable. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		setup_die("pivot_root %s: %s", rootfs, strerror(errno));
	if (umount2(".", MNT_DETACH) < 0)
		setup_die("detach the old root: %s", strerror(errno));
	if (chdir("/") < 0)
		setup_die("chdir /: %s", strerror(errno));
	mount_or_die("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	make_dev(cfg->storage.shm_size_mib);
	mount_or_die("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mounts_attach(s, &pm);
	mounts_mask_kernel_paths();
	make_working_directory(cfg->cwd);
	if (cfg->storage.readonly_root)
		mounts_make_root_readonly();
}

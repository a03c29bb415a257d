/* The cgroupfs driver: direct reads and writes below the cgroup2 mount. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroupfs.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/parse.h"

#define CGROUP_FILE_MAX (64 * 1024)

/* Relative, no "." or ".." components, no empty components: a path can never leave the
 * hierarchy. */
static int check_path(const char *path, struct error *err)
{
	if (!path || !*path || path[0] == '/' || strlen(path) > 1024)
		return error_set(err, EINVAL, "invalid cgroup path '%s'", path ? path : "");
	const char *p = path;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return error_set(err, EINVAL, "invalid cgroup path '%s'", path);
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

int cgroupfs_dir(const char *mount, const char *path, char **ret, struct error *err)
{
	int r = check_path(path, err);
	if (r < 0)
		return r;
	if (asprintf(ret, "%s/%s", mount, path) < 0) {
		*ret = NULL;
		return error_set(err, ENOMEM, "cgroup %s", path);
	}
	return 0;
}

static int write_value(const char *dir, const char *file, const char *value)
{
	_cleanup_free_ char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = strlen(value);
	ssize_t w = write(fd, value, n);
	if (w < 0)
		return -errno;
	return (size_t)w == n ? 0 : -EIO;
}

/* Best effort: enable in DIR's subtree_control every controller DIR itself has, so children
 * can be limited. Hosts without controllers (hybrid) simply have none to enable. */
void cgroupfs_enable_subtree(const char *dir)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	if (asprintf(&path, "%s/cgroup.controllers", dir) < 0)
		return;
	if (read_file_full(path, CGROUP_FILE_MAX, &data, NULL) < 0)
		return;
	char *save = NULL;
	for (char *tok = strtok_r(data, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		char value[64];
		snprintf(value, sizeof(value), "+%s", tok);
		(void)write_value(dir, "cgroup.subtree_control", value);
	}
}

int cgroupfs_create_levels(char *full, char *from, struct error *err)
{
	for (char *p = from + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(full, 0755) < 0 && errno != EEXIST)
			return error_set_errno(err, errno, "create cgroup %s", full);
		if (saved)
			cgroupfs_enable_subtree(full);
		*p = saved;
		if (!saved)
			return 0;
	}
}

int cgroupfs_create_below(const char *mount, const char *path, size_t root_len,
			  struct error *err)
{
	_cleanup_free_ char *full = NULL;
	int r = cgroupfs_dir(mount, path, &full, err);
	if (r < 0)
		return r;
	if (root_len >= strlen(path) || path[root_len] != '/')
		return error_set(err, EINVAL, "cgroup %s is not below %.*s", path, (int)root_len,
				 path);
	char *root_end = full + strlen(mount) + 1 + root_len;
	*root_end = '\0';
	cgroupfs_enable_subtree(full);
	*root_end = '/';
	return cgroupfs_create_levels(full, root_end, err);
}

int cgroupfs_move_process(const char *mount, const char *path, pid_t pid, struct error *err)
{
	_cleanup_free_ char *dir = NULL, *procs = NULL;
	int r = cgroupfs_dir(mount, path, &dir, err);
	if (r < 0)
		return r;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return error_set_errno(err, errno, "create cgroup %s", dir);
	if (asprintf(&procs, "%s/cgroup.procs", dir) < 0)
		return error_set(err, ENOMEM, "cgroup %s", path);
	char text[32];
	snprintf(text, sizeof(text), "%d", (int)pid);
	r = write_value(dir, "cgroup.procs", text);
	if (r < 0)
		return error_set_errno(err, r, "move process %d into %s", (int)pid, procs);
	return 0;
}

static int fs_create(const char *mount, const char *path, struct error *err)
{
	_cleanup_free_ char *full = NULL;
	int r = cgroupfs_dir(mount, path, &full, err);
	if (r < 0)
		return r;
	/* Walk down from the mount, creating each level and opening its controllers to the
	 * next one. */
	cgroupfs_enable_subtree(mount);
	return cgroupfs_create_levels(full, full + strlen(mount), err);
}

int cgroupfs_open(const char *mount, const char *path, int *ret_fd, struct error *err)
{
	_cleanup_free_ char *full = NULL;
	int r = cgroupfs_dir(mount, path, &full, err);
	if (r < 0)
		return r;
	int fd = open(full, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_set_errno(err, errno, "open cgroup %s", full);
	*ret_fd = fd;
	return 0;
}

int cgroupfs_create_leaf(const char *mount, const char *path, int *ret_fd, struct error *err)
{
	_cleanup_free_ char *full = NULL;
	int r = cgroupfs_dir(mount, path, &full, err);
	if (r < 0)
		return r;
	if (mkdir(full, 0755) < 0 && errno != EEXIST)
		return error_set_errno(err, errno, "create cgroup %s", full);
	return cgroupfs_open(mount, path, ret_fd, err);
}

static bool has_controller(const char *dir, const char *name)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	if (asprintf(&path, "%s/cgroup.controllers", dir) < 0)
		return false;
	if (read_file_full(path, CGROUP_FILE_MAX, &data, NULL) < 0)
		return false;
	char *save = NULL;
	for (char *tok = strtok_r(data, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

static int set_one(const char *dir, const char *controller, const char *file, const char *value,
		   struct error *err)
{
	if (!has_controller(dir, controller))
		return error_set(err, EOPNOTSUPP,
				 "%s: the %s controller is not enabled in cgroup %s", file,
				 controller, dir);
	int r = write_value(dir, file, value);
	if (r < 0)
		return error_set_errno(err, r, "write %s=%s in %s", file, value, dir);
	return 0;
}

int cgroupfs_set_limits(const char *mount, const char *path, const struct cgroup_limits *l,
			 struct error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = cgroupfs_dir(mount, path, &dir, err);
	if (r < 0)
		return r;
	char value[64];
	if (l->cpu_units) {
		snprintf(value, sizeof(value), "%" PRIu64, cgroup_cpu_weight(l->cpu_units));
		if ((r = set_one(dir, "cpu", "cpu.weight", value, err)) < 0)
			return r;
	}
	if (l->cpu_units && l->cpu_hard) {
		snprintf(value, sizeof(value), "%" PRIu64 " 100000",
			 cgroup_cpu_quota_usec(l->cpu_units, 100000));
		if ((r = set_one(dir, "cpu", "cpu.max", value, err)) < 0)
			return r;
	}
	if (l->memory_max_bytes) {
		snprintf(value, sizeof(value), "%" PRIu64, l->memory_max_bytes);
		if ((r = set_one(dir, "memory", "memory.max", value, err)) < 0)
			return r;
	}
	if (l->memory_low_bytes) {
		snprintf(value, sizeof(value), "%" PRIu64, l->memory_low_bytes);
		if ((r = set_one(dir, "memory", "memory.low", value, err)) < 0)
			return r;
	}
	if (l->pids_max) {
		snprintf(value, sizeof(value), "%" PRIu64, l->pids_max);
		if ((r = set_one(dir, "pids", "pids.max", value, err)) < 0)
			return r;
	}
	return 0;
}

int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	int r = read_file_full(path, CGROUP_FILE_MAX, &data, NULL);
	if (r < 0)
		return r;
	size_t klen = strlen(key);
	for (char *line = data; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return parse_u64(line + klen + 1, 0, UINT64_MAX, ret);
		line = next;
	}
	return -ENOENT;
}

int cgroupfs_is_populated(const char *mount, const char *path, bool *ret, struct error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = cgroupfs_dir(mount, path, &dir, err);
	if (r < 0)
		return r;
	uint64_t v;
	r = cgroup_read_keyed(dir, "cgroup.events", "populated", &v);
	if (r < 0)
		return error_set_errno(err, r, "read %s/cgroup.events", dir);
	*ret = v != 0;
	return 0;
}

int cgroupfs_oom_kills(const char *mount, const char *path, uint64_t *ret, struct error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = cgroupfs_dir(mount, path, &dir, err);
	if (r < 0)
		return r;
	r = cgroup_read_keyed(dir, "memory.events", "oom_kill", ret);
	if (r < 0)
		return error_set_errno(err, r, "read %s/memory.events", dir);
	return 0;
}

/* Kernels before 5.14 have no cgroup.kill: SIGKILL every listed pid until the list is empty
 * (a fork racing the walk shows up in the next round). */
static int kill_by_procs(const char *dir, struct error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/cgroup.procs", dir) < 0)
		return error_set(err, ENOMEM, "cgroup kill");
	for (int round = 0; round < 100; round++) {
		_cleanup_free_ char *data = NULL;
		int r = read_file_full(path, 4 * 1024 * 1024, &data, NULL);
		if (r < 0)
			return error_set_errno(err, r, "read %s", path);
		bool any = false;
		char *save = NULL;
		for (char *tok = strtok_r(data, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
			uint64_t pid;
			if (parse_u64(tok, 1, INT32_MAX, &pid) == 0) {
				(void)kill((pid_t)pid, SIGKILL);
				any = true;
			}
		}
		if (!any)
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	return error_set(err, EBUSY, "processes of %s survive SIGKILL", dir);
}

int cgroupfs_kill(const char *mount, const char *path, struct error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = cgroupfs_dir(mount, path, &dir, err);
	if (r < 0)
		return r;
	r = write_value(dir, "cgroup.kill", "1");
	if (r == 0)
		return 0;
	if (r == -ENOENT) {
		struct stat st;
		if (stat(dir, &st) < 0)
			return error_set_errno(err, errno, "cgroup %s", dir);
		return kill_by_procs(dir, err);
	}
	return error_set_errno(err, r, "write %s/cgroup.kill", dir);
}

/* rmdir DIR after its child cgroups, deepest first. */
static int remove_recursive(const char *dir, struct error *err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return error_set_errno(err, errno, "open cgroup %s", dir);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *child = NULL;
		if (asprintf(&child, "%s/%s", dir, de->d_name) < 0)
			return error_set(err, ENOMEM, "cgroup %s", dir);
		int r = remove_recursive(child, err);
		if (r < 0)
			return r;
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return error_set_errno(err, errno, "remove cgroup %s", dir);
	return 0;
}

int cgroupfs_remove(const char *mount, const char *path, struct error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = cgroupfs_dir(mount, path, &dir, err);
	if (r < 0)
		return r;
	return remove_recursive(dir, err);
}

/* Plain files need no service: wherever a cgroup2 tree is mounted, cgroupfs works. */
static int fs_usable(bool chosen, struct error *err)
{
	(void)chosen;
	(void)err;
	return 0;
}

static int fs_tree_root(char **ret, struct error *err)
{
	char *root = strdup("");
	if (!root)
		return error_set(err, ENOMEM, "cgroup tree");
	*ret = root;
	return 0;
}

const struct cgroup_driver cgroup_driver_cgroupfs = {
	.name = "cgroupfs",
	.usable = fs_usable,
	.tree_root = fs_tree_root,
	.task_path = cgroupfs_task_path,
	.container_path = cgroupfs_container_path,
	.create = fs_create,
	.open = cgroupfs_open,
	.set_limits = cgroupfs_set_limits,
	.kill = cgroupfs_kill,
	.is_populated = cgroupfs_is_populated,
	.oom_kills = cgroupfs_oom_kills,
	.stats = cgroupfs_stats,
	.remove = cgroupfs_remove,
};

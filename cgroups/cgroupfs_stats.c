/* Per-cgroup usage from the cgroup v2 files, for telemetry and tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/cgroupfs.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/parse.h"

#define STAT_FILE_MAX (64 * 1024)

/* A single-value file ("memory.current"); -ENOENT when the controller is not enabled. */
static int read_single(const char *dir, const char *file, uint64_t *ret)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	int r = read_file_full(path, STAT_FILE_MAX, &data, NULL);
	if (r < 0)
		return r;
	data[strcspn(data, "\n")] = '\0';
	return parse_u64(data, 0, UINT64_MAX, ret);
}

/* io.stat has a line per device: "8:0 rbytes=1 wbytes=2 rios=3 ...". */
static int read_io(const char *dir, uint64_t *ret_read, uint64_t *ret_write)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	if (asprintf(&path, "%s/io.stat", dir) < 0)
		return -ENOMEM;
	int r = read_file_full(path, STAT_FILE_MAX, &data, NULL);
	if (r < 0)
		return r;
	uint64_t rd = 0, wr = 0;
	char *save = NULL;
	for (char *tok = strtok_r(data, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		uint64_t v;
		if (!strncmp(tok, "rbytes=", 7) && parse_u64(tok + 7, 0, UINT64_MAX, &v) == 0)
			rd += v;
		else if (!strncmp(tok, "wbytes=", 7) && parse_u64(tok + 7, 0, UINT64_MAX, &v) == 0)
			wr += v;
	}
	*ret_read = rd;
	*ret_write = wr;
	return 0;
}

int cgroupfs_stats(const char *mount, const char *path, struct cgroup_stats *ret,
		   struct error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = cgroupfs_dir(mount, path, &dir, err);
	if (r < 0)
		return r;
	struct cgroup_stats s = { 0 };
	/* usage_usec, user_usec and system_usec are core files: always there. */
	if ((r = cgroup_read_keyed(dir, "cpu.stat", "usage_usec", &s.cpu_usage_usec)) < 0 ||
	    (r = cgroup_read_keyed(dir, "cpu.stat", "user_usec", &s.cpu_user_usec)) < 0 ||
	    (r = cgroup_read_keyed(dir, "cpu.stat", "system_usec", &s.cpu_system_usec)) < 0)
		return error_set_errno(err, r, "read %s/cpu.stat", dir);
	s.has_cpu_throttling =
		cgroup_read_keyed(dir, "cpu.stat", "throttled_usec", &s.cpu_throttled_usec) == 0 &&
		cgroup_read_keyed(dir, "cpu.stat", "nr_throttled", &s.cpu_nr_throttled) == 0;
	s.has_memory = read_single(dir, "memory.current", &s.memory_current_bytes) == 0;
	s.has_memory_peak = read_single(dir, "memory.peak", &s.memory_peak_bytes) == 0;
	s.has_pids = read_single(dir, "pids.current", &s.pids_current) == 0;
	s.has_io = read_io(dir, &s.io_read_bytes, &s.io_write_bytes) == 0;
	*ret = s;
	return 0;
}

/* The cgroup hierarchies of /proc/self/mountinfo: a line is "ID PARENT MAJ:MIN ROOT MOUNT
 * OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS"; the optional fields vary in number,
 * so the type is found after the " - " separator and the mount point is field 5. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/cgroup_layout.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#define MOUNTINFO_MAX (16u << 20)

/* Field 5 of LINE (which ends at END), with the kernel's octal escapes (\040 for a space)
 * undone. */
static char *mount_point_of(const char *line, const char *end)
{
	const char *p = line;
	for (int field = 1; field < 5; field++) {
		p = memchr(p, ' ', (size_t)(end - p));
		if (!p)
			return NULL;
		p++;
	}
	const char *stop = memchr(p, ' ', (size_t)(end - p));
	if (!stop)
		return NULL;
	char *out = malloc((size_t)(stop - p) + 1), *o = out;
	if (!out)
		return NULL;
	while (p < stop) {
		if (p[0] == '\\' && stop - p >= 4 && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' &&
		    p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static bool type_is(const char *type, const char *end, const char *name)
{
	size_t n = strlen(name);
	return (size_t)(end - type) > n && !strncmp(type, name, n) && type[n] == ' ';
}

int cgroup_layout_parse(const char *mountinfo, struct cgroup_layout *ret, struct error *err)
{
	struct cgroup_layout l = { 0 };
	for (const char *line = mountinfo; *line;) {
		const char *end = strchrnul(line, '\n');
		const char *sep = memmem(line, (size_t)(end - line), " - ", 3);
		if (sep) {
			const char *type = sep + 3;
			if (type_is(type, end, "cgroup")) {
				l.has_v1 = true;
			} else if (type_is(type, end, "cgroup2") && !l.v2_mount) {
				l.v2_mount = mount_point_of(line, sep);
				if (!l.v2_mount)
					return error_set(err, ENOMEM, "cgroup2 mount point");
			}
		}
		line = *end ? end + 1 : end;
	}
	*ret = l;
	return 0;
}

int cgroup_layout_read(struct cgroup_layout *ret, struct error *err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_full("/proc/self/mountinfo", MOUNTINFO_MAX, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read /proc/self/mountinfo");
	return cgroup_layout_parse(text, ret, err);
}

void cgroup_layout_release(struct cgroup_layout *l)
{
	free(l->v2_mount);
	l->v2_mount = NULL;
}

enum cgroup_mode cgroup_layout_mode(const struct cgroup_layout *l)
{
	if (!l->v2_mount)
		return CGROUP_MODE_LEGACY;
	return l->has_v1 ? CGROUP_MODE_HYBRID : CGROUP_MODE_UNIFIED;
}

const char *cgroup_mode_name(enum cgroup_mode mode)
{
	switch (mode) {
	case CGROUP_MODE_UNIFIED: return "unified";
	case CGROUP_MODE_HYBRID: return "hybrid";
	case CGROUP_MODE_LEGACY: return "legacy";
	}
	return "unknown";
}

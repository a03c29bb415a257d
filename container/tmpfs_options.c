#include "container/tmpfs_options.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static const struct {
	const char *name;
	uint64_t set, clear;
} flag_options[] = {
	{ "defaults", 0, 0 },
	{ "ro", MS_RDONLY, 0 },            { "rw", 0, MS_RDONLY },
	{ "suid", 0, MS_NOSUID },          { "nosuid", MS_NOSUID, 0 },
	{ "nodev", MS_NODEV, 0 },
	{ "exec", 0, MS_NOEXEC },          { "noexec", MS_NOEXEC, 0 },
	{ "sync", MS_SYNCHRONOUS, 0 },     { "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "mand", MS_MANDLOCK, 0 },        { "nomand", 0, MS_MANDLOCK },
	{ "atime", 0, MS_NOATIME },        { "noatime", MS_NOATIME, 0 },
	{ "diratime", 0, MS_NODIRATIME },  { "nodiratime", MS_NODIRATIME, 0 },
	{ "relatime", MS_RELATIME, 0 },    { "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
};

static const struct {
	const char *name;
	uint64_t flags;
} propagation_options[] = {
	{ "private", MS_PRIVATE },         { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },           { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },             { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE },   { "runbindable", MS_UNBINDABLE | MS_REC },
};

#define PROPAGATION_MASK (MS_PRIVATE | MS_SHARED | MS_SLAVE | MS_UNBINDABLE | MS_REC)

static bool is_data_option(const char *o)
{
	static const char *const prefixes[] = { "mode=", "uid=", "gid=", "nr_inodes=", "nr_blocks=" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(o, prefixes[i], strlen(prefixes[i])) == 0)
			return !strpbrk(o, ",");
	return false;
}

static bool apply_flag(const char *o, uint64_t *flags)
{
	for (size_t i = 0; i < sizeof(flag_options) / sizeof(flag_options[0]); i++)
		if (strcmp(o, flag_options[i].name) == 0) {
			*flags = (*flags & ~flag_options[i].clear) | flag_options[i].set;
			return true;
		}
	for (size_t i = 0; i < sizeof(propagation_options) / sizeof(propagation_options[0]); i++)
		if (strcmp(o, propagation_options[i].name) == 0) {
			*flags = (*flags & ~(uint64_t)PROPAGATION_MASK) | propagation_options[i].flags;
			return true;
		}
	return false;
}

int tmpfs_options_parse(char *const *options, uint32_t size_mib, uint64_t *ret_flags,
			char **ret_data)
{
	uint64_t flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char *data = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&data, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "size=%lluk", (unsigned long long)size_mib * 1024);
	int r = 0;
	for (size_t i = 0; options && options[i]; i++) {
		if (is_data_option(options[i]))
			fprintf(f, ",%s", options[i]);
		else if (!apply_flag(options[i], &flags))
			r = -EINVAL;
	}
	if (fclose(f) != 0) {
		free(data);
		return -ENOMEM;
	}
	if (r < 0) {
		free(data);
		return r;
	}
	/* "dev" is refused at registration and unknown here: a node the container makes in
	 * its tmpfs must never open (docs/security.md). */
	*ret_flags = flags | MS_NODEV;
	*ret_data = data;
	return 0;
}

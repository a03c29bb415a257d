/* Resolve a container's user ("uid", "uid:gid", "name", "name:group") against the image's
 * /etc/passwd and /etc/group, as Docker does. The files are the image's: outside input. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

#define USER_MAX_GROUPS 64

struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[USER_MAX_GROUPS]; /* supplementary groups naming the user as a member */
	size_t n_groups;
};

/* SPEC NULL or "" means root. PASSWD and GROUP are the files' text, NULL when absent. A
 * numeric uid needs no passwd entry (its gid is then 0 unless given); a name must exist. */
int user_resolve(const char *spec, const char *passwd, const char *group, struct user_ids *ret,
		 struct error *err);

/* Looking users and groups up in the image's own passwd and group files. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/parse.h"
#include "monitor/user.h"

#define FIELDS_MAX 7

/* Split LINE (modified) at ':' into at most FIELDS_MAX fields; returns the count. */
static size_t split_fields(char *line, char **fields)
{
	size_t n = 0;
	char *p = line;
	while (n < FIELDS_MAX) {
		fields[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static bool parse_id(const char *s, uint32_t *ret)
{
	uint64_t v;
	if (!*s || parse_u64(s, 0, UINT32_MAX - 1, &v) < 0)
		return false;
	*ret = (uint32_t)v;
	return true;
}

/* Calls MATCH on every well-formed line of TEXT with its fields; stops when it returns true. */
typedef bool (*line_match_fn)(char **fields, size_t n, void *userdata);

static int each_line(const char *text, size_t min_fields, line_match_fn match, void *userdata)
{
	if (!text)
		return 0;
	_cleanup_free_ char *copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fields[FIELDS_MAX];
		size_t n = split_fields(line, fields);
		if (n < min_fields || fields[0][0] == '\0')
			continue;
		if (match(fields, n, userdata))
			return 1;
	}
	return 0;
}

struct passwd_query {
	const char *name; /* match by name when set, else by uid */
	uint32_t uid;
	uint32_t found_uid, found_gid;
	char found_name[256];
};

static bool passwd_match(char **f, size_t n, void *userdata)
{
	(void)n;
	struct passwd_query *q = userdata;
	uint32_t uid, gid;
	if (!parse_id(f[2], &uid) || !parse_id(f[3], &gid))
		return false;
	if (q->name ? strcmp(f[0], q->name) != 0 : uid != q->uid)
		return false;
	q->found_uid = uid;
	q->found_gid = gid;
	snprintf(q->found_name, sizeof(q->found_name), "%s", f[0]);
	return true;
}

struct group_query {
	const char *name;
	uint32_t gid;
};

static bool group_match(char **f, size_t n, void *userdata)
{
	(void)n;
	struct group_query *q = userdata;
	uint32_t gid;
	if (!parse_id(f[2], &gid) || strcmp(f[0], q->name) != 0)
		return false;
	q->gid = gid;
	return true;
}

struct member_query {
	const char *user;
	struct user_ids *ids;
};

static bool member_collect(char **f, size_t n, void *userdata)
{
	struct member_query *q = userdata;
	uint32_t gid;
	if (n < 4 || !parse_id(f[2], &gid))
		return false;
	char *save = NULL;
	for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		if (strcmp(m, q->user) != 0)
			continue;
		if (q->ids->n_groups < USER_MAX_GROUPS)
			q->ids->groups[q->ids->n_groups++] = gid;
		break;
	}
	return false;
}

int user_resolve(const char *spec, const char *passwd, const char *group, struct user_ids *ret,
		 struct error *err)
{
	struct user_ids ids = { 0 };
	if (!spec || !*spec) {
		*ret = ids;
		return 0;
	}
	char user_part[256], group_part[256] = "";
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	if (ulen == 0 || ulen >= sizeof(user_part) || (colon && strlen(colon + 1) >= sizeof(group_part)))
		return error_set(err, EINVAL, "invalid user '%s'", spec);
	memcpy(user_part, spec, ulen);
	user_part[ulen] = '\0';
	if (colon)
		snprintf(group_part, sizeof(group_part), "%s", colon + 1);

	struct passwd_query pq = { 0 };
	uint32_t uid = 0;
	bool numeric = parse_id(user_part, &uid);
	if (numeric)
		pq.uid = uid;
	else
		pq.name = user_part;
	int r = each_line(passwd, 4, passwd_match, &pq);
	if (r < 0)
		return error_set(err, -r, "read passwd");
	if (r == 0 && !numeric)
		return error_set(err, ENOENT, "unable to find user %s: no matching entries in passwd file",
				 user_part);
	ids.uid = r ? pq.found_uid : uid;
	ids.gid = r ? pq.found_gid : 0;

	if (colon) {
		uint32_t gid;
		if (parse_id(group_part, &gid)) {
			ids.gid = gid;
		} else {
			struct group_query gq = { .name = group_part };
			r = each_line(group, 3, group_match, &gq);
			if (r < 0)
				return error_set(err, -r, "read group");
			if (r == 0)
				return error_set(err, ENOENT,
						 "unable to find group %s: no matching entries in group file",
						 group_part);
			ids.gid = gq.gid;
		}
	}
	if (pq.found_name[0]) {
		struct member_query mq = { .user = pq.found_name, .ids = &ids };
		r = each_line(group, 4, member_collect, &mq);
		if (r < 0)
			return error_set(err, -r, "read group");
	}
	*ret = ids;
	return 0;
}

#include "agent/daemon/boot_check.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fileio.h"

#define META_KEY "boot_id"

static bool boot_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > BOOT_ID_MAX)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '-'))
			return false;
	return true;
}

int boot_id_read(const char *file, char ret[BOOT_ID_MAX + 1], struct error *err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_full(file, 4096, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "boot id: read %s", file);
	text[strcspn(text, "\n")] = '\0';
	if (!boot_id_valid(text))
		return error_set(err, EINVAL, "boot id: %s: its first line is not 1-%d letters, "
				 "digits and '-'", file, BOOT_ID_MAX);
	memcpy(ret, text, strlen(text) + 1);
	return 0;
}

int boot_check(struct store *s, const char *file, struct boot_check *ret, struct error *err)
{
	*ret = (struct boot_check){ 0 };
	int r = boot_id_read(file, ret->now, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *recorded = NULL;
	r = store_meta_get(s, META_KEY, &recorded, err);
	if (r < 0)
		return r;
	ret->known = recorded != NULL;
	ret->rebooted = recorded && strcmp(recorded, ret->now) != 0;
	return 0;
}

int boot_check_record(struct store *s, const struct boot_check *b, struct error *err)
{
	if (!b->now[0])
		return 0;
	return store_meta_set(s, META_KEY, b->now, err);
}

#include "agent/daemon/boot_check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/systemd_bus.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/parse.h"

#define META_KEY "boot_id"
#define META_HOST_STOPPING "host_stopping_at"
/* Present while systemd runs the host (sd_booted()'s test). */
#define SYSTEMD_BOOTED_DIR "/run/systemd/system"

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
	_cleanup_free_ char *stopping = NULL;
	r = store_meta_get(s, META_HOST_STOPPING, &stopping, err);
	if (r < 0)
		return r;
	/* A value that is no time is no shutdown seen: the exits stay the containers' own. */
	if (stopping && parse_i64(stopping, 1, INT64_MAX, &ret->host_stopping_at) < 0)
		ret->host_stopping_at = 0;
	ret->stopping_noted = stopping != NULL;
	return 0;
}

int boot_check_record(struct store *s, const struct boot_check *b, struct error *err)
{
	if (b->stopping_noted) {
		int r = store_meta_delete(s, META_HOST_STOPPING, err);
		if (r < 0)
			return r;
	}
	if (!b->now[0])
		return 0;
	return store_meta_set(s, META_KEY, b->now, err);
}

int boot_check_record_shutdown(struct store *s, int64_t at, struct error *err)
{
	char text[32];
	snprintf(text, sizeof(text), "%" PRId64, at);
	return store_meta_set(s, META_HOST_STOPPING, text, err);
}

bool boot_check_note_shutdown(struct store *s)
{
	if (access(SYSTEMD_BOOTED_DIR, F_OK) < 0)
		return false;
	struct error err = { 0 };
	_cleanup_free_ char *state = NULL;
	if (systemd_bus_system_state(&state, &err) < 0) {
		log_warning("Cannot ask systemd whether the host is shutting down (%s): containers "
			    "a reboot now stops stay stopped after it", err.message);
		return false;
	}
	if (strcmp(state, "stopping") != 0)
		return false;
	if (boot_check_record_shutdown(s, (int64_t)time(NULL), &err) < 0) {
		log_warning("The host is shutting down, but this cannot be recorded (%s): "
			    "containers it stops stay stopped after the boot", err.message);
		return false;
	}
	log_info("The host is shutting down: containers it stops will start again after the boot");
	return true;
}

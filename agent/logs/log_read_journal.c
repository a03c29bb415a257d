/* `tether logs` for the journald driver: sd_journal with matches on the container's task ARN
 * and name; following waits with sd_journal_wait. journald takes entries from its socket
 * asynchronously, so after the container has ended the reader goes on until the journal has
 * been quiet for a second. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/logs/journal_dl.h"
#include "agent/logs/log_read.h"
#include "common/cleanup.h"

#define QUIET_AFTER_END_US (1000 * 1000)

static void journal_closep(sd_journal **j)
{
	if (*j)
		sym_sd_journal_close(*j);
}

static int field(sd_journal *j, const char *name, const char **ret, size_t *ret_len)
{
	const void *data;
	size_t len;
	int r = sym_sd_journal_get_data(j, name, &data, &len);
	if (r < 0)
		return r;
	size_t prefix = strlen(name) + 1;
	if (len < prefix)
		return -EINVAL;
	*ret = (const char *)data + prefix;
	*ret_len = len - prefix;
	return 0;
}

static void print_current(sd_journal *j)
{
	const char *msg, *prio, *partial;
	size_t msg_len, prio_len, partial_len;
	if (field(j, "MESSAGE", &msg, &msg_len) < 0)
		return;
	bool err = field(j, "PRIORITY", &prio, &prio_len) == 0 && prio_len == 1 && prio[0] == '3';
	bool cut = field(j, "TETHER_PARTIAL_MESSAGE", &partial, &partial_len) == 0;
	log_read_print(err, msg, msg_len, !cut);
}

static int add_match(sd_journal *j, const char *name, const char *value)
{
	char match[1024];
	int n = snprintf(match, sizeof(match), "%s=%s", name, value);
	if (n < 0 || (size_t)n >= sizeof(match))
		return -ENAMETOOLONG;
	return sym_sd_journal_add_match(j, match, (size_t)n);
}

/* Print every entry after the current position; returns how many. */
static int print_new(sd_journal *j)
{
	int printed = 0, r;
	while ((r = sym_sd_journal_next(j)) > 0) {
		print_current(j);
		printed++;
	}
	fflush(stdout);
	fflush(stderr);
	return r < 0 ? r : printed;
}

int log_read_journal(const struct log_read_options *o, struct error *err)
{
	int r = journal_dl_open(err);
	if (r < 0)
		return error_wrap(err, "reading the journal");
	_cleanup_(journal_closep) sd_journal *j = NULL;
	r = sym_sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0)
		return error_set_errno(err, r, "open the journal");
	if ((r = add_match(j, "TETHER_TASK_ARN", o->log->task_arn)) < 0 ||
	    (r = add_match(j, "TETHER_CONTAINER_NAME", o->log->container_name)) < 0)
		return error_set_errno(err, r, "journal match");
	if (o->tail == UINT64_MAX) {
		r = sym_sd_journal_seek_head(j);
	} else {
		r = sym_sd_journal_seek_tail(j);
		/* Step back over the last N, then before the first of them. */
		if (r >= 0 && o->tail > 0) {
			r = sym_sd_journal_previous_skip(j, o->tail);
			if (r > 0)
				r = sym_sd_journal_previous(j);
			if (r == 0)
				r = sym_sd_journal_seek_head(j);
		}
	}
	if (r < 0)
		return error_set_errno(err, r, "seek in the journal");
	r = print_new(j);
	if (r < 0)
		return error_set_errno(err, r, "read the journal");
	uint64_t quiet_since = 0;
	while (o->follow) {
		bool ended = log_read_container_ended(o->folder);
		r = sym_sd_journal_wait(j, 200 * 1000);
		if (r < 0)
			return error_set_errno(err, r, "wait for the journal");
		int printed = print_new(j);
		if (printed < 0)
			return error_set_errno(err, printed, "read the journal");
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		uint64_t now_us = (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000;
		if (!ended || printed > 0)
			quiet_since = now_us;
		else if (now_us - quiet_since >= QUIET_AFTER_END_US)
			break;
	}
	return 0;
}

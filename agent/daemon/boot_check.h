/* Whether the host rebooted since the agent last ran on this state dir: the kernel's boot id
 * (/proc/sys/kernel/random/boot_id, a new random one at every boot) against the one the
 * daemon recorded in state.db. A reboot takes every monitor and cgroup down while state.db
 * and the containers' folders stay, so that containers found lost were killed with the host,
 * not by themselves (docs/architecture.md, "After a reboot"). A clean reboot stops the agent
 * first and its containers after: the time the agent saw the host shutting down, recorded
 * then, tells which exits the shutdown made. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent/state/store.h"
#include "common/error.h"

#define BOOT_ID_FILE_DEFAULT "/proc/sys/kernel/random/boot_id"
#define BOOT_ID_MAX 64

struct boot_check {
	char now[BOOT_ID_MAX + 1]; /* this boot's id; "" when it could not be read */
	bool known;                /* an id was recorded before */
	bool rebooted;             /* it differs from this boot's */
	/* The wall-clock time (s) at which the agent, stopped, found the host shutting down
	 * (boot_check_note_shutdown); 0: it did not. */
	int64_t host_stopping_at;
	bool stopping_noted;       /* a note is there, to be removed with the record */
};

/* The id in FILE: its first line, 1 to BOOT_ID_MAX letters, digits and '-'. */
int boot_id_read(const char *file, char ret[BOOT_ID_MAX + 1], struct error *err);

/* This boot's id from FILE against the one recorded in S. An id that cannot be read is an
 * error; none recorded (a first start) is no reboot. */
int boot_check(struct store *s, const char *file, struct boot_check *ret, struct error *err);

/* Record this boot's id and forget the shutdown noted (in the caller's deferred transaction,
 * so that it commits with what the start decided after the reboot: a crash before that
 * commit finds the reboot, and the shutdown, again). */
int boot_check_record(struct store *s, const struct boot_check *b, struct error *err);

/* Note in S that the host was found shutting down at AT (wall-clock seconds). */
int boot_check_record_shutdown(struct store *s, int64_t at, struct error *err);

/* The agent stops: when systemd says the host is shutting down (its SystemState is
 * "stopping"), note the time in S, so that the next start after the reboot restarts the
 * containers the shutdown stops after the agent (docs/architecture.md, "After a reboot").
 * Without systemd, or when it cannot be asked, nothing is noted. Returns true when noted. */
bool boot_check_note_shutdown(struct store *s);

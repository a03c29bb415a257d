/* EventBridge schedule expressions: rate(N unit) and the six-field cron(minutes hours
 * day-of-month month day-of-week year), parsed once and asked for the next tick after a time.
 * Pure functions over UTC seconds; no clock, no store. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/error.h"

#define SCHEDULE_EXPR_MAX 256 /* EventBridge's longest ScheduleExpression */
#define SCHEDULE_YEAR_MIN 1970
#define SCHEDULE_YEAR_MAX 2199

enum schedule_kind { SCHEDULE_RATE, SCHEDULE_CRON };

/* How a day field chose its days beyond plain numbers. */
enum dom_special {
	DOM_DAYS,            /* the numbers in dom */
	DOM_ANY,             /* '?': day-of-week decides */
	DOM_LAST,            /* L: the month's last day */
	DOM_LAST_WEEKDAY,    /* LW: the month's last Monday-to-Friday day */
	DOM_NEAREST_WEEKDAY, /* nW: the weekday nearest day n, within the month */
};
enum dow_special {
	DOW_DAYS, /* the numbers in dow (1 = Sunday ... 7 = Saturday) */
	DOW_ANY,  /* '?': day-of-month decides */
	DOW_LAST, /* dL: the month's last weekday d */
	DOW_NTH,  /* d#n: the month's n-th weekday d */
};

struct schedule {
	enum schedule_kind kind;
	int64_t rate_seconds; /* SCHEDULE_RATE */
	/* SCHEDULE_CRON: bit i set when value i matches. */
	uint64_t minutes;
	uint32_t hours, dom;
	uint16_t months; /* bits 1..12 */
	uint8_t dow;     /* bits 1..7 */
	uint64_t years[(SCHEDULE_YEAR_MAX - SCHEDULE_YEAR_MIN) / 64 + 1];
	enum dom_special dom_special;
	enum dow_special dow_special;
	int dom_day;        /* DOM_NEAREST_WEEKDAY */
	int dow_day, dow_n; /* DOW_LAST, DOW_NTH */
};

/* Parse text; a refusal names the field and what is wrong with it. */
int schedule_parse(const char *text, struct schedule *ret, struct error *err);

/* The first tick strictly after `after` (UTC seconds), or -1 when there is none before the end
 * of SCHEDULE_YEAR_MAX. A rate's ticks are anchor + k * rate for whole k. */
int64_t schedule_next(const struct schedule *s, int64_t anchor, int64_t after);

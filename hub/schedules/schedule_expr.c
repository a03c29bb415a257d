#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/parse.h"
#include "hub/schedules/schedule_expr.h"

#define FIELDS 6

static const char *const field_names[FIELDS] = {
	"minutes", "hours", "day-of-month", "month", "day-of-week", "year",
};
static const int field_min[FIELDS] = { 0, 0, 1, 1, 1, SCHEDULE_YEAR_MIN };
static const int field_max[FIELDS] = { 59, 23, 31, 12, 7, SCHEDULE_YEAR_MAX };
static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
					   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
static const char *const day_names[] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };

enum { F_MINUTES, F_HOURS, F_DOM, F_MONTH, F_DOW, F_YEAR };

#define WORDS ((SCHEDULE_YEAR_MAX - SCHEDULE_YEAR_MIN) / 64 + 1)

/* "ScheduleExpression FIELD: 'TEXT'WHY". */
static int refuse(struct error *err, const char *field, const char *text, const char *why)
{
	return error_set(err, EINVAL, "ScheduleExpression %s: '%.60s'%s", field, text, why);
}

/* A number, or for month and day-of-week its three-letter English name. */
static int parse_value(int field, const char *text, size_t n, int *ret)
{
	char buf[16];
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = '\0';
	const char *const *names = field == F_MONTH ? month_names : field == F_DOW ? day_names : NULL;
	size_t n_names = field == F_MONTH ? 12 : 7;
	for (size_t i = 0; names && i < n_names; i++)
		if (strcasecmp(buf, names[i]) == 0) {
			*ret = (int)i + 1;
			return 0;
		}
	int64_t v;
	if (parse_i64(buf, field_min[field], field_max[field], &v) < 0)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

static void set_bit(uint64_t *words, int index)
{
	words[index / 64] |= (uint64_t)1 << (index % 64);
}

static bool has_bit(const uint64_t *words, int index)
{
	return (words[index / 64] >> (index % 64)) & 1;
}

/* One item of a list: *, N, N-M, each optionally /STEP. */
static int parse_item(int field, const char *item, size_t n, uint64_t *words, struct error *err)
{
	const char *name = field_names[field];
	char text[64];
	snprintf(text, sizeof(text), "%.*s", (int)(n < 60 ? n : 60), item);
	const char *slash = memchr(item, '/', n);
	size_t range_len = slash ? (size_t)(slash - item) : n;
	int lo = field_min[field], hi = field_max[field], step = 1;
	if (slash) {
		int64_t v;
		char buf[16];
		size_t sn = n - range_len - 1;
		if (sn == 0 || sn >= sizeof(buf))
			return refuse(err, name, text, ": the step after / must be a number");
		memcpy(buf, slash + 1, sn);
		buf[sn] = '\0';
		if (parse_i64(buf, 1, field_max[field], &v) < 0)
			return refuse(err, name, text, ": the step after / must be a number from 1 to the field's"
				      " largest value");
		step = (int)v;
	}
	if (!(range_len == 1 && item[0] == '*')) {
		const char *dash = memchr(item, '-', range_len);
		size_t first_len = dash ? (size_t)(dash - item) : range_len;
		if (parse_value(field, item, first_len, &lo) < 0)
			return refuse(err, name,
				      text, " is not a value of this field (see its range)");
		if (dash) {
			if (parse_value(field, dash + 1, range_len - first_len - 1, &hi) < 0)
				return refuse(err, name, text, ": the end of the range is not a value of this"
					      " field");
			if (hi < lo)
				return refuse(err, name, text, ": the range ends before it starts");
		} else if (!slash) {
			hi = lo;
		}
	}
	for (int v = lo; v <= hi; v += step)
		set_bit(words, v - (field == F_YEAR ? SCHEDULE_YEAR_MIN : 0));
	return 0;
}

static int parse_list(int field, const char *text, uint64_t *words, struct error *err)
{
	for (const char *p = text;;) {
		size_t n = strcspn(p, ",");
		if (n == 0)
			return refuse(err, field_names[field],
				      text, " has an empty item in its list");
		if (parse_item(field, p, n, words, err) < 0)
			return -EINVAL;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static bool only_plain(const char *text)
{
	return strcspn(text, "?LW#") == strlen(text);
}

static int parse_dom(const char *text, struct schedule *s, struct error *err)
{
	const char *name = field_names[F_DOM];
	size_t n = strlen(text);
	if (strcmp(text, "?") == 0) {
		s->dom_special = DOM_ANY;
	} else if (strcmp(text, "L") == 0) {
		s->dom_special = DOM_LAST;
	} else if (strcmp(text, "LW") == 0) {
		s->dom_special = DOM_LAST_WEEKDAY;
	} else if (n >= 2 && text[n - 1] == 'W') {
		if (parse_value(F_DOM, text, n - 1, &s->dom_day) < 0)
			return refuse(err, name, text, ": W follows a day from 1 to 31 (15W)");
		s->dom_special = DOM_NEAREST_WEEKDAY;
	} else if (!only_plain(text)) {
		return refuse(err, name, text, ": ?, L, LW and nW stand alone in this field; # belongs to"
			      " day-of-week");
	} else {
		uint64_t w[WORDS] = { 0 };
		if (parse_list(F_DOM, text, w, err) < 0)
			return -EINVAL;
		s->dom = (uint32_t)w[0];
	}
	return 0;
}

static int parse_dow(const char *text, struct schedule *s, struct error *err)
{
	const char *name = field_names[F_DOW];
	size_t n = strlen(text);
	const char *hash = strchr(text, '#');
	if (strcmp(text, "?") == 0) {
		s->dow_special = DOW_ANY;
	} else if (strcmp(text, "L") == 0) {
		return refuse(err, name, text, " alone is not implemented; name the day: 6L is the month's"
			      " last Friday");
	} else if (n >= 2 && text[n - 1] == 'L') {
		if (parse_value(F_DOW, text, n - 1, &s->dow_day) < 0)
			return refuse(err, name, text, ": L follows a day, 1-7 or SUN-SAT (6L)");
		s->dow_special = DOW_LAST;
	} else if (hash) {
		int64_t nth;
		if (parse_value(F_DOW, text, (size_t)(hash - text), &s->dow_day) < 0 ||
		    parse_i64(hash + 1, 1, 5, &nth) < 0)
			return refuse(err, name, text, ": # is DAY#N, a day (1-7 or SUN-SAT) and N from 1 to 5"
				      " (2#1, the first Monday)");
		s->dow_n = (int)nth;
		s->dow_special = DOW_NTH;
	} else if (!only_plain(text)) {
		return refuse(err, name, text, ": ?, dL and d#n stand alone in this field; W belongs to"
			      " day-of-month");
	} else {
		uint64_t w[WORDS] = { 0 };
		if (parse_list(F_DOW, text, w, err) < 0)
			return -EINVAL;
		s->dow = (uint8_t)w[0];
	}
	return 0;
}

static int parse_cron(char *fields_text, struct schedule *s, struct error *err)
{
	char *fields[FIELDS + 1];
	int n = 0;
	for (char *save = NULL, *tok = strtok_r(fields_text, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (n == FIELDS)
			return error_set(err, EINVAL, "ScheduleExpression cron: more than 6 fields;"
					 " cron(minutes hours day-of-month month day-of-week year)");
		fields[n++] = tok;
	}
	if (n != FIELDS)
		return error_set(err, EINVAL, "ScheduleExpression cron: %d fields, it takes 6:"
				 " cron(minutes hours day-of-month month day-of-week year)", n);
	s->kind = SCHEDULE_CRON;
	uint64_t w[WORDS];
	for (int f = 0; f < FIELDS; f++) {
		if (f == F_DOM || f == F_DOW)
			continue;
		if (!only_plain(fields[f]))
			return refuse(err, field_names[f],
				      fields[f], ": ?, L, W and # belong to the day fields");
		memset(w, 0, sizeof(w));
		if (parse_list(f, fields[f], w, err) < 0)
			return -EINVAL;
		if (f == F_MINUTES)
			s->minutes = w[0];
		else if (f == F_HOURS)
			s->hours = (uint32_t)w[0];
		else if (f == F_MONTH)
			s->months = (uint16_t)w[0];
		else
			memcpy(s->years, w, sizeof(s->years));
	}
	if (parse_dom(fields[F_DOM], s, err) < 0 || parse_dow(fields[F_DOW], s, err) < 0)
		return -EINVAL;
	if ((s->dom_special == DOM_ANY) == (s->dow_special == DOW_ANY))
		return error_set(err, EINVAL, "ScheduleExpression day-of-month, day-of-week: exactly"
				 " one of the two must be ? (cron(0 12 * * ? *) or cron(0 12 ? * MON *))");
	return 0;
}

static int parse_rate(char *inside, struct schedule *s, struct error *err)
{
	char *unit = strchr(inside, ' ');
	if (!unit)
		return error_set(err, EINVAL, "ScheduleExpression rate: rate(VALUE UNIT), as in"
				 " rate(5 minutes)");
	*unit++ = '\0';
	uint64_t value;
	if (parse_u64(inside, 1, 1000000, &value) < 0)
		return error_set(err, EINVAL, "ScheduleExpression rate: the value must be a whole"
				 " number from 1 to 1000000");
	static const struct {
		const char *singular, *plural;
		int64_t seconds;
	} units[] = { { "minute", "minutes", 60 }, { "hour", "hours", 3600 }, { "day", "days", 86400 } };
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].singular) && strcmp(unit, units[i].plural))
			continue;
		if ((value == 1) != (strcmp(unit, units[i].singular) == 0))
			return error_set(err, EINVAL, "ScheduleExpression rate: the unit is %s for 1"
					 " and %s for more", units[i].singular, units[i].plural);
		s->kind = SCHEDULE_RATE;
		s->rate_seconds = (int64_t)value * units[i].seconds;
		return 0;
	}
	return error_set(err, EINVAL, "ScheduleExpression rate: unit '%.20s' is not minute(s),"
			 " hour(s) or day(s)", unit);
}

int schedule_parse(const char *text, struct schedule *ret, struct error *err)
{
	char buf[SCHEDULE_EXPR_MAX + 1];
	size_t n = strlen(text);
	memset(ret, 0, sizeof(*ret));
	if (n > SCHEDULE_EXPR_MAX)
		return error_set(err, EINVAL, "ScheduleExpression is longer than %d characters",
				 SCHEDULE_EXPR_MAX);
	bool rate = strncmp(text, "rate(", 5) == 0, cron = strncmp(text, "cron(", 5) == 0;
	if ((!rate && !cron) || n < 6 || text[n - 1] != ')')
		return error_set(err, EINVAL, "ScheduleExpression must be rate(...) or cron(...);"
				 " tether implements schedules only, not at(...)");
	memcpy(buf, text + 5, n - 6);
	buf[n - 6] = '\0';
	return rate ? parse_rate(buf, ret, err) : parse_cron(buf, ret, err);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* 1 = Sunday ... 7 = Saturday, as cron counts. */
static int weekday(int y, int m, int d)
{
	return (int)(((days_from_civil(y, m, d) + 4) % 7 + 7) % 7) + 1;
}

static bool is_weekend(int wd)
{
	return wd == 1 || wd == 7;
}

static bool dom_matches(const struct schedule *s, int y, int m, int d)
{
	int dim = days_in_month(y, m);
	switch (s->dom_special) {
	case DOM_DAYS:
		return (s->dom >> d) & 1;
	case DOM_LAST:
		return d == dim;
	case DOM_LAST_WEEKDAY: {
		int last = dim;
		while (is_weekend(weekday(y, m, last)))
			last--;
		return d == last;
	}
	case DOM_NEAREST_WEEKDAY: {
		int target = s->dom_day;
		if (target > dim)
			return false;
		int wd = weekday(y, m, target);
		if (wd == 7)
			target = target == 1 ? 3 : target - 1;
		else if (wd == 1)
			target = target == dim ? target - 2 : target + 1;
		return d == target;
	}
	case DOM_ANY:
		break;
	}
	return false;
}

static bool day_matches(const struct schedule *s, int y, int m, int d)
{
	if (s->dow_special == DOW_ANY)
		return dom_matches(s, y, m, d);
	int wd = weekday(y, m, d);
	switch (s->dow_special) {
	case DOW_DAYS:
		return (s->dow >> wd) & 1;
	case DOW_LAST:
		return wd == s->dow_day && d + 7 > days_in_month(y, m);
	case DOW_NTH:
		return wd == s->dow_day && (d - 1) / 7 + 1 == s->dow_n;
	case DOW_ANY:
		break;
	}
	return false;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The first matching minute of day (y, m, d) at or after minute `from` of the day, or -1. */
static int first_minute(const struct schedule *s, int from)
{
	for (int h = from / 60; h < 24; h++) {
		if (!((s->hours >> h) & 1))
			continue;
		for (int mi = h == from / 60 ? from % 60 : 0; mi < 60; mi++)
			if ((s->minutes >> mi) & 1)
				return h * 60 + mi;
	}
	return -1;
}

int64_t schedule_next(const struct schedule *s, int64_t anchor, int64_t after)
{
	if (s->kind == SCHEDULE_RATE)
		return anchor + (floor_div(after - anchor, s->rate_seconds) + 1) * s->rate_seconds;
	if (after < -1)
		after = -1;
	int64_t minute = floor_div(after, 60) + 1;
	int64_t day = floor_div(minute, 1440);
	int from = (int)(minute - day * 1440);
	/* The civil date of `day`, then walk forward a day at a time. */
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return -1;
	int y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
	while (y <= SCHEDULE_YEAR_MAX) {
		if (y < SCHEDULE_YEAR_MIN || !has_bit(s->years, y - SCHEDULE_YEAR_MIN)) {
			y++, m = 1, d = 1, from = 0;
			continue;
		}
		if (!((s->months >> m) & 1)) {
			m++, d = 1, from = 0;
			if (m > 12)
				y++, m = 1;
			continue;
		}
		int at = day_matches(s, y, m, d) ? first_minute(s, from) : -1;
		if (at >= 0)
			return days_from_civil(y, m, d) * 86400 + at * 60;
		from = 0;
		if (++d > days_in_month(y, m)) {
			d = 1;
			if (++m > 12)
				y++, m = 1;
		}
	}
	return -1;
}

/* Schedule expressions: what parses, what is refused (naming the field), and next-fire times
 * worked out by hand from the calendar. */
#include <string.h>

#include "hub/schedules/schedule_expr.h"
#include "tests/unit/test.h"

/* The first tick after `after` of expression text (anchor 0 for rates). */
static int64_t next_of(const char *text, int64_t after)
{
	struct schedule s;
	struct error err = { 0 };
	if (schedule_parse(text, &s, &err) < 0)
		return -2;
	return schedule_next(&s, 0, after);
}

static const char *refusal(const char *text)
{
	static struct error err;
	struct schedule s;
	memset(&err, 0, sizeof(err));
	if (schedule_parse(text, &s, &err) == 0)
		return "(accepted)";
	return err.message;
}

TEST(schedules_cron_next_fire_times)
{
	/* Saturday 2026-12-05 04:40:00 UTC. */
	ASSERT_INT_EQ(next_of("cron(0 12 * * ? *)", 1796445600), 1796472000);
	/* Strictly after: at 12:00 itself the next is tomorrow's. */
	ASSERT_INT_EQ(next_of("cron(0 12 * * ? *)", 1796472000), 1796558400);
	ASSERT_INT_EQ(next_of("cron(0/15 * * * ? *)", 1796445610), 1796445900);
	ASSERT_INT_EQ(next_of("cron(*/15 * * * ? *)", 1796445610), 1796445900);
	/* Weekdays only: Saturday morning waits for Monday 10:00. */
	ASSERT_INT_EQ(next_of("cron(0 10 ? * MON-FRI *)", 1796445600), 1796637600);
	ASSERT_INT_EQ(next_of("cron(0 10 ? * 2-6 *)", 1796445600), 1796637600);
	/* L: the last day of a leap February. */
	ASSERT_INT_EQ(next_of("cron(0 0 L * ? *)", 1832976000), 1835395200);
	/* 6L: the last Friday of December 2026 is the 25th. */
	ASSERT_INT_EQ(next_of("cron(0 9 ? * 6L *)", 1796083200), 1798189200);
	ASSERT_INT_EQ(next_of("cron(0 9 ? * FRIL *)", 1796083200), 1798189200);
	/* 2#1: the first Monday after 8 December is 4 January 2027. */
	ASSERT_INT_EQ(next_of("cron(0 8 ? * 2#1 *)", 1796688000), 1799049600);
	/* 15W: 15 August 2026 is a Saturday, so the Friday before. */
	ASSERT_INT_EQ(next_of("cron(0 8 15W * ? *)", 1785542400), 1786694400);
	/* 1W: 1 August 2026 is a Saturday and the month starts there: Monday the 3rd. */
	ASSERT_INT_EQ(next_of("cron(0 0 1W * ? *)", 1785542400 - 1), 1785715200);
	/* LW: 31 January 2027 is a Sunday: Friday the 29th. */
	ASSERT_INT_EQ(next_of("cron(0 8 LW * ? *)", 1798761600), 1801209600);
	/* Names, a year, lists. */
	ASSERT_INT_EQ(next_of("cron(30 23 31 DEC ? 2030)", 1796445600), 1924990200);
	ASSERT_INT_EQ(next_of("cron(30 23 31 jan,DEC ? 2029-2031)", 1796445600 + 4 * 365 * 86400),
		      1924990200);
	/* A year gone by never fires. */
	ASSERT_INT_EQ(next_of("cron(0 0 1 1 ? 2020)", 1796445600), -1);
	/* 31 in a list only fires in months that have it. */
	ASSERT_INT_EQ(next_of("cron(0 0 31 2 ? *)", 1796445600), -1);
}

TEST(schedules_rate_ticks_follow_the_anchor)
{
	struct schedule s;
	ASSERT_INT_EQ(schedule_parse("rate(5 minutes)", &s, NULL), 0);
	ASSERT_INT_EQ(s.rate_seconds, 300);
	ASSERT_INT_EQ(schedule_next(&s, 6000, 6000), 6300);
	ASSERT_INT_EQ(schedule_next(&s, 6000, 6299), 6300);
	ASSERT_INT_EQ(schedule_next(&s, 6000, 6300), 6600);
	ASSERT_INT_EQ(schedule_next(&s, 6000, 5999), 6000);
	ASSERT_INT_EQ(schedule_next(&s, 6000, 100), 300);
	ASSERT_INT_EQ(schedule_parse("rate(1 day)", &s, NULL), 0);
	ASSERT_INT_EQ(s.rate_seconds, 86400);
	ASSERT_INT_EQ(schedule_parse("rate(2 hours)", &s, NULL), 0);
	ASSERT_INT_EQ(s.rate_seconds, 7200);
}

TEST(schedules_refusals_name_the_field)
{
	ASSERT_CONTAINS(refusal("rate(1 minutes)"), "the unit is minute for 1");
	ASSERT_CONTAINS(refusal("rate(5 minute)"), "the unit is minute for 1");
	ASSERT_CONTAINS(refusal("rate(0 minutes)"), "rate: the value");
	ASSERT_CONTAINS(refusal("rate(5 weeks)"), "unit 'weeks'");
	ASSERT_CONTAINS(refusal("at(2026-01-01T00:00:00)"), "rate(...) or cron(...)");
	ASSERT_CONTAINS(refusal("cron(0 12 * * ?)"), "5 fields");
	ASSERT_CONTAINS(refusal("cron(0 12 * * ? * *)"), "more than 6 fields");
	ASSERT_CONTAINS(refusal("cron(60 * * * ? *)"), "minutes: '60'");
	ASSERT_CONTAINS(refusal("cron(0 24 * * ? *)"), "hours: '24'");
	ASSERT_CONTAINS(refusal("cron(0 12 * 13 ? *)"), "month: '13'");
	ASSERT_CONTAINS(refusal("cron(0 12 * FOO ? *)"), "month: 'FOO'");
	ASSERT_CONTAINS(refusal("cron(0 12 ? * 8 *)"), "day-of-week: '8'");
	ASSERT_CONTAINS(refusal("cron(0 12 * * ? 1969)"), "year: '1969'");
	ASSERT_CONTAINS(refusal("cron(0 12 5-1 * ? *)"), "ends before it starts");
	ASSERT_CONTAINS(refusal("cron(0 12 * * * *)"), "exactly one of the two must be ?");
	ASSERT_CONTAINS(refusal("cron(0 12 ? * ? *)"), "exactly one of the two must be ?");
	ASSERT_CONTAINS(refusal("cron(0 12 ? * L *)"), "day-of-week: 'L' alone is not implemented");
	ASSERT_CONTAINS(refusal("cron(0 12 1,L * ? *)"), "day-of-month: '1,L'");
	ASSERT_CONTAINS(refusal("cron(0 12 ? * 2#6 *)"), "day-of-week: '2#6'");
	ASSERT_CONTAINS(refusal("cron(0/0 12 * * ? *)"), "minutes: '0/0'");
	ASSERT_CONTAINS(refusal("cron(0,,5 12 * * ? *)"), "empty item");
	ASSERT_CONTAINS(refusal("cron(L 12 * * ? *)"), "belong to the day fields");
	ASSERT_CONTAINS(refusal("cron()"), "0 fields");
}

/* Links by node id (several per node while one replaces another) and the summary of why links
 * ended. */
#include <string.h>

#include "hub/link_index.h"
#include "hub/link_stats.h"
#include "tests/unit/test.h"

static int count_under(const struct link_index *ix, const char *key)
{
	int n = 0;
	for (struct link_index_entry *e = link_index_find(ix, key, NULL); e;
	     e = link_index_find(ix, key, e))
		n++;
	return n;
}

TEST(hub_link_index_finds_every_link_of_a_node)
{
	static struct link_index ix;
	struct link_index_entry a = { 0 }, b = { 0 }, c = { 0 };
	link_index_add(&ix, &a, "mi-1");
	link_index_add(&ix, &b, "mi-2");
	link_index_add(&ix, &c, "mi-1");
	ASSERT_INT_EQ(count_under(&ix, "mi-1"), 2);
	ASSERT_INT_EQ(count_under(&ix, "mi-2"), 1);
	ASSERT_INT_EQ(count_under(&ix, "mi-3"), 0);
	link_index_remove(&ix, &a);
	link_index_remove(&ix, &a); /* twice is harmless */
	ASSERT_INT_EQ(count_under(&ix, "mi-1"), 1);
	ASSERT_TRUE(link_index_find(&ix, "mi-1", NULL) == &c);
	link_index_remove(&ix, &b);
	link_index_remove(&ix, &c);
	ASSERT_INT_EQ(count_under(&ix, "mi-1") + count_under(&ix, "mi-2"), 0);
}

TEST(hub_link_stats_say_what_changed_since_the_last_line)
{
	struct link_stats now = { 0 }, last = { 0 };
	char line[512];
	link_stats_summary(&now, &last, line, sizeof(line));
	ASSERT_STR_EQ(line, "");
	now.open = 3;
	now.welcomed_open = 2;
	now.opened = 5;
	now.welcomed = 4;
	now.ended[LINK_END_SILENT] = 1;
	now.ended_welcomed[LINK_END_SILENT] = 1;
	now.ended[LINK_END_HELLO_TIMEOUT] = 1;
	link_stats_summary(&now, &last, line, sizeof(line));
	ASSERT_STR_EQ(line, "links: 3 open, 2 welcomed; since last: 5 opened, 4 welcomed, 2 ended"
			    " (hello_timeout=1 silent=1); of welcomed links: silent=1");
	/* Nothing new: no line. */
	link_stats_summary(&now, &last, line, sizeof(line));
	ASSERT_STR_EQ(line, "");
}

/* The test builds' crash points: what STATE_DIR/test-crash-point arms, and what it refuses.
 * (Dying at the armed crossing is tests/e2e/crash-points.sh's part.) */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "common/crash_point.h"
#include "common/fileio.h"
#include "tests/unit/test.h"

static int arm_with(const char *text, struct error *err)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), CRASH_POINT_FILE);
	if (text && write_file_replace(path, text, strlen(text), 0600) < 0)
		return -EIO;
	return crash_point_arm(test_tmpdir(), err);
}

static bool file_left(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), CRASH_POINT_FILE);
	return access(path, F_OK) == 0;
}

TEST(crash_point_no_file_arms_nothing)
{
	ASSERT_INT_EQ(arm_with(NULL, NULL), 0);
	crash_point("assign-received");
}

TEST(crash_point_arms_a_later_crossing_and_takes_the_file)
{
	ASSERT_INT_EQ(arm_with("assign-stored 3\n", NULL), 0);
	ASSERT_TRUE(!file_left());
	/* Other points, and the crossings before the armed one, go on. */
	crash_point("assign-received");
	crash_point("assign-stored");
	crash_point("assign-stored");
	crash_point_after_commit("state-committed");
	crash_point_committed();
	/* Disarmed again, so that the rest of this program runs through. */
	ASSERT_INT_EQ(arm_with("assign-stored 1000000", NULL), 0);
}

TEST(crash_point_unknown_name_or_crossing_is_refused)
{
	struct error err = { 0 };
	ASSERT_INT_EQ(arm_with("no-such-point", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "no crash point is named 'no-such-point'");
	ASSERT_TRUE(!file_left());
	ASSERT_INT_EQ(arm_with("pid-seen 0", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "the crossing '0'");
	ASSERT_INT_EQ(arm_with("pid-seen lots", &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "the crossing 'lots'");
}

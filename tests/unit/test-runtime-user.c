/* User and group resolution against an image's /etc/passwd and /etc/group. */
#include "monitor/user.h"
#include "tests/unit/test.h"

static const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
			    "broken line\n"
			    "bad:x:notanumber:1::/:/bin/sh\n"
			    "app:x:1000:1001:App:/home/app:/bin/sh\n"
			    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
static const char *group = "root:x:0:\n"
			   "app:x:1001:\n"
			   "audio:x:29:app,other\n"
			   "video:x:44:other\n"
			   "staff:x:50:app\n";

TEST(empty_user_is_root)
{
	struct user_ids ids = { .uid = 9 };
	ASSERT_INT_EQ(user_resolve(NULL, passwd, group, &ids, NULL), 0);
	ASSERT_INT_EQ(ids.uid, 0);
	ASSERT_INT_EQ(ids.gid, 0);
	ASSERT_INT_EQ(ids.n_groups, 0);
}

TEST(name_gives_uid_gid_and_supplementary_groups)
{
	struct user_ids ids;
	ASSERT_INT_EQ(user_resolve("app", passwd, group, &ids, NULL), 0);
	ASSERT_INT_EQ(ids.uid, 1000);
	ASSERT_INT_EQ(ids.gid, 1001);
	ASSERT_INT_EQ(ids.n_groups, 2);
	ASSERT_INT_EQ(ids.groups[0], 29);
	ASSERT_INT_EQ(ids.groups[1], 50);
}

TEST(numeric_uid_uses_passwd_gid_when_listed)
{
	struct user_ids ids;
	ASSERT_INT_EQ(user_resolve("1000", passwd, group, &ids, NULL), 0);
	ASSERT_INT_EQ(ids.uid, 1000);
	ASSERT_INT_EQ(ids.gid, 1001);
}

TEST(numeric_uid_not_listed_is_allowed_with_gid_0)
{
	struct user_ids ids;
	ASSERT_INT_EQ(user_resolve("4242", passwd, NULL, &ids, NULL), 0);
	ASSERT_INT_EQ(ids.uid, 4242);
	ASSERT_INT_EQ(ids.gid, 0);
}

TEST(uid_and_gid)
{
	struct user_ids ids;
	ASSERT_INT_EQ(user_resolve("65534:65534", NULL, NULL, &ids, NULL), 0);
	ASSERT_INT_EQ(ids.uid, 65534);
	ASSERT_INT_EQ(ids.gid, 65534);
}

TEST(name_and_group_name)
{
	struct user_ids ids;
	ASSERT_INT_EQ(user_resolve("app:video", passwd, group, &ids, NULL), 0);
	ASSERT_INT_EQ(ids.uid, 1000);
	ASSERT_INT_EQ(ids.gid, 44);
}

TEST(unknown_names_are_errors)
{
	struct user_ids ids;
	struct error err = { 0 };
	ASSERT_TRUE(user_resolve("ghost", passwd, group, &ids, &err) < 0);
	ASSERT_CONTAINS(err.message, "unable to find user ghost");
	ASSERT_TRUE(user_resolve("app:ghosts", passwd, group, &ids, &err) < 0);
	ASSERT_CONTAINS(err.message, "unable to find group ghosts");
	ASSERT_TRUE(user_resolve("app", NULL, NULL, &ids, &err) < 0);
}

TEST(malformed_specs_are_errors)
{
	struct user_ids ids;
	ASSERT_TRUE(user_resolve(":1", passwd, group, &ids, NULL) < 0);
	ASSERT_TRUE(user_resolve("bad", passwd, group, &ids, NULL) < 0);
}

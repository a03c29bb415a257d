/* Bearer tokens kept across pulls: by key, until shortly before they expire, forgotten on
 * request, and bounded in number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "image/registry_tokens.h"
#include "tests/unit/test.h"

TEST(a_kept_token_is_found_by_its_key_until_it_nearly_expires)
{
	uint64_t now = (uint64_t)monotonic_ms();
	registry_token_keep("realm\nsvc\nrepository:a:pull\nuser", "Bearer aaa", now + 60000);
	registry_token_keep("realm\nsvc\nrepository:b:pull\nuser", "Bearer bbb", now + 1000);
	char *t = registry_token_lookup("realm\nsvc\nrepository:a:pull\nuser");
	ASSERT_STR_EQ(t, "Bearer aaa");
	free(t);
	/* Another user, another token. */
	ASSERT_TRUE(registry_token_lookup("realm\nsvc\nrepository:a:pull\n") == NULL);
	/* Ends within seconds: a pull would outlive it. */
	ASSERT_TRUE(registry_token_lookup("realm\nsvc\nrepository:b:pull\nuser") == NULL);
	registry_token_keep("realm\nsvc\nrepository:a:pull\nuser", "Bearer new", now + 60000);
	t = registry_token_lookup("realm\nsvc\nrepository:a:pull\nuser");
	ASSERT_STR_EQ(t, "Bearer new");
	free(t);
	registry_token_forget("realm\nsvc\nrepository:a:pull\nuser");
	ASSERT_TRUE(registry_token_lookup("realm\nsvc\nrepository:a:pull\nuser") == NULL);
}

TEST(the_number_of_kept_tokens_is_bounded_and_the_latest_stays)
{
	uint64_t now = (uint64_t)monotonic_ms();
	char key[64];
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		registry_token_keep(key, "Bearer x", now + 60000 + (uint64_t)i);
	}
	char *t = registry_token_lookup("k499");
	ASSERT_STR_EQ(t, "Bearer x");
	free(t);
	ASSERT_TRUE(registry_token_lookup("k0") == NULL);
}

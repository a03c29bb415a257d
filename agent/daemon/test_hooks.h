/* Hooks that let tests put the daemon into states it must survive, compiled only into test
 * builds (MODE=test defines TETHER_TEST_HOOKS); in a release build they are empty. */
#pragma once

#ifdef TETHER_TEST_HOOKS
/* When STATE_DIR/test-block-loop exists, holding a number of seconds, the file is removed and
 * the calling event loop sleeps that long, signals or not: a hung agent, for the tests of the
 * service manager's watchdog. */
void test_hook_block_loop(const char *state_dir);
#else
static inline void test_hook_block_loop(const char *state_dir)
{
	(void)state_dir;
}
#endif

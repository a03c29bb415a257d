#include "agent/daemon/test_hooks.h"

#ifdef TETHER_TEST_HOOKS
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/parse.h"

#define BLOCK_LOOP_FILE "test-block-loop"

void test_hook_block_loop(const char *state_dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", state_dir, BLOCK_LOOP_FILE);
	_cleanup_free_ char *text = NULL;
	if (read_file_full(path, 64, &text, NULL) < 0)
		return;
	unlink(path);
	text[strcspn(text, "\n")] = '\0';
	uint64_t seconds = 0;
	if (parse_u64(text, 1, 3600, &seconds) < 0) {
		log_warning("Test hook: %s holds '%s', not a number of seconds from 1 to 3600", path,
			    text);
		return;
	}
	log_warning("Test hook: blocking the event loop for %" PRIu64 " s", seconds);
	struct timespec left = { .tv_sec = (time_t)seconds };
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
}
#endif

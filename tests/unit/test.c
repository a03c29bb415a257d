#include "tests/unit/test.h"

#include <stdarg.h>
#include <stdlib.h>

#include "common/fileio.h"

static struct test_case *tests;
static struct test_case **tests_tail = &tests;
static bool current_failed;
static bool current_skipped;
static char current_message[1024];
static char current_tmpdir[256];

void test_register(struct test_case *tc)
{
	*tests_tail = tc;
	tests_tail = &tc->next;
}

void test_fail_at(const char *file, int line, const char *fmt, ...)
{
	if (current_failed)
		return;
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(current_message, sizeof(current_message), "%s:%d: %s", file, line, what);
	current_failed = true;
}

void test_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(current_message, sizeof(current_message), fmt, ap);
	va_end(ap);
	current_skipped = true;
}

bool test_failed(void)
{
	return current_failed;
}

const char *test_tmpdir(void)
{
	if (!current_tmpdir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(current_tmpdir, sizeof(current_tmpdir), "%s/tether-unit-XXXXXX",
			 base ? base : "/tmp");
		if (!mkdtemp(current_tmpdir)) {
			perror("mkdtemp");
			abort();
		}
	}
	return current_tmpdir;
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int failed = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct test_case *tc = tests; tc; tc = tc->next) {
		if (!selected(tc->name, argc, argv))
			continue;
		current_failed = current_skipped = false;
		current_message[0] = '\0';
		current_tmpdir[0] = '\0';
		tc->fn();
		if (current_tmpdir[0])
			remove_tree(current_tmpdir);
		if (current_failed) {
			printf("FAIL %s: %s\n", tc->name, current_message);
			failed++;
		} else if (current_skipped) {
			printf("SKIP %s: %s\n", tc->name, current_message);
		} else {
			printf("PASS %s\n", tc->name);
		}
	}
	return failed ? 1 : 0;
}

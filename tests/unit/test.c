#include "tests/unit/test.h"

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fileio.h"

static struct test_case *tests;
static struct test_case **tests_tail = &tests;
static bool current_failed;
static bool current_skipped;
static char current_message[1024];
static char current_tmpdir[256];
/* Where a failed assertion returns to, from the test function or any helper it called. */
static jmp_buf current_test;
static pid_t runner;

void test_register(struct test_case *tc)
{
	*tests_tail = tc;
	tests_tail = &tc->next;
}

_Noreturn void test_fail_at(const char *file, int line, const char *fmt, ...)
{
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(current_message, sizeof(current_message), "%s:%d: %s", file, line, what);
	current_failed = true;
	/* A child the test forked must not go on as a second runner: it says why and exits,
	 * and the test sees its status. */
	if (getpid() != runner) {
		fprintf(stderr, "FAIL in a child of the test: %s\n", current_message);
		_exit(1);
	}
	longjmp(current_test, 1);
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

/* The child's status when it cannot have a mount namespace of its own. */
#define NO_PRIVATE_MOUNTS 77

void test_in_private_tmpfs(const char *dir, const char *options, void (*fn)(const char *dir))
{
	pid_t pid = fork();
	if (pid < 0)
		test_fail_at(__FILE__, __LINE__, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", dir, "tmpfs", 0, options) < 0)
			_exit(NO_PRIVATE_MOUNTS);
		fn(dir);
		_exit(0);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			test_fail_at(__FILE__, __LINE__, "waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == NO_PRIVATE_MOUNTS)
		test_skip("no mount namespace here (not root?)");
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		test_fail_at(__FILE__, __LINE__, "the child in its own mount namespace failed (its "
			     "FAIL line is above)");
}

/* The test's own cleanups do not run after a failed assertion; its folder is still removed,
 * and a leak report from a failed test adds nothing wrong. */
static void run_one(const struct test_case *tc)
{
	if (setjmp(current_test) == 0)
		tc->fn();
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
	runner = getpid();
	for (struct test_case *tc = tests; tc; tc = tc->next) {
		if (!selected(tc->name, argc, argv))
			continue;
		current_failed = current_skipped = false;
		current_message[0] = '\0';
		current_tmpdir[0] = '\0';
		run_one(tc);
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

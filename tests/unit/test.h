/* A tiny unit test framework: TEST(name) { ... } registers a test; the shared main runs every
 * test (or those named on the command line) and prints one line per test, "PASS name",
 * "FAIL name: why" or "SKIP name: why", which tests/run.sh counts. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
/* Records the failure and ends the running test, from the test function or any helper it
 * called (a longjmp to the runner). */
_Noreturn void test_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool test_failed(void);

#define TEST(name_)                                                                    \
	static void test_##name_(void);                                                \
	static struct test_case test_case_##name_ = { #name_, test_##name_, NULL };     \
	__attribute__((constructor)) static void test_register_##name_(void)            \
	{                                                                              \
		test_register(&test_case_##name_);                                     \
	}                                                                              \
	static void test_##name_(void)

/* Assertions end the test at the first failure, wherever they are called from. */
#define ASSERT_TRUE(c)                                                                \
	do {                                                                           \
		if (!(c)) {                                                            \
			test_fail_at(__FILE__, __LINE__, "expected %s", #c);          \
		}                                                                      \
	} while (0)

#define ASSERT_INT_EQ(a, b)                                                           \
	do {                                                                           \
		long long a_ = (long long)(a), b_ = (long long)(b);                    \
		if (a_ != b_) {                                                        \
			test_fail_at(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
				     #a, a_, #b, b_);                                  \
		}                                                                      \
	} while (0)

#define ASSERT_STR_EQ(a, b)                                                           \
	do {                                                                           \
		const char *a_ = (a), *b_ = (b);                                       \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                               \
			test_fail_at(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", \
				     #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");      \
		}                                                                      \
	} while (0)

#define ASSERT_CONTAINS(haystack, needle)                                             \
	do {                                                                           \
		const char *h_ = (haystack), *n_ = (needle);                           \
		if (!h_ || !strstr(h_, n_)) {                                          \
			test_fail_at(__FILE__, __LINE__, "%s == \"%s\" lacks \"%s\"", #haystack, \
				     h_ ? h_ : "(null)", n_);                          \
		}                                                                      \
	} while (0)

/* A fresh temporary directory for the running test (removed after it). */
const char *test_tmpdir(void);

/* Runs FN(DIR) in a forked child with a mount namespace of its own, in which a tmpfs mounted
 * with OPTIONS (mount(2) data, e.g. "size=1m") is at DIR, an existing folder: the host's mounts
 * never change. FN may use the assertions: the test fails when it does, and is skipped where
 * no mount namespace can be made (not root). */
void test_in_private_tmpfs(const char *dir, const char *options, void (*fn)(const char *dir));

/* The log driver table: every driver is found by name, has a reader for `tether logs`, and
 * has its options checked by the task definition's validation. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "agent/logs/log_read.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "container/container_log.h"
#include "logs/log_driver.h"
#include "protocol/taskdef_log.h"
#include "tests/unit/test.h"

/* Parse {"logDriver": DRIVER, "options": {NAME: VALUE}} (no options when NAME is NULL). */
static int parse(const char *driver, const char *name, const char *value,
		 struct taskdef_log *log, struct error *err)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "logDriver", driver);
	if (name)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(j, "options"), name, value);
	*log = (struct taskdef_log){ 0 };
	int r = taskdef_log_from_json(j, "logConfiguration", log, err);
	cJSON_Delete(j);
	return r;
}

TEST(every_driver_is_found_by_name_and_has_a_reader)
{
	for (size_t i = 0; log_drivers[i]; i++) {
		ASSERT_TRUE(log_driver_by_name(log_drivers[i]->name) == log_drivers[i]);
		ASSERT_TRUE(log_reader_for(log_drivers[i]) != NULL);
		ASSERT_TRUE(log_drivers[i]->open && log_drivers[i]->write && log_drivers[i]->close);
	}
	ASSERT_TRUE(log_driver_by_name("awslogs") == NULL);
}

TEST(an_unknown_driver_is_refused_naming_every_driver)
{
	struct taskdef_log log;
	struct error err = { 0 };
	ASSERT_INT_EQ(parse("awslogs", NULL, NULL, &log, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "\"awslogs\" is not supported by tether (supported: ");
	for (size_t i = 0; log_drivers[i]; i++)
		ASSERT_CONTAINS(err.message, log_drivers[i]->name);
	taskdef_log_release(&log);
}

TEST(an_unknown_option_is_refused_naming_the_driver_s_options)
{
	for (size_t i = 0; log_drivers[i]; i++) {
		struct taskdef_log log;
		struct error err = { 0 };
		ASSERT_INT_EQ(parse(log_drivers[i]->name, "compress", "true", &log, &err), -EINVAL);
		ASSERT_CONTAINS(err.message, "logConfiguration.options.compress: option not "
				"supported by tether's");
		ASSERT_CONTAINS(err.message, log_drivers[i]->name);
		for (const struct log_option *o = log_drivers[i]->options; o->name; o++)
			ASSERT_CONTAINS(err.message, o->name);
		taskdef_log_release(&log);
	}
}

TEST(json_file_options_are_checked)
{
	struct taskdef_log log;
	struct error err = { 0 };
	ASSERT_INT_EQ(parse("json-file", "max-size", "10m", &log, &err), 0);
	ASSERT_TRUE(log.driver == &log_driver_json_file);
	ASSERT_INT_EQ(log.options.max_size, 10 * 1024 * 1024);
	ASSERT_INT_EQ(parse("json-file", "max-size", "1k", &log, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "expected a size from 4k to 1024g");
	ASSERT_INT_EQ(parse("json-file", "max-file", "5", &log, &err), 0);
	ASSERT_INT_EQ(log.options.max_file, 5);
	ASSERT_INT_EQ(parse("json-file", "max-file", "0", &log, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "expected a number of files from 1 to 100");
	ASSERT_INT_EQ(parse("json-file", "tag", "web", &log, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "(supported: max-size, max-file)");
}

TEST(journald_options_are_checked)
{
	struct taskdef_log log;
	struct error err = { 0 };
	ASSERT_INT_EQ(parse("journald", "tag", "web", &log, &err), 0);
	ASSERT_TRUE(log.driver == &log_driver_journald);
	ASSERT_STR_EQ(log.options.tag, "web");
	taskdef_log_release(&log);
	ASSERT_INT_EQ(parse("journald", "tag", "{{.Name}}", &log, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "templates are not supported");
	ASSERT_INT_EQ(parse("journald", "tag", "a\tb", &log, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "must not contain control characters");
	ASSERT_INT_EQ(parse("journald", "max-size", "10m", &log, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "(supported: tag)");
}

TEST(the_json_file_writer_works_through_the_table)
{
	const struct taskdef_log def = { .driver = &log_driver_json_file };
	struct container_log cfg;
	ASSERT_INT_EQ(container_log_resolve(&def, "app", "arn:x/t1", false, &cfg), 0);
	struct error err = { 0 };
	void *writer = NULL;
	const struct log_source source = { cfg.task_arn, cfg.container_name };
	ASSERT_INT_EQ(cfg.driver->open(&cfg.options, &source, test_tmpdir(), &writer, &err), 0);
	struct log_entry e = { .line = "hello", .len = 5, .stream = LOG_STDERR };
	ASSERT_INT_EQ(cfg.driver->write(writer, &e), 0);
	uint64_t dropped = 1;
	int first = 1;
	cfg.driver->close(writer, &dropped, &first);
	ASSERT_INT_EQ(dropped, 0);
	ASSERT_INT_EQ(first, 0);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/container.log", test_tmpdir());
	_cleanup_free_ char *text = NULL;
	ASSERT_INT_EQ(read_file_full(path, 4096, &text, NULL), 0);
	ASSERT_CONTAINS(text, "\"log\":\"hello\\n\",\"stream\":\"stderr\"");
	container_log_release(&cfg);
}

/* tether-monitor closes its logs on every way out, also when no writer was opened. */
TEST(closing_a_writer_that_never_opened_counts_nothing)
{
	for (size_t i = 0; log_drivers[i]; i++) {
		uint64_t dropped = 1;
		int first = 1;
		log_drivers[i]->close(NULL, &dropped, &first);
		ASSERT_INT_EQ(dropped, 0);
		ASSERT_INT_EQ(first, 0);
	}
}

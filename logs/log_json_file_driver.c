/* The json-file log driver's entry: its options (max-size, max-file) and its writer on the
 * container's state folder (logs/log_json_file.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/parse.h"
#include "logs/log_driver.h"
#include "logs/log_json_file.h"

static int parse_max_size(const char *value, const char *path, struct log_options *options,
			  struct error *err)
{
	uint64_t n;
	if (log_parse_size(value, &n) < 0 || n < LOG_MIN_SIZE ||
	    n > LOG_MAX_SIZE)
		return error_set(err, EINVAL, "%s: expected a size from 4k to 1024g such as "
				 "\"10m\" (k, m, g: powers of 1024)", path);
	options->max_size = n;
	return 0;
}

static int parse_max_file(const char *value, const char *path, struct log_options *options,
			  struct error *err)
{
	uint64_t n;
	if (parse_u64(value, 1, LOG_MAX_FILES, &n) < 0)
		return error_set(err, EINVAL, "%s: expected a number of files from 1 to %d", path,
				 LOG_MAX_FILES);
	options->max_file = (uint32_t)n;
	return 0;
}

static const struct log_option json_file_options[] = {
	{ "max-size", parse_max_size },
	{ "max-file", parse_max_file },
	{ 0 },
};

static int json_file_open(const struct log_options *options, const struct log_source *source,
			const char *folder, void **ret_writer, struct error *err)
{
	(void)source; /* the file is the container's own */
	_cleanup_free_ struct log_json_file *f = calloc(1, sizeof(*f));
	_cleanup_free_ char *path = NULL;
	if (!f || asprintf(&path, "%s/%s", folder, LOG_JSON_FILE_NAME) < 0)
		return error_set(err, ENOMEM, "log file");
	int r = log_json_file_open(f, path, options->max_size, options->max_file, err);
	if (r < 0)
		return r;
	*ret_writer = TAKE_PTR(f);
	return 0;
}

static int json_file_write(void *writer, const struct log_entry *e)
{
	return log_json_file_write(writer, e);
}

static void json_file_close(void *writer, uint64_t *ret_dropped, int *ret_first_error)
{
	struct log_json_file *f = writer;
	*ret_dropped = f ? f->dropped : 0;
	*ret_first_error = f ? f->first_error : 0;
	if (!f)
		return;
	log_json_file_close(f);
	free(f);
}

const struct log_driver log_driver_json_file = {
	.name = "json-file",
	.options = json_file_options,
	.open = json_file_open,
	.write = json_file_write,
	.close = json_file_close,
};

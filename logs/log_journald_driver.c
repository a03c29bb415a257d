/* The journald log driver's entry: its option (tag) and its writer to the host's journal
 * (logs/log_journald.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "logs/log_driver.h"
#include "logs/log_journald.h"

static int parse_tag(const char *value, const char *path, struct log_options *options,
		     struct error *err)
{
	size_t len = strlen(value);
	if (len == 0 || len > LOG_MAX_TAG)
		return error_set(err, EINVAL, "%s: expected 1 to %d bytes", path, LOG_MAX_TAG);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return error_set(err, EINVAL, "%s: must not contain control characters", path);
	/* Docker expands Go templates here; taking "{{.Name}}" literally would surprise. */
	if (strstr(value, "{{"))
		return error_set(err, EINVAL, "%s: templates are not supported (give the tag as "
				 "plain text)", path);
	options->tag = strdup(value);
	return options->tag ? 0 : error_set(err, ENOMEM, "%s: out of memory", path);
}

static const struct log_option journald_options[] = {
	{ "tag", parse_tag },
	{ 0 },
};

static int journald_open(const struct log_options *options, const struct log_source *source,
			const char *folder, void **ret_writer, struct error *err)
{
	(void)folder; /* the journal keeps the lines, not the state folder */
	_cleanup_free_ struct log_journald *j = calloc(1, sizeof(*j));
	if (!j)
		return error_set(err, ENOMEM, "journal");
	int r = log_journald_open(j, JOURNALD_SOCKET, options->tag, source->task_arn,
				  source->container_name, err);
	if (r < 0)
		return r;
	*ret_writer = TAKE_PTR(j);
	return 0;
}

static int journald_write(void *writer, const struct log_entry *e)
{
	return log_journald_write(writer, e);
}

static void journald_close(void *writer, uint64_t *ret_dropped, int *ret_first_error)
{
	struct log_journald *j = writer;
	*ret_dropped = j ? j->dropped : 0;
	*ret_first_error = j ? j->first_error : 0;
	if (!j)
		return;
	log_journald_close(j);
	free(j);
}

const struct log_driver log_driver_journald = {
	.name = "journald",
	.options = journald_options,
	.open = journald_open,
	.write = journald_write,
	.close = journald_close,
};

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exposition.h"

static void append(struct exposition *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append(struct exposition *e, const char *fmt, ...)
{
	if (e->failed)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		size_t room = e->size - e->len;
		int n = vsnprintf(e->text ? e->text + e->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			e->failed = true;
			return;
		}
		if ((size_t)n < room) {
			e->len += (size_t)n;
			return;
		}
		size_t size = e->size ? e->size * 2 : 4096;
		while (size - e->len <= (size_t)n)
			size *= 2;
		char *grown = realloc(e->text, size);
		if (!grown) {
			e->failed = true;
			return;
		}
		e->text = grown;
		e->size = size;
	}
}

void exposition_family(struct exposition *e, const char *name, const char *type,
		       const char *help)
{
	append(e, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void append_label_value(struct exposition *e, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			append(e, "\\\\");
		else if (*v == '"')
			append(e, "\\\"");
		else if (*v == '\n')
			append(e, "\\n");
		else
			append(e, "%c", *v);
	}
}

void exposition_sample(struct exposition *e, const char *name, const char *const *labels,
		       double value)
{
	append(e, "%s", name);
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		append(e, "%s%s=\"", i ? "," : "{", labels[i]);
		append_label_value(e, labels[i + 1]);
		append(e, "\"");
	}
	if (labels && labels[0] && labels[1])
		append(e, "}");
	if (isnan(value))
		append(e, " NaN\n");
	else if (value > -9e15 && value < 9e15 && value == (double)(long long)value)
		append(e, " %lld\n", (long long)value);
	else
		append(e, " %.17g\n", value);
}

int exposition_finish(struct exposition *e, char **ret)
{
	if (!e->failed && !e->text)
		append(e, "%s", "");
	if (e->failed) {
		free(e->text);
		*e = (struct exposition){ 0 };
		return -ENOMEM;
	}
	*ret = e->text;
	*e = (struct exposition){ 0 };
	return 0;
}

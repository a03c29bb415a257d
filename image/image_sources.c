/* The table of image sources, keyed by the reference's scheme. A new source is one more line
 * here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "image/image_source.h"

const struct image_source *const image_sources[] = {
	&image_source_oci_layout,
	NULL,
};

/* Anything else is a registry reference ("docker://...", or a bare name). */
static int refuse(const char *reference, struct error *err)
{
	char known[512] = "";
	for (size_t i = 0; image_sources[i]; i++) {
		size_t used = strlen(known);
		snprintf(known + used, sizeof(known) - used, "%s%s", i ? " or " : "",
			 image_sources[i]->usage);
	}
	return error_set(err, EPROTONOSUPPORT, "%s: registry pulls are not supported in this "
			 "version; use %s", reference, known);
}

int image_origin_open(const char *reference, struct image_origin *ret, struct error *err)
{
	for (size_t i = 0; image_sources[i]; i++) {
		const struct image_source *s = image_sources[i];
		if (strncmp(reference, s->scheme, strlen(s->scheme)) != 0)
			continue;
		void *state = NULL;
		int r = s->open(reference, &state, err);
		if (r < 0)
			return r;
		*ret = (struct image_origin){ .source = s, .state = state };
		return 0;
	}
	return refuse(reference, err);
}

void image_origin_close(struct image_origin *o)
{
	if (o->source)
		o->source->close(o->state);
	*o = (struct image_origin){ 0 };
}

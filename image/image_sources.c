/* The table of image sources, keyed by the reference's scheme. A new source is one more line
 * here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "image/image_source.h"

const struct image_source *const image_sources[] = {
	&image_source_oci_layout,
	&image_source_registry, /* last: it takes every reference */
	NULL,
};

int image_origin_open(const char *reference, const struct image_pull_options *options,
		      struct image_origin *ret, struct error *err)
{
	for (size_t i = 0; image_sources[i]; i++) {
		const struct image_source *s = image_sources[i];
		if (strncmp(reference, s->scheme, strlen(s->scheme)) != 0)
			continue;
		void *state = NULL;
		int r = s->open(reference, options, &state, err);
		if (r < 0)
			return r;
		*ret = (struct image_origin){ .source = s, .state = state };
		return 0;
	}
	return error_set(err, EPROTONOSUPPORT, "%s: no image source takes this reference",
			 reference);
}

void image_origin_close(struct image_origin *o)
{
	if (o->source)
		o->source->close(o->state);
	*o = (struct image_origin){ 0 };
}

#include <errno.h>
#include <stdlib.h>

#include "hub/http_front.h"

int http_front_new(const struct hub_server_config *cfg, struct hub_store *store,
		   struct http_front **ret, struct error *err)
{
	struct http_front *front = calloc(1, sizeof(*front));
	if (!front)
		return error_set(err, ENOMEM, "out of memory");
	front->store = store;
	front->dev = cfg->dev;
	front->tls = cfg->tls_cert != NULL;
	*ret = front;
	return 0;
}

void http_front_free(struct http_front *front)
{
	free(front);
}

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "hub/http_front.h"
#include "hub/register_throttle.h"

double http_front_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int http_front_new(const struct hub_server_config *cfg, struct hub_store *store,
		   struct http_front **ret, struct error *err)
{
	struct http_front *front = calloc(1, sizeof(*front));
	if (!front)
		return error_set(err, ENOMEM, "out of memory");
	front->store = store;
	front->dev = cfg->dev;
	front->tls = cfg->tls_cert != NULL;
	front->register_throttle = register_throttle_new();
	if (!front->register_throttle) {
		http_front_free(front);
		return error_set(err, ENOMEM, "out of memory");
	}
	*ret = front;
	return 0;
}

void http_front_free(struct http_front *front)
{
	if (!front)
		return;
	register_throttle_free(front->register_throttle);
	free(front);
}

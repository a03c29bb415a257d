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
	front->auth.dev = cfg->dev;
	front->register_throttle = register_throttle_new();
	front->auth.replays = replay_cache_new();
	front->metrics = metrics_window_new();
	if (!front->register_throttle || !front->auth.replays || !front->metrics) {
		http_front_free(front);
		return error_set(err, ENOMEM, "out of memory");
	}
	int r = cfg->db_path ? access_keys_attach(store->db, cfg->db_path, &front->auth.keys, err)
			     : 0;
	if (r < 0) {
		http_front_free(front);
		return r;
	}
	*ret = front;
	return 0;
}

void http_front_free(struct http_front *front)
{
	if (!front)
		return;
	register_throttle_free(front->register_throttle);
	replay_cache_free(front->auth.replays);
	access_keys_close(front->auth.keys);
	metrics_window_free(front->metrics);
	free(front);
}

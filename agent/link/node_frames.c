#include <errno.h>

#include "agent/link/node_frames.h"
#include "agent/link/version.h"
#include "common/cleanup.h"
#include "protocol/auth.h"
#include "protocol/frame.h"

char *node_hello_frame(const char *node_id, EVP_PKEY *key, const char *nonce,
		       const struct hostinfo *host, struct error *err)
{
	_cleanup_free_ char *sig = NULL;
	if (auth_sign(key, nonce, node_id, &sig, err) < 0)
		return NULL;
	cJSON *f = frame_new(FRAME_HELLO, 0);
	char *text = NULL;
	if (f && cJSON_AddStringToObject(f, "node_id", node_id) &&
	    cJSON_AddStringToObject(f, "protocol", TETHER_PROTOCOL_VERSION) &&
	    cJSON_AddStringToObject(f, "agent_version", TETHER_VERSION) &&
	    cJSON_AddStringToObject(f, "signature", sig) &&
	    cJSON_AddItemToObject(f, "resources", hostinfo_resources_json(host)) &&
	    cJSON_AddItemToObject(f, "attributes", hostinfo_attributes_json(host)))
		text = frame_print(f);
	cJSON_Delete(f);
	if (!text)
		error_set(err, ENOMEM, "out of memory");
	return text;
}

char *node_status_frame(const struct node_status_report *r, const struct hostinfo *host)
{
	cJSON *f = frame_new(FRAME_NODE_STATUS, 0);
	cJSON *tasks = cJSON_CreateObject();
	char *text = NULL;
	if (f && tasks && cJSON_AddNumberToObject(tasks, "PENDING", (double)r->tasks_pending) &&
	    cJSON_AddNumberToObject(tasks, "RUNNING", (double)r->tasks_running) &&
	    cJSON_AddNumberToObject(tasks, "STOPPED", (double)r->tasks_stopped) &&
	    cJSON_AddNumberToObject(f, "running_tasks", (double)r->running_tasks) &&
	    cJSON_AddStringToObject(f, "agent_version", TETHER_VERSION) &&
	    cJSON_AddNumberToObject(f, "connected_since", r->connected_since) &&
	    cJSON_AddItemToObject(f, "resources", hostinfo_resources_json(host)) &&
	    cJSON_AddItemToObject(f, "tasks", tasks)) {
		tasks = NULL;
		if (!r->health || cJSON_AddItemToObject(f, "health", r->health))
			text = frame_print(f);
		else
			cJSON_Delete(r->health);
	} else {
		cJSON_Delete(r->health);
	}
	cJSON_Delete(tasks);
	cJSON_Delete(f);
	return text;
}

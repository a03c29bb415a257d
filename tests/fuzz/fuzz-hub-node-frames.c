/* What the hub reads of the frames in which a node describes itself: the health of a
 * node_status, stamped against a stored report and shown as DescribeContainerInstances shows
 * it. */
#include <stdint.h>
#include <stdlib.h>

#include "hub/node_health.h"
#include "protocol/json_value.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char previous_text[] =
	"{\"status\":\"OK\",\"updated_at\":1,\"checks\":[{\"type\":\"STATE_STORE\",\"status\":\"OK\","
	"\"updated_at\":1,\"changed_at\":1}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	cJSON *frame = text ? cJSON_Parse(text) : NULL;
	cJSON *previous = cJSON_Parse(previous_text);
	char why[256];
	cJSON *merged = node_health_merge(cJSON_GetObjectItemCaseSensitive(frame, "health"),
					  previous, 2, why, sizeof(why));
	char *stored = merged ? cJSON_PrintUnformatted(merged) : NULL;
	cJSON *view = cJSON_CreateObject();
	node_health_view(stored ? stored : text, true, view);
	node_health_view(stored, false, view);
	cJSON_Delete(view);
	free(stored);
	cJSON_Delete(merged);
	cJSON_Delete(previous);
	cJSON_Delete(frame);
	free(text);
	return 0;
}

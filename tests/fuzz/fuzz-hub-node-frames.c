/* What the hub reads of the frames in which a node describes itself: the health of a
 * node_status, stamped against a stored report and shown as DescribeContainerInstances shows
 * it, and a metrics frame applied to a window that persists across inputs (so that batches
 * meet the ones before them) and read back. */
#include <stdint.h>
#include <stdlib.h>

#include "hub/metrics/metrics_window.h"
#include "hub/node_health.h"
#include "protocol/json_value.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char previous_text[] =
	"{\"status\":\"OK\",\"updated_at\":1,\"checks\":[{\"type\":\"STATE_STORE\",\"status\":\"OK\","
	"\"updated_at\":1,\"changed_at\":1}]}";

static void count_series(void *userdata, const char *node_id, const char *task_arn,
			 const char *container, const struct metrics_point *p, size_t n)
{
	(void)userdata;
	if (!node_id || !task_arn || !container || !p || n == 0 || n > METRICS_WINDOW_SAMPLES)
		abort();
}

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
	static struct metrics_window *window;
	if (!window)
		window = metrics_window_new();
	uint64_t ack = 0;
	if (window && frame) {
		metrics_window_apply(window, "mi-1", frame, 100, &ack, why, sizeof(why));
		metrics_window_foreach(window, count_series, NULL);
		metrics_window_expire(window, size % 2 ? 100 : 100000);
	}
	cJSON_Delete(merged);
	cJSON_Delete(previous);
	cJSON_Delete(frame);
	free(text);
	return 0;
}

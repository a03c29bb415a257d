#include "agent/metrics/metrics_frame.h"
#include "protocol/frame.h"

static cJSON *sample_json(const struct metrics_sample *s)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "task_arn", s->task_arn);
	cJSON_AddStringToObject(o, "container", s->container);
	cJSON_AddNumberToObject(o, "at", s->at);
	for (int m = 0; m < CONTAINER_METRIC_COUNT; m++)
		if (s->has[m])
			cJSON_AddNumberToObject(o, container_metric_defs[m].field, (double)s->value[m]);
	return o;
}

char *metrics_frame(const struct metrics_buffer *b, const char *run, uint64_t id, size_t first,
		    size_t n)
{
	cJSON *f = frame_new(FRAME_METRICS, 0);
	char *text = NULL;
	cJSON *samples = f ? cJSON_AddArrayToObject(f, "samples") : NULL;
	if (!samples || !cJSON_AddStringToObject(f, "run", run) ||
	    !cJSON_AddNumberToObject(f, "batch", (double)id) ||
	    !cJSON_AddNumberToObject(f, "dropped", (double)b->dropped))
		goto out;
	for (size_t i = first; i < first + n; i++) {
		cJSON *s = sample_json(metrics_buffer_at(b, i));
		if (!s)
			goto out;
		cJSON_AddItemToArray(samples, s);
	}
	text = frame_print(f);
out:
	cJSON_Delete(f);
	return text;
}

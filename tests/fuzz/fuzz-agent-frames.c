/* Every frame the hub can send, through the agent's handler, on an authenticated link whose
 * welcome started a reconciliation (so manifests and confirmations meet a report), with an
 * in-memory state database and a task manager that only counts; and the input taken as the
 * welcome itself. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/link/frame_handler.h"
#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *hello(void *userdata, const char *nonce, struct error *err)
{
	(void)userdata;
	(void)nonce;
	(void)err;
	return strdup("{\"type\":\"hello\"}");
}

static void sink(void *userdata, const char *text)
{
	(void)userdata;
	(void)text;
}

static void welcome(void *userdata, const cJSON *w)
{
	(void)userdata;
	(void)w;
}

static int start(void *userdata, const char *arn, const cJSON *def, struct error *err)
{
	(void)userdata;
	(void)arn;
	(void)def;
	(void)err;
	return 0;
}

static int stop(void *userdata, const char *arn, const char *reason)
{
	(void)userdata;
	(void)arn;
	(void)reason;
	return -ENOENT;
}

static const struct frame_handler_ops ops = {
	.make_hello = hello, .send = sink, .on_welcome = welcome,
	.start_task = start, .stop_task = stop,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct store *store;
	if (!store) {
		log_set_max_level(LOG_EMERG);
		if (store_open(":memory:", false, &store, NULL) < 0)
			abort();
	}
	static const char challenge[] = "{\"type\":\"challenge\",\"nonce\":\"00\"}";
	/* In step with the store's counters, or behind them, by the input's length. */
	const char *welcome_frame = size % 2 ? "{\"type\":\"welcome\",\"agent_seq\":0,\"hub_seq\":0}"
					     : "{\"type\":\"welcome\",\"agent_seq\":9007199254740991,"
					       "\"hub_seq\":9007199254740991}";
	struct frame_handler h = { .store = store, .ops = &ops };
	frame_handler_reset(&h);
	frame_handler_receive(&h, challenge, sizeof(challenge) - 1);
	frame_handler_receive(&h, welcome_frame, strlen(welcome_frame));
	frame_handler_receive(&h, (const char *)data, size);
	frame_handler_reset(&h);
	frame_handler_receive(&h, challenge, sizeof(challenge) - 1);
	frame_handler_receive(&h, (const char *)data, size);
	frame_handler_reset(&h);
	return 0;
}

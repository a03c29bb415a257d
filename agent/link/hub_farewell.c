#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "agent/link/frame_handler.h"
#include "agent/link/hostinfo.h"
#include "agent/link/hub_farewell.h"
#include "agent/link/hub_link.h"
#include "agent/link/node_frames.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/log.h"
#include "protocol/auth.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"

struct farewell {
	const struct identity *id;
	EVP_PKEY *key;
	struct hostinfo host;
	struct hub_link *link;
	struct frame_handler handler;
	struct store *store;
	bool deregister_sent;
	lws_sorted_usec_list_t deadline_sul; /* wakes the loop when the time is up */
	int result;          /* 1 while waiting */
	int last_close_code;
	char last_reason[256];
};

static char *make_hello(void *userdata, const char *nonce, struct error *err)
{
	struct farewell *fw = userdata;
	return node_hello_frame(fw->id->node_id, fw->key, nonce, &fw->host, err);
}

static void send_text(void *userdata, const char *text)
{
	struct farewell *fw = userdata;
	(void)hub_link_send(fw->link, text, strlen(text));
}

/* Once the hub has acknowledged every state change in the outbox (how the tasks ended), so
 * that it records them as they were rather than as orphans. */
static void deregister_when_outbox_empty(struct farewell *fw)
{
	if (fw->deregister_sent || !frame_handler_ready(&fw->handler))
		return;
	uint64_t pending = 0;
	struct error err = { 0 };
	if (store_outbox_count(fw->store, &pending, &err) < 0)
		log_warning("Cannot count the outbox, deregistering all the same: %s", err.message);
	else if (pending > 0)
		return;
	_cleanup_(cjson_deletep) cJSON *f = frame_new(FRAME_DEREGISTER, 0);
	_cleanup_free_ char *text = f ? frame_print(f) : NULL;
	if (text) {
		send_text(fw, text);
		fw->deregister_sent = true;
	}
}

static int replay_one(void *userdata, uint64_t seq, const char *frame_text)
{
	(void)seq;
	send_text(userdata, frame_text);
	return 0;
}

static void on_welcome(void *userdata, const cJSON *welcome)
{
	(void)welcome;
	struct farewell *fw = userdata;
	struct error err = { 0 };
	if (store_outbox_foreach(fw->store, replay_one, fw, &err) < 0)
		log_warning("Cannot replay the outbox: %s", err.message);
	deregister_when_outbox_empty(fw);
}

/* The node is leaving: an assignment still on its way is stored and acked, never run. */
static int refuse_start(void *userdata, const char *task_arn, const cJSON *definition,
			struct error *err)
{
	(void)userdata, (void)task_arn, (void)definition;
	return error_set(err, ECANCELED, "the node is being deregistered");
}

static int ignore_stop(void *userdata, const char *task_arn, const char *reason)
{
	(void)userdata, (void)task_arn, (void)reason;
	return 0;
}

static const struct frame_handler_ops ops = {
	.make_hello = make_hello,
	.send = send_text,
	.on_welcome = on_welcome,
	.start_task = refuse_start,
	.stop_task = ignore_stop,
};

static void on_established(void *userdata)
{
	struct farewell *fw = userdata;
	frame_handler_reset(&fw->handler);
	fw->deregister_sent = false;
}

static void on_message(void *userdata, const char *data, size_t size)
{
	struct farewell *fw = userdata;
	frame_handler_receive(&fw->handler, data, size);
	deregister_when_outbox_empty(fw);
}

static void on_closed(void *userdata, int close_code, const char *reason, unsigned retry_ms)
{
	(void)retry_ms;
	struct farewell *fw = userdata;
	fw->last_close_code = close_code;
	snprintf(fw->last_reason, sizeof(fw->last_reason), "%s", reason);
	if (close_code == CLOSE_DEREGISTERED)
		fw->result = 0;
	else if (close_code == CLOSE_AUTH_FAILED)
		fw->result = -EACCES; /* will not heal by retrying */
}

static void on_wakeup(void *userdata)
{
	(void)userdata;
}

static void deadline_reached(lws_sorted_usec_list_t *sul)
{
	(void)sul; /* waking the loop is all: it checks the clock */
}

static int farewell_setup(struct farewell *fw, const char *ca_file, struct store *store,
			  struct error *err)
{
	int r = auth_load_private_key(fw->id->private_key_pem, &fw->key, err);
	if (r < 0)
		return error_wrap(err, "node key");
	r = hostinfo_collect(&fw->host, err);
	if (r < 0)
		return error_wrap(err, "host information");
	fw->handler = (struct frame_handler){ .store = store, .ops = &ops, .userdata = fw };
	struct hub_link_config lc = {
		.connect_url = fw->id->connect_url,
		.ca_file = ca_file ? ca_file : fw->id->ca_file,
		.callbacks = { on_established, on_message, on_closed, on_wakeup },
		.userdata = fw,
	};
	return hub_link_new(&lc, &fw->link, err);
}

int hub_farewell(const struct identity *id, const char *ca_file, struct store *store,
		 int timeout_ms, struct error *err)
{
	struct farewell fw = { .id = id, .store = store, .result = 1 };
	int r = farewell_setup(&fw, ca_file, store, err);
	if (r >= 0) {
		hub_link_connect_now(fw.link);
		int64_t deadline = monotonic_ms() + timeout_ms;
		lws_sul_schedule(hub_link_context(fw.link), 0, &fw.deadline_sul, deadline_reached,
				 (lws_usec_t)timeout_ms * LWS_US_PER_MS);
		while (fw.result == 1 && monotonic_ms() < deadline)
			if (lws_service(hub_link_context(fw.link), 0) < 0)
				break;
		if (fw.result == -EACCES)
			r = error_set(err, EACCES, "the hub refused the node's identity (%d %s)",
				      fw.last_close_code, fw.last_reason);
		else if (fw.result == 1)
			r = error_set(err, ETIMEDOUT, "no answer within %d s%s%s", timeout_ms / 1000,
				      fw.last_reason[0] ? ": " : "", fw.last_reason);
		else
			r = 0;
	}
	hub_link_free(fw.link);
	frame_handler_reset(&fw.handler); /* what the last connection's reconciliation held */
	hostinfo_release(&fw.host);
	EVP_PKEY_free(fw.key);
	return r;
}

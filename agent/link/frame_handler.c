#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agent/link/frame_handler.h"
#include "common/cleanup.h"
#include "common/crash_point.h"
#include "common/log.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"

#define TASK_ARN_MAX FRAME_TASK_ARN_MAX

void frame_handler_reset(struct frame_handler *h)
{
	h->phase = FRAME_HANDLER_AWAIT_CHALLENGE;
	link_reconcile_reset(&h->reconcile);
}

bool frame_handler_ready(const struct frame_handler *h)
{
	return h->phase == FRAME_HANDLER_READY;
}

static void send_frame(struct frame_handler *h, cJSON *frame)
{
	_cleanup_free_ char *text = frame ? frame_print(frame) : NULL;
	cJSON_Delete(frame);
	if (text)
		h->ops->send(h->userdata, text);
}

static void send_error(struct frame_handler *h, const char *message)
{
	/* Before welcome the hub takes anything but hello as an authentication failure. */
	if (h->phase != FRAME_HANDLER_READY) {
		log_debug("Frame dropped before welcome: %s", message);
		return;
	}
	cJSON *f = frame_new(FRAME_ERROR, 0);
	if (f && !cJSON_AddStringToObject(f, "message", message)) {
		cJSON_Delete(f);
		return;
	}
	send_frame(h, f);
}

static void send_ack(struct frame_handler *h, uint64_t seq)
{
	cJSON *f = frame_new(FRAME_ACK, 0);
	if (f && !cJSON_AddNumberToObject(f, "seq", (double)seq)) {
		cJSON_Delete(f);
		return;
	}
	send_frame(h, f);
}

static const char *string_member(const cJSON *obj, const char *name, size_t max_len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > max_len)
		return NULL;
	return v->valuestring;
}

static void handle_challenge(struct frame_handler *h, const cJSON *json)
{
	const char *nonce = string_member(json, "nonce", 256);
	if (h->phase == FRAME_HANDLER_READY) {
		send_error(h, "challenge after welcome");
		return;
	}
	if (h->phase != FRAME_HANDLER_AWAIT_CHALLENGE || !nonce) {
		log_warning("Ignoring a repeated or malformed challenge from the hub");
		return;
	}
	struct error err = { 0 };
	_cleanup_free_ char *hello = h->ops->make_hello(h->userdata, nonce, &err);
	if (!hello) {
		log_error("Cannot answer the hub's challenge: %s", err.message);
		return;
	}
	h->ops->send(h->userdata, hello);
	h->phase = FRAME_HANDLER_AWAIT_WELCOME;
}

static void handle_assign(struct frame_handler *h, const struct frame *f)
{
	const char *arn = string_member(f->json, "task_arn", TASK_ARN_MAX);
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(f->json, "task_definition");
	if (!arn || !cJSON_IsObject(def)) {
		send_error(h, "task_assign needs a task_arn string and a task_definition object");
		return;
	}
	_cleanup_free_ char *def_text = cJSON_PrintUnformatted(def);
	if (!def_text)
		return;
	struct error err = { 0 };
	crash_point("assign-received");
	int r = store_task_add(h->store, arn, def_text, &err);
	if (r < 0) {
		/* Not acked: the hub sends it again after the next welcome. */
		log_error("Cannot store assignment of %s: %s", arn, err.message);
		if (h->ops->assignment_not_stored)
			h->ops->assignment_not_stored(h->userdata);
		return;
	}
	if (link_reconcile_hub_seq_seen(h->store, f->seq, &err) < 0)
		log_warning("Cannot record the hub's seq %" PRIu64 ": %s", f->seq, err.message);
	crash_point("assign-stored");
	crash_point_after_commit("assign-committed");
	send_ack(h, f->seq);
	if (r == 0) {
		log_info("Assignment of %s received again; already known", arn);
		return;
	}
	log_info("Task %s assigned", arn);
	if (h->ops->start_task(h->userdata, arn, def, &err) < 0)
		log_warning("Task %s cannot start: %s", arn, err.message);
}

static void handle_stop(struct frame_handler *h, const struct frame *f)
{
	const char *arn = string_member(f->json, "task_arn", TASK_ARN_MAX);
	if (!arn) {
		send_error(h, "task_stop needs a task_arn string");
		return;
	}
	const char *reason = string_member(f->json, "reason", 1024);
	if (!reason)
		reason = "Task stopped by the hub";
	crash_point("stop-received");
	/* Stored before it is acked, as an assignment is: an agent that dies before its task
	 * stopped takes the stop up again when it starts (otherwise the hub, acked, would never
	 * send it again, and the task would run on). */
	struct error err = { 0 };
	if (store_task_stop(h->store, arn, reason, &err) < 0) {
		log_error("Cannot store the stop of %s: %s", arn, err.message);
		return; /* not acked: the hub sends it again after the next welcome */
	}
	crash_point("stop-stored");
	crash_point_after_commit("stop-committed");
	int r = h->ops->stop_task(h->userdata, arn, reason);
	if (r == -ENOENT)
		log_warning("Stop of unknown task %s ignored", arn);
	else if (r < 0)
		log_warning("Stop of %s failed: %s", arn, strerror(-r));
	else
		log_info("Task %s stopping: %s", arn, reason);
	if (link_reconcile_hub_seq_seen(h->store, f->seq, &err) < 0)
		log_warning("Cannot record the hub's seq %" PRIu64 ": %s", f->seq, err.message);
	/* Acked in every case: a stop that cannot apply will not apply on a resend either. */
	send_ack(h, f->seq);
}

static void handle_ack(struct frame_handler *h, uint64_t seq)
{
	struct error err = { 0 };
	_cleanup_free_ char *finished = NULL;
	crash_point("state-ack-received");
	if (store_outbox_ack_task(h->store, seq, &finished, &err) < 0) {
		log_error("Cannot forget acked state change %" PRIu64 ": %s", seq, err.message);
		return;
	}
	crash_point("state-ack-stored");
	crash_point_after_commit(finished ? "forget-committed" : "state-ack-committed");
	if (finished && h->ops->forget_task)
		h->ops->forget_task(h->userdata, finished);
}

static void handle_metrics_ack(struct frame_handler *h, const cJSON *f)
{
	const cJSON *batch = cJSON_GetObjectItemCaseSensitive(f, "batch");
	if (!json_is_unsigned_integer(batch) || batch->valuedouble < 1) {
		send_error(h, "metrics_ack needs \"batch\", an integer from 1");
		return;
	}
	if (h->ops->metrics_acked)
		h->ops->metrics_acked(h->userdata, (uint64_t)batch->valuedouble);
}

/* Before the outbox is replayed: a hub that lost history adopts the tasks first, so that their
 * replayed states apply to them. */
static void handle_welcome(struct frame_handler *h, const cJSON *welcome)
{
	h->phase = FRAME_HANDLER_READY;
	struct error err = { 0 };
	_cleanup_free_ char *report = NULL;
	if (link_reconcile_report(&h->reconcile, h->store, welcome, &report, &err) < 0)
		log_error("Cannot report this node's tasks to the hub: %s", err.message);
	else if (report && h->reconcile.hub_behind)
		log_warning("The hub lacks state changes it acknowledged (restored from an older "
			    "database?): it is given the %zu tasks of this node to adopt, and no task "
			    "stops on its word on this connection", h->reconcile.n_tasks);
	if (report)
		h->ops->send(h->userdata, report);
	h->ops->on_welcome(h->userdata, welcome);
}

static void handle_manifest(struct frame_handler *h, const cJSON *manifest)
{
	struct error err = { 0 };
	_cleanup_free_ char *verify = NULL;
	if (link_reconcile_manifest(&h->reconcile, manifest, &verify, &err) < 0) {
		send_error(h, err.message);
		return;
	}
	if (verify) {
		log_info("Asking the hub to confirm the stop of tasks it does not want running");
		h->ops->send(h->userdata, verify);
	}
}

static void stop_confirmed(void *userdata, const char *task_arn)
{
	struct frame_handler *h = userdata;
	int r = h->ops->stop_task(h->userdata, task_arn, RECONCILE_STOP_REASON);
	if (r < 0 && r != -ENOENT)
		log_warning("Stop of %s failed: %s", task_arn, strerror(-r));
	else if (r == 0)
		log_info("Task %s stopping: the hub confirmed it is not to run here", task_arn);
}

static void handle_stop_confirm(struct frame_handler *h, const cJSON *confirm)
{
	struct error err = { 0 };
	if (link_reconcile_confirm(&h->reconcile, confirm, stop_confirmed, h, &err) < 0)
		send_error(h, err.message);
}

void frame_handler_receive(struct frame_handler *h, const char *data, size_t size)
{
	struct frame f = { 0 };
	struct error err = { 0 };
	if (frame_parse(data, size, &f, &err) < 0) {
		send_error(h, err.message);
		return;
	}

	if (f.type == FRAME_CHALLENGE) {
		handle_challenge(h, f.json);
	} else if (f.type == FRAME_WELCOME && h->phase == FRAME_HANDLER_AWAIT_WELCOME) {
		handle_welcome(h, f.json);
	} else if (f.type == FRAME_ERROR) {
		const char *message = string_member(f.json, "message", 1024);
		log_warning("Hub reported an error: %s", message ? message : "(no message)");
	} else if (f.type == FRAME_HEARTBEAT) {
		/* Liveness only. */
	} else if (h->phase != FRAME_HANDLER_READY) {
		send_error(h, "frame before welcome");
	} else if (f.type == FRAME_TASK_ASSIGN) {
		handle_assign(h, &f);
	} else if (f.type == FRAME_TASK_STOP) {
		handle_stop(h, &f);
	} else if (f.type == FRAME_ACK) {
		handle_ack(h, f.seq);
	} else if (f.type == FRAME_METRICS_ACK) {
		handle_metrics_ack(h, f.json);
	} else if (f.type == FRAME_TASK_MANIFEST) {
		handle_manifest(h, f.json);
	} else if (f.type == FRAME_TASK_STOP_CONFIRM) {
		handle_stop_confirm(h, f.json);
	} else {
		char message[96];
		snprintf(message, sizeof(message), "unexpected frame type %s from the hub",
			 frame_type_to_string(f.type));
		send_error(h, message);
	}
	frame_release(&f);
}

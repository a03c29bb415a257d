#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/parse.h"
#include "hub/agent_link.h"
#include "hub/node_health.h"
#include "hub/node_deregister.h"
#include "hub/tasks/task_state.h"
#include "hub/tasks/task_store.h"
#include "protocol/arn.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"

/* Queue TEXT (taken) to be written. */
static void push_text(struct agent_link *l, char *text)
{
	struct link_out *o = text ? calloc(1, sizeof(*o)) : NULL;
	if (!o) {
		free(text);
		return;
	}
	o->text = text;
	if (l->tail)
		l->tail->next = o;
	else
		l->head = o;
	l->tail = o;
}

static void push(struct agent_link *l, cJSON *frame)
{
	char *text = frame ? frame_print(frame) : NULL;
	cJSON_Delete(frame);
	push_text(l, text);
}

static void push_error(struct agent_link *l, const char *message)
{
	cJSON *f = frame_new(FRAME_ERROR, 0);
	if (f)
		cJSON_AddStringToObject(f, "message", message);
	push(l, f);
}

static void push_ack(struct agent_link *l, uint64_t seq)
{
	push(l, frame_new(FRAME_ACK, seq));
}

static void close_with(struct agent_link *l, int code, const char *reason)
{
	l->close_code = code;
	snprintf(l->close_reason, sizeof(l->close_reason), "%s", reason);
}

int agent_link_start(struct agent_link *l, struct hub_store *s, unsigned heartbeat_seconds)
{
	memset(l, 0, sizeof(*l));
	l->store = s;
	l->heartbeat_seconds = heartbeat_seconds;
	if (auth_new_nonce(l->nonce) < 0)
		return -EIO;
	cJSON *f = frame_new(FRAME_CHALLENGE, 0);
	if (!f)
		return -ENOMEM;
	cJSON_AddStringToObject(f, "nonce", l->nonce);
	cJSON_AddNumberToObject(f, "protocol_major", PROTOCOL_MAJOR);
	push(l, f);
	return 0;
}

void agent_link_release(struct agent_link *l)
{
	while (l->head) {
		struct link_out *o = l->head;
		l->head = o->next;
		free(o->text);
		free(o);
	}
	l->tail = NULL;
}

/* Resources and attributes the agent reports in hello or node_status. Returns false when
 * something given was not valid (and so not stored). */
static bool update_node_facts(struct agent_link *l, const cJSON *f)
{
	bool valid = true;
	/* SSM's LastPingDateTime (hub/api_ssm_instances.c). */
	hub_store_exec_text(l->store, "UPDATE nodes SET last_seen_at = " SQL_NOW " WHERE node_id = ?",
			    NULL, 1, l->node_id);
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(f, "resources");
	const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(res, "cpu");
	const cJSON *mem = cJSON_GetObjectItemCaseSensitive(res, "memory");
	if (res && !(json_is_unsigned_integer(cpu) && json_is_unsigned_integer(mem) &&
		     cpu->valuedouble > 0 && mem->valuedouble > 0))
		valid = false;
	else if (res) {
		_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
			l->store, "UPDATE nodes SET cpu = ?, memory = ? WHERE node_id = ?", NULL);
		if (st) {
			sqlite3_bind_int64(st, 1, (sqlite3_int64)cpu->valuedouble);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)mem->valuedouble);
			sqlite3_bind_text(st, 3, l->node_id, -1, SQLITE_STATIC);
			sqlite3_step(st);
		}
	}
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(f, "attributes");
	if (attrs && !(cJSON_IsObject(attrs) && cJSON_GetArraySize(attrs) <= 64))
		valid = false;
	else if (attrs) {
		_cleanup_free_ char *text = cJSON_PrintUnformatted(attrs);
		if (text)
			hub_store_exec_text(l->store, "UPDATE nodes SET attributes = ? WHERE node_id = ?",
					    NULL, 2, text, l->node_id);
	}
	const char *version = json_string_member(f, "agent_version");
	if (version && strlen(version) < 64)
		hub_store_exec_text(l->store, "UPDATE nodes SET agent_version = ? WHERE node_id = ?",
				    NULL, 2, version, l->node_id);
	return valid;
}

/* The verdict and self-checks of a node_status; one that is not valid is answered with error
 * and leaves the stored one as it was. */
static void update_node_health(struct agent_link *l, const cJSON *f)
{
	const cJSON *health = cJSON_GetObjectItemCaseSensitive(f, "health");
	if (!health)
		return;
	char why[256], message[300];
	struct error err = { 0 };
	int r = node_health_store(l->store, l->node_id, health, why, sizeof(why), &err);
	if (r > 0) {
		snprintf(message, sizeof(message), "node_status: %s", why);
		push_error(l, message);
	} else if (r < 0) {
		log_warning("Health of %s not stored: %s", l->node_id, err.message);
	}
}

/* A batch of container samples: applied to the window once, acked by its batch id. */
static void handle_metrics(struct agent_link *l, const cJSON *f)
{
	char why[160];
	uint64_t ack = 0;
	int r = l->metrics ? metrics_window_apply(l->metrics, l->node_id, f, hub_now(), &ack, why,
						  sizeof(why))
			   : -ENOTSUP;
	if (r == -EINVAL)
		push_error(l, why);
	else if (r == -ENOTSUP)
		push_error(l, "metrics: this hub keeps no metrics");
	if (ack && r != -ENOMEM && r != -ENOTSUP) {
		cJSON *a = frame_new(FRAME_METRICS_ACK, 0);
		char text[24];
		snprintf(text, sizeof(text), "%llu", (unsigned long long)ack);
		if (a)
			cJSON_AddRawToObject(a, "batch", text);
		push(l, a);
	}
}

static int hello(struct agent_link *l, const cJSON *f)
{
	const char *protocol = json_string_member(f, "protocol"), *node_id = json_string_member(f, "node_id");
	const char *sig = json_string_member(f, "signature");
	unsigned major = 0, minor = 0;
	if (protocol_version_parse(protocol, &major, &minor) < 0) {
		close_with(l, CLOSE_PROTOCOL_UNSUPPORTED, "protocol is not a MAJOR.MINOR version");
		return 0;
	}
	if (major != PROTOCOL_MAJOR) {
		char reason[96];
		snprintf(reason, sizeof(reason), "unsupported protocol major %u (hub speaks %d)",
			 major, PROTOCOL_MAJOR);
		close_with(l, CLOSE_PROTOCOL_UNSUPPORTED, reason);
		return 0;
	}
	if (!node_id || !sig || strlen(node_id) >= sizeof(l->node_id)) {
		close_with(l, CLOSE_AUTH_FAILED, "authentication failed");
		return 0;
	}
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		l->store, "SELECT public_key, status, cluster, instance_id, agent_seq, hub_seq FROM nodes"
			  " WHERE node_id = ?", NULL);
	if (!st) {
		close_with(l, CLOSE_INTERNAL_ERROR, "store failure");
		return 0;
	}
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	struct error err = { 0 };
	if (sqlite3_step(st) != SQLITE_ROW ||
	    auth_verify(col_text(st, 0), l->nonce, node_id, sig, &err) < 0) {
		close_with(l, CLOSE_AUTH_FAILED, "authentication failed");
		return 0;
	}
	if (strcmp(col_text(st, 1), "INACTIVE") == 0) { /* DRAINING nodes stay connected */
		close_with(l, CLOSE_DEREGISTERED, "node deregistered");
		return 0;
	}
	/* The nonce is single-use. */
	memset(l->nonce, 0, sizeof(l->nonce));
	snprintf(l->node_id, sizeof(l->node_id), "%s", node_id);
	l->authenticated = true;
	l->last_sent_seq = 0; /* everything unacknowledged goes again, in seq order */
	l->outbox_pending = true;
	_cleanup_free_ char *arn = arn_container_instance(col_text(st, 2), col_text(st, 3));
	/* What the welcome tells of this hub's history with the node: a node that saw more was
	 * acknowledged by a database this hub no longer has (docs/protocol.md, Reconciliation). */
	l->reconcile = (struct task_reconcile_link){
		.welcome_agent_seq = (uint64_t)sqlite3_column_int64(st, 4),
		.welcome_hub_seq = (uint64_t)sqlite3_column_int64(st, 5),
	};
	snprintf(l->reconcile.cluster, sizeof(l->reconcile.cluster), "%s", col_text(st, 2));
	/* One transaction, one commit: a hub restarted under thousands of agents admits them at
	 * the pace of its commits. */
	bool in_transaction = hub_store_begin(l->store, NULL) == 0;
	hub_store_exec_text(l->store, "UPDATE nodes SET connected = 1, " HUB_STORE_LINK_CHANGED_NOW
			    " WHERE node_id = ?", NULL, 1,
			    node_id);
	(void)update_node_facts(l, f); /* a hello with odd facts still authenticates */
	if (in_transaction && hub_store_commit(l->store, NULL) < 0)
		hub_store_rollback(l->store);
	cJSON *w = frame_new(FRAME_WELCOME, 0);
	if (w) {
		cJSON_AddStringToObject(w, "container_instance_arn", arn ? arn : "");
		cJSON_AddNumberToObject(w, "heartbeat_seconds", l->heartbeat_seconds);
		cJSON_AddNumberToObject(w, "agent_seq", (double)l->reconcile.welcome_agent_seq);
		cJSON_AddNumberToObject(w, "hub_seq", (double)l->reconcile.welcome_hub_seq);
	}
	push(l, w);
	return 1;
}

static void handle_ack(struct agent_link *l, uint64_t seq)
{
	struct error err = { 0 };
	if (hub_store_begin(l->store, &err) < 0 ||
	    task_store_ack_frame(l->store, l->node_id, seq, &err) < 0 ||
	    hub_store_commit(l->store, &err) < 0) {
		hub_store_rollback(l->store);
		push_error(l, "ack could not be applied");
	}
}

/* The node leaves with its own identity: its tasks were stopped on the node itself. The close
 * with 4004 is the agent's confirmation; a failure leaves the link up and the node ACTIVE. */
static void handle_deregister(struct agent_link *l)
{
	struct error err = { 0 };
	if (hub_store_begin(l->store, &err) < 0 ||
	    node_deregister(l->store, l->node_id, NODE_LEFT_REASON, &err) < 0 ||
	    hub_store_commit(l->store, &err) < 0) {
		hub_store_rollback(l->store);
		push_error(l, "deregistration could not be recorded; try again");
		return;
	}
	close_with(l, CLOSE_DEREGISTERED, "node deregistered");
}

/* S when it is one word of letters (a stop code), as a log line may show it; else NULL. */
static const char *word_or_null(const char *s)
{
	size_t n = 0;
	while (s && n < 64 && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z')))
		n++;
	return s && n > 0 && !s[n] ? s : NULL;
}

static void handle_task_state(struct agent_link *l, const struct frame *fr)
{
	struct error err = { 0 };
	int r = task_state_apply(l->store, l->node_id, fr->seq, fr->json, &err);
	if (r < 0)
		push_error(l, err.message);
	/* One line per state change applied, in the order applied: what the hub learned of a
	 * task and when, and the proof that none was applied twice or out of order. */
	if (r > 0) {
		const char *stop_code = word_or_null(json_string_member(fr->json, "stop_code"));
		log_info("node %s: task_state %" PRIu64 " applied: task %s %s%s%s%s", l->node_id,
			 fr->seq, arn_resource_id(json_string_member(fr->json, "task_arn"), "task"),
			 json_string_member(fr->json, "status"), stop_code ? " (" : "",
			 stop_code ? stop_code : "", stop_code ? ")" : "");
	}
	/* A refused frame is acknowledged too: resending it could never succeed. A store failure
	 * is not: the agent resends after the next welcome. The link ends with it, since the
	 * hub keeps only the highest seq it applied: a later frame of this connection applied
	 * in the meantime would make this one look applied when it comes again. */
	if (r >= 0 || r == -EBADMSG)
		push_ack(l, fr->seq);
	else
		close_with(l, CLOSE_INTERNAL_ERROR, "store failure");
}

/* Phase one: the node says what it has, the hub answers what it wants of each. */
static void handle_task_report(struct agent_link *l, const cJSON *f)
{
	struct error err = { 0 };
	struct task_reconcile_result res = { 0 };
	char *manifest = NULL;
	int r = task_reconcile_report(l->store, l->node_id, &l->reconcile, f, &manifest, &res, &err);
	if (r == -EBADMSG) {
		push_error(l, err.message);
		return;
	}
	if (r < 0) {
		log_warning("Task report of %s not applied: %s", l->node_id, err.message);
		push_error(l, "task_report could not be applied");
		return;
	}
	if (res.behind)
		log_warning("Node %s saw this hub acknowledge more than its database holds (restored"
			    " from an older copy?): %zu of its tasks adopted, %zu left alone",
			    l->node_id, res.adopted, res.not_adopted);
	if (res.missing_stopped)
		log_info("Node %s does not have %zu of the tasks it was given: marked STOPPED",
			 l->node_id, res.missing_stopped);
	push_text(l, manifest);
}

/* Phase two: the stops the node asks about, confirmed from the store as it is now. */
static void handle_stop_verify(struct agent_link *l, const cJSON *f)
{
	struct error err = { 0 };
	char *confirm = NULL;
	int r = task_reconcile_verify(l->store, l->node_id, &l->reconcile, f, &confirm, &err);
	if (r < 0) {
		push_error(l, r == -EBADMSG ? err.message : "task_stop_verify could not be answered");
		return;
	}
	push_text(l, confirm);
}

int agent_link_receive(struct agent_link *l, const char *data, size_t size)
{
	struct frame fr = { 0 };
	struct error err = { 0 };
	if (frame_parse(data, size, &fr, &err) < 0) {
		if (!l->authenticated)
			close_with(l, CLOSE_AUTH_FAILED, "authentication failed");
		else if (err.code == EMSGSIZE)
			close_with(l, CLOSE_MESSAGE_TOO_LARGE, "frame too large");
		else
			push_error(l, err.message);
		return 0;
	}
	int result = 0;
	if (l->close_code) {
		/* Ending: a frame that arrived with the one that ended the link is not applied. */
		frame_release(&fr);
		return 0;
	}
	if (!l->authenticated) {
		if (fr.type == FRAME_HELLO)
			result = hello(l, fr.json);
		else
			close_with(l, CLOSE_AUTH_FAILED, "authentication failed");
		frame_release(&fr);
		return result;
	}
	switch (fr.type) {
	case FRAME_ACK:
		handle_ack(l, fr.seq);
		break;
	case FRAME_TASK_STATE:
		handle_task_state(l, &fr);
		break;
	case FRAME_NODE_STATUS:
		if (hub_store_begin(l->store, NULL) == 0) {
			if (!update_node_facts(l, fr.json))
				push_error(l, "node_status: resources need positive integers cpu and"
					      " memory, attributes an object of at most 64 names");
			update_node_health(l, fr.json);
			if (hub_store_commit(l->store, NULL) < 0)
				hub_store_rollback(l->store);
		}
		break;
	case FRAME_HEARTBEAT:
		break;
	case FRAME_METRICS:
		handle_metrics(l, fr.json);
		break;
	case FRAME_DEREGISTER:
		handle_deregister(l);
		break;
	case FRAME_TASK_REPORT:
		handle_task_report(l, fr.json);
		break;
	case FRAME_TASK_STOP_VERIFY:
		handle_stop_verify(l, fr.json);
		break;
	default:
		push_error(l, "unexpected frame type from an agent");
		break;
	}
	frame_release(&fr);
	return 0;
}

char *agent_link_next_out(struct agent_link *l)
{
	if (l->head) {
		struct link_out *o = l->head;
		l->head = o->next;
		if (!l->head)
			l->tail = NULL;
		char *text = o->text;
		free(o);
		return text;
	}
	if (!l->authenticated || l->close_code || !l->outbox_pending)
		return NULL;
	char *text = NULL;
	uint64_t seq = 0;
	if (task_store_next_frame(l->store, l->node_id, l->last_sent_seq, &text, &seq, NULL) <= 0) {
		l->outbox_pending = false;
		return NULL;
	}
	l->last_sent_seq = seq;
	return text;
}

void agent_link_outbox_changed(struct agent_link *l)
{
	l->outbox_pending = true;
	/* A deregistration wakes the node's link too: it ends here. */
	if (l->authenticated && !l->close_code && !node_is_active(l->store, l->node_id))
		close_with(l, CLOSE_DEREGISTERED, "node deregistered");
}

void agent_link_closed(struct agent_link *l, bool replaced)
{
	if (l->authenticated && !replaced)
		hub_store_exec_text(l->store, "UPDATE nodes SET connected = 0, "
				    HUB_STORE_LINK_CHANGED_NOW ", last_seen_at = " SQL_NOW
				    " WHERE node_id = ?", NULL, 1, l->node_id);
	agent_link_release(l);
}

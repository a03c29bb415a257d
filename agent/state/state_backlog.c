#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/state/state_backlog.h"
#include "common/crash_point.h"

struct state_backlog_entry {
	struct state_backlog_entry *next;
	char *task_arn, *status;
	cJSON *frame;
	bool appended; /* in the open transaction, as text (NULL: nothing new to tell) */
	char *text;
};

static void entry_free(struct state_backlog_entry *e)
{
	free(e->task_arn);
	free(e->status);
	cJSON_Delete(e->frame);
	free(e->text);
	free(e);
}

void state_backlog_init(struct state_backlog *b)
{
	*b = (struct state_backlog){ .tail = &b->head };
}

void state_backlog_release(struct state_backlog *b)
{
	while (b->head) {
		struct state_backlog_entry *e = b->head;
		b->head = e->next;
		entry_free(e);
	}
	state_backlog_init(b);
}

int state_backlog_push(struct state_backlog *b, const char *task_arn, const char *status,
		       cJSON *frame)
{
	struct state_backlog_entry *e = calloc(1, sizeof(*e));
	if (!e) {
		cJSON_Delete(frame);
		return -ENOMEM;
	}
	e->frame = frame;
	if (!(e->task_arn = strdup(task_arn)) || !(e->status = strdup(status))) {
		entry_free(e);
		return -ENOMEM;
	}
	*b->tail = e;
	b->tail = &e->next;
	b->count++;
	return 0;
}

size_t state_backlog_count(const struct state_backlog *b)
{
	return b->count;
}

int state_backlog_append(struct state_backlog *b, struct store *s, struct error *err)
{
	for (struct state_backlog_entry *e = b->head; e; e = e->next) {
		if (e->appended)
			continue;
		uint64_t seq = 0;
		int r = store_task_state_append(s, e->task_arn, e->status, e->frame, &seq, &e->text,
						err);
		if (r < 0)
			return r;
		e->appended = true;
		if (!e->text)
			continue; /* the same as the last state: nothing was written */
		crash_point("state-stored");
		crash_point_after_commit("state-committed");
	}
	return 0;
}

void state_backlog_committed(struct state_backlog *b, state_backlog_sent_fn sent,
			     void *userdata)
{
	while (b->head && b->head->appended) {
		struct state_backlog_entry *e = b->head;
		if (!(b->head = e->next))
			b->tail = &b->head;
		b->count--;
		if (e->text)
			sent(userdata, e->task_arn, e->status, e->text);
		entry_free(e);
	}
}

void state_backlog_rolled_back(struct state_backlog *b)
{
	for (struct state_backlog_entry *e = b->head; e; e = e->next) {
		e->appended = false;
		free(e->text);
		e->text = NULL;
	}
}

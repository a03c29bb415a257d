#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/link/node_frames.h"
#include "agent/tasks/task_state_frame.h"
#include "bench/loadgen/sim_agent.h"
#include "common/cleanup.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"

#define MAX_CONTAINERS 10

struct sim_pending {
	struct sim_pending *next;
	uint64_t seq;
	char *text;
};

struct sim_task {
	struct sim_task *next;
	char *arn;
	bool stopped;
	size_t n_containers;
	char *containers[MAX_CONTAINERS];
};

static void send_frame(struct sim_agent *a, cJSON *f)
{
	_cleanup_free_ char *text = f ? frame_print(f) : NULL;
	cJSON_Delete(f);
	if (text)
		a->send(a->userdata, text);
}

static void send_ack(struct sim_agent *a, uint64_t seq)
{
	cJSON *f = frame_new(FRAME_ACK, 0);
	if (f)
		cJSON_AddNumberToObject(f, "seq", (double)seq);
	send_frame(a, f);
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A task_state goes to the in-memory outbox first, then on the wire. */
static void report(struct sim_agent *a, const struct sim_task *t, enum task_status status,
		   struct sim_counters *counters)
{
	struct container_report c[MAX_CONTAINERS] = { 0 };
	for (size_t i = 0; i < t->n_containers; i++) {
		c[i].name = t->containers[i];
		c[i].status = status;
		c[i].has_exit_code = status == TASK_STOPPED;
		c[i].exit_code = 143; /* SIGTERM */
	}
	struct task_report r = {
		.task_arn = t->arn,
		.status = status,
		.stop_code = status == TASK_STOPPED ? "UserInitiated" : NULL,
		.stopped_reason = status == TASK_STOPPED ? "Task stopped by user" : NULL,
		.containers = c,
		.n_containers = t->n_containers,
	};
	cJSON *f = task_state_frame_new(&r, wall_seconds());
	struct sim_pending *p = calloc(1, sizeof(*p));
	if (!f || !p || !cJSON_AddNumberToObject(f, "seq", (double)(a->seq + 1)) ||
	    !(p->text = frame_print(f))) {
		cJSON_Delete(f);
		free(p);
		return;
	}
	cJSON_Delete(f);
	p->seq = ++a->seq;
	struct sim_pending **tail = &a->pending;
	while (*tail)
		tail = &(*tail)->next;
	*tail = p;
	counters->states_sent++;
	a->send(a->userdata, p->text);
}

static struct sim_task *find_task(struct sim_agent *a, const char *arn)
{
	for (struct sim_task *t = a->tasks; t; t = t->next)
		if (!strcmp(t->arn, arn))
			return t;
	return NULL;
}

static void on_assign(struct sim_agent *a, const struct frame *f, struct sim_counters *counters)
{
	const char *arn = json_string_member(f->json, "task_arn");
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(f->json, "task_definition");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(def, "containerDefinitions");
	send_ack(a, f->seq);
	if (!arn || find_task(a, arn))
		return;
	struct sim_task *t = calloc(1, sizeof(*t));
	if (!t || !(t->arn = strdup(arn))) {
		free(t);
		return;
	}
	const cJSON *c;
	cJSON_ArrayForEach(c, list)
	{
		const char *name = json_string_member(c, "name");
		if (name && t->n_containers < MAX_CONTAINERS)
			t->containers[t->n_containers++] = strdup(name);
	}
	t->next = a->tasks;
	a->tasks = t;
	counters->assigns++;
	report(a, t, TASK_PENDING, counters);
	report(a, t, TASK_RUNNING, counters);
}

static void on_stop(struct sim_agent *a, const struct frame *f, struct sim_counters *counters)
{
	const char *arn = json_string_member(f->json, "task_arn");
	send_ack(a, f->seq);
	struct sim_task *t = arn ? find_task(a, arn) : NULL;
	if (!t || t->stopped)
		return;
	t->stopped = true;
	counters->stops++;
	report(a, t, TASK_STOPPED, counters);
}

static void on_ack(struct sim_agent *a, uint64_t seq, struct sim_counters *counters)
{
	counters->acks_received++;
	for (struct sim_pending **p = &a->pending; *p; p = &(*p)->next)
		if ((*p)->seq == seq) {
			struct sim_pending *gone = *p;
			*p = gone->next;
			free(gone->text);
			free(gone);
			return;
		}
}

static void on_welcome(struct sim_agent *a, const cJSON *welcome)
{
	const cJSON *hb = cJSON_GetObjectItemCaseSensitive(welcome, "heartbeat_seconds");
	a->heartbeat_seconds = cJSON_IsNumber(hb) && hb->valuedouble >= 1 && hb->valuedouble <= 3600
				       ? (unsigned)hb->valuedouble
				       : 20;
	a->ready = true;
	for (struct sim_pending *p = a->pending; p; p = p->next)
		a->send(a->userdata, p->text);
	/* A simulated node reports no tasks and no health of its own at welcome. */
	struct node_status_report report = { 0 };
	_cleanup_free_ char *status = node_status_frame(&report, a->host);
	if (status)
		a->send(a->userdata, status);
}

void sim_agent_reset(struct sim_agent *a)
{
	a->ready = false;
}

int sim_agent_receive(struct sim_agent *a, const char *data, size_t size,
		      struct sim_counters *counters)
{
	struct frame f = { 0 };
	struct error err = { 0 };
	if (frame_parse(data, size, &f, &err) < 0)
		return 0;
	int welcomed = 0;
	switch (f.type) {
	case FRAME_CHALLENGE: {
		const char *nonce = json_string_member(f.json, "nonce");
		_cleanup_free_ char *hello =
			nonce ? node_hello_frame(a->node_id, a->key, nonce, a->host, &err) : NULL;
		if (hello)
			a->send(a->userdata, hello);
		break;
	}
	case FRAME_WELCOME:
		on_welcome(a, f.json);
		welcomed = 1;
		break;
	case FRAME_TASK_ASSIGN:
		on_assign(a, &f, counters);
		break;
	case FRAME_TASK_STOP:
		on_stop(a, &f, counters);
		break;
	case FRAME_ACK:
		on_ack(a, f.seq, counters);
		break;
	case FRAME_ERROR:
		counters->errors_received++;
		break;
	default:
		break;
	}
	frame_release(&f);
	return welcomed;
}

void sim_agent_release(struct sim_agent *a)
{
	while (a->pending) {
		struct sim_pending *p = a->pending;
		a->pending = p->next;
		free(p->text);
		free(p);
	}
	while (a->tasks) {
		struct sim_task *t = a->tasks;
		a->tasks = t->next;
		for (size_t i = 0; i < t->n_containers; i++)
			free(t->containers[i]);
		free(t->arn);
		free(t);
	}
	EVP_PKEY_free(a->key);
	a->key = NULL;
}

/* Placement with constraints and strategies. Every ACTIVE instance of the cluster is read once
 * (free resources, attributes, tasks of the group); memberOf is evaluated once per instance;
 * then each task filters the instances and narrows them by the strategies in the order given,
 * as ECS applies them, before the default choice (most free memory) breaks the last tie. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/placement/node_attributes.h"
#include "hub/tasks/scheduler.h"

/* How far an instance gets through the checks, in the order they apply; the reason a task
 * found no instance is the failure of the instance that got furthest. */
enum stage { FAILS_MEMBER_OF, FAILS_DISTINCT, FAILS_AGENT, FAILS_MEMORY, FAILS_CPU, FITS };

static const char *const stage_reasons[] = {
	[FAILS_MEMBER_OF] = PLACEMENT_REASON_MEMBER_OF,
	[FAILS_DISTINCT] = PLACEMENT_REASON_DISTINCT,
	[FAILS_AGENT] = "AGENT",
	[FAILS_MEMORY] = "RESOURCE:MEMORY",
	[FAILS_CPU] = "RESOURCE:CPU",
};

struct instance {
	char node_id[64], instance_id[64];
	long long free_cpu, free_mem, in_group;
	bool connected, member;
	/* Per spread-by-attribute strategy: which value the instance has (an index into
	 * value_tasks, shared by instances with the same value; no value is a value too). */
	size_t value[PLACEMENT_STRATEGIES_MAX];
};

struct fleet {
	struct instance *in;
	size_t n;
	/* Per strategy: the group's tasks on instances of each value. */
	long long *value_tasks[PLACEMENT_STRATEGIES_MAX];
	char **values[PLACEMENT_STRATEGIES_MAX]; /* per instance, for the grouping */
};

static void fleet_release(struct fleet *f)
{
	for (size_t k = 0; k < PLACEMENT_STRATEGIES_MAX; k++) {
		free(f->value_tasks[k]);
		for (size_t i = 0; f->values[k] && i < f->n; i++)
			free(f->values[k][i]);
		free(f->values[k]);
	}
	free(f->in);
}

static bool member_of_all(const struct placement_spec *spec, struct instance *in,
			  struct node_attributes *attrs)
{
	struct query_subject subject = { in->node_id, in->instance_id, node_attributes_lookup,
					 attrs };
	for (size_t i = 0; i < spec->n_member_of; i++)
		if (!query_match(spec->member_of[i], &subject))
			return false;
	return true;
}

static int add_instance(struct fleet *f, const struct placement_spec *spec, sqlite3_stmt *st,
			size_t *size, struct error *err)
{
	if (f->n == *size) {
		size_t grown = *size ? *size * 2 : 64;
		struct instance *in = realloc(f->in, grown * sizeof(*in));
		if (!in)
			return error_set(err, ENOMEM, "out of memory");
		f->in = in;
		for (size_t k = 0; k < spec->n_strategies; k++) {
			char **v = realloc(f->values[k], grown * sizeof(*v));
			if (!v)
				return error_set(err, ENOMEM, "out of memory");
			f->values[k] = v;
		}
		*size = grown;
	}
	struct instance *in = &f->in[f->n];
	*in = (struct instance){ 0 };
	snprintf(in->node_id, sizeof(in->node_id), "%s", col_text(st, 0));
	snprintf(in->instance_id, sizeof(in->instance_id), "%s", col_text(st, 1));
	in->free_cpu = sqlite3_column_int64(st, 2);
	in->free_mem = sqlite3_column_int64(st, 3);
	in->connected = sqlite3_column_int(st, 4);
	in->in_group = sqlite3_column_int64(st, 7);
	struct node_attributes attrs;
	node_attributes_read(&attrs, col_text(st, 5), col_text(st, 6));
	in->member = member_of_all(spec, in, &attrs);
	bool failed = false;
	for (size_t k = 0; k < spec->n_strategies; k++) {
		const char *value = NULL;
		if (spec->strategies[k].field != PLACEMENT_FIELD_ATTRIBUTE ||
		    !node_attributes_lookup(&attrs, spec->strategies[k].attribute, &value))
			value = NULL;
		f->values[k][f->n] = value ? strdup(value) : NULL;
		failed = failed || (value && !f->values[k][f->n]);
	}
	node_attributes_release(&attrs);
	f->n++;
	return failed ? error_set(err, ENOMEM, "out of memory") : 0;
}

static int load_fleet(struct hub_store *s, const struct placement_request *req, struct fleet *f,
		      struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT n.node_id, n.instance_id, n.cpu - coalesce(r.cpu, 0),"
		   " n.memory - coalesce(r.memory, 0), n.connected, n.attributes, "
		   NODE_ATTRIBUTES_CUSTOM_SQL ", coalesce(g.tasks, 0) FROM nodes n"
		   " LEFT JOIN (SELECT node_id, sum(cpu) AS cpu, sum(memory) AS memory FROM tasks"
		   " WHERE last_status != 'STOPPED' GROUP BY node_id) r USING(node_id)"
		   " LEFT JOIN (SELECT node_id, count(*) AS tasks FROM tasks"
		   " WHERE last_status != 'STOPPED' AND coalesce(task_group, 'family:' || family) = ?2"
		   " GROUP BY node_id) g USING(node_id)"
		   " WHERE n.cluster = ?1 AND n.status = 'ACTIVE' ORDER BY n.node_id", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, req->cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, req->group ? req->group : "", -1, SQLITE_STATIC);
	size_t size = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (add_instance(f, req->spec, st, &size, err) < 0)
			return -ENOMEM;
	if (rc != SQLITE_DONE)
		return error_set(err, EIO, "read the instances of %s", req->cluster);
	return 0;
}

static const char *const *sort_values;

static int by_value(const void *a, const void *b)
{
	const char *x = sort_values[*(const size_t *)a], *y = sort_values[*(const size_t *)b];
	if (!x || !y)
		return (x != NULL) - (y != NULL);
	return strcmp(x, y);
}

/* Numbers the distinct values of strategy k's attribute and sums the group's tasks by value. */
static int group_values(struct fleet *f, size_t k, struct error *err)
{
	_cleanup_free_ size_t *order = malloc((f->n ? f->n : 1) * sizeof(*order));
	f->value_tasks[k] = calloc(f->n ? f->n : 1, sizeof(long long));
	if (!order || !f->value_tasks[k])
		return error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < f->n; i++)
		order[i] = i;
	sort_values = (const char *const *)f->values[k];
	qsort(order, f->n, sizeof(*order), by_value);
	size_t id = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (i > 0 && by_value(&order[i - 1], &order[i]) != 0)
			id++;
		f->in[order[i]].value[k] = id;
		f->value_tasks[k][id] += f->in[order[i]].in_group;
	}
	return 0;
}

static enum stage check(const struct placement_request *req, const struct instance *in)
{
	if (!in->member)
		return FAILS_MEMBER_OF;
	if (req->spec->distinct_instance && in->in_group > 0)
		return FAILS_DISTINCT;
	if (!in->connected)
		return FAILS_AGENT;
	if (in->free_mem < (long long)req->memory)
		return FAILS_MEMORY;
	if (in->free_cpu < (long long)req->cpu)
		return FAILS_CPU;
	return FITS;
}

static long long strategy_key(const struct fleet *f, const struct placement_strategy *st, size_t k,
			      const struct instance *in)
{
	switch (st->field) {
	case PLACEMENT_FIELD_INSTANCE:
		return in->in_group;
	case PLACEMENT_FIELD_ATTRIBUTE:
		return f->value_tasks[k][in->value[k]];
	case PLACEMENT_FIELD_CPU:
		return in->free_cpu;
	case PLACEMENT_FIELD_MEMORY:
		return in->free_mem;
	case PLACEMENT_FIELD_NONE:
		break;
	}
	return 0;
}

/* Narrows fits[0..n) to the instances strategy k likes best; returns how many are left. */
static size_t narrow(const struct fleet *f, const struct placement_strategy *st, size_t k,
		     size_t *fits, size_t n)
{
	if (st->type == PLACEMENT_RANDOM) {
		fits[0] = fits[arc4random_uniform((uint32_t)n)];
		return 1;
	}
	long long best = 0;
	for (size_t i = 0; i < n; i++) {
		long long key = strategy_key(f, st, k, &f->in[fits[i]]);
		if (i == 0 || key < best)
			best = key;
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (strategy_key(f, st, k, &f->in[fits[i]]) == best)
			fits[kept++] = fits[i];
	return kept;
}

/* One task: the chosen instance's index, or -1 with *ret_reason. */
static ssize_t choose(const struct placement_request *req, const struct fleet *f, size_t *fits,
		      const char **ret_reason)
{
	size_t n = 0;
	enum stage furthest = FAILS_MEMBER_OF;
	for (size_t i = 0; i < f->n; i++) {
		enum stage got = check(req, &f->in[i]);
		if (got == FITS)
			fits[n++] = i;
		else if (got > furthest)
			furthest = got;
	}
	if (!n) {
		*ret_reason = f->n ? stage_reasons[furthest] : "NO_ACTIVE_INSTANCES";
		return -1;
	}
	for (size_t k = 0; k < req->spec->n_strategies && n > 1; k++)
		n = narrow(f, &req->spec->strategies[k], k, fits, n);
	size_t best = fits[0];
	for (size_t i = 1; i < n; i++) {
		const struct instance *a = &f->in[fits[i]], *b = &f->in[best];
		if (a->free_mem > b->free_mem ||
		    (a->free_mem == b->free_mem && strcmp(a->node_id, b->node_id) < 0))
			best = fits[i];
	}
	return (ssize_t)best;
}

int scheduler_place_constrained(struct hub_store *s, const struct placement_request *req,
				size_t count, char node_ids[][64], const char **reasons,
				struct error *err)
{
	_cleanup_(fleet_release) struct fleet f = { 0 };
	int r = load_fleet(s, req, &f, err);
	for (size_t k = 0; r == 0 && k < req->spec->n_strategies; k++)
		if (req->spec->strategies[k].field == PLACEMENT_FIELD_ATTRIBUTE)
			r = group_values(&f, k, err);
	if (r < 0)
		return r;
	_cleanup_free_ size_t *fits = malloc((f.n ? f.n : 1) * sizeof(*fits));
	if (!fits)
		return error_set(err, ENOMEM, "out of memory");
	int placed = 0;
	for (size_t t = 0; t < count; t++) {
		ssize_t i = choose(req, &f, fits, &reasons[t]);
		if (i < 0)
			continue;
		struct instance *in = &f.in[i];
		in->free_cpu -= req->cpu;
		in->free_mem -= req->memory;
		in->in_group++;
		for (size_t k = 0; k < req->spec->n_strategies; k++)
			if (f.value_tasks[k])
				f.value_tasks[k][in->value[k]]++;
		memcpy(node_ids[t], in->node_id, sizeof(in->node_id));
		placed++;
	}
	return placed;
}

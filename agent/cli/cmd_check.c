/* `tether check`: what this host offers tether and what it lacks, one line per item with the
 * fix of each missing one, as `docker info` and moby's check-config.sh tell. The exit status
 * says what can run (enum host_verdict), so that scripts ask instead of guessing. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "agent/cli/commands.h"
#include "agent/host/host_check.h"
#include "agent/link/identity.h"
#include "common/cleanup.h"

static void usage(FILE *out)
{
	fputs("Usage: tether check [--state-dir DIR] [--json]\n"
	      "Report what this host offers to tether's tasks and what it lacks, with fixes.\n"
	      "Exit status: 0 tasks can run with their limits, 1 only without them\n"
	      "(--allow-no-limits), 2 tasks cannot run (or the command line is wrong).\n"
	      "  --state-dir DIR  the agent's state dir to check (default " DEFAULT_STATE_DIR ")\n"
	      "  --json           the same report as one JSON object\n",
	      out);
}

static void print_text(const struct host_report *r)
{
	for (size_t i = 0; i < r->n_items; i++) {
		const struct host_item *it = &r->items[i];
		printf("%-8s %s: %s\n", it->ok ? "ok" : "missing", it->what, it->detail);
		if (!it->ok)
			printf("%-8s fix: %s\n", "", it->fix);
	}
	printf("\n%s\n", r->summary);
}

static const char *need_name(enum host_need need)
{
	switch (need) {
	case HOST_NEED_TO_RUN: return "to_run";
	case HOST_NEED_FOR_LIMITS: return "for_limits";
	case HOST_NEED_NOTHING: return "nothing";
	}
	return "unknown";
}

static const char *verdict_name(enum host_verdict v)
{
	switch (v) {
	case HOST_RUNS_WITH_LIMITS: return "runs_with_limits";
	case HOST_RUNS_WITHOUT_LIMITS: return "runs_without_limits";
	case HOST_CANNOT_RUN: return "cannot_run";
	}
	return "unknown";
}

/* "a,b" as ["a", "b"]; "" as []. */
static cJSON *csv_array(const char *csv)
{
	cJSON *a = cJSON_CreateArray();
	for (const char *p = csv; a && p && *p;) {
		size_t len = strcspn(p, ",");
		_cleanup_free_ char *name = strndup(p, len);
		if (!name || !cJSON_AddItemToArray(a, cJSON_CreateString(name))) {
			cJSON_Delete(a);
			return NULL;
		}
		p += len + (p[len] == ',');
	}
	return a;
}

static cJSON *report_json(const struct host_report *r)
{
	cJSON *j = cJSON_CreateObject();
	if (!j)
		return NULL;
	cJSON_AddNumberToObject(j, "exit_status", r->verdict);
	cJSON_AddStringToObject(j, "verdict", verdict_name(r->verdict));
	cJSON_AddStringToObject(j, "summary", r->summary);
	cJSON_AddStringToObject(j, "cgroup_mode", r->cgroup_mode);
	if (r->cgroup_mount)
		cJSON_AddStringToObject(j, "cgroup_mount", r->cgroup_mount);
	else
		cJSON_AddNullToObject(j, "cgroup_mount");
	cJSON_AddStringToObject(j, "cgroup_driver", r->cgroup_driver);
	cJSON_AddItemToObject(j, "controllers", csv_array(r->controllers));
	cJSON_AddItemToObject(j, "missing_controllers", csv_array(r->missing_controllers));
	cJSON *items = cJSON_AddArrayToObject(j, "items");
	if (!items) {
		cJSON_Delete(j);
		return NULL;
	}
	for (size_t i = 0; i < r->n_items; i++) {
		const struct host_item *it = &r->items[i];
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(items, o)) {
			cJSON_Delete(o);
			cJSON_Delete(j);
			return NULL;
		}
		cJSON_AddStringToObject(o, "name", it->key);
		cJSON_AddStringToObject(o, "what", it->what);
		cJSON_AddBoolToObject(o, "ok", it->ok);
		cJSON_AddStringToObject(o, "needed", need_name(it->need));
		cJSON_AddStringToObject(o, "detail", it->detail);
		if (it->ok)
			cJSON_AddNullToObject(o, "fix");
		else
			cJSON_AddStringToObject(o, "fix", it->fix);
	}
	return j;
}

int cmd_check(int argc, char **argv)
{
	static const struct option options[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state_dir = DEFAULT_STATE_DIR;
	bool json = false;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 's': state_dir = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return HOST_CANNOT_RUN;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tether check: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return HOST_CANNOT_RUN;
	}
	struct host_report r;
	struct error err = { 0 };
	if (host_check(state_dir, &r, &err) < 0) {
		fprintf(stderr, "tether check: %s\n", err.message);
		return HOST_CANNOT_RUN;
	}
	int status = r.verdict;
	if (json) {
		cJSON *j = report_json(&r);
		_cleanup_free_ char *text = j ? cJSON_Print(j) : NULL;
		cJSON_Delete(j);
		if (!text) {
			fprintf(stderr, "tether check: out of memory\n");
			status = HOST_CANNOT_RUN;
		} else {
			puts(text);
		}
	} else {
		print_text(&r);
	}
	host_report_release(&r);
	return status;
}

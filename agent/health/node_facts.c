#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "agent/health/node_facts.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#define PROC_TEXT_MAX 16384

static char *read_proc(const char *path)
{
	char *text = NULL;
	size_t size = 0;
	if (read_file_full(path, PROC_TEXT_MAX, &text, &size) < 0)
		return NULL;
	return text;
}

bool node_facts_parse_pressure(const char *text, struct pressure *ret)
{
	struct pressure p = { .known = true };
	const char *some = text ? strstr(text, "some ") : NULL;
	if (!some || sscanf(some, "some avg10=%lf avg60=%lf avg300=%lf", &p.some_avg10,
			    &p.some_avg60, &p.some_avg300) != 3)
		return false;
	*ret = p;
	return true;
}

static bool meminfo_field(const char *text, const char *name, uint64_t *ret)
{
	size_t n = strlen(name);
	for (const char *line = text; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		unsigned long long kib = 0;
		if (!strncmp(line, name, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%llu kB", &kib) == 1) {
			*ret = (uint64_t)kib * 1024;
			return true;
		}
	}
	return false;
}

bool node_facts_parse_meminfo(const char *text, uint64_t *ret_total, uint64_t *ret_available)
{
	uint64_t total = 0, available = 0;
	if (!text || !meminfo_field(text, "MemTotal", &total) ||
	    !meminfo_field(text, "MemAvailable", &available))
		return false;
	*ret_total = total;
	*ret_available = available;
	return true;
}

static void read_pressure(const char *what, struct pressure *ret)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/pressure/%s", what);
	_cleanup_free_ char *text = read_proc(path);
	if (!node_facts_parse_pressure(text, ret))
		*ret = (struct pressure){ .known = false };
}

static bool disk_room(const char *path, uint64_t *ret_free, uint64_t *ret_total)
{
	struct statvfs v;
	if (statvfs(path, &v) < 0)
		return false;
	*ret_free = (uint64_t)v.f_bavail * v.f_frsize;
	*ret_total = (uint64_t)v.f_blocks * v.f_frsize;
	return true;
}

void node_facts_collect(const char *state_dir, struct node_facts *ret)
{
	struct node_facts f = { 0 };
	_cleanup_free_ char *uptime = read_proc("/proc/uptime");
	if (!uptime || sscanf(uptime, "%lf", &f.uptime_s) != 1)
		f.uptime_s = 0;
	_cleanup_free_ char *load = read_proc("/proc/loadavg");
	if (!load || sscanf(load, "%lf %lf %lf", &f.load1, &f.load5, &f.load15) != 3)
		f.load1 = f.load5 = f.load15 = 0;
	read_pressure("cpu", &f.cpu);
	read_pressure("memory", &f.memory);
	read_pressure("io", &f.io);
	_cleanup_free_ char *meminfo = read_proc("/proc/meminfo");
	(void)node_facts_parse_meminfo(meminfo, &f.mem_total_bytes, &f.mem_available_bytes);
	f.state_disk_known = disk_room(state_dir, &f.state_free_bytes, &f.state_total_bytes);
	_cleanup_free_ char *images = NULL;
	if (asprintf(&images, "%s/images", state_dir) >= 0)
		f.images_disk_known = disk_room(images, &f.images_free_bytes,
						&f.images_total_bytes);
	*ret = f;
}

static cJSON *pressure_json(const struct pressure *p)
{
	if (!p->known)
		return cJSON_CreateNull(); /* said, not left out: the kernel has no PSI */
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "some_avg10", p->some_avg10);
	cJSON_AddNumberToObject(o, "some_avg60", p->some_avg60);
	cJSON_AddNumberToObject(o, "some_avg300", p->some_avg300);
	return o;
}

static void add_disk(cJSON *o, const char *name, bool known, uint64_t free_bytes,
		     uint64_t total_bytes)
{
	if (!known) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	cJSON *d = cJSON_AddObjectToObject(o, name);
	cJSON_AddNumberToObject(d, "free_bytes", (double)free_bytes);
	cJSON_AddNumberToObject(d, "total_bytes", (double)total_bytes);
}

cJSON *node_facts_json(const struct node_facts *f)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "uptime_seconds", f->uptime_s);
	cJSON *load = cJSON_AddArrayToObject(o, "load");
	double loads[3] = { f->load1, f->load5, f->load15 };
	for (int i = 0; load && i < 3; i++)
		cJSON_AddItemToArray(load, cJSON_CreateNumber(loads[i]));
	cJSON *psi = cJSON_AddObjectToObject(o, "pressure");
	cJSON_AddItemToObject(psi, "cpu", pressure_json(&f->cpu));
	cJSON_AddItemToObject(psi, "memory", pressure_json(&f->memory));
	cJSON_AddItemToObject(psi, "io", pressure_json(&f->io));
	cJSON *mem = cJSON_AddObjectToObject(o, "memory");
	cJSON_AddNumberToObject(mem, "total_bytes", (double)f->mem_total_bytes);
	cJSON_AddNumberToObject(mem, "available_bytes", (double)f->mem_available_bytes);
	add_disk(o, "state_disk", f->state_disk_known, f->state_free_bytes, f->state_total_bytes);
	add_disk(o, "images_disk", f->images_disk_known, f->images_free_bytes,
		 f->images_total_bytes);
	return o;
}

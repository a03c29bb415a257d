#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent/link/hostinfo.h"
#include "agent/link/version.h"
#include "cgroups/cgroup.h"
#include "cgroups/cgroup_driver.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/parse.h"

int hostinfo_parse_meminfo(const char *text, uint64_t *ret_mib)
{
	const char *line = text;
	while (line && strncmp(line, "MemTotal:", 9) != 0) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!line)
		return -ENOENT;
	const char *p = line + 9;
	p += strspn(p, " \t");
	size_t digits = strspn(p, "0123456789");
	if (digits == 0 || digits > 19)
		return -EINVAL;
	char number[20];
	memcpy(number, p, digits);
	number[digits] = '\0';
	const char *unit = p + digits;
	unit += strspn(unit, " \t");
	if (strncmp(unit, "kB", 2) != 0)
		return -EINVAL;
	uint64_t kib;
	int r = parse_u64(number, 0, UINT64_MAX, &kib);
	if (r < 0)
		return r;
	*ret_mib = kib / 1024;
	return 0;
}

int hostinfo_collect(struct hostinfo *ret, struct error *err)
{
	struct hostinfo h = { 0 };

	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		return error_set_errno(err, errno, "count online CPUs");
	h.cpu_units = (uint64_t)cpus * 1024;

	_cleanup_free_ char *meminfo = NULL;
	int r = read_file_full("/proc/meminfo", 1 << 20, &meminfo, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read /proc/meminfo");
	r = hostinfo_parse_meminfo(meminfo, &h.memory_mib);
	if (r < 0)
		return error_set(err, -r, "no MemTotal in /proc/meminfo");

	struct utsname u;
	if (uname(&u) < 0)
		return error_set_errno(err, errno, "uname");
	h.arch = strdup(u.machine);
	h.kernel = strdup(u.release);
	h.hostname = strdup(u.nodename);

	struct error cg_err = { 0 };
	if (cgroup_available_controllers(&h.cgroup_controllers, &cg_err) < 0)
		h.cgroup_controllers = strdup(""); /* no cgroup2 tree: the hub sees none */
	const char *driver = getenv(CGROUP_DRIVER_ENV);
	if (driver && driver[0] && strlen(driver) < 64)
		h.cgroup_driver = strdup(driver);
	if (!h.arch || !h.kernel || !h.hostname || !h.cgroup_controllers ||
	    (driver && driver[0] && strlen(driver) < 64 && !h.cgroup_driver)) {
		hostinfo_release(&h);
		return error_set(err, ENOMEM, "out of memory");
	}
	*ret = h;
	return 0;
}

void hostinfo_release(struct hostinfo *h)
{
	free(h->arch);
	free(h->kernel);
	free(h->hostname);
	free(h->cgroup_controllers);
	free(h->cgroup_driver);
	*h = (struct hostinfo){ 0 };
}

cJSON *hostinfo_resources_json(const struct hostinfo *h)
{
	cJSON *j = cJSON_CreateObject();
	if (!j || !cJSON_AddNumberToObject(j, "cpu", (double)h->cpu_units) ||
	    !cJSON_AddNumberToObject(j, "memory", (double)h->memory_mib)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

const char *hostinfo_ecs_architecture(const char *machine)
{
	/* ECS names architectures as Docker does, not as uname. */
	if (strcmp(machine, "aarch64") == 0 || strcmp(machine, "arm64") == 0)
		return "arm64";
	if (strcmp(machine, "x86_64") == 0 || strcmp(machine, "amd64") == 0)
		return "x86_64";
	return machine;
}

cJSON *hostinfo_attributes_json(const struct hostinfo *h)
{
	cJSON *j = cJSON_CreateObject();
	if (!j ||
	    !cJSON_AddStringToObject(j, "ecs.cpu-architecture", hostinfo_ecs_architecture(h->arch)) ||
	    !cJSON_AddStringToObject(j, "ecs.os-type", "linux") ||
	    !cJSON_AddStringToObject(j, "ecs.os-family", "LINUX") ||
	    !cJSON_AddStringToObject(j, "tether.machine", h->arch) ||
	    !cJSON_AddStringToObject(j, "tether.kernel", h->kernel) ||
	    !cJSON_AddStringToObject(j, "tether.cgroup-controllers", h->cgroup_controllers) ||
	    !cJSON_AddStringToObject(j, "tether.version", TETHER_VERSION) ||
	    (h->cgroup_driver &&
	     !cJSON_AddStringToObject(j, "tether.cgroup-driver", h->cgroup_driver))) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

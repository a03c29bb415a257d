#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "runtime/monitor_path.h"

char *monitor_default_path(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	char *path = NULL;
	if (asprintf(&path, "%s/tether-monitor", dirname(exe)) < 0)
		return NULL;
	return path;
}

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "monitor/rootfs.h"
#include "monitor/setup_die.h"
#include "monitor/ulimits.h"

static rlim_t to_rlim(uint64_t v)
{
	return v == TASKDEF_ULIMIT_UNLIMITED ? RLIM_INFINITY : (rlim_t)v;
}

/* Docker's nofile, or as close as this node allows: without CAP_SYS_RESOURCE (tether-monitor
 * itself confined) the hard limit cannot be raised, and soft goes up to the hard limit. */
static void default_nofile(void)
{
	struct rlimit rl = { CONTAINER_DEFAULT_NOFILE, CONTAINER_DEFAULT_NOFILE };
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return;
	if (errno != EPERM || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		setup_die("default nofile limit: %s", strerror(errno));
	if (rl.rlim_max > CONTAINER_DEFAULT_NOFILE)
		rl.rlim_max = CONTAINER_DEFAULT_NOFILE;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		setup_die("default nofile limit: %s", strerror(errno));
}

void ulimits_apply(const struct container_security *s)
{
	bool nofile = false;
	for (size_t i = 0; i < s->n_ulimits; i++) {
		const struct taskdef_ulimit *u = &s->ulimits[i];
		struct rlimit rl = { .rlim_cur = to_rlim(u->soft), .rlim_max = to_rlim(u->hard) };
		/* Still root with the node's capabilities here, so hard limits may be raised. */
		if (setrlimit((__rlimit_resource_t)taskdef_ulimit_resource(u->name), &rl) < 0)
			setup_die("ulimit %s=%lld:%lld: %s", taskdef_ulimit_name_to_string(u->name),
				  rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long)rl.rlim_cur,
				  rl.rlim_max == RLIM_INFINITY ? -1LL : (long long)rl.rlim_max,
				  strerror(errno));
		nofile = nofile || u->name == ULIMIT_NOFILE;
	}
	if (!nofile)
		default_nofile();
}

/* Capabilities with libcap. The inheritable set stays empty, as Docker has it since
 * CVE-2022-24769: with inheritable bits, a file capability could hand a non-root program
 * more than its bounding set shows. */
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "monitor/privileges.h"
#include "monitor/rootfs.h"
#include "monitor/setup_die.h"

void privileges_limit_bounding_set(uint64_t caps)
{
	cap_value_t last = (cap_value_t)cap_max_bits() - 1;
	for (cap_value_t cap = 0; cap <= last; cap++)
		if (!(cap < 64 && (caps & (UINT64_C(1) << cap))) && cap_drop_bound(cap) < 0 &&
		    errno != EINVAL)
			setup_die("drop capability %d from the bounding set: %s", cap,
				  strerror(errno));
	/* One call (libcap's cap_reset_ambient asks about every capability first). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		setup_die("clear ambient capabilities: %s", strerror(errno));
}

static void set_process_caps(uint64_t caps)
{
	cap_t c = cap_init(); /* all three sets empty */
	if (!c)
		setup_die("capabilities: %s", strerror(errno));
	for (cap_value_t cap = 0; cap < 64; cap++) {
		if (!(caps & (UINT64_C(1) << cap)) || !CAP_IS_SUPPORTED(cap))
			continue;
		if (cap_set_flag(c, CAP_PERMITTED, 1, &cap, CAP_SET) < 0 ||
		    cap_set_flag(c, CAP_EFFECTIVE, 1, &cap, CAP_SET) < 0)
			setup_die("capability %d: %s", cap, strerror(errno));
	}
	if (cap_set_proc(c) < 0)
		setup_die("set capabilities: %s", strerror(errno));
	cap_free(c);
}

static void set_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		setup_die("no_new_privs: %s", strerror(errno));
}

void privileges_finish(uint64_t caps)
{
	set_process_caps(geteuid() == 0 ? caps : 0);
	set_no_new_privs();
}

void privileges_drop_all(void)
{
	set_process_caps(0);
	set_no_new_privs();
}

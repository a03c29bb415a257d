/* Capabilities with libcap. The default set is the one Docker grants, so images behave as
 * they do there. */
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "runtime/monitor/privileges.h"
#include "runtime/monitor/rootfs.h"

static const cap_value_t default_caps[] = {
	CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,	    CAP_FOWNER,	     CAP_MKNOD,
	CAP_NET_RAW, CAP_SETGID,      CAP_SETUID,	    CAP_SETFCAP,     CAP_SETPCAP,
	CAP_NET_BIND_SERVICE,	      CAP_SYS_CHROOT,	    CAP_KILL,	     CAP_AUDIT_WRITE,
};

static bool is_default(cap_value_t cap)
{
	for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
		if (default_caps[i] == cap)
			return true;
	return false;
}

void privileges_limit_bounding_set(void)
{
	cap_value_t last = (cap_value_t)cap_max_bits() - 1;
	for (cap_value_t cap = 0; cap <= last; cap++)
		if (!is_default(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			setup_die("drop capability %d: %s", cap, strerror(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		setup_die("clear ambient capabilities: %s", strerror(errno));
}

void privileges_finish(void)
{
	if (geteuid() == 0) {
		cap_t caps = cap_init();
		if (!caps)
			setup_die("capabilities: %s", strerror(errno));
		int n = (int)(sizeof(default_caps) / sizeof(default_caps[0]));
		if (cap_set_flag(caps, CAP_PERMITTED, n, default_caps, CAP_SET) < 0 ||
		    cap_set_flag(caps, CAP_EFFECTIVE, n, default_caps, CAP_SET) < 0 ||
		    cap_set_flag(caps, CAP_INHERITABLE, n, default_caps, CAP_SET) < 0 ||
		    cap_set_proc(caps) < 0)
			setup_die("set capabilities: %s", strerror(errno));
		cap_free(caps);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		setup_die("no_new_privs: %s", strerror(errno));
}

/* A container's privileges and isolation as tether-monitor applies them: the capability set,
 * the init, the network namespace and the resource limits, resolved from the definition as
 * Docker resolves `--cap-add/--cap-drop`, `--init`, `--network` and `--ulimit`. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "protocol/taskdef.h"

/* Docker's default set for root in a container, by number (CAP_* of linux/capability.h):
 * CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, KILL 5, SETGID 6, SETUID 7, SETPCAP 8,
 * NET_BIND_SERVICE 10, NET_RAW 13, SYS_CHROOT 18, MKNOD 27, AUDIT_WRITE 29, SETFCAP 31. */
#define CONTAINER_DEFAULT_CAPABILITIES UINT64_C(0xa80425fb)
/* nofile when the definition sets none: what containers get from Docker's daemon (or the
 * node's own hard limit where it cannot be raised). */
#define CONTAINER_DEFAULT_NOFILE 1048576

struct container_security {
	uint64_t capabilities;   /* bit n = capability n */
	bool init;               /* a small init is pid 1 (initProcessEnabled) */
	bool network_none;       /* own network namespace, loopback only */
	struct taskdef_ulimit ulimits[_ULIMIT_MAX]; /* as the definition gives them */
	size_t n_ulimits;
};

/* The capability set of a definition (defaults, then add/drop as Docker applies them). */
uint64_t container_capabilities_resolve(const struct taskdef_capabilities *c);

/* Fill *ret from the container's definition and the task's networkMode (NULL: the default,
 * host). */
void container_security_resolve(const struct taskdef_container *def, const char *network_mode,
				struct container_security *ret);

/* config.json members: "capabilities" (names), "init", "network", "ulimits"; an absent
 * member means Docker's default (the 14 capabilities, no init, host network, no ulimits). */
bool container_security_to_json(const struct container_security *s, cJSON *o);
int container_security_from_json(const cJSON *o, struct container_security *ret);

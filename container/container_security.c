/* Resolving a container's capabilities, init, network and ulimits, and their config.json form. */
#include <errno.h>
#include <string.h>

#include "container/container_security.h"

#define ALL_CAPABILITIES ((UINT64_C(1) << (TASKDEF_CAP_LAST + 1)) - 1)

uint64_t container_capabilities_resolve(const struct taskdef_capabilities *c)
{
	/* As Docker: "ALL" in add wins and drop then removes; "ALL" in drop leaves only add;
	 * otherwise add comes after drop, so a name in both stays. */
	if (c->add_all)
		return ALL_CAPABILITIES & ~c->drop;
	if (c->drop_all)
		return c->add & ALL_CAPABILITIES;
	return ((CONTAINER_DEFAULT_CAPABILITIES & ~c->drop) | c->add) & ALL_CAPABILITIES;
}

void container_security_resolve(const struct taskdef_container *def, const char *network_mode,
				struct container_security *ret)
{
	*ret = (struct container_security){
		.capabilities = container_capabilities_resolve(&def->linux_parameters.capabilities),
		.init = def->linux_parameters.init_process_enabled,
		.network_none = network_mode && strcmp(network_mode, "none") == 0,
	};
	for (size_t i = 0; i < def->n_ulimits && i < _ULIMIT_MAX; i++)
		ret->ulimits[ret->n_ulimits++] = def->ulimits[i];
}

static double limit_to_json(uint64_t v)
{
	return v == TASKDEF_ULIMIT_UNLIMITED ? -1 : (double)v;
}

static cJSON *ulimits_to_json(const struct container_security *s)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < s->n_ulimits; i++) {
		cJSON *u = cJSON_CreateObject();
		if (!cJSON_AddItemToArray(a, u) ||
		    !cJSON_AddStringToObject(u, "name", taskdef_ulimit_name_to_string(s->ulimits[i].name)) ||
		    !cJSON_AddNumberToObject(u, "soft", limit_to_json(s->ulimits[i].soft)) ||
		    !cJSON_AddNumberToObject(u, "hard", limit_to_json(s->ulimits[i].hard))) {
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

bool container_security_to_json(const struct container_security *s, cJSON *o)
{
	cJSON *caps = cJSON_AddArrayToObject(o, "capabilities");
	for (int cap = 0; caps && cap <= TASKDEF_CAP_LAST; cap++)
		if ((s->capabilities & (UINT64_C(1) << cap)) &&
		    !cJSON_AddItemToArray(caps, cJSON_CreateString(taskdef_capability_to_name(cap))))
			return false;
	return caps && cJSON_AddBoolToObject(o, "init", s->init) &&
	       cJSON_AddStringToObject(o, "network", s->network_none ? "none" : "host") &&
	       cJSON_AddItemToObject(o, "ulimits", ulimits_to_json(s));
}

static int limit_from_json(const cJSON *v, uint64_t *ret)
{
	if (!cJSON_IsNumber(v))
		return -EINVAL;
	if (v->valuedouble == -1) {
		*ret = TASKDEF_ULIMIT_UNLIMITED;
		return 0;
	}
	if (v->valuedouble < 0 || v->valuedouble > 9007199254740991.0)
		return -EINVAL;
	*ret = (uint64_t)v->valuedouble;
	return 0;
}

static int ulimits_from_json(const cJSON *a, struct container_security *s)
{
	if (!a)
		return 0;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > _ULIMIT_MAX)
		return -EINVAL;
	const cJSON *u;
	cJSON_ArrayForEach(u, a) {
		struct taskdef_ulimit *l = &s->ulimits[s->n_ulimits];
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "name"));
		int n = 0;
		while (name && n < _ULIMIT_MAX && strcmp(taskdef_ulimit_name_to_string(n), name) != 0)
			n++;
		if (!name || n == _ULIMIT_MAX ||
		    limit_from_json(cJSON_GetObjectItemCaseSensitive(u, "soft"), &l->soft) < 0 ||
		    limit_from_json(cJSON_GetObjectItemCaseSensitive(u, "hard"), &l->hard) < 0 ||
		    l->soft > l->hard)
			return -EINVAL;
		l->name = (enum taskdef_ulimit_name)n;
		s->n_ulimits++;
	}
	return 0;
}

static int capabilities_from_json(const cJSON *caps, uint64_t *ret)
{
	if (!caps) {
		*ret = CONTAINER_DEFAULT_CAPABILITIES;
		return 0;
	}
	if (!cJSON_IsArray(caps))
		return -EINVAL;
	uint64_t set = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, caps) {
		const char *name = cJSON_GetStringValue(c);
		int cap = name ? taskdef_capability_from_name(name) : -1;
		if (cap < 0)
			return -EINVAL;
		set |= UINT64_C(1) << cap;
	}
	*ret = set;
	return 0;
}

int container_security_from_json(const cJSON *o, struct container_security *ret)
{
	struct container_security s = { 0 };
	const cJSON *init = cJSON_GetObjectItemCaseSensitive(o, "init");
	const cJSON *network = cJSON_GetObjectItemCaseSensitive(o, "network");
	const char *mode = network ? cJSON_GetStringValue(network) : "host";
	if ((init && !cJSON_IsBool(init)) || !mode ||
	    (strcmp(mode, "none") != 0 && strcmp(mode, "host") != 0))
		return -EINVAL;
	s.init = cJSON_IsTrue(init);
	s.network_none = strcmp(mode, "none") == 0;
	int r = capabilities_from_json(cJSON_GetObjectItemCaseSensitive(o, "capabilities"),
				       &s.capabilities);
	if (r == 0)
		r = ulimits_from_json(cJSON_GetObjectItemCaseSensitive(o, "ulimits"), &s);
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

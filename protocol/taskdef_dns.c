#include "protocol/taskdef_dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"

bool taskdef_ip_is_valid(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

bool taskdef_domain_is_valid(const char *s)
{
	size_t len = strlen(s);
	if (len < 1 || len > TASKDEF_MAX_DOMAIN)
		return false;
	for (const char *p = s; *p;) {
		size_t label = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
		if (label < 1 || label > 63 || p[0] == '-')
			return false;
		p += label;
		if (*p == '.' && p[1])
			p++;
		else if (*p)
			return false;
	}
	return true;
}

static int get_checked_strings(const cJSON *v, const char *path, size_t max_items,
			       bool (*valid)(const char *), const char *what, char ***ret,
			       struct error *err)
{
	char **strv = NULL;
	int r = json_get_string_array(v, path, max_items, TASKDEF_MAX_DOMAIN, &strv, err);
	if (r < 0)
		return r;
	for (size_t i = 0; strv[i]; i++)
		if (!valid(strv[i])) {
			r = error_set(err, EINVAL, "%s[%zu]: \"%.64s\" is not %s", path, i, strv[i],
				      what);
			json_strv_free(strv);
			return r;
		}
	*ret = strv;
	return 0;
}

int taskdef_dns_servers_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				  struct error *err)
{
	char field[JSON_PATH_MAX];
	json_path(field, "%s.dnsServers", path);
	return get_checked_strings(v, field, TASKDEF_MAX_DNS_SERVERS, taskdef_ip_is_valid,
				   "an IP address", &c->dns_servers, err);
}

int taskdef_dns_search_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				 struct error *err)
{
	char field[JSON_PATH_MAX];
	json_path(field, "%s.dnsSearchDomains", path);
	return get_checked_strings(v, field, TASKDEF_MAX_DNS_SEARCH_DOMAINS,
				   taskdef_domain_is_valid, "a domain name", &c->dns_search_domains,
				   err);
}

static int parse_host_entry(const cJSON *item, const char *path, void *items, size_t i,
			    struct error *err)
{
	static const char *const names[] = { "hostname", "ipAddress" };
	struct taskdef_host_entry *h = (struct taskdef_host_entry *)items + i;
	const cJSON *found[ELEMENTSOF(names)];
	char field[JSON_PATH_MAX];
	int r = json_object_members(item, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field, "%s.hostname", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field);
	r = json_get_string(found[0], field, 1, TASKDEF_MAX_DOMAIN, &h->hostname, err);
	if (r < 0)
		return r;
	if (!taskdef_domain_is_valid(h->hostname))
		return error_set(err, EINVAL, "%s: \"%s\" is not a valid host name", field,
				 h->hostname);
	json_path(field, "%s.ipAddress", path);
	if (!found[1])
		return error_set(err, EINVAL, "%s: required", field);
	r = json_get_string(found[1], field, 1, INET6_ADDRSTRLEN, &h->ip_address, err);
	if (r < 0)
		return r;
	if (!taskdef_ip_is_valid(h->ip_address))
		return error_set(err, EINVAL, "%s: \"%s\" is not an IP address", field,
				 h->ip_address);
	return 0;
}

int taskdef_extra_hosts_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				  struct error *err)
{
	static const struct json_object_array spec = {
		.shape = "objects", .what = "entries", .max_items = TASKDEF_MAX_EXTRA_HOSTS,
		.item_size = sizeof(*c->extra_hosts), .parse = parse_host_entry,
	};
	char field[JSON_PATH_MAX];
	json_path(field, "%s.extraHosts", path);
	return json_parse_object_array(v, field, &spec, &c->extra_hosts, &c->n_extra_hosts, err);
}

void taskdef_container_dns_release(struct taskdef_container *c)
{
	json_strv_free(c->dns_servers);
	json_strv_free(c->dns_search_domains);
	for (size_t i = 0; i < c->n_extra_hosts; i++) {
		free(c->extra_hosts[i].hostname);
		free(c->extra_hosts[i].ip_address);
	}
	free(c->extra_hosts);
}

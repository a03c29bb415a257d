/* Name resolution fields of a container: `dnsServers`, `dnsSearchDomains` and `extraHosts`,
 * which the runtime writes into the container's own /etc/resolv.conf and /etc/hosts. */
#pragma once

#include <cjson/cJSON.h>

#include "common/error.h"
#include "protocol/taskdef.h"

#define TASKDEF_MAX_DNS_SERVERS 3         /* what the C library's resolver reads */
#define TASKDEF_MAX_DNS_SEARCH_DOMAINS 6  /* idem */
#define TASKDEF_MAX_EXTRA_HOSTS 64
#define TASKDEF_MAX_DOMAIN 253

/* True for an IPv4 or IPv6 address in text form. */
bool taskdef_ip_is_valid(const char *s);

/* True for a DNS name: 1..253 bytes of labels of 1..63 [A-Za-z0-9_-], not starting with '-'. */
bool taskdef_domain_is_valid(const char *s);

int taskdef_dns_servers_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				  struct error *err);
int taskdef_dns_search_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				 struct error *err);
int taskdef_extra_hosts_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				  struct error *err);

void taskdef_container_dns_release(struct taskdef_container *c);

/* The name files every container gets as its own copies, as Docker writes them: /etc/hosts
 * (localhost, the container's hostname, extraHosts), /etc/hostname, and /etc/resolv.conf (the
 * host's, with dnsServers and dnsSearchDomains replacing its nameserver and search lines). */
#pragma once

/* Texts the caller frees; 0 or -ENOMEM. */
int etc_hosts_text(const char *hostname, char *const *extra_hosts, char **ret);
int etc_hostname_text(const char *hostname, char **ret);
/* HOST_TEXT is the host's resolv.conf (NULL or "" when it has none); SERVERS and SEARCH are
 * NULL-terminated or NULL (keep the host's). */
int etc_resolv_conf_text(const char *host_text, char *const *servers, char *const *search,
			 char **ret);

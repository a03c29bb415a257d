#include "monitor/etc_files.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

int etc_hosts_text(const char *hostname, char *const *extra_hosts, char **ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	fputs("127.0.0.1\tlocalhost\n"
	      "::1\tlocalhost ip6-localhost ip6-loopback\n"
	      "fe00::0\tip6-localnet\n"
	      "ff00::0\tip6-mcastprefix\n"
	      "ff02::1\tip6-allnodes\n"
	      "ff02::2\tip6-allrouters\n", f);
	/* The container has no address of its own on host or none networking: its name
	 * resolves to loopback, as on a Debian host. */
	fprintf(f, "127.0.1.1\t%s\n", hostname);
	for (size_t i = 0; extra_hosts && extra_hosts[i]; i++) {
		const char *space = strchr(extra_hosts[i], ' ');
		if (space)
			fprintf(f, "%.*s\t%s\n", (int)(space - extra_hosts[i]), extra_hosts[i],
				space + 1);
	}
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	return 0;
}

int etc_hostname_text(const char *hostname, char **ret)
{
	return asprintf(ret, "%s\n", hostname) < 0 ? -ENOMEM : 0;
}

static bool line_starts_with(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len > n && strncmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

int etc_resolv_conf_text(const char *host_text, char *const *servers, char *const *search,
			 char **ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f)
		return -ENOMEM;
	for (const char *p = host_text ? host_text : ""; *p;) {
		size_t len = strcspn(p, "\n");
		bool replaced = (servers && line_starts_with(p, len, "nameserver")) ||
				(search && (line_starts_with(p, len, "search") ||
					    line_starts_with(p, len, "domain")));
		if (!replaced)
			fprintf(f, "%.*s\n", (int)len, p);
		p += len;
		if (*p == '\n')
			p++;
	}
	for (size_t i = 0; servers && servers[i]; i++)
		fprintf(f, "nameserver %s\n", servers[i]);
	if (search && search[0]) {
		fputs("search", f);
		for (size_t i = 0; search[i]; i++)
			fprintf(f, " %s", search[i]);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	return 0;
}

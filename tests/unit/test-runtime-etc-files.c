/* The generated /etc/hosts, /etc/hostname and /etc/resolv.conf of a container. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "monitor/etc_files.h"
#include "tests/unit/test.h"

TEST(etc_hosts_has_localhost_hostname_and_extra_hosts)
{
	char *extra[] = { (char *)"10.1.2.3 db", (char *)"fd00::1 cache.local", NULL };
	_cleanup_free_ char *text = NULL;
	ASSERT_INT_EQ(etc_hosts_text("web-1", extra, &text), 0);
	ASSERT_TRUE(strncmp(text, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
			    61) == 0);
	ASSERT_CONTAINS(text, "\n127.0.1.1\tweb-1\n");
	ASSERT_CONTAINS(text, "\n10.1.2.3\tdb\nfd00::1\tcache.local\n");
	_cleanup_free_ char *plain = NULL;
	ASSERT_INT_EQ(etc_hosts_text("h", NULL, &plain), 0);
	ASSERT_TRUE(strlen(plain) > 0 && plain[strlen(plain) - 1] == '\n');
	_cleanup_free_ char *name = NULL;
	ASSERT_INT_EQ(etc_hostname_text("web-1", &name), 0);
	ASSERT_STR_EQ(name, "web-1\n");
}

static const char host_resolv[] = "# from the host\nnameserver 192.168.1.1\nnameserver 192.168.1.2\n"
				  "search lan\noptions edns0\ndomain home\nnameservers-are-not-this";

TEST(etc_resolv_conf_is_the_hosts_by_default)
{
	_cleanup_free_ char *text = NULL;
	ASSERT_INT_EQ(etc_resolv_conf_text(host_resolv, NULL, NULL, &text), 0);
	ASSERT_STR_EQ(text, "# from the host\nnameserver 192.168.1.1\nnameserver 192.168.1.2\n"
		      "search lan\noptions edns0\ndomain home\nnameservers-are-not-this\n");
	_cleanup_free_ char *none = NULL;
	ASSERT_INT_EQ(etc_resolv_conf_text(NULL, NULL, NULL, &none), 0);
	ASSERT_STR_EQ(none, "");
}

TEST(etc_resolv_conf_servers_and_search_replace_the_hosts)
{
	char *servers[] = { (char *)"10.0.0.2", (char *)"fd00::53", NULL };
	char *search[] = { (char *)"corp.example", (char *)"example.com", NULL };
	_cleanup_free_ char *both = NULL, *only_servers = NULL, *only_search = NULL;
	ASSERT_INT_EQ(etc_resolv_conf_text(host_resolv, servers, search, &both), 0);
	ASSERT_STR_EQ(both, "# from the host\noptions edns0\nnameservers-are-not-this\n"
		      "nameserver 10.0.0.2\nnameserver fd00::53\nsearch corp.example example.com\n");
	ASSERT_INT_EQ(etc_resolv_conf_text(host_resolv, servers, NULL, &only_servers), 0);
	ASSERT_STR_EQ(only_servers, "# from the host\nsearch lan\noptions edns0\ndomain home\n"
		      "nameservers-are-not-this\nnameserver 10.0.0.2\nnameserver fd00::53\n");
	ASSERT_INT_EQ(etc_resolv_conf_text(host_resolv, NULL, search, &only_search), 0);
	ASSERT_STR_EQ(only_search, "# from the host\nnameserver 192.168.1.1\nnameserver 192.168.1.2\n"
		      "options edns0\nnameservers-are-not-this\nsearch corp.example example.com\n");
}

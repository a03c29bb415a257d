/* tether-hub: the reference control plane. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "common/log.h"
#include "common/parse.h"
#include "hub/keys_command.h"
#include "hub/server.h"
#include "hub/store.h"

static struct hub_server *running;

static void on_signal(int sig)
{
	(void)sig;
	if (running)
		hub_server_stop(running);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: tether-hub [--listen ADDR:PORT] --db FILE [--dev]"
		   " [--tls-cert PEM --tls-key PEM]\n"
		   "       tether-hub keys create|list|delete --db FILE [ACCESS_KEY_ID]\n");
}

/* "127.0.0.1:8080" or "[::1]:8080" into address and port. */
static int parse_listen(char *arg, const char **ret_addr, int *ret_port)
{
	char *colon = strrchr(arg, ':');
	uint64_t port;
	if (!colon || parse_u64(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	*colon = '\0';
	if (arg[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		arg++;
	}
	*ret_addr = arg;
	*ret_port = (int)port;
	return 0;
}

/* Every connected agent holds a socket: the soft limit of open files goes up to the hard
 * limit, as servers do (the hard limit is the administrator's; systemd's default is 524288). */
static rlim_t raise_open_files_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t before = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			return before;
	}
	return rl.rlim_cur;
}

int main(int argc, char **argv)
{
	log_set_program("tether-hub");
	if (argc > 1 && !strcmp(argv[1], "keys"))
		return hub_keys_command(argc - 1, argv + 1);
	static const struct option options[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "db", required_argument, NULL, 'd' },
		{ "dev", no_argument, NULL, 'D' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char listen_default[] = "127.0.0.1:8080";
	char *listen_arg = listen_default;
	const char *db = NULL;
	struct hub_server_config cfg = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'l': listen_arg = optarg; break;
		case 'd': db = optarg; break;
		case 'D': cfg.dev = true; break;
		case 'c': cfg.tls_cert = optarg; break;
		case 'k': cfg.tls_key = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!db || optind != argc || !cfg.tls_cert != !cfg.tls_key ||
	    parse_listen(listen_arg, &cfg.address, &cfg.port) < 0) {
		usage(stderr);
		return 2;
	}

	cfg.db_path = db;
	rlim_t open_files = raise_open_files_limit();
	struct error err = { 0 };
	struct hub_store *store = NULL;
	if (hub_store_open(db, &store, &err) < 0) {
		log_error("%s", err.message);
		return 1;
	}
	struct hub_server *srv = NULL;
	if (hub_server_new(&cfg, store, &srv, &err) < 0) {
		log_error("%s", err.message);
		hub_store_close(store);
		return 1;
	}
	running = srv;
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_info("listening on %s:%d%s; event loop: %s; open files limit: %llu; accept queue: %d",
		 cfg.address, cfg.port, cfg.dev ? " (dev mode)" : "", hub_server_event_backend(srv),
		 (unsigned long long)open_files, hub_server_accept_queue(srv));
	int r = hub_server_run(srv);
	running = NULL;
	hub_server_free(srv);
	hub_store_close(store);
	log_info("stopped");
	return r < 0 ? 1 : 0;
}

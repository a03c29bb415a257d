/* tether-hub: the reference control plane. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/pid_lock.h"
#include "hub/keys_command.h"
#include "hub/server.h"
#include "hub/services/service_reconcile.h"
#include "hub/store/store.h"
#include "protocol/liveness.h"

static struct hub_server *running;

static void on_signal(int sig)
{
	(void)sig;
	if (running)
		hub_server_stop(running);
}

static void on_hangup(int sig)
{
	(void)sig;
	if (running)
		hub_server_reload_tls(running);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: tether-hub [--listen ADDR:PORT] --db FILE [--dev]"
		   " [--tls-cert PEM --tls-key PEM]\n"
		   "                  [--heartbeat-seconds N] [--service-disconnect-grace SECONDS]\n"
		   "       tether-hub keys create|list|delete --db FILE [ACCESS_KEY_ID]\n");
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

/* DB.lock, held for as long as this hub runs. */
static int lock_database(const char *db, int *ret_fd, struct error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s.lock", db) < 0)
		return error_set(err, ENOMEM, "out of memory");
	pid_t holder = 0;
	int r = pid_lock_take(path, ret_fd, &holder, err);
	if (r == -EBUSY)
		return error_set(err, EBUSY,
				 "database %s is in use by another tether-hub (pid %ld, lock %s);"
				 " stop it first or give another --db",
				 db, (long)holder, path);
	return r;
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
		{ "heartbeat-seconds", required_argument, NULL, 'H' },
		{ "service-disconnect-grace", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *listen_arg = "127.0.0.1:8080";
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
		case 'H': {
			uint64_t v;
			if (parse_u64(optarg, 1, LIVENESS_MAX_HEARTBEAT_SECONDS, &v) < 0) {
				log_error("--heartbeat-seconds takes 1-%d", LIVENESS_MAX_HEARTBEAT_SECONDS);
				return 2;
			}
			cfg.heartbeat_seconds = (unsigned)v;
			break;
		}
		case 'G': {
			uint64_t v;
			if (parse_u64(optarg, 1, SERVICE_DISCONNECT_GRACE_MAX, &v) < 0) {
				log_error("--service-disconnect-grace takes 1-%d seconds",
					  SERVICE_DISCONNECT_GRACE_MAX);
				return 2;
			}
			cfg.service_disconnect_grace = (unsigned)v;
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!db || optind != argc || !cfg.tls_cert != !cfg.tls_key) {
		usage(stderr);
		return 2;
	}
	cfg.db_path = db;
	struct error err = { 0 };
	if (listen_address_parse(listen_arg, &cfg.listen, &err) < 0) {
		log_error("%s", err.message);
		return 2;
	}

	/* Nothing is read or written before the database is ours: a second hub started on it by
	 * mistake must leave the first one's nodes as they are. */
	_cleanup_close_ int lock_fd = -1;
	if (lock_database(db, &lock_fd, &err) < 0) {
		log_error("%s", err.message);
		return 1;
	}
	rlim_t open_files = raise_open_files_limit();
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
	struct sigaction hup = { .sa_handler = on_hangup, .sa_flags = SA_RESTART };
	sigaction(SIGHUP, &hup, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_info("listening on %s%s%s:%d%s; event loop: %s; open files limit: %llu; accept queue: %d",
		 cfg.listen.family == AF_INET6 ? "[" : "", cfg.listen.text,
		 cfg.listen.family == AF_INET6 ? "]" : "", cfg.listen.port, cfg.dev ? " (dev mode)" : "", hub_server_event_backend(srv),
		 (unsigned long long)open_files, hub_server_accept_queue(srv));
	int r = hub_server_run(srv);
	running = NULL;
	hub_server_free(srv);
	hub_store_close(store);
	log_info("stopped");
	return r < 0 ? 1 : 0;
}

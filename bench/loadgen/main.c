/* tether-loadgen: N simulated agents against one hub, for bench/hub-scale.sh. It enrols them
 * (activations, registration), holds their websockets, and prints one line per event as
 * "event key=value ...", which the benchmark reads:
 *   registered  agents, seconds
 *   wave        index, agents, seconds, start, end, peak_established_per_s,
 *               peak_welcomed_per_s, attempts, failures
 *   census      every 10 s: how many agents are ready, connecting, waiting, attempts put
 *               off while the generator ran late (deferred), and how welcomed connections
 *               ended so far (drops_*), task assignments received so far
 *   totals      (on SIGTERM or SIGINT) frames, the census, and CPU time of the generator */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <curl/curl.h>

#include "agent/link/hostinfo.h"
#include "bench/loadgen/enroll.h"
#include "bench/loadgen/fleet.h"
#include "common/log.h"
#include "common/parse.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_wave(void *userdata, const struct wave_report *r)
{
	(void)userdata;
	printf("wave index=%u agents=%zu seconds=%.3f start=%.3f end=%.3f"
	       " peak_established_per_s=%.0f peak_welcomed_per_s=%.0f attempts=%llu"
	       " failures=%llu\n",
	       r->index, r->agents, r->seconds, r->start_wall, r->end_wall,
	       r->peak_established_per_s, r->peak_welcomed_per_s, (unsigned long long)r->attempts,
	       (unsigned long long)r->failures);
	fflush(stdout);
}

static void print_drops(const struct fleet_drops *d)
{
	printf(" drops_hub_close=%llu drops_replaced=%llu drops_silent=%llu drops_socket=%llu"
	       " drops_error=%llu drops_destroyed=%llu last_hub_close_code=%d",
	       (unsigned long long)d->hub_close, (unsigned long long)d->replaced,
	       (unsigned long long)d->silent, (unsigned long long)d->socket,
	       (unsigned long long)d->error, (unsigned long long)d->destroyed,
	       d->last_hub_close_code);
}

static void on_census(void *userdata, const struct fleet_census *c)
{
	(void)userdata;
	printf("census time=%.3f ready=%zu connecting=%zu waiting=%zu lost=%llu deferred=%llu"
	       " assigns=%llu",
	       wall_now(), c->ready, c->connecting, c->waiting, (unsigned long long)c->lost,
	       (unsigned long long)c->deferred, (unsigned long long)c->assigns);
	print_drops(&c->drops);
	printf("\n");
	fflush(stdout);
}

/* Every agent holds a socket: the soft limit goes up to the hard limit, as servers do. */
static int raise_fd_limit(size_t agents)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	return rl.rlim_cur >= agents + 64 ? 0 : -EMFILE;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: tether-loadgen --hub http://127.0.0.1:PORT --agents N"
		     " [--cluster NAME] [--ramp-ms MS] [--heartbeat-seconds S]\n");
}

static int parse_hub(const char *url, char *address, size_t size, int *port)
{
	const char *p = strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
	const char *colon = p ? strrchr(p, ':') : NULL;
	uint64_t v;
	if (!colon || (size_t)(colon - p) >= size || parse_u64(colon + 1, 1, 65535, &v) < 0)
		return -EINVAL;
	snprintf(address, size, "%.*s", (int)(colon - p), p);
	*port = (int)v;
	return 0;
}

static void print_totals(const struct fleet *f)
{
	struct sim_counters c;
	uint64_t beats;
	fleet_counters(f, &c, &beats);
	struct fleet_census census;
	fleet_census(f, &census);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("totals assigns=%llu stops=%llu states_sent=%llu acks_received=%llu"
	       " errors_received=%llu heartbeats=%llu ready=%zu connecting=%zu waiting=%zu"
	       " lost=%llu cpu_seconds=%.2f max_rss_kib=%ld",
	       (unsigned long long)c.assigns, (unsigned long long)c.stops,
	       (unsigned long long)c.states_sent, (unsigned long long)c.acks_received,
	       (unsigned long long)c.errors_received, (unsigned long long)beats, census.ready,
	       census.connecting, census.waiting, (unsigned long long)census.lost,
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
	       ru.ru_maxrss);
	print_drops(&census.drops);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	log_set_program("tether-loadgen");
	static const struct option options[] = {
		{ "hub", required_argument, NULL, 'u' },
		{ "agents", required_argument, NULL, 'n' },
		{ "cluster", required_argument, NULL, 'c' },
		{ "ramp-ms", required_argument, NULL, 'r' },
		{ "heartbeat-seconds", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *hub = NULL, *cluster = "default";
	uint64_t n = 0, ramp_ms = 5000, heartbeat = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		int bad = 0;
		switch (opt) {
		case 'u': hub = optarg; break;
		case 'n': bad = parse_u64(optarg, 1, 100000, &n); break;
		case 'c': cluster = optarg; break;
		case 'r': bad = parse_u64(optarg, 0, 600000, &ramp_ms); break;
		case 'b': bad = parse_u64(optarg, 0, 3600, &heartbeat); break;
		case 'h': usage(stdout); return 0;
		default: bad = -1; break;
		}
		if (bad < 0) {
			usage(stderr);
			return 2;
		}
	}
	struct fleet_config fc = { .heartbeat_seconds = (unsigned)heartbeat,
				   .ramp_ms = (unsigned)ramp_ms,
				   .on_wave = on_wave,
				   .census_seconds = 10,
				   .on_census = on_census };
	char address[64];
	if (!hub || !n || optind != argc || parse_hub(hub, address, sizeof(address), &fc.port) < 0) {
		usage(stderr);
		return 2;
	}
	fc.address = address;
	int r = raise_fd_limit(n);
	if (r < 0) {
		log_error("cannot hold %llu sockets: %s (raise the hard limit of open files)",
			  (unsigned long long)n, strerror(-r));
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	struct error err = { 0 };
	struct hostinfo host = { 0 };
	struct sim_agent *agents = calloc(n, sizeof(*agents));
	struct fleet *fleet = NULL;
	int rc = 1;
	if (!agents || hostinfo_collect(&host, &err) < 0) {
		log_error("host information: %s", agents ? err.message : "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		agents[i].host = &host;
	struct enroll_config ec = { .hub_url = hub, .cluster = cluster, .host = &host };
	double t0 = mono_now();
	if (enroll_fleet(&ec, agents, n, &err) < 0) {
		log_error("%s", err.message);
		goto out;
	}
	printf("registered agents=%llu seconds=%.3f\n", (unsigned long long)n, mono_now() - t0);
	fflush(stdout);
	if (fleet_new(&fc, agents, n, &fleet, &err) < 0) {
		log_error("%s", err.message);
		goto out;
	}
	if (fleet_run(fleet, &stop) < 0)
		log_error("the event loop failed");
	else
		rc = 0;
	print_totals(fleet);
out:
	fleet_free(fleet);
	for (size_t i = 0; agents && i < n; i++)
		sim_agent_release(&agents[i]);
	free(agents);
	hostinfo_release(&host);
	curl_global_cleanup();
	return rc;
}

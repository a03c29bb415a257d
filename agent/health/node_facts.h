/* What the node can say about itself without deciding anything: how long it has been up, its
 * load and pressure, its memory, the room left where the agent keeps its state and images.
 * Read from /proc and statvfs(3), cheap enough to take on the daemon's event loop. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* One line of /proc/pressure/{cpu,memory,io}: the share of wall time some task waited. */
struct pressure {
	bool known; /* false: the kernel has no PSI (CONFIG_PSI off, or psi=0) */
	double some_avg10, some_avg60, some_avg300;
};

struct node_facts {
	double uptime_s;               /* /proc/uptime */
	double load1, load5, load15;   /* /proc/loadavg */
	struct pressure cpu, memory, io;
	uint64_t mem_total_bytes, mem_available_bytes; /* /proc/meminfo */
	bool state_disk_known, images_disk_known;
	uint64_t state_free_bytes, state_total_bytes;  /* statvfs of the state dir */
	uint64_t images_free_bytes, images_total_bytes; /* statvfs of STATE/images */
};

/* Take the facts; what cannot be read is left zero and marked unknown, never an error. */
void node_facts_collect(const char *state_dir, struct node_facts *ret);

/* Parsers of the /proc texts, apart so that they are tested on fixed input. */
bool node_facts_parse_pressure(const char *text, struct pressure *ret);
bool node_facts_parse_meminfo(const char *text, uint64_t *ret_total, uint64_t *ret_available);

/* The facts as the node_status frame's "facts" object (docs/protocol.md); NULL: no memory. */
cJSON *node_facts_json(const struct node_facts *f);

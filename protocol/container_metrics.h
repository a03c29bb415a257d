/* The figures a container's sample carries: their names in the metrics frame
 * (docs/protocol.md) and in Prometheus exposition, one table for the agent that sends and
 * renders them and the hub that reads and serves them. */
#pragma once

enum container_metric {
	CONTAINER_CPU_USAGE_USEC,    /* cpu.stat usage_usec */
	CONTAINER_MEMORY_CURRENT,    /* memory.current */
	CONTAINER_MEMORY_PEAK,       /* memory.peak (kernel 5.19+) */
	CONTAINER_PIDS_CURRENT,      /* pids.current */
	CONTAINER_IO_READ_BYTES,     /* io.stat rbytes, all devices */
	CONTAINER_IO_WRITE_BYTES,    /* io.stat wbytes, all devices */
	CONTAINER_METRIC_COUNT,
};

struct container_metric_def {
	const char *field;  /* in a metrics frame's sample */
	const char *metric; /* in exposition */
	const char *type;   /* "counter" or "gauge" */
	const char *help;
};

extern const struct container_metric_def container_metric_defs[CONTAINER_METRIC_COUNT];

#include "protocol/container_metrics.h"

const struct container_metric_def container_metric_defs[CONTAINER_METRIC_COUNT] = {
	[CONTAINER_CPU_USAGE_USEC] = { "cpu_usage_usec", "tether_container_cpu_usage_usec_total",
				       "counter", "CPU time the container used (cpu.stat usage_usec)." },
	[CONTAINER_MEMORY_CURRENT] = { "memory_current_bytes", "tether_container_memory_current_bytes",
				       "gauge", "Memory the container uses (memory.current)." },
	[CONTAINER_MEMORY_PEAK] = { "memory_peak_bytes", "tether_container_memory_peak_bytes", "gauge",
				    "The most memory the container used (memory.peak, kernel 5.19+)." },
	[CONTAINER_PIDS_CURRENT] = { "pids_current", "tether_container_pids", "gauge",
				     "Processes and threads in the container (pids.current)." },
	[CONTAINER_IO_READ_BYTES] = { "io_read_bytes", "tether_container_io_read_bytes_total",
				      "counter", "Bytes the container read (io.stat, all devices)." },
	[CONTAINER_IO_WRITE_BYTES] = { "io_write_bytes", "tether_container_io_write_bytes_total",
				       "counter", "Bytes the container wrote (io.stat, all devices)." },
};

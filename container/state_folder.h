/* The contract between the agent and tether-monitor: the files of a container's state folder
 * (STATE/tasks/TASK/CONTAINER/). The agent writes config.json and starts the monitor with the
 * folder; everything else in it is written by the monitor and read by the agent. */
#pragma once

#include "logs/log_json_file.h"

/* Written by the agent. */
#define CONTAINER_CONFIG_FILE "config.json" /* container/container_config.h */

/* Written by the monitor. */
#define CONTAINER_PID_FILE "pid"                 /* the container's init, as the host sees it */
#define CONTAINER_MONITOR_PID_FILE "monitor.pid" /* the monitor's own pid */
#define CONTAINER_EXIT_FILE "exit.json"          /* container/exit_record.h */
#define CONTAINER_HEALTH_FILE "health.json"      /* container/health_record.h */
#define CONTAINER_MONITOR_LOG "monitor.log"      /* the monitor's stderr */
/* The json-file log driver's files (logs/log_json_file.h). */
#define CONTAINER_LOG_FILE LOG_JSON_FILE_NAME
/* The name files bound into the container at /etc. */
#define CONTAINER_HOSTS_FILE "hosts"
#define CONTAINER_HOSTNAME_FILE "hostname"
#define CONTAINER_RESOLV_FILE "resolv.conf"
/* The root: an overlay of the image's layers (read-only) under upper, with its work dir. */
#define CONTAINER_ROOTFS_DIR "rootfs"
#define CONTAINER_UPPER_DIR "upper"
#define CONTAINER_WORK_DIR "work"

/* The task-level cpu and memory strings of an ECS task definition: "1024" or "1 vCPU",
 * "2048" or "2 GB". ECS sends them as strings; plain JSON integers are accepted too. */
#pragma once

#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

#define TASKDEF_MIN_TASK_CPU 128          /* 0.125 vCPU, as ECS */
#define TASKDEF_MAX_TASK_CPU (192 * 1024) /* 192 vCPU, as ECS on EC2 and external */
#define TASKDEF_MIN_MEMORY_MIB 6          /* the smallest limit the kernel accepts */
#define TASKDEF_MAX_MEMORY_MIB (16U * 1024 * 1024) /* 16 TiB */

/* Cpu units: "512", "0.5 vCPU", "1vcpu" (case-insensitive, whole units only). */
int taskdef_parse_task_cpu(const cJSON *v, const char *path, uint32_t *ret, struct error *err);

/* MiB: "512", "512 MiB", "1 GB", "0.5GB" (GB as ECS means it: 1024 MiB). */
int taskdef_parse_task_memory(const cJSON *v, const char *path, uint32_t *ret,
			      struct error *err);

/* The service scheduler's records: services, their deployments and their events (tables
 * services, deployments, service_events of hub/store/store.c). The caller owns the
 * transaction. */
#pragma once

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "hub/store/store.h"

#define SERVICE_NAME_MAX 255
#define DEPLOYMENT_ID_MAX 32 /* "ecs-svc/" and 19 digits */
#define SERVICE_EVENTS_KEPT 100

struct service {
	char cluster[256], name[SERVICE_NAME_MAX + 1];
	char status[16];   /* ACTIVE, DRAINING (being deleted), INACTIVE */
	char strategy[16]; /* REPLICA or DAEMON */
	long long desired, max_percent, min_percent;
	bool breaker_enable, breaker_rollback;
	bool steady; /* the last pass found it steady (its event is told once) */
	double created_at;
	char client_token[65];  /* CreateService's idempotency token, "" when none */
	char place_reason[64];  /* the last "unable to place" reason told, "" when none */
	double place_event_at;
};

struct deployment {
	char id[DEPLOYMENT_ID_MAX + 1];
	char family[256];
	long long revision;
	char status[16];        /* PRIMARY, ACTIVE, INACTIVE */
	long long failed;       /* failedTasks */
	char rollout_state[16]; /* IN_PROGRESS, COMPLETED, FAILED */
	char rollout_reason[256];
	double created_at, updated_at;
};

/* 0 and *ret filled, 1 when cluster has no service of that name (INACTIVE ones included). */
int service_store_get(struct hub_store *s, const char *cluster, const char *name,
		      struct service *ret, struct error *err);
/* Creates or updates the service's row. */
int service_store_put(struct hub_store *s, const struct service *svc, struct error *err);
/* Removes an INACTIVE service with its deployments and events (before a new one of its name). */
int service_store_forget(struct hub_store *s, const char *cluster, const char *name,
			 struct error *err);
/* The service's placementConstraints and placementStrategy as CreateService took them (JSON
 * text, NULL when not given); get fills *ret_* (caller frees, NULL when none). */
int service_placement_put(struct hub_store *s, const char *cluster, const char *service,
			  const char *constraints, const char *strategies, struct error *err);
int service_placement_get(struct hub_store *s, const char *cluster, const char *service,
			  char **ret_constraints, char **ret_strategies, struct error *err);

/* Hands fn each service of cluster (every cluster when NULL) not INACTIVE (INACTIVE ones too
 * when with_inactive), by cluster and name; fn may not change the services table. */
int service_store_each(struct hub_store *s, const char *cluster, bool with_inactive,
		       void (*fn)(const struct service *svc, void *data), void *data,
		       struct error *err);

/* The service's deployments, newest first, INACTIVE ones only when with_inactive; *ret is
 * allocated (caller frees), *n their number. */
int deployment_store_list(struct hub_store *s, const char *cluster, const char *service,
			  bool with_inactive, struct deployment **ret, size_t *n, struct error *err);
int deployment_store_put(struct hub_store *s, const char *cluster, const char *service,
			 const struct deployment *d, struct error *err);
/* A new PRIMARY deployment IN_PROGRESS of family:revision; the PRIMARY before it becomes
 * ACTIVE. reason: its rolloutStateReason. */
int deployment_store_start(struct hub_store *s, const char *cluster, const char *service,
			   const char *family, long long revision, const char *reason,
			   struct deployment *ret, struct error *err);
/* The newest deployment whose rollout COMPLETED: 0 and *ret, 1 when none did. */
int deployment_store_last_completed(struct hub_store *s, const char *cluster,
				    const char *service, struct deployment *ret,
				    struct error *err);

/* Adds "(service NAME) ..." to the service's events, keeping the newest SERVICE_EVENTS_KEPT. */
int service_event_add(struct hub_store *s, const char *cluster, const char *service,
		      struct error *err, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The events as ECS lists them: newest first, {id, createdAt, message}. */
cJSON *service_events_view(struct hub_store *s, const char *cluster, const char *service);

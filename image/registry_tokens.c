#include "image/registry_tokens.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

#define TOKENS_KEPT 64
/* A token this close to its end is not handed out: a pull would outlive it. */
#define MARGIN_MS 5000

struct kept_token {
	char *key, *authorization;
	uint64_t expires_ms;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept_token kept[TOKENS_KEPT];

static void drop(struct kept_token *t)
{
	if (t->authorization)
		explicit_bzero(t->authorization, strlen(t->authorization));
	free(t->key);
	free(t->authorization);
	*t = (struct kept_token){ 0 };
}

char *registry_token_lookup(const char *key)
{
	char *copy = NULL;
	uint64_t now = (uint64_t)monotonic_ms();
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < TOKENS_KEPT; i++) {
		if (!kept[i].key || strcmp(kept[i].key, key) != 0)
			continue;
		if (now + MARGIN_MS < kept[i].expires_ms)
			copy = strdup(kept[i].authorization);
		else
			drop(&kept[i]);
		break;
	}
	pthread_mutex_unlock(&lock);
	return copy;
}

void registry_token_keep(const char *key, const char *authorization, uint64_t expires_ms)
{
	pthread_mutex_lock(&lock);
	/* Its own slot, a free one, or the one that ends first. */
	struct kept_token *slot = &kept[0];
	for (size_t i = 0; i < TOKENS_KEPT; i++) {
		if (kept[i].key && !strcmp(kept[i].key, key)) {
			slot = &kept[i];
			break;
		}
		if (!kept[i].key || (slot->key && kept[i].expires_ms < slot->expires_ms))
			slot = &kept[i];
	}
	drop(slot);
	slot->key = strdup(key);
	slot->authorization = strdup(authorization);
	slot->expires_ms = expires_ms;
	if (!slot->key || !slot->authorization)
		drop(slot);
	pthread_mutex_unlock(&lock);
}

void registry_token_forget(const char *key)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < TOKENS_KEPT; i++)
		if (kept[i].key && !strcmp(kept[i].key, key))
			drop(&kept[i]);
	pthread_mutex_unlock(&lock);
}

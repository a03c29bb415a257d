#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/replay_cache.h"

#define KEY_BYTES 16

struct replay_entry {
	unsigned char key[KEY_BYTES];
	int64_t forget_at; /* 0: never used */
};

struct replay_cache {
	struct replay_entry *slots, *spare;
	size_t used; /* slots ever filled since the last sweep, live or not */
};

struct replay_cache *replay_cache_new(void)
{
	struct replay_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->slots = calloc(REPLAY_CACHE_SLOTS, sizeof(*c->slots));
	c->spare = calloc(REPLAY_CACHE_SLOTS, sizeof(*c->spare));
	if (!c->slots || !c->spare) {
		replay_cache_free(c);
		return NULL;
	}
	return c;
}

void replay_cache_free(struct replay_cache *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c->spare);
	free(c);
}

static int hex_value(char h)
{
	return h <= '9' ? h - '0' : h - 'a' + 10;
}

static void key_of(const char *signature, unsigned char key[KEY_BYTES])
{
	for (int i = 0; i < KEY_BYTES; i++)
		key[i] = (unsigned char)(hex_value(signature[2 * i]) << 4 |
					 hex_value(signature[2 * i + 1]));
}

static size_t home_of(const unsigned char key[KEY_BYTES])
{
	uint64_t h;
	memcpy(&h, key, sizeof(h)); /* the signature is an HMAC: its bytes are uniform */
	return (size_t)(h % REPLAY_CACHE_SLOTS);
}

/* Probe for key from its home slot: the live entry holding it, or where it may go. */
static struct replay_entry *probe(struct replay_entry *slots, const unsigned char key[KEY_BYTES],
				  time_t now, bool *found)
{
	struct replay_entry *free_slot = NULL;
	*found = false;
	for (size_t i = home_of(key), n = 0; n < REPLAY_CACHE_SLOTS;
	     i = (i + 1) % REPLAY_CACHE_SLOTS, n++) {
		struct replay_entry *e = &slots[i];
		if (e->forget_at == 0)
			return free_slot ? free_slot : e;
		bool live = e->forget_at > now;
		if (live && !memcmp(e->key, key, KEY_BYTES)) {
			*found = true;
			return e;
		}
		if (!live && !free_slot)
			free_slot = e;
	}
	return free_slot;
}

/* Keep only live entries, in a fresh table: what forgotten entries left in probe chains goes. */
static void sweep(struct replay_cache *c, time_t now)
{
	memset(c->spare, 0, REPLAY_CACHE_SLOTS * sizeof(*c->spare));
	size_t live = 0;
	for (size_t i = 0; i < REPLAY_CACHE_SLOTS; i++) {
		const struct replay_entry *e = &c->slots[i];
		if (e->forget_at <= now)
			continue;
		bool found;
		*probe(c->spare, e->key, now, &found) = *e;
		live++;
	}
	struct replay_entry *old = c->slots;
	c->slots = c->spare;
	c->spare = old;
	c->used = live;
}

enum replay_verdict replay_cache_admit(struct replay_cache *c, const char *signature,
				       time_t forget_at, time_t now)
{
	unsigned char key[KEY_BYTES];
	key_of(signature, key);
	bool found;
	struct replay_entry *e = probe(c->slots, key, now, &found);
	if (found)
		return REPLAY_SEEN;
	if (c->used >= REPLAY_CACHE_SLOTS / 2) {
		sweep(c, now);
		if (c->used >= REPLAY_CACHE_SLOTS / 2)
			return REPLAY_FULL;
		e = probe(c->slots, key, now, &found);
	}
	if (!e)
		return REPLAY_FULL;
	if (e->forget_at == 0)
		c->used++;
	memcpy(e->key, key, KEY_BYTES);
	e->forget_at = forget_at;
	return REPLAY_FRESH;
}

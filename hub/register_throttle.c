#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "hub/register_throttle.h"

#define KEY_BYTES 16
#define FORGET_AFTER 3600.0

struct throttle_entry {
	unsigned char key[KEY_BYTES]; /* sha256 of the id or address, cut short */
	bool used;
	uint8_t blocks;      /* blocks so far: the next one lasts twice as long */
	uint16_t failures;   /* within the window that began at window_start */
	double window_start, last_failure, blocked_until;
};

struct throttle_table {
	struct throttle_entry slots[REGISTER_THROTTLE_SLOTS];
};

struct register_throttle {
	struct throttle_table ids, addresses;
};

struct register_throttle *register_throttle_new(void)
{
	return calloc(1, sizeof(struct register_throttle));
}

void register_throttle_free(struct register_throttle *t)
{
	free(t);
}

static void key_of(const char *text, unsigned char key[KEY_BYTES])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_Digest(text, strlen(text), digest, &n, EVP_sha256(), NULL) || n < KEY_BYTES)
		memset(digest, 0, KEY_BYTES); /* every such text shares one entry: still bounded */
	memcpy(key, digest, KEY_BYTES);
}

/* An IPv6 peer counts by its /64 (an IPv4 one mapped into IPv6 stays itself). */
static void address_key(const char *peer, unsigned char key[KEY_BYTES])
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];
	if (strchr(peer, ':') && strncmp(peer, "::ffff:", 7) && inet_pton(AF_INET6, peer, a) == 1) {
		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, text, sizeof(text))) {
			key_of(text, key);
			return;
		}
	}
	key_of(peer, key);
}

static bool forgettable(const struct throttle_entry *e, double now)
{
	return e->blocked_until <= now && now - e->last_failure >= FORGET_AFTER;
}

static struct throttle_entry *find(struct throttle_table *t, const unsigned char key[KEY_BYTES],
				   double now)
{
	for (size_t i = 0; i < REGISTER_THROTTLE_SLOTS; i++) {
		struct throttle_entry *e = &t->slots[i];
		if (e->used && forgettable(e, now))
			e->used = false;
		if (e->used && !memcmp(e->key, key, KEY_BYTES))
			return e;
	}
	return NULL;
}

/* A free slot, else the one to give up: not blocked and failed longest ago, else the block
 * that ends soonest. */
static struct throttle_entry *make_room(struct throttle_table *t, double now)
{
	struct throttle_entry *victim = &t->slots[0];
	for (size_t i = 0; i < REGISTER_THROTTLE_SLOTS; i++) {
		struct throttle_entry *e = &t->slots[i];
		if (!e->used)
			return e;
		bool e_free = e->blocked_until <= now, v_free = victim->blocked_until <= now;
		if ((e_free && !v_free) ||
		    (e_free == v_free && (e_free ? e->last_failure < victim->last_failure
					       : e->blocked_until < victim->blocked_until)))
			victim = e;
	}
	return victim;
}

static double wait_of(struct throttle_table *t, const unsigned char key[KEY_BYTES], double now)
{
	struct throttle_entry *e = find(t, key, now);
	return e && e->blocked_until > now ? e->blocked_until - now : 0;
}

static double block_seconds(unsigned blocks)
{
	double seconds = REGISTER_BLOCK_FIRST;
	for (unsigned i = 0; i < blocks && seconds < REGISTER_BLOCK_MAX; i++)
		seconds *= 2;
	return seconds < REGISTER_BLOCK_MAX ? seconds : REGISTER_BLOCK_MAX;
}

static double count_failure(struct throttle_table *t, const unsigned char key[KEY_BYTES],
			    double now)
{
	struct throttle_entry *e = find(t, key, now);
	if (!e) {
		e = make_room(t, now);
		*e = (struct throttle_entry){ .used = true, .window_start = now };
		memcpy(e->key, key, KEY_BYTES);
	}
	e->last_failure = now;
	if (e->blocked_until > now)
		return 0; /* already refused without a look at the code */
	if (now - e->window_start >= REGISTER_FAILURE_WINDOW) {
		e->window_start = now;
		e->failures = 0;
	}
	if (++e->failures < REGISTER_FAILURES_ALLOWED)
		return 0;
	double seconds = block_seconds(e->blocks);
	if (e->blocks < UINT8_MAX)
		e->blocks++;
	e->blocked_until = now + seconds;
	e->failures = 0;
	e->window_start = e->blocked_until;
	return seconds;
}

struct request_keys {
	unsigned char id[KEY_BYTES], address[KEY_BYTES];
	bool has_id;
};

static struct request_keys keys_of(const char *activation_id, const char *peer)
{
	struct request_keys k = { .has_id = activation_id[0] != '\0' };
	key_of(activation_id, k.id);
	address_key(peer, k.address);
	return k;
}

static double larger(double a, double b)
{
	return a > b ? a : b;
}

double register_throttle_wait(struct register_throttle *t, const char *activation_id,
			      const char *peer, double now)
{
	struct request_keys k = keys_of(activation_id, peer);
	return larger(k.has_id ? wait_of(&t->ids, k.id, now) : 0,
		      wait_of(&t->addresses, k.address, now));
}

double register_throttle_failed(struct register_throttle *t, const char *activation_id,
				const char *peer, double now)
{
	struct request_keys k = keys_of(activation_id, peer);
	return larger(k.has_id ? count_failure(&t->ids, k.id, now) : 0,
		      count_failure(&t->addresses, k.address, now));
}

/* Signatures already accepted, so that a signed request seen again while its signature is
 * still within its time window (X-Amz-Date + 5 minutes) is refused. Fixed memory: a table of
 * REPLAY_CACHE_SLOTS entries (16 bytes of the signature and the time it may be forgotten),
 * kept at most half full; when that many signatures are still within their windows, new ones
 * are refused (the caller answers ThrottlingException) rather than an old one forgotten early.
 * Times are the wall clock's seconds, as X-Amz-Date is. */
#pragma once

#include <time.h>

#define REPLAY_CACHE_SLOTS (1 << 17) /* 65,536 live signatures: 3 MiB */

enum replay_verdict {
	REPLAY_FRESH, /* not seen: now remembered until forget_at */
	REPLAY_SEEN,  /* seen and still within its window */
	REPLAY_FULL,  /* too many live signatures to remember one more */
};

struct replay_cache;

struct replay_cache *replay_cache_new(void);
void replay_cache_free(struct replay_cache *c);

/* signature: 64 lowercase hex digits. */
enum replay_verdict replay_cache_admit(struct replay_cache *c, const char *signature,
				       time_t forget_at, time_t now);

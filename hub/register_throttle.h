/* Slowing down guesses of activation codes: after REGISTER_FAILURES_ALLOWED wrong codes (or
 * unknown ids) within a minute, for one activation id or from one address, registration is
 * refused for that id or address, without looking at the code, for a minute; each block that
 * follows a block doubles, up to an hour. An id or address forgotten after an hour without a
 * failure starts afresh.
 *
 * Nothing of the request is kept but a hash of the id or address and counters, in two tables
 * of fixed size (ids and addresses apart, so a flood of made-up ids cannot push addresses
 * out). When a table is full the entry that failed longest ago and is not blocked makes room.
 * IPv6 addresses count by their /64, which one host usually holds whole. Times are seconds of
 * a monotonic clock, given by the caller. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define REGISTER_FAILURES_ALLOWED 5
#define REGISTER_FAILURE_WINDOW 60.0
#define REGISTER_BLOCK_FIRST 60.0
#define REGISTER_BLOCK_MAX 3600.0
#define REGISTER_THROTTLE_SLOTS 4096

struct register_throttle;

struct register_throttle *register_throttle_new(void);
void register_throttle_free(struct register_throttle *t);

/* Seconds until registration for this activation id ("" when the request named none) from
 * this peer address is considered again; 0 when it may go ahead now. */
double register_throttle_wait(struct register_throttle *t, const char *activation_id,
			      const char *peer, double now);

/* A wrong code or unknown id. Returns the seconds of a block this failure started (0 when
 * none), so that the caller can say so once. */
double register_throttle_failed(struct register_throttle *t, const char *activation_id,
				const char *peer, double now);

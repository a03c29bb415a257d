/* When one end of the link pings a silent peer and when it gives up on it (docs/protocol.md
 * "Liveness"). Both ends keep this clock themselves, with the same rules: a websocket ping
 * after one heartbeat period without hearing anything, and the connection dropped after three
 * periods of silence. The period is 20 s; the hub may set another (tether-hub
 * --heartbeat-seconds) and tells the agent in its welcome.
 *
 * Pings carry a payload: libwebsockets 4.1 hands an empty pong to nobody (the RECEIVE_PONG
 * callback is skipped for a zero-length payload), so a peer answering an empty ping looked
 * silent and was dropped every minute. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define LIVENESS_DEFAULT_HEARTBEAT_SECONDS 20
#define LIVENESS_MAX_HEARTBEAT_SECONDS 300
#define LIVENESS_HANG_UP_PERIODS 3
/* The hub's deadline for the agent's hello after the websocket opened. */
#define LIVENESS_HELLO_WITHIN_US (10 * 1000000LL)
#define LIVENESS_PING_PAYLOAD "tether-ping"

struct liveness_policy {
	int64_t ping_after_us;
	int64_t hang_up_after_us;
	int64_t check_every_us; /* how often a sweep looks: a tenth of a period, at most 2 s */
};

/* The policy for a heartbeat period of `seconds` (clamped to 1..LIVENESS_MAX_HEARTBEAT_SECONDS). */
struct liveness_policy liveness_policy_of(unsigned seconds);

enum liveness_action {
	LIVENESS_OK,
	LIVENESS_PING,    /* silent for a period and not pinged since: ping now */
	LIVENESS_HANG_UP, /* silent for too long: drop the connection */
};

/* last_heard: when the peer last sent anything (a frame or a pong); last_ping: when we last
 * pinged it (0: never). Times in microseconds on one monotonic clock. */
enum liveness_action liveness_check(const struct liveness_policy *p, int64_t now,
				    int64_t last_heard, int64_t last_ping);

/* True when a link opened at `opened` has had its time to say hello. */
bool liveness_hello_overdue(int64_t now, int64_t opened);

/* When the hub pings a silent agent and when it gives up on it (docs/protocol.md "Liveness"):
 * a ping after 20 s without hearing anything, the connection dropped after 60 s. The hub
 * keeps these clocks itself and checks every link in one periodic sweep: libwebsockets 4.1
 * keeps a timer per connection for its own idle policy in one sorted list, and every
 * rescheduling walks that list, which costs too much with thousands of agents. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define LIVENESS_PING_AFTER_US (20 * 1000000LL)
#define LIVENESS_HANG_UP_AFTER_US (60 * 1000000LL)
#define LIVENESS_SWEEP_US (2 * 1000000LL)
/* An agent answers the challenge with its hello within this time of the websocket opening. */
#define LIVENESS_HELLO_WITHIN_US (10 * 1000000LL)

enum liveness_action {
	LIVENESS_OK,
	LIVENESS_PING,    /* silent for a while and not pinged since: ping now */
	LIVENESS_HANG_UP, /* silent for too long: drop the connection */
};

/* last_heard: when the agent last sent anything (a frame or a pong); last_ping: when the hub
 * last pinged it (0: never). Times in microseconds on one monotonic clock. */
enum liveness_action liveness_check(int64_t now, int64_t last_heard, int64_t last_ping);

/* True when a link opened at `opened` has had its time to say hello. */
bool liveness_hello_overdue(int64_t now, int64_t opened);

/* Why agent links end, counted by cause, so that an operator (and the scale benchmark) can
 * tell a hub that drops live agents from agents that leave: one summary line every few
 * seconds instead of a line per connection, which a reconnection storm of thousands of agents
 * would turn into most of the hub's work. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum link_end {
	LINK_END_UNKNOWN,       /* closed by the socket (reset, EOF) with no close frame */
	LINK_END_PEER_CLOSE,    /* the agent sent a close frame */
	LINK_END_HELLO_TIMEOUT, /* no valid hello within the handshake time */
	LINK_END_AUTH,          /* hello refused: signature, protocol, deregistered */
	LINK_END_REPLACED,      /* the same node connected again */
	LINK_END_SILENT,        /* liveness: nothing heard for too long */
	LINK_END_WRITE_FAILED,  /* a write to the socket failed */
	LINK_END_OTHER,         /* another close the hub asked for (frame too large, store) */
	LINK_END_COUNT,
};

struct link_stats {
	size_t open, welcomed_open;
	uint64_t opened, welcomed;
	uint64_t ended[LINK_END_COUNT];          /* all ends, by cause */
	uint64_t ended_welcomed[LINK_END_COUNT]; /* ends of links that had been welcomed */
};

const char *link_end_name(enum link_end e);

/* Format the counts that changed since *last into buf ("" when nothing changed), then copy
 * *now to *last. */
void link_stats_summary(const struct link_stats *now, struct link_stats *last, char *buf,
			size_t size);

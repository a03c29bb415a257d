/* Agent <-> hub frames (docs/protocol.md): one JSON object per websocket text message,
 * with a "type" and, for reliable messages, a "seq" that the receiver acknowledges. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

#define PROTOCOL_MAJOR 1
#define PROTOCOL_MINOR 1
#define PROTOCOL_VERSION "1.1"
#define PROTOCOL_SUBPROTOCOL "tether.v1"  /* websocket subprotocol name */
#define FRAME_MAX_SIZE (256 * 1024)      /* larger frames are refused (close 1009) */
/* The most tasks a task_report, task_manifest, task_stop_verify or task_stop_confirm names, and
 * the longest task ARN in them. */
#define FRAME_RECONCILE_TASKS_MAX 1000
#define FRAME_TASK_ARN_MAX 2048

/* Close codes sent by either side (4000-4999 are application codes). */
#define CLOSE_PROTOCOL_UNSUPPORTED 4001
#define CLOSE_AUTH_FAILED 4003
#define CLOSE_DEREGISTERED 4004
#define CLOSE_REPLACED 4005   /* a newer connection of the same node took over */
/* RFC 6455's, where tether's link code sends them itself (libwebsockets names the same values
 * LWS_CLOSE_STATUS_*; agent_link.c stays free of libwebsockets). */
#define CLOSE_MESSAGE_TOO_LARGE 1009
#define CLOSE_INTERNAL_ERROR 1011

/* "MAJOR.MINOR", each 0-65535 in decimal digits and nothing else ("1.0", "1.12"); -EINVAL for
 * anything else ("1", "1.", "01x.0", " 1.0"). */
int protocol_version_parse(const char *text, unsigned *ret_major, unsigned *ret_minor);

enum frame_type {
	FRAME_CHALLENGE,   /* hub -> agent: nonce to sign */
	FRAME_HELLO,       /* agent -> hub: identity, signature, version */
	FRAME_WELCOME,     /* hub -> agent: authenticated */
	FRAME_ACK,         /* either way: seq received and applied */
	FRAME_ERROR,       /* either way: a frame was refused, with a message */
	FRAME_TASK_ASSIGN, /* hub -> agent, reliable */
	FRAME_TASK_STOP,   /* hub -> agent, reliable */
	FRAME_TASK_STATE,  /* agent -> hub, reliable */
	FRAME_NODE_STATUS, /* agent -> hub, best effort */
	FRAME_HEARTBEAT,   /* either way, best effort */
	FRAME_DEREGISTER,  /* agent -> hub: the node leaves; answered by close 4004 */
	FRAME_METRICS,     /* agent -> hub, best effort: a batch of samples, acked by batch id */
	FRAME_METRICS_ACK, /* hub -> agent: the batch (and those before it) is applied */
	/* Reconciliation after each welcome (1.1), best effort, redone on every connection: */
	FRAME_TASK_REPORT,       /* agent -> hub: the tasks the node has */
	FRAME_TASK_MANIFEST,     /* hub -> agent: the status the hub wants for each of them */
	FRAME_TASK_STOP_VERIFY,  /* agent -> hub: may these, which the manifest says STOPPED, stop? */
	FRAME_TASK_STOP_CONFIRM, /* hub -> agent: those of them that are to stop */
	_FRAME_TYPE_MAX,
};

struct frame {
	enum frame_type type;
	uint64_t seq;      /* reliable frames: their seq; ack: the seq acknowledged; else 0 */
	cJSON *json;       /* the whole frame, owned */
};

const char *frame_type_to_string(enum frame_type t);
int frame_type_from_string(const char *s, enum frame_type *ret);
bool frame_type_is_reliable(enum frame_type t);

/* Parse one received message: size limit (-EMSGSIZE), else -EBADMSG unless it is a valid JSON
 * object with a known "type" and, on reliable types and ack, a "seq" (an integer from 1 to
 * 2^53-1; a seq on another type must be valid too and is ignored). */
int frame_parse(const char *data, size_t size, struct frame *ret, struct error *err);
void frame_release(struct frame *f);

/* Start a frame object {"type": ...} (plus "seq" when seq > 0, held as exact raw text so
 * that every seq up to 2^53-1 prints exactly); NULL on a bad type or seq. */
cJSON *frame_new(enum frame_type type, uint64_t seq);

/* Serialize unformatted; the caller frees the string. */
char *frame_print(const cJSON *frame);

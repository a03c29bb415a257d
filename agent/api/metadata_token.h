/* The token in a container's ECS_CONTAINER_METADATA_URI_V4: 128 bits that name one container
 * to the task metadata endpoint and cannot be guessed from anything a container sees. It is
 * HMAC-SHA256, keyed by a secret of the agent's state dir (METADATA_KEY_FILE, 32 random bytes,
 * owner-only), of the task's ARN and the container's name, cut to 128 bits: the same container
 * gets the same token after an agent restart (its environment was written once, at its start),
 * and the agent needs no table to find a container by its token. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define METADATA_KEY_FILE "metadata.key"
#define METADATA_KEY_SIZE 32
#define METADATA_TOKEN_HEX_LEN 32 /* 128 bits */

struct metadata_key {
	uint8_t bytes[METADATA_KEY_SIZE];
};

/* Read STATE_DIR/metadata.key, or make it from getrandom(2) when missing. A key file of
 * another size, or readable by others, is refused. */
int metadata_key_load(const char *state_dir, struct metadata_key *ret, struct error *err);

/* The token of container NAME of task TASK_ARN, lowercase hex. */
int metadata_token(const struct metadata_key *key, const char *task_arn, const char *name,
		   char ret[METADATA_TOKEN_HEX_LEN + 1]);

/* Equal tokens, compared in constant time. */
int metadata_token_equal(const char *a, const char *b);

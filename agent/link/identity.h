/* The node identity kept in the state directory after `tether register`: who the node is for
 * the hub and the private key that proves it. The directory is 0700 and every file 0600;
 * files are replaced atomically. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

#define DEFAULT_STATE_DIR "/var/lib/tether"
#define IDENTITY_FILE "identity.json"
#define IDENTITY_KEY_FILE "node.key"

struct identity {
	char *node_id;
	char *container_instance_arn;
	char *cluster;
	char *hub_url;          /* the URL given to `tether register` */
	char *connect_url;      /* the websocket URL the hub handed out */
	char *ca_file;          /* NULL, or the CA bundle that verifies the hub (--ca-file) */
	char *private_key_pem;
};

/* True when state_dir holds an identity (registration completed). */
bool identity_exists(const char *state_dir);

/* Create state_dir (0700) if needed and store the identity: the key first, then the
 * identity file whose presence marks the registration complete. */
int identity_save(const char *state_dir, const struct identity *id, struct error *err);

int identity_load(const char *state_dir, struct identity *ret, struct error *err);

void identity_release(struct identity *id);

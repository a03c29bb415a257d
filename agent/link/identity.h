/* The node identity kept in the state directory after `tether register`: who the node is for
 * the hub and the private key that proves it. The directory is 0700 and every file 0600;
 * files are replaced atomically. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

#define DEFAULT_STATE_DIR "/var/lib/tether"
#define IDENTITY_FILE "identity.json"
#define IDENTITY_KEY_FILE "node.key"
/* The identity of a node being deregistered: moved aside first, so that the unit's
 * ConditionPathExists= on IDENTITY_FILE keeps the daemon from starting again meanwhile, and
 * a deregistration cut short is taken up again by the next `tether deregister`. */
#define IDENTITY_LEAVING_FILE "identity.leaving.json"

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
/* As identity_load, from the file name (IDENTITY_FILE or IDENTITY_LEAVING_FILE). */
int identity_load_from(const char *state_dir, const char *file, struct identity *ret,
		       struct error *err);

/* Move IDENTITY_FILE to IDENTITY_LEAVING_FILE. 0 when moved, 1 when there was none (a leaving
 * identity may remain from an earlier run). */
int identity_begin_leaving(const char *state_dir, struct error *err);
/* Put a leaving identity back as IDENTITY_FILE: the node stays registered. */
int identity_cancel_leaving(const char *state_dir, struct error *err);
/* Remove the leaving identity and the node key; what is already gone is no error. */
int identity_remove_leaving(const char *state_dir, struct error *err);

void identity_release(struct identity *id);

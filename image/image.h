/* OCI images made ready to run. An image reference follows the containers-image convention:
 * "oci:/path/to/layout[:tag]" imports from an OCI image layout on disk (tag defaults to
 * "latest"); "docker://..." and bare names mean a registry. The reference's scheme picks the
 * source its blobs are read from (image/image_source.h). Every blob is checked against its
 * sha256 digest; each layer is unpacked once per digest into the content store, with OCI
 * whiteouts turned into overlayfs whiteouts, so that layers stack as overlayfs lower dirs. */
#pragma once

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "common/error.h"

struct image_config {
	char **entrypoint;   /* NULL-terminated; NULL when the image sets none */
	char **cmd;          /* NULL-terminated; NULL when the image sets none */
	char **env;          /* NULL-terminated "NAME=value" list; NULL when none */
	char *working_dir;   /* NULL when unset */
	char *user;          /* NULL when unset */
};

struct image {
	char *reference;       /* as given */
	char *manifest_digest; /* "sha256:<hex>" */
	char **layers;         /* absolute paths of unpacked layer folders, lowest first, NULL-terminated */
	size_t n_layers;
	struct image_config config;
};

/* A node's registry settings (docs/configuration.md); every field may be NULL. */
struct registry_options {
	const char *auth_file;  /* docker config.json with "auths" */
	const char *certs_dir;  /* CERTS_DIR/<host[:port]>/ca.crt: a registry's own CA */
	const char *insecure;   /* comma-separated host[:port] allowed over plain HTTP */
	const char *mirror;     /* a Docker Hub mirror's URL ("https://mirror:5000") */
};

/* Where a node keeps them unless told otherwise, as Docker keeps its own under /etc/docker. */
#define REGISTRY_OPTIONS_DEFAULT \
	((struct registry_options){ .auth_file = "/etc/tether/registry-auth.json", \
				    .certs_dir = "/etc/tether/certs.d" })

/* When a pull asks the registry, as ECS_IMAGE_PULL_BEHAVIOR says it. */
enum image_pull_behavior {
	IMAGE_PULL_DEFAULT,       /* always; the image pulled before when the registry fails */
	IMAGE_PULL_ALWAYS,        /* always; a failure fails the task */
	IMAGE_PULL_ONCE,          /* only when this store never pulled the reference */
	IMAGE_PULL_PREFER_CACHED, /* the store's image when it has one (the same as once here:
				   * the store holds only what tether pulled) */
};
#define IMAGE_PULL_BEHAVIOR_NAMES "default, always, once, prefer-cached"

/* -EINVAL for anything but the names above. */
int image_pull_behavior_parse(const char *name, enum image_pull_behavior *ret);

/* How far a pull has come: bytes of layers fetched, and of those it has started to fetch
 * (it grows as layers start). Written by the pull's threads, read by anyone. */
struct image_pull_progress {
	_Atomic uint64_t done, total;
};

struct image_pull_options {
	const char *store_dir;  /* the content store (created if missing) */
	struct image_pull_progress *progress; /* NULL: nobody asks */
	struct registry_options registry;
	enum image_pull_behavior behavior;
	/* The store's budget and age limit (image/image_gc.h); zeros: none. */
	uint64_t store_budget_bytes;
	uint64_t unused_image_max_age_s;
	/* The layer folders of containers that run or are starting (NULL-terminated, the
	 * caller frees), so the collector keeps them; NULL: none are. */
	int (*layers_in_use)(void *arg, char ***ret);
	void *layers_in_use_arg;
};

/* Make an image ready under the content store OPTIONS->store_dir. Blocking (network, disk
 * and archive work): call it off the event loop. Safe to call from several threads or
 * processes at once for the same image: each layer is fetched and unpacked once. */
int image_pull(const struct image_pull_options *options, const char *reference,
	       struct image **ret, struct error *err);

void image_free(struct image *img);
static inline void image_freep(struct image **img)
{
	image_free(*img);
}

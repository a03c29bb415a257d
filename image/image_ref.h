/* Registry image references, read and normalised as Docker reads them: "nginx:1.25",
 * "registry.example.com:5000/team/app@sha256:...", "docker://busybox". No registry means
 * docker.io, an official image there gets "library/", no tag means "latest", and a digest
 * pins the image whatever the tag says. Pure functions without I/O, so they can be fuzzed. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

#define IMAGE_REF_DEFAULT_REGISTRY "docker.io"
#define IMAGE_REF_DOCKER_PREFIX "docker://"

struct image_ref {
	char *registry;   /* "docker.io", "127.0.0.1:5000": host[:port] as written, lower case */
	char *repository; /* "library/busybox", "team/app" */
	char *tag;        /* "latest" when neither tag nor digest was given; NULL with a digest alone */
	char *digest;     /* "sha256:<hex>" or NULL */
};

/* Parse TEXT (with or without "docker://"). -EINVAL naming what is wrong. */
int image_ref_parse(const char *text, struct image_ref *ret, struct error *err);
void image_ref_done(struct image_ref *ref);

/* What the registry's API is asked for: the digest when pinned, else the tag. */
const char *image_ref_manifest_name(const struct image_ref *ref);

/* The host part of a registry ("127.0.0.1" of "127.0.0.1:5000", "::1" of "[::1]:5000"),
 * written into buf. -ENAMETOOLONG when it does not fit. */
int image_ref_registry_host(const char *registry, char *buf, size_t size);

/* A registry on this host (localhost, 127.0.0.0/8, ::1): plain HTTP is allowed there, as
 * Docker allows it. */
bool image_ref_registry_is_loopback(const char *registry);

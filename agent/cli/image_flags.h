/* The image options `tether image pull` and `tether task run` take, spelt as `tether run`'s
 * (docs/configuration.md): list IMAGE_FLAG_OPTIONS in the getopt_long table and hand every
 * option getopt returns to image_flag_apply. */
#pragma once

#include <getopt.h>

#include "image/image.h"

enum {
	IMAGE_FLAG_AUTH_FILE = 0x1000,
	IMAGE_FLAG_CERTS_DIR,
	IMAGE_FLAG_INSECURE,
	IMAGE_FLAG_MIRROR,
	IMAGE_FLAG_PULL_BEHAVIOR,
	IMAGE_FLAG_STORE_BUDGET,
};

#define IMAGE_FLAG_OPTIONS                                                                 \
	{ "registry-auth-file", required_argument, NULL, IMAGE_FLAG_AUTH_FILE },           \
	{ "registry-certs-dir", required_argument, NULL, IMAGE_FLAG_CERTS_DIR },           \
	{ "insecure-registries", required_argument, NULL, IMAGE_FLAG_INSECURE },           \
	{ "registry-mirror", required_argument, NULL, IMAGE_FLAG_MIRROR },                 \
	{ "image-pull-behavior", required_argument, NULL, IMAGE_FLAG_PULL_BEHAVIOR },      \
	{ "image-store-budget", required_argument, NULL, IMAGE_FLAG_STORE_BUDGET }

#define IMAGE_FLAG_USAGE                                                                    \
	"[--registry-auth-file FILE] [--registry-certs-dir DIR] [--insecure-registries LIST]\n" \
	"         [--registry-mirror URL] [--image-pull-behavior default|always|once|prefer-cached]\n" \
	"         [--image-store-budget SIZE]"

/* 1 when OPT is one of IMAGE_FLAG_OPTIONS (ARG stored into *PULL), 0 when it is not, -1
 * after saying on stderr what is wrong with ARG. */
int image_flag_apply(int opt, const char *arg, struct image_pull_options *pull);

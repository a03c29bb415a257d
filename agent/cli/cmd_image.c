/* `tether image pull REFERENCE`: make an image ready in the node's image store, as a task
 * that names it would, and say what was pulled. For operators who stage images before
 * tasks need them, and for checking registry settings. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/commands.h"
#include "agent/link/identity.h"
#include "agent/tasks/task_layers.h"
#include "common/parse.h"
#include "common/clock.h"
#include "image/image.h"

static void usage(FILE *out)
{
	fputs("Usage: tether image pull REFERENCE [--state-dir DIR] [--registry-auth-file FILE]\n"
	      "         [--registry-certs-dir DIR] [--insecure-registries LIST] [--registry-mirror URL]\n"
	      "         [--image-pull-behavior default|always|once|prefer-cached] [--image-store-budget SIZE]\n"
	      "Pull an image into STATE_DIR/images (default " DEFAULT_STATE_DIR "/images), as a task\n"
	      "naming it would: \"busybox:1.36\", \"registry.example.com:5000/team/app@sha256:...\",\n"
	      "or \"oci:/path/to/layout:tag\". The registry options are those of 'tether run';\n"
	      "the pull asks the registry always unless --image-pull-behavior says otherwise.\n",
	      out);
}

static int image_pull_command(int argc, char **argv)
{
	static const struct option options[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "registry-auth-file", required_argument, NULL, 'a' },
		{ "registry-certs-dir", required_argument, NULL, 'c' },
		{ "insecure-registries", required_argument, NULL, 'i' },
		{ "registry-mirror", required_argument, NULL, 'm' },
		{ "image-pull-behavior", required_argument, NULL, 'b' },
		{ "image-store-budget", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state_dir = DEFAULT_STATE_DIR;
	struct registry_options registry = REGISTRY_OPTIONS_DEFAULT;
	enum image_pull_behavior behavior = IMAGE_PULL_ALWAYS;
	uint64_t budget = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 's': state_dir = optarg; break;
		case 'a': registry.auth_file = optarg; break;
		case 'c': registry.certs_dir = optarg; break;
		case 'i': registry.insecure = optarg; break;
		case 'm': registry.mirror = optarg; break;
		case 'b':
			if (image_pull_behavior_parse(optarg, &behavior) < 0) {
				fprintf(stderr, "tether: --image-pull-behavior takes one of %s\n",
					IMAGE_PULL_BEHAVIOR_NAMES);
				return 2;
			}
			break;
		case 'B':
			if (parse_u64_with_unit(optarg, parse_size_units, 1ULL << 20, UINT64_MAX,
						&budget) < 0) {
				fprintf(stderr, "tether: --image-store-budget takes a size of at least 1M\n");
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	char store[4096];
	if (snprintf(store, sizeof(store), "%s/images", state_dir) >= (int)sizeof(store)) {
		fprintf(stderr, "tether: --state-dir is too long\n");
		return 2;
	}
	/* As the daemon would: the images of this state folder's containers stay. */
	struct image_pull_options pull = { .store_dir = store, .registry = registry,
					   .behavior = behavior, .store_budget_bytes = budget,
					   .layers_in_use = task_layers_in_use,
					   .layers_in_use_arg = (void *)state_dir };
	struct error err = { 0 };
	struct image *img = NULL;
	int64_t started = monotonic_ms();
	if (image_pull(&pull, argv[optind], &img, &err) < 0) {
		fprintf(stderr, "tether: %s\n", err.message);
		return 1;
	}
	printf("%s: %s, %zu layer%s, ready in %.1f s\n", img->reference, img->manifest_digest,
	       img->n_layers, img->n_layers == 1 ? "" : "s",
	       (double)(monotonic_ms() - started) / 1000.0);
	image_free(img);
	return 0;
}

int cmd_image(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "pull"))
		return image_pull_command(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "tether: image takes the subcommand pull\n");
	usage(stderr);
	return 2;
}

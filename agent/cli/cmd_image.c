/* `tether image pull REFERENCE`: make an image ready in the node's image store, as a task
 * that names it would, and say what was pulled. For operators who stage images before
 * tasks need them, and for checking registry settings. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/commands.h"
#include "agent/cli/image_flags.h"
#include "agent/link/identity.h"
#include "agent/tasks/task_layers.h"
#include "common/clock.h"
#include "image/image.h"

static void usage(FILE *out)
{
	fputs("Usage: tether image pull REFERENCE [--state-dir DIR]\n"
	      "         " IMAGE_FLAG_USAGE "\n"
	      "Pull an image into STATE_DIR/images (default " DEFAULT_STATE_DIR "/images), as a task\n"
	      "naming it would: \"busybox:1.36\", \"registry.example.com:5000/team/app@sha256:...\",\n"
	      "or \"oci:/path/to/layout:tag\". The image options are those of 'tether run'; the pull\n"
	      "asks the registry always unless --image-pull-behavior says otherwise.\n",
	      out);
}

static int image_pull_command(int argc, char **argv)
{
	static const struct option options[] = {
		{ "state-dir", required_argument, NULL, 's' },
		IMAGE_FLAG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state_dir = DEFAULT_STATE_DIR;
	struct image_pull_options pull = { .registry = REGISTRY_OPTIONS_DEFAULT,
					   .behavior = IMAGE_PULL_ALWAYS };
	int opt;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		int taken = image_flag_apply(opt, optarg, &pull);
		if (taken < 0)
			return 2;
		if (taken)
			continue;
		switch (opt) {
		case 's': state_dir = optarg; break;
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
	pull.store_dir = store;
	pull.layers_in_use = task_layers_in_use;
	pull.layers_in_use_arg = (void *)state_dir;
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

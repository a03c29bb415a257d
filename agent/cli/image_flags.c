#include "agent/cli/image_flags.h"

#include <stdio.h>
#include <string.h>

#include "common/parse.h"

int image_flag_apply(int opt, const char *arg, struct image_pull_options *pull)
{
	switch (opt) {
	case IMAGE_FLAG_AUTH_FILE: pull->registry.auth_file = arg; return 1;
	case IMAGE_FLAG_CERTS_DIR: pull->registry.certs_dir = arg; return 1;
	case IMAGE_FLAG_INSECURE: pull->registry.insecure = arg; return 1;
	case IMAGE_FLAG_MIRROR:
		if (strncmp(arg, "https://", 8) != 0 && strncmp(arg, "http://", 7) != 0) {
			fprintf(stderr, "tether: --registry-mirror takes an http:// or https:// URL\n");
			return -1;
		}
		pull->registry.mirror = arg;
		return 1;
	case IMAGE_FLAG_PULL_BEHAVIOR:
		if (image_pull_behavior_parse(arg, &pull->behavior) < 0) {
			fprintf(stderr, "tether: --image-pull-behavior takes one of %s\n",
				IMAGE_PULL_BEHAVIOR_NAMES);
			return -1;
		}
		return 1;
	case IMAGE_FLAG_STORE_BUDGET:
		if (parse_u64_with_unit(arg, parse_size_units, 1ULL << 20, UINT64_MAX,
					&pull->store_budget_bytes) < 0) {
			fprintf(stderr, "tether: --image-store-budget takes a size of at least 1M\n");
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

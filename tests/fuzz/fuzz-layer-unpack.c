/* Layer unpacking of hostile archives: bytes as a (possibly compressed) tar unpacked into a
 * folder nested three deep in a private temporary folder; afterwards nothing but that nesting
 * may exist in the temporary folder, or the unpacker let an entry escape. */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "image/layer_unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[64];
static char layer[128];

/* True when dir holds exactly one entry, named only. */
static bool holds_only(const char *dir, const char *only)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strcmp(de->d_name, only) != 0)
			return false;
		n++;
	}
	return n == 1;
}

static void check_contained(void)
{
	char a[160], b[160];
	snprintf(a, sizeof(a), "%s/a", base);
	snprintf(b, sizeof(b), "%s/a/b", base);
	if (!holds_only(base, "a") || !holds_only(a, "b") || !holds_only(b, "layer")) {
		fprintf(stderr, "an archive entry escaped the layer folder %s\n", layer);
		abort();
	}
}

static void remove_base(void)
{
	remove_tree(base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!base[0]) {
		snprintf(base, sizeof(base), "/tmp/fuzz-layer-XXXXXX");
		if (!mkdtemp(base))
			abort();
		snprintf(layer, sizeof(layer), "%s/a/b/layer", base);
		atexit(remove_base);
	}
	if (mkdir_parents(layer, 0755) < 0)
		abort();
	_cleanup_close_ int fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	struct error err = { 0 };
	struct sha256_stream hash;
	if (sha256_stream_init(&hash) < 0)
		abort();
	uint64_t read_size = 0;
	if (layer_unpack_fd(fd, layer, NULL, &hash, &read_size, &err) == 0 && read_size != size)
		abort();
	sha256_stream_release(&hash);
	check_contained();
	if (remove_tree(layer) < 0)
		abort();
	return 0;
}

#include "image/image_gc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/sha256.h"
#include "image/image_record.h"

/* A layer no record names may be a pull's that is between its rename and its record: such a
 * layer is left alone for this long. */
#define ORPHAN_GRACE_S 600
#define RECORD_MAX_SIZE (16u << 20)

struct gc_layer {
	char hex[SHA256_HEX_LEN + 1];
	uint64_t bytes;
	time_t changed_at; /* ctime: when the rename published it */
	bool in_use;  /* a running or starting container's, or a pinned image's */
	unsigned refs; /* records that name it and are kept */
};

struct gc_record {
	char key[SHA256_HEX_LEN + 1];
	char **layers; /* hex */
	int64_t used_at;
	int lock_fd;   /* held exclusively while it may be evicted */
	bool pinned;
	bool kept;
};

struct gc {
	const char *store;
	char layers_dir[4096];
	struct gc_layer *layers;
	size_t n_layers;
	struct gc_record *records;
	size_t n_records;
};

/* Bytes a folder's files take (their blocks), walked without following links. */
static uint64_t tree_bytes(int dir_fd)
{
	struct stat st;
	uint64_t total = fstat(dir_fd, &st) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
	DIR *d = fdopendir(dir_fd);
	if (!d) {
		close(dir_fd);
		return total;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			total += (uint64_t)st.st_blocks * 512;
			continue;
		}
		int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			total += tree_bytes(sub);
	}
	closedir(d);
	return total;
}

static bool is_hex_name(const char *name)
{
	return strlen(name) == SHA256_HEX_LEN &&
	       strspn(name, "0123456789abcdef") == SHA256_HEX_LEN;
}

static struct gc_layer *find_layer(struct gc *g, const char *hex)
{
	for (size_t i = 0; i < g->n_layers; i++)
		if (!strcmp(g->layers[i].hex, hex))
			return &g->layers[i];
	return NULL;
}

static int read_layers(struct gc *g)
{
	_cleanup_(closedirp) DIR *d = opendir(g->layers_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_hex_name(e->d_name))
			continue;
		struct gc_layer *grown = realloc(g->layers, (g->n_layers + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		g->layers = grown;
		struct gc_layer *l = &g->layers[g->n_layers++];
		*l = (struct gc_layer){ 0 };
		snprintf(l->hex, sizeof(l->hex), "%.64s", e->d_name);
		char path[4200];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%.64s", g->layers_dir, e->d_name);
		/* ctime, not mtime: unpacking gives the folder the time its archive says (often
		 * 1970), the rename that published it sets ctime to then. */
		l->changed_at = stat(path, &st) == 0 ? st.st_ctime : 0;
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		l->bytes = fd >= 0 ? tree_bytes(fd) : 0;
	}
	return 0;
}

/* The pin of a pull that wrote no record (it failed), once no pull holds it. */
static void drop_stray_pin(const char *dir, const char *name)
{
	char path[4300];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%.64s.json", dir, name);
	if (stat(path, &st) == 0)
		return;
	snprintf(path, sizeof(path), "%s/%.69s", dir, name);
	_cleanup_close_ int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
		unlink(path);
}

/* Every record, locked exclusively where no pull holds it (a pinned one stays in use). */
static int read_records(struct gc *g)
{
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/records", g->store);
	_cleanup_(closedirp) DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n == SHA256_HEX_LEN + 5 && !strcmp(e->d_name + SHA256_HEX_LEN, ".lock")) {
			drop_stray_pin(dir, e->d_name);
			continue;
		}
		if (n != SHA256_HEX_LEN + 5 || strcmp(e->d_name + SHA256_HEX_LEN, ".json") != 0)
			continue;
		struct gc_record *grown = realloc(g->records, (g->n_records + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		g->records = grown;
		struct gc_record *rec = &g->records[g->n_records++];
		*rec = (struct gc_record){ .lock_fd = -1, .kept = true };
		snprintf(rec->key, sizeof(rec->key), "%.*s", SHA256_HEX_LEN, e->d_name);
		char path[4300];
		snprintf(path, sizeof(path), "%s/%s.lock", dir, rec->key);
		rec->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		rec->pinned = rec->lock_fd < 0 || flock(rec->lock_fd, LOCK_EX | LOCK_NB) < 0;
		snprintf(path, sizeof(path), "%s/%.69s", dir, e->d_name);
		_cleanup_free_ char *json = NULL;
		size_t size = 0;
		if (read_file_full(path, RECORD_MAX_SIZE, &json, &size) < 0 ||
		    image_record_summary(json, size, &rec->layers, &rec->used_at, NULL) < 0)
			rec->layers = calloc(1, sizeof(char *)); /* unreadable: it names nothing */
		if (!rec->layers)
			return -ENOMEM;
	}
	return 0;
}

static void mark_in_use(struct gc *g, char *const *layers_in_use)
{
	for (size_t i = 0; layers_in_use && layers_in_use[i]; i++) {
		const char *slash = strrchr(layers_in_use[i], '/');
		struct gc_layer *l = find_layer(g, slash ? slash + 1 : layers_in_use[i]);
		if (l)
			l->in_use = true;
	}
	for (size_t i = 0; i < g->n_records; i++) {
		struct gc_record *rec = &g->records[i];
		for (size_t j = 0; rec->layers[j]; j++) {
			struct gc_layer *l = find_layer(g, rec->layers[j]);
			if (l && rec->pinned)
				l->in_use = true;
			if (l)
				l->refs++;
		}
	}
	/* A container runs on every layer of its image: an image all of whose layers are in use
	 * may be a container's, and stays. One that only shares a base layer with it is not:
	 * it may go, and the shared layer stays for being in use. */
	for (size_t i = 0; i < g->n_records; i++) {
		struct gc_record *rec = &g->records[i];
		bool all = rec->layers[0] != NULL;
		for (size_t j = 0; all && rec->layers[j]; j++) {
			struct gc_layer *l = find_layer(g, rec->layers[j]);
			all = l && l->in_use;
		}
		rec->pinned = rec->pinned || all;
	}
}

static uint64_t store_bytes(const struct gc *g)
{
	uint64_t total = 0;
	for (size_t i = 0; i < g->n_layers; i++)
		total += g->layers[i].bytes;
	return total;
}

static void remove_layer(struct gc *g, struct gc_layer *l)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", g->layers_dir, l->hex);
	/* Out of the way first, so that no pull takes a half-removed layer. */
	char doomed[4300];
	snprintf(doomed, sizeof(doomed), "%s/.gone-%s", g->layers_dir, l->hex);
	if (rename(path, doomed) == 0)
		remove_tree(doomed);
	l->bytes = 0;
	l->hex[0] = '\0';
}

static void evict(struct gc *g, struct gc_record *rec)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/records/%s.json", g->store, rec->key);
	unlink(path);
	snprintf(path, sizeof(path), "%s/records/%s.lock", g->store, rec->key);
	unlink(path);
	rec->kept = false;
	for (size_t j = 0; rec->layers[j]; j++) {
		struct gc_layer *l = find_layer(g, rec->layers[j]);
		if (l && --l->refs == 0 && !l->in_use)
			remove_layer(g, l);
	}
}

static struct gc_record *least_recently_used(struct gc *g)
{
	struct gc_record *best = NULL;
	for (size_t i = 0; i < g->n_records; i++) {
		struct gc_record *rec = &g->records[i];
		if (rec->kept && !rec->pinned && (!best || rec->used_at < best->used_at))
			best = rec;
	}
	return best;
}

static void gc_release(struct gc *g)
{
	for (size_t i = 0; i < g->n_records; i++) {
		for (size_t j = 0; g->records[i].layers && g->records[i].layers[j]; j++)
			free(g->records[i].layers[j]);
		free(g->records[i].layers);
		if (g->records[i].lock_fd >= 0)
			close(g->records[i].lock_fd);
	}
	free(g->records);
	free(g->layers);
}

static int collect(struct gc *g, const struct image_gc_policy *policy, uint64_t needed,
		   struct error *err)
{
	time_t now = time(NULL);
	if (policy->max_unused_age_s > 0)
		for (size_t i = 0; i < g->n_records; i++) {
			struct gc_record *rec = &g->records[i];
			/* A clock behind the record (a device that booted without the time) makes
			 * nothing old. */
			if (rec->kept && !rec->pinned && now > rec->used_at &&
			    (uint64_t)(now - rec->used_at) > policy->max_unused_age_s)
				evict(g, rec);
		}
	/* Layers of no image, old enough not to be a pull's that has yet to write its record. */
	for (size_t i = 0; i < g->n_layers; i++) {
		struct gc_layer *l = &g->layers[i];
		if (l->hex[0] && l->refs == 0 && !l->in_use && now - l->changed_at > ORPHAN_GRACE_S)
			remove_layer(g, l);
	}
	if (policy->budget_bytes == 0)
		return 0;
	while (store_bytes(g) + needed > policy->budget_bytes) {
		struct gc_record *lru = least_recently_used(g);
		if (!lru)
			break;
		evict(g, lru);
	}
	uint64_t used = store_bytes(g);
	if (used + needed > policy->budget_bytes)
		return error_set(err, ENOSPC, "the image store's budget is %llu MiB: %llu MiB are "
				 "held by images in use and %llu MiB more are needed",
				 (unsigned long long)(policy->budget_bytes >> 20),
				 (unsigned long long)(used >> 20),
				 (unsigned long long)((needed + (1 << 20) - 1) >> 20));
	return 0;
}


/* Run FN over STORE_DIR's layers and records, one collector at a time per store. */
static int with_store(const char *store_dir, char *const *in_use,
		      int (*fn)(struct gc *g, const void *arg, struct error *err), const void *arg,
		      struct error *err)
{
	char lock_path[4200];
	snprintf(lock_path, sizeof(lock_path), "%s/gc.lock", store_dir);
	_cleanup_close_ int lock = open_locked(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600,
					       LOCK_EX);
	if (lock < 0)
		return error_set_errno(err, lock, "lock %s", lock_path);
	struct gc g = { .store = store_dir };
	snprintf(g.layers_dir, sizeof(g.layers_dir), "%s/layers/sha256", store_dir);
	int r = read_layers(&g);
	if (r == 0)
		r = read_records(&g);
	if (r < 0)
		r = error_set_errno(err, r, "image store %s", store_dir);
	else
		mark_in_use(&g, in_use);
	if (r == 0)
		r = fn(&g, arg, err);
	gc_release(&g);
	return r;
}

static int evict_key(struct gc *g, const void *key, struct error *err)
{
	(void)err;
	for (size_t i = 0; i < g->n_records; i++)
		if (!strcmp(g->records[i].key, key) && !g->records[i].pinned)
			evict(g, &g->records[i]);
	return 0;
}

int image_store_evict(const char *store_dir, const char *reference, char *const *layers_in_use,
		      struct error *err)
{
	char key[SHA256_HEX_LEN + 1];
	if (sha256_hex(reference, strlen(reference), key) < 0)
		return error_set(err, ENOMEM, "out of memory");
	return with_store(store_dir, layers_in_use, evict_key, key, err);
}

struct collect_args {
	const struct image_gc_policy *policy;
	uint64_t needed;
};

static int collect_fn(struct gc *g, const void *arg, struct error *err)
{
	const struct collect_args *a = arg;
	return collect(g, a->policy, a->needed, err);
}

int image_store_gc(const char *store_dir, const struct image_gc_policy *policy,
		   char *const *layers_in_use, uint64_t needed_bytes, struct error *err)
{
	if (!policy || (policy->budget_bytes == 0 && policy->max_unused_age_s == 0))
		return 0;
	struct collect_args a = { .policy = policy, .needed = needed_bytes };
	return with_store(store_dir, layers_in_use, collect_fn, &a, err);
}

uint64_t image_store_bytes(const char *store_dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/layers/sha256", store_dir);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? 0 : tree_bytes(fd);
}

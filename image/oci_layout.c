#include "image/oci_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "image/digest.h"

int oci_layout_open(const char *path, struct error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_set_errno(err, errno, "open image layout %s", path);
	_cleanup_free_ char *text = NULL;
	int r = read_file_full_at(fd, "oci-layout", 4096, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "%s/oci-layout", path);
	cJSON *doc = cJSON_Parse(text);
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "imageLayoutVersion");
	bool ok = cJSON_IsString(version) && !strncmp(version->valuestring, "1.", 2);
	cJSON_Delete(doc);
	if (!ok)
		return error_set(err, EINVAL, "%s/oci-layout: imageLayoutVersion is not 1.x", path);
	return TAKE_FD(fd);
}

int oci_layout_read_index(int layout_fd, char **ret, size_t *ret_size, struct error *err)
{
	int r = read_file_full_at(layout_fd, "index.json", OCI_JSON_MAX_SIZE, ret, ret_size);
	if (r < 0)
		return error_set_errno(err, r, "index.json");
	return 0;
}

static int blob_path(const struct oci_descriptor *desc, char path[sizeof("blobs/sha256/") + SHA256_HEX_LEN],
		     struct error *err)
{
	char hex[SHA256_HEX_LEN + 1];
	if (digest_parse_sha256(desc->digest, hex) < 0)
		return error_set(err, EINVAL, "digest \"%.80s\" is not sha256:<64 hex digits>",
				 desc->digest);
	memcpy(path, "blobs/sha256/", 13);
	memcpy(path + 13, hex, SHA256_HEX_LEN + 1);
	return 0;
}

int oci_layout_read_json_blob(int layout_fd, const struct oci_descriptor *desc, char **ret,
			      size_t *ret_size, struct error *err)
{
	char path[sizeof("blobs/sha256/") + SHA256_HEX_LEN];
	int r = blob_path(desc, path, err);
	if (r < 0)
		return r;
	if (desc->size > OCI_JSON_MAX_SIZE)
		return error_set(err, EFBIG, "blob %s: %llu bytes, more than the %u allowed for JSON",
				 desc->digest, (unsigned long long)desc->size, OCI_JSON_MAX_SIZE);
	_cleanup_free_ char *data = NULL;
	size_t size = 0;
	r = read_file_full_at(layout_fd, path, OCI_JSON_MAX_SIZE, &data, &size);
	if (r == -ENOENT)
		return error_set(err, ENOENT, "blob %s is missing (%s)", desc->digest, path);
	if (r < 0)
		return error_set_errno(err, r, "blob %s", desc->digest);
	if (size != desc->size)
		return error_set(err, EBADMSG, "blob %s: size %zu, descriptor says %llu", desc->digest,
				 size, (unsigned long long)desc->size);
	char hex[SHA256_HEX_LEN + 1];
	if (sha256_hex(data, size, hex) < 0)
		return error_set(err, EIO, "blob %s: hashing failed", desc->digest);
	if (strcmp(hex, path + 13) != 0)
		return error_set(err, EBADMSG, "blob %s: digest mismatch (content is sha256:%s)",
				 desc->digest, hex);
	*ret = TAKE_PTR(data);
	if (ret_size)
		*ret_size = size;
	return 0;
}

int oci_layout_open_blob(int layout_fd, const struct oci_descriptor *desc, struct error *err)
{
	char path[sizeof("blobs/sha256/") + SHA256_HEX_LEN];
	int r = blob_path(desc, path, err);
	if (r < 0)
		return r;
	int fd = openat(layout_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return error_set(err, ENOENT, "blob %s is missing (%s)", desc->digest, path);
	if (fd < 0)
		return error_set_errno(err, errno, "blob %s", desc->digest);
	return fd;
}

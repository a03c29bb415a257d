#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "agent/api/metadata_token.h"
#include "common/cleanup.h"
#include "common/fileio.h"

static int read_key(const char *path, struct metadata_key *ret, struct error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : error_set_errno(err, errno, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return error_set_errno(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) || st.st_uid != geteuid())
		return error_set(err, EPERM, "%s must be a regular file of this user, mode 0600",
				 path);
	if (st.st_size != METADATA_KEY_SIZE ||
	    pread(fd, ret->bytes, METADATA_KEY_SIZE, 0) != METADATA_KEY_SIZE)
		return error_set(err, EINVAL, "%s must hold exactly %d bytes", path,
				 METADATA_KEY_SIZE);
	return 0;
}

int metadata_key_load(const char *state_dir, struct metadata_key *ret, struct error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", state_dir, METADATA_KEY_FILE) < 0)
		return error_set(err, ENOMEM, "out of memory");
	int r = read_key(path, ret, err);
	if (r != -ENOENT)
		return r;
	if (getrandom(ret->bytes, METADATA_KEY_SIZE, 0) != METADATA_KEY_SIZE)
		return error_set_errno(err, errno, "getrandom");
	r = write_file_atomic(path, ret->bytes, METADATA_KEY_SIZE, 0600);
	if (r < 0)
		return error_set_errno(err, -r, "write %s", path);
	return 0;
}

int metadata_token(const struct metadata_key *key, const char *task_arn, const char *name,
		   char ret[METADATA_TOKEN_HEX_LEN + 1])
{
	/* The NUL between them keeps ("a", "bc") and ("ab", "c") apart. */
	size_t alen = strlen(task_arn), nlen = strlen(name);
	_cleanup_free_ unsigned char *msg = malloc(alen + 1 + nlen);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, task_arn, alen + 1);
	memcpy(msg + alen + 1, name, nlen);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	if (!HMAC(EVP_sha256(), key->bytes, METADATA_KEY_SIZE, msg, alen + 1 + nlen, mac,
		  &mac_len) ||
	    mac_len < METADATA_TOKEN_HEX_LEN / 2)
		return -EIO;
	for (size_t i = 0; i < METADATA_TOKEN_HEX_LEN / 2; i++)
		snprintf(ret + 2 * i, 3, "%02x", mac[i]);
	return 0;
}

int metadata_token_equal(const char *a, const char *b)
{
	if (strlen(a) != METADATA_TOKEN_HEX_LEN || strlen(b) != METADATA_TOKEN_HEX_LEN)
		return 0;
	return CRYPTO_memcmp(a, b, METADATA_TOKEN_HEX_LEN) == 0;
}

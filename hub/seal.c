#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/cleanup.h"
#include "hub/seal.h"

#define SEAL_VERSION 1
#define NONCE_BYTES 12
#define TAG_BYTES 16
#define KEY_FILE_LEN (SEAL_KEY_BYTES * 2 + 1) /* hex and a newline */

static void cipher_ctx_freep(EVP_CIPHER_CTX **c)
{
	EVP_CIPHER_CTX_free(*c);
}

char *seal_key_path(const char *db_path)
{
	char *path = NULL;
	return asprintf(&path, "%s.sealing-key", db_path) < 0 ? NULL : path;
}

static int parse_key_file(const char *text, size_t size, unsigned char key[SEAL_KEY_BYTES])
{
	if (size != KEY_FILE_LEN || text[KEY_FILE_LEN - 1] != '\n' ||
	    strspn(text, "0123456789abcdef") != SEAL_KEY_BYTES * 2)
		return -EBADMSG;
	for (int i = 0; i < SEAL_KEY_BYTES; i++) {
		char byte[3] = { text[2 * i], text[2 * i + 1], 0 };
		key[i] = (unsigned char)strtoul(byte, NULL, 16);
	}
	return 0;
}

static int read_key(const char *path, unsigned char key[SEAL_KEY_BYTES], struct error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return error_set_errno(err, errno, "open sealing key %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return error_set_errno(err, errno, "stat sealing key %s", path);
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077))
		return error_set(err, EPERM, "sealing key %s must be a regular file only its owner"
				 " may read (mode 0600; it is %04o)", path, st.st_mode & 07777);
	char text[KEY_FILE_LEN + 1];
	ssize_t n = read(fd, text, sizeof(text));
	if (n < 0)
		return error_set_errno(err, errno, "read sealing key %s", path);
	int r = parse_key_file(text, (size_t)n, key);
	OPENSSL_cleanse(text, sizeof(text));
	return r < 0 ? error_set(err, r, "sealing key %s is not %d hex digits and a newline",
				 path, SEAL_KEY_BYTES * 2) : 0;
}

/* The key's name must outlive a crash as surely as the secrets sealed under it. */
static void sync_parent(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (!dir)
		return;
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	_cleanup_close_ int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
}

/* A new key in a file of its own, then linked into place: link fails when another process
 * got there first, and that process's key is the one. */
static int make_key(const char *path, struct error *err)
{
	unsigned char key[SEAL_KEY_BYTES];
	char text[KEY_FILE_LEN + 1], tmp[4096];
	if (RAND_bytes(key, sizeof(key)) != 1)
		return error_set(err, EIO, "no randomness for a sealing key");
	for (int i = 0; i < SEAL_KEY_BYTES; i++)
		snprintf(text + 2 * i, 3, "%02x", key[i]);
	text[KEY_FILE_LEN - 1] = '\n';
	OPENSSL_cleanse(key, sizeof(key));
	snprintf(tmp, sizeof(tmp), "%s.%d.new", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return error_set_errno(err, errno, "create sealing key %s", tmp);
	bool written = write(fd, text, KEY_FILE_LEN) == KEY_FILE_LEN && fsync(fd) == 0;
	OPENSSL_cleanse(text, sizeof(text));
	int saved = errno;
	close(fd);
	int r = written ? 0 : error_set_errno(err, saved ? saved : EIO, "write sealing key %s", tmp);
	if (r == 0 && link(tmp, path) < 0 && errno != EEXIST)
		r = error_set_errno(err, errno, "link sealing key %s", path);
	unlink(tmp);
	if (r == 0)
		sync_parent(path);
	return r;
}

int seal_key_load(const char *path, unsigned char key[SEAL_KEY_BYTES], struct error *err)
{
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		int r = make_key(path, err);
		if (r < 0)
			return r;
	}
	return read_key(path, key, err);
}

int seal(const unsigned char key[SEAL_KEY_BYTES], const char *context, const char *plain,
	 unsigned char **ret, size_t *ret_size)
{
	size_t n = strlen(plain), size = 1 + NONCE_BYTES + n + TAG_BYTES;
	_cleanup_free_ unsigned char *out = malloc(size);
	_cleanup_(cipher_ctx_freep) EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	if (!out || !c)
		return -ENOMEM;
	out[0] = SEAL_VERSION;
	unsigned char *nonce = out + 1, *body = nonce + NONCE_BYTES, *tag = body + n;
	int len = 0;
	if (RAND_bytes(nonce, NONCE_BYTES) != 1 ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &len, (const unsigned char *)context,
			      (int)strlen(context)) != 1 ||
	    EVP_EncryptUpdate(c, body, &len, (const unsigned char *)plain, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(c, body + len, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, tag) != 1)
		return -EIO;
	*ret = TAKE_PTR(out);
	*ret_size = size;
	return 0;
}

int unseal(const unsigned char key[SEAL_KEY_BYTES], const char *context,
	   const unsigned char *sealed, size_t size, char **ret)
{
	if (size < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] != SEAL_VERSION || size > 4096)
		return -EBADMSG;
	size_t n = size - 1 - NONCE_BYTES - TAG_BYTES;
	const unsigned char *nonce = sealed + 1, *body = nonce + NONCE_BYTES, *tag = body + n;
	char *plain = malloc(n + 1);
	_cleanup_(cipher_ctx_freep) EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	if (!plain || !c) {
		free(plain);
		return -ENOMEM;
	}
	int len = 0, last = 0;
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &len, (const unsigned char *)context,
			      (int)strlen(context)) != 1 ||
	    EVP_DecryptUpdate(c, (unsigned char *)plain, &len, body, (int)n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, (void *)tag) != 1 ||
	    EVP_DecryptFinal_ex(c, (unsigned char *)plain + len, &last) != 1) {
		OPENSSL_cleanse(plain, n + 1);
		free(plain);
		return -EBADMSG;
	}
	plain[n] = '\0';
	*ret = plain;
	return 0;
}

void seal_free_plain(char *plain)
{
	if (!plain)
		return;
	OPENSSL_cleanse(plain, strlen(plain));
	free(plain);
}

/* Access keys for the operator API: sealed secrets, the sealing key file, the table that
 * the keys command and the hub share. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "hub/access_keys.h"
#include "hub/seal.h"
#include "tests/unit/test.h"

static char *path_in_tmp(const char *name)
{
	char *p = NULL;
	return asprintf(&p, "%s/%s", test_tmpdir(), name) < 0 ? NULL : p;
}

TEST(hub_seal_round_trip_and_refusals)
{
	unsigned char key[SEAL_KEY_BYTES] = { 1, 2, 3 }, other[SEAL_KEY_BYTES] = { 9 };
	_cleanup_free_ unsigned char *sealed = NULL;
	size_t size = 0;
	ASSERT_INT_EQ(seal(key, "AKIA1", "the secret", &sealed, &size), 0);
	ASSERT_TRUE(memmem(sealed, size, "the secret", 10) == NULL);
	char *plain = NULL;
	ASSERT_INT_EQ(unseal(key, "AKIA1", sealed, size, &plain), 0);
	ASSERT_STR_EQ(plain, "the secret");
	seal_free_plain(plain);
	ASSERT_INT_EQ(unseal(other, "AKIA1", sealed, size, &plain), -EBADMSG);
	ASSERT_INT_EQ(unseal(key, "AKIA2", sealed, size, &plain), -EBADMSG); /* moved row */
	sealed[size - 1] ^= 1;
	ASSERT_INT_EQ(unseal(key, "AKIA1", sealed, size, &plain), -EBADMSG);
	ASSERT_INT_EQ(unseal(key, "AKIA1", sealed, 3, &plain), -EBADMSG);
}

TEST(hub_seal_key_file_is_made_once_and_kept_private)
{
	_cleanup_free_ char *path = path_in_tmp("hub.db.sealing-key");
	unsigned char a[SEAL_KEY_BYTES], b[SEAL_KEY_BYTES];
	struct error err = { 0 };
	ASSERT_INT_EQ(seal_key_load(path, a, &err), 0);
	ASSERT_INT_EQ(seal_key_load(path, b, &err), 0);
	ASSERT_TRUE(memcmp(a, b, sizeof(a)) == 0);
	struct stat st;
	ASSERT_INT_EQ(stat(path, &st), 0);
	ASSERT_INT_EQ(st.st_mode & 07777, 0600);
	ASSERT_INT_EQ(chmod(path, 0644), 0);
	ASSERT_INT_EQ(seal_key_load(path, b, &err), -EPERM);
	ASSERT_CONTAINS(err.message, "mode 0600");
	ASSERT_INT_EQ(chmod(path, 0600), 0);
	ASSERT_INT_EQ(write_file_atomic(path, "short\n", 6, 0600), 0);
	ASSERT_INT_EQ(seal_key_load(path, b, &err), -EBADMSG);
}

TEST(hub_access_keys_create_read_list_delete)
{
	_cleanup_free_ char *db = path_in_tmp("hub.db");
	struct access_keys *k = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(access_keys_open(db, &k, &err), 0);
	char id[ACCESS_KEY_ID_LEN + 1], secret[ACCESS_KEY_SECRET_LEN + 1];
	double created = 0;
	ASSERT_INT_EQ(access_key_create(k, id, secret, &created, &err), 0);
	ASSERT_INT_EQ(strlen(id), 20);
	ASSERT_TRUE(!strncmp(id, "AKIA", 4));
	ASSERT_INT_EQ(strlen(secret), 40);
	char *read = NULL;
	ASSERT_INT_EQ(access_key_secret(k, id, &read, &err), 0);
	ASSERT_STR_EQ(read, secret);
	seal_free_plain(read);
	cJSON *list = NULL;
	ASSERT_INT_EQ(access_key_list(k, &list, &err), 0);
	_cleanup_free_ char *text = cJSON_PrintUnformatted(list);
	cJSON_Delete(list);
	ASSERT_CONTAINS(text, id);
	ASSERT_TRUE(!strstr(text, secret));
	ASSERT_INT_EQ(access_key_delete(k, id, &err), 0);
	ASSERT_INT_EQ(access_key_secret(k, id, &read, &err), -ENOENT);
	ASSERT_INT_EQ(access_key_delete(k, id, &err), -ENOENT);
	access_keys_close(k);
}

TEST(hub_access_keys_database_alone_reveals_no_secret)
{
	_cleanup_free_ char *db = path_in_tmp("hub.db"), *copy = path_in_tmp("copy.db");
	struct access_keys *k = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(access_keys_open(db, &k, &err), 0);
	char id[ACCESS_KEY_ID_LEN + 1], secret[ACCESS_KEY_SECRET_LEN + 1];
	double created;
	ASSERT_INT_EQ(access_key_create(k, id, secret, &created, &err), 0);
	access_keys_close(k);
	/* The database's bytes hold no secret... */
	_cleanup_free_ char *bytes = NULL;
	size_t size = 0;
	ASSERT_INT_EQ(read_file_full(db, 1 << 24, &bytes, &size), 0);
	ASSERT_TRUE(memmem(bytes, size, secret, strlen(secret)) == NULL);
	/* ...and a copy of it elsewhere, without its sealing key, opens none. */
	ASSERT_INT_EQ(write_file_atomic(copy, bytes, size, 0600), 0);
	ASSERT_INT_EQ(access_keys_open(copy, &k, &err), 0); /* makes a new, different key */
	char *read = NULL;
	ASSERT_INT_EQ(access_key_secret(k, id, &read, &err), -EBADMSG);
	access_keys_close(k);
}

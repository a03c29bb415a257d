#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "hub/access_keys.h"
#include "hub/keys_command.h"
#include "protocol/json_value.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: tether-hub keys create --db FILE\n"
		   "       tether-hub keys list --db FILE\n"
		   "       tether-hub keys delete --db FILE ACCESS_KEY_ID\n");
}

static int print_json(cJSON *o)
{
	char *text = cJSON_Print(o);
	if (!text)
		return 1;
	puts(text);
	OPENSSL_cleanse(text, strlen(text));
	cJSON_free(text);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Printed once, the way `aws iam create-access-key` prints a new key. */
static int create(struct access_keys *k)
{
	char id[ACCESS_KEY_ID_LEN + 1], secret[ACCESS_KEY_SECRET_LEN + 1], date[32];
	double created;
	struct error err = { 0 };
	if (access_key_create(k, id, secret, &created, &err) < 0) {
		log_error("%s", err.message);
		return 1;
	}
	access_key_format_date(created, date);
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	cJSON *key = cJSON_AddObjectToObject(o, "AccessKey");
	cJSON_AddStringToObject(key, "AccessKeyId", id);
	cJSON_AddStringToObject(key, "Status", "Active");
	cJSON_AddStringToObject(key, "SecretAccessKey", secret);
	cJSON_AddStringToObject(key, "CreateDate", date);
	OPENSSL_cleanse(secret, sizeof(secret));
	int r = print_json(o);
	cJSON *s = cJSON_GetObjectItemCaseSensitive(key, "SecretAccessKey");
	if (cJSON_IsString(s))
		OPENSSL_cleanse(s->valuestring, strlen(s->valuestring));
	return r;
}

static int run(const char *verb, struct access_keys *k, const char *id)
{
	struct error err = { 0 };
	if (!strcmp(verb, "create"))
		return create(k);
	if (!strcmp(verb, "list")) {
		_cleanup_(cjson_deletep) cJSON *o = NULL;
		if (access_key_list(k, &o, &err) < 0) {
			log_error("%s", err.message);
			return 1;
		}
		return print_json(o);
	}
	if (access_key_delete(k, id, &err) < 0) {
		log_error("%s", err.message);
		return 1;
	}
	return 0;
}

int hub_keys_command(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	const char *verb = optind < argc ? argv[optind] : "";
	bool is_delete = !strcmp(verb, "delete");
	int operands = is_delete ? 2 : 1;
	if (!db || argc - optind != operands ||
	    (!is_delete && strcmp(verb, "create") && strcmp(verb, "list"))) {
		usage(stderr);
		return 2;
	}
	struct access_keys *k = NULL;
	struct error err = { 0 };
	if (access_keys_open(db, &k, &err) < 0) {
		log_error("%s", err.message);
		return 1;
	}
	int r = run(verb, k, is_delete ? argv[optind + 1] : NULL);
	access_keys_close(k);
	return r;
}

/* Typed, bounded reads of cJSON values for the parsers of outside input. Every function names
 * the value by its path ("containerDefinitions[0].cpu") in the error, so a refused document
 * says exactly what was wrong and where. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

/* Longest path kept in messages; longer paths are cut (they only come from hostile input). */
#define JSON_PATH_MAX 256

/* Build a path into buf, cut at JSON_PATH_MAX - 1 bytes. */
void json_path(char buf[JSON_PATH_MAX], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when the JSON text holds a NUL byte or a string with the escape \u0000. cJSON would
 * end the string there, so what the program sees would differ from what the sender wrote;
 * parsers of outside text refuse it. */
bool json_text_has_nul(const char *text, size_t size);

/* The largest integer a double (and so cJSON) holds exactly: 2^53 - 1. */
#define JSON_MAX_SAFE_INTEGER 9007199254740991ULL

/* True when v is a number with no fractional part within [0, JSON_MAX_SAFE_INTEGER]. */
bool json_is_unsigned_integer(const cJSON *v);

/* The string member name of obj, NULL when absent or not a string (obj may be NULL). */
const char *json_string_member(const cJSON *obj, const char *name);

/* True when v asks for nothing: null, false, [] or {}. Exported definitions and the aws CLI
 * carry such defaults for options they do not use. */
bool json_value_asks_nothing(const cJSON *v);

/* Look up an object's members by exact (case-sensitive) name: found[i] is the member named
 * names[i] or NULL. A member not in names, or a name given twice, is an error, unless the
 * calling thread gathers unknown members (below). */
int json_object_members(const cJSON *obj, const char *path, const char *const names[],
			size_t n_names, const cJSON *found[], struct error *err);

/* Gathering unknown members, so that one answer names every field a document uses that the
 * parser does not know, at every depth, instead of the first one only. While a sink is set on
 * the calling thread, json_object_members does not fail on an unknown member: it adds its path
 * to names, or, when the member asks for nothing (json_value_asks_nothing), records it in
 * absent as not given at all; a known member that is null is taken as not given too. A thread
 * variable rather than a parameter, because the parsers nest many levels deep and only the
 * hub's registration wants this; every other parse stays first-error strict. */
#define JSON_UNKNOWN_MAX_ABSENT 256

struct json_member_ref {
	cJSON *parent;
	cJSON *member;
};

struct json_unknown_sink {
	char names[768];          /* "a, b.c, d[0].e"; cut with ", ..." when full */
	size_t used;
	size_t count;
	struct json_member_ref absent[JSON_UNKNOWN_MAX_ABSENT];
	size_t n_absent;
	bool absent_overflow;     /* more than JSON_UNKNOWN_MAX_ABSENT such members */
};

void json_unknown_gather(struct json_unknown_sink *sink); /* NULL: stop gathering */

/* A string of min_len..max_len bytes; *ret is a copy the caller frees. */
int json_get_string(const cJSON *v, const char *path, size_t min_len, size_t max_len,
		    char **ret, struct error *err);

int json_get_uint(const cJSON *v, const char *path, uint64_t min, uint64_t max, uint64_t *ret,
		  struct error *err);

int json_get_bool(const cJSON *v, const char *path, bool *ret, struct error *err);

/* An array of at most max_items strings of at most max_len bytes, as a NULL-terminated
 * vector the caller frees with json_strv_free. */
int json_get_string_array(const cJSON *v, const char *path, size_t max_items, size_t max_len,
			  char ***ret, struct error *err);

void json_strv_free(char **strv);

/* One item of an array of objects: parse v (named path) into ((T *)items)[index]. Items
 * 0..index-1 are already parsed, for checks that two items do not name the same thing. */
typedef int (*json_item_parser)(const cJSON *v, const char *path, void *items, size_t index,
				struct error *err);

struct json_object_array {
	const char *shape;	/* in "expected an array of <shape>" */
	const char *what;	/* in "more than <max_items> <what>" */
	size_t max_items;
	size_t item_size;
	json_item_parser parse;
};

/* Parses an array of objects into *ret_items, a zeroed allocation of item_size bytes per item
 * (at least one), and *ret_n. Both are set as soon as the allocation is made and *ret_n counts
 * every item handed to parse, so that the owner of the fields frees them all after an error
 * too. */
int json_parse_object_array(const cJSON *v, const char *path, const struct json_object_array *spec,
			    void *ret_items, size_t *ret_n, struct error *err);

/* For _cleanup_(cjson_deletep) cJSON *json. */
void cjson_deletep(cJSON **json);

/* What SSM's Describe calls share: filter lists ({Key, Values} in one spelling or another) and
 * pages with MaxResults and NextToken, capitalised as SSM writes them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hub/api.h"

#define SSM_FILTERS_MAX 16

/* A filter key SSM names and the member of the answer's items it selects on. */
struct ssm_filter_key {
	const char *key, *member;
};
struct ssm_filter {
	const char *member;
	const cJSON *values; /* strings */
};
struct ssm_filters {
	struct ssm_filter f[SSM_FILTERS_MAX];
	size_t n;
};

/* Adds the filters of req's list member, whose items hold their key in key_name and their
 * values in values_name; a key not among keys is refused by name (InvalidFilterKey). */
int ssm_filters_read(const cJSON *req, const char *member, const char *key_name,
		     const char *values_name, const struct ssm_filter_key *keys, size_t n_keys,
		     struct ssm_filters *out, struct api_fault *f);
/* Every filter holds item's value of its member among its values. */
bool ssm_filters_match(const struct ssm_filters *fl, const cJSON *item);

/* Keeps, of items (an array of objects in a stable order, each named by its id_member), the
 * page req's MaxResults (min_results to max_results, default max_results) and NextToken ask
 * for, moved into answer's member, with answer's NextToken when more follow. The pages are
 * api_page's. */
int ssm_page(const cJSON *req, cJSON *items, const char *id_member, long long min_results,
	     long long max_results, cJSON *answer, const char *member, struct api_fault *f);

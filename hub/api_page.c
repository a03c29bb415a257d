/* Pages of a list answer: maxResults and nextToken as ECS takes them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"
#include "hub/api.h"

/* A token is "OFFSET/LAST": how many items earlier pages held and the last of them. The list
 * may change between calls; when the item at OFFSET-1 is no longer LAST, the page goes on
 * after LAST wherever it now is, so nothing is listed twice when items before it went away. */
static int page_start(const cJSON *arr, const char *token, size_t *ret, struct api_fault *f)
{
	const char *slash = strchr(token, '/');
	char num[24];
	uint64_t offset;
	size_t n = slash ? (size_t)(slash - token) : 0;
	if (!slash || n == 0 || n >= sizeof(num))
		return api_fail(f, "InvalidParameterException", "nextToken is not one this hub gave");
	memcpy(num, token, n);
	num[n] = '\0';
	if (parse_u64(num, 1, 1u << 30, &offset) < 0)
		return api_fail(f, "InvalidParameterException", "nextToken is not one this hub gave");
	const char *last = slash + 1;
	size_t size = (size_t)cJSON_GetArraySize(arr);
	const cJSON *at = offset <= size ? cJSON_GetArrayItem(arr, (int)offset - 1) : NULL;
	if (at && cJSON_IsString(at) && strcmp(at->valuestring, last) == 0) {
		*ret = offset;
		return 0;
	}
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, arr) {
		i++;
		if (cJSON_IsString(item) && strcmp(item->valuestring, last) == 0) {
			*ret = i;
			return 0;
		}
	}
	/* LAST went away: the offset is the best guess of where the next page begins. */
	*ret = offset < size ? offset : size;
	return 0;
}

int api_page(const cJSON *req, cJSON *answer, const char *member, struct api_fault *f)
{
	long long max;
	const char *token;
	if (api_check_max_results(req, f) < 0 ||
	    api_opt_int(req, "maxResults", 1, API_MAX_RESULTS, API_MAX_RESULTS, &max, f) < 0 ||
	    api_opt_string(req, "nextToken", &token, f) < 0)
		return -EINVAL;
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(answer, member);
	size_t start = 0;
	if (token && page_start(arr, token, &start, f) < 0)
		return -EINVAL;
	size_t size = (size_t)cJSON_GetArraySize(arr);
	for (size_t i = 0; i < start && arr->child; i++)
		cJSON_DeleteItemFromArray(arr, 0);
	while ((size_t)cJSON_GetArraySize(arr) > (size_t)max)
		cJSON_DeleteItemFromArray(arr, (int)max);
	size_t end = start + (size_t)cJSON_GetArraySize(arr);
	if (end < size) {
		const cJSON *last = cJSON_GetArrayItem(arr, cJSON_GetArraySize(arr) - 1);
		char next[1024];
		snprintf(next, sizeof(next), "%zu/%s", end,
			 cJSON_IsString(last) ? last->valuestring : "");
		cJSON_AddStringToObject(answer, "nextToken", next);
	}
	return 0;
}

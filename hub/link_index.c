#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hub/link_index.h"

static size_t bucket_of(const char *key)
{
	uint32_t h = 2166136261u;
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % LINK_INDEX_BUCKETS;
}

void link_index_add(struct link_index *ix, struct link_index_entry *e, const char *key)
{
	size_t b = bucket_of(key);
	e->key = key;
	e->next = ix->buckets[b];
	ix->buckets[b] = e;
}

void link_index_remove(struct link_index *ix, struct link_index_entry *e)
{
	if (!e->key)
		return;
	for (struct link_index_entry **p = &ix->buckets[bucket_of(e->key)]; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			break;
		}
	e->key = NULL;
	e->next = NULL;
}

struct link_index_entry *link_index_find(const struct link_index *ix, const char *key,
					 const struct link_index_entry *after)
{
	struct link_index_entry *e = after ? after->next : ix->buckets[bucket_of(key)];
	while (e && strcmp(e->key, key) != 0)
		e = e->next;
	return e;
}

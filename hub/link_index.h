/* Open links by node id, so that finding a node's link (a frame queued for it, an older
 * connection to replace) does not walk every link: with thousands of agents reconnecting at
 * once that walk, once per welcome, was a large part of the hub's CPU. Intrusive: the entry
 * lives in the link; one node may have several links while an older one is being replaced. */
#pragma once

#define LINK_INDEX_BUCKETS 4096

struct link_index_entry {
	const char *key; /* the node id, owned by the link; NULL while not indexed */
	struct link_index_entry *next;
};

struct link_index {
	struct link_index_entry *buckets[LINK_INDEX_BUCKETS];
};

/* Index e under key (which must stay valid while e is indexed). */
void link_index_add(struct link_index *ix, struct link_index_entry *e, const char *key);
/* Remove e if it is indexed. */
void link_index_remove(struct link_index *ix, struct link_index_entry *e);
/* The first (then the next, after `after`) entry indexed under key, NULL at the end. */
struct link_index_entry *link_index_find(const struct link_index *ix, const char *key,
					 const struct link_index_entry *after);

/*
 * store-reclass: the part of store that keeps each stored entry in the
 * categories the rules give it.  Given a classify (store_set_classify),
 * store sorts every entry as it is inserted or updated; when the rules
 * change, store_reclass_step re-evaluates the stored entries a slice at a
 * time without refetching anything, changing only the memberships that
 * differ; the fingerprint of the rules each category was last sorted by
 * is kept, so a restart with changed rules re-sorts too.  It also answers
 * `feedmux explain`.  Like store, only it speaks SQL.
 */
#ifndef FEEDMUX_STORE_RECLASS_H
#define FEEDMUX_STORE_RECLASS_H

#include <stdint.h>

#include "classify.h"

struct store;

/* Sorts new and updated entries with CL from now on (NULL: sources' categories). */
void	store_set_classify(struct store *, struct classify *);

/*
 * Number of categories whose rules differ from those the stored entries
 * were last sorted by (new, changed or removed ones); -1 on error.
 */
int	store_reclass_pending(struct store *, const struct classify *);

/* What a re-evaluation did so far. */
struct store_reclass_stats {
	int64_t		 entries;	/* re-evaluated */
	int64_t		 added;		/* memberships gained */
	int64_t		 removed;	/* memberships lost */
};

/*
 * Re-evaluates stored entries after *CURSOR (an entry id, 0 to start) for
 * about BUDGET_US microseconds in one transaction, advancing *CURSOR and
 * adding to STATS.  Returns 1 when entries remain, 0 when done, -1 on a
 * database error (nothing of this slice is kept).
 */
int	store_reclass_step(struct store *, int64_t *cursor, int64_t budget_us,
	    int64_t now, struct store_reclass_stats *);

/* Records the current rules as those the stored entries are sorted by. */
int	store_reclass_done(struct store *);

/* Takes entries older than their category's max_age out of it; rows removed or -1. */
int64_t	store_reclass_age(struct store *, int64_t now);

/* One stored entry as explain sees it, valid during the callback. */
struct store_class_item {
	int64_t			 id;
	const char		*guid;
	const char		*link;
	int			 active;	/* its source is configured */
	const char		*stored;	/* categories now, "a,b", or NULL */
	struct classify_entry	 entry;		/* what the rules read */
};
typedef int (*store_class_cb)(const struct store_class_item *, void *);

/*
 * Calls CB for each stored entry whose id (all digits), guid or link is
 * KEY.  Returns how many, or -1 on error.
 */
int	store_class_lookup(struct store *, const char *key, store_class_cb,
	    void *);

#endif

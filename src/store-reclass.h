/*
 * store-reclass: the part of store that keeps each stored entry in the
 * categories the rules give it.  Given a classify (store_set_classify),
 * store sorts every entry as it is inserted or updated; when the rules
 * change, the stored entries are re-evaluated without refetching
 * anything, a slice at a time (store_reclass_step) or on another thread
 * (store_reclass_eval, store_reclass_apply), changing only the
 * memberships of the categories whose rules changed, and only where they
 * differ; the fingerprint of the rules each category was last sorted by
 * is kept, so a restart with changed rules re-sorts too.  It also answers
 * `feedmux explain`.  Like store, only it speaks SQL.
 */
#ifndef FEEDMUX_STORE_RECLASS_H
#define FEEDMUX_STORE_RECLASS_H

#include <stdint.h>

#include "classify.h"

struct store;

/*
 * Sorts new and updated entries with CL
 * from now on (NULL: sources' categories).
 */
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
 * about BUDGET_US microseconds in one transaction on the loop's
 * connection, for the categories whose rules changed, advancing *CURSOR and
 * adding to STATS.  Returns 1 when entries remain, 0 when done, -1 on a
 * database error (nothing of this slice is kept).
 */
int	store_reclass_step(struct store *, int64_t *cursor, int64_t budget_us,
	    int64_t now, struct store_reclass_stats *);

/*
 * Sets AFFECTED[i] (classify_count bytes) to 1 for each category of CL
 * whose stored memberships need re-sorting (rules new or changed since
 * the entries were sorted), else 0.  Returns how many, or -1.
 */
int	store_reclass_affected(struct store *, const struct classify *,
	    unsigned char *affected);

/*
 * Re-sorting off the loop.  A reader is a second connection to the
 * database, used by one thread at a time: store_reclass_eval runs there
 * with its own classify, reads a range of entries and works out the
 * membership changes (a batch) without writing; the loop then writes them
 * with store_reclass_apply in time-bounded slices.  Entries store sorts
 * itself in between (polled again) are left alone: see store_reclass_mark.
 */
struct store_reclass_reader;
struct store_reclass_batch;

/* NULL with *ERR set (caller frees). */
struct store_reclass_reader *store_reclass_reader_open(struct store *,
	    char **err);
void	store_reclass_reader_close(struct store_reclass_reader *);

/*
 * Evaluates the entries with ids after FROM up to TO against CL, the
 * categories flagged in AFFECTED only (NULL: all), and returns their
 * changes (caller frees), or NULL on error with *ERR set (caller frees).
 * Checkpoints the WAL now and then, so the loop's commits never pay for
 * it.  Touches nothing but its arguments; readers of one store may
 * evaluate disjoint ranges on several threads at once, each with its own
 * classify.
 */
struct store_reclass_batch *store_reclass_eval(struct store_reclass_reader *,
	    struct classify *, const unsigned char *affected, int64_t from,
	    int64_t to, int64_t now, char **err);
/*
 * The newest stored entry's id (0: none), or -1 on error.  Entries stored
 * after it are sorted by the rules in force as they arrive.
 */
int64_t	store_reclass_last(struct store *);
void	store_reclass_batch_free(struct store_reclass_batch *);
/* How many entries a batch read. */
int64_t	store_reclass_batch_entries(const struct store_reclass_batch *);

/* One membership change of a batch: entry ID in category CAT at SORT. */
typedef int	store_reclass_change_cb(void *arg, int64_t cat, int64_t sort,
		    int64_t id, int add);
/*
 * Calls CB with each change of B, in the order store_reclass_apply
 * writes them (newest entry first), as rows of entry_category (category
 * ids as the store's connection has them), until CB returns non-zero,
 * which is returned.  The benchmark's raw SQLite anchor writes the same
 * rows.  -1 when the category ids could not be read.
 */
int	store_reclass_batch_each(struct store *,
	    const struct store_reclass_batch *, store_reclass_change_cb *cb,
	    void *arg);

/*
 * Starts noting the entries store sorts itself (they must be left out of
 * batches evaluated before) and returns the mark of now, to give to
 * store_reclass_apply for a batch evaluated after this call.  Deletions
 * are noted too: a batch looks up whether its entries still exist only
 * when one may have gone since its mark (through store's connection, or
 * another that committed), or when a deletion of store's was not yet
 * committed at the mark.
 */
size_t	store_reclass_mark(struct store *);
/* Stops noting: no batch is in flight any more. */
void	store_reclass_unmark(struct store *);

/*
 * Writes B's changes for about BUDGET_US microseconds, skipping entries
 * store sorted since MARK; adds to STATS and sets TOUCHED[i]
 * (classify_count bytes, may be NULL) for each category that changed.
 * Returns 1 when changes remain, 0 when B is done, -1 on a database error
 * (then every slice since the last commit is undone, and the next
 * store_reclass_flush says -1 too: the pass starts over).  The slices go
 * into one transaction held open until store_reclass_flush (or until
 * another write or read transaction of store's commits it).
 */
int	store_reclass_apply(struct store *, struct store_reclass_batch *,
	    size_t mark, int64_t budget_us, struct store_reclass_stats *,
	    unsigned char *touched);

/*
 * Commits the slices store_reclass_apply wrote.  -1 when that failed, or
 * when since the last flush or store_reclass_mark an earlier commit of
 * them (by another writer) failed or a failed slice undid them: their
 * changes were lost.
 */
int	store_reclass_flush(struct store *);

/*
 * Forgets the recorded rules of the categories flagged in AFFECTED, so
 * they count as unsorted until store_reclass_done.  0 or -1.
 */
int	store_reclass_forget(struct store *, const struct classify *,
	    const unsigned char *affected);

/* Records the current rules as those the stored entries are sorted by. */
int	store_reclass_done(struct store *);

/*
 * Takes entries older than their category's
 * max_age out of it; rows removed or -1.
 */
int64_t	store_reclass_age(struct store *, int64_t now);

/* One stored entry as explain sees it, valid during the callback. */
struct store_class_item {
	int64_t			 id;
	const char		*guid;
	const char		*link;
	int			 active;	/* its source is configured */
	/* categories now, "a,b", or NULL */
	const char		*stored;
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

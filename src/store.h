/*
 * store: what feedmux remembers, on top of db.  Sources mirrored from the
 * config (with their poll state: validators, schedule, health, identity
 * rule), entries with their identity within a source, their story key
 * across sources and the categories they were sorted into, tombstones of
 * deleted entries, and poll records.  One fetched document is applied in
 * one transaction, retention included.  It answers the queries render and
 * the status pages need.  This is the only room that speaks SQL, so its
 * interface stays narrow: documents in, views and poll state out.
 */
#ifndef FEEDMUX_STORE_H
#define FEEDMUX_STORE_H

#include <stddef.h>
#include <stdint.h>

struct conf;
struct conf_source;
struct doc;
struct store;

#define STORE_NODATE	INT64_MIN

#define STORE_READONLY	0x1
#define STORE_SYNC_FULL	0x2
#define STORE_CHECKPOINTER 0x4	/* WAL checkpoints on a thread of their own */

/* Opening; NULL with *ERR set (caller frees) on failure. */
struct store	*store_open(const char *path, int flags, char **err);
void		 store_close(struct store *);

/*
 * Mirrors the config's sources: adds new ones, updates URL and categories of
 * changed ones (re-sorting their stored entries), marks removed ones
 * inactive (their entries leave the outputs; data kept).  -1 on error.
 */
int		 store_sync(struct store *, const struct conf *);

/*
 * Poll state of one source, for fetch and sched.  Strings owned by the struct.
 */
struct store_state {
	/* effective URL (adopted redirect, else configured) */
	char		*url;
	char		*etag;		/* byte for byte as last sent or NULL */
	char		*last_modified;
	/* permanent redirect seen, not yet adopted */
	char		*redirect_url;
	/* consecutive polls that saw it */
	int		 redirect_count;
	int		 moved;		/* url is an adopted redirect */
	/* 410 Gone: not polled until the URL changes */
	int		 retired;
	int64_t		 next_poll;	/* 0 when never scheduled */
	int64_t		 last_success;
	int		 failures;	/* consecutive */
	int64_t		 feed_hint;	/* seconds: ttl or sy:update*; 0 none */
	uint32_t	 skip_hours;	/* bit h: hour h UTC */
	uint8_t		 skip_days;	/* bit d: day d, 0 = Sunday */
	int64_t		 entries;	/* stored */
};
int		 store_state(struct store *, const char *source,
		     struct store_state *);
void		 store_state_clear(struct store_state *);

/*
 * Stored entries of SOURCE dated within STORE_RECENT_WINDOW before NOW,
 * its publishing rate for sched (0 on a database error, logged).  Asked
 * when a poll is stored, inside its batch's transaction, rather than when
 * it starts: a start then costs one row's read.
 */
#define STORE_RECENT_WINDOW	(7 * 86400)
int		 store_recent(struct store *, const char *source, int64_t now);

/*
 * Just what sched needs to arm a source: its stored next poll (0 when
 * never scheduled) and whether it is retired.  -1 when the source is not
 * stored (or on a database error, logged).
 */
int		 store_schedule(struct store *, const char *source,
		     int64_t *next_poll, int *retired);

/*
 * Reads between these two share one read transaction: SQLite takes and
 * drops its file locks once instead of for every statement.  Only around
 * reads on the loop, never across a return to it.  Nothing happens when
 * a transaction is already open.
 */
void		 store_read_begin(struct store *);
void		 store_read_end(struct store *);

/* One poll's outcome, as handed to store_poll_done. */
struct store_poll {
	int64_t		 at;		/* when it started */
	int64_t		 duration_ms;
	int		 status;	/* HTTP status, 0 when no response */
	int64_t		 bytes;		/* body bytes received */
	const char	*state;		/* "ok", "failing", "throttled", ... */
	const char	*error;		/* NULL on success */
	const char	*etag;		/* validators to keep (NULL: none) */
	const char	*last_modified;
	int64_t		 next_poll;	/* 0: not polled again (retired) */
	int		 failures;	/* consecutive, after this poll */
	/* candidate permanent redirect, or NULL */
	const char	*redirect_url;
	int		 redirect_count;
	/* not NULL: poll this URL from now on */
	const char	*adopt_url;
	int		 retired;
	int64_t		 feed_hint;	/* freshness hints to keep */
	uint32_t	 skip_hours;
	uint8_t		 skip_days;
};

/* What a poll changed. */
struct store_result {
	int		 new;
	int		 updated;
	int		 churned;	/* new ids matched to stored entries */
	int		 deleted;	/* by retention */
	char		 changed_all;	/* any view changed */
};

/*
 * Records a poll of SOURCE and, when DOC is not NULL, stores its entries:
 * new ones inserted and sorted into the source's categories, changed ones
 * updated in place, unchanged ones left alone.  One transaction; on error
 * nothing is changed and -1 is returned.
 */
int		 store_poll_done(struct store *, const struct conf_source *,
		     const struct store_poll *, const struct doc *,
		     struct store_result *);

/*
 * Polls stored between these two share one commit (each still stored or
 * rolled back alone), which writes the pages they have in common once.
 * store_batch_end commits: 0, or -1 (logged) when nothing of the batch
 * was kept.  store_batch_park ends a batch without committing: the next
 * batch goes on in the same transaction, so the polls of many turns of
 * the loop share one commit; store_flush commits a parked batch (0 or -1
 * as store_batch_end), and any other write of store's commits it first.
 * Whoever serves what store holds calls store_flush before reading, so
 * nothing served is uncommitted.
 */
void		 store_batch_begin(struct store *);
int		 store_batch_end(struct store *);
void		 store_batch_park(struct store *);
int		 store_flush(struct store *);
/* Polls stored in the batch and the one it parked, not committed yet. */
int		 store_batch_polls(const struct store *);

/* Another publisher of the same story (rel="via" in Atom). */
struct store_via {
	const char	*link;		/* its entry's link, else its site */
	const char	*source_name;
	const char	*source_title;	/* NULL when the feed has none */
};

/* One entry of a view, valid only during the callback. */
struct store_item {
	int64_t		 id;
	const char	*guid;
	const char	*link;
	const char	*title;
	const char	*title_type;
	const char	*summary;
	const char	*summary_type;
	const char	*content;
	const char	*content_type;
	const char	*author_name;
	const char	*author_email;
	const char	*author_uri;
	/* publisher categories, '\x1f'-separated */
	const char	*terms;
	int64_t		 published;	/* STORE_NODATE when unknown */
	int64_t		 updated;	/* STORE_NODATE when unknown */
	int64_t		 sort_date;
	const char	*source_name;
	const char	*source_url;	/* the feed's URL */
	const char	*source_title;
	const char	*source_link;
	const char	*source_feed_id;
	int64_t		 source_updated;	/* STORE_NODATE when unknown */
	/* when we stored the last edit, or STORE_NODATE */
	int64_t		 edited;
	const struct store_via *via;	/* later publishers of the same story */
	size_t		 nvia;
};
typedef int (*store_item_cb)(const struct store_item *, void *);

/*
 * Calls CB for at most LIMIT entries of CATEGORY (NULL: every active
 * source), newest first.  A story published by several sources is shown
 * once, as its first publisher's entry with the others in via.  Stops
 * early when CB returns nonzero.  Returns the number of entries visited,
 * or -1 on error.
 */
int		 store_each(struct store *, const char *category, int limit,
		     store_item_cb, void *);

/* One source's health and counters, valid only during the callback. */
struct store_source_info {
	const char	*name;
	const char	*url;
	const char	*cur_url;	/* NULL unless a redirect was adopted */
	const char	*title;
	const char	*state;
	const char	*last_error;
	int64_t		 last_attempt;
	int64_t		 last_success;
	int64_t		 failing_since;
	int64_t		 next_poll;
	int		 last_status;
	int		 failures;
	int64_t		 entries;
	int		 active;
	/* "guid", "link", "link+date", "hash" */
	const char	*id_rule;
	const char	*redirect_url;	/* permanent redirect being confirmed */
	int		 redirect_count;
	int		 retired;
};
typedef int (*store_source_cb)(const struct store_source_info *, void *);

/* One poll record, valid only during the callback. */
struct store_poll_info {
	int64_t		 at;
	int		 status;	/* 0: no response */
	int64_t		 bytes;
	int64_t		 duration_ms;
	int		 new;
	int		 updated;
	const char	*state;		/* NULL in records before the column */
	const char	*error;
	int64_t		 next_poll;	/* 0 when unknown */
};
typedef int (*store_poll_cb)(const struct store_poll_info *, void *);

/* Poll records kept per source; older ones are pruned as new ones come. */
#define STORE_POLLS_KEPT	100

/*
 * Calls CB for the LIMIT most recent poll records of SOURCE, newest first.
 * Returns the number visited, or -1 on error (an unknown source has none).
 */
int		 store_polls_each(struct store *, const char *source, int limit,
		     store_poll_cb, void *);

/* Calls CB for each active source, by name.  -1 on error. */
int		 store_sources_each(struct store *, store_source_cb, void *);

/*
 * Number of entries in CATEGORY (NULL: all active), and the newest sort date.
 */
int		 store_category_stats(struct store *, const char *category,
		     int64_t *count, int64_t *newest);

/*
 * Deletes the entries REF names (a numeric entry id, else every entry whose
 * guid or link is REF) and leaves tombstones so they never come back.
 * Returns how many were deleted, or -1 on error.
 */
int		 store_delete(struct store *, const char *ref);

/*
 * Fills KEYS (DOC->nentries slots) with the identity each entry of DOC
 * would be stored under, as store_poll_done decides it for a new source,
 * without touching a database; `feedmux try` shows them.  Caller frees
 * each key.  -1 when out of memory (nothing left allocated).
 */
int		 store_preview_keys(const struct doc *, char **keys);

/*
 * Views for republishing.  A view is a category, one source, or every
 * active source (both names NULL).  Its order is (sort_date, id), newest
 * first; a cursor is the position of the last entry a page showed.
 */
struct store_view {
	const char	*category;
	const char	*source;
};
struct store_cursor {
	int64_t		 sort_date;
	int64_t		 id;
};

/*
 * Calls CB for at most LIMIT entries of the view older than BEFORE (NULL:
 * from the newest).  Returns the number visited, or -1 on error.
 */
int		 store_view_page(struct store *, const struct store_view *,
		     const struct store_cursor *before, int limit,
		     store_item_cb, void *);

/*
 * Calls CB for at most LIMIT entries of the view in the order they
 * arrived (first seen, then oldest first within one poll), skipping the
 * first OFFSET: new entries append, so a full archive page keeps its
 * entries.  Number visited, or -1.
 */
int		 store_view_archive(struct store *, const struct store_view *,
		     int64_t offset, int limit, store_item_cb, void *);

struct store_view_stats {
	int64_t		 count;		/* visible entries */
	int64_t		 newest;	/* largest sort date, 0 when empty */
	/* earliest next poll of its sources, 0: none */
	int64_t		 next_poll;
};
int		 store_view_stats(struct store *, const struct store_view *,
		     struct store_view_stats *);
/* Only the earliest next poll of V's sources (0: none): one cheap query. */
int		 store_view_next_poll(struct store *, const struct store_view *,
		     int64_t *);

/* Poll counters of one source for /metrics, valid during the callback. */
struct store_source_metrics {
	const char	*name;
	const char	*state;
	int64_t		 last_success;	/* 0: never */
	int		 failures;	/* consecutive */
	int		 last_status;	/* 0: no response yet */
	int64_t		 polls;
	int64_t		 polls_304;
	int64_t		 bytes;		/* body bytes received, all polls */
	int64_t		 new_entries;	/* all polls */
	int64_t		 entries;	/* stored now */
};
typedef int (*store_metrics_cb)(const struct store_source_metrics *, void *);

/* Calls CB for each active source, by name.  -1 on error. */
int		 store_metrics_each(struct store *, store_metrics_cb, void *);

/* Database size in bytes, or -1. */
int64_t		 store_size(struct store *);

/* Proves the database takes a write now (one tiny transaction); 0 or -1. */
int		 store_check_writable(struct store *, int64_t now);

/* A consistent copy of the database in PATH.  -1 with *ERR set on error. */
int		 store_backup(struct store *, const char *path, char **err);

#endif

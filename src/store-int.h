/*
 * store-int: what store.c shares with store-reclass.c and nobody else:
 * the database handle, the category rules store was given, and the hook
 * that sorts one stored entry into its categories.
 */
#ifndef FEEDMUX_STORE_INT_H
#define FEEDMUX_STORE_INT_H

#include <stdint.h>

struct classify;
struct conf_source;
struct db;
struct doc_entry;
struct store;

struct db	*store_db(struct store *);
struct classify	*store_classify(struct store *);

/* Entries store_class_entry sorted while a re-sort was being evaluated. */
struct store_dirty {
	int64_t		*id;
	size_t		 n;
	size_t		 cap;
	int		 on;
	int		 ckpt;		/* wal_autocheckpoint to restore */
	unsigned	 lost;		/* db_hold_losses at the last flush */
	/*
	 * 1 + N at the last time an entry may have gone or left a category
	 * (deleted or aged here, or another connection committed): batches
	 * marked at N or before check that their entries still exist and
	 * read their memberships again.  0: none since the mark.
	 */
	size_t		 gone;
	int64_t		 version;	/* db_data_version when last read */
	int		 deleted;	/* maybe not committed yet */
};
struct store_dirty	*store_dirty(struct store *);

/*
 * entry_category names a category by the category table's integer id.
 * A map between those ids and the indexes of a classify, loaded from one
 * snapshot of the table (its rows are never deleted, so ids stay).
 */
struct store_catmap {
	int64_t		*id;		/* by classify index; 0: no row yet */
	int32_t		*idx;		/* by id: classify index, or -1 */
	size_t		 nidx;
	int		 loaded;
};
/* The loop's map for the rules store was given; see store_catmap_load. */
struct store_catmap	*store_catmap(struct store *);
/*
 * Loads M for CL from DB; with CREATE, first adds the rows the rules'
 * categories lack (inside the caller's write transaction).  0 or -1.
 */
int		 store_catmap_load(struct db *, const struct classify *,
		     struct store_catmap *, int create);
void		 store_catmap_clear(struct store_catmap *);

/*
 * Sorts stored entry ID (just inserted, or UPDATED in place) of source CS
 * into the categories the rules give it, from the parsed entry E and its
 * joined TERMS; keeps what classify reads but the entry row lacks
 * (language, labels).  Only with rules set.  -1 on a database error.
 */
int		 store_class_entry(struct store *, int64_t id,
		     const struct conf_source *, const struct doc_entry *e,
		     const char *terms, int64_t now, int updated);

/*
 * The same for a row that already holds its language and LABELS (a new
 * one, inserted with them) and sorts at SORT: no write of the row.  FRESH:
 * the row was just inserted, so it has no memberships to read.
 */
int		 store_class_sort(struct store *, int64_t id,
		     const struct conf_source *, const struct doc_entry *e,
		     const char *terms, const char *labels, int64_t sort,
		     int64_t now, int updated, int fresh);

/*
 * The publisher's labels that differ from their
 * terms, joined; NULL if none.  Caller frees.
 */
char		*store_class_labels(const struct doc_entry *);
/* The entry's language, or its content's; NULL if neither says. */
const char	*store_class_language(const struct doc_entry *);

#endif

/*
 * store-member: which categories each stored entry is in.  A membership is
 * kept twice: as a row of entry_category (category id, sort date, entry
 * id), which category feeds read in date order, and as a pair in its
 * entry's one row of entry_member, a JSON array of [category id, sort]
 * pairs that writes and deletions read.  That row replaced an index of
 * entry_category by entry: a re-sort that moves millions of memberships
 * writes one B-tree per change instead of two (1.46x fewer CPU seconds a
 * change in a micro-benchmark; the loop's, re-sorting 200,000 entries
 * with every rule replaced, 1.17x).
 * The pairs are written exactly as SQLite's json_array writes them (no
 * spaces), so SQL can find category C in an entry's row with
 * instr(cats, '[' || C || ','); the deletion trigger on entry reads the
 * row with json_each.  Every write of entry_category goes through here,
 * so the two stay one.  A row that is not such a list (a hand edit, a
 * damaged page) is rebuilt from entry_category when read: a scan of the
 * table, since nothing indexes it by entry, but only ever once.  Part of
 * store: only store.c and store-reclass.c use it, inside their
 * transactions.
 */
#ifndef FEEDMUX_STORE_MEMBER_H
#define FEEDMUX_STORE_MEMBER_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct sqlite3_stmt;

struct store_member {
	int64_t		 cat;		/* category id */
	int64_t		 sort;		/* its sort date in that category */
};

/* An entry's memberships: in FIXED while they fit. */
struct store_members {
	struct store_member	*v;
	size_t			 n;
	size_t			 cap;
	int			 changed;	/* since read: write it back */
	int			 stored;	/* the entry has a row */
	struct store_member	 fixed[16];
};

void	store_members_init(struct store_members *);
/* Frees what M allocated; M can be read into again after init. */
void	store_members_free(struct store_members *);

/*
 * Parses TEXT (LEN bytes; NULL: no row, none) into M, replacing what it
 * held.  -1 when TEXT is not a list of pairs of integers, -2 when out of
 * memory.
 */
int	store_members_parse(struct store_members *, const char *text,
	    size_t len);

/* Sets M to the N pairs at V (as read before).  -1 when out of memory. */
int	store_members_set(struct store_members *, const struct store_member *v,
	    size_t n);

/*
 * Parses column COL of ST's current row (entry ID's entry_member cats)
 * into M.  0, or 1 when the list was unreadable and M was rebuilt from
 * entry ID's rows in DB (the row still needs writing: store_members_read
 * on a writable connection does it), -1 on error.
 */
int	store_members_column(struct db *, struct sqlite3_stmt *st, int col,
	    int64_t id, struct store_members *);

/*
 * Reads entry ID's memberships from DB into M; an unreadable list is
 * rebuilt from the rows, written back and logged.  -1 on error.
 */
int	store_members_read(struct db *, int64_t id, struct store_members *);

/* Index of the pair (CAT, SORT) in M, or -1. */
long	store_members_find(const struct store_members *, int64_t cat,
	    int64_t sort);

/*
 * Adds entry ID to category CAT at SORT: the entry_category row and the
 * pair in M.  1 when a row was inserted, 0 when M had the pair or the row
 * was there (M has the pair now), -1 on error.
 */
int	store_members_add(struct db *, int64_t id, struct store_members *,
	    int64_t cat, int64_t sort);

/*
 * Takes entry ID out of category CAT at SORT: its entry_category row goes
 * and the pair leaves M if there (the last pair moves into its place).
 * 1 when a row was deleted, 0 when there was none, -1 on error.
 */
int	store_members_drop(struct db *, int64_t id, struct store_members *,
	    int64_t cat, int64_t sort);

/* Writes M as entry ID's entry_member row if it changed.  -1 on error. */
int	store_members_write(struct db *, int64_t id, struct store_members *);

/*
 * Adds gathered over several entries and inserted STORE_ADDQ rows to a
 * statement: a re-sort that moves every rule adds about a million rows,
 * and one statement a row spends much of its work starting and ending
 * statements (callgrind: 6,300 instructions an add alone, 3,900 in a
 * statement of 32).
 */
#define STORE_ADDQ	32

struct store_addq {
	int64_t		 row[STORE_ADDQ][3];	/* category, sort, entry */
	int32_t		 tag[STORE_ADDQ];	/* the caller's, handed back */
	size_t		 n;
};

/*
 * Told what a written queue did: TAGS[0..N-1] of its rows, CHANGED of
 * which were inserted (N unless the table had some already, as after a
 * hand edit: which ones is not known then).
 */
typedef void	store_addq_cb(void *arg, const int32_t *tags, size_t n,
		    size_t changed);

/*
 * As store_members_add, the row queued in Q with TAG and Q written (CB
 * told) when full.  1 when a row was queued, 0 when M had the pair, -1 on
 * error.
 */
int	store_members_add_q(struct db *, struct store_addq *, int64_t id,
	    struct store_members *, int64_t cat, int64_t sort, int32_t tag,
	    store_addq_cb *cb, void *arg);

/* Writes the rows left in Q, telling CB (may be NULL).  -1 on error. */
int	store_addq_write(struct db *, struct store_addq *, store_addq_cb *cb,
	    void *arg);

#endif

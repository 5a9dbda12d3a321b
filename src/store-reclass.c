/*
 * store-reclass: stored entries kept in the categories the rules give
 * them; see store-reclass.h.  Every change is a difference: the entry's
 * current memberships are read (store-member), and only rows that must go
 * are deleted and rows that must come inserted, so a re-evaluation that
 * changes nothing writes nothing.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "buf.h"
#include "classify.h"
#include "conf.h"
#include "db.h"
#include "doc.h"
#include "log.h"
#include "mono.h"
#include "store.h"
#include "store-int.h"
#include "store-member.h"
#include "store-reclass.h"

#define RECLASS_CHECK_EVERY	16	/* entries between clock reads */

static const char SQL_CATMAP[] =
    "SELECT id, name FROM category";
static const char SQL_CATMAP_ADD[] =
    "INSERT OR IGNORE INTO category (name) VALUES (?)";
static const char SQL_CLASS_META[] =
    "UPDATE entry SET language = ?, labels = ? WHERE id = ? "
    "RETURNING sort_date";
static const char SQL_RULES[] =
    "SELECT name, fingerprint FROM category_rules";
static const char SQL_RULES_CLEAR[] =
    "DELETE FROM category_rules";
static const char SQL_CKPT_GET[] =
    "PRAGMA wal_autocheckpoint";
static const char SQL_RULES_FORGET[] =
    "DELETE FROM category_rules WHERE name = ?";
static const char SQL_RULES_ADD[] =
    "INSERT INTO category_rules (name, fingerprint) VALUES (?, ?)";
static const char SQL_AGE[] =
    "SELECT entry_id, sort_date FROM entry_category WHERE category_id = ?"
    " AND sort_date < ?";

#define SQL_CLASS_COLUMNS \
    "SELECT e.id, e.title, e.title_type, e.summary, e.summary_type," \
    " e.content, e.content_type, e.terms, e.labels, e.language," \
    " e.sort_date, s.name, e.guid, e.link, s.active," \
    " (SELECT group_concat(name, ',') FROM (SELECT c.name FROM" \
    "  entry_member m, json_each(m.cats) j JOIN category c" \
    "  ON c.id = j.value ->> 0 WHERE m.entry_id = e.id ORDER BY c.id)) " \
    "FROM entry e JOIN source s ON s.id = e.source_id "
static const char SQL_CLASS_EVAL[] =
    "SELECT e.id, e.title, e.title_type, e.summary, e.summary_type,"
    " e.content, e.content_type, e.terms, e.labels, e.language,"
    " e.sort_date, s.name "
    "FROM entry e JOIN source s ON s.id = e.source_id "
    "WHERE e.id > ?1 AND e.id <= ?2 ORDER BY e.id";
/*
 * The memberships of the same range in the same order, read beside the
 * entries (one walk of entry_member) rather than looked up per entry.
 */
static const char SQL_CLASS_EVAL_ROWS[] =
    "SELECT entry_id, cats FROM entry_member"
    " WHERE entry_id > ?1 AND entry_id <= ?2 ORDER BY entry_id";
static const char SQL_LAST_ID[] =
    "SELECT max(id) FROM entry";
/*
 * Whether an entry is still stored, found by its date in entry_sort (a
 * date never changes): the index's pages stay in the cache, the entry
 * table's leaf (2 KiB of text an entry) would be read from the file.
 */
static const char SQL_CLASS_SNAP[] =
    "SELECT 1 FROM entry INDEXED BY entry_sort WHERE sort_date = ?1 "
    "AND id = ?2";
static const char SQL_CLASS_BY_ID[] = SQL_CLASS_COLUMNS
    "WHERE e.id = ?";
static const char SQL_CLASS_BY_KEY[] = SQL_CLASS_COLUMNS
    "WHERE e.guid = ?1 OR e.link = ?1 ORDER BY e.id";

static int	store_note_dirty(struct store_dirty *, int64_t);

void
store_catmap_clear(struct store_catmap *m)
{
	free(m->id);
	free(m->idx);
	memset(m, 0, sizeof *m);
}

int
store_catmap_load(struct db *db, const struct classify *cl,
    struct store_catmap *m, int create)
{
	sqlite3_stmt	*st;
	size_t		 ncat = classify_count(cl);
	int64_t		 id;
	int32_t		*v;
	int		 rc, i;

	store_catmap_clear(m);
	for (size_t c = 0; create && c < ncat; c++) {
		if ((st = db_stmt(db, SQL_CATMAP_ADD)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, classify_name(cl, c), -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	if ((m->id = calloc(ncat + 1, sizeof *m->id)) == NULL ||
	    (st = db_stmt(db, SQL_CATMAP)) == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		/* Ids are the table's rowids, one per category ever named. */
		if (id <= 0 || id > INT32_MAX)
			continue;
		if ((size_t)id >= m->nidx) {
			size_t n = (size_t)id * 2 + 16;

			if ((v = realloc(m->idx, n * sizeof *v)) == NULL) {
				sqlite3_reset(st);
				goto fail;
			}
			for (size_t k = m->nidx; k < n; k++)
				v[k] = -1;
			m->idx = v;
			m->nidx = n;
		}
		i = classify_find(cl, (const char *)sqlite3_column_text(st, 1));
		m->idx[id] = i;
		if (i >= 0)
			m->id[i] = id;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	m->loaded = 1;
	return 0;
fail:
	store_catmap_clear(m);
	return -1;
}

/* The classify index of category ID in M, or -1 (not in the rules). */
static int
rc_catidx(const struct store_catmap *m, int64_t id)
{
	return id > 0 && (uint64_t)id < m->nidx ? m->idx[id] : -1;
}

/* The loop's map, loaded (and missing rows added) at its first use. */
static struct store_catmap *
rc_loopmap(struct store *s)
{
	struct store_catmap	*m = store_catmap(s);

	if (!m->loaded && store_catmap_load(store_db(s), store_classify(s), m,
	    1) == -1)
		return NULL;
	return m;
}

/*
 * Makes entry ID's memberships match IN (one flag per category of CL):
 * takes it out of categories it left (or that no longer exist), adds it to
 * categories it joined at SORT, and with BUMP moves it to NOW in the
 * categories with updates_bump.  FRESH: it has no memberships yet (just
 * inserted; a deleted entry's went with it), none are read.  Adds to
 * *ADDED and *REMOVED.
 */
static int
store_class_diff(struct store *s, int64_t id, const unsigned char *in,
    int64_t sort, int bump, int fresh, int64_t now, int64_t *added,
    int64_t *removed)
{
	struct db		*db = store_db(s);
	struct classify		*cl = store_classify(s);
	struct store_catmap	*m;
	struct store_members	 mem;
	size_t			 ncat = classify_count(cl);
	unsigned char		 seenbuf[256], *seen = seenbuf;
	int			 ret = -1, i;

	if ((m = rc_loopmap(s)) == NULL)
		return -1;
	store_members_init(&mem);
	if (!fresh && store_members_read(db, id, &mem) == -1)
		goto done;
	if (ncat > sizeof seenbuf && (seen = malloc(ncat)) == NULL)
		goto done;
	memset(seen, 0, ncat);

	/*
	 * seen[i]: 1 kept as it is, 2 moved to the top (bumped).  A drop
	 * moves the last pair into K, which is looked at next.
	 */
	for (size_t k = 0; k < mem.n;) {
		const struct store_member p = mem.v[k];

		i = rc_catidx(m, p.cat);
		if (i >= 0 && in[i] && !seen[i]) {
			seen[i] = 1;
			if (!bump || !classify_updates_bump(cl, (size_t)i) ||
			    p.sort == now) {
				k++;
				continue;
			}
			seen[i] = 2;
		} else
			(*removed)++;
		if (store_members_drop(db, id, &mem, p.cat, p.sort) == -1)
			goto done;
	}
	for (size_t c = 0; c < ncat; c++) {
		if (!in[c] || seen[c] == 1)
			continue;
		if (store_members_add(db, id, &mem, m->id[c], bump &&
		    classify_updates_bump(cl, c) ? now : sort) == -1)
			goto done;
		if (seen[c] == 0)
			(*added)++;
	}
	ret = store_members_write(db, id, &mem);
done:
	store_members_free(&mem);
	if (seen != seenbuf)
		free(seen);
	return ret;
}

/*
 * Joins the labels that differ from their terms
 * with the separator, or NULL.  Caller frees.
 */
char *
store_class_labels(const struct doc_entry *e)
{
	size_t	 len = 0, n = 0;
	char	*s, *p;

	for (size_t i = 0; i < e->ncategories; i++) {
		const struct doc_category *c = &e->categories[i];

		if (c->label != NULL && *c->label != '\0' && (c->term == NULL ||
		    strcmp(c->term, c->label) != 0))
			len += strlen(c->label) + 1;
	}
	if (len == 0 || (s = p = malloc(len)) == NULL)
		return NULL;
	for (size_t i = 0; i < e->ncategories; i++) {
		const struct doc_category *c = &e->categories[i];

		if (c->label == NULL || *c->label == '\0' || (c->term != NULL &&
		    strcmp(c->term, c->label) == 0))
			continue;
		if (n++ > 0)
			*p++ = CLASSIFY_TERM_SEP;
		for (const char *q = c->label; *q != '\0'; q++)
			*p++ = *q == CLASSIFY_TERM_SEP ? ' ' : *q;
	}
	*p = '\0';
	return s;
}

/* TERMS and LABELS as one list for classify.  Caller frees; NULL if neither. */
static char *
store_class_terms(const char *terms, const char *labels, int *oom)
{
	char	*s;

	if (labels == NULL)
		return terms != NULL ? (s = strdup(terms)) != NULL ? s :
		    (*oom = 1, NULL) : NULL;
	if (terms == NULL)
		return (s = strdup(labels)) != NULL ? s : (*oom = 1, NULL);
	if (asprintf(&s, "%s%c%s", terms, CLASSIFY_TERM_SEP, labels) == -1) {
		*oom = 1;
		return NULL;
	}
	return s;
}

const char *
store_class_language(const struct doc_entry *e)
{
	if (e->language == NULL && e->ncontent > 0)
		return e->content[0].language;
	return e->language;
}

int
store_class_sort(struct store *s, int64_t id, const struct conf_source *cs,
    const struct doc_entry *e, const char *terms, const char *labels,
    int64_t sort, int64_t now, int updated, int fresh)
{
	struct classify		*cl = store_classify(s);
	struct classify_entry	 ce;
	unsigned char		 inbuf[256], *in = inbuf;
	char			*all;
	int64_t			 added = 0, removed = 0;
	int			 oom = 0, rc;

	if (cl == NULL)
		return 0;
	memset(&ce, 0, sizeof ce);
	ce.title = e->title;
	ce.title_type = e->title_type;
	ce.summary = e->summary;
	ce.summary_type = e->summary_type;
	if (e->ncontent > 0) {
		ce.content = e->content[0].value;
		ce.content_type = e->content[0].type;
	}
	ce.language = store_class_language(e);
	ce.source = cs->name;
	ce.date = sort;
	all = store_class_terms(terms, labels, &oom);
	if (oom)
		return -1;
	ce.terms = all;
	if (classify_count(cl) > sizeof inbuf &&
	    (in = malloc(classify_count(cl))) == NULL) {
		free(all);
		return -1;
	}
	classify_run(cl, &ce, now, in, NULL);
	rc = store_class_diff(s, id, in, sort, updated, fresh, now, &added,
	    &removed);
	if (rc == 0 && store_note_dirty(store_dirty(s), id) == -1)
		rc = -1;
	free(all);
	if (in != inbuf)
		free(in);
	return rc;
}

int
store_class_entry(struct store *s, int64_t id, const struct conf_source *cs,
    const struct doc_entry *e, const char *terms, int64_t now, int updated)
{
	struct db		*db = store_db(s);
	sqlite3_stmt		*st;
	const char		*language = store_class_language(e);
	char			*labels;
	int64_t			 sort;
	int			 rc;

	if (store_classify(s) == NULL)
		return 0;
	/* Keep what the rules read but the row lacks, for re-evaluation. */
	labels = store_class_labels(e);
	if ((st = db_stmt(db, SQL_CLASS_META)) == NULL) {
		free(labels);
		return -1;
	}
	if (language != NULL)
		sqlite3_bind_text(st, 1, language, -1, SQLITE_STATIC);
	if (labels != NULL)
		sqlite3_bind_text(st, 2, labels, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	rc = sqlite3_step(st);
	sort = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : now;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		free(labels);
		return -1;
	}
	rc = store_class_sort(s, id, cs, e, terms, labels, sort, now, updated,
	    0);
	free(labels);
	return rc;
}

/* Fills IT from a row of SQL_CLASS_COLUMNS; BUF holds the joined terms. */
static int
store_class_row(sqlite3_stmt *st, struct store_class_item *it, char **buf)
{
	const char	*terms = (const char *)sqlite3_column_text(st, 7);
	const char	*labels = (const char *)sqlite3_column_text(st, 8);
	int		 oom = 0;

	memset(it, 0, sizeof *it);
	it->id = sqlite3_column_int64(st, 0);
	it->entry.title = (const char *)sqlite3_column_text(st, 1);
	it->entry.title_type = (const char *)sqlite3_column_text(st, 2);
	it->entry.summary = (const char *)sqlite3_column_text(st, 3);
	it->entry.summary_type = (const char *)sqlite3_column_text(st, 4);
	it->entry.content = (const char *)sqlite3_column_text(st, 5);
	it->entry.content_type = (const char *)sqlite3_column_text(st, 6);
	it->entry.language = (const char *)sqlite3_column_text(st, 9);
	it->entry.date = sqlite3_column_int64(st, 10);
	it->entry.source = (const char *)sqlite3_column_text(st, 11);
	it->guid = (const char *)sqlite3_column_text(st, 12);
	it->link = (const char *)sqlite3_column_text(st, 13);
	it->active = sqlite3_column_int(st, 14);
	it->stored = (const char *)sqlite3_column_text(st, 15);
	free(*buf);
	*buf = NULL;
	if (labels == NULL) {
		it->entry.terms = terms;
		return 0;
	}
	*buf = store_class_terms(terms, labels, &oom);
	it->entry.terms = *buf;
	return oom ? -1 : 0;
}

/* One membership change of an evaluated entry. */
struct rc_op {
	int64_t		 sort;
	int64_t		 catid;		/* category the rules no longer have */
	int32_t		 cat;		/* index in the classify, or -1 */
	int		 add;
};

/*
 * One evaluated entry whose memberships change: ops[op0..op0+nop], and
 * the memberships it had when read: was[was0..was0+nwas].
 */
struct rc_diff {
	int64_t		 id;
	int64_t		 sort;		/* its sort_date */
	size_t		 op0;
	size_t		 nop;
	size_t		 was0;
	size_t		 nwas;
	int		 adds;		/* some of its ops add a row */
	int		 reread;	/* list rebuilt: the loop reads it */
};

struct store_reclass_batch {
	struct rc_diff	*d;
	size_t		 nd, capd;
	struct rc_op	*op;
	size_t		 nop, capop;
	struct store_member *was;
	size_t		 nwas, capwas;
	size_t		 applied;	/* diffs written so far */
	int64_t		 cursor;
	int64_t		 entries;	/* evaluated */
	int		 more;
};

struct store_reclass_reader {
	struct db		*db;
	struct store_catmap	 map;		/* reloaded with every batch */
	/* mono_usec() of the last checkpoint */
	int64_t			 checkpointed;
};

#define RECLASS_CHECKPOINT_US	250000	/* between the reader's checkpoints */

/* Notes that store sorted entry ID itself, while a re-sort is evaluated. */
static int
store_note_dirty(struct store_dirty *dy, int64_t id)
{
	int64_t	*v;

	if (!dy->on)
		return 0;
	if (dy->n == dy->cap) {
		if ((v = realloc(dy->id, (dy->cap * 2 + 64) * sizeof *v)) ==
		    NULL)
			return -1;
		dy->id = v;
		dy->cap = dy->cap * 2 + 64;
	}
	dy->id[dy->n++] = id;
	return 0;
}

/* Appends one change to B's last diff; -1 when out of memory. */
static int
rc_op_add(struct store_reclass_batch *b, int32_t cat, int64_t catid,
    int64_t sort, int add)
{
	struct rc_op	*v, *o;

	if (b->nop == b->capop) {
		if ((v = realloc(b->op, (b->capop * 2 + 256) * sizeof *v)) ==
		    NULL)
			return -1;
		b->op = v;
		b->capop = b->capop * 2 + 256;
	}
	o = &b->op[b->nop];
	o->catid = catid;
	o->cat = cat;
	o->sort = sort;
	o->add = add;
	b->nop++;
	b->d[b->nd - 1].nop++;
	b->d[b->nd - 1].adds |= add;
	return 0;
}

/* Copies M's pairs into B as what its last diff's entry had.  0 or -1. */
static int
rc_was_add(struct store_reclass_batch *b, const struct store_members *m)
{
	struct store_member	*v;
	size_t			 cap = b->capwas;

	while (b->nwas + m->n > cap)
		cap = cap * 2 + 256;
	if (cap != b->capwas) {
		if ((v = realloc(b->was, cap * sizeof *v)) == NULL)
			return -1;
		b->was = v;
		b->capwas = cap;
	}
	if (m->n > 0)
		memcpy(b->was + b->nwas, m->v, m->n * sizeof *v);
	b->nwas += m->n;
	b->d[b->nd - 1].nwas = m->n;
	return 0;
}

/* The entry_member rows of a range, stepped beside its entries. */
struct rc_rows {
	sqlite3_stmt		*st;
	int			 rc;		/* of its last step */
	struct store_members	 mem;		/* of the entry at hand */
	struct db		*db;		/* they are read from */
};

/*
 * Works out the changes of one entry into B: its stored memberships are
 * RR's row of ID (RR is left at the next entry's), IN what the rules
 * say now; only categories flagged in AFFECTED (NULL: all) and ones the
 * rules no longer have move.
 */
static int
rc_diff_entry(struct store_reclass_batch *b, struct classify *cl,
    const struct store_catmap *m, const unsigned char *affected, int64_t id,
    int64_t sort, struct rc_rows *rr, const unsigned char *in,
    unsigned char *seen)
{
	struct rc_diff	*v;
	size_t		 ncat = classify_count(cl), nd = b->nd;
	int		 i, ret = -1;

	if (b->nd == b->capd) {
		if ((v = realloc(b->d, (b->capd * 2 + 256) * sizeof *v)) ==
		    NULL)
			return -1;
		b->d = v;
		b->capd = b->capd * 2 + 256;
	}
	b->d[b->nd].id = id;
	b->d[b->nd].sort = sort;
	b->d[b->nd].adds = 0;
	b->d[b->nd].op0 = b->nop;
	b->d[b->nd].nop = 0;
	b->d[b->nd].was0 = b->nwas;
	b->d[b->nd].nwas = 0;
	b->d[b->nd].reread = 0;
	b->nd++;
	memset(seen, 0, ncat);
	/* Rows of no entry read (none in one snapshot, but never stuck). */
	while (rr->rc == SQLITE_ROW && sqlite3_column_int64(rr->st, 0) < id)
		rr->rc = sqlite3_step(rr->st);
	if (rr->rc != SQLITE_ROW && rr->rc != SQLITE_DONE)
		goto done;
	if (rr->rc == SQLITE_ROW && sqlite3_column_int64(rr->st, 0) == id) {
		if ((i = store_members_column(rr->db, rr->st, 1, id,
		    &rr->mem)) == -1)
			goto done;
		/* Unreadable, rebuilt from the rows: the loop mends it. */
		b->d[b->nd - 1].reread = i;
		rr->rc = sqlite3_step(rr->st);
	} else
		(void)store_members_parse(&rr->mem, NULL, 0);
	if (rc_was_add(b, &rr->mem) == -1)
		goto done;
	for (size_t k = 0; k < rr->mem.n; k++) {
		int64_t catid = rr->mem.v[k].cat;

		i = rc_catidx(m, catid);
		if (i >= 0 && seen[i] && affected != NULL && !affected[i])
			continue;
		if (i >= 0 && !seen[i] && (in[i] || (affected != NULL &&
		    !affected[i]))) {
			seen[i] = 1;	/* stays */
			continue;
		}
		if (rc_op_add(b, i, catid, rr->mem.v[k].sort, 0) == -1)
			goto done;
	}
	for (size_t c = 0; c < ncat; c++)
		if (in[c] && !seen[c] && (affected == NULL || affected[c]) &&
		    rc_op_add(b, (int32_t)c, 0, sort, 1) == -1)
			goto done;
	ret = 0;
done:
	/* Nothing to change (or mend): no diff at all. */
	if (b->nd > nd && b->d[b->nd - 1].nop == 0 &&
	    !b->d[b->nd - 1].reread) {
		b->nwas = b->d[b->nd - 1].was0;
		b->nd--;
	}
	return ret;
}

/*
 * Reads and evaluates entries of DB after CURSOR up to LAST (0: no end)
 * into B, for about BUDGET_US (-1: no limit).
 */
static int
rc_eval(struct db *db, struct classify *cl, const struct store_catmap *m,
    const unsigned char *affected, int64_t cursor, int64_t last,
    int64_t budget_us, int64_t now, struct store_reclass_batch *b)
{
	struct classify_entry	 ce;
	struct rc_rows		 rr;
	sqlite3_stmt		*st;
	unsigned char		 buf[512], *in = buf, *seen;
	size_t			 ncat = classify_count(cl);
	char			*all = NULL;
	int64_t			 start = mono_usec();
	int			 rc, oom = 0, ret = -1;

	b->cursor = cursor;
	b->more = 0;
	rr.st = NULL;
	rr.rc = SQLITE_DONE;
	rr.db = db;
	store_members_init(&rr.mem);
	if (ncat > sizeof buf / 2 && (in = malloc(2 * ncat)) == NULL)
		return -1;
	seen = in + ncat;
	if ((st = db_stmt(db, SQL_CLASS_EVAL)) == NULL ||
	    (rr.st = db_stmt(db, SQL_CLASS_EVAL_ROWS)) == NULL)
		goto done;
	if (last <= 0)
		last = INT64_MAX;
	sqlite3_bind_int64(st, 1, cursor);
	sqlite3_bind_int64(st, 2, last);
	sqlite3_bind_int64(rr.st, 1, cursor);
	sqlite3_bind_int64(rr.st, 2, last);
	rr.rc = sqlite3_step(rr.st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *terms = (const char *)sqlite3_column_text(st, 7);
		const char *labels = (const char *)sqlite3_column_text(st, 8);

		memset(&ce, 0, sizeof ce);
		ce.title = (const char *)sqlite3_column_text(st, 1);
		ce.title_type = (const char *)sqlite3_column_text(st, 2);
		ce.summary = (const char *)sqlite3_column_text(st, 3);
		ce.summary_type = (const char *)sqlite3_column_text(st, 4);
		ce.content = (const char *)sqlite3_column_text(st, 5);
		ce.content_type = (const char *)sqlite3_column_text(st, 6);
		ce.language = (const char *)sqlite3_column_text(st, 9);
		ce.date = sqlite3_column_int64(st, 10);
		ce.source = (const char *)sqlite3_column_text(st, 11);
		free(all);
		all = NULL;
		if (labels == NULL)
			ce.terms = terms;
		else if ((ce.terms = all = store_class_terms(terms, labels,
		    &oom)) == NULL && oom)
			goto done;
		if (affected != NULL)
			classify_run_some(cl, &ce, now, in, affected);
		else
			classify_run(cl, &ce, now, in, NULL);
		if (rc_diff_entry(b, cl, m, affected,
		    sqlite3_column_int64(st, 0), ce.date, &rr, in,
		    seen) == -1)
			goto done;
		b->cursor = sqlite3_column_int64(st, 0);
		if (++b->entries % RECLASS_CHECK_EVERY == 0 && budget_us >= 0 &&
		    mono_usec() - start >= budget_us) {
			b->more = 1;
			break;
		}
	}
	if (b->more || rc == SQLITE_DONE)
		ret = 0;
	sqlite3_reset(st);
done:
	if (rr.st != NULL)
		sqlite3_reset(rr.st);
	store_members_free(&rr.mem);
	free(all);
	if (in != buf)
		free(in);
	return ret;
}

/*
 * Notes another connection's commit since the last look (it may have
 * deleted entries): whatever was marked until now checks again.  -1 when
 * the version could not be read (then it counts as changed).
 */
static int
store_gone_since(struct store *s)
{
	struct store_dirty	*dy = store_dirty(s);
	int64_t			 v = db_data_version(store_db(s));

	if (v != dy->version || v == -1) {
		if (dy->on)
			dy->gone = dy->n + 1;
		dy->version = v;
	}
	return v == -1 ? -1 : 0;
}

/* Whether entry ID is in the ids store sorted itself since MARK. */
static int
rc_dirty(const struct store_dirty *dy, size_t mark, int64_t id)
{
	for (size_t k = mark; k < dy->n; k++)
		if (dy->id[k] == id)
			return 1;
	return 0;
}

/* What rc_apply's queued adds are counted in. */
struct rc_count {
	struct store_reclass_stats	*stats;
	unsigned char			*touched;
};

/*
 * A queue of adds written.  Should the table have had some of its rows
 * (a hand edit), which is not known: each row's category is refreshed.
 */
static void
rc_added(void *arg, const int32_t *tags, size_t n, size_t changed)
{
	struct rc_count	*ct = arg;

	ct->stats->added += (int64_t)changed;
	for (size_t k = 0; ct->touched != NULL && k < n; k++)
		if (tags[k] >= 0)
			ct->touched[tags[k]] = 1;
}

/*
 * Writes B's changes for about BUDGET_US (0: all) inside the caller's
 * transaction, newest entry first: the daemon's re-sort goes from the
 * newest range down, and a batch cut by a commit keeps that order.
 */
static int
rc_apply(struct store *s, struct store_reclass_batch *b, size_t mark,
    int64_t budget_us, struct store_reclass_stats *stats,
    unsigned char *touched)
{
	struct db		*db = store_db(s);
	struct store_dirty	*dy = store_dirty(s);
	struct store_catmap	*m;
	struct store_members	 mem;
	struct store_addq	 q;
	struct rc_count		 ct = { stats, touched };
	sqlite3_stmt		*st;
	int64_t			 start = mono_usec();
	size_t			 done = 0;
	int			 rc, check, ret = -1;

	if ((m = rc_loopmap(s)) == NULL)
		return -1;
	q.n = 0;
	/*
	 * An entry can only be gone or moved since the batch was read if
	 * one was deleted or aged after its mark: through this connection
	 * (the TEMP trigger store_entry_gone, store_reclass_age) or another
	 * (data_version).  Otherwise the look-ups per entry are skipped
	 * (whether it exists: 8% of the loop when every rule is replaced;
	 * its list of memberships: 5%): the batch holds what they would say.
	 */
	if (store_gone_since(s) == -1)
		return -1;
	check = !dy->on || dy->gone > mark;
	store_members_init(&mem);
	for (; b->applied < b->nd; b->applied++) {
		const struct rc_diff *d = &b->d[b->nd - 1 - b->applied];

		if (budget_us > 0 && ++done % RECLASS_CHECK_EVERY == 0 &&
		    mono_usec() - start >= budget_us) {
			ret = 1;
			goto out;
		}
		if (dy->on && rc_dirty(dy, mark, d->id))
			continue;	/* sorted since, by the same rules */
		/*
		 * Gone since (deleted or expired): nothing to sort.  Only
		 * adds need to know: a gone entry's rows went with it.
		 */
		if (d->adds && check) {
			if ((st = db_stmt(db, SQL_CLASS_SNAP)) == NULL)
				goto out;
			sqlite3_bind_int64(st, 1, d->sort);
			sqlite3_bind_int64(st, 2, d->id);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc == SQLITE_DONE)
				continue;
			if (rc != SQLITE_ROW)
				goto out;
		}
		/*
		 * What it is in: as read with the batch, unless something
		 * other than store's own sorting may have changed it since
		 * (a deletion, ageing, another process), then as it is now.
		 */
		if ((check || d->reread ? store_members_read(db, d->id, &mem) :
		    store_members_set(&mem, b->was + d->was0, d->nwas)) == -1)
			goto out;
		for (size_t k = d->op0; k < d->op0 + d->nop; k++) {
			const struct rc_op *o = &b->op[k];

			/*
			 * A row read goes by its id; an add by the loop's map.
			 * Adds wait in Q (written before this returns): an
			 * entry's drops come before its adds, and no two
			 * entries share a row, so no change overtakes another
			 * of the same row.
			 */
			if (o->add) {
				if (store_members_add_q(db, &q, d->id, &mem,
				    m->id[o->cat], o->sort, o->cat, rc_added,
				    &ct) == -1)
					goto out;
				continue;
			}
			if ((rc = store_members_drop(db, d->id, &mem,
			    o->catid, o->sort)) == -1)
				goto out;
			if (rc == 0)
				continue;
			stats->removed++;
			if (touched != NULL && o->cat >= 0)
				touched[o->cat] = 1;
		}
		if (store_members_write(db, d->id, &mem) == -1)
			goto out;
	}
	ret = 0;
out:
	if (ret != -1 && store_addq_write(db, &q, rc_added, &ct) == -1)
		ret = -1;
	store_members_free(&mem);
	return ret;
}

struct store_reclass_reader *
store_reclass_reader_open(struct store *s, char **err)
{
	struct store_reclass_reader	*rd;
	sqlite3_stmt			*st;
	const char			*path;

	*err = NULL;
	if ((st = db_stmt(store_db(s), SQL_RULES)) == NULL ||
	    (path = sqlite3_db_filename(sqlite3_db_handle(st), "main")) ==
	    NULL || *path == '\0') {
		*err = strdup("no database file to read from");
		return NULL;
	}
	if ((rd = calloc(1, sizeof *rd)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	if ((rd->db = db_open(path, 0, err)) == NULL) {
		free(rd);
		return NULL;
	}
	rd->checkpointed = mono_usec();
	return rd;
}

void
store_reclass_reader_close(struct store_reclass_reader *rd)
{
	if (rd == NULL)
		return;
	db_close(rd->db);
	store_catmap_clear(&rd->map);
	free(rd);
}

struct store_reclass_batch *
store_reclass_eval(struct store_reclass_reader *rd, struct classify *cl,
    const unsigned char *affected, int64_t from, int64_t to, int64_t now,
    char **err)
{
	struct store_reclass_batch	*b;
	sqlite3_stmt			*st;
	sqlite3				*h;

	*err = NULL;
	if ((b = calloc(1, sizeof *b)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	/* Off the loop nothing logs: errors go back in *ERR. */
	if ((st = db_stmt(rd->db, SQL_RULES)) == NULL) {
		*err = strdup("cannot prepare a statement");
		store_reclass_batch_free(b);
		return NULL;
	}
	h = sqlite3_db_handle(st);
	/* One read transaction: the entries and their rows agree. */
	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    store_catmap_load(rd->db, cl, &rd->map, 0) == -1 ||
	    rc_eval(rd->db, cl, &rd->map, affected, from, to, -1, now,
	    b) == -1) {
		*err = strdup(db_errmsg(rd->db));
		db_reset_all(rd->db);
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		store_reclass_batch_free(b);
		return NULL;
	}
	db_reset_all(rd->db);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	/*
	 * The loop's commits of a re-sort fill the WAL fast; checkpointing
	 * here, passively, keeps that copying and its fsync off the loop.
	 */
	if (mono_usec() - rd->checkpointed >= RECLASS_CHECKPOINT_US) {
		sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE,
		    NULL, NULL);
		rd->checkpointed = mono_usec();
	}
	return b;
}

int64_t
store_reclass_last(struct store *s)
{
	sqlite3_stmt	*st;
	int64_t		 id;

	if ((st = db_stmt(store_db(s), SQL_LAST_ID)) == NULL)
		return -1;
	id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return id;
}

void
store_reclass_batch_free(struct store_reclass_batch *b)
{
	if (b == NULL)
		return;
	free(b->op);
	free(b->d);
	free(b->was);
	free(b);
}

int64_t
store_reclass_batch_entries(const struct store_reclass_batch *b)
{
	return b->entries;
}

int
store_reclass_batch_each(struct store *s, const struct store_reclass_batch *b,
    store_reclass_change_cb *cb, void *arg)
{
	struct store_catmap	*m;
	int			 rc;

	if ((m = rc_loopmap(s)) == NULL)
		return -1;
	for (size_t k = b->nd; k-- > 0;) {
		const struct rc_diff *d = &b->d[k];

		for (size_t j = d->op0; j < d->op0 + d->nop; j++) {
			const struct rc_op *o = &b->op[j];

			if ((rc = cb(arg, o->add ? m->id[o->cat] : o->catid,
			    o->sort, d->id, o->add)) != 0)
				return rc;
		}
	}
	return 0;
}

int
store_reclass_forget(struct store *s, const struct classify *cl,
    const unsigned char *affected)
{
	struct db	*db = store_db(s);
	sqlite3_stmt	*st;
	char		**gone = NULL, **v;
	size_t		 ngone = 0;
	int		 rc, ret = -1;

	if (db_begin(db) == -1)
		return -1;
	/* Categories the rules no longer have lose their rows too. */
	if ((st = db_stmt(db, SQL_RULES)) == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (classify_find(cl, name) >= 0)
			continue;
		if ((v = realloc(gone, (ngone + 1) * sizeof *v)) == NULL)
			break;
		gone = v;
		if ((gone[ngone] = strdup(name)) == NULL)
			break;
		ngone++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < classify_count(cl) + ngone; i++) {
		if (i < classify_count(cl) && !affected[i])
			continue;
		if ((st = db_stmt(db, SQL_RULES_FORGET)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, i < classify_count(cl) ?
		    classify_name(cl, i) : gone[i - classify_count(cl)], -1,
		    SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
	}
	if (db_commit(db) == -1)
		goto fail;
	ret = 0;
	goto done;
fail:
	log_warnx("database: recording category rules: %s", db_errmsg(db));
	db_rollback(db);
done:
	for (size_t i = 0; i < ngone; i++)
		free(gone[i]);
	free(gone);
	return ret;
}

size_t
store_reclass_mark(struct store *s)
{
	struct store_dirty	*dy = store_dirty(s);
	sqlite3_stmt		*st;

	if (!dy->on) {
		dy->lost = db_hold_losses(store_db(s));
		/*
		 * The reader checkpoints while a re-sort runs: the loop's
		 * commits must not stop to copy the WAL and fsync.
		 */
		dy->ckpt = -1;
		if ((st = db_stmt(store_db(s), SQL_CKPT_GET)) != NULL) {
			if (sqlite3_step(st) == SQLITE_ROW)
				dy->ckpt = sqlite3_column_int(st, 0);
			sqlite3_reset(st);
			if (dy->ckpt > 0)
				sqlite3_wal_autocheckpoint(
				    sqlite3_db_handle(st), 0);
		}
	}
	(void)store_gone_since(s);
	/*
	 * A deletion the loop has not committed yet is not in what the
	 * reader will see: this batch checks.  Once nothing is open, every
	 * deletion so far is.
	 */
	if (dy->deleted) {
		if (db_in_transaction(store_db(s)))
			dy->gone = dy->n + 1;
		else
			dy->deleted = 0;
	}
	dy->on = 1;
	return dy->n;
}

void
store_reclass_unmark(struct store *s)
{
	struct store_dirty	*dy = store_dirty(s);
	sqlite3_stmt		*st;

	if (dy->on && dy->ckpt > 0 &&
	    (st = db_stmt(store_db(s), SQL_CKPT_GET)) != NULL)
		sqlite3_wal_autocheckpoint(sqlite3_db_handle(st), dy->ckpt);
	dy->on = 0;
	dy->n = 0;
	dy->gone = 0;
}

int
store_reclass_apply(struct store *s, struct store_reclass_batch *b,
    size_t mark, int64_t budget_us, struct store_reclass_stats *stats,
    unsigned char *touched)
{
	struct db	*db = store_db(s);
	int		 more;

	if (store_classify(s) == NULL || b->applied == b->nd)
		return 0;
	if (db_hold_begin(db) == -1)
		goto fail;
	if ((more = rc_apply(s, b, mark, budget_us, stats, touched)) == -1)
		goto fail;
	return more;
fail:
	log_warnx("database: re-sorting categories: %s", db_errmsg(db));
	db_hold_rollback(db);
	return -1;
}

int
store_reclass_flush(struct store *s)
{
	struct store_dirty	*dy = store_dirty(s);
	struct db		*db = store_db(s);
	int			 rc;

	rc = db_hold_end(db);
	/* Another writer's begin commits a hold too, and may have failed. */
	if (db_hold_losses(db) != dy->lost) {
		dy->lost = db_hold_losses(db);
		rc = -1;
	}
	return rc;
}

int
store_reclass_step(struct store *s, int64_t *cursor, int64_t budget_us,
    int64_t now, struct store_reclass_stats *stats)
{
	struct db			*db = store_db(s);
	struct classify			*cl = store_classify(s);
	struct store_reclass_batch	*b = NULL;
	struct store_reclass_stats	 add = { 0, 0, 0 };
	unsigned char			 buf[256], *affected = buf;
	int				 more;

	if (cl == NULL)
		return 0;
	if (classify_count(cl) > sizeof buf &&
	    (affected = malloc(classify_count(cl))) == NULL)
		return -1;
	if ((b = calloc(1, sizeof *b)) == NULL)
		goto fail;
	if (*cursor == 0 && (store_reclass_affected(s, cl, affected) == -1 ||
	    store_reclass_forget(s, cl, affected) == -1))
		goto fail;
	if (db_begin(db) == -1 ||
	    store_reclass_affected(s, cl, affected) == -1 ||
	    rc_loopmap(s) == NULL ||
	    rc_eval(db, cl, store_catmap(s), affected, *cursor, 0, budget_us,
	    now, b) == -1 ||
	    rc_apply(s, b, store_dirty(s)->n, 0, &add, NULL) == -1 ||
	    db_commit(db) == -1)
		goto fail;
	more = b->more;
	*cursor = b->cursor;
	stats->entries += b->entries;
	stats->added += add.added;
	stats->removed += add.removed;
	store_reclass_batch_free(b);
	if (affected != buf)
		free(affected);
	return more;

fail:
	log_warnx("database: re-sorting categories: %s", db_errmsg(db));
	db_rollback(db);
	store_reclass_batch_free(b);
	if (affected != buf)
		free(affected);
	return -1;
}

int
store_reclass_affected(struct store *s, const struct classify *cl,
    unsigned char *affected)
{
	struct db	*db = store_db(s);
	sqlite3_stmt	*st;
	size_t		 n = classify_count(cl);
	int		 rc, i, count = 0;

	/* New until the table says otherwise. */
	memset(affected, 1, n);
	if ((st = db_stmt(db, SQL_RULES)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = classify_find(cl, (const char *)sqlite3_column_text(st, 0));
		if (i >= 0 && (uint64_t)sqlite3_column_int64(st, 1) ==
		    classify_fingerprint(cl, (size_t)i))
			affected[i] = 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	for (size_t k = 0; k < n; k++)
		count += affected[k];
	return count;
}

int
store_reclass_pending(struct store *s, const struct classify *cl)
{
	struct db	*db = store_db(s);
	sqlite3_stmt	*st;
	size_t		 n = classify_count(cl), known = 0;
	int		 rc, pending = 0, i;

	if ((st = db_stmt(db, SQL_RULES)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = classify_find(cl, (const char *)sqlite3_column_text(st, 0));
		if (i < 0 || (uint64_t)sqlite3_column_int64(st, 1) !=
		    classify_fingerprint(cl, (size_t)i))
			pending++;	/* removed or changed */
		if (i >= 0)
			known++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return pending + (int)(n - known);	/* plus the new ones */
}

int
store_reclass_done(struct store *s)
{
	struct db	*db = store_db(s);
	struct classify	*cl = store_classify(s);
	sqlite3_stmt	*st;

	if (cl == NULL)
		return 0;
	if (db_begin(db) == -1)
		return -1;
	if ((st = db_stmt(db, SQL_RULES_CLEAR)) == NULL ||
	    sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < classify_count(cl); i++) {
		if ((st = db_stmt(db, SQL_RULES_ADD)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, classify_name(cl, i), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)classify_fingerprint(cl, i));
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
	}
	if (db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	log_warnx("database: recording category rules: %s", db_errmsg(db));
	db_rollback(db);
	return -1;
}

/*
 * Reads the rows of category CATID older than BEFORE into A, as int64_t
 * pairs (entry id, sort date).
 */
static int
rc_aged_read(struct db *db, int64_t catid, int64_t before, struct buf *a)
{
	sqlite3_stmt	*st;
	int64_t		 row[2];
	int		 rc;

	buf_free(a);
	buf_init(a, SIZE_MAX / 2);
	if ((st = db_stmt(db, SQL_AGE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, catid);
	sqlite3_bind_int64(st, 2, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row[0] = sqlite3_column_int64(st, 0);
		row[1] = sqlite3_column_int64(st, 1);
		buf_add(a, row, sizeof row);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE && !a->failed ? 0 : -1;
}

int64_t
store_reclass_age(struct store *s, int64_t now)
{
	struct db		*db = store_db(s);
	struct classify		*cl = store_classify(s);
	struct store_catmap	*m;
	struct store_members	 mem;
	struct buf		 a;
	const int64_t		*v;
	int64_t			 n = 0;
	int			 rc;

	if (cl == NULL)
		return 0;
	if (db_begin(db) == -1)
		return -1;
	store_members_init(&mem);
	buf_init(&a, 0);
	if ((m = rc_loopmap(s)) == NULL)
		goto fail;
	for (size_t i = 0; i < classify_count(cl); i++) {
		if (classify_max_age(cl, i) <= 0)
			continue;
		/* Read first: the rows go while nothing walks them. */
		if (rc_aged_read(db, m->id[i], now - classify_max_age(cl, i),
		    &a) == -1)
			goto fail;
		v = (const int64_t *)(void *)a.data;
		for (size_t k = 0; k < a.len / sizeof *v; k += 2) {
			if (store_members_read(db, v[k], &mem) == -1 ||
			    (rc = store_members_drop(db, v[k], &mem, m->id[i],
			    v[k + 1])) == -1 ||
			    store_members_write(db, v[k], &mem) == -1)
				goto fail;
			n += rc;
		}
	}
	if (db_commit(db) == -1)
		goto fail;
	/* A batch read before this has memberships that may be gone. */
	if (n > 0 && store_dirty(s)->on)
		store_dirty(s)->gone = store_dirty(s)->n + 1;
	store_members_free(&mem);
	buf_free(&a);
	return n;
fail:
	log_warnx("database: ageing categories: %s", db_errmsg(db));
	db_rollback(db);
	store_members_free(&mem);
	buf_free(&a);
	return -1;
}

int
store_class_lookup(struct store *s, const char *key, store_class_cb cb,
    void *arg)
{
	struct db		*db = store_db(s);
	struct store_class_item	 it;
	sqlite3_stmt		*st;
	char			*buf = NULL;
	int			 rc, n = 0, byid;

	byid = *key != '\0' && strspn(key, "0123456789") == strlen(key) &&
	    strlen(key) < 19;
	if ((st = db_stmt(db, byid ? SQL_CLASS_BY_ID : SQL_CLASS_BY_KEY)) ==
	    NULL)
		return -1;
	if (byid)
		sqlite3_bind_int64(st, 1, strtoll(key, NULL, 10));
	else
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_class_row(st, &it, &buf) == -1) {
			rc = SQLITE_NOMEM;
			break;
		}
		n++;
		if (cb(&it, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	free(buf);
	if (rc != SQLITE_DONE)
		return -1;
	return n;
}

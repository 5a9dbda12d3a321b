/*
 * store-reclass: stored entries kept in the categories the rules give
 * them; see store-reclass.h.  Every change is a difference: the entry's
 * current rows in entry_category are read, and only rows that must go are
 * deleted and rows that must come inserted, so a re-evaluation that
 * changes nothing writes nothing.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "classify.h"
#include "conf.h"
#include "db.h"
#include "doc.h"
#include "log.h"
#include "store.h"
#include "store-int.h"
#include "store-reclass.h"

#define RECLASS_CHECK_EVERY	16	/* entries between clock reads */

static const char SQL_CLASS_ROWS[] =
    "SELECT category, sort_date FROM entry_category WHERE entry_id = ?";
static const char SQL_CLASS_DEL[] =
    "DELETE FROM entry_category WHERE category = ? AND sort_date = ? "
    "AND entry_id = ?";
static const char SQL_CLASS_ADD[] =
    "INSERT OR IGNORE INTO entry_category (category, sort_date, entry_id) "
    "VALUES (?, ?, ?)";
static const char SQL_CLASS_META[] =
    "UPDATE entry SET language = ?, labels = ? WHERE id = ? "
    "RETURNING sort_date";
static const char SQL_RULES[] =
    "SELECT name, fingerprint FROM category_rules";
static const char SQL_RULES_CLEAR[] =
    "DELETE FROM category_rules";
static const char SQL_RULES_ADD[] =
    "INSERT INTO category_rules (name, fingerprint) VALUES (?, ?)";
static const char SQL_AGE[] =
    "DELETE FROM entry_category WHERE category = ? AND sort_date < ?";

#define SQL_CLASS_COLUMNS \
    "SELECT e.id, e.title, e.title_type, e.summary, e.summary_type," \
    " e.content, e.content_type, e.terms, e.labels, e.language," \
    " e.sort_date, s.name, e.guid, e.link, s.active," \
    " (SELECT group_concat(category, ',') FROM entry_category" \
    "  WHERE entry_id = e.id) " \
    "FROM entry e JOIN source s ON s.id = e.source_id "
static const char SQL_CLASS_NEXT[] = SQL_CLASS_COLUMNS
    "WHERE e.id > ? ORDER BY e.id";
static const char SQL_CLASS_BY_ID[] = SQL_CLASS_COLUMNS
    "WHERE e.id = ?";
static const char SQL_CLASS_BY_KEY[] = SQL_CLASS_COLUMNS
    "WHERE e.guid = ?1 OR e.link = ?1 ORDER BY e.id";

/* One row of entry_category of the entry being sorted. */
struct row {
	char	*category;
	int64_t	 sort;
};

/*
 * Makes entry ID's rows match IN (one flag per category of CL): deletes
 * rows of categories it left (or that no longer exist), inserts rows for
 * categories it joined at SORT, and with BUMP moves it to NOW in the
 * categories with updates_bump.  Adds to *ADDED and *REMOVED.
 */
static int
store_class_diff(struct db *db, struct classify *cl, int64_t id,
    const unsigned char *in, int64_t sort, int bump, int64_t now,
    int64_t *added, int64_t *removed)
{
	sqlite3_stmt	*st;
	struct row	 fixed[16], *rows = fixed;
	size_t		 n = 0, cap = 16, ncat = classify_count(cl);
	unsigned char	 seenbuf[256], *seen = seenbuf;
	int		 rc, ret = -1, i;

	if ((st = db_stmt(db, SQL_CLASS_ROWS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			struct row *r = rows == fixed ? malloc(2 * cap *
			    sizeof *r) : realloc(rows, 2 * cap * sizeof *r);

			if (r == NULL)
				goto done;
			if (rows == fixed)
				memcpy(r, fixed, sizeof fixed);
			rows = r;
			cap *= 2;
		}
		rows[n].category = strdup((const char *)
		    sqlite3_column_text(st, 0));
		rows[n].sort = sqlite3_column_int64(st, 1);
		if (rows[n].category == NULL)
			goto done;
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto done;
	if (ncat > sizeof seenbuf && (seen = malloc(ncat)) == NULL)
		goto done;
	memset(seen, 0, ncat);

	/* seen[i]: 1 kept as it is, 2 moved to the top (bumped). */
	for (size_t k = 0; k < n; k++) {
		i = classify_find(cl, rows[k].category);
		if (i >= 0 && in[i] && !seen[i]) {
			seen[i] = 1;
			if (!bump || !classify_updates_bump(cl, (size_t)i) ||
			    rows[k].sort == now)
				continue;
			seen[i] = 2;
		} else
			(*removed)++;
		if ((st = db_stmt(db, SQL_CLASS_DEL)) == NULL)
			goto done;
		sqlite3_bind_text(st, 1, rows[k].category, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, rows[k].sort);
		sqlite3_bind_int64(st, 3, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto done;
	}
	for (size_t c = 0; c < ncat; c++) {
		if (!in[c] || seen[c] == 1)
			continue;
		if ((st = db_stmt(db, SQL_CLASS_ADD)) == NULL)
			goto done;
		sqlite3_bind_text(st, 1, classify_name(cl, c), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, bump && classify_updates_bump(cl, c) ?
		    now : sort);
		sqlite3_bind_int64(st, 3, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto done;
		if (seen[c] == 0)
			(*added)++;
	}
	ret = 0;
done:
	for (size_t k = 0; k < n; k++)
		free(rows[k].category);
	if (rows != fixed)
		free(rows);
	if (seen != seenbuf)
		free(seen);
	return ret;
}

/* Joins the labels that differ from their terms with the separator, or NULL.  Caller frees. */
static char *
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

int
store_class_entry(struct store *s, int64_t id, const struct conf_source *cs,
    const struct doc_entry *e, const char *terms, int64_t now, int updated)
{
	struct db		*db = store_db(s);
	struct classify		*cl = store_classify(s);
	struct classify_entry	 ce;
	sqlite3_stmt		*st;
	unsigned char		 inbuf[256], *in = inbuf;
	char			*labels, *all;
	int64_t			 sort, added = 0, removed = 0;
	int			 oom = 0, rc;

	if (cl == NULL)
		return 0;
	labels = store_class_labels(e);
	memset(&ce, 0, sizeof ce);
	ce.title = e->title;
	ce.title_type = e->title_type;
	ce.summary = e->summary;
	ce.summary_type = e->summary_type;
	if (e->ncontent > 0) {
		ce.content = e->content[0].value;
		ce.content_type = e->content[0].type;
	}
	ce.language = e->language;
	if (ce.language == NULL && e->ncontent > 0)
		ce.language = e->content[0].language;
	ce.source = cs->name;

	/* Keep what the rules read but the row lacks, for re-evaluation. */
	if ((st = db_stmt(db, SQL_CLASS_META)) == NULL) {
		free(labels);
		return -1;
	}
	if (ce.language != NULL)
		sqlite3_bind_text(st, 1, ce.language, -1, SQLITE_STATIC);
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
	ce.date = sort;
	all = store_class_terms(terms, labels, &oom);
	free(labels);
	if (oom)
		return -1;
	ce.terms = all;
	if (classify_count(cl) > sizeof inbuf &&
	    (in = malloc(classify_count(cl))) == NULL) {
		free(all);
		return -1;
	}
	classify_run(cl, &ce, now, in, NULL);
	rc = store_class_diff(db, cl, id, in, sort, updated, now, &added,
	    &removed);
	free(all);
	if (in != inbuf)
		free(in);
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

/* Microseconds on the monotonic clock. */
static int64_t
store_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
store_reclass_step(struct store *s, int64_t *cursor, int64_t budget_us,
    int64_t now, struct store_reclass_stats *stats)
{
	struct db		*db = store_db(s);
	struct classify		*cl = store_classify(s);
	struct store_class_item	 it;
	struct store_reclass_stats add = { 0, 0, 0 };
	sqlite3_stmt		*st;
	unsigned char		 inbuf[256], *in = inbuf;
	char			*buf = NULL;
	int64_t			 start = store_usec(), last = *cursor;
	int			 rc, more = 0;

	if (cl == NULL)
		return 0;
	if (classify_count(cl) > sizeof inbuf &&
	    (in = malloc(classify_count(cl))) == NULL)
		return -1;
	if (db_begin(db) == -1)
		goto fail;
	if ((st = db_stmt(db, SQL_CLASS_NEXT)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, *cursor);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_class_row(st, &it, &buf) == -1)
			goto fail;
		classify_run(cl, &it.entry, now, in, NULL);
		if (store_class_diff(db, cl, it.id, in, it.entry.date, 0, now,
		    &add.added, &add.removed) == -1)
			goto fail;
		last = it.id;
		if (++add.entries % RECLASS_CHECK_EVERY == 0 &&
		    store_usec() - start >= budget_us) {
			more = 1;
			break;
		}
	}
	if (!more && rc != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	if (db_commit(db) == -1)
		goto fail;
	free(buf);
	if (in != inbuf)
		free(in);
	*cursor = last;
	stats->entries += add.entries;
	stats->added += add.added;
	stats->removed += add.removed;
	return more;

fail:
	log_warnx("database: re-sorting categories: %s", db_errmsg(db));
	db_rollback(db);
	free(buf);
	if (in != inbuf)
		free(in);
	return -1;
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

int64_t
store_reclass_age(struct store *s, int64_t now)
{
	struct db	*db = store_db(s);
	struct classify	*cl = store_classify(s);
	sqlite3_stmt	*st;
	int64_t		 n = 0;

	if (cl == NULL)
		return 0;
	if (db_begin(db) == -1)
		return -1;
	for (size_t i = 0; i < classify_count(cl); i++) {
		if (classify_max_age(cl, i) <= 0)
			continue;
		if ((st = db_stmt(db, SQL_AGE)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, classify_name(cl, i), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now - classify_max_age(cl, i));
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		n += sqlite3_changes(sqlite3_db_handle(st));
	}
	if (db_commit(db) == -1)
		goto fail;
	return n;
fail:
	log_warnx("database: ageing categories: %s", db_errmsg(db));
	db_rollback(db);
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

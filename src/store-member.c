/*
 * store-member: an entry's memberships, in entry_category and in its
 * entry_member row; see store-member.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "store-member.h"

static const char SQL_MEMBER_GET[] =
    "SELECT cats FROM entry_member WHERE entry_id = ?";
static const char SQL_MEMBER_PUT[] =
    "INSERT OR REPLACE INTO entry_member (entry_id, cats) VALUES (?1, ?2)";
/* An update rewrites the row in place; a replace deletes and inserts. */
static const char SQL_MEMBER_SET[] =
    "UPDATE entry_member SET cats = ?2 WHERE entry_id = ?1";
static const char SQL_MEMBER_DROP[] =
    "DELETE FROM entry_member WHERE entry_id = ?";
/* No index by entry: a scan, for rebuilding an unreadable list only. */
static const char SQL_MEMBER_ROWS[] =
    "SELECT category_id, sort_date FROM entry_category WHERE entry_id = ?";
static const char SQL_ROW_ADD[] =
    "INSERT OR IGNORE INTO entry_category (category_id, sort_date, entry_id) "
    "VALUES (?, ?, ?)";
#define ROW1		"(?,?,?)"
#define ROW4		ROW1 "," ROW1 "," ROW1 "," ROW1
#define ROW16		ROW4 "," ROW4 "," ROW4 "," ROW4
/* STORE_ADDQ rows. */
static const char SQL_ROWS_ADD[] =
    "INSERT OR IGNORE INTO entry_category (category_id, sort_date, entry_id) "
    "VALUES " ROW16 "," ROW16;
static const char SQL_ROW_DEL[] =
    "DELETE FROM entry_category WHERE category_id = ? AND sort_date = ? "
    "AND entry_id = ?";

/* Longest text of one pair: "[", two int64s, ",", "]" and a ",". */
#define MEMBER_PAIRMAX	(2 * 20 + 4)

void
store_members_init(struct store_members *m)
{
	m->v = m->fixed;
	m->n = 0;
	m->cap = sizeof m->fixed / sizeof m->fixed[0];
	m->changed = 0;
	m->stored = 0;
}

void
store_members_free(struct store_members *m)
{
	if (m->v != m->fixed)
		free(m->v);
	store_members_init(m);
}

/* Room for CAP pairs in M.  -1 when out of memory. */
static int
store_members_grow_to(struct store_members *m, size_t cap)
{
	struct store_member	*v;

	if (cap <= m->cap)
		return 0;
	if (m->v == m->fixed) {
		if ((v = malloc(cap * sizeof *v)) == NULL)
			return -1;
		memcpy(v, m->fixed, m->n * sizeof *v);
	} else if ((v = realloc(m->v, cap * sizeof *v)) == NULL)
		return -1;
	m->v = v;
	m->cap = cap;
	return 0;
}

/* Room for one more pair in M.  -1 when out of memory. */
static int
store_members_grow(struct store_members *m)
{
	return m->n < m->cap ? 0 : store_members_grow_to(m, m->cap * 2);
}

/* Reads an integer at *P (before END) into *OUT and moves past it. */
static int
member_int(const char **p, const char *end, int64_t *out)
{
	const char	*q = *p;
	uint64_t	 v = 0;
	int		 neg = 0;

	if (q < end && *q == '-') {
		neg = 1;
		q++;
	}
	if (q == end || *q < '0' || *q > '9')
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*p = q;
	return 0;
}

/* Skips blanks at *P; returns the next character or 0 at END. */
static char
member_next(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == '\n' ||
	    **p == '\r'))
		(*p)++;
	return *p < end ? **p : '\0';
}

int
store_members_parse(struct store_members *m, const char *text, size_t len)
{
	const char	*p = text, *end = text + len;
	int64_t		 cat, sort;

	m->n = 0;
	m->changed = 0;
	m->stored = text != NULL;
	if (text == NULL)
		return 0;
	if (member_next(&p, end) != '[')
		return -1;
	p++;
	if (member_next(&p, end) == ']') {
		p++;
		return member_next(&p, end) == '\0' ? 0 : -1;
	}
	for (;;) {
		if (member_next(&p, end) != '[')
			return -1;
		p++;
		member_next(&p, end);
		if (member_int(&p, end, &cat) == -1 ||
		    member_next(&p, end) != ',')
			return -1;
		p++;
		member_next(&p, end);
		if (member_int(&p, end, &sort) == -1 ||
		    member_next(&p, end) != ']')
			return -1;
		p++;
		if (store_members_grow(m) == -1)
			return -2;
		m->v[m->n].cat = cat;
		m->v[m->n].sort = sort;
		m->n++;
		if (member_next(&p, end) == ',') {
			p++;
			continue;
		}
		if (member_next(&p, end) != ']')
			return -1;
		p++;
		return member_next(&p, end) == '\0' ? 0 : -1;
	}
}

/*
 * Rebuilds M from entry ID's rows of entry_category: its list was not
 * one.  M counts as stored (a row is there) and changed.
 */
static int
member_rebuild(struct db *db, int64_t id, struct store_members *m)
{
	sqlite3_stmt	*st;
	int		 rc;

	(void)store_members_parse(m, NULL, 0);
	if ((st = db_stmt(db, SQL_MEMBER_ROWS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_members_grow(m) == -1)
			break;
		m->v[m->n].cat = sqlite3_column_int64(st, 0);
		m->v[m->n].sort = sqlite3_column_int64(st, 1);
		m->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	m->stored = 1;
	m->changed = 1;
	return 0;
}

int
store_members_column(struct db *db, struct sqlite3_stmt *st, int col,
    int64_t id, struct store_members *m)
{
	switch (store_members_parse(m, (const char *)sqlite3_column_text(st,
	    col), (size_t)sqlite3_column_bytes(st, col))) {
	case 0:
		return 0;
	case -1:
		return member_rebuild(db, id, m) == 0 ? 1 : -1;
	default:
		return -1;
	}
}

int
store_members_read(struct db *db, int64_t id, struct store_members *m)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, SQL_MEMBER_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = store_members_column(db, st, 0, id, m);
	else if (rc == SQLITE_DONE) {
		(void)store_members_parse(m, NULL, 0);
		rc = 0;
	} else
		rc = -1;
	sqlite3_reset(st);
	if (rc != 1)
		return rc;
	/* Damage, or a hand edit: rebuilt from the rows, written back. */
	if (store_members_write(db, id, m) == -1)
		return -1;
	log_warnx("database: entry %" PRId64 ": its list of categories "
	    "(entry_member) was not readable; rebuilt from entry_category "
	    "(memberships: %zu)", id, m->n);
	return 0;
}

int
store_members_set(struct store_members *m, const struct store_member *v,
    size_t n)
{
	m->n = 0;
	m->changed = 0;
	m->stored = n > 0;	/* an empty list has no row */
	while (m->cap < n)
		if (store_members_grow_to(m, m->cap * 2) == -1)
			return -1;
	if (n > 0)
		memcpy(m->v, v, n * sizeof *v);
	m->n = n;
	return 0;
}

long
store_members_find(const struct store_members *m, int64_t cat, int64_t sort)
{
	for (size_t k = 0; k < m->n; k++)
		if (m->v[k].cat == cat && m->v[k].sort == sort)
			return (long)k;
	return -1;
}

/* Runs SQL (one of the two row statements) for (CAT, SORT, ID). */
static int
member_row(struct db *db, const char *sql, int64_t cat, int64_t sort,
    int64_t id)
{
	sqlite3_stmt	*st;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cat);
	sqlite3_bind_int64(st, 2, sort);
	sqlite3_bind_int64(st, 3, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	return sqlite3_changes(sqlite3_db_handle(st)) > 0;
}

/*
 * Whether the pair (CAT, SORT) is new to M: 1, with room made for it, 0
 * when M has it, -1 when out of memory.
 */
static int
member_new(struct store_members *m, int64_t cat, int64_t sort)
{
	if (store_members_find(m, cat, sort) != -1)
		return 0;
	return store_members_grow(m) == -1 ? -1 : 1;
}

/* Appends (CAT, SORT) to M, which member_new made room for. */
static void
member_append(struct store_members *m, int64_t cat, int64_t sort)
{
	m->v[m->n].cat = cat;
	m->v[m->n].sort = sort;
	m->n++;
	m->changed = 1;
}

int
store_members_add(struct db *db, int64_t id, struct store_members *m,
    int64_t cat, int64_t sort)
{
	int	 rc;

	if ((rc = member_new(m, cat, sort)) != 1 ||
	    (rc = member_row(db, SQL_ROW_ADD, cat, sort, id)) == -1)
		return rc;
	member_append(m, cat, sort);
	return rc;
}

int
store_members_drop(struct db *db, int64_t id, struct store_members *m,
    int64_t cat, int64_t sort)
{
	long	 k;
	int	 rc;

	if ((rc = member_row(db, SQL_ROW_DEL, cat, sort, id)) == -1)
		return -1;
	if ((k = store_members_find(m, cat, sort)) != -1) {
		m->v[k] = m->v[--m->n];
		m->changed = 1;
	}
	return rc;
}

int
store_addq_write(struct db *db, struct store_addq *q, store_addq_cb *cb,
    void *arg)
{
	sqlite3_stmt	*st;
	size_t		 changed = 0;
	int		 rc;

	if (q->n == 0)
		return 0;
	if (q->n == STORE_ADDQ) {
		if ((st = db_stmt(db, SQL_ROWS_ADD)) == NULL)
			return -1;
		for (size_t k = 0; k < q->n; k++)
			for (int j = 0; j < 3; j++)
				sqlite3_bind_int64(st, (int)(3 * k) + j + 1,
				    q->row[k][j]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		changed = (size_t)sqlite3_changes(sqlite3_db_handle(st));
	} else
		for (size_t k = 0; k < q->n; k++) {
			if ((rc = member_row(db, SQL_ROW_ADD, q->row[k][0],
			    q->row[k][1], q->row[k][2])) == -1)
				return -1;
			changed += (size_t)rc;
		}
	if (cb != NULL)
		cb(arg, q->tag, q->n, changed);
	q->n = 0;
	return 0;
}

int
store_members_add_q(struct db *db, struct store_addq *q, int64_t id,
    struct store_members *m, int64_t cat, int64_t sort, int32_t tag,
    store_addq_cb *cb, void *arg)
{
	int	 rc;

	if ((rc = member_new(m, cat, sort)) != 1)
		return rc;
	member_append(m, cat, sort);
	q->row[q->n][0] = cat;
	q->row[q->n][1] = sort;
	q->row[q->n][2] = id;
	q->tag[q->n] = tag;
	if (++q->n == STORE_ADDQ && store_addq_write(db, q, cb, arg) == -1)
		return -1;
	return 1;
}

/* Writes V (base 10) at P; returns the end. */
static char *
member_put(char *p, int64_t v)
{
	char		 tmp[24];
	size_t		 n = 0;
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	if (v < 0)
		*p++ = '-';
	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/*
 * Runs SQL for entry ID with TEXT (LEN bytes; NULL: none).  Rows changed,
 * or -1.
 */
static int
member_put_row(struct db *db, const char *sql, int64_t id, const char *text,
    size_t len)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (text != NULL)
		sqlite3_bind_text(st, 2, text, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? sqlite3_changes(sqlite3_db_handle(st)) : -1;
}

int
store_members_write(struct db *db, int64_t id, struct store_members *m)
{
	char		 buf[16 * MEMBER_PAIRMAX + 2], *text = buf, *p;
	int		 rc;

	if (!m->changed)
		return 0;
	if (m->n == 0) {
		if (m->stored && member_put_row(db, SQL_MEMBER_DROP, id, NULL,
		    0) == -1)
			return -1;
		m->stored = 0;
		m->changed = 0;
		return 0;
	}
	if (m->n * MEMBER_PAIRMAX + 2 > sizeof buf &&
	    (text = malloc(m->n * MEMBER_PAIRMAX + 2)) == NULL)
		return -1;
	p = text;
	*p++ = '[';
	for (size_t k = 0; k < m->n; k++) {
		if (k > 0)
			*p++ = ',';
		*p++ = '[';
		p = member_put(p, m->v[k].cat);
		*p++ = ',';
		p = member_put(p, m->v[k].sort);
		*p++ = ']';
	}
	*p++ = ']';
	/* A row thought missing is replaced, one thought there updated. */
	rc = m->stored ? member_put_row(db, SQL_MEMBER_SET, id, text,
	    (size_t)(p - text)) : 0;
	if (rc == 0)
		rc = member_put_row(db, SQL_MEMBER_PUT, id, text,
		    (size_t)(p - text));
	if (text != buf)
		free(text);
	if (rc == -1)
		return -1;
	m->stored = 1;
	m->changed = 0;
	return 0;
}

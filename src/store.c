/*
 * store: sources, entries, categories and poll records in SQLite; see
 * store.h.  Identity within a source follows a per-source rule (guid, link,
 * link+date, hash) that only ever falls back, logged once when it does; an
 * entry is matched by its key, else (GUID churn) by its story or title and
 * date among the source's recent entries.  Deleted entries leave tombstones
 * so they never come back.  Stories across sources are collapsed when a
 * view is read, so deleting or hiding the first publisher promotes the next.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "db.h"
#include "doc.h"
#include "fnv.h"
#include "log.h"
#include "store.h"
#include "uri.h"
#include "store-int.h"
#include "store-member.h"
#include "store-reclass.h"

/*
 * A date further ahead than this is a publisher pinning its entry to the top.
 */
#define STORE_FUTURE_TOLERANCE	(24 * 3600)
/* GUID churn only matches entries this recent (by sort date). */
#define STORE_CHURN_WINDOW	(30 * 24 * 3600)
/* Two entries with the same title are one story only this close in time. */
#define STORE_TITLE_WINDOW	(2 * 24 * 3600)
/* Shorter normalised titles are too generic ("Update") to be a story. */
#define STORE_TITLE_MIN		10
#define STORE_HASHLEN		16
#define STORE_TERM_SEP		'\x1f'
#define STORE_MAXVIA		16
#define STORE_VIABYTES		8192
/* Poll records kept per source. */

/* Identity rules, strongest first; a source only ever moves down. */
enum store_rule {
	RULE_GUID,
	RULE_LINK,
	RULE_LINKDATE,
	RULE_HASH
};
static const char *const store_rule_names[] = {
	"guid", "link", "link+date", "hash"
};
static const char *const store_rule_missing[] = {
	"entries without ids", "entries without links", "entries without links",
	""
};
static const char *const store_rule_repeated[] = {
	"ids repeated in one document", "links repeated in one document",
	"links and dates repeated in one document", ""
};

struct store {
	struct db		*db;
	/* category rules; NULL: sources' categories */
	struct classify		*cl;
	struct store_dirty	 dirty;	/* see store-reclass */
	struct store_catmap	 catmap;	/* category ids of cl */
	/* polls not stored since one was */
	int			 unstored;
	int			 batch;		/* in store_batch_begin/end */
	int			 batch_polls;	/* polls written in the batch */
	unsigned		 batch_lost;	/* db_batch_losses last seen */
	/* store_read_begin opened one */
	int			 reading;
};

static int	store_backfill(struct store *);
void
store_set_classify(struct store *s, struct classify *cl)
{
	/* Loaded at the first write that needs it, inside its transaction. */
	store_catmap_clear(&s->catmap);
	s->cl = cl;
}

struct store_catmap *
store_catmap(struct store *s)
{
	return &s->catmap;
}

struct classify *
store_classify(struct store *s)
{
	return s->cl;
}

struct db *
store_db(struct store *s)
{
	return s->db;
}

struct store_dirty *
store_dirty(struct store *s)
{
	return &s->dirty;
}

/* An entry row went (its TEMP trigger): a re-sort's batches look again. */
static void
store_entry_gone(void *arg)
{
	struct store_dirty	*dy = &((struct store *)arg)->dirty;

	dy->deleted = 1;
	if (dy->on)
		dy->gone = dy->n + 1;
}

struct store *
store_open(const char *path, int flags, char **err)
{
	struct store	*s;
	int		 dflags = 0;

	if ((s = calloc(1, sizeof *s)) == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	if (flags & STORE_READONLY)
		dflags |= DB_READONLY;
	if (flags & STORE_SYNC_FULL)
		dflags |= DB_SYNC_FULL;
	if ((s->db = db_open(path, dflags, err)) == NULL) {
		free(s);
		return NULL;
	}
	if (!(flags & STORE_READONLY) && store_backfill(s) == -1) {
		if (asprintf(err, "%s: filling in migrated entries: %s", path,
		    db_errmsg(s->db)) == -1)
			*err = NULL;
		store_close(s);
		return NULL;
	}
	if (!(flags & STORE_READONLY) &&
	    db_watch_deletes(s->db, "entry", store_entry_gone, s) == -1) {
		if (asprintf(err, "%s: %s", path, db_errmsg(s->db)) == -1)
			*err = NULL;
		store_close(s);
		return NULL;
	}
	/* Without it, SQLite's own checkpoints go on: slower, as correct. */
	if ((flags & STORE_CHECKPOINTER) && !(flags & STORE_READONLY))
		(void)db_checkpointer(s->db, flags & STORE_SYNC_FULL);
	return s;
}

void
store_batch_begin(struct store *s)
{
	/* The polls of a parked batch still count: they commit with these. */
	s->batch = 1;
	db_batch_begin(s->db);
}

void
store_batch_park(struct store *s)
{
	s->batch = 0;
	db_batch_park(s->db);
}

/* After the commit of a batch of N polls that returned RC. */
static int
store_batch_done(struct store *s, int n, int rc)
{
	/* Another write's commit of them may have failed before this one. */
	if (db_batch_losses(s->db) != s->batch_lost) {
		s->batch_lost = db_batch_losses(s->db);
		rc = -1;
	}
	if (rc == -1) {
		if (s->unstored == 0)
			log_warnx("database: %s; polls are not stored until it "
			    "is resolved, each is fetched again later",
			    db_errmsg(s->db));
		s->unstored += n;
		return -1;
	}
	if (n > 0 && s->unstored > 0) {
		log_info("database: polls are stored again (%d were not and "
		    "are fetched again)", s->unstored);
		s->unstored = 0;
	}
	return 0;
}

int
store_batch_polls(const struct store *s)
{
	return s->batch_polls;
}

int
store_flush(struct store *s)
{
	int	n = s->batch_polls;

	if (s->batch)
		return 0;
	s->batch_polls = 0;
	return store_batch_done(s, n, db_batch_flush(s->db));
}

/*
 * In a batch a poll's own write only reaches the disk at this commit, so
 * here is where a full disk or a lock is seen, and where the "not stored"
 * and "stored again" lines are decided for the whole batch.
 */
int
store_batch_end(struct store *s)
{
	int	n = s->batch_polls;

	s->batch = 0;
	s->batch_polls = 0;
	return store_batch_done(s, n, db_batch_end(s->db));
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	db_close(s->db);
	free(s->dirty.id);
	store_catmap_clear(&s->catmap);
	free(s);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int64_t
col_date(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return STORE_NODATE;
	return sqlite3_column_int64(st, i);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_date(sqlite3_stmt *st, int i, int64_t v)
{
	if (v != DOC_NODATE)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no rows; 0 or -1. */
static int
store_step_done(sqlite3_stmt *st)
{
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

/* The source's categories joined with commas, as kept in source.categories. */
static char *
store_join_categories(const struct conf_source *cs)
{
	size_t	 len = 1;
	char	*s;

	for (size_t i = 0; i < cs->ncategories; i++)
		len += strlen(cs->categories[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < cs->ncategories; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, cs->categories[i]);
	}
	return s;
}

static const char SQL_SOURCE_CATS[] =
    "SELECT categories FROM source WHERE name = ?";
/* A new configured URL forgets redirects and un-retires a gone source. */
static const char SQL_SOURCE_UPSERT[] =
    "INSERT INTO source (name, url, categories, active) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (name) DO UPDATE SET active = 1, removed_at = NULL, "
    "categories = excluded.categories, "
    "cur_url = CASE WHEN url = excluded.url THEN cur_url ELSE NULL END, "
    "redirect_url = CASE WHEN url = excluded.url THEN redirect_url"
    " ELSE NULL END, "
    "redirect_count = CASE WHEN url = excluded.url THEN redirect_count"
    " ELSE 0 END, "
    "state = CASE WHEN url = excluded.url OR retired = 0 THEN state"
    " ELSE 'new' END, "
    "next_poll = CASE WHEN url = excluded.url OR retired = 0 THEN next_poll"
    " ELSE NULL END, "
    "retired = CASE WHEN url = excluded.url THEN retired ELSE 0 END, "
    "url = excluded.url "
    /* An unchanged source is not written again on every start and reload. */
    "WHERE active IS NOT 1 OR removed_at IS NOT NULL"
    " OR categories IS NOT excluded.categories OR url IS NOT excluded.url";
static const char SQL_CATEGORY_UPSERT[] =
    "INSERT INTO category (name, updates_bump) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET updates_bump = excluded.updates_bump";
/* A source's entries, with the date each sorts at in a category that bumps. */
static const char SQL_RECAT_ENTRIES[] =
    "SELECT e.id, e.sort_date, CASE WHEN e.changed > e.first_seen"
    " THEN max(e.sort_date, e.changed) ELSE e.sort_date END "
    "FROM entry e JOIN source s ON s.id = e.source_id WHERE s.name = ?";
static const char SQL_CATEGORY_ID[] =
    "SELECT id, updates_bump FROM category WHERE name = ?";
static const char SQL_SOURCE_DEACTIVATE[] =
    "UPDATE source SET active = 0, removed_at = ?2"
    " WHERE active = 1 AND name = ?1";
/* Sources out of the config for longer than removed_keep, and all they had. */
static const char SQL_SOURCE_PURGE[] =
    "DELETE FROM source WHERE active = 0 AND removed_at IS NOT NULL"
    " AND removed_at < ?";
static const char SQL_SOURCE_ACTIVE[] =
    "SELECT name FROM source WHERE active = 1";

/* A category a source lists: its id (0: no row) and whether it bumps. */
struct store_catid {
	int64_t		 id;
	int		 bumps;
};

/*
 * The categories source CS lists, CS->ncategories
 * of them.  NULL on error; caller frees.
 */
static struct store_catid *
store_source_catids(struct store *s, const struct conf_source *cs)
{
	struct store_catid	*c;
	sqlite3_stmt		*st;
	int			 rc;

	if ((c = calloc(cs->ncategories + 1, sizeof *c)) == NULL)
		return NULL;
	for (size_t i = 0; i < cs->ncategories; i++) {
		if ((st = db_stmt(s->db, SQL_CATEGORY_ID)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, cs->categories[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			c[i].id = sqlite3_column_int64(st, 0);
			c[i].bumps = sqlite3_column_int(st, 1);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			goto fail;
	}
	return c;
fail:
	free(c);
	return NULL;
}

/* Re-sorts a source's stored entries into its (changed) categories. */
static int
store_recategorize(struct store *s, const struct conf_source *cs)
{
	struct store_members	 mem;
	struct store_catid	*c;
	struct buf		 rows;		/* (id, sort, bumped sort)s */
	sqlite3_stmt		*st;
	const int64_t		*v;
	int64_t			 row[3], id;
	size_t			 n;
	int			 rc, ret = -1;

	store_members_init(&mem);
	buf_init(&rows, SIZE_MAX / 2);
	if ((c = store_source_catids(s, cs)) == NULL)
		return -1;
	if ((st = db_stmt(s->db, SQL_RECAT_ENTRIES)) == NULL)
		goto done;
	/* Read first: the memberships change while nothing walks them. */
	sqlite3_bind_text(st, 1, cs->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int k = 0; k < 3; k++)
			row[k] = sqlite3_column_int64(st, k);
		buf_add(&rows, row, sizeof row);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || rows.failed)
		goto done;
	v = (const int64_t *)(void *)rows.data;
	n = rows.len / sizeof *v;
	for (size_t k = 0; k < n; k += 3) {
		id = v[k];
		if (store_members_read(s->db, id, &mem) == -1)
			goto done;
		while (mem.n > 0)
			if (store_members_drop(s->db, id, &mem, mem.v[0].cat,
			    mem.v[0].sort) == -1)
				goto done;
		for (size_t i = 0; i < cs->ncategories; i++)
			if (c[i].id != 0 && store_members_add(s->db, id, &mem,
			    c[i].id, c[i].bumps ? v[k + 2] : v[k + 1]) == -1)
				goto done;
		if (store_members_write(s->db, id, &mem) == -1)
			goto done;
	}
	ret = 0;
done:
	store_members_free(&mem);
	buf_free(&rows);
	free(c);
	return ret;
}

int
store_sync(struct store *s, const struct conf *conf)
{
	sqlite3_stmt	*st;
	char		*cats = NULL, **gone = NULL;
	size_t		 ngone = 0;
	int		 changed, rc, purged = 0;

	if (db_begin(s->db) == -1)
		return -1;
	for (size_t i = 0; i < conf->ncategories; i++) {
		if ((st = db_stmt(s->db, SQL_CATEGORY_UPSERT)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, conf->categories[i].name, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 2, conf->categories[i].updates_bump);
		if (store_step_done(st) == -1)
			goto fail;
	}
	for (size_t i = 0; i < conf->nsources; i++) {
		const struct conf_source *cs = &conf->sources[i];

		if ((cats = store_join_categories(cs)) == NULL)
			goto fail;
		if ((st = db_stmt(s->db, SQL_SOURCE_CATS)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, cs->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		changed = rc == SQLITE_ROW && strcmp(cats,
		    (const char *)sqlite3_column_text(st, 0)) != 0;
		sqlite3_reset(st);
		if ((st = db_stmt(s->db, SQL_SOURCE_UPSERT)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, cs->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cs->url, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, cats, -1, SQLITE_STATIC);
		if (store_step_done(st) == -1)
			goto fail;
		if (changed) {
			log_info("source %s: categories now \"%s\"", cs->name,
			    cats);
			/*
			 * With rules, store-reclass re-sorts in the background.
			 */
			if (s->cl == NULL && store_recategorize(s, cs) == -1)
				goto fail;
		}
		free(cats);
		cats = NULL;
	}

	/*
	 * Sources no longer configured leave the outputs but keep their data.
	 */
	if ((st = db_stmt(s->db, SQL_SOURCE_ACTIVE)) == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		char **tmp;

		if (conf_source(conf, name) != NULL)
			continue;
		if ((tmp = realloc(gone, (ngone + 1) * sizeof *gone)) == NULL)
			goto fail;
		gone = tmp;
		if ((gone[ngone] = strdup(name)) == NULL)
			goto fail;
		ngone++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < ngone; i++) {
		if ((st = db_stmt(s->db, SQL_SOURCE_DEACTIVATE)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, gone[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
		if (store_step_done(st) == -1)
			goto fail;
		log_info("source %s: removed from the config, entries hidden",
		    gone[i]);
	}
	/* Kept a while in case they come back; then gone with their entries. */
	if (conf->removed_keep > 0) {
		if ((st = db_stmt(s->db, SQL_SOURCE_PURGE)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, (int64_t)time(NULL) -
		    conf->removed_keep);
		if (store_step_done(st) == -1)
			goto fail;
		if ((purged = sqlite3_changes(sqlite3_db_handle(st))) > 0)
			log_info("database: forgot %d sources removed from the "
			    "config more than %llds ago", purged,
			    (long long)conf->removed_keep);
	}
	if (db_commit(s->db) == -1)
		goto fail;
	if (purged > 0)
		db_exec(s->db, "PRAGMA incremental_vacuum");
	for (size_t i = 0; i < ngone; i++)
		free(gone[i]);
	free(gone);
	return 0;

fail:
	log_warnx("database: syncing sources: %s", db_errmsg(s->db));
	db_rollback(s->db);
	free(cats);
	for (size_t i = 0; i < ngone; i++)
		free(gone[i]);
	free(gone);
	return -1;
}

static char *
store_column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	return v != NULL ? strdup((const char *)v) : NULL;
}

static const char SQL_STATE[] =
    "SELECT COALESCE(cur_url, url), etag, last_modified, next_poll, "
    "last_success, failures, redirect_url, redirect_count, "
    "cur_url IS NOT NULL, retired, feed_hint, skip_hours, skip_days, "
    "entries FROM source WHERE name = ?";

int
store_state(struct store *s, const char *source, struct store_state *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(out, 0, sizeof *out);
	if ((st = db_stmt(s->db, SQL_STATE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			log_warnx("database: source %s: %s", source,
			    db_errmsg(s->db));
		return -1;
	}
	out->url = store_column_strdup(st, 0);
	out->etag = store_column_strdup(st, 1);
	out->last_modified = store_column_strdup(st, 2);
	out->next_poll = sqlite3_column_int64(st, 3);
	out->last_success = sqlite3_column_int64(st, 4);
	out->failures = sqlite3_column_int(st, 5);
	out->redirect_url = store_column_strdup(st, 6);
	out->redirect_count = sqlite3_column_int(st, 7);
	out->moved = sqlite3_column_int(st, 8);
	out->retired = sqlite3_column_int(st, 9);
	out->feed_hint = sqlite3_column_int64(st, 10);
	out->skip_hours = (uint32_t)sqlite3_column_int64(st, 11);
	out->skip_days = (uint8_t)sqlite3_column_int(st, 12);
	out->entries = sqlite3_column_int64(st, 13);
	sqlite3_reset(st);
	if (out->url == NULL) {
		store_state_clear(out);
		return -1;
	}
	return 0;
}

/* entry_title would do too, but its keys carry the titles: a third slower. */
static const char SQL_RECENT[] =
    "SELECT count(*) FROM entry INDEXED BY entry_source WHERE source_id ="
    " (SELECT id FROM source WHERE name = ?1) AND sort_date > ?2";

int
store_recent(struct store *s, const char *source, int64_t now)
{
	sqlite3_stmt	*st;
	int		 n = 0;

	if ((st = db_stmt(s->db, SQL_RECENT)) == NULL)
		return 0;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now - STORE_RECENT_WINDOW);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	else
		log_warnx("database: source %s: %s", source, db_errmsg(s->db));
	sqlite3_reset(st);
	return n;
}

static const char SQL_SCHEDULE[] =
    "SELECT next_poll, retired FROM source WHERE name = ?";

int
store_schedule(struct store *s, const char *source, int64_t *next_poll,
    int *retired)
{
	sqlite3_stmt	*st;
	int		 rc;

	*next_poll = 0;
	*retired = 0;
	if ((st = db_stmt(s->db, SQL_SCHEDULE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			log_warnx("database: source %s: %s", source,
			    db_errmsg(s->db));
		sqlite3_reset(st);
		return -1;
	}
	*next_poll = sqlite3_column_int64(st, 0);
	*retired = sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	return 0;
}

void
store_read_begin(struct store *s)
{
	s->reading = db_read_begin(s->db) == 0;
}

void
store_read_end(struct store *s)
{
	if (s->reading)
		db_read_end(s->db);
	s->reading = 0;
}

void
store_state_clear(struct store_state *st)
{
	free(st->url);
	free(st->etag);
	free(st->last_modified);
	free(st->redirect_url);
	memset(st, 0, sizeof *st);
}

/*
 * A small set of 64-bit fingerprints (of keys, or entry ids), so a key
 * repeated inside one document is applied once and a stored entry is
 * claimed by one document entry only.
 */
struct keyset {
	uint64_t	*slot;
	uint64_t	*val;		/* a value kept with each key */
	size_t		 mask;
};

static int
keyset_init(struct keyset *ks, size_t n)
{
	size_t	cap = 16;

	while (cap < n * 2)
		cap *= 2;
	ks->mask = cap - 1;
	ks->slot = calloc(2 * cap, sizeof *ks->slot);
	ks->val = ks->slot + cap;
	return ks->slot != NULL ? 0 : -1;
}

/*
 * Returns 1 when H was already present (and *OLD, unless NULL, is the
 * value it was added with), else adds it with V and returns 0.
 */
static int
keyset_put(struct keyset *ks, uint64_t h, uint64_t v, uint64_t *old)
{
	size_t	i;

	if (h == 0)
		h = 1;		/* 0 marks an empty slot */
	for (i = h & ks->mask; ks->slot[i] != 0; i = (i + 1) & ks->mask) {
		if (ks->slot[i] == h) {
			if (old != NULL)
				*old = ks->val[i];
			return 1;
		}
	}
	ks->slot[i] = h;
	ks->val[i] = v;
	return 0;
}

static int
keyset_add(struct keyset *ks, uint64_t h)
{
	return keyset_put(ks, h, 0, NULL);
}

static int
keyset_has(const struct keyset *ks, uint64_t h)
{
	size_t	i;

	if (h == 0)
		h = 1;
	for (i = h & ks->mask; ks->slot[i] != 0; i = (i + 1) & ks->mask)
		if (ks->slot[i] == h)
			return 1;
	return 0;
}

/*
 * A fast 128-bit hash of a sequence of fields.  Not cryptographic: it
 * notices edits and tells entries apart, and a publisher crafting
 * collisions can only confuse its own feed.  It hashes 4 KB in well under
 * a microsecond, which matters when every poll re-hashes every entry.
 */
__extension__ typedef unsigned __int128 store_u128;

struct hasher {
	uint64_t	a;
	uint64_t	b;
};

#define HK1	0x9e3779b97f4a7c15ULL
#define HK2	0xc2b2ae3d27d4eb4fULL
#define HK3	0x165667b19e3779f9ULL
#define HK4	0xd6e8feb86659fd93ULL

/* The two halves of a 128-bit product, folded. */
static uint64_t
hash_fold(uint64_t x, uint64_t y)
{
	store_u128	m = (store_u128)x * y;

	return (uint64_t)m ^ (uint64_t)(m >> 64);
}

static uint64_t
hash_load(const unsigned char *p)
{
	uint64_t	v;

	memcpy(&v, p, sizeof v);
	return v;
}

static void
hash_init(struct hasher *h)
{
	h->a = HK1;
	h->b = HK2;
}

/* Absorbs N bytes at P, tagged with CODE (their length, or a marker). */
static void
hash_absorb(struct hasher *h, const void *p, size_t n, uint64_t code)
{
	const unsigned char	*s = p;
	unsigned char		 tail[32];
	uint64_t		 a, b;

	a = h->a ^ hash_fold(code ^ HK3, HK4);
	b = h->b + code;
	for (;;) {
		if (n < 32) {
			if (n == 0)
				break;
			memset(tail, 0, sizeof tail);
			memcpy(tail, s, n);
			s = tail;
			n = 32;
		}
		a = hash_fold(a ^ hash_load(s), hash_load(s + 8) ^ HK1) +
		    ((a << 7) | (a >> 57));
		b = hash_fold(b ^ hash_load(s + 16), hash_load(s + 24) ^ HK2) +
		    ((b << 11) | (b >> 53));
		s += 32;
		n -= 32;
	}
	h->a = a;
	h->b = b;
}

/* A string field; NULL differs from "". */
static void
hash_field(struct hasher *h, const char *v)
{
	size_t	n;

	if (v == NULL) {
		hash_absorb(h, "", 0, UINT64_MAX);
		return;
	}
	n = strlen(v);
	hash_absorb(h, v, n, n);
}

static void
hash_int(struct hasher *h, int64_t v)
{
	hash_absorb(h, &v, sizeof v, UINT64_MAX - 1);
}

static void
hash_final(struct hasher *h, unsigned char *out)
{
	uint64_t	lo, hi;

	lo = hash_fold(h->a ^ HK1, h->b ^ HK2);
	hi = hash_fold(h->b ^ HK3, lo ^ HK4) ^ h->a;
	memcpy(out, &lo, sizeof lo);
	memcpy(out + sizeof lo, &hi, sizeof hi);
}

/* The hash of the republished fields, which says whether an entry changed. */
static void
store_fields_hash(const char *title, const char *link, const char *summary,
    const char *content, const char *author, const char *terms,
    int64_t published, int64_t updated, unsigned char *out)
{
	struct hasher	h;

	hash_init(&h);
	hash_field(&h, title);
	hash_field(&h, link);
	hash_field(&h, summary);
	hash_field(&h, content);
	hash_field(&h, author);
	hash_field(&h, terms);
	hash_int(&h, published);
	hash_int(&h, updated);
	hash_final(&h, out);
}

/*
 * The publisher's category terms joined by
 * STORE_TERM_SEP, or NULL. Caller frees.
 */
static char *
store_terms(const struct doc_entry *e)
{
	size_t	 len = 0, n = 0;
	char	*s, *p;

	for (size_t i = 0; i < e->ncategories; i++)
		if (e->categories[i].term != NULL)
			len += strlen(e->categories[i].term) + 1;
	if (len == 0)
		return NULL;
	if ((s = p = malloc(len)) == NULL)
		return NULL;
	for (size_t i = 0; i < e->ncategories; i++) {
		const char *t = e->categories[i].term;

		if (t == NULL)
			continue;
		if (n++ > 0)
			*p++ = STORE_TERM_SEP;
		for (; *t != '\0'; t++)
			*p++ = *t == STORE_TERM_SEP ? ' ' : *t;
	}
	*p = '\0';
	return s;
}

/*
 * Everything of an entry that one poll needs to match, insert or compare
 * it.  The link, story and identity hash are computed on first use: an
 * unchanged entry of a guid source needs none of them.
 */
struct store_entry {
	const struct doc_entry	*e;
	const char		*content;
	const char		*content_type;
	const struct doc_person	*author;
	char			*terms;		/* owned */
	/* best publisher date, for sorting */
	int64_t			 date;
	/* published, else updated: identity */
	int64_t			 kdate;
	unsigned char		 hash[STORE_HASHLEN];
	unsigned char		 idhash[STORE_HASHLEN];
	/* owned; normalised link or NULL */
	char			*nlink;
	/* owned; u:URL, t:title or NULL */
	char			*story;
	/* owned; under the document's rule */
	char			*key;
	unsigned		 have_idhash:1;
	unsigned		 have_nlink:1;
	unsigned		 have_story:1;
	/* same key earlier in the document */
	unsigned		 repeated:1;
	int64_t			 id;		/* the stored entry it became */
};

static void
hexify(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";	/* as SQL hex() */

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Hash of the fields that identify an entry when nothing else does. */
static void
store_idhash(const char *title, int64_t date, const char *body,
    unsigned char *out)
{
	struct hasher	h;

	hash_init(&h);
	hash_field(&h, title);
	hash_int(&h, date);
	hash_field(&h, body);
	hash_final(&h, out);
}

/* The normalised link: the story form of an http(s) URL, else as written. */
static char *
store_norm_link(const char *link)
{
	char	*n;

	if (link == NULL || *link == '\0')
		return NULL;
	if ((n = uri_normalize(link)) != NULL)
		return n;
	return strdup(link);
}

/*
 * A title folded for comparison: ASCII letters lower-cased, every run of
 * other ASCII reduced to one space, other bytes kept.  Caller frees.
 */
static char *
store_norm_title(const char *t)
{
	char	*out, *p;
	int	 gap = 0;

	if (t == NULL || (out = p = malloc(strlen(t) + 1)) == NULL)
		return NULL;
	for (; *t != '\0'; t++) {
		unsigned char c = (unsigned char)*t;

		if (c >= 0x80 || isalnum(c)) {
			if (gap && p != out)
				*p++ = ' ';
			gap = 0;
			*p++ = (char)(c < 0x80 ? tolower(c) : c);
		} else
			gap = 1;
	}
	*p = '\0';
	return out;
}

/* The story key: the normalised origLink or link, else the folded title. */
static char *
store_story_key(const char *orig_link, const char *link, const char *title)
{
	char	*n, *s = NULL;

	if ((orig_link != NULL && (n = uri_normalize(orig_link)) != NULL) ||
	    (link != NULL && (n = uri_normalize(link)) != NULL)) {
		if (asprintf(&s, "u:%s", n) == -1)
			s = NULL;
		free(n);
		return s;
	}
	if ((n = store_norm_title(title)) == NULL)
		return NULL;
	if (strlen(n) >= STORE_TITLE_MIN && asprintf(&s, "t:%s", n) == -1)
		s = NULL;
	free(n);
	return s;
}

static const char *
se_nlink(struct store_entry *se)
{
	if (!se->have_nlink) {
		se->nlink = store_norm_link(se->e->link);
		se->have_nlink = 1;
	}
	return se->nlink;
}

static const char *
se_story(struct store_entry *se)
{
	if (!se->have_story) {
		se->story = store_story_key(se->e->orig_link, se->e->link,
		    se->e->title);
		se->have_story = 1;
	}
	return se->story;
}

static const unsigned char *
se_idhash(struct store *s, struct store_entry *se)
{
	if (!se->have_idhash) {
		(void)s;
		store_idhash(se->e->title, se->date, se->content != NULL ?
		    se->content : se->e->summary, se->idhash);
		se->have_idhash = 1;
	}
	return se->idhash;
}

/* Fills SE from E: the republished fields and their hash. */
static int
store_entry_prepare(struct store *s, const struct doc_entry *e,
    struct store_entry *se)
{
	memset(se, 0, sizeof *se);
	se->e = e;
	/* Publication first: an edit must not move an entry to the top. */
	se->date = e->published != DOC_NODATE ? e->published :
	    doc_entry_date(e);
	se->kdate = e->published != DOC_NODATE ? e->published : e->updated;
	if (e->ncontent > 0 && e->content[0].value != NULL) {
		se->content = e->content[0].value;
		se->content_type = e->content[0].type;
	}
	if (e->nauthors > 0)
		se->author = &e->authors[0];
	for (size_t i = 0; i < e->ncategories; i++) {
		if (e->categories[i].term == NULL)
			continue;
		if ((se->terms = store_terms(e)) == NULL)
			return -1;
		break;
	}

	(void)s;
	store_fields_hash(e->title, e->link, e->summary, se->content,
	    se->author != NULL ? se->author->name : NULL, se->terms,
	    e->published, e->updated, se->hash);
	return 0;
}

static void
store_entry_clear(struct store_entry *se)
{
	free(se->terms);
	free(se->nlink);
	free(se->story);
	free(se->key);
}

/*
 * SE's key under RULE, or NULL (with *OOM clear) when the entry lacks what
 * the rule needs.  Caller frees.
 */
static char *
store_entry_key(struct store *s, struct store_entry *se, enum store_rule rule,
    int *oom)
{
	char		 hex[2 * STORE_HASHLEN + 1];
	const char	*n;
	char		*k = NULL;
	int		 rc = 0;

	*oom = 0;
	switch (rule) {
	case RULE_GUID:
		if (se->e->id == NULL || se->e->id[0] == '\0')
			return NULL;
		k = strdup(se->e->id);
		rc = k == NULL ? -1 : 0;
		break;
	case RULE_LINK:
		if ((n = se_nlink(se)) == NULL)
			return NULL;
		rc = asprintf(&k, "l:%s", n);
		break;
	case RULE_LINKDATE:
		if ((n = se_nlink(se)) == NULL)
			return NULL;
		if (se->kdate != DOC_NODATE)
			rc = asprintf(&k, "d:%s\x1f%lld", n,
			    (long long)se->kdate);
		else
			rc = asprintf(&k, "d:%s\x1f-", n);
		break;
	case RULE_HASH:
		hexify(se_idhash(s, se), STORE_HASHLEN, hex);
		rc = asprintf(&k, "h:%s", hex);
		break;
	}
	if (rc == -1) {
		*oom = 1;
		return NULL;
	}
	return k;
}

/*
 * The strongest rule, from FROM down, under which every entry of the
 * document has a key and no key repeats; *WHY says what broke FROM.  Sets
 * each entry's key under that rule (marking repeats, which only hash
 * allows: identical entries) and leaves the keys in KS.  -1 when out of
 * memory.
 */
static int
store_pick_rule(struct store *s, struct store_entry *se, size_t n,
    enum store_rule from, const char **why, struct keyset *ks)
{
	int	r, ok, oom;

	*why = NULL;
	for (r = from; r <= RULE_HASH; r++) {
		memset(ks->slot, 0, 2 * (ks->mask + 1) * sizeof *ks->slot);
		ok = 1;
		for (size_t i = 0; i < n && ok; i++) {
			uint64_t h, first = 0;

			free(se[i].key);
			se[i].key = store_entry_key(s, &se[i], r, &oom);
			if (se[i].key == NULL) {
				if (oom)
					return -1;
				if (*why == NULL)
					*why = store_rule_missing[r];
				ok = 0;
				continue;
			}
			/*
			 * The same entry twice is a
			 * repeat; different ones clash.
			 */
			memcpy(&h, se[i].hash, sizeof h);
			se[i].repeated = keyset_put(ks, fnv_str(se[i].key), h,
			    &first);
			if (se[i].repeated && first != h && r != RULE_HASH) {
				if (*why == NULL)
					*why = store_rule_repeated[r];
				ok = 0;
			}
		}
		if (ok)
			break;
	}
	return r;
}

static const char SQL_REKEY_LINK[] =
    "UPDATE OR IGNORE entry SET key = 'l:' || nlink "
    "WHERE source_id = ? AND nlink IS NOT NULL";
static const char SQL_REKEY_LINKDATE[] =
    "UPDATE OR IGNORE entry SET key = 'd:' || nlink || char(31) || "
    "COALESCE(published, updated, '-') "
    "WHERE source_id = ? AND nlink IS NOT NULL";
static const char SQL_REKEY_HASH[] =
    "UPDATE OR IGNORE entry SET key = 'h:' || hex(idhash) "
    "WHERE source_id = ? AND idhash IS NOT NULL";
static const char SQL_RETOMB_LINK[] =
    "UPDATE OR IGNORE tombstone SET key = 'l:' || nlink "
    "WHERE source_id = ? AND nlink IS NOT NULL";
static const char SQL_RETOMB_LINKDATE[] =
    "UPDATE OR IGNORE tombstone SET key = 'd:' || nlink || char(31) || "
    "COALESCE(kdate, '-') WHERE source_id = ? AND nlink IS NOT NULL";
static const char SQL_RETOMB_HASH[] =
    "UPDATE OR IGNORE tombstone SET key = 'h:' || hex(idhash) "
    "WHERE source_id = ? AND idhash IS NOT NULL";
static const char SQL_SOURCE_RULE[] =
    "UPDATE source SET id_rule = ? WHERE id = ?";

/*
 * Moves a source to RULE: records it and re-keys its entries and
 * tombstones, so stored entries keep matching.  An entry whose new key
 * would collide keeps its old one.
 */
static int
store_set_rule(struct store *s, int64_t source_id, const char *name,
    enum store_rule from, enum store_rule rule, const char *why)
{
	static const char *const rekey[] = {
		NULL, SQL_REKEY_LINK, SQL_REKEY_LINKDATE, SQL_REKEY_HASH
	};
	static const char *const retomb[] = {
		NULL, SQL_RETOMB_LINK, SQL_RETOMB_LINKDATE, SQL_RETOMB_HASH
	};
	sqlite3_stmt	*st;

	log_info("source %s: %s, identifying entries by %s instead of %s",
	    name, why, store_rule_names[rule], store_rule_names[from]);
	if ((st = db_stmt(s->db, SQL_SOURCE_RULE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, store_rule_names[rule], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, source_id);
	if (store_step_done(st) == -1)
		return -1;
	if ((st = db_stmt(s->db, rekey[rule])) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	if (store_step_done(st) == -1)
		return -1;
	if ((st = db_stmt(s->db, retomb[rule])) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	return store_step_done(st);
}

/*
 * Binds the stored fields, in the order of SQL_ENTRY_FIELDS, from parameter I.
 */
static int
bind_fields(struct store *s, sqlite3_stmt *st, int i, struct store_entry *se)
{
	const struct doc_entry *e = se->e;

	bind_date(st, i++, e->published);
	bind_date(st, i++, e->updated);
	bind_text(st, i++, se_nlink(se));
	bind_text(st, i++, se_story(se));
	sqlite3_bind_blob(st, i++, se_idhash(s, se), STORE_HASHLEN,
	    SQLITE_STATIC);
	bind_text(st, i++, e->id);
	bind_text(st, i++, e->link);
	bind_text(st, i++, e->title);
	bind_text(st, i++, e->title_type);
	bind_text(st, i++, se->author != NULL ? se->author->name : NULL);
	bind_text(st, i++, se->author != NULL ? se->author->email : NULL);
	bind_text(st, i++, se->author != NULL ? se->author->uri : NULL);
	bind_text(st, i++, se->terms);
	bind_text(st, i++, e->summary);
	bind_text(st, i++, e->summary_type);
	bind_text(st, i++, se->content_type);
	bind_text(st, i++, se->content);
	return i;
}

#define SQL_ENTRY_FIELDS \
    "published, updated, nlink, story, idhash, guid, link, title," \
    " title_type, author_name, author_email, author_uri, terms, summary," \
    " summary_type, content_type, content"

static const char SQL_ENTRY_FIND[] =
    "SELECT id, hash FROM entry WHERE source_id = ? AND key = ?";
static const char SQL_ENTRY_INSERT[] =
    "INSERT INTO entry (source_id, key, hash, first_seen, changed,"
    " sort_date, language, labels, " SQL_ENTRY_FIELDS ") VALUES (?, ?, ?,"
    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_ENTRY_UPDATE[] =
    "UPDATE entry SET (key, hash, changed, " SQL_ENTRY_FIELDS ") ="
    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " WHERE id = ?";
static const char SQL_ENTRY_REKEY[] =
    "UPDATE entry SET key = ? WHERE id = ?";
static const char SQL_CATEGORY_BUMPS[] =
    "SELECT updates_bump FROM category WHERE id = ?";
static const char SQL_TOMB_FIND[] =
    "SELECT 1 FROM tombstone WHERE source_id = ? AND key = ?";
static const char SQL_TOMB_LINK[] =
    "SELECT key FROM tombstone WHERE source_id = ? AND nlink = ?";
/* The unary + keep the planner on entry_story: by source it is O(entries). */
static const char SQL_CHURN_STORY[] =
    "SELECT id, key, hash FROM entry WHERE story = ? AND +source_id = ?"
    " AND +sort_date >= ? ORDER BY id";
static const char SQL_CHURN_TITLE[] =
    "SELECT id, key, hash FROM entry WHERE source_id = ? AND sort_date = ?"
    " AND title = ? ORDER BY id";

/* What applying one document needs besides the entry. */
struct store_apply {
	int64_t				 source_id;
	const struct conf_source	*cs;
	enum store_rule			 rule;
	int64_t				 now;
	struct keyset			 keys;		/* of the document */
	struct keyset			 claimed;	/* stored ids matched */
	int				 stored;	/* entries before it */
	/* tombstones before it */
	int				 tombs;
	struct store_result		*res;
	/* Without rules: the source's categories, at its first new entry. */
	struct store_catid		*catids;
};

/*
 * Moves entry ID to NOW in the categories with updates_bump that hold it
 * at an earlier date.
 */
static int
store_entry_bump(struct store *s, int64_t id, int64_t now)
{
	struct store_members	 mem;
	sqlite3_stmt		*st;
	int			 rc, ret = -1;

	store_members_init(&mem);
	if (store_members_read(s->db, id, &mem) == -1)
		goto done;
	for (size_t k = 0; k < mem.n;) {
		const struct store_member p = mem.v[k];

		if (p.sort >= now) {
			k++;
			continue;
		}
		if ((st = db_stmt(s->db, SQL_CATEGORY_BUMPS)) == NULL)
			goto done;
		sqlite3_bind_int64(st, 1, p.cat);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			goto done;
		if (rc == SQLITE_DONE || sqlite3_column_int(st, 0) == 0) {
			sqlite3_reset(st);
			k++;
			continue;
		}
		sqlite3_reset(st);
		/* The last pair moves into K: look at K again. */
		if (store_members_drop(s->db, id, &mem, p.cat, p.sort) == -1 ||
		    store_members_add(s->db, id, &mem, p.cat, now) == -1)
			goto done;
	}
	ret = store_members_write(s->db, id, &mem);
done:
	store_members_free(&mem);
	return ret;
}

/* Updates entry ID from SE in place (new key too); bumps where asked. */
static int
store_entry_update(struct store *s, struct store_apply *a, int64_t id,
    struct store_entry *se)
{
	sqlite3_stmt	*st;
	int		 i = 1;

	if ((st = db_stmt(s->db, SQL_ENTRY_UPDATE)) == NULL)
		return -1;
	sqlite3_bind_text(st, i++, se->key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, i++, se->hash, STORE_HASHLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, a->now);
	i = bind_fields(s, st, i, se);
	sqlite3_bind_int64(st, i, id);
	if (store_step_done(st) == -1)
		return -1;
	/*
	 * An edit may move it between rule-made categories, and moves it to
	 * the top of those with updates_bump; without rules, of the
	 * source's.
	 */
	if (s->cl != NULL ? store_class_entry(s, id, a->cs, se->e, se->terms,
	    a->now, 1) == -1 : store_entry_bump(s, id, a->now) == -1)
		return -1;
	a->res->updated++;
	return 0;
}

/*
 * GUID churn: a stored entry of the same source, recent, with the same
 * story (normalised link) or title and date, whose own key this document
 * no longer lists and that no other entry of it claimed.  Returns its id
 * (0 when none) and copies its hash into HASH; -1 on error.
 */
static int64_t
store_churn_find(struct store *s, struct store_apply *a,
    struct store_entry *se, unsigned char *hash)
{
	sqlite3_stmt	*st;
	const char	*story = se_story(se);
	int64_t		 id;
	int		 rc, pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 0) {
			if (story == NULL || strncmp(story, "u:", 2) != 0)
				continue;
			if ((st = db_stmt(s->db, SQL_CHURN_STORY)) == NULL)
				return -1;
			sqlite3_bind_text(st, 1, story, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, a->source_id);
			sqlite3_bind_int64(st, 3, a->now - STORE_CHURN_WINDOW);
		} else {
			/* The date must be the one sorting uses, unclamped. */
			if (se->e->title == NULL || se->date == DOC_NODATE ||
			    se->date > a->now + STORE_FUTURE_TOLERANCE)
				continue;
			if ((st = db_stmt(s->db, SQL_CHURN_TITLE)) == NULL)
				return -1;
			sqlite3_bind_int64(st, 1, a->source_id);
			sqlite3_bind_int64(st, 2, se->date);
			sqlite3_bind_text(st, 3, se->e->title, -1,
			    SQLITE_STATIC);
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0);
			if (keyset_has(&a->claimed, (uint64_t)id) ||
			    keyset_has(&a->keys, fnv_str(col_text(st, 1))))
				continue;
			if (sqlite3_column_bytes(st, 2) == STORE_HASHLEN)
				memcpy(hash, sqlite3_column_blob(st, 2),
				    STORE_HASHLEN);
			else
				memset(hash, 0, STORE_HASHLEN);
			sqlite3_reset(st);
			return id;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/*
 * 1 when SE was deleted before (retention or operator), 0 if not, -1 on error.
 */
static int
store_tombstoned(struct store *s, struct store_apply *a,
    struct store_entry *se)
{
	sqlite3_stmt	*st;
	const char	*nlink;
	int		 rc, found = 0;

	if ((st = db_stmt(s->db, SQL_TOMB_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a->source_id);
	sqlite3_bind_text(st, 2, se->key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		found = 1;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (found || a->rule != RULE_GUID || (nlink = se_nlink(se)) == NULL)
		return found;
	/* Churned ids: the same link, unless its old key is still listed. */
	if ((st = db_stmt(s->db, SQL_TOMB_LINK)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a->source_id);
	sqlite3_bind_text(st, 2, nlink, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!keyset_has(&a->keys, fnv_str(col_text(st, 0)))) {
			found = 1;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return found;
}

/* Puts new entry ID, sorting at SORT, into the categories A's source lists. */
static int
store_entry_join(struct store *s, struct store_apply *a, int64_t id,
    int64_t sort)
{
	struct store_members	 mem;
	int			 ret = -1;

	if (a->cs->ncategories == 0)
		return 0;
	if (a->catids == NULL &&
	    (a->catids = store_source_catids(s, a->cs)) == NULL)
		return -1;
	store_members_init(&mem);
	for (size_t i = 0; i < a->cs->ncategories; i++)
		if (a->catids[i].id != 0 && store_members_add(s->db, id, &mem,
		    a->catids[i].id, sort) == -1)
			goto done;
	ret = store_members_write(s->db, id, &mem);
done:
	store_members_free(&mem);
	return ret;
}

/* Inserts SE as a new entry sorted into the source's categories. */
static int
store_entry_insert(struct store *s, struct store_apply *a,
    struct store_entry *se)
{
	sqlite3_stmt	*st;
	int64_t		 sort;
	char		*labels = NULL;
	int		 i = 1, rc;

	/* Undated entries sort as first seen; so do dates far in the future. */
	sort = se->date;
	if (sort == DOC_NODATE || sort > a->now + STORE_FUTURE_TOLERANCE)
		sort = a->now;
	if ((st = db_stmt(s->db, SQL_ENTRY_INSERT)) == NULL)
		return -1;
	/* What the rules read but the fields lack, in the same write. */
	if (s->cl != NULL)
		labels = store_class_labels(se->e);
	sqlite3_bind_int64(st, i++, a->source_id);
	sqlite3_bind_text(st, i++, se->key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, i++, se->hash, STORE_HASHLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, a->now);
	sqlite3_bind_int64(st, i++, a->now);
	sqlite3_bind_int64(st, i++, sort);
	bind_text(st, i++, s->cl != NULL ? store_class_language(se->e) : NULL);
	bind_text(st, i++, labels);
	bind_fields(s, st, i, se);
	if (store_step_done(st) == -1) {
		free(labels);
		return -1;
	}
	se->id = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
	/* With rules the classifier sorts it; else the source's categories. */
	rc = s->cl != NULL ? store_class_sort(s, se->id, a->cs, se->e,
	    se->terms, labels, sort, a->now, 0, 1) : 0;
	free(labels);
	if (rc == -1)
		return -1;
	if (s->cl == NULL && store_entry_join(s, a, se->id, sort) == -1)
		return -1;
	a->res->new++;
	return 0;
}

/* Stores one entry: unchanged, updated in place, churned, tombstoned or new. */
static int
store_entry_apply(struct store *s, struct store_apply *a,
    struct store_entry *se)
{
	sqlite3_stmt	*st;
	unsigned char	 old[STORE_HASHLEN];
	int64_t		 id;
	int		 rc, same;

	/*
	 * A source with nothing stored (its first poll): no stored entry to
	 * find, by key or by churn, as its document's keys are all distinct
	 * (repeats are skipped); no tombstone either.  Five index searches
	 * less for every entry of a new source.
	 */
	if (!a->stored)
		goto fresh;
	if ((st = db_stmt(s->db, SQL_ENTRY_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a->source_id);
	sqlite3_bind_text(st, 2, se->key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		same = sqlite3_column_bytes(st, 1) == STORE_HASHLEN &&
		    memcmp(sqlite3_column_blob(st, 1), se->hash,
		    STORE_HASHLEN) == 0;
		sqlite3_reset(st);
		se->id = id;
		keyset_add(&a->claimed, (uint64_t)id);
		/* Changed: update in place; it keeps its identity and place. */
		return same ? 0 : store_entry_update(s, a, id, se);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;

fresh:
	if (a->tombs && (rc = store_tombstoned(s, a, se)) != 0)
		return rc == 1 ? 0 : -1;
	if (a->rule == RULE_GUID && a->stored) {
		if ((id = store_churn_find(s, a, se, old)) == -1)
			return -1;
		if (id > 0) {
			/* Same entry, new id: adopt the id, keep the entry. */
			se->id = id;
			keyset_add(&a->claimed, (uint64_t)id);
			a->res->churned++;
			if (memcmp(old, se->hash, STORE_HASHLEN) != 0)
				return store_entry_update(s, a, id, se);
			if ((st = db_stmt(s->db, SQL_ENTRY_REKEY)) == NULL)
				return -1;
			sqlite3_bind_text(st, 1, se->key, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, id);
			return store_step_done(st);
		}
	}
	if (store_entry_insert(s, a, se) == -1)
		return -1;
	keyset_add(&a->claimed, (uint64_t)se->id);
	return 0;
}

static const char SQL_SOURCE_LOAD[] =
    "SELECT id, id_rule FROM source WHERE name = ?";
static const char SQL_SOURCE_STORED[] =
    "SELECT EXISTS (SELECT 1 FROM entry WHERE source_id = ?1),"
    " EXISTS (SELECT 1 FROM tombstone WHERE source_id = ?1)";

/* The rule named NAME, or guid for anything unknown. */
static enum store_rule
store_rule_find(const char *name)
{
	for (int r = RULE_GUID; r <= RULE_HASH; r++)
		if (name != NULL && strcmp(name, store_rule_names[r]) == 0)
			return (enum store_rule)r;
	return RULE_GUID;
}

/*
 * Applies every entry of DOC.  Picks the source's identity rule first
 * (falling back when the document breaks it), then matches each entry;
 * afterwards, ids that changed for most of the document mean they change
 * on every fetch, and the source falls back for next time.  Writes the
 * ids of the stored entries the document lists into *LISTED.
 */
static int
store_doc_apply(struct store *s, struct store_apply *a, enum store_rule rule,
    const struct doc *doc, struct buf *listed)
{
	struct store_entry	*se;
	sqlite3_stmt		*st;
	const char		*why;
	size_t			 n = doc->nentries, nlisted = 0;
	int			 r, rc = -1;

	if ((se = calloc(n > 0 ? n : 1, sizeof *se)) == NULL)
		return -1;
	a->keys.slot = a->claimed.slot = NULL;
	if (keyset_init(&a->keys, n) == -1 ||
	    keyset_init(&a->claimed, n) == -1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (store_entry_prepare(s, &doc->entries[i], &se[i]) == -1)
			goto out;
	if ((r = store_pick_rule(s, se, n, rule, &why, &a->keys)) == -1)
		goto out;
	if (r != (int)rule) {
		if (store_set_rule(s, a->source_id, a->cs->name, rule, r,
		    why) == -1)
			goto out;
		rule = r;
	}
	a->rule = rule;
	if ((st = db_stmt(s->db, SQL_SOURCE_STORED)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, a->source_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		goto out;
	}
	a->stored = sqlite3_column_int(st, 0);
	a->tombs = sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++)
		if (!se[i].repeated && store_entry_apply(s, a, &se[i]) == -1)
			goto out;

	if (rule == RULE_GUID && a->res->churned > 0 &&
	    (size_t)a->res->churned * 2 >= n) {
		if ((r = store_pick_rule(s, se, n, RULE_LINK, &why,
		    &a->keys)) == -1)
			goto out;
		if (store_set_rule(s, a->source_id, a->cs->name, RULE_GUID, r,
		    "ids change on every fetch") == -1)
			goto out;
	}

	buf_puts(listed, "[");
	for (size_t i = 0; i < n; i++) {
		if (se[i].id <= 0)
			continue;
		buf_printf(listed, nlisted++ > 0 ? ",%lld" : "%lld",
		    (long long)se[i].id);
	}
	buf_puts(listed, "]");
	rc = listed->failed ? -1 : 0;
out:
	for (size_t i = 0; i < n; i++)
		store_entry_clear(&se[i]);
	free(se);
	free(a->keys.slot);
	free(a->claimed.slot);
	free(a->catids);
	a->catids = NULL;
	return rc;
}

/* Written only when something changed: an unchanged poll writes less. */
static const char SQL_SOURCE_FEED[] =
    "UPDATE source SET title = ?1, link = ?2, feed_id = ?3, updated = ?4,"
    " listed = ?6, entries = entries + ?7 WHERE id = ?5 AND (?7 > 0"
    " OR title IS NOT ?1 OR link IS NOT ?2 OR feed_id IS NOT ?3"
    " OR updated IS NOT ?4 OR listed IS NOT ?6)";
static const char SQL_SOURCE_POLLED[] =
    "UPDATE source SET last_attempt = ?, last_status = ?, state = ?,"
    " last_error = ?, etag = ?, last_modified = ?, next_poll = ?,"
    " failures = ?,"
    " last_success = CASE WHEN ?4 IS NULL THEN ?1 ELSE last_success END,"
    " failing_since = CASE WHEN ?4 IS NULL THEN NULL"
    "  ELSE COALESCE(failing_since, ?1) END,"
    " redirect_url = ?10, redirect_count = ?11,"
    " cur_url = COALESCE(?12, cur_url), retired = ?13,"
    " feed_hint = ?14, skip_hours = ?15, skip_days = ?16"
    " WHERE id = ?9";
static const char SQL_POLL_INSERT[] =
    "INSERT INTO poll (source_id, at, status, bytes, duration_ms, new,"
    " updated, error, state, next_poll) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* Keeps the newest STORE_POLLS_KEPT records of the source. */
static const char SQL_POLL_PRUNE[] =
    "DELETE FROM poll WHERE source_id = ?1 AND id <= (SELECT id FROM poll"
    " WHERE source_id = ?1 ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?2)";

/*
 * Retention of one source: entries past max_entries (newest kept) or older
 * than max_age go, unless the latest document still lists them.  Each
 * leaves a tombstone.  The condition is the same in both statements.
 */
#define SQL_RETAIN_WHERE \
    " FROM entry WHERE source_id = ?1" \
    " AND id NOT IN (SELECT value FROM json_each(COALESCE(" \
    "  (SELECT listed FROM source WHERE id = ?1), '[]')))" \
    " AND ((?2 > 0 AND sort_date < ?3) OR (?4 > 0 AND id NOT IN" \
    "  (SELECT id FROM entry WHERE source_id = ?1" \
    "   ORDER BY sort_date DESC, id DESC LIMIT ?4)))"
static const char SQL_RETAIN_TOMB[] =
    "INSERT OR IGNORE INTO tombstone (source_id, key, nlink, kdate, idhash,"
    " at, reason) SELECT source_id, key, nlink, COALESCE(published, updated),"
    " idhash, ?5, 'retention'" SQL_RETAIN_WHERE;
static const char SQL_RETAIN_DELETE[] =
    "DELETE" SQL_RETAIN_WHERE;
static const char SQL_RETAIN_NEED[] =
    "SELECT count(*), min(sort_date) FROM entry WHERE source_id = ?";
static const char SQL_SOURCE_COUNT[] =
    "UPDATE source SET entries = entries - ? WHERE id = ?";

/* Applies the source's retention; the number deleted, or -1. */
static int
store_retain(struct store *s, int64_t source_id, const struct conf_source *cs,
    int64_t now)
{
	sqlite3_stmt	*st;
	int64_t		 count, oldest;
	int		 n;

	if (cs->max_age <= 0 && cs->max_entries <= 0)
		return 0;
	/* Most polls delete nothing: find out cheaply through the index. */
	if ((st = db_stmt(s->db, SQL_RETAIN_NEED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -1;
	count = sqlite3_column_int64(st, 0);
	oldest = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	if (!(cs->max_entries > 0 && count > cs->max_entries) &&
	    !(cs->max_age > 0 && count > 0 && oldest < now - cs->max_age))
		return 0;

	for (int pass = 0; pass < 2; pass++) {
		st = db_stmt(s->db, pass == 0 ? SQL_RETAIN_TOMB :
		    SQL_RETAIN_DELETE);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, source_id);
		sqlite3_bind_int64(st, 2, cs->max_age);
		sqlite3_bind_int64(st, 3, now - cs->max_age);
		sqlite3_bind_int64(st, 4, cs->max_entries);
		if (pass == 0)
			sqlite3_bind_int64(st, 5, now);
		if (store_step_done(st) == -1)
			return -1;
	}
	n = sqlite3_changes(sqlite3_db_handle(st));
	if (n > 0) {
		if ((st = db_stmt(s->db, SQL_SOURCE_COUNT)) == NULL)
			return -1;
		sqlite3_bind_int(st, 1, n);
		sqlite3_bind_int64(st, 2, source_id);
		if (store_step_done(st) == -1)
			return -1;
		log_info("source %s: retention deleted %d entries", cs->name,
		    n);
	}
	return n;
}

int
store_poll_done(struct store *s, const struct conf_source *cs,
    const struct store_poll *p, const struct doc *doc,
    struct store_result *res)
{
	struct store_apply	 a;
	struct buf		 listed;
	sqlite3_stmt		*st;
	enum store_rule		 rule;
	int			 n, rc;

	memset(res, 0, sizeof *res);
	memset(&a, 0, sizeof a);
	buf_init(&listed, 16 * 1024 * 1024);
	if (db_begin(s->db) == -1)
		goto fail;
	if ((st = db_stmt(s->db, SQL_SOURCE_LOAD)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, cs->name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		/* Configured, not recorded yet (the database refused it). */
		log_debug("source %s: not in the database yet, poll not stored",
		    cs->name);
		/* Nothing written: a rollback would undo the batch's polls. */
		(void)db_commit(s->db);
		buf_free(&listed);
		return -1;
	}
	if (rc != SQLITE_ROW)
		goto fail;
	a.source_id = sqlite3_column_int64(st, 0);
	rule = store_rule_find(col_text(st, 1));
	sqlite3_reset(st);
	a.cs = cs;
	a.now = p->at;
	a.res = res;

	if (doc != NULL) {
		if (store_doc_apply(s, &a, rule, doc, &listed) == -1)
			goto fail;
		if ((st = db_stmt(s->db, SQL_SOURCE_FEED)) == NULL)
			goto fail;
		bind_text(st, 1, doc->feed.title);
		bind_text(st, 2, doc->feed.link);
		bind_text(st, 3, doc->feed.id);
		bind_date(st, 4, doc->feed.updated);
		sqlite3_bind_int64(st, 5, a.source_id);
		sqlite3_bind_text(st, 6, listed.data, (int)listed.len,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 7, res->new);
		if (store_step_done(st) == -1)
			goto fail;
	}
	if (p->error == NULL) {
		if ((n = store_retain(s, a.source_id, cs, p->at)) == -1)
			goto fail;
		res->deleted = n;
	}

	if ((st = db_stmt(s->db, SQL_SOURCE_POLLED)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, p->at);
	if (p->status > 0)
		sqlite3_bind_int(st, 2, p->status);
	bind_text(st, 3, p->state);
	bind_text(st, 4, p->error);
	bind_text(st, 5, p->etag);
	bind_text(st, 6, p->last_modified);
	if (p->next_poll > 0)
		sqlite3_bind_int64(st, 7, p->next_poll);
	sqlite3_bind_int(st, 8, p->failures);
	sqlite3_bind_int64(st, 9, a.source_id);
	bind_text(st, 10, p->redirect_url);
	sqlite3_bind_int(st, 11, p->redirect_count);
	bind_text(st, 12, p->adopt_url);
	sqlite3_bind_int(st, 13, p->retired);
	sqlite3_bind_int64(st, 14, p->feed_hint);
	sqlite3_bind_int64(st, 15, p->skip_hours);
	sqlite3_bind_int(st, 16, p->skip_days);
	if (store_step_done(st) == -1)
		goto fail;

	if ((st = db_stmt(s->db, SQL_POLL_INSERT)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, a.source_id);
	sqlite3_bind_int64(st, 2, p->at);
	if (p->status > 0)
		sqlite3_bind_int(st, 3, p->status);
	sqlite3_bind_int64(st, 4, p->bytes);
	sqlite3_bind_int64(st, 5, p->duration_ms);
	sqlite3_bind_int(st, 6, res->new);
	sqlite3_bind_int(st, 7, res->updated);
	bind_text(st, 8, p->error);
	bind_text(st, 9, p->state);
	if (p->next_poll > 0)
		sqlite3_bind_int64(st, 10, p->next_poll);
	if (store_step_done(st) == -1)
		goto fail;
	/* Pruning now and then is enough to bound the poll records. */
	if (sqlite3_last_insert_rowid(sqlite3_db_handle(st)) % 32 == 0) {
		if ((st = db_stmt(s->db, SQL_POLL_PRUNE)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, a.source_id);
		sqlite3_bind_int(st, 2, STORE_POLLS_KEPT);
		if (store_step_done(st) == -1)
			goto fail;
	}
	/* Pages freed by retention go back to the file system. */
	if (res->deleted > 0 && db_exec(s->db, "PRAGMA incremental_vacuum") ==
	    -1)
		goto fail;

	if (db_commit(s->db) == -1)
		goto fail;
	buf_free(&listed);
	res->changed_all = res->new > 0 || res->updated > 0 ||
	    res->deleted > 0;
	if (s->batch)
		s->batch_polls++;	/* judged when the batch commits */
	else {
		if (s->unstored > 0)
			log_info("database: polls are stored again (%d were "
			    "not and are fetched again)", s->unstored);
		s->unstored = 0;
	}
	return 0;

fail:
	/*
	 * A full disk or a held lock fails every poll alike: one line says
	 * so, and one says when it is over.  Nothing of the poll is kept, its
	 * validators neither, so the next poll fetches the document whole.
	 */
	if (s->unstored++ == 0)
		log_warnx("source %s: database: %s; polls are not stored "
		    "until it is resolved, each is fetched again later",
		    cs->name, db_errmsg(s->db));
	else
		log_debug("source %s: database: %s", cs->name,
		    db_errmsg(s->db));
	db_rollback(s->db);
	/* In a batch the rollback undid the polls stored before it too. */
	if (s->batch && s->batch_polls > 0) {
		log_warnx("database: %d polls stored before it in the same "
		    "transaction were undone with it; each is fetched again "
		    "later", s->batch_polls);
		s->unstored += s->batch_polls;
		s->batch_polls = 0;
	}
	buf_free(&listed);
	memset(res, 0, sizeof *res);
	return -1;
}

static const char SQL_BACKFILL_SELECT[] =
    "SELECT id, link, title, published, updated, content, summary,"
    " author_name, terms FROM entry WHERE idhash IS NULL LIMIT 256";
static const char SQL_BACKFILL_ANY[] =
    "SELECT 1 FROM entry WHERE idhash IS NULL LIMIT 1";
static const char SQL_BACKFILL_UPDATE[] =
    "UPDATE entry SET nlink = ?, story = ?, idhash = ?, hash = ? "
    "WHERE id = ?";

/* One migrated entry's computed identity columns. */
struct store_fill {
	int64_t		 id;
	char		*nlink;
	char		*story;
	unsigned char	 idhash[STORE_HASHLEN];
	unsigned char	 hash[STORE_HASHLEN];
};

/*
 * Entries stored before schema 2 get their normalised link, story key and
 * identity hash, a batch per transaction (read first, then written, so
 * the scan never sees its own writes); the partial index finds them, so
 * this costs nothing once done.
 */
static int
store_backfill(struct store *s)
{
	struct store_fill	 f[256];
	sqlite3_stmt		*st;
	int64_t			 date, total = 0;
	size_t			 n = 0, i;
	int			 rc;

	/*
	 * Usually there is nothing to fill in: then no write, so a database
	 * that is full or locked by another process can still be opened.
	 */
	if ((st = db_stmt(s->db, SQL_BACKFILL_ANY)) == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	do {
		if (db_begin(s->db) == -1)
			return -1;
		if ((st = db_stmt(s->db, SQL_BACKFILL_SELECT)) == NULL)
			goto fail;
		for (n = 0; n < 256 && (rc = sqlite3_step(st)) == SQLITE_ROW;
		    n++) {
			const char *link = col_text(st, 1);
			const char *title = col_text(st, 2);
			const char *body = col_text(st, 5);

			/* As store_entry_prepare computes them from a doc. */
			store_fields_hash(title, link, col_text(st, 6), body,
			    col_text(st, 7), col_text(st, 8), col_date(st, 3),
			    col_date(st, 4), f[n].hash);
			date = col_date(st, 3);
			if (date == STORE_NODATE)
				date = col_date(st, 4);
			if (body == NULL)
				body = col_text(st, 6);
			f[n].id = sqlite3_column_int64(st, 0);
			store_idhash(title, date, body, f[n].idhash);
			f[n].nlink = store_norm_link(link);
			f[n].story = store_story_key(NULL, link, title);
		}
		if (n < 256 && rc != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
		for (i = 0; i < n; i++) {
			if ((st = db_stmt(s->db, SQL_BACKFILL_UPDATE)) == NULL)
				goto fail;
			bind_text(st, 1, f[i].nlink);
			bind_text(st, 2, f[i].story);
			sqlite3_bind_blob(st, 3, f[i].idhash, STORE_HASHLEN,
			    SQLITE_STATIC);
			sqlite3_bind_blob(st, 4, f[i].hash, STORE_HASHLEN,
			    SQLITE_STATIC);
			sqlite3_bind_int64(st, 5, f[i].id);
			if (store_step_done(st) == -1)
				goto fail;
		}
		for (i = 0; i < n; i++) {
			free(f[i].nlink);
			free(f[i].story);
		}
		if (db_commit(s->db) == -1)
			return -1;
		total += (int64_t)n;
	} while (n > 0);
	if (total > 0)
		log_info("database: filled in %lld migrated entries",
		    (long long)total);
	return 0;
fail:
	for (i = 0; i < n; i++) {
		free(f[i].nlink);
		free(f[i].story);
	}
	db_rollback(s->db);
	return -1;
}

#define SQL_ITEM_COLUMNS \
    "SELECT e.id, e.guid, e.link, e.title, e.title_type, e.summary," \
    " e.summary_type, e.content, e.content_type, e.author_name," \
    " e.author_email, e.author_uri, e.terms, e.published, e.updated," \
    " e.sort_date, s.name, COALESCE(s.cur_url, s.url), s.title, s.link," \
    " s.feed_id, s.updated, e.story," \
    " CASE WHEN e.changed > e.first_seen THEN e.changed END "
/* Title stories only join entries this close in time (seconds, as text). */
#define SQL_TITLE_WINDOW	"172800"
/* Another entry of the same story, earlier (lower id) or later. */
#define SQL_SAME_STORY(cmp) \
    " e2.story = e.story AND e2.id " cmp " e.id" \
    " AND (substr(e.story, 1, 2) <> 't:'" \
    "  OR abs(e2.sort_date - e.sort_date) <= " SQL_TITLE_WINDOW ")"
/* Merged views show a story once: its first publisher's entry. */
#define SQL_FIRST_OF_STORY_ALL \
    "AND (e.story IS NULL OR NOT EXISTS (SELECT 1 FROM entry e2" \
    " JOIN source s2 ON s2.id = e2.source_id AND s2.active = 1 WHERE" \
    SQL_SAME_STORY("<") ")) "
/*
 * Whether entry_member row M lists the category named CAT (its pairs are
 * "[id,sort]": see store-member.h).
 */
#define SQL_MEMBER_OF(m, cat) \
    " instr(" m ".cats, '[' || (SELECT id FROM category WHERE name = " cat \
    ") || ',') > 0"
/* The same in a category; the category is parameter CAT ("?N"). */
#define SQL_FIRST_OF_STORY_CATEGORY(cat) \
    "AND (e.story IS NULL OR NOT EXISTS (SELECT 1 FROM entry e2" \
    " JOIN entry_member m2 ON m2.entry_id = e2.id AND" \
    SQL_MEMBER_OF("m2", cat) \
    " JOIN source s2 ON s2.id = e2.source_id AND s2.active = 1 WHERE" \
    SQL_SAME_STORY("<") ")) "
#define SQL_VIA_COLUMNS \
    "SELECT COALESCE(e2.link, s2.link, s2.cur_url, s2.url), s2.name," \
    " s2.title FROM (SELECT ?2 AS id, ?3 AS story, ?4 AS sort_date) e" \
    " JOIN entry e2 ON"
static const char SQL_VIA_ALL[] = SQL_VIA_COLUMNS SQL_SAME_STORY(">")
    " JOIN source s2 ON s2.id = e2.source_id AND s2.active = 1"
    " WHERE ?1 IS NULL ORDER BY e2.id LIMIT " "16";
static const char SQL_VIA_CATEGORY[] = SQL_VIA_COLUMNS SQL_SAME_STORY(">")
    " JOIN entry_member m2 ON m2.entry_id = e2.id AND" SQL_MEMBER_OF("m2", "?1")
    " JOIN source s2 ON s2.id = e2.source_id AND s2.active = 1"
    " ORDER BY e2.id LIMIT " "16";

/* The later publishers of an item's story, copied into bounded storage. */
struct store_vias {
	struct store_via	 v[STORE_MAXVIA];
	size_t			 n;
	char			 text[STORE_VIABYTES];
	size_t			 used;
};

/* Copies S into V's text; NULL when it does not fit (or S is NULL). */
static const char *
store_via_copy(struct store_vias *v, const char *s)
{
	size_t	 len;
	char	*p;

	if (s == NULL || (len = strlen(s) + 1) > sizeof v->text - v->used)
		return NULL;
	p = v->text + v->used;
	memcpy(p, s, len);
	v->used += len;
	return p;
}

/* Fills V with the other publishers of the story of the item with ID. */
static int
store_vias(struct store *s, const char *category, int64_t id,
    const char *story, int64_t sort, struct store_vias *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	v->n = v->used = 0;
	st = db_stmt(s->db, category != NULL ? SQL_VIA_CATEGORY : SQL_VIA_ALL);
	if (st == NULL)
		return -1;
	bind_text(st, 1, category);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, story, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, sort);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && v->n < STORE_MAXVIA) {
		struct store_via *via = &v->v[v->n];

		if ((via->link = store_via_copy(v, col_text(st, 0))) == NULL ||
		    (via->source_name = store_via_copy(v,
		    col_text(st, 1))) == NULL)
			break;
		via->source_title = store_via_copy(v, col_text(st, 2));
		v->n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_each(struct store *s, const char *category, int limit,
    store_item_cb cb, void *arg)
{
	struct store_view	v = { category, NULL };

	/* The first page of the view: the same query paging uses. */
	return store_view_page(s, &v, NULL, limit, cb, arg);
}

/* Fills IT from a row of SQL_ITEM_COLUMNS. */
static void
store_item_row(sqlite3_stmt *st, struct store_item *it)
{
	it->id = sqlite3_column_int64(st, 0);
	it->guid = col_text(st, 1);
	it->link = col_text(st, 2);
	it->title = col_text(st, 3);
	it->title_type = col_text(st, 4);
	it->summary = col_text(st, 5);
	it->summary_type = col_text(st, 6);
	it->content = col_text(st, 7);
	it->content_type = col_text(st, 8);
	it->author_name = col_text(st, 9);
	it->author_email = col_text(st, 10);
	it->author_uri = col_text(st, 11);
	it->terms = col_text(st, 12);
	it->published = col_date(st, 13);
	it->updated = col_date(st, 14);
	it->sort_date = sqlite3_column_int64(st, 15);
	it->source_name = col_text(st, 16);
	it->source_url = col_text(st, 17);
	it->source_title = col_text(st, 18);
	it->source_link = col_text(st, 19);
	it->source_feed_id = col_text(st, 20);
	it->source_updated = col_date(st, 21);
	it->edited = col_date(st, 23);
	it->via = NULL;
	it->nvia = 0;
}

/*
 * Steps ST (bound already) through CB; entries visited or -1.  A merged
 * view (MERGED: every source, or CATEGORY) lists each item's later
 * publishers of the same story as its via links.
 */
static int
store_item_run(struct store *s, sqlite3_stmt *st, const char *what,
    int merged, const char *category, store_item_cb cb, void *arg)
{
	struct store_item	 it;
	struct store_vias	*vias = NULL;
	int			 rc, n = 0;

	if (merged && (vias = malloc(sizeof *vias)) == NULL) {
		sqlite3_reset(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_item_row(st, &it);
		if (merged && col_text(st, 22) != NULL) {
			if (store_vias(s, category, it.id, col_text(st, 22),
			    it.sort_date, vias) == -1) {
				rc = SQLITE_ERROR;
				break;
			}
			it.via = vias->v;
			it.nvia = vias->n;
		}
		n++;
		if (cb(&it, arg) != 0)
			break;
	}
	free(vias);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("database: view %s: %s", what, db_errmsg(s->db));
		n = -1;
	}
	sqlite3_reset(st);
	return n;
}

/* Row values let SQLite walk the index from the cursor on. */
static const char SQL_PAGE_ALL[] = SQL_ITEM_COLUMNS
    "FROM entry e JOIN source s ON s.id = e.source_id WHERE s.active = 1 "
    "AND (e.sort_date, e.id) < (?1, ?2) " SQL_FIRST_OF_STORY_ALL
    "ORDER BY e.sort_date DESC, e.id DESC LIMIT ?3";
static const char SQL_PAGE_CATEGORY[] = SQL_ITEM_COLUMNS
    "FROM entry_category c JOIN entry e ON e.id = c.entry_id "
    "JOIN source s ON s.id = e.source_id "
    "WHERE c.category_id = (SELECT id FROM category WHERE name = ?4) "
    "AND s.active = 1 "
    "AND (c.sort_date, c.entry_id) < (?1, ?2) "
    SQL_FIRST_OF_STORY_CATEGORY("?4")
    "ORDER BY c.sort_date DESC, c.entry_id DESC LIMIT ?3";
static const char SQL_PAGE_SOURCE[] = SQL_ITEM_COLUMNS
    "FROM entry e JOIN source s ON s.id = e.source_id WHERE s.name = ?4 "
    "AND (e.sort_date, e.id) < (?1, ?2) "
    "ORDER BY e.sort_date DESC, e.id DESC LIMIT ?3";

/* The view's name for messages. */
static const char *
store_view_name(const struct store_view *v)
{
	return v->category != NULL ? v->category : v->source != NULL ?
	    v->source : "all";
}

int
store_view_page(struct store *s, const struct store_view *v,
    const struct store_cursor *before, int limit, store_item_cb cb, void *arg)
{
	sqlite3_stmt	*st;

	st = db_stmt(s->db, v->category != NULL ? SQL_PAGE_CATEGORY :
	    v->source != NULL ? SQL_PAGE_SOURCE : SQL_PAGE_ALL);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before != NULL ? before->sort_date :
	    INT64_MAX);
	sqlite3_bind_int64(st, 2, before != NULL ? before->id : INT64_MAX);
	sqlite3_bind_int(st, 3, limit);
	if (v->category != NULL || v->source != NULL)
		sqlite3_bind_text(st, 4, v->category != NULL ? v->category :
		    v->source, -1, SQLITE_STATIC);
	return store_item_run(s, st, store_view_name(v), v->source == NULL,
	    v->category, cb, arg);
}

static const char SQL_ARCHIVE_ALL[] = SQL_ITEM_COLUMNS
    "FROM entry e JOIN source s ON s.id = e.source_id WHERE s.active = 1 "
    SQL_FIRST_OF_STORY_ALL
    "ORDER BY e.first_seen, e.sort_date, e.id LIMIT ?1 OFFSET ?2";
static const char SQL_ARCHIVE_CATEGORY[] = SQL_ITEM_COLUMNS
    "FROM entry_category c JOIN entry e ON e.id = c.entry_id "
    "JOIN source s ON s.id = e.source_id "
    "WHERE c.category_id = (SELECT id FROM category WHERE name = ?3) "
    "AND s.active = 1 "
    SQL_FIRST_OF_STORY_CATEGORY("?3")
    "ORDER BY e.first_seen, e.sort_date, e.id LIMIT ?1 OFFSET ?2";
static const char SQL_ARCHIVE_SOURCE[] = SQL_ITEM_COLUMNS
    "FROM entry e JOIN source s ON s.id = e.source_id WHERE s.name = ?3 "
    "ORDER BY e.first_seen, e.sort_date, e.id LIMIT ?1 OFFSET ?2";

int
store_view_archive(struct store *s, const struct store_view *v,
    int64_t offset, int limit, store_item_cb cb, void *arg)
{
	sqlite3_stmt	*st;

	st = db_stmt(s->db, v->category != NULL ? SQL_ARCHIVE_CATEGORY :
	    v->source != NULL ? SQL_ARCHIVE_SOURCE : SQL_ARCHIVE_ALL);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	sqlite3_bind_int64(st, 2, offset);
	if (v->category != NULL || v->source != NULL)
		sqlite3_bind_text(st, 3, v->category != NULL ? v->category :
		    v->source, -1, SQLITE_STATIC);
	return store_item_run(s, st, store_view_name(v), v->source == NULL,
	    v->category, cb, arg);
}

/*
 * A view's size and newest date are read on every rendering and for every
 * row of the index, so each must cost an index walk, not a pass over the
 * view's rows joined to entry and source: a count over the category's own
 * rows, less the rows of hidden (inactive) sources found from those
 * sources, and the newest visible entry from the top of the sort index.
 */
static const char SQL_VCOUNT_ALL[] =
    "SELECT (SELECT count(*) FROM entry) - (SELECT count(*) FROM source s "
    "CROSS JOIN entry e ON e.source_id = s.id WHERE s.active = 0)";
static const char SQL_VCOUNT_CATEGORY[] =
    "SELECT (SELECT count(*) FROM entry_category WHERE category_id = "
    "(SELECT id FROM category WHERE name = ?1)) - "
    "(SELECT count(*) FROM source s CROSS JOIN entry e ON e.source_id = s.id "
    "CROSS JOIN entry_member m ON m.entry_id = e.id "
    "WHERE s.active = 0 AND" SQL_MEMBER_OF("m", "?1") ")";
static const char SQL_VCOUNT_SOURCE[] =
    "SELECT count(*) FROM source s CROSS JOIN entry e ON e.source_id = s.id "
    "WHERE s.name = ?1";
static const char SQL_VNEWEST_ALL[] =
    "SELECT e.sort_date FROM entry e JOIN source s ON s.id = e.source_id "
    "WHERE s.active = 1 ORDER BY e.sort_date DESC, e.id DESC LIMIT 1";
static const char SQL_VNEWEST_CATEGORY[] =
    "SELECT c.sort_date FROM entry_category c JOIN entry e ON "
    "e.id = c.entry_id JOIN source s ON s.id = e.source_id "
    "WHERE c.category_id = (SELECT id FROM category WHERE name = ?1) "
    "AND s.active = 1 ORDER BY c.sort_date DESC, c.entry_id DESC LIMIT 1";
static const char SQL_VNEWEST_SOURCE[] =
    "SELECT max(e.sort_date) FROM source s CROSS JOIN entry e ON "
    "e.source_id = s.id WHERE s.name = ?1";
static const char SQL_VNEXT_ALL[] =
    "SELECT min(next_poll) FROM source WHERE active = 1";
static const char SQL_VNEXT_CATEGORY[] =
    "SELECT min(next_poll) FROM source WHERE active = 1 AND "
    "instr(',' || categories || ',', ',' || ?1 || ',') > 0";
static const char SQL_VNEXT_SOURCE[] =
    "SELECT min(next_poll) FROM source WHERE name = ?1";

/* Runs the one-value query that fits V (ALL, CATEGORY or SOURCE) into *OUT. */
static int
store_view_value(struct store *s, const struct store_view *v,
    const char *all, const char *category, const char *source, int64_t *out)
{
	sqlite3_stmt	*st;
	const char	*name = v->category != NULL ? v->category : v->source;
	int		 rc;

	*out = 0;
	st = db_stmt(s->db, v->category != NULL ? category :
	    v->source != NULL ? source : all);
	if (st == NULL)
		return -1;
	if (name != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_view_stats(struct store *s, const struct store_view *v,
    struct store_view_stats *out)
{
	memset(out, 0, sizeof *out);
	if (store_view_value(s, v, SQL_VCOUNT_ALL, SQL_VCOUNT_CATEGORY,
	    SQL_VCOUNT_SOURCE, &out->count) == -1 ||
	    store_view_value(s, v, SQL_VNEWEST_ALL, SQL_VNEWEST_CATEGORY,
	    SQL_VNEWEST_SOURCE, &out->newest) == -1)
		return -1;
	return store_view_next_poll(s, v, &out->next_poll);
}

int
store_view_next_poll(struct store *s, const struct store_view *v,
    int64_t *next_poll)
{
	return store_view_value(s, v, SQL_VNEXT_ALL, SQL_VNEXT_CATEGORY,
	    SQL_VNEXT_SOURCE, next_poll);
}

static const char SQL_METRICS[] =
    "SELECT s.name, s.state, s.last_success, s.failures, s.last_status,"
    " count(p.id), sum(p.status = 304), sum(p.bytes), sum(p.new), s.entries"
    " FROM source s LEFT JOIN poll p ON p.source_id = s.id"
    " WHERE s.active = 1 GROUP BY s.id ORDER BY s.name";

int
store_metrics_each(struct store *s, store_metrics_cb cb, void *arg)
{
	sqlite3_stmt			*st;
	struct store_source_metrics	 m;
	int				 rc;

	if ((st = db_stmt(s->db, SQL_METRICS)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m.name = col_text(st, 0);
		m.state = col_text(st, 1);
		m.last_success = sqlite3_column_int64(st, 2);
		m.failures = sqlite3_column_int(st, 3);
		m.last_status = sqlite3_column_int(st, 4);
		m.polls = sqlite3_column_int64(st, 5);
		m.polls_304 = sqlite3_column_int64(st, 6);
		m.bytes = sqlite3_column_int64(st, 7);
		m.new_entries = sqlite3_column_int64(st, 8);
		m.entries = sqlite3_column_int64(st, 9);
		if (cb(&m, arg) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int64_t
store_size(struct store *s)
{
	return db_size(s->db);
}

static const char SQL_HEALTH[] =
    "INSERT INTO health (id, at) VALUES (1, ?) "
    "ON CONFLICT (id) DO UPDATE SET at = excluded.at";

int
store_check_writable(struct store *s, int64_t now)
{
	sqlite3_stmt	*st;

	if (db_begin(s->db) == -1)
		return -1;
	if ((st = db_stmt(s->db, SQL_HEALTH)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	if (db_commit(s->db) == -1)
		goto fail;
	return 0;
fail:
	/* Probes ask every second: a lasting failure is logged once an hour. */
	log_warnx_limited("health", "database: health check: %s",
	    db_errmsg(s->db));
	db_rollback(s->db);
	return -1;
}

static const char SQL_SOURCES[] =
    "SELECT name, url, cur_url, title, state, last_error, last_attempt,"
    " last_success, failing_since, next_poll, last_status, failures,"
    " entries, active, id_rule, redirect_url, redirect_count, retired"
    " FROM source WHERE active = 1 ORDER BY name";

int
store_sources_each(struct store *s, store_source_cb cb, void *arg)
{
	sqlite3_stmt			*st;
	struct store_source_info	 si;
	int				 rc;

	if ((st = db_stmt(s->db, SQL_SOURCES)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		si.name = col_text(st, 0);
		si.url = col_text(st, 1);
		si.cur_url = col_text(st, 2);
		si.title = col_text(st, 3);
		si.state = col_text(st, 4);
		si.last_error = col_text(st, 5);
		si.last_attempt = sqlite3_column_int64(st, 6);
		si.last_success = sqlite3_column_int64(st, 7);
		si.failing_since = sqlite3_column_int64(st, 8);
		si.next_poll = sqlite3_column_int64(st, 9);
		si.last_status = sqlite3_column_int(st, 10);
		si.failures = sqlite3_column_int(st, 11);
		si.entries = sqlite3_column_int64(st, 12);
		si.active = sqlite3_column_int(st, 13);
		si.id_rule = col_text(st, 14);
		si.redirect_url = col_text(st, 15);
		si.redirect_count = sqlite3_column_int(st, 16);
		si.retired = sqlite3_column_int(st, 17);
		if (cb(&si, arg) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static const char SQL_POLLS[] =
    "SELECT p.at, p.status, p.bytes, p.duration_ms, p.new, p.updated,"
    " p.state, p.error, p.next_poll FROM poll p JOIN source s"
    " ON s.id = p.source_id WHERE s.name = ? ORDER BY p.id DESC LIMIT ?";

int
store_polls_each(struct store *s, const char *source, int limit,
    store_poll_cb cb, void *arg)
{
	sqlite3_stmt		*st;
	struct store_poll_info	 pi;
	int			 rc, n = 0;

	if ((st = db_stmt(s->db, SQL_POLLS)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pi.at = sqlite3_column_int64(st, 0);
		pi.status = sqlite3_column_int(st, 1);
		pi.bytes = sqlite3_column_int64(st, 2);
		pi.duration_ms = sqlite3_column_int64(st, 3);
		pi.new = sqlite3_column_int(st, 4);
		pi.updated = sqlite3_column_int(st, 5);
		pi.state = col_text(st, 6);
		pi.error = col_text(st, 7);
		pi.next_poll = sqlite3_column_int64(st, 8);
		n++;
		if (cb(&pi, arg) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
}

static const char SQL_STATS_ALL[] =
    "SELECT count(*), max(e.sort_date) FROM entry e "
    "JOIN source s ON s.id = e.source_id WHERE s.active = 1";
static const char SQL_STATS_CATEGORY[] =
    "SELECT count(*), max(c.sort_date) FROM entry_category c "
    "JOIN entry e ON e.id = c.entry_id JOIN source s ON s.id = e.source_id "
    "WHERE c.category_id = (SELECT id FROM category WHERE name = ?) "
    "AND s.active = 1";

int
store_category_stats(struct store *s, const char *category, int64_t *count,
    int64_t *newest)
{
	sqlite3_stmt	*st;

	st = db_stmt(s->db, category != NULL ? SQL_STATS_CATEGORY :
	    SQL_STATS_ALL);
	if (st == NULL)
		return -1;
	if (category != NULL)
		sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	*count = sqlite3_column_int64(st, 0);
	*newest = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return 0;
}

/* The entries an operator's REF names: an id, else a guid or link. */
#define SQL_DELETE_WHERE \
    " FROM entry WHERE id = CAST(?1 AS INTEGER) AND ?1 GLOB '[0-9]*'" \
    " AND ?1 NOT GLOB '*[^0-9]*' OR guid = ?1 OR link = ?1"
static const char SQL_DELETE_TOMB[] =
    "INSERT OR IGNORE INTO tombstone (source_id, key, nlink, kdate, idhash,"
    " at, reason) SELECT source_id, key, nlink, COALESCE(published, updated),"
    " idhash, ?2, 'operator'" SQL_DELETE_WHERE;
static const char SQL_DELETE_COUNT[] =
    "UPDATE source SET entries = (SELECT count(*) FROM entry e"
    " WHERE e.source_id = source.id)";
static const char SQL_DELETE[] =
    "DELETE" SQL_DELETE_WHERE;

int
store_delete(struct store *s, const char *ref)
{
	sqlite3_stmt	*st;
	int		 n;

	if (db_begin(s->db) == -1)
		return -1;
	if ((st = db_stmt(s->db, SQL_DELETE_TOMB)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	if (store_step_done(st) == -1)
		goto fail;
	if ((st = db_stmt(s->db, SQL_DELETE)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (store_step_done(st) == -1)
		goto fail;
	n = sqlite3_changes(sqlite3_db_handle(st));
	if ((st = db_stmt(s->db, SQL_DELETE_COUNT)) == NULL ||
	    store_step_done(st) == -1)
		goto fail;
	if (n > 0 && db_exec(s->db, "PRAGMA incremental_vacuum") == -1)
		goto fail;
	if (db_commit(s->db) == -1)
		goto fail;
	return n;
fail:
	log_warnx("database: deleting %s: %s", ref, db_errmsg(s->db));
	db_rollback(s->db);
	return -1;
}

int
store_backup(struct store *s, const char *path, char **err)
{
	if (db_backup(s->db, path) == -1) {
		if (asprintf(err, "%s: %s", path, db_errmsg(s->db)) == -1)
			*err = NULL;
		return -1;
	}
	return 0;
}

int
store_preview_keys(const struct doc *doc, char **keys)
{
	struct store_entry	*se;
	struct keyset		 ks;
	const char		*why;
	size_t			 i, n = doc->nentries;
	int			 rc = -1;

	/* The same preparation and rule choice a poll of a new source does. */
	memset(&ks, 0, sizeof ks);
	if ((se = calloc(n > 0 ? n : 1, sizeof *se)) == NULL)
		return -1;
	if (keyset_init(&ks, n) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (store_entry_prepare(NULL, &doc->entries[i], &se[i]) == -1)
			goto out;
	if (store_pick_rule(NULL, se, n, RULE_GUID, &why, &ks) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if ((keys[i] = strdup(se[i].key != NULL ? se[i].key : "")) ==
		    NULL) {
			while (i-- > 0)
				free(keys[i]);
			goto out;
		}
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		store_entry_clear(&se[i]);
	free(se);
	free(ks.slot);
	return rc;
}

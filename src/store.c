/* store: sources, entries, categories and poll records in SQLite; see store.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "doc.h"
#include "log.h"
#include "store.h"
#include "store-int.h"
#include "store-reclass.h"

/* A date further ahead than this is a publisher pinning its entry to the top. */
#define STORE_FUTURE_TOLERANCE	(24 * 3600)
#define STORE_HASHLEN		32
#define STORE_TERM_SEP		'\x1f'

struct store {
	struct db	*db;
	struct classify	*cl;	/* category rules; NULL: sources' categories */
};

void
store_set_classify(struct store *s, struct classify *cl)
{
	s->cl = cl;
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
	return s;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	db_close(s->db);
	free(s);
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
static const char SQL_SOURCE_UPSERT[] =
    "INSERT INTO source (name, url, categories, active) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (name) DO UPDATE SET active = 1, categories = excluded.categories, "
    "cur_url = CASE WHEN url = excluded.url THEN cur_url ELSE NULL END, "
    "url = excluded.url";
static const char SQL_RECAT_DELETE[] =
    "DELETE FROM entry_category WHERE entry_id IN "
    "(SELECT e.id FROM entry e JOIN source s ON s.id = e.source_id "
    " WHERE s.name = ?)";
static const char SQL_RECAT_INSERT[] =
    "INSERT OR IGNORE INTO entry_category (category, sort_date, entry_id) "
    "SELECT ?, e.sort_date, e.id FROM entry e JOIN source s "
    "ON s.id = e.source_id WHERE s.name = ?";
static const char SQL_SOURCE_DEACTIVATE[] =
    "UPDATE source SET active = 0 WHERE active = 1 AND name = ?";
static const char SQL_SOURCE_ACTIVE[] =
    "SELECT name FROM source WHERE active = 1";

/* Re-sorts a source's stored entries into its (changed) categories. */
static int
store_recategorize(struct store *s, const struct conf_source *cs)
{
	sqlite3_stmt	*st;

	if ((st = db_stmt(s->db, SQL_RECAT_DELETE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, cs->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	for (size_t i = 0; i < cs->ncategories; i++) {
		if ((st = db_stmt(s->db, SQL_RECAT_INSERT)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, cs->categories[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cs->name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

int
store_sync(struct store *s, const struct conf *conf)
{
	sqlite3_stmt	*st;
	char		*cats = NULL, **gone = NULL;
	size_t		 ngone = 0;
	int		 changed, rc;

	if (db_begin(s->db) == -1)
		return -1;
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
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		if (changed) {
			log_info("source %s: categories now \"%s\"", cs->name,
			    cats);
			/* With rules, store-reclass re-sorts in the background. */
			if (s->cl == NULL && store_recategorize(s, cs) == -1)
				goto fail;
		}
		free(cats);
		cats = NULL;
	}

	/* Sources no longer configured leave the outputs but keep their data. */
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
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		log_info("source %s: removed from the config, entries hidden",
		    gone[i]);
	}
	if (db_commit(s->db) == -1)
		goto fail;
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
    "last_success, failures FROM source WHERE name = ?";

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
	sqlite3_reset(st);
	if (out->url == NULL) {
		store_state_clear(out);
		return -1;
	}
	return 0;
}

void
store_state_clear(struct store_state *st)
{
	free(st->url);
	free(st->etag);
	free(st->last_modified);
	memset(st, 0, sizeof *st);
}

/*
 * A small set of 64-bit key fingerprints, so a key repeated inside one
 * document is applied once (the first occurrence wins).
 */
struct keyset {
	uint64_t	*slot;
	size_t		 mask;
};

static int
keyset_init(struct keyset *ks, size_t n)
{
	size_t	cap = 16;

	while (cap < n * 2)
		cap *= 2;
	ks->mask = cap - 1;
	ks->slot = calloc(cap, sizeof *ks->slot);
	return ks->slot != NULL ? 0 : -1;
}

/* Returns 1 when H was already present, else adds it and returns 0. */
static int
keyset_add(struct keyset *ks, uint64_t h)
{
	size_t	i;

	if (h == 0)
		h = 1;		/* 0 marks an empty slot */
	for (i = h & ks->mask; ks->slot[i] != 0; i = (i + 1) & ks->mask)
		if (ks->slot[i] == h)
			return 1;
	ks->slot[i] = h;
	return 0;
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Feeds a field into the hash with its length, so fields cannot run together. */
static void
hash_field(EVP_MD_CTX *ctx, const char *v)
{
	uint32_t	len = v != NULL ? (uint32_t)strlen(v) : UINT32_MAX;

	EVP_DigestUpdate(ctx, &len, sizeof len);
	if (v != NULL)
		EVP_DigestUpdate(ctx, v, len);
}

static void
hash_int(EVP_MD_CTX *ctx, int64_t v)
{
	EVP_DigestUpdate(ctx, &v, sizeof v);
}

/* The publisher's category terms joined by STORE_TERM_SEP, or NULL. Caller frees. */
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

/* Everything of an entry that one poll needs to insert or compare it. */
struct store_entry {
	const struct doc_entry	*e;
	const char		*key;
	char			*keybuf;	/* owned, when the key is a hash */
	const char		*content;
	const char		*content_type;
	const struct doc_person	*author;
	char			*terms;		/* owned */
	int64_t			 date;		/* best publisher date */
	unsigned char		 hash[STORE_HASHLEN];
};

static void
hexify(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Fills SE from E: identity key, republished fields and their hash. */
static int
store_entry_prepare(EVP_MD_CTX *ctx, const struct doc_entry *e,
    struct store_entry *se)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;

	memset(se, 0, sizeof *se);
	se->e = e;
	/* Publication first: an edit must not move an entry to the top. */
	se->date = e->published != DOC_NODATE ? e->published :
	    doc_entry_date(e);
	if (e->ncontent > 0 && e->content[0].value != NULL) {
		se->content = e->content[0].value;
		se->content_type = e->content[0].type;
	}
	if (e->nauthors > 0)
		se->author = &e->authors[0];
	if (e->ncategories > 0 && (se->terms = store_terms(e)) == NULL)
		return -1;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	hash_field(ctx, e->title);
	hash_field(ctx, e->link);
	hash_field(ctx, e->summary);
	hash_field(ctx, se->content);
	hash_field(ctx, se->author != NULL ? se->author->name : NULL);
	hash_field(ctx, se->terms);
	hash_int(ctx, e->published);
	hash_int(ctx, e->updated);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	memcpy(se->hash, md, STORE_HASHLEN);

	/* Identity: the publisher's id, else the link, else what it says. */
	if (e->id != NULL && e->id[0] != '\0')
		se->key = e->id;
	else if (e->link != NULL && e->link[0] != '\0')
		se->key = e->link;
	else {
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
		hash_field(ctx, e->title);
		hash_int(ctx, se->date);
		hash_field(ctx, se->content != NULL ? se->content : e->summary);
		EVP_DigestFinal_ex(ctx, md, &mdlen);
		if ((se->keybuf = malloc(3 + 2 * STORE_HASHLEN + 1)) == NULL)
			return -1;
		memcpy(se->keybuf, "h:", 2);
		hexify(md, STORE_HASHLEN, se->keybuf + 2);
		se->key = se->keybuf;
	}
	return 0;
}

static void
store_entry_clear(struct store_entry *se)
{
	free(se->keybuf);
	free(se->terms);
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

/* Binds the republished fields at parameters FIRST.. in the column order of SQL_ENTRY_FIELDS. */
static int
bind_fields(sqlite3_stmt *st, int i, const struct store_entry *se)
{
	const struct doc_entry *e = se->e;

	bind_text(st, i++, e->id);
	bind_text(st, i++, e->link);
	bind_text(st, i++, e->title);
	bind_text(st, i++, e->title_type);
	bind_text(st, i++, e->summary);
	bind_text(st, i++, e->summary_type);
	bind_text(st, i++, se->content);
	bind_text(st, i++, se->content_type);
	bind_text(st, i++, se->author != NULL ? se->author->name : NULL);
	bind_text(st, i++, se->author != NULL ? se->author->email : NULL);
	bind_text(st, i++, se->author != NULL ? se->author->uri : NULL);
	bind_text(st, i++, se->terms);
	bind_date(st, i++, e->published);
	bind_date(st, i++, e->updated);
	sqlite3_bind_blob(st, i++, se->hash, STORE_HASHLEN, SQLITE_STATIC);
	return i;
}

static const char SQL_ENTRY_FIND[] =
    "SELECT id, hash FROM entry WHERE source_id = ? AND key = ?";
static const char SQL_ENTRY_INSERT[] =
    "INSERT INTO entry (guid, link, title, title_type, summary, summary_type,"
    " content, content_type, author_name, author_email, author_uri, terms,"
    " published, updated, hash, source_id, key, first_seen, changed,"
    " sort_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?)";
static const char SQL_ENTRY_UPDATE[] =
    "UPDATE entry SET guid = ?, link = ?, title = ?, title_type = ?,"
    " summary = ?, summary_type = ?, content = ?, content_type = ?,"
    " author_name = ?, author_email = ?, author_uri = ?, terms = ?,"
    " published = ?, updated = ?, hash = ?, changed = ? WHERE id = ?";
static const char SQL_CATEGORY_INSERT[] =
    "INSERT OR IGNORE INTO entry_category (category, sort_date, entry_id) "
    "VALUES (?, ?, ?)";

/* Stores one entry; counts it in RES.  -1 on a database error. */
static int
store_entry_apply(struct store *s, int64_t source_id,
    const struct conf_source *cs, const struct store_entry *se, int64_t now,
    struct store_result *res)
{
	sqlite3_stmt	*st;
	int64_t		 id, sort;
	int		 rc, i;

	if ((st = db_stmt(s->db, SQL_ENTRY_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, se->key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == STORE_HASHLEN &&
		    memcmp(sqlite3_column_blob(st, 1), se->hash,
		    STORE_HASHLEN) == 0)
			return 0;
		/* Changed: update in place; it keeps its identity and place. */
		if ((st = db_stmt(s->db, SQL_ENTRY_UPDATE)) == NULL)
			return -1;
		i = bind_fields(st, 1, se);
		sqlite3_bind_int64(st, i++, now);
		sqlite3_bind_int64(st, i, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		if (store_class_entry(s, id, cs, se->e, se->terms, now, 1) == -1)
			return -1;
		res->updated++;
		return 0;
	}
	if (rc != SQLITE_DONE)
		return -1;

	/* Undated entries sort as first seen; so do dates far in the future. */
	sort = se->date;
	if (sort == DOC_NODATE || sort > now + STORE_FUTURE_TOLERANCE)
		sort = now;
	if ((st = db_stmt(s->db, SQL_ENTRY_INSERT)) == NULL)
		return -1;
	i = bind_fields(st, 1, se);
	sqlite3_bind_int64(st, i++, source_id);
	sqlite3_bind_text(st, i++, se->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, now);
	sqlite3_bind_int64(st, i++, now);
	sqlite3_bind_int64(st, i, sort);
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	id = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
	for (size_t c = 0; s->cl == NULL && c < cs->ncategories; c++) {
		if ((st = db_stmt(s->db, SQL_CATEGORY_INSERT)) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, cs->categories[c], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, sort);
		sqlite3_bind_int64(st, 3, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	if (s->cl != NULL &&
	    store_class_entry(s, id, cs, se->e, se->terms, now, 0) == -1)
		return -1;
	res->new++;
	return 0;
}

static const char SQL_SOURCE_ID[] =
    "SELECT id FROM source WHERE name = ?";
static const char SQL_SOURCE_FEED[] =
    "UPDATE source SET title = ?, link = ?, feed_id = ?, updated = ?,"
    " entries = (SELECT count(*) FROM entry WHERE source_id = ?5)"
    " WHERE id = ?5";
static const char SQL_SOURCE_POLLED[] =
    "UPDATE source SET last_attempt = ?, last_status = ?, state = ?,"
    " last_error = ?, etag = ?, last_modified = ?, next_poll = ?,"
    " failures = ?,"
    " last_success = CASE WHEN ?4 IS NULL THEN ?1 ELSE last_success END,"
    " failing_since = CASE WHEN ?4 IS NULL THEN NULL"
    "  ELSE COALESCE(failing_since, ?1) END"
    " WHERE id = ?9";
static const char SQL_POLL_INSERT[] =
    "INSERT INTO poll (source_id, at, status, bytes, duration_ms, new,"
    " updated, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

/* Applies every entry of DOC; entries repeated inside it count once. */
static int
store_doc_apply(struct store *s, int64_t source_id,
    const struct conf_source *cs, const struct doc *doc, int64_t now,
    struct store_result *res)
{
	struct keyset		 ks;
	struct store_entry	 se;
	EVP_MD_CTX		*ctx;
	int			 rc = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (keyset_init(&ks, doc->nentries) == -1) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	for (size_t i = 0; i < doc->nentries && rc == 0; i++) {
		if (store_entry_prepare(ctx, &doc->entries[i], &se) == -1)
			rc = -1;
		else if (!keyset_add(&ks, fnv1a(se.key)))
			rc = store_entry_apply(s, source_id, cs, &se, now, res);
		store_entry_clear(&se);
	}
	free(ks.slot);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
store_poll_done(struct store *s, const struct conf_source *cs,
    const struct store_poll *p, const struct doc *doc,
    struct store_result *res)
{
	sqlite3_stmt	*st;
	int64_t		 source_id;

	memset(res, 0, sizeof *res);
	if (db_begin(s->db) == -1)
		return -1;
	if ((st = db_stmt(s->db, SQL_SOURCE_ID)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, cs->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	source_id = sqlite3_column_int64(st, 0);

	if (doc != NULL) {
		if (store_doc_apply(s, source_id, cs, doc, p->at, res) == -1)
			goto fail;
		if ((st = db_stmt(s->db, SQL_SOURCE_FEED)) == NULL)
			goto fail;
		bind_text(st, 1, doc->feed.title);
		bind_text(st, 2, doc->feed.link);
		bind_text(st, 3, doc->feed.id);
		bind_date(st, 4, doc->feed.updated);
		sqlite3_bind_int64(st, 5, source_id);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
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
	sqlite3_bind_int64(st, 7, p->next_poll);
	sqlite3_bind_int(st, 8, p->failures);
	sqlite3_bind_int64(st, 9, source_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;

	if ((st = db_stmt(s->db, SQL_POLL_INSERT)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, p->at);
	if (p->status > 0)
		sqlite3_bind_int(st, 3, p->status);
	sqlite3_bind_int64(st, 4, p->bytes);
	sqlite3_bind_int64(st, 5, p->duration_ms);
	sqlite3_bind_int(st, 6, res->new);
	sqlite3_bind_int(st, 7, res->updated);
	bind_text(st, 8, p->error);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;

	if (db_commit(s->db) == -1)
		goto fail;
	res->changed_all = res->new > 0 || res->updated > 0;
	return 0;

fail:
	log_warnx("source %s: database: %s", cs->name, db_errmsg(s->db));
	db_rollback(s->db);
	memset(res, 0, sizeof *res);
	return -1;
}

#define SQL_ITEM_COLUMNS \
    "SELECT e.id, e.guid, e.link, e.title, e.title_type, e.summary," \
    " e.summary_type, e.content, e.content_type, e.author_name," \
    " e.author_email, e.author_uri, e.terms, e.published, e.updated," \
    " e.sort_date, s.name, COALESCE(s.cur_url, s.url), s.title, s.link," \
    " s.feed_id, s.updated "
static const char SQL_EACH_ALL[] = SQL_ITEM_COLUMNS
    "FROM entry e JOIN source s ON s.id = e.source_id WHERE s.active = 1 "
    "ORDER BY e.sort_date DESC, e.id DESC LIMIT ?";
static const char SQL_EACH_CATEGORY[] = SQL_ITEM_COLUMNS
    "FROM entry_category c JOIN entry e ON e.id = c.entry_id "
    "JOIN source s ON s.id = e.source_id "
    "WHERE c.category = ? AND s.active = 1 "
    "ORDER BY c.sort_date DESC, c.entry_id DESC LIMIT ?";

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

int
store_each(struct store *s, const char *category, int limit,
    store_item_cb cb, void *arg)
{
	sqlite3_stmt		*st;
	struct store_item	 it;
	int			 rc, n = 0;

	st = db_stmt(s->db, category != NULL ? SQL_EACH_CATEGORY :
	    SQL_EACH_ALL);
	if (st == NULL)
		return -1;
	if (category != NULL) {
		sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, limit);
	} else
		sqlite3_bind_int(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		it.id = sqlite3_column_int64(st, 0);
		it.guid = col_text(st, 1);
		it.link = col_text(st, 2);
		it.title = col_text(st, 3);
		it.title_type = col_text(st, 4);
		it.summary = col_text(st, 5);
		it.summary_type = col_text(st, 6);
		it.content = col_text(st, 7);
		it.content_type = col_text(st, 8);
		it.author_name = col_text(st, 9);
		it.author_email = col_text(st, 10);
		it.author_uri = col_text(st, 11);
		it.terms = col_text(st, 12);
		it.published = col_date(st, 13);
		it.updated = col_date(st, 14);
		it.sort_date = sqlite3_column_int64(st, 15);
		it.source_name = col_text(st, 16);
		it.source_url = col_text(st, 17);
		it.source_title = col_text(st, 18);
		it.source_link = col_text(st, 19);
		it.source_feed_id = col_text(st, 20);
		it.source_updated = col_date(st, 21);
		n++;
		if (cb(&it, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("database: view %s: %s", category ? category : "all",
		    db_errmsg(s->db));
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return n;
}

static const char SQL_SOURCES[] =
    "SELECT name, url, cur_url, title, state, last_error, last_attempt,"
    " last_success, failing_since, next_poll, last_status, failures,"
    " entries, active FROM source WHERE active = 1 ORDER BY name";

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
		if (cb(&si, arg) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static const char SQL_STATS_ALL[] =
    "SELECT count(*), max(e.sort_date) FROM entry e "
    "JOIN source s ON s.id = e.source_id WHERE s.active = 1";
static const char SQL_STATS_CATEGORY[] =
    "SELECT count(*), max(c.sort_date) FROM entry_category c "
    "JOIN entry e ON e.id = c.entry_id JOIN source s ON s.id = e.source_id "
    "WHERE c.category = ? AND s.active = 1";

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

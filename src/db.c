/* db: SQLite handle, migrations, statement cache, transactions; see db.h. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "log.h"

#define DB_MAXSTMT	128
#define DB_HINTS	64	/* direct-mapped: SQL text's address to slot */

/* What a transaction kept open between the loop's turns holds. */
#define DB_HOLD_NONE	0
#define DB_HOLD_SLICES	1	/* db_hold_begin's slices */
#define DB_HOLD_BATCH	2	/* a parked batch (db_batch_park) */
/* A migration starting with this runs outside a transaction (VACUUM). */
#define DB_NOTX		"-- no transaction\n"
#define DB_BUSY_MS	5000
/*
 * Once a wait for the write lock ran out, later attempts wait only this
 * long until one gets it: every poll would otherwise stall the daemon's
 * loop for the whole busy timeout while another process holds the lock.
 */
#define DB_BUSY_PROBE_MS	50
/*
 * WAL pages between checkpoints (16 MB of 4 KB pages, not SQLite's 4 MB):
 * index pages that many polls touch are then written back once per
 * checkpoint instead of once per few polls.
 */
#define DB_CHECKPOINT_N	4000
#define DB_STR_(x)	#x
#define DB_STR(x)	DB_STR_(x)
#define DB_CHECKPOINT	DB_STR(DB_CHECKPOINT_N)	/* for the PRAGMA */
/*
 * Past this many pages (256 MB) the checkpointer is far behind: the writer
 * copies too.  Not sooner: on the writer, a checkpoint's reads, writes and
 * fsyncs stall the loop, and a burst of first polls outruns the thread
 * for a while (a 10,000-source cold poll made 59 checkpoints on the loop
 * at 64 MB).
 */
#define DB_CHECKPOINT_MAX (16 * DB_CHECKPOINT_N)
/*
 * What the WAL file is cut back to when a writer starts it over.  SQLite
 * never shrinks it by itself: after a burst (a cold start of thousands of
 * sources, a re-sort, a long reader) it kept its high-water size, up to
 * DB_CHECKPOINT_MAX and more, on disk for as long as the daemon ran.  Four
 * times the usual checkpoint distance, so it is not cut and regrown every
 * cycle.
 */
#define DB_WAL_LIMIT_N	67108864
#define DB_WAL_LIMIT	DB_STR(DB_WAL_LIMIT_N)
/*
 * During a burst, though, the checkpointer falls behind and the WAL grows
 * to DB_CHECKPOINT_MAX before it starts over, again and again.  Cut back
 * to DB_WAL_LIMIT at each start, the file was extended by 200 MB and more
 * every cycle, and the kernel zero-fills and allocates every new block:
 * a tenth of the loop's CPU in a cold poll of 10,000 sources.  So once a
 * cycle of the WAL passes DB_WAL_BURST pages (the checkpointer is behind)
 * the writer keeps up to DB_WAL_BURST_LIMIT_N of file, and the first cycle
 * that stays under DB_WAL_BURST again cuts it back to DB_WAL_LIMIT.
 */
#define DB_WAL_BURST		(2 * DB_CHECKPOINT_N)
#define DB_WAL_BURST_LIMIT_N	(2LL * DB_CHECKPOINT_MAX * 4096)

/*
 * The background checkpointer (db_checkpointer): a thread with a
 * connection of its own copies the WAL back into the database when the
 * writer's commits have filled it, so that the writer (the daemon's loop)
 * never stops for that copying and its fsync.  Everything in it but the
 * thread and its connection is guarded by MU.
 */
struct db_ckpt {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	sqlite3			*h;
	int			 want;		/* a checkpoint is asked for */
	int			 stop;
	/* The writer's own (its WAL hook and begins): not under MU. */
	int			 last;		/* pages past its last commit */
	int			 peak;		/* most pages this WAL cycle */
	int64_t			 limit;		/* journal_size_limit to set */
	int64_t			 limit_set;	/* what it is */
};

struct db_cached {
	const char	*sql;
	sqlite3_stmt	*stmt;
};

struct db {
	sqlite3			*h;
	char			*path;
	struct db_cached	 stmts[DB_MAXSTMT];
	int			 nstmts;
	/* a slot of stmts to try */
	unsigned char		 hint[DB_HINTS];
	int			 locked;	/* the last BEGIN timed out */
	int			 batch;		/* db_batch_begin called */
	int			 batch_open;	/* its transaction began */
	int			 batch_kept;	/* writes committed into it */
	/* DB_HOLD_*: a transaction kept open */
	int			 held;
	unsigned		 hold_losses;	/* slice holds not committed */
	unsigned		 batch_losses;	/* parked batches uncommitted */
	struct db_ckpt		*ckpt;		/* NULL: SQLite's own, inline */
};

/*
 * Forward migrations: migrations[i] takes the schema from version i to i+1.
 * Never edit a migration that has shipped; append a new one.
 */
static void	db_ckpt_stop(struct db *);
static int	db_unhold(struct db *);
static void	db_log_error(struct db *, int);

static const char *const migrations[] = {
	/* 1: sources, entries, their categories, poll records. */
	"CREATE TABLE source ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  url TEXT NOT NULL,"			/* as configured */
	/* adopted after permanent redirects */
	"  cur_url TEXT,"
	/* as configured, to see changes */
	"  categories TEXT NOT NULL DEFAULT '',"
	"  active INTEGER NOT NULL DEFAULT 1,"
	"  title TEXT, link TEXT, feed_id TEXT, updated INTEGER,"
	"  etag TEXT, last_modified TEXT,"
	"  state TEXT NOT NULL DEFAULT 'new',"
	"  last_attempt INTEGER, last_success INTEGER, last_status INTEGER,"
	"  last_error TEXT, failing_since INTEGER,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  next_poll INTEGER,"
	"  entries INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE TABLE entry ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"			/* identity within the source */
	"  guid TEXT, link TEXT,"
	"  title TEXT, title_type TEXT,"
	"  summary TEXT, summary_type TEXT,"
	"  content TEXT, content_type TEXT,"
	"  author_name TEXT, author_email TEXT, author_uri TEXT,"
	/* publisher categories, JSON array */
	"  terms TEXT,"
	/* as the publisher wrote them */
	"  published INTEGER, updated INTEGER,"
	"  first_seen INTEGER NOT NULL,"
	/* last time we stored a change */
	"  changed INTEGER NOT NULL,"
	"  sort_date INTEGER NOT NULL,"		/* what feeds are ordered by */
	"  hash BLOB NOT NULL,"			/* of the republished fields */
	"  UNIQUE (source_id, key)"
	");"
	"CREATE INDEX entry_sort ON entry (sort_date DESC, id DESC);"
	"CREATE INDEX entry_source ON entry (source_id, sort_date DESC);"
	"CREATE TABLE entry_category ("
	"  category TEXT NOT NULL,"
	"  sort_date INTEGER NOT NULL,"
	"  entry_id INTEGER NOT NULL REFERENCES entry(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (category, sort_date, entry_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX entry_category_entry ON entry_category (entry_id);"
	"CREATE TABLE poll ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  status INTEGER,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  duration_ms INTEGER NOT NULL DEFAULT 0,"
	"  new INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT"
	");"
	"CREATE INDEX poll_source ON poll (source_id, at DESC);",

	/*
	 * 2: entries rebuilt with their identity columns first and the big
	 * text last, so identity checks never read overflow pages; the
	 * normalised link, story key and identity hash that the fallback
	 * rules, GUID churn and cross-source stories need (filled in by
	 * store for old rows, found through entry_backfill).
	 */
	"CREATE TABLE entry_new ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	/* identity under the source's rule */
	"  key TEXT NOT NULL,"
	"  hash BLOB NOT NULL,"			/* of the republished fields */
	"  first_seen INTEGER NOT NULL,"
	/* last time we stored a change */
	"  changed INTEGER NOT NULL,"
	"  sort_date INTEGER NOT NULL,"		/* what feeds are ordered by */
	/* as the publisher wrote them */
	"  published INTEGER, updated INTEGER,"
	"  nlink TEXT,"				/* normalised link */
	/* u:URL or t:title, across sources */
	"  story TEXT,"
	"  idhash BLOB,"			/* of title, date and content */
	"  guid TEXT, link TEXT, title TEXT, title_type TEXT,"
	"  author_name TEXT, author_email TEXT, author_uri TEXT, terms TEXT,"
	"  summary TEXT, summary_type TEXT, content_type TEXT, content TEXT,"
	"  UNIQUE (source_id, key)"
	");"
	"INSERT INTO entry_new (id, source_id, key, hash, first_seen, changed,"
	"  sort_date, published, updated, guid, link, title, title_type,"
	"  author_name, author_email, author_uri, terms, summary, summary_type,"
	"  content_type, content)"
	" SELECT id, source_id, key, hash, first_seen, changed, sort_date,"
	"  published, updated, guid, link, title, title_type, author_name,"
	"  author_email, author_uri, terms, summary, summary_type,"
	"  content_type, content FROM entry;"
	"DROP TABLE entry;"
	"ALTER TABLE entry_new RENAME TO entry;"
	"CREATE INDEX entry_sort ON entry (sort_date DESC, id DESC);"
	"CREATE INDEX entry_source ON entry (source_id, sort_date DESC);"
	"CREATE INDEX entry_story ON entry (story);"
	"CREATE INDEX entry_backfill ON entry (id) WHERE idhash IS NULL;",

	/*
	 * 3: each source's identity rule, and what its latest document listed.
	 */
	"ALTER TABLE source ADD COLUMN id_rule TEXT NOT NULL DEFAULT 'guid';"
	/* JSON array of entry ids */
	"ALTER TABLE source ADD COLUMN listed TEXT;",

	/* 4: category options store needs (the rest stays in the config). */
	"CREATE TABLE category ("
	"  name TEXT PRIMARY KEY,"
	"  updates_bump INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;",

	/* 5: deleted entries, so they never come back. */
	"CREATE TABLE tombstone ("
	"  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	/* to re-key, like entry */
	"  nlink TEXT, kdate INTEGER, idhash BLOB,"
	"  at INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"		/* "retention", "operator" */
	"  PRIMARY KEY (source_id, key)"
	") WITHOUT ROWID;"
	"CREATE INDEX tombstone_link ON tombstone (source_id, nlink);",

	/*
	 * 6: free pages go back to the file system after retention deletes
	 * (PRAGMA incremental_vacuum).  Changing auto_vacuum takes a VACUUM,
	 * which cannot run inside a transaction.
	 */
	DB_NOTX "PRAGMA auto_vacuum = INCREMENTAL; VACUUM;",

	/* 7: archive pages are counted in arrival order, oldest first. */
	"CREATE INDEX entry_arrival ON entry (first_seen, sort_date, id);",
	/*
	 * 8: one row the health check rewrites to prove the file is writable.
	 */
	"CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  at INTEGER NOT NULL);",

	/*
	 * 9: permanent redirects are adopted only after several polls saw the
	 * same one; a 410 retires a source until its configured URL changes.
	 */
	"ALTER TABLE source ADD COLUMN redirect_url TEXT;"
	"ALTER TABLE source ADD COLUMN redirect_count INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE source ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;",

	/* 10: the publisher's freshness hints from its last document. */
	"ALTER TABLE source ADD COLUMN feed_hint INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE source ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE source ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;",

	/*
	 * 11: poll records say what state the poll left and when the next is.
	 */
	"ALTER TABLE poll ADD COLUMN state TEXT;"
	"ALTER TABLE poll ADD COLUMN next_poll INTEGER;",

	/* 12: what category rules read besides the republished fields. */
	"ALTER TABLE entry ADD COLUMN language TEXT;"	/* declared, or NULL */
	/* category labels, \x1f */
	"ALTER TABLE entry ADD COLUMN labels TEXT;",
	/* 13: the rules each category's stored entries were last sorted by. */
	"CREATE TABLE category_rules ("
	"  name TEXT PRIMARY KEY,"
	"  fingerprint INTEGER NOT NULL"
	") WITHOUT ROWID;",

	/* 14: when a source left the config, so its data can go later. */
	"ALTER TABLE source ADD COLUMN removed_at INTEGER;",

	/*
	 * 15: the GUID-churn match by title and date finds its rows at once;
	 * by entry_source it read every entry of that date, and a document
	 * of entries all dated alike took time quadratic in their number.
	 */
	"CREATE INDEX entry_title ON entry (source_id, sort_date, title);",

	/*
	 * 16: memberships name their category by an integer id, and their
	 * entry's deletion takes them by a trigger instead of a foreign key.
	 * A re-sort writes millions of rows: integer keys compare without a
	 * collation and pack more rows a page, and no foreign key means no
	 * look-up of the entry per insert (together 1.7x fewer CPU seconds
	 * per row written, measured on 1.6 million).
	 */
	"CREATE TABLE category_new ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  updates_bump INTEGER NOT NULL DEFAULT 0"
	");"
	"INSERT INTO category_new (name, updates_bump)"
	"  SELECT name, updates_bump FROM category ORDER BY name;"
	"INSERT OR IGNORE INTO category_new (name)"
	"  SELECT DISTINCT category FROM entry_category ORDER BY 1;"
	"DROP TABLE category;"
	"ALTER TABLE category_new RENAME TO category;"
	"CREATE TABLE entry_category_new ("
	"  category_id INTEGER NOT NULL,"
	"  sort_date INTEGER NOT NULL,"
	"  entry_id INTEGER NOT NULL,"
	"  PRIMARY KEY (category_id, sort_date, entry_id)"
	") WITHOUT ROWID;"
	"INSERT INTO entry_category_new (category_id, sort_date, entry_id)"
	"  SELECT c.id, ec.sort_date, ec.entry_id FROM entry_category ec"
	"  JOIN category c ON c.name = ec.category ORDER BY 1, 2, 3;"
	"DROP TABLE entry_category;"
	"ALTER TABLE entry_category_new RENAME TO entry_category;"
	"CREATE INDEX entry_category_entry ON entry_category (entry_id);"
	"CREATE TRIGGER entry_category_gone AFTER DELETE ON entry BEGIN"
	"  DELETE FROM entry_category WHERE entry_id = old.id;"
	"END;",

	/*
	 * 17: an entry's memberships are also listed in its one row of
	 * entry_member, as SQLite's json_array writes pairs, and the index
	 * of entry_category by entry goes: a membership change then writes
	 * one B-tree instead of two, the entry's list is one row (1.46x
	 * fewer CPU seconds a change in a micro-benchmark of 2 million).
	 * See store-member.h.  The deletion trigger reads the list.
	 */
	"CREATE TABLE entry_member ("
	"  entry_id INTEGER PRIMARY KEY,"
	/* [[category_id,sort_date],...] */
	"  cats TEXT NOT NULL"
	");"
	"INSERT INTO entry_member (entry_id, cats)"
	"  SELECT entry_id,"
	" json_group_array(json_array(category_id, sort_date))"
	"  FROM entry_category GROUP BY entry_id ORDER BY entry_id;"
	"DROP TRIGGER entry_category_gone;"
	"DROP INDEX entry_category_entry;"
	"CREATE TRIGGER entry_category_gone AFTER DELETE ON entry BEGIN"
	"  DELETE FROM entry_category WHERE (category_id, sort_date, entry_id)"
	"   IN (SELECT j.value ->> 0, j.value ->> 1, old.id"
	"   FROM entry_member m, json_each(m.cats) j"
	" WHERE m.entry_id = old.id);"
	"  DELETE FROM entry_member WHERE entry_id = old.id;"
	"END;",

	/*
	 * 18: json_each fails on a list that is not JSON (a hand edit, a
	 * damaged page), and with it the entry's deletion: retention, then
	 * every poll of its source.  Such a list is read as empty and the
	 * entry's rows are found by a scan instead (no index by entry; the
	 * CROSS JOIN asks whether the list is valid first, so a valid one
	 * costs no scan).
	 */
	"DROP TRIGGER entry_category_gone;"
	"CREATE TRIGGER entry_category_gone AFTER DELETE ON entry BEGIN"
	"  DELETE FROM entry_category WHERE (category_id, sort_date, entry_id)"
	"   IN (SELECT j.value ->> 0, j.value ->> 1, old.id"
	"   FROM entry_member m, json_each(iif(json_valid(m.cats), m.cats,"
	"   '[]')) j WHERE m.entry_id = old.id);"
	"  DELETE FROM entry_category WHERE (category_id, sort_date, entry_id)"
	"   IN (SELECT ec.category_id, ec.sort_date, ec.entry_id"
	"   FROM entry_member m CROSS JOIN entry_category ec"
	"   WHERE m.entry_id = old.id AND NOT json_valid(m.cats)"
	"   AND ec.entry_id = old.id);"
	"  DELETE FROM entry_member WHERE entry_id = old.id;"
	"END;",
};

#define DB_NMIGRATIONS	((int)(sizeof migrations / sizeof migrations[0]))

/* A watched table's deletion, counted by its TEMP trigger. */
struct db_watch {
	void		(*fn)(void *);
	void		 *arg;
};

static void
db_watch_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct db_watch	*w = sqlite3_user_data(ctx);

	(void)argc;
	(void)argv;
	w->fn(w->arg);
	sqlite3_result_null(ctx);
}

int
db_watch_deletes(struct db *db, const char *table, void (*fn)(void *),
    void *arg)
{
	struct db_watch	*w;
	char		*sql;
	int		 rc;

	if ((w = malloc(sizeof *w)) == NULL) {
		log_warnx("database %s: out of memory", db->path);
		return -1;
	}
	w->fn = fn;
	w->arg = arg;
	/* Not deterministic: the trigger must call it for every row. */
	sql = sqlite3_mprintf("feedmux_deleted_%s", table);
	if (sql == NULL || sqlite3_create_function_v2(db->h, sql, 0,
	    SQLITE_UTF8 | SQLITE_DIRECTONLY, w, db_watch_fn, NULL, NULL,
	    free) != SQLITE_OK) {
		if (sql == NULL)
			free(w);
		log_warnx("database %s: %s", db->path, sqlite3_errmsg(db->h));
		sqlite3_free(sql);
		return -1;
	}
	sqlite3_free(sql);
	sql = sqlite3_mprintf("CREATE TEMP TRIGGER IF NOT EXISTS "
	    "feedmux_deleted_%s AFTER DELETE ON main.%s BEGIN "
	    "SELECT feedmux_deleted_%s(); END", table, table, table);
	if (sql == NULL) {
		log_warnx("database %s: out of memory", db->path);
		return -1;
	}
	rc = db_exec(db, sql);
	sqlite3_free(sql);
	return rc;
}

int64_t
db_data_version(struct db *db)
{
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if ((st = db_stmt(db, "PRAGMA data_version")) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		db_log_error(db, 0);
	sqlite3_reset(st);
	return v;
}

int
db_in_transaction(struct db *db)
{
	return sqlite3_get_autocommit(db->h) == 0;
}

int
db_schema_version(void)
{
	return DB_NMIGRATIONS;
}

static char *
db_strdupf(const char *what, const char *detail)
{
	char	*s;

	if (asprintf(&s, "%s: %s", what, detail) == -1)
		return NULL;
	return s;
}

static int
db_user_version(struct db *db)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Applies each missing migration in its own transaction with its version. */
static int
db_migrate(struct db *db, char **err)
{
	char	 sql[64];
	int	 v;

	if ((v = db_user_version(db)) < 0) {
		*err = db_strdupf(db->path, sqlite3_errmsg(db->h));
		return -1;
	}
	if (v > DB_NMIGRATIONS) {
		*err = db_strdupf(db->path, "database schema is newer than "
		    "this feedmux; upgrade feedmux");
		return -1;
	}
	/* A new file gets incremental auto-vacuum before any table exists. */
	if (v == 0 && sqlite3_exec(db->h, "PRAGMA auto_vacuum = INCREMENTAL",
	    NULL, NULL, NULL) != SQLITE_OK) {
		*err = db_strdupf(db->path, sqlite3_errmsg(db->h));
		return -1;
	}
	for (; v < DB_NMIGRATIONS; v++) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (strncmp(migrations[v], DB_NOTX, strlen(DB_NOTX)) == 0) {
			/* Idempotent by design: a crash here just reruns it. */
			if (sqlite3_exec(db->h, migrations[v], NULL, NULL,
			    NULL) != SQLITE_OK ||
			    sqlite3_exec(db->h, sql, NULL, NULL, NULL) !=
			    SQLITE_OK) {
				*err = db_strdupf(db->path,
				    sqlite3_errmsg(db->h));
				return -1;
			}
			log_info("database %s: migrated to schema %d",
			    db->path, v + 1);
			continue;
		}
		if (db_begin(db) == -1 ||
		    sqlite3_exec(db->h, migrations[v], NULL, NULL, NULL) !=
		    SQLITE_OK ||
		    sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK) {
			*err = db_strdupf(db->path, sqlite3_errmsg(db->h));
			db_rollback(db);
			return -1;
		}
		if (db_commit(db) == -1) {
			*err = db_strdupf(db->path, sqlite3_errmsg(db->h));
			return -1;
		}
		log_info("database %s: migrated to schema %d", db->path,
		    v + 1);
	}
	return 0;
}

/*
 * Creates the database's folder (one level) when it is missing, so a fresh
 * state directory needs no separate step.
 */
static void
db_mkdir_parent(const char *path)
{
	char	*dir, *slash;

	if ((dir = strdup(path)) == NULL)
		return;
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) == 0)
			log_info("database: created %s", dir);
	}
	free(dir);
}

struct db *
db_open(const char *path, int flags, char **err)
{
	struct db	*db;
	int		 oflags;
	const char	*setup;

	*err = NULL;
	if ((db = calloc(1, sizeof *db)) == NULL ||
	    (db->path = strdup(path)) == NULL) {
		free(db);
		*err = strdup("out of memory");
		return NULL;
	}
	if (!(flags & DB_READONLY))
		db_mkdir_parent(path);
	oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db->h, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		*err = db_strdupf(path, db->h != NULL ?
		    sqlite3_errmsg(db->h) : "cannot open");
		db_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_MS);
	sqlite3_extended_result_codes(db->h, 1);
	/*
	 * 64 MiB of page cache: re-sorting categories writes all over
	 * entry_category, which thrashes SQLite's default 2 MiB.
	 * WAL lets readers (the feedmux command, backups) run beside the one
	 * writer.  NORMAL in WAL mode never corrupts; a power cut may lose the
	 * last commits, which the next poll fetches again.  Temporary data
	 * (sorts, statement journals) in memory.
	 */
	if (flags & DB_READONLY)
		setup = "PRAGMA foreign_keys = ON; PRAGMA query_only = ON;";
	else if (flags & DB_SYNC_FULL)
		setup = "PRAGMA journal_mode = WAL;"
		    " PRAGMA synchronous = FULL;"
		    " PRAGMA wal_autocheckpoint = " DB_CHECKPOINT ";"
		    " PRAGMA journal_size_limit = " DB_WAL_LIMIT ";"
		    " PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;";
	else
		setup = "PRAGMA journal_mode = WAL;"
		    " PRAGMA synchronous = NORMAL;"
		    " PRAGMA wal_autocheckpoint = " DB_CHECKPOINT ";"
		    " PRAGMA journal_size_limit = " DB_WAL_LIMIT ";"
		    " PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;";
	if (sqlite3_exec(db->h, setup, NULL, NULL, NULL) != SQLITE_OK) {
		*err = db_strdupf(path, sqlite3_errmsg(db->h));
		db_close(db);
		return NULL;
	}
	if (flags & DB_READONLY) {
		int v = db_user_version(db);
		if (v != DB_NMIGRATIONS) {
			*err = db_strdupf(path, v < 0 ? sqlite3_errmsg(db->h) :
			    "schema version differs from this feedmux (is the "
			    "daemon running the same version?)");
			db_close(db);
			return NULL;
		}
	} else if (db_migrate(db, err) == -1 ||
	    sqlite3_exec(db->h, "PRAGMA foreign_keys = ON", NULL, NULL,
	    NULL) != SQLITE_OK) {
		/*
		 * Foreign keys come on after migrating: rebuilds drop tables.
		 */
		if (*err == NULL)
			*err = db_strdupf(path, sqlite3_errmsg(db->h));
		db_close(db);
		return NULL;
	}
	return db;
}

void
db_init(void)
{
	/*
	 * No memory statistics: we never read them, and keeping them takes
	 * a global mutex on every allocation SQLite makes, from every thread.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The checkpointer's thread: one passive checkpoint per request. */
static void *
db_ckpt_main(void *arg)
{
	struct db_ckpt	*ck = arg;

	pthread_mutex_lock(&ck->mu);
	for (;;) {
		while (!ck->want && !ck->stop)
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (ck->stop)
			break;
		ck->want = 0;
		pthread_mutex_unlock(&ck->mu);
		/*
		 * Passive: never waits for the writer or a reader, copies what
		 * it can; what a reader still needs waits for the next one.  A
		 * failure (a full disk) leaves the WAL as it was: retried.
		 */
		sqlite3_wal_checkpoint_v2(ck->h, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&ck->mu);
	}
	pthread_mutex_unlock(&ck->mu);
	return NULL;
}

int64_t
db_wal_limit(int64_t limit, int *last, int *peak, int pages)
{
	/*
	 * Every commit adds pages, so no more than after the last one means
	 * the WAL started over.
	 */
	if (pages <= *last) {
		if (*peak < DB_WAL_BURST)
			limit = DB_WAL_LIMIT_N;
		*peak = 0;
	}
	*last = pages;
	if (pages > *peak)
		*peak = pages;
	if (pages >= DB_WAL_BURST)
		limit = DB_WAL_BURST_LIMIT_N;
	return limit;
}

/* After each commit of the writer (SQLite's WAL hook), on its thread. */
static int
db_wal_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
	struct db_ckpt	*ck = arg;

	ck->limit = db_wal_limit(ck->limit, &ck->last, &ck->peak, pages);
	if (pages < DB_CHECKPOINT_N)
		return SQLITE_OK;
	pthread_mutex_lock(&ck->mu);
	ck->want = 1;
	pthread_cond_signal(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	/* Far behind (long readers, a slow disk): bound the WAL here. */
	if (pages >= DB_CHECKPOINT_MAX)
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE,
		    NULL, NULL);
	return SQLITE_OK;
}

int
db_checkpointer(struct db *db, int sync_full)
{
	struct db_ckpt	*ck;

	if (db->ckpt != NULL)
		return 0;
	if ((ck = calloc(1, sizeof *ck)) == NULL)
		return -1;
	if (sqlite3_open_v2(db->path, &ck->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(ck->h, sync_full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("database %s: checkpointer: %s", db->path,
		    ck->h != NULL ? sqlite3_errmsg(ck->h) : "cannot open");
		sqlite3_close(ck->h);
		free(ck);
		return -1;
	}
	ck->limit = ck->limit_set = DB_WAL_LIMIT_N;
	pthread_mutex_init(&ck->mu, NULL);
	pthread_cond_init(&ck->cv, NULL);
	if ((errno = pthread_create(&ck->th, NULL, db_ckpt_main, ck)) != 0) {
		log_warn("database %s: checkpointer thread", db->path);
		pthread_mutex_destroy(&ck->mu);
		pthread_cond_destroy(&ck->cv);
		sqlite3_close(ck->h);
		free(ck);
		return -1;
	}
	db->ckpt = ck;
	/* Replaces SQLite's automatic checkpoints on this connection. */
	sqlite3_wal_hook(db->h, db_wal_hook, ck);
	return 0;
}

/* Stops the checkpointer, if any, and puts SQLite's own back. */
static void
db_ckpt_stop(struct db *db)
{
	struct db_ckpt	*ck = db->ckpt;

	if (ck == NULL)
		return;
	pthread_mutex_lock(&ck->mu);
	ck->stop = 1;
	pthread_cond_signal(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->th, NULL);
	sqlite3_close(ck->h);
	pthread_mutex_destroy(&ck->mu);
	pthread_cond_destroy(&ck->cv);
	free(ck);
	db->ckpt = NULL;
	if (db->h != NULL) {
		sqlite3_wal_autocheckpoint(db->h, DB_CHECKPOINT_N);
		sqlite3_exec(db->h, "PRAGMA journal_size_limit = "
		    DB_WAL_LIMIT, NULL, NULL, NULL);
	}
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	(void)db_unhold(db);
	/* Stopped first: the last connection to close checkpoints the rest. */
	db_ckpt_stop(db);
	for (int i = 0; i < db->nstmts; i++)
		sqlite3_finalize(db->stmts[i].stmt);
	if (db->h != NULL && sqlite3_close(db->h) != SQLITE_OK)
		log_warnx("database %s: close: %s", db->path,
		    sqlite3_errmsg(db->h));
	free(db->path);
	free(db);
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;
	size_t		 h = ((uintptr_t)sql >> 3) % DB_HINTS;
	int		 i;

	/*
	 * A re-sort asks for its statements millions of times, and they
	 * sit late in the cache: the hint finds them without the walk.
	 */
	i = db->hint[h];
	if (i >= db->nstmts || db->stmts[i].sql != sql)
		for (i = 0; i < db->nstmts && db->stmts[i].sql != sql; i++)
			;
	if (i < db->nstmts) {
		db->hint[h] = (unsigned char)i;
		st = db->stmts[i].stmt;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		log_warnx("database %s: prepare: %s", db->path,
		    sqlite3_errmsg(db->h));
		return NULL;
	}
	/*
	 * A full cache still works, just without reuse (and is a bug: log it).
	 */
	if (db->nstmts == DB_MAXSTMT) {
		log_warnx("database %s: statement cache full", db->path);
		sqlite3_finalize(db->stmts[0].stmt);
		memmove(db->stmts, db->stmts + 1,
		    (DB_MAXSTMT - 1) * sizeof db->stmts[0]);
		db->nstmts--;
	}
	db->stmts[db->nstmts].sql = sql;
	db->stmts[db->nstmts].stmt = st;
	db->nstmts++;
	return st;
}

void
db_reset_all(struct db *db)
{
	for (int i = 0; i < db->nstmts; i++)
		sqlite3_reset(db->stmts[i].stmt);
}

/*
 * Logs the handle's last error; after an I/O error with the system's
 * reason, which SQLite does not always keep, so ERRNO is errno as the
 * failed call left it.
 */
static void
db_log_error(struct db *db, int err)
{
	int	 code = sqlite3_errcode(db->h) & 0xff, e = 0;

	if (code == SQLITE_IOERR || code == SQLITE_FULL ||
	    code == SQLITE_CANTOPEN)
		e = sqlite3_system_errno(db->h) != 0 ?
		    sqlite3_system_errno(db->h) : err;
	/* A full disk fails every poll the same way: once an hour is enough. */
	if (e != 0)
		log_warnx_limited("database", "database %s: %s (%s)", db->path,
		    sqlite3_errmsg(db->h), strerror(e));
	else
		log_warnx_limited("database", "database %s: %s", db->path,
		    sqlite3_errmsg(db->h));
}

int
db_exec(struct db *db, const char *sql)
{
	errno = 0;
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK) {
		db_log_error(db, errno);
		return -1;
	}
	return 0;
}

/*
 * BEGIN IMMEDIATE: waits DB_BUSY_MS for another process's lock once, then
 * only probes until it is free, so a held lock stalls the loop once.
 */
static int
db_begin_immediate(struct db *db)
{
	char	sql[64];
	int	rc;

	/* Applies to this transaction's commit, if it starts the WAL over. */
	if (db->ckpt != NULL && db->ckpt->limit != db->ckpt->limit_set) {
		snprintf(sql, sizeof sql, "PRAGMA journal_size_limit = %lld",
		    (long long)db->ckpt->limit);
		if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) == SQLITE_OK)
			db->ckpt->limit_set = db->ckpt->limit;
	}
	if (db->locked)
		sqlite3_busy_timeout(db->h, DB_BUSY_PROBE_MS);
	errno = 0;
	rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		if (db->locked) {
			sqlite3_busy_timeout(db->h, DB_BUSY_MS);
			db->locked = 0;
			log_info("database %s: the write lock is free again",
			    db->path);
		}
		return 0;
	}
	if ((rc & 0xff) == SQLITE_BUSY) {
		if (!db->locked)
			log_warnx("database %s: locked by another process for "
			    "over %d ms; writes are retried later", db->path,
			    DB_BUSY_MS);
		db->locked = 1;
		return -1;
	}
	db_log_error(db, errno);
	return -1;
}

/* Commits what is held, if anything; a failed commit loses all of it. */
static int
db_unhold(struct db *db)
{
	int	kind = db->held;

	if (kind == DB_HOLD_NONE)
		return 0;
	db->held = DB_HOLD_NONE;
	db_reset_all(db);
	if (sqlite3_get_autocommit(db->h) == 0 &&
	    db_exec(db, "COMMIT") == 0)
		return 0;
	if (kind == DB_HOLD_SLICES)
		db->hold_losses++;
	else
		db->batch_losses++;
	if (sqlite3_get_autocommit(db->h) == 0)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
db_hold_begin(struct db *db)
{
	/* A parked batch is the polls': committed, not joined. */
	if (db->held == DB_HOLD_BATCH)
		(void)db_unhold(db);
	if (db->held == DB_HOLD_SLICES) {
		if (sqlite3_get_autocommit(db->h) == 0)
			return 0;
		/* SQLite gave the transaction up itself (I/O error). */
		db->held = DB_HOLD_NONE;
		db->hold_losses++;
	}
	/* A read transaction or batch left open is not ours to join. */
	if (sqlite3_get_autocommit(db->h) == 0 || db->batch_open)
		return -1;
	if (db_begin_immediate(db) == -1)
		return -1;
	db->held = DB_HOLD_SLICES;
	return 0;
}

void
db_hold_rollback(struct db *db)
{
	if (db->held != DB_HOLD_SLICES) {
		db_reset_all(db);
		return;
	}
	db->held = DB_HOLD_NONE;
	db->hold_losses++;
	db_rollback(db);
}

int
db_hold_end(struct db *db)
{
	return db->held == DB_HOLD_SLICES ? db_unhold(db) : 0;
}

unsigned
db_hold_losses(struct db *db)
{
	return db->hold_losses;
}

unsigned
db_batch_losses(struct db *db)
{
	return db->batch_losses;
}

int
db_begin(struct db *db)
{
	/*
	 * Never into a hold: another writer's work commits on its own.  A
	 * batch goes on in the one it parked.
	 */
	if (db->held == DB_HOLD_SLICES ||
	    (db->held == DB_HOLD_BATCH && !db->batch))
		(void)db_unhold(db);
	if (!db->batch)
		return db_begin_immediate(db);
	if (!db->batch_open) {
		/* Its transaction is gone if SQLite rolled it back itself. */
		int join = db->held == DB_HOLD_BATCH &&
		    sqlite3_get_autocommit(db->h) == 0;

		if (db->held == DB_HOLD_BATCH && !join)
			db->batch_losses++;
		db->held = DB_HOLD_NONE;
		if (!join) {
			if (db_begin_immediate(db) == -1)
				return -1;
			db->batch_kept = 0;
		}
		db->batch_open = 1;
	}
	return 0;
}

int
db_commit(struct db *db)
{
	if (db->batch_open) {
		db->batch_kept++;
		return 0;
	}
	/* A statement left mid-result would hold its read snapshot open. */
	db_reset_all(db);
	return db_exec(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	db_reset_all(db);
	/* The batch's earlier writes go too: the next begin opens anew. */
	db->batch_open = 0;
	/* Harmless when SQLite already rolled back on its own. */
	if (sqlite3_get_autocommit(db->h) == 0)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

void
db_batch_begin(struct db *db)
{
	db->batch = 1;
}

void
db_batch_park(struct db *db)
{
	db->batch = 0;
	if (db->batch_open) {
		db->batch_open = 0;
		db->held = DB_HOLD_BATCH;
	}
}

int
db_batch_flush(struct db *db)
{
	return db->held == DB_HOLD_BATCH ? db_unhold(db) : 0;
}

int
db_batch_end(struct db *db)
{
	int	open = db->batch_open;

	db->batch = db->batch_open = 0;
	if (!open)
		return db_batch_flush(db);
	db_reset_all(db);
	if (db_exec(db, "COMMIT") == 0)
		return 0;
	log_debug("database %s: a batch of %d writes was not committed",
	    db->path, db->batch_kept);
	db_rollback(db);
	return -1;
}

int
db_read_begin(struct db *db)
{
	/* Inside a held transaction the loop reads what it wrote: fine. */
	if (sqlite3_get_autocommit(db->h) == 0)
		return -1;
	return db_exec(db, "BEGIN");
}

void
db_read_end(struct db *db)
{
	/* A statement left mid-result would hold the snapshot open. */
	db_reset_all(db);
	if (sqlite3_get_autocommit(db->h) == 0 &&
	    sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

int
db_backup(struct db *db, const char *path)
{
	sqlite3		*dst;
	sqlite3_backup	*bk;
	int		 rc;

	/*
	 * The online backup API in one step copies every page inside one
	 * read transaction: a consistent snapshot, even beside a writer,
	 * and it works from a read-only connection.
	 */
	db_reset_all(db);
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		sqlite3_close(dst);
		return -1;
	}
	if ((bk = sqlite3_backup_init(dst, "main", db->h, "main")) == NULL) {
		sqlite3_close(dst);
		return -1;
	}
	rc = sqlite3_backup_step(bk, -1);
	sqlite3_backup_finish(bk);
	if (rc == SQLITE_DONE)
		rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL,
		    NULL, NULL);
	else
		rc = SQLITE_ERROR;
	sqlite3_close(dst);
	return rc == SQLITE_OK ? 0 : -1;
}

int64_t
db_size(struct db *db)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	if (sqlite3_prepare_v2(db->h, "SELECT page_count * page_size FROM "
	    "pragma_page_count(), pragma_page_size()", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * db: the SQLite handle.  Opens the database (WAL, foreign keys, busy
 * timeout), brings its schema up to date with forward migrations keyed by
 * PRAGMA user_version, caches prepared statements by their SQL text, and
 * wraps transactions.  Only store (and the offline commands through store)
 * use it; nothing else sees sqlite3.
 */
#ifndef FEEDMUX_DB_H
#define FEEDMUX_DB_H

#include <stdint.h>

struct db;
struct sqlite3_stmt;

#define DB_READONLY	0x1
#define DB_SYNC_FULL	0x2	/* synchronous=FULL instead of NORMAL */

/* Once, before any other call: SQLite's process-wide settings. */
void		 db_init(void);

/*
 * Opens PATH, migrating it unless read-only.
 * NULL on error with *ERR set (caller frees).
 */
struct db	*db_open(const char *path, int flags, char **err);
void		 db_close(struct db *);

/*
 * Moves WAL checkpoints off the calling thread: from now on a thread with
 * its own connection copies the WAL back when commits have filled it
 * (SQLite's own automatic checkpoints run inside the commit that fills
 * it).  SYNC_FULL as for DB_SYNC_FULL.  0, or -1 (logged): SQLite's stay.
 */
int		 db_checkpointer(struct db *, int sync_full);

/*
 * The size the WAL file is cut back to when the writer starts it over,
 * after a commit that left PAGES in it: LIMIT as it was, larger while
 * bursts outrun the checkpointer, the usual again after a cycle that did
 * not.  LAST and PEAK are the caller's state, zero at first.  Pure; the
 * checkpointer's WAL hook drives it, and the unit tests do too.
 */
int64_t		 db_wal_limit(int64_t limit, int *last, int *peak, int pages);

/*
 * Calls FN(ARG) on the writer's thread for every row deleted from TABLE
 * (a table of the schema) through this connection, by any statement,
 * trigger or foreign key.  A TEMP trigger and an SQL function, both the
 * connection's own: other connections never see them.  0 or -1 (logged).
 */
int		 db_watch_deletes(struct db *, const char *table,
		     void (*fn)(void *), void *arg);

/*
 * PRAGMA data_version: a different value means another connection
 * committed since the last call.  -1 (logged) on error.
 */
int64_t		 db_data_version(struct db *);

/* 1 while a transaction is open (held, parked or running), else 0. */
int		 db_in_transaction(struct db *);

/* The schema version this build writes. */
int		 db_schema_version(void);

/*
 * Returns the cached prepared statement for SQL (a string literal: the
 * pointer is the cache key), reset and with its bindings cleared, or NULL
 * with the error logged.
 */
struct sqlite3_stmt	*db_stmt(struct db *, const char *sql);

/*
 * Resets every cached statement, ending the read snapshot of any left
 * mid-result.  Commit and rollback do it; readers call it when done.
 */
void		 db_reset_all(struct db *);

/* Runs SQL without results; 0 or -1 (logged). */
int		 db_exec(struct db *, const char *sql);

/*
 * Transactions: begin is IMMEDIATE so a writer never fails halfway on a lock.
 */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);

/*
 * A batch: between db_batch_begin and db_batch_end, transactions go into
 * one transaction (opened by the first db_begin), so their commits cost
 * one.  They are not savepoints (a savepoint copies every page its writes
 * first touch): db_rollback in a batch undoes every write of it since its
 * transaction began, parked ones too, and the next db_begin opens a new
 * one; the writer counts what it lost.  db_batch_end commits it: 0, or -1
 * (logged) when it failed and nothing of the batch was kept.  Batches do
 * not nest.
 */
void		 db_batch_begin(struct db *);
int		 db_batch_end(struct db *);
/*
 * Ends the batch without committing it: its transaction stays open
 * (parked) and the next batch goes on in it, so writes that finish on
 * many turns of the loop share one commit.  Any other writer's db_begin
 * or db_hold_begin commits it first; db_batch_flush (or db_batch_end, or
 * db_close) commits it.  A parked batch whose commit fails is logged and
 * lost, like a batch.  db_batch_flush: 0, or -1 when the commit failed.
 * db_batch_losses counts parked batches lost otherwise (another writer's
 * commit of one failed, or SQLite rolled one back itself): the batch's
 * owner compares it to tell.
 */
void		 db_batch_park(struct db *);
int		 db_batch_flush(struct db *);
unsigned	 db_batch_losses(struct db *);

/*
 * A hold: a writer that changes many rows in short slices (a re-sort)
 * keeps one transaction open across them, so a page it touches in many
 * slices reaches the WAL once per hold, not once per slice.  Each slice
 * calls db_hold_begin (which opens the hold or goes on in it) and writes
 * straight into it: no savepoint each, as a savepoint copies every page
 * a slice first touches (7-9% of the loop in a re-sort).  A slice that fails
 * calls db_hold_rollback, which undoes the whole hold.  db_hold_end
 * commits it.  Any other writer's db_begin commits it first, so nobody
 * else's writes ever wait in it; the loop's reads (and db_read_begin's,
 * which then says -1) go on inside it and see held changes before they
 * are committed.  db_hold_losses counts holds that were rolled back or
 * could not be committed (their slices are gone): the holder compares it
 * to tell.
 */
int		 db_hold_begin(struct db *);
void		 db_hold_rollback(struct db *);
int		 db_hold_end(struct db *);
unsigned	 db_hold_losses(struct db *);

/*
 * A read transaction around reads that belong together (one snapshot,
 * the file locks taken once): 0 when it was opened, -1 when one was
 * already open, a held or parked one too (then db_read_end must not be
 * called), or BEGIN failed.
 */
int		 db_read_begin(struct db *);
void		 db_read_end(struct db *);

/* The last error message of the handle. */
const char	*db_errmsg(struct db *);

/*
 * Copies the live database to PATH, a consistent snapshot (online backup API).
 */
int		 db_backup(struct db *, const char *path);

/* Database size in bytes (page_count * page_size), or -1. */
int64_t		 db_size(struct db *);

#endif

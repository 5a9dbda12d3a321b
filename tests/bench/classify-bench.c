/*
 * classify-bench: re-evaluates every stored entry of a database against
 * the rules of a config, in process, the way the daemon's reclass does
 * (store_reclass_step slices of SLICE_US), and prints entries/s and the
 * longest slice.  With --classify-only it times the rules alone over the
 * stored entries (no writes), with and without the literal prefilter;
 * with --evaluate it times what the daemon's re-sort thread does (read
 * every entry on a second connection, evaluate it, work out its changes
 * for every category; no writes).  With --anchor it works the changes out
 * the same way, then has raw SQLite write just those rows of
 * entry_category (one prepared INSERT or DELETE each, newest entry first
 * as the daemon's loop, in one transaction that is rolled back, so the
 * database is left as it was): the floor under the loop's share of a
 * re-sort, which also keeps each entry's list (entry_member) and commits.
 *   classify-bench [--classify-only | --evaluate | --anchor] CONF
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "classify.h"
#include "conf.h"
#include "store.h"
#include "store-reclass.h"

#define SLICE_US	8000
#define RANGE		1024	/* entry ids per batch, as reclass.c */

static double
now_s(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds of this process: a busy machine stretches wall time only. */
static double
cpu_s(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds of this thread. */
static double
thread_s(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The raw SQLite anchor's connection and what it wrote. */
struct raw {
	sqlite3		*h;
	sqlite3_stmt	*add;
	sqlite3_stmt	*del;
	long long	 changed;	/* rows they inserted or deleted */
};

static int
raw_cb(void *arg, int64_t cat, int64_t sort, int64_t id, int add)
{
	struct raw	*r = arg;
	sqlite3_stmt	*st = add ? r->add : r->del;

	sqlite3_bind_int64(st, 1, cat);
	sqlite3_bind_int64(st, 2, sort);
	sqlite3_bind_int64(st, 3, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "classify-bench: %s\n", sqlite3_errmsg(r->h));
		return -1;
	}
	r->changed += sqlite3_changes(r->h);
	sqlite3_reset(st);
	return 0;
}

static int
count_cb(void *arg, int64_t cat, int64_t sort, int64_t id, int add)
{
	(void)cat;
	(void)sort;
	(void)id;
	(void)add;
	(*(int64_t *)arg)++;
	return 0;
}

/*
 * --anchor: the changes of every range (evaluated as the daemon's
 * threads do), then raw SQLite writing their rows.
 */
static int
anchor(struct store *st, struct classify *cl, const char *path)
{
	struct store_reclass_reader	 *rd;
	struct store_reclass_batch	**bv = NULL, **v;
	struct raw			  r = { NULL, NULL, NULL, 0 };
	size_t				  nb = 0;
	int64_t				  last, cursor = 0, n = 0, nch = 0;
	char				 *err = NULL;
	double				  t0, c0, t1, c1;
	int				  rc = 1;

	store_set_classify(st, cl);
	if ((rd = store_reclass_reader_open(st, &err)) == NULL ||
	    (last = store_reclass_last(st)) == -1) {
		fprintf(stderr, "classify-bench: %s\n", err != NULL ? err :
		    "no newest entry");
		return 1;
	}
	for (; cursor < last; cursor += RANGE) {
		if ((v = realloc(bv, (nb + 1) * sizeof *bv)) == NULL)
			goto out;
		bv = v;
		if ((bv[nb] = store_reclass_eval(rd, cl, NULL, cursor,
		    cursor + RANGE < last ? cursor + RANGE : last, 1764000000,
		    &err)) == NULL) {
			fprintf(stderr, "classify-bench: %s\n", err);
			goto out;
		}
		n += store_reclass_batch_entries(bv[nb++]);
	}
	store_reclass_reader_close(rd);
	rd = NULL;
	/* Counted first: the store's connection reads its category ids. */
	for (size_t k = 0; k < nb; k++)
		if (store_reclass_batch_each(st, bv[k], count_cb, &nch) != 0) {
			fprintf(stderr, "classify-bench: no category ids\n");
			goto out;
		}
	/* As db.c sets up the daemon's connection. */
	if (sqlite3_open_v2(path, &r.h, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || sqlite3_busy_timeout(r.h, 10000) != SQLITE_OK ||
	    sqlite3_exec(r.h, "PRAGMA journal_mode = WAL; PRAGMA synchronous "
	    "= NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = "
	    "MEMORY", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r.h, "INSERT OR IGNORE INTO entry_category "
	    "(category_id, sort_date, entry_id) VALUES (?, ?, ?)", -1, &r.add,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r.h, "DELETE FROM entry_category WHERE "
	    "category_id = ? AND sort_date = ? AND entry_id = ?", -1, &r.del,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(r.h, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "classify-bench: %s: %s\n", path,
		    r.h != NULL ? sqlite3_errmsg(r.h) : "cannot open");
		goto out;
	}
	t0 = now_s();
	c0 = thread_s();
	/* The daemon writes from the newest range down. */
	for (size_t k = nb; k-- > 0;)
		if (store_reclass_batch_each(st, bv[k], raw_cb, &r) != 0)
			goto out;
	t1 = now_s();
	c1 = thread_s();
	printf("raw SQLite anchor: the %lld changes of %lld entries, one "
	    "statement a row, in %.2f s (%.2f s on the CPU, %.2f us a row, "
	    "%lld rows changed)\n", (long long)nch, (long long)n, t1 - t0,
	    c1 - c0, nch > 0 ? (c1 - c0) * 1e6 / (double)nch : 0.0, r.changed);
	rc = 0;
out:
	if (r.h != NULL)
		sqlite3_exec(r.h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(r.add);
	sqlite3_finalize(r.del);
	sqlite3_close(r.h);
	if (rd != NULL)
		store_reclass_reader_close(rd);
	for (size_t k = 0; k < nb; k++)
		store_reclass_batch_free(bv[k]);
	free(bv);
	store_set_classify(st, NULL);
	return rc;
}

struct only {
	struct classify	*cl;
	unsigned char	 in[256];
	size_t		 members;
};

static int
only_cb(const struct store_class_item *it, void *arg)
{
	struct only	*o = arg;

	o->members += classify_run(o->cl, &it->entry, 1764000000, o->in, NULL);
	return 0;
}

int
main(int argc, char **argv)
{
	struct store			*st;
	struct conf			*conf;
	struct classify			*cl;
	struct store_reclass_stats	 stats = { 0, 0, 0 };
	char				*err = NULL;
	int64_t				 cursor = 0;
	double				 t0, t1, c0, slice, worst = 0;
	double				 cworst = 0;
	int				 more, slices = 0, only = 0, eval = 0;
	int				 anch = 0, rc;

	if (argc > 1 && strcmp(argv[1], "--classify-only") == 0) {
		only = 1;
		argc--;
		argv++;
	} else if (argc > 1 && strcmp(argv[1], "--evaluate") == 0) {
		eval = 1;
		argc--;
		argv++;
	} else if (argc > 1 && strcmp(argv[1], "--anchor") == 0) {
		anch = 1;
		argc--;
		argv++;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: classify-bench [--classify-only | "
		    "--evaluate | --anchor] CONF\n");
		return 2;
	}
	if ((conf = conf_load(argv[1], &err)) == NULL) {
		fputs(err != NULL ? err : "out of memory\n", stderr);
		return 1;
	}
	if ((cl = classify_new(conf, &err)) == NULL ||
	    (st = store_open(conf->database, 0, &err)) == NULL) {
		fprintf(stderr, "classify-bench: %s\n", err);
		return 1;
	}
	if (anch) {
		rc = anchor(st, cl, conf->database);
		store_close(st);
		classify_free(cl);
		conf_free(conf);
		return rc;
	}
	if (only) {
		struct only o = { cl, { 0 }, 0 };
		char key[32];

		for (int pf = 1; pf >= 0; pf--) {
			int64_t n = 0;

			classify_set_prefilter(cl, pf);
			o.members = 0;
			t0 = now_s();
			c0 = cpu_s();
			/* Every entry by id: ids are 1..N. */
			for (int64_t id = 1;; id++) {
				snprintf(key, sizeof key, "%lld", (long long)id);
				if (store_class_lookup(st, key, only_cb, &o) != 1)
					break;
				n++;
				if (!pf && n == 20000)
					break;	/* slow: a sample is enough */
			}
			t1 = now_s();
			printf("classify only, prefilter %s: %lld entries in "
			    "%.2f s = %.0f entries/s (%.0f per CPU second), "
			    "%.2f categories per entry "
			    "(%zu of %zu patterns unfiltered)\n", pf ? "on " :
			    "off", (long long)n, t1 - t0, n / (t1 - t0),
			    n / (cpu_s() - c0),
			    (double)o.members / n, classify_unfiltered(cl),
			    (size_t)200);
		}
		return 0;
	}
	if (eval) {
		struct store_reclass_reader	*rd;
		struct store_reclass_batch	*b;
		int64_t				 n = 0, last;
		int				 batches = 0;

		if ((rd = store_reclass_reader_open(st, &err)) == NULL) {
			fprintf(stderr, "classify-bench: %s\n", err);
			return 1;
		}
		if ((last = store_reclass_last(st)) == -1) {
			fprintf(stderr, "classify-bench: no newest entry\n");
			return 1;
		}
		t0 = now_s();
		c0 = cpu_s();
		/* The daemon's ranges, one after another. */
		for (; cursor < last; cursor += RANGE) {
			b = store_reclass_eval(rd, cl, NULL, cursor,
			    cursor + RANGE < last ? cursor + RANGE : last,
			    1764000000, &err);
			if (b == NULL) {
				fprintf(stderr, "classify-bench: %s\n", err);
				return 1;
			}
			n += store_reclass_batch_entries(b);
			store_reclass_batch_free(b);
			batches++;
		}
		t1 = now_s();
		printf("evaluated %lld entries (read, rules, changes) in %.2f s "
		    "= %.0f entries/s (%.0f per CPU second), %d ranges of "
		    "%d ids\n", (long long)n, t1 - t0, n / (t1 - t0),
		    n / (cpu_s() - c0), batches, RANGE);
		store_reclass_reader_close(rd);
		store_close(st);
		classify_free(cl);
		conf_free(conf);
		return 0;
	}
	store_set_classify(st, cl);
	t0 = now_s();
	c0 = cpu_s();
	do {
		double s0 = now_s(), sc = cpu_s();

		more = store_reclass_step(st, &cursor, SLICE_US, 1764000000,
		    &stats);
		slice = now_s() - s0;
		if (slice > worst)
			worst = slice;
		if (cpu_s() - sc > cworst)
			cworst = cpu_s() - sc;
		slices++;
	} while (more == 1);
	t1 = now_s();
	if (more == -1)
		return 1;
	store_reclass_done(st);
	printf("re-sorted %lld entries against %zu categories in %.2f s = "
	    "%.0f entries/s (%.0f per CPU second); %d slices, longest %.1f ms "
	    "(%.1f ms on the CPU); memberships +%lld -%lld\n",
	    (long long)stats.entries, classify_count(cl), t1 - t0,
	    stats.entries / (t1 - t0), stats.entries / (cpu_s() - c0), slices,
	    worst * 1000, cworst * 1000, (long long)stats.added,
	    (long long)stats.removed);
	store_set_classify(st, NULL);
	store_close(st);
	classify_free(cl);
	conf_free(conf);
	return 0;
}

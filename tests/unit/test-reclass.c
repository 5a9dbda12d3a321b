/*
 * test-reclass: store-reclass against a real SQLite file.  Entries are
 * stored under one set of category rules, the rules change, and the
 * stored entries are re-sorted: in slices on one connection
 * (store_reclass_step, cut every few entries so batches end mid-way) and
 * off the loop (store_reclass_eval on a second connection, then
 * store_reclass_apply), with entries stored in between left as store
 * sorted them.  The memberships are read back with SQL and compared with
 * what the rules say of each entry.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <sqlite3.h>

#include "classify.h"
#include "conf.h"
#include "db.h"
#include "doc.h"
#include "store.h"
#include "store-int.h"
#include "store-member.h"
#include "store-reclass.h"

#include "members-sql.h"

#define NOW	1800000000LL
#define NENT	150

struct fx {
	char		 dir[64];
	char		 db[128];
	char		 conf_path[128];
	struct store	*st;
	struct conf	*conf;
	struct classify	*cl;
};

/* fresh: the entries of s, for a day; the same in both rule sets. */
#define SOURCES	"[source \"s\"]\nurl = https://s.example/feed\n" \
		"[source \"t\"]\nurl = https://t.example/feed\n" \
		"[category \"fresh\"]\nsources = s\nmax_age = 1d\n"

/*
 * Rules 1: k8s by pattern with an exclude, cloud by term plus everything
 * k8s has, rust by pattern, old by source t.
 */
static const char RULES1[] = SOURCES
    "[category \"k8s\"]\nmatch = \\bkubernetes\\b\nexclude = \\bsponsored\\b\n"
    "[category \"cloud\"]\nterms = Cloud\ninclude = k8s\n"
    "[category \"rust\"]\nmatch = \\brust\\b\n"
    "[category \"old\"]\nsources = t\n";
/*
 * Rules 2: k8s now takes docker and keeps legacy out (cloud, including
 * it, changes with it); rust is as it was; old is gone; web is new.
 */
static const char RULES2[] = SOURCES
    "[category \"k8s\"]\nmatch = docker|\\bkubernetes\\b.*\\bdocker\\b\n"
    "exclude = \\blegacy\\b\n"
    "[category \"cloud\"]\nterms = Cloud\ninclude = k8s\n"
    "[category \"rust\"]\nmatch = \\brust\\b\n"
    "[category \"web\"]\nmatch_title = \\bhttp\\b\n";

/* The title of entry I: which words it holds follows from I. */
static void
title_of(int i, int version, char *buf, size_t len)
{
	snprintf(buf, len, "entry %d%s%s%s%s%s%s%s", i,
	    i % 3 == 0 ? " about kubernetes" : "",
	    i % 4 == 0 ? " and docker" : "",
	    i % 10 == 0 ? " (sponsored)" : "",
	    i % 7 == 0 ? " legacy" : "",
	    i % 5 == 0 ? " in rust" : "",
	    i % 6 == 0 ? " over http" : "",
	    version > 0 ? " docker now" : "");
}

/* Whether entry I (title version V, source t when T) is in CAT under RULES (1 or 2). */
static int
expect(int rules, int i, int v, int t, const char *cat)
{
	int	kube = i % 3 == 0, docker = i % 4 == 0 || v > 0;
	int	k8s, cloudterm = i % 8 == 0;

	if (rules == 1)
		k8s = kube && i % 10 != 0;
	else
		k8s = docker && i % 7 != 0;
	if (strcmp(cat, "k8s") == 0)
		return k8s;
	if (strcmp(cat, "cloud") == 0)
		return cloudterm || k8s;
	if (strcmp(cat, "rust") == 0)
		return i % 5 == 0;
	if (strcmp(cat, "old") == 0)
		return rules == 1 && t;
	if (strcmp(cat, "web") == 0)
		return rules == 2 && i % 6 == 0;
	fail_msg("no category %s", cat);
	return 0;
}

/* Loads TEXT as the config and makes its rules store's. */
static void
fx_rules(struct fx *fx, const char *text)
{
	FILE	*f;
	char	*errors = NULL, *err = NULL;

	assert_non_null(f = fopen(fx->conf_path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	store_set_classify(fx->st, NULL);
	classify_free(fx->cl);
	conf_free(fx->conf);
	fx->conf = conf_load(fx->conf_path, &errors);
	if (fx->conf == NULL)
		fail_msg("config: %s", errors);
	assert_int_equal(store_sync(fx->st, fx->conf), 0);
	fx->cl = classify_new(fx->conf, &err);
	assert_null(err);
	assert_non_null(fx->cl);
	store_set_classify(fx->st, fx->cl);
}

/* Stores entries FROM..TO-1 of source SRC (0: s, 1: t) at title version V. */
static void
fx_store(struct fx *fx, int src, int from, int to, int v)
{
	struct doc		*d = doc_new();
	struct store_poll	 p;
	struct store_result	 res;
	char			 id[64], link[64], title[160];

	assert_non_null(d);
	for (int i = from; i < to; i++) {
		struct doc_entry *e = doc_add_entry(d);

		assert_non_null(e);
		snprintf(id, sizeof id, "urn:e:%d", i);
		snprintf(link, sizeof link, "https://x.example/%d", i);
		title_of(i, v, title, sizeof title);
		assert_int_equal(doc_set(&e->id, id), 0);
		assert_int_equal(doc_set(&e->link, link), 0);
		assert_int_equal(doc_set(&e->title, title), 0);
		e->published = NOW - 86400 + i;
		if (i % 8 == 0) {
			e->categories = calloc(1, sizeof *e->categories);
			assert_non_null(e->categories);
			assert_int_equal(doc_set(&e->categories[0].term,
			    "cloud"), 0);
			e->ncategories = 1;
		}
	}
	memset(&p, 0, sizeof p);
	memset(&res, 0, sizeof res);
	p.at = NOW;
	p.status = 200;
	p.state = "ok";
	p.next_poll = NOW + 60;
	assert_int_equal(store_poll_done(fx->st, &fx->conf->sources[src], &p,
	    d, &res), 0);
	doc_free(d);
}

/*
 * Checks every entry's memberships against RULES, and that entry_member
 * lists exactly them; entry I has title version VERSION[I] (-1: deleted)
 * and is of source t when I >= NENT / 2.
 */
static void
fx_check(struct fx *fx, int rules, const int *version)
{
	static const char *const cats[] = { "k8s", "cloud", "rust", "old",
	    "web" };
	sqlite3		*h;
	sqlite3_stmt	*st;
	char		 guid[64];
	size_t		 bad = 0, rows = 0;

	assert_int_equal(sqlite3_open_v2(fx->db, &h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM "
	    "entry_category c JOIN entry e ON e.id = c.entry_id WHERE "
	    "e.guid = ? AND c.category_id = (SELECT id FROM category WHERE "
	    "name = ?)", -1, &st, NULL), SQLITE_OK);
	for (int i = 0; i < NENT; i++)
		for (size_t c = 0; c < sizeof cats / sizeof cats[0]; c++) {
			int want = version[i] >= 0 && expect(rules, i,
			    version[i], i >= NENT / 2, cats[c]), got;

			snprintf(guid, sizeof guid, "urn:e:%d", i);
			sqlite3_bind_text(st, 1, guid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, cats[c], -1, SQLITE_STATIC);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			got = sqlite3_column_int(st, 0);
			sqlite3_reset(st);
			rows += (size_t)got;
			if (got != want) {
				print_error("entry %d in %s: %d, want %d\n", i,
				    cats[c], got, want);
				bad++;
			}
		}
	sqlite3_finalize(st);
	/* And the entries' lists of them say the same. */
	assert_int_equal(sqlite3_prepare_v2(h, MEMBERS_DISAGREE_SQL, -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_int_equal(bad, 0);
	assert_true(rows > NENT / 2);
}

static int
setup(void **state)
{
	struct fx	*fx = calloc(1, sizeof *fx);
	char		*err = NULL;

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/test-reclass.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->db, sizeof fx->db, "%s/x.db", fx->dir);
	snprintf(fx->conf_path, sizeof fx->conf_path, "%s/f.conf", fx->dir);
	assert_non_null(fx->st = store_open(fx->db, 0, &err));
	fx_rules(fx, RULES1);
	fx_store(fx, 0, 0, NENT / 2, 0);
	fx_store(fx, 1, NENT / 2, NENT, 0);
	assert_int_equal(store_reclass_done(fx->st), 0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	char		 cmd[160];

	store_set_classify(fx->st, NULL);
	store_close(fx->st);
	classify_free(fx->cl);
	conf_free(fx->conf);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* Stored under rules 1, sorted as rules 1 say; nothing pending. */
static void
test_stored(void **state)
{
	struct fx	*fx = *state;
	int		 version[NENT] = { 0 };

	fx_check(fx, 1, version);
	assert_int_equal(store_reclass_pending(fx->st, fx->cl), 0);
}

/*
 * Rules 2 in slices of a few entries: k8s and cloud (by include) change,
 * web is new, old is gone, rust is untouched; a second pass changes
 * nothing.
 */
static void
test_step(void **state)
{
	struct fx			*fx = *state;
	struct store_reclass_stats	 stats = { 0, 0, 0 };
	unsigned char			 aff[8];
	int				 version[NENT] = { 0 };
	int64_t				 cursor = 0;
	int				 more, steps = 0;

	fx_rules(fx, RULES2);
	/* k8s, cloud (includes k8s), web (new), old (removed). */
	assert_int_equal(store_reclass_pending(fx->st, fx->cl), 4);
	assert_int_equal(store_reclass_affected(fx->st, fx->cl, aff), 3);
	assert_int_equal(aff[classify_find(fx->cl, "rust")], 0);
	assert_int_equal(aff[classify_find(fx->cl, "cloud")], 1);
	/* A budget of 0 stops every few entries: many batch boundaries. */
	do {
		more = store_reclass_step(fx->st, &cursor, 0, NOW, &stats);
		assert_true(more >= 0);
		steps++;
	} while (more == 1 && steps < 1000);
	assert_int_equal(more, 0);
	assert_true(steps > 5);
	assert_int_equal(stats.entries, NENT);
	assert_true(stats.added > 0);
	assert_true(stats.removed > 0);
	fx_check(fx, 2, version);
	assert_int_equal(store_reclass_done(fx->st), 0);
	assert_int_equal(store_reclass_pending(fx->st, fx->cl), 0);

	/* Sorted already: a pass writes nothing. */
	memset(&stats, 0, sizeof stats);
	cursor = 0;
	fx_rules(fx, RULES2);
	while ((more = store_reclass_step(fx->st, &cursor, 0, NOW,
	    &stats)) == 1)
		;
	assert_int_equal(more, 0);
	assert_int_equal(stats.added + stats.removed, 0);
	fx_check(fx, 2, version);
}

/* Membership rows whose entry is gone: none, ever. */
static int64_t
fx_orphans(struct fx *fx)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	int64_t		 n;

	assert_int_equal(sqlite3_open_v2(fx->db, &h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM "
	    "entry_category WHERE entry_id NOT IN (SELECT id FROM entry)", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* A re-sort to rules 2 done by hand: its batches, their marks, its reader. */
struct fx_pass {
	struct store_reclass_reader	*rd;
	struct store_reclass_batch	*b[64];
	size_t				 mark[64], nb;
	unsigned char			 aff[8];
};

/* Starts a re-sort to rules 2: the rules, what they affect, a reader. */
static void
fx_pass_start(struct fx *fx, struct fx_pass *ps)
{
	char	*err = NULL;

	memset(ps, 0, sizeof *ps);
	fx_rules(fx, RULES2);
	assert_int_equal(store_reclass_affected(fx->st, fx->cl, ps->aff), 3);
	assert_int_equal(store_reclass_forget(fx->st, fx->cl, ps->aff), 0);
	assert_non_null(ps->rd = store_reclass_reader_open(fx->st, &err));
	assert_null(err);
}

/*
 * Evaluates every entry, in ranges of 16 ids, each marked just before;
 * returns how many entries were read.
 */
static int64_t
fx_pass_eval(struct fx *fx, struct fx_pass *ps)
{
	int64_t	 cursor, last, read = 0;
	char	*err = NULL;

	assert_int_equal(last = store_reclass_last(fx->st), NENT);
	for (cursor = 0; cursor < last; cursor += 16) {
		assert_true(ps->nb < 64);
		ps->mark[ps->nb] = store_reclass_mark(fx->st);
		ps->b[ps->nb] = store_reclass_eval(ps->rd, fx->cl, ps->aff,
		    cursor, cursor + 16 < last ? cursor + 16 : last, NOW, &err);
		assert_null(err);
		assert_non_null(ps->b[ps->nb]);
		read += store_reclass_batch_entries(ps->b[ps->nb++]);
	}
	return read;
}

/*
 * Writes every batch in slices of BUDGET_US (0: whole), ends the pass and
 * checks the result against VERSION, orphans included.
 */
static void
fx_pass_apply(struct fx *fx, struct fx_pass *ps, int64_t budget_us,
    unsigned char *touched, const int *version)
{
	struct store_reclass_stats	 stats = { 0, 0, 0 };
	int				 rc;

	for (size_t k = 0; k < ps->nb; k++) {
		int slices = 0;

		while ((rc = store_reclass_apply(fx->st, ps->b[k], ps->mark[k],
		    budget_us, &stats, touched)) == 1)
			slices++;
		assert_int_equal(rc, 0);
		assert_true(slices < 100);
		store_reclass_batch_free(ps->b[k]);
	}
	store_reclass_unmark(fx->st);
	store_reclass_reader_close(ps->rd);
	assert_int_equal(store_reclass_done(fx->st), 0);
	fx_check(fx, 2, version);
	assert_int_equal(fx_orphans(fx), 0);
}

/*
 * Rules 2 off the loop: batches evaluated on a second connection and
 * written in slices; entries polled again in between (now holding
 * "docker") are sorted by store itself and left alone by the batches,
 * and an entry deleted in between is skipped.
 */
static void
test_eval_apply(void **state)
{
	struct fx	*fx = *state;
	struct fx_pass	 ps;
	unsigned char	 touched[8];
	int		 version[NENT] = { 0 };

	/* Evaluate everything first. */
	fx_pass_start(fx, &ps);
	assert_int_equal(fx_pass_eval(fx, &ps), NENT);
	assert_true(ps.nb > 3);

	/* Meanwhile entries 1..29 are polled again and now say docker. */
	fx_store(fx, 0, 1, 30, 1);
	for (int i = 1; i < 30; i++)
		version[i] = 1;
	/* And entry 100 is deleted (feedmux delete, another connection). */
	{
		sqlite3 *h;

		assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
		assert_int_equal(sqlite3_exec(h, "PRAGMA foreign_keys = ON;"
		    "DELETE FROM entry WHERE guid = 'urn:e:100'", NULL, NULL,
		    NULL), SQLITE_OK);
		assert_int_equal(sqlite3_changes(h), 1);
		sqlite3_close(h);
		version[100] = -1;
	}

	memset(touched, 0, sizeof touched);
	fx_pass_apply(fx, &ps, 1, touched, version);
	assert_int_equal(touched[classify_find(fx->cl, "k8s")], 1);
	assert_int_equal(touched[classify_find(fx->cl, "cloud")], 1);
	assert_int_equal(touched[classify_find(fx->cl, "web")], 1);
	assert_int_equal(touched[classify_find(fx->cl, "rust")], 0);
	assert_int_equal(store_reclass_pending(fx->st, fx->cl), 0);
}

/*
 * An entry deleted through the store's own connection around a re-sort:
 * when PARKED, in a parked batch still open when the first batch is
 * marked and read (the reader cannot see that deletion), else after
 * every batch was read.  Either is new to "web" by the rules read, and
 * gets no memberships back.  Batches marked with nothing deleted since
 * skip the look-up per entry; these must not.
 */
static void
deleted_here(struct fx *fx, int parked)
{
	struct fx_pass	 ps;
	int		 version[NENT] = { 0 };

	fx_pass_start(fx, &ps);
	if (parked) {
		store_batch_begin(fx->st);
		assert_int_equal(store_delete(fx->st, "urn:e:6"), 1);
		store_batch_park(fx->st);
		version[6] = -1;
	}
	fx_pass_eval(fx, &ps);
	if (!parked) {
		assert_int_equal(store_delete(fx->st, "urn:e:138"), 1);
		version[138] = -1;
	}
	fx_pass_apply(fx, &ps, 0, NULL, version);
}

static void
test_deleted_parked(void **state)
{
	deleted_here(*state, 1);
}

static void
test_deleted_after_read(void **state)
{
	deleted_here(*state, 0);
}

/*
 * Ageing between a batch's read and its write: "fresh" (untouched by the
 * new rules, so in no batch's changes) loses every entry of s, and the
 * batches, written after, must not list those memberships again from
 * what they read.
 */
static int	fx_committed(struct fx *, const char *);

static void
test_aged_after_read(void **state)
{
	struct fx	*fx = *state;
	struct fx_pass	 ps;
	int		 version[NENT] = { 0 };

	fx_pass_start(fx, &ps);
	assert_int_equal(ps.aff[classify_find(fx->cl, "fresh")], 0);
	assert_int_equal(fx_committed(fx, "fresh"), NENT / 2);
	fx_pass_eval(fx, &ps);
	assert_int_equal(store_reclass_age(fx->st, NOW + 30 * 86400),
	    NENT / 2);
	fx_pass_apply(fx, &ps, 0, NULL, version);
	assert_int_equal(fx_committed(fx, "fresh"), 0);
}

/* Overwrites entry ID's list of memberships with CATS, as a hand edit would. */
static void
fx_damage(struct fx *fx, int64_t id, const char *cats)
{
	sqlite3		*h;
	sqlite3_stmt	*st;

	assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "UPDATE entry_member SET cats ="
	    " ? WHERE entry_id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, cats, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(h), 1);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/*
 * An entry's list of memberships that is not ours to read (a hand edit,
 * a damaged page): the reading threads rebuild it from the entry's rows,
 * the loop writes it back with the batch, logged, and the re-sort goes
 * on; lists whose memberships do not change are mended too.  fx_check
 * holds lists and rows to agree.
 */
static void
test_unreadable_list(void **state)
{
	struct fx	*fx = *state;
	struct fx_pass	 ps;
	int		 version[NENT] = { 0 };

	fx_damage(fx, 5, "[[1,2],[x]]");	/* not JSON */
	fx_damage(fx, 6, "[[1,2,3]]");		/* JSON, not pairs */
	fx_damage(fx, 7, "");
	fx_pass_start(fx, &ps);
	fx_pass_eval(fx, &ps);
	fx_pass_apply(fx, &ps, 0, NULL, version);
}

/* The same, sorted in process (store_reclass_step reads on the loop). */
static void
test_unreadable_list_step(void **state)
{
	struct fx			*fx = *state;
	struct store_reclass_stats	 stats = { 0, 0, 0 };
	int				 version[NENT] = { 0 };
	int64_t				 cursor = 0;
	int				 more;

	fx_damage(fx, 5, "[[1,2],[x]]");
	fx_damage(fx, NENT, "{}");
	fx_rules(fx, RULES2);
	while ((more = store_reclass_step(fx->st, &cursor, -1, NOW,
	    &stats)) == 1)
		;
	assert_int_equal(more, 0);
	fx_check(fx, 2, version);
}

/*
 * Deleting an entry whose list is not JSON, as the sqlite3 shell or
 * retention would: the trigger finds its rows by a scan, and the
 * deletion goes through.
 */
static void
test_unreadable_list_deleted(void **state)
{
	struct fx	*fx = *state;
	sqlite3		*h;
	sqlite3_stmt	*st;

	fx_damage(fx, 5, "[[1,2],[x]]");
	assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM "
	    "entry_category WHERE entry_id = 5", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_true(sqlite3_column_int(st, 0) > 0);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(h, "DELETE FROM entry WHERE id = 5",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_changes(h), 1);
	sqlite3_close(h);
	assert_int_equal(fx_orphans(fx), 0);
}

/* One thread of test_ranges: its own rules and connection, one range. */
struct range_job {
	struct store_reclass_reader	*rd;
	struct classify			*cl;
	const unsigned char		*aff;
	int64_t				 from, to;
	struct store_reclass_batch	*b;
	char				*err;
};

static void *
range_main(void *arg)
{
	struct range_job	*j = arg;

	j->b = store_reclass_eval(j->rd, j->cl, j->aff, j->from, j->to, NOW,
	    &j->err);
	return NULL;
}

/*
 * The daemon's way: ranges of ids evaluated at once on three threads,
 * each with its own classify and reader, then written in the order they
 * came back (here the later range first).  The last range reaches past
 * the newest entry.
 */
static void
test_ranges(void **state)
{
	struct fx			*fx = *state;
	struct range_job		 j[3];
	pthread_t			 th[3];
	struct store_reclass_stats	 stats = { 0, 0, 0 };
	unsigned char			 aff[8];
	int				 version[NENT] = { 0 };
	char				*err = NULL;
	size_t				 mark;

	fx_rules(fx, RULES2);
	assert_int_equal(store_reclass_last(fx->st), NENT);
	assert_int_equal(store_reclass_affected(fx->st, fx->cl, aff), 3);
	assert_int_equal(store_reclass_forget(fx->st, fx->cl, aff), 0);
	mark = store_reclass_mark(fx->st);
	for (int k = 0; k < 3; k++) {
		memset(&j[k], 0, sizeof j[k]);
		assert_non_null(j[k].rd = store_reclass_reader_open(fx->st,
		    &err));
		assert_non_null(j[k].cl = classify_new(fx->conf, &err));
		j[k].aff = aff;
		j[k].from = k * 64;
		j[k].to = k * 64 + 64;
	}
	for (int k = 0; k < 3; k++)
		assert_int_equal(pthread_create(&th[k], NULL, range_main,
		    &j[k]), 0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(pthread_join(th[k], NULL), 0);
	for (int k = 2; k >= 0; k--) {
		assert_null(j[k].err);
		assert_non_null(j[k].b);
		assert_int_equal(store_reclass_batch_entries(j[k].b),
		    k < 2 ? 64 : NENT - 128);
		assert_int_equal(store_reclass_apply(fx->st, j[k].b, mark, 0,
		    &stats, NULL), 0);
		store_reclass_batch_free(j[k].b);
		store_reclass_reader_close(j[k].rd);
		classify_free(j[k].cl);
	}
	store_reclass_unmark(fx->st);
	assert_int_equal(stats.entries, 0);
	assert_true(stats.added > 0 && stats.removed > 0);
	assert_int_equal(store_reclass_done(fx->st), 0);
	fx_check(fx, 2, version);
	assert_int_equal(store_reclass_pending(fx->st, fx->cl), 0);
}

/* What a batch's changes are: counted, and the first add kept. */
struct each_count {
	int64_t		 adds, drops;
	int64_t		 first[3];	/* category, sort, entry */
};

static int
each_cb(void *arg, int64_t cat, int64_t sort, int64_t id, int add)
{
	struct each_count	*c = arg;

	if (add && c->adds++ == 0) {
		c->first[0] = cat;
		c->first[1] = sort;
		c->first[2] = id;
	}
	if (!add)
		c->drops++;
	return 0;
}

/*
 * Every entry in one batch, written at once: the adds go STORE_ADDQ rows
 * to a statement and the rest one by one.  One row the batch adds is in
 * the table already (a hand edit that left the entry's list alone): the
 * statement inserts the others, the count says so, and the memberships
 * come out right.
 */
static void
test_apply_queued(void **state)
{
	struct fx			*fx = *state;
	struct store_reclass_stats	 stats = { 0, 0, 0 };
	struct store_reclass_batch	*b;
	struct store_reclass_reader	*rd;
	struct each_count		 c = { 0, 0, { 0, 0, 0 } };
	unsigned char			 aff[8], touched[8];
	int				 version[NENT] = { 0 };
	char				*err = NULL, sql[160];
	size_t				 mark;
	sqlite3				*h;

	fx_rules(fx, RULES2);
	assert_int_equal(store_reclass_affected(fx->st, fx->cl, aff), 3);
	assert_int_equal(store_reclass_forget(fx->st, fx->cl, aff), 0);
	mark = store_reclass_mark(fx->st);
	assert_non_null(rd = store_reclass_reader_open(fx->st, &err));
	assert_non_null(b = store_reclass_eval(rd, fx->cl, aff, 0, NENT, NOW,
	    &err));
	assert_null(err);
	assert_int_equal(store_reclass_batch_each(fx->st, b, each_cb, &c), 0);
	assert_true(c.adds > STORE_ADDQ && c.adds % STORE_ADDQ != 0);
	assert_true(c.drops > 0);

	assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
	snprintf(sql, sizeof sql, "INSERT INTO entry_category (category_id, "
	    "sort_date, entry_id) VALUES (%lld, %lld, %lld)",
	    (long long)c.first[0], (long long)c.first[1],
	    (long long)c.first[2]);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);

	memset(touched, 0, sizeof touched);
	assert_int_equal(store_reclass_apply(fx->st, b, mark, 0, &stats,
	    touched), 0);
	assert_int_equal(store_reclass_flush(fx->st), 0);
	store_reclass_batch_free(b);
	store_reclass_reader_close(rd);
	store_reclass_unmark(fx->st);
	assert_int_equal(stats.added, c.adds - 1);
	assert_int_equal(stats.removed, c.drops);
	assert_int_equal(touched[classify_find(fx->cl, "web")], 1);
	assert_int_equal(touched[classify_find(fx->cl, "rust")], 0);
	assert_int_equal(store_reclass_done(fx->st), 0);
	fx_check(fx, 2, version);
	assert_int_equal(fx_orphans(fx), 0);
}

/* A pass cut short leaves its categories pending, even if the rules go back. */
static void
test_interrupted(void **state)
{
	struct fx			*fx = *state;
	struct store_reclass_stats	 stats = { 0, 0, 0 };
	int				 version[NENT] = { 0 };
	int64_t				 cursor = 0;

	fx_rules(fx, RULES2);
	/* Past some entries of t, whose rows of the removed "old" go. */
	while (cursor < NENT / 2 + 10)
		assert_int_equal(store_reclass_step(fx->st, &cursor, 0, NOW,
		    &stats), 1);
	assert_true(cursor < NENT);
	assert_true(stats.removed > 0);
	/*
	 * Back to rules 1 before the pass ends: k8s, cloud and old are
	 * pending still, though their rules are those last recorded.
	 */
	fx_rules(fx, RULES1);
	assert_int_equal(store_reclass_pending(fx->st, fx->cl), 3);
	cursor = 0;
	while (store_reclass_step(fx->st, &cursor, 0, NOW, &stats) == 1)
		;
	assert_int_equal(store_reclass_done(fx->st), 0);
	fx_check(fx, 1, version);
}

/* Rows of category NAME as connection H sees them (held ones too). */
static int
own_count(sqlite3 *h, const char *name)
{
	sqlite3_stmt	*st;
	int		 n;

	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM "
	    "entry_category WHERE category_id = (SELECT id FROM category "
	    "WHERE name = ?)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Rows of category NAME as another connection sees them (committed ones). */
static int
fx_committed(struct fx *fx, const char *name)
{
	sqlite3		*h;
	int		 n;

	assert_int_equal(sqlite3_open_v2(fx->db, &h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	n = own_count(h, name);
	sqlite3_close(h);
	return n;
}

/*
 * A commit hook (or progress handler) that turns the next FAILS[0]
 * commits into rollbacks (interrupts the statement).
 */
static int
fail_commit(void *arg)
{
	int	*fails = arg;

	return (*fails)-- > 0;
}

/*
 * Slices written by store_reclass_apply stay in one held transaction:
 * others see them at store_reclass_flush, or when another write of
 * store's commits them first.  A hold whose commit fails is reported by
 * the next flush, whoever committed it.
 */
static void
test_hold(void **state)
{
	struct fx			*fx = *state;
	struct store_reclass_reader	*rd;
	struct store_reclass_batch	*b[4];
	struct store_reclass_stats	 stats = { 0, 0, 0 };
	unsigned char			 aff[8];
	size_t				 mark;
	int				 version[NENT] = { 0 }, fails = 0, web;
	char				*err = NULL;
	sqlite3				*h;

	h = sqlite3_db_handle(db_stmt(store_db(fx->st), "SELECT 1"));
	fx_rules(fx, RULES2);
	assert_int_equal(store_reclass_affected(fx->st, fx->cl, aff), 3);
	assert_int_equal(store_reclass_forget(fx->st, fx->cl, aff), 0);
	assert_non_null(rd = store_reclass_reader_open(fx->st, &err));
	mark = store_reclass_mark(fx->st);
	for (int k = 0; k < 4; k++)
		assert_non_null(b[k] = store_reclass_eval(rd, fx->cl, aff,
		    k * 40, k == 3 ? NENT : k * 40 + 40, NOW, &err));

	/* Written, not committed: another connection sees none of it. */
	assert_int_equal(store_reclass_apply(fx->st, b[0], mark, 0, &stats,
	    NULL), 0);
	assert_true(stats.added > 0);
	assert_int_equal(fx_committed(fx, "web"), 0);
	assert_int_equal(store_reclass_flush(fx->st), 0);
	assert_true((web = fx_committed(fx, "web")) > 0);

	/* A poll stored in between commits the held slices with it. */
	assert_int_equal(store_reclass_apply(fx->st, b[1], mark, 0, &stats,
	    NULL), 0);
	assert_int_equal(fx_committed(fx, "web"), web);
	fx_store(fx, 1, NENT, NENT + 1, 0);
	assert_true(fx_committed(fx, "web") > web);
	web = fx_committed(fx, "web");
	assert_int_equal(store_reclass_flush(fx->st), 0);

	/* Its commit fails: the flush says so, and nothing of it is kept. */
	assert_int_equal(store_reclass_apply(fx->st, b[2], mark, 0, &stats,
	    NULL), 0);
	fails = 1;
	sqlite3_commit_hook(h, fail_commit, &fails);
	assert_int_equal(store_reclass_flush(fx->st), -1);
	assert_int_equal(fx_committed(fx, "web"), web);

	/* Failed when another writer's begin committed it: the same. */
	store_reclass_batch_free(b[2]);
	assert_non_null(b[2] = store_reclass_eval(rd, fx->cl, aff, 80, 120,
	    NOW, &err));
	assert_int_equal(store_reclass_apply(fx->st, b[2], mark, 0, &stats,
	    NULL), 0);
	fails = 1;
	fx_store(fx, 1, NENT + 1, NENT + 2, 0);
	sqlite3_commit_hook(h, NULL, NULL);
	assert_int_equal(fx_committed(fx, "web"), web);
	assert_int_equal(store_reclass_flush(fx->st), -1);
	/* Reported once: the next flush has nothing lost to tell. */
	assert_int_equal(store_reclass_flush(fx->st), 0);

	/*
	 * A slice that fails undoes the slices held with it, not only its
	 * own part: the flush says so, once, and nothing of them is seen.
	 */
	store_reclass_batch_free(b[2]);
	assert_non_null(b[2] = store_reclass_eval(rd, fx->cl, aff, 80, 120,
	    NOW, &err));
	assert_int_equal(store_reclass_apply(fx->st, b[2], mark, 0, &stats,
	    NULL), 0);
	assert_true(own_count(h, "web") > web);
	fails = 1;
	sqlite3_progress_handler(h, 1, fail_commit, &fails);
	assert_int_equal(store_reclass_apply(fx->st, b[3], mark, 0, &stats,
	    NULL), -1);
	sqlite3_progress_handler(h, 0, NULL, NULL);
	assert_int_equal(own_count(h, "web"), web);
	assert_int_equal(store_reclass_flush(fx->st), -1);
	assert_int_equal(store_reclass_flush(fx->st), 0);
	assert_int_equal(fx_committed(fx, "web"), web);

	/* Written again, and the last batch: all as rules 2 say. */
	store_reclass_batch_free(b[2]);
	store_reclass_batch_free(b[3]);
	assert_non_null(b[2] = store_reclass_eval(rd, fx->cl, aff, 80, 120,
	    NOW, &err));
	assert_non_null(b[3] = store_reclass_eval(rd, fx->cl, aff, 120, NENT,
	    NOW, &err));
	store_reclass_reader_close(rd);
	assert_int_equal(store_reclass_apply(fx->st, b[2], mark, 0, &stats,
	    NULL), 0);
	assert_int_equal(store_reclass_apply(fx->st, b[3], mark, 0, &stats,
	    NULL), 0);
	assert_int_equal(store_reclass_flush(fx->st), 0);
	store_reclass_unmark(fx->st);
	for (int k = 0; k < 4; k++)
		store_reclass_batch_free(b[k]);
	fx_check(fx, 2, version);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_queued, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_eval_apply, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deleted_parked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deleted_after_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_aged_after_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_list_step,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_list_deleted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_interrupted, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

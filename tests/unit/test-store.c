/*
 * test-store: the store room against a real SQLite file: identity rules and
 * their fallback, GUID churn, updates in place (and bumping), tombstones,
 * stories across sources, dates, retention with space reclaimed, poll
 * state, backups and the migration from schema 1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "doc.h"
#include "store.h"
#include "store-int.h"
#include "store-member.h"

#include "members-sql.h"

#define NOW	1800000000LL

struct fixture {
	char			 dir[64];
	char			 path[128];
	struct store		*st;
	struct conf		 conf;
	struct conf_source	 src[3];
	struct conf_category	 cat[4];
	char			*cats_a[2];
	char			*cats_b[1];
	char			*cats_c[1];
};

static int
setup(void **state)
{
	struct fixture	*fx = calloc(1, sizeof *fx);
	char		*err = NULL;

	strcpy(fx->dir, "/tmp/test-store.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof fx->path, "%s/db/x.db", fx->dir);
	fx->cats_a[0] = "cloud";
	fx->cats_a[1] = "news";
	fx->cats_b[0] = "cloud";
	fx->src[0].name = "a";
	fx->src[0].url = "http://a.example/feed";
	fx->src[0].categories = fx->cats_a;
	fx->src[0].ncategories = 2;
	fx->src[1].name = "b";
	fx->src[1].url = "http://b.example/feed";
	fx->src[1].categories = fx->cats_b;
	fx->src[1].ncategories = 1;
	fx->cats_c[0] = "bumped";
	fx->src[2].name = "c";
	fx->src[2].url = "http://c.example/feed";
	fx->src[2].categories = fx->cats_c;
	fx->src[2].ncategories = 1;
	fx->cat[0].name = "cloud";
	fx->cat[1].name = "news";
	fx->cat[2].name = "bumped";
	fx->cat[2].updates_bump = 1;
	/* Declared, as the config requires of every category a source names. */
	fx->cat[3].name = "other";
	fx->conf.sources = fx->src;
	fx->conf.nsources = 3;
	fx->conf.categories = fx->cat;
	fx->conf.ncategories = 4;
	fx->st = store_open(fx->path, 0, &err);
	assert_non_null(fx->st);
	assert_int_equal(store_sync(fx->st, &fx->conf), 0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	char		 cmd[160];

	store_close(fx->st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static struct doc_entry *
add(struct doc *d, const char *id, const char *link, const char *title,
    int64_t published)
{
	struct doc_entry	*e = doc_add_entry(d);

	assert_non_null(e);
	assert_int_equal(doc_set(&e->id, id), 0);
	assert_int_equal(doc_set(&e->link, link), 0);
	assert_int_equal(doc_set(&e->title, title), 0);
	e->published = published;
	return e;
}

static int
apply(struct fixture *fx, int src, const struct doc *d,
    struct store_result *res)
{
	struct store_poll	p;

	memset(&p, 0, sizeof p);
	p.at = NOW;
	p.status = 200;
	p.state = "ok";
	p.etag = "\"v1\"";
	p.next_poll = NOW + 60;
	return store_poll_done(fx->st, &fx->src[src], &p, d, res);
}

/* Collects titles of a view, comma-separated. */
struct titles {
	char	s[1024];
	int	n;
};

static int
collect(const struct store_item *it, void *arg)
{
	struct titles	*t = arg;

	if (t->n++ > 0)
		strcat(t->s, ",");
	strcat(t->s, it->title != NULL ? it->title : "(null)");
	return 0;
}

static const char *
view(struct fixture *fx, const char *category, struct titles *t)
{
	memset(t, 0, sizeof *t);
	assert_true(store_each(fx->st, category, 100, collect, t) >= 0);
	return t->s;
}

/* Applies D to source SRC at time AT. */
static int
apply_at(struct fixture *fx, int src, const struct doc *d, int64_t at,
    struct store_result *res)
{
	struct store_poll	p;

	memset(&p, 0, sizeof p);
	p.at = at;
	p.status = 200;
	p.state = "ok";
	p.next_poll = at + 60;
	return store_poll_done(fx->st, &fx->src[src], &p, d, res);
}

/* The identity rule and entry count of source NAME, as status shows them. */
struct rule_probe {
	const char	*name;
	char		 rule[16];
	int64_t		 entries;
};

static int
probe_rule(const struct store_source_info *si, void *arg)
{
	struct rule_probe	*r = arg;

	if (strcmp(si->name, r->name) == 0) {
		snprintf(r->rule, sizeof r->rule, "%s", si->id_rule);
		r->entries = si->entries;
	}
	return 0;
}

static const char *
rule_of(struct fixture *fx, const char *name, struct rule_probe *r)
{
	memset(r, 0, sizeof *r);
	r->name = name;
	assert_int_equal(store_sources_each(fx->st, probe_rule, r), 0);
	return r->rule;
}

/* One value of a query on the database file, through a second connection. */
static int64_t
sql_int(struct fixture *fx, const char *sql)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* Every entry's entry_member list and its entry_category rows agree. */
static void
members_agree(struct fixture *fx)
{
	assert_int_equal(sql_int(fx, MEMBERS_DISAGREE_SQL), 0);
}

/* 1 when PRAGMA integrity_check says ok. */
static int
sql_ok(struct fixture *fx)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	int		 ok = 0;

	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1,
	    &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	sqlite3_close(h);
	return ok;
}

static void
test_identity(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct rule_probe	 r;
	struct titles		 t;
	struct doc		*d = doc_new();

	add(d, "g1", "http://a.example/1", "one", NOW - 300);
	add(d, "g2", "http://a.example/2", "two", NOW - 200);
	add(d, "g3", NULL, "three", NOW - 100);
	add(d, "g1", "http://a.example/1", "one", NOW - 300);	/* again */
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 3);
	assert_int_equal(res.updated, 0);
	assert_string_equal(view(fx, "cloud", &t), "three,two,one");
	/* The same entry twice is not a broken id. */
	assert_string_equal(rule_of(fx, "a", &r), "guid");
	assert_int_equal(r.entries, 3);

	/* The same document again stores nothing. */
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 0);
	assert_int_equal(res.updated, 0);
	assert_string_equal(view(fx, NULL, &t), "three,two,one");
	doc_free(d);
}

static void
test_guidless(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct rule_probe	 r;
	struct titles		 t;
	struct doc		*d = doc_new();

	add(d, NULL, "http://a.example/1?utm_source=x", "one", NOW - 300);
	add(d, NULL, "http://a.example/2", "two", NOW - 200);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 2);
	assert_string_equal(rule_of(fx, "a", &r), "link");
	doc_free(d);

	/* Re-fetched with other tracking parameters: the same entries. */
	d = doc_new();
	add(d, NULL, "http://A.example/1?utm_source=y#top", "one", NOW - 300);
	add(d, NULL, "http://a.example/2?fbclid=1", "two", NOW - 200);
	add(d, NULL, "http://a.example/3", "three", NOW - 100);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 1);
	assert_int_equal(res.updated, 2);	/* the links as written changed */
	assert_string_equal(view(fx, "cloud", &t), "three,two,one");
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new + res.updated, 0);
	doc_free(d);
}

static void
test_guidless_linkless(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct rule_probe	 r;
	struct titles		 t;
	struct doc		*d = doc_new();

	/* Nothing but titles, dates and bodies: a hash of them. */
	add(d, NULL, NULL, "first note", NOW - 300);
	add(d, NULL, NULL, "second note", NOW - 200);
	add(d, NULL, NULL, "second note", NOW - 200);	/* the same, twice */
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 2);
	assert_string_equal(rule_of(fx, "a", &r), "hash");
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new + res.updated, 0);
	assert_string_equal(view(fx, "cloud", &t), "second note,first note");
	doc_free(d);
}

static void
test_duplicate_guids(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct rule_probe	 r;
	struct titles		 t;
	struct doc		*d = doc_new();

	/* A broken CMS gives every entry the same guid. */
	add(d, "same", "http://a.example/1", "one", NOW - 300);
	add(d, "same", "http://a.example/2", "two", NOW - 200);
	add(d, "same", "http://a.example/3", "three", NOW - 100);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 3);
	assert_string_equal(rule_of(fx, "a", &r), "link");
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new + res.updated, 0);
	assert_string_equal(view(fx, "cloud", &t), "three,two,one");
	doc_free(d);

	/* Links repeated too (one landing page): link and date. */
	d = doc_new();
	add(d, "x", "http://a.example/landing", "monday", NOW - 3000);
	add(d, "x", "http://a.example/landing", "tuesday", NOW - 2000);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 2);
	assert_string_equal(rule_of(fx, "a", &r), "link+date");
	/* The earlier entries were re-keyed and still match. */
	doc_free(d);
	d = doc_new();
	add(d, "same", "http://a.example/1", "one", NOW - 300);
	add(d, "same", "http://a.example/2", "two", NOW - 200);
	add(d, "same", "http://a.example/3", "three", NOW - 100);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new + res.updated, 0);
	rule_of(fx, "a", &r);
	assert_int_equal(r.entries, 5);
	doc_free(d);
}

static void
test_guid_churn(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct rule_probe	 r;
	struct titles		 t;
	struct doc		*d;
	char			 id[3][32];

	/* Every fetch brings new ids for the same entries. */
	for (int fetch = 0; fetch < 3; fetch++) {
		d = doc_new();
		for (int i = 0; i < 3; i++)
			snprintf(id[i], sizeof id[i], "urn:x:%d:%d", fetch, i);
		add(d, id[0], "http://a.example/1?utm_medium=rss", "one",
		    NOW - 300);
		add(d, id[1], "http://a.example/2", "two", NOW - 200);
		add(d, id[2], "http://a.example/3", "three", NOW - 100);
		assert_int_equal(apply(fx, 0, d, &res), 0);
		assert_int_equal(res.new, fetch == 0 ? 3 : 0);
		assert_int_equal(res.updated, 0);
		assert_int_equal(res.churned, fetch == 1 ? 3 : 0);
		doc_free(d);
	}
	assert_string_equal(rule_of(fx, "a", &r), "link");
	assert_int_equal(r.entries, 3);
	assert_string_equal(view(fx, "cloud", &t), "three,two,one");
}

static void
test_churn_by_title_date(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct rule_probe	 r;
	struct titles		 t;
	struct doc		*d = doc_new();

	add(d, "a1", NULL, "linkless one", NOW - 300);
	add(d, "a2", NULL, "linkless two", NOW - 200);
	add(d, "a3", NULL, "linkless three", NOW - 100);
	add(d, "a4", NULL, "linkless four", NOW - 50);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	doc_free(d);
	/* One id changed (and its body): an update of the same entry. */
	d = doc_new();
	add(d, "a1", NULL, "linkless one", NOW - 300);
	add(d, "a2", NULL, "linkless two", NOW - 200);
	add(d, "a3", NULL, "linkless three", NOW - 100);
	add(d, "b4", NULL, "linkless four", NOW - 50)->summary =
	    strdup("edited");
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 0);
	assert_int_equal(res.churned, 1);
	assert_int_equal(res.updated, 1);
	/* A minority churned: the rule stands. */
	assert_string_equal(rule_of(fx, "a", &r), "guid");
	assert_string_equal(view(fx, "cloud", &t),
	    "linkless four,linkless three,linkless two,linkless one");
	doc_free(d);

	/* A distinct entry whose old twin is still listed is new. */
	d = doc_new();
	add(d, "a1", NULL, "linkless one", NOW - 300);
	add(d, "c1", NULL, "linkless one", NOW - 300);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 1);
	assert_int_equal(res.churned, 0);
	doc_free(d);
}

static void
test_update_in_place(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();
	struct doc_entry	*e;

	add(d, "g1", "http://a.example/1", "old title", NOW - 300);
	add(d, "g2", "http://a.example/2", "newer", NOW - 100);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	doc_free(d);

	d = doc_new();
	e = add(d, "g1", "http://a.example/1", "new title", NOW - 300);
	e->updated = NOW;
	add(d, "g2", "http://a.example/2", "newer", NOW - 100);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 0);
	assert_int_equal(res.updated, 1);
	/* Updated in place: same place, new title, no duplicate. */
	assert_string_equal(view(fx, "news", &t), "newer,new title");
	doc_free(d);
}

/* Records each item's title and edited time, comma-separated. */
static int
collect_edited(const struct store_item *it, void *arg)
{
	struct titles	*t = arg;
	char		 one[64];

	snprintf(one, sizeof one, "%s%s=%lld", t->n++ > 0 ? "," : "",
	    it->title, it->edited == STORE_NODATE ? -1LL :
	    (long long)(it->edited - NOW));
	strcat(t->s, one);
	return 0;
}

static void
test_updated_and_bump(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();
	struct doc_entry	*e;

	add(d, "g1", "http://c.example/1", "old", NOW - 300);
	add(d, "g2", "http://c.example/2", "newer", NOW - 100);
	assert_int_equal(apply(fx, 2, d, &res), 0);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	doc_free(d);

	/* An hour later the publisher edits g1's body (no updated date). */
	d = doc_new();
	e = add(d, "g1", "http://c.example/1", "old", NOW - 300);
	e->summary = strdup("now with a correction");
	add(d, "g2", "http://c.example/2", "newer", NOW - 100);
	assert_int_equal(apply_at(fx, 2, d, NOW + 3600, &res), 0);
	assert_int_equal(res.updated, 1);
	assert_int_equal(apply_at(fx, 0, d, NOW + 3600, &res), 0);
	assert_int_equal(res.updated, 1);
	doc_free(d);

	/* "bumped" moves edits to the top; "cloud" keeps the place. */
	memset(&t, 0, sizeof t);
	assert_int_equal(store_each(fx->st, "bumped", 10, collect_edited, &t),
	    2);
	assert_string_equal(t.s, "old=3600,newer=-1");
	memset(&t, 0, sizeof t);
	assert_int_equal(store_each(fx->st, "cloud", 10, collect_edited, &t),
	    2);
	assert_string_equal(t.s, "newer=-1,old=3600");
	/* Re-sorting (a category change) keeps the bump. */
	fx->cats_c[0] = "bumped";
	fx->src[2].ncategories = 1;
	fx->cats_a[1] = "bumped";
	assert_int_equal(store_sync(fx->st, &fx->conf), 0);
	assert_int_equal(sql_int(fx, "SELECT c.sort_date FROM entry_category c"
	    " JOIN entry e ON e.id = c.entry_id JOIN source s ON"
	    " s.id = e.source_id WHERE s.name = 'a' AND e.guid = 'g1' AND"
	    " c.category_id = (SELECT id FROM category WHERE name = 'bumped')"),
	    NOW + 3600);
	assert_int_equal(sql_int(fx, "SELECT c.sort_date FROM entry_category c"
	    " JOIN entry e ON e.id = c.entry_id JOIN source s ON"
	    " s.id = e.source_id WHERE s.name = 'a' AND e.guid = 'g2' AND"
	    " c.category_id = (SELECT id FROM category WHERE name = 'bumped')"),
	    NOW - 100);
	/* c published the same stories first: a's are folded into them. */
	assert_string_equal(view(fx, "bumped", &t), "old,newer");
	members_agree(fx);
}

static void
test_tombstone_operator(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();
	char			 id[32];

	add(d, "g1", "http://a.example/1", "one", NOW - 300);
	add(d, "g2", "http://a.example/2", "two", NOW - 200);
	add(d, "g3", "http://a.example/3", "three", NOW - 100);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(store_delete(fx->st, "g2"), 1);
	snprintf(id, sizeof id, "%lld", (long long)sql_int(fx,
	    "SELECT id FROM entry WHERE guid = 'g3'"));
	assert_int_equal(store_delete(fx->st, id), 1);
	assert_int_equal(store_delete(fx->st, "nosuch"), 0);
	assert_string_equal(view(fx, "cloud", &t), "one");

	/* The publisher still lists them: they stay deleted. */
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 0);
	assert_string_equal(view(fx, "cloud", &t), "one");
	doc_free(d);

	/* ... even under a new id (churn). */
	d = doc_new();
	add(d, "g1", "http://a.example/1", "one", NOW - 300);
	add(d, "g2-new", "http://a.example/2?utm_source=z", "two", NOW - 200);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 0);
	assert_string_equal(view(fx, "cloud", &t), "one");
	doc_free(d);

	/* ... and after the source falls back to links. */
	d = doc_new();
	add(d, NULL, "http://a.example/1", "one", NOW - 300);
	add(d, NULL, "http://a.example/2", "two", NOW - 200);
	add(d, NULL, "http://a.example/3", "three", NOW - 100);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 0);
	assert_string_equal(view(fx, "cloud", &t), "one");
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM tombstone WHERE "
	    "reason = 'operator'"), 2);
	doc_free(d);
}

/*
 * Every entry of a source deleted: it has tombstones and nothing stored,
 * which is not a first poll (store skips the look-ups of those).
 */
static void
test_tombstone_all_deleted(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();

	add(d, "g1", "http://a.example/1", "one", NOW - 300);
	add(d, "g2", "http://a.example/2", "two", NOW - 200);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 2);
	assert_int_equal(store_delete(fx->st, "g1"), 1);
	assert_int_equal(store_delete(fx->st, "g2"), 1);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 0);
	doc_free(d);

	/* Listed again, one under a new id: both stay deleted; g3 is new. */
	d = doc_new();
	add(d, "g1", "http://a.example/1", "one", NOW - 300);
	add(d, "g2-new", "http://a.example/2?utm_source=z", "two", NOW - 200);
	add(d, "g3", "http://a.example/3", "three", NOW - 100);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 1);
	assert_string_equal(view(fx, "cloud", &t), "three");
	doc_free(d);

	/* A first poll with a repeated id stores it once. */
	d = doc_new();
	add(d, "h1", "http://b.example/1", "first", NOW - 50);
	add(d, "h1", "http://b.example/1", "first", NOW - 50);
	assert_int_equal(apply(fx, 1, d, &res), 0);
	assert_int_equal(res.new, 1);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry WHERE "
	    "guid = 'h1'"), 1);
	doc_free(d);
}

static void
test_retention(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();
	char			 id[16], title[16];

	/* Five entries listed: max_entries 2 deletes none of them. */
	fx->src[0].max_entries = 2;
	for (int i = 1; i <= 5; i++) {
		snprintf(id, sizeof id, "g%d", i);
		snprintf(title, sizeof title, "e%d", i);
		add(d, id, NULL, title, NOW - 1000 + i);
	}
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 5);
	assert_int_equal(res.deleted, 0);
	doc_free(d);

	/* The publisher drops e1..e4 and adds e6: keep e6, e5 (newest two). */
	d = doc_new();
	add(d, "g6", NULL, "e6", NOW - 10);
	add(d, "g5", NULL, "e5", NOW - 995);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 1);
	assert_int_equal(res.deleted, 4);
	assert_string_equal(view(fx, "cloud", &t), "e6,e5");
	doc_free(d);

	/* e1 listed again: it never comes back. */
	d = doc_new();
	add(d, "g1", NULL, "e1", NOW - 999);
	add(d, "g6", NULL, "e6", NOW - 10);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 0);
	assert_string_equal(view(fx, "cloud", &t), "e6,e5");
	doc_free(d);

	/* max_age: e5 is old and no longer listed; e6 is listed. */
	fx->src[0].max_entries = 0;
	fx->src[0].max_age = 3600;
	d = doc_new();
	add(d, "g6", NULL, "e6", NOW - 10);
	assert_int_equal(apply_at(fx, 0, d, NOW + 7200, &res), 0);
	assert_int_equal(res.deleted, 1);
	assert_string_equal(view(fx, "cloud", &t), "e6");
	/* e6 is old too, but still listed: kept, also on a 304 (no doc). */
	assert_int_equal(apply_at(fx, 0, NULL, NOW + 9000, &res), 0);
	assert_int_equal(res.deleted, 0);
	assert_string_equal(view(fx, "cloud", &t), "e6");
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM tombstone WHERE "
	    "reason = 'retention'"), 5);
	/* A deleted entry's memberships went with it (a trigger, no key). */
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry_category "
	    "WHERE entry_id NOT IN (SELECT id FROM entry)"), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry_category"),
	    sql_int(fx, "SELECT count(*) FROM entry") * 2);
	members_agree(fx);
	doc_free(d);
}

static void
test_space_reclaimed(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct doc		*d = doc_new();
	struct doc_entry	*e;
	char			 id[16], *body;
	int64_t			 before, after;

	assert_int_equal(sql_int(fx, "PRAGMA auto_vacuum"), 2);
	if ((body = malloc(20000)) == NULL)
		fail();
	memset(body, 'x', 19999);
	body[19999] = '\0';
	for (int i = 0; i < 200; i++) {
		snprintf(id, sizeof id, "g%d", i);
		e = add(d, id, NULL, id, NOW - 1000 + i);
		e->summary = strdup(body);
	}
	assert_int_equal(apply(fx, 0, d, &res), 0);
	doc_free(d);
	before = sql_int(fx, "SELECT page_count FROM pragma_page_count()");
	fx->src[0].max_entries = 1;
	d = doc_new();
	add(d, "g199", NULL, "g199", NOW - 1000 + 199)->summary = body;
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.deleted, 199);
	after = sql_int(fx, "SELECT page_count FROM pragma_page_count()");
	/* 199 entries of 20 KB went: the file shrank, nothing is free. */
	assert_true(after < before / 10);
	assert_int_equal(sql_int(fx, "PRAGMA freelist_count"), 0);
	doc_free(d);
}

/* The WAL's size on disk, in bytes. */
static int64_t
wal_size(struct fixture *fx)
{
	char		path[sizeof fx->path + 8];
	struct stat	sb;

	snprintf(path, sizeof path, "%s-wal", fx->path);
	assert_int_equal(stat(path, &sb), 0);
	return (int64_t)sb.st_size;
}

static void
test_wal_cut_back(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct doc		*d = doc_new();
	sqlite3			*h;

	/*
	 * A burst of 72 MB through another connection (whose own
	 * checkpoint copies it all back), as a cold start or a re-sort
	 * leaves the WAL.
	 */
	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE burst (b BLOB);"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	    " WHERE i < 18000) INSERT INTO burst SELECT zeroblob(4000) FROM n;"
	    "DROP TABLE burst;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_wal_checkpoint_v2(h, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_true(wal_size(fx) > 70 * 1024 * 1024);
	/* The store's next commit starts the WAL over, and cuts it back. */
	add(d, "g1", NULL, "one", NOW);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 1);
	assert_true(wal_size(fx) <= 64 * 1024 * 1024);
	assert_true(sql_ok(fx));
	doc_free(d);
}

/*
 * Passive checkpoints through a connection of its own until all of the WAL
 * is copied (the store's checkpointer thread may be at it too: then busy).
 */
static void
checkpoint_all(struct fixture *fx)
{
	sqlite3	*h;
	int	 log = -1, done = -2, tries;

	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	/* SQLite 3.40 checkpoints nothing through a connection yet to read. */
	assert_int_equal(sqlite3_exec(h, "SELECT count(*) FROM sqlite_schema",
	    NULL, NULL, NULL), SQLITE_OK);
	for (tries = 0; tries < 500 && (log != done || log < 0); tries++) {
		if (tries > 0)
			usleep(10000);
		if (sqlite3_wal_checkpoint_v2(h, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &log, &done) != SQLITE_OK)
			log = -1, done = -2;
	}
	assert_int_equal(log, done);
	assert_true(log >= 0);
	sqlite3_close(h);
}

/* Stores one new entry KEY of source a. */
static void
store_one(struct fixture *fx, const char *key)
{
	struct store_result	 res;
	struct doc		*d = doc_new();

	add(d, key, NULL, key, NOW);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 1);
	doc_free(d);
}

/*
 * The cut-back size follows the WAL's cycles: up at once when a cycle
 * outruns the checkpointer, down after the first cycle that does not.
 */
static void
test_wal_limit_policy(void **state)
{
	const int64_t	 usual = 64 * 1024 * 1024;
	int64_t		 lim = usual;
	int		 last = 0, peak = 0, p;

	(void)state;
	for (p = 1; p < 8000; p += 997)
		assert_int_equal(lim = db_wal_limit(lim, &last, &peak, p),
		    usual);
	/* Started over after a cycle the checkpointer kept up with. */
	assert_int_equal(lim = db_wal_limit(lim, &last, &peak, 5), usual);
	/* A burst: 2 x 4,000 pages. */
	assert_int_equal(lim = db_wal_limit(lim, &last, &peak, 7999), usual);
	assert_true((lim = db_wal_limit(lim, &last, &peak, 8000)) > usual);
	assert_true((lim = db_wal_limit(lim, &last, &peak, 64000)) > usual);
	/* The cycle after it starts: still large until that cycle ends. */
	assert_true((lim = db_wal_limit(lim, &last, &peak, 3)) > usual);
	assert_true((lim = db_wal_limit(lim, &last, &peak, 4000)) > usual);
	/* Started over (as many pages as before counts too) after 4,000. */
	assert_int_equal(lim = db_wal_limit(lim, &last, &peak, 4000), usual);
}

/*
 * The daemon's store (with its checkpointer) keeps the WAL file through a
 * burst instead of cutting it back at every cycle, and cuts it back once
 * a cycle is quiet again.
 */
static void
test_wal_kept_through_burst(void **state)
{
	struct fixture	*fx = *state;
	sqlite3		*h, *r;
	char		*err = NULL;

	store_close(fx->st);
	fx->st = store_open(fx->path, STORE_CHECKPOINTER, &err);
	assert_non_null(fx->st);
	store_one(fx, "k0");
	/* A reader keeps the WAL from starting over while 72 MB go in. */
	assert_int_equal(sqlite3_open(fx->path, &r), SQLITE_OK);
	assert_int_equal(sqlite3_exec(r, "BEGIN; SELECT count(*) FROM entry;",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE burst (b BLOB);"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	    " WHERE i < 18000) INSERT INTO burst SELECT zeroblob(4000) FROM n;"
	    "DROP TABLE burst;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	/* The store's commit sees the burst in the WAL. */
	store_one(fx, "k1");
	assert_int_equal(sqlite3_exec(r, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(r);
	assert_true(wal_size(fx) > 70 * 1024 * 1024);
	/* Starting over after the burst: the file is kept. */
	checkpoint_all(fx);
	store_one(fx, "k2");
	assert_true(wal_size(fx) > 70 * 1024 * 1024);
	/* That cycle was small; the one after it starts cut back. */
	checkpoint_all(fx);
	store_one(fx, "k3");
	assert_true(wal_size(fx) > 70 * 1024 * 1024);
	checkpoint_all(fx);
	store_one(fx, "k4");
	assert_true(wal_size(fx) <= 64 * 1024 * 1024);
	assert_true(sql_ok(fx));
}

static void
test_story_across_sources(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();
	struct doc_entry	*e;

	add(d, "a-1", "https://news.example/story?utm_source=a", "Big story",
	    NOW - 100);
	add(d, "a-2", NULL, "Quarterly results are in", NOW - 50);
	add(d, "a-3", NULL, "Weather report for the weekend", NOW - 40);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	doc_free(d);
	d = doc_new();
	/* b got it through feedburner: origLink is the real URL. */
	e = add(d, "b-1", "http://feeds.example/~r/b/1", "Big story (b)",
	    NOW - 90);
	e->orig_link = strdup("https://NEWS.example:443/story#comments");
	add(d, "b-2", NULL, "Quarterly  results are IN!", NOW - 3600);
	add(d, "b-3", NULL, "Weather report for the weekend", NOW - 9 * 86400);
	assert_int_equal(apply(fx, 1, d, &res), 0);
	assert_int_equal(res.new, 3);
	doc_free(d);

	/* The merged category: one entry per story, the first publisher's. */
	memset(&t, 0, sizeof t);
	assert_int_equal(store_each(fx->st, "cloud", 100, collect, &t), 4);
	assert_string_equal(t.s, "Weather report for the weekend,"
	    "Quarterly results are in,Big story,"
	    "Weather report for the weekend");
	assert_string_equal(view(fx, NULL, &t), "Weather report for the "
	    "weekend,Quarterly results are in,Big story,Weather report for "
	    "the weekend");
	/* Each source keeps its own entries. */
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 6);

	/* The first publisher's entry goes: the next one shows. */
	assert_int_equal(store_delete(fx->st, "a-1"), 1);
	assert_string_equal(view(fx, "cloud", &t), "Weather report for the "
	    "weekend,Quarterly results are in,Big story (b),Weather report "
	    "for the weekend");
}

/* Records the via links of the item titled "Big story". */
static int
collect_via(const struct store_item *it, void *arg)
{
	struct titles	*t = arg;

	if (strcmp(it->title, "Big story") != 0)
		return 0;
	for (size_t i = 0; i < it->nvia; i++) {
		if (t->n++ > 0)
			strcat(t->s, ",");
		strcat(t->s, it->via[i].source_name);
		strcat(t->s, " ");
		strcat(t->s, it->via[i].link);
	}
	return 0;
}

static void
test_story_via(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();

	add(d, "a-1", "https://news.example/story", "Big story", NOW - 100);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	doc_free(d);
	d = doc_new();
	add(d, "b-1", "https://news.example/story?utm_campaign=b", "Big",
	    NOW - 90);
	assert_int_equal(apply(fx, 1, d, &res), 0);
	doc_free(d);

	memset(&t, 0, sizeof t);
	assert_int_equal(store_each(fx->st, "cloud", 10, collect_via, &t), 1);
	assert_string_equal(t.s,
	    "b https://news.example/story?utm_campaign=b");
	/* "news" has only a's entry: nothing to collapse or cite. */
	memset(&t, 0, sizeof t);
	assert_int_equal(store_each(fx->st, "news", 10, collect_via, &t), 1);
	assert_string_equal(t.s, "");
	memset(&t, 0, sizeof t);
	assert_int_equal(store_each(fx->st, NULL, 10, collect_via, &t), 1);
	assert_string_equal(t.s,
	    "b https://news.example/story?utm_campaign=b");
}

static void
test_categories_and_sources(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();
	int64_t			 count, newest;

	add(d, "x", "http://a.example/x", "from a", NOW - 10);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	doc_free(d);
	d = doc_new();
	add(d, "x", "http://b.example/x", "from b", NOW - 20);
	assert_int_equal(apply(fx, 1, d, &res), 0);
	assert_int_equal(res.new, 1);	/* same id, other source: its own */
	doc_free(d);

	assert_string_equal(view(fx, "cloud", &t), "from a,from b");
	assert_string_equal(view(fx, "news", &t), "from a");
	assert_string_equal(view(fx, "nosuch", &t), "");
	assert_int_equal(store_category_stats(fx->st, "cloud", &count,
	    &newest), 0);
	assert_int_equal(count, 2);
	assert_int_equal(newest, NOW - 10);

	/* Source b leaves the config: its entries leave every output. */
	fx->conf.nsources = 1;
	assert_int_equal(store_sync(fx->st, &fx->conf), 0);
	assert_string_equal(view(fx, "cloud", &t), "from a");
	assert_string_equal(view(fx, NULL, &t), "from a");
	/* ... and come back with it, kept. */
	fx->conf.nsources = 2;
	assert_int_equal(store_sync(fx->st, &fx->conf), 0);
	assert_string_equal(view(fx, "cloud", &t), "from a,from b");

	/* Source a moves from news to another category: entries follow. */
	fx->cats_a[1] = "other";
	assert_int_equal(store_sync(fx->st, &fx->conf), 0);
	assert_string_equal(view(fx, "news", &t), "");
	assert_string_equal(view(fx, "other", &t), "from a");

	/*
	 * Removed for longer than removed_keep: forgotten with its entries
	 * at the next sync; a source still within the window is kept.
	 */
	fx->conf.removed_keep = 1;
	fx->conf.nsources = 1;
	assert_int_equal(store_sync(fx->st, &fx->conf), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry e JOIN "
	    "source s ON s.id = e.source_id WHERE s.name = 'b'"), 1);
	sleep(2);
	assert_int_equal(store_sync(fx->st, &fx->conf), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM source WHERE "
	    "name = 'b'"), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 1);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM "
	    "pragma_foreign_key_check"), 0);
	assert_string_equal(view(fx, "cloud", &t), "from a");
	members_agree(fx);
}

/* Records title, published (relative to NOW) and sort date (same). */
static int
collect_dates(const struct store_item *it, void *arg)
{
	struct titles	*t = arg;
	char		 one[96], pub[24];

	if (it->published == STORE_NODATE)
		snprintf(pub, sizeof pub, "none");
	else
		snprintf(pub, sizeof pub, "%lld",
		    (long long)(it->published - NOW));
	snprintf(one, sizeof one, "%s%s %s %lld", t->n++ > 0 ? "," : "",
	    it->title, pub, (long long)(it->sort_date - NOW));
	strcat(t->s, one);
	return 0;
}

static void
test_dates(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();

	add(d, "old", NULL, "old", NOW - 1000);
	add(d, "undated", NULL, "undated", DOC_NODATE);
	add(d, "future", NULL, "future", NOW + 30 * 86400);
	add(d, "recent", NULL, "recent", NOW - 10);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	/* Undated and far-future entries sort as first seen (NOW). */
	assert_string_equal(view(fx, "cloud", &t),
	    "future,undated,recent,old");
	/* ... and keep the publisher's values as written. */
	memset(&t, 0, sizeof t);
	assert_int_equal(store_each(fx->st, "cloud", 100, collect_dates, &t),
	    4);
	assert_string_equal(t.s, "future 2592000 0,undated none 0,"
	    "recent -10 -10,old -1000 -1000");
	doc_free(d);

	/* A date just inside the tolerance is believed; a later poll keeps it. */
	d = doc_new();
	add(d, "soon", NULL, "soon", NOW + 3600);
	assert_int_equal(apply_at(fx, 0, d, NOW + 60, &res), 0);
	assert_string_equal(view(fx, "cloud", &t),
	    "soon,future,undated,recent,old");
	doc_free(d);
}

static int
find_a(const struct store_source_info *si, void *arg)
{
	if (strcmp(si->name, "a") == 0)
		snprintf(arg, 32, "%s %d %s", si->state, si->failures,
		    si->last_error != NULL ? si->last_error : "-");
	return 0;
}

static void
test_poll_state_persists(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct store_state	 ss;
	struct store_poll	 p;
	char			 st[32] = "";
	char			*err = NULL;

	assert_int_equal(apply(fx, 0, NULL, &res), 0);
	store_close(fx->st);
	fx->st = store_open(fx->path, 0, &err);	/* reopen: no migration */
	assert_non_null(fx->st);
	assert_int_equal(store_state(fx->st, "a", &ss), 0);
	assert_string_equal(ss.url, "http://a.example/feed");
	assert_string_equal(ss.etag, "\"v1\"");
	assert_null(ss.last_modified);
	assert_int_equal(ss.next_poll, NOW + 60);
	store_state_clear(&ss);

	/* A failure keeps the validators given and counts. */
	memset(&p, 0, sizeof p);
	p.at = NOW + 60;
	p.state = "failing";
	p.error = "HTTP 500";
	p.status = 500;
	p.etag = "\"v1\"";
	p.failures = 1;
	p.next_poll = NOW + 120;
	assert_int_equal(store_poll_done(fx->st, &fx->src[0], &p, NULL, &res),
	    0);
	assert_int_equal(store_state(fx->st, "a", &ss), 0);
	assert_int_equal(ss.failures, 1);
	assert_int_equal(ss.last_success, NOW);
	store_state_clear(&ss);
	assert_int_equal(store_sources_each(fx->st, find_a, st), 0);
	assert_string_equal(st, "failing 1 HTTP 500");

	/* Read-only opens see the same. */
	{
		struct store *ro = store_open(fx->path, STORE_READONLY, &err);
		assert_non_null(ro);
		assert_int_equal(store_state(ro, "a", &ss), 0);
		assert_int_equal(ss.failures, 1);
		store_state_clear(&ss);
		store_close(ro);
	}
}

static void
test_backup(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();
	struct store		*copy;
	char			 out[160], *err = NULL;

	add(d, "k", NULL, "kept", NOW);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	doc_free(d);
	snprintf(out, sizeof out, "%s/backup.db", fx->dir);
	assert_int_equal(store_backup(fx->st, out, &err), 0);
	/* The copy is usable on its own, with every committed entry. */
	copy = store_open(out, STORE_READONLY, &err);
	assert_non_null(copy);
	memset(&t, 0, sizeof t);
	assert_int_equal(store_each(copy, NULL, 10, collect, &t), 1);
	assert_string_equal(t.s, "kept");
	store_close(copy);
}

/* Schema 1 as shipped, to build a database the previous feedmux made. */
static const char schema1[] =
	"CREATE TABLE source ("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL,"
	"  cur_url TEXT, categories TEXT NOT NULL DEFAULT '',"
	"  active INTEGER NOT NULL DEFAULT 1,"
	"  title TEXT, link TEXT, feed_id TEXT, updated INTEGER,"
	"  etag TEXT, last_modified TEXT, state TEXT NOT NULL DEFAULT 'new',"
	"  last_attempt INTEGER, last_success INTEGER, last_status INTEGER,"
	"  last_error TEXT, failing_since INTEGER,"
	"  failures INTEGER NOT NULL DEFAULT 0, next_poll INTEGER,"
	"  entries INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE entry ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, guid TEXT, link TEXT, title TEXT, title_type TEXT,"
	"  summary TEXT, summary_type TEXT, content TEXT, content_type TEXT,"
	"  author_name TEXT, author_email TEXT, author_uri TEXT, terms TEXT,"
	"  published INTEGER, updated INTEGER, first_seen INTEGER NOT NULL,"
	"  changed INTEGER NOT NULL, sort_date INTEGER NOT NULL,"
	"  hash BLOB NOT NULL, UNIQUE (source_id, key));"
	"CREATE INDEX entry_sort ON entry (sort_date DESC, id DESC);"
	"CREATE INDEX entry_source ON entry (source_id, sort_date DESC);"
	"CREATE TABLE entry_category ("
	"  category TEXT NOT NULL, sort_date INTEGER NOT NULL,"
	"  entry_id INTEGER NOT NULL REFERENCES entry(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (category, sort_date, entry_id)) WITHOUT ROWID;"
	"CREATE INDEX entry_category_entry ON entry_category (entry_id);"
	"CREATE TABLE poll ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL, status INTEGER,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  duration_ms INTEGER NOT NULL DEFAULT 0,"
	"  new INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT);"
	"CREATE INDEX poll_source ON poll (source_id, at DESC);"
	"PRAGMA user_version = 1;";

static void
test_migration_from_schema1(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct store_state	 ss;
	struct rule_probe	 r;
	struct titles		 t;
	struct doc		*d;
	sqlite3			*h;
	char			 path[128], *err = NULL;

	/*
	 * The previous feedmux stored these with schema 1: two entries of a
	 * guid source (keys = ids) and one of a guid-less one (key = link),
	 * with hashes of another function (SHA-256; here just x'00').  The
	 * rows are copied from what this build stored for the same document.
	 */
	snprintf(path, sizeof path, "%s/v1.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA journal_mode = WAL;", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, schema1, NULL, NULL, NULL), SQLITE_OK);
	d = doc_new();
	add(d, "g1", "http://a.example/1", "one", NOW - 300);
	add(d, "g2", "http://a.example/2", "two", NOW - 200);
	assert_int_equal(apply(fx, 0, d, &res), 0);
	sqlite3_close(h);
	{
		char sql[1024];

		/* Copy rows as schema 1 held them (keys as schema 1 made them). */
		assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
		snprintf(sql, sizeof sql, "ATTACH DATABASE '%s' AS cur;"
		    "INSERT INTO source (id, name, url, categories, etag,"
		    " state, next_poll) VALUES (1, 'a', 'http://a.example/feed',"
		    " 'cloud,news', '\"v1\"', 'ok', %lld),"
		    " (2, 'b', 'http://b.example/feed', 'cloud', NULL, 'ok', 0);"
		    "INSERT INTO entry (id, source_id, key, guid, link, title,"
		    " published, first_seen, changed, sort_date, hash)"
		    " SELECT id, 1, key, guid, link, title, published,"
		    " first_seen, changed, sort_date, x'00' FROM cur.entry;"
		    "INSERT INTO entry (id, source_id, key, guid, link, title,"
		    " published, first_seen, changed, sort_date, hash)"
		    " VALUES (10, 2, 'http://b.example/x', NULL,"
		    " 'http://b.example/x', 'linkless', %lld, %lld, %lld, %lld,"
		    " x'00');"
		    "INSERT INTO entry_category SELECT 'cloud', sort_date, id"
		    " FROM entry;"
		    "INSERT INTO entry_category SELECT 'news', sort_date, id"
		    " FROM entry WHERE source_id = 1;"
		    "DETACH DATABASE cur;",
		    fx->path, (long long)(NOW + 60), (long long)(NOW - 50),
		    (long long)NOW, (long long)NOW, (long long)(NOW - 50));
		assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(h);
	}

	/* Open it with this build: migrated, nothing lost. */
	store_close(fx->st);
	snprintf(fx->path, sizeof fx->path, "%s", path);
	fx->st = store_open(path, 0, &err);
	assert_non_null(fx->st);
	assert_int_equal(sql_int(fx, "PRAGMA user_version"),
	    db_schema_version());
	assert_int_equal(sql_int(fx, "PRAGMA auto_vacuum"), 2);
	assert_true(sql_ok(fx));
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry WHERE "
	    "idhash IS NULL OR story IS NULL OR nlink IS NULL"), 0);
	/* Each entry's memberships listed in its row, as its rows say. */
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry_member"), 3);
	members_agree(fx);
	assert_int_equal(store_sync(fx->st, &fx->conf), 0);
	assert_string_equal(view(fx, "cloud", &t), "linkless,two,one");
	assert_string_equal(view(fx, "news", &t), "two,one");
	assert_int_equal(store_state(fx->st, "a", &ss), 0);
	assert_string_equal(ss.etag, "\"v1\"");
	assert_int_equal(ss.next_poll, NOW + 60);
	store_state_clear(&ss);

	/* The publishers' next documents match what was stored. */
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new + res.updated, 0);
	doc_free(d);
	d = doc_new();
	add(d, NULL, "http://b.example/x", "linkless", NOW - 50);
	assert_int_equal(apply(fx, 1, d, &res), 0);
	assert_int_equal(res.new + res.updated, 0);
	assert_string_equal(rule_of(fx, "b", &r), "link");
	assert_string_equal(view(fx, "cloud", &t), "linkless,two,one");
	members_agree(fx);
	doc_free(d);
}

/* What store_members_parse makes of TEXT: "cat:sort,..." or "error". */
static const char *
members_of(const char *text, char *buf, size_t len)
{
	struct store_members	 m;
	size_t			 used = 0;

	store_members_init(&m);
	if (store_members_parse(&m, text, text != NULL ? strlen(text) : 0) !=
	    0)
		snprintf(buf, len, "error");
	else {
		buf[0] = '\0';
		for (size_t k = 0; k < m.n; k++)
			used += (size_t)snprintf(buf + used, len - used,
			    "%s%lld:%lld", k > 0 ? "," : "",
			    (long long)m.v[k].cat, (long long)m.v[k].sort);
	}
	store_members_free(&m);
	return buf;
}

/* One text value of a query, through a second connection; caller frees. */
static char *
sql_text(struct fixture *fx, const char *sql)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	char		*v = NULL;

	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* Runs one write through a second connection; the rows it changed. */
static int
sql_change(struct fixture *fx, const char *sql)
{
	sqlite3	*h;
	int	 n;

	assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	n = sqlite3_changes(h);
	sqlite3_close(h);
	return n;
}

/*
 * An entry's list of memberships: read from the text SQLite's JSON
 * functions write (and only that shape of it), written back in the same
 * spelling, kept with its rows, and gone with its entry.
 */
static void
test_members(void **state)
{
	struct fixture		*fx = *state;
	struct store_members	 m;
	struct store_result	 res;
	struct doc		*d = doc_new();
	struct db		*db = store_db(fx->st);
	char			 buf[256], big[512], *text;
	int64_t			 id;

	assert_string_equal(members_of(NULL, buf, sizeof buf), "");
	assert_string_equal(members_of("[]", buf, sizeof buf), "");
	assert_string_equal(members_of(" [ ] ", buf, sizeof buf), "");
	assert_string_equal(members_of("[[3,1800000000],[12,-5]]", buf,
	    sizeof buf), "3:1800000000,12:-5");
	assert_string_equal(members_of("[ [3, 7] ,\n[4,8] ]", buf,
	    sizeof buf), "3:7,4:8");
	assert_string_equal(members_of("[[9223372036854775807,0]]", buf,
	    sizeof buf), "9223372036854775807:0");
	for (int i = 0, n = 0; i < 40; i++)	/* past the fixed room */
		n += snprintf(big + n, sizeof big - (size_t)n, "%s[%d,%d]%s",
		    i == 0 ? "[" : ",", 10 + i, i, i == 39 ? "]" : "");
	store_members_init(&m);
	assert_int_equal(store_members_parse(&m, big, strlen(big)), 0);
	assert_int_equal(m.n, 40);
	assert_int_equal(m.v[39].cat, 49);
	assert_int_equal(m.v[39].sort, 39);
	store_members_free(&m);
	{
		static const char *const bad[] = { "", "[", "]", "[[1,2]",
		    "[[1,2],]", "[[1]]", "[[1,2,3]]", "[[a,2]]", "[[1,2]]x",
		    "{}", "[1,2]", "[[1,2][3,4]]", "[[1,-]]", "[[1,2.5]]",
		    "[[9223372036854775808,0]]", "[[1,99999999999999999999]]",
		    "[[\"1\",2]]" };

		for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
			members_of(bad[k], buf, sizeof buf);
			if (strcmp(buf, "error") != 0)
				fail_msg("\"%s\" read as \"%s\"", bad[k], buf);
		}
	}

	/* Written through store-member: rows and list, in SQLite's spelling. */
	add(d, "g1", "http://a.example/1", "one", NOW - 300);
	assert_int_equal(apply(fx, 2, d, &res), 0);
	doc_free(d);
	id = sql_int(fx, "SELECT id FROM entry WHERE guid = 'g1'");
	assert_int_equal(db_begin(db), 0);
	store_members_init(&m);
	assert_int_equal(store_members_read(db, id, &m), 0);
	assert_int_equal(store_members_add(db, id, &m, 1000, NOW), 1);
	assert_int_equal(store_members_add(db, id, &m, 1000, NOW), 0);
	assert_int_equal(store_members_add(db, id, &m, 1001, -7), 1);
	assert_int_equal(store_members_add(db, id, &m, 100, NOW), 1);
	assert_int_equal(store_members_drop(db, id, &m, 1000, NOW), 1);
	assert_int_equal(store_members_drop(db, id, &m, 1000, NOW), 0);
	assert_int_equal(store_members_write(db, id, &m), 0);
	assert_int_equal(db_commit(db), 0);
	store_members_free(&m);
	members_agree(fx);
	snprintf(buf, sizeof buf, "SELECT cats FROM entry_member WHERE "
	    "entry_id = %lld", (long long)id);
	assert_non_null(text = sql_text(fx, buf));
	/*
	 * Source c's own category ("bumped"), then the two added, the last
	 * moved into the place of the one taken out.
	 */
	snprintf(buf, sizeof buf, "[[%lld,%lld],[100,%lld],[1001,-7]]",
	    (long long)sql_int(fx, "SELECT id FROM category WHERE "
	    "name = 'bumped'"), (long long)(NOW - 300), (long long)NOW);
	assert_string_equal(text, buf);
	free(text);
	snprintf(buf, sizeof buf, "SELECT json(cats) = cats AND "
	    "instr(cats, '[1001,') > 0 AND instr(cats, '[1000,') = 0 FROM "
	    "entry_member WHERE entry_id = %lld", (long long)id);
	assert_int_equal(sql_int(fx, buf), 1);

	/* Emptied: the row goes rather than stay as "[]". */
	assert_int_equal(db_begin(db), 0);
	store_members_init(&m);
	assert_int_equal(store_members_read(db, id, &m), 0);
	while (m.n > 0)
		assert_int_equal(store_members_drop(db, id, &m, m.v[0].cat,
		    m.v[0].sort), 1);
	assert_int_equal(store_members_write(db, id, &m), 0);
	assert_int_equal(db_commit(db), 0);
	store_members_free(&m);
	snprintf(buf, sizeof buf, "SELECT count(*) FROM entry_member WHERE "
	    "entry_id = %lld", (long long)id);
	assert_int_equal(sql_int(fx, buf), 0);
	members_agree(fx);

	/*
	 * A list that is not ours is rebuilt from the rows (none here), not
	 * taken as empty and not an error: written back, so the row goes.
	 */
	snprintf(buf, sizeof buf, "INSERT INTO entry_member VALUES (%lld, "
	    "'[[1,2],oops]')", (long long)id);
	assert_int_equal(sql_change(fx, buf), 1);
	assert_int_equal(db_begin(db), 0);
	store_members_init(&m);
	assert_int_equal(store_members_read(db, id, &m), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(db_commit(db), 0);
	store_members_free(&m);
	snprintf(buf, sizeof buf, "SELECT count(*) FROM entry_member WHERE "
	    "entry_id = %lld", (long long)id);
	assert_int_equal(sql_int(fx, buf), 0);

	/*
	 * The deletion trigger takes the rows and the list.  (The list is
	 * taken to have a row, which it has not: written all the same.)
	 */
	assert_int_equal(db_begin(db), 0);
	store_members_init(&m);
	m.stored = 1;
	assert_int_equal(store_members_add(db, id, &m, 7, NOW), 1);
	assert_int_equal(store_members_add(db, id, &m, 8, NOW), 1);
	assert_int_equal(store_members_write(db, id, &m), 0);
	assert_int_equal(db_commit(db), 0);
	store_members_free(&m);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry_category"), 2);
	members_agree(fx);
	assert_int_equal(store_delete(fx->st, "g1"), 1);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry_member"), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry_category"), 0);
	members_agree(fx);
}

/*
 * A poll that bumps an entry whose list is not readable (a hand edit, a
 * damaged page) is stored: the list is rebuilt from the entry's rows and
 * written back, and the bump lands in both.
 */
static void
test_members_mended(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct doc		*d = doc_new();
	struct doc_entry	*e;

	add(d, "g1", "http://c.example/1", "old", NOW - 300);
	assert_int_equal(apply(fx, 2, d, &res), 0);
	doc_free(d);
	assert_int_equal(sql_change(fx, "UPDATE entry_member SET cats ="
	    " 'not a list'"), 1);
	d = doc_new();
	e = add(d, "g1", "http://c.example/1", "old", NOW - 300);
	e->summary = strdup("now with a correction");
	assert_int_equal(apply_at(fx, 2, d, NOW + 3600, &res), 0);
	assert_int_equal(res.updated, 1);
	doc_free(d);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry_category"
	    " WHERE sort_date = 1800003600"), 1);	/* NOW + 3600 */
	members_agree(fx);
}

/* Stores entry GUID of source SRC in a batch, then parks the batch. */
static void
park_one(struct fixture *fx, int src, const char *guid, int64_t date)
{
	struct store_result	 res;
	struct doc		*d = doc_new();

	store_batch_begin(fx->st);
	add(d, guid, NULL, guid, date);
	assert_int_equal(apply(fx, src, d, &res), 0);
	doc_free(d);
	store_batch_park(fx->st);
}

/*
 * A commit hook (or progress handler) that turns the next *FAILS commits
 * into rollbacks (interrupts the statement).
 */
static int
fail_commit(void *arg)
{
	int	*fails = arg;

	return (*fails)-- > 0;
}

/*
 * Parked batches: the polls of several batches share one commit, which
 * another connection sees only after store_flush; any other write of
 * store's commits a parked batch first, and a failed commit is reported
 * by the flush that makes it.
 */
static void
test_parked_batches(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct doc		*d;
	sqlite3			*h;
	int			 fails;

	park_one(fx, 0, "g1", NOW - 300);
	/* The next batch goes on in the same transaction. */
	park_one(fx, 1, "g2", NOW - 200);
	assert_int_equal(store_batch_polls(fx->st), 2);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 0);
	assert_int_equal(store_flush(fx->st), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 2);
	assert_int_equal(store_flush(fx->st), 0);	/* nothing parked */

	/* A write outside batches commits the parked one before its own. */
	park_one(fx, 0, "g3", NOW - 100);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 2);
	assert_int_equal(store_sync(fx->st, &fx->conf), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 3);

	/* store_batch_end commits what was parked too. */
	park_one(fx, 1, "g4", NOW - 50);
	store_batch_begin(fx->st);
	assert_int_equal(store_batch_end(fx->st), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 4);

	/* Its commit fails: the flush says so and nothing of it is kept. */
	park_one(fx, 0, "g5", NOW - 40);
	h = sqlite3_db_handle(db_stmt(store_db(fx->st), "SELECT 1"));
	fails = 1;
	sqlite3_commit_hook(h, fail_commit, &fails);
	assert_int_equal(store_flush(fx->st), -1);
	sqlite3_commit_hook(h, NULL, NULL);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 4);
	assert_int_equal(store_flush(fx->st), 0);

	/* Committed by another write, which failed: the flush says so too. */
	park_one(fx, 1, "g5", NOW - 35);
	fails = 1;
	sqlite3_commit_hook(h, fail_commit, &fails);
	/* The parked batch's commit fails; store_sync's own is not tested. */
	(void)store_sync(fx->st, &fx->conf);
	sqlite3_commit_hook(h, NULL, NULL);
	assert_int_equal(store_flush(fx->st), -1);
	assert_int_equal(store_flush(fx->st), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 4);

	/*
	 * A poll that fails in a batch undoes the polls stored before it in
	 * its transaction, parked ones too (no savepoint each), and counts
	 * them; the batch's next poll opens a new transaction.
	 */
	park_one(fx, 0, "g6", NOW - 30);
	store_batch_begin(fx->st);
	add(d = doc_new(), "g7", NULL, "g7", NOW - 20);
	assert_int_equal(apply(fx, 1, d, &res), 0);
	doc_free(d);
	assert_int_equal(store_batch_polls(fx->st), 2);
	fails = 1;
	sqlite3_progress_handler(h, 1, fail_commit, &fails);
	add(d = doc_new(), "g8", NULL, "g8", NOW - 10);
	assert_int_equal(apply(fx, 0, d, &res), -1);
	doc_free(d);
	sqlite3_progress_handler(h, 0, NULL, NULL);
	assert_int_equal(store_batch_polls(fx->st), 0);
	add(d = doc_new(), "g9", NULL, "g9", NOW - 5);
	assert_int_equal(apply(fx, 1, d, &res), 0);
	doc_free(d);
	assert_int_equal(store_batch_polls(fx->st), 1);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 4);
	assert_int_equal(store_batch_end(fx->st), 0);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry"), 5);
	assert_int_equal(sql_int(fx, "SELECT count(*) FROM entry WHERE guid "
	    "IN ('g6', 'g7', 'g8')"), 0);
	assert_true(sql_ok(fx));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guidless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guidless_linkless, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_guids, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_guid_churn, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_churn_by_title_date, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_update_in_place, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_updated_and_bump, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tombstone_operator, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tombstone_all_deleted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wal_cut_back, setup,
		    teardown),
		cmocka_unit_test(test_wal_limit_policy),
		cmocka_unit_test_setup_teardown(test_wal_kept_through_burst,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_space_reclaimed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_story_across_sources,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_story_via, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_schema1,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_categories_and_sources,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_state_persists,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_members_mended, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parked_batches, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

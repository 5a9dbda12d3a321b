/* test-store: identity, updates, categories and poll state in a real SQLite file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "doc.h"
#include "store.h"

#define NOW	1800000000LL

struct fixture {
	char			 dir[64];
	char			 path[128];
	struct store		*st;
	struct conf		 conf;
	struct conf_source	 src[2];
	char			*cats_a[2];
	char			*cats_b[1];
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
	fx->conf.sources = fx->src;
	fx->conf.nsources = 2;
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

static void
test_identity(void **state)
{
	struct fixture		*fx = *state;
	struct store_result	 res;
	struct titles		 t;
	struct doc		*d = doc_new();

	add(d, "g1", "http://a.example/1", "one", NOW - 300);
	add(d, NULL, "http://a.example/2", "two", NOW - 200);	/* by link */
	add(d, NULL, NULL, "three", NOW - 100);		/* by hash */
	add(d, "g1", "http://a.example/1b", "one again", NOW);	/* repeated id */
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 3);
	assert_int_equal(res.updated, 0);
	assert_string_equal(view(fx, "cloud", &t), "three,two,one");

	/* The same document again stores nothing. */
	assert_int_equal(apply(fx, 0, d, &res), 0);
	assert_int_equal(res.new, 0);
	assert_int_equal(res.updated, 0);
	assert_string_equal(view(fx, NULL, &t), "three,two,one");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_in_place, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_categories_and_sources,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_state_persists,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

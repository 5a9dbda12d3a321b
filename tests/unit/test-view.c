/*
 * test-view: the republishing side of store (pages by cursor, archive pages
 * in arrival order, view stats, metrics, the write check) against a real
 * SQLite file, and the renderers on items with hostile text.
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

#include "buf.h"
#include "conf.h"
#include "doc.h"
#include "render.h"
#include "store.h"

#define NOW	1800000000LL

struct fixture {
	char			 dir[64];
	char			 path[128];
	struct store		*st;
	struct conf		 conf;
	struct conf_source	 src[2];
	char			*cats_a[1];
	char			*cats_b[1];
	struct conf_category	 cat[2];
};

static int
setup(void **state)
{
	struct fixture	*fx = calloc(1, sizeof *fx);
	char		*err = NULL;

	strcpy(fx->dir, "/tmp/test-view.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof fx->path, "%s/x.db", fx->dir);
	fx->cats_a[0] = "cloud";
	fx->cats_b[0] = "sec";
	fx->src[0].name = "a";
	fx->src[0].url = "http://a.example/feed";
	fx->src[0].categories = fx->cats_a;
	fx->src[0].ncategories = 1;
	fx->src[1].name = "b";
	fx->src[1].url = "http://b.example/feed";
	fx->src[1].categories = fx->cats_b;
	fx->src[1].ncategories = 1;
	fx->conf.sources = fx->src;
	fx->conf.nsources = 2;
	/* Declared, as the config requires of every category a source names. */
	fx->cat[0].name = "cloud";
	fx->cat[1].name = "sec";
	fx->conf.categories = fx->cat;
	fx->conf.ncategories = 2;
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

/* Stores N entries "PREFIX<i>" in source SRC, newest first in the document, at AT. */
static void
publish(struct fixture *fx, int src, const char *prefix, int first, int n,
    int status, int64_t at, int pairs)
{
	struct doc		*d = doc_new();
	struct store_poll	 p;
	struct store_result	 res;
	char			 id[64], title[64];

	assert_non_null(d);
	for (int i = first + n - 1; i >= first; i--) {
		struct doc_entry *e = doc_add_entry(d);

		assert_non_null(e);
		snprintf(id, sizeof id, "http://x.example/%s%d", prefix, i);
		snprintf(title, sizeof title, "%s%d", prefix, i);
		assert_int_equal(doc_set(&e->id, id), 0);
		assert_int_equal(doc_set(&e->link, id), 0);
		assert_int_equal(doc_set(&e->title, title), 0);
		/* PAIRS: equal dates in pairs, the cursor must break ties by id. */
		e->published = NOW - 100000 + (pairs ? i / 2 : i) * 60;
	}
	memset(&p, 0, sizeof p);
	p.at = at;
	p.status = status;
	p.bytes = 1000;
	p.state = "ok";
	p.next_poll = at + 300;
	assert_int_equal(store_poll_done(fx->st, &fx->src[src], &p, d, &res),
	    0);
	doc_free(d);
}

struct collect {
	char			 s[4096];
	int			 n;
	struct store_cursor	 last;
};

static int
collect(const struct store_item *it, void *arg)
{
	struct collect	*c = arg;

	if (c->n++ > 0)
		strcat(c->s, ",");
	strcat(c->s, it->title);
	c->last.sort_date = it->sort_date;
	c->last.id = it->id;
	return 0;
}

static void
test_pages(void **state)
{
	struct fixture		*fx = *state;
	struct store_view	 v = { "cloud", NULL };
	struct collect		 c;
	struct store_cursor	 cur;
	char			 all[4096] = "";
	int			 n, pages = 0;

	publish(fx, 0, "e", 1, 9, 200, NOW, 1);
	publish(fx, 1, "s", 1, 3, 200, NOW, 0);
	/* Pages of 4 by cursor: every entry once, newest first. */
	memset(&c, 0, sizeof c);
	n = store_view_page(fx->st, &v, NULL, 4, collect, &c);
	while (n > 0) {
		pages++;
		if (all[0] != '\0')
			strcat(all, ",");
		strcat(all, c.s);
		cur = c.last;
		memset(&c, 0, sizeof c);
		n = store_view_page(fx->st, &v, &cur, 4, collect, &c);
	}
	assert_int_equal(n, 0);
	assert_int_equal(pages, 3);
	/* Ties on the date: the later stored (larger id) first. */
	assert_string_equal(all, "e8,e9,e6,e7,e4,e5,e2,e3,e1");
	memset(&c, 0, sizeof c);
	assert_int_equal(store_view_page(fx->st, &v, NULL, 100, collect, &c), 9);
	assert_string_equal(c.s, all);

	/* The source view and all. */
	memset(&c, 0, sizeof c);
	v.category = NULL;
	v.source = "b";
	assert_int_equal(store_view_page(fx->st, &v, NULL, 10, collect, &c), 3);
	assert_string_equal(c.s, "s3,s2,s1");
	memset(&c, 0, sizeof c);
	v.source = NULL;
	assert_int_equal(store_view_page(fx->st, &v, NULL, 100, collect, &c),
	    12);
}

static void
test_archive(void **state)
{
	struct fixture		*fx = *state;
	struct store_view	 v = { "cloud", NULL };
	struct store_view_stats	 vs;
	struct collect		 c;

	publish(fx, 0, "e", 1, 5, 200, NOW, 0);
	/* A later poll brings newer entries and one dated before all others. */
	publish(fx, 0, "e", 6, 3, 200, NOW + 60, 0);
	publish(fx, 0, "old", 0, 1, 200, NOW + 120, 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_view_archive(fx->st, &v, 0, 4, collect, &c), 4);
	/* Arrival order, oldest first within one poll. */
	assert_string_equal(c.s, "e1,e2,e3,e4");
	memset(&c, 0, sizeof c);
	assert_int_equal(store_view_archive(fx->st, &v, 4, 4, collect, &c), 4);
	assert_string_equal(c.s, "e5,e6,e7,e8");
	memset(&c, 0, sizeof c);
	assert_int_equal(store_view_archive(fx->st, &v, 8, 4, collect, &c), 1);
	assert_string_equal(c.s, "old0");

	assert_int_equal(store_view_stats(fx->st, &v, &vs), 0);
	assert_int_equal(vs.count, 9);
	/* The newest sort date: e8's publication date. */
	assert_int_equal(vs.newest, NOW - 100000 + 8 * 60);
	assert_int_equal(vs.next_poll, NOW + 120 + 300);
	v.category = "sec";
	assert_int_equal(store_view_stats(fx->st, &v, &vs), 0);
	assert_int_equal(vs.count, 0);
}

struct metrics {
	int	seen;
	int64_t	polls, polls_304, bytes, new_entries;
};

static int
metrics_cb(const struct store_source_metrics *m, void *arg)
{
	struct metrics	*x = arg;

	if (strcmp(m->name, "a") != 0)
		return 0;
	x->seen = 1;
	x->polls = m->polls;
	x->polls_304 = m->polls_304;
	x->bytes = m->bytes;
	x->new_entries = m->new_entries;
	return 0;
}

static void
test_metrics(void **state)
{
	struct fixture	*fx = *state;
	struct metrics	 x;

	publish(fx, 0, "e", 1, 3, 200, NOW, 0);
	publish(fx, 0, "e", 1, 3, 304, NOW + 60, 0);
	publish(fx, 0, "e", 4, 1, 200, NOW + 120, 0);
	memset(&x, 0, sizeof x);
	assert_int_equal(store_metrics_each(fx->st, metrics_cb, &x), 0);
	assert_true(x.seen);
	assert_int_equal(x.polls, 3);
	assert_int_equal(x.polls_304, 1);
	assert_int_equal(x.bytes, 3000);
	assert_int_equal(x.new_entries, 4);
	assert_true(store_size(fx->st) > 0);
	assert_int_equal(store_check_writable(fx->st, NOW), 0);
}

/* A hostile item: markup, quotes, control characters, bad UTF-8. */
static void
item(struct store_item *it)
{
	memset(it, 0, sizeof *it);
	it->id = 7;
	it->guid = "not a uri \x01";
	it->link = "http://x.example/?a=1&b=2";
	it->title = "<b>Bold</b> &amp; \"q\" \x02\xff caf\xc3\xa9 &#x2713;";
	it->title_type = "text/html";
	it->content = "<p>a &lt; b</p>\x0b]]>";
	it->content_type = "text/html";
	it->author_name = "A <B>";
	it->terms = "t1\x1ft<2>";
	it->published = NOW;
	it->updated = STORE_NODATE;
	it->sort_date = NOW;
	it->source_name = "src";
	it->source_url = "http://x.example/feed?x=<y>";
	it->source_title = "S & S";
	it->source_updated = STORE_NODATE;
}

static char *
render(const char *ext)
{
	const struct render_format	*f = render_find(ext);
	struct render_feed		 feed;
	struct store_item		 it;
	struct buf			 b;

	assert_non_null(f);
	memset(&feed, 0, sizeof feed);
	feed.name = "c";
	feed.id = "urn:feedmux:feed:c";
	feed.title = "T <&>";
	feed.self = "http://h/feeds/c.x";
	feed.alternate = "http://h/";
	feed.next = "http://h/feeds/c.x?before=1_2&limit=3";
	feed.hub = "http://hub/";
	feed.updated = NOW;
	item(&it);
	buf_init(&b, 1 << 20);
	f->begin(&b, &feed);
	f->item(&b, &feed, &it);
	f->item(&b, &feed, &it);
	f->end(&b, &feed);
	return buf_release(&b, NULL);
}

static void
test_render_xml(void **state)
{
	char	*atom = render("atom"), *rss = render("rss");

	(void)state;
	assert_non_null(atom);
	assert_non_null(rss);
	for (int i = 0; i < 2; i++) {
		const char *s = i == 0 ? atom : rss;

		/* No character XML forbids, no invalid UTF-8, no raw markup. */
		for (const unsigned char *p = (const unsigned char *)s; *p;
		    p++)
			assert_false(*p < 0x20 && *p != '\n' && *p != '\t' &&
			    *p != '\r');
		assert_null(strstr(s, "\xff"));
		assert_null(strstr(s, "<b>"));
		assert_null(strstr(s, "<p>"));
		assert_non_null(strstr(s, "before=1_2&amp;limit=3"));
	}
	assert_non_null(strstr(atom, "<title type=\"html\">&lt;b&gt;Bold"));
	assert_non_null(strstr(atom, "<link rel=\"hub\" href=\"http://hub/\"/>"));
	assert_non_null(strstr(atom,
	    "<id>urn:feedmux:src:not%20a%20uri%20%01</id>"));
	/* RSS titles are text: tags gone, entities decoded, then escaped. */
	assert_non_null(strstr(rss, "<title>Bold &amp; &quot;q&quot;  caf\xc3\xa9 "
	    "\xe2\x9c\x93</title>"));
	assert_non_null(strstr(rss, "<guid isPermaLink=\"false\">urn:feedmux:src:"));
	assert_non_null(strstr(rss, "<pubDate>Fri, 15 Jan 2027 08:00:00 GMT</pubDate>"));
	assert_non_null(strstr(rss, "<source url=\"http://x.example/feed?x=&lt;y&gt;\">S &amp; S</source>"));
	assert_non_null(strstr(rss, "<dc:creator>A &lt;B&gt;</dc:creator>"));
	assert_non_null(strstr(rss, "<category>t&lt;2&gt;</category>"));
	free(atom);
	free(rss);
}

static void
test_render_json(void **state)
{
	char	*json = render("json");

	(void)state;
	assert_non_null(json);
	/* JSON may carry control characters, escaped; bad UTF-8 is dropped. */
	assert_non_null(strstr(json, "\"title\":\"Bold & \\\"q\\\" \\u0002 caf\xc3\xa9 "
	    "\xe2\x9c\x93\""));
	assert_non_null(strstr(json, "\"content_html\":\"<p>a &lt; b</p>\\u000b]]>\""));
	assert_non_null(strstr(json, "\"next_url\":\"http://h/feeds/c.x?before=1_2&limit=3\""));
	assert_non_null(strstr(json, "\"tags\":[\"t1\",\"t<2>\"]"));
	assert_non_null(strstr(json, "\"_feedmux\":{\"source\":{\"name\":\"src\""));
	assert_non_null(strstr(json, "\"date_published\":\"2027-01-15T08:00:00Z\""));
	/* Two items, one comma between them. */
	assert_non_null(strstr(json, "}},\n{\"id\":"));
	assert_null(strstr(json, "\xff"));
	free(json);
}

static void
test_render_text(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 1024);
	render_text(&b, "<i>x</i> &lt;y&gt; &#65;&#x42; &bogus; a<b", "text/html");
	assert_string_equal(b.data, "x <y> AB &bogus; a");
	buf_free(&b);
	buf_init(&b, 1024);
	render_text(&b, "<i>kept</i>", "text/plain");
	assert_string_equal(b.data, "<i>kept</i>");
	buf_free(&b);
}

/* One format's rendering of a feed with hostile plain text and links. */
static char *
render_hostile(const char *ext)
{
	static const struct store_via	 via[] = {
		{ .link = "javascript:alert(3)", .source_name = "v" },
		{ .link = "http://y.example/1", .source_name = "w" },
	};
	const struct render_format	*f = render_find(ext);
	struct render_feed		 feed;
	struct store_item		 it;
	struct buf			 b;

	memset(&feed, 0, sizeof feed);
	feed.name = "c";
	feed.id = "urn:feedmux:feed:c";
	feed.title = "<svg onload=alert(4)>";
	feed.self = "http://h/feeds/c.x";
	feed.alternate = "http://h/";
	item(&it);
	it.title = "<img src=x onerror=alert(1)> & <tags> </x>";
	it.title_type = "text/plain";
	it.summary = "<script>alert(2)</script>";
	it.summary_type = "text/plain";
	it.content = NULL;
	it.link = " JavaScript:alert(5)";
	it.author_uri = "data:text/html,<script>alert(6)</script>";
	it.source_link = "vbscript:msgbox(7)";
	it.guid = "javascript:alert(8)";
	it.source_feed_id = "javascript:alert(9)";
	it.via = via;
	it.nvia = 2;
	buf_init(&b, 1 << 20);
	f->begin(&b, &feed);
	f->item(&b, &feed, &it);
	f->end(&b, &feed);
	return buf_release(&b, NULL);
}

/*
 * Found by tests/integration/xss.sh: plain text went into RSS's HTML
 * fields as it was, titles that readers take for HTML carried markup, and
 * links and ids kept script schemes.
 */
static void
test_render_hostile(void **state)
{
	char	*atom = render_hostile("atom"), *rss = render_hostile("rss");
	char	*json = render_hostile("json");

	(void)state;
	for (int i = 0; i < 3; i++) {
		const char *s = i == 0 ? atom : i == 1 ? rss : json;

		assert_non_null(s);
		assert_null(strstr(s, "avaScript:alert("));
		assert_null(strstr(s, "avascript:alert("));
		assert_null(strstr(s, "data:"));
		assert_null(strstr(s, "vbscript:"));
		/* An id may be taken for a link: a script one becomes a URN. */
		assert_non_null(strstr(s, "urn:feedmux:src:javascript:alert%288%29"));
	}
	assert_non_null(strstr(atom, "<link rel=\"via\" href=\"http://y.example/1\""));
	/* Atom says what its text is: kept exactly. */
	assert_non_null(strstr(atom, "<title>&lt;img src=x onerror=alert(1)&gt; "
	    "&amp; &lt;tags&gt; &lt;/x&gt;</title>"));
	assert_non_null(strstr(atom, "<summary>&lt;script&gt;"));
	/* RSS: a word joiner after each '<' that opens markup. */
	assert_non_null(strstr(rss, "<title>&lt;\xe2\x81\xa0img src=x onerror="
	    "alert(1)&gt; &amp; &lt;tags&gt; &lt;/x&gt;</title>"));
	assert_non_null(strstr(rss, "<title>&lt;\xe2\x81\xa0svg onload=alert(4)"
	    "&gt;</title>"));
	/* Text in an HTML field is escaped once more. */
	assert_non_null(strstr(rss, "<description>&amp;lt;script&amp;gt;alert(2)"
	    "&amp;lt;/script&amp;gt;</description>"));
	assert_non_null(strstr(rss, "<description>&amp;lt;svg onload=alert(4)"
	    "&amp;gt;</description>"));
	assert_non_null(strstr(rss, "<item>"));
	assert_null(strstr(strstr(rss, "<item>"), "<link>"));
	assert_non_null(strstr(json, "\"title\":\"<\xe2\x81\xa0img src=x "
	    "onerror=alert(1)> & <tags> </x>\""));
	assert_non_null(strstr(json, "\"title\":\"<\xe2\x81\xa0svg onload="));
	assert_null(strstr(json, "\"url\""));
	free(atom);
	free(rss);
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
		cmocka_unit_test(test_render_xml),
		cmocka_unit_test(test_render_json),
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_render_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

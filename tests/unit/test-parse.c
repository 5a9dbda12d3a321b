/*
 * test-parse: unit tests of the parse room (parse.c, parse-rss.c,
 * parse-atom.c, parse-json.c) and of docjson: safety against hostile XML,
 * each format's basics, encodings, repairs and not-a-feed detection.
 */
#define _DEFAULT_SOURCE
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc.h"
#include "docjson.h"
#include "parse.h"

/* Parses the NUL-terminated string S with optional base and content type. */
static struct doc *
parse_str(const char *s, const char *base, const char *ctype)
{
	struct parse_opts	 o = { 0 };
	struct doc		*d;

	o.base = base;
	o.content_type = ctype;
	d = parse_doc(s, strlen(s), &o);
	assert_non_null(d);
	return d;
}

/* Seconds of monotonic time since T0. */
static double
elapsed(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int
setup(void **state)
{
	(void)state;
	parse_init();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Safety. */

static void
test_billion_laughs(void **state)
{
	const char	*s =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE rss [\n"
	    " <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	    " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	    " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	    " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
	    " <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
	    " <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
	    " <!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n"
	    "]>\n"
	    "<rss version=\"2.0\"><channel><title>&i;</title></channel></rss>";
	struct timespec	 t0;
	struct doc	*d;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	d = parse_str(s, NULL, NULL);
	assert_true(elapsed(&t0) < 2.0);
	assert_true(d->bozo);
	assert_non_null(d->bozo_message);
	/* Never the expansion: 5 GB of "a". */
	assert_true(d->feed.title == NULL || strlen(d->feed.title) < 1000000);
	doc_free(d);
}

static void
test_quadratic_blowup(void **state)
{
	struct timespec	 t0;
	struct doc	*d;
	char		*s, *p;
	size_t		 i, n = 200000;

	(void)state;
	s = malloc(60000 + n * 3 + 200);
	assert_non_null(s);
	p = s + sprintf(s, "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x \"");
	memset(p, 'x', 50000);
	p += 50000;
	p += sprintf(p, "\">]><rss version=\"2.0\"><channel><title>");
	for (i = 0; i < n; i++, p += 3)
		memcpy(p, "&x;", 3);
	sprintf(p, "</title></channel></rss>");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	d = parse_str(s, NULL, NULL);
	/*
	 * A hang guard, not a speed test: expanded, the title would be 10 GB
	 * and take minutes; refused, it takes well under a second (the bound
	 * is loose for loaded CI machines under ASan).
	 */
	assert_true(elapsed(&t0) < 30.0);
	assert_true(d->bozo);
	assert_true(d->feed.title == NULL || strlen(d->feed.title) <
	    100u * 1024 * 1024);
	doc_free(d);
	free(s);
}

static void
test_external_entity(void **state)
{
	const char	*s =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE rss [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
	    "<rss version=\"2.0\"><channel><title>a&xxe;b</title>"
	    "</channel></rss>";
	const char	*p =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE rss [ <!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p; ]>\n"
	    "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";
	struct doc	*d;

	(void)state;
	d = parse_str(s, NULL, NULL);
	assert_string_equal(d->version, "rss20");
	assert_non_null(d->feed.title);
	assert_null(strstr(d->feed.title, "root:"));
	assert_string_equal(d->feed.title, "ab");
	doc_free(d);

	d = parse_str(p, NULL, NULL);
	assert_string_equal(d->feed.title, "t");
	doc_free(d);
}

static void
test_deep_nesting(void **state)
{
	struct doc	*d;
	char		*s, *p;
	size_t		 i, n = 100000;

	(void)state;
	s = malloc(n * 11 + 200);
	assert_non_null(s);
	p = s + sprintf(s, "<rss version=\"2.0\"><channel><item><description>");
	for (i = 0; i < n; i++, p += 5)
		memcpy(p, "<div>", 5);
	for (i = 0; i < n; i++, p += 6)
		memcpy(p, "</div>", 6);
	sprintf(p, "</description></item></channel></rss>");
	d = parse_str(s, NULL, NULL);
	assert_true(d->bozo);
	doc_free(d);
	free(s);
}

static void
test_huge_input(void **state)
{
	struct doc	*d;
	size_t		 n = 65u * 1024 * 1024;
	char		*s;

	(void)state;
	s = malloc(n);
	assert_non_null(s);
	memset(s, ' ', n);
	memcpy(s, "<rss version=\"2.0\">", 19);
	d = parse_doc(s, n, NULL);
	assert_non_null(d);
	assert_string_equal(d->version, "");
	assert_true(d->bozo);
	assert_false(parse_is_feed(d));
	doc_free(d);
	free(s);
}

static void
test_garbage(void **state)
{
	static const char *const inputs[] = {
		"", "   ", "<", "<rss", "<rss><channel><item>", "\xff\xfe",
		"\xef\xbb\xbf", "{", "{\"version\": 3}", "<![CDATA[", "<!--",
		"<rss>&", "<rss>&#;&#x;&#99999999;&#0;</rss>",
		"<?xml version=\"1.0\" encoding=\"no-such-thing\"?><rss/>",
	};
	struct doc	*d;
	char		*j;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		d = parse_doc(inputs[i], strlen(inputs[i]), NULL);
		assert_non_null(d);
		assert_non_null(d->version);
		j = docjson_dump(d);
		assert_non_null(j);
		free(j);
		doc_free(d);
	}
}

/* ------------------------------------------------------------------ */
/* Formats. */

static void
test_rss20(void **state)
{
	const char	*s =
	    "<?xml version=\"1.0\"?>\n"
	    "<rss version=\"2.0\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
	    "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
	    "xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\" "
	    "xmlns:fb=\"http://rssnamespace.org/feedburner/ext/1.0\">\n"
	    "<channel><title>Feed &amp; co</title>"
	    "<link>http://example.com/</link>"
	    "<description>About</description>"
	    "<ttl>60</ttl><sy:updatePeriod>hourly</sy:updatePeriod>"
	    "<sy:updateFrequency>2</sy:updateFrequency>"
	    "<skipHours><hour>0</hour><hour>23</hour></skipHours>"
	    "<skipDays><day>Sunday</day><day>Saturday</day></skipDays>"
	    "<image><title>Logo</title><url>/logo.png</url>"
	    "<link>http://example.com/</link><width>88</width></image>"
	    "<item><title>One</title><link>/one</link>"
	    "<guid isPermaLink=\"false\">id-1</guid>"
	    "<pubDate>Sat, 13 Dec 2003 18:30:02 GMT</pubDate>"
	    "<author>jane@example.com (Jane Doe)</author>"
	    "<dc:creator>John Roe &lt;john@example.com&gt;</dc:creator>"
	    "<category domain=\"http://s/\">News</category>"
	    "<description>&lt;p&gt;Hello&lt;/p&gt;</description>"
	    "<content:encoded><![CDATA[<p>Full <b>text</b></p>]]>"
	    "</content:encoded>"
	    "<enclosure url=\"http://example.com/a.mp3\" length=\"123\" "
	    "type=\"audio/mpeg\"/>"
	    "<fb:origLink>http://orig.example.com/one</fb:origLink>"
	    "</item></channel></rss>";
	struct doc		*d;
	struct doc_entry	*e;

	(void)state;
	d = parse_str(s, "http://example.com/feed", NULL);
	assert_string_equal(d->version, "rss20");
	assert_false(d->bozo);
	assert_string_equal(d->encoding, "utf-8");
	assert_string_equal(d->feed.title, "Feed & co");
	assert_string_equal(d->feed.title_type, "text/plain");
	assert_string_equal(d->feed.link, "http://example.com/");
	assert_string_equal(d->feed.subtitle, "About");
	assert_int_equal(d->feed.ttl, 60);
	assert_string_equal(d->feed.sy_period, "hourly");
	assert_int_equal(d->feed.sy_frequency, 2);
	assert_int_equal(d->feed.skip_hours, (1u << 0) | (1u << 23));
	assert_int_equal(d->feed.skip_days, (1u << 0) | (1u << 6));
	assert_non_null(d->feed.image);
	assert_string_equal(d->feed.image->url, "http://example.com/logo.png");
	assert_int_equal(d->feed.image->width, 88);
	assert_int_equal(d->feed.image->height, DOC_NOINT);
	assert_int_equal(d->nentries, 1);
	e = &d->entries[0];
	assert_string_equal(e->title, "One");
	assert_string_equal(e->link, "http://example.com/one");
	assert_string_equal(e->id, "id-1");
	assert_int_equal(e->published, 1071340202);
	assert_int_equal(e->nauthors, 2);
	assert_string_equal(e->authors[0].name, "Jane Doe");
	assert_string_equal(e->authors[0].email, "jane@example.com");
	assert_string_equal(e->authors[1].name, "John Roe");
	assert_string_equal(e->authors[1].email, "john@example.com");
	assert_int_equal(e->ncategories, 1);
	assert_string_equal(e->categories[0].term, "News");
	assert_string_equal(e->categories[0].scheme, "http://s/");
	assert_string_equal(e->summary_type, "text/html");
	assert_non_null(strstr(e->summary, "<p>Hello</p>"));
	assert_int_equal(e->ncontent, 1);
	assert_string_equal(e->content[0].type, "text/html");
	assert_non_null(strstr(e->content[0].value, "<b>text</b>"));
	assert_int_equal(e->nenclosures, 1);
	assert_string_equal(e->enclosures[0].href, "http://example.com/a.mp3");
	assert_string_equal(e->enclosures[0].type, "audio/mpeg");
	assert_int_equal(e->enclosures[0].length, 123);
	assert_string_equal(e->orig_link, "http://orig.example.com/one");
	doc_free(d);
}

static void
test_rss_versions(void **state)
{
	static const struct {
		const char	*in;
		const char	*version;
	} t[] = {
		{ "<rss version=\"0.91\"><channel/></rss>", "rss091u" },
		{ "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS "
		  "0.91//EN\" \"http://my.netscape.com/publish/formats/"
		  "rss-0.91.dtd\"><rss version=\"0.91\"><channel/></rss>",
		  "rss091n" },
		{ "<rss version=\"0.92\"><channel/></rss>", "rss092" },
		{ "<rss version=\"0.93\"><channel/></rss>", "rss093" },
		{ "<rss version=\"0.94\"><channel/></rss>", "rss094" },
		{ "<rss version=\"2.0\"><channel/></rss>", "rss20" },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-"
		  "ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel/>"
		  "</rdf:RDF>", "rss10" },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-"
		  "ns#\" xmlns=\"http://my.netscape.com/rdf/simple/0.9/\">"
		  "<channel/></rdf:RDF>", "rss090" },
		{ "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", "atom10" },
		{ "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"/>",
		  "atom03" },
		{ "{\"version\": \"https://jsonfeed.org/version/1\", "
		  "\"items\": []}", "json10" },
		{ "{\"version\": \"https://jsonfeed.org/version/1.1\", "
		  "\"items\": []}", "json11" },
	};
	struct doc	*d;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		d = parse_str(t[i].in, NULL, NULL);
		assert_string_equal(d->version, t[i].version);
		assert_true(parse_is_feed(d));
		doc_free(d);
	}
}

static void
test_rss10(void **state)
{
	const char	*s =
	    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
	    " xmlns=\"http://purl.org/rss/1.0/\""
	    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
	    "<channel rdf:about=\"http://example.com/\"><title>T</title>"
	    "<link>http://example.com/</link></channel>"
	    "<item rdf:about=\"http://example.com/1\"><title>I</title>"
	    "<link>http://example.com/1</link>"
	    "<dc:date>2003-12-13T18:30:02Z</dc:date></item>"
	    "</rdf:RDF>";
	struct doc	*d;

	(void)state;
	d = parse_str(s, NULL, NULL);
	assert_string_equal(d->version, "rss10");
	assert_string_equal(d->feed.title, "T");
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].id, "http://example.com/1");
	assert_int_equal(d->entries[0].updated, 1071340202);
	doc_free(d);
}

static void
test_atom10(void **state)
{
	const char	*s =
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\" "
	    "xml:base=\"http://example.org/blog/\">"
	    "<title type=\"html\">A &lt;b&gt;bold&lt;/b&gt; "
	    "feed</title>"
	    "<subtitle>Sub</subtitle><id>urn:uuid:1</id>"
	    "<updated>2003-12-13T18:30:02Z</updated>"
	    "<link rel=\"self\" href=\"feed.atom\"/>"
	    "<link href=\"/\" type=\"text/html\"/>"
	    "<author><name>Jane</name><email>j@example.org</email>"
	    "<uri>/jane</uri></author>"
	    "<generator uri=\"http://gen/\" version=\"1.0\">Gen</generator>"
	    "<entry><title>E</title><id>2</id>"
	    "<link rel=\"alternate\" href=\"e/2\"/>"
	    "<link rel=\"enclosure\" href=\"a.ogg\" type=\"audio/ogg\" "
	    "length=\"42\"/>"
	    "<published>2003-12-13T08:29:29-04:00</published>"
	    "<category term=\"t\" scheme=\"s\" label=\"L\"/>"
	    "<content type=\"xhtml\" xml:base=\"sub/\"><div "
	    "xmlns=\"http://www.w3.org/1999/xhtml\"><p>Hi <a href=\"x\">x</a>"
	    "</p></div></content>"
	    "<source><id>src</id><title>S</title></source>"
	    "</entry></feed>";
	struct doc		*d;
	struct doc_entry	*e;

	(void)state;
	d = parse_str(s, "http://example.org/feed", NULL);
	assert_string_equal(d->version, "atom10");
	assert_false(d->bozo);
	assert_string_equal(d->feed.title_type, "text/html");
	assert_non_null(strstr(d->feed.title, "<b>bold</b>"));
	assert_string_equal(d->feed.subtitle, "Sub");
	assert_string_equal(d->feed.language, "en");
	assert_string_equal(d->feed.id, "urn:uuid:1");
	assert_int_equal(d->feed.updated, 1071340202);
	assert_string_equal(d->feed.link, "http://example.org/");
	assert_int_equal(d->feed.nlinks, 2);
	assert_string_equal(d->feed.links[0].rel, "self");
	assert_string_equal(d->feed.links[0].href,
	    "http://example.org/blog/feed.atom");
	assert_string_equal(d->feed.authors[0].uri, "http://example.org/jane");
	assert_string_equal(d->feed.generator->name, "Gen");
	assert_string_equal(d->feed.generator->version, "1.0");
	e = &d->entries[0];
	/* A relative id resolves against the xml:base in scope. */
	assert_string_equal(e->id, "http://example.org/blog/2");
	assert_string_equal(e->link, "http://example.org/blog/e/2");
	assert_int_equal(e->published, 1071318569);
	assert_string_equal(e->categories[0].label, "L");
	assert_int_equal(e->nenclosures, 1);
	assert_int_equal(e->enclosures[0].length, 42);
	assert_string_equal(e->content[0].type, "application/xhtml+xml");
	assert_string_equal(e->content[0].base, "http://example.org/blog/sub/");
	assert_string_equal(e->content[0].language, "en");
	assert_non_null(strstr(e->content[0].value,
	    "http://example.org/blog/sub/x"));
	assert_null(strstr(e->content[0].value, "<div"));
	assert_non_null(e->source);
	assert_string_equal(e->source->id, "http://example.org/blog/src");
	assert_string_equal(e->source->title, "S");
	doc_free(d);
}

static void
test_atom03(void **state)
{
	const char	*s =
	    "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">"
	    "<title>T</title><tagline>Tag</tagline>"
	    "<modified>2003-12-13T18:30:02Z</modified>"
	    "<entry><title mode=\"escaped\" type=\"text/html\">&lt;i&gt;I"
	    "&lt;/i&gt;</title>"
	    "<summary mode=\"base64\" type=\"text/plain\">SGVsbG8=</summary>"
	    "<issued>2003-12-13T18:30:02Z</issued></entry></feed>";
	struct doc	*d;

	(void)state;
	d = parse_str(s, NULL, NULL);
	assert_string_equal(d->version, "atom03");
	assert_string_equal(d->feed.subtitle, "Tag");
	assert_int_equal(d->feed.updated, 1071340202);
	assert_string_equal(d->entries[0].title_type, "text/html");
	assert_non_null(strstr(d->entries[0].title, "<i>I</i>"));
	assert_string_equal(d->entries[0].summary, "Hello");
	assert_int_equal(d->entries[0].published, 1071340202);
	doc_free(d);
}

static void
test_json(void **state)
{
	const char	*s =
	    "{\"version\": \"https://jsonfeed.org/version/1.1\","
	    " \"title\": \"J\", \"home_page_url\": \"https://example.org/\","
	    " \"authors\": [{\"name\": \"me\"}],"
	    " \"items\": [{\"id\": 7, \"url\": \"/seven\","
	    "  \"content_html\": \"<p>x</p><script>alert(1)</script>\","
	    "  \"date_published\": \"2003-12-13T18:30:02Z\","
	    "  \"tags\": [\"a\"],"
	    "  \"attachments\": [{\"url\": \"https://example.org/a.mp4\","
	    "   \"mime_type\": \"video/mp4\", \"size_in_bytes\": 9}]}]}";
	struct doc		*d;
	struct doc_entry	*e;

	(void)state;
	d = parse_str(s, "https://example.org/feed.json", NULL);
	assert_string_equal(d->version, "json11");
	assert_string_equal(d->feed.title, "J");
	assert_string_equal(d->feed.link, "https://example.org/");
	assert_string_equal(d->feed.authors[0].name, "me");
	e = &d->entries[0];
	assert_string_equal(e->id, "7");
	assert_string_equal(e->link, "https://example.org/seven");
	assert_null(strstr(e->content[0].value, "script"));
	assert_int_equal(e->published, 1071340202);
	assert_string_equal(e->categories[0].term, "a");
	assert_int_equal(e->enclosures[0].length, 9);
	doc_free(d);

	d = parse_str("{\"title\": \"no version\"}", NULL, NULL);
	assert_false(parse_is_feed(d));
	assert_true(d->bozo);
	doc_free(d);
}

/* ------------------------------------------------------------------ */
/* Encodings and repairs. */

static void
test_encoding_repair(void **state)
{
	/* Declared UTF-8, really windows-1252: 0x92 is U+2019. */
	const char	*cp = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<rss version=\"2.0\"><channel><title>don\x92t caf\xe9</title>"
	    "</channel></rss>";
	const char	*latin = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
	    "<rss version=\"2.0\"><channel><title>caf\xe9</title>"
	    "</channel></rss>";
	const char	*c1 = "<rss version=\"2.0\"><channel><title>"
	    "don&#146;t \xc2\x93q\xc2\x94</title></channel></rss>";
	struct doc	*d;

	(void)state;
	d = parse_str(cp, NULL, NULL);
	assert_string_equal(d->feed.title, "don\xe2\x80\x99t caf\xc3\xa9");
	assert_true(d->bozo);
	doc_free(d);

	d = parse_str(latin, NULL, NULL);
	assert_string_equal(d->encoding, "iso-8859-1");
	assert_string_equal(d->feed.title, "caf\xc3\xa9");
	assert_false(d->bozo);
	doc_free(d);

	/* The HTTP charset overrides the declaration. */
	d = parse_str(latin, NULL, "application/rss+xml; charset=utf-8");
	assert_string_equal(d->feed.title, "caf\xc3\xa9");
	doc_free(d);

	d = parse_str(c1, NULL, NULL);
	assert_string_equal(d->feed.title,
	    "don\xe2\x80\x99t \xe2\x80\x9cq\xe2\x80\x9d");
	doc_free(d);
}

static void
test_charset_guess(void **state)
{
	/* Undeclared KOI8-R: guessed from the text, and said so. */
	const char	*koi8 = "<rss version=\"2.0\"><channel><title>"
	    "\xeb\xc1\xcb \xd0\xc5\xd2\xc5\xd6\xc9\xd4\xd8 "
	    "\xce\xcf\xd7\xcf\xc7\xcf\xc4\xce\xc9\xc5 "
	    "\xd0\xd2\xc1\xda\xc4\xce\xc9\xcb\xc9"
	    "</title></channel></rss>";
	/* Western text with a few accents stays windows-1252. */
	const char	*west = "<rss version=\"2.0\"><channel><title>"
	    "Les \xe9l\xe8ves fran\xe7" "ais \x96 caf\xe9 cr\xe8me "
	    "br\xfbl\xe9" "e \xe0 la d\xe9" "couverte de l\x92\xe9t\xe9"
	    "</title></channel></rss>";
	struct doc	*d;

	(void)state;
	d = parse_str(koi8, NULL, NULL);
	assert_string_equal(d->encoding, "koi8-r");
	assert_true(d->bozo);
	assert_string_equal(d->feed.title, "\xd0\x9a\xd0\xb0\xd0\xba "
	    "\xd0\xbf\xd0\xb5\xd1\x80\xd0\xb5\xd0\xb6\xd0\xb8\xd1\x82"
	    "\xd1\x8c \xd0\xbd\xd0\xbe\xd0\xb2\xd0\xbe\xd0\xb3\xd0\xbe"
	    "\xd0\xb4\xd0\xbd\xd0\xb8\xd0\xb5 \xd0\xbf\xd1\x80\xd0\xb0"
	    "\xd0\xb7\xd0\xb4\xd0\xbd\xd0\xb8\xd0\xba\xd0\xb8");
	doc_free(d);

	d = parse_str(west, NULL, NULL);
	assert_string_equal(d->encoding, "utf-8");
	assert_false(d->bozo);
	assert_non_null(strstr(d->feed.title, "\xc3\xa9l\xc3\xa8ves"));
	assert_non_null(strstr(d->feed.title, "\xe2\x80\x99"));
	doc_free(d);
}

static void
test_utf16(void **state)
{
	const char	*ascii = "<?xml version=\"1.0\" encoding=\"utf-16\"?>"
	    "<rss version=\"2.0\"><channel><title>w</title></channel></rss>";
	char		 buf[512];
	struct doc	*d;
	size_t		 i, n = strlen(ascii);

	(void)state;
	buf[0] = '\xff';
	buf[1] = '\xfe';
	for (i = 0; i < n; i++) {
		buf[2 + 2 * i] = ascii[i];
		buf[3 + 2 * i] = '\0';
	}
	d = parse_doc(buf, 2 + 2 * n, NULL);
	assert_non_null(d);
	assert_string_equal(d->version, "rss20");
	assert_string_equal(d->encoding, "utf-16le");
	assert_string_equal(d->feed.title, "w");
	doc_free(d);
}

static void
test_entities(void **state)
{
	const char	*s = "<rss version=\"2.0\"><channel>"
	    "<title>a&nbsp;b &eacute; &bogus; &#X41; x&y</title>"
	    "<link>http://e/?a=1&b=2</link>"
	    "<description><![CDATA[&nbsp;]]></description>"
	    "</channel></rss>";
	struct doc	*d;

	(void)state;
	d = parse_str(s, NULL, NULL);
	assert_string_equal(d->version, "rss20");
	assert_true(d->bozo);
	assert_string_equal(d->feed.title,
	    "a\xc2\xa0" "b \xc3\xa9 &bogus; A x&y");
	assert_string_equal(d->feed.link, "http://e/?a=1&b=2");
	doc_free(d);
}

static void
test_recovery(void **state)
{
	const char	*s = "<rss version=\"2.0\"><channel><title>T</title>"
	    "<item><title>one</title></item><item><title>two</title>"
	    "</channel>";
	struct doc	*d;

	(void)state;
	d = parse_str(s, NULL, NULL);
	assert_string_equal(d->version, "rss20");
	assert_true(d->bozo);
	assert_non_null(d->bozo_message);
	assert_true(parse_is_feed(d));
	assert_int_equal(d->nentries, 2);
	doc_free(d);
}

/* A document cut short is flagged, so polling stores none of it. */
static void
test_cut(void **state)
{
	static const char *const whole[] = {
		"<rss version=\"2.0\"><channel><title>T</title><item>"
		"<title>a</title></item></channel></rss>",
		/* Noise after the end tag, a mismatched tag inside. */
		"<rss version=\"2.0\"><channel><item><title>a</titel>"
		"</item></channel></rss>\n<b>Warning</b>: x.php line 3\n",
		/* </rss> forgotten, the channel closed. */
		"<rss version=\"2.0\"><channel><item><title>a</title></item>"
		"</channel>\n",
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"/>",
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax"
		"-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel/><item>"
		"<title>a</title></item></rdf:RDF >",
	};
	static const char *const cut[] = {
		"<rss version=\"2.0\"><channel><item><title>a</title></item>"
		"<item><title>b",
		"<rss version=\"2.0\"><channel><item><title>a</title></item>"
		"<item><title>b</title>",
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>"
		"<entry><title>a</title></entry>",
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax"
		"-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel/><item>"
		"<title>a</title></item></rdf:RD",
	};
	const char	*head = "<rss version=\"2.0\"><channel><item>"
	    "<title>big</title><description>";
	const char	*para = "&lt;p&gt;All work and no play makes a dull "
	    "feed. All work and no play makes a dull feed. All work and no "
	    "play makes a dull feed. All work and no play makes a dull feed. "
	    "All work and no play makes a dull feed.&lt;/p&gt;\n";
	const char	*tail = "</description></item><item><title>after"
	    "</title></item></channel></rss>";
	struct doc	*d;
	char		*big;
	size_t		 i, n = 11u << 20, plen = strlen(para);

	(void)state;
	for (i = 0; i < sizeof whole / sizeof whole[0]; i++) {
		d = parse_str(whole[i], NULL, NULL);
		assert_true(parse_is_feed(d));
		assert_false(d->cut);
		doc_free(d);
	}
	for (i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		d = parse_str(cut[i], NULL, NULL);
		assert_true(d->cut);
		assert_true(d->bozo);
		doc_free(d);
	}
	/* A text over libxml2's 10 MB halts it, the rest unread. */
	big = malloc(strlen(head) + n + strlen(tail) + 1);
	assert_non_null(big);
	strcpy(big, head);
	n -= n % plen;
	for (i = 0; i < n; i += plen)
		memcpy(big + strlen(head) + i, para, plen);
	strcpy(big + strlen(head) + n, tail);
	d = parse_str(big, NULL, NULL);
	assert_true(d->cut);
	assert_non_null(strstr(d->bozo_message, "over 10 MB"));
	doc_free(d);
	free(big);
}

static void
test_not_a_feed(void **state)
{
	const char	*html = "<!DOCTYPE html><html><head><title>Hi</title>"
	    "</head><body><p>Hello<br></body></html>";
	const char	*xhtml = "<?xml version=\"1.0\"?><html "
	    "xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>";
	const char	*wall = "<!DOCTYPE html><html><head><title>Just a "
	    "moment...</title></head><body><div id=\"cf-browser-"
	    "verification\"></div></body></html>";
	const char	*other = "<?xml version=\"1.0\"?><config><a/></config>";
	struct doc	*d;
	char		*j;

	(void)state;
	d = parse_str(html, NULL, NULL);
	assert_false(parse_is_feed(d));
	assert_string_equal(d->version, "");
	assert_true(d->bozo);
	assert_string_equal(d->bozo_message, "HTML page, not a feed");
	j = docjson_dump(d);
	assert_non_null(strstr(j, "\"version\": \"\""));
	free(j);
	doc_free(d);

	d = parse_str(xhtml, NULL, NULL);
	assert_false(parse_is_feed(d));
	assert_string_equal(d->bozo_message, "HTML page, not a feed");
	doc_free(d);

	d = parse_str(wall, NULL, NULL);
	assert_false(parse_is_feed(d));
	assert_string_equal(d->bozo_message,
	    "challenge page (bot wall), not a feed");
	doc_free(d);

	d = parse_str(other, NULL, NULL);
	assert_false(parse_is_feed(d));
	assert_true(d->bozo);
	doc_free(d);
}

static void
test_docjson(void **state)
{
	struct doc	*d;
	char		*j;

	(void)state;
	d = parse_str("<rss version=\"2.0\"><channel><title>q\"</title>"
	    "<item><title>i</title></item></channel></rss>", NULL, NULL);
	j = docjson_dump(d);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"version\": \"rss20\""));
	assert_non_null(strstr(j, "\"title\": \"q\\\"\""));
	assert_non_null(strstr(j, "\"ttl\": null"));
	assert_non_null(strstr(j, "\"enclosures\": []"));
	assert_true(j[strlen(j) - 1] == '\n');
	/* Contract order: version first, entries last. */
	assert_true(strstr(j, "\"version\"") < strstr(j, "\"bozo\""));
	assert_true(strstr(j, "\"feed\"") < strstr(j, "\"entries\""));
	free(j);
	doc_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_quadratic_blowup),
		cmocka_unit_test(test_external_entity),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_input),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_rss20),
		cmocka_unit_test(test_rss_versions),
		cmocka_unit_test(test_rss10),
		cmocka_unit_test(test_atom10),
		cmocka_unit_test(test_atom03),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_encoding_repair),
		cmocka_unit_test(test_charset_guess),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_recovery),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_not_a_feed),
		cmocka_unit_test(test_docjson),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

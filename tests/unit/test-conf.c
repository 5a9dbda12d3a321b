/*
 * test-conf: the config room.  Fixtures live in $srcdir/unit/conf; the
 * cases that need odd bytes (long lines, NULs, CRLF), generated files or
 * exact paths are written into a fresh temporary directory per test.
 * Error output is compared whole, so every message is checked exactly.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "conf.h"

#define UA_PREFIX	"feedmux/"
#define UA_SUFFIX	" (+https://github.com/feedmux/feedmux)"

/* Formats into a fresh string.  Caller frees. */
static char * __attribute__((format(printf, 1, 2)))
xprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	assert_non_null(s = malloc((size_t)n + 1));
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* Writes "$srcdir/unit/conf/NAME" into BUF. */
static const char *
fixture(char *buf, size_t len, const char *name)
{
	const char	*srcdir = getenv("srcdir");

	if (srcdir == NULL || *srcdir == '\0')
		srcdir = ".";
	assert_true((size_t)snprintf(buf, len, "%s/unit/conf/%s", srcdir,
	    name) < len);
	return buf;
}

/* Makes a fresh temporary directory.  Caller frees (and removes). */
static char *
tmp_new(void)
{
	const char	*base = getenv("TMPDIR");
	char		*dir;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	dir = xprintf("%s/test-conf.XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	return dir;
}

/* Removes one entry of a temporary tree, deepest first. */
static int
tmp_unlink(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes DIR and everything in it, then frees it. */
static void
tmp_free(char *dir)
{
	assert_int_equal(nftw(dir, tmp_unlink, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(dir);
}

/* Writes LEN bytes (strlen when 0) to DIR/NAME.  Caller frees the path. */
static char *
put(const char *dir, const char *name, const char *text, size_t len)
{
	char	*path;
	FILE	*f;

	if (len == 0)
		len = strlen(text);
	path = xprintf("%s/%s", dir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Replaces every "@" in TEMPLATE with PATH.  Caller frees. */
static char *
expand(const char *template, const char *path)
{
	size_t		 n = 1;
	const char	*p;
	char		*out, *w;

	for (p = template; *p != '\0'; p++)
		n += *p == '@' ? strlen(path) : 1;
	assert_non_null(out = w = malloc(n));
	for (p = template; *p != '\0'; p++) {
		if (*p == '@') {
			strcpy(w, path);
			w += strlen(path);
		} else
			*w++ = *p;
	}
	*w = '\0';
	return out;
}

/* Loads PATH, which must be valid; prints the errors when it is not. */
static struct conf *
load_ok(const char *path)
{
	struct conf	*conf;
	char		*errors = (char *)"unset";

	conf = conf_load(path, &errors);
	if (conf == NULL)
		print_error("%s: unexpected errors:\n%s", path,
		    errors != NULL ? errors : "(out of memory)\n");
	assert_non_null(conf);
	assert_null(errors);
	return conf;
}

/* Loads PATH, which must fail with exactly EXPECT ("@" is the path). */
static void
load_bad(const char *path, const char *expect, const char *at)
{
	struct conf	*conf;
	char		*errors = NULL, *want;

	conf = conf_load(path, &errors);
	assert_null(conf);
	assert_non_null(errors);
	want = expand(expect, at != NULL ? at : path);
	assert_string_equal(errors, want);
	free(want);
	free(errors);
}

/* Writes TEXT to a fresh file and loads it, which must succeed. */
static struct conf *
load_text(const char *dir, const char *text)
{
	struct conf	*conf;
	char		*path;

	path = put(dir, "t.conf", text, 0);
	conf = load_ok(path);
	free(path);
	return conf;
}

/* Checks that CONF holds the built-in [feedmux] defaults. */
static void
check_defaults(const struct conf *conf)
{
	size_t	n = strlen(conf->user_agent);

	assert_string_equal(conf->listen_host, "127.0.0.1");
	assert_int_equal(conf->listen_port, 8080);
	assert_string_equal(conf->database, "/var/lib/feedmux/feedmux.db");
	assert_int_equal(conf->allow_private, 0);
	assert_true(strncmp(conf->user_agent, UA_PREFIX,
	    strlen(UA_PREFIX)) == 0);
	assert_true(n > strlen(UA_PREFIX) + strlen(UA_SUFFIX));
	assert_string_equal(conf->user_agent + n - strlen(UA_SUFFIX),
	    UA_SUFFIX);
	assert_int_equal(conf->interval, 30 * 60);
	assert_int_equal(conf->timeout, 60);
	assert_int_equal(conf->max_body, 16 * 1024 * 1024);
	assert_int_equal(conf->max_transfers, 32);
	assert_int_equal(conf->feed_limit, 50);
}

static void
test_good(void **state)
{
	const struct conf_source	*s;
	const struct conf_category	*c;
	struct conf			*conf;
	char				 path[4096];

	(void)state;
	conf = load_ok(fixture(path, sizeof path, "good.conf"));
	assert_string_equal(conf->path, path);
	assert_int_equal(conf->nfiles, 1);
	assert_string_equal(conf->files[0], path);

	assert_string_equal(conf->listen_host, "0.0.0.0");
	assert_int_equal(conf->listen_port, 9090);
	assert_string_equal(conf->database, "/tmp/feedmux-test.db");
	assert_int_equal(conf->allow_private, 1);
	assert_string_equal(conf->user_agent,
	    "  agent ; with \"quotes\" and \\ backslash ");
	assert_int_equal(conf->interval, 2 * 3600);
	assert_int_equal(conf->timeout, 45);
	assert_int_equal(conf->max_body, 512 * 1024);
	assert_int_equal(conf->max_transfers, 8);
	assert_int_equal(conf->feed_limit, 100);

	assert_int_equal(conf->ncategories, 3);
	assert_non_null(c = conf_category(conf, "cloud"));
	assert_ptr_equal(c, &conf->categories[0]);
	assert_string_equal(c->title, "Cloud & Datacentre");
	assert_string_equal(c->description, "Servers, storage;networks");
	assert_ptr_equal(c->file, conf->files[0]);
	assert_int_equal(c->line, 15);
	assert_non_null(c = conf_category(conf, "quoted"));
	assert_string_equal(c->title, "Quoted ; title # here");
	assert_string_equal(c->description, "\"a ;\" \\");
	assert_int_equal(c->line, 21);
	assert_non_null(c = conf_category(conf, "security"));
	assert_string_equal(c->title, "security");
	assert_null(c->description);
	assert_int_equal(c->line, 19);
	assert_null(conf_category(conf, "Cloud"));
	assert_null(conf_category(conf, "techweek"));

	assert_int_equal(conf->nsources, 4);
	assert_non_null(s = conf_source(conf, "techweek"));
	assert_ptr_equal(s, &conf->sources[0]);
	assert_string_equal(s->url, "https://www.techweekeurope.co.uk/feed/");
	assert_int_equal(s->ncategories, 2);
	assert_string_equal(s->categories[0], "cloud");
	assert_string_equal(s->categories[1], "security");
	assert_int_equal(s->interval, 15 * 60);
	assert_int_equal(s->allow_private, 0);
	assert_int_equal(conf_source_allow_private(conf, s), 0);
	assert_string_equal(s->user_agent, "techweek-agent/1.0");
	assert_ptr_equal(s->file, conf->files[0]);
	assert_int_equal(s->line, 26);

	assert_non_null(s = conf_source(conf, "fragment"));
	assert_string_equal(s->url, "https://example.org/feed.xml?a=1;b=2#top");
	assert_int_equal(s->ncategories, 1);
	assert_string_equal(s->categories[0], "security");
	assert_int_equal(s->interval, 2 * 3600);	/* the global one */
	assert_int_equal(s->allow_private, CONF_INHERIT);
	assert_int_equal(conf_source_allow_private(conf, s), 1);
	assert_null(s->user_agent);

	assert_non_null(s = conf_source(conf, "quoted"));
	assert_string_equal(s->url, "https://example.org/search?q=a;b#c");
	assert_int_equal(s->ncategories, 0);
	assert_null(s->categories);
	assert_int_equal(s->allow_private, 1);

	assert_non_null(s = conf_source(conf, "plain.feed_1-x"));
	assert_string_equal(s->url, "https://plain.example/rss");
	assert_int_equal(s->line, 42);
	assert_null(conf_source(conf, "plain"));
	assert_null(conf_source(conf, "cloud"));
	conf_free(conf);
}

static void
test_polling_options(void **state)
{
	const struct conf_source	*s, *t;
	struct conf			*conf;
	char				*dir = tmp_new();

	(void)state;
	conf = load_text(dir, "");
	assert_int_equal(conf->min_interval, 300);
	assert_int_equal(conf->max_interval, 86400);
	assert_int_equal(conf->max_backoff, 6 * 3600);
	assert_int_equal(conf->connect_timeout, 20);
	assert_int_equal(conf->low_speed_limit, 64);
	assert_int_equal(conf->low_speed_time, 30);
	assert_int_equal(conf->host_connections, 2);
	assert_int_equal(conf->host_delay, 100);
	assert_int_equal(conf->parse_threads, 2);
	assert_null(conf->proxy);
	assert_int_equal(conf->nallow_networks, 0);
	conf_free(conf);

	conf = load_text(dir, "[feedmux]\nproxy = http://p.example:3128\n"
	    "allow_networks = 192.168.10.0/24, fd00:10::/64 ,10.0.0.1\n"
	    "host_delay = 250ms\nmin_interval = 1m\n"
	    "[source \"s\"]\nurl = https://a.example/\nproxy = none\n"
	    "header = X-Token:  a b c\nheader = Accept: application/json\n"
	    "max_interval = 2h\n"
	    "[source \"t\"]\nurl = https://b.example/\n");
	assert_string_equal(conf->proxy, "http://p.example:3128");
	assert_int_equal(conf->host_delay, 250);
	assert_int_equal(conf->nallow_networks, 3);
	assert_int_equal(conf->allow_networks[0].family, AF_INET);
	assert_int_equal(conf->allow_networks[0].prefix, 24);
	assert_int_equal(conf->allow_networks[0].addr[2], 10);
	assert_int_equal(conf->allow_networks[1].family, AF_INET6);
	assert_int_equal(conf->allow_networks[1].prefix, 64);
	assert_int_equal(conf->allow_networks[2].prefix, 32);
	assert_non_null(s = conf_source(conf, "s"));
	assert_non_null(t = conf_source(conf, "t"));
	assert_null(conf_source_proxy(conf, s));
	assert_string_equal(conf_source_proxy(conf, t),
	    "http://p.example:3128");
	assert_int_equal(s->nheaders, 2);
	assert_string_equal(s->headers[0], "X-Token: a b c");
	assert_string_equal(s->headers[1], "Accept: application/json");
	assert_int_equal(s->min_interval, 60);
	assert_int_equal(s->max_interval, 7200);
	assert_int_equal(t->max_interval, 86400);
	assert_int_equal(t->nheaders, 0);
	conf_free(conf);
	tmp_free(dir);
}

static void
test_defaults(void **state)
{
	const struct conf_source	*s;
	struct conf			*conf;
	char				*dir = tmp_new();

	(void)state;
	conf = load_text(dir, "");
	check_defaults(conf);
	assert_int_equal(conf->ncategories, 0);
	assert_int_equal(conf->nsources, 0);
	conf_free(conf);

	/* A source inherits interval and allow_private; "all" needs none. */
	conf = load_text(dir, "[source \"s\"]\nurl = http://a.example/\n"
	    "[category \"unused\"]\ninclude = all\n[feedmux]\n"
	    "interval = 90\n");
	assert_non_null(s = conf_source(conf, "s"));
	assert_int_equal(s->interval, 90);
	assert_int_equal(s->allow_private, CONF_INHERIT);
	assert_int_equal(conf_source_allow_private(conf, s), 0);
	assert_null(s->user_agent);
	assert_int_equal(s->ncategories, 0);
	assert_string_equal(conf_category(conf, "unused")->title, "unused");
	conf_free(conf);

	/* Names may be 64 bytes; CRLF ends lines; a BOM is skipped. */
	conf = load_text(dir, "\xef\xbb\xbf[category \"a234567890123456789012"
	    "345678901234567890123456789012345678901234\"]\r\n"
	    "title = crlf\r\nterms = x\r\n\r\n[feedmux]\r\n"
	    "feed_limit = 1000\r\n");
	assert_int_equal(conf->ncategories, 1);
	assert_int_equal(strlen(conf->categories[0].name), 64);
	assert_string_equal(conf->categories[0].title, "crlf");
	assert_int_equal(conf->feed_limit, 1000);
	conf_free(conf);

	/* Bounds are inclusive and every yes/no spelling is taken. */
	conf = load_text(dir, "[feedmux]\ninterval = 1w\ntimeout = 1s\n"
	    "max_body = 1G\nmax_transfers = 1024\nallow_private = TRUE\n"
	    "[source \"a\"]\nurl = https://a.example/\nallow_private = off\n"
	    "interval = 1\n[source \"b\"]\nurl = https://b.example/\n"
	    "allow_private = 0\n[source \"c\"]\nurl = https://c.example/\n"
	    "allow_private = 1\n[source \"d\"]\nurl = https://d.example/\n"
	    "allow_private = false\n");
	assert_int_equal(conf->interval, 7 * 86400);
	assert_int_equal(conf->timeout, 1);
	assert_int_equal(conf->max_body, 1024 * 1024 * 1024);
	assert_int_equal(conf->max_transfers, 1024);
	assert_int_equal(conf->allow_private, 1);
	assert_int_equal(conf_source(conf, "a")->allow_private, 0);
	assert_int_equal(conf_source(conf, "a")->interval, 1);
	assert_int_equal(conf_source(conf, "b")->allow_private, 0);
	assert_int_equal(conf_source(conf, "c")->allow_private, 1);
	assert_int_equal(conf_source(conf, "d")->allow_private, 0);
	conf_free(conf);

	conf = load_text(dir, "[feedmux]\nmax_body = 1024\nmax_transfers = 1\n"
	    "feed_limit = 1\ninterval = 10s\ntimeout = 10m\n");
	assert_int_equal(conf->max_body, 1024);
	assert_int_equal(conf->max_transfers, 1);
	assert_int_equal(conf->feed_limit, 1);
	assert_int_equal(conf->interval, 10);
	assert_int_equal(conf->timeout, 600);
	conf_free(conf);
	tmp_free(dir);
}

static void
test_listen(void **state)
{
	static const struct {
		const char	*value;
		const char	*host;
		int		 port;
	} cases[] = {
		{ "[::1]:8080", "::1", 8080 },
		{ "[::]:0", "::", 0 },
		{ "[2001:db8::1]:443", "2001:db8::1", 443 },
		{ "localhost:0", "localhost", 0 },
		{ "0.0.0.0:65535", "0.0.0.0", 65535 },
		{ "feeds.example.org:80", "feeds.example.org", 80 },
	};
	struct conf	*conf;
	char		*dir = tmp_new(), text[256];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, "[feedmux]\nlisten = %s\n",
		    cases[i].value);
		conf = load_text(dir, text);
		assert_string_equal(conf->listen_host, cases[i].host);
		assert_int_equal(conf->listen_port, cases[i].port);
		conf_free(conf);
	}
	tmp_free(dir);
}

static void
test_quoting_and_comments(void **state)
{
	static const struct {
		const char	*line;
		const char	*value;
	} cases[] = {
		{ "title = \"a \\\"b\\\" \\\\ c\"", "a \"b\" \\ c" },
		{ "title = \"  padded  \"", "  padded  " },
		{ "title = \"x ; y # z\"   ; comment", "x ; y # z" },
		{ "title = \"x\";comment", "x" },
		{ "title = \"x\"#comment", "x" },
		{ "title = \"=\"", "=" },
		{ "title = say \"hi\" there", "say \"hi\" there" },
		{ "title = a\\b", "a\\b" },
		{ "title = a ; b", "a" },
		{ "title = a # b", "a" },
		{ "title = a\t;b", "a" },
		{ "title = a;b#c", "a;b#c" },
		{ "title = a = b", "a = b" },
		{ "title=tight", "tight" },
		{ "\t title \t=\t spaced out \t", "spaced out" },
		{ "title = caf\xc3\xa9", "caf\xc3\xa9" },
	};
	struct conf	*conf;
	char		*dir = tmp_new(), text[256];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, "  ; leading comment\n"
		    "\t# another\n[category \"c\"] # header comment\n%s\n"
		    "terms = c\n",
		    cases[i].line);
		conf = load_text(dir, text);
		assert_string_equal(conf->categories[0].title, cases[i].value);
		conf_free(conf);
	}
	tmp_free(dir);
}

/* A URL of LEN bytes on one "url = " line, which must load intact. */
static void
long_url_ok(const char *dir, size_t len, const char *eol)
{
	struct conf	*conf;
	char		*text, *url;
	size_t		 n;

	assert_non_null(url = malloc(len + 1));
	memcpy(url, "https://example.org/", 20);
	for (n = 20; n < len; n++)
		url[n] = "abcdefghij"[n % 10];
	url[len] = '\0';
	text = xprintf("[source \"long\"]\nurl = %s%s", url,
	    eol);
	conf = load_text(dir, text);
	assert_int_equal(strlen(conf->sources[0].url), len);
	assert_string_equal(conf->sources[0].url, url);
	conf_free(conf);
	free(text);
	free(url);
}

static void
test_long_lines(void **state)
{
	char	*dir = tmp_new(), *text, *path;
	size_t	 n;

	(void)state;
	long_url_ok(dir, 1500, "\n");
	/* The whole line ("url = " and the URL) exactly at the cap. */
	long_url_ok(dir, 65536 - 6, "\n");
	long_url_ok(dir, 65536 - 6, "\r\n");
	long_url_ok(dir, 65536 - 6, "");

	/* One byte over is an error, and the next lines are still read. */
	assert_non_null(text = malloc(70000));
	n = (size_t)sprintf(text, "[source \"long\"]\nurl = https://e.org/");
	while (n < 16 + 65537)
		text[n++] = 'x';
	n += (size_t)sprintf(text + n, "\nbogus = 1\n");
	path = put(dir, "over.conf", text, n);
	load_bad(path, "@:2: line too long (limit 65536 bytes)\n"
	    "@:3: unknown key \"bogus\" in [source \"long\"]\n"
	    "@:1: missing required key \"url\" in [source \"long\"]\n", NULL);
	free(path);
	free(text);
	tmp_free(dir);
}

static void
test_file_size(void **state)
{
	char	*dir = tmp_new(), *text, *path;
	size_t	 max = 4 * 1024 * 1024;
	struct conf *conf;

	(void)state;
	assert_non_null(text = malloc(max + 1));
	for (size_t i = 0; i < max; i += 64) {
		memset(text + i, '#', 63);
		text[i + 63] = '\n';
	}
	path = put(dir, "max.conf", text, max);
	conf = load_ok(path);
	assert_int_equal(conf->nsources, 0);
	conf_free(conf);
	free(path);

	text[max] = '\n';
	path = put(dir, "over.conf", text, max + 1);
	load_bad(path, "@: too large (limit 4194304 bytes)\n", NULL);
	free(path);
	free(text);
	tmp_free(dir);
}

static void
test_includes(void **state)
{
	const struct conf_source	*s;
	const struct conf_category	*c;
	struct conf			*conf;
	char				 path[4096], want[4096];

	(void)state;
	conf = load_ok(fixture(path, sizeof path, "inc/main.conf"));
	assert_int_equal(conf->nfiles, 4);
	assert_string_equal(conf->files[0], path);
	assert_string_equal(conf->files[1],
	    fixture(want, sizeof want, "inc/conf.d/10-a.conf"));
	assert_string_equal(conf->files[2],
	    fixture(want, sizeof want, "inc/conf.d/nested/x.inc"));
	assert_string_equal(conf->files[3],
	    fixture(want, sizeof want, "inc/conf.d/20-b.conf"));
	assert_string_equal(conf->listen_host, "::1");
	assert_int_equal(conf->listen_port, 0);

	assert_int_equal(conf->nsources, 2);
	assert_string_equal(conf->sources[0].name, "a-src");
	assert_ptr_equal(conf->sources[0].file, conf->files[1]);
	assert_int_equal(conf->sources[0].line, 2);
	assert_int_equal(conf->sources[0].ncategories, 2);
	assert_non_null(s = conf_source(conf, "main-src"));
	assert_ptr_equal(s->file, conf->files[0]);
	assert_int_equal(s->line, 9);
	assert_string_equal(s->categories[0], "from-b");

	assert_int_equal(conf->ncategories, 2);
	assert_string_equal(conf->categories[0].name, "nested");
	assert_ptr_equal(conf->categories[0].file, conf->files[2]);
	assert_string_equal(conf->categories[0].description,
	    "from conf.d/nested");
	assert_non_null(c = conf_category(conf, "from-b"));
	assert_ptr_equal(c->file, conf->files[3]);
	assert_int_equal(c->line, 1);
	assert_string_equal(c->title, "B");
	conf_free(conf);
}

static void
test_include_paths(void **state)
{
	struct conf	*conf;
	char		*dir = tmp_new(), *path, *sub, *p;
	int		 fd;

	(void)state;
	sub = xprintf("%s/conf.d", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	free(put(sub, "b.conf", "[category \"b\"]\nterms = b\n", 0));
	free(put(sub, "a.conf", "[category \"a\"]\nterms = a\n", 0));
	free(put(sub, "B.conf", "[category \"B\"]\nterms = B\n", 0));
	free(put(dir, "one.inc", "[category \"one\"]\nterms = 1\n", 0));
	path = put(dir, "main.conf", "[feedmux]\ninclude = conf.d/*.conf\n"
	    "include = one.inc\n", 0);

	/* Sorted by bytes: "B" before "a" before "b". */
	conf = load_ok(path);
	assert_int_equal(conf->ncategories, 4);
	assert_string_equal(conf->categories[0].name, "B");
	assert_string_equal(conf->categories[1].name, "a");
	assert_string_equal(conf->categories[2].name, "b");
	assert_string_equal(conf->categories[3].name, "one");
	p = xprintf("%s/conf.d/B.conf", dir);
	assert_string_equal(conf->files[1], p);
	free(p);
	conf_free(conf);

	/* A main file named without a directory includes from the cwd. */
	assert_true((fd = open(".", O_RDONLY)) != -1);
	assert_int_equal(chdir(dir), 0);
	conf = conf_load("main.conf", &p);
	assert_int_equal(fchdir(fd), 0);
	close(fd);
	assert_null(p);
	assert_non_null(conf);
	assert_int_equal(conf->nfiles, 5);
	assert_string_equal(conf->files[0], "main.conf");
	assert_string_equal(conf->files[1], "conf.d/B.conf");
	assert_string_equal(conf->files[4], "one.inc");
	conf_free(conf);
	free(path);

	/* Glob characters in the including file's directory are literal. */
	free(sub);
	sub = xprintf("%s/d[1]*", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	free(put(sub, "x.conf", "[category \"x\"]\nterms = x\n", 0));
	path = put(sub, "main.conf", "[feedmux]\ninclude = *.conf\n", 0);
	load_bad(path, "@:2: @: already being read (include cycle)\n", NULL);
	assert_int_equal(unlink(path), 0);
	free(path);
	path = put(sub, "main.ini", "[feedmux]\ninclude = *.conf\n", 0);
	conf = load_ok(path);
	assert_int_equal(conf->nfiles, 2);
	assert_string_equal(conf->categories[0].name, "x");
	conf_free(conf);
	free(path);
	free(sub);
	tmp_free(dir);
}

static void
test_include_errors(void **state)
{
	char	*dir = tmp_new(), *path, *a, *b, *want, name[32], text[64];

	(void)state;
	/* A name without wildcards must exist. */
	path = put(dir, "main.conf", "[feedmux]\ninclude = nothere.conf\n", 0);
	a = xprintf("%s/nothere.conf", dir);
	want = xprintf("%s:2: %s: cannot open: %s\n", path, a,
	    strerror(ENOENT));
	load_bad(path, want, NULL);
	free(want);
	free(a);
	free(path);

	/* A match that cannot be read is an error at the include line. */
	a = xprintf("%s/d", dir);
	assert_int_equal(mkdir(a, 0755), 0);
	free(a);
	a = xprintf("%s/d/sub.conf", dir);
	assert_int_equal(mkdir(a, 0755), 0);
	path = put(dir, "main.conf", "[feedmux]\ninclude = d/*.conf\n", 0);
	want = xprintf("@:2: %s: cannot read: %s\n", a,
	    strerror(EISDIR));
	load_bad(path, want, NULL);
	free(want);
	free(a);
	free(path);

	/* Cycles, and errors reported in the included file's own name. */
	a = put(dir, "a.conf", "[feedmux]\ninclude = b.conf\n", 0);
	b = put(dir, "b.conf", "[source \"s\"]\n[feedmux]\ninclude = a.conf\n",
	    0);
	want = xprintf("%s:1: missing required key \"url\" in "
	    "[source \"s\"]\n%s:3: %s: already being read (include cycle)\n",
	    b, b, a);
	load_bad(a, want, NULL);
	free(want);
	free(a);
	free(b);

	/* A chain deeper than 16 files stops with an error. */
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "f%02d.conf", i);
		snprintf(text, sizeof text, "[feedmux]\ninclude = f%02d.conf\n",
		    i + 1);
		free(put(dir, name, text, 0));
	}
	a = xprintf("%s/f00.conf", dir);
	want = xprintf("%s/f15.conf:2: %s/f16.conf: includes "
	    "nested too deeply (limit 16)\n", dir, dir);
	load_bad(a, want, NULL);
	free(want);
	free(a);

	/* The main file itself. */
	a = xprintf("%s/none.conf", dir);
	want = xprintf("@: cannot open: %s\n",
	    strerror(ENOENT));
	load_bad(a, want, NULL);
	free(want);
	free(a);
	want = xprintf("@: cannot read: %s\n",
	    strerror(EISDIR));
	load_bad(dir, want, NULL);
	free(want);
	tmp_free(dir);
}

/* One configuration and the exact errors it must produce ("@": its path). */
struct bad_case {
	const char	*text;
	size_t		 len;		/* 0: strlen */
	const char	*errors;
};

static const struct bad_case bad_cases[] = {
	/* Structure. */
	{ "listen = 1.2.3.4:80\n", 0,
	  "@:1: key \"listen\" outside a section\n" },
	{ "[feedmux]\nnope = 1\n", 0,
	  "@:2: unknown key \"nope\" in [feedmux]\n" },
	{ "[category \"c\"]\nurl = https://a.example/\n", 0,
	  "@:2: unknown key \"url\" in [category \"c\"]\n"
	  "@:1: category \"c\" has no rule: give it sources, terms, match, "
	  "match_title or include, or name it in a source's categories\n" },
	{ "[source \"s\"]\nurl = https://a.example/\ndescription = x\n", 0,
	  "@:3: unknown key \"description\" in [source \"s\"]\n" },
	{ "[source \"s\"]\nurl = https://a.example/\n"
	  "url = https://b.example/\n", 0,
	  "@:3: duplicate key \"url\" in [source \"s\"] (first set at "
	  "@:2)\n" },
	{ "[feedmux]\ntimeout = 5s\n[feedmux]\ntimeout = 6s\n", 0,
	  "@:4: duplicate key \"timeout\" in [feedmux] (first set at @:2)\n" },
	{ "[feedmux]\njust words\n= 5\nlisten\nlis ten = 1\n", 0,
	  "@:2: malformed line: expected \"key = value\", a [section] or a "
	  "comment\n"
	  "@:3: malformed line: expected \"key = value\", a [section] or a "
	  "comment\n"
	  "@:4: malformed line: expected \"key = value\", a [section] or a "
	  "comment\n"
	  "@:5: malformed line: expected \"key = value\", a [section] or a "
	  "comment\n" },
	{ "[feedmux\n[source \"x]\n[feedmux] trailing\n[]\n[\"x\"]\n", 0,
	  "@:1: malformed section header: expected [feedmux], [category "
	  "\"NAME\"] or [source \"NAME\"]\n"
	  "@:2: malformed section header: expected [feedmux], [category "
	  "\"NAME\"] or [source \"NAME\"]\n"
	  "@:3: malformed section header: expected [feedmux], [category "
	  "\"NAME\"] or [source \"NAME\"]\n"
	  "@:4: malformed section header: expected [feedmux], [category "
	  "\"NAME\"] or [source \"NAME\"]\n"
	  "@:5: malformed section header: expected [feedmux], [category "
	  "\"NAME\"] or [source \"NAME\"]\n" },
	{ "[sources \"x\"]\nurl = whatever\n", 0,
	  "@:1: unknown section kind \"sources\"\n" },
	{ "[Feedmux]\n", 0, "@:1: unknown section kind \"Feedmux\"\n" },
	{ "[feedmux \"x\"]\nlisten = nonsense\n", 0,
	  "@:1: [feedmux] takes no name\n" },
	{ "[category]\n[source]\n", 0,
	  "@:1: [category] needs a name, as [category \"NAME\"]\n"
	  "@:2: [source] needs a name, as [source \"NAME\"]\n" },
	{ "[source \"a b\"]\n[category \"a/b\"]\n[source \"\"]\n"
	  "[category \"a2345678901234567890123456789012345678901234567890123"
	  "456789012345\"]\n", 0,
	  "@:1: bad source name \"a b\": use 1 to 64 of A-Z a-z 0-9 . _ -\n"
	  "@:2: bad category name \"a/b\": use 1 to 64 of A-Z a-z 0-9 . _ -\n"
	  "@:3: bad source name \"\": use 1 to 64 of A-Z a-z 0-9 . _ -\n"
	  "@:4: bad category name \"a2345678901234567890123456789012345678901"
	  "234567890123456789012345\": use 1 to 64 of A-Z a-z 0-9 . _ -\n" },
	{ "[category \"all\"]\ntitle = x\n", 0,
	  "@:1: category name \"all\" is reserved\n" },
	{ "[category \"c\"]\nterms = c\n[category \"c\"]\n", 0,
	  "@:3: duplicate category \"c\" (first defined at @:1)\n" },
	{ "[source \"s\"]\nurl = https://a.example/\n[source \"s\"]\n"
	  "url = https://b.example/\n", 0,
	  "@:3: duplicate source \"s\" (first defined at @:1)\n" },
	{ "[source \"c\"]\nurl = https://a.example/\n[category \"c\"]\n"
	  "sources = c\n", 0,
	  "" },	/* separate namespaces: see test_errors_each */
	{ "[source \"s\"]\ncategories = c\n[category \"c\"]\n", 0,
	  "@:1: missing required key \"url\" in [source \"s\"]\n" },
	{ "[source \"s\"]\n", 0,
	  "@:1: missing required key \"url\" in [source \"s\"]\n" },
	{ "[source \"s\"]\nurl = https://a.example/\ncategories = c, d\n"
	  "[category \"d\"]\n", 0,
	  "@:3: unknown category \"c\" in [source \"s\"]\n" },
	{ "[feedmux]\nlisten = 1.2.3.4:80\n\0x\n", 33,
	  "@:3: line contains a NUL byte\n" },

	/* Values. */
	{ "[feedmux]\nallow_private = maybe\n", 0,
	  "@:2: bad value for allow_private: \"maybe\" is not yes or no\n" },
	{ "[feedmux]\ninterval = soon\n", 0,
	  "@:2: bad value for interval: \"soon\" is not a duration (like 90s, "
	  "30m, 2h, 1d or 1w, at most a year)\n" },
	{ "[feedmux]\ntimeout = 10x\n", 0,
	  "@:2: bad value for timeout: \"10x\" is not a duration (like 90s, "
	  "30m, 2h, 1d or 1w, at most a year)\n" },
	{ "[feedmux]\nmax_body = lots\n", 0,
	  "@:2: bad value for max_body: \"lots\" is not a size (like 512K, 16M "
	  "or 1G)\n" },
	{ "[feedmux]\nmax_body = 1.5M\n", 0,
	  "@:2: bad value for max_body: \"1.5M\" is not a size (like 512K, 16M "
	  "or 1G)\n" },
	{ "[feedmux]\nmax_body = 16MB\n", 0,
	  "@:2: bad value for max_body: \"16MB\" is not a size (like 512K, 16M "
	  "or 1G)\n" },
	{ "[feedmux]\nmax_transfers = 3.5\n", 0,
	  "@:2: bad value for max_transfers: \"3.5\" is not an integer\n" },
	{ "[feedmux]\nfeed_limit = ten\n", 0,
	  "@:2: bad value for feed_limit: \"ten\" is not an integer\n" },
	{ "[feedmux]\nlisten = localhost\nlisten = ::1:8080\n", 0,
	  "@:2: bad value for listen: \"localhost\" is not HOST:PORT (IPv6 as "
	  "[::1]:8080)\n"
	  "@:3: duplicate key \"listen\" in [feedmux] (first set at @:2)\n" },
	{ "[feedmux]\nlisten = ::1:8080\n", 0,
	  "@:2: bad value for listen: \"::1:8080\" is not HOST:PORT (IPv6 as "
	  "[::1]:8080)\n" },
	{ "[feedmux]\nlisten = [::1]8080\n", 0,
	  "@:2: bad value for listen: \"[::1]8080\" is not HOST:PORT (IPv6 as "
	  "[::1]:8080)\n" },
	{ "[feedmux]\nlisten = host:\n", 0,
	  "@:2: bad value for listen: \"host:\" is not HOST:PORT (IPv6 as "
	  "[::1]:8080)\n" },
	{ "[feedmux]\nlisten = :80\n", 0,
	  "@:2: bad value for listen: \":80\" is not HOST:PORT (IPv6 as "
	  "[::1]:8080)\n" },
	{ "[feedmux]\nlisten = host:80x\n", 0,
	  "@:2: bad value for listen: \"host:80x\" is not HOST:PORT (IPv6 as "
	  "[::1]:8080)\n" },
	{ "[feedmux]\nlisten = [zz::g]:80\n", 0,
	  "@:2: bad value for listen: \"[zz::g]:80\" has a bad IPv6 "
	  "address\n" },
	{ "[source \"s\"]\nurl = ftp://a.example/feed\n", 0,
	  "@:2: bad value for url: \"ftp://a.example/feed\" is not an absolute "
	  "http or https URL\n" },
	{ "[source \"s\"]\nurl = example.org/feed\n", 0,
	  "@:2: bad value for url: \"example.org/feed\" is not an absolute "
	  "http or https URL\n" },
	{ "[source \"s\"]\nurl = https://\n", 0,
	  "@:2: bad value for url: \"https://\" is not an absolute http or "
	  "https URL\n" },
	{ "[source \"s\"]\nurl = https://a.example/\ncategories = a b\n", 0,
	  "@:3: bad value for categories: \"a b\" is not a valid name\n" },
	{ "[source \"s\"]\nurl = https://a.example/\ncategories = a,,b\n", 0,
	  "@:3: bad value for categories: empty name in list\n" },
	{ "[source \"s\"]\nurl = https://a.example/\ncategories = a,\n", 0,
	  "@:3: bad value for categories: empty name in list\n" },
	{ "[source \"s\"]\nurl = https://a.example/\ncategories = a, b ,a\n",
	  0, "@:3: bad value for categories: \"a\" named twice\n" },
	{ "[category \"c\"]\ntitle =\ndescription = ; only a comment\n"
	  "terms = c\n", 0,
	  "@:2: bad value for title: empty\n"
	  "@:3: bad value for description: empty\n" },
	{ "[category \"c\"]\ntitle = \"\"\n"
	  "terms = c\n", 0,
	  "@:2: bad value for title: empty\n" },
	{ "[category \"c\"]\ntitle = \"open\n"
	  "terms = c\n", 0,
	  "@:2: malformed value for title: unterminated quoted value\n" },
	{ "[category \"c\"]\ntitle = \"a\\nb\"\n"
	  "terms = c\n", 0,
	  "@:2: malformed value for title: bad escape in quoted value (only "
	  "\\\" and \\\\)\n" },
	{ "[category \"c\"]\ntitle = \"a\" b\n"
	  "terms = c\n", 0,
	  "@:2: malformed value for title: text after quoted value\n" },

	/* Bounds. */
	{ "[feedmux]\ninterval = 2w\n", 0,
	  "@:2: interval out of range: \"2w\" (must be 1s to 1w)\n" },
	{ "[feedmux]\ntimeout = 11m\n", 0,
	  "@:2: timeout out of range: \"11m\" (must be 1s to 10m)\n" },
	{ "[feedmux]\nmax_body = 1023\n", 0,
	  "@:2: max_body out of range: \"1023\" (must be 1K to 1G)\n" },
	{ "[feedmux]\nmax_body = 2G\n", 0,
	  "@:2: max_body out of range: \"2G\" (must be 1K to 1G)\n" },
	{ "[feedmux]\nmax_body = 99999999999999999999K\n", 0,
	  "@:2: max_body out of range: \"99999999999999999999K\" (must be 1K "
	  "to 1G)\n" },
	{ "[feedmux]\nmax_transfers = 0\n", 0,
	  "@:2: max_transfers out of range: \"0\" (must be 1 to 1024)\n" },
	{ "[feedmux]\nmax_transfers = 1025\n", 0,
	  "@:2: max_transfers out of range: \"1025\" (must be 1 to 1024)\n" },
	{ "[feedmux]\nmax_transfers = -3\n", 0,
	  "@:2: max_transfers out of range: \"-3\" (must be 1 to 1024)\n" },
	{ "[feedmux]\nmax_transfers = 99999999999999999999\n", 0,
	  "@:2: max_transfers out of range: \"99999999999999999999\" "
	  "(must be 1 to 1024)\n" },
	{ "[feedmux]\nfeed_limit = 1001\n", 0,
	  "@:2: feed_limit out of range: \"1001\" (must be 1 to 1000)\n" },
	{ "[feedmux]\nlisten = 127.0.0.1:65536\n", 0,
	  "@:2: listen out of range: \"127.0.0.1:65536\" (port must be 0 to "
	  "65535)\n" },
	{ "[source \"s\"]\nurl = https://a.example/\ninterval = 8d\n", 0,
	  "@:3: interval out of range: \"8d\" (must be 1s to 1w)\n" },

	/* Polling options. */
	{ "[feedmux]\nproxy = ftp://p.example:21\n", 0,
	  "@:2: bad value for proxy: \"ftp://p.example:21\" is not a proxy "
	  "URL (http, https, socks4, socks4a, socks5 or socks5h://HOST:PORT) "
	  "or none\n" },
	{ "[feedmux]\nallow_networks = 10.0.0.0/8, 10.1.2.3/8\n", 0,
	  "@:2: bad value for allow_networks: \"10.1.2.3/8\" is not a "
	  "network (like 192.168.1.0/24 or fd00::/8, host bits zero)\n" },
	{ "[feedmux]\nallow_networks = 10.0.0.0/33\n", 0,
	  "@:2: bad value for allow_networks: \"10.0.0.0/33\" is not a "
	  "network (like 192.168.1.0/24 or fd00::/8, host bits zero)\n" },
	{ "[source \"s\"]\nurl = https://a.example/\nheader = Host: x\n", 0,
	  "@:3: bad value for header: \"Host: x\": Host is set by feedmux "
	  "itself\n" },
	{ "[source \"s\"]\nurl = https://a.example/\nheader = no colon\n", 0,
	  "@:3: bad value for header: \"no colon\": expected \"Name: "
	  "value\"\n" },
	{ "[source \"s\"]\nurl = https://a.example/\nheader = A B: c\n", 0,
	  "@:3: bad value for header: \"A B: c\": bad header name\n" },
	{ "[source \"s\"]\nurl = https://a.example/\nmin_interval = 2h\n"
	  "max_interval = 1h\n", 0,
	  "@:1: min_interval is above max_interval in [source \"s\"]\n" },
	{ "[feedmux]\nhost_connections = 0\n", 0,
	  "@:2: host_connections out of range: \"0\" (must be 1 to 64)\n" },
	{ "[feedmux]\nhost_delay = 2h\n", 0,
	  "@:2: host_delay out of range: \"2h\" (must be 0s to 1h)\n" },
	{ "[feedmux]\nhost_delay = 5 ms\n", 0,
	  "@:2: bad value for host_delay: \"5 ms\" is not a duration (like "
	  "250ms, 1s or 2m)\n" },
	/* Defaults never conflict: min 5m above a max of 1m set alone. */
	{ "[feedmux]\nmax_interval = 1m\n", 0, "" },
};

/* The control socket defaults to the database's path; a source may be titled. */
static void
test_control_and_title(void **state)
{
	struct conf	*conf;
	char		*dir = tmp_new(), *path;

	(void)state;
	path = put(dir, "c.conf", "[feedmux]\ndatabase = /var/x/f.db\n"
	    "[source \"s\"]\nurl = https://a.example/\n"
	    "title = \"Weekly; news\"\n", 0);
	conf = load_ok(path);
	assert_string_equal(conf->control, "/var/x/f.db.sock");
	assert_string_equal(conf->sources[0].title, "Weekly; news");
	conf_free(conf);
	free(path);
	path = put(dir, "c.conf", "[feedmux]\ncontrol = /run/feedmux/s\n"
	    "[source \"s\"]\nurl = https://a.example/\n", 0);
	conf = load_ok(path);
	assert_string_equal(conf->control, "/run/feedmux/s");
	assert_null(conf->sources[0].title);
	conf_free(conf);
	free(path);
	tmp_free(dir);
}

static void
test_errors_each(void **state)
{
	struct conf	*conf;
	char		*dir = tmp_new(), *path;

	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		path = put(dir, "bad.conf", bad_cases[i].text,
		    bad_cases[i].len);
		if (*bad_cases[i].errors == '\0') {
			conf = load_ok(path);
			conf_free(conf);
		} else
			load_bad(path, bad_cases[i].errors, NULL);
		free(path);
	}
	tmp_free(dir);
}

static void
test_errors_all(void **state)
{
	char	path[4096];

	(void)state;
	load_bad(fixture(path, sizeof path, "errors.conf"),
	    "@:2: key \"listen\" outside a section\n"
	    "@:4: listen out of range: \"127.0.0.1:99999\" (port must be 0 to "
	    "65535)\n"
	    "@:5: duplicate key \"listen\" in [feedmux] (first set at @:4)\n"
	    "@:6: unknown key \"colour\" in [feedmux]\n"
	    "@:7: bad value for interval: \"soon\" is not a duration (like "
	    "90s, 30m, 2h, 1d or 1w, at most a year)\n"
	    "@:8: timeout out of range: \"11m\" (must be 1s to 10m)\n"
	    "@:9: max_body out of range: \"2G\" (must be 1K to 1G)\n"
	    "@:10: bad value for max_transfers: \"many\" is not an integer\n"
	    "@:11: bad value for allow_private: \"maybe\" is not yes or no\n"
	    "@:12: malformed line: expected \"key = value\", a [section] or a "
	    "comment\n"
	    "@:13: [feedmux] takes no name\n"
	    "@:14: unknown section kind \"widget\"\n"
	    "@:16: category name \"all\" is reserved\n"
	    "@:18: unknown key \"colour\" in [category \"news\"]\n"
	    "@:19: duplicate category \"news\" (first defined at @:17)\n"
	    "@:20: bad category name \"bad name\": use 1 to 64 of A-Z a-z "
	    "0-9 . _ -\n"
	    "@:21: missing required key \"url\" in [source \"nourl\"]\n"
	    "@:24: bad value for url: \"ftp://example.org/feed\" is not an "
	    "absolute http or https URL\n"
	    "@:25: duplicate source \"s1\" (first defined at @:23)\n"
	    "@:28: duplicate key \"url\" in [source \"s2\"] (first set at "
	    "@:27)\n"
	    "@:29: bad value for categories: empty name in list\n"
	    "@:30: malformed value for user_agent: unterminated quoted value\n"
	    "@:22: unknown category \"nosuch\" in [source \"nourl\"]\n", NULL);
}

static void
test_errors_many(void **state)
{
	char	*dir = tmp_new(), *text, *path, *errors = NULL, *last;
	size_t	 n = 0, lines = 0;

	(void)state;
	assert_non_null(text = malloc(2000 * 8 + 16));
	n = (size_t)sprintf(text, "[feedmux]\n");
	for (int i = 0; i < 2000; i++)
		n += (size_t)sprintf(text + n, "x y z\n");
	path = put(dir, "many.conf", text, n);
	assert_null(conf_load(path, &errors));
	assert_non_null(errors);
	for (char *p = errors; *p != '\0'; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1001);
	errors[strlen(errors) - 1] = '\0';
	assert_non_null(last = strrchr(errors, '\n'));
	free(text);
	text = xprintf("%s: too many errors, stopped here",
	    path);
	assert_string_equal(last + 1, text);
	free(text);
	free(errors);
	free(path);
	tmp_free(dir);
}

/* Writes the example into DIR/NAME, uncommenting options when LIVE. */
static char *
write_example(const char *dir, const char *name, int live, char **textp)
{
	char	*text = NULL, *out, *w, *path;
	size_t	 len = 0;
	FILE	*f;

	assert_non_null(f = open_memstream(&text, &len));
	conf_write_example(f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(out = w = malloc(len + 1));
	for (char *line = text; *line != '\0';) {
		char	*nl = strchr(line, '\n');
		size_t	 n;

		n = nl != NULL ? (size_t)(nl - line) + 1 : strlen(line);

		/* Options are ";name = ..." and ";[kind]": help is "; ...". */
		if (live && line[0] == ';' && line[1] != ' ' &&
		    line[1] != '\n') {
			line++;
			n--;
		}
		memcpy(w, line, n);
		w += n;
		line += n;
	}
	*w = '\0';
	path = put(dir, name, out, 0);
	free(out);
	*textp = text;
	return path;
}

static void
test_example(void **state)
{
	static const char *const order[] = {
		"\n[feedmux]\n",
		"\n;listen = 127.0.0.1:8080\n",
		"\n;database = /var/lib/feedmux/feedmux.db\n",
		"\n;allow_private = no\n",
		"\n;user_agent = " UA_PREFIX,
		"\n;interval = 30m\n",
		"\n;timeout = 60s\n",
		"\n;max_body = 16M\n",
		"\n;max_transfers = 32\n",
		"\n;feed_limit = 50\n",
		"\n;include = ",
		"\n;[category \"",
		"\n;title = ",
		"\n;description = ",
		"\n;[source \"",
		"\n;url = ",
		"\n;categories = ",
		"\n;interval = ",
		"\n;allow_private = ",
		"\n;user_agent = ",
	};
	const struct conf_source	*s;
	struct conf			*conf;
	char				*dir = tmp_new(), *path, *text;
	const char			*at;

	(void)state;
	/* As written: everything but [feedmux] commented, so all defaults. */
	path = write_example(dir, "example.conf", 0, &text);
	at = text;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		if ((at = strstr(at, order[i])) == NULL)
			fail_msg("example lacks \"%s\" in order", order[i]);
		at++;
	}
	conf = load_ok(path);
	check_defaults(conf);
	assert_int_equal(conf->nfiles, 1);
	assert_int_equal(conf->ncategories, 0);
	assert_int_equal(conf->nsources, 0);
	conf_free(conf);
	free(path);
	free(text);

	/* Every option uncommented: defaults and examples all valid. */
	path = write_example(dir, "live.conf", 1, &text);
	conf = load_ok(path);
	check_defaults(conf);
	assert_int_equal(conf->ncategories, 1);
	assert_string_equal(conf->categories[0].name, "example");
	assert_non_null(conf->categories[0].title);
	assert_non_null(conf->categories[0].description);
	assert_int_equal(conf->nsources, 1);
	assert_non_null(s = conf_source(conf, "example"));
	assert_true(strncmp(s->url, "https://", 8) == 0);
	assert_int_equal(s->ncategories, 1);
	assert_string_equal(s->categories[0], "example");
	assert_true(s->interval >= 1 && s->interval <= 7 * 86400);
	assert_int_not_equal(s->allow_private, CONF_INHERIT);
	assert_non_null(s->user_agent);
	conf_free(conf);
	free(path);
	free(text);
	tmp_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_polling_options),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_quoting_and_comments),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_file_size),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_include_paths),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_control_and_title),
		cmocka_unit_test(test_errors_each),
		cmocka_unit_test(test_errors_all),
		cmocka_unit_test(test_errors_many),
		cmocka_unit_test(test_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

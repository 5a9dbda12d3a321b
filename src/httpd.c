/* httpd: routes, cached renderings, index page; see httpd.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "buf.h"
#include "conf.h"
#include "daemon.h"
#include "date.h"
#include "httpd.h"
#include "log.h"
#include "render.h"
#include "store.h"

#define HTTPD_MAX_HEADERS	(16 * 1024)
#define HTTPD_MAX_BODY		(16 * 1024)
#define HTTPD_TIMEOUT		30
#define HTTPD_RENDER_MAX	(64 * 1024 * 1024)
#define HTTPD_NAME_MAX		64
#define HTTPD_CACHE_MAX		256

/* One rendered document, valid while the generation it was made from is. */
struct httpd_cached {
	char			*key;		/* "NAME.EXT" */
	char			*base;		/* the URL base it was made for */
	uint64_t		 generation;
	char			*body;
	size_t			 len;
	char			 etag[24];
	struct httpd_cached	*next;
};

struct httpd {
	struct daemon		*d;
	struct evhttp		*http;
	char			 local[128];	/* "http://HOST:PORT" as bound */
	struct httpd_cached	*cache;
};

static void
httpd_cached_free(struct httpd_cached *c)
{
	free(c->key);
	free(c->base);
	free(c->body);
	free(c);
}

static void
httpd_reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, const char *body)
{
	struct evbuffer	*out = evhttp_request_get_output_buffer(req);

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", type);
	evbuffer_add(out, body, strlen(body));
	evhttp_send_reply(req, code, reason, NULL);
}

static void
httpd_not_found(struct evhttp_request *req)
{
	httpd_reply(req, HTTP_NOTFOUND, "Not Found",
	    "text/plain; charset=utf-8", "not found\n");
}

/*
 * The URL base links should use: the request's Host when it is a plain
 * host[:port], else the address we are bound to.  Writes into BASE.
 */
static void
httpd_base(struct httpd *h, struct evhttp_request *req, char *base,
    size_t len)
{
	const char	*host;
	size_t		 n;

	host = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Host");
	if (host != NULL && (n = strlen(host)) > 0 && n < 100 &&
	    strspn(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n) {
		snprintf(base, len, "http://%s", host);
		return;
	}
	snprintf(base, len, "%s", h->local);
}

/* Context for rendering one view with store_each. */
struct httpd_view {
	const struct render_format	*fmt;
	const struct render_feed	*feed;
	struct buf			*b;
};

static int
httpd_view_item(const struct store_item *it, void *arg)
{
	struct httpd_view	*v = arg;

	v->fmt->item(v->b, v->feed, it);
	return v->b->failed;
}

static uint64_t
httpd_hash(const char *p, size_t n)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Renders NAME (a category, or "all") in FMT; NULL on error. */
static struct httpd_cached *
httpd_render(struct httpd *h, const char *name,
    const struct render_format *fmt, const char *base)
{
	struct daemon			*d = h->d;
	const struct conf_category	*cc = NULL;
	const char			*category = NULL;
	struct render_feed		 feed;
	struct httpd_view		 view;
	struct httpd_cached		*c;
	struct buf			 b;
	char				 self[256], alt[256], id[128], key[96];
	int64_t				 count, newest;

	if (strcmp(name, "all") != 0) {
		cc = conf_category(d->conf, name);
		category = name;
	}
	if (store_category_stats(d->store, category, &count, &newest) == -1)
		return NULL;
	snprintf(self, sizeof self, "%s/feeds/%s.%s", base, name, fmt->ext);
	snprintf(alt, sizeof alt, "%s/", base);
	snprintf(id, sizeof id, "urn:feedmux:feed:%s", name);
	memset(&feed, 0, sizeof feed);
	feed.name = name;
	feed.id = id;
	feed.title = cc != NULL ? cc->title : "All entries";
	feed.subtitle = cc != NULL ? cc->description : NULL;
	feed.self = self;
	feed.alternate = alt;
	feed.updated = count > 0 ? newest : d->started;

	buf_init(&b, HTTPD_RENDER_MAX);
	fmt->begin(&b, &feed);
	view.fmt = fmt;
	view.feed = &feed;
	view.b = &b;
	if (store_each(d->store, category, (int)(cc != NULL && cc->limit > 0 ?
	    cc->limit : d->conf->feed_limit), httpd_view_item, &view) == -1) {
		buf_free(&b);
		return NULL;
	}
	fmt->end(&b, &feed);
	if (b.failed) {
		log_warnx("httpd: rendering %s.%s failed", name, fmt->ext);
		buf_free(&b);
		return NULL;
	}
	if ((c = calloc(1, sizeof *c)) == NULL) {
		buf_free(&b);
		return NULL;
	}
	snprintf(key, sizeof key, "%s.%s", name, fmt->ext);
	c->key = strdup(key);
	c->base = strdup(base);
	c->generation = d->generation;
	c->body = buf_release(&b, &c->len);
	if (c->key == NULL || c->base == NULL || c->body == NULL) {
		httpd_cached_free(c);
		return NULL;
	}
	/* Strong validator from the bytes themselves: stable across restarts. */
	snprintf(c->etag, sizeof c->etag, "\"%016llx\"",
	    (unsigned long long)httpd_hash(c->body, c->len));
	return c;
}

/* The cached rendering of NAME.EXT for BASE, re-rendered when stale. */
static struct httpd_cached *
httpd_lookup(struct httpd *h, const char *name,
    const struct render_format *fmt, const char *base)
{
	struct httpd_cached	**pp, *c;
	char			  key[96];
	int			  n;

	snprintf(key, sizeof key, "%s.%s", name, fmt->ext);
	for (pp = &h->cache; (c = *pp) != NULL; pp = &c->next) {
		if (strcmp(c->key, key) != 0 || strcmp(c->base, base) != 0)
			continue;
		if (c->generation == h->d->generation)
			return c;
		*pp = c->next;
		httpd_cached_free(c);
		break;
	}
	if ((c = httpd_render(h, name, fmt, base)) == NULL)
		return NULL;
	c->next = h->cache;
	h->cache = c;
	/* Bounded: odd Host headers must not grow the cache without end. */
	n = 0;
	for (pp = &h->cache; *pp != NULL; pp = &(*pp)->next) {
		if (++n <= HTTPD_CACHE_MAX)
			continue;
		while (*pp != NULL) {
			struct httpd_cached *old = *pp;
			*pp = old->next;
			httpd_cached_free(old);
		}
		break;
	}
	return c;
}

static int
httpd_valid_name(const char *s, size_t n)
{
	if (n == 0 || n > HTTPD_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

/* GET /feeds/NAME.EXT */
static void
httpd_feed(struct httpd *h, struct evhttp_request *req, const char *rest)
{
	const struct render_format	*fmt;
	struct httpd_cached		*c;
	struct evkeyvalq		*hdrs;
	const char			*dot, *inm;
	char				 name[HTTPD_NAME_MAX + 1], base[128];
	size_t				 n;

	if ((dot = strrchr(rest, '.')) == NULL ||
	    (fmt = render_find(dot + 1)) == NULL) {
		httpd_not_found(req);
		return;
	}
	n = dot - rest;
	if (!httpd_valid_name(rest, n)) {
		httpd_not_found(req);
		return;
	}
	memcpy(name, rest, n);
	name[n] = '\0';
	if (strcmp(name, "all") == 0 ? !h->d->conf->all :
	    conf_category(h->d->conf, name) == NULL) {
		httpd_not_found(req);
		return;
	}
	httpd_base(h, req, base, sizeof base);
	if ((c = httpd_lookup(h, name, fmt, base)) == NULL) {
		httpd_reply(req, HTTP_INTERNAL, "Internal Server Error",
		    "text/plain; charset=utf-8", "cannot render this feed now\n");
		return;
	}
	hdrs = evhttp_request_get_output_headers(req);
	evhttp_add_header(hdrs, "ETag", c->etag);
	evhttp_add_header(hdrs, "Cache-Control", "max-age=60");
	inm = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "If-None-Match");
	if (inm != NULL && strstr(inm, c->etag) != NULL) {
		evhttp_send_reply(req, HTTP_NOTMODIFIED, "Not Modified", NULL);
		return;
	}
	evhttp_add_header(hdrs, "Content-Type", fmt->mime);
	evbuffer_add(evhttp_request_get_output_buffer(req), c->body, c->len);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

static void
html_time(struct buf *b, int64_t t)
{
	char	d[DATE_RFC3339_LEN];

	if (t <= 0 || date_format_rfc3339(t, d, sizeof d) == -1)
		buf_puts(b, "never");
	else
		buf_puts(b, d);
}

struct httpd_index {
	struct buf	*b;
	int64_t		 now;
};

static int
httpd_index_source(const struct store_source_info *si, void *arg)
{
	struct httpd_index	*x = arg;
	struct buf		*b = x->b;

	buf_puts(b, "<tr><td>");
	buf_xml(b, si->name);
	buf_puts(b, "</td><td><a href=\"");
	buf_xml(b, si->cur_url != NULL ? si->cur_url : si->url);
	buf_puts(b, "\">");
	buf_xml(b, si->title != NULL ? si->title : si->url);
	buf_puts(b, "</a></td><td class=\"state-");
	buf_xml(b, si->state);
	buf_puts(b, "\">");
	buf_xml(b, si->state);
	if (si->failing_since > 0) {
		buf_puts(b, " since ");
		html_time(b, si->failing_since);
	}
	buf_puts(b, "</td><td>");
	html_time(b, si->last_success);
	buf_puts(b, "</td><td>");
	html_time(b, si->next_poll);
	buf_printf(b, "</td><td>%lld</td><td>", (long long)si->entries);
	if (si->last_error != NULL)
		buf_xml(b, si->last_error);
	buf_puts(b, "</td></tr>\n");
	return b->failed;
}

/* The index's category cell: a link to the rules page, unless built in. */
static void
httpd_category_link(struct buf *b, const char *name, const char *title,
    int configured)
{
	if (!configured) {
		buf_xml(b, title);
		return;
	}
	buf_puts(b, "<a href=\"/categories/");
	buf_xml(b, name);
	buf_puts(b, "\">");
	buf_xml(b, title);
	buf_puts(b, "</a>");
}

/* One row of the rules page: a list option, when set. */
static void
httpd_rules_list(struct buf *b, const char *key, char **v, size_t n)
{
	if (n == 0)
		return;
	buf_puts(b, "<tr><th>");
	buf_puts(b, key);
	buf_puts(b, "</th><td>");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, ", ");
		buf_xml(b, v[i]);
	}
	buf_puts(b, "</td></tr>\n");
}

/* Rows of the rules page for the patterns of one option. */
static void
httpd_rules_regex(struct buf *b, const char *key, const struct conf_rule *r,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, "<tr><th>");
		buf_puts(b, key);
		buf_puts(b, "</th><td><code>");
		buf_xml(b, r[i].text);
		buf_puts(b, "</code></td></tr>\n");
	}
}

/* GET /categories/NAME: the rules that decide what the category holds. */
static void
httpd_category_rules(struct httpd *h, struct evhttp_request *req,
    const char *name)
{
	const struct conf		*conf = h->d->conf;
	const struct conf_category	*c;
	struct buf			 b;
	char				*body;
	size_t				 len;

	if (!httpd_valid_name(name, strlen(name)) ||
	    (c = conf_category(conf, name)) == NULL) {
		httpd_not_found(req);
		return;
	}
	buf_init(&b, HTTPD_RENDER_MAX);
	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>");
	buf_xml(&b, c->title);
	buf_puts(&b, ": rules</title>\n<style>body{font-family:sans-serif;"
	    "max-width:70em;margin:1em auto;padding:0 1em}th,td{padding:.2em "
	    ".6em;text-align:left;vertical-align:top}</style>\n</head>\n"
	    "<body>\n<h1>");
	buf_xml(&b, c->title);
	buf_puts(&b, "</h1>\n");
	if (c->description != NULL) {
		buf_puts(&b, "<p>");
		buf_xml(&b, c->description);
		buf_puts(&b, "</p>\n");
	}
	buf_puts(&b, "<p><a href=\"/feeds/");
	buf_xml(&b, c->name);
	buf_puts(&b, ".atom\">Subscribe (Atom)</a> &middot; <a href=\"/\">"
	    "All categories</a></p>\n<h2>An entry belongs here when</h2>\n"
	    "<table>\n");
	for (size_t i = 0; i < conf->nsources; i++)
		for (size_t k = 0; k < conf->sources[i].ncategories; k++)
			if (strcmp(conf->sources[i].categories[k], c->name) ==
			    0) {
				buf_puts(&b, "<tr><th>source</th><td>");
				buf_xml(&b, conf->sources[i].name);
				buf_puts(&b, " (its categories name this one)"
				    "</td></tr>\n");
			}
	httpd_rules_list(&b, "sources", c->sources, c->nsources);
	httpd_rules_list(&b, "terms", c->terms, c->nterms);
	httpd_rules_list(&b, "include", c->includes, c->nincludes);
	httpd_rules_regex(&b, "match_title", c->match_title, c->nmatch_title);
	httpd_rules_regex(&b, "match", c->match, c->nmatch);
	buf_puts(&b, "</table>\n<h2>unless</h2>\n<table>\n");
	httpd_rules_list(&b, "language (other than)", c->languages,
	    c->nlanguages);
	if (c->max_age > 0)
		buf_printf(&b, "<tr><th>max_age</th><td>older than %lld "
		    "s</td></tr>\n", (long long)c->max_age);
	httpd_rules_list(&b, "exclude_terms", c->exclude_terms,
	    c->nexclude_terms);
	httpd_rules_regex(&b, "exclude", c->exclude, c->nexclude);
	buf_printf(&b, "</table>\n<p>Feed: the newest %lld entries; an "
	    "updated entry %s.  Patterns are PCRE2, case-insensitive, over "
	    "text with HTML removed; terms compare by letters and digits "
	    "only.</p>\n</body>\n</html>\n", (long long)(c->limit > 0 ?
	    c->limit : conf->feed_limit), c->updates_bump ? "moves to the top" :
	    "keeps its place");
	if ((body = buf_release(&b, &len)) == NULL) {
		httpd_reply(req, HTTP_INTERNAL, "Internal Server Error",
		    "text/plain; charset=utf-8", "cannot render the page\n");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/html; charset=utf-8");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	free(body);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

/* GET / */
static void
httpd_index(struct httpd *h, struct evhttp_request *req)
{
	const struct conf	*conf = h->d->conf;
	struct httpd_index	 x;
	struct buf		 b;
	char			 base[128];
	int64_t			 count, newest;
	char			*body;
	size_t			 len;

	httpd_base(h, req, base, sizeof base);
	buf_init(&b, HTTPD_RENDER_MAX);
	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>feedmux</title>\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n");
	if (conf->all)
		buf_puts(&b, "<link rel=\"alternate\" type=\"application/"
		    "atom+xml\" title=\"All entries\" href=\"/feeds/all.atom\">\n");
	for (size_t i = 0; i < conf->ncategories; i++) {
		buf_puts(&b, "<link rel=\"alternate\" type=\"application/"
		    "atom+xml\" title=\"");
		buf_xml(&b, conf->categories[i].title);
		buf_puts(&b, "\" href=\"/feeds/");
		buf_xml(&b, conf->categories[i].name);
		buf_puts(&b, ".atom\">\n");
	}
	buf_puts(&b, "<style>body{font-family:sans-serif;max-width:70em;"
	    "margin:1em auto;padding:0 1em}table{border-collapse:collapse}"
	    "td,th{padding:.2em .6em;border-bottom:1px solid #ddd;"
	    "text-align:left;vertical-align:top}.state-ok{color:#070}"
	    ".state-failing,.state-blocked,.state-gone{color:#b00}"
	    ".state-throttled{color:#a60}</style>\n</head>\n<body>\n"
	    "<h1>feedmux</h1>\n");
	if (h->d->reload_error != NULL) {
		buf_puts(&b, "<p><strong>The last reload was rejected; the "
		    "previous configuration is still running:</strong></p>"
		    "<pre>");
		buf_xml(&b, h->d->reload_error);
		buf_puts(&b, "</pre>\n");
	}
	buf_puts(&b, "<h2>Categories</h2>\n<table>\n<tr><th>Category</th>"
	    "<th>Entries</th><th>Newest</th><th>Subscribe</th></tr>\n");
	for (size_t i = 0; i <= conf->ncategories; i++) {
		const char *name = i < conf->ncategories ?
		    conf->categories[i].name : "all";
		const char *title = i < conf->ncategories ?
		    conf->categories[i].title : "All entries";

		if (store_category_stats(h->d->store, i < conf->ncategories ?
		    name : NULL, &count, &newest) == -1)
			count = newest = 0;
		if (i == conf->ncategories && !conf->all)
			break;
		buf_puts(&b, "<tr><td>");
		httpd_category_link(&b, name, title, i < conf->ncategories);
		buf_printf(&b, "</td><td>%lld</td><td>", (long long)count);
		html_time(&b, newest);
		buf_puts(&b, "</td><td><a href=\"/feeds/");
		buf_xml(&b, name);
		buf_puts(&b, ".atom\">Atom</a></td></tr>\n");
	}
	buf_puts(&b, "</table>\n<h2>Sources</h2>\n<table>\n<tr><th>Name</th>"
	    "<th>Feed</th><th>State</th><th>Last success</th>"
	    "<th>Next poll</th><th>Entries</th><th>Last error</th></tr>\n");
	x.b = &b;
	x.now = daemon_now();
	store_sources_each(h->d->store, httpd_index_source, &x);
	buf_puts(&b, "</table>\n<p><small>feedmux " PACKAGE_VERSION
	    "</small></p>\n</body>\n</html>\n");
	if ((body = buf_release(&b, &len)) == NULL) {
		httpd_reply(req, HTTP_INTERNAL, "Internal Server Error",
		    "text/plain; charset=utf-8", "cannot render the index\n");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-cache");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	free(body);
	evhttp_send_reply(req, HTTP_OK, "OK", NULL);
}

/* Every request: method check, then the routes. */
static void
httpd_request(struct evhttp_request *req, void *arg)
{
	struct httpd		*h = arg;
	const struct evhttp_uri	*uri;
	const char		*path;
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		httpd_reply(req, 405, "Method Not Allowed",
		    "text/plain; charset=utf-8", "method not allowed\n");
		return;
	}
	if ((uri = evhttp_request_get_evhttp_uri(req)) == NULL ||
	    (path = evhttp_uri_get_path(uri)) == NULL) {
		httpd_reply(req, HTTP_BADREQUEST, "Bad Request",
		    "text/plain; charset=utf-8", "bad request\n");
		return;
	}
	/*
	 * Paths are matched raw: names are [A-Za-z0-9._-], so anything
	 * percent-encoded (traversal attempts included) is simply not found.
	 */
	if (strcmp(path, "/") == 0)
		httpd_index(h, req);
	else if (strncmp(path, "/feeds/", 7) == 0)
		httpd_feed(h, req, path + 7);
	else if (strncmp(path, "/categories/", 12) == 0)
		httpd_category_rules(h, req, path + 12);
	else if (strcmp(path, "/healthz") == 0)
		httpd_reply(req, HTTP_OK, "OK", "text/plain; charset=utf-8",
		    "ok\n");
	else
		httpd_not_found(req);
}

struct httpd *
httpd_new(struct daemon *d)
{
	struct httpd			*h;
	struct evhttp_bound_socket	*sock;
	struct sockaddr_storage		 ss;
	socklen_t			 sl = sizeof ss;
	char				 host[INET6_ADDRSTRLEN];
	int				 port = d->conf->listen_port;

	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;
	h->d = d;
	if ((h->http = evhttp_new(d->base)) == NULL) {
		free(h);
		return NULL;
	}
	evhttp_set_max_headers_size(h->http, HTTPD_MAX_HEADERS);
	evhttp_set_max_body_size(h->http, HTTPD_MAX_BODY);
	evhttp_set_timeout(h->http, HTTPD_TIMEOUT);
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT);
	evhttp_set_gencb(h->http, httpd_request, h);
	sock = evhttp_bind_socket_with_handle(h->http, d->conf->listen_host,
	    (ev_uint16_t)port);
	if (sock == NULL) {
		log_warn("httpd: cannot listen on %s:%d", d->conf->listen_host,
		    port);
		httpd_free(h);
		return NULL;
	}
	if (getsockname(evhttp_bound_socket_get_fd(sock),
	    (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
			port = ntohs(s6->sin6_port);
			snprintf(h->local, sizeof h->local, "http://[%s]:%d",
			    host, port);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
			port = ntohs(s4->sin_port);
			snprintf(h->local, sizeof h->local, "http://%s:%d",
			    host, port);
		}
	}
	log_info("httpd: listening on %s", h->local + 7);
	return h;
}

void
httpd_free(struct httpd *h)
{
	struct httpd_cached	*c, *next;

	if (h == NULL)
		return;
	for (c = h->cache; c != NULL; c = next) {
		next = c->next;
		httpd_cached_free(c);
	}
	if (h->http != NULL)
		evhttp_free(h->http);
	free(h);
}

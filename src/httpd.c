/*
 * httpd: routes, cached renderings, index, OPML, health, metrics; see httpd.h.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "daemon.h"
#include "date.h"
#include "fetch.h"
#include "fnv.h"
#include "http.h"
#include "httpd.h"
#include "log.h"
#include "render.h"
#include "store.h"

#define HTTPD_MAX_HEAD		(16 * 1024)
#define HTTPD_MAX_URI		2048
#define HTTPD_MAX_CONNS		1024
#define HTTPD_TIMEOUT		30
#define HTTPD_RENDER_MAX	(64 * 1024 * 1024)
#define HTTPD_NAME_MAX		64
#define HTTPD_CACHE_MAX		256		/* documents */
#define HTTPD_CACHE_BYTES	(128 * 1024 * 1024)
#define HTTPD_BUCKETS		256
#define HTTPD_LIMIT_MAX		500		/* ?limit= ceiling */
/* entries per archive page; never change it */
#define HTTPD_ARCHIVE_SIZE	50
#define HTTPD_MAXAGE_MAX	86400
#define HTTPD_ARCHIVE_MAXAGE	31536000
#define HTTPD_BASE_MAX		128
#define HTTPD_URL_MAX		512
/* seconds a ping waits for more changes */
#define HTTPD_HUB_DELAY		1

enum httpd_route {
	ROUTE_INDEX,
	ROUTE_FEED,
	ROUTE_SOURCE,
	ROUTE_ARCHIVE,
	ROUTE_OPML,
	ROUTE_HEALTHZ,
	ROUTE_METRICS,
	ROUTE_RULES,
	ROUTE_OTHER,
	ROUTE_COUNT
};
static const char *const httpd_route_names[ROUTE_COUNT] = {
	"index", "feed", "source", "archive", "opml", "healthz", "metrics",
	"rules", "other"
};
static const int httpd_statuses[] = {
	200, 304, 400, 404, 405, 414, 431, 500, 503, 0	/* 0: any other */
};
#define HTTPD_NSTATUS	(sizeof httpd_statuses / sizeof httpd_statuses[0])

/* A view's change sequence: bumped when its stored entries change. */
struct httpd_seq {
	/* "c:NAME", "s:NAME", "all" */
	char			 key[HTTPD_NAME_MAX + 3];
	uint64_t		 seq;
	/* when seq last moved, 0: not since start */
	int64_t			 bumped;
	/* the hub has not heard of a change yet */
	int			 ping;
	struct httpd_seq	*next;
};

/* One rendered document, valid while its view's sequence and the config are. */
struct httpd_cached {
	char			*key;
	char			 view[HTTPD_NAME_MAX + 3];
	uint64_t		 seq;
	uint64_t		 gen;		/* d->generation: the config */
	char			*body;
	size_t			 len;
	char			*gz;		/* made on first gzip request */
	size_t			 gzlen;
	int			 gzfailed;
	char			 etag[24];
	char			 etag_gz[28];
	int64_t			 modified;
	char			 lastmod[DATE_RFC822_LEN];
	int			 archive;	/* a full archive page */
	int64_t			 next_poll;	/* when view may change next */
	/* when next_poll was last read */
	int64_t			 checked;
	const char		*mime;
	/* replies still sending it, + 1 while cached */
	int			 refs;
	unsigned		 bucket;
	struct httpd_cached	*hnext;		/* hash chain */
	struct httpd_cached	*prev, *next;	/* LRU, most recent first */
};

struct httpd {
	struct daemon		*d;
	struct http		*http;
	/* "http://HOST:PORT" */
	char			 local[HTTPD_BASE_MAX + 8];
	struct httpd_seq	*seqs[HTTPD_BUCKETS];
	struct httpd_cached	*buckets[HTTPD_BUCKETS];
	struct httpd_cached	*lru, *lru_tail;
	size_t			 ncached;
	size_t			 cached_bytes;
	uint64_t		 requests[ROUTE_COUNT][HTTPD_NSTATUS];
	uint64_t		 hub_pings, hub_failures;
	/* documents rendered (cache misses) */
	uint64_t		 renders;
	/* pings wait a moment to coalesce */
	struct event		*hub_timer;
	int64_t			 health_at;
	int			 health_ok;
	/*
	 * The index page, built at most once a second: it reads every
	 * source's health and every view's size, and is asked for by anyone.
	 */
	char			*index;
	size_t			 index_len;
	int64_t			 index_at;
	/* d->generation it was built for */
	uint64_t		 index_gen;
	uint64_t		 index_err;	/* hash of reload error shown */
};

/* The sequence record of VIEW, made on first use; NULL out of memory. */
static struct httpd_seq *
httpd_seq(struct httpd *h, const char *view)
{
	unsigned		 b = fnv_str(view) % HTTPD_BUCKETS;
	struct httpd_seq	*s;

	for (s = h->seqs[b]; s != NULL; s = s->next)
		if (strcmp(s->key, view) == 0)
			return s;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	snprintf(s->key, sizeof s->key, "%s", view);
	s->next = h->seqs[b];
	h->seqs[b] = s;
	return s;
}

/*
 * The entries of view KIND NAME changed: move its sequence, owe the hub a ping.
 */
static void
httpd_seq_bump(struct httpd *h, const char *kind, const char *name)
{
	struct httpd_seq	*s;
	char			 view[HTTPD_NAME_MAX + 3];

	snprintf(view, sizeof view, "%s%s", kind, name);
	if ((s = httpd_seq(h, view)) != NULL) {
		s->seq++;
		s->bumped = daemon_now();
		s->ping = 1;
	}
}

/* Drops one reference to C, freeing it with the last. */
static void
httpd_cached_unref(void *arg)
{
	struct httpd_cached	*c = arg;

	if (--c->refs > 0)
		return;
	free(c->key);
	free(c->body);
	free(c->gz);
	free(c);
}

/* Takes C out of the cache; replies still sending it keep it alive. */
static void
httpd_cache_drop(struct httpd *h, struct httpd_cached *c)
{
	struct httpd_cached	**pp;

	for (pp = &h->buckets[c->bucket]; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->lru = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		h->lru_tail = c->prev;
	h->ncached--;
	h->cached_bytes -= c->len + c->gzlen;
	httpd_cached_unref(c);
}

/* The cached document for KEY, or NULL. */
static struct httpd_cached *
httpd_cache_find(struct httpd *h, const char *key)
{
	unsigned		 b = fnv_str(key) % HTTPD_BUCKETS;
	struct httpd_cached	*c;

	for (c = h->buckets[b]; c != NULL; c = c->hnext)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

/* Adds C as the most recent; evicts the least recent past the bounds. */
static void
httpd_cache_add(struct httpd *h, struct httpd_cached *c)
{
	c->bucket = fnv_str(c->key) % HTTPD_BUCKETS;
	c->hnext = h->buckets[c->bucket];
	h->buckets[c->bucket] = c;
	c->prev = NULL;
	c->next = h->lru;
	if (h->lru != NULL)
		h->lru->prev = c;
	else
		h->lru_tail = c;
	h->lru = c;
	h->ncached++;
	h->cached_bytes += c->len + c->gzlen;
	while ((h->ncached > HTTPD_CACHE_MAX ||
	    h->cached_bytes > HTTPD_CACHE_BYTES) && h->lru_tail != c)
		httpd_cache_drop(h, h->lru_tail);
}

/* Marks C as the most recently used. */
static void
httpd_cache_touch(struct httpd *h, struct httpd_cached *c)
{
	if (h->lru == c)
		return;
	c->prev->next = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		h->lru_tail = c->prev;
	c->prev = NULL;
	c->next = h->lru;
	h->lru->prev = c;
	h->lru = c;
}

/*
 * snprintf for URLs; a URL that does not fit is cut, and the base is bounded.
 */
static void __attribute__((format(printf, 3, 4)))
httpd_url(char *out, size_t len, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vsnprintf(out, len, fmt, ap) < 0)
		out[0] = '\0';
	va_end(ap);
}

/* Plain-text answer. */
static void
httpd_text(struct http_req *req, int status, const char *text)
{
	http_reply(req, status, "text/plain; charset=utf-8", text,
	    strlen(text));
}

/*
 * The URL base links should use: the request's Host when it is a plain
 * host[:port], else the address we are bound to.
 */
static void
httpd_base(struct httpd *h, struct http_req *req, char *base, size_t len)
{
	const char	*host = http_req_header(req, "Host");
	const char	*pub = h->d->conf->public_url;
	size_t		 n;

	if (pub != NULL) {
		n = strlen(pub);
		while (n > 0 && pub[n - 1] == '/')
			n--;
		snprintf(base, len, "%.*s", (int)n, pub);
		return;
	}
	if (host != NULL && (n = strlen(host)) > 0 && n < 100 &&
	    strspn(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n) {
		snprintf(base, len, "http://%s", host);
		return;
	}
	httpd_url(base, len, "%s", h->local);
}

/* Is the N bytes at S a category or source name ([A-Za-z0-9._-], bounded)? */
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

/* What a feed request asks for, parsed from its path and query. */
struct httpd_want {
	/* /sources/ rather than /feeds/ */
	int				 source;
	char				 name[HTTPD_NAME_MAX + 1];
	const struct render_format	*fmt;
	/* page number, 0: not an archive */
	int64_t				 archive;
	int				 limit;
	int				 limit_given;
	int				 has_before;
	struct store_cursor		 before;
	struct store_view		 view;
	char				 viewkey[HTTPD_NAME_MAX + 3];
};

/* Parses a decimal integer filling all of S; -1 when it does not. */
static int
httpd_int(const char *s, size_t n, long long lo, long long hi,
    long long *out)
{
	char		 tmp[32], *end;
	long long	 v;

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (tmp[0] != '-' && (tmp[0] < '0' || tmp[0] > '9'))
		return -1;
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* The query: limit=N and before=SORTDATE_ID; 0, or 400 when malformed. */
static int
httpd_query(struct httpd *h, const char *q, struct httpd_want *w)
{
	const char	*p, *amp, *eq, *us;
	long long	 v, id;
	size_t		 n;

	if (w->limit <= 0)
		w->limit = (int)h->d->conf->feed_limit;
	for (p = q; p != NULL && *p != '\0'; p = amp != NULL ? amp + 1 :
	    NULL) {
		amp = strchr(p, '&');
		n = amp != NULL ? (size_t)(amp - p) : strlen(p);
		if ((eq = memchr(p, '=', n)) == NULL)
			continue;
		if ((size_t)(eq - p) == 5 && strncmp(p, "limit", 5) == 0) {
			if (httpd_int(eq + 1, n - 6, 1, HTTPD_LIMIT_MAX, &v) ==
			    -1)
				return 400;
			w->limit = (int)v;
			w->limit_given = 1;
		} else if ((size_t)(eq - p) == 6 &&
		    strncmp(p, "before", 6) == 0) {
			/* SORTDATE_ID: the position of the last entry shown. */
			if ((us = memchr(eq + 1, '_', n - 7)) == NULL ||
			    httpd_int(eq + 1, (size_t)(us - eq - 1), INT64_MIN,
			    INT64_MAX, &v) == -1 || httpd_int(us + 1,
			    (size_t)(p + n - us - 1), 1, INT64_MAX, &id) == -1)
				return 400;
			w->has_before = 1;
			w->before.sort_date = v;
			w->before.id = id;
		}
	}
	return 0;
}

/*
 * Parses REST (after /feeds/ or /sources/): NAME.EXT or
 * NAME/archive/K.EXT.  0, or the status to answer with.
 */
static int
httpd_parse_want(struct httpd *h, const char *rest, int source,
    struct httpd_want *w)
{
	const struct conf	*conf = h->d->conf;
	const char		*dot, *slash, *arch;
	long long		 k;
	size_t			 n;

	memset(w, 0, sizeof *w);
	w->source = source;
	if ((dot = strrchr(rest, '.')) == NULL ||
	    (w->fmt = render_find(dot + 1)) == NULL)
		return 404;
	if ((slash = strchr(rest, '/')) != NULL) {
		arch = slash + 1;
		if (strncmp(arch, "archive/", 8) != 0 || httpd_int(arch + 8,
		    (size_t)(dot - arch - 8), 1, INT32_MAX, &k) == -1)
			return 404;
		w->archive = k;
		n = (size_t)(slash - rest);
	} else
		n = (size_t)(dot - rest);
	if (!httpd_valid_name(rest, n))
		return 404;
	memcpy(w->name, rest, n);
	w->name[n] = '\0';
	if (source) {
		if (conf_source(conf, w->name) == NULL)
			return 404;
		w->view.source = w->name;
		snprintf(w->viewkey, sizeof w->viewkey, "s:%s", w->name);
	} else if (strcmp(w->name, "all") == 0) {
		if (!conf->all)
			return 404;
		snprintf(w->viewkey, sizeof w->viewkey, "all");
	} else {
		const struct conf_category *cc;

		if ((cc = conf_category(conf, w->name)) == NULL)
			return 404;
		/*
		 * The category's own size of a rendering, unless ?limit= says.
		 */
		if (cc->limit > 0)
			w->limit = (int)cc->limit;
		w->view.category = w->name;
		snprintf(w->viewkey, sizeof w->viewkey, "c:%s", w->name);
	}
	return 0;
}

/* Context for rendering one page of items. */
struct httpd_view {
	const struct render_format	*fmt;
	const struct render_feed	*feed;
	struct buf			*b;
	int				 n;
	int64_t				 newest;
	struct store_cursor		 last;
	/* of the first entry */
	char				 source_title[256];
};

/* Renders one entry of a page and remembers where the page ends. */
static int
httpd_view_item(const struct store_item *it, void *arg)
{
	struct httpd_view	*v = arg;
	int64_t			 t = render_item_date(it);

	v->fmt->item(v->b, v->feed, it);
	if (v->n++ == 0 || t > v->newest)
		v->newest = t;
	v->last.sort_date = it->sort_date;
	v->last.id = it->id;
	if (v->source_title[0] == '\0' && it->source_title != NULL)
		snprintf(v->source_title, sizeof v->source_title, "%s",
		    it->source_title);
	return v->b->failed;
}

/* "/feeds/NAME" or "/sources/NAME" under BASE, into OUT. */
static void
httpd_view_url(const char *base, const struct httpd_want *w, char *out,
    size_t len)
{
	httpd_url(out, len, "%s/%s/%s", base, w->source ? "sources" : "feeds",
	    w->name);
}

/* Sets C's modification time and its Last-Modified text. */
static void
httpd_set_modified(struct httpd_cached *c, int64_t t)
{
	c->modified = t;
	if (date_format_rfc822(c->modified, c->lastmod, sizeof c->lastmod) ==
	    -1)
		c->lastmod[0] = '\0';
}

/*
 * Renders what W asks for; NULL on error (logged), *NOTFOUND for no such page.
 */
static struct httpd_cached *
httpd_render(struct httpd *h, const struct httpd_want *w, const char *base,
    const char *key, uint64_t seq, int *notfound)
{
	struct daemon			*d = h->d;
	const struct render_format	*fmt = w->fmt;
	const struct conf_category	*cc = NULL;
	struct store_view_stats		 vs;
	struct render_feed		 feed;
	struct httpd_view		 view;
	struct httpd_cached		*c;
	struct buf			 items, b;
	char				 vurl[HTTPD_URL_MAX],
					    self[HTTPD_URL_MAX];
	char				 alt[HTTPD_URL_MAX], id[HTTPD_URL_MAX];
	char				 next[HTTPD_URL_MAX];
	char				 prev[HTTPD_URL_MAX],
					    cur[HTTPD_URL_MAX];
	char				 title[256], lim[24];
	int64_t				 full;
	int				 n;

	*notfound = 0;
	if (store_view_stats(d->store, &w->view, &vs) == -1)
		return NULL;
	full = vs.count / HTTPD_ARCHIVE_SIZE;
	if (w->archive > full) {
		*notfound = 1;
		return NULL;
	}

	memset(&feed, 0, sizeof feed);
	httpd_view_url(base, w, vurl, sizeof vurl);
	httpd_url(alt, sizeof alt, "%s/", base);
	httpd_url(cur, sizeof cur, "%s.%s", vurl, fmt->ext);
	if (w->source) {
		snprintf(id, sizeof id, "urn:feedmux:source:%s", w->name);
		snprintf(title, sizeof title, "%s", w->name);
		feed.title = title;
	} else {
		if (w->view.category != NULL)
			cc = conf_category(d->conf, w->name);
		snprintf(id, sizeof id, "urn:feedmux:feed:%s", w->name);
		feed.title = cc != NULL ? cc->title : "All entries";
		feed.subtitle = cc != NULL ? cc->description : NULL;
	}
	feed.name = w->name;
	feed.id = id;
	feed.alternate = alt;
	feed.hub = d->conf->hub;
	lim[0] = '\0';
	if (w->limit_given)
		snprintf(lim, sizeof lim, "limit=%d&", w->limit);
	if (w->archive > 0) {
		httpd_url(self, sizeof self, "%s/archive/%lld.%s", vurl,
		    (long long)w->archive, fmt->ext);
		feed.current = cur;
		feed.archive = 1;
		if (w->archive > 1) {
			httpd_url(prev, sizeof prev, "%s/archive/%lld.%s", vurl,
			    (long long)w->archive - 1, fmt->ext);
			feed.prev_archive = prev;
		}
	} else if (w->has_before) {
		httpd_url(self, sizeof self, "%s?%sbefore=%lld_%lld", cur, lim,
		    (long long)w->before.sort_date, (long long)w->before.id);
		feed.first = cur;
	} else {
		if (lim[0] != '\0')
			httpd_url(self, sizeof self, "%s?limit=%d", cur,
			    w->limit);
		else
			httpd_url(self, sizeof self, "%s", cur);
		if (full > 0) {
			httpd_url(prev, sizeof prev, "%s/archive/%lld.%s", vurl,
			    (long long)full, fmt->ext);
			feed.prev_archive = prev;
		}
	}
	feed.self = self;

	/* Items first: the feed's updated date is the newest among them. */
	buf_init(&items, HTTPD_RENDER_MAX);
	memset(&view, 0, sizeof view);
	view.fmt = fmt;
	view.feed = &feed;
	view.b = &items;
	if (w->archive > 0)
		n = store_view_archive(d->store, &w->view,
		    (w->archive - 1) * HTTPD_ARCHIVE_SIZE, HTTPD_ARCHIVE_SIZE,
		    httpd_view_item, &view);
	else
		n = store_view_page(d->store, &w->view, w->has_before ?
		    &w->before : NULL, w->limit, httpd_view_item, &view);
	if (n == -1) {
		buf_free(&items);
		return NULL;
	}
	if (w->archive == 0 && n == w->limit) {
		httpd_url(next, sizeof next, "%s?%sbefore=%lld_%lld", cur, lim,
		    (long long)view.last.sort_date, (long long)view.last.id);
		feed.next = next;
	}
	feed.updated = view.n > 0 ? view.newest : vs.newest > 0 ? vs.newest :
	    d->started;
	/* One publisher's feed is titled as the publisher titles it. */
	if (w->source && view.source_title[0] != '\0')
		feed.title = view.source_title;

	buf_init(&b, HTTPD_RENDER_MAX);
	fmt->begin(&b, &feed);
	if (items.data != NULL)
		buf_add(&b, items.data, items.len);
	buf_free(&items);
	fmt->end(&b, &feed);
	if (b.failed) {
		log_warnx("httpd: rendering %s failed", key);
		buf_free(&b);
		return NULL;
	}
	if ((c = calloc(1, sizeof *c)) == NULL || (c->key = strdup(key)) ==
	    NULL) {
		free(c);
		buf_free(&b);
		return NULL;
	}
	snprintf(c->view, sizeof c->view, "%s", w->viewkey);
	c->seq = seq;
	c->gen = d->generation;
	c->mime = fmt->mime;
	c->refs = 1;
	c->body = buf_release(&b, &c->len);
	/*
	 * Strong validator from the bytes: equal
	 * bytes, equal tag, even after a restart.
	 */
	snprintf(c->etag, sizeof c->etag, "\"%016llx\"",
	    (unsigned long long)fnv_bytes(FNV_INIT, c->body, c->len));
	snprintf(c->etag_gz, sizeof c->etag_gz, "\"%016llx-gz\"",
	    (unsigned long long)fnv_bytes(FNV_INIT, c->body, c->len));
	c->archive = w->archive > 0;
	/*
	 * Archive pages change only when an entry in them is edited.  A live
	 * page is at least as new as its newest entry and the config; the
	 * caller moves it to the moment its bytes are seen to change.
	 */
	c->modified = feed.updated;
	if (!c->archive && d->conf_loaded > c->modified)
		c->modified = d->conf_loaded;
	httpd_set_modified(c, c->modified);
	c->next_poll = vs.next_poll;
	c->checked = daemon_now();
	return c;
}

/* Compresses C's body once; its gzip copy stays with it. */
static void
httpd_gzip(struct httpd *h, struct httpd_cached *c)
{
	z_stream	 z;
	size_t		 cap;
	char		*out;

	if (c->gz != NULL || c->gzfailed)
		return;
	c->gzfailed = 1;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	cap = deflateBound(&z, c->len) + 32;
	if ((out = malloc(cap)) == NULL) {
		deflateEnd(&z);
		return;
	}
	z.next_in = (Bytef *)c->body;
	z.avail_in = (uInt)c->len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return;
	}
	c->gz = out;
	c->gzlen = cap - z.avail_out;
	deflateEnd(&z);
	c->gzfailed = 0;
	h->cached_bytes += c->gzlen;
}

/* Does Accept-Encoding V take gzip (a q of 0 refuses it)? */
static int
httpd_accepts_gzip(const char *v)
{
	const char	*p, *q, *end;
	int		 star = 0, gz = -1;
	size_t		 n;

	for (p = v; p != NULL && *p != '\0'; p = end != NULL ? end + 1 :
	    NULL) {
		p += strspn(p, " \t");
		end = strchr(p, ',');
		n = strcspn(p, ";, \t");
		q = strchr(p, ';');
		if (q != NULL && end != NULL && q > end)
			q = NULL;
		/* q=0, q=0.0, q=0.00: refused. */
		int zero = q != NULL && (q = strstr(q, "q=")) != NULL &&
		    (end == NULL || q < end) && q[2] == '0' &&
		    strspn(q + 3, ".0") == strcspn(q + 3, ", \t");
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(p, "x-gzip", 6) == 0))
			gz = !zero;
		else if (n == 1 && *p == '*')
			star = !zero;
	}
	return gz == -1 ? star : gz;
}

/* Does If-None-Match V list ETAG (weak comparison) or "*"? */
static int
httpd_inm_match(const char *v, const char *etag)
{
	return strstr(v, etag) != NULL || strcmp(v, "*") == 0;
}

/* Seconds until the view can change: its earliest next poll, bounded. */
static int64_t
httpd_max_age(struct httpd *h, struct httpd_cached *c,
    const struct httpd_want *w)
{
	int64_t			 now = daemon_now(), next;

	if (c->archive)
		return HTTPD_ARCHIVE_MAXAGE;
	/*
	 * Polls reschedule without changing the
	 * view: re-read, at most once a second.
	 */
	if (now >= c->next_poll && now != c->checked) {
		c->checked = now;
		if (store_view_next_poll(h->d->store, &w->view, &next) == 0)
			c->next_poll = next;
	}
	if (c->next_poll <= 0)
		return 60;
	if (c->next_poll <= now)
		return 1;
	return c->next_poll - now > HTTPD_MAXAGE_MAX ? HTTPD_MAXAGE_MAX :
	    c->next_poll - now;
}

/* GET /feeds/... and /sources/... */
static enum httpd_route
httpd_feed(struct httpd *h, struct http_req *req, const char *rest, int source)
{
	struct httpd_want	 w;
	struct httpd_seq	*s;
	struct httpd_cached	*c, *old = NULL;
	const char		*inm, *ims, *etag, *body;
	char			 base[HTTPD_BASE_MAX], key[512], cc[64];
	size_t			 len;
	int64_t			 t;
	int			 status, gz, notfound;
	enum httpd_route	 route;

	if ((status = httpd_parse_want(h, rest, source, &w)) != 0) {
		httpd_text(req, status, "not found\n");
		return source ? ROUTE_SOURCE : ROUTE_FEED;
	}
	route = w.archive > 0 ? ROUTE_ARCHIVE : source ? ROUTE_SOURCE :
	    ROUTE_FEED;
	if ((status = httpd_query(h, http_req_query(req), &w)) != 0) {
		httpd_text(req, status, "bad limit or before\n");
		return route;
	}
	httpd_base(h, req, base, sizeof base);
	snprintf(key, sizeof key, "%s|%s|%s|%lld|%d|%d|%lld_%lld", w.viewkey,
	    w.fmt->ext, base, (long long)w.archive, w.limit, w.has_before,
	    (long long)w.before.sort_date, (long long)w.before.id);
	if ((s = httpd_seq(h, w.viewkey)) == NULL) {
		httpd_text(req, 503, "out of memory\n");
		return route;
	}
	c = httpd_cache_find(h, key);
	if (c != NULL && (c->seq != s->seq || c->gen != h->d->generation)) {
		old = c;
		c = NULL;
	}
	if (c == NULL) {
		c = httpd_render(h, &w, base, key, s->seq, &notfound);
		/*
		 * Last-Modified of a live page: unchanged while its bytes are,
		 * else the last change to the view (an edit or a removal need
		 * not move the newest entry's date).
		 */
		if (c != NULL && !c->archive) {
			if (old != NULL && strcmp(c->etag, old->etag) == 0)
				httpd_set_modified(c, old->modified);
			else if (s->bumped > c->modified)
				httpd_set_modified(c, s->bumped);
		}
		if (old != NULL)
			httpd_cache_drop(h, old);
		if (c == NULL) {
			if (notfound)
				httpd_text(req, 404, "no such archive page\n");
			else
				httpd_text(req, 500,
				    "cannot render this feed now\n");
			return route;
		}
		h->renders++;
		httpd_cache_add(h, c);
	} else
		httpd_cache_touch(h, c);

	gz = httpd_accepts_gzip(http_req_header(req, "Accept-Encoding"));
	if (gz) {
		httpd_gzip(h, c);
		gz = c->gz != NULL;
	}
	etag = gz ? c->etag_gz : c->etag;
	http_resp_header(req, "ETag", etag);
	if (c->lastmod[0] != '\0')
		http_resp_header(req, "Last-Modified", c->lastmod);
	snprintf(cc, sizeof cc, "public, max-age=%lld",
	    (long long)httpd_max_age(h, c, &w));
	http_resp_header(req, "Cache-Control", cc);
	http_resp_header(req, "Vary", "Accept-Encoding");
	if (h->d->conf->hub != NULL && w.archive == 0) {
		char link[HTTPD_URL_MAX * 2 + 64];

		snprintf(link, sizeof link, "<%s>; rel=\"hub\"",
		    h->d->conf->hub);
		http_resp_header(req, "Link", link);
	}
	/* If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). */
	inm = http_req_header(req, "If-None-Match");
	ims = http_req_header(req, "If-Modified-Since");
	if ((inm != NULL && httpd_inm_match(inm, etag)) || (inm == NULL &&
	    ims != NULL && (t = date_parse_rfc822(ims)) != DATE_UNKNOWN &&
	    c->modified <= t)) {
		http_reply(req, 304, NULL, NULL, 0);
		return route;
	}
	if (gz)
		http_resp_header(req, "Content-Encoding", "gzip");
	body = gz ? c->gz : c->body;
	len = gz ? c->gzlen : c->len;
	c->refs++;
	http_reply_ref(req, 200, c->mime, body, len, httpd_cached_unref, c);
	return route;
}

/* A time for the index: <time> in UTC, or "never". */
static void
html_time(struct buf *b, int64_t t)
{
	char	d[DATE_RFC3339_LEN];

	if (t <= 0 || date_format_rfc3339(t, d, sizeof d) == -1)
		buf_puts(b, "never");
	else {
		buf_puts(b, "<time datetime=\"");
		buf_puts(b, d);
		buf_puts(b, "\">");
		d[10] = ' ';
		d[16] = '\0';
		buf_puts(b, d);
		buf_puts(b, " UTC</time>");
	}
}

static const char *const httpd_format_names[][2] = {
	{ "atom", "Atom" }, { "rss", "RSS" }, { "json", "JSON Feed" },
};

/* One row of the sources table. */
static int
httpd_index_source(const struct store_source_info *si, void *arg)
{
	struct buf	*b = arg;
	const char	*state = si->state != NULL ? si->state : "new";

	buf_puts(b, "<tr><td><a href=\"/sources/");
	buf_xml(b, si->name);
	buf_puts(b, ".atom\">");
	buf_xml(b, si->name);
	buf_puts(b, "</a></td><td><a href=\"");
	buf_xml(b, si->cur_url != NULL ? si->cur_url : si->url);
	buf_puts(b, "\">");
	buf_xml(b, si->title != NULL ? si->title : si->url);
	buf_puts(b, "</a></td><td class=\"state-");
	buf_xml(b, state);
	buf_puts(b, "\">");
	buf_xml(b, state);
	if (si->failing_since > 0 && strcmp(state, "ok") != 0) {
		buf_puts(b, " since ");
		html_time(b, si->failing_since);
	}
	if (si->cur_url != NULL) {
		/* A permanent redirect was adopted. */
		buf_puts(b, "<br>moved to ");
		buf_xml(b, si->cur_url);
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

/* One row of the categories table, and the autodiscovery links in HEAD. */
static void
httpd_index_category(struct httpd *h, struct buf *b, const char *name,
    const char *title, const char *desc)
{
	struct store_view		 v;
	struct store_view_stats		 vs;

	memset(&v, 0, sizeof v);
	if (strcmp(name, "all") != 0)
		v.category = name;
	if (store_view_stats(h->d->store, &v, &vs) == -1)
		memset(&vs, 0, sizeof vs);
	buf_puts(b, "<tr><td><strong>");
	if (strcmp(name, "all") != 0) {
		/* A configured category links to the rules that fill it. */
		buf_puts(b, "<a href=\"/categories/");
		buf_xml(b, name);
		buf_puts(b, "\">");
		buf_xml(b, title);
		buf_puts(b, "</a>");
	} else
		buf_xml(b, title);
	buf_puts(b, "</strong>");
	if (desc != NULL) {
		buf_puts(b, "<br><small>");
		buf_xml(b, desc);
		buf_puts(b, "</small>");
	}
	buf_printf(b, "</td><td>%lld</td><td>", (long long)vs.count);
	html_time(b, vs.newest);
	buf_puts(b, "</td><td>");
	for (size_t i = 0; i < sizeof httpd_format_names /
	    sizeof httpd_format_names[0]; i++) {
		buf_puts(b, i > 0 ? " · <a href=\"/feeds/" :
		    "<a href=\"/feeds/");
		buf_xml(b, name);
		buf_printf(b, ".%s\">%s</a>", httpd_format_names[i][0],
		    httpd_format_names[i][1]);
	}
	buf_puts(b, "</td><td><a href=\"/opml");
	if (v.category != NULL) {
		buf_puts(b, "/");
		buf_xml(b, name);
	}
	buf_puts(b, "\">OPML</a></td></tr>\n");
}

/* Autodiscovery: one <link rel="alternate"> per format of NAME. */
static void
httpd_index_alternates(struct buf *b, const char *name, const char *title)
{
	for (size_t i = 0; i < sizeof httpd_format_names /
	    sizeof httpd_format_names[0]; i++) {
		const struct render_format *f = render_find(
		    httpd_format_names[i][0]);

		buf_puts(b, "<link rel=\"alternate\" type=\"");
		buf_add(b, f->mime, strcspn(f->mime, ";"));
		buf_puts(b, "\" title=\"");
		buf_xml(b, title);
		buf_printf(b, " (%s)\" href=\"/feeds/",
		    httpd_format_names[i][1]);
		buf_xml(b, name);
		buf_printf(b, ".%s\">\n", f->ext);
	}
}

/* GET / */
static void
httpd_index(struct httpd *h, struct http_req *req)
{
	const struct conf	*conf = h->d->conf;
	const char		*err = h->d->reload_error;
	struct buf		 b;
	uint64_t		 errh = err != NULL ? fnv_str(err) : 0;
	int64_t			 now = daemon_now();

	http_resp_header(req, "Cache-Control", "no-cache");
	if (h->index != NULL && h->index_at == now &&
	    h->index_gen == h->d->generation && h->index_err == errh) {
		http_reply(req, 200, "text/html; charset=utf-8", h->index,
		    h->index_len);
		return;
	}
	buf_init(&b, HTTPD_RENDER_MAX);
	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>feedmux</title>\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n");
	for (size_t i = 0; i < conf->ncategories; i++)
		httpd_index_alternates(&b, conf->categories[i].name,
		    conf->categories[i].title);
	httpd_index_alternates(&b, "all", "All entries");
	buf_puts(&b, "<style>body{font-family:sans-serif;max-width:75em;"
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
	buf_puts(&b, "<h2>Categories</h2>\n<table id=\"categories\">\n"
	    "<tr><th>Category</th><th>Entries</th><th>Last update</th>"
	    "<th>Subscribe</th><th>Sources</th></tr>\n");
	for (size_t i = 0; i < conf->ncategories; i++)
		httpd_index_category(h, &b, conf->categories[i].name,
		    conf->categories[i].title,
		    conf->categories[i].description);
	httpd_index_category(h, &b, "all", "All entries", NULL);
	buf_puts(&b, "</table>\n<h2>Sources</h2>\n<table id=\"sources\">\n"
	    "<tr><th>Name</th><th>Feed</th><th>Health</th>"
	    "<th>Last success</th><th>Next poll</th><th>Entries</th>"
	    "<th>Last error</th></tr>\n");
	store_sources_each(h->d->store, httpd_index_source, &b);
	buf_puts(&b, "</table>\n<p><small>feedmux " PACKAGE_VERSION
	    " · <a href=\"/opml\">OPML</a> · <a href=\"/metrics\">metrics</a>"
	    "</small></p>\n</body>\n</html>\n");
	if (b.failed) {
		buf_free(&b);
		httpd_text(req, 500, "cannot render the index\n");
		return;
	}
	http_reply(req, 200, "text/html; charset=utf-8", b.data, b.len);
	free(h->index);
	h->index = buf_release(&b, &h->index_len);
	h->index_at = now;
	h->index_gen = h->d->generation;
	h->index_err = errh;
}

struct httpd_opml {
	struct httpd	*h;
	struct buf	*b;
	/* only sources in it; NULL: those in none */
	const char	*category;
	int		 indent;
};

/* One <outline> for a source in the category being listed. */
static int
httpd_opml_source(const struct store_source_info *si, void *arg)
{
	struct httpd_opml		*o = arg;
	const struct conf_source	*cs;
	int				 in = 0;

	if ((cs = conf_source(o->h->d->conf, si->name)) == NULL)
		return 0;
	for (size_t i = 0; i < cs->ncategories; i++)
		if (o->category != NULL && strcmp(cs->categories[i],
		    o->category) == 0)
			in = 1;
	if (o->category == NULL ? cs->ncategories > 0 : !in)
		return 0;
	buf_printf(o->b, "%*s<outline type=\"rss\" text=\"", o->indent, "");
	buf_xml(o->b, si->title != NULL ? si->title : si->name);
	buf_puts(o->b, "\" title=\"");
	buf_xml(o->b, si->title != NULL ? si->title : si->name);
	buf_puts(o->b, "\" xmlUrl=\"");
	buf_xml(o->b, si->cur_url != NULL ? si->cur_url : si->url);
	buf_puts(o->b, "\"/>\n");
	return o->b->failed;
}

/* GET /opml and /opml/CATEGORY: OPML 2.0 of the sources feeding it. */
static void
httpd_opml(struct httpd *h, struct http_req *req, const char *category)
{
	const struct conf		*conf = h->d->conf;
	const struct conf_category	*cc = NULL;
	struct httpd_opml		 o;
	struct buf			 b;
	char				 d[DATE_RFC822_LEN];

	if (category != NULL && (!httpd_valid_name(category,
	    strlen(category)) || (cc = conf_category(conf, category)) ==
	    NULL)) {
		httpd_text(req, 404, "not found\n");
		return;
	}
	buf_init(&b, HTTPD_RENDER_MAX);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<opml version=\"2.0\">\n<head>\n<title>");
	buf_xml(&b, cc != NULL ? cc->title : "feedmux sources");
	buf_puts(&b, "</title>\n");
	if (date_format_rfc822(daemon_now(), d, sizeof d) != -1)
		buf_printf(&b, "<dateCreated>%s</dateCreated>\n", d);
	buf_puts(&b, "<docs>http://opml.org/spec2.opml</docs>\n</head>\n"
	    "<body>\n");
	o.h = h;
	o.b = &b;
	if (cc != NULL) {
		o.category = cc->name;
		o.indent = 0;
		store_sources_each(h->d->store, httpd_opml_source, &o);
	} else {
		for (size_t i = 0; i < conf->ncategories; i++) {
			buf_puts(&b, "<outline text=\"");
			buf_xml(&b, conf->categories[i].title);
			buf_puts(&b, "\" title=\"");
			buf_xml(&b, conf->categories[i].title);
			buf_puts(&b, "\">\n");
			o.category = conf->categories[i].name;
			o.indent = 2;
			store_sources_each(h->d->store, httpd_opml_source, &o);
			buf_puts(&b, "</outline>\n");
		}
		o.category = NULL;
		o.indent = 0;
		store_sources_each(h->d->store, httpd_opml_source, &o);
	}
	buf_puts(&b, "</body>\n</opml>\n");
	if (b.failed) {
		buf_free(&b);
		httpd_text(req, 500, "cannot render the OPML\n");
		return;
	}
	http_resp_header(req, "Cache-Control", "no-cache");
	http_reply(req, 200, "text/x-opml; charset=utf-8", b.data, b.len);
	buf_free(&b);
}

/* GET /healthz: the process answers and the database takes a write. */
static void
httpd_healthz(struct httpd *h, struct http_req *req)
{
	int64_t	now = daemon_now();

	/* One write a second at most, however often a prober asks. */
	if (now != h->health_at) {
		h->health_at = now;
		h->health_ok = store_check_writable(h->d->store, now) == 0;
	}
	http_resp_header(req, "Cache-Control", "no-store");
	if (h->health_ok)
		httpd_text(req, 200, "ok\n");
	else
		httpd_text(req, 503, "database not writable\n");
}

/* The metric lines of one source. */
static int
httpd_metrics_source(const struct store_source_metrics *m, void *arg)
{
	struct buf	*b = arg;
	const char	*n = m->name;

	buf_printf(b, "feedmux_source_last_success_timestamp_seconds"
	    "{source=\"%s\"} %lld\n", n, (long long)m->last_success);
	buf_printf(b, "feedmux_source_consecutive_failures{source=\"%s\"} "
	    "%d\n", n, m->failures);
	buf_printf(b, "feedmux_source_last_status{source=\"%s\"} %d\n", n,
	    m->last_status);
	buf_printf(b, "feedmux_source_up{source=\"%s\",state=\"%s\"} %d\n", n,
	    m->state != NULL ? m->state : "new", m->state != NULL &&
	    strcmp(m->state, "ok") == 0);
	buf_printf(b, "feedmux_source_polls_total{source=\"%s\"} %lld\n", n,
	    (long long)m->polls);
	buf_printf(b, "feedmux_source_not_modified_total{source=\"%s\"} "
	    "%lld\n", n, (long long)m->polls_304);
	buf_printf(b, "feedmux_source_not_modified_ratio{source=\"%s\"} %.4f\n",
	    n, m->polls > 0 ? (double)m->polls_304 / (double)m->polls : 0.0);
	buf_printf(b, "feedmux_source_received_bytes_total{source=\"%s\"} "
	    "%lld\n", n, (long long)m->bytes);
	buf_printf(b, "feedmux_source_new_entries_total{source=\"%s\"} %lld\n",
	    n, (long long)m->new_entries);
	buf_printf(b, "feedmux_source_entries{source=\"%s\"} %lld\n", n,
	    (long long)m->entries);
	return b->failed;
}

/* GET /metrics: Prometheus text format 0.0.4. */
static void
httpd_metrics(struct httpd *h, struct http_req *req)
{
	struct daemon	*d = h->d;
	struct buf	 b;

	buf_init(&b, HTTPD_RENDER_MAX);
	buf_puts(&b, "# HELP feedmux_source_last_success_timestamp_seconds "
	    "Last successful poll (0: never).\n"
	    "# TYPE feedmux_source_last_success_timestamp_seconds gauge\n"
	    "# TYPE feedmux_source_consecutive_failures gauge\n"
	    "# HELP feedmux_source_last_status HTTP status of the last poll "
	    "(0: no response).\n"
	    "# TYPE feedmux_source_last_status gauge\n"
	    "# TYPE feedmux_source_up gauge\n"
	    "# TYPE feedmux_source_polls_total counter\n"
	    "# TYPE feedmux_source_not_modified_total counter\n"
	    "# TYPE feedmux_source_not_modified_ratio gauge\n"
	    "# TYPE feedmux_source_received_bytes_total counter\n"
	    "# TYPE feedmux_source_new_entries_total counter\n"
	    "# TYPE feedmux_source_entries gauge\n");
	if (store_metrics_each(d->store, httpd_metrics_source, &b) == -1) {
		buf_free(&b);
		httpd_text(req, 500, "cannot read the database\n");
		return;
	}
	buf_puts(&b, "# HELP feedmux_http_requests_total HTTP requests "
	    "answered, by route and status (0: other).\n"
	    "# TYPE feedmux_http_requests_total counter\n");
	for (int r = 0; r < ROUTE_COUNT; r++)
		for (size_t s = 0; s < HTTPD_NSTATUS; s++)
			if (h->requests[r][s] > 0)
				buf_printf(&b, "feedmux_http_requests_total"
				    "{route=\"%s\",status=\"%d\"} %llu\n",
				    httpd_route_names[r], httpd_statuses[s],
				    (unsigned long long)h->requests[r][s]);
	buf_printf(&b, "# TYPE feedmux_http_connections gauge\n"
	    "feedmux_http_connections %d\n", http_connections(h->http));
	buf_printf(&b, "# HELP feedmux_http_connections_shed_total Idle "
	    "connections closed to make room at max_connections.\n"
	    "# TYPE feedmux_http_connections_shed_total counter\n"
	    "feedmux_http_connections_shed_total %llu\n",
	    (unsigned long long)http_shed_count(h->http));
	buf_printf(&b, "# HELP feedmux_renders_total Documents rendered "
	    "(cache misses).\n# TYPE feedmux_renders_total counter\n"
	    "feedmux_renders_total %llu\n", (unsigned long long)h->renders);
	buf_printf(&b, "# TYPE feedmux_render_cache_documents gauge\n"
	    "feedmux_render_cache_documents %zu\n"
	    "# TYPE feedmux_render_cache_bytes gauge\n"
	    "feedmux_render_cache_bytes %zu\n", h->ncached, h->cached_bytes);
	buf_printf(&b, "# HELP feedmux_poll_inflight Transfers in flight.\n"
	    "# TYPE feedmux_poll_inflight gauge\nfeedmux_poll_inflight %zu\n"
	    "# HELP feedmux_poll_queued Transfers waiting for a slot.\n"
	    "# TYPE feedmux_poll_queued gauge\nfeedmux_poll_queued %zu\n",
	    fetch_inflight(d->fetch), fetch_queued(d->fetch));
	buf_printf(&b, "# TYPE feedmux_websub_pings_total counter\n"
	    "feedmux_websub_pings_total %llu\n"
	    "# TYPE feedmux_websub_ping_failures_total counter\n"
	    "feedmux_websub_ping_failures_total %llu\n",
	    (unsigned long long)h->hub_pings,
	    (unsigned long long)h->hub_failures);
	buf_printf(&b, "# HELP feedmux_database_size_bytes Size of the "
	    "SQLite database.\n# TYPE feedmux_database_size_bytes gauge\n"
	    "feedmux_database_size_bytes %lld\n",
	    (long long)store_size(d->store));
	buf_printf(&b, "# TYPE feedmux_start_time_seconds gauge\n"
	    "feedmux_start_time_seconds %lld\n", (long long)d->started);
	if (b.failed) {
		buf_free(&b);
		httpd_text(req, 500, "cannot render the metrics\n");
		return;
	}
	http_resp_header(req, "Cache-Control", "no-store");
	http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    b.data, b.len);
	buf_free(&b);
}

/* Counts an answered request by route and status. */
static void
httpd_count(struct httpd *h, enum httpd_route route, int status)
{
	size_t	s;

	for (s = 0; s < HTTPD_NSTATUS - 1; s++)
		if (httpd_statuses[s] == status)
			break;
	h->requests[route][s]++;
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
httpd_category_rules(struct httpd *h, struct http_req *req, const char *name)
{
	const struct conf		*conf = h->d->conf;
	const struct conf_category	*c;
	struct buf			 b;

	if (!httpd_valid_name(name, strlen(name)) ||
	    (c = conf_category(conf, name)) == NULL) {
		httpd_text(req, 404, "not found\n");
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
	if (b.failed) {
		buf_free(&b);
		httpd_text(req, 500, "cannot render the page\n");
		return;
	}
	http_resp_header(req, "Cache-Control", "no-cache");
	http_reply(req, 200, "text/html; charset=utf-8", b.data, b.len);
	buf_free(&b);
}

/* Every request: method check, then the routes. */
static void
httpd_request(struct http_req *req, void *arg)
{
	struct httpd		*h = arg;
	const char		*path = http_req_path(req);
	enum httpd_route	 route = ROUTE_OTHER;

	/*
	 * Paths are matched raw: names are [A-Za-z0-9._-], so anything
	 * percent-encoded (traversal attempts included) is simply not found.
	 */
	if (strcmp(path, "/") == 0)
		route = ROUTE_INDEX;
	else if (strncmp(path, "/feeds/", 7) == 0)
		route = ROUTE_FEED;
	else if (strncmp(path, "/sources/", 9) == 0)
		route = ROUTE_SOURCE;
	else if (strcmp(path, "/opml") == 0 || strncmp(path, "/opml/", 6) == 0)
		route = ROUTE_OPML;
	else if (strcmp(path, "/healthz") == 0)
		route = ROUTE_HEALTHZ;
	else if (strcmp(path, "/metrics") == 0)
		route = ROUTE_METRICS;
	else if (strncmp(path, "/categories/", 12) == 0)
		route = ROUTE_RULES;

	/*
	 * Polls stored but parked (see poll.c) commit before anyone sees them.
	 */
	if (route != ROUTE_OTHER)
		(void)store_flush(h->d->store);
	if (route == ROUTE_OTHER)
		httpd_text(req, 404, "not found\n");
	else if (http_req_method(req) == HTTP_OTHER) {
		http_resp_header(req, "Allow", "GET, HEAD");
		httpd_text(req, 405, "method not allowed\n");
	} else if (route == ROUTE_INDEX)
		httpd_index(h, req);
	else if (route == ROUTE_FEED)
		route = httpd_feed(h, req, path + 7, 0);
	else if (route == ROUTE_SOURCE)
		route = httpd_feed(h, req, path + 9, 1);
	else if (route == ROUTE_OPML)
		httpd_opml(h, req, path[5] == '/' ? path + 6 : NULL);
	else if (route == ROUTE_HEALTHZ)
		httpd_healthz(h, req);
	else if (route == ROUTE_RULES)
		httpd_category_rules(h, req, path + 12);
	else
		httpd_metrics(h, req);
	httpd_count(h, route, http_req_status(req));
}

/* The hub answered a publish ping. */
static void
httpd_hub_done(const struct fetch_result *r, void *arg)
{
	struct httpd	*h = arg;

	if (r->error != FETCH_OK || r->status < 200 || r->status > 299) {
		h->hub_failures++;
		log_warnx("websub: hub ping failed: %s", r->error != FETCH_OK ?
		    r->errmsg : "HTTP error status");
	} else
		log_debug("websub: hub answered %ld", r->status);
}

/* Tells the hub that the feeds of VIEW (a category or "all") changed. */
static void
httpd_hub_ping(struct httpd *h, const char *name)
{
	struct daemon		*d = h->d;
	struct fetch_req	 fr;
	struct buf		 body;
	char			 url[HTTPD_URL_MAX], base[HTTPD_BASE_MAX];
	size_t			 n;

	/* Topics as readers see them: the public URL, else where we listen. */
	if (d->conf->public_url != NULL) {
		n = strlen(d->conf->public_url);
		while (n > 0 && d->conf->public_url[n - 1] == '/')
			n--;
		snprintf(base, sizeof base, "%.*s", (int)n,
		    d->conf->public_url);
	} else
		httpd_url(base, sizeof base, "%s", h->local);
	buf_init(&body, 16 * 1024);
	buf_puts(&body, "hub.mode=publish");
	for (size_t i = 0; i < sizeof httpd_format_names /
	    sizeof httpd_format_names[0]; i++) {
		/* Names are [A-Za-z0-9._-]: nothing in them needs encoding. */
		snprintf(url, sizeof url, "%s/feeds/%s.%s", base, name,
		    httpd_format_names[i][0]);
		buf_puts(&body, "&hub.url=");
		for (const char *p = url; *p != '\0'; p++) {
			if (*p == ':' || *p == '/')
				buf_printf(&body, "%%%02X", (unsigned char)*p);
			else
				buf_add(&body, p, 1);
		}
	}
	if (body.failed) {
		buf_free(&body);
		return;
	}
	memset(&fr, 0, sizeof fr);
	fr.url = d->conf->hub;
	fr.user_agent = d->conf->user_agent;
	fr.allow_private = d->conf->allow_private;
	fr.tls_insecure = !d->conf->tls_verify;
	fr.max_body = 64 * 1024;
	fr.timeout = 30;
	fr.post = body.data;
	h->hub_pings++;
	if (fetch_start(d->fetch, &fr, httpd_hub_done, h) == NULL)
		h->hub_failures++;
	buf_free(&body);
}

/* The pings' moment came: one per changed category (and all). */
static void
httpd_hub_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd		*h = arg;
	struct httpd_seq	*s;

	(void)fd;
	(void)what;
	for (int i = 0; i < HTTPD_BUCKETS; i++)
		for (s = h->seqs[i]; s != NULL; s = s->next) {
			if (!s->ping)
				continue;
			s->ping = 0;
			if (h->d->conf->hub == NULL)
				continue;
			if (strncmp(s->key, "c:", 2) == 0 &&
			    conf_category(h->d->conf, s->key + 2) != NULL)
				httpd_hub_ping(h, s->key + 2);
			else if (strcmp(s->key, "all") == 0)
				httpd_hub_ping(h, "all");
		}
}

void
httpd_changed(struct httpd *h, const struct conf_source *cs)
{
	struct timeval	 tv = { HTTPD_HUB_DELAY, 0 };

	if (h == NULL)
		return;
	httpd_seq_bump(h, "", "all");
	httpd_seq_bump(h, "s:", cs->name);
	for (size_t i = 0; i < cs->ncategories; i++)
		httpd_seq_bump(h, "c:", cs->categories[i]);
	/* Categories whose rules may have taken this source's entries. */
	for (size_t i = 0; i < h->d->conf->ncategories; i++) {
		const struct conf_category *cc = &h->d->conf->categories[i];
		int may = cc->nterms > 0 || cc->nmatch > 0 ||
		    cc->nmatch_title > 0 || cc->nincludes > 0;

		for (size_t k = 0; !may && k < cc->nsources; k++)
			may = strcmp(cc->sources[k], cs->name) == 0;
		if (may)
			httpd_seq_bump(h, "c:", cc->name);
	}
	/* A burst of polls (a start, a busy minute) makes one ping per feed. */
	if (h->d->conf->hub != NULL && h->hub_timer != NULL &&
	    !evtimer_pending(h->hub_timer, NULL))
		evtimer_add(h->hub_timer, &tv);
}

void
httpd_category_changed(struct httpd *h, const char *name)
{
	struct timeval	 tv = { HTTPD_HUB_DELAY, 0 };

	if (h == NULL)
		return;
	httpd_seq_bump(h, "c:", name);
	if (h->d->conf->hub != NULL && h->hub_timer != NULL &&
	    !evtimer_pending(h->hub_timer, NULL))
		evtimer_add(h->hub_timer, &tv);
}

/* Limits of the HTTP server, from the config. */
static void
httpd_limits(const struct daemon *d, struct http_limits *lim)
{
	memset(lim, 0, sizeof *lim);
	lim->max_head = HTTPD_MAX_HEAD;
	lim->max_uri = HTTPD_MAX_URI;
	lim->max_conns = d->conf->max_connections > 0 ?
	    (int)d->conf->max_connections : HTTPD_MAX_CONNS;
	lim->timeout = d->conf->http_timeout > 0 ?
	    (int)d->conf->http_timeout : HTTPD_TIMEOUT;
	/* The transfers' sockets and pipes, and the idle connections kept. */
	lim->spare_fds = (int)fetch_fds((long)d->conf->max_transfers);
}

struct httpd *
httpd_new(struct daemon *d)
{
	struct httpd		*h;
	struct http_limits	 lim;
	char			 bound[HTTPD_BASE_MAX];

	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;
	h->d = d;
	httpd_limits(d, &lim);
	if ((h->http = http_new(d->base, &lim, httpd_request, h)) == NULL ||
	    (h->hub_timer = evtimer_new(d->base, httpd_hub_cb, h)) == NULL) {
		httpd_free(h);
		return NULL;
	}
	if (http_listen_tcp(h->http, d->conf->listen_host,
	    d->conf->listen_port, bound, sizeof bound) == -1 ||
	    (d->conf->listen_unix != NULL && http_listen_unix(h->http,
	    d->conf->listen_unix) == -1)) {
		httpd_free(h);
		return NULL;
	}
	snprintf(h->local, sizeof h->local, "http://%s", bound);
	return h;
}

struct httpd *
httpd_new_fd(struct daemon *d, int fd)
{
	struct httpd		*h;
	struct http_limits	 lim;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 host[INET6_ADDRSTRLEN] = "?";

	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;
	h->d = d;
	httpd_limits(d, &lim);
	if ((h->http = http_new(d->base, &lim, httpd_request, h)) == NULL ||
	    (h->hub_timer = evtimer_new(d->base, httpd_hub_cb, h)) == NULL ||
	    http_listen_fd(h->http, fd) == -1) {
		log_warnx("httpd: cannot serve on inherited socket %d", fd);
		httpd_free(h);
		return NULL;
	}
	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		ss.ss_family = AF_UNSPEC;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		snprintf(h->local, sizeof h->local, "http://[%s]:%d", host,
		    ntohs(s6->sin6_port));
	} else if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		snprintf(h->local, sizeof h->local, "http://%s:%d", host,
		    ntohs(s4->sin_port));
	} else
		snprintf(h->local, sizeof h->local, "http://localhost");
	log_info("httpd: listening on %s (socket activation)", h->local + 7);
	return h;
}

void
httpd_free(struct httpd *h)
{
	struct httpd_seq	*s, *next;

	if (h == NULL)
		return;
	if (h->hub_timer != NULL)
		event_free(h->hub_timer);
	http_free(h->http);	/* replies in flight drop their references */
	while (h->lru != NULL)
		httpd_cache_drop(h, h->lru);
	for (int i = 0; i < HTTPD_BUCKETS; i++)
		for (s = h->seqs[i]; s != NULL; s = next) {
			next = s->next;
			free(s);
		}
	free(h->index);
	free(h);
}

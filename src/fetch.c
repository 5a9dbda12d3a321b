/* fetch: libcurl multi on libevent, caps and the SSRF guard; see fetch.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "fetch.h"
#include "log.h"

#define FETCH_HEADER_MAX	(64 * 1024)	/* all header bytes of one transfer */
#define FETCH_MAX_REDIRS	5
#define FETCH_CONNECT_TIMEOUT	20L
#define FETCH_LOWSPEED_BYTES	64L		/* below this many bytes/s ... */
#define FETCH_LOWSPEED_TIME	30L		/* ... for this long: abort */

/* Response headers we keep; reset on every new response (redirect hops). */
enum {
	HDR_ETAG, HDR_LASTMOD, HDR_RETRY, HDR_CACHE, HDR_EXPIRES, HDR_LOCATION,
	HDR_CTYPE, HDR_CLOCATION, HDR_CLANG, HDR_MAX
};
static const char *const hdr_names[HDR_MAX] = {
	"etag", "last-modified", "retry-after", "cache-control", "expires",
	"location", "content-type", "content-location", "content-language",
};

struct fetch_xfer {
	struct fetch		*f;
	CURL			*easy;
	struct curl_slist	*headers;
	fetch_done_cb		 cb;
	void			*arg;
	int			 running;	/* added to the multi handle */
	char			*url;
	char			*user_agent;
	char			*etag;
	char			*last_modified;
	char			*post;
	int			 allow_private;
	int64_t			 max_body;
	long			 timeout;

	char			*body;
	size_t			 len, cap;
	size_t			 header_bytes;
	char			*hdr[HDR_MAX];
	char			*first_location;
	long			 first_status;
	int			 responses;
	int			 cf_mitigated;
	enum fetch_error	 error;
	char			 errbuf[CURL_ERROR_SIZE];
	struct timespec		 started;

	struct fetch_xfer	*next;		/* in the wait queue */
	struct event		*failev;	/* reports a refused start */
};

struct fetch {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	long			 max;
	size_t			 inflight;
	size_t			 queued;
	struct fetch_xfer	*qhead, *qtail;
};

/* Per-socket context, owned by curl's socket callback. */
struct fetch_sock {
	struct fetch	*f;
	curl_socket_t	 fd;
	struct event	*ev;
};

static void	fetch_drain(struct fetch *);
static void	fetch_fill(struct fetch *);
static void	fetch_xfer_free(struct fetch_xfer *);

static int64_t
elapsed_ms(const struct timespec *since)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - since->tv_sec) * 1000 +
	    (now.tv_nsec - since->tv_nsec) / 1000000;
}

int
fetch_addr_public(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;
		uint32_t a = ntohl(sin->sin_addr.s_addr);

		/* Non-public IPv4 ranges (RFC 6890 and friends). */
		static const struct { uint32_t net, mask; } deny[] = {
			{ 0x00000000, 0xff000000 },	/* 0/8 this network */
			{ 0x0a000000, 0xff000000 },	/* 10/8 */
			{ 0x64400000, 0xffc00000 },	/* 100.64/10 CGNAT */
			{ 0x7f000000, 0xff000000 },	/* 127/8 loopback */
			{ 0xa9fe0000, 0xffff0000 },	/* 169.254/16 link-local */
			{ 0xac100000, 0xfff00000 },	/* 172.16/12 */
			{ 0xc0000000, 0xffffff00 },	/* 192.0.0/24 IETF */
			{ 0xc0000200, 0xffffff00 },	/* 192.0.2/24 TEST-NET-1 */
			{ 0xc0586300, 0xffffff00 },	/* 192.88.99/24 6to4 relay */
			{ 0xc0a80000, 0xffff0000 },	/* 192.168/16 */
			{ 0xc6120000, 0xfffe0000 },	/* 198.18/15 benchmarking */
			{ 0xc6336400, 0xffffff00 },	/* 198.51.100/24 TEST-NET-2 */
			{ 0xcb007100, 0xffffff00 },	/* 203.0.113/24 TEST-NET-3 */
			{ 0xe0000000, 0xf0000000 },	/* 224/4 multicast */
			{ 0xf0000000, 0xf0000000 },	/* 240/4 reserved, broadcast */
		};
		for (size_t i = 0; i < sizeof deny / sizeof deny[0]; i++)
			if ((a & deny[i].mask) == deny[i].net)
				return 0;
		return 1;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;
		const uint8_t *b = sin6->sin6_addr.s6_addr;
		static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
		static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
		struct sockaddr_in v4;

		/* Embedded IPv4 (mapped, NAT64): judge the IPv4 address. */
		if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0) {
			memset(&v4, 0, sizeof v4);
			v4.sin_family = AF_INET;
			memcpy(&v4.sin_addr, b + 12, 4);
			if (memcmp(b, nat64, 12) == 0)
				return 0;	/* NAT64 reaches anything: refuse */
			return fetch_addr_public((struct sockaddr *)&v4);
		}
		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ||
		    IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
		    IN6_IS_ADDR_V4COMPAT(&sin6->sin6_addr))
			return 0;
		if ((b[0] & 0xfe) == 0xfc ||		/* fc00::/7 ULA */
		    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10 */
		    (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || /* fec0::/10 */
		    b[0] == 0xff ||			/* multicast */
		    (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d &&
		    b[3] == 0xb8) ||			/* 2001:db8::/32 doc */
		    (b[0] == 0x01 && b[1] == 0x00 && memcmp(b + 2,
		    "\0\0\0\0\0\0", 6) == 0) ||	/* 100::/64 discard */
		    (b[0] == 0x20 && b[1] == 0x02))	/* 2002::/16 6to4 */
			return 0;
		/* 2001::/23 IETF protocol assignments (Teredo, ORCHID ...). */
		if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02)
			return 0;
		return 1;
	}
	return 0;
}

/* Every connection, after DNS and on every redirect hop: the SSRF guard. */
static curl_socket_t
fetch_opensocket_cb(void *arg, curlsocktype purpose,
    struct curl_sockaddr *addr)
{
	struct fetch_xfer	*x = arg;

	(void)purpose;
	if (!x->allow_private && !fetch_addr_public(&addr->addr)) {
		x->error = FETCH_ERR_POLICY;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* Body bytes, already decoded: the cap counts what we would have to parse. */
static size_t
fetch_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_xfer	*x = arg;
	size_t			 n = size * nmemb, cap;
	char			*p;

	if ((int64_t)(x->len + n) > x->max_body) {
		x->error = FETCH_ERR_TOOBIG;
		return 0;
	}
	if (x->len + n + 1 > x->cap) {
		cap = x->cap == 0 ? 64 * 1024 : x->cap;
		while (cap < x->len + n + 1)
			cap *= 2;
		if ((p = realloc(x->body, cap)) == NULL)
			return 0;
		x->body = p;
		x->cap = cap;
	}
	memcpy(x->body + x->len, data, n);
	x->len += n;
	x->body[x->len] = '\0';
	return n;
}

static void
fetch_headers_reset(struct fetch_xfer *x)
{
	for (int i = 0; i < HDR_MAX; i++) {
		free(x->hdr[i]);
		x->hdr[i] = NULL;
	}
	x->cf_mitigated = 0;
}

/* Header lines of every response; each status line starts a new set. */
static size_t
fetch_header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_xfer	*x = arg;
	size_t			 n = size * nmemb, namelen;
	const char		*colon, *v, *end;

	x->header_bytes += n;
	if (x->header_bytes > FETCH_HEADER_MAX) {
		x->error = FETCH_ERR_HEADERS;
		return 0;
	}
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		long status = 0;
		const char *sp = memchr(data, ' ', n);

		if (sp != NULL && (size_t)(sp - data) + 4 <= n)
			status = strtol(sp + 1, NULL, 10);
		/* Interim 1xx responses do not start a new response. */
		if (status >= 200) {
			if (x->responses++ == 0)
				x->first_status = status;
			if (x->responses > 1 && x->first_location == NULL &&
			    x->hdr[HDR_LOCATION] != NULL) {
				x->first_location = x->hdr[HDR_LOCATION];
				x->hdr[HDR_LOCATION] = NULL;
			}
			fetch_headers_reset(x);
		}
		return n;
	}
	if ((colon = memchr(data, ':', n)) == NULL)
		return n;
	namelen = colon - data;
	end = data + n;
	while (end > colon + 1 && (end[-1] == '\r' || end[-1] == '\n' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	if (namelen == 12 && strncasecmp(data, "cf-mitigated", 12) == 0) {
		x->cf_mitigated = 1;
		return n;
	}
	for (int i = 0; i < HDR_MAX; i++) {
		if (strlen(hdr_names[i]) != namelen ||
		    strncasecmp(data, hdr_names[i], namelen) != 0)
			continue;
		free(x->hdr[i]);
		x->hdr[i] = strndup(v, end - v);
		break;
	}
	return n;
}

/* Configures the easy handle of X; -1 when curl refuses an option. */
static int
fetch_setup(struct fetch_xfer *x)
{
	CURL	*e = x->easy;
	char	*h;
	int	 bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_URL, x->url) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, x) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT, x->timeout) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
	    x->timeout < FETCH_CONNECT_TIMEOUT ? x->timeout :
	    FETCH_CONNECT_TIMEOUT) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
	    FETCH_LOWSPEED_BYTES) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
	    FETCH_LOWSPEED_TIME) != CURLE_OK;
	/* "" offers every encoding this libcurl decodes (gzip, deflate, br ...). */
	bad |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, x->user_agent) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, x) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, fetch_header_cb) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, x) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION,
	    fetch_opensocket_cb) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)x->max_body) != CURLE_OK;

	x->headers = curl_slist_append(NULL, "Accept: application/atom+xml, "
	    "application/rss+xml, application/feed+json, application/xml;q=0.9,"
	    " text/xml;q=0.9, */*;q=0.5");
	if (x->etag != NULL && asprintf(&h, "If-None-Match: %s", x->etag) != -1) {
		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	if (x->last_modified != NULL &&
	    asprintf(&h, "If-Modified-Since: %s", x->last_modified) != -1) {
		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers) != CURLE_OK;
	/* A WebSub ping: a form body, copied by curl. */
	if (x->post != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, x->post) !=
		    CURLE_OK;
	return bad ? -1 : 0;
}

static void	fetch_finish(struct fetch_xfer *, CURLcode);

/* Reports a transfer that curl refused to start, from a fresh loop turn. */
static void
fetch_failed_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_xfer	*x = arg;
	struct fetch		*f = x->f;

	(void)fd;
	(void)what;
	fetch_finish(x, CURLE_FAILED_INIT);
	fetch_xfer_free(x);
	fetch_fill(f);
}

/* Adds the transfer to the multi handle. */
static void
fetch_run(struct fetch_xfer *x)
{
	struct fetch	*f = x->f;
	struct timeval	 now = { 0, 0 };
	CURLMcode	 rc;

	clock_gettime(CLOCK_MONOTONIC, &x->started);
	if ((rc = curl_multi_add_handle(f->multi, x->easy)) == CURLM_OK) {
		x->running = 1;
		f->inflight++;
		return;
	}
	x->error = FETCH_ERR_TRANSPORT;
	snprintf(x->errbuf, sizeof x->errbuf, "%s", curl_multi_strerror(rc));
	/* Never call back into the caller's stack: report on the next turn. */
	if ((x->failev = evtimer_new(f->base, fetch_failed_cb, x)) != NULL)
		evtimer_add(x->failev, &now);
	else
		fatalx("fetch: out of memory");
}

static void
fetch_finish(struct fetch_xfer *x, CURLcode code)
{
	struct fetch_result	 r;
	char			*eff = NULL;
	char			 msg[CURL_ERROR_SIZE + 64];

	memset(&r, 0, sizeof r);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff);
	r.effective_url = eff != NULL ? eff : x->url;
	r.duration_ms = elapsed_ms(&x->started);
	r.body = x->body != NULL ? x->body : "";
	r.len = x->len;
	r.etag = x->hdr[HDR_ETAG];
	r.last_modified = x->hdr[HDR_LASTMOD];
	r.retry_after = x->hdr[HDR_RETRY];
	r.cache_control = x->hdr[HDR_CACHE];
	r.expires = x->hdr[HDR_EXPIRES];
	r.content_type = x->hdr[HDR_CTYPE];
	r.content_location = x->hdr[HDR_CLOCATION];
	r.content_language = x->hdr[HDR_CLANG];
	r.location = x->first_location != NULL ? x->first_location :
	    x->hdr[HDR_LOCATION];
	r.first_status = x->first_status;
	r.cf_mitigated = x->cf_mitigated;

	if (code != CURLE_OK || x->error != FETCH_OK) {
		r.error = x->error;
		/* curl's own size check fires first when Content-Length is known. */
		if (r.error == FETCH_OK && code == CURLE_FILESIZE_EXCEEDED)
			r.error = FETCH_ERR_TOOBIG;
		else if (r.error == FETCH_OK)
			r.error = code == CURLE_OPERATION_TIMEDOUT ?
			    FETCH_ERR_TIMEOUT : FETCH_ERR_TRANSPORT;
		switch (r.error) {
		case FETCH_ERR_POLICY:
			snprintf(msg, sizeof msg, "blocked by policy: address "
			    "is private or reserved (allow_private = yes "
			    "permits it)");
			break;
		case FETCH_ERR_TOOBIG:
			snprintf(msg, sizeof msg, "response body over %lld "
			    "bytes", (long long)x->max_body);
			break;
		case FETCH_ERR_HEADERS:
			snprintf(msg, sizeof msg, "response headers over %d "
			    "bytes", FETCH_HEADER_MAX);
			break;
		default:
			snprintf(msg, sizeof msg, "%s", x->errbuf[0] != '\0' ?
			    x->errbuf : curl_easy_strerror(code));
			break;
		}
		r.errmsg = msg;
		/* A partial body is no body. */
		r.body = "";
		r.len = 0;
	}
	x->cb(&r, x->arg);
}

/* Moves queued transfers into free slots. */
static void
fetch_fill(struct fetch *f)
{
	struct fetch_xfer	*x;

	while (f->qhead != NULL && (long)f->inflight < f->max) {
		x = f->qhead;
		f->qhead = x->next;
		if (f->qhead == NULL)
			f->qtail = NULL;
		x->next = NULL;
		f->queued--;
		fetch_run(x);
	}
}

/* Collects finished transfers after socket actions. */
static void
fetch_drain(struct fetch *f)
{
	CURLMsg			*m;
	struct fetch_xfer	*x;
	int			 left;

	while ((m = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		CURLcode code = m->data.result;
		/* Read everything before the handle leaves the multi. */
		fetch_finish(x, code);
		fetch_xfer_free(x);
	}
	fetch_fill(f);
}

static void
fetch_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_sock	*s = arg;
	struct fetch		*f = s->f;
	int			 flags = 0, running;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(f->multi, fd, flags, &running);
	fetch_drain(f);
}

static void
fetch_timer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch	*f = arg;
	int		 running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	fetch_drain(f);
}

/* curl's timer: only arms our event; libcurl is never called from here. */
static int
fetch_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct fetch	*f = arg;
	struct timeval	 tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(f->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(f->timer, &tv);
	return 0;
}

/* curl's socket callback: one re-armed persistent event per socket. */
static int
fetch_socket_cb(CURL *easy, curl_socket_t fd, int what, void *arg,
    void *sockp)
{
	struct fetch		*f = arg;
	struct fetch_sock	*s = sockp;
	short			 kind = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			free(s);
			curl_multi_assign(f->multi, fd, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (s == NULL) {
		if ((s = calloc(1, sizeof *s)) == NULL)
			return -1;
		s->f = f;
		s->fd = fd;
		curl_multi_assign(f->multi, fd, s);
	} else
		event_free(s->ev);
	s->ev = event_new(f->base, fd, kind, fetch_event_cb, s);
	if (s->ev == NULL)
		return -1;
	event_add(s->ev, NULL);
	return 0;
}

struct fetch *
fetch_new(struct event_base *base, long max_transfers)
{
	struct fetch	*f;

	if ((f = calloc(1, sizeof *f)) == NULL)
		return NULL;
	f->base = base;
	f->max = max_transfers > 0 ? max_transfers : 1;
	if ((f->multi = curl_multi_init()) == NULL ||
	    (f->timer = evtimer_new(base, fetch_timer_event_cb, f)) == NULL) {
		fetch_free(f);
		return NULL;
	}
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	/* HTTP/2 multiplexing where offered; connection reuse across polls. */
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, f->max * 2);
	return f;
}

void
fetch_set_max(struct fetch *f, long max_transfers)
{
	f->max = max_transfers > 0 ? max_transfers : 1;
	fetch_fill(f);
}

void
fetch_free(struct fetch *f)
{
	struct fetch_xfer	*x, *next;

	if (f == NULL)
		return;
	for (x = f->qhead; x != NULL; x = next) {
		next = x->next;
		x->next = NULL;
		f->queued--;
		fetch_xfer_free(x);
	}
	f->qhead = f->qtail = NULL;
	if (f->multi != NULL)
		curl_multi_cleanup(f->multi);
	if (f->timer != NULL)
		event_free(f->timer);
	free(f);
}

static char *
strdup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct fetch_xfer *
fetch_start(struct fetch *f, const struct fetch_req *req, fetch_done_cb cb,
    void *arg)
{
	struct fetch_xfer	*x;

	if ((x = calloc(1, sizeof *x)) == NULL)
		return NULL;
	x->f = f;
	x->cb = cb;
	x->arg = arg;
	x->allow_private = req->allow_private;
	x->max_body = req->max_body;
	x->timeout = req->timeout;
	x->url = strdup(req->url);
	x->user_agent = strdup(req->user_agent);
	x->etag = strdup_or_null(req->etag);
	x->last_modified = strdup_or_null(req->last_modified);
	x->post = strdup_or_null(req->post);
	if (x->url == NULL || x->user_agent == NULL ||
	    (req->post != NULL && x->post == NULL) ||
	    (req->etag != NULL && x->etag == NULL) ||
	    (req->last_modified != NULL && x->last_modified == NULL) ||
	    (x->easy = curl_easy_init()) == NULL || fetch_setup(x) == -1) {
		fetch_xfer_free(x);
		return NULL;
	}
	if ((long)f->inflight < f->max && f->qhead == NULL)
		fetch_run(x);
	else {
		if (f->qtail != NULL)
			f->qtail->next = x;
		else
			f->qhead = x;
		f->qtail = x;
		f->queued++;
	}
	return x;
}

static void
fetch_xfer_free(struct fetch_xfer *x)
{
	struct fetch	*f = x->f;

	if (x->easy != NULL) {
		if (x->running) {
			curl_multi_remove_handle(f->multi, x->easy);
			f->inflight--;
		}
		curl_easy_cleanup(x->easy);
	}
	if (x->failev != NULL)
		event_free(x->failev);
	curl_slist_free_all(x->headers);
	fetch_headers_reset(x);
	free(x->first_location);
	free(x->body);
	free(x->url);
	free(x->user_agent);
	free(x->etag);
	free(x->last_modified);
	free(x->post);
	free(x);
}

void
fetch_cancel(struct fetch_xfer *x)
{
	struct fetch		*f = x->f;
	struct fetch_xfer	**pp;

	if (!x->running) {
		for (pp = &f->qhead; *pp != NULL; pp = &(*pp)->next) {
			if (*pp != x)
				continue;
			*pp = x->next;
			f->queued--;
			break;
		}
		f->qtail = NULL;
		for (struct fetch_xfer *q = f->qhead; q != NULL; q = q->next)
			f->qtail = q;
	}
	fetch_xfer_free(x);
	fetch_fill(f);
}

size_t
fetch_inflight(const struct fetch *f)
{
	return f->inflight;
}

size_t
fetch_queued(const struct fetch *f)
{
	return f->queued;
}

/* fetch: libcurl multi on libevent, caps and the SSRF guard; see fetch.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "conf.h"
#include "date.h"
#include "decode.h"
#include "fetch.h"
#include "fnv.h"
#include "host.h"
#include "jitter.h"
#include "log.h"
#include "mono.h"

/* all header bytes of one transfer */
#define FETCH_HEADER_MAX	(64 * 1024)
#define FETCH_MAX_REDIRS	5
#define FETCH_HOST_MAX		256		/* bytes of a host name */
#define FETCH_HOST_CONNECTIONS	2		/* per-host limit defaults */
#define FETCH_HOST_DELAY_MS	100
#define FETCH_IDLE_PER_SLOT	32		/* idle connections kept ... */
#define FETCH_IDLE_MAX		4096		/* ... at most (descriptors) */
#define FETCH_FDS_OTHER		256		/* descriptors left to others */
#define FETCH_DNS_TTL		60		/* seconds, curl's default */
#define FETCH_ENGINES_MAX	4		/* curl threads, at most ... */
#define FETCH_ENGINE_MIN	8		/* ... this many slots each */
#define FETCH_DNS_PRUNE_MS	(30 * 1000)	/* see fetch_setup */

/* Response headers we keep; reset on every new response (redirect hops). */
enum {
	HDR_ETAG, HDR_LASTMOD, HDR_RETRY, HDR_CACHE, HDR_EXPIRES, HDR_LOCATION,
	HDR_CTYPE, HDR_CLOCATION, HDR_CLANG, HDR_CENC, HDR_MAX
};
static const char *const hdr_names[HDR_MAX] = {
	"etag", "last-modified", "retry-after", "cache-control", "expires",
	"location", "content-type", "content-location", "content-language",
	"content-encoding",
};

struct fetch_xfer {
	struct fetch_engine	*f;
	CURL			*easy;
	struct curl_slist	*headers;
	fetch_done_cb		 cb;
	void			*arg;
	int			 running;	/* added to the multi handle */
	int			 waiting;	/* in the host table */
	char			*url;
	char			*user_agent;
	char			*etag;
	char			*last_modified;
	char			*post;
	char			*proxy;
	uint64_t		 who;		/* hash of the source's name */
	int			 allow_private;
	int			 tls_insecure;
	int			 encoded;	/* the body is left encoded */
	struct conf_cidr	*nets;
	size_t			 nnets;
	int64_t			 max_body;
	long			 timeout;
	long			 connect_timeout;
	long			 low_speed_limit;
	long			 low_speed_time;
	struct host_wait	 w;
	struct host		*host;		/* once started */
	TAILQ_ENTRY(fetch_xfer)	 all;

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
	int64_t			 queued;	/* mono_ms() */
	int64_t			 started;	/* mono_ms() */

	struct event		*failev;	/* reports a refused start */

	/*
	 * Where the transfer is, under f->mu: which list its Q link is on
	 * and which thread may touch the rest.
	 */
	enum {
		XFER_SUBMITTED,		/* submitq: the loop made it */
		XFER_ENGINE,		/* the engine's (and cancelq, by CQ) */
		XFER_ENDED,		/* ended by engine while on cancelq */
		XFER_DONE,		/* doneq: ended, for the loop */
		XFER_DELIVERING,	/* f->delivering, the loop's */
	}			 at;
	int			 cancelled;
	int			 listed;	/* on engine's list of all */
	TAILQ_ENTRY(fetch_xfer)	 q;
	/*
	 * cancelq's own link: a transfer the loop cancels just after the
	 * engine took it from submitq is still on the engine's private list
	 * of new ones through Q, which the engine walks without the lock.
	 */
	TAILQ_ENTRY(fetch_xfer)	 cq;
	char			 host_name[FETCH_HOST_MAX];
	struct fetch_result	 r;		/* the outcome, once ended */
	char			*eff_url;
	char			 msg[CURL_ERROR_SIZE + 64];
};
TAILQ_HEAD(fetch_xfers, fetch_xfer);

/*
 * The engine runs curl on a thread of its own, with its own event base,
 * so the loop that stores and serves does not also carry every socket's
 * work.  Three parts, by who may touch them.
 */
struct fetch_engine {
	/* The caller's loop. */
	struct event_base	*loop;
	struct event		*done_ev;	/* to_loop's read end */
	/* started, not delivered or cancelled */
	size_t			 out;
	struct fetch_xfers	 delivering;

	/* Both, under mu. */
	pthread_mutex_t		 mu;
	struct fetch_xfers	 submitq, cancelq, doneq;
	int			 engine_kicked, loop_kicked;
	/*
	 * Ended, not yet taken by the loop: each still holds its slot, so
	 * bodies never pile up faster than the loop takes them (fetch_hold
	 * is the loop's word on what it has taken but not parsed).
	 */
	atomic_size_t		 ndone;
	long			 want_max;
	struct host_limits	 want_hlim;
	int			 want_held;
	unsigned		 want_gen;	/* bumped on a want_ change */
	int			 stop;
	int			 to_engine[2], to_loop[2];
	atomic_size_t		 pub_inflight, pub_queued;
	pthread_t		 thread;
	int			 running;	/* the thread was started */

	/* The engine's thread (and anyone once it has stopped). */
	struct event_base	*base;
	struct event		*cmd_ev;	/* to_engine's read end */
	CURLM			*multi;
	struct event		*timer;
	/* a sleeping host becomes ready */
	struct event		*wake;
	long			 max;		/* its share of the slots */
	int			 engines;	/* how many share them */
	size_t			 inflight;
	int			 held;		/* fetch_hold */
	unsigned		 gen;		/* of want_ values applied */
	struct host_table	*hosts;
	struct host_limits	 hlim;
	int64_t			 dns_pruned;	/* last transfer that pruned */
	uint64_t		 rng;		/* jitter.h */
	struct fetch_xfers	 xfers;		/* every transfer it holds */
};

/* Per-socket context, owned by curl's socket callback. */
struct fetch_sock {
	struct fetch_engine	*f;
	curl_socket_t	 fd;
	struct event	*ev;
};

static void	fetch_drain(struct fetch_engine *);
static void	fetch_fill(struct fetch_engine *);
static void	fetch_end(struct fetch_xfer *);
static void	fetch_backstop(struct fetch_engine *);
static void	fetch_publish(struct fetch_engine *);
static void	engine_free(struct fetch_engine *);
static void	fetch_detach(struct fetch_xfer *);
static void	fetch_xfer_free(struct fetch_xfer *);

int64_t
fetch_retry_after(const char *v, int64_t now)
{
	char		*end;
	long long	 n;
	int64_t		 t;

	if (v == NULL)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		n = strtoll(v, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		/* More than a year is nonsense; treat it as absent. */
		if (*end == '\0' && n >= 0 && n < 366LL * 86400)
			return now + n;
		return 0;
	}
	t = date_parse_rfc822(v);
	return t == DATE_UNKNOWN ? 0 : t;
}

int64_t
fetch_fresh_for(const char *cc, const char *expires, int64_t now)
{
	const char	*p, *e;
	size_t		 n;
	long long	 v, maxage = -1;
	int64_t		 t;

	for (p = cc; p != NULL && *p != '\0'; p = *e == ',' ? e + 1 : e) {
		p += strspn(p, " \t,");
		e = p + strcspn(p, ",");
		n = strcspn(p, "=, \t");
		if ((n == 8 && strncasecmp(p, "no-store", 8) == 0) ||
		    (n == 8 && strncasecmp(p, "no-cache", 8) == 0))
			return 0;
		if (n == 7 && strncasecmp(p, "max-age", 7) == 0 &&
		    p[7] == '=') {
			p += p[8] == '"' ? 9 : 8;
			if (!isdigit((unsigned char)*p))
				return 0;
			v = strtoll(p, NULL, 10);
			maxage = v < 366LL * 86400 ? v : 0;
		}
	}
	/* max-age wins over Expires (RFC 9111 5.3). */
	if (maxage >= 0)
		return maxage;
	if (expires == NULL || (t = date_parse_rfc822(expires)) ==
	    DATE_UNKNOWN || t <= now)
		return 0;
	return t - now < 366LL * 86400 ? t - now : 0;
}

int
fetch_url_host(const char *url, char *buf, size_t len)
{
	CURLU	*u;
	char	*host = NULL;
	int	 rc = -1;

	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    strlen(host) < len) {
		for (size_t i = 0; host[i] != '\0'; i++)
			buf[i] = (char)tolower((unsigned char)host[i]);
		buf[strlen(host)] = '\0';
		rc = 0;
	}
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
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
			/* 169.254/16 link-local */
			{ 0xa9fe0000, 0xffff0000 },
			{ 0xac100000, 0xfff00000 },	/* 172.16/12 */
			{ 0xc0000000, 0xffffff00 },	/* 192.0.0/24 IETF */
			/* 192.0.2/24 TEST-NET-1 */
			{ 0xc0000200, 0xffffff00 },
			/* 192.88.99/24 6to4 relay */
			{ 0xc0586300, 0xffffff00 },
			{ 0xc0a80000, 0xffff0000 },	/* 192.168/16 */
			/* 198.18/15 benchmarking */
			{ 0xc6120000, 0xfffe0000 },
			/* 198.51.100/24 TEST-NET-2 */
			{ 0xc6336400, 0xffffff00 },
			/* 203.0.113/24 TEST-NET-3 */
			{ 0xcb007100, 0xffffff00 },
			{ 0xe0000000, 0xf0000000 },	/* 224/4 multicast */
			/* 240/4 reserved, broadcast */
			{ 0xf0000000, 0xf0000000 },
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
				/* NAT64 reaches anything: refuse */
				return 0;
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

int
fetch_addr_in(const struct sockaddr *sa, const struct conf_cidr *nets,
    size_t n)
{
	const uint8_t	*a;
	int		 family, bits, whole;
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (sa->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
		family = AF_INET;
	} else if (sa->sa_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr.s6_addr;
		family = AF_INET6;
		/* An IPv4-mapped address is judged as the IPv4 one. */
		if (memcmp(a, mapped, 12) == 0) {
			a += 12;
			family = AF_INET;
		}
	} else
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (nets[i].family != family)
			continue;
		bits = nets[i].prefix;
		whole = bits / 8;
		if (memcmp(a, nets[i].addr, whole) != 0)
			continue;
		if (bits % 8 != 0 && ((a[whole] ^ nets[i].addr[whole]) &
		    (0xff00 >> (bits % 8)) & 0xff) != 0)
			continue;
		return 1;
	}
	return 0;
}

/* 1 when this transfer may talk to the peer at SA (the SSRF guard). */
static int
fetch_addr_ok(const struct fetch_xfer *x, const struct sockaddr *sa)
{
	return x->proxy != NULL || x->allow_private || fetch_addr_public(sa) ||
	    fetch_addr_in(sa, x->nets, x->nnets);
}

/*
 * Every connection, after DNS and on every redirect hop: the SSRF guard.
 * Through a proxy the address is the proxy's, which the user chose.
 */
static curl_socket_t
fetch_opensocket_cb(void *arg, curlsocktype purpose,
    struct curl_sockaddr *addr)
{
	struct fetch_xfer	*x = arg;

	(void)purpose;
	if (!fetch_addr_ok(x, &addr->addr)) {
		x->error = FETCH_ERR_POLICY;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/*
 * A request is about to be sent, on a new or a reused connection: the
 * guard again (a connection another source opened may lead where this
 * one may not go), and the host's gap starts now.
 */
static int
fetch_prereq_cb(void *arg, char *conn_primary_ip, char *conn_local_ip,
    int conn_primary_port, int conn_local_port)
{
	struct fetch_xfer	*x = arg;
	struct sockaddr_in6	 sin6;
	struct sockaddr_in	 sin;

	(void)conn_local_ip;
	(void)conn_primary_port;
	(void)conn_local_port;
	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (inet_pton(AF_INET, conn_primary_ip, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		if (!fetch_addr_ok(x, (struct sockaddr *)&sin))
			goto refuse;
	} else if (inet_pton(AF_INET6, conn_primary_ip, &sin6.sin6_addr) ==
	    1) {
		sin6.sin6_family = AF_INET6;
		if (!fetch_addr_ok(x, (struct sockaddr *)&sin6))
			goto refuse;
	} else if (x->proxy == NULL && !x->allow_private)
		goto refuse;		/* an address we cannot judge */
	/* Bookkeeping only: nothing here calls back into libcurl. */
	if (x->host != NULL)
		host_sent(x->f->hosts, x->host, mono_ms());
	return CURL_PREREQFUNC_OK;
refuse:
	x->error = FETCH_ERR_POLICY;
	return CURL_PREREQFUNC_ABORT;
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
		/* A body at the cap must not take twice the cap. */
		if ((int64_t)cap > x->max_body + 1)
			cap = (size_t)x->max_body + 1;
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

/* 1 when the extra headers of REQ set NAME themselves. */
static int
fetch_req_has(const struct fetch_req *req, const char *name)
{
	size_t	n = strlen(name);

	for (size_t i = 0; i < req->nheaders; i++)
		if (strncasecmp(req->headers[i], name, n) == 0 &&
		    req->headers[i][n] == ':')
			return 1;
	return 0;
}

/* The request headers of X for REQ, kept until the transfer starts. */
static void
fetch_headers(struct fetch_xfer *x, const struct fetch_req *req)
{
	char	*h;

	if (!fetch_req_has(req, "accept"))
		x->headers = curl_slist_append(NULL, "Accept: "
		    "application/atom+xml, application/rss+xml, "
		    "application/feed+json, application/xml;q=0.9, "
		    "text/xml;q=0.9, */*;q=0.5");
	for (size_t i = 0; i < req->nheaders; i++)
		x->headers = curl_slist_append(x->headers, req->headers[i]);
	if (x->etag != NULL &&
	    asprintf(&h, "If-None-Match: %s", x->etag) != -1) {
		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	if (x->last_modified != NULL &&
	    asprintf(&h, "If-Modified-Since: %s", x->last_modified) != -1) {
		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
}

/*
 * Configures the easy handle of X, made only when it starts (thousands
 * may wait, and a handle is several kB); -1 when curl refuses an option.
 */
static int
fetch_setup(struct fetch_xfer *x)
{
	CURL	*e = x->easy;
	long	 connect;
	int64_t	 mnow = mono_ms();
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
	connect = x->connect_timeout > 0 ? x->connect_timeout : 20;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
	    x->timeout < connect ? x->timeout : connect) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
	    x->low_speed_limit > 0 ? x->low_speed_limit : 64L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
	    x->low_speed_time > 0 ? x->low_speed_time : 30L) != CURLE_OK;
	/* "" turns off the http_proxy environment: only configured proxies. */
	bad |= curl_easy_setopt(e, CURLOPT_PROXY, x->proxy != NULL ?
	    x->proxy : "") != CURLE_OK;
	/*
	 * Nothing else waits for this host: close the connection when done
	 * instead of parking it.  Servers drop idle connections in seconds,
	 * and curl 7.88 looks for dead ones among all parked connections
	 * once a second, starting its walk over after each dead one it
	 * closes, a poll(2) per connection walked: 460,000 poll calls in one
	 * warm poll of 10,000 sources on 2,000 hosts.  (Through a proxy every
	 * source shares its connections, so those stay.)
	 */
	if (x->proxy == NULL && x->host != NULL && host_queued(x->host) == 0)
		bad |= curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) !=
		    CURLE_OK;
	/*
	 * curl 7.88 walks its whole DNS cache for stale names as each
	 * transfer ends, unless the transfer's cache never goes stale (-1):
	 * 7% of the loop's time with 2,000 host names cached.  One transfer
	 * in FETCH_DNS_PRUNE_MS keeps curl's 60 s and prunes for all the
	 * others, so a name is used at most 60 s + FETCH_DNS_PRUNE_MS after
	 * it was resolved.
	 */
	if (mnow - x->f->dns_pruned >= FETCH_DNS_PRUNE_MS) {
		x->f->dns_pruned = mnow;
		bad |= curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT,
		    (long)FETCH_DNS_TTL) != CURLE_OK;
	} else
		bad |= curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, -1L) !=
		    CURLE_OK;
	/* Connection reuse across polls; HTTP/2 where TLS offers it. */
	bad |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS) != CURLE_OK;
	/*
	 * Waiting to share a connection only where the host is known to
	 * multiplex.  curl 7.88 parks a waiting transfer until some transfer
	 * ends, then wakes one, and over plain http (or with HTTP/1.1 over
	 * TLS) none will share: each request to the host waited for the
	 * one before, 12 s for six sources on a host that takes 2 s to answer
	 * instead of 2 s.
	 */
	if (x->host != NULL && host_multiplexes(x->host))
		bad |= curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L) != CURLE_OK;
	/*
	 * "" offers every encoding this libcurl decodes (gzip, deflate, br
	 * ...), and curl decodes as it receives, on the loop.  An encoded
	 * body is left to the caller (decode.h, on a worker): then we offer
	 * what decode_body undoes.
	 */
	if (x->encoded) {
		bad |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING,
		    DECODE_ACCEPT) != CURLE_OK;
		bad |= curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L) !=
		    CURLE_OK;
	} else
		bad |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") !=
		    CURLE_OK;
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
	bad |= curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, fetch_prereq_cb) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PREREQDATA, x) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)x->max_body) != CURLE_OK;
	/* Only a source configured so trusts whatever certificate it meets. */
	if (x->tls_insecure) {
		bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L) !=
		    CURLE_OK;
		bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) !=
		    CURLE_OK;
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
	struct fetch_engine	*f = x->f;

	(void)fd;
	(void)what;
	fetch_finish(x, CURLE_FAILED_INIT);
	fetch_end(x);
	fetch_fill(f);
}

/* Adds the transfer to the multi handle: from here on its clocks run. */
static void
fetch_run(struct fetch_xfer *x)
{
	struct fetch_engine	*f = x->f;
	struct timeval		 now = { 0, 0 };
	CURLMcode		 rc;

	x->started = mono_ms();
	x->running = 1;
	f->inflight++;
	if ((x->easy = curl_easy_init()) == NULL || fetch_setup(x) == -1)
		rc = CURLM_OUT_OF_MEMORY;
	else if ((rc = curl_multi_add_handle(f->multi, x->easy)) == CURLM_OK)
		return;
	x->error = FETCH_ERR_TRANSPORT;
	snprintf(x->errbuf, sizeof x->errbuf, "%s", rc == CURLM_OUT_OF_MEMORY ?
	    "cannot set up the transfer" : curl_multi_strerror(rc));
	/* Never call back into the caller's stack: report on the next turn. */
	if ((x->failev = evtimer_new(f->base, fetch_failed_cb, x)) != NULL)
		evtimer_add(x->failev, &now);
	else
		fatalx("fetch: out of memory");
}

static void
fetch_finish(struct fetch_xfer *x, CURLcode code)
{
	struct fetch_engine	*f = x->f;
	struct fetch_result	 r;
	char			*eff = NULL;
	char			 msg[CURL_ERROR_SIZE + 64];
	struct timespec		 wall;
	int64_t			 now, mnow = mono_ms();
	long			 version;
	int			 was;

	clock_gettime(CLOCK_REALTIME, &wall);
	now = (int64_t)wall.tv_sec;
	memset(&r, 0, sizeof r);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff);
	r.effective_url = eff != NULL ? eff : x->url;
	r.duration_ms = mono_ms() - x->started;
	r.queued_ms = x->started - x->queued;
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
	/* Said only when the body is still encoded. */
	r.content_encoding = x->encoded ? x->hdr[HDR_CENC] : NULL;
	r.location = x->first_location != NULL ? x->first_location :
	    x->hdr[HDR_LOCATION];
	r.first_status = x->first_status;
	r.cf_mitigated = x->cf_mitigated;
	/*
	 * "Retry-After: 3" counts from now, which is part way through a
	 * second: the next whole second is the earliest that is not early.
	 */
	r.retry_at = fetch_retry_after(r.retry_after, now + (wall.tv_nsec > 0));
	r.host_slow = 1;

	if (x->host != NULL) {
		host_done(f->hosts, x->host, mnow);
		/* What the host itself spoke (not a redirect's target). */
		if (code == CURLE_OK && x->responses == 1 &&
		    curl_easy_getinfo(x->easy, CURLINFO_HTTP_VERSION,
		    &version) == CURLE_OK)
			host_set_multiplexes(x->host,
			    version >= CURL_HTTP_VERSION_2_0);
		/* The host as a whole learns of every throttled answer. */
		if (code == CURLE_OK && (r.status == 429 || r.status == 503)) {
			was = host_slow_factor(x->host, mnow);
			r.host_slow = host_throttled(f->hosts, x->host, x->who,
			    mnow, r.retry_at > now ? mnow +
			    (r.retry_at - now) * 1000 : 0);
			if (r.host_slow > was)
				log_warnx("host %s: several sources throttled, "
				    "gaps between its requests now %dx longer",
				    host_name(x->host), r.host_slow);
		} else
			r.host_slow = host_slow_factor(x->host, mnow);
		x->host = NULL;
	}

	if (code != CURLE_OK || x->error != FETCH_OK) {
		r.error = x->error;
		/* curl's own check of Content-Length is our cap too. */
		if (r.error == FETCH_OK && code == CURLE_FILESIZE_EXCEEDED)
			r.error = FETCH_ERR_TOOBIG;
		if (r.error == FETCH_OK &&
		    code == CURLE_PEER_FAILED_VERIFICATION)
			r.error = FETCH_ERR_TLS_CERT;
		/* No status line at all: whatever answered, it was not HTTP. */
		if (r.error == FETCH_OK && x->responses == 0 &&
		    (code == CURLE_UNSUPPORTED_PROTOCOL ||
		    code == CURLE_WEIRD_SERVER_REPLY))
			r.error = FETCH_ERR_NOT_HTTP;
		/* curl refuses a header line over 100 kB as out of memory. */
		if (r.error == FETCH_OK && x->responses > 0 && x->len == 0 &&
		    (code == CURLE_OUT_OF_MEMORY
#if LIBCURL_VERSION_NUM >= 0x080600
		    || code == CURLE_TOO_LARGE
#endif
		    ))
			r.error = FETCH_ERR_HEADERS;
		if (r.error == FETCH_OK)
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
		case FETCH_ERR_NOT_HTTP:
			snprintf(msg, sizeof msg, "the reply is not HTTP (%s)",
			    x->errbuf[0] != '\0' ? x->errbuf :
			    curl_easy_strerror(code));
			break;
		case FETCH_ERR_TLS_CERT:
			snprintf(msg, sizeof msg, "TLS certificate not "
			    "trusted: %s (tls_verify = no accepts it)",
			    x->errbuf[0] != '\0' ? x->errbuf :
			    curl_easy_strerror(code));
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
	/* Kept for the loop: the handle, and its URL, go before then. */
	if (eff != NULL && (x->eff_url = strdup(eff)) != NULL)
		r.effective_url = x->eff_url;
	else
		r.effective_url = x->url;
	if (r.errmsg == msg) {
		memcpy(x->msg, msg, sizeof x->msg);
		r.errmsg = x->msg;
	}
	x->r = r;
}

/* No free slot: a slot is taken until the loop has its transfer's result. */
static int
fetch_full(struct fetch_engine *f)
{
	return (long)(f->inflight + atomic_load(&f->ndone)) >= f->max;
}

/*
 * Starts waiting transfers while there are free slots and hosts whose turn
 * it is, then sets the wake timer for the next host that will be ready.
 */
static void
fetch_fill(struct fetch_engine *f)
{
	struct fetch_xfer	*x;
	struct host		*h;
	struct timeval		 tv;
	int64_t			 now = mono_ms(), wait;

	while (!f->held && !fetch_full(f) &&
	    (x = host_next(f->hosts, now, jitter_next(&f->rng), &h)) != NULL) {
		int cancelled;

		x->waiting = 0;
		x->host = h;	/* fetch_detach hands the host back */
		/*
		 * The loop may have cancelled it since this thread last took
		 * the cancel queue: it is on that queue, for fetch_cmd_cb to
		 * free; sending its request now would be one the loop no
		 * longer wants.
		 */
		pthread_mutex_lock(&f->mu);
		cancelled = x->cancelled;
		pthread_mutex_unlock(&f->mu);
		if (cancelled)
			continue;
		log_debug("fetch: %s starts after %lld ms, %zu in flight",
		    x->url, (long long)(mono_ms() - x->queued), f->inflight);
		fetch_run(x);
	}
	fetch_publish(f);
	evtimer_del(f->wake);
	/*
	 * A held or full engine refills when the hold is lifted, a transfer
	 * ends or the loop takes a result, not on a timer.
	 */
	if (f->held || fetch_full(f) || (wait = host_wake(f->hosts, now)) < 0)
		return;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(f->wake, &tv);
}

/* A sleeping host's gap is over. */
static void
fetch_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fetch_fill(arg);
}

/* Collects finished transfers after socket actions. */
static void
fetch_drain(struct fetch_engine *f)
{
	CURLMsg			*m;
	struct fetch_xfer	*x;
	int			 left, done = 0;

	while ((m = curl_multi_info_read(f->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x);
		CURLcode code = m->data.result;
		/* Read everything before the handle leaves the multi. */
		fetch_finish(x, code);
		fetch_end(x);
		done = 1;
	}
	if (done)
		fetch_fill(f);
}

static void
fetch_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_sock	*s = arg;
	struct fetch_engine	*f = s->f;
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
	struct fetch_engine	*f = arg;
	int			 running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	fetch_drain(f);
}

/* curl's timer: only arms our event; libcurl is never called from here. */
static int
fetch_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct fetch_engine	*f = arg;
	struct timeval		 tv;

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
	struct fetch_engine	*f = arg;
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

/* Wakes the other side through PIPE, once until it has looked; under mu. */
static void
fetch_kick(int *kicked, int fd)
{
	char	c = 0;

	if (*kicked)
		return;
	*kicked = 1;
	/* Full means a wake-up is pending already. */
	while (write(fd, &c, 1) == -1 && errno == EINTR)
		;
}

static void
fetch_pipe_drain(int fd)
{
	char	buf[64];
	ssize_t	n;

	while ((n = read(fd, buf, sizeof buf)) > 0 || (n == -1 &&
	    errno == EINTR))
		;
}

/* Publishes the engine's counters for fetch_inflight and fetch_queued. */
static void
fetch_publish(struct fetch_engine *f)
{
	atomic_store(&f->pub_inflight, f->inflight);
	atomic_store(&f->pub_queued, host_waiting(f->hosts));
}

/*
 * The engine takes what the loop asked for: new transfers into the host
 * table, cancelled ones out of it (or out of curl), changed limits.
 */
static void
fetch_cmd_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_engine	*f = arg;
	struct fetch_xfers	 sub, can;
	struct fetch_xfer	*x;
	int			 limits = 0;

	(void)what;
	fetch_pipe_drain(fd);
	TAILQ_INIT(&sub);
	TAILQ_INIT(&can);
	pthread_mutex_lock(&f->mu);
	f->engine_kicked = 0;
	if (f->stop) {
		/*
		 * fetch_free takes it all from here, once this thread is gone.
		 */
		pthread_mutex_unlock(&f->mu);
		event_base_loopbreak(f->base);
		return;
	}
	TAILQ_CONCAT(&sub, &f->submitq, q);
	TAILQ_FOREACH(x, &sub, q)
		x->at = XFER_ENGINE;
	TAILQ_CONCAT(&can, &f->cancelq, cq);
	if (f->gen != f->want_gen) {
		f->gen = f->want_gen;
		f->max = f->want_max;
		f->hlim = f->want_hlim;
		limits = 1;
	}
	f->held = f->want_held;
	pthread_mutex_unlock(&f->mu);

	if (limits)
		fetch_backstop(f);
	while ((x = TAILQ_FIRST(&sub)) != NULL) {
		TAILQ_REMOVE(&sub, x, q);
		TAILQ_INSERT_TAIL(&f->xfers, x, all);
		x->listed = 1;
		if (host_push(f->hosts, x->host_name, &x->w, x, mono_ms()) ==
		    -1) {
			x->error = FETCH_ERR_TRANSPORT;
			snprintf(x->msg, sizeof x->msg, "out of memory");
			x->r.error = FETCH_ERR_TRANSPORT;
			x->r.errmsg = x->msg;
			x->r.body = "";
			x->r.effective_url = x->url;
			x->r.host_slow = 1;
			fetch_end(x);
			continue;
		}
		x->waiting = 1;
	}
	while ((x = TAILQ_FIRST(&can)) != NULL) {
		TAILQ_REMOVE(&can, x, cq);
		/* XFER_ENDED: it ended meanwhile, and is detached already. */
		fetch_detach(x);
		fetch_xfer_free(x);
	}
	fetch_fill(f);
}

static void *
fetch_main(void *arg)
{
	struct fetch_engine	*f = arg;

	event_base_dispatch(f->base);
	return NULL;
}

/* The loop hands finished transfers to their callbacks. */
static void
fetch_deliver_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_engine	*f = arg;
	struct fetch_xfer	*x;

	(void)what;
	fetch_pipe_drain(fd);
	pthread_mutex_lock(&f->mu);
	f->loop_kicked = 0;
	TAILQ_FOREACH(x, &f->doneq, q)
		x->at = XFER_DELIVERING;
	TAILQ_CONCAT(&f->delivering, &f->doneq, q);
	/* Their slots are free: the engine may start more. */
	if (atomic_exchange(&f->ndone, 0) > 0)
		fetch_kick(&f->engine_kicked, f->to_engine[1]);
	pthread_mutex_unlock(&f->mu);
	/* A callback may cancel one of the others, or start new ones. */
	while ((x = TAILQ_FIRST(&f->delivering)) != NULL) {
		TAILQ_REMOVE(&f->delivering, x, q);
		if (--f->out == 0)
			event_del(f->done_ev);
		x->cb(&x->r, x->arg);
		fetch_xfer_free(x);
	}
}

static struct fetch_engine *
engine_new(struct event_base *base, long max_transfers, int engines)
{
	struct fetch_engine	*f;
	sigset_t		 all, old;

	if ((f = calloc(1, sizeof *f)) == NULL)
		return NULL;
	f->loop = base;
	f->engines = engines;
	f->rng = jitter_seed();
	f->to_engine[0] = f->to_engine[1] = -1;
	f->to_loop[0] = f->to_loop[1] = -1;
	pthread_mutex_init(&f->mu, NULL);
	TAILQ_INIT(&f->delivering);
	TAILQ_INIT(&f->submitq);
	TAILQ_INIT(&f->cancelq);
	TAILQ_INIT(&f->doneq);
	TAILQ_INIT(&f->xfers);
	f->max = f->want_max = max_transfers > 0 ? max_transfers : 1;
	f->hlim.connections = FETCH_HOST_CONNECTIONS;
	f->hlim.delay_ms = FETCH_HOST_DELAY_MS;
	f->want_hlim = f->hlim;
	if (pipe2(f->to_engine, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    pipe2(f->to_loop, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    (f->base = event_base_new()) == NULL ||
	    (f->cmd_ev = event_new(f->base, f->to_engine[0], EV_READ |
	    EV_PERSIST, fetch_cmd_cb, f)) == NULL ||
	    event_add(f->cmd_ev, NULL) == -1 ||
	    (f->done_ev = event_new(base, f->to_loop[0], EV_READ | EV_PERSIST,
	    fetch_deliver_cb, f)) == NULL ||
	    (f->multi = curl_multi_init()) == NULL ||
	    (f->timer = evtimer_new(f->base, fetch_timer_event_cb,
	    f)) == NULL ||
	    (f->wake = evtimer_new(f->base, fetch_wake_cb, f)) == NULL ||
	    (f->hosts = host_table_new(&f->hlim)) == NULL) {
		engine_free(f);
		return NULL;
	}
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	/* HTTP/2 multiplexing where offered; connection reuse across polls. */
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	fetch_backstop(f);
	/* Signals are the loop's: the engine's thread never takes one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	f->running = pthread_create(&f->thread, NULL, fetch_main, f) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!f->running) {
		engine_free(f);
		return NULL;
	}
	return f;
}

/*
 * Idle connections kept for MAX transfers in flight: FETCH_IDLE_PER_SLOT
 * each, at most FETCH_IDLE_MAX, and at most half of what the descriptor
 * limit leaves once the transfers and the rest of the process have theirs.
 * A host polled for several sources in a row (its gap apart) needs its
 * connection kept meanwhile: in a burst over 2,000 hosts a pool of 256
 * closed nearly every one before its next request (9,658 connects for
 * 10,000 requests).  The pool also bounds how many hosts are part way
 * through at once (host.h), and so how many connections we hold open at
 * a server that serves many host names: 4,096 (128 a slot) was more than
 * the bench nginx keeps (1,000), which then closed our idle connections
 * for room, and curl 7.88 polls its whole pool for dead ones, over again
 * after each it finds (449,000 poll(2) calls and 8,600 connects in a warm
 * poll of 10,000 sources on 2,000 names).  1,024 by default, about what a
 * browser keeps in all: 50,000 polls, 2,300 connects, a fifth less CPU.
 */
static long
fetch_idle(long max)
{
	struct rlimit	rl;
	long		idle = max * FETCH_IDLE_PER_SLOT, room;

	if (idle > FETCH_IDLE_MAX)
		idle = FETCH_IDLE_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_max != RLIM_INFINITY) {
		room = ((long)rl.rlim_max - FETCH_FDS_OTHER - 4 * max) / 2;
		if (idle > room)
			idle = room > 1 ? room : 1;
	}
	return idle;
}

/* curl's cap on its connections, idle ones included, for MAX in flight. */
static long
fetch_total(long max)
{
	return fetch_idle(max) + 2 * max + 8;
}

long
fetch_fds(long max_transfers)
{
	long	max = max_transfers > 0 ? max_transfers : 1;

	/*
	 * curl's connections, a resolver pair per transfer, and per engine
	 * its own slack in curl's total, its epoll and its two pipes.
	 */
	return fetch_total(max) + 2 * max + FETCH_ENGINES_MAX * (8 + 1 + 4);
}

/*
 * curl's own limits, above ours: a backstop that never queues in practice.
 * Idle connections count against curl's total.
 */
static void
fetch_backstop(struct fetch_engine *f)
{
	/* Its share of the pool that all engines' slots together may keep. */
	long	idle = fetch_idle(f->max * f->engines) / f->engines;

	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, idle > 0 ? idle : 1);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    idle + 2 * f->max + 8);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)f->hlim.connections * 2 + 2);
	/* That many hosts' connections can wait for their next request. */
	f->hlim.keep = idle;
	host_table_set_limits(f->hosts, &f->hlim);
}

static void
engine_set_max(struct fetch_engine *f, long max_transfers)
{
	pthread_mutex_lock(&f->mu);
	f->want_max = max_transfers > 0 ? max_transfers : 1;
	f->want_gen++;
	fetch_kick(&f->engine_kicked, f->to_engine[1]);
	pthread_mutex_unlock(&f->mu);
}

static void
engine_set_host_limits(struct fetch_engine *f, long connections,
    int64_t delay_ms)
{
	pthread_mutex_lock(&f->mu);
	f->want_hlim.connections = connections > 0 ? (int)connections : 1;
	f->want_hlim.delay_ms = delay_ms >= 0 ? delay_ms : 0;
	f->want_gen++;
	fetch_kick(&f->engine_kicked, f->to_engine[1]);
	pthread_mutex_unlock(&f->mu);
}

/* Frees every transfer on list L (cancelq links by CQ, the others by Q). */
static void
fetch_free_list(struct fetch_xfers *l, int by_cq)
{
	struct fetch_xfer	*x;

	while ((x = TAILQ_FIRST(l)) != NULL) {
		if (by_cq)
			TAILQ_REMOVE(l, x, cq);
		else
			TAILQ_REMOVE(l, x, q);
		fetch_detach(x);
		fetch_xfer_free(x);
	}
}

static void
engine_free(struct fetch_engine *f)
{
	struct fetch_xfer	*x;

	if (f == NULL)
		return;
	if (f->running) {
		pthread_mutex_lock(&f->mu);
		f->stop = 1;
		fetch_kick(&f->engine_kicked, f->to_engine[1]);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->thread, NULL);
	}
	/* Alone now: nothing of it is delivered any more. */
	fetch_free_list(&f->submitq, 0);
	fetch_free_list(&f->cancelq, 1);
	fetch_free_list(&f->doneq, 0);
	fetch_free_list(&f->delivering, 0);
	while ((x = TAILQ_FIRST(&f->xfers)) != NULL) {
		fetch_detach(x);
		fetch_xfer_free(x);
	}
	if (f->multi != NULL)
		curl_multi_cleanup(f->multi);
	if (f->timer != NULL)
		event_free(f->timer);
	if (f->wake != NULL)
		event_free(f->wake);
	if (f->cmd_ev != NULL)
		event_free(f->cmd_ev);
	if (f->done_ev != NULL)
		event_free(f->done_ev);
	if (f->base != NULL)
		event_base_free(f->base);
	for (int i = 0; i < 2; i++) {
		if (f->to_engine[i] != -1)
			close(f->to_engine[i]);
		if (f->to_loop[i] != -1)
			close(f->to_loop[i]);
	}
	host_table_free(f->hosts);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static char *
strdup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static struct fetch_xfer *
engine_start(struct fetch_engine *f, const struct fetch_req *req,
    const char *host, fetch_done_cb cb, void *arg)
{
	struct fetch_xfer	*x;

	if ((x = calloc(1, sizeof *x)) == NULL)
		return NULL;
	x->f = f;
	x->cb = cb;
	x->arg = arg;
	x->allow_private = req->allow_private;
	x->tls_insecure = req->tls_insecure;
	x->encoded = req->encoded;
	x->max_body = req->max_body;
	x->timeout = req->timeout;
	x->connect_timeout = req->connect_timeout;
	x->low_speed_limit = req->low_speed_limit;
	x->low_speed_time = req->low_speed_time;
	x->who = fnv_str(req->who != NULL ? req->who : req->url);
	x->url = strdup(req->url);
	x->user_agent = strdup(req->user_agent);
	x->etag = strdup_or_null(req->etag);
	x->last_modified = strdup_or_null(req->last_modified);
	x->post = strdup_or_null(req->post);
	x->proxy = strdup_or_null(req->proxy);
	if (req->nallow_networks > 0 && (x->nets = calloc(req->nallow_networks,
	    sizeof *x->nets)) != NULL) {
		memcpy(x->nets, req->allow_networks, req->nallow_networks *
		    sizeof *x->nets);
		x->nnets = req->nallow_networks;
	}
	if (x->url == NULL || x->user_agent == NULL ||
	    (req->post != NULL && x->post == NULL) ||
	    (req->etag != NULL && x->etag == NULL) ||
	    (req->last_modified != NULL && x->last_modified == NULL) ||
	    (req->proxy != NULL && x->proxy == NULL) ||
	    (req->nallow_networks > 0 && x->nets == NULL)) {
		fetch_xfer_free(x);
		return NULL;
	}
	fetch_headers(x, req);
	snprintf(x->host_name, sizeof x->host_name, "%s", host);
	x->queued = mono_ms();
	if (f->out++ == 0)
		event_add(f->done_ev, NULL);
	pthread_mutex_lock(&f->mu);
	x->at = XFER_SUBMITTED;
	TAILQ_INSERT_TAIL(&f->submitq, x, q);
	fetch_kick(&f->engine_kicked, f->to_engine[1]);
	pthread_mutex_unlock(&f->mu);
	return x;
}

/*
 * The engine lets go of X: out of curl, its host and the list of all.
 * The engine's thread only (or fetch_free's, once it is alone).
 */
static void
fetch_detach(struct fetch_xfer *x)
{
	struct fetch_engine	*f = x->f;

	if (x->waiting) {
		host_cancel(f->hosts, &x->w, mono_ms());
		x->waiting = 0;
	}
	if (x->running)
		f->inflight--;
	if (x->easy != NULL) {
		if (x->running)
			curl_multi_remove_handle(f->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	x->running = 0;
	if (x->host != NULL) {
		host_done(f->hosts, x->host, mono_ms());
		x->host = NULL;
	}
	if (x->listed) {
		TAILQ_REMOVE(&f->xfers, x, all);
		x->listed = 0;
	}
	if (x->failev != NULL) {
		event_free(x->failev);
		x->failev = NULL;
	}
}

/* X has its outcome in x->r: hand it to the loop, unless cancelled. */
static void
fetch_end(struct fetch_xfer *x)
{
	struct fetch_engine	*f = x->f;

	fetch_detach(x);
	pthread_mutex_lock(&f->mu);
	if (x->cancelled)
		x->at = XFER_ENDED;	/* on cancelq: fetch_cmd_cb frees it */
	else {
		x->at = XFER_DONE;
		TAILQ_INSERT_TAIL(&f->doneq, x, q);
		atomic_fetch_add(&f->ndone, 1);
		fetch_kick(&f->loop_kicked, f->to_loop[1]);
	}
	pthread_mutex_unlock(&f->mu);
}

/* Frees X's memory; whoever holds it, once nothing else can see it. */
static void
fetch_xfer_free(struct fetch_xfer *x)
{
	curl_slist_free_all(x->headers);
	fetch_headers_reset(x);
	free(x->first_location);
	free(x->body);
	free(x->url);
	free(x->user_agent);
	free(x->etag);
	free(x->last_modified);
	free(x->post);
	free(x->proxy);
	free(x->nets);
	free(x->eff_url);
	free(x);
}

void
fetch_cancel(struct fetch_xfer *x)
{
	struct fetch_engine	*f = x->f;
	int			 mine = 1;

	pthread_mutex_lock(&f->mu);
	switch (x->at) {
	case XFER_SUBMITTED:
		TAILQ_REMOVE(&f->submitq, x, q);
		break;
	case XFER_DONE:
		TAILQ_REMOVE(&f->doneq, x, q);
		atomic_fetch_sub(&f->ndone, 1);
		break;
	case XFER_DELIVERING:
		TAILQ_REMOVE(&f->delivering, x, q);
		break;
	default:
		/* The engine's: it takes it out of curl and frees it. */
		x->cancelled = 1;
		TAILQ_INSERT_TAIL(&f->cancelq, x, cq);
		fetch_kick(&f->engine_kicked, f->to_engine[1]);
		mine = 0;
		break;
	}
	pthread_mutex_unlock(&f->mu);
	if (--f->out == 0)
		event_del(f->done_ev);
	if (mine)
		fetch_xfer_free(x);
}

static void
engine_hold(struct fetch_engine *f, int held)
{
	pthread_mutex_lock(&f->mu);
	f->want_held = held;
	fetch_kick(&f->engine_kicked, f->to_engine[1]);
	pthread_mutex_unlock(&f->mu);
}

/*
 * The front: transfers go to the engine their host name hashes to, so a
 * host's politeness is kept by one engine, and the limit of transfers in
 * flight is shared out among the engines.
 */
struct fetch {
	struct fetch_engine	*eng[FETCH_ENGINES_MAX];
	int			 n;
};

/* Engine I's part of MAX transfers in flight (each has at least one). */
static long
fetch_share(const struct fetch *f, long max, int i)
{
	long	part = max / f->n + (i < max % f->n);

	return part > 0 ? part : 1;
}

static int
fetch_engines(long max)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > FETCH_ENGINES_MAX)
		n = FETCH_ENGINES_MAX;
	/* A handful of transfers is no work to share. */
	if (n > max / FETCH_ENGINE_MIN)
		n = max / FETCH_ENGINE_MIN;
	return n > 0 ? (int)n : 1;
}

struct fetch *
fetch_new(struct event_base *base, long max_transfers)
{
	struct fetch	*f;
	long		 max = max_transfers > 0 ? max_transfers : 1;

	if ((f = calloc(1, sizeof *f)) == NULL)
		return NULL;
	f->n = fetch_engines(max);
	for (int i = 0; i < f->n; i++) {
		if ((f->eng[i] = engine_new(base, fetch_share(f, max, i),
		    f->n)) ==
		    NULL) {
			fetch_free(f);
			return NULL;
		}
	}
	return f;
}

void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	for (int i = 0; i < f->n; i++)
		engine_free(f->eng[i]);
	free(f);
}

void
fetch_set_max(struct fetch *f, long max_transfers)
{
	long	max = max_transfers > 0 ? max_transfers : 1;

	/* The engines stay as they started; their shares change. */
	for (int i = 0; i < f->n; i++)
		engine_set_max(f->eng[i], fetch_share(f, max, i));
}

void
fetch_set_host_limits(struct fetch *f, long connections, int64_t delay_ms)
{
	for (int i = 0; i < f->n; i++)
		engine_set_host_limits(f->eng[i], connections, delay_ms);
}

struct fetch_xfer *
fetch_start(struct fetch *f, const struct fetch_req *req, fetch_done_cb cb,
    void *arg)
{
	char	host[FETCH_HOST_MAX];

	/* Without a host name curl fails it at once; it still takes a turn. */
	if (fetch_url_host(req->url, host, sizeof host) == -1)
		host[0] = '\0';
	return engine_start(f->eng[fnv_str(host) % (uint64_t)f->n], req,
	    host, cb, arg);
}

void
fetch_hold(struct fetch *f, int held)
{
	for (int i = 0; i < f->n; i++)
		engine_hold(f->eng[i], held);
}

size_t
fetch_inflight(const struct fetch *f)
{
	size_t	n = 0;

	for (int i = 0; i < f->n; i++)
		n += atomic_load(&f->eng[i]->pub_inflight);
	return n;
}

size_t
fetch_queued(const struct fetch *f)
{
	size_t	n = 0;

	for (int i = 0; i < f->n; i++)
		n += atomic_load(&f->eng[i]->pub_queued);
	return n;
}

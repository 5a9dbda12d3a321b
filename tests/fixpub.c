/*
 * fixpub: the fixture publisher for feedmux's integration tests. A small
 * evhttp server on loopback that serves files from one directory, re-read
 * on every request, with strong validators and 304s by default; a sibling
 * PATH.meta file scripts the misbehaviour of one fixture (status, headers,
 * redirects, delays, slow or endless bodies, gzip, truncation). It owns the
 * listening socket, the replies still in flight and the request log.
 */

#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <zlib.h>

#define FIXPUB_MAXBODY	(32u << 20)	/* largest fixture served */
#define FIXPUB_MAXMETA	(64u << 10)	/* largest .meta script */
#define FIXPUB_MAXHDR	32		/* header directives per script */
#define FIXPUB_BACKLOG	(512u << 10)	/* unsent bytes before a stream waits */
#define FIXPUB_FAST	(64u << 10)	/* endless chunk when not dripping */
#define FIXPUB_LOGFIELD	512		/* longest logged field */

#define nitems(a)		(sizeof (a) / sizeof (a)[0])

static const char fixpub_filler[] =
    "<!-- fixpub endless body: padding that never closes the document -->\n";

/* What a .meta script asks for; strings point into the script's text. */
struct meta {
	long		 status;
	long		 delay_ms;
	long		 drip;		/* bytes per second, 0 for full speed */
	long		 truncate;	/* bytes to send, -1 for all */
	long		 gzip;
	long		 rawgzip;
	long		 noetag;
	long		 nolastmod;
	long		 endless;
	long		 redirect;
	const char	*location;
	const char	*etag;
	int		 nhdr;
	const char	*hname[FIXPUB_MAXHDR];
	const char	*hvalue[FIXPUB_MAXHDR];
};

/* The directives that take one number or nothing; hi == 0 marks a flag. */
static const struct meta_opt {
	const char	*name;
	size_t		 off;
	long		 lo, hi;
} meta_opts[] = {
	{ "status",	offsetof(struct meta, status),		100, 599 },
	{ "delay",	offsetof(struct meta, delay_ms),	0, 600000 },
	{ "drip",	offsetof(struct meta, drip),		1, 1L << 30 },
	{ "truncate",	offsetof(struct meta, truncate),	0, 1L << 30 },
	{ "gzip",	offsetof(struct meta, gzip),		0, 0 },
	{ "raw-gzip",	offsetof(struct meta, rawgzip),		0, 0 },
	{ "noetag",	offsetof(struct meta, noetag),		0, 0 },
	{ "nolastmod",	offsetof(struct meta, nolastmod),	0, 0 },
	{ "endless",	offsetof(struct meta, endless),		0, 0 },
};

/* One reply that waits for a delay or streams on a timer. */
struct reply {
	struct fixpub		*fp;
	struct evhttp_request	*req;
	struct event		*ev;
	struct evbuffer		*body;		/* bytes not yet sent */
	struct evbuffer		*chunk;
	int			 code;
	int			 head;
	int			 stream;	/* started with reply_start */
	int			 endless;
	size_t			 left;		/* bytes owed, if not endless */
	size_t			 per_tick;
	struct timeval		 tick;
	TAILQ_ENTRY(reply)	 entry;
};

/* The server: its loop, listener, directory, log and replies in flight. */
struct fixpub {
	struct event_base	*base;
	struct evhttp		*http;
	const char		*dir;
	FILE			*log;
	FILE			*postlog;	/* bodies of POSTs */
	TAILQ_HEAD(, reply)	 replies;
};

static void	reply_tick(evutil_socket_t, short, void *);

/* Read a regular file of at most max bytes, NUL-terminated; caller frees. */
static int
fixpub_read(const char *path, size_t max, char **out, size_t *len,
    time_t *mtime)
{
	struct stat	 st;
	char		*buf;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	if (fstat(fd, &st) == -1) {
		close(fd);
		return (-1);
	}
	if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > max) {
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EISDIR;
		return (-1);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return (-1);
	}
	/* The file may shrink while we read it; take what is there. */
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	if (mtime != NULL)
		*mtime = st.st_mtime;
	return (0);
}

/* Parse a decimal number within bounds from the whole of s. */
static int
fixpub_number(const char *s, long lo, long hi, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		return (-1);
	*out = v;
	return (0);
}

/* Parse a .meta script in place; on error fill err and return -1. */
static int
meta_parse(char *text, struct meta *m, char *err, size_t errlen)
{
	const struct meta_opt	*o;
	char			*line, *next, *word = NULL, *arg, *end, *colon;
	long			*field;
	int			 lineno = 0;

	memset(m, 0, sizeof *m);
	m->truncate = -1;
	for (line = text; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		end = line + strlen(line);
		while (end > line && strchr(" \t\r", end[-1]) != NULL)
			*--end = '\0';
		line += strspn(line, " \t");
		if (*line == '\0' || *line == '#')
			continue;
		word = line;
		arg = line + strcspn(line, " \t");
		if (*arg != '\0') {
			*arg++ = '\0';
			arg += strspn(arg, " \t");
		}

		for (o = meta_opts; o < meta_opts + nitems(meta_opts); o++)
			if (strcmp(word, o->name) == 0)
				break;
		if (o < meta_opts + nitems(meta_opts)) {
			field = (long *)(void *)((char *)m + o->off);
			if (o->hi == 0 && *arg == '\0')
				*field = 1;
			else if (o->hi == 0 ||
			    fixpub_number(arg, o->lo, o->hi, field) == -1)
				goto bad;
		} else if (strcmp(word, "header") == 0) {
			colon = strchr(arg, ':');
			if (colon == NULL || colon == arg ||
			    m->nhdr == FIXPUB_MAXHDR ||
			    strcspn(arg, " \t") < (size_t)(colon - arg))
				goto bad;
			*colon++ = '\0';
			m->hname[m->nhdr] = arg;
			m->hvalue[m->nhdr++] = colon + strspn(colon, " \t");
		} else if (strcmp(word, "redirect") == 0) {
			end = arg + strcspn(arg, " \t");
			if (*end != '\0')
				*end++ = '\0';
			end += strspn(end, " \t");
			if (fixpub_number(arg, 300, 399, &m->redirect) == -1 ||
			    *end == '\0')
				goto bad;
			m->location = end;
		} else if (strcmp(word, "etag") == 0 && *arg != '\0')
			m->etag = arg;
		else
			goto bad;
	}
	return (0);
bad:
	snprintf(err, errlen, "line %d: bad directive \"%.64s\"", lineno, word);
	return (-1);
}

/* Map a fixture name to its media type by extension. */
static const char *
fixpub_type(const char *path, int rawgzip)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ ".xml",	"application/xml" },
		{ ".rss",	"application/rss+xml" },
		{ ".atom",	"application/atom+xml" },
		{ ".json",	"application/feed+json" },
		{ ".html",	"text/html; charset=utf-8" },
		{ ".htm",	"text/html; charset=utf-8" },
		{ ".txt",	"text/plain; charset=utf-8" },
		{ ".gz",	"application/gzip" },
	};
	const char	*dot;
	size_t		 len, i;

	len = strlen(path);
	/* A raw gzip fixture is typed by the name under its .gz suffix. */
	if (rawgzip && len > 3 && strcmp(path + len - 3, ".gz") == 0)
		len -= 3;
	dot = path + len;
	while (dot > path && dot[-1] != '.' && dot[-1] != '/')
		dot--;
	if (dot == path || dot[-1] != '.')
		return ("application/octet-stream");
	dot--;
	for (i = 0; i < nitems(types); i++) {
		if (strlen(types[i].ext) == (size_t)(path + len - dot) &&
		    strncasecmp(dot, types[i].ext, strlen(types[i].ext)) == 0)
			return (types[i].type);
	}
	return ("application/octet-stream");
}

/* Compress data as one gzip member into a new buffer; caller frees. */
static struct evbuffer *
fixpub_gzip(const char *data, size_t len)
{
	struct evbuffer	*out;
	z_stream	 z;
	unsigned char	*buf;
	uLong		 cap;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return (NULL);
	cap = deflateBound(&z, (uLong)len);
	if ((buf = malloc(cap)) == NULL) {
		deflateEnd(&z);
		return (NULL);
	}
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	out = NULL;
	if (deflate(&z, Z_FINISH) == Z_STREAM_END &&
	    (out = evbuffer_new()) != NULL)
		evbuffer_add(out, buf, cap - z.avail_out);
	deflateEnd(&z);
	free(buf);
	return (out);
}

/* Does an If-None-Match list name this entity tag (weak comparison)? */
static int
fixpub_inm_match(const char *inm, const char *etag)
{
	const char	*p, *q;
	size_t		 n, elen;

	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	elen = strlen(etag);
	for (p = inm; *p != '\0'; p = q) {
		p += strspn(p, " \t,");
		q = p + strcspn(p, ",");
		n = (size_t)(q - p);
		while (n > 0 && strchr(" \t", p[n - 1]) != NULL)
			n--;
		if (n == 1 && *p == '*')
			return (1);
		if (n > 2 && strncmp(p, "W/", 2) == 0) {
			p += 2;
			n -= 2;
		}
		if (n > 0 && n == elen && strncmp(p, etag, n) == 0)
			return (1);
	}
	return (0);
}

/* Is the entity unchanged since an If-Modified-Since date? */
static int
fixpub_ims_match(const char *ims, time_t mtime)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	end = strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return (0);
	return (mtime <= timegm(&tm));
}

/* Append a field to the log, percent-encoding what would split it. */
static void
fixpub_logfield(FILE *f, const char *key, const char *value)
{
	const unsigned char	*p;
	size_t			 n = 0;

	if (key != NULL)
		fprintf(f, " %s=", key);
	else
		fputc(' ', f);
	if (value == NULL) {
		fputc('-', f);
		return;
	}
	for (p = (const unsigned char *)value; *p != '\0' &&
	    n < FIXPUB_LOGFIELD; p++, n++) {
		if (*p <= ' ' || *p >= 0x7f)
			fprintf(f, "%%%02X", *p);
		else
			fputc(*p, f);
	}
}

/*
 * Write one request line to the log, flushed so tests can read it at once:
 * time, method, URI, status, inm=, ims=, ua=, host=.
 */
static void
fixpub_log(struct fixpub *fp, struct evhttp_request *req, int code)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct timespec		 ts;
	enum evhttp_cmd_type	 cmd;
	const char		*method, *uri;

	if (fp->log == NULL)
		return;
	cmd = evhttp_request_get_command(req);
	method = cmd == EVHTTP_REQ_GET ? "GET" : cmd == EVHTTP_REQ_HEAD ?
	    "HEAD" : cmd == EVHTTP_REQ_POST ? "POST" : "OTHER";
	if ((uri = evhttp_request_get_uri(req)) == NULL)
		uri = "-";
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(fp->log, "%lld.%03ld %s", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000000, method);
	fixpub_logfield(fp->log, NULL, uri);
	fprintf(fp->log, " %d", code);
	fixpub_logfield(fp->log, "inm",
	    evhttp_find_header(in, "If-None-Match"));
	fixpub_logfield(fp->log, "ims",
	    evhttp_find_header(in, "If-Modified-Since"));
	fixpub_logfield(fp->log, "ua", evhttp_find_header(in, "User-Agent"));
	fixpub_logfield(fp->log, "host", evhttp_find_header(in, "Host"));
	fputc('\n', fp->log);
	fflush(fp->log);
}

/* Answer at once with a short text body, for requests fixpub refuses. */
static void
fixpub_error(struct fixpub *fp, struct evhttp_request *req, int code,
    const char *why)
{
	struct evbuffer	*buf;

	fixpub_log(fp, req, code);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; charset=utf-8");
	if ((buf = evbuffer_new()) != NULL)
		evbuffer_add_printf(buf, "%d %s\n", code, why);
	evhttp_send_reply(req, code, NULL, buf);
	if (buf != NULL)
		evbuffer_free(buf);
}

/*
 * Turn a request URI into a path under the fixture directory; caller frees.
 * The absolute form a client sends to a proxy (http://host/path) is served
 * as its path, so fixpub can stand in for a forward proxy.
 */
static char *
fixpub_path(const char *uri)
{
	char	*raw, *dec, *seg;
	size_t	 n, len;

	if (uri != NULL && strncasecmp(uri, "http://", 7) == 0 &&
	    (uri = strchr(uri + 7, '/')) == NULL)
		return (NULL);
	if (uri == NULL || uri[0] != '/')
		return (NULL);
	n = strcspn(uri, "?#");
	if ((raw = strndup(uri, n)) == NULL)
		return (NULL);
	dec = evhttp_uridecode(raw, 0, &len);
	free(raw);
	if (dec == NULL)
		return (NULL);
	/* Decoding may have produced a NUL or a traversal; refuse both. */
	if (len != strlen(dec) || strchr(dec, '\\') != NULL)
		goto bad;
	for (seg = dec; *seg != '\0'; seg += n) {
		seg += strspn(seg, "/");
		n = strcspn(seg, "/");
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			goto bad;
	}
	n = strspn(dec, "/");
	memmove(dec, dec + n, len - n + 1);
	return (dec);
bad:
	free(dec);
	return (NULL);
}

/* Forget a reply and free what it still holds. */
static void
reply_free(struct reply *r)
{
	TAILQ_REMOVE(&r->fp->replies, r, entry);
	if (r->ev != NULL)
		event_free(r->ev);
	if (r->body != NULL)
		evbuffer_free(r->body);
	if (r->chunk != NULL)
		evbuffer_free(r->chunk);
	free(r);
}

/* Start the reply once any delay is over: all at once, or as a stream. */
static void
reply_begin(struct reply *r)
{
	struct evhttp_request	*req = r->req;
	int			 bodyless;

	/* A client gone during the delay left us the request to free. */
	if (evhttp_request_get_connection(req) == NULL) {
		evhttp_send_reply_end(req);
		reply_free(r);
		return;
	}
	/* evhttp would send a body given for HEAD, so give none. */
	bodyless = r->head || r->code == 304 || r->code == 204 ||
	    r->code < 200;
	if (bodyless || (r->per_tick == 0 && !r->endless &&
	    r->left == evbuffer_get_length(r->body))) {
		evhttp_send_reply(req, r->code, NULL,
		    bodyless ? NULL : r->body);
		reply_free(r);
		return;
	}
	evhttp_send_reply_start(req, r->code, NULL);
	r->stream = 1;
	if (r->per_tick == 0)
		r->per_tick = r->endless ? FIXPUB_FAST : r->left;
	reply_tick(-1, 0, r);
}

/* Timer: either the delay ended or the stream may send its next chunk. */
static void
reply_tick(evutil_socket_t fd, short what, void *arg)
{
	struct reply		*r = arg;
	struct evhttp_connection *evcon;
	struct bufferevent	*bev;
	size_t			 n;

	(void)fd;
	(void)what;
	if (!r->stream) {
		reply_begin(r);
		return;
	}
	/* libevent detaches the request when the client goes away. */
	if ((evcon = evhttp_request_get_connection(r->req)) == NULL) {
		evhttp_send_reply_end(r->req);
		reply_free(r);
		return;
	}
	bev = evhttp_connection_get_bufferevent(evcon);
	if (evbuffer_get_length(bufferevent_get_output(bev)) <
	    FIXPUB_BACKLOG) {
		if (r->endless) {
			while (evbuffer_get_length(r->body) < r->per_tick)
				evbuffer_add(r->body, fixpub_filler,
				    sizeof fixpub_filler - 1);
			n = r->per_tick;
		} else
			n = r->per_tick < r->left ? r->per_tick : r->left;
		evbuffer_remove_buffer(r->body, r->chunk, n);
		evhttp_send_reply_chunk(r->req, r->chunk);
		if (!r->endless && (r->left -= n) == 0) {
			/* Connection: close makes libevent hang up after it. */
			evhttp_send_reply_end(r->req);
			reply_free(r);
			return;
		}
	}
	evtimer_add(r->ev, &r->tick);
}

/* Add the validators and the script's headers to a reply. */
static void
reply_headers(struct evkeyvalq *out, const struct meta *m, const char *etag,
    time_t mtime, int have_file)
{
	struct tm	 tm;
	char		 date[64];
	int		 i, j;

	if (have_file && !m->nolastmod && gmtime_r(&mtime, &tm) != NULL &&
	    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0)
		evhttp_add_header(out, "Last-Modified", date);
	if (*etag != '\0')
		evhttp_add_header(out, "ETag", etag);
	/* A scripted header replaces a default of the same name. */
	for (i = 0; i < m->nhdr; i++) {
		for (j = 0; j < i; j++)
			if (strcasecmp(m->hname[i], m->hname[j]) == 0)
				break;
		if (j == i)
			evhttp_remove_header(out, m->hname[i]);
		evhttp_add_header(out, m->hname[i], m->hvalue[i]);
	}
}

/* Make a reply record, tracked until it is sent; NULL on failure. */
static struct reply *
reply_new(struct fixpub *fp, struct evhttp_request *req)
{
	struct reply	*r;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return (NULL);
	r->fp = fp;
	r->req = req;
	r->head = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
	TAILQ_INSERT_TAIL(&fp->replies, r, entry);
	if ((r->body = evbuffer_new()) == NULL ||
	    (r->chunk = evbuffer_new()) == NULL ||
	    (r->ev = evtimer_new(fp->base, reply_tick, r)) == NULL) {
		reply_free(r);
		return (NULL);
	}
	return (r);
}

/* Decide status, body and headers from the fixture and its script. */
static int
reply_content(struct reply *r, const struct meta *m, const char *rel,
    const char *data, size_t dlen, time_t mtime, int have_file)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(r->req);
	struct evkeyvalq	*out;
	struct evbuffer		*gz;
	const char		*inm, *ims, *type = "text/plain; charset=utf-8";
	char			 etag[300];
	uint64_t		 h = UINT64_C(0xcbf29ce484222325);
	size_t			 i;

	out = evhttp_request_get_output_headers(r->req);
	/* The strong validator (FNV-1a) names the bytes on the wire. */
	etag[0] = '\0';
	if (m->etag != NULL)
		snprintf(etag, sizeof etag, "%s", m->etag);
	else if (have_file && !m->noetag && m->redirect == 0) {
		for (i = 0; i < dlen; i++)
			h = (h ^ (unsigned char)data[i]) *
			    UINT64_C(0x100000001b3);
		snprintf(etag, sizeof etag, "\"%016" PRIx64 "%s\"", h,
		    m->gzip ? "-gz" : "");
	}

	if (m->redirect != 0) {
		r->code = (int)m->redirect;
		evhttp_add_header(out, "Location", m->location);
		evbuffer_add_printf(r->body, "redirect to %s\n", m->location);
		etag[0] = '\0';
		have_file = 0;
	} else if (m->status != 0 || have_file || m->endless) {
		r->code = m->status != 0 ? (int)m->status : 200;
		if (have_file || m->endless)
			type = fixpub_type(rel, m->rawgzip != 0);
		if (have_file)
			evbuffer_add(r->body, data, dlen);
		else if (!m->endless)
			evbuffer_add_printf(r->body, "status %d\n", r->code);
	} else {
		r->code = 404;
		evbuffer_add_printf(r->body, "not found\n");
	}
	evhttp_add_header(out, "Content-Type", type);
	reply_headers(out, m, etag, mtime, have_file);

	/* If-None-Match, when sent, decides alone (RFC 9110 13.2.2). */
	inm = evhttp_find_header(in, "If-None-Match");
	ims = evhttp_find_header(in, "If-Modified-Since");
	if (r->code == 200 && (inm != NULL ?
	    *etag != '\0' && fixpub_inm_match(inm, etag) :
	    ims != NULL && have_file && !m->nolastmod &&
	    fixpub_ims_match(ims, mtime))) {
		r->code = 304;
		evhttp_remove_header(out, "Content-Type");
		return (0);
	}

	if (m->gzip) {
		if ((gz = fixpub_gzip(have_file ? data : "",
		    have_file ? dlen : 0)) == NULL)
			return (-1);
		evbuffer_free(r->body);
		r->body = gz;
	}
	if (m->gzip || m->rawgzip) {
		evhttp_add_header(out, "Content-Encoding", "gzip");
		evhttp_add_header(out, "Vary", "Accept-Encoding");
	}
	return (0);
}

/* Decide how the body goes out: at once, truncated, dripped or endless. */
static void
reply_pace(struct reply *r, const struct meta *m)
{
	struct evkeyvalq	*out;
	char			 clen[32];
	long			 us;

	out = evhttp_request_get_output_headers(r->req);
	r->endless = m->endless != 0;
	r->left = evbuffer_get_length(r->body);
	/* evhttp leaves Content-Length to us for HEAD and short bodies. */
	if (!r->endless && r->code != 304 && (r->head || m->truncate >= 0)) {
		snprintf(clen, sizeof clen, "%zu", r->left);
		evhttp_add_header(out, "Content-Length", clen);
	}
	if (m->truncate >= 0 && !r->endless && (size_t)m->truncate < r->left) {
		r->left = (size_t)m->truncate;
		/* Connection: close makes libevent hang up after the bytes. */
		evhttp_add_header(out, "Connection", "close");
	}
	/* Ten ticks a second, or one byte a tick when slower. */
	us = 1000;
	if (m->drip > 0) {
		if ((r->per_tick = (size_t)m->drip / 10) == 0) {
			r->per_tick = 1;
			us = 1000000 / m->drip;
		} else
			us = 100000;
	}
	r->tick.tv_sec = us / 1000000;
	r->tick.tv_usec = us % 1000000;
	if (r->left == 0 && !r->endless)
		r->per_tick = 0;
}

/*
 * A POST (a WebSub hub ping, say) is accepted with 204, logged like any
 * request, and its form body written to LOGFILE.post ("POST path
 * body=..."), so a test can read what was sent.
 */
static void
fixpub_post(struct fixpub *fp, struct evhttp_request *req)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	char		*body;
	size_t		 len = evbuffer_get_length(in);

	if ((body = malloc(len + 1)) == NULL) {
		fixpub_error(fp, req, 500, "out of memory");
		return;
	}
	evbuffer_remove(in, body, len);
	body[len] = '\0';
	fixpub_log(fp, req, 204);
	if (fp->postlog != NULL) {
		fputs("POST", fp->postlog);
		fixpub_logfield(fp->postlog, NULL, evhttp_request_get_uri(req));
		fixpub_logfield(fp->postlog, "body", body);
		fputc('\n', fp->postlog);
		fflush(fp->postlog);
	}
	free(body);
	evhttp_send_reply(req, 204, "No Content", NULL);
}

/* Serve one request: check it, read the fixture and its script, reply. */
static void
fixpub_request(struct evhttp_request *req, void *arg)
{
	struct fixpub		*fp = arg;
	struct meta		 m;
	struct reply		*r;
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	struct timeval		 tv;
	char			*rel, *mtext = NULL, *data = NULL;
	char			 path[PATH_MAX], mpath[PATH_MAX], err[128];
	size_t			 mlen, dlen = 0;
	time_t			 mtime = 0;
	int			 have_file = 0;

	if (cmd == EVHTTP_REQ_POST) {
		fixpub_post(fp, req);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		fixpub_error(fp, req, 405, "method not allowed");
		return;
	}
	if ((rel = fixpub_path(evhttp_request_get_uri(req))) == NULL) {
		fixpub_error(fp, req, 400, "bad path");
		return;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s", fp->dir, rel) >=
	    sizeof path || (size_t)snprintf(mpath, sizeof mpath, "%s.meta",
	    path) >= sizeof mpath) {
		fixpub_error(fp, req, 414, "path too long");
		goto done;
	}

	memset(&m, 0, sizeof m);
	m.truncate = -1;
	if (*rel != '\0' && fixpub_read(mpath, FIXPUB_MAXMETA, &mtext, &mlen,
	    NULL) == 0 && meta_parse(mtext, &m, err, sizeof err) == -1) {
		fprintf(stderr, "fixpub: %s: %s\n", mpath, err);
		fixpub_error(fp, req, 500, err);
		goto done;
	}
	if (*rel != '\0') {
		if (fixpub_read(path, FIXPUB_MAXBODY, &data, &dlen,
		    &mtime) == 0)
			have_file = 1;
		else if (errno == EFBIG) {
			fixpub_error(fp, req, 500, "fixture too large");
			goto done;
		}
	}

	if ((r = reply_new(fp, req)) == NULL) {
		fixpub_error(fp, req, 500, "out of memory");
		goto done;
	}
	if (reply_content(r, &m, rel, data, dlen, mtime, have_file) == -1) {
		reply_free(r);
		fixpub_error(fp, req, 500, "gzip failed");
		goto done;
	}
	reply_pace(r, &m);
	fixpub_log(fp, req, r->code);
	if (m.delay_ms > 0) {
		tv.tv_sec = m.delay_ms / 1000;
		tv.tv_usec = (m.delay_ms % 1000) * 1000;
		evtimer_add(r->ev, &tv);
	} else
		reply_begin(r);
done:
	free(rel);
	free(mtext);
	free(data);
}

/* Write the port file atomically: a temporary name, then rename. */
static int
fixpub_portfile(const char *file, int port)
{
	char	 tmp[PATH_MAX];
	FILE	*f;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", file,
	    (long)getpid()) >= sizeof tmp)
		return (-1);
	if ((f = fopen(tmp, "w")) == NULL)
		return (-1);
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, file) == -1) {
		unlink(tmp);
		return (-1);
	}
	return (0);
}

/* SIGTERM or SIGINT: leave the loop and clean up in main. */
static void
fixpub_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopexit(arg, NULL);
}

/* Explain the command line and exit. */
static void
fixpub_usage(void)
{
	fprintf(stderr, "usage: fixpub -d dir [-a 127.0.0.1] [-p port] "
	    "[-P portfile] [-l logfile]\n");
	exit(2);
}

/* Listen on loopback, announce the port, serve until SIGTERM or SIGINT. */
int
main(int argc, char **argv)
{
	struct fixpub			 fp;
	struct event_config		*cfg;
	struct evhttp_bound_socket	*bound;
	struct event			*sigterm, *sigint;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof ss;
	struct reply			*r;
	struct in_addr			 a4;
	const char			*addr = "127.0.0.1", *portfile = NULL;
	const char			*logfile = NULL;
	struct stat			 st;
	long				 port = 0;
	int				 ch;

	memset(&fp, 0, sizeof fp);
	TAILQ_INIT(&fp.replies);
	while ((ch = getopt(argc, argv, "d:a:p:P:l:")) != -1) {
		switch (ch) {
		case 'd':
			fp.dir = optarg;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			if (fixpub_number(optarg, 0, 65535, &port) == -1)
				fixpub_usage();
			break;
		case 'P':
			portfile = optarg;
			break;
		case 'l':
			logfile = optarg;
			break;
		default:
			fixpub_usage();
		}
	}
	if (fp.dir == NULL || optind != argc)
		fixpub_usage();
	if (stat(fp.dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "fixpub: %s: not a directory\n", fp.dir);
		return (1);
	}
	/* Fixtures are test data: never offer them beyond loopback. */
	if (inet_pton(AF_INET, addr, &a4) != 1 ||
	    (ntohl(a4.s_addr) >> 24) != 127) {
		fprintf(stderr, "fixpub: %s: not a loopback address\n", addr);
		return (1);
	}
	if (logfile != NULL && (fp.log = fopen(logfile, "a")) == NULL) {
		fprintf(stderr, "fixpub: %s: %s\n", logfile, strerror(errno));
		return (1);
	}
	if (logfile != NULL) {
		char	ppath[PATH_MAX];

		if ((size_t)snprintf(ppath, sizeof ppath, "%s.post", logfile) >=
		    sizeof ppath || (fp.postlog = fopen(ppath, "a")) == NULL) {
			fprintf(stderr, "fixpub: %s.post: cannot open\n",
			    logfile);
			return (1);
		}
	}
	/* A client that hangs up mid-stream must not kill the server. */
	signal(SIGPIPE, SIG_IGN);

	/*
	 * Timers by the precise monotonic clock, read when they are added:
	 * by default libevent reads CLOCK_MONOTONIC_COARSE (a few ms a step)
	 * and caches it for a whole turn of the loop, so a delay or a drip
	 * tick could end early (five ticks came 0.397 s apart, not 0.4).
	 */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER |
	    EVENT_BASE_FLAG_NO_CACHE_TIME) == -1 ||
	    (fp.base = event_base_new_with_config(cfg)) == NULL ||
	    (fp.http = evhttp_new(fp.base)) == NULL) {
		fprintf(stderr, "fixpub: cannot set up libevent\n");
		return (1);
	}
	event_config_free(cfg);
	evhttp_set_allowed_methods(fp.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(fp.http, 16384);
	evhttp_set_max_body_size(fp.http, 1 << 20);
	evhttp_set_timeout(fp.http, 60);
	evhttp_set_gencb(fp.http, fixpub_request, &fp);
	bound = evhttp_bind_socket_with_handle(fp.http, addr, (uint16_t)port);
	if (bound == NULL || getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &sslen) == -1 || ss.ss_family != AF_INET) {
		fprintf(stderr, "fixpub: cannot listen on %s:%ld\n", addr,
		    port);
		return (1);
	}
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (portfile != NULL && fixpub_portfile(portfile, (int)port) == -1) {
		fprintf(stderr, "fixpub: %s: %s\n", portfile, strerror(errno));
		return (1);
	}
	printf("%ld\n", port);
	fflush(stdout);

	sigterm = evsignal_new(fp.base, SIGTERM, fixpub_signal, fp.base);
	sigint = evsignal_new(fp.base, SIGINT, fixpub_signal, fp.base);
	if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm, NULL) ||
	    evsignal_add(sigint, NULL)) {
		fprintf(stderr, "fixpub: cannot catch signals\n");
		return (1);
	}
	event_base_dispatch(fp.base);

	/* Requests whose client left are ours; the rest go with evhttp. */
	while ((r = TAILQ_FIRST(&fp.replies)) != NULL) {
		if (evhttp_request_get_connection(r->req) == NULL)
			evhttp_request_free(r->req);
		reply_free(r);
	}
	evhttp_free(fp.http);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(fp.base);
	if (fp.log != NULL)
		fclose(fp.log);
	if (fp.postlog != NULL)
		fclose(fp.postlog);
	return (0);
}

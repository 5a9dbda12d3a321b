/* http: listeners, connections, request parsing and replies; see http.h. */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "date.h"
#include "http.h"
#include "log.h"
#include "mono.h"

#define HTTP_MAX_LISTENERS	8
#define HTTP_MAX_HEADERS	64	/* request header lines */
#define HTTP_RESP_HEADERS	4096	/* bytes of extra response headers */
#define HTTP_BACKLOG		4096
#define HTTP_BURST_MAX		32	/* connections accepted per loop pass */
#define HTTP_SHED_LOG		60	/* seconds between shedding reports */
/* a silent new connection's time to speak */
#define HTTP_QUIET_GRACE_MS	1000
#define HTTP_SPEAK_MS		20	/* ... and the least it gets at cap */
/* seconds to wait after accept(2) failed */
#define HTTP_ACCEPT_RETRY	1
/* descriptors kept besides the spare_fds asked */
#define HTTP_SPARE_FDS		64

struct http_conn;

struct http_req {
	struct http_conn	*c;
	enum http_method	 method;
	const char		*method_name;
	const char		*path;
	const char		*query;
	int			 minor;		/* HTTP/1.MINOR */
	int			 keepalive;
	int			 has_body;
	const char		*hname[HTTP_MAX_HEADERS];
	const char		*hvalue[HTTP_MAX_HEADERS];
	int			 nhdr;
	char			 rh[HTTP_RESP_HEADERS];
	size_t			 rhlen;
	int			 status;
};

struct http_conn {
	struct http		*h;
	evutil_socket_t		 fd;
	struct event		*rev;
	struct event		*wev;
	char			*in;		/* request head being read */
	size_t			 inlen;
	/* of IN, searched for the head's end */
	size_t			 scanned;
	/* the head's first byte, 0: none yet */
	time_t			 head_at;
	/* answering: OUT not sent, or closing */
	int			 busy;
	int			 heard;		/* has sent a byte */
	int64_t			 accepted;	/* monotonic ms */
	struct evbuffer		*out;
	int			 closing;	/* close once OUT is sent */
	struct http_req		 req;
	struct http_conn	*prev, *next;
};

struct http {
	struct event_base	*base;
	struct http_limits	 lim;
	http_handler		 cb;
	void			*arg;
	struct evconnlistener	*ls[HTTP_MAX_LISTENERS];
	int			 nls;
	int			 listening;	/* the listeners are enabled */
	int			 full_said;	/* "all answering" logged */
	int			 throttled;	/* accept burst: wait a pass */
	/* accept(2) failed: wait a moment */
	int			 backoff;
	struct event		*retry;		/* ends the backoff */
	time_t			 accept_warned;
	int			 burst;		/* accepted in this pass */
	int			 burst_max;
	struct event		*resume;	/* ends throttle, next pass */
	int			 crowded;	/* at cap, none may go yet */
	struct event		*crowd;		/* ends it: one may go */
	char			*unix_path;
	struct http_conn	*conns;		/* most recently ready first */
	/* waiting longest for a request */
	struct http_conn	*conns_tail;
	int			 nconns;
	int			 nbusy;
	/* idle connections closed at the cap */
	uint64_t		 shed;
	uint64_t		 shed_logged;
	time_t			 shed_at;
	const struct timeval	*tv;		/* the timeout, a common one */
	time_t			 date_at;
	char			 date[DATE_RFC822_LEN];
};

static void	http_conn_read_cb(evutil_socket_t, short, void *);
static void	http_conn_write_cb(evutil_socket_t, short, void *);
static void	http_conn_process(struct http_conn *);
static void	http_retry_cb(evutil_socket_t, short, void *);
static void	http_crowd_cb(evutil_socket_t, short, void *);

/* The reason phrase of STATUS. */
static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}

/*
 * Enables the listeners unless every slot is answering a request (an idle
 * slot is given to the next connection instead) or a burst of accepts is
 * waiting for its requests to be read.
 */
static void
http_listen_update(struct http *h)
{
	int	on, full;

	full = h->nconns >= h->lim.max_conns && h->nbusy >= h->nconns;
	on = !h->throttled && !h->backoff && !h->crowded && !full;
	/* Said once each time it happens, whatever else paused accepting. */
	if (full && !h->full_said)
		log_warnx("httpd: %d connections open, all answering; not "
		    "accepting more until one is done", h->nconns);
	h->full_said = full;
	if (on == h->listening)
		return;
	for (int i = 0; i < h->nls; i++) {
		if (on)
			evconnlistener_enable(h->ls[i]);
		else
			evconnlistener_disable(h->ls[i]);
	}
	h->listening = on;
}

/*
 * Fits the connection cap into the descriptors the process may open,
 * raising the soft limit toward the hard one first: past it, accept(2)
 * fails while the queued connections keep the listeners readable.
 */
static void
http_fit_fds(struct http_limits *lim)
{
	struct rlimit	rl, nl;
	rlim_t		spare, want;
	int		cap;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return;
	spare = HTTP_SPARE_FDS + (lim->spare_fds > 0 ? lim->spare_fds : 0);
	want = (rlim_t)lim->max_conns + spare;
	if (rl.rlim_cur < want) {
		nl = rl;
		nl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max > want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
			rl = nl;
	}
	if (rl.rlim_cur >= want)
		return;
	cap = rl.rlim_cur > 2 * spare ? (int)(rl.rlim_cur - spare) :
	    (int)(rl.rlim_cur / 2);
	if (cap < 1)
		cap = 1;
	log_warnx("httpd: max_connections %d lowered to %d: the process may "
	    "open only %llu descriptors (ulimit -n)", lim->max_conns, cap,
	    (unsigned long long)rl.rlim_cur);
	lim->max_conns = cap;
}

/* The next loop pass: the burst's requests have been read, accept again. */
static void
http_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http	*h = arg;

	(void)fd;
	(void)what;
	h->burst = 0;
	h->throttled = 0;
	http_listen_update(h);
}

struct http *
http_new(struct event_base *base, const struct http_limits *lim,
    http_handler cb, void *arg)
{
	struct http	*h;
	struct timeval	 tv = { lim->timeout, 0 };

	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;

	h->base = base;
	h->lim = *lim;
	/* Every connection shares one timeout: O(1) re-arming per request. */
	if ((h->tv = event_base_init_common_timeout(base, &tv)) == NULL ||
	    (h->resume = evtimer_new(base, http_resume_cb, h)) == NULL ||
	    (h->crowd = evtimer_new(base, http_crowd_cb, h)) == NULL ||
	    (h->retry = evtimer_new(base, http_retry_cb, h)) == NULL) {
		if (h->resume != NULL)
			event_free(h->resume);
		if (h->crowd != NULL)
			event_free(h->crowd);
		free(h);
		return NULL;
	}
	http_fit_fds(&h->lim);
	/*
	 * A burst smaller than the cap: each connection shed at the cap has
	 * had a loop pass to send its request since it was accepted.
	 */
	h->burst_max = h->lim.max_conns / 2;
	if (h->burst_max < 1)
		h->burst_max = 1;
	if (h->burst_max > HTTP_BURST_MAX)
		h->burst_max = HTTP_BURST_MAX;
	h->listening = 1;
	h->cb = cb;
	h->arg = arg;
	return h;
}

/* Takes C out of the list of connections. */
static void
http_conn_unlink(struct http_conn *c)
{
	struct http	*h = c->h;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		h->conns_tail = c->prev;
	c->prev = c->next = NULL;
}

/* Puts C first in the list: the most recently ready for a request. */
static void
http_conn_link(struct http_conn *c)
{
	struct http	*h = c->h;

	c->prev = NULL;
	c->next = h->conns;
	if (h->conns != NULL)
		h->conns->prev = c;
	else
		h->conns_tail = c;
	h->conns = c;
}

/* C has just been answered: idle from now, the last to be shed at the cap. */
static void
http_conn_touch(struct http_conn *c)
{
	http_conn_unlink(c);
	http_conn_link(c);
}

/* C is answering (ON), or waiting for its next request again. */
static void
http_conn_busy(struct http_conn *c, int on)
{
	struct http	*h = c->h;

	if (c->busy == on)
		return;
	c->busy = on;
	h->nbusy += on ? 1 : -1;
	if (!on)
		http_conn_touch(c);
	http_listen_update(h);
}

/*
 * Closes C, frees what it holds and resumes accepting if the cap had paused it.
 */
static void
http_conn_free(struct http_conn *c)
{
	struct http	*h = c->h;

	http_conn_unlink(c);
	h->nconns--;
	if (c->busy)
		h->nbusy--;
	if (c->rev != NULL)
		event_free(c->rev);
	if (c->wev != NULL)
		event_free(c->wev);
	if (c->out != NULL)
		evbuffer_free(c->out);	/* runs the unref of borrowed bodies */
	if (c->fd != -1)
		evutil_closesocket(c->fd);
	free(c->in);
	free(c);
	/* A slot is free again: take the connections the kernel queued. */
	if (h->crowded && h->nconns < h->lim.max_conns) {
		h->crowded = 0;
		evtimer_del(h->crowd);
	}
	http_listen_update(h);
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	while (h->conns != NULL)
		http_conn_free(h->conns);
	for (int i = 0; i < h->nls; i++)
		evconnlistener_free(h->ls[i]);
	if (h->resume != NULL)
		event_free(h->resume);
	if (h->crowd != NULL)
		event_free(h->crowd);
	if (h->retry != NULL)
		event_free(h->retry);
	if (h->unix_path != NULL) {
		unlink(h->unix_path);
		free(h->unix_path);
	}
	free(h);
}

int
http_connections(const struct http *h)
{
	return h->nconns;
}

uint64_t
http_shed_count(const struct http *h)
{
	return h->shed;
}

/* Whether bytes C has sent wait in the kernel, not yet read by us. */
static int
http_conn_pending(const struct http_conn *c)
{
	int	n = 0;

	return ioctl(c->fd, FIONREAD, &n) == 0 && n > 0;
}

/*
 * At the cap, the connection to close for a new one: the one that has
 * waited longest for a request (idle keep-alive, or a head still
 * trickling in: slowloris), so that holding every slot open costs an
 * attacker more than it costs a reader.  One that has sent nothing yet
 * comes only when there is no such one: it may be a reader whose request
 * is on its way; one silent for less than HTTP_QUIET_GRACE_MS comes after
 * those, and one younger than HTTP_SPEAK_MS or whose first bytes wait to
 * be read never: under a flood of empty connections made as fast as the
 * loop sheds them, each would otherwise live a few milliseconds, less
 * than a loaded reader may take between its connect and its request.
 * Connections answering are never cut.  NULL if none may go now; then
 * *WAIT is how long until one may (milliseconds).
 */
static struct http_conn *
http_shed_pick(struct http *h, int64_t *wait)
{
	struct http_conn	*c, *quiet = NULL, *young = NULL;
	int64_t			 ms = mono_ms(), age;

	*wait = HTTP_SPEAK_MS;
	for (c = h->conns_tail; c != NULL; c = c->prev) {
		if (c->busy)
			continue;
		if (c->heard)
			return c;
		age = ms - c->accepted;
		/* Only a heard one, or an old one if none, could come first. */
		if (quiet != NULL ||
		    (young != NULL && age < HTTP_QUIET_GRACE_MS))
			continue;
		if (age < HTTP_SPEAK_MS) {
			if (HTTP_SPEAK_MS - age < *wait)
				*wait = HTTP_SPEAK_MS - age;
			continue;
		}
		/* Its request has arrived: read in this loop pass. */
		if (http_conn_pending(c))
			continue;
		if (age >= HTTP_QUIET_GRACE_MS)
			/* silent this long: an attacker's slot */
			quiet = c;
		else
			young = c;
	}
	return quiet != NULL ? quiet : young;
}

/*
 * At the cap, pauses accepting until a connection may be shed (or one
 * closes): new ones wait in the kernel's queue, their requests arriving
 * meanwhile, instead of pushing out ones that had no time to speak.
 */
static void
http_crowd_check(struct http *h)
{
	struct timeval	tv;
	int64_t		wait;

	if (h->nconns < h->lim.max_conns || http_shed_pick(h, &wait) != NULL)
		return;
	h->crowded = 1;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(h->crowd, &tv);
	http_listen_update(h);
}

/* A connection may be shed by now: accept again. */
static void
http_crowd_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http	*h = arg;

	(void)fd;
	(void)what;
	h->crowded = 0;
	http_listen_update(h);
	http_crowd_check(h);
}

/* Sheds one connection for a new one (see http_shed_pick): 0, or -1. */
static int
http_shed(struct http *h)
{
	struct http_conn	*c;
	time_t			 now;
	int64_t			 wait;
	int			 n = h->nconns;

	if ((c = http_shed_pick(h, &wait)) == NULL)
		return -1;
	http_conn_free(c);
	h->shed++;
	/*
	 * Under attack this happens thousands of times: report it now and then.
	 */
	now = time(NULL);
	if (h->shed_at == 0 || now - h->shed_at >= HTTP_SHED_LOG) {
		log_warnx("httpd: no room for a new connection (%d open): "
		    "closing the longest idle, %llu since the last report",
		    n, (unsigned long long)(h->shed - h->shed_logged));
		h->shed_logged = h->shed;
		h->shed_at = now;
	}
	return 0;
}

/* A new connection: make room at the cap, set it up, pace the bursts. */
static void
http_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct http		*h = arg;
	struct http_conn	*c;
	struct timeval		 zero = { 0, 0 };
	int			 one = 1, full;

	(void)l;
	(void)salen;
	/*
	 * None may go: the listeners pause before that, so it is rare (one
	 * picked then began answering); one over the cap is taken, not more.
	 */
	if ((full = h->nconns >= h->lim.max_conns) && http_shed(h) == -1 &&
	    h->nconns > h->lim.max_conns) {
		evutil_closesocket(fd);
		http_crowd_check(h);
		return;
	}
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->in = malloc(h->lim.max_head + 1)) == NULL ||
	    (c->out = evbuffer_new()) == NULL) {
		if (c != NULL) {
			free(c->in);
			free(c);
		}
		evutil_closesocket(fd);
		return;
	}
	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->h = h;
	c->fd = fd;
	c->accepted = mono_ms();
	http_conn_link(c);
	h->nconns++;
	c->rev = event_new(h->base, fd, EV_READ | EV_PERSIST,
	    http_conn_read_cb, c);
	c->wev = event_new(h->base, fd, EV_WRITE | EV_PERSIST,
	    http_conn_write_cb, c);
	if (c->rev == NULL || c->wev == NULL ||
	    event_add(c->rev, h->tv) == -1) {
		http_conn_free(c);
		return;
	}
	/*
	 * At the cap, the kernel may hold hundreds of queued connections;
	 * accepting them all in one go would shed the first before its
	 * request is read.
	 */
	if (full && ++h->burst >= h->burst_max && !h->throttled) {
		h->throttled = 1;
		http_listen_update(h);
		evtimer_add(h->resume, &zero);
	}
	http_crowd_check(h);
}

/* accept(2) failed (out of descriptors, say). */
static void
http_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct http	*h = arg;
	struct timeval	 tv = { HTTP_ACCEPT_RETRY, 0 };
	int		 error = errno;
	time_t		 now = time(NULL);

	(void)l;
	/* Out of descriptors: an idle connection gives up its own. */
	if ((error == EMFILE || error == ENFILE) && http_shed(h) == 0)
		return;
	/*
	 * The queued connection stays, so the listener stays readable: retry
	 * later instead of failing (and logging) on every loop pass.
	 */
	if (now - h->accept_warned >= HTTP_SHED_LOG) {
		errno = error;
		log_warn("httpd: accept (retrying every %d s)",
		    HTTP_ACCEPT_RETRY);
		h->accept_warned = now;
	}
	h->backoff = 1;
	http_listen_update(h);
	evtimer_add(h->retry, &tv);
}

/* Some time after accept(2) failed: try again. */
static void
http_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http	*h = arg;

	(void)fd;
	(void)what;
	h->backoff = 0;
	http_listen_update(h);
}

/* Puts the listening socket FD on the loop; takes the descriptor. */
static int
http_add_listener(struct http *h, evutil_socket_t fd)
{
	struct evconnlistener	*l;

	if (h->nls == HTTP_MAX_LISTENERS) {
		log_warnx("httpd: too many listening sockets");
		evutil_closesocket(fd);
		return -1;
	}
	l = evconnlistener_new(h->base, http_accept_cb, h,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, HTTP_BACKLOG, fd);
	if (l == NULL) {
		evutil_closesocket(fd);
		return -1;
	}
	evconnlistener_set_error_cb(l, http_accept_error_cb);
	h->ls[h->nls++] = l;
	return 0;
}

/* "HOST:PORT" of a bound socket, IPv6 in brackets. */
static void
http_sockname(evutil_socket_t fd, char *out, size_t len, int *port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 host[INET6_ADDRSTRLEN] = "?";

	*port = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		snprintf(out, len, "?");
		return;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		*port = ntohs(s6->sin6_port);
		snprintf(out, len, "[%s]:%d", host, *port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		*port = ntohs(s4->sin_port);
		snprintf(out, len, "%s:%d", host, *port);
	}
}

int
http_listen_tcp(struct http *h, const char *host, int port, char *bound,
    size_t boundlen)
{
	struct addrinfo	 hints, *res, *ai;
	char		 serv[16], name[80];
	int		 rc, n = 0, has4 = 0, one = 1, v6only, bport = 0;
	evutil_socket_t	 fd;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%d", port);
	if ((rc = getaddrinfo(host, serv, &hints, &res)) != 0) {
		log_warnx("httpd: %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (ai->ai_family == AF_INET)
			has4 = 1;
	bound[0] = '\0';
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		/*
		 * Port 0 with several addresses: all on the first one's port.
		 */
		if (n > 0 && port == 0) {
			if (ai->ai_family == AF_INET)
				((struct sockaddr_in *)ai->ai_addr)->sin_port =
				    htons((uint16_t)bport);
			else
				((struct sockaddr_in6 *)
				    ai->ai_addr)->sin6_port =
				    htons((uint16_t)bport);
		}
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (ai->ai_family == AF_INET6) {
			/*
			 * [::] alone takes IPv4 too;
			 * next to 0.0.0.0 it must not.
			 */
			v6only = has4;
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			    sizeof v6only);
		}
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, HTTP_BACKLOG) == -1) {
			log_warn("httpd: cannot listen on %s port %d", host,
			    port);
			evutil_closesocket(fd);
			freeaddrinfo(res);
			return -1;
		}
		http_sockname(fd, name, sizeof name, &rc);
		if (n == 0) {
			bport = rc;
			snprintf(bound, boundlen, "%s", name);
		}
		if (http_add_listener(h, fd) == -1) {
			freeaddrinfo(res);
			return -1;
		}
		log_info("httpd: listening on %s", name);
		n++;
	}
	freeaddrinfo(res);
	if (n == 0) {
		log_warnx("httpd: %s: no address to listen on", host);
		return -1;
	}
	return n;
}

int
http_listen_unix(struct http *h, const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	evutil_socket_t		 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		log_warnx("httpd: %s: path too long for a unix socket", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	/*
	 * A socket left by a previous run is replaced; any other file is not.
	 */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 || bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(fd, HTTP_BACKLOG) == -1) {
		log_warn("httpd: cannot listen on %s", path);
		if (fd != -1)
			evutil_closesocket(fd);
		return -1;
	}
	if (http_add_listener(h, fd) == -1)
		return -1;
	free(h->unix_path);
	if ((h->unix_path = strdup(path)) == NULL)
		return -1;
	log_info("httpd: listening on unix:%s", path);
	return 0;
}

int
http_listen_fd(struct http *h, int fd)
{
	/* The manager made it; a blocking accept would stall the loop. */
	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1) {
		log_warn("httpd: inherited socket %d", fd);
		return -1;
	}
	return http_add_listener(h, fd);
}

enum http_method
http_req_method(const struct http_req *r)
{
	return r->method;
}

const char *
http_req_method_name(const struct http_req *r)
{
	return r->method_name;
}

const char *
http_req_path(const struct http_req *r)
{
	return r->path;
}

const char *
http_req_query(const struct http_req *r)
{
	return r->query;
}

const char *
http_req_header(const struct http_req *r, const char *name)
{
	for (int i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hname[i], name) == 0)
			return r->hvalue[i];
	return NULL;
}

int
http_req_status(const struct http_req *r)
{
	return r->status;
}

void
http_resp_header(struct http_req *r, const char *name, const char *value)
{
	size_t	nl = strlen(name), vl = strlen(value);

	if (r->rhlen + nl + vl + 4 > sizeof r->rh)
		return;
	/* A value with a line break would split the response. */
	if (strpbrk(value, "\r\n") != NULL)
		return;
	memcpy(r->rh + r->rhlen, name, nl);
	memcpy(r->rh + r->rhlen + nl, ": ", 2);
	memcpy(r->rh + r->rhlen + nl + 2, value, vl);
	memcpy(r->rh + r->rhlen + nl + 2 + vl, "\r\n", 2);
	r->rhlen += nl + vl + 4;
}

/* The Date header's value, formatted once a second. */
static const char *
http_date(struct http *h)
{
	time_t	now = time(NULL);

	if (now != h->date_at) {
		if (date_format_rfc822(now, h->date, sizeof h->date) == -1)
			h->date[0] = '\0';
		h->date_at = now;
	}
	return h->date;
}

/* Bodies that need no release (static text). */
static void
http_noop_unref(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	(void)arg;
}

struct http_unref {
	void	(*fn)(void *);
	void	*arg;
};

/* Releases a borrowed body once the connection is done with it. */
static void
http_call_unref(const void *data, size_t len, void *arg)
{
	struct http_unref	*u = arg;

	(void)data;
	(void)len;
	u->fn(u->arg);
	free(u);
}

/* Queues the status line, headers and (unless HEAD or 304) the body. */
static void
http_send(struct http_req *r, int status, const char *type, const void *body,
    size_t len, void (*unref)(void *), void *arg, int copy)
{
	struct http_conn	*c = r->c;
	struct http_unref	*u;
	char			 head[512];
	int			 n, nobody;

	if (r->status != 0) {
		if (unref != NULL)
			unref(arg);
		return;		/* answered already */
	}
	r->status = status;
	if (status >= 400 && r->has_body)
		r->keepalive = 0;
	nobody = status == 304 || status == 204 || r->method == HTTP_HEAD;
	n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nDate: %s\r\n%s%s%s",
	    status, http_reason(status), http_date(c->h),
	    type != NULL ? "Content-Type: " : "", type != NULL ? type : "",
	    type != NULL ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof head)
		n = 0;
	evbuffer_add(c->out, head, n);
	if (status != 304 && status != 204)
		evbuffer_add_printf(c->out, "Content-Length: %zu\r\n", len);
	if (!r->keepalive)
		evbuffer_add(c->out, "Connection: close\r\n", 19);
	evbuffer_add(c->out, r->rh, r->rhlen);
	evbuffer_add(c->out, "\r\n", 2);
	if (nobody || len == 0) {
		if (unref != NULL)
			unref(arg);
	} else if (copy)
		evbuffer_add(c->out, body, len);
	else if (unref == NULL)
		evbuffer_add_reference(c->out, body, len, http_noop_unref,
		    NULL);
	else if ((u = malloc(sizeof *u)) == NULL) {
		evbuffer_add(c->out, body, len);
		unref(arg);
	} else {
		u->fn = unref;
		u->arg = arg;
		evbuffer_add_reference(c->out, body, len, http_call_unref, u);
	}
	if (!r->keepalive)
		c->closing = 1;
}

void
http_reply(struct http_req *r, int status, const char *type, const void *body,
    size_t len)
{
	http_send(r, status, type, body, len, NULL, NULL, 1);
}

void
http_reply_ref(struct http_req *r, int status, const char *type,
    const void *body, size_t len, void (*unref)(void *), void *arg)
{
	http_send(r, status, type, body, len, unref, arg, 0);
}

/* Answers an unparseable request and closes after it. */
static void
http_fail(struct http_conn *c, int status)
{
	struct http_req	*r = &c->req;
	char		 msg[96];
	int		 n;

	memset(r, 0, sizeof *r);
	r->c = c;
	r->method = HTTP_GET;
	r->keepalive = 0;
	n = snprintf(msg, sizeof msg, "%s\n", http_reason(status));
	http_reply(r, status, "text/plain; charset=utf-8", msg, (size_t)n);
	c->closing = 1;
	c->inlen = 0;
	c->scanned = 0;
	c->head_at = 0;
}

/* Trims spaces and tabs at both ends of S, in place. */
static char *
http_trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Does the comma-separated header value V hold the token TOK? */
static int
http_has_token(const char *v, const char *tok)
{
	size_t	n = strlen(tok);

	while (v != NULL && *v != '\0') {
		v += strspn(v, " \t,");
		if (strncasecmp(v, tok, n) == 0 && (v[n] == '\0' ||
		    v[n] == ',' || v[n] == ' ' || v[n] == '\t' || v[n] == ';'))
			return 1;
		v = strchr(v, ',');
	}
	return 0;
}

/*
 * Parses the head in c->in (HEADLEN bytes, NUL-terminated, the blank line
 * included) into c->req; 0, or the status to fail with.
 */
static int
http_parse(struct http_conn *c, char *head)
{
	struct http_req	*r = &c->req;
	char		*line, *next, *sp, *target, *colon, *q, *end, *auth;
	const char	*v;
	size_t		 n;
	int		 nhost = 0;

	memset(r, 0, sizeof *r);
	r->c = c;
	line = head;
	if ((next = strchr(line, '\n')) == NULL)
		return 400;
	*next++ = '\0';
	if (next - line >= 2 && next[-2] == '\r')
		next[-2] = '\0';

	/* METHOD SP TARGET SP HTTP/1.x */
	if ((sp = strchr(line, ' ')) == NULL)
		return 400;
	*sp = '\0';
	r->method_name = line;
	target = sp + 1;
	if ((sp = strchr(target, ' ')) == NULL)
		return 400;
	*sp = '\0';
	if ((size_t)(sp - target) > c->h->lim.max_uri)
		return 414;
	if (strncmp(sp + 1, "HTTP/1.", 7) != 0 || sp[8] < '0' ||
	    sp[8] > '9' || sp[9] != '\0')
		return strncmp(sp + 1, "HTTP/", 5) == 0 ? 505 : 400;
	r->minor = sp[8] - '0';
	if (strcmp(r->method_name, "GET") == 0)
		r->method = HTTP_GET;
	else if (strcmp(r->method_name, "HEAD") == 0)
		r->method = HTTP_HEAD;
	else
		r->method = HTTP_OTHER;
	if (target[0] != '/' && (strncasecmp(target, "http://", 7) == 0 ||
	    strncasecmp(target, "https://", 8) == 0)) {
		/*
		 * absolute-form, which a server must accept (RFC 9112 3.2.2):
		 * the path routes; the authority names this server.
		 */
		auth = strstr(target, "://") + 3;
		if ((n = strcspn(auth, "/?#")) == 0)
			return 400;
		if (auth[n] == '/')
			target = auth + n;
		else {
			if (auth[n] == '?') {
				r->query = auth + n + 1;
				if ((q = strchr(r->query, '#')) != NULL)
					*q = '\0';
			}
			target = (char *)"/";
		}
	} else if (target[0] != '/') {
		/* "*" (OPTIONS) and other forms: only the method matters. */
		if (r->method != HTTP_OTHER)
			return 400;
		target = (char *)"/";
	}
	if ((q = strchr(target, '#')) != NULL)
		*q = '\0';
	if ((q = strchr(target, '?')) != NULL) {
		*q = '\0';
		r->query = q + 1;
	}
	r->path = target;

	for (line = next; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) == NULL)
			return 400;
		*next++ = '\0';
		if (next - line >= 2 && next[-2] == '\r')
			next[-2] = '\0';
		if (*line == '\0')
			break;
		/* Obsolete line folding is refused, as RFC 9112 allows. */
		if (*line == ' ' || *line == '\t')
			return 400;
		if ((colon = strchr(line, ':')) == NULL || colon == line)
			return 400;
		*colon = '\0';
		if (strpbrk(line, " \t") != NULL)
			return 400;
		if (r->nhdr == HTTP_MAX_HEADERS)
			return 431;
		r->hname[r->nhdr] = line;
		r->hvalue[r->nhdr] = http_trim(colon + 1);
		r->nhdr++;
		if (strcasecmp(line, "Host") == 0)
			nhost++;
	}
	/* RFC 9112 3.2: exactly one Host in HTTP/1.1, never two in any. */
	if (nhost > 1 || (r->minor >= 1 && nhost == 0))
		return 400;

	v = http_req_header(r, "Connection");
	if (r->minor == 0)
		r->keepalive = http_has_token(v, "keep-alive");
	else
		r->keepalive = !http_has_token(v, "close");
	if (http_req_header(r, "Transfer-Encoding") != NULL)
		r->has_body = 1;
	if ((v = http_req_header(r, "Content-Length")) != NULL) {
		long long clen;

		errno = 0;
		clen = strtoll(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || clen < 0)
			return 400;
		if (clen > 0)
			r->has_body = 1;
	}
	/* A body we will not read would be taken for the next request. */
	if (r->has_body)
		r->keepalive = 0;
	return 0;
}

/* Writes what it can; 0 when OUT is empty, 1 when more is queued, -1 gone. */
static int
http_conn_flush(struct http_conn *c)
{
	int	n;

	while (evbuffer_get_length(c->out) > 0) {
		n = evbuffer_write(c->out, c->fd);
		if (n > 0)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return 1;
		return -1;
	}
	return 0;
}

/*
 * Where the head in c->in ends: the offset past its empty line (CRLF or
 * bare LF, whichever comes first), 0 when it has not arrived yet, or -1
 * for a NUL byte.  The search resumes where the last one stopped, so a
 * head sent a byte at a time costs linear time, not quadratic.
 */
static ssize_t
http_head_end(struct http_conn *c)
{
	size_t	i;

	for (i = c->scanned; i < c->inlen; i++) {
		if (c->in[i] == '\0')
			return -1;
		if (c->in[i] != '\n')
			continue;
		if (i + 1 < c->inlen && c->in[i + 1] == '\n')
			return (ssize_t)(i + 2);
		if (i + 1 < c->inlen && c->in[i + 1] == '\r' &&
		    i + 2 < c->inlen && c->in[i + 2] == '\n')
			return (ssize_t)(i + 3);
		if (i + 2 >= c->inlen)
			/* the rest of this line break is to come */
			break;
	}
	c->scanned = i;
	return 0;
}

/* Serves the complete requests in c->in, in order, while output drains. */
static void
http_conn_process(struct http_conn *c)
{
	struct http	*h = c->h;
	char		*end, *head;
	size_t		 used;
	ssize_t		 hend;
	int		 status, rc;

	while (!c->closing && c->inlen > 0) {
		c->in[c->inlen] = '\0';
		/* Blank lines before a request are allowed (RFC 9112 2.2). */
		used = strspn(c->in, "\r\n");
		if (used > 0) {
			memmove(c->in, c->in + used, c->inlen - used);
			c->inlen -= used;
			c->scanned = 0;
			continue;
		}
		if ((hend = http_head_end(c)) == -1) {
			http_fail(c, 400);
			break;
		}
		if (hend == 0) {
			if (c->inlen >= h->lim.max_head) {
				/* An overlong request line is a long URL. */
				end = memchr(c->in, '\n', c->inlen);
				http_fail(c, end == NULL ? 414 : 431);
			}
			break;
		}
		used = (size_t)hend;
		/* The head is parsed in place; a copy keeps pipelined bytes. */
		if ((head = malloc(used + 1)) == NULL) {
			http_fail(c, 503);
			break;
		}
		memcpy(head, c->in, used);
		head[used] = '\0';
		memmove(c->in, c->in + used, c->inlen - used);
		c->inlen -= used;
		c->scanned = 0;
		/* Pipelined bytes start the next head's clock. */
		c->head_at = c->inlen > 0 ? time(NULL) : 0;
		if ((status = http_parse(c, head)) != 0)
			http_fail(c, status);
		else {
			h->cb(&c->req, h->arg);
			if (c->req.status == 0)
				http_reply(&c->req, 500, NULL, NULL, 0);
		}
		free(head);
		if ((rc = http_conn_flush(c)) == -1) {
			http_conn_free(c);
			return;
		}
		if (rc == 1) {
			/*
			 * Stop reading until the client
			 * takes what it asked for.
			 */
			event_del(c->rev);
			event_add(c->wev, h->tv);
			http_conn_busy(c, 1);
			return;
		}
		/* Answered in full: idle again, the last to be shed. */
		if (!c->closing)
			http_conn_touch(c);
	}
	if (c->closing && evbuffer_get_length(c->out) == 0) {
		http_conn_free(c);
		return;
	}
	if (c->closing) {
		event_del(c->rev);
		event_add(c->wev, h->tv);
		http_conn_busy(c, 1);
	}
}

/* Readable, or silent for a whole timeout. */
static void
http_conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;
	struct http		*h = c->h;
	ssize_t			 n;
	time_t			 now;

	if (what & EV_TIMEOUT) {
		/* Idle keep-alive, or a head that never ended: say so, once. */
		if (c->inlen > 0) {
			http_fail(c, 408);
			(void)http_conn_flush(c);
		}
		http_conn_free(c);
		return;
	}
	/*
	 * Silence is timed by the event; a head trickled in a byte at a time
	 * (slowloris) must also be whole within the timeout of its start.
	 */
	now = time(NULL);
	if (c->head_at != 0 && now - c->head_at >= h->lim.timeout) {
		http_fail(c, 408);
		http_conn_process(c);
		return;
	}
	if (c->inlen >= h->lim.max_head) {
		http_conn_process(c);
		return;
	}
	n = read(fd, c->in + c->inlen, h->lim.max_head - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		http_conn_free(c);
		return;
	}
	if (c->inlen == 0)
		c->head_at = now;
	c->inlen += (size_t)n;
	c->heard = 1;
	http_conn_process(c);
}

/* Writable again, or no progress for a whole timeout. */
static void
http_conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;
	int			 rc;

	(void)fd;
	if (what & EV_TIMEOUT) {
		/* No progress for a whole timeout: a stalled reader. */
		http_conn_free(c);
		return;
	}
	if ((rc = http_conn_flush(c)) == -1) {
		http_conn_free(c);
		return;
	}
	if (rc == 1)
		return;
	event_del(c->wev);
	if (c->closing) {
		http_conn_free(c);
		return;
	}
	event_add(c->rev, c->h->tv);
	http_conn_busy(c, 0);
	http_conn_process(c);
}

/*
 * ctl: the control socket; see ctl.h.  The listener is an evconnlistener
 * on the daemon's loop and each connection a bufferevent with a read
 * ceiling, a timeout and one request; at most CTL_CLIENTS are open, so a
 * local client cannot make the daemon hold unbounded memory.
 */
#define _DEFAULT_SOURCE
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "conf.h"
#include "ctl.h"
#include "daemon.h"
#include "log.h"
#include "mono.h"
#include "sched.h"

#define CTL_CLIENTS	16	/* connections open at once */
#define CTL_TIMEOUT	5	/* seconds for a client to ask */
#define CTL_BACKLOG	16

struct ctl_client {
	struct ctl		*ctl;
	struct bufferevent	*bev;
	int			 done;	/* reply queued: close once sent */
	struct ctl_client	*next;
};

struct ctl {
	struct daemon		*d;
	struct evconnlistener	*listener;
	char			*path;
	dev_t			 dev;		/* of the socket file we made */
	ino_t			 ino;
	struct ctl_client	*clients;
	int			 nclients;
};

/* Fills SUN with PATH; -1 when the path does not fit. */
static int
ctl_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun->sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

/* Closes one connection and forgets it. */
static void
ctl_client_free(struct ctl_client *c)
{
	struct ctl_client	**pp;

	for (pp = &c->ctl->clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->ctl->nclients--;
	bufferevent_free(c->bev);
	free(c);
}

/* Runs one request line and writes the reply to OUT. */
static void
ctl_execute(struct ctl *ctl, const char *line, struct evbuffer *out)
{
	struct daemon	*d = ctl->d;
	const char	*arg;
	size_t		 n = 0;

	if (strcmp(line, "ping") == 0) {
		evbuffer_add_printf(out, "ok feedmuxd %s\n", PACKAGE_VERSION);
		return;
	}
	if (strncmp(line, "poll ", 5) != 0) {
		evbuffer_add_printf(out, "error unknown command\n");
		return;
	}
	arg = line + 5;
	if (strcmp(arg, "--all") == 0) {
		for (size_t i = 0; i < d->conf->nsources; i++) {
			if (sched_now(d->sched, d->conf->sources[i].name) == 0)
				n++;
		}
		log_info("ctl: polling %zu sources now", n);
		evbuffer_add_printf(out, "ok polling %zu sources\n", n);
		return;
	}
	/* Names are [A-Za-z0-9._-]: anything else cannot be a source. */
	if (*arg == '\0' || strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(arg) ||
	    sched_now(d->sched, arg) == -1) {
		evbuffer_add_printf(out, "error unknown source\n");
		return;
	}
	log_info("source %s: poll requested over the control socket", arg);
	evbuffer_add_printf(out, "ok polling %s\n", arg);
}

/* Answers the first complete line; a client gets one request. */
static void
ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer		*out = bufferevent_get_output(bev);
	char			*line;
	size_t			 n;

	if (c->done)
		return;
	if ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) == NULL) {
		if (evbuffer_get_length(in) >= CTL_LINE_MAX) {
			evbuffer_add_printf(out, "error line too long\n");
			c->done = 1;
			bufferevent_disable(bev, EV_READ);
		}
		return;
	}
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n >= CTL_LINE_MAX || strlen(line) != n)
		evbuffer_add_printf(out, "error bad request\n");
	else
		ctl_execute(c->ctl, line, out);
	free(line);
	c->done = 1;
	bufferevent_disable(bev, EV_READ);
}

/* Closes the connection once the answer is out. */
static void
ctl_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_client	*c = arg;

	if (c->done && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		ctl_client_free(c);
}

/* Ends a connection on EOF, error or timeout. */
static void
ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	/* EOF, error or timeout: nothing more will be asked or answered. */
	ctl_client_free(arg);
}

/* Takes a new connection, unless CTL_CLIENTS are open already. */
static void
ctl_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct ctl		*ctl = arg;
	struct ctl_client	*c;
	struct timeval		 tv = { CTL_TIMEOUT, 0 };

	(void)l;
	(void)sa;
	(void)salen;
	if (ctl->nclients >= CTL_CLIENTS) {
		log_warnx("ctl: too many connections, refusing one");
		evutil_closesocket(fd);
		return;
	}
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->bev = bufferevent_socket_new(ctl->d->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("ctl: out of memory");
		free(c);
		evutil_closesocket(fd);
		return;
	}
	c->ctl = ctl;
	c->next = ctl->clients;
	ctl->clients = c;
	ctl->nclients++;
	bufferevent_setcb(c->bev, ctl_read_cb, ctl_write_cb, ctl_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_LINE_MAX);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/*
 * Removes a socket file left by a daemon that died, but never one a live
 * daemon answers on.  -1 when PATH is in use or is not a socket.
 */
static int
ctl_clear_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat	 sb;
	int		 fd, rc;

	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(sb.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	close(fd);
	if (rc == 0) {
		errno = EADDRINUSE;
		return -1;
	}
	return unlink(path);
}

struct ctl *
ctl_new(struct daemon *d)
{
	struct ctl		*ctl;
	struct sockaddr_un	 sun;
	struct stat		 sb;
	const char		*path = d->conf->control;
	mode_t			 old;
	int			 fd;

	if (path == NULL || ctl_addr(&sun, path) == -1) {
		log_warnx("ctl: control socket path too long (at most %zu "
		    "bytes): %s", sizeof sun.sun_path - 1, path != NULL ?
		    path : "(none)");
		return NULL;
	}
	if (ctl_clear_stale(path, &sun) == -1) {
		log_warn("ctl: %s", path);
		return NULL;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		log_warn("ctl: socket");
		return NULL;
	}
	/* Born owner-only: no window in which others may connect. */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		log_warn("ctl: bind %s", path);
		close(fd);
		return NULL;
	}
	umask(old);
	if (stat(path, &sb) == -1 || listen(fd, CTL_BACKLOG) == -1) {
		log_warn("ctl: %s", path);
		close(fd);
		unlink(path);
		return NULL;
	}
	if ((ctl = calloc(1, sizeof *ctl)) == NULL ||
	    (ctl->path = strdup(path)) == NULL) {
		free(ctl);
		close(fd);
		unlink(path);
		return NULL;
	}
	ctl->d = d;
	ctl->dev = sb.st_dev;
	ctl->ino = sb.st_ino;
	ctl->listener = evconnlistener_new(d->base, ctl_accept_cb, ctl,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (ctl->listener == NULL) {
		log_warnx("ctl: cannot listen on %s", path);
		close(fd);
		ctl_free(ctl);
		return NULL;
	}
	log_info("ctl: control socket %s", path);
	return ctl;
}

void
ctl_free(struct ctl *ctl)
{
	struct stat	sb;

	if (ctl == NULL)
		return;
	while (ctl->clients != NULL)
		ctl_client_free(ctl->clients);
	if (ctl->listener != NULL)
		evconnlistener_free(ctl->listener);
	/* Only our own file: a newer daemon may have taken the path over. */
	if (lstat(ctl->path, &sb) == 0 && sb.st_dev == ctl->dev &&
	    sb.st_ino == ctl->ino)
		unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

/* Milliseconds left until DEADLINE (mono_ms()), at least 0. */
static int
ctl_left(int64_t deadline)
{
	int64_t	ms = deadline - mono_ms();

	return ms > 0 ? (int)ms : 0;
}

int
ctl_request(const char *path, const char *request, char *reply, size_t len,
    int timeout)
{
	struct sockaddr_un	 sun;
	int64_t			 deadline;
	struct pollfd		 pfd;
	char			 line[CTL_LINE_MAX];
	size_t			 got = 0, n;
	ssize_t			 r;
	int			 fd, saved;

	snprintf(reply, len, "%s", "");
	n = strlen(request);
	if (n + 1 >= sizeof line || memchr(request, '\n', n) != NULL) {
		errno = EINVAL;
		snprintf(reply, len, "bad request");
		return -1;
	}
	if (ctl_addr(&sun, path) == -1) {
		snprintf(reply, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		saved = errno;
		snprintf(reply, len, "%s: %s", path, strerror(saved));
		if (fd != -1)
			close(fd);
		errno = saved;
		return -1;
	}
	memcpy(line, request, n);
	line[n++] = '\n';
	if (send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n) {
		saved = errno;
		snprintf(reply, len, "%s: %s", path, strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	deadline = mono_ms() + (int64_t)timeout * 1000;
	/* One line back; the daemon closes after it. */
	while (got < sizeof line - 1) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, ctl_left(deadline))) == -1 &&
		    errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			snprintf(reply, len, "no answer from the daemon in %ds",
			    timeout);
			errno = ETIMEDOUT;
			return -1;
		}
		if ((r = read(fd, line + got, sizeof line - 1 - got)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (memchr(line, '\n', got) != NULL)
			break;
	}
	saved = errno;
	close(fd);
	line[got] = '\0';
	if ((n = strcspn(line, "\n")) == got) {
		snprintf(reply, len, "truncated answer from the daemon");
		errno = got == 0 && saved != 0 ? saved : EPROTO;
		return -1;
	}
	line[n] = '\0';
	if (strncmp(line, "ok", 2) == 0 &&
	    (line[2] == '\0' || line[2] == ' ')) {
		snprintf(reply, len, "%s", line[2] == ' ' ? line + 3 : "");
		return 0;
	}
	snprintf(reply, len, "%s", strncmp(line, "error ", 6) == 0 ?
	    line + 6 : line);
	return 1;
}

/*
 * notify: systemd's notify and socket activation protocols; see notify.h.
 * Written from the documented protocol (sd_notify(3), sd_listen_fds(3)):
 * one datagram per message on an AF_UNIX socket, and inherited
 * descriptors counted from 3.
 */
#define _DEFAULT_SOURCE
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"

/* Parses a whole decimal, positive number of at most MAX; -1 otherwise. */
static long long
notify_number(const char *s, long long max)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	return v;
}

int
notify_send(const char *fmt, ...)
{
	struct sockaddr_un	 sun;
	const char		*path;
	char			 msg[NOTIFY_MAX];
	socklen_t		 len;
	size_t			 plen;
	va_list			 ap;
	ssize_t			 n;
	int			 fd, saved, mlen;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL || *path == '\0')
		return 0;
	va_start(ap, fmt);
	mlen = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (mlen < 0 || (size_t)mlen >= sizeof msg) {
		errno = EMSGSIZE;
		return -1;
	}

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	plen = strlen(path);
	/* A path must keep its NUL; an abstract name has none. */
	if ((path[0] != '/' && path[0] != '@') ||
	    plen >= sizeof sun.sun_path) {
		errno = EINVAL;
		return -1;
	}
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@') {
		sun.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    plen);
	} else
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    plen + 1);

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	n = sendto(fd, msg, (size_t)mlen, MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len);
	saved = errno;
	close(fd);
	errno = saved;
	if (n != mlen)
		return -1;
	return 1;
}

int64_t
notify_watchdog_usec(void)
{
	long long	 usec, pid;

	usec = notify_number(getenv("WATCHDOG_USEC"), INT64_MAX);
	if (usec <= 0)
		return 0;
	/* No WATCHDOG_PID: the request is ours; else only if it names us. */
	if (getenv("WATCHDOG_PID") != NULL) {
		pid = notify_number(getenv("WATCHDOG_PID"), INT_MAX);
		if (pid != (long long)getpid())
			return 0;
	}
	return (int64_t)usec;
}

int
notify_listen_fds(void)
{
	long long	 pid, n;
	int		 flags;

	pid = notify_number(getenv("LISTEN_PID"), INT_MAX);
	n = notify_number(getenv("LISTEN_FDS"), 64);
	/* Variables inherited from a parent that was activated are not ours. */
	if (pid != (long long)getpid() || n <= 0)
		n = 0;
	for (int fd = NOTIFY_LISTEN_FDS_START;
	    fd < NOTIFY_LISTEN_FDS_START + n; fd++) {
		if ((flags = fcntl(fd, F_GETFD)) == -1) {
			n = fd - NOTIFY_LISTEN_FDS_START;
			break;
		}
		(void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return (int)n;
}

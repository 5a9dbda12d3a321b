/*
 * test-notify: the systemd protocols of the notify room, against sockets
 * and environments made here: state datagrams to a path and to an
 * abstract socket, refusals, the watchdog period, and socket activation's
 * descriptor hand-over.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"

/* Binds a datagram socket at NAME ("@x" abstract); returns its fd. */
static int
receiver(const char *name)
{
	struct sockaddr_un	sun;
	socklen_t		len;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name) + (name[0] == '@' ? 0 : 1));
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	return fd;
}

/* Reads one datagram from FD (without waiting) into BUF. */
static void
receive(int fd, char *buf, size_t len)
{
	ssize_t	n;

	n = recv(fd, buf, len - 1, MSG_DONTWAIT);
	assert_true(n >= 0);
	buf[n] = '\0';
}

static void
test_send_path(void **state)
{
	char	 path[64], buf[2048];
	int	 fd;

	(void)state;
	snprintf(path, sizeof path, "/tmp/feedmux-notify-%ld.sock",
	    (long)getpid());
	unlink(path);
	fd = receiver(path);
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(notify_send("READY=1\nSTATUS=%d sources", 3), 1);
	receive(fd, buf, sizeof buf);
	assert_string_equal(buf, "READY=1\nSTATUS=3 sources");
	close(fd);
	unlink(path);
	/* Nobody listening: an error, not a crash. */
	assert_int_equal(notify_send("STOPPING=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_send_abstract(void **state)
{
	char	 name[64], buf[2048];
	int	 fd;

	(void)state;
	snprintf(name, sizeof name, "@feedmux-notify-test-%ld", (long)getpid());
	fd = receiver(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(notify_send("WATCHDOG=1"), 1);
	receive(fd, buf, sizeof buf);
	assert_string_equal(buf, "WATCHDOG=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_send_refused(void **state)
{
	char	big[NOTIFY_MAX + 10];

	(void)state;
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	errno = 0;
	assert_int_equal(notify_send("READY=1"), -1);
	assert_int_equal(errno, EINVAL);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	setenv("NOTIFY_SOCKET", "@whatever", 1);
	assert_int_equal(notify_send("STATUS=%s", big), -1);
	assert_int_equal(errno, EMSGSIZE);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_watchdog(void **state)
{
	char	pid[32];

	(void)state;
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "500000", 1);
	assert_int_equal(notify_watchdog_usec(), 500000);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_usec(), 500000);
	snprintf(pid, sizeof pid, "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "5x", 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
}

static void
test_listen_fds(void **state)
{
	char	pid[32];
	int	fd, saved;

	(void)state;
	/* Not for us: ignored, and removed so no child takes it either. */
	snprintf(pid, sizeof pid, "%ld", (long)getpid() + 1);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	assert_int_equal(notify_listen_fds(), 0);
	assert_null(getenv("LISTEN_PID"));
	assert_null(getenv("LISTEN_FDS"));

	/* Ours: descriptor 3, made close-on-exec. */
	saved = fcntl(NOTIFY_LISTEN_FDS_START, F_DUPFD_CLOEXEC, 10);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	if (fd != NOTIFY_LISTEN_FDS_START) {
		assert_int_equal(dup2(fd, NOTIFY_LISTEN_FDS_START),
		    NOTIFY_LISTEN_FDS_START);
		close(fd);
	}
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	setenv("LISTEN_FDNAMES", "http", 1);
	assert_int_equal(notify_listen_fds(), 1);
	assert_true(fcntl(NOTIFY_LISTEN_FDS_START, F_GETFD) & FD_CLOEXEC);
	assert_null(getenv("LISTEN_FDNAMES"));

	/* Garbage counts for nothing. */
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "one", 1);
	assert_int_equal(notify_listen_fds(), 0);
	close(NOTIFY_LISTEN_FDS_START);
	if (saved != -1) {
		dup2(saved, NOTIFY_LISTEN_FDS_START);
		close(saved);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_path),
		cmocka_unit_test(test_send_abstract),
		cmocka_unit_test(test_send_refused),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_listen_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

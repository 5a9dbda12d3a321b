/*
 * test-fetch-engine: fetch's engine threads as the loop sees them, against
 * a small HTTP server on loopback (a thread of this test): results come
 * back on the loop's thread, a transfer holds its slot until the loop has
 * taken its result, a cancelled transfer never calls back whatever state
 * it is in (even cancelled while the engine takes it in), and fetch_free drops transfers still out (the sanitizers see
 * that nothing leaks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "fetch.h"

/* The server: answers every request "ok", closing the connection. */
struct srv {
	int		 fd;
	int		 port;
	pthread_t	 th;
	atomic_int	 requests;
	atomic_int	 stop;
};

static void *
srv_main(void *arg)
{
	struct srv	*s = arg;
	static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n\r\nok";
	char		 buf[4096];
	size_t		 have;
	ssize_t		 n;
	int		 c;

	while (!atomic_load(&s->stop)) {
		struct pollfd	pfd = { s->fd, POLLIN, 0 };

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((c = accept(s->fd, NULL, NULL)) == -1)
			continue;
		/* One request per connection: read to the blank line. */
		have = 0;
		while (have < sizeof buf - 1 &&
		    (n = read(c, buf + have, sizeof buf - 1 - have)) > 0) {
			have += (size_t)n;
			buf[have] = '\0';
			if (strstr(buf, "\r\n\r\n") != NULL)
				break;
		}
		atomic_fetch_add(&s->requests, 1);
		(void)!write(c, answer, sizeof answer - 1);
		close(c);
	}
	return NULL;
}

static void
srv_start(struct srv *s)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			one = 1;

	memset(s, 0, sizeof *s);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(s->fd, 64), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sin, &len), 0);
	s->port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void
srv_stop(struct srv *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	close(s->fd);
}

/* What the callbacks saw. */
struct seen {
	int		 calls;
	int		 ok;
	int		 on_loop;	/* called on the loop's thread */
	pthread_t	 loop;
};

static void
done_cb(const struct fetch_result *r, void *arg)
{
	struct seen	*seen = arg;

	seen->calls++;
	if (r->error == FETCH_OK && r->status == 200 && r->len == 2 &&
	    memcmp(r->body, "ok", 2) == 0)
		seen->ok++;
	if (pthread_equal(pthread_self(), seen->loop))
		seen->on_loop++;
}

static struct fetch_xfer *
start(struct fetch *f, const struct srv *s, struct seen *seen)
{
	struct fetch_req	req;
	struct fetch_xfer	*x;
	char			url[64];

	snprintf(url, sizeof url, "http://127.0.0.1:%d/feed", s->port);
	memset(&req, 0, sizeof req);
	req.url = url;
	req.user_agent = "test-fetch-engine";
	req.allow_private = 1;
	req.max_body = 1024;
	req.timeout = 10;
	x = fetch_start(f, &req, done_cb, seen);
	assert_non_null(x);
	return x;
}

static void
sleep_ms(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* A loop, a fetch with MAX slots delivering on it, and a server. */
struct rig {
	struct event_base	*base;
	struct fetch		*f;
	struct srv		 s;
};

/* CONNECTIONS per host and no gap, or the defaults when 0. */
static void
rig_open(struct rig *r, long max, long connections)
{
	srv_start(&r->s);
	r->base = event_base_new();
	assert_non_null(r->base);
	r->f = fetch_new(r->base, max);
	assert_non_null(r->f);
	if (connections > 0)
		fetch_set_host_limits(r->f, connections, 0);
}

static void
rig_close(struct rig *r)
{
	fetch_free(r->f);
	event_base_free(r->base);
	srv_stop(&r->s);
}

/* Waits (at most 2 s) until the server has had more than N requests. */
static void
wait_requests(struct srv *s, int n)
{
	for (int i = 0; i < 80 && atomic_load(&s->requests) <= n; i++)
		sleep_ms(25);
}

/* Results are delivered on the loop, and the loop ends when none is out. */
static void
test_deliver(void **state)
{
	struct rig	r;
	struct seen	seen = { 0 };

	(void)state;
	seen.loop = pthread_self();
	rig_open(&r, 4, 4);
	for (int i = 0; i < 6; i++)
		start(r.f, &r.s, &seen);
	assert_int_equal(event_base_dispatch(r.base), 1);
	assert_int_equal(seen.calls, 6);
	assert_int_equal(seen.ok, 6);
	assert_int_equal(seen.on_loop, 6);
	assert_int_equal(atomic_load(&r.s.requests), 6);
	rig_close(&r);
}

/*
 * With one slot, a second transfer waits until the loop has taken the
 * first one's result, however long the loop is busy elsewhere.
 */
static void
test_slot_held(void **state)
{
	struct rig	r;
	struct seen	seen = { 0 };

	(void)state;
	seen.loop = pthread_self();
	rig_open(&r, 1, 1);
	for (int i = 0; i < 3; i++)
		start(r.f, &r.s, &seen);
	/* The loop does not run: the engine fetches one, and waits. */
	wait_requests(&r.s, 0);
	sleep_ms(300);
	assert_int_equal(atomic_load(&r.s.requests), 1);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(event_base_dispatch(r.base), 1);
	assert_int_equal(seen.calls, 3);
	assert_int_equal(seen.ok, 3);
	assert_int_equal(atomic_load(&r.s.requests), 3);
	rig_close(&r);
}

/*
 * Ends a cancelling test: one more transfer, the loop run dry, and only
 * the transfers of SEEN called back (N in all, each ok), none of GONE.
 */
static void
last_one_delivered(struct rig *r, struct seen *seen, struct seen *gone,
    int n)
{
	start(r->f, &r->s, seen);
	assert_int_equal(event_base_dispatch(r->base), 1);
	assert_int_equal(gone->calls, 0);
	assert_int_equal(seen->calls, n);
	assert_int_equal(seen->ok, n);
	rig_close(r);
}

/* Cancelled before the engine took it, after it ended, and in flight. */
static void
test_cancel(void **state)
{
	struct rig		 r;
	struct fetch_xfer	*a, *b;
	struct seen		 seen = { 0 }, gone = { 0 };
	int			 n;

	(void)state;
	seen.loop = gone.loop = pthread_self();
	rig_open(&r, 2, 2);

	/* At once: the engine may not even have seen it. */
	a = start(r.f, &r.s, &gone);
	fetch_cancel(a);
	start(r.f, &r.s, &seen);
	assert_int_equal(event_base_dispatch(r.base), 1);
	assert_int_equal(seen.calls, 1);

	/* Ended, its result waiting for the loop. */
	n = atomic_load(&r.s.requests);
	b = start(r.f, &r.s, &gone);
	wait_requests(&r.s, n);
	sleep_ms(200);
	fetch_cancel(b);
	/* Nothing is out: the loop has nothing to wait for. */
	assert_int_equal(event_base_dispatch(r.base), 1);
	assert_int_equal(gone.calls, 0);

	/* Many at once, cancelled wherever they are. */
	for (int i = 0; i < 8; i++) {
		a = start(r.f, &r.s, &gone);
		sleep_ms(i * 5);
		fetch_cancel(a);
	}
	last_one_delivered(&r, &seen, &gone, 2);
}

/*
 * Cancelled while the engine walks the batch it just took from the loop:
 * the cancel's list link must not be the one that batch is linked by (it
 * was: the batch's walk then looped for ever or lost transfers).  Many
 * rounds of a batch of 64 cancelled at once, so some land in that window.
 */
static void
test_cancel_batch(void **state)
{
	struct rig		 r;
	struct fetch_xfer	*x[64];
	struct seen		 seen = { 0 }, gone = { 0 };

	(void)state;
	seen.loop = gone.loop = pthread_self();
	rig_open(&r, 8, 8);
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 64; i++)
			x[i] = start(r.f, &r.s, &gone);
		if (round % 2)
			sched_yield();
		for (int i = 0; i < 64; i++)
			fetch_cancel(x[i]);
	}
	last_one_delivered(&r, &seen, &gone, 1);
}

/* Freed with transfers queued, in flight and ended: no callback. */
static void
test_free_busy(void **state)
{
	struct rig	r;
	struct seen	seen = { 0 };

	(void)state;
	seen.loop = pthread_self();
	rig_open(&r, 2, 0);
	for (int i = 0; i < 10; i++)
		start(r.f, &r.s, &seen);
	sleep_ms(100);
	fetch_free(r.f);
	assert_int_equal(seen.calls, 0);
	/* Nothing of fetch is left on the loop. */
	assert_int_equal(event_base_dispatch(r.base), 1);
	event_base_free(r.base);
	srv_stop(&r.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deliver),
		cmocka_unit_test(test_slot_held),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cancel_batch),
		cmocka_unit_test(test_free_busy),
	};
	int	rc;

	/* A transfer list gone wrong spins for ever: fail instead. */
	alarm(120);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}

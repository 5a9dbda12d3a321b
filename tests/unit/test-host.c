/*
 * test-host: per-host politeness bookkeeping: spacing between starts, the
 * in-flight limit per host, hosts taking turns (those not started yet
 * first while the caller keeps every started host's connection, those part
 * way through their queue first beyond that), waking, cancelling, the
 * host-wide slowdown when several sources are throttled, and idle hosts
 * being forgotten so the table stays bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

struct item {
	struct host_wait	 w;
	const char		*name;
};

static struct host_table *
table(int connections, int64_t delay_ms)
{
	/* Keeping no connections: hosts part way through always go first. */
	struct host_limits	 lim = { connections, delay_ms, 0 };
	struct host_table	*t = host_table_new(&lim);

	assert_non_null(t);
	return t;
}

static void
push(struct host_table *t, const char *host, struct item *it,
    const char *name, int64_t now)
{
	it->name = name;
	assert_int_equal(host_push(t, host, &it->w, it, now), 0);
}

static const char *
next(struct host_table *t, int64_t now, struct host **hp)
{
	struct item	*it = host_next(t, now, 0.0, hp);

	return it != NULL ? it->name : NULL;
}

static void
test_spacing(void **state)
{
	struct host_table	*t = table(4, 1000);
	struct item		 a[3];
	struct host		*h;

	(void)state;
	push(t, "a.example", &a[0], "a0", 0);
	push(t, "a.example", &a[1], "a1", 0);
	push(t, "a.example", &a[2], "a2", 0);
	assert_int_equal(host_waiting(t), 3);
	assert_string_equal(next(t, 0, &h), "a0");
	/* The next one waits a full gap and 5%, even with a free connection. */
	assert_null(next(t, 1049, &h));
	assert_int_equal(host_wake(t, 10), 1040);
	assert_string_equal(next(t, 1050, &h), "a1");
	assert_null(next(t, 1500, &h));
	/* Jitter only lengthens the gap: at most 25% more. */
	assert_non_null(host_next(t, 2100, 0.0, &h));
	assert_int_equal(host_waiting(t), 0);
	assert_int_equal(host_wake(t, 2000), -1);
	host_table_free(t);

	/* With r near 1 the gap is about 1250 ms. */
	t = table(4, 1000);
	push(t, "b.example", &a[0], "b0", 0);
	push(t, "b.example", &a[1], "b1", 0);
	assert_non_null(host_next(t, 0, 0.999, &h));
	assert_null(next(t, 1248, &h));
	assert_string_equal(next(t, 1249, &h), "b1");
	host_table_free(t);
}

static void
test_sent(void **state)
{
	struct host_table	*t = table(2, 1000);
	struct item		 a[2];
	struct host		*h;

	(void)state;
	push(t, "a.example", &a[0], "a0", 0);
	push(t, "a.example", &a[1], "a1", 0);
	assert_string_equal(next(t, 0, &h), "a0");
	/* Its connect took 300 ms: the gap counts from the request. */
	host_sent(t, h, 300);
	assert_null(next(t, 1349, &h));
	assert_int_equal(host_wake(t, 1000), 350);
	assert_string_equal(next(t, 1350, &h), "a1");
	host_table_free(t);
}

static void
test_connections(void **state)
{
	struct host_table	*t = table(2, 0);
	struct item		 a[3];
	struct host		*h1, *h2, *h3;

	(void)state;
	push(t, "a.example", &a[0], "a0", 0);
	push(t, "a.example", &a[1], "a1", 0);
	push(t, "a.example", &a[2], "a2", 0);
	assert_string_equal(next(t, 0, &h1), "a0");
	assert_string_equal(next(t, 0, &h2), "a1");
	/* Two in flight: the third waits for one to end, not for time. */
	assert_null(next(t, 5000, &h3));
	assert_int_equal(host_wake(t, 5000), -1);
	host_done(t, h1, 5000);
	assert_int_equal(host_wake(t, 5000), 0);
	assert_string_equal(next(t, 5000, &h3), "a2");
	host_done(t, h2, 5000);
	host_done(t, h3, 5000);
	host_table_free(t);
}

static void
test_turns(void **state)
{
	struct host_table	*t = table(1, 1000);
	struct item		 a[4], b[2];
	struct host		*h;

	(void)state;
	for (int i = 0; i < 4; i++)
		push(t, "a.example", &a[i], "a", 0);
	push(t, "b.example", &b[0], "b", 0);
	push(t, "B.example", &b[1], "other", 0);
	/* One busy host never holds up the others. */
	assert_string_equal(next(t, 0, &h), "a");
	assert_string_equal(next(t, 0, &h), "b");
	assert_string_equal(next(t, 0, &h), "other");
	assert_null(next(t, 0, &h));
	assert_int_equal(host_count(t), 3);
	host_table_free(t);
}

static void
test_returning_first(void **state)
{
	struct host_table	*t = table(1, 1000);
	struct item		 a[2], b[2], x, y, c[2], z;
	struct host		*h;

	(void)state;
	push(t, "a.example", &a[0], "a0", 0);
	push(t, "a.example", &a[1], "a1", 0);
	push(t, "b.example", &b[0], "b0", 0);
	push(t, "b.example", &b[1], "b1", 0);
	push(t, "x.example", &x, "x0", 0);
	push(t, "y.example", &y, "y0", 0);
	assert_string_equal(next(t, 0, &h), "a0");
	host_done(t, h, 10);
	assert_string_equal(next(t, 100, &h), "b0");
	host_done(t, h, 110);
	/*
	 * a and b woke (in that order) while x and y never started: hosts in
	 * the middle of their queues go first, their connections still open.
	 */
	assert_string_equal(next(t, 1200, &h), "a1");
	assert_string_equal(next(t, 1200, &h), "b1");
	assert_string_equal(next(t, 1200, &h), "x0");
	assert_string_equal(next(t, 1200, &h), "y0");
	assert_null(next(t, 1200, &h));
	host_table_free(t);

	/* A host whose one connection frees up goes first too. */
	t = table(1, 0);
	push(t, "c.example", &c[0], "c0", 0);
	push(t, "c.example", &c[1], "c1", 0);
	push(t, "z.example", &z, "z0", 0);
	assert_string_equal(next(t, 0, &h), "c0");
	host_done(t, h, 5);
	assert_string_equal(next(t, 5, &h), "c1");
	assert_string_equal(next(t, 5, &h), "z0");
	host_table_free(t);
}

/*
 * While the caller can keep every started host's connection open
 * (lim.keep), hosts not started yet go before woken ones, so every host
 * starts as early as it can; once that many are part way through their
 * queues, woken ones go first, as above.
 */
static void
test_new_hosts_first(void **state)
{
	struct host_limits	 lim = { 1, 1000, 2 };
	struct host_table	*t = host_table_new(&lim);
	struct item		 a[2], x[2], y, z, b[2], c[3], e;
	struct host		*h;

	(void)state;
	assert_non_null(t);
	push(t, "a.example", &a[0], "a0", 0);
	push(t, "a.example", &a[1], "a1", 0);
	push(t, "x.example", &x[0], "x0", 0);
	push(t, "x.example", &x[1], "x1", 0);
	push(t, "y.example", &y, "y0", 0);
	push(t, "z.example", &z, "z0", 0);
	assert_string_equal(next(t, 0, &h), "a0");
	host_done(t, h, 10);
	/* a woke with one host part way (a itself), room for two. */
	assert_string_equal(next(t, 1200, &h), "x0");
	assert_string_equal(next(t, 1200, &h), "y0");
	assert_string_equal(next(t, 1200, &h), "z0");
	assert_string_equal(next(t, 1200, &h), "a1");
	assert_null(next(t, 1200, &h));
	host_table_free(t);

	/* No room left: the woken host goes first. */
	lim.keep = 1;
	t = host_table_new(&lim);
	assert_non_null(t);
	push(t, "a.example", &a[0], "a0", 0);
	push(t, "a.example", &a[1], "a1", 0);
	push(t, "b.example", &b[0], "b0", 0);
	assert_string_equal(next(t, 0, &h), "a0");
	host_done(t, h, 10);
	assert_string_equal(next(t, 1200, &h), "a1");
	assert_string_equal(next(t, 1200, &h), "b0");
	host_table_free(t);

	/* A host whose waiting work was cancelled is no longer part way. */
	t = host_table_new(&lim);
	assert_non_null(t);
	push(t, "c.example", &c[0], "c0", 0);
	push(t, "c.example", &c[1], "c1", 0);
	push(t, "e.example", &e, "e0", 0);
	assert_string_equal(next(t, 0, &h), "c0");
	host_done(t, h, 10);
	host_cancel(t, &c[1].w, 20);
	push(t, "c.example", &c[2], "c2", 30);
	assert_string_equal(next(t, 1200, &h), "e0");
	assert_string_equal(next(t, 1200, &h), "c2");
	host_table_free(t);
}

static void
test_cancel(void **state)
{
	struct host_table	*t = table(1, 1000);
	struct item		 a[3];
	struct host		*h;

	(void)state;
	push(t, "a.example", &a[0], "a0", 0);
	push(t, "a.example", &a[1], "a1", 0);
	push(t, "a.example", &a[2], "a2", 0);
	host_cancel(t, &a[0].w, 0);
	host_cancel(t, &a[2].w, 0);
	assert_int_equal(host_waiting(t), 1);
	assert_string_equal(next(t, 0, &h), "a1");
	assert_null(next(t, 5000, &h));
	host_done(t, h, 5000);
	assert_int_equal(host_wake(t, 5000), -1);
	host_table_free(t);
}

static void
test_many_hosts(void **state)
{
	struct host_table	*t = table(2, 1000);
	struct item		*it;
	struct host		*h;
	char			 name[32];
	int			 n = 0;

	(void)state;
	/* More hosts than buckets: the table grows; every host starts once. */
	it = calloc(2000, sizeof *it);
	assert_non_null(it);
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof name, "h%d.localhost", i % 1000);
		push(t, name, &it[i], "x", 0);
	}
	assert_int_equal(host_count(t), 1000);
	while (host_next(t, 0, 0.5, &h) != NULL)
		n++;
	assert_int_equal(n, 1000);
	assert_int_equal(host_wake(t, 0), 1150);
	while (host_next(t, 1150, 0.5, &h) != NULL)
		n++;
	assert_int_equal(n, 2000);
	host_table_free(t);
	free(it);
}

static void
test_throttle(void **state)
{
	struct host_table	*t = table(2, 1000);
	struct item		 a[3];
	struct host		*h;

	(void)state;
	push(t, "a.example", &a[0], "a0", 0);
	push(t, "a.example", &a[1], "a1", 0);
	push(t, "a.example", &a[2], "a2", 0);
	assert_string_equal(next(t, 0, &h), "a0");
	host_done(t, h, 100);
	/* One source throttled: the host is not slowed. */
	assert_int_equal(host_throttled(t, h, 1, 100, 0), 1);
	assert_int_equal(host_throttled(t, h, 1, 200, 0), 1);
	assert_string_equal(next(t, 1050, &h), "a1");
	host_done(t, h, 1100);
	/* A second source: gaps double, and its Retry-After holds the host. */
	assert_int_equal(host_throttled(t, h, 2, 1100, 60000), 2);
	assert_int_equal(host_slow_factor(h, 1100), 2);
	assert_null(next(t, 59999, &h));
	assert_string_equal(next(t, 60000, &h), "a2");
	/* The slowdown ends HOST_SLOW_FOR_MS after the last throttling. */
	assert_int_equal(host_slow_factor(h, 1100 + HOST_SLOW_FOR_MS), 1);
	/* Old throttling falls out of the window. */
	assert_int_equal(host_throttled(t, h, 3,
	    1100 + HOST_SLOW_WINDOW_MS + 1, 0), 2);
	host_table_free(t);
}

static void
test_slow_gap(void **state)
{
	struct host_table	*t = table(4, 0);
	struct item		 a[3];
	struct host		*h;

	(void)state;
	push(t, "a.example", &a[0], "a0", 0);
	push(t, "a.example", &a[1], "a1", 0);
	push(t, "a.example", &a[2], "a2", 0);
	assert_string_equal(next(t, 0, &h), "a0");
	host_throttled(t, h, 1, 0, 0);
	host_throttled(t, h, 2, 0, 0);
	host_throttled(t, h, 3, 0, 0);
	/* Three sources: 4x a gap of at least HOST_SLOW_GAP_MIN_MS. */
	assert_int_equal(host_slow_factor(h, 0), 4);
	assert_string_equal(next(t, 0, &h), "a1");
	assert_null(next(t, 4 * HOST_SLOW_GAP_MIN_MS * 105 / 100 - 1, &h));
	assert_string_equal(next(t, 4 * HOST_SLOW_GAP_MIN_MS * 105 / 100, &h),
	    "a2");
	host_table_free(t);
}

/* One request to HOST from start to end at NOW; its host is returned. */
static struct host *
one_request(struct host_table *t, const char *host, int64_t now)
{
	struct item	 it;
	struct host	*h;

	push(t, host, &it, "x", now);
	assert_string_equal(next(t, now, &h), "x");
	host_done(t, h, now);
	return h;
}

static void
test_prune_idle(void **state)
{
	struct host_table	*t = table(2, 1000);
	struct item		 b[2];
	struct host		*h;

	(void)state;
	one_request(t, "a.example", 0);
	one_request(t, "b.example", 0);
	assert_int_equal(host_count(t), 2);
	/* Not yet idle for long enough. */
	assert_int_equal(host_prune(t, HOST_FORGET_MS - 1), 0);
	assert_int_equal(host_count(t), 2);
	/* b is used again: only a goes. */
	one_request(t, "b.example", HOST_FORGET_MS - 1);
	assert_int_equal(host_prune(t, HOST_FORGET_MS), 1);
	assert_int_equal(host_count(t), 1);
	/* Forgotten means afresh: a starts at once, spaced as before. */
	push(t, "a.example", &b[0], "a0", HOST_FORGET_MS);
	push(t, "a.example", &b[1], "a1", HOST_FORGET_MS);
	assert_int_equal(host_count(t), 2);
	assert_string_equal(next(t, HOST_FORGET_MS, &h), "a0");
	assert_null(next(t, HOST_FORGET_MS + 1049, &h));
	assert_string_equal(next(t, HOST_FORGET_MS + 1050, &h), "a1");
	host_table_free(t);
}

static void
test_prune_keeps_busy(void **state)
{
	struct host_table	*t = table(1, 1000);
	struct item		 w[2], f[2];
	struct host		*h, *hf;
	int64_t			 late = 10 * HOST_FORGET_MS;

	(void)state;
	/* Waiting work (w1, behind the gap after w0): kept however long. */
	push(t, "wait.example", &w[0], "w0", 0);
	push(t, "wait.example", &w[1], "w1", 0);
	/* In flight, with more queued behind it (one connection). */
	push(t, "full.example", &f[0], "f0", 0);
	push(t, "full.example", &f[1], "f1", 0);
	assert_string_equal(next(t, 0, &h), "w0");
	host_done(t, h, 0);
	assert_string_equal(next(t, 0, &hf), "f0");
	assert_null(next(t, 0, &h));
	/* Held by a Retry-After far ahead: kept until it has passed. */
	h = one_request(t, "held.example", 0);
	host_throttled(t, h, 1, 0, 0);
	host_throttled(t, h, 2, 0, HOST_HOLD_MAX_MS);
	assert_int_equal(host_count(t), 3);
	assert_int_equal(host_prune(t, HOST_FORGET_MS), 0);
	assert_int_equal(host_prune(t, HOST_HOLD_MAX_MS - 1), 0);
	assert_int_equal(host_count(t), 3);
	/* Past the hold and the slowdown, the held host goes; the others stay. */
	assert_int_equal(host_prune(t, HOST_HOLD_MAX_MS + HOST_SLOW_FOR_MS),
	    1);
	assert_int_equal(host_count(t), 2);
	assert_string_equal(next(t, late, &h), "w1");
	host_done(t, hf, late);
	assert_string_equal(next(t, late, &h), "f1");
	host_done(t, h, late);
	assert_int_equal(host_count(t), 2);
	host_table_free(t);
}

static void
test_prune_bounded(void **state)
{
	struct host_table	*t = table(2, 100);
	char			 name[32];
	int64_t			 now = 0;
	size_t			 most = 0;

	(void)state;
	/*
	 * 50,000 host names over time, 100 a minute and never one again:
	 * without being asked, the table keeps about the hosts of the last
	 * HOST_FORGET_MS, at most twice as many.
	 */
	for (int i = 0; i < 50000; i++) {
		now = (int64_t)i * 600;
		snprintf(name, sizeof name, "h%d.localhost", i);
		one_request(t, name, now);
		if (host_count(t) > most)
			most = host_count(t);
	}
	assert_true(most <= 2 * (HOST_FORGET_MS / 600 + 1) + 1);
	assert_true(host_count(t) >= HOST_FORGET_MS / 600);
	assert_int_equal(host_waiting(t), 0);
	host_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spacing),
		cmocka_unit_test(test_sent),
		cmocka_unit_test(test_connections),
		cmocka_unit_test(test_turns),
		cmocka_unit_test(test_returning_first),
		cmocka_unit_test(test_new_hosts_first),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_many_hosts),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_slow_gap),
		cmocka_unit_test(test_prune_idle),
		cmocka_unit_test(test_prune_keeps_busy),
		cmocka_unit_test(test_prune_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test-sched: the polling policy (interval, jitter, backoff and its ceiling,
 * Retry-After, freshness signals within bounds, skip hours and days).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "doc.h"
#include "sched.h"

static void
test_interval_jitter(void **state)
{
	(void)state;
	/* r = 0.5 is no jitter; the extremes are +-10%. */
	assert_int_equal(sched_next(1000, 1800, 0, 0, SCHED_BACKOFF_MAX, 0.5), 1000 + 1800);
	assert_int_equal(sched_next(1000, 1800, 0, 0, SCHED_BACKOFF_MAX, 0.0), 1000 + 1620);
	assert_true(sched_next(1000, 1800, 0, 0, SCHED_BACKOFF_MAX, 0.999) <= 1000 + 1980);
	assert_true(sched_next(1000, 1800, 0, 0, SCHED_BACKOFF_MAX, 0.999) > 1000 + 1970);
}

static void
test_backoff(void **state)
{
	int64_t	prev = 0, d;

	(void)state;
	/* From min(interval, 60s), doubling. */
	assert_int_equal(sched_next(0, 1800, 1, 0, SCHED_BACKOFF_MAX, 0.5), 60);
	assert_int_equal(sched_next(0, 1800, 2, 0, SCHED_BACKOFF_MAX, 0.5), 120);
	assert_int_equal(sched_next(0, 1800, 3, 0, SCHED_BACKOFF_MAX, 0.5), 240);
	assert_int_equal(sched_next(0, 10, 1, 0, SCHED_BACKOFF_MAX, 0.5), 10);
	assert_int_equal(sched_next(0, 10, 3, 0, SCHED_BACKOFF_MAX, 0.5), 40);
	/* Monotonic up to the ceiling, never past it. */
	for (int f = 1; f < 100; f++) {
		d = sched_next(0, 1800, f, 0, SCHED_BACKOFF_MAX, 0.5);
		assert_true(d >= prev);
		assert_true(d <= SCHED_BACKOFF_MAX);
		prev = d;
	}
	assert_int_equal(prev, SCHED_BACKOFF_MAX);
	/* An interval above the ceiling is the ceiling. */
	assert_int_equal(sched_next(0, 2 * 86400, 30, 0, SCHED_BACKOFF_MAX, 0.5), 2 * 86400);
}

static void
test_retry_after(void **state)
{
	(void)state;
	/* A later Retry-After wins; an earlier one does not shorten. */
	assert_int_equal(sched_next(1000, 60, 1, 5000, SCHED_BACKOFF_MAX, 0.5), 5000);
	assert_int_equal(sched_next(1000, 600, 1, 1001, SCHED_BACKOFF_MAX, 0.5), 1060);
}

static void
test_backoff_ceiling(void **state)
{
	(void)state;
	/* A small ceiling, as the integration test uses. */
	assert_int_equal(sched_next(0, 1, 1, 0, 4, 0.5), 1);
	assert_int_equal(sched_next(0, 1, 2, 0, 4, 0.5), 2);
	assert_int_equal(sched_next(0, 1, 3, 0, 4, 0.5), 4);
	assert_int_equal(sched_next(0, 1, 9, 0, 4, 0.5), 4);
	/* Jitter stays within 10% of the ceiling. */
	assert_true(sched_next(0, 1, 9, 0, 100, 0.0) >= 90);
	assert_true(sched_next(0, 1, 9, 0, 100, 0.999) <= 110);
}

static struct sched_hints
hints(int64_t interval)
{
	struct sched_hints	h;

	memset(&h, 0, sizeof h);
	h.interval = interval;
	h.min_interval = 300;
	h.max_interval = 86400;
	return h;
}

static void
test_fresh_rate(void **state)
{
	struct sched_hints	h = hints(1800);

	(void)state;
	/* Unknown rate: the interval. */
	assert_int_equal(sched_delay(&h), 1800);
	/* Entries, none this week: quiet, four intervals. */
	h.entries = 30;
	assert_int_equal(sched_delay(&h), 4 * 1800);
	/* 100 a week: half the mean gap (3024 s). */
	h.recent = 100;
	assert_int_equal(sched_delay(&h), 604800 / 100 / 2);
	/* Very busy: a quarter of the interval, not below min_interval. */
	h.recent = 5000;
	assert_int_equal(sched_delay(&h), 450);
	h.interval = 600;
	assert_int_equal(sched_delay(&h), 300);
	/* An interval below min_interval is kept as configured. */
	h.interval = 60;
	h.recent = 0;
	h.entries = 0;
	assert_int_equal(sched_delay(&h), 60);
}

static void
test_fresh_hints(void **state)
{
	struct sched_hints	h = hints(1800);

	(void)state;
	/* Publisher hints only lengthen, up to max_interval. */
	h.http_fresh = 3600;
	assert_int_equal(sched_delay(&h), 3600);
	h.http_fresh = 60;
	assert_int_equal(sched_delay(&h), 1800);
	h.feed_hint = 7200;
	assert_int_equal(sched_delay(&h), 7200);
	h.feed_hint = 30 * 86400;
	assert_int_equal(sched_delay(&h), 86400);
	/* max_interval below the interval: the interval. */
	h = hints(1800);
	h.max_interval = 600;
	h.http_fresh = 3600;
	assert_int_equal(sched_delay(&h), 1800);
	/* Jitter is +-10%. */
	h = hints(1000);
	h.min_interval = 1;
	assert_int_equal(sched_fresh(0, &h, 0.5), 1000);
	assert_int_equal(sched_fresh(0, &h, 0.0), 900);
}

static void
test_fresh_skip(void **state)
{
	struct sched_hints	h = hints(1800);
	/* 2026-11-23 00:00 UTC, a Monday. */
	int64_t			monday = 1795392000;

	(void)state;
	/* Hours 0 to 5 skipped: a poll due at 00:30 waits for 06:00. */
	h.skip_hours = 0x3f;
	assert_int_equal(sched_fresh(monday, &h, 0.5), monday + 6 * 3600);
	/* Tuesday skipped: Monday 23:45 + 30m lands on Wednesday 00:00. */
	h.skip_hours = 0;
	h.skip_days = 1u << 2;
	h.max_interval = 2 * 86400;
	assert_int_equal(sched_fresh(monday + 23 * 3600 + 2700, &h, 0.5),
	    monday + 2 * 86400);
	/* ... but never past max_interval. */
	h.max_interval = 3600;
	assert_int_equal(sched_fresh(monday + 23 * 3600 + 2700, &h, 0.5),
	    monday + 23 * 3600 + 2700 + 3600);
	/* Every hour skipped means nothing. */
	h.skip_days = 0;
	h.skip_hours = 0xffffff;
	assert_int_equal(sched_fresh(monday, &h, 0.5), monday + 1800);
}

static void
test_feed_hint(void **state)
{
	struct doc_feed	f;

	(void)state;
	memset(&f, 0, sizeof f);
	f.ttl = DOC_NOINT;
	f.sy_frequency = DOC_NOINT;
	assert_int_equal(sched_feed_hint(&f), 0);
	f.ttl = 60;
	assert_int_equal(sched_feed_hint(&f), 3600);
	f.sy_period = (char *)"daily";
	assert_int_equal(sched_feed_hint(&f), 86400);
	f.sy_frequency = 4;
	assert_int_equal(sched_feed_hint(&f), 21600);
	f.ttl = DOC_NOINT;
	f.sy_period = (char *)"hourly";
	f.sy_frequency = 2;
	assert_int_equal(sched_feed_hint(&f), 1800);
	f.sy_period = (char *)"fortnightly";
	assert_int_equal(sched_feed_hint(&f), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_jitter),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_backoff_ceiling),
		cmocka_unit_test(test_fresh_rate),
		cmocka_unit_test(test_fresh_hints),
		cmocka_unit_test(test_fresh_skip),
		cmocka_unit_test(test_feed_hint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test-sched: the polling policy (interval, jitter, backoff, Retry-After). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sched.h"

static void
test_interval_jitter(void **state)
{
	(void)state;
	/* r = 0.5 is no jitter; the extremes are +-10%. */
	assert_int_equal(sched_next(1000, 1800, 0, 0, 0.5), 1000 + 1800);
	assert_int_equal(sched_next(1000, 1800, 0, 0, 0.0), 1000 + 1620);
	assert_true(sched_next(1000, 1800, 0, 0, 0.999) <= 1000 + 1980);
	assert_true(sched_next(1000, 1800, 0, 0, 0.999) > 1000 + 1970);
}

static void
test_backoff(void **state)
{
	int64_t	prev = 0, d;

	(void)state;
	/* From min(interval, 60s), doubling. */
	assert_int_equal(sched_next(0, 1800, 1, 0, 0.5), 60);
	assert_int_equal(sched_next(0, 1800, 2, 0, 0.5), 120);
	assert_int_equal(sched_next(0, 1800, 3, 0, 0.5), 240);
	assert_int_equal(sched_next(0, 10, 1, 0, 0.5), 10);
	assert_int_equal(sched_next(0, 10, 3, 0, 0.5), 40);
	/* Monotonic up to the ceiling, never past it. */
	for (int f = 1; f < 100; f++) {
		d = sched_next(0, 1800, f, 0, 0.5);
		assert_true(d >= prev);
		assert_true(d <= SCHED_BACKOFF_MAX);
		prev = d;
	}
	assert_int_equal(prev, SCHED_BACKOFF_MAX);
	/* An interval above the ceiling is the ceiling. */
	assert_int_equal(sched_next(0, 2 * 86400, 30, 0, 0.5), 2 * 86400);
}

static void
test_retry_after(void **state)
{
	(void)state;
	/* A later Retry-After wins; an earlier one does not shorten. */
	assert_int_equal(sched_next(1000, 60, 1, 5000, 0.5), 5000);
	assert_int_equal(sched_next(1000, 600, 1, 1001, 0.5), 1060);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_jitter),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_retry_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

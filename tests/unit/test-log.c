/*
 * test-log: the log room's rate limiter (log_warnx_limited) and line
 * format, with stderr captured in a temporary file.
 */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static char	capture_path[] = "/tmp/feedmux-test-log.XXXXXX";
static int	saved_stderr = -1;

/* Points stderr at a fresh temporary file. */
static int
capture_start(void **state)
{
	int	fd;

	(void)state;
	unsetenv("JOURNAL_STREAM");
	log_init(0);
	fflush(stderr);
	strcpy(capture_path, "/tmp/feedmux-test-log.XXXXXX");
	if ((fd = mkstemp(capture_path)) == -1)
		return -1;
	saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_set_repeat_window(LOG_REPEAT_WINDOW);
	return 0;
}

/* Restores stderr and removes the file. */
static int
capture_stop(void **state)
{
	(void)state;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	unlink(capture_path);
	return 0;
}

/* Everything written so far, without timestamps, one line per line.  Caller frees. */
static char *
captured(void)
{
	FILE	*f;
	char	 line[4096], *out;
	size_t	 len = 0, cap = 65536;

	fflush(stderr);
	assert_non_null(out = calloc(1, cap));
	assert_non_null(f = fopen(capture_path, "r"));
	while (fgets(line, sizeof line, f) != NULL) {
		/* "2026-01-01T00:00:00.000Z message" */
		const char *msg = strchr(line, ' ');

		assert_non_null(msg);
		msg++;
		assert_true(len + strlen(msg) < cap);
		memcpy(out + len, msg, strlen(msg) + 1);
		len += strlen(msg);
	}
	fclose(f);
	return out;
}

/* Counts the lines of TEXT equal to LINE. */
static int
count_lines(const char *text, const char *line)
{
	const char	*p = text, *nl;
	int		 n = 0;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		if ((size_t)(nl - p) == strlen(line) &&
		    strncmp(p, line, strlen(line)) == 0)
			n++;
		p = nl + 1;
	}
	return n;
}

static void
test_repeats_held_back(void **state)
{
	char	*out;

	(void)state;
	for (int i = 0; i < 5; i++)
		log_warnx_limited("krebs", "source %s: HTTP %d", "krebs", 503);
	out = captured();
	assert_int_equal(count_lines(out, "source krebs: HTTP 503"), 1);
	free(out);

	/* A different message says how many were held back, then itself. */
	log_warnx_limited("krebs", "source %s: HTTP %d", "krebs", 404);
	out = captured();
	assert_int_equal(count_lines(out,
	    "krebs: previous message repeated 4 more times"), 1);
	assert_int_equal(count_lines(out, "source krebs: HTTP 404"), 1);
	assert_non_null(strstr(out, "4 more times\nsource krebs: HTTP 404\n"));
	free(out);

	/* And back again: a change is always written. */
	log_warnx_limited("krebs", "source %s: HTTP %d", "krebs", 503);
	out = captured();
	assert_int_equal(count_lines(out, "source krebs: HTTP 503"), 2);
	assert_int_equal(count_lines(out,
	    "krebs: previous message repeated 0 more times"), 0);
	free(out);
}

static void
test_keys_independent(void **state)
{
	char	*out;

	(void)state;
	log_warnx_limited("a", "source a: timeout");
	log_warnx_limited("b", "source a: timeout");
	log_warnx_limited("a", "source a: timeout");
	log_warnx_limited("b", "source a: timeout");
	out = captured();
	assert_int_equal(count_lines(out, "source a: timeout"), 2);
	free(out);
}

static void
test_window_passes(void **state)
{
	struct timespec	 ts = { 1, 100 * 1000 * 1000 };
	char		*out;

	(void)state;
	log_set_repeat_window(1);
	log_warnx_limited("lwn", "source lwn: blocked");
	log_warnx_limited("lwn", "source lwn: blocked");
	log_warnx_limited("lwn", "source lwn: blocked");
	nanosleep(&ts, NULL);
	log_warnx_limited("lwn", "source lwn: blocked");
	out = captured();
	assert_int_equal(count_lines(out, "source lwn: blocked"), 1);
	assert_int_equal(count_lines(out,
	    "source lwn: blocked (2 more times since last logged)"), 1);
	free(out);
}

static void
test_window_off(void **state)
{
	char	*out;

	(void)state;
	log_set_repeat_window(0);
	for (int i = 0; i < 3; i++)
		log_warnx_limited("x", "source x: same");
	out = captured();
	assert_int_equal(count_lines(out, "source x: same"), 3);
	free(out);
}

static void
test_table_bounded(void **state)
{
	char	 key[32], line[64], *out;
	int	 n = 0;

	(void)state;
	/* Far more keys than slots: every first message is still written. */
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "s%d", i);
		log_warnx_limited(key, "source %s: down", key);
		log_warnx_limited(key, "source %s: down", key);
	}
	out = captured();
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof line, "source s%d: down", i);
		n += count_lines(out, line);
	}
	assert_int_equal(n, 1000);
	/* Evicted keys report what they held back. */
	assert_non_null(strstr(out, ": previous message repeated 1 more times\n"));
	free(out);
}

static void
test_long_key_and_message(void **state)
{
	char	 key[300], *out;

	(void)state;
	memset(key, 'k', sizeof key - 1);
	key[sizeof key - 1] = '\0';
	log_warnx_limited(key, "source: %s", key);
	log_warnx_limited(key, "source: %s", key);
	log_warnx_limited(key, "other");
	out = captured();
	assert_non_null(strstr(out, ": previous message repeated 1 more times\n"));
	assert_int_equal(count_lines(out, "other"), 1);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_repeats_held_back,
		    capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_keys_independent,
		    capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_window_passes,
		    capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_window_off,
		    capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_table_bounded,
		    capture_start, capture_stop),
		cmocka_unit_test_setup_teardown(test_long_key_and_message,
		    capture_start, capture_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

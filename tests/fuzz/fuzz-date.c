/*
 * fuzz-date: libFuzzer target for the date room.  Beyond not crashing, a
 * parsed date is inside the documented range (years 0-9999), date_parse
 * agrees with the two family parsers it combines, and a parsed date
 * survives a round trip through both formatters and back.  Durations are
 * -1 or within a year.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

#define FUZZ_DATE_MIN	(-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define FUZZ_DATE_MAX	(253402300799LL)	/* 9999-12-31T23:59:59Z */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Stops the run with what broke; libFuzzer keeps the input. */
static void
fuzz_fail(const char *what, const char *s, int64_t a, int64_t b)
{
	fprintf(stderr, "fuzz-date: %s: \"%s\" %lld %lld\n", what, s,
	    (long long)a, (long long)b);
	abort();
}

/* T formatted both ways parses back to T. */
static void
fuzz_roundtrip(const char *s, int64_t t)
{
	char	buf[64];
	int64_t	back;

	if (date_format_rfc3339(t, buf, sizeof buf) == -1)
		fuzz_fail("rfc3339 cannot format", s, t, 0);
	if ((back = date_parse(buf)) != t)
		fuzz_fail(buf, s, t, back);
	if ((back = date_parse_iso8601(buf)) != t)
		fuzz_fail(buf, s, t, back);
	if (date_format_rfc822(t, buf, sizeof buf) == -1)
		fuzz_fail("rfc822 cannot format", s, t, 0);
	if ((back = date_parse(buf)) != t)
		fuzz_fail(buf, s, t, back);
	if ((back = date_parse_rfc822(buf)) != t)
		fuzz_fail(buf, s, t, back);
	/* Too small a buffer is refused, not overrun. */
	if (date_format_rfc3339(t, buf, DATE_RFC3339_LEN - 1) != -1 ||
	    date_format_rfc822(t, buf, DATE_RFC822_LEN - 1) != -1)
		fuzz_fail("short buffer accepted", s, t, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	int64_t	 t, r, i, d;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';		/* an embedded NUL just ends the string */

	t = date_parse(s);
	r = date_parse_rfc822(s);
	i = date_parse_iso8601(s);
	if (t != (r != DATE_UNKNOWN ? r : i))
		fuzz_fail("date_parse disagrees with the families", s, t,
		    r != DATE_UNKNOWN ? r : i);
	if (t != DATE_UNKNOWN) {
		if (t < FUZZ_DATE_MIN || t > FUZZ_DATE_MAX)
			fuzz_fail("out of range", s, t, 0);
		fuzz_roundtrip(s, t);
	}
	if (i != DATE_UNKNOWN && i != t)
		fuzz_roundtrip(s, i);

	d = date_parse_duration(s);
	if (d != -1 && (d < 0 || d > 365LL * 86400))
		fuzz_fail("duration out of range", s, d, 0);

	/* The bytes as a time: formatters refuse or write a parseable date. */
	if (size >= 8) {
		char	buf[DATE_RFC822_LEN];
		int64_t	v;

		memcpy(&v, data, sizeof v);
		if (date_format_rfc822(v, buf, sizeof buf) != -1)
			fuzz_roundtrip(buf, v);
		else if (v >= FUZZ_DATE_MIN && v <= FUZZ_DATE_MAX)
			fuzz_fail("in range, not formatted", s, v, 0);
	}
	free(s);
	return 0;
}

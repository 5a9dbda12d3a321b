/*
 * fuzz-uri: libFuzzer target for the uri room.  The input is a base URL,
 * a newline, then a reference (no newline: the reference alone, against a
 * fixed base).  Checked: normalisation is idempotent and yields an http URL;
 * every URL uri_is_http accepts has a story key; resolving against an
 * absolute base gives an absolute URL, and once resolved again (which
 * removes any dot segments the base had) it resolves to itself; uri_scheme
 * and uri_is_absolute agree.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Stops the run with what broke; libFuzzer keeps the input. */
static void
fuzz_fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "fuzz-uri: %s:\n  \"%s\"\n  \"%s\"\n", what, a,
	    b != NULL ? b : "(null)");
	abort();
}

/* Checks the story key of S. */
static void
fuzz_normalize(const char *s)
{
	char	*n1, *n2;

	n1 = uri_normalize(s);
	if (uri_is_http(s) && n1 == NULL)
		fuzz_fail("http URL without a story key", s, NULL);
	if (n1 == NULL)
		return;
	if (strncmp(n1, "http://", 7) != 0 || !uri_is_http(n1))
		fuzz_fail("story key is not an http URL", s, n1);
	if ((n2 = uri_normalize(n1)) == NULL || strcmp(n1, n2) != 0)
		fuzz_fail("normalize is not idempotent", n1, n2);
	free(n2);
	free(n1);
}

/* uri_scheme and uri_is_absolute agree on S. */
static void
fuzz_scheme(const char *s)
{
	char	buf[4096];

	if (strlen(s) < sizeof buf &&
	    uri_is_absolute(s) != (uri_scheme(s, buf, sizeof buf) == 0))
		fuzz_fail("uri_scheme and uri_is_absolute disagree", s, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*in, *nl, *res, *again;
	const char	*base, *ref;

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if ((nl = strchr(in, '\n')) != NULL) {
		*nl = '\0';
		base = in;
		ref = nl + 1;
	} else {
		base = "http://example.com/a/b/c?q=1#f";
		ref = in;
	}
	fuzz_normalize(ref);
	fuzz_normalize(base);
	fuzz_scheme(ref);
	fuzz_scheme(base);

	if ((res = uri_resolve(base, ref)) == NULL)
		fuzz_fail("uri_resolve returned NULL", base, ref);
	if (uri_is_absolute(base)) {
		const char *p = strchr(res, ':');

		if (!uri_is_absolute(res))
			fuzz_fail("resolved against an absolute base, "
			    "not absolute", ref, res);
		if (p != NULL && strncmp(p, "://", 3) == 0) {
			/*
			 * An empty reference keeps BASE's path as written,
			 * dot segments and all (5.2.2), so the fixed point
			 * is the result of resolving the result.
			 */
			char	*fixed;

			if ((again = uri_resolve(base, res)) == NULL ||
			    (fixed = uri_resolve(base, again)) == NULL)
				fuzz_fail("uri_resolve returned NULL", base,
				    res);
			if (strcmp(again, fixed) != 0)
				fuzz_fail("resolving is not idempotent", again,
				    fixed);
			free(fixed);
			free(again);
		}
	}
	fuzz_normalize(res);
	free(res);
	free(in);
	return 0;
}

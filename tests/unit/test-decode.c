/* test-decode: Content-Encoding undone with a cap (gzip, deflate, br). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/encode.h>
#include <zlib.h>

#include "decode.h"

/* A compressed copy of IN: zlib's WBITS (31 gzip, 15 zlib, -15 raw). Caller frees. */
static unsigned char *
zpack(const void *in, size_t len, int wbits, size_t *outlen)
{
	z_stream	 z;
	size_t		 cap = len + len / 100 + 1024;
	unsigned char	*out = malloc(cap);

	assert_non_null(out);
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, wbits, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

static unsigned char *
brpack(const void *in, size_t len, size_t *outlen)
{
	size_t		 cap = BrotliEncoderMaxCompressedSize(len);
	unsigned char	*out = malloc(cap);

	assert_non_null(out);
	*outlen = cap;
	assert_true(BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW,
	    BROTLI_MODE_GENERIC, len, in, outlen, out));
	return out;
}

/* A text of LEN bytes that compresses, but not to nothing. */
static char *
text(size_t len)
{
	char	*s = malloc(len + 1);

	assert_non_null(s);
	for (size_t i = 0; i < len; i++)
		s[i] = "<item><title>cloud</title></item>\n"[i % 34] +
		    (char)(i % 7 == 0);
	s[len] = '\0';
	return s;
}

static void
expect_same(const char *enc, const void *packed, size_t plen,
    const char *orig, size_t olen)
{
	char	*out, err[160];
	size_t	 outlen;

	assert_int_equal(decode_body(enc, packed, plen, 1 << 24, &out,
	    &outlen, err, sizeof err), DECODE_OK);
	assert_non_null(out);
	assert_int_equal(outlen, olen);
	assert_memory_equal(out, orig, olen);
	assert_int_equal(out[outlen], '\0');
	free(out);
}

static void
test_gzip_deflate_br(void **state)
{
	size_t		 n = 300000, plen;
	char		*t = text(n);
	unsigned char	*p;

	(void)state;
	p = zpack(t, n, 31, &plen);
	expect_same("gzip", p, plen, t, n);
	expect_same("X-Gzip", p, plen, t, n);
	expect_same(" gzip , identity", p, plen, t, n);
	free(p);
	/* deflate as meant (zlib's format) and as some servers send it. */
	p = zpack(t, n, 15, &plen);
	expect_same("deflate", p, plen, t, n);
	free(p);
	p = zpack(t, n, -15, &plen);
	expect_same("deflate", p, plen, t, n);
	free(p);
	p = brpack(t, n, &plen);
	expect_same("br", p, plen, t, n);
	free(p);
	free(t);
}

static void
test_nothing_to_undo(void **state)
{
	char	*out = (char *)1, err[160];
	size_t	 outlen = 1;

	(void)state;
	assert_int_equal(decode_body(NULL, "abc", 3, 10, &out, &outlen, err,
	    sizeof err), DECODE_OK);
	assert_null(out);
	assert_int_equal(decode_body("identity", "abc", 3, 10, &out, &outlen,
	    err, sizeof err), DECODE_OK);
	assert_null(out);
	/* An empty answer sent "gzip" has nothing to undo. */
	assert_int_equal(decode_body("gzip", "", 0, 10, &out, &outlen, err,
	    sizeof err), DECODE_OK);
	assert_null(out);
}

/* A list is undone from its last coding: "gzip, br" is br of gzip. */
static void
test_stacked(void **state)
{
	size_t		 n = 50000, glen, blen;
	char		*t = text(n);
	unsigned char	*g, *b;

	(void)state;
	g = zpack(t, n, 31, &glen);
	b = brpack(g, glen, &blen);
	expect_same("gzip, br", b, blen, t, n);
	free(g);
	free(b);
	free(t);
}

/* Two gzip members one after the other are one body. */
static void
test_gzip_members(void **state)
{
	size_t		 alen, blen;
	unsigned char	*a = zpack("first,", 6, 31, &alen);
	unsigned char	*b = zpack("second", 6, 31, &blen);
	unsigned char	*both = malloc(alen + blen);

	(void)state;
	memcpy(both, a, alen);
	memcpy(both + alen, b, blen);
	expect_same("gzip", both, alen + blen, "first,second", 12);
	free(a);
	free(b);
	free(both);
}

/* A bomb stops at the cap, whatever the coding; the cap itself passes. */
static void
test_cap(void **state)
{
	size_t		 n = 4 << 20, plen;
	char		*zero = calloc(1, n), *out, err[160];
	unsigned char	*p;
	size_t		 outlen;

	(void)state;
	p = zpack(zero, n, 31, &plen);
	assert_true(plen < 10000);
	assert_int_equal(decode_body("gzip", p, plen, 65536, &out, &outlen,
	    err, sizeof err), DECODE_TOOBIG);
	assert_null(out);
	assert_string_equal(err, "response body over 65536 bytes");
	assert_int_equal(decode_body("gzip", p, plen, (int64_t)n, &out,
	    &outlen, err, sizeof err), DECODE_OK);
	assert_int_equal(outlen, n);
	free(out);
	/* Ending exactly one byte past the cap is past it (fuzz-decode). */
	assert_int_equal(decode_body("gzip", p, plen, (int64_t)n - 1, &out,
	    &outlen, err, sizeof err), DECODE_TOOBIG);
	assert_null(out);
	free(p);
	p = brpack(zero, n, &plen);
	assert_int_equal(decode_body("br", p, plen, 100000, &out, &outlen,
	    err, sizeof err), DECODE_TOOBIG);
	free(p);
	free(zero);
}

static void
test_bad(void **state)
{
	size_t		 n = 100000, plen;
	char		*t = text(n), *out, err[160];
	unsigned char	*p;
	size_t		 outlen;

	(void)state;
	p = zpack(t, n, 31, &plen);
	/* Cut short: no document from half a stream. */
	assert_int_equal(decode_body("gzip", p, plen / 2, 1 << 24, &out,
	    &outlen, err, sizeof err), DECODE_BAD);
	assert_null(out);
	assert_string_equal(err,
	    "bad gzip content encoding: the compressed data ends early");
	free(p);
	p = brpack(t, n, &plen);
	assert_int_equal(decode_body("br", p, plen - 10, 1 << 24, &out,
	    &outlen, err, sizeof err), DECODE_BAD);
	assert_non_null(strstr(err, "bad br content encoding"));
	free(p);
	assert_int_equal(decode_body("gzip", t, 1000, 1 << 24, &out, &outlen,
	    err, sizeof err), DECODE_BAD);
	assert_non_null(strstr(err, "bad gzip content encoding: "));
	assert_int_equal(decode_body("deflate", t, 1000, 1 << 24, &out,
	    &outlen, err, sizeof err), DECODE_BAD);
	assert_int_equal(decode_body("zstd", t, 1000, 1 << 24, &out, &outlen,
	    err, sizeof err), DECODE_BAD);
	assert_string_equal(err, "unsupported content encoding \"zstd\"");
	assert_int_equal(decode_body("gzip,gzip,gzip,gzip,gzip", t, 10,
	    1 << 24, &out, &outlen, err, sizeof err), DECODE_BAD);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_deflate_br),
		cmocka_unit_test(test_nothing_to_undo),
		cmocka_unit_test(test_stacked),
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fuzz-decode: libFuzzer target for the decode room.  The first byte picks
 * the Content-Encoding (gzip, deflate, br, a list, or one we never offer)
 * and the cap; the rest is the body as a hostile publisher sends it.
 * Beyond not crashing: a decoded body never exceeds the cap and is
 * NUL-terminated, a failure always says why, and gzip, deflate and br
 * bodies decode to the same bytes whichever cap lets them through.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fuzz_codings[] = {
	"gzip", "deflate", "br", "gzip, br", "x-gzip", "identity",
	"br, gzip", "zstd",
};

static void
fuzz_fail(const char *what, const char *enc)
{
	fprintf(stderr, "fuzz-decode: %s (%s)\n", what, enc);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*enc;
	char			*out, *again, err[160];
	size_t			 outlen, againlen;
	int64_t			 max;
	enum decode_result	 rc;

	if (size < 1)
		return 0;
	enc = fuzz_codings[data[0] % 8];
	/* Small caps are where the edges are; big ones let bodies through. */
	max = (data[0] & 0x8) ? 1 << 20 : 1 + (data[0] >> 4) * 512;
	err[0] = '\0';
	rc = decode_body(enc, (const char *)data + 1, size - 1, max, &out,
	    &outlen, err, sizeof err);
	if (rc != DECODE_OK) {
		if (out != NULL)
			fuzz_fail("a failure returned a body", enc);
		if (err[0] == '\0')
			fuzz_fail("a failure without a reason", enc);
		return 0;
	}
	if (out == NULL)
		return 0;
	if ((int64_t)outlen > max)
		fuzz_fail("decoded past the cap", enc);
	if (out[outlen] != '\0')
		fuzz_fail("not NUL-terminated", enc);
	/* The cap never changes what gets through. */
	if (decode_body(enc, (const char *)data + 1, size - 1, 1 << 22, &again,
	    &againlen, err, sizeof err) != DECODE_OK || again == NULL ||
	    againlen != outlen || memcmp(again, out, outlen) != 0)
		fuzz_fail("a bigger cap decodes differently", enc);
	free(again);
	free(out);
	return 0;
}

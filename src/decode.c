/* decode: Content-Encoding undone off the loop, with a cap; see decode.h. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <brotli/decode.h>
#include <zlib.h>

#include "decode.h"

#define DECODE_STAGES	4		/* codings in one list, at most */
#define DECODE_FIRST	(64 * 1024)	/* first output buffer */

/* One stage's output: grows by doubling, never past MAX + 1 bytes. */
struct dec_out {
	char		*p;
	size_t		 len;
	size_t		 cap;		/* bytes for data; one more for NUL */
	int64_t		 max;
};

/*
 * Makes room for more output.  The room ends one byte past MAX, so a
 * stream decoding to more than MAX is caught by its first byte too many.
 */
static enum decode_result
dec_grow(struct dec_out *o)
{
	size_t	 cap;
	char	*p;

	if (o->len < o->cap)
		return DECODE_OK;
	if ((int64_t)o->len > o->max)
		return DECODE_TOOBIG;
	cap = o->cap == 0 ? DECODE_FIRST : o->cap * 2;
	if ((int64_t)cap > o->max + 1)
		cap = (size_t)o->max + 1;
	if ((p = realloc(o->p, cap + 1)) == NULL)
		return DECODE_NOMEM;
	o->p = p;
	o->cap = cap;
	return DECODE_OK;
}

/* Room left in O, as zlib counts it. */
static uInt
dec_avail(const struct dec_out *o)
{
	size_t	n = o->cap - o->len;

	return n > UINT_MAX ? UINT_MAX : (uInt)n;
}

/*
 * zlib's formats: WBITS 15 + 16 for gzip (members one after another are
 * one body), 15 for zlib, -15 for raw deflate.
 */
static enum decode_result
dec_zlib(const char *in, size_t len, int wbits, struct dec_out *o,
    char *err, size_t errlen)
{
	z_stream		z;
	enum decode_result	rc = DECODE_OK;
	size_t			left = len, chunk;
	int			zr;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, wbits) != Z_OK)
		return DECODE_NOMEM;
	z.next_in = (Bytef *)(uintptr_t)in;
	for (;;) {
		/* Input in pieces zlib can count (uInt). */
		if (z.avail_in == 0 && left > 0) {
			chunk = left > UINT_MAX ? UINT_MAX : left;
			z.avail_in = (uInt)chunk;
			left -= chunk;
		}
		if ((rc = dec_grow(o)) != DECODE_OK)
			break;
		z.next_out = (Bytef *)o->p + o->len;
		z.avail_out = dec_avail(o);
		zr = inflate(&z, Z_NO_FLUSH);
		o->len = (size_t)((char *)z.next_out - o->p);
		if (zr == Z_STREAM_END) {
			/*
			 * Another gzip member follows: part of the same body.
			 */
			if (wbits > 15 && (z.avail_in > 0 || left > 0) &&
			    inflateReset(&z) == Z_OK)
				continue;
			break;
		}
		if (zr == Z_MEM_ERROR) {
			rc = DECODE_NOMEM;
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			snprintf(err, errlen, "%s", z.msg != NULL ? z.msg :
			    "invalid data");
			rc = DECODE_BAD;
			break;
		}
		/* Everything read, room left over, and no end: cut short. */
		if (z.avail_in == 0 && left == 0 && z.avail_out > 0) {
			snprintf(err, errlen, "the compressed data ends early");
			rc = DECODE_BAD;
			break;
		}
	}
	inflateEnd(&z);
	return rc;
}

static enum decode_result
dec_brotli(const char *in, size_t len, struct dec_out *o, char *err,
    size_t errlen)
{
	BrotliDecoderState	*b;
	BrotliDecoderResult	 br;
	const uint8_t		*next_in = (const uint8_t *)in;
	uint8_t			*next_out;
	size_t			 avail_in = len, avail_out;
	enum decode_result	 rc = DECODE_OK;

	if ((b = BrotliDecoderCreateInstance(NULL, NULL, NULL)) == NULL)
		return DECODE_NOMEM;
	for (;;) {
		if ((rc = dec_grow(o)) != DECODE_OK)
			break;
		next_out = (uint8_t *)o->p + o->len;
		avail_out = o->cap - o->len;
		br = BrotliDecoderDecompressStream(b, &avail_in, &next_in,
		    &avail_out, &next_out, NULL);
		o->len = (size_t)((char *)next_out - o->p);
		if (br == BROTLI_DECODER_RESULT_SUCCESS)
			break;
		if (br == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT)
			continue;
		if (br == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
			snprintf(err, errlen, "the compressed data ends early");
		else
			snprintf(err, errlen, "%s", BrotliDecoderErrorString(
			    BrotliDecoderGetErrorCode(b)));
		rc = DECODE_BAD;
		break;
	}
	BrotliDecoderDestroyInstance(b);
	return rc;
}

/* One coding of a list: IN to O. */
static enum decode_result
dec_stage(const char *coding, const char *in, size_t len, struct dec_out *o,
    char *err, size_t errlen)
{
	char			why[128] = "";
	enum decode_result	rc;

	if (strcasecmp(coding, "gzip") == 0 ||
	    strcasecmp(coding, "x-gzip") == 0)
		rc = dec_zlib(in, len, 15 + 16, o, why, sizeof why);
	else if (strcasecmp(coding, "deflate") == 0) {
		/* Meant as zlib's format; some servers send it raw. */
		rc = dec_zlib(in, len, 15, o, why, sizeof why);
		if (rc == DECODE_BAD && o->len == 0) {
			why[0] = '\0';
			rc = dec_zlib(in, len, -15, o, why, sizeof why);
		}
	} else if (strcasecmp(coding, "br") == 0)
		rc = dec_brotli(in, len, o, why, sizeof why);
	else {
		snprintf(err, errlen, "unsupported content encoding \"%.40s\"",
		    coding);
		return DECODE_BAD;
	}
	/* The room ends a byte past the cap: a stream may end just there. */
	if (rc == DECODE_OK && (int64_t)o->len > o->max)
		rc = DECODE_TOOBIG;
	if (rc == DECODE_BAD)
		snprintf(err, errlen, "bad %s content encoding: %s", coding,
		    why);
	return rc;
}

enum decode_result
decode_body(const char *encoding, const char *in, size_t len, int64_t max,
    char **out, size_t *outlen, char *err, size_t errlen)
{
	char			 list[256], *codings[DECODE_STAGES], *p, *tok;
	struct dec_out		 o;
	const char		*cur = in;
	char			*owned = NULL;
	size_t			 n = 0, curlen = len;
	enum decode_result	 rc = DECODE_OK;

	*out = NULL;
	*outlen = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	/* Nothing sent, nothing to undo (a HEAD-like empty answer). */
	if (encoding == NULL || len == 0)
		return DECODE_OK;
	if (strlen(encoding) >= sizeof list) {
		snprintf(err, errlen, "content encoding list too long");
		return DECODE_BAD;
	}
	strcpy(list, encoding);
	for (p = list; (tok = strsep(&p, ",")) != NULL;) {
		char	*e;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		for (e = tok + strlen(tok); e > tok && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		*e = '\0';
		if (*tok == '\0' || strcasecmp(tok, "identity") == 0)
			continue;
		if (n == DECODE_STAGES) {
			snprintf(err, errlen, "too many content encodings");
			return DECODE_BAD;
		}
		codings[n++] = tok;
	}
	/* Applied in the order listed: undone from the last. */
	while (n > 0) {
		memset(&o, 0, sizeof o);
		o.max = max;
		rc = dec_stage(codings[--n], cur, curlen, &o, err, errlen);
		free(owned);
		owned = o.p;
		if (rc != DECODE_OK)
			break;
		if (o.p == NULL && (rc = dec_grow(&o)) != DECODE_OK)
			break;		/* an empty body still gets a buffer */
		owned = o.p;
		cur = o.p;
		curlen = o.len;
	}
	if (rc != DECODE_OK) {
		free(owned);
		/* The words of fetch's own cap: one error, however it came. */
		if (rc == DECODE_TOOBIG)
			snprintf(err, errlen, "response body over %lld bytes",
			    (long long)max);
		else if (rc == DECODE_NOMEM)
			snprintf(err, errlen, "out of memory");
		return rc;
	}
	if (owned != NULL) {
		owned[curlen] = '\0';
		*out = owned;
		*outlen = curlen;
	}
	return DECODE_OK;
}

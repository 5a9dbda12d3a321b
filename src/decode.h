/*
 * decode: undoes an HTTP Content-Encoding (gzip, deflate, br, or several
 * of them in a list), with a cap on the decoded size.  Pure: no loop, no
 * log, no state, so the poller runs it on a parse worker instead of
 * letting curl inflate every body on the loop.
 */
#ifndef FEEDMUX_DECODE_H
#define FEEDMUX_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* What the poller asks publishers for; decode_body undoes each. */
#define DECODE_ACCEPT	"gzip, deflate, br"

enum decode_result {
	DECODE_OK = 0,
	DECODE_TOOBIG,		/* decoded past MAX bytes */
	DECODE_BAD,		/* corrupt or unknown coding; see the message */
	DECODE_NOMEM
};

/*
 * Decodes the LEN bytes at IN sent with Content-Encoding ENCODING (as
 * received: "gzip", "x-gzip", "deflate", "br", "identity", or a list,
 * applied in order so undone last to first).  On DECODE_OK, *OUT is a
 * NUL-terminated buffer of *OUTLEN bytes (caller frees), or NULL when
 * ENCODING asks for nothing to be undone (IN stands).  Otherwise ERR
 * (ERRLEN bytes) says what was wrong.  No more than MAX decoded bytes
 * are ever held by one stage.
 */
enum decode_result decode_body(const char *encoding, const char *in,
		    size_t len, int64_t max, char **out, size_t *outlen,
		    char *err, size_t errlen);

#endif

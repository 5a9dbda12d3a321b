/*
 * buf: a growable byte buffer with a ceiling set when it is born, and the
 * escaping writers every output format shares.  A write past the ceiling or
 * out of memory marks the buffer failed; later writes are ignored, so
 * writers check once at the end.  Pure: no state beyond the buffer.
 */
#ifndef FEEDMUX_BUF_H
#define FEEDMUX_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;		/* NUL-terminated when not failed */
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* ceiling in bytes */
	int	 failed;
};

void	buf_init(struct buf *, size_t max);
void	buf_free(struct buf *);
/*
 * Hands the bytes over (caller frees) and resets the buffer; NULL when failed.
 */
char	*buf_release(struct buf *, size_t *len);

void	buf_add(struct buf *, const void *, size_t);
void	buf_puts(struct buf *, const char *);
void	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * XML/HTML text and attribute values (both escape & < > " '): invalid UTF-8
 * and the characters XML 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE,
 * U+FFFF) are dropped, so the output is always well-formed.
 */
void	buf_xml(struct buf *, const char *);
/* A JSON string literal with its quotes; invalid UTF-8 dropped. */
void	buf_json(struct buf *, const char *);

#endif

/*
 * date: pure conversions between the date strings feeds and HTTP use and UTC
 * seconds since the epoch.  Parsing accepts RFC 822/2822 and their common
 * deviations (missing seconds or day names, two-digit years, named and numeric
 * zones, localized month names), RFC 3339, W3C-DTF partials, ISO 8601 variants
 * and asctime; an unparseable or impossible date is DATE_UNKNOWN, never "now".
 * No state, no clock, no locale: every function is safe anywhere.
 */
#ifndef FEEDMUX_DATE_H
#define FEEDMUX_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_UNKNOWN	INT64_MIN

/* Parsing: any supported form, or one family only. */
int64_t	 date_parse(const char *);
int64_t	 date_parse_rfc822(const char *);
int64_t	 date_parse_iso8601(const char *);

/*
 * Formatting into BUF of LEN bytes; each returns the string length, or -1 when
 * T is out of range (years 0-9999) or BUF is too small.
 *  rfc3339: "2003-12-13T18:30:02Z"         (21 bytes with the NUL)
 *  rfc822:  "Sat, 13 Dec 2003 18:30:02 GMT" (30 bytes; also the HTTP date form)
 */
#define DATE_RFC3339_LEN	21
#define DATE_RFC822_LEN		30
int	 date_format_rfc3339(int64_t t, char *buf, size_t len);
int	 date_format_rfc822(int64_t t, char *buf, size_t len);

/*
 * Durations as written in the config: "90", "90s", "30m", "2h", "1d", "1w";
 * returns seconds, or -1 when malformed or over a year.
 */
int64_t	 date_parse_duration(const char *);

#endif

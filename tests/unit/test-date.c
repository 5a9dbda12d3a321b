/*
 * test-date: unit tests of the date room: every parsing family and its
 * deviations, validation of impossible dates, formatting, the civil calendar
 * over the whole supported range, and config durations.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "date.h"

/* An input and the instant it denotes, written as RFC 3339 UTC. */
struct date_case {
	const char	*in;
	const char	*want;
};

/* Asserts that PARSE maps every case of the N in CASES as expected. */
static void
check_cases(int64_t (*parse)(const char *), const struct date_case *cases,
    size_t n)
{
	char	buf[DATE_RFC3339_LEN];
	int64_t	t;

	for (size_t i = 0; i < n; i++) {
		t = parse(cases[i].in);
		if (t == DATE_UNKNOWN)
			fail_msg("\"%s\": not parsed, want %s", cases[i].in,
			    cases[i].want);
		assert_int_equal(date_format_rfc3339(t, buf, sizeof buf), 20);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("\"%s\": got %s, want %s", cases[i].in, buf,
			    cases[i].want);
	}
}

/* Asserts that PARSE rejects every one of the N strings in BAD. */
static void
check_bad(int64_t (*parse)(const char *), const char *const *bad, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (parse(bad[i]) != DATE_UNKNOWN)
			fail_msg("\"%s\": parsed, want DATE_UNKNOWN",
			    bad[i] ? bad[i] : "(null)");
	}
}

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

/* Known instants, checked against an independent timegm. */
static void
test_epoch_values(void **state)
{
	(void)state;
	assert_int_equal(date_parse("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(date_parse("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
	assert_int_equal(date_parse("Thu, 01 Jan 2004 19:48:21 GMT"),
	    1072986501);
	assert_int_equal(date_parse("2038-01-19T03:14:08Z"), 2147483648LL);
	assert_int_equal(date_parse("2000-02-29T00:00:00Z"), 951782400);
	/* Before 1970 the seconds are negative. */
	assert_int_equal(date_parse("1969-12-31T23:59:59Z"), -1);
	assert_int_equal(date_parse("Wed, 31 Dec 1969 23:59:59 GMT"), -1);
	assert_int_equal(date_parse("1901-12-13T20:45:52Z"), -2147483648LL);
	assert_int_equal(date_parse("1900-01-01T00:00:00Z"), -2208988800LL);
	assert_int_equal(date_parse("1600-02-29T12:00:00Z"), -11670955200LL);
	assert_int_equal(date_parse("14 Oct 1066 09:00:00 GMT"),
	    -28502722800LL);
	assert_int_equal(date_parse("0001-01-01T00:00:00Z"), -62135596800LL);
	/* Year 0 is a leap year of 366 days in the proleptic calendar. */
	assert_int_equal(date_parse("0000-01-01T00:00:00Z"),
	    -62135596800LL - 366 * 86400LL);
	assert_int_equal(date_parse("9999-12-31T23:59:59Z"), 253402300799LL);
}

/* RFC 822 and 2822 as written, and their common deviations. */
static void
test_rfc822(void **state)
{
	static const struct date_case	cases[] = {
		{ "Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Sat, 07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z" },
		{ "Sun, 3 Jan 2010 11:00:00 +0000", "2010-01-03T11:00:00Z" },
		{ "Fri, 25 Dec 2009 03:30:22 +0000", "2009-12-25T03:30:22Z" },
		/* Numeric zones in every spelling. */
		{ "Thu, 01 Jan 2004 19:48:21 -0500", "2004-01-02T00:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 +0530", "2004-01-01T14:18:21Z" },
		{ "Wed, 19 Feb 2012 22:40:00 -01:01", "2012-02-19T23:41:00Z" },
		{ "Thu, 01 Jan 2004 19:48:21 +01", "2004-01-01T18:48:21Z" },
		{ "Wed, 19 Feb 2012 22:40:00 GMT-01:01",
		    "2012-02-19T23:41:00Z" },
		{ "Thu, 01 Jan 2004 19:48:21 UTC+0100",
		    "2004-01-01T18:48:21Z" },
		/* Named zones, any case. */
		{ "Thu, 01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 UTC", "2004-01-01T19:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 gmt", "2004-01-01T19:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21Z" },
		{ "Thu, 01 Jul 2004 19:48:21 EDT", "2004-07-01T23:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 CST", "2004-01-02T01:48:21Z" },
		{ "Thu, 01 Jul 2004 19:48:21 CDT", "2004-07-02T00:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 MST", "2004-01-02T02:48:21Z" },
		{ "Thu, 01 Jul 2004 19:48:21 MDT", "2004-07-02T01:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 PST", "2004-01-02T03:48:21Z" },
		{ "Thu, 01 Jul 2004 19:48:21 PDT", "2004-07-02T02:48:21Z" },
		{ "Thu, 30 Apr 2015 08:57:00 MET", "2015-04-30T07:57:00Z" },
		{ "Thu, 30 Apr 2015 08:57:00 MEST", "2015-04-30T06:57:00Z" },
		{ "Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00Z" },
		{ "Mon, 26 January 2004 16:31:00 AT", "2004-01-26T20:31:00Z" },
		{ "Mon, 26 January 2004 16:31:00 PT", "2004-01-27T00:31:00Z" },
		{ "Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z" },
		{ "Wed, 19 Aug 2009 18:28:00 Etc/GMT+5",
		    "2009-08-19T23:28:00Z" },
		/* Military letters count as -0000 (RFC 2822 4.3). */
		{ "Thu, 01 Jan 2004 19:48:21 A", "2004-01-01T19:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 Y", "2004-01-01T19:48:21Z" },
		/* An unknown upper-case abbreviation is taken as UTC. */
		{ "Thu, 01 Jan 2004 19:48:21 XYZ", "2004-01-01T19:48:21Z" },
		/* No zone at all is UTC. */
		{ "Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21Z" },
		/* A trailing comment. */
		{ "Thu, 01 Jan 2004 19:48:21 +0000 (GMT)",
		    "2004-01-01T19:48:21Z" },
		{ "Thu, 01 Jan 2004 19:48:21 -0800 (Pacific Standard Time)",
		    "2004-01-02T03:48:21Z" },
		{ "Mon, 16 Jan 2012 10:00:00 +0100 CET",
		    "2012-01-16T09:00:00Z" },
		{ "Mon, 16 Jan 2012 10:00:00 +0100 CET (CET)",
		    "2012-01-16T09:00:00Z" },
		/* Missing seconds, missing time. */
		{ "Thu, 01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z" },
		{ "Thu, 01 Jan 2004 00:00 GMT", "2004-01-01T00:00:00Z" },
		{ "Thu, 01 Jan 2004", "2004-01-01T00:00:00Z" },
		{ "01 Jan 2004 GMT", "2004-01-01T00:00:00Z" },
		/* Fractional seconds are dropped. */
		{ "Thu, 01 Jan 2004 19:48:21.987 GMT", "2004-01-01T19:48:21Z" },
		/* Two- and three-digit years. */
		{ "Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Sat, 07 Feb 49 12:57:36 GMT", "2049-02-07T12:57:36Z" },
		{ "Sat, 07 Feb 50 12:57:36 GMT", "1950-02-07T12:57:36Z" },
		{ "Sat, 07 Feb 82 12:57 GMT", "1982-02-07T12:57:00Z" },
		{ "Tue, 01 Jan 104 00:00:00 GMT", "2004-01-01T00:00:00Z" },
		/* A four-digit year is taken as written, however small. */
		{ "Thu, 01 Jan 0100 00:00:01 +0100", "0099-12-31T23:00:01Z" },
		/* Day names: missing, full, without comma, wrong. */
		{ "01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Thursday, 01 Jan 2004 19:48:21 GMT",
		    "2004-01-01T19:48:21Z" },
		{ "Thu 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Thu. 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Mon, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Thur, 27 June 2013 04:24:36 GMT", "2013-06-27T04:24:36Z" },
		{ "Tues, 12 May 2015 04:24:36 GMT", "2015-05-12T04:24:36Z" },
		/* Odd spacing and punctuation. */
		{ "Thu,01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Thu,  5 Apr 2012 10:00:00 GMT", "2012-04-05T10:00:00Z" },
		{ "  Thu,   01  Jan   2004   19:48:21   GMT  ",
		    "2004-01-01T19:48:21Z" },
		{ "\tThu, 01 Jan 2004\n19:48:21 GMT\r\n",
		    "2004-01-01T19:48:21Z" },
		{ "Mon, 13 Feb, 2012 06:28:00 UTC", "2012-02-13T06:28:00Z" },
		{ "1 Jan 2004, 10:00 GMT", "2004-01-01T10:00:00Z" },
		{ "Thu, 01 jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Thu, 01 JAN 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Thu, 01 Jan. 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Thu, 1 Jan 2004 9:08:07 GMT", "2004-01-01T09:08:07Z" },
		/* Full month names. */
		{ "Thu, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Sun, 05 September 2004 19:48:21 GMT",
		    "2004-09-05T19:48:21Z" },
		{ "Sun, 05 Sept 2004 19:48:21 GMT", "2004-09-05T19:48:21Z" },
		/* RFC 850, the obsolete HTTP date. */
		{ "Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z" },
		/* Month first, with or without commas, AM/PM. */
		{ "Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16Z" },
		{ "Apr 26, 2013 11:30:00 AM EST", "2013-04-26T16:30:00Z" },
		{ "Apr 26, 2013 12:30:00 AM", "2013-04-26T00:30:00Z" },
		{ "Apr 26, 2013 12:30:00 PM", "2013-04-26T12:30:00Z" },
		{ "Apr 26, 2013 1:05 pm", "2013-04-26T13:05:00Z" },
		{ "January 1st, 2004", "2004-01-01T00:00:00Z" },
		{ "Mar 4 2010", "2010-03-04T00:00:00Z" },
		/* Perforce style. */
		{ "Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z" },
	};

	(void)state;
	check_cases(date_parse_rfc822, cases, NITEMS(cases));
	check_cases(date_parse, cases, NITEMS(cases));
}

/*
 * Month and day names in German, French, Spanish, Italian, Dutch and
 * Portuguese.
 */
static void
test_rfc822_localized(void **state)
{
	static const struct date_case	cases[] = {
		{ "Mo, 03 Mai 2010 10:00:00 +0200", "2010-05-03T08:00:00Z" },
		{ "Di., 04. Mai 2010 10:00:00 +0200", "2010-05-04T08:00:00Z" },
		{ "Mittwoch, 3. März 2010 10:00", "2010-03-03T10:00:00Z" },
		{ "12 Dez 2010 10:00:00 GMT", "2010-12-12T10:00:00Z" },
		{ "1 Okt 2010", "2010-10-01T00:00:00Z" },
		{ "15 Jänner 2010", "2010-01-15T00:00:00Z" },
		{ "lun., 01 mars 2010 10:00:00 +0100", "2010-03-01T09:00:00Z" },
		{ "mar. 04 mai 2010 10:00", "2010-05-04T10:00:00Z" },
		{ "3 févr. 2010", "2010-02-03T00:00:00Z" },
		{ "15 août 2010", "2010-08-15T00:00:00Z" },
		{ "jeudi, 2 décembre 2010 08:00:00 GMT",
		    "2010-12-02T08:00:00Z" },
		{ "juil. 14 2010", "2010-07-14T00:00:00Z" },
		{ "Lunes, 12 dic 2011 10:00:00 GMT", "2011-12-12T10:00:00Z" },
		{ "mié, 05 ene 2011 10:00:00 +0100", "2011-01-05T09:00:00Z" },
		{ "1 setiembre 2011", "2011-09-01T00:00:00Z" },
		{ "dom, 21 ago 2011 10:00:00 GMT", "2011-08-21T10:00:00Z" },
		{ "gio, 10 giu 2010 10:00:00 +0200", "2010-06-10T08:00:00Z" },
		{ "22 ottobre 2010", "2010-10-22T00:00:00Z" },
		{ "5 lug 2010 12:00", "2010-07-05T12:00:00Z" },
		{ "ma, 03 mei 2010 10:00:00 +0200", "2010-05-03T08:00:00Z" },
		{ "17 mrt 2010", "2010-03-17T00:00:00Z" },
		{ "1 okt 2010", "2010-10-01T00:00:00Z" },
		{ "ter, 06 abr 2010 10:00:00 -0300", "2010-04-06T13:00:00Z" },
		{ "sexta-feira, 1 out 2010 10:00", "2010-10-01T10:00:00Z" },
		{ "7 março 2010", "2010-03-07T00:00:00Z" },
		{ "25 dez 2010", "2010-12-25T00:00:00Z" },
	};

	(void)state;
	check_cases(date_parse, cases, NITEMS(cases));
}

/* asctime(), with and without a zone before the year. */
static void
test_asctime(void **state)
{
	static const struct date_case	cases[] = {
		{ "Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z" },
		{ "Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z" },
		{ "Sun Jul 15 01:16:00 +0000 2012", "2012-07-15T01:16:00Z" },
		{ "Sun Jul 15 01:16:00 -0700 2012", "2012-07-15T08:16:00Z" },
		{ "Sun Jul 15 01:16:00 PDT 2012", "2012-07-15T08:16:00Z" },
		{ "Jan 4 16:29:06 2004", "2004-01-04T16:29:06Z" },
	};

	(void)state;
	check_cases(date_parse_rfc822, cases, NITEMS(cases));
	check_cases(date_parse, cases, NITEMS(cases));
}

/* RFC 3339 and the W3C-DTF partials. */
static void
test_w3cdtf(void **state)
{
	static const struct date_case	cases[] = {
		{ "2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z" },
		{ "2003-12-31T10:14:55-08:00", "2003-12-31T18:14:55Z" },
		{ "2003-12-31T18:14:55+08:00", "2003-12-31T10:14:55Z" },
		{ "2003-12-31T10:14:55.1234Z", "2003-12-31T10:14:55Z" },
		{ "2007-04-23T23:25:47.538+10:00", "2007-04-23T13:25:47Z" },
		{ "2009-12-08T16:59:02.544-08:00", "2009-12-09T00:59:02Z" },
		{ "2003-12-31T10:14Z", "2003-12-31T10:14:00Z" },
		{ "2003-12-31T10:14+01:00", "2003-12-31T09:14:00Z" },
		{ "2003-12-31", "2003-12-31T00:00:00Z" },
		{ "2003-12", "2003-12-01T00:00:00Z" },
		{ "2003", "2003-01-01T00:00:00Z" },
		/* Rollover across Feb 28/29 by the zone. */
		{ "2004-02-28T18:14:55-08:00", "2004-02-29T02:14:55Z" },
		{ "2003-02-28T18:14:55-08:00", "2003-03-01T02:14:55Z" },
		{ "2000-02-28T18:14:55-08:00", "2000-02-29T02:14:55Z" },
		{ "1900-02-28T18:14:55-08:00", "1900-03-01T02:14:55Z" },
	};

	(void)state;
	check_cases(date_parse_iso8601, cases, NITEMS(cases));
	check_cases(date_parse, cases, NITEMS(cases));
}

/* ISO 8601 variants and the SQL-style dates feeds emit. */
static void
test_iso8601_variants(void **state)
{
	static const struct date_case	cases[] = {
		{ "20031231T101455Z", "2003-12-31T10:14:55Z" },
		{ "20031231T101400Z", "2003-12-31T10:14:00Z" },
		{ "20031231T1014-0500", "2003-12-31T15:14:00Z" },
		{ "20031231", "2003-12-31T00:00:00Z" },
		{ "2003-12-31 10:14:55Z", "2003-12-31T10:14:55Z" },
		{ "2003-12-31t10:14:55z", "2003-12-31T10:14:55Z" },
		{ "2003-12-31T10:14:55", "2003-12-31T10:14:55Z" },
		{ "2003-12-31T10:14:55+01", "2003-12-31T09:14:55Z" },
		{ "2003-12-31T10:14:55+0100", "2003-12-31T09:14:55Z" },
		{ "2003-12-31T10:14:55,5Z", "2003-12-31T10:14:55Z" },
		{ "2003-12-31T10Z", "2003-12-31T10:00:00Z" },
		{ "2004-07-08 23:56:58", "2004-07-08T23:56:58Z" },
		{ "2004-07-08 23:56:58.0", "2004-07-08T23:56:58Z" },
		{ "2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58Z" },
		{ "2004-07-08 23:56:58 GMT", "2004-07-08T23:56:58Z" },
		{ "2004-07-13T9:15-05:00", "2004-07-13T14:15:00Z" },
		{ "2004-7-8", "2004-07-08T00:00:00Z" },
		/* Ordinal dates. */
		{ "2003-335", "2003-12-01T00:00:00Z" },
		{ "2003335", "2003-12-01T00:00:00Z" },
		{ "2004-366T12:00Z", "2004-12-31T12:00:00Z" },
		/* A generator that writes the month with three digits. */
		{ "2003-012-31T10:14:55+00:00", "2003-12-31T10:14:55Z" },
	};

	(void)state;
	check_cases(date_parse_iso8601, cases, NITEMS(cases));
	check_cases(date_parse, cases, NITEMS(cases));
}

/*
 * The dates of the feedparser corpus (wellformed/{atom,rss,cdf}), with the
 * instants their Expect lines give.
 */
static void
test_corpus(void **state)
{
	static const struct date_case	cases[] = {
		{ "Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
		{ "Sat, 01 Jan 2010 19:48:21 GMT", "2010-01-01T19:48:21Z" },
		{ "Sat, 07 Sep 2002 00:00:01 GMT", "2002-09-07T00:00:01Z" },
		{ "2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z" },
		{ "2002-10-13T09:00+01:00", "2002-10-13T08:00:00Z" },
		{ "2002-10-17T17:00+01:00", "2002-10-17T16:00:00Z" },
		{ "2004-04-06T23:05:43-05:00", "2004-04-07T04:05:43Z" },
		{ "Mon, 03 Apr 2023 01:02:03 GMT", "2023-04-03T01:02:03Z" },
		{ "2002-09-28T20:01:19Z", "2002-09-28T20:01:19Z" },
		{ "Sat, 28 Sep 2002 21:00:02 GMT", "2002-09-28T21:00:02Z" },
		{ "2004-06-02T19:07:55-04:00", "2004-06-02T23:07:55Z" },
		{ "2002", "2002-01-01T00:00:00Z" },
	};

	(void)state;
	check_cases(date_parse, cases, NITEMS(cases));
}

/* Leap years: divisible by 4, except centuries not divisible by 400. */
static void
test_leap_years(void **state)
{
	static const struct date_case	good[] = {
		{ "2000-02-29", "2000-02-29T00:00:00Z" },
		{ "2004-02-29T12:00:00Z", "2004-02-29T12:00:00Z" },
		{ "1600-02-29", "1600-02-29T00:00:00Z" },
		{ "2400-02-29", "2400-02-29T00:00:00Z" },
		{ "0000-02-29", "0000-02-29T00:00:00Z" },
		{ "Tue, 29 Feb 1972 00:00:00 GMT", "1972-02-29T00:00:00Z" },
		{ "1968-02-29", "1968-02-29T00:00:00Z" },
		{ "2004-060", "2004-02-29T00:00:00Z" },
		{ "2003-060", "2003-03-01T00:00:00Z" },
	};
	static const char *const	bad[] = {
		"1900-02-29", "2100-02-29", "2003-02-29", "1700-02-29",
		"Sat, 29 Feb 2014 00:00:00 GMT", "2003-366", "2004-367",
		"2003-000",
	};

	(void)state;
	check_cases(date_parse, good, NITEMS(good));
	check_bad(date_parse, bad, NITEMS(bad));
}

/* 24:00:00 is the next midnight; a leap second stays in its minute. */
static void
test_24h_and_leap_second(void **state)
{
	static const struct date_case	cases[] = {
		{ "2003-12-31T24:00:00Z", "2004-01-01T00:00:00Z" },
		{ "2004-02-28T24:00Z", "2004-02-29T00:00:00Z" },
		{ "Wed, 31 Dec 2003 24:00:00 GMT", "2004-01-01T00:00:00Z" },
		{ "1998-12-31T23:59:60Z", "1998-12-31T23:59:59Z" },
		{ "Thu, 31 Dec 1998 23:59:60 GMT", "1998-12-31T23:59:59Z" },
	};
	static const char *const	bad[] = {
		"2003-12-31T24:00:01Z", "2003-12-31T24:01:00Z",
		"2003-12-31T25:00:00Z", "2003-12-31T23:59:61Z",
	};

	(void)state;
	check_cases(date_parse, cases, NITEMS(cases));
	check_bad(date_parse, bad, NITEMS(bad));
}

/* Impossible dates and garbage are DATE_UNKNOWN, never normalised. */
static void
test_invalid(void **state)
{
	static const char *const	bad[] = {
		NULL, "", "   ", "now", "yesterday", "0", "12", "013", "22013",
		"2003-02-30", "2003-04-31", "2003-13-01", "2003-00-10",
		"2003-12-00", "2003-12-32", "Mon, 30 Feb 2004 10:00:00 GMT",
		"Sun, 99 Jun 2009 12:00:00 GMT", "Sun, 16 Dec 2012 1:2:3:4 GMT",
		"Sun, 16 zzz 2012 11:47:32 GMT", "Sun, Dec x 2012 11:47:32 GMT",
		"Sun, 16 Dec zz 11:47:32 GMT",
		"Sun, 16 Dec 2012 11:47:32 +zz:00",
		"Sun, 16 Dec 2012 11:47:32 +00:zz",
		"Sun, 16 Dec 2012 11:47:32 hello",
		"Sun, 16 Dec 2012 11:47:32 GMT junk",
		"Sun, 16 Dec 2012 11:47:32 +0000 junk",
		"Sun, 16 Dec 2012 11:47:32 +0000 GMT EST",
		"Sun, 16 Dec 2012 11:47:32 GMT (unclosed",
		"Sun, 16 Dec 2012 11:60:00 GMT", "Sun, 16 Dec 2012 13:00 PM",
		"Sun, 16 Dec 2012 11:47:32 +2400",
		"Sun, 16 Dec 2012 11:47:32 +0160",
		"2003-12-31T10:61:55Z", "2003-12-31T10:14:61Z",
		"2013-01-27-01", "2013-01-28T11:30:00-06:00Textra",
		"2013-xx-27",
		"2013-01-28T09:xx:00Z", "2013-01-28T09:00:00+00:xx",
		"2003-12T10:00Z", "2003T10:00Z", "2003-12-31Z", "2003-12-31T",
		"2003-12-31T10:14:55ZZ", "-2003-12-31", "+2003-12-31",
		"9999-12-31T23:59:59-99:99", "10000-01-01", "1e3",
		/* Fine as written, but outside years 0-9999 once in UTC. */
		"Sun, 31 Dec 9999 23:59:59 -0100", "0000-01-01T00:00:00+01:00",
		"Sun, 31 Dec 9999 23:59:59 -9999",
		/* Non-ASCII names we do not know. */
		"\xc3\xa1\xc3\xa1\xc3\xa1, 29 \xc3\xa1\xc3\xa1\xc3\xa1\xc3\xa1 "
		    "2004 12:53:00 GMT",
	};

	(void)state;
	check_bad(date_parse, bad, NITEMS(bad));
	check_bad(date_parse_rfc822, bad, NITEMS(bad));
	check_bad(date_parse_iso8601, bad, NITEMS(bad));
}

/* A string longer than any date is rejected without being scanned. */
static void
test_too_long(void **state)
{
	char	buf[600];

	(void)state;
	memset(buf, ' ', sizeof buf - 1);
	buf[sizeof buf - 1] = '\0';
	memcpy(buf, "2003-12-31T10:14:55Z", 20);
	/* Trailing spaces are trimmed only within the bound. */
	assert_true(date_parse(buf) == DATE_UNKNOWN);
	buf[20] = '\0';
	assert_int_equal(date_parse(buf), 1072865695);
}

/* Each family parser takes only its own family. */
static void
test_families(void **state)
{
	(void)state;
	assert_true(date_parse_rfc822("2003-12-31T10:14:55Z") == DATE_UNKNOWN);
	assert_true(date_parse_rfc822("2003") == DATE_UNKNOWN);
	assert_true(date_parse_iso8601("Thu, 01 Jan 2004 19:48:21 GMT") ==
	    DATE_UNKNOWN);
	assert_true(date_parse_iso8601("Sun Jan  4 16:29:06 2004") ==
	    DATE_UNKNOWN);
	assert_int_equal(date_parse_rfc822("Thu, 01 Jan 2004 19:48:21 GMT"),
	    1072986501);
	assert_int_equal(date_parse_iso8601("2004-01-01T19:48:21Z"),
	    1072986501);
}

/* Formatting known instants, both forms. */
static void
test_format(void **state)
{
	char	buf[64];

	(void)state;
	assert_int_equal(date_format_rfc3339(0, buf, sizeof buf), 20);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(date_format_rfc822(0, buf, sizeof buf), 29);
	assert_string_equal(buf, "Thu, 01 Jan 1970 00:00:00 GMT");

	assert_int_equal(date_format_rfc3339(1071340202, buf, sizeof buf), 20);
	assert_string_equal(buf, "2003-12-13T18:30:02Z");
	assert_int_equal(date_format_rfc822(1071340202, buf, sizeof buf), 29);
	assert_string_equal(buf, "Sat, 13 Dec 2003 18:30:02 GMT");

	assert_int_equal(date_format_rfc822(784111777, buf, sizeof buf), 29);
	assert_string_equal(buf, "Sun, 06 Nov 1994 08:49:37 GMT");

	/* Before 1970. */
	assert_int_equal(date_format_rfc3339(-1, buf, sizeof buf), 20);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_int_equal(date_format_rfc822(-1, buf, sizeof buf), 29);
	assert_string_equal(buf, "Wed, 31 Dec 1969 23:59:59 GMT");
	assert_int_equal(date_format_rfc3339(-2208988800LL, buf, sizeof buf),
	    20);
	assert_string_equal(buf, "1900-01-01T00:00:00Z");
	assert_int_equal(date_format_rfc822(-28502722800LL, buf, sizeof buf),
	    29);
	/* Proleptic Gregorian: the Julian calendar called this a Saturday. */
	assert_string_equal(buf, "Sun, 14 Oct 1066 09:00:00 GMT");

	/* The ends of the range. */
	assert_int_equal(date_format_rfc822(-62167219200LL, buf, sizeof buf),
	    29);
	assert_string_equal(buf, "Sat, 01 Jan 0000 00:00:00 GMT");
	assert_int_equal(date_format_rfc822(253402300799LL, buf, sizeof buf),
	    29);
	assert_string_equal(buf, "Fri, 31 Dec 9999 23:59:59 GMT");
	assert_int_equal(date_format_rfc3339(-62167219201LL, buf, sizeof buf),
	    -1);
	assert_int_equal(date_format_rfc3339(253402300800LL, buf, sizeof buf),
	    -1);
	assert_int_equal(date_format_rfc822(253402300800LL, buf, sizeof buf),
	    -1);
	assert_int_equal(date_format_rfc822(DATE_UNKNOWN, buf, sizeof buf), -1);
	assert_int_equal(date_format_rfc3339(INT64_MAX, buf, sizeof buf), -1);
}

/* The documented sizes are exact: one byte less fails. */
static void
test_format_buffer(void **state)
{
	char	buf[DATE_RFC822_LEN];

	(void)state;
	assert_int_equal(date_format_rfc3339(0, buf, DATE_RFC3339_LEN), 20);
	assert_int_equal(date_format_rfc3339(0, buf, DATE_RFC3339_LEN - 1), -1);
	assert_int_equal(date_format_rfc822(0, buf, DATE_RFC822_LEN), 29);
	assert_int_equal(date_format_rfc822(0, buf, DATE_RFC822_LEN - 1), -1);
	assert_int_equal(date_format_rfc822(0, buf, 0), -1);
	assert_int_equal(date_format_rfc822(0, NULL, 30), -1);
}

/* Whether Y is a leap year, written independently of date.c. */
static int
oracle_leap(int y)
{
	return y % 400 == 0 || (y % 100 != 0 && y % 4 == 0);
}

/*
 * Walks every day from 0000-01-01 to 9999-12-31 with a naive calendar and
 * checks that formatting, and parsing what was formatted, agree with it.
 */
static void
test_calendar_walk(void **state)
{
	static const int	mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	static const char	*wd[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	char	want[32], got[DATE_RFC822_LEN];
	int64_t	t = -62167219200LL, day = 0;
	int	y, m, d, n, wday = 6;	/* 0000-01-01 was a Saturday */

	(void)state;
	for (y = 0; y <= 9999; y++) {
		for (m = 1; m <= 12; m++) {
			n = mdays[m - 1] + (m == 2 && oracle_leap(y));
			for (d = 1; d <= n; d++, day++, t += 86400,
			    wday = (wday + 1) % 7) {
				/* Every day's date; a round trip every 97th. */
				assert_int_equal(date_format_rfc3339(t, got,
				    sizeof got), 20);
				snprintf(want, sizeof want, "%04d-%02d-%02d",
				    y, m, d);
				if (memcmp(got, want, 10) != 0)
					fail_msg("day %lld: got %s want %s",
					    (long long)day, got, want);
				if (day % 97 != 0)
					continue;
				assert_int_equal(date_parse(got), t);
				assert_int_equal(date_format_rfc822(t + 45296,
				    got, sizeof got), 29);
				if (strncmp(got, wd[wday], 3) != 0)
					fail_msg("%s: weekday, want %s", got,
					    wd[wday]);
				assert_int_equal(date_parse(got), t + 45296);
			}
		}
	}
	assert_int_equal(t, 253402300800LL);
}

/* Config durations. */
static void
test_duration(void **state)
{
	static const char *const	bad[] = {
		NULL, "", " ", "-1", "-90s", "+90", "90x", "90ss", "90 s",
		" 90",
		"90 ", "s", "m", "1.5h", "0x10", "1S", "1H", "1y", "90s5",
		"366d", "53w", "8761h", "525601m", "31536001",
		"99999999999999999999999", "18446744073709551617s",
	};

	(void)state;
	assert_int_equal(date_parse_duration("90"), 90);
	assert_int_equal(date_parse_duration("0"), 0);
	assert_int_equal(date_parse_duration("90s"), 90);
	assert_int_equal(date_parse_duration("30m"), 1800);
	assert_int_equal(date_parse_duration("2h"), 7200);
	assert_int_equal(date_parse_duration("1d"), 86400);
	assert_int_equal(date_parse_duration("1w"), 604800);
	assert_int_equal(date_parse_duration("007m"), 420);
	/* A year, in every unit, is the most accepted. */
	assert_int_equal(date_parse_duration("365d"), 31536000);
	assert_int_equal(date_parse_duration("8760h"), 31536000);
	assert_int_equal(date_parse_duration("525600m"), 31536000);
	assert_int_equal(date_parse_duration("31536000"), 31536000);
	assert_int_equal(date_parse_duration("52w"), 52 * 604800);
	for (size_t i = 0; i < NITEMS(bad); i++) {
		if (date_parse_duration(bad[i]) != -1)
			fail_msg("duration \"%s\" accepted",
			    bad[i] ? bad[i] : "(null)");
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_epoch_values),
		cmocka_unit_test(test_rfc822),
		cmocka_unit_test(test_rfc822_localized),
		cmocka_unit_test(test_asctime),
		cmocka_unit_test(test_w3cdtf),
		cmocka_unit_test(test_iso8601_variants),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_24h_and_leap_second),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_buffer),
		cmocka_unit_test(test_calendar_walk),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

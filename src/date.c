/*
 * date: parsing and formatting of the date strings found in feeds and HTTP
 * headers; see date.h.  This room owns two small hand-written scanners (the
 * RFC 822 family, which also takes RFC 850 and asctime, and the ISO 8601
 * family, which takes RFC 3339, W3C-DTF and the usual deviations) and the
 * civil-calendar arithmetic that turns a validated date into UTC seconds.
 * Nothing here reads the clock, the locale or the libc time zone: strptime
 * and timegm would drag in all three and silently "fix" impossible dates.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

/* Longer strings are not dates; the bound also caps the work per call. */
#define DATE_MAXLEN	256
/* Longest month, weekday or zone word we bother to look up. */
#define DATE_WORDLEN	24

#define SECS_PER_DAY	86400
/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define DATE_MIN	(-62167219200LL)
#define DATE_MAX	(253402300799LL)
/* The longest duration the config accepts: 365 days. */
#define DURATION_MAX	(365LL * SECS_PER_DAY)

/* A broken-down date as written, before validation. */
struct date_civil {
	int	year;
	int	mon;
	int	day;
	int	hour;
	int	min;
	int	sec;
	int	off;		/* seconds east of UTC */
};

struct date_name {
	const char	*name;
	int		 value;
};

/*
 * Month names and abbreviations in English, German, French, Spanish,
 * Italian, Dutch and Portuguese, lower case, UTF-8.  No spelling maps to two
 * different months, so one table serves every language.
 */
static const struct date_name date_months[] = {
	{ "jan", 1 }, { "january", 1 }, { "januar", 1 }, { "jänner", 1 },
	{ "jän", 1 }, { "janv", 1 }, { "janvier", 1 }, { "ene", 1 },
	{ "enero", 1 }, { "gen", 1 }, { "gennaio", 1 }, { "januari", 1 },
	{ "janeiro", 1 },
	{ "feb", 2 }, { "february", 2 }, { "februar", 2 }, { "févr", 2 },
	{ "fevr", 2 }, { "février", 2 }, { "fevrier", 2 }, { "febrero", 2 },
	{ "febbraio", 2 }, { "februari", 2 }, { "fev", 2 },
	{ "fevereiro", 2 },
	{ "mar", 3 }, { "march", 3 }, { "märz", 3 }, { "mär", 3 },
	{ "mrz", 3 }, { "mars", 3 }, { "marzo", 3 }, { "maart", 3 },
	{ "mrt", 3 }, { "março", 3 }, { "marco", 3 },
	{ "apr", 4 }, { "april", 4 }, { "avr", 4 }, { "avril", 4 },
	{ "abr", 4 }, { "abril", 4 }, { "aprile", 4 },
	{ "may", 5 }, { "mai", 5 }, { "mayo", 5 }, { "mag", 5 },
	{ "maggio", 5 }, { "mei", 5 }, { "maio", 5 },
	{ "jun", 6 }, { "june", 6 }, { "juni", 6 }, { "juin", 6 },
	{ "junio", 6 }, { "giu", 6 }, { "giugno", 6 }, { "junho", 6 },
	{ "jul", 7 }, { "july", 7 }, { "juli", 7 }, { "juil", 7 },
	{ "juillet", 7 }, { "julio", 7 }, { "lug", 7 }, { "luglio", 7 },
	{ "julho", 7 },
	{ "aug", 8 }, { "august", 8 }, { "août", 8 }, { "aout", 8 },
	{ "ago", 8 }, { "agosto", 8 }, { "augustus", 8 },
	{ "sep", 9 }, { "sept", 9 }, { "september", 9 }, { "septembre", 9 },
	{ "septiembre", 9 }, { "setiembre", 9 }, { "set", 9 },
	{ "settembre", 9 }, { "setembro", 9 },
	{ "oct", 10 }, { "october", 10 }, { "okt", 10 }, { "oktober", 10 },
	{ "octobre", 10 }, { "octubre", 10 }, { "ott", 10 },
	{ "ottobre", 10 }, { "out", 10 }, { "outubro", 10 },
	{ "nov", 11 }, { "november", 11 }, { "novembre", 11 },
	{ "noviembre", 11 }, { "novembro", 11 },
	{ "dec", 12 }, { "december", 12 }, { "dez", 12 }, { "dezember", 12 },
	{ "déc", 12 }, { "décembre", 12 }, { "decembre", 12 }, { "dic", 12 },
	{ "diciembre", 12 }, { "dicembre", 12 }, { "dezembro", 12 },
};

/*
 * Weekday names in the same languages.  The weekday carries no information
 * we trust (feeds get it wrong often), so it is only recognised and skipped.
 */
static const char *date_weekdays[] = {
	"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat",
	"sun", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday", "sunday",
	"mo", "di", "mi", "do", "fr", "sa", "so", "montag", "dienstag",
	"mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
	"lun", "mar", "mer", "jeu", "ven", "sam", "dim", "lundi", "mardi",
	"mercredi", "jeudi", "vendredi", "samedi", "dimanche",
	"mié", "mie", "jue", "vie", "sáb", "sab", "dom", "lunes", "martes",
	"miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado",
	"domingo",
	"gio", "lunedì", "lunedi", "martedì", "martedi", "mercoledì",
	"mercoledi", "giovedì", "giovedi", "venerdì", "venerdi", "sabato",
	"domenica",
	"ma", "wo", "vr", "za", "zo", "maandag", "dinsdag", "woensdag",
	"donderdag", "vrijdag", "zaterdag", "zondag",
	"seg", "ter", "qua", "qui", "sex", "segunda", "terça", "terca",
	"quarta", "quinta", "sexta", "segunda-feira", "terça-feira",
	"terca-feira", "quarta-feira", "quinta-feira", "sexta-feira",
};

/*
 * Zone abbreviations in minutes east of UTC.  The RFC 822 military letters
 * are deliberately absent: RFC 2822 section 4.3 notes their signs were
 * defined backwards and says to read them as -0000, which the fallback for
 * unknown upper-case abbreviations does.
 */
static const struct date_name date_zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "ast", -240 }, { "adt", -180 }, { "akst", -540 }, { "akdt", -480 },
	{ "hst", -600 }, { "at", -240 }, { "et", -300 }, { "ct", -360 },
	{ "mt", -420 }, { "pt", -480 },
	{ "bst", 60 }, { "west", 60 }, { "cet", 60 }, { "cest", 120 },
	{ "met", 60 }, { "mest", 120 }, { "mez", 60 }, { "mesz", 120 },
	{ "eet", 120 }, { "eest", 180 }, { "msk", 180 }, { "jst", 540 },
	{ "kst", 540 }, { "aest", 600 }, { "aedt", 660 }, { "nzst", 720 },
	{ "nzdt", 780 },
};

static const char *date_wdnames[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *date_monnames[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

/* Whether C is ASCII white space; isspace() would consult the locale. */
static int
date_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* Whether C is an ASCII digit. */
static int
date_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

/* Whether C is an ASCII letter. */
static int
date_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether C may be part of a (possibly UTF-8, non-English) name. */
static int
date_isword(int c)
{
	return date_isalpha(c) || (unsigned char)c >= 0x80;
}

/* ASCII-only lower-casing, leaving UTF-8 bytes alone. */
static int
date_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Whether Y is a Gregorian leap year. */
static int
date_isleap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The number of days in month M (1-12) of year Y. */
static int
date_mdays(int y, int m)
{
	static const int	 mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && date_isleap(y))
		return 29;
	return mdays[m - 1];
}

/*
 * Days from 1970-01-01 to Y-M-D in the proleptic Gregorian calendar.  The
 * year is counted from March so the leap day falls at the end, and split into
 * 400-year eras of 146097 days so negative years need no special case.
 */
static int64_t
date_days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;				/* 0-399 */
	/* Day of the March-based year, 0-365. */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* 0-146096 */
	return era * 146097 + doe - 719468;
}

/* The inverse of date_days_from_civil. */
static void
date_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Validates C and converts it to UTC seconds, or DATE_UNKNOWN. */
static int64_t
date_civil_to_time(const struct date_civil *c)
{
	int64_t	t;
	int	sec = c->sec;

	if (c->year < 0 || c->year > 9999 || c->mon < 1 || c->mon > 12)
		return DATE_UNKNOWN;
	if (c->day < 1 || c->day > date_mdays(c->year, c->mon))
		return DATE_UNKNOWN;
	if (c->hour < 0 || c->hour > 24 || c->min < 0 || c->min > 59 ||
	    sec < 0 || sec > 60)
		return DATE_UNKNOWN;
	/* 24:00:00 is the end of the day, i.e. the next midnight. */
	if (c->hour == 24 && (c->min != 0 || sec != 0))
		return DATE_UNKNOWN;
	/* POSIX time has no leap seconds; keep them in their minute. */
	if (sec == 60)
		sec = 59;
	t = date_days_from_civil(c->year, c->mon, c->day) * SECS_PER_DAY +
	    c->hour * 3600 + c->min * 60 + sec - c->off;
	if (t < DATE_MIN || t > DATE_MAX)
		return DATE_UNKNOWN;
	return t;
}

/* Skips white space at *P. */
static void
date_skipws(const char **p)
{
	while (date_isspace(**p))
		(*p)++;
}

/* The length of the run of digits at P. */
static size_t
date_ndigits(const char *p)
{
	size_t	n = 0;

	while (date_isdigit(p[n]))
		n++;
	return n;
}

/* Reads exactly N digits at *P into *V; returns 0, or -1 if not digits. */
static int
date_fixed(const char **p, size_t n, int *v)
{
	int	x = 0;

	for (size_t i = 0; i < n; i++) {
		if (!date_isdigit((*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

/*
 * Reads the whole run of digits at *P into *V when its length is between MIN
 * and MAX; a longer run fails rather than being split.
 */
static int
date_number(const char **p, size_t min, size_t max, int *v)
{
	size_t	n = date_ndigits(*p);

	if (n < min || n > max)
		return -1;
	return date_fixed(p, n, v);
}

/*
 * Reads the word (letters, UTF-8 bytes and inner hyphens) at *P into BUF,
 * lower-cased; returns its length, or 0 when there is none or it is too long
 * to be a name, leaving *P alone.
 */
static size_t
date_word(const char **p, char *buf, size_t len)
{
	const char	*s = *p;
	size_t		 n = 0;

	while (date_isword(s[n]) ||
	    (n > 0 && s[n] == '-' && date_isword(s[n + 1]))) {
		if (n + 1 >= len)
			return 0;
		buf[n] = (char)date_lower(s[n]);
		n++;
	}
	buf[n] = '\0';
	*p = s + n;
	return n;
}

/* The value of NAME in TABLE of N entries, or -1. */
static int
date_lookup(const struct date_name *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].name, name) == 0)
			return table[i].value;
	}
	return -1;
}

/* The month (1-12) named W in any supported language, or -1. */
static int
date_month(const char *w)
{
	return date_lookup(date_months,
	    sizeof date_months / sizeof date_months[0], w);
}

/* Whether W names a weekday in any supported language. */
static int
date_isweekday(const char *w)
{
	for (size_t i = 0; i < sizeof date_weekdays / sizeof date_weekdays[0];
	    i++) {
		if (strcmp(date_weekdays[i], w) == 0)
			return 1;
	}
	return 0;
}

/*
 * Reads a numeric offset ("+hhmm", "+hh:mm", "+hh", "+h") at *P into *OFF
 * seconds east; the sign has not been consumed.
 */
static int
date_numzone(const char **p, int *off)
{
	const char	*s = *p;
	int		 sign, hh = 0, mm = 0;
	size_t		 n;

	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	n = date_ndigits(s);
	if (n == 4) {
		(void)date_fixed(&s, 2, &hh);
		(void)date_fixed(&s, 2, &mm);
	} else if (n == 1 || n == 2) {
		(void)date_fixed(&s, n, &hh);
		if (*s == ':') {
			s++;
			if (date_number(&s, 2, 2, &mm) == -1)
				return -1;
		}
	} else
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 3600 + mm * 60);
	*p = s;
	return 0;
}

/* Whether W is one of the names of UTC that may carry an offset. */
static int
date_isutc(const char *w)
{
	return strcmp(w, "gmt") == 0 || strcmp(w, "utc") == 0 ||
	    strcmp(w, "ut") == 0;
}

/*
 * Reads a zone at *P: a numeric offset, a known abbreviation (optionally
 * "Etc/" prefixed or followed by an offset, "GMT+01:00"), or an unknown
 * upper-case abbreviation, which is taken as UTC: hours off beats no date.
 */
static int
date_zone(const char **p, int *off)
{
	const char	*s = *p, *w;
	char		 word[DATE_WORDLEN];
	size_t		 n;
	int		 etc = 0, v, extra;

	if (*s == '+' || *s == '-')
		return date_numzone(p, off);
	if (strncmp(s, "Etc/", 4) == 0 || strncmp(s, "etc/", 4) == 0) {
		etc = 1;
		s += 4;
	}
	w = s;
	if ((n = date_word(&s, word, sizeof word)) == 0 || strchr(word, '-'))
		return -1;
	if (etc) {
		if (!date_isutc(word))
			return -1;
		v = 0;
	} else if ((v = date_lookup(date_zones,
	    sizeof date_zones / sizeof date_zones[0], word)) != -1)
		v *= 60;
	else {
		if (n > 5)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (w[i] < 'A' || w[i] > 'Z')
				return -1;
		}
		v = 0;
	}
	if (date_isutc(word) && (*s == '+' || *s == '-')) {
		if (date_numzone(&s, &extra) == -1)
			return -1;
		/* The tz database's Etc/GMT+5 is five hours west. */
		v = etc ? -extra : extra;
	}
	*off = v;
	*p = s;
	return 0;
}

/*
 * Reads "h:mm[:ss[.fff]]" with an optional AM/PM at *P into C; fractions of
 * a second are dropped.
 */
static int
date_time(const char **p, struct date_civil *c)
{
	const char	*s = *p, *q;
	char		 word[DATE_WORDLEN];

	if (date_number(&s, 1, 2, &c->hour) == -1 || *s++ != ':' ||
	    date_number(&s, 2, 2, &c->min) == -1)
		return -1;
	c->sec = 0;
	if (*s == ':') {
		s++;
		if (date_number(&s, 2, 2, &c->sec) == -1)
			return -1;
		if ((*s == '.' || *s == ',') && date_isdigit(s[1])) {
			s++;
			s += date_ndigits(s);
		}
	}
	q = s;
	date_skipws(&q);
	if (date_word(&q, word, sizeof word) > 0 &&
	    (strcmp(word, "am") == 0 || strcmp(word, "pm") == 0)) {
		if (c->hour < 1 || c->hour > 12)
			return -1;
		if (c->hour == 12)
			c->hour = 0;
		if (word[0] == 'p')
			c->hour += 12;
		s = q;
	}
	*p = s;
	return 0;
}

/* Turns a year of 2 or 3 digits into a full one, the RFC 2822 way. */
static int
date_year(int y, size_t ndigits)
{
	if (ndigits == 2)
		return y < 50 ? 2000 + y : 1900 + y;
	if (ndigits == 3)
		return 1900 + y;
	return y;
}

/* Reads a 2-4 digit year at *P into *Y. */
static int
date_readyear(const char **p, int *y)
{
	size_t	n = date_ndigits(*p);

	if (n < 2 || n > 4 || date_fixed(p, n, y) == -1)
		return -1;
	*y = date_year(*y, n);
	return 0;
}

/* Reads a month name, with an optional abbreviating dot, at *P. */
static int
date_readmonth(const char **p, int *m)
{
	char	word[DATE_WORDLEN];

	if (date_word(p, word, sizeof word) == 0 ||
	    (*m = date_month(word)) == -1)
		return -1;
	if (**p == '.')
		(*p)++;
	return 0;
}

/* Skips "st", "nd", "rd" or "th" after a day number ("January 1st"). */
static void
date_skipordinal(const char **p)
{
	const char	*s = *p;
	char		 a, b;

	if (date_isalpha(s[0]) && date_isalpha(s[1]) && !date_isword(s[2])) {
		a = (char)date_lower(s[0]);
		b = (char)date_lower(s[1]);
		if ((a == 's' && b == 't') || (a == 'n' && b == 'd') ||
		    (a == 'r' && b == 'd') || (a == 't' && b == 'h'))
			*p += 2;
	}
}

/* Reads an optional time and then an optional zone at *P into C. */
static int
date_timezone(const char **p, struct date_civil *c)
{
	const char	*s = *p, *q;
	int		 ignored;

	date_skipws(&s);
	if (date_isdigit(*s)) {
		if (date_time(&s, c) == -1)
			return -1;
		date_skipws(&s);
	}
	if (*s == '+' || *s == '-') {
		if (date_numzone(&s, &c->off) == -1)
			return -1;
		/* "+0100 CET": the name only repeats the offset. */
		q = s;
		date_skipws(&q);
		if (date_isalpha(*q) && date_zone(&q, &ignored) == 0)
			s = q;
	} else if (date_isalpha(*s) && date_zone(&s, &c->off) == -1)
		return -1;
	*p = s;
	return 0;
}

/*
 * Parses what follows the weekday in the RFC 822 shapes: day first (with
 * RFC 850 hyphens), month first (with asctime), or "yyyy/mm/dd".
 */
static int64_t
date_rfc822_body(const char *p)
{
	struct date_civil	 c;
	size_t			 n;

	memset(&c, 0, sizeof c);
	date_skipws(&p);
	if (date_isdigit(*p)) {
		n = date_ndigits(p);
		if (n == 4 && p[4] == '/') {
			/* Perforce and friends: "Fri, 2006/09/15 08:19:53". */
			(void)date_fixed(&p, 4, &c.year);
			p++;
			if (date_number(&p, 1, 2, &c.mon) == -1 ||
			    *p++ != '/' || date_number(&p, 1, 2, &c.day) == -1)
				return DATE_UNKNOWN;
		} else {
			if (date_number(&p, 1, 2, &c.day) == -1)
				return DATE_UNKNOWN;
			if (*p == '.')
				p++;
			if (*p == '-')
				p++;
			else
				date_skipws(&p);
			if (date_readmonth(&p, &c.mon) == -1)
				return DATE_UNKNOWN;
			if (*p == ',')
				p++;
			if (*p == '-')
				p++;
			else
				date_skipws(&p);
			if (date_readyear(&p, &c.year) == -1)
				return DATE_UNKNOWN;
			if (*p == ',')
				p++;
		}
		if (date_timezone(&p, &c) == -1)
			return DATE_UNKNOWN;
	} else {
		if (date_readmonth(&p, &c.mon) == -1)
			return DATE_UNKNOWN;
		date_skipws(&p);
		if (date_number(&p, 1, 2, &c.day) == -1)
			return DATE_UNKNOWN;
		date_skipordinal(&p);
		if (*p == ',')
			p++;
		date_skipws(&p);
		n = date_ndigits(p);
		if (n <= 2 && p[n] == ':') {
			/* asctime: the year comes last, maybe after a zone. */
			if (date_time(&p, &c) == -1)
				return DATE_UNKNOWN;
			date_skipws(&p);
			if (!date_isdigit(*p) && date_zone(&p, &c.off) == -1)
				return DATE_UNKNOWN;
			date_skipws(&p);
			if (date_readyear(&p, &c.year) == -1)
				return DATE_UNKNOWN;
		} else {
			if (date_readyear(&p, &c.year) == -1)
				return DATE_UNKNOWN;
			if (*p == ',')
				p++;
			if (date_timezone(&p, &c) == -1)
				return DATE_UNKNOWN;
		}
	}

	/* RFC 2822 allows a trailing comment, often the zone's name. */
	date_skipws(&p);
	if (*p == '(') {
		while (*p != '\0' && *p != ')')
			p++;
		if (*p++ != ')')
			return DATE_UNKNOWN;
		date_skipws(&p);
	}
	if (*p != '\0')
		return DATE_UNKNOWN;
	return date_civil_to_time(&c);
}

/*
 * Parses the RFC 822 shapes from S.  A leading word followed by a comma is a
 * weekday whatever its language; without a comma it must be a known weekday.
 * "mar" is Tuesday in three languages and March in all of them, so a word
 * that is both is tried each way.
 */
static int64_t
date_rfc822_scan(const char *s)
{
	const char	*p = s, *q;
	char		 word[DATE_WORDLEN];
	int64_t		 t;

	date_skipws(&p);
	q = p;
	if (date_word(&q, word, sizeof word) == 0)
		return date_rfc822_body(p);
	if (*q == '.')
		q++;
	if (*q == ',')
		return date_rfc822_body(q + 1);
	if (!date_isweekday(word))
		return date_rfc822_body(p);
	if ((t = date_rfc822_body(q)) != DATE_UNKNOWN ||
	    date_month(word) == -1)
		return t;
	return date_rfc822_body(p);
}

/* Turns day-of-year D of year Y into a month and day; -1 if out of range. */
static int
date_ordinal(int y, int d, int *mon, int *day)
{
	if (d < 1 || d > (date_isleap(y) ? 366 : 365))
		return -1;
	for (*mon = 1; d > date_mdays(y, *mon); (*mon)++)
		d -= date_mdays(y, *mon);
	*day = d;
	return 0;
}

/*
 * Reads the date part of an ISO 8601 string at *P into C; *TIMEOK says a
 * time may follow (not after a reduced "2003" or "2003-12").
 */
static int
date_isodate(const char **p, struct date_civil *c, int *timeok)
{
	const char	*s = *p;
	size_t		 n = date_ndigits(s);
	int		 doy = 0;

	c->mon = c->day = 1;
	*timeok = 1;
	if (n == 8) {
		(void)date_fixed(&s, 4, &c->year);
		(void)date_fixed(&s, 2, &c->mon);
		(void)date_fixed(&s, 2, &c->day);
	} else if (n == 7) {
		(void)date_fixed(&s, 4, &c->year);
		(void)date_fixed(&s, 3, &doy);
		if (date_ordinal(c->year, doy, &c->mon, &c->day) == -1)
			return -1;
	} else if (n == 4) {
		(void)date_fixed(&s, 4, &c->year);
		if (*s != '-') {
			*timeok = 0;
			*p = s;
			return 0;
		}
		s++;
		n = date_ndigits(s);
		if (n == 3 && s[3] != '-') {
			(void)date_fixed(&s, 3, &doy);
			if (date_ordinal(c->year, doy, &c->mon, &c->day) == -1)
				return -1;
		} else {
			/* Some generators write a three-digit month, "012". */
			if (n == 3 && s[0] == '0')
				s++;
			if (date_number(&s, 1, 2, &c->mon) == -1)
				return -1;
			if (*s == '-') {
				s++;
				if (date_number(&s, 1, 2, &c->day) == -1)
					return -1;
			} else
				*timeok = 0;
		}
	} else
		return -1;
	*p = s;
	return 0;
}

/* Reads an ISO 8601 time, extended or basic, with its fraction, at *P. */
static int
date_isotime(const char **p, struct date_civil *c)
{
	const char	*s = *p;
	size_t		 n = date_ndigits(s);

	c->min = c->sec = 0;
	if ((n == 1 || n == 2) && s[n] == ':') {
		(void)date_fixed(&s, n, &c->hour);
		s++;
		if (date_number(&s, 2, 2, &c->min) == -1)
			return -1;
		if (*s == ':') {
			s++;
			if (date_number(&s, 2, 2, &c->sec) == -1)
				return -1;
		}
	} else if (n == 2 || n == 4 || n == 6) {
		(void)date_fixed(&s, 2, &c->hour);
		if (n >= 4)
			(void)date_fixed(&s, 2, &c->min);
		if (n == 6)
			(void)date_fixed(&s, 2, &c->sec);
	} else
		return -1;
	if ((*s == '.' || *s == ',') && date_isdigit(s[1])) {
		s++;
		s += date_ndigits(s);
	}
	*p = s;
	return 0;
}

/* Parses the ISO 8601 family from S. */
static int64_t
date_iso8601_scan(const char *s)
{
	struct date_civil	 c;
	const char		*p = s, *q;
	int			 timeok;

	memset(&c, 0, sizeof c);
	date_skipws(&p);
	if (date_isodate(&p, &c, &timeok) == -1)
		return DATE_UNKNOWN;
	if (timeok && (*p == 'T' || *p == 't')) {
		p++;
		if (date_isotime(&p, &c) == -1)
			return DATE_UNKNOWN;
	} else if (timeok && date_isspace(*p)) {
		/* "2004-07-08 23:56:58", the SQL way. */
		q = p;
		date_skipws(&q);
		if (date_isdigit(*q)) {
			p = q;
			if (date_isotime(&p, &c) == -1)
				return DATE_UNKNOWN;
		}
	} else
		goto end;

	/* No zone means UTC; the zone may be set off by a space. */
	q = p;
	date_skipws(&q);
	if (*q == 'Z' || *q == 'z') {
		q++;
		p = q;
	} else if (*q == '+' || *q == '-' || date_isalpha(*q)) {
		if (date_zone(&q, &c.off) == -1)
			return DATE_UNKNOWN;
		p = q;
	}
end:
	date_skipws(&p);
	if (*p != '\0')
		return DATE_UNKNOWN;
	return date_civil_to_time(&c);
}

/*
 * Copies S, trimmed of surrounding white space, into BUF of LEN bytes;
 * returns -1 when S is NULL, empty or too long to be a date.
 */
static int
date_trim(const char *s, char *buf, size_t len)
{
	size_t	n;

	if (s == NULL)
		return -1;
	while (date_isspace(*s))
		s++;
	n = strnlen(s, len);
	if (n == len)
		return -1;
	while (n > 0 && date_isspace(s[n - 1]))
		n--;
	if (n == 0)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

/* Parses S as any of the RFC 822 shapes, or returns DATE_UNKNOWN. */
int64_t
date_parse_rfc822(const char *s)
{
	char	buf[DATE_MAXLEN + 1];

	if (date_trim(s, buf, sizeof buf) == -1)
		return DATE_UNKNOWN;
	return date_rfc822_scan(buf);
}

/* Parses S as any of the ISO 8601 shapes, or returns DATE_UNKNOWN. */
int64_t
date_parse_iso8601(const char *s)
{
	char	buf[DATE_MAXLEN + 1];

	if (date_trim(s, buf, sizeof buf) == -1)
		return DATE_UNKNOWN;
	return date_iso8601_scan(buf);
}

/* Parses S in any supported form, RFC 822 first as RSS and HTTP use it. */
int64_t
date_parse(const char *s)
{
	char	buf[DATE_MAXLEN + 1];
	int64_t	t;

	if (date_trim(s, buf, sizeof buf) == -1)
		return DATE_UNKNOWN;
	if ((t = date_rfc822_scan(buf)) != DATE_UNKNOWN)
		return t;
	return date_iso8601_scan(buf);
}

/* Breaks T into a civil date and time of day; -1 when out of range. */
static int
date_split(int64_t t, struct date_civil *c, int *wday)
{
	int64_t	days, rem;

	if (t < DATE_MIN || t > DATE_MAX)
		return -1;
	days = t / SECS_PER_DAY;
	rem = t % SECS_PER_DAY;
	if (rem < 0) {
		rem += SECS_PER_DAY;
		days--;
	}
	date_civil_from_days(days, &c->year, &c->mon, &c->day);
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
	/* 1970-01-01 was a Thursday. */
	*wday = (int)(((days % 7) + 11) % 7);
	return 0;
}

/* Writes T as "2003-12-13T18:30:02Z" into BUF. */
int
date_format_rfc3339(int64_t t, char *buf, size_t len)
{
	struct date_civil	c;
	int			wday, n;

	if (buf == NULL || len < DATE_RFC3339_LEN ||
	    date_split(t, &c, &wday) == -1)
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year,
	    c.mon, c.day, c.hour, c.min, c.sec);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* Writes T as "Sat, 13 Dec 2003 18:30:02 GMT" into BUF. */
int
date_format_rfc822(int64_t t, char *buf, size_t len)
{
	struct date_civil	c;
	int			wday, n;

	if (buf == NULL || len < DATE_RFC822_LEN ||
	    date_split(t, &c, &wday) == -1)
		return -1;
	n = snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    date_wdnames[wday], c.day, date_monnames[c.mon - 1], c.year,
	    c.hour, c.min, c.sec);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* Parses a config duration ("90", "90s", "30m", "2h", "1d", "1w"). */
int64_t
date_parse_duration(const char *s)
{
	int64_t	v = 0, unit;

	if (s == NULL || !date_isdigit(*s))
		return -1;
	while (date_isdigit(*s)) {
		v = v * 10 + (*s++ - '0');
		/* Stop early so long digit strings cannot overflow. */
		if (v > DURATION_MAX)
			return -1;
	}
	switch (*s) {
	case '\0':
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = SECS_PER_DAY;
		break;
	case 'w':
		unit = 7 * SECS_PER_DAY;
		break;
	default:
		return -1;
	}
	if (*s != '\0' && s[1] != '\0')
		return -1;
	if (v > DURATION_MAX / unit)
		return -1;
	return v * unit;
}

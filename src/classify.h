/*
 * classify: which categories an entry belongs to.  A `struct classify` is
 * compiled once from a conf: every category's rules (its sources and the
 * sources naming it, publisher terms normalised, PCRE2 patterns compiled
 * case-insensitively with JIT, includes in dependency order) plus one
 * Aho-Corasick automaton over the literal words every pattern needs, so an
 * entry is scanned once and only the patterns that can match are run.  It
 * then answers for one entry at a time, and for explain says which rule
 * let the entry in or kept it out.  Pure: no clock, no I/O; the caller
 * passes "now".  A classify keeps scratch space for the entry being
 * looked at, so one classify serves one caller at a time.
 */
#ifndef FEEDMUX_CLASSIFY_H
#define FEEDMUX_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct classify;

#define CLASSIFY_TERM_SEP	'\x1f'	/* between publisher terms */
#define CLASSIFY_NODATE		INT64_MIN
/* text bytes of a field searched */
#define CLASSIFY_FIELD_MAX	(32 * 1024)

/* What classify looks at in one entry; any string may be NULL. */
struct classify_entry {
	const char	*title;
	const char	*title_type;	/* tags are skipped when it says html */
	const char	*summary;
	const char	*summary_type;
	const char	*content;
	const char	*content_type;
	/* terms and labels, CLASSIFY_TERM_SEP */
	const char	*terms;
	const char	*language;	/* "en-GB", or NULL when undeclared */
	const char	*source;	/* source name */
	int64_t		 date;		/* what max_age measures, or NODATE */
};

/* The rule that decided one category for one entry. */
enum classify_how {
	CLASSIFY_NONE,		/* out: no rule lets it in */
	CLASSIFY_SOURCE,	/* in: the source's categories name it */
	CLASSIFY_SOURCES,	/* in: sources = */
	CLASSIFY_TERMS,		/* in: terms = */
	CLASSIFY_INCLUDE,	/* in: include = (a category or all) */
	CLASSIFY_MATCH_TITLE,	/* in: match_title = */
	CLASSIFY_MATCH,		/* in: match = */
	CLASSIFY_LANGUAGE,	/* out: language = */
	CLASSIFY_MAX_AGE,	/* out: max_age = */
	CLASSIFY_EXCLUDE_TERMS,	/* out: exclude_terms = */
	CLASSIFY_EXCLUDE	/* out: exclude = */
};

/* Why an entry is in or out of one category. */
struct classify_why {
	int			 in;
	enum classify_how	 how;
	const char		*rule;		/* rule as written, or NULL */
	const char		*file;		/* where, or NULL */
	int			 line;
	char			 detail[128];	/* the term, text or include */
};

/* Compiling; NULL with *ERR set (caller frees) when out of memory. */
struct classify	*classify_new(const struct conf *, char **err);
void		 classify_free(struct classify *);

/* The categories, in the conf's order. */
size_t		 classify_count(const struct classify *);
const char	*classify_name(const struct classify *, size_t);
int		 classify_find(const struct classify *, const char *name);
/* Changes whenever the rules deciding category I (includes too) change. */
uint64_t	 classify_fingerprint(const struct classify *, size_t);
int		 classify_updates_bump(const struct classify *, size_t);
int64_t		 classify_max_age(const struct classify *, size_t);

/*
 * Sets IN[i] to 1 when the entry belongs to category i, else 0, for each
 * of the classify_count categories; fills WHY[i] too unless WHY is NULL.
 * Returns the number of categories the entry is in.
 */
size_t		 classify_run(struct classify *, const struct classify_entry *,
		     int64_t now, unsigned char *in, struct classify_why *why);

/*
 * As classify_run without WHY, for the categories flagged in WANT only
 * (and those they include): the others come out 0 and cost nothing but
 * the scan of the text.  For re-sorting the categories whose rules changed.
 */
size_t		 classify_run_some(struct classify *,
		     const struct classify_entry *, int64_t now,
		     unsigned char *in, const unsigned char *want);

/* Turns the literal prefilter off or on (tests and benchmarks compare). */
void		 classify_set_prefilter(struct classify *, int on);

/* Patterns the prefilter cannot help and always runs; for benchmarks. */
size_t		 classify_unfiltered(const struct classify *);

/*
 * Checks a pattern as classify compiles it.  -1 with the error offset and
 * PCRE2's message in MSG when it does not compile.
 */
int		 classify_regex_check(const char *pattern, size_t *offset,
		     char *msg, size_t len);

/* 1 for the bytes a term keeps when normalised (letters, digits, UTF-8). */
int		 classify_term_char(char);

/*
 * Writes the normal form of the LEN bytes of TERM (letters and digits
 * only, ASCII lowered) into OUT of OUTLEN bytes, NUL-terminated and cut
 * short if need be; returns its length.
 */
size_t		 classify_term_norm(const char *term, size_t len, char *out,
		     size_t outlen);

#endif

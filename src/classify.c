/*
 * classify: category rules compiled from the conf and evaluated one entry
 * at a time; see classify.h.
 *
 * Speed comes from not running most patterns.  For every pattern we work
 * out, conservatively, what each of its top-level alternatives needs:
 * every literal run it holds and, for each group it cannot skip, one word
 * of each of the group's alternatives ("\bkube\b.*(docker|podman)" needs
 * "kube", and "docker" or "podman").  One case-insensitive Aho-Corasick
 * pass over the entry's text finds which of those words occur, and a
 * pattern runs only if, for some alternative, all it needs did.  A pattern
 * of literal words only, maybe between \b, is answered by that pass (its
 * first occurrence and the bytes around it) without PCRE2; a pattern whose
 * needs cannot be worked out safely (inline options, \Q, back
 * references...) always runs; a pattern written twice runs once.  The
 * prefilter never changes an answer: it only skips patterns that cannot
 * match, and hands PCRE2 every case it cannot be sure of.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "classify.h"
#include "fnv.h"

#define CL_OPTIONS	(PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | \
			    PCRE2_MATCH_INVALID_UTF)
#define CL_MATCH_LIMIT	2000000		/* backtracking steps per search */
#define CL_ATOM_MIN	2		/* shorter words filter nothing */
#define CL_ATOM_MAX	64
#define CL_TERM_MAX	256		/* normalised term bytes compared */
#define CL_JIT_STACK	(1024 * 1024)

/* A pattern of one category. */
struct cl_regex {
	pcre2_code	*re;
	char		*text;
	char		*file;
	int		 line;
	int		 title;		/* match_title: the title only */
	size_t		 same;		/* first pattern of the same text */
	size_t		 need0;		/* what it needs: need[need0..] */
	size_t		 nneed;		/* 0: no prefilter, always run */
	size_t		 lit0;		/* literal words: lit[lit0..+nlit] */
	size_t		 nlit;		/* 0: not only literal words */
};

/* One alternative of a pattern of literal words: an atom, maybe in \b. */
struct cl_lit {
	size_t		 atom;
	unsigned char	 flags;		/* CL_LIT_* */
};

/* One publisher term of a category's terms or exclude_terms. */
struct cl_term {
	char		*norm;
	size_t		 cat;
	int		 exclude;
};

/* A category's name and index, for classify_find's binary search. */
struct cl_name {
	const char	*name;
	size_t		 cat;
};

/* A configured source and the categories that take all its entries. */
struct cl_source {
	char		*name;
	unsigned char	*via;		/* per category: CL_VIA_* bits */
	char		*file;
	int		 line;
};
#define CL_VIA_SOURCE	0x1		/* the source's categories = */
#define CL_VIA_SOURCES	0x2		/* the category's sources = */

struct cl_cat {
	char		*name;
	int		 bump;
	int64_t		 max_age;
	int		 inc_all;
	size_t		*inc;		/* included categories */
	size_t		 ninc;
	char		**langs;
	size_t		 nlangs;
	size_t		*match;		/* indexes into regex */
	size_t		 nmatch;
	size_t		*title;
	size_t		 ntitle;
	size_t		*excl;
	size_t		 nexcl;
	uint64_t	 fp;
	/* For explain: each list rule as written, and where. */
	char		*r_sources, *r_terms, *r_xterms, *r_inc, *r_lang;
	char		*r_age;
	char		*f_sources, *f_terms, *f_xterms, *f_inc, *f_lang;
	char		*f_age;
	int		 l_sources, l_terms, l_xterms, l_inc, l_lang, l_age;
};

struct classify {
	struct cl_cat		*cat;
	size_t			 ncat;
	struct cl_name		*byname;	/* the categories by name */
	size_t			*order;		/* includes before includers */
	struct cl_source	*src;		/* sorted by name */
	size_t			 nsrc;
	struct cl_term		*term;		/* sorted by norm */
	size_t			 nterm;
	struct cl_regex		*regex;
	size_t			 nregex;

	/* The words of the prefilter and its automaton. */
	char			**atom;		/* unique, lower case */
	size_t			*atomlen;
	size_t			 natom;
	size_t			 maxatom;	/* the longest atom's length */
	size_t			*need;		/* regex needs, as atom ids */
	size_t			 nneeds;
	struct cl_lit		*lit;
	size_t			 nlits;
	unsigned char		 cls[256];	/* byte to input class */
	size_t			 nclass;
	int32_t			*delta;		/* [state * nclass + class] */
	/* the same as offsets, see cl_scan */
	uint32_t		*step;
	/* state's own words: outs[..] */
	size_t			*out0;
	size_t			*nout;
	size_t			*outs;
	/* next state with words, or -1 */
	int32_t			*outlink;
	int			 prefilter;

	/* Scratch for the entry being looked at. */
	/* title \n summary \n content */
	char			*text;
	size_t			 textlen;
	size_t			 titlelen;
	uint32_t		 gen;
	uint32_t		*agen;		/* atom seen this generation */
	size_t			*apos;		/* where it first ended */
	signed char		*rres;		/* per regex: -1 unknown, 0/1 */
	size_t			 rmatch[2];	/* last match, for explain */
	int32_t			*tin;		/* per category: term hit */
	/* per category: excluded term */
	int32_t			*txout;
	unsigned char		*eval;		/* per category: to evaluate */
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jit;
};

int
classify_term_char(char c)
{
	unsigned char	u = (unsigned char)c;

	return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
	    (u >= '0' && u <= '9') || u >= 0x80;
}

size_t
classify_term_norm(const char *term, size_t len, char *out, size_t outlen)
{
	size_t	n = 0;

	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < len && n + 1 < outlen; i++) {
		unsigned char u = (unsigned char)term[i];

		if (!classify_term_char((char)u))
			continue;
		out[n++] = (char)(u >= 'A' && u <= 'Z' ? u + 32 : u);
	}
	out[n] = '\0';
	return n;
}

int
classify_regex_check(const char *pattern, size_t *offset, char *msg,
    size_t len)
{
	pcre2_code	*re;
	PCRE2_SIZE	 off;
	int		 code;

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    CL_OPTIONS, &code, &off, NULL);
	if (re != NULL) {
		pcre2_code_free(re);
		return 0;
	}
	*offset = off;
	if (pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, len) < 0)
		snprintf(msg, len, "error %d", code);
	return -1;
}

/*
 * What a pattern needs, for the prefilter: words (lower case) and the
 * shape of the need over them.  SHAPE is the number of top-level
 * alternatives, then for each alternative its number of clauses, then for
 * each clause its number of words and their indexes into V.  A pattern can
 * match only if, for some alternative, every clause has a word that occurs.
 */
struct cl_words {
	char	**v;
	size_t	  n;
	size_t	 *shape;
	size_t	  nshape;
	size_t	  cap;
};

/* Skips a character class starting at P[0] == '['; NULL when malformed. */
static const char *
cl_skip_class(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (;;) {
		if (*p == '\0')
			return NULL;
		if (*p == '\\') {
			if (p[1] == '\0')
				return NULL;
			p += 2;
			continue;
		}
		if (*p == '[' && p[1] == ':') {
			const char *e = strstr(p + 2, ":]");

			if (e == NULL)
				return NULL;
			p = e + 2;
			continue;
		}
		if (*p == ']')
			return p + 1;
		p++;
	}
}

/* Skips a group starting at P[0] == '(' to just past its ')'; NULL if odd. */
static const char *
cl_skip_group(const char *p)
{
	int	depth = 0;

	while (*p != '\0') {
		if (*p == '\\') {
			/* \Q..\E could hide parentheses: give up. */
			if (p[1] == '\0' || p[1] == 'Q')
				return NULL;
			p += 2;
		} else if (*p == '[') {
			if ((p = cl_skip_class(p)) == NULL)
				return NULL;
		} else if (*p == '(') {
			/* Comments may hold anything. */
			if (p[1] == '?' && p[2] == '#')
				return NULL;
			depth++;
			p++;
		} else if (*p == ')') {
			p++;
			if (--depth == 0)
				return p;
		} else
			p++;
	}
	return NULL;
}

/*
 * Parses a {n}, {n,} or {n,m} quantifier at P; returns its end and sets
 * *MIN, or NULL when the brace is a literal.
 */
static const char *
cl_brace(const char *p, long *min)
{
	const char	*q = p + 1;
	long		 n = 0;

	if (*q < '0' || *q > '9')
		return NULL;
	while (*q >= '0' && *q <= '9') {
		if (n < 100000)
			n = n * 10 + (*q - '0');
		q++;
	}
	if (*q == ',')
		for (q++; *q >= '0' && *q <= '9'; q++)
			;
	if (*q != '}')
		return NULL;
	*min = n;
	return q + 1;
}

/* Appends V to W's shape; -1 when out of memory. */
static int
cl_shape_add(struct cl_words *w, size_t v)
{
	size_t	*s;

	if (w->nshape == w->cap) {
		if ((s = realloc(w->shape, (w->cap * 2 + 16) *
		    sizeof *s)) == NULL)
			return -1;
		w->shape = s;
		w->cap = w->cap * 2 + 16;
	}
	w->shape[w->nshape++] = v;
	return 0;
}

/*
 * Appends a clause of the N words WORDS
 * (lengths LENS) to W; -1 when out of memory.
 */
static int
cl_clause_add(struct cl_words *w, char *const *words, const size_t *lens,
    size_t n)
{
	char	**v;

	if (cl_shape_add(w, n) == -1)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if ((v = realloc(w->v, (w->n + 1) * sizeof *v)) == NULL)
			return -1;
		w->v = v;
		if ((v[w->n] = strndup(words[k], lens[k])) == NULL)
			return -1;
		if (cl_shape_add(w, w->n++) == -1)
			return -1;
	}
	return 0;
}

/* Frees what W holds and empties it. */
static void
cl_words_clear(struct cl_words *w)
{
	for (size_t k = 0; k < w->n; k++)
		free(w->v[k]);
	free(w->v);
	free(w->shape);
	memset(w, 0, sizeof *w);
}

/*
 * Whether a literal run of LEN bytes filters anything: two bytes or more,
 * or one punctuation byte (letters are everywhere, "-" or "@" are not).
 */
static int
cl_run_useful(const char *run, size_t len)
{
	unsigned char	c = (unsigned char)run[0];

	if (len >= CL_ATOM_MIN)
		return 1;
	return len == 1 && c > ' ' && c < 0x7f && !((c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_');
}

/* The next top-level '|' of [P, END), or END; NULL when malformed. */
static const char *
cl_next_bar(const char *p, const char *end)
{
	while (p < end && *p != '|') {
		if (*p == '\\') {
			if (p + 1 >= end || p[1] == 'Q')
				return NULL;
			p += 2;
		} else if (*p == '[') {
			if ((p = cl_skip_class(p)) == NULL)
				return NULL;
		} else if (*p == '(') {
			if ((p = cl_skip_group(p)) == NULL)
				return NULL;
		} else
			p++;
	}
	return p > end ? NULL : p;
}

static int	cl_seq(const char *, const char *, struct cl_words *, size_t *);

/*
 * The clause a required group (content [P, END)) gives: for each of its
 * alternatives the clause of that alternative with the longest shortest
 * word, all joined; appended to W with *NCL counted.  A group we cannot
 * read, or with an alternative that needs nothing, gives no clause.
 */
static int
cl_group(const char *p, const char *end, struct cl_words *w, size_t *ncl)
{
	struct cl_words	 g, all;
	const char	*bar;
	size_t		 n, lens[64];
	char		*words[64];
	int		 x, ret = 0;

	memset(&all, 0, sizeof all);
	for (;;) {
		if ((bar = cl_next_bar(p, end)) == NULL)
			goto none;
		memset(&g, 0, sizeof g);
		n = 0;
		if ((x = cl_seq(p, bar, &g, &n)) != 0 || n == 0) {
			cl_words_clear(&g);
			if (x == -2)
				ret = -2;
			goto none;
		}
		/* Pick the clause whose shortest word is longest. */
		{
			size_t i = 0, best = 0, bestmin = 0;

			for (size_t c = 0; c < n; c++) {
				size_t nw = g.shape[i], mn = SIZE_MAX;

				for (size_t k = 0; k < nw; k++) {
					size_t l = strlen(g.v[g.shape[i + 1 +
					    k]]);

					if (l < mn)
						mn = l;
				}
				if (mn > bestmin) {
					bestmin = mn;
					best = i;
				}
				i += 1 + nw;
			}
			for (size_t k = 0; k < g.shape[best]; k++) {
				if (all.n == sizeof words / sizeof words[0]) {
					cl_words_clear(&g);
					goto none;
				}
				if ((words[all.n] = strdup(g.v[g.shape[best +
				    1 + k]])) == NULL) {
					cl_words_clear(&g);
					ret = -2;
					goto none;
				}
				lens[all.n] = strlen(words[all.n]);
				all.n++;
			}
		}
		cl_words_clear(&g);
		if (bar == end)
			break;
		p = bar + 1;
	}
	if (cl_clause_add(w, words, lens, all.n) == -1)
		ret = -2;
	else
		(*ncl)++;
none:
	for (size_t k = 0; k < all.n; k++)
		free(words[k]);
	return ret;
}

/*
 * Appends to W the clauses one alternative [P, END) needs (every literal
 * run that filters, every required group), counting them in *NCL.
 * Returns 0, -1 when the alternative holds something we cannot be sure
 * of (the pattern then always runs), or -2 when out of memory.
 */
static int
cl_seq(const char *p, const char *end, struct cl_words *w, size_t *ncl)
{
	char		 run[CL_ATOM_MAX + 1];
	char		*rp = run;
	size_t		 rlen = 0;
	const char	*q, *in, *g;
	long		 min;
	int		 lit = 0, req, x;
	char		 c;

#define RUN_END() do {							\
	if (rlen > 0 && cl_run_useful(run, rlen)) {			\
		if (cl_clause_add(w, &rp, &rlen, 1) == -1)		\
			return -2;					\
		(*ncl)++;						\
	}								\
	rlen = 0;							\
	lit = 0;							\
} while (0)

	while (p < end) {
		c = *p;
		switch (c) {
		case '|':
		case ')':
			return -1;
		case '\\':
			c = p[1];
			if (c == '\0' || (unsigned char)c >= 0x80)
				return -1;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9')) {
				/* Classes and assertions end the run. */
				if (strchr("bBsSdDwWhHvVRAzZG", c) == NULL)
					return -1;
				RUN_END();
				p += 2;
				continue;
			}
			/* An escaped punctuation character is itself. */
			p += 2;
			break;
		case '[':
			if ((p = cl_skip_class(p)) == NULL)
				return -1;
			RUN_END();
			continue;
		case '(':
			if (p[1] == '*')
				return -1;
			in = NULL;
			if (p[1] != '?')
				in = p + 1;
			else if (p[2] != '\0' && strchr(":>|", p[2]) != NULL)
				in = p + 3;
			else if (!(p[2] == '=' || p[2] == '!' || (p[2] == '<' &&
			    (p[3] == '=' || p[3] == '!'))))
				return -1;
			if ((g = cl_skip_group(p)) == NULL || g > end)
				return -1;
			RUN_END();
			/* Required unless a quantifier lets it be absent. */
			req = 1;
			q = g;
			if (*g == '?' || *g == '*') {
				req = 0;
				q = g + 1;
			} else if (*g == '+')
				q = g + 1;
			else if (*g == '{' && (q = cl_brace(g, &min)) != NULL)
				req = min > 0;
			else
				q = g;
			if (q > g && (*q == '?' || *q == '+'))
				q++;
			if (req && in != NULL &&
			    (x = cl_group(in, g - 1, w, ncl)) != 0)
				return x;
			p = q;
			continue;
		case '.':
		case '^':
		case '$':
			RUN_END();
			p++;
			continue;
		case '*':
		case '?':
		case '+':
		case '{':
			if (c == '{') {
				if ((q = cl_brace(p, &min)) == NULL) {
					/* A literal brace: just a break. */
					RUN_END();
					p++;
					continue;
				}
			} else {
				q = p + 1;
				min = c == '+' ? 1 : 0;
			}
			/* The byte repeated is optional, or not adjacent. */
			if (lit && min == 0 && rlen > 0)
				rlen--;
			RUN_END();
			p = q;
			if (p < end && (*p == '?' || *p == '+'))
				p++;
			continue;
		default:
			if ((unsigned char)c >= 0x80) {
				/* Unicode case folding is PCRE2's business. */
				RUN_END();
				p++;
				while (p < end && ((unsigned char)*p & 0xc0) ==
				    0x80)
					p++;
				continue;
			}
			p++;
			break;
		}
		/* A literal byte C. */
		if (rlen == CL_ATOM_MAX)
			RUN_END();
		run[rlen++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
		lit = 1;
	}
	RUN_END();
	return 0;
#undef RUN_END
}

/*
 * Works out what PATTERN needs into WORDS (see struct cl_words).  Returns
 * 0, or -1 when some alternative needs nothing we can be sure of (the
 * pattern then always runs), or -2 when out of memory.
 */
static int
cl_extract(const char *pattern, struct cl_words *words)
{
	const char	*p = pattern, *end = pattern + strlen(pattern), *bar;
	size_t		 nalt = 0, at, ncl;
	int		 x;

	if (cl_shape_add(words, 0) == -1)
		return -2;
	for (;;) {
		if ((bar = cl_next_bar(p, end)) == NULL)
			return -1;
		at = words->nshape;
		if (cl_shape_add(words, 0) == -1)
			return -2;
		ncl = 0;
		if ((x = cl_seq(p, bar, words, &ncl)) != 0)
			return x;
		if (ncl == 0)
			return -1;
		words->shape[at] = ncl;
		nalt++;
		if (bar == end)
			break;
		p = bar + 1;
	}
	words->shape[0] = nalt;
	return 0;
}

/*
 * Whether PATTERN is only literal words, each maybe between \b: then the
 * prefilter's automaton answers it.  Fills WORDS with one clause of one
 * word per alternative and FLAGS[k] with CL_LIT_* of alternative k (at
 * most MAX).  Returns the number of alternatives, 0 when not literal, -1
 * when out of memory.
 */
#define CL_LIT_BSTART	0x1
#define CL_LIT_BEND	0x2
static long
cl_literal(const char *pattern, struct cl_words *words, unsigned char *flags,
    size_t max)
{
	const char	*p = pattern;
	char		 run[CL_ATOM_MAX + 1], *rp = run;
	size_t		 n = 0, rlen;
	unsigned char	 c;

#define WORDC(ch) (((ch) >= 'a' && (ch) <= 'z') || ((ch) >= '0' && \
	(ch) <= '9') || (ch) == '_')
	for (;;) {
		if (n == max)
			return 0;
		flags[n] = 0;
		rlen = 0;
		if (p[0] == '\\' && p[1] == 'b') {
			flags[n] |= CL_LIT_BSTART;
			p += 2;
		}
		for (;;) {
			c = (unsigned char)*p;
			if (c == '\\' && p[1] == 'b' && (p[2] == '|' ||
			    p[2] == '\0')) {
				flags[n] |= CL_LIT_BEND;
				p += 2;
				break;
			}
			if (c == '\0' || c == '|')
				break;
			if (c == '\\') {
				c = (unsigned char)p[1];
				/* Only escaped punctuation is itself. */
				if (c <= ' ' || c >= 0x7f || (c >= 'a' &&
				    c <= 'z') || (c >= 'A' && c <= 'Z') ||
				    (c >= '0' && c <= '9'))
					return 0;
				p++;
			} else if (c < ' ' || c >= 0x7f ||
			    strchr("^$.[]()?*+{}", c) != NULL)
				return 0;
			if (rlen == CL_ATOM_MAX)
				return 0;
			run[rlen++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			p++;
		}
		if (rlen == 0 || !cl_run_useful(run, rlen))
			return 0;
		/* \b next to a non-word byte means something else. */
		if (((flags[n] & CL_LIT_BSTART) &&
		    !WORDC((unsigned char)run[0])) ||
		    ((flags[n] & CL_LIT_BEND) &&
		    !WORDC((unsigned char)run[rlen - 1])))
			return 0;
		if (cl_clause_add(words, &rp, &rlen, 1) == -1)
			return -1;
		n++;
		if (*p == '\0')
			return (long)n;
		if (*p != '|')
			return 0;
		p++;
	}
#undef WORDC
}

/*
 * Adds WORD to the atom table (once); returns its id, or -1 when out of memory.
 */
static long
cl_atom_add(struct classify *cl, const char *word)
{
	char	**v;
	size_t	 *l;

	for (size_t i = 0; i < cl->natom; i++)
		if (strcmp(cl->atom[i], word) == 0)
			return (long)i;
	if ((v = realloc(cl->atom, (cl->natom + 1) * sizeof *v)) == NULL)
		return -1;
	cl->atom = v;
	if ((l = realloc(cl->atomlen, (cl->natom + 1) * sizeof *l)) == NULL)
		return -1;
	cl->atomlen = l;
	if ((v[cl->natom] = strdup(word)) == NULL)
		return -1;
	l[cl->natom] = strlen(word);
	return (long)cl->natom++;
}

/* Builds the Aho-Corasick automaton over every atom.  -1 when out of memory. */
static int
cl_automaton(struct classify *cl)
{
	size_t		 maxstates = 1, nstates = 1, nc, head = 0, tail = 0;
	int32_t		*fail = NULL, *queue = NULL;
	unsigned char	 used[256];

	memset(used, 0, sizeof used);
	for (size_t i = 0; i < cl->natom; i++) {
		maxstates += cl->atomlen[i];
		if (cl->atomlen[i] > cl->maxatom)
			cl->maxatom = cl->atomlen[i];
		for (const char *p = cl->atom[i]; *p != '\0'; p++)
			used[(unsigned char)*p] = 1;
	}
	/* Class 0 is every byte no atom holds; letters map both cases. */
	nc = 1;
	memset(cl->cls, 0, sizeof cl->cls);
	for (int b = 0; b < 256; b++)
		if (used[b])
			cl->cls[b] = (unsigned char)nc++;
	for (int b = 'A'; b <= 'Z'; b++)
		cl->cls[b] = cl->cls[b + 32];
	cl->nclass = nc;

	cl->delta = calloc(maxstates * nc, sizeof *cl->delta);
	cl->out0 = calloc(maxstates, sizeof *cl->out0);
	cl->nout = calloc(maxstates, sizeof *cl->nout);
	cl->outs = calloc(cl->natom + 1, sizeof *cl->outs);
	cl->outlink = calloc(maxstates, sizeof *cl->outlink);
	fail = calloc(maxstates, sizeof *fail);
	queue = calloc(maxstates, sizeof *queue);
	if (cl->delta == NULL || cl->out0 == NULL || cl->nout == NULL ||
	    cl->outs == NULL || cl->outlink == NULL || fail == NULL ||
	    queue == NULL) {
		free(fail);
		free(queue);
		return -1;
	}

	/* The trie; each atom ends in its own state (atoms are unique). */
	{
		int32_t	*end = calloc(cl->natom + 1, sizeof *end);

		if (end == NULL) {
			free(fail);
			free(queue);
			return -1;
		}
		for (size_t i = 0; i < cl->natom; i++) {
			int32_t s = 0;

			for (const char *p = cl->atom[i]; *p != '\0'; p++) {
				int32_t *t = &cl->delta[(size_t)s * nc +
				    cl->cls[(unsigned char)*p]];

				if (*t == 0)
					*t = (int32_t)nstates++;
				s = *t;
			}
			end[i] = s;
		}
		/* Own words of each state, grouped (one per state here). */
		for (size_t i = 0; i < cl->natom; i++)
			cl->nout[end[i]]++;
		{
			size_t pos = 0;

			for (size_t s = 0; s < nstates; s++) {
				cl->out0[s] = pos;
				pos += cl->nout[s];
				cl->nout[s] = 0;
			}
		}
		for (size_t i = 0; i < cl->natom; i++)
			cl->outs[cl->out0[end[i]] + cl->nout[end[i]]++] = i;
		free(end);
	}

	/* Breadth first: failure links, then the full transition table. */
	for (size_t c = 0; c < nc; c++) {
		int32_t t = cl->delta[c];

		if (t != 0) {
			fail[t] = 0;
			queue[tail++] = t;
		}
	}
	cl->outlink[0] = -1;
	while (head < tail) {
		int32_t s = queue[head++];

		cl->outlink[s] = cl->nout[fail[s]] > 0 ? fail[s] :
		    cl->outlink[fail[s]];
		for (size_t c = 0; c < nc; c++) {
			int32_t *t = &cl->delta[(size_t)s * nc + c];
			int32_t	 f = cl->delta[(size_t)fail[s] * nc + c];

			if (*t != 0) {
				fail[*t] = f;
				queue[tail++] = *t;
			} else
				*t = f;
		}
	}
	cl->outlink[0] = -1;
	free(fail);
	free(queue);

	/*
	 * The scan's table: the next state's row offset, shifted left, its
	 * low bit set when that state has words, so the common byte costs one
	 * load and no multiplication.
	 */
	if (maxstates * nc >= UINT32_MAX / 2 ||
	    (cl->step = calloc(maxstates * nc, sizeof *cl->step)) == NULL)
		return -1;
	for (size_t k = 0; k < maxstates * nc; k++) {
		int32_t t = cl->delta[k];

		cl->step[k] = (uint32_t)((size_t)t * nc) << 1 |
		    (cl->nout[t] > 0 || cl->outlink[t] != -1);
	}
	return 0;
}

/*
 * Marks an atom as seen ending at POS, keeping the first place (the two
 * halves of a scan report out of order).
 */
static inline void
cl_seen(struct classify *cl, size_t atom, size_t pos)
{
	if (cl->agen[atom] != cl->gen) {
		cl->agen[atom] = cl->gen;
		cl->apos[atom] = pos;
	} else if (pos < cl->apos[atom])
		cl->apos[atom] = pos;
}

/* The words of the state whose row starts at OFF, seen ending at POS. */
static void
cl_hits(struct classify *cl, uint32_t off, size_t pos)
{
	int32_t	s = (int32_t)(off / cl->nclass);

	for (int32_t o = cl->nout[s] > 0 ? s : cl->outlink[s]; o != -1;
	    o = cl->outlink[o])
		for (size_t k = 0; k < cl->nout[o]; k++)
			cl_seen(cl, cl->outs[cl->out0[o] + k], pos);
}

/*
 * The byte the automaton reads at T[*I] (of N): PCRE2 folds KELVIN SIGN
 * to k and LONG S to s, the only non-ASCII characters caseless ASCII
 * letters match, so those read as one letter and *I moves to their last
 * byte.
 */
static inline unsigned char
cl_fold(const unsigned char *t, size_t n, size_t *i)
{
	unsigned char	b = t[*i];

	if (b == 0xe2 && *i + 2 < n && t[*i + 1] == 0x84 &&
	    t[*i + 2] == 0xaa) {
		*i += 2;
		return 'k';
	}
	if (b == 0xc5 && *i + 1 < n && t[*i + 1] == 0xbf) {
		*i += 1;
		return 's';
	}
	return b;
}

#define CL_SPLIT_MIN	256	/* shorter texts are scanned in one pass */

/*
 * The automaton over the entry's text.  Each byte's step depends on the
 * last (a load from the table), so one pass waits on memory at every
 * byte; a long text is scanned as two halves at once, whose loads
 * overlap.  The second half starts early enough to see every word that
 * ends in it (a word of M bytes spans at most 3M bytes of text, when all
 * are KELVIN SIGNs), and cl_seen keeps the first place either half saw.
 */
/*
 * One step of the automaton from the state whose row is at OFF, on the
 * byte at T[*I] of N (moved past a folded character): the next state's
 * row; the words it completes are recorded as seen at *I.
 */
static inline uint32_t
cl_step(struct classify *cl, const unsigned char *t, size_t n, size_t *i,
    uint32_t off)
{
	unsigned char	b = t[*i];
	uint32_t	x;

	if (b >= 0xc5)
		b = cl_fold(t, n, i);
	x = cl->step[off + cl->cls[b]];
	if (x & 1)
		cl_hits(cl, x >> 1, *i);
	return x >> 1;
}

static void
cl_scan(struct classify *cl)
{
	const unsigned char	*t = (const unsigned char *)cl->text;
	size_t			 n = cl->textlen, i = 0, j, mid = n;
	uint32_t		 oa = 0, ob = 0;

	if (n >= CL_SPLIT_MIN && n / 2 > 3 * cl->maxatom) {
		mid = n / 2;
		j = mid - 3 * cl->maxatom;
		for (; i < mid && j < n; i++, j++) {
			oa = cl_step(cl, t, n, &i, oa);
			ob = cl_step(cl, t, n, &j, ob);
		}
		/* The second half is the longer: finish it alone. */
		for (; j < n; j++)
			ob = cl_step(cl, t, n, &j, ob);
	}
	for (; i < mid; i++)
		oa = cl_step(cl, t, n, &i, oa);
}

/* An HTML tag that flows inside text, so removing it must not add a space. */
static int
cl_inline_tag(const char *name, size_t len)
{
#define CL_TAG(s)	{ s, sizeof s - 1 }
	/* With their lengths: every tag of every entry's HTML is looked up. */
	static const struct {
		const char	*name;
		size_t		 len;
	} tags[] = { CL_TAG("a"), CL_TAG("abbr"), CL_TAG("b"), CL_TAG("bdi"),
	    CL_TAG("bdo"), CL_TAG("cite"), CL_TAG("code"), CL_TAG("data"),
	    CL_TAG("dfn"), CL_TAG("em"), CL_TAG("i"), CL_TAG("kbd"),
	    CL_TAG("mark"), CL_TAG("q"), CL_TAG("s"), CL_TAG("samp"),
	    CL_TAG("small"), CL_TAG("span"), CL_TAG("strong"), CL_TAG("sub"),
	    CL_TAG("sup"), CL_TAG("time"), CL_TAG("u"), CL_TAG("var"),
	    CL_TAG("wbr") };
#undef CL_TAG

	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (tags[i].len == len && strncasecmp(tags[i].name, name,
		    len) == 0)
			return 1;
	return 0;
}

/* The length of the ASCII letters and digits at P: a tag's name. */
static size_t
cl_tag_name(const char *p)
{
	size_t	n = 0;

	for (;; n++) {
		unsigned char u = (unsigned char)p[n] | 32;

		if (!((u >= 'a' && u <= 'z') || (p[n] >= '0' && p[n] <= '9')))
			return n;
	}
}

/* Appends code point CP as UTF-8 to OUT (room checked by the caller). */
static size_t
cl_utf8(unsigned long cp, char *out)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the entity at S (after '&'); its length in *USED, 0 if none. */
static unsigned long
cl_entity(const char *s, size_t *used)
{
	static const struct {
		const char	*name;
		unsigned long	 cp;
	} names[] = { { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' },
	    { "quot;", '"' }, { "apos;", '\'' }, { "nbsp;", ' ' },
	    { "#39;", '\'' } };
	unsigned long	cp = 0;
	const char	*p = s;
	int		hex = 0, digits = 0;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i].name);

		if (strncmp(s, names[i].name, n) == 0) {
			*used = n;
			return names[i].cp;
		}
	}
	*used = 0;
	if (*p++ != '#')
		return 0;
	if (*p == 'x' || *p == 'X') {
		hex = 1;
		p++;
	}
	for (; digits < 8; p++, digits++) {
		if (*p >= '0' && *p <= '9')
			cp = cp * (hex ? 16 : 10) + (unsigned long)(*p - '0');
		else if (hex && ((*p | 32) >= 'a' && (*p | 32) <= 'f'))
			cp = cp * 16 + (unsigned long)((*p | 32) - 'a' + 10);
		else
			break;
	}
	if (digits == 0 || *p != ';')
		return 0;
	*used = (size_t)(p + 1 - s);
	return cp;
}

/*
 * Appends the text of SRC to the entry text, tags removed and entities
 * decoded when HTML, at most CLASSIFY_FIELD_MAX bytes and never cutting a
 * UTF-8 sequence.
 */
static void
cl_text_add(struct classify *cl, const char *src, int html)
{
	char		*out = cl->text + cl->textlen;
	size_t		 n = 0, used;
	const char	*p = src, *name;
	unsigned long	 cp;

	while (*p != '\0' && n + 4 <= CLASSIFY_FIELD_MAX) {
		/*
		 * Plain bytes in runs: only '<' and '&' mean anything in HTML.
		 */
		if (!html || (*p != '<' && *p != '&')) {
			size_t run = html ? strcspn(p, "<&") : strlen(p);

			if (run > CLASSIFY_FIELD_MAX - 3 - n)
				run = CLASSIFY_FIELD_MAX - 3 - n;
			memcpy(out + n, p, run);
			n += run;
			p += run;
			continue;
		}
		if (html && *p == '<' && (p[1] == '/' || p[1] == '!' ||
		    p[1] == '?' || ((p[1] | 32) >= 'a' &&
		    (p[1] | 32) <= 'z'))) {
			if (strncmp(p, "<!--", 4) == 0) {
				const char *e = strstr(p + 4, "-->");

				p = e != NULL ? e + 3 : p + strlen(p);
				continue;
			}
			name = p + 1 + (p[1] == '/');
			used = cl_tag_name(name);
			if (!cl_inline_tag(name, used) && n > 0 &&
			    out[n - 1] != ' ')
				out[n++] = ' ';
			/* Skip to the end of the tag, over quoted values. */
			for (p++; *p != '\0' && *p != '>'; p++) {
				if (*p == '"' || *p == '\'') {
					const char *e = strchr(p + 1, *p);

					if (e == NULL)
						break;
					p = e;
				}
			}
			if (*p == '>')
				p++;
			else
				p += strlen(p);
			continue;
		}
		if (html && *p == '&' && (cp = cl_entity(p + 1, &used)) != 0) {
			n += cl_utf8(cp, out + n);
			p += 1 + used;
			continue;
		}
		out[n++] = *p++;
	}
	/* Cut short: drop a partial UTF-8 sequence at the end. */
	if (*p != '\0') {
		size_t k = n;

		while (k > 0 && ((unsigned char)out[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)out[k - 1] >= 0xc0) {
			unsigned char	lead = (unsigned char)out[k - 1];
			size_t		want = lead >= 0xf0 ? 4 : lead >= 0xe0 ?
					    3 : 2;

			if (n - (k - 1) < want)
				n = k - 1;
		}
	}
	cl->textlen += n;
}

/* Whether a content type names HTML; NULL counts as HTML when DEF is 1. */
static int
cl_is_html(const char *type, int def)
{
	if (type == NULL)
		return def;
	return strstr(type, "html") != NULL;
}

static int
cl_source_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cl_source *)a)->name,
	    ((const struct cl_source *)b)->name);
}

static int
cl_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cl_name *)a)->name,
	    ((const struct cl_name *)b)->name);
}

static int
cl_term_cmp(const void *a, const void *b)
{
	const struct cl_term	*x = a, *y = b;
	int			 r = strcmp(x->norm, y->norm);

	if (r != 0)
		return r;
	return x->cat < y->cat ? -1 : x->cat > y->cat;
}

/* Joins LIST with ", " after "KEY = ".  Caller frees; NULL when empty. */
static char *
cl_join(const char *key, char **list, size_t n, int *oom)
{
	size_t	 len = strlen(key) + 4;
	char	*s;

	if (n == 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		len += strlen(list[i]) + 2;
	if ((s = malloc(len)) == NULL) {
		*oom = 1;
		return NULL;
	}
	snprintf(s, len, "%s = ", key);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, list[i]);
	}
	return s;
}

/* A copy of S, or NULL with *OOM set; NULL stays NULL. */
static char *
cl_strdup(const char *s, int *oom)
{
	char	*c;

	if (s == NULL)
		return NULL;
	if ((c = strdup(s)) == NULL)
		*oom = 1;
	return c;
}

static uint64_t
cl_hash_str(uint64_t h, const char *tag, const char *s)
{
	h = fnv_bytes(h, tag, strlen(tag) + 1);
	return fnv_bytes(h, s, strlen(s) + 1);
}

/* Puts category I after what it includes into ORDER; COLOR guards loops. */
static void
cl_order(struct classify *cl, size_t i, unsigned char *color, size_t *n)
{
	if (color[i] != 0)
		return;
	color[i] = 1;
	for (size_t k = 0; k < cl->cat[i].ninc; k++)
		cl_order(cl, cl->cat[i].inc[k], color, n);
	color[i] = 2;
	cl->order[(*n)++] = i;
}

/*
 * Stores what R needs (W, words made atoms)
 * in cl->need.  -1 when out of memory.
 */
static int
cl_need_add(struct classify *cl, struct cl_regex *r, const struct cl_words *w)
{
	size_t	*v, i, nalt;
	long	 id;

	if ((v = realloc(cl->need, (cl->nneeds + w->nshape) *
	    sizeof *v)) == NULL)
		return -1;
	cl->need = v;
	r->need0 = cl->nneeds;
	/* Walk the shape, turning word indexes into atom ids. */
	v = cl->need + cl->nneeds;
	i = 0;
	nalt = w->shape[i++];
	*v++ = nalt;
	for (size_t a = 0; a < nalt; a++) {
		size_t ncl = w->shape[i++];

		*v++ = ncl;
		for (size_t c = 0; c < ncl; c++) {
			size_t nw = w->shape[i++];

			*v++ = nw;
			for (size_t k = 0; k < nw; k++) {
				if ((id = cl_atom_add(cl,
				    w->v[w->shape[i++]])) < 0)
					return -1;
				*v++ = (size_t)id;
			}
		}
	}
	r->nneed = w->nshape;
	cl->nneeds += w->nshape;
	return 0;
}

/*
 * Stores R's N literal words (W) with their
 * FLAGS in cl->lit.  -1 when out of memory.
 */
static int
cl_lit_add(struct classify *cl, struct cl_regex *r, const struct cl_words *w,
    const unsigned char *flags, size_t n)
{
	struct cl_lit	*v;
	long		 id;

	if ((v = realloc(cl->lit, (cl->nlits + n) * sizeof *v)) == NULL)
		return -1;
	cl->lit = v;
	r->lit0 = cl->nlits;
	for (size_t k = 0; k < n; k++) {
		/* Clause k is at shape[2k]: one word, index shape[2k + 1]. */
		if ((id = cl_atom_add(cl, w->v[w->shape[2 * k + 1]])) < 0)
			return -1;
		v[cl->nlits].atom = (size_t)id;
		v[cl->nlits++].flags = flags[k];
	}
	r->nlit = n;
	return 0;
}

/* Compiles the patterns of one list of category C into cl->regex. */
static int
cl_compile(struct classify *cl, const struct conf_rule *rules, size_t n,
    int title, size_t **idx, size_t *nidx, char **err)
{
	struct cl_regex	*r;
	struct cl_words	 w;
	PCRE2_SIZE	 off;
	unsigned char	 flags[64];
	long		 nl;
	int		 code, x;
	char		 msg[256];

	memset(&w, 0, sizeof w);

	if (n == 0)
		return 0;
	if ((*idx = calloc(n, sizeof **idx)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((r = realloc(cl->regex, (cl->nregex + 1) *
		    sizeof *r)) == NULL)
			return -1;
		cl->regex = r;
		r = &cl->regex[cl->nregex];
		memset(r, 0, sizeof *r);
		r->title = title;
		r->line = rules[i].at.line;
		if ((r->text = strdup(rules[i].text)) == NULL ||
		    (rules[i].at.file != NULL &&
		    (r->file = strdup(rules[i].at.file)) == NULL))
			return -1;
		(*idx)[(*nidx)++] = cl->nregex++;
		r->re = pcre2_compile((PCRE2_SPTR)r->text,
		    PCRE2_ZERO_TERMINATED, CL_OPTIONS, &code, &off, NULL);
		if (r->re == NULL) {
			/* conf checked it; only a hand-made conf gets here. */
			pcre2_get_error_message(code, (PCRE2_UCHAR *)msg,
			    sizeof msg);
			if (asprintf(err, "%s:%d: bad regex at offset %zu: %s",
			    r->file != NULL ? r->file : "?", r->line,
			    (size_t)off, msg) == -1)
				*err = NULL;
			return -2;
		}
		/* Without JIT the interpreter gives the same answers. */
		(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);

		/*
		 * The same text twice (an exclude in many categories): one run.
		 */
		r->same = cl->nregex - 1;
		for (size_t j = 0; j + 1 < cl->nregex; j++)
			if (cl->regex[j].title == title &&
			    strcmp(cl->regex[j].text, r->text) == 0) {
				r->same = j;
				break;
			}
		if (r->same != cl->nregex - 1)
			continue;
		x = cl_extract(r->text, &w);
		if (x == 0 && cl_need_add(cl, r, &w) == -1)
			x = -2;
		cl_words_clear(&w);
		if (x == -2)
			return -1;
		if ((nl = cl_literal(r->text, &w, flags, sizeof flags)) > 0 &&
		    cl_lit_add(cl, r, &w, flags, (size_t)nl) == -1)
			nl = -1;
		cl_words_clear(&w);
		if (nl == -1)
			return -1;
	}
	return 0;
}

/* Formats seconds as the largest whole unit, as the config writes them. */
static void
cl_duration(int64_t v, char *buf, size_t len)
{
	static const struct {
		int64_t	 secs;
		char	 unit;
	} u[] = { { 7 * 86400, 'w' }, { 86400, 'd' }, { 3600, 'h' },
	    { 60, 'm' } };

	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
		if (v != 0 && v % u[i].secs == 0) {
			snprintf(buf, len, "%lld%c", (long long)(v / u[i].secs),
			    u[i].unit);
			return;
		}
	snprintf(buf, len, "%llds", (long long)v);
}

/* Fills category I of CL from the conf's category CC. */
static int
cl_category(struct classify *cl, const struct conf *conf, size_t i,
    char **err)
{
	const struct conf_category	*cc = &conf->categories[i];
	struct cl_cat			*c = &cl->cat[i];
	int				 oom = 0, r;
	char				 age[32], *s;

	c->name = cl_strdup(cc->name, &oom);
	c->bump = cc->updates_bump;
	c->max_age = cc->max_age;
	c->r_sources = cl_join("sources", cc->sources, cc->nsources, &oom);
	c->r_terms = cl_join("terms", cc->terms, cc->nterms, &oom);
	c->r_xterms = cl_join("exclude_terms", cc->exclude_terms,
	    cc->nexclude_terms, &oom);
	c->r_inc = cl_join("include", cc->includes, cc->nincludes, &oom);
	c->r_lang = cl_join("language", cc->languages, cc->nlanguages, &oom);
	c->f_sources = cl_strdup(cc->sources_at.file, &oom);
	c->f_terms = cl_strdup(cc->terms_at.file, &oom);
	c->f_xterms = cl_strdup(cc->exclude_terms_at.file, &oom);
	c->f_inc = cl_strdup(cc->includes_at.file, &oom);
	c->f_lang = cl_strdup(cc->languages_at.file, &oom);
	c->f_age = cl_strdup(cc->max_age_at.file, &oom);
	c->l_sources = cc->sources_at.line;
	c->l_terms = cc->terms_at.line;
	c->l_xterms = cc->exclude_terms_at.line;
	c->l_inc = cc->includes_at.line;
	c->l_lang = cc->languages_at.line;
	c->l_age = cc->max_age_at.line;
	if (cc->max_age > 0) {
		cl_duration(cc->max_age, age, sizeof age);
		if (asprintf(&c->r_age, "max_age = %s", age) == -1) {
			c->r_age = NULL;
			oom = 1;
		}
	}
	if (oom)
		return -1;

	if (cc->nlanguages > 0) {
		if ((c->langs = calloc(cc->nlanguages, sizeof *c->langs)) ==
		    NULL)
			return -1;
		for (size_t k = 0; k < cc->nlanguages; k++) {
			if ((c->langs[k] = cl_strdup(cc->languages[k],
			    &oom)) == NULL)
				return -1;
			c->nlangs++;
		}
	}
	if (cc->nincludes > 0 && (c->inc = calloc(cc->nincludes,
	    sizeof *c->inc)) == NULL)
		return -1;
	for (size_t k = 0; k < cc->nincludes; k++) {
		if (strcmp(cc->includes[k], "all") == 0) {
			c->inc_all = 1;
			continue;
		}
		for (size_t j = 0; j < conf->ncategories; j++)
			if (strcmp(conf->categories[j].name,
			    cc->includes[k]) == 0)
				c->inc[c->ninc++] = j;
	}

	/* Terms of every category go into one sorted table. */
	for (int x = 0; x < 2; x++) {
		char	**list = x ? cc->exclude_terms : cc->terms;
		size_t	  n = x ? cc->nexclude_terms : cc->nterms;
		char	  norm[CL_TERM_MAX];

		for (size_t k = 0; k < n; k++) {
			struct cl_term *t = realloc(cl->term, (cl->nterm + 1) *
			    sizeof *t);

			if (t == NULL)
				return -1;
			cl->term = t;
			classify_term_norm(list[k], strlen(list[k]), norm,
			    sizeof norm);
			if ((s = strdup(norm)) == NULL)
				return -1;
			t[cl->nterm].norm = s;
			t[cl->nterm].cat = i;
			t[cl->nterm].exclude = x;
			cl->nterm++;
		}
	}

	if ((r = cl_compile(cl, cc->match_title, cc->nmatch_title, 1,
	    &c->title, &c->ntitle, err)) != 0 ||
	    (r = cl_compile(cl, cc->match, cc->nmatch, 0, &c->match,
	    &c->nmatch, err)) != 0 ||
	    (r = cl_compile(cl, cc->exclude, cc->nexclude, 0, &c->excl,
	    &c->nexcl, err)) != 0)
		return r;
	return 0;
}

/* The fingerprint of category I: everything that decides membership. */
static uint64_t
cl_fingerprint(struct classify *cl, const struct conf *conf, size_t i)
{
	const struct conf_category	*cc = &conf->categories[i];
	struct cl_cat			*c = &cl->cat[i];
	uint64_t			 h = FNV_INIT;
	char				 num[32];

	for (size_t k = 0; k < cl->nsrc; k++)
		if (cl->src[k].via[i] != 0) {
			snprintf(num, sizeof num, "%d", cl->src[k].via[i]);
			h = cl_hash_str(h, "src", cl->src[k].name);
			h = cl_hash_str(h, "via", num);
		}
	for (size_t k = 0; k < cl->nterm; k++)
		if (cl->term[k].cat == i)
			h = cl_hash_str(h, cl->term[k].exclude ? "xterm" :
			    "term", cl->term[k].norm);
	for (size_t k = 0; k < c->ntitle; k++)
		h = cl_hash_str(h, "title", cl->regex[c->title[k]].text);
	for (size_t k = 0; k < c->nmatch; k++)
		h = cl_hash_str(h, "match", cl->regex[c->match[k]].text);
	for (size_t k = 0; k < c->nexcl; k++)
		h = cl_hash_str(h, "exclude", cl->regex[c->excl[k]].text);
	for (size_t k = 0; k < c->nlangs; k++)
		h = cl_hash_str(h, "lang", c->langs[k]);
	snprintf(num, sizeof num, "%lld", (long long)cc->max_age);
	h = cl_hash_str(h, "age", num);
	if (c->inc_all)
		h = cl_hash_str(h, "inc", "all");
	for (size_t k = 0; k < c->ninc; k++) {
		uint64_t sub = cl->cat[c->inc[k]].fp;

		h = cl_hash_str(h, "inc", cl->cat[c->inc[k]].name);
		h = fnv_bytes(h, &sub, sizeof sub);
	}
	return h;
}

struct classify *
classify_new(const struct conf *conf, char **err)
{
	struct classify	*cl;
	unsigned char	*color = NULL;
	size_t		 n = 0, maxtext;
	int		 r;

	*err = NULL;
	if ((cl = calloc(1, sizeof *cl)) == NULL)
		goto oom;
	cl->prefilter = 1;
	cl->ncat = conf->ncategories;
	if (cl->ncat > 0 && ((cl->cat = calloc(cl->ncat, sizeof *cl->cat)) ==
	    NULL || (cl->order = calloc(cl->ncat, sizeof *cl->order)) ==
	    NULL || (color = calloc(cl->ncat, 1)) == NULL))
		goto oom;

	/* Sources, and which categories take all of each one's entries. */
	if (conf->nsources > 0 && (cl->src = calloc(conf->nsources,
	    sizeof *cl->src)) == NULL)
		goto oom;
	for (size_t i = 0; i < conf->nsources; i++) {
		const struct conf_source	*cs = &conf->sources[i];
		struct cl_source		*s = &cl->src[cl->nsrc++];

		if ((s->name = strdup(cs->name)) == NULL ||
		    (s->via = calloc(cl->ncat + 1, 1)) == NULL ||
		    (cs->file != NULL && (s->file = strdup(cs->file)) == NULL))
			goto oom;
		s->line = cs->line;
		for (size_t k = 0; k < cs->ncategories; k++)
			for (size_t j = 0; j < cl->ncat; j++)
				if (strcmp(conf->categories[j].name,
				    cs->categories[k]) == 0)
					s->via[j] |= CL_VIA_SOURCE;
		for (size_t j = 0; j < cl->ncat; j++)
			for (size_t k = 0; k < conf->categories[j].nsources;
			    k++)
				if (strcmp(conf->categories[j].sources[k],
				    cs->name) == 0)
					s->via[j] |= CL_VIA_SOURCES;
	}
	if (cl->nsrc > 0)
		qsort(cl->src, cl->nsrc, sizeof *cl->src, cl_source_cmp);

	for (size_t i = 0; i < cl->ncat; i++)
		if ((r = cl_category(cl, conf, i, err)) != 0) {
			if (r == -1)
				goto oom;
			classify_free(cl);
			free(color);
			return NULL;
		}
	if (cl->nterm > 0)
		qsort(cl->term, cl->nterm, sizeof *cl->term, cl_term_cmp);
	/* A re-sort looks up every stored membership's category by name. */
	if (cl->ncat > 0 && (cl->byname = calloc(cl->ncat,
	    sizeof *cl->byname)) == NULL)
		goto oom;
	for (size_t i = 0; i < cl->ncat; i++) {
		cl->byname[i].name = cl->cat[i].name;
		cl->byname[i].cat = i;
	}
	if (cl->ncat > 0)
		qsort(cl->byname, cl->ncat, sizeof *cl->byname, cl_name_cmp);
	for (size_t i = 0; i < cl->ncat; i++)
		cl_order(cl, i, color, &n);
	free(color);
	color = NULL;
	for (size_t k = 0; k < cl->ncat; k++) {
		size_t i = cl->order[k];

		cl->cat[i].fp = cl_fingerprint(cl, conf, i);
	}
	if (cl_automaton(cl) == -1)
		goto oom;

	/* Scratch: the text of three fields, and per-entry marks. */
	maxtext = 3 * CLASSIFY_FIELD_MAX + 8;
	if ((cl->text = malloc(maxtext)) == NULL ||
	    (cl->agen = calloc(cl->natom + 1, sizeof *cl->agen)) == NULL ||
	    (cl->apos = calloc(cl->natom + 1, sizeof *cl->apos)) == NULL ||
	    (cl->rres = calloc(cl->nregex + 1, 1)) == NULL ||
	    (cl->tin = calloc(cl->ncat + 1, sizeof *cl->tin)) == NULL ||
	    (cl->txout = calloc(cl->ncat + 1, sizeof *cl->txout)) == NULL ||
	    (cl->eval = calloc(cl->ncat + 1, 1)) == NULL ||
	    (cl->md = pcre2_match_data_create(1, NULL)) == NULL ||
	    (cl->mctx = pcre2_match_context_create(NULL)) == NULL)
		goto oom;
	pcre2_set_match_limit(cl->mctx, CL_MATCH_LIMIT);
	if ((cl->jit = pcre2_jit_stack_create(32 * 1024, CL_JIT_STACK,
	    NULL)) != NULL)
		pcre2_jit_stack_assign(cl->mctx, NULL, cl->jit);
	return cl;

oom:
	free(color);
	classify_free(cl);
	*err = strdup("out of memory compiling the category rules");
	return NULL;
}

void
classify_free(struct classify *cl)
{
	if (cl == NULL)
		return;
	free(cl->byname);
	for (size_t i = 0; i < cl->ncat; i++) {
		struct cl_cat *c = &cl->cat[i];

		free(c->name);
		free(c->inc);
		for (size_t k = 0; k < c->nlangs; k++)
			free(c->langs[k]);
		free(c->langs);
		free(c->match);
		free(c->title);
		free(c->excl);
		free(c->r_sources);
		free(c->r_terms);
		free(c->r_xterms);
		free(c->r_inc);
		free(c->r_lang);
		free(c->r_age);
		free(c->f_sources);
		free(c->f_terms);
		free(c->f_xterms);
		free(c->f_inc);
		free(c->f_lang);
		free(c->f_age);
	}
	free(cl->cat);
	free(cl->order);
	for (size_t i = 0; i < cl->nsrc; i++) {
		free(cl->src[i].name);
		free(cl->src[i].via);
		free(cl->src[i].file);
	}
	free(cl->src);
	for (size_t i = 0; i < cl->nterm; i++)
		free(cl->term[i].norm);
	free(cl->term);
	for (size_t i = 0; i < cl->nregex; i++) {
		pcre2_code_free(cl->regex[i].re);
		free(cl->regex[i].text);
		free(cl->regex[i].file);
	}
	free(cl->regex);
	for (size_t i = 0; i < cl->natom; i++)
		free(cl->atom[i]);
	free(cl->atom);
	free(cl->atomlen);
	free(cl->need);
	free(cl->lit);
	free(cl->delta);
	free(cl->step);
	free(cl->out0);
	free(cl->nout);
	free(cl->outs);
	free(cl->outlink);
	free(cl->text);
	free(cl->agen);
	free(cl->apos);
	free(cl->rres);
	free(cl->tin);
	free(cl->txout);
	free(cl->eval);
	pcre2_match_data_free(cl->md);
	pcre2_match_context_free(cl->mctx);
	pcre2_jit_stack_free(cl->jit);
	free(cl);
}

size_t
classify_count(const struct classify *cl)
{
	return cl->ncat;
}

const char *
classify_name(const struct classify *cl, size_t i)
{
	return cl->cat[i].name;
}

int
classify_find(const struct classify *cl, const char *name)
{
	const struct cl_name	*n;
	struct cl_name		 key;

	if (cl->ncat == 0 || name == NULL)
		return -1;
	key.name = name;
	n = bsearch(&key, cl->byname, cl->ncat, sizeof *cl->byname,
	    cl_name_cmp);
	return n != NULL ? (int)n->cat : -1;
}

uint64_t
classify_fingerprint(const struct classify *cl, size_t i)
{
	return cl->cat[i].fp;
}

int
classify_updates_bump(const struct classify *cl, size_t i)
{
	return cl->cat[i].bump;
}

int64_t
classify_max_age(const struct classify *cl, size_t i)
{
	return cl->cat[i].max_age;
}

void
classify_set_prefilter(struct classify *cl, int on)
{
	cl->prefilter = on;
}

size_t
classify_unfiltered(const struct classify *cl)
{
	size_t	n = 0;

	for (size_t i = 0; i < cl->nregex; i++)
		n += cl->regex[i].same == i && cl->regex[i].nneed == 0;
	return n;
}

static size_t	cl_run(struct classify *, const struct classify_entry *,
		    int64_t, unsigned char *, struct classify_why *,
		    const unsigned char *);

/* Whether atom A occurs, first ending before LEN. */
static inline int
cl_atom_in(const struct classify *cl, size_t a, size_t len)
{
	return cl->agen[a] == cl->gen && cl->apos[a] < len;
}

/* Whether what pattern R needs occurs in the first LEN bytes. */
static int
cl_need_met(const struct classify *cl, const struct cl_regex *r, size_t len)
{
	const size_t	*p = cl->need + r->need0;
	size_t		 nalt = *p++, met = 0;

	for (size_t a = 0; a < nalt && !met; a++) {
		size_t ncl = *p++;

		met = 1;
		for (size_t c = 0; c < ncl; c++) {
			size_t	nw = *p++;
			int	hit = 0;

			for (size_t k = 0; k < nw && !hit; k++)
				hit = cl_atom_in(cl, p[k], len);
			p += nw;
			if (!hit)
				met = 0;
		}
	}
	return (int)met;
}

/*
 * Whether the literal words of pattern R occur in the first LEN bytes, as
 * PCRE2 would see them: 1 or 0, or -1 when only PCRE2 can tell (the first
 * place a word occurs is not between word boundaries, or its neighbours
 * are not ASCII).
 */
static int
cl_lit_match(const struct classify *cl, const struct cl_regex *r, size_t len)
{
	const unsigned char	*t = (const unsigned char *)cl->text;
	int			 unsure = 0;

#define WORDB(ch) (((ch) | 32) >= 'a' && ((ch) | 32) <= 'z' ? 1 : \
	((ch) >= '0' && (ch) <= '9') || (ch) == '_' ? 1 : (ch) >= 0x80 ? -1 : 0)
	for (size_t k = 0; k < r->nlit; k++) {
		const struct cl_lit	*l = &cl->lit[r->lit0 + k];
		size_t			 end, start, n = cl->atomlen[l->atom];
		const char		*w = cl->atom[l->atom];
		int			 ok = 1;

		if (!cl_atom_in(cl, l->atom, len))
			continue;
		if (l->flags == 0)
			return 1;
		end = cl->apos[l->atom];
		if (end + 1 < n) {
			unsure = 1;
			continue;
		}
		start = end + 1 - n;
		/* KELVIN SIGN or LONG S stood for a letter: ask PCRE2. */
		for (size_t j = 0; j < n && ok; j++) {
			unsigned char b = t[start + j];

			ok = (b >= 'A' && b <= 'Z' ? b + 32 : b) ==
			    (unsigned char)w[j];
		}
		if (ok && (l->flags & CL_LIT_BSTART) && start > 0)
			ok = WORDB(t[start - 1]) == 0;
		if (ok && (l->flags & CL_LIT_BEND) && end + 1 < len)
			ok = WORDB(t[end + 1]) == 0;
		if (ok)
			return 1;
		unsure = 1;
	}
#undef WORDB
	return unsure ? -1 : 0;
}

/* Whether pattern I matches the entry's text; memoised per entry. */
static int
cl_regex_match(struct classify *cl, size_t i, int explain)
{
	struct cl_regex	*r = &cl->regex[i];
	size_t		 len;
	int		 rc;
	PCRE2_SIZE	*ov;

	if (r->same != i)
		return cl_regex_match(cl, r->same, explain);
	if (cl->rres[i] >= 0 && !explain)
		return cl->rres[i];
	len = r->title ? cl->titlelen : cl->textlen;
	if (cl->prefilter && r->nneed > 0 && !cl_need_met(cl, r, len))
		return cl->rres[i] = 0;
	/* Explain wants where it matched: PCRE2 says. */
	if (cl->prefilter && !explain && r->nlit > 0 &&
	    (rc = cl_lit_match(cl, r, len)) >= 0)
		return cl->rres[i] = (signed char)rc;
	rc = pcre2_match(r->re, (PCRE2_SPTR)cl->text, len, 0, 0, cl->md,
	    cl->mctx);
	/*
	 * 0 is a match with captures beyond the one pair asked for; over the
	 * match limit counts as no match: never stall the loop.
	 */
	cl->rres[i] = rc >= 0;
	if (rc >= 0) {
		ov = pcre2_get_ovector_pointer(cl->md);
		cl->rmatch[0] = ov[0];
		cl->rmatch[1] = ov[1] >= ov[0] ? ov[1] : ov[0];
	}
	return cl->rres[i];
}

/* The first of N patterns (indexes IDX) that matches, or -1. */
static long
cl_any(struct classify *cl, const size_t *idx, size_t n, int explain)
{
	for (size_t k = 0; k < n; k++)
		if (cl_regex_match(cl, idx[k], explain))
			return (long)idx[k];
	return -1;
}

/* Whether a declared language LANG is one of category C's. */
static int
cl_language_ok(const struct cl_cat *c, const char *lang)
{
	for (size_t k = 0; k < c->nlangs; k++) {
		size_t n = strlen(c->langs[k]);

		if (strncasecmp(lang, c->langs[k], n) == 0 &&
		    (lang[n] == '\0' || lang[n] == '-' || lang[n] == '_'))
			return 1;
	}
	return 0;
}

/* Fills W from a decision; DETAIL may be NULL. */
static void
cl_why(struct classify_why *w, int in, enum classify_how how,
    const char *rule, const char *file, int line, const char *detail,
    size_t dlen)
{
	w->in = in;
	w->how = how;
	w->rule = rule;
	w->file = file;
	w->line = line;
	w->detail[0] = '\0';
	if (detail != NULL) {
		if (dlen >= sizeof w->detail)
			dlen = sizeof w->detail - 1;
		/* Never end inside a UTF-8 sequence. */
		while (dlen > 0 && ((unsigned char)detail[dlen] & 0xc0) ==
		    0x80 && detail[dlen] != '\0')
			dlen--;
		memcpy(w->detail, detail, dlen);
		w->detail[dlen] = '\0';
	}
}

/* Looks up the entry's terms and marks each category they let in or out. */
static void
cl_terms(struct classify *cl, const char *terms, const char **tpos,
    size_t *tlen)
{
	char		 norm[CL_TERM_MAX];
	const char	*p = terms, *e;
	size_t		 lo, hi, mid, n;

	for (size_t i = 0; i < cl->ncat; i++)
		cl->tin[i] = cl->txout[i] = -1;
	if (terms == NULL || cl->nterm == 0)
		return;
	for (; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, CLASSIFY_TERM_SEP);
		if (e == NULL)
			e = p + strlen(p);
		if ((n = classify_term_norm(p, (size_t)(e - p), norm,
		    sizeof norm)) == 0)
			continue;
		lo = 0;
		hi = cl->nterm;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (strcmp(cl->term[mid].norm, norm) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < cl->nterm && strcmp(cl->term[lo].norm, norm) == 0;
		    lo++) {
			struct cl_term	*t = &cl->term[lo];
			int32_t		*slot = t->exclude ?
					    &cl->txout[t->cat] :
					    &cl->tin[t->cat];

			if (*slot == -1) {
				*slot = (int32_t)(p - terms);
				if (tpos != NULL) {
					tpos[t->cat * 2 + t->exclude] = p;
					tlen[t->cat * 2 + t->exclude] =
					    (size_t)(e - p);
				}
			}
		}
	}
}

size_t
classify_run(struct classify *cl, const struct classify_entry *e,
    int64_t now, unsigned char *in, struct classify_why *why)
{
	return cl_run(cl, e, now, in, why, NULL);
}

size_t
classify_run_some(struct classify *cl, const struct classify_entry *e,
    int64_t now, unsigned char *in, const unsigned char *want)
{
	return cl_run(cl, e, now, in, NULL, want);
}

/*
 * classify_run, for the categories in WANT and what they include (NULL: all).
 */
static size_t
cl_run(struct classify *cl, const struct classify_entry *e, int64_t now,
    unsigned char *in, struct classify_why *why, const unsigned char *want)
{
	const struct cl_source	*src = NULL;
	struct cl_source	 key;
	const char		**tpos = NULL;
	size_t			*tlen = NULL, count = 0;
	int			 ex = why != NULL;

	if (cl->ncat == 0)
		return 0;
	/* Explain is rare: its term positions are allocated on demand. */
	if (ex) {
		tpos = calloc(cl->ncat * 2, sizeof *tpos);
		tlen = calloc(cl->ncat * 2, sizeof *tlen);
		if (tpos == NULL || tlen == NULL) {
			free(tpos);
			free(tlen);
			tpos = NULL;
			tlen = NULL;
			ex = 0;
		}
	}
	cl_terms(cl, e->terms, tpos, tlen);
	if (want != NULL) {
		/* Includes come before their includers: walk back. */
		memcpy(cl->eval, want, cl->ncat);
		for (size_t k = cl->ncat; k-- > 0;) {
			const struct cl_cat *c = &cl->cat[cl->order[k]];

			if (cl->eval[cl->order[k]])
				for (size_t j = 0; j < c->ninc; j++)
					cl->eval[c->inc[j]] = 1;
		}
	}

	if (e->source != NULL && cl->nsrc > 0) {
		key.name = (char *)e->source;
		src = bsearch(&key, cl->src, cl->nsrc, sizeof *cl->src,
		    cl_source_cmp);
	}

	/* The text: built and scanned once, for every pattern. */
	if (cl->nregex > 0) {
		if (++cl->gen == 0) {
			memset(cl->agen, 0, (cl->natom + 1) * sizeof *cl->agen);
			cl->gen = 1;
		}
		memset(cl->rres, -1, cl->nregex);
		cl->textlen = 0;
		if (e->title != NULL)
			cl_text_add(cl, e->title, cl_is_html(e->title_type, 0));
		cl->titlelen = cl->textlen;
		cl->text[cl->textlen++] = '\n';
		if (e->summary != NULL)
			cl_text_add(cl, e->summary,
			    cl_is_html(e->summary_type, 1));
		cl->text[cl->textlen++] = '\n';
		if (e->content != NULL)
			cl_text_add(cl, e->content,
			    cl_is_html(e->content_type, 1));
		cl->text[cl->textlen] = '\0';
		if (cl->prefilter && cl->natom > 0)
			cl_scan(cl);
	}

	for (size_t k = 0; k < cl->ncat; k++) {
		size_t			 i = cl->order[k];
		struct cl_cat		*c = &cl->cat[i];
		struct classify_why	 w, *wp = ex ? &why[i] : &w;
		long			 r;
		int			 ok = 0;

		if (want != NULL && !cl->eval[i]) {
			in[i] = 0;
			continue;
		}
		cl_why(wp, 0, CLASSIFY_NONE, NULL, NULL, 0, NULL, 0);
		if (src != NULL && (src->via[i] & CL_VIA_SOURCE)) {
			ok = 1;
			if (ex)
				cl_why(wp, 1, CLASSIFY_SOURCE, "categories",
				    src->file, src->line, src->name,
				    strlen(src->name));
		} else if (src != NULL && (src->via[i] & CL_VIA_SOURCES)) {
			ok = 1;
			if (ex)
				cl_why(wp, 1, CLASSIFY_SOURCES, c->r_sources,
				    c->f_sources, c->l_sources, src->name,
				    strlen(src->name));
		} else if (cl->tin[i] != -1) {
			ok = 1;
			if (ex)
				cl_why(wp, 1, CLASSIFY_TERMS, c->r_terms,
				    c->f_terms, c->l_terms, tpos[i * 2],
				    tlen[i * 2]);
		} else if (c->inc_all) {
			ok = 1;
			if (ex)
				cl_why(wp, 1, CLASSIFY_INCLUDE, c->r_inc,
				    c->f_inc, c->l_inc, "all", 3);
		}
		for (size_t j = 0; j < c->ninc && !ok; j++)
			if (in[c->inc[j]]) {
				const char *name = cl->cat[c->inc[j]].name;

				ok = 1;
				if (ex)
					cl_why(wp, 1, CLASSIFY_INCLUDE,
					    c->r_inc, c->f_inc, c->l_inc, name,
					    strlen(name));
			}
		if (!ok && (r = cl_any(cl, c->title, c->ntitle, ex)) >= 0) {
			ok = 1;
			if (ex)
				cl_why(wp, 1, CLASSIFY_MATCH_TITLE,
				    cl->regex[r].text, cl->regex[r].file,
				    cl->regex[r].line, cl->text +
				    cl->rmatch[0], cl->rmatch[1] -
				    cl->rmatch[0]);
		}
		if (!ok && (r = cl_any(cl, c->match, c->nmatch, ex)) >= 0) {
			ok = 1;
			if (ex)
				cl_why(wp, 1, CLASSIFY_MATCH,
				    cl->regex[r].text, cl->regex[r].file,
				    cl->regex[r].line, cl->text +
				    cl->rmatch[0], cl->rmatch[1] -
				    cl->rmatch[0]);
		}

		/*
		 * Let in: the rules that keep entries out have the last word.
		 */
		if (ok && c->nlangs > 0 && e->language != NULL &&
		    *e->language != '\0' && !cl_language_ok(c, e->language)) {
			ok = 0;
			if (ex)
				cl_why(wp, 0, CLASSIFY_LANGUAGE, c->r_lang,
				    c->f_lang, c->l_lang, e->language,
				    strlen(e->language));
		}
		if (ok && c->max_age > 0 && e->date != CLASSIFY_NODATE &&
		    e->date < now - c->max_age) {
			ok = 0;
			if (ex)
				cl_why(wp, 0, CLASSIFY_MAX_AGE, c->r_age,
				    c->f_age, c->l_age, NULL, 0);
		}
		if (ok && cl->txout[i] != -1) {
			ok = 0;
			if (ex)
				cl_why(wp, 0, CLASSIFY_EXCLUDE_TERMS,
				    c->r_xterms, c->f_xterms, c->l_xterms,
				    tpos[i * 2 + 1], tlen[i * 2 + 1]);
		}
		if (ok && (r = cl_any(cl, c->excl, c->nexcl, ex)) >= 0) {
			ok = 0;
			if (ex)
				cl_why(wp, 0, CLASSIFY_EXCLUDE,
				    cl->regex[r].text, cl->regex[r].file,
				    cl->regex[r].line, cl->text +
				    cl->rmatch[0], cl->rmatch[1] -
				    cl->rmatch[0]);
		}
		in[i] = (unsigned char)ok;
		count += (size_t)ok;
	}
	free(tpos);
	free(tlen);
	return count;
}

/*
 * sanitize: publishers' HTML made safe to republish; see sanitize.h.  This
 * room owns the element, attribute, URL-scheme and CSS allowlists and the
 * writer that serializes gumbo's tree from them.  The lists follow
 * feedparser's where its choice is inert (readers compare our output with
 * it) and stay stricter where it is not: no id/name, form, action, target
 * or ping, no url() or anything but plain values in CSS, no form element.
 * Tidy fragments (most feed HTML) skip gumbo through a fast path (fast_*)
 * that declines anything an HTML5 tree builder might build differently
 * from what the markup spells; both paths use the same writer functions.
 * Safety rests on the writer alone: whatever tree the parser builds, only
 * allowlisted elements and attributes come out, text and values always
 * escaped, so nothing we emit can be read back by a browser as markup we
 * did not write.
 *
 * Gumbo itself is kept bounded from outside.  Its tree builder costs time in
 * proportion to the depth of its stack of open elements for every token, and
 * it frees trees recursively, so a flat run of start tags could stall or
 * crash us.  A first pass (flatten_*) models that stack cheaply and drops
 * start tags once the model is SANITIZE_MAXDEPTH deep; the parse allocates
 * from an arena (arena_*) with a budget, freed at once without gumbo's
 * recursion; past the budget the parse is abandoned and redone without
 * formatting elements, whose re-opening is what multiplies nodes.
 */
#define _DEFAULT_SOURCE

#include "config.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gumbo.h>

#include "buf.h"
#include "sanitize.h"
#include "uri.h"

#define SANITIZE_MAXDEPTH	256		/* elements nested in output */
#define SANITIZE_MAXIN		(16u << 20)	/* input bytes considered */
#define SANITIZE_ARENA_MIN	(8u << 20)	/* parse budget floor */
#define SANITIZE_ARENA_MUL	64		/* ... plus per input byte */
#define SANITIZE_OUT_MIN	(4u << 20)	/* output budget floor */
#define SANITIZE_OUT_MUL	8		/* ... plus per input byte */
#define SANITIZE_OUT_SLACK	(64u << 10)	/* end tags past the budget */

/*
 * feedparser writes an ampersand the way the publisher did when that was a
 * numeric reference (&#38; or &#x26;), and readers compare.  The parser
 * would lose that, so the input carries such a reference as a marker, a
 * private-use character of plane 16 (gumbo turns noncharacters into U+FFFD
 * but passes these), removed from the input first so that only we write
 * them; it is an ordinary character to gumbo and the writer turns it back
 * into the reference.  A marker can only ever come out as a reference to
 * '&', so even a stray one is harmless.  Last UTF-8 bytes of F4 8F BC xx:
 */
#define SANITIZE_AMP_DEC	0xb8		/* U+10FF38 */
#define SANITIZE_AMP_HEX	0xa6		/* U+10FF26 */

/* What the writer does with an element. */
enum {
	EL_UNWRAP,		/* drop the tag, keep the children */
	EL_KEEP,		/* write it with its allowed attributes */
	EL_VOID,		/* write it, no children, no end tag */
	EL_DROP			/* drop it and everything inside */
};

/* What the writer does with an attribute value. */
enum {
	AT_TEXT,		/* written escaped */
	AT_URL,			/* cleaned, scheme checked, resolved */
	AT_SRCSET,		/* each candidate URL as AT_URL */
	AT_STYLE		/* filtered through the CSS allowlist */
};

/*
 * Attributes that may be kept, sorted for bsearch: feedparser's list of
 * acceptable attributes, all inert without script, less the ones that reach
 * beyond the fragment: id and name (DOM clobbering of the page that shows
 * it), form, action, data and ping (form hijacking, plugin data, tracking
 * beacons) and target (tabnabbing).  aria-* is allowed by prefix.
 */
static const struct {
	const char	*name;
	int		 kind;
} sanitize_attrs[] = {
	{ "abbr", AT_TEXT },
	{ "accept", AT_TEXT },
	{ "accept-charset", AT_TEXT },
	{ "accesskey", AT_TEXT },
	{ "align", AT_TEXT },
	{ "alt", AT_TEXT },
	{ "autocomplete", AT_TEXT },
	{ "autofocus", AT_TEXT },
	{ "axis", AT_TEXT },
	{ "background", AT_URL },
	{ "balance", AT_TEXT },
	{ "bgcolor", AT_TEXT },
	{ "bgproperties", AT_TEXT },
	{ "border", AT_TEXT },
	{ "bordercolor", AT_TEXT },
	{ "bordercolordark", AT_TEXT },
	{ "bordercolorlight", AT_TEXT },
	{ "bottompadding", AT_TEXT },
	{ "cellpadding", AT_TEXT },
	{ "cellspacing", AT_TEXT },
	{ "ch", AT_TEXT },
	{ "challenge", AT_TEXT },
	{ "char", AT_TEXT },
	{ "charoff", AT_TEXT },
	{ "charset", AT_TEXT },
	{ "checked", AT_TEXT },
	{ "choff", AT_TEXT },
	{ "cite", AT_URL },
	{ "class", AT_TEXT },
	{ "clear", AT_TEXT },
	{ "color", AT_TEXT },
	{ "cols", AT_TEXT },
	{ "colspan", AT_TEXT },
	{ "compact", AT_TEXT },
	{ "contenteditable", AT_TEXT },
	{ "controls", AT_TEXT },
	{ "coords", AT_TEXT },
	{ "datafld", AT_TEXT },
	{ "datapagesize", AT_TEXT },
	{ "datasrc", AT_URL },
	{ "datetime", AT_TEXT },
	{ "default", AT_TEXT },
	{ "delay", AT_TEXT },
	{ "dir", AT_TEXT },
	{ "disabled", AT_TEXT },
	{ "draggable", AT_TEXT },
	{ "dynsrc", AT_URL },
	{ "enctype", AT_TEXT },
	{ "end", AT_TEXT },
	{ "face", AT_TEXT },
	{ "for", AT_TEXT },
	{ "frame", AT_TEXT },
	{ "galleryimg", AT_TEXT },
	{ "gutter", AT_TEXT },
	{ "headers", AT_TEXT },
	{ "height", AT_TEXT },
	{ "hidden", AT_TEXT },
	{ "hidefocus", AT_TEXT },
	{ "high", AT_TEXT },
	{ "href", AT_URL },
	{ "hreflang", AT_TEXT },
	{ "hspace", AT_TEXT },
	{ "icon", AT_URL },
	{ "inputmode", AT_TEXT },
	{ "ismap", AT_TEXT },
	{ "keytype", AT_TEXT },
	{ "kind", AT_TEXT },
	{ "label", AT_TEXT },
	{ "lang", AT_TEXT },
	{ "leftspacing", AT_TEXT },
	{ "list", AT_TEXT },
	{ "longdesc", AT_URL },
	{ "loop", AT_TEXT },
	{ "loopcount", AT_TEXT },
	{ "loopend", AT_TEXT },
	{ "loopstart", AT_TEXT },
	{ "low", AT_TEXT },
	{ "lowsrc", AT_URL },
	{ "max", AT_TEXT },
	{ "maxlength", AT_TEXT },
	{ "media", AT_TEXT },
	{ "method", AT_TEXT },
	{ "min", AT_TEXT },
	{ "multiple", AT_TEXT },
	{ "muted", AT_TEXT },
	{ "nohref", AT_TEXT },
	{ "noshade", AT_TEXT },
	{ "nowrap", AT_TEXT },
	{ "open", AT_TEXT },
	{ "optimum", AT_TEXT },
	{ "pattern", AT_TEXT },
	{ "point-size", AT_TEXT },
	{ "poster", AT_URL },
	{ "pqg", AT_TEXT },
	{ "preload", AT_TEXT },
	{ "prompt", AT_TEXT },
	{ "radiogroup", AT_TEXT },
	{ "readonly", AT_TEXT },
	{ "rel", AT_TEXT },
	{ "repeat-max", AT_TEXT },
	{ "repeat-min", AT_TEXT },
	{ "replace", AT_TEXT },
	{ "required", AT_TEXT },
	{ "rev", AT_TEXT },
	{ "reversed", AT_TEXT },
	{ "rightspacing", AT_TEXT },
	{ "rows", AT_TEXT },
	{ "rowspan", AT_TEXT },
	{ "rules", AT_TEXT },
	{ "scope", AT_TEXT },
	{ "selected", AT_TEXT },
	{ "shape", AT_TEXT },
	{ "size", AT_TEXT },
	{ "sizes", AT_TEXT },
	{ "span", AT_TEXT },
	{ "src", AT_URL },
	{ "srclang", AT_TEXT },
	{ "srcset", AT_SRCSET },
	{ "start", AT_TEXT },
	{ "step", AT_TEXT },
	{ "style", AT_STYLE },
	{ "summary", AT_TEXT },
	{ "suppress", AT_TEXT },
	{ "tabindex", AT_TEXT },
	{ "template", AT_TEXT },
	{ "title", AT_TEXT },
	{ "toppadding", AT_TEXT },
	{ "type", AT_TEXT },
	{ "unselectable", AT_TEXT },
	{ "urn", AT_TEXT },
	{ "usemap", AT_TEXT },
	{ "valign", AT_TEXT },
	{ "value", AT_TEXT },
	{ "variable", AT_TEXT },
	{ "volume", AT_TEXT },
	{ "vrml", AT_URL },
	{ "vspace", AT_TEXT },
	{ "width", AT_TEXT },
	{ "wrap", AT_TEXT },
};

/* URL schemes that may be republished, sorted for bsearch. */
static const char *const sanitize_schemes[] = {
	"feed", "ftp", "ftps", "http", "https", "irc", "ircs", "magnet",
	"mailto", "news", "nntp", "sip", "sips", "sms", "tel", "webcal",
	"xmpp",
};

/* Per-tag bits of the first pass's model of gumbo's stack. */
#define T_VOID		0x0001	/* never pushed (HTML void) */
#define T_RAW		0x0002	/* raw text up to its end tag */
#define T_SPECIAL	0x0004	/* "special" category of the spec */
#define T_SCOPE		0x0008	/* ends "has an element in scope" */
#define T_FMT		0x0010	/* formatting element */
#define T_MARKER	0x0020	/* puts a marker on the formatting list */
#define T_CLOSEP	0x0040	/* its start tag closes an open p */
#define T_INTEG		0x0100	/* HTML rules apply inside (svg, MathML) */
#define T_IGNORED	0x0200	/* start tag never pushed in a fragment */
#define T_TABLE		0x0400	/* caption col colgroup tbody td ... */
#define T_HEADING	0x0800	/* h1 .. h6 */
#define T_ENDSCOPE	0x1000	/* its end tag pops to it when in scope */
#define T_NORECON	0x2000	/* its start tag re-opens no formatting */

/* Tag names the model knows, sorted for bsearch; others are plain. */
static const struct {
	const char	*name;
	unsigned	 bits;
} flatten_tags[] = {
	{ "a", T_FMT },
	{ "address", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "applet", T_SPECIAL | T_SCOPE | T_MARKER },
	{ "area", T_SPECIAL | T_VOID },
	{ "article", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "aside", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "b", T_FMT },
	{ "base", T_SPECIAL | T_VOID | T_NORECON },
	{ "basefont", T_SPECIAL | T_VOID | T_NORECON },
	{ "bgsound", T_SPECIAL | T_VOID | T_NORECON },
	{ "big", T_FMT },
	{ "blockquote", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "body", T_SPECIAL | T_IGNORED | T_NORECON },
	{ "br", T_SPECIAL | T_VOID },
	{ "button", T_SPECIAL | T_ENDSCOPE },
	{ "caption", T_SPECIAL | T_SCOPE | T_MARKER | T_TABLE | T_NORECON },
	{ "center", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "code", T_FMT },
	{ "col", T_SPECIAL | T_VOID | T_TABLE | T_NORECON },
	{ "colgroup", T_SPECIAL | T_TABLE | T_NORECON },
	{ "dd", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "details", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "dir", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "div", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "dl", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "dt", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "em", T_FMT },
	{ "embed", T_SPECIAL | T_VOID },
	{ "fieldset", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "figcaption", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "figure", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "font", T_FMT },
	{ "footer", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "form", T_SPECIAL | T_ENDSCOPE | T_NORECON },
	{ "frame", T_SPECIAL | T_VOID | T_NORECON },
	{ "frameset", T_SPECIAL | T_IGNORED | T_NORECON },
	{ "h1", T_SPECIAL | T_CLOSEP | T_HEADING | T_ENDSCOPE | T_NORECON },
	{ "h2", T_SPECIAL | T_CLOSEP | T_HEADING | T_ENDSCOPE | T_NORECON },
	{ "h3", T_SPECIAL | T_CLOSEP | T_HEADING | T_ENDSCOPE | T_NORECON },
	{ "h4", T_SPECIAL | T_CLOSEP | T_HEADING | T_ENDSCOPE | T_NORECON },
	{ "h5", T_SPECIAL | T_CLOSEP | T_HEADING | T_ENDSCOPE | T_NORECON },
	{ "h6", T_SPECIAL | T_CLOSEP | T_HEADING | T_ENDSCOPE | T_NORECON },
	{ "head", T_SPECIAL | T_IGNORED | T_NORECON },
	{ "header", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "hgroup", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "hr", T_SPECIAL | T_VOID | T_CLOSEP | T_NORECON },
	{ "html", T_SPECIAL | T_SCOPE | T_IGNORED | T_NORECON },
	{ "i", T_FMT },
	{ "iframe", T_SPECIAL | T_RAW | T_NORECON },
	{ "image", T_VOID },
	{ "img", T_SPECIAL | T_VOID },
	{ "input", T_SPECIAL | T_VOID },
	{ "isindex", T_SPECIAL | T_CLOSEP | T_NORECON },
	{ "keygen", T_VOID },
	{ "li", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "link", T_SPECIAL | T_VOID | T_NORECON },
	{ "listing", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "main", T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "marquee", T_SPECIAL | T_SCOPE | T_MARKER },
	{ "menu", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "menuitem", T_SPECIAL | T_VOID | T_NORECON },
	{ "meta", T_SPECIAL | T_VOID | T_NORECON },
	{ "nav", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "nobr", T_FMT },
	{ "noembed", T_SPECIAL | T_RAW | T_NORECON },
	{ "noframes", T_SPECIAL | T_RAW | T_NORECON },
	{ "noscript", T_SPECIAL },
	{ "object", T_SPECIAL | T_SCOPE | T_MARKER },
	{ "ol", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "p", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "param", T_SPECIAL | T_VOID | T_NORECON },
	{ "plaintext", T_SPECIAL | T_CLOSEP | T_NORECON },
	{ "pre", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "rb", T_NORECON },
	{ "rp", T_NORECON },
	{ "rt", T_NORECON },
	{ "rtc", T_NORECON },
	{ "ruby", 0 },
	{ "s", T_FMT },
	{ "script", T_SPECIAL | T_RAW | T_NORECON },
	{ "section", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "select", T_SPECIAL },
	{ "small", T_FMT },
	{ "source", T_VOID | T_NORECON },
	{ "span", 0 },
	{ "strike", T_FMT },
	{ "strong", T_FMT },
	{ "style", T_SPECIAL | T_RAW | T_NORECON },
	{ "sub", 0 },
	{ "summary", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "sup", 0 },
	{ "table", T_SPECIAL | T_SCOPE | T_CLOSEP | T_NORECON },
	{ "tbody", T_SPECIAL | T_TABLE | T_NORECON },
	{ "td", T_SPECIAL | T_SCOPE | T_MARKER | T_TABLE | T_NORECON },
	{ "template", T_SPECIAL | T_SCOPE | T_MARKER | T_ENDSCOPE | T_NORECON },
	{ "textarea", T_SPECIAL | T_RAW | T_NORECON },
	{ "tfoot", T_SPECIAL | T_TABLE | T_NORECON },
	{ "th", T_SPECIAL | T_SCOPE | T_MARKER | T_TABLE | T_NORECON },
	{ "thead", T_SPECIAL | T_TABLE | T_NORECON },
	{ "title", T_SPECIAL | T_RAW | T_NORECON },
	{ "tr", T_SPECIAL | T_TABLE | T_NORECON },
	{ "track", T_VOID | T_NORECON },
	{ "tt", T_FMT },
	{ "u", T_FMT },
	{ "ul", T_SPECIAL | T_CLOSEP | T_ENDSCOPE | T_NORECON },
	{ "var", 0 },
	{ "wbr", T_SPECIAL | T_VOID },
	{ "xmp", T_SPECIAL | T_RAW | T_CLOSEP },
};

/* Names the model tests for, as small numbers. */
enum {
	K_NONE,
	K_A, K_ADDRESS, K_BUTTON, K_CAPTION, K_COLGROUP, K_DD, K_DIV, K_DT,
	K_HTML, K_LI, K_OL, K_OPTGROUP, K_OPTION, K_P, K_RB, K_RP, K_RT,
	K_RTC, K_RUBY, K_SELECT, K_TABLE, K_TBODY, K_TD, K_TEMPLATE, K_TFOOT,
	K_TH, K_THEAD, K_TR, K_UL
};

/* Their names, sorted for bsearch. */
static const struct {
	const char	*name;
	int		 kind;
} flatten_kinds[] = {
	{ "a", K_A },
	{ "address", K_ADDRESS },
	{ "button", K_BUTTON },
	{ "caption", K_CAPTION },
	{ "colgroup", K_COLGROUP },
	{ "dd", K_DD },
	{ "div", K_DIV },
	{ "dt", K_DT },
	{ "html", K_HTML },
	{ "li", K_LI },
	{ "ol", K_OL },
	{ "optgroup", K_OPTGROUP },
	{ "option", K_OPTION },
	{ "p", K_P },
	{ "rb", K_RB },
	{ "rp", K_RP },
	{ "rt", K_RT },
	{ "rtc", K_RTC },
	{ "ruby", K_RUBY },
	{ "select", K_SELECT },
	{ "table", K_TABLE },
	{ "tbody", K_TBODY },
	{ "td", K_TD },
	{ "template", K_TEMPLATE },
	{ "tfoot", K_TFOOT },
	{ "th", K_TH },
	{ "thead", K_THEAD },
	{ "tr", K_TR },
	{ "ul", K_UL },
};

/* One element of the modelled stack. */
struct flatten_ent {
	uint32_t	 h;		/* gumbo's tag enum */
	uint32_t	 nh;		/* hash of the name, for svg/MathML */
	uint32_t	 ah;		/* hash of the attributes as written */
	unsigned	 bits;
	int		 kind;		/* K_* */
	int		 foreign;	/* 0 (HTML), NS_SVG or NS_MATH */
	int		 inlist;	/* on the active formatting list */
	size_t		 mk;		/* markers on that list then */
};

/* A formatting element popped by something else: gumbo re-opens it. */
struct flatten_ling {
	struct flatten_ent	 e;
	size_t			 markers;	/* markers before it */
};

/* The first pass: its input, output and model of gumbo's stack. */
struct flatten {
	const char		*s;
	size_t			 len;
	size_t			 pos;
	struct buf		 out;
	int			 nofmt;		/* drop formatting elements */
	struct flatten_ent	 st[SANITIZE_MAXDEPTH];
	size_t			 n;
	struct flatten_ling	 ling[SANITIZE_MAXDEPTH];
	size_t			 nling;
	size_t			 markers;	/* on the formatting list */
	size_t			 nforeign;	/* svg or MathML entries */
	size_t			 ntemplate;	/* template entries */
	/* gumbo's form element pointer */
	int			 formptr;
};

/* One tag as the first pass reads it. */
struct flatten_tag {
	size_t		 start, end;	/* bytes of the whole tag */
	char		 name[32];	/* lower-cased; empty when longer */
	uint32_t	 h;		/* gumbo's tag enum */
	uint32_t	 nh;		/* hash of the whole lower-cased name */
	uint32_t	 ah;		/* hash of the attributes as written */
	unsigned	 bits;
	int		 kind;		/* K_* */
	int		 endtag;
	int		 selfclose;
	int		 htmlenc;	/* encoding="text/html" or xhtml */
};

/* Namespaces of foreign elements in the model. */
#define NS_SVG		1
#define NS_MATH		2

/* What the first pass does with a start tag. */
enum {
	FL_DROP,		/* leave it out of the input */
	FL_KEEP,		/* keep it */
	FL_RAW,			/* keep it, its text runs to its end tag */
	FL_PLAIN		/* keep it, the rest of the input is text */
};

/* Gumbo's allocations, all freed together; past the budget, longjmp. */
struct arena {
	struct arena_blk	*head;
	size_t			 used;
	size_t			 limit;
	int			 oom;	/* malloc failed, not merely over */
	jmp_buf			 jb;
};

/* The header in front of each arena allocation, aligned for any type. */
struct arena_blk {
	union {
		struct {
			struct arena_blk	*prev, *next;
			size_t			 size;
		}			 l;
		max_align_t		 align;
	}			 u;
};

/* The writer's walk: one open node per level, no recursion. */
struct walk_frame {
	const GumboNode	*node;
	unsigned	 next;		/* next child to visit */
	const char	*close;		/* end tag name to write, or NULL */
};

/* The writer: output, budget and the base for URLs. */
struct writer {
	struct buf	 b;
	size_t		 budget;	/* content bytes; end tags may pass */
	int		 full;
	int		 oom;
	const char	*base;
	size_t		 depth;		/* elements open in the output */
	size_t		 pre;		/* output length right after <pre> */
	const char	*open[SANITIZE_MAXDEPTH];	/* their names */
};

static unsigned	flatten_bits(const char *);

/* Whether C is ASCII white space as HTML counts it. */
static int
sanitize_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Whether C is an ASCII letter. */
static int
sanitize_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ASCII lower case, never the locale's. */
static int
sanitize_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Length of the valid UTF-8 sequence at S (at most LEFT bytes) with its code
 * point in *CP, or 0 when it is not valid (overlong, surrogate, truncated).
 */
static size_t
sanitize_utf8(const unsigned char *s, size_t left, uint32_t *cp)
{
	uint32_t	c = s[0];
	size_t		n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Bytes of the character at S that may stay in XML 1.0 output (0 when it
 * must go: invalid UTF-8, C0 controls but tab, LF and CR, U+FFFE, U+FFFF),
 * with the bytes to skip either way in *SKIP.
 */
static size_t
sanitize_xmlchar(const unsigned char *s, size_t left, size_t *skip)
{
	uint32_t	cp;
	size_t		n;

	if ((n = sanitize_utf8(s, left, &cp)) == 0) {
		*skip = 1;
		return 0;
	}
	*skip = n;
	if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/* Copies S without the characters XML 1.0 forbids.  Caller frees. */
static char *
sanitize_xmlclean(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), i = 0, o = 0, skip, n;
	char			*out;

	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	while (i < len) {
		n = sanitize_xmlchar(p + i, len - i, &skip);
		memcpy(out + o, p + i, n);
		o += n;
		i += skip;
	}
	out[o] = '\0';
	return out;
}

/* Comparison for bsearch over a sorted table of names. */
static int
sanitize_namecmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/*
 * Reduces URL in place to what a browser's URL parser reads: leading and
 * trailing C0 controls and spaces stripped, tab, LF and CR removed anywhere
 * (so "java\tscript:" is "javascript:").
 */
static void
sanitize_urlclean(char *url)
{
	unsigned char	*p = (unsigned char *)url;
	size_t		 len = strlen(url), i, o, start = 0;

	while (start < len && p[start] <= 0x20)
		start++;
	while (len > start && p[len - 1] <= 0x20)
		len--;
	for (i = start, o = 0; i < len; i++)
		if (p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			p[o++] = p[i];
	p[o] = '\0';
}

/* Room for the longest scheme we allow, and its NUL. */
#define SANITIZE_SCHEME_MAX	16

/*
 * The scheme of a cleaned URL as the URL standard reads it, lower-cased into
 * BUF: 1 when there is one, 0 when the URL is relative, -1 when the scheme
 * is too long for BUF (and so not one we allow).
 */
static int
sanitize_scheme(const char *url, char *buf, size_t size)
{
	size_t	i;

	if (!sanitize_alpha((unsigned char)url[0]))
		return 0;
	for (i = 0; url[i] != ':'; i++) {
		if (url[i] == '\0')
			return 0;
		if (!sanitize_alpha((unsigned char)url[i]) &&
		    !(url[i] >= '0' && url[i] <= '9') && url[i] != '+' &&
		    url[i] != '-' && url[i] != '.')
			return 0;
		/* Read on: a long name with no colon is a relative path. */
		if (i + 1 < size)
			buf[i] = (char)sanitize_lower((unsigned char)url[i]);
	}
	if (i + 1 > size)
		return -1;
	buf[i] = '\0';
	return 1;
}

/* 1 when the cleaned URL is relative or its scheme is on the list. */
static int
sanitize_scheme_ok(const char *url)
{
	char	scheme[SANITIZE_SCHEME_MAX];
	int	r;

	if ((r = sanitize_scheme(url, scheme, sizeof scheme)) == 0)
		return 1;
	if (r == -1)
		return 0;
	if (strcmp(scheme, "feed") == 0) {
		/*
		 * feed: wraps the feed's own URL, and browsers that handled it
		 * ran what it wrapped (feed:javascript:...): only http(s) or
		 * no scheme at all (feed://host/...) may follow.
		 */
		url += strlen("feed:");
		if ((r = sanitize_scheme(url, scheme, sizeof scheme)) == 0)
			return 1;
		return r == 1 && (strcmp(scheme, "http") == 0 ||
		    strcmp(scheme, "https") == 0);
	}
	return bsearch(scheme, sanitize_schemes, sizeof sanitize_schemes /
	    sizeof sanitize_schemes[0], sizeof sanitize_schemes[0],
	    sanitize_namecmp) != NULL;
}

/*
 * 1 when the cleaned URL passes as it is and with every control and space
 * taken out.  No browser today reads "vb script:" as a scheme, but older
 * engines and some readers' own URL code skipped such bytes inside it.
 * Only the start is squeezed: what decides is at most "feed:" and two
 * schemes, and a longer one fails anyway.
 */
static int
sanitize_cleanurl_ok(const char *url)
{
	char	sq[2 * SANITIZE_SCHEME_MAX + 8];
	size_t	i, o;

	if (!sanitize_scheme_ok(url))
		return 0;
	for (i = o = 0; url[i] != '\0' && o + 1 < sizeof sq; i++)
		if ((unsigned char)url[i] > 0x20 && url[i] != 0x7f)
			sq[o++] = url[i];
	/* Nothing taken out: the same start, already checked. */
	if (o == i)
		return 1;
	sq[o] = '\0';
	return sanitize_scheme_ok(sq);
}

int
sanitize_url_ok(const char *url)
{
	char	*s;
	int	 ok;

	if (url == NULL || (s = sanitize_xmlclean(url)) == NULL)
		return 0;
	sanitize_urlclean(s);
	ok = sanitize_cleanurl_ok(s);
	free(s);
	return ok;
}

/*
 * The length of a bare tag at P ("<name>" or "</name>", the name letters
 * and digits only) whose name gumbo does not know, so that a browser
 * builds an inert unknown element of it; else 0.
 */
static size_t
sanitize_inert_tag(const char *p)
{
	size_t	i = 1, n;
	char	name[32];

	if (p[i] == '/')
		i++;
	for (n = 0; sanitize_alpha((unsigned char)p[i + n]) ||
	    (n > 0 && p[i + n] >= '0' && p[i + n] <= '9'); n++)
		if (n + 1 >= sizeof name)
			return 0;
	if (n == 0 || p[i + n] != '>')
		return 0;
	for (size_t k = 0; k < n; k++)
		name[k] = (char)sanitize_lower((unsigned char)p[i + k]);
	name[n] = '\0';
	if (gumbo_tagn_enum(name, (unsigned)n) != GUMBO_TAG_UNKNOWN)
		return 0;
	return i + n + 1;
}

void
sanitize_inert(struct buf *out, const char *text)
{
	const char	*p, *run;
	size_t		 n;

	if (text == NULL)
		return;
	for (p = run = text; *p != '\0'; p++) {
		if (*p != '<')
			continue;
		/* Only these open a tag, end tag, comment or declaration. */
		if (!sanitize_alpha((unsigned char)p[1]) && p[1] != '/' &&
		    p[1] != '!' && p[1] != '?')
			continue;
		if ((n = sanitize_inert_tag(p)) > 0) {
			p += n - 1;
			continue;
		}
		buf_add(out, run, (size_t)(p + 1 - run));
		buf_puts(out, "\xe2\x81\xa0");	/* U+2060 */
		run = p + 1;
	}
	buf_add(out, run, (size_t)(p - run));
}

/*
 * The attribute value VALUE as a URL we may write: cleaned, checked,
 * resolved against BASE and checked again (BASE may carry any scheme).
 * NULL when it must be dropped, or with *OOM set when out of memory.
 * Caller frees.
 */
static char *
sanitize_url(const char *value, const char *base, int *oom)
{
	char	*url, *abs;

	if ((url = sanitize_xmlclean(value)) == NULL) {
		*oom = 1;
		return NULL;
	}
	sanitize_urlclean(url);
	if (!sanitize_cleanurl_ok(url)) {
		free(url);
		return NULL;
	}
	if (base == NULL)
		return url;
	abs = uri_resolve(base, url);
	free(url);
	if (abs == NULL) {
		*oom = 1;
		return NULL;
	}
	if ((url = sanitize_xmlclean(abs)) == NULL) {
		free(abs);
		*oom = 1;
		return NULL;
	}
	free(abs);
	sanitize_urlclean(url);
	if (!sanitize_cleanurl_ok(url)) {
		free(url);
		return NULL;
	}
	return url;
}

/* CSS properties a style attribute may set, sorted for bsearch. */
static const char *const sanitize_css_props[] = {
	"azimuth", "background-color", "border-bottom-color",
	"border-collapse", "border-color", "border-left-color",
	"border-right-color", "border-top-color", "clear", "color", "cursor",
	"direction", "display", "elevation", "float", "font", "font-family",
	"font-size", "font-style", "font-variant", "font-weight", "height",
	"letter-spacing", "line-height", "overflow", "pause", "pause-after",
	"pause-before", "pitch", "pitch-range", "richness", "speak",
	"speak-header", "speak-numeral", "speak-punctuation", "speech-rate",
	"stress", "text-align", "text-decoration", "text-indent",
	"unicode-bidi", "vertical-align", "voice-family", "volume",
	"white-space", "width",
};

/* Keywords the box shorthands (background, border, margin, padding) take. */
static const char *const sanitize_css_words[] = {
	"!important", "aqua", "auto", "black", "block", "blue", "bold", "both",
	"bottom", "brown", "center", "collapse", "dashed", "dotted", "fuchsia",
	"gray", "green", "italic", "left", "lime", "maroon", "medium", "navy",
	"none", "normal", "nowrap", "olive", "pointer", "purple", "red",
	"right", "silver", "solid", "teal", "top", "transparent", "underline",
	"white", "yellow",
};

/* Units a length in a box shorthand may carry. */
static const char *const sanitize_css_units[] = {
	"%", "cm", "em", "ex", "in", "mm", "pc", "pt", "px",
};

/*
 * Length of the run of CSS value at S that the strict pattern allows, up to
 * N bytes: letters, digits, white space, # % . , ! - _, quoted strings of
 * letters, digits, spaces, - and _, and rgb()/rgba()/hsl()/hsla() holding
 * only numbers.  No backslash, slash, star, at, colon, semicolon, brace,
 * angle bracket, ampersand or any other parenthesis can pass, so no url(),
 * expression(), escape, comment or at-rule.
 */
static size_t
sanitize_css_span(const char *s, size_t n)
{
	static const char *const fn[] = { "rgb(", "rgba(", "hsl(", "hsla(" };
	size_t	i = 0, j, k, fl;
	int	c, q;

	while (i < n) {
		c = (unsigned char)s[i];
		if (sanitize_alpha(c)) {
			/* A colour function: numbers only, then ')'. */
			for (k = 0; k < sizeof fn / sizeof fn[0]; k++) {
				fl = strlen(fn[k]);
				if (n - i >= fl && strncasecmp(s + i, fn[k],
				    fl) == 0)
					break;
			}
			if (k < sizeof fn / sizeof fn[0]) {
				for (j = i + fl; j < n && (strchr("0123456789"
				    " .,%", s[j]) != NULL && s[j] != '\0'); j++)
					;
				if (j >= n || s[j] != ')')
					return i;
				i = j + 1;
				continue;
			}
			i++;
			continue;
		}
		if ((c >= '0' && c <= '9') || sanitize_space(c) ||
		    (c != '\0' && strchr("#%.,!-_", c) != NULL)) {
			i++;
			continue;
		}
		if (c == '\'' || c == '"') {
			q = c;
			for (j = i + 1; j < n && s[j] != q; j++)
				if (!sanitize_alpha((unsigned char)s[j]) &&
				    !(s[j] >= '0' && s[j] <= '9') &&
				    s[j] != ' ' && s[j] != '-' && s[j] != '_')
					return i;
			if (j >= n)
				return i;
			i = j + 1;
			continue;
		}
		return i;
	}
	return i;
}

/* Comparison for bsearch of a NUL-terminated key among names. */
static int
sanitize_casecmp(const void *key, const void *elem)
{
	return strcasecmp(key, *(const char *const *)elem);
}

/*
 * 1 when the N bytes at S are one word a box shorthand may hold: a listed
 * keyword, a #hex colour, a length, or a piece of rgb(n, n, n).
 */
static int
sanitize_css_word(const char *s, size_t n)
{
	char	w[32];
	size_t	i = 0, k, ul;
	int	digits = 0, fdigits = 0;

	if (n == 0 || n >= sizeof w)
		return 0;
	memcpy(w, s, n);
	w[n] = '\0';
	if (bsearch(w, sanitize_css_words, sizeof sanitize_css_words /
	    sizeof sanitize_css_words[0], sizeof sanitize_css_words[0],
	    sanitize_casecmp) != NULL)
		return 1;
	if (w[0] == '#') {
		for (i = 1; i < n; i++)
			if (strchr("0123456789abcdefABCDEF", w[i]) == NULL)
				return 0;
		return n > 1;
	}
	if (n > 4 && strncasecmp(w, "rgb(", 4) == 0)
		i = 4;
	/*
	 * No sign and at most three digits a side: a box pushed far out or
	 * pulled over the page around it is how a fragment spoofs its host.
	 */
	while (i < n && w[i] >= '0' && w[i] <= '9' && digits < 4) {
		digits++;
		i++;
	}
	if (i < n && w[i] == '.')
		for (i++, fdigits = 0; i < n && w[i] >= '0' && w[i] <= '9' &&
		    fdigits < 4; i++)
			fdigits++;
	if ((digits == 0 && fdigits == 0) || digits > 3 || fdigits > 3)
		return 0;
	for (k = 0; k < sizeof sanitize_css_units / sizeof
	    sanitize_css_units[0]; k++) {
		ul = strlen(sanitize_css_units[k]);
		if (n - i >= ul && strncasecmp(w + i, sanitize_css_units[k],
		    ul) == 0) {
			i += ul;
			break;
		}
	}
	while (i < n && (w[i] == ',' || w[i] == ')'))
		i++;
	return i == n;
}

/*
 * One declaration NAME: VALUE (NLEN and VLEN bytes) checked: the property
 * on the list, or a background, border, margin or padding property whose
 * every word passes sanitize_css_word.
 */
static int
sanitize_css_decl(const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	static const char *const box[] = { "background", "border", "margin",
	    "padding" };
	char	n[32];
	size_t	i, k, bl, w;

	if (nlen == 0 || nlen >= sizeof n)
		return 0;
	memcpy(n, name, nlen);
	n[nlen] = '\0';
	if (bsearch(n, sanitize_css_props, sizeof sanitize_css_props /
	    sizeof sanitize_css_props[0], sizeof sanitize_css_props[0],
	    sanitize_casecmp) != NULL)
		return 1;
	for (k = 0; k < sizeof box / sizeof box[0]; k++) {
		bl = strlen(box[k]);
		if (strncasecmp(n, box[k], bl) == 0 && (n[bl] == '\0' ||
		    n[bl] == '-'))
			break;
	}
	if (k == sizeof box / sizeof box[0])
		return 0;
	for (i = 0; i < vlen; i = w) {
		while (i < vlen && sanitize_space((unsigned char)value[i]))
			i++;
		for (w = i; w < vlen && !sanitize_space((unsigned char)
		    value[w]); w++)
			;
		if (w > i && !sanitize_css_word(value + i, w - i))
			return 0;
	}
	return 1;
}

/*
 * The style attribute VALUE with only the declarations that pass: each
 * written "name: value;" from the pieces that matched, so nothing of the
 * input's own punctuation survives.  Empty when none is left, NULL when out
 * of memory.  Caller frees.
 */
static char *
sanitize_css(const char *value)
{
	struct buf	 out;
	const char	*p = value, *d, *end, *name, *v;
	size_t		 nlen, vlen;

	buf_init(&out, SIZE_MAX / 2);
	while (*p != '\0') {
		d = p;
		if ((end = strchr(d, ';')) == NULL)
			end = d + strlen(d);
		p = *end == ';' ? end + 1 : end;
		while (d < end && sanitize_space((unsigned char)*d))
			d++;
		name = d;
		while (d < end && (sanitize_alpha((unsigned char)*d) ||
		    *d == '-'))
			d++;
		nlen = d - name;
		while (d < end && sanitize_space((unsigned char)*d))
			d++;
		if (nlen == 0 || d == end || *d != ':')
			continue;
		d++;
		while (d < end && sanitize_space((unsigned char)*d))
			d++;
		v = d;
		vlen = end - v;
		if (vlen == 0 || sanitize_css_span(v, vlen) != vlen ||
		    !sanitize_css_decl(name, nlen, v, vlen))
			continue;
		if (out.len > 0)
			buf_add(&out, " ", 1);
		buf_add(&out, name, nlen);
		buf_add(&out, ": ", 2);
		buf_add(&out, v, vlen);
		buf_add(&out, ";", 1);
	}
	return buf_release(&out, NULL);
}

/* Writes N bytes of S unless the content budget is spent. */
static void
writer_add(struct writer *w, const char *s, size_t n)
{
	if (w->full)
		return;
	if (w->b.len + n > w->budget) {
		w->full = 1;
		return;
	}
	buf_add(&w->b, s, n);
}

/*
 * The reference to write for the marker at S (4 bytes) that stands for an
 * ampersand the publisher wrote as a numeric reference, or NULL.
 */
static const char *
sanitize_ampmark(const unsigned char *s)
{
	if (s[0] != 0xf4 || s[1] != 0x8f || s[2] != 0xbc)
		return NULL;
	if (s[3] == SANITIZE_AMP_DEC)
		return "&#38;";
	if (s[3] == SANITIZE_AMP_HEX)
		return "&#x26;";
	return NULL;
}

/*
 * Copies S with the ampersand markers made ampersands again, for values
 * that are read as URLs or CSS rather than written back.  Caller frees.
 */
static char *
sanitize_unmark(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, o = 0, len = strlen(s);
	char			*out;

	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (i + 3 < len && sanitize_ampmark(p + i) != NULL) {
			out[o++] = '&';
			i += 3;
			continue;
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/*
 * Eight bytes at a time: most of an entry's text is plain ASCII that the
 * byte loops below only step over, so they skip whole words of it first.
 * As booleans these are exact: whether any byte of V is zero, is C, is
 * below N (N at most 128), or has its high bit set.
 */
#define SW_ONES		0x0101010101010101ULL
#define SW_HIGHS	0x8080808080808080ULL

static inline uint64_t
sw_load(const unsigned char *p)
{
	uint64_t	v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline int
sw_zero(uint64_t v)
{
	return ((v - SW_ONES) & ~v & SW_HIGHS) != 0;
}

static inline int
sw_has(uint64_t v, unsigned char c)
{
	return sw_zero(v ^ (SW_ONES * c));
}

static inline int
sw_below(uint64_t v, unsigned char n)
{
	return ((v - SW_ONES * n) & ~v & SW_HIGHS) != 0;
}

/*
 * Bytes that writer_escape_n copies without a look: printable ASCII but
 * & < > (1: in text) and but & < > " (2: in attribute values).
 */
static const unsigned char sanitize_plain[256] = {
	[' '] = 3, ['!'] = 3, ['"'] = 1, ['#'] = 3, ['$'] = 3, ['%'] = 3,
	['\''] = 3, ['('] = 3, [')'] = 3, ['*'] = 3, ['+'] = 3, [','] = 3,
	['-'] = 3, ['.'] = 3, ['/'] = 3, ['0'] = 3, ['1'] = 3, ['2'] = 3,
	['3'] = 3, ['4'] = 3, ['5'] = 3, ['6'] = 3, ['7'] = 3, ['8'] = 3,
	['9'] = 3, [':'] = 3, [';'] = 3, ['='] = 3, ['?'] = 3, ['@'] = 3,
	['A'] = 3, ['B'] = 3, ['C'] = 3, ['D'] = 3, ['E'] = 3, ['F'] = 3,
	['G'] = 3, ['H'] = 3, ['I'] = 3, ['J'] = 3, ['K'] = 3, ['L'] = 3,
	['M'] = 3, ['N'] = 3, ['O'] = 3, ['P'] = 3, ['Q'] = 3, ['R'] = 3,
	['S'] = 3, ['T'] = 3, ['U'] = 3, ['V'] = 3, ['W'] = 3, ['X'] = 3,
	['Y'] = 3, ['Z'] = 3, ['['] = 3, ['\\'] = 3, [']'] = 3, ['^'] = 3,
	['_'] = 3, ['`'] = 3, ['a'] = 3, ['b'] = 3, ['c'] = 3, ['d'] = 3,
	['e'] = 3, ['f'] = 3, ['g'] = 3, ['h'] = 3, ['i'] = 3, ['j'] = 3,
	['k'] = 3, ['l'] = 3, ['m'] = 3, ['n'] = 3, ['o'] = 3, ['p'] = 3,
	['q'] = 3, ['r'] = 3, ['s'] = 3, ['t'] = 3, ['u'] = 3, ['v'] = 3,
	['w'] = 3, ['x'] = 3, ['y'] = 3, ['z'] = 3, ['{'] = 3, ['|'] = 3,
	['}'] = 3, ['~'] = 3,
};

/*
 * Writes S escaped for text (& < > CR) or, with ATTR, for a double-quoted
 * attribute value (& < > " CR), without the characters XML 1.0 forbids.
 */
static void
writer_escape_n(struct writer *w, const char *s, size_t len, int attr)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, run = 0, n, skip;
	const char		*esc;
	char			 ref[12];
	uint32_t		 cp;

	while (i < len) {
		/* Plain printable ASCII is most of it: no decoding. */
		if (sanitize_plain[p[i]] & (attr ? 2 : 1)) {
			i++;
			/* Eight with nothing to escape or check at once. */
			while (i + 8 <= len) {
				uint64_t v = sw_load(p + i);

				if ((v & SW_HIGHS) || sw_below(v, 0x20) ||
				    sw_has(v, '&') || sw_has(v, '<') ||
				    sw_has(v, '>') || sw_has(v, '"') ||
				    sw_has(v, 0x7f))
					break;
				i += 8;
			}
			continue;
		}
		esc = NULL;
		n = sanitize_xmlchar(p + i, len - i, &skip);
		if (n == 1) {
			if (p[i] == '&')
				esc = "&amp;";
			else if (p[i] == '<')
				esc = "&lt;";
			else if (p[i] == '>')
				esc = "&gt;";
			else if (p[i] == '"' && attr)
				esc = "&quot;";
			else if (p[i] == '\r')
				/* Raw, a parser would read it as "\n". */
				esc = "&#13;";
			else if (p[i] == 0x7f)
				esc = "&#127;";
		} else if (n == 0)
			esc = "";
		else if (n == 4 && sanitize_ampmark(p + i) != NULL)
			esc = sanitize_ampmark(p + i);
		else if (sanitize_utf8(p + i, len - i, &cp) != 0 &&
		    ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0xfdd0 &&
		    cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)) {
			/*
			 * Raw, a parser reads U+FFFD: only a reference stays.
			 */
			snprintf(ref, sizeof ref, "&#x%X;", (unsigned)cp);
			esc = ref;
		}
		if (esc == NULL) {
			i += skip;
			continue;
		}
		writer_add(w, s + run, i - run);
		writer_add(w, esc, strlen(esc));
		i += skip;
		run = i;
	}
	writer_add(w, s + run, i - run);
}

/* As writer_escape_n for a string. */
static void
writer_escape(struct writer *w, const char *s, int attr)
{
	writer_escape_n(w, s, strlen(s), attr);
}

/* Writes name="value" with a leading space. */
static void
writer_attr(struct writer *w, const char *name, const char *value)
{
	writer_add(w, " ", 1);
	writer_add(w, name, strlen(name));
	writer_add(w, "=\"", 2);
	writer_escape(w, value, 1);
	writer_add(w, "\"", 1);
}

/*
 * The srcset VALUE with every candidate's URL made safe as sanitize_url
 * does; candidates with a bad URL or odd descriptors are left out.  Empty
 * when none is left, NULL when out of memory.  Caller frees.
 */
static char *
writer_srcset(struct writer *w, const char *value)
{
	struct buf	 out;
	const char	*p = value, *u, *d;
	size_t		 ulen, dlen, i;
	char		*url, *safe;
	int		 ok, space;

	buf_init(&out, SIZE_MAX / 2);
	for (;;) {
		while (sanitize_space((unsigned char)*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		u = p;
		while (*p != '\0' && !sanitize_space((unsigned char)*p))
			p++;
		ulen = p - u;
		d = p;
		if (u[ulen - 1] == ',') {
			while (ulen > 0 && u[ulen - 1] == ',')
				ulen--;
			dlen = 0;
		} else {
			/* Descriptors: only the plain "100w" / "1.5x" kind. */
			while (*p != '\0' && *p != ',')
				p++;
			dlen = p - d;
		}
		ok = ulen > 0;
		for (i = 0; ok && i < dlen; i++)
			if (!sanitize_space((unsigned char)d[i]) &&
			    !sanitize_alpha((unsigned char)d[i]) &&
			    !(d[i] >= '0' && d[i] <= '9') && d[i] != '.' &&
			    d[i] != '+' && d[i] != '-')
				ok = 0;
		if (!ok)
			continue;
		if ((url = strndup(u, ulen)) == NULL) {
			buf_free(&out);
			return NULL;
		}
		safe = sanitize_url(url, w->base, &w->oom);
		free(url);
		if (safe == NULL) {
			if (w->oom) {
				buf_free(&out);
				return NULL;
			}
			continue;
		}
		/* A resolved URL must still read back as one candidate. */
		for (i = 0; safe[i] != '\0'; i++)
			if (sanitize_space((unsigned char)safe[i]))
				break;
		if (safe[i] != '\0' || safe[0] == '\0' || safe[0] == ',' ||
		    safe[i - 1] == ',') {
			free(safe);
			continue;
		}
		if (out.len > 0)
			buf_add(&out, ", ", 2);
		buf_puts(&out, safe);
		free(safe);
		space = 1;
		for (i = 0; i < dlen; i++) {
			if (sanitize_space((unsigned char)d[i])) {
				space = 1;
				continue;
			}
			if (space)
				buf_add(&out, " ", 1);
			buf_add(&out, d + i, 1);
			space = 0;
		}
	}
	if ((safe = buf_release(&out, NULL)) == NULL)
		w->oom = 1;
	return safe;
}

/* Writes attribute NAME="VALUE" (both decoded) if allowed, made safe. */
static void
writer_attr_one(struct writer *w, const char *name, const char *value)
{
	char			*v, *u;
	size_t			 lo, hi, mid;
	int			 c, kind;

	kind = -1;
	lo = 0;
	hi = sizeof sanitize_attrs / sizeof sanitize_attrs[0];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, sanitize_attrs[mid].name)) == 0) {
			kind = sanitize_attrs[mid].kind;
			break;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (kind == -1 && strncmp(name, "aria-", 5) == 0 &&
	    name[5] != '\0' && strspn(name + 5,
	    "abcdefghijklmnopqrstuvwxyz-") == strlen(name + 5))
		kind = AT_TEXT;
	switch (kind) {
	case AT_TEXT:
		writer_attr(w, name, value);
		break;
	case AT_URL:
		if ((u = sanitize_unmark(value)) == NULL) {
			w->oom = 1;
			break;
		}
		if ((v = sanitize_url(u, w->base, &w->oom)) != NULL) {
			writer_attr(w, name, v);
			free(v);
		}
		free(u);
		break;
	case AT_SRCSET:
		if ((u = sanitize_unmark(value)) == NULL) {
			w->oom = 1;
			break;
		}
		if ((v = writer_srcset(w, u)) != NULL && *v != '\0')
			writer_attr(w, name, v);
		free(v);
		free(u);
		break;
	case AT_STYLE:
		/* Markers are not ASCII: the CSS filter drops them. */
		if ((v = sanitize_css(value)) == NULL) {
			w->oom = 1;
			break;
		}
		if (*v != '\0')
			writer_attr(w, name, v);
		free(v);
		break;
	default:
		break;
	}
}

/* Writes the attributes of element E that are allowed, made safe. */
static void
writer_attrs(struct writer *w, const GumboElement *e)
{
	const GumboAttribute	*a;
	unsigned		 i;

	for (i = 0; i < e->attributes.length && !w->oom; i++) {
		a = e->attributes.data[i];
		if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_NONE)
			writer_attr_one(w, a->name, a->value);
	}
}

/*
 * The name of element E that gumbo 0.10 does not know when it is one we keep
 * (newer HTML, or inert names feedparser keeps), else NULL.
 */
static const char *
writer_unknown(const GumboElement *e)
{
	static const char *const keep[] = { "datagrid", "dialog",
	    "event-source", "m", "picture", "sound" };
	GumboStringPiece	name = e->original_tag;
	size_t			i;

	gumbo_tag_from_original_text(&name);
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (name.length == strlen(keep[i]) &&
		    strncasecmp(name.data, keep[i], name.length) == 0)
			return keep[i];
	return NULL;
}

/* What to do with element node N, per the element allowlist. */
static int
writer_class(const GumboNode *n)
{
	const GumboElement	*e = &n->v.element;

	if (n->type == GUMBO_NODE_TEMPLATE)
		return EL_DROP;
	/* Anything svg or MathML is dropped whole, whatever its name. */
	if (e->tag_namespace != GUMBO_NAMESPACE_HTML)
		return EL_DROP;
	switch (e->tag) {
	case GUMBO_TAG_A:
	case GUMBO_TAG_ABBR:
	case GUMBO_TAG_ACRONYM:
	case GUMBO_TAG_ADDRESS:
	case GUMBO_TAG_ARTICLE:
	case GUMBO_TAG_ASIDE:
	case GUMBO_TAG_AUDIO:
	case GUMBO_TAG_B:
	case GUMBO_TAG_BDI:
	case GUMBO_TAG_BDO:
	case GUMBO_TAG_BIG:
	case GUMBO_TAG_BLOCKQUOTE:
	case GUMBO_TAG_CAPTION:
	case GUMBO_TAG_CENTER:
	case GUMBO_TAG_CITE:
	case GUMBO_TAG_CODE:
	case GUMBO_TAG_COLGROUP:
	case GUMBO_TAG_DD:
	case GUMBO_TAG_DEL:
	case GUMBO_TAG_DETAILS:
	case GUMBO_TAG_DFN:
	case GUMBO_TAG_DIV:
	case GUMBO_TAG_DL:
	case GUMBO_TAG_DT:
	case GUMBO_TAG_EM:
	case GUMBO_TAG_FIGCAPTION:
	case GUMBO_TAG_FIGURE:
	case GUMBO_TAG_FONT:
	case GUMBO_TAG_FOOTER:
	case GUMBO_TAG_H1:
	case GUMBO_TAG_H2:
	case GUMBO_TAG_H3:
	case GUMBO_TAG_H4:
	case GUMBO_TAG_H5:
	case GUMBO_TAG_H6:
	case GUMBO_TAG_HEADER:
	case GUMBO_TAG_I:
	case GUMBO_TAG_INS:
	case GUMBO_TAG_KBD:
	case GUMBO_TAG_LI:
	case GUMBO_TAG_MAIN:
	case GUMBO_TAG_MARK:
	case GUMBO_TAG_NAV:
	case GUMBO_TAG_OL:
	case GUMBO_TAG_P:
	case GUMBO_TAG_PRE:
	case GUMBO_TAG_Q:
	case GUMBO_TAG_RB:
	case GUMBO_TAG_RP:
	case GUMBO_TAG_RT:
	case GUMBO_TAG_RTC:
	case GUMBO_TAG_RUBY:
	case GUMBO_TAG_S:
	case GUMBO_TAG_SAMP:
	case GUMBO_TAG_SECTION:
	case GUMBO_TAG_SMALL:
	case GUMBO_TAG_SPAN:
	case GUMBO_TAG_STRIKE:
	case GUMBO_TAG_STRONG:
	case GUMBO_TAG_SUB:
	case GUMBO_TAG_SUMMARY:
	case GUMBO_TAG_SUP:
	case GUMBO_TAG_TABLE:
	case GUMBO_TAG_TBODY:
	case GUMBO_TAG_TD:
	case GUMBO_TAG_TFOOT:
	case GUMBO_TAG_TH:
	case GUMBO_TAG_THEAD:
	case GUMBO_TAG_TIME:
	case GUMBO_TAG_TR:
	case GUMBO_TAG_TT:
	case GUMBO_TAG_U:
	case GUMBO_TAG_UL:
	case GUMBO_TAG_VAR:
	case GUMBO_TAG_VIDEO:
	/* Inert: with no form, action or formaction nothing is sent. */
	case GUMBO_TAG_BUTTON:
	case GUMBO_TAG_CANVAS:
	case GUMBO_TAG_DATALIST:
	case GUMBO_TAG_DIR:
	case GUMBO_TAG_FIELDSET:
	case GUMBO_TAG_LABEL:
	case GUMBO_TAG_LEGEND:
	case GUMBO_TAG_MAP:
	case GUMBO_TAG_MENU:
	case GUMBO_TAG_METER:
	case GUMBO_TAG_MULTICOL:
	case GUMBO_TAG_NEXTID:
	case GUMBO_TAG_OPTGROUP:
	case GUMBO_TAG_OPTION:
	case GUMBO_TAG_OUTPUT:
	case GUMBO_TAG_PROGRESS:
	case GUMBO_TAG_SELECT:
	case GUMBO_TAG_SPACER:
	case GUMBO_TAG_TEXTAREA:
		return EL_KEEP;
	case GUMBO_TAG_BR:
	case GUMBO_TAG_COL:
	case GUMBO_TAG_HR:
	case GUMBO_TAG_IMG:
	case GUMBO_TAG_SOURCE:
	case GUMBO_TAG_TRACK:
	case GUMBO_TAG_WBR:
	case GUMBO_TAG_AREA:
	case GUMBO_TAG_INPUT:
	case GUMBO_TAG_KEYGEN:
		return EL_VOID;
	case GUMBO_TAG_OBJECT:
		/* Its content is ordinary fallback markup; the tag goes. */
		return EL_UNWRAP;
	case GUMBO_TAG_APPLET:
	case GUMBO_TAG_BASE:
	case GUMBO_TAG_BASEFONT:
	case GUMBO_TAG_BGSOUND:
	case GUMBO_TAG_EMBED:
	case GUMBO_TAG_FORM:
	case GUMBO_TAG_FRAME:
	case GUMBO_TAG_FRAMESET:
	case GUMBO_TAG_HEAD:
	case GUMBO_TAG_IFRAME:
	case GUMBO_TAG_ISINDEX:
	case GUMBO_TAG_LINK:
	case GUMBO_TAG_MATH:
	case GUMBO_TAG_MENUITEM:
	case GUMBO_TAG_META:
	case GUMBO_TAG_NOEMBED:
	case GUMBO_TAG_NOFRAMES:
	case GUMBO_TAG_NOSCRIPT:
	case GUMBO_TAG_PARAM:
	case GUMBO_TAG_SCRIPT:
	case GUMBO_TAG_STYLE:
	case GUMBO_TAG_SVG:
	case GUMBO_TAG_TEMPLATE:
	case GUMBO_TAG_TITLE:
		return EL_DROP;
	case GUMBO_TAG_UNKNOWN:
		/* Newer than gumbo 0.10: only the name tells. */
		return writer_unknown(e) != NULL ? EL_KEEP : EL_UNWRAP;
	default:
		return EL_UNWRAP;
	}
}

/* The name to write for a kept element. */
static const char *
writer_name(const GumboElement *e)
{
	if (e->tag == GUMBO_TAG_UNKNOWN)
		return writer_unknown(e);
	return gumbo_normalized_tagname(e->tag);
}

/*
 * Opens element N if it is allowed and the output is not too deep yet;
 * returns the end tag name to write later, or NULL when none.
 */
static const char *
writer_open(struct writer *w, const GumboNode *n, int class)
{
	const GumboElement	*e = &n->v.element;
	const char		*name;

	/* Deeper than we nest, elements are flattened to their content. */
	if (w->depth >= SANITIZE_MAXDEPTH)
		return NULL;
	name = writer_name(e);
	writer_add(w, "<", 1);
	writer_add(w, name, strlen(name));
	writer_attrs(w, e);
	if (class == EL_VOID) {
		writer_add(w, " />", 3);
		return NULL;
	}
	writer_add(w, ">", 1);
	if (e->tag == GUMBO_TAG_PRE || e->tag == GUMBO_TAG_TEXTAREA)
		w->pre = w->b.len;
	w->open[w->depth++] = name;
	return name;
}

/* Whether table part NAME may be written right inside PARENT. */
static int
writer_table_parent(const char *name, const char *parent)
{
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
		return strcmp(parent, "tr") == 0;
	if (strcmp(name, "tr") == 0)
		return strcmp(parent, "tbody") == 0 ||
		    strcmp(parent, "thead") == 0 ||
		    strcmp(parent, "tfoot") == 0 ||
		    strcmp(parent, "table") == 0;
	if (strcmp(name, "col") == 0)
		return strcmp(parent, "colgroup") == 0 ||
		    strcmp(parent, "table") == 0;
	return strcmp(parent, "table") == 0;
}

/*
 * Whether a start tag NAME written now would make a parser close one of
 * the elements open in the output: a tree never nests so, but an element
 * we unwrapped (object, say) may have stood between them in the input.
 * Such an element is unwrapped too, so that what we write parses back to
 * what we wrote.  The scans follow the spec's scopes; all are bounded by
 * SANITIZE_MAXDEPTH.
 */
static int
writer_misnests(const struct writer *w, const char *name)
{
	unsigned	 bits = flatten_bits(name), ob;
	const char	*o;
	int		 li = strcmp(name, "li") == 0;
	int		 di = strcmp(name, "dd") == 0 ||
			    strcmp(name, "dt") == 0;
	int		 same = strcmp(name, "a") == 0 ||
			    strcmp(name, "nobr") == 0 ||
			    strcmp(name, "button") == 0;

	if ((bits & T_HEADING) && w->depth > 0 &&
	    (flatten_bits(w->open[w->depth - 1]) & T_HEADING))
		return 1;
	/* Right inside a table, anything but a table part would move out. */
	if (!(bits & T_TABLE) && w->depth > 0 &&
	    (strcmp(w->open[w->depth - 1], "table") == 0 ||
	    strcmp(w->open[w->depth - 1], "tbody") == 0 ||
	    strcmp(w->open[w->depth - 1], "thead") == 0 ||
	    strcmp(w->open[w->depth - 1], "tfoot") == 0 ||
	    strcmp(w->open[w->depth - 1], "tr") == 0))
		return 1;
	/* A table part outside its parent would be ignored. */
	if (bits & T_TABLE)
		return !writer_table_parent(name, w->depth > 0 ?
		    w->open[w->depth - 1] : "");
	/* An open option ends at the next option or optgroup. */
	if ((strcmp(name, "option") == 0 || strcmp(name, "optgroup") == 0) &&
	    w->depth > 0 && strcmp(w->open[w->depth - 1], "option") == 0)
		return 1;
	/* Ruby parts end the open parts (and p, li ...) of their ruby. */
	if (strcmp(name, "rb") == 0 || strcmp(name, "rtc") == 0 ||
	    strcmp(name, "rp") == 0 || strcmp(name, "rt") == 0) {
		static const char *const implied[] = { "dd", "dt", "li",
		    "optgroup", "option", "p", "rb", "rp", "rt", "rtc" };
		int	ends = 0;

		o = w->depth > 0 ? w->open[w->depth - 1] : "";
		for (size_t k = 0; k < sizeof implied / sizeof *implied; k++)
			if (strcmp(o, implied[k]) == 0)
				ends = 1;
		/* rp and rt leave an rtc open; rb and rtc end it. */
		if (strcmp(o, "rtc") == 0 && (name[1] == 'p' || name[1] == 't'))
			ends = strcmp(name, "rtc") == 0;
		for (size_t i = w->depth; ends && i > 0; i--) {
			o = w->open[i - 1];
			if (strcmp(o, "ruby") == 0)
				return 1;
			if (flatten_bits(o) & T_SCOPE)
				break;
		}
	}
	/* A p in button scope. */
	for (size_t i = w->depth; (bits & T_CLOSEP) && i > 0; i--) {
		o = w->open[i - 1];
		if (strcmp(o, "p") == 0)
			return 1;
		if ((flatten_bits(o) & T_SCOPE) || strcmp(o, "button") == 0)
			break;
	}
	/* The same element in scope, or a list item in its list. */
	for (size_t i = w->depth; (same || li || di) && i > 0; i--) {
		o = w->open[i - 1];
		ob = flatten_bits(o);
		if ((same && strcmp(o, name) == 0) ||
		    (li && strcmp(o, "li") == 0) || (di &&
		    (strcmp(o, "dd") == 0 || strcmp(o, "dt") == 0)))
			return 1;
		if (same && (ob & T_SCOPE))
			break;
		if (!same && (ob & T_SPECIAL) && strcmp(o, "address") != 0 &&
		    strcmp(o, "div") != 0 && strcmp(o, "p") != 0)
			break;
	}
	return 0;
}

/* Writes an end tag and counts the element closed. */
static void
writer_close(struct writer *w, const char *name)
{
	/* End tags bypass the content budget so the output stays whole. */
	buf_add(&w->b, "</", 2);
	buf_puts(&w->b, name);
	buf_add(&w->b, ">", 1);
	w->depth--;
}

/* The first character of text S that the writer keeps, or NUL. */
static int
writer_first(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), skip;

	while (len > 0 && sanitize_xmlchar(p, len, &skip) == 0) {
		p += skip;
		len -= skip;
	}
	return len > 0 ? *p : '\0';
}

/*
 * Writes the children of ROOT as safe HTML, depth first with a heap stack.
 * Returns -1 when out of memory.
 */
static int
writer_walk(struct writer *w, const GumboNode *root)
{
	struct walk_frame	*st, *nst;
	const GumboVector	*kids;
	const GumboNode		*n;
	size_t			 sp = 0, cap = 64;
	int			 class;

	if ((st = calloc(cap, sizeof *st)) == NULL)
		return -1;
	st[sp].node = root;
	st[sp].next = 0;
	st[sp].close = NULL;
	sp++;
	while (sp > 0 && !w->oom) {
		kids = &st[sp - 1].node->v.element.children;
		if (st[sp - 1].next >= kids->length) {
			if (st[sp - 1].close != NULL)
				writer_close(w, st[sp - 1].close);
			sp--;
			continue;
		}
		n = kids->data[st[sp - 1].next++];
		switch (n->type) {
		case GUMBO_NODE_TEXT:
		case GUMBO_NODE_WHITESPACE:
		case GUMBO_NODE_CDATA:
			/*
			 * A parser drops a newline right after <pre>: one
			 * there now was the author's second, so write two.
			 */
			if (w->pre != 0 && w->pre == w->b.len &&
			    writer_first(n->v.text.text) == '\n')
				writer_add(w, "\n", 1);
			writer_escape(w, n->v.text.text, 0);
			continue;
		case GUMBO_NODE_ELEMENT:
		case GUMBO_NODE_TEMPLATE:
			break;
		default:
			/* Comments and anything else: never written. */
			continue;
		}
		if ((class = writer_class(n)) == EL_DROP)
			continue;
		if (class == EL_VOID &&
		    writer_misnests(w, writer_name(&n->v.element)))
			continue;
		if (class == EL_KEEP &&
		    writer_misnests(w, writer_name(&n->v.element)))
			class = EL_UNWRAP;
		if (class == EL_VOID) {
			writer_open(w, n, class);
			continue;
		}
		if (sp == cap) {
			if ((nst = reallocarray(st, cap * 2, sizeof *st)) ==
			    NULL) {
				free(st);
				return -1;
			}
			st = nst;
			cap *= 2;
		}
		st[sp].node = n;
		st[sp].next = 0;
		st[sp].close = class == EL_KEEP ? writer_open(w, n, class) :
		    NULL;
		sp++;
	}
	free(st);
	return w->oom ? -1 : 0;
}

/* Gumbo's allocator: a tracked block, or a longjmp past the budget. */
static void *
arena_alloc(void *userdata, size_t size)
{
	struct arena		*a = userdata;
	struct arena_blk	*b;

	if (size > a->limit || a->used > a->limit - size)
		longjmp(a->jb, 1);
	if ((b = malloc(sizeof *b + size)) == NULL) {
		a->oom = 1;
		longjmp(a->jb, 1);
	}
	b->u.l.size = size;
	b->u.l.prev = NULL;
	b->u.l.next = a->head;
	if (a->head != NULL)
		a->head->u.l.prev = b;
	a->head = b;
	a->used += size;
	return b + 1;
}

/* Gumbo's deallocator: unlinks and frees one block. */
static void
arena_dealloc(void *userdata, void *p)
{
	struct arena		*a = userdata;
	struct arena_blk	*b;

	if (p == NULL)
		return;
	b = (struct arena_blk *)p - 1;
	if (b->u.l.prev != NULL)
		b->u.l.prev->u.l.next = b->u.l.next;
	else
		a->head = b->u.l.next;
	if (b->u.l.next != NULL)
		b->u.l.next->u.l.prev = b->u.l.prev;
	a->used -= b->u.l.size;
	free(b);
}

/* Frees everything gumbo still holds, without walking its tree. */
static void
arena_free(struct arena *a)
{
	struct arena_blk	*b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->u.l.next;
		free(b);
	}
	a->head = NULL;
	a->used = 0;
}

/* Bits of tag name NAME (lower case), 0 when the model does not know it. */
static unsigned
flatten_bits(const char *name)
{
	const char	*row;

	row = bsearch(name, flatten_tags, sizeof flatten_tags /
	    sizeof flatten_tags[0],
	    sizeof flatten_tags[0], sanitize_namecmp);
	return row != NULL ? flatten_tags[(size_t)(row -
	    (const char *)flatten_tags) / sizeof flatten_tags[0]].bits : 0;
}

/* K_* of tag name NAME (lower case), K_NONE for the rest. */
static int
flatten_kind(const char *name)
{
	const char	*row;

	row = bsearch(name, flatten_kinds, sizeof flatten_kinds /
	    sizeof flatten_kinds[0],
	    sizeof flatten_kinds[0], sanitize_namecmp);
	return row != NULL ? flatten_kinds[(size_t)(row -
	    (const char *)flatten_kinds) / sizeof flatten_kinds[0]].kind :
	    K_NONE;
}

/* FNV-1a step, to tell attribute sets apart. */
static uint32_t
flatten_fnv(uint32_t h, int c)
{
	return (h ^ (unsigned char)c) * 16777619u;
}

/*
 * Gumbo's identity for tag name NAME (lower case): its tag enum, the same
 * GUMBO_TAG_UNKNOWN for every name it does not know, which is how gumbo
 * 0.10 matches end tags (</x> closes the nearest unknown element).
 */
static uint32_t
flatten_tag(const char *name)
{
	return (uint32_t)gumbo_tagn_enum(name, (unsigned)strlen(name));
}

/* The stack entry I from the top (0 is the current node), or NULL. */
static struct flatten_ent *
flatten_at(struct flatten *f, size_t i)
{
	return i < f->n ? &f->st[f->n - 1 - i] : NULL;
}

/* 1 when the current node is the HTML element of KIND. */
static int
flatten_top_is(struct flatten *f, int kind)
{
	struct flatten_ent	*t = flatten_at(f, 0);

	return t != NULL && !t->foreign && t->kind == kind;
}

/* 1 when entry E is the HTML element of KIND. */
static int
flatten_is(const struct flatten_ent *e, int kind)
{
	return !e->foreign && e->kind == kind;
}

/*
 * Pops the current node.  With REOPEN a formatting element stays on the
 * list of active formatting elements, which gumbo re-opens at the next
 * text, so the model keeps counting it.
 */
static void
flatten_pop(struct flatten *f, int reopen)
{
	struct flatten_ent	*t = &f->st[--f->n];

	if (t->foreign)
		f->nforeign--;
	else if (t->kind == K_TEMPLATE)
		f->ntemplate--;
	if (!reopen || t->foreign || !(t->bits & T_FMT) || !t->inlist)
		return;
	f->ling[f->nling].e = *t;
	f->ling[f->nling].markers = t->mk;
	f->nling++;
}

/*
 * Gumbo's "clear the list of active formatting elements up to the last
 * marker", done where a cell, caption, applet, marquee, object or
 * template is closed as such (not merely popped).
 */
static void
flatten_clear_marker(struct flatten *f)
{
	size_t	i, o;

	if (f->markers == 0)
		return;
	for (i = o = 0; i < f->nling; i++)
		if (f->ling[i].markers != f->markers)
			f->ling[o++] = f->ling[i];
	f->nling = o;
	for (i = 0; i < f->n; i++)
		if (f->st[i].inlist && f->st[i].mk == f->markers)
			f->st[i].inlist = 0;
	f->markers--;
}

/* Pops down to and including the entry I from the top. */
static void
flatten_pop_to(struct flatten *f, size_t i)
{
	size_t	k;

	for (k = 0; k < i; k++)
		flatten_pop(f, 1);
	flatten_pop(f, 0);
}

/* 1 when N more elements fit in the model (open plus to be re-opened). */
static int
flatten_room(struct flatten *f, size_t n)
{
	return f->n + f->nling + n <= SANITIZE_MAXDEPTH;
}

/* Pushes a copy of E; the caller has checked there is room. */
static void
flatten_push(struct flatten *f, const struct flatten_ent *e)
{
	struct flatten_ent	*t = &f->st[f->n++];

	*t = *e;
	t->inlist = !t->foreign && (t->bits & T_FMT);
	t->mk = f->markers;
	if (t->foreign)
		f->nforeign++;
	else if (t->kind == K_TEMPLATE)
		f->ntemplate++;
	if (t->bits & T_MARKER)
		f->markers++;
}

/* The entry tag T would push, with BITS and namespace NS. */
static struct flatten_ent
flatten_ent_of(const struct flatten_tag *t, unsigned bits, int ns)
{
	struct flatten_ent	e;

	memset(&e, 0, sizeof e);
	e.h = t->h;
	e.nh = t->nh;
	e.ah = t->ah;
	e.bits = bits;
	e.kind = t->kind;
	e.foreign = ns;
	return e;
}

/*
 * Gumbo's "reconstruct the active formatting elements": what was popped
 * since the last marker is opened again, on top.
 */
static void
flatten_reconstruct(struct flatten *f)
{
	size_t	i, o;

	for (i = o = 0; i < f->nling; i++) {
		if (f->ling[i].markers == f->markers)
			flatten_push(f, &f->ling[i].e);
		else
			f->ling[o++] = f->ling[i];
	}
	f->nling = o;
}

/*
 * Gumbo's "Noah's Ark" clause before formatting tag T goes on the list: of
 * three alike since the last marker, the earliest leaves the list.  The
 * model prefers one still open, which stays on the stack.
 */
static void
flatten_noah(struct flatten *f, const struct flatten_tag *t)
{
	struct flatten_ent	*e, *deepest = NULL;
	size_t			 i, same = 0, ling = SIZE_MAX;

	for (i = 0; (e = flatten_at(f, i)) != NULL; i++) {
		if (e->inlist && e->mk == f->markers && e->h == t->h &&
		    e->ah == t->ah) {
			same++;
			deepest = e;
		}
	}
	for (i = f->nling; i > 0; i--) {
		if (f->ling[i - 1].markers != f->markers)
			continue;
		if (f->ling[i - 1].e.h == t->h &&
		    f->ling[i - 1].e.ah == t->ah) {
			same++;
			ling = i - 1;
		}
	}
	if (same < 3)
		return;
	if (deepest != NULL)
		deepest->inlist = 0;
	else {
		memmove(&f->ling[ling], &f->ling[ling + 1],
		    (f->nling - ling - 1) * sizeof f->ling[0]);
		f->nling--;
	}
}

/*
 * Reads the tag at f->pos ('<' and a letter, or "</" and a letter) into T,
 * attributes skipped the way the HTML tokenizer reads them.
 */
static void
flatten_read_tag(struct flatten *f, struct flatten_tag *t)
{
	const char	*s = f->s;
	size_t		 len = f->len, p = f->pos + 1, ln = 0, an, v, vlen;
	char		 attr[8], q;

	memset(t, 0, sizeof *t);
	t->start = f->pos;
	if (s[p] == '/') {
		t->endtag = 1;
		p++;
	}
	t->ah = t->nh = 2166136261u;
	while (p < len && !sanitize_space((unsigned char)s[p]) &&
	    s[p] != '/' && s[p] != '>') {
		t->nh = flatten_fnv(t->nh, sanitize_lower((unsigned char)s[p]));
		if (ln < sizeof t->name - 1)
			t->name[ln] = (char)sanitize_lower((unsigned char)s[p]);
		ln++;
		p++;
	}
	t->name[ln < sizeof t->name ? ln : 0] = '\0';
	t->h = t->name[0] != '\0' ? flatten_tag(t->name) : GUMBO_TAG_UNKNOWN;
	t->bits = flatten_bits(t->name);
	t->kind = flatten_kind(t->name);
	for (;;) {
		while (p < len && (sanitize_space((unsigned char)s[p]) ||
		    s[p] == '/')) {
			t->selfclose = s[p] == '/' && p + 1 < len &&
			    s[p + 1] == '>';
			p++;
		}
		if (p >= len || s[p] == '>')
			break;
		t->selfclose = 0;
		/* An attribute name; its first character may be '='. */
		an = 0;
		do {
			if (an < sizeof attr - 1)
				attr[an] = (char)sanitize_lower((unsigned char)
				    s[p]);
			t->ah = flatten_fnv(t->ah, s[p]);
			an++;
			p++;
		} while (p < len && !sanitize_space((unsigned char)s[p]) &&
		    s[p] != '/' && s[p] != '>' && s[p] != '=');
		attr[an < sizeof attr ? an : 0] = '\0';
		while (p < len && sanitize_space((unsigned char)s[p]))
			p++;
		if (p >= len || s[p] != '=')
			continue;
		p++;
		t->ah = flatten_fnv(t->ah, '=');
		while (p < len && sanitize_space((unsigned char)s[p]))
			p++;
		v = p;
		if (p < len && (s[p] == '"' || s[p] == '\'')) {
			q = s[p++];
			v = p;
			while (p < len && s[p] != q)
				t->ah = flatten_fnv(t->ah, s[p++]);
			vlen = p - v;
			if (p < len)
				p++;
		} else {
			while (p < len &&
			    !sanitize_space((unsigned char)s[p]) && s[p] != '>')
				t->ah = flatten_fnv(t->ah, s[p++]);
			vlen = p - v;
		}
		if (strcmp(attr, "encodin") == 0 && an == 8 && ((vlen == 9 &&
		    strncasecmp(s + v, "text/html", 9) == 0) || (vlen == 21 &&
		    strncasecmp(s + v, "application/xhtml+xml", 21) == 0)))
			t->htmlenc = 1;
		t->ah = flatten_fnv(t->ah, ' ');
	}
	t->end = p < len ? p + 1 : len;
}

/* Where the raw text from P ends: after "</NAME ...>", or at the end. */
static size_t
flatten_raw_end(struct flatten *f, size_t p, const char *name)
{
	struct flatten_tag	 t;
	size_t			 nl = strlen(name), i;

	for (; p + 2 + nl <= f->len; p++) {
		if (f->s[p] != '<' || f->s[p + 1] != '/')
			continue;
		for (i = 0; i < nl; i++)
			if (sanitize_lower((unsigned char)f->s[p + 2 + i]) !=
			    name[i])
				break;
		if (i < nl)
			continue;
		if (p + 2 + nl == f->len || sanitize_space((unsigned char)
		    f->s[p + 2 + nl]) || f->s[p + 2 + nl] == '/' ||
		    f->s[p + 2 + nl] == '>') {
			f->pos = p;
			flatten_read_tag(f, &t);
			return t.end;
		}
	}
	return f->len;
}

/*
 * 1 when start tag T (NULL: text) makes a foreign element: the current node
 * is svg or MathML but no integration point, where HTML rules apply (but
 * mglyph and malignmark stay MathML, and svg in annotation-xml is HTML).
 */
static int
flatten_in_foreign(struct flatten *f, const struct flatten_tag *t)
{
	struct flatten_ent	*top = flatten_at(f, 0);

	if (top == NULL || !top->foreign)
		return 0;
	if (top->foreign == NS_MATH && t != NULL) {
		if ((top->bits & T_INTEG) && (strcmp(t->name, "mglyph") == 0 ||
		    strcmp(t->name, "malignmark") == 0))
			return 1;
		if (top->h == GUMBO_TAG_ANNOTATION_XML &&
		    strcmp(t->name, "svg") == 0)
			return 0;
	}
	return !(top->bits & T_INTEG);
}

/*
 * Models a start tag in svg or MathML content.  In a fragment gumbo 0.10
 * never breaks out to HTML on <p>, <b> ... (the spec's old "fragment
 * case"): every start tag makes a foreign element of the current node's
 * namespace, "/>" closes it.
 */
static int
flatten_start_foreign(struct flatten *f, const struct flatten_tag *t)
{
	static const char *const svg[] = { "desc", "foreignobject", "title" };
	static const char *const math[] = { "mi", "mn", "mo", "ms", "mtext" };
	struct flatten_ent	e;
	int			ns = flatten_at(f, 0)->foreign;
	unsigned		bits = 0;
	size_t			i;

	if (t->selfclose)
		return FL_KEEP;
	if (!flatten_room(f, 1))
		return FL_DROP;
	/* Integration points, which also bound scopes and are special. */
	for (i = 0; ns == NS_SVG && i < sizeof svg / sizeof svg[0]; i++)
		if (strcmp(t->name, svg[i]) == 0)
			bits = T_INTEG | T_SCOPE | T_NORECON |
			    (strcmp(t->name, "title") != 0 ? T_SPECIAL : 0);
	for (i = 0; ns == NS_MATH && i < sizeof math / sizeof math[0]; i++)
		if (strcmp(t->name, math[i]) == 0)
			bits = T_INTEG | T_SPECIAL | T_SCOPE | T_NORECON;
	if (ns == NS_MATH && strcmp(t->name, "annotation-xml") == 0)
		bits = (t->htmlenc ? T_INTEG : 0) | T_SPECIAL | T_SCOPE |
		    T_NORECON;
	e = flatten_ent_of(t, bits, ns);
	flatten_push(f, &e);
	return FL_KEEP;
}

/* Insertion modes as the model reads them off its stack. */
enum {
	M_BODY, M_TABLE, M_TBODY, M_ROW, M_CELL, M_CAPTION, M_COLGROUP,
	M_TEMPLATE, M_SELECT, M_SELECT_TABLE
};

/* A start tag's result that asks for it to be looked at again. */
#define FL_AGAIN	-1

/*
 * The insertion mode gumbo would be in, from the nearest table part,
 * template or select on the stack; *AT is that entry's distance from the top.
 */
static int
flatten_mode(struct flatten *f, size_t *at)
{
	struct flatten_ent	*e;
	size_t			 i, j;

	for (i = 0; (e = flatten_at(f, i)) != NULL; i++) {
		if (e->foreign)
			continue;
		*at = i;
		switch (e->kind) {
		case K_TD:
		case K_TH:
			return M_CELL;
		case K_TR:
			return M_ROW;
		case K_TBODY:
		case K_THEAD:
		case K_TFOOT:
			return M_TBODY;
		case K_CAPTION:
			return M_CAPTION;
		case K_COLGROUP:
			return M_COLGROUP;
		case K_TABLE:
			return M_TABLE;
		case K_TEMPLATE:
			return M_TEMPLATE;
		case K_SELECT:
			for (j = i + 1; (e = flatten_at(f, j)) != NULL; j++)
				if (flatten_is(e, K_TABLE) ||
				    flatten_is(e, K_TEMPLATE))
					return M_SELECT_TABLE;
			return M_SELECT;
		default:
			break;
		}
	}
	*at = 0;
	return M_BODY;
}

/* Pops the entries above the one I from the top. */
static void
flatten_clear_above(struct flatten *f, size_t i)
{
	while (i-- > 0)
		flatten_pop(f, 1);
}

/* Gumbo's "close a p element" when a p is in button scope. */
static void
flatten_close_p(struct flatten *f)
{
	struct flatten_ent	*e;
	size_t			 i;

	for (i = 0; (e = flatten_at(f, i)) != NULL; i++) {
		if (flatten_is(e, K_P)) {
			flatten_pop_to(f, i);
			return;
		}
		if ((e->bits & T_SCOPE) || flatten_is(e, K_BUTTON))
			return;
	}
}

/*
 * Closes an open list item before a new one: the nearest li (for LI) or
 * dd/dt, unless a special element other than address, div, p is nearer.
 */
static void
flatten_close_item(struct flatten *f, int li)
{
	struct flatten_ent	*e;
	size_t			 i;

	for (i = 0; (e = flatten_at(f, i)) != NULL; i++) {
		if (li ? flatten_is(e, K_LI) : (flatten_is(e, K_DD) ||
		    flatten_is(e, K_DT))) {
			flatten_pop_to(f, i);
			return;
		}
		if ((e->bits & T_SPECIAL) && !flatten_is(e, K_ADDRESS) &&
		    !flatten_is(e, K_DIV) && !flatten_is(e, K_P))
			return;
	}
}

/* Pushes an element made by the parser, not by a tag; 0 when no room. */
static int
flatten_push_implied(struct flatten *f, const char *name)
{
	struct flatten_ent	e;
	size_t			i;

	if (!flatten_room(f, 1))
		return 0;
	memset(&e, 0, sizeof e);
	e.h = flatten_tag(name);
	e.nh = 2166136261u;
	for (i = 0; name[i] != '\0'; i++)
		e.nh = flatten_fnv(e.nh, name[i]);
	e.bits = flatten_bits(name);
	e.kind = flatten_kind(name);
	flatten_push(f, &e);
	return 1;
}

/* Pushes the element of tag T; FL_DROP when there is no room. */
static int
flatten_push_tag(struct flatten *f, const struct flatten_tag *t)
{
	struct flatten_ent	e;

	if (!flatten_room(f, 1))
		return FL_DROP;
	if (t->bits & T_FMT)
		flatten_noah(f, t);
	e = flatten_ent_of(t, t->bits, 0);
	flatten_push(f, &e);
	return FL_KEEP;
}

/*
 * Gumbo's "generate implied end tags": pops dd, dt, li, option, optgroup,
 * p, rb, rp, rt, rtc while one is the current node (but not EXCEPT).
 */
static void
flatten_implied_ends(struct flatten *f, int except)
{
	struct flatten_ent	*t;

	while ((t = flatten_at(f, 0)) != NULL && !t->foreign &&
	    t->kind != except) {
		switch (t->kind) {
		case K_DD:
		case K_DT:
		case K_LI:
		case K_OPTGROUP:
		case K_OPTION:
		case K_P:
		case K_RB:
		case K_RP:
		case K_RT:
		case K_RTC:
			flatten_pop(f, 0);
			continue;
		default:
			return;
		}
	}
}

/* 1 when the HTML element of KIND is in (default) scope. */
static int
flatten_in_scope(struct flatten *f, int kind)
{
	struct flatten_ent	*e;
	size_t			 i;

	for (i = 0; (e = flatten_at(f, i)) != NULL; i++) {
		if (flatten_is(e, kind))
			return 1;
		if (e->bits & T_SCOPE)
			return 0;
	}
	return 0;
}

/* Pops to the HTML element of KIND if it is in (default) scope. */
static void
flatten_close_scope(struct flatten *f, int kind)
{
	struct flatten_ent	*e;
	size_t			 i;

	for (i = 0; (e = flatten_at(f, i)) != NULL; i++) {
		if (flatten_is(e, kind)) {
			flatten_pop_to(f, i);
			return;
		}
		if (e->bits & T_SCOPE)
			return;
	}
}

/*
 * Gumbo's adoption agency for a formatting end tag whose element, I from
 * the top, has special elements (blocks) above it: each of up to eight
 * rounds moves the element above the next block, and the last round pops
 * what is above the topmost block.  So the element goes, the blocks stay,
 * and of the rest only formatting elements (cloned) stay.  Past eight
 * blocks the model leaves the stack be, which counts too many.
 */
static void
flatten_adopt(struct flatten *f, size_t i)
{
	struct flatten_ent	*e;
	size_t			 k, top = SIZE_MAX, blocks = 0, o;

	for (k = 0; k < i; k++) {
		e = flatten_at(f, k);
		if (e->bits & T_SPECIAL) {
			if (top == SIZE_MAX)
				top = k;
			blocks++;
		}
	}
	if (blocks > 8)
		return;
	for (k = 0; k < top; k++)
		flatten_pop(f, 1);
	/* Between the element and the topmost block: compact in place. */
	for (k = o = f->n - 1 - (i - top); k < f->n; k++) {
		e = &f->st[k];
		if (k != f->n - 1 - (i - top) && ((e->bits & T_SPECIAL) ||
		    e->inlist)) {
			f->st[o++] = *e;
			continue;
		}
		if (e->foreign)
			f->nforeign--;
		else if (e->kind == K_TEMPLATE)
			f->ntemplate--;
	}
	f->n = o;
}

/*
 * Before a new <a>, gumbo runs the adoption agency for an <a> still on the
 * formatting list, then takes it off the list and the stack if it is
 * still there (out of scope, the agency leaves it).
 */
static void
flatten_forget_a(struct flatten *f)
{
	struct flatten_ent	*e;
	size_t			 i, k;
	int			 special = 0, scope = 1;

	for (i = 0; (e = flatten_at(f, i)) != NULL; i++) {
		if (e->kind == K_A && e->inlist && e->mk == f->markers &&
		    !e->foreign) {
			if (!scope) {
				k = f->n - 1 - i;
				memmove(&f->st[k], &f->st[k + 1],
				    i * sizeof f->st[0]);
				f->n--;
			} else if (special)
				flatten_adopt(f, i);
			else
				flatten_pop_to(f, i);
			return;
		}
		if (e->bits & T_SPECIAL)
			special = 1;
		if (e->bits & T_SCOPE)
			scope = 0;
	}
	for (i = f->nling; i > 0; i--) {
		if (f->ling[i - 1].markers != f->markers)
			continue;
		if (f->ling[i - 1].e.kind == K_A) {
			memmove(&f->ling[i - 1], &f->ling[i],
			    (f->nling - i) * sizeof f->ling[0]);
			f->nling--;
			return;
		}
	}
}

/*
 * A start tag in a select.  Returns FL_* or FL_AGAIN when the select was
 * closed and the tag must be looked at again.
 */
static int
flatten_start_select(struct flatten *f, const struct flatten_tag *t,
    int mode, size_t at)
{
	const char	*n = t->name;

	if (strcmp(n, "option") == 0 || strcmp(n, "optgroup") == 0) {
		if (flatten_top_is(f, K_OPTION))
			flatten_pop(f, 0);
		if (strcmp(n, "optgroup") == 0 && flatten_top_is(f, K_OPTGROUP))
			flatten_pop(f, 0);
		return flatten_push_tag(f, t);
	}
	if (strcmp(n, "select") == 0) {
		flatten_pop_to(f, at);
		return FL_KEEP;
	}
	if (strcmp(n, "input") == 0 || strcmp(n, "keygen") == 0 ||
	    strcmp(n, "textarea") == 0 || (mode == M_SELECT_TABLE &&
	    ((t->bits & T_TABLE) || strcmp(n, "table") == 0) &&
	    strcmp(n, "col") != 0 && strcmp(n, "colgroup") != 0)) {
		flatten_pop_to(f, at);
		return FL_AGAIN;
	}
	if (strcmp(n, "script") == 0)
		return FL_RAW;
	if (strcmp(n, "template") == 0)
		return flatten_push_tag(f, t);
	/* Everything else is ignored inside a select. */
	return FL_KEEP;
}

/*
 * A table part (or table) start tag in a table mode, as gumbo's table
 * insertion modes treat it.  Returns FL_* or FL_AGAIN.
 */
static int
flatten_start_table(struct flatten *f, const struct flatten_tag *t,
    int mode, size_t at)
{
	const char	*n = t->name;
	int		 cell, tr;

	cell = strcmp(n, "td") == 0 || strcmp(n, "th") == 0;
	tr = strcmp(n, "tr") == 0;
	switch (mode) {
	case M_CELL:
	case M_CAPTION:
		/* Closes the cell or caption first. */
		flatten_pop_to(f, at);
		flatten_clear_marker(f);
		return FL_AGAIN;
	case M_ROW:
		if (cell) {
			flatten_clear_above(f, at);
			return flatten_push_tag(f, t);
		}
		flatten_pop_to(f, at);
		return FL_AGAIN;
	case M_TBODY:
		if (tr || cell) {
			flatten_clear_above(f, at);
			if (tr)
				return flatten_push_tag(f, t);
			return flatten_push_implied(f, "tr") ? FL_AGAIN :
			    FL_DROP;
		}
		flatten_pop_to(f, at);
		return FL_AGAIN;
	case M_TABLE:
		if (strcmp(n, "table") == 0) {
			flatten_pop_to(f, at);
			return FL_AGAIN;
		}
		flatten_clear_above(f, at);
		if (tr || cell)
			return flatten_push_implied(f, "tbody") ? FL_AGAIN :
			    FL_DROP;
		if (strcmp(n, "col") == 0)
			return flatten_push_implied(f, "colgroup") ? FL_KEEP :
			    FL_DROP;
		return flatten_push_tag(f, t);
	case M_TEMPLATE:
		if (strcmp(n, "col") == 0)
			return FL_KEEP;
		return flatten_push_tag(f, t);
	default:
		/* Outside a table gumbo ignores them. */
		return FL_KEEP;
	}
}

/*
 * Models a start tag inside a template, whose insertion modes (and svg or
 * MathML inside) gumbo 0.10 follows loosely: every tag is counted as
 * opening an element, even void ones, and no raw text is assumed (its
 * content is modelled as tags): too many, never too few.
 */
static int
flatten_start_template(struct flatten *f, const struct flatten_tag *t)
{
	struct flatten_ent	e;

	if (t->selfclose && (strcmp(t->name, "svg") == 0 ||
	    strcmp(t->name, "math") == 0))
		return FL_KEEP;
	if (!flatten_room(f, 1))
		return FL_DROP;
	/*
	 * Not even svg is foreign here: "/>" never counts as closing.  No
	 * formatting is re-opened, and only templates put markers.
	 */
	e = flatten_ent_of(t, (t->bits & ~(T_FMT | T_MARKER)) |
	    (t->kind == K_TEMPLATE ? T_MARKER : 0), 0);
	flatten_push(f, &e);
	return FL_KEEP;
}

/*
 * How many elements start tag T may open at most: tbody, tr and a cell for
 * a cell in a table, tbody and tr for a row, one for the other table parts
 * (they close what they must first), three for the rest to be safe.
 */
static size_t
flatten_opens(const struct flatten_tag *t)
{
	switch (t->kind) {
	case K_TD:
	case K_TH:
		return 3;
	case K_TR:
		return 2;
	case K_TBODY:
	case K_THEAD:
	case K_TFOOT:
	case K_TABLE:
	case K_CAPTION:
	case K_COLGROUP:
		return 1;
	case K_NONE:
		/* A col may open its colgroup. */
		return strcmp(t->name, "col") == 0 ? 1 : 3;
	default:
		return 3;
	}
}

/* Models a start tag; returns one of FL_*. */
static int
flatten_start(struct flatten *f, const struct flatten_tag *t)
{
	struct flatten_ent	*top, e;
	size_t			 at;
	int			 mode, r, table, guard;

	/*
	 * A tag that may open elements (three at most: tbody, tr, td) is
	 * dropped before it changes the model when they might not fit, so
	 * the model never holds what gumbo will not see.  Table parts count
	 * what they can open themselves, so that an implied tbody written
	 * out explicitly (as our own output does) is cut at the same depth.
	 */
	if ((!(t->bits & (T_VOID | T_IGNORED)) ||
	    strcmp(t->name, "col") == 0) && !(t->selfclose &&
	    (flatten_in_foreign(f, t) || strcmp(t->name, "svg") == 0 ||
	    strcmp(t->name, "math") == 0)) &&
	    !flatten_room(f, flatten_opens(t)))
		return FL_DROP;
	if (flatten_in_foreign(f, t))
		return flatten_start_foreign(f, t);
	if (f->ntemplate > 0)
		return flatten_start_template(f, t);
	table = (t->bits & T_TABLE) || strcmp(t->name, "table") == 0;
	/* Each round closes something, so this ends; bound it anyway. */
	for (guard = 0; guard < 2 * SANITIZE_MAXDEPTH + 8; guard++) {
		mode = flatten_mode(f, &at);
		if (mode == M_COLGROUP && at == 0) {
			/* A column group holds only col; the rest closes it. */
			if (strcmp(t->name, "col") == 0)
				return FL_KEEP;
			if (t->kind != K_TEMPLATE) {
				flatten_pop(f, 0);
				continue;
			}
		}
		if (mode == M_SELECT || mode == M_SELECT_TABLE)
			r = flatten_start_select(f, t, mode, at);
		else if (table && mode != M_BODY && !((mode == M_CELL ||
		    mode == M_CAPTION) && strcmp(t->name, "table") == 0))
			r = flatten_start_table(f, t, mode, at);
		else
			break;
		if (r != FL_AGAIN)
			return r;
	}
	if (t->bits & (T_IGNORED | T_TABLE))
		return FL_KEEP;
	/* Unwrapped or dropped anyway, and odd in gumbo: not parsed. */
	if (strcmp(t->name, "isindex") == 0 || strcmp(t->name, "nobr") == 0)
		return FL_DROP;
	if (strcmp(t->name, "form") == 0) {
		/* A form inside a form is ignored; in a table it is empty. */
		if (f->formptr)
			return FL_KEEP;
		f->formptr = 1;
		if (mode == M_TABLE || mode == M_TBODY || mode == M_ROW)
			return FL_KEEP;
		flatten_close_p(f);
	}
	if (strcmp(t->name, "button") == 0)
		flatten_close_scope(f, K_BUTTON);
	if ((strcmp(t->name, "rb") == 0 || strcmp(t->name, "rtc") == 0) &&
	    flatten_in_scope(f, K_RUBY))
		flatten_implied_ends(f, K_NONE);
	if ((strcmp(t->name, "rp") == 0 || strcmp(t->name, "rt") == 0) &&
	    flatten_in_scope(f, K_RUBY))
		flatten_implied_ends(f, K_RTC);
	if (strcmp(t->name, "a") == 0)
		flatten_forget_a(f);
	if (strcmp(t->name, "svg") == 0 || strcmp(t->name, "math") == 0) {
		if (t->selfclose)
			return FL_KEEP;
		if (!flatten_room(f, 1))
			return FL_DROP;
		e = flatten_ent_of(t, 0, t->name[0] == 's' ? NS_SVG :
		    NS_MATH);
		flatten_push(f, &e);
		return FL_KEEP;
	}
	if (strcmp(t->name, "li") == 0)
		flatten_close_item(f, 1);
	else if (strcmp(t->name, "dd") == 0 || strcmp(t->name, "dt") == 0)
		flatten_close_item(f, 0);
	if (t->bits & T_CLOSEP)
		flatten_close_p(f);
	if ((t->bits & T_HEADING) && (top = flatten_at(f, 0)) != NULL &&
	    (top->bits & T_HEADING))
		flatten_pop(f, 0);
	if ((strcmp(t->name, "option") == 0 ||
	    strcmp(t->name, "optgroup") == 0) && flatten_top_is(f, K_OPTION))
		flatten_pop(f, 0);
	if (!(t->bits & T_NORECON))
		flatten_reconstruct(f);
	if (t->bits & T_VOID)
		return FL_KEEP;
	if (t->bits & T_RAW)
		return FL_RAW;
	if (strcmp(t->name, "plaintext") == 0)
		return FL_PLAIN;
	if (f->nofmt && (t->bits & T_FMT))
		return FL_DROP;
	return flatten_push_tag(f, t);
}

/*
 * Where the HTML element with hash H is in table scope: its distance from
 * the top, or -1.
 */
static long
flatten_table_scope(struct flatten *f, uint32_t h)
{
	struct flatten_ent	*e;
	size_t			 i;

	for (i = 0; (e = flatten_at(f, i)) != NULL; i++) {
		if (e->h == h && !e->foreign)
			return (long)i;
		if (flatten_is(e, K_HTML) || flatten_is(e, K_TABLE) ||
		    flatten_is(e, K_TEMPLATE))
			return -1;
	}
	return -1;
}

/*
 * Where an end tag T (not a table part) finds its element in the stack:
 * its distance from the top, -1 when gumbo would ignore the tag (not in
 * the right scope), -2 when no such element is open.  *SPECIAL says
 * whether a special element lies above it.
 */
static long
flatten_find(struct flatten *f, const struct flatten_tag *t, int *special)
{
	struct flatten_ent	*e;
	const char		*n = t->name;
	size_t			 i;

	*special = 0;
	for (i = 0; (e = flatten_at(f, i)) != NULL; i++) {
		if (e->h == t->h && !e->foreign)
			return (long)i;
		/* Headings close whichever heading is open. */
		if ((t->bits & T_HEADING) && (e->bits & T_HEADING) &&
		    !e->foreign)
			return (long)i;
		if (e->bits & T_SPECIAL)
			*special = 1;
		if (flatten_is(e, K_SELECT))
			return -1;
		if (t->bits & (T_ENDSCOPE | T_FMT)) {
			if (e->bits & T_SCOPE)
				return -1;
			if (strcmp(n, "li") == 0 && (flatten_is(e, K_OL) ||
			    flatten_is(e, K_UL)))
				return -1;
			if (strcmp(n, "p") == 0 && flatten_is(e, K_BUTTON))
				return -1;
		} else if (e->bits & T_SPECIAL) {
			/* "Any other end tag" stops at a special element. */
			return -1;
		}
	}
	return -2;
}

/* A table part's end tag, as gumbo's table insertion modes treat it. */
static void
flatten_end_table(struct flatten *f, const struct flatten_tag *t)
{
	const char	*n = t->name;
	size_t		 at;
	long		 i;
	int		 mode, guard;

	if ((i = flatten_table_scope(f, t->h)) < 0)
		return;
	for (guard = 0; guard < 4; guard++) {
		mode = flatten_mode(f, &at);
		if (strcmp(n, "td") == 0 || strcmp(n, "th") == 0) {
			if (mode == M_CELL && flatten_at(f, at)->h == t->h) {
				flatten_pop_to(f, at);
				flatten_clear_marker(f);
			}
			return;
		}
		if (strcmp(n, "caption") == 0) {
			if (mode == M_CAPTION) {
				flatten_pop_to(f, at);
				flatten_clear_marker(f);
			}
			return;
		}
		if (strcmp(n, "table") == 0) {
			if (mode != M_BODY && mode != M_TEMPLATE &&
			    (i = flatten_table_scope(f, t->h)) >= 0) {
				flatten_pop_to(f, (size_t)i);
				/* The cell or caption was closed first. */
				if (mode == M_CELL || mode == M_CAPTION)
					flatten_clear_marker(f);
			}
			return;
		}
		/* tr, tbody, thead, tfoot: close what is inside first. */
		if (mode == M_CELL || (mode == M_ROW &&
		    strcmp(n, "tr") != 0)) {
			flatten_pop_to(f, at);
			if (mode == M_CELL)
				flatten_clear_marker(f);
			continue;
		}
		if ((mode == M_ROW || mode == M_TBODY) &&
		    flatten_at(f, at)->h == t->h)
			flatten_pop_to(f, at);
		return;
	}
}

/* An end tag in a select. */
static void
flatten_end_select(struct flatten *f, const struct flatten_tag *t,
    int mode, size_t at)
{
	const char		*n = t->name;
	struct flatten_ent	*next;

	if (strcmp(n, "option") == 0) {
		if (flatten_top_is(f, K_OPTION))
			flatten_pop(f, 0);
	} else if (strcmp(n, "optgroup") == 0) {
		next = flatten_at(f, 1);
		if (flatten_top_is(f, K_OPTION) && next != NULL &&
		    flatten_is(next, K_OPTGROUP))
			flatten_pop(f, 0);
		if (flatten_top_is(f, K_OPTGROUP))
			flatten_pop(f, 0);
	} else if (strcmp(n, "select") == 0)
		flatten_pop_to(f, at);
	else if (mode == M_SELECT_TABLE && ((t->bits & T_TABLE) ||
	    strcmp(n, "table") == 0) && flatten_table_scope(f, t->h) >= 0) {
		flatten_pop_to(f, at);
		flatten_end_table(f, t);
	}
	/* Any other end tag is ignored inside a select. */
}

/* Models an end tag. */
static void
flatten_end(struct flatten *f, const struct flatten_tag *t)
{
	struct flatten_ent	*e;
	size_t			 i, k, at;
	long			 found;
	int			 special, mode;

	/*
	 * In svg or MathML: through foreign elements to one of that name (as
	 * written: gumbo compares names here); at the first HTML element, the
	 * HTML rules below.
	 */
	for (i = 0; (e = flatten_at(f, i)) != NULL && e->foreign; i++)
		if (e->nh == t->nh) {
			flatten_pop_to(f, i);
			return;
		}
	if (f->ntemplate > 0) {
		/* In a template: its own end tag, or the current node's. */
		for (i = 0; (e = flatten_at(f, i)) != NULL; i++)
			if (e->nh == t->nh && !e->foreign && (i == 0 ||
			    t->kind == K_TEMPLATE)) {
				flatten_pop_to(f, i);
				if (t->kind == K_TEMPLATE)
					flatten_clear_marker(f);
				return;
			}
		return;
	}
	mode = flatten_mode(f, &at);
	if (mode == M_COLGROUP && at == 0) {
		/* </colgroup> closes it, </col> is ignored, the rest both. */
		if (strcmp(t->name, "col") == 0)
			return;
		flatten_pop(f, 0);
		if (t->kind == K_COLGROUP)
			return;
		mode = flatten_mode(f, &at);
	}
	if (mode == M_SELECT || mode == M_SELECT_TABLE) {
		flatten_end_select(f, t, mode, at);
		return;
	}
	if (((t->bits & T_TABLE) || strcmp(t->name, "table") == 0) &&
	    strcmp(t->name, "col") != 0 && strcmp(t->name, "colgroup") != 0) {
		flatten_end_table(f, t);
		return;
	}
	if (strcmp(t->name, "colgroup") == 0 ||
	    strcmp(t->name, "option") == 0 ||
	    strcmp(t->name, "optgroup") == 0) {
		/* These close only the current node. */
		if (flatten_top_is(f, t->kind))
			flatten_pop(f, 0);
		return;
	}
	if (strcmp(t->name, "form") == 0) {
		/* Gumbo forgets its form on any </form>, found or not. */
		if (!f->formptr)
			return;
		f->formptr = 0;
		if ((found = flatten_find(f, t, &special)) < 0)
			return;
	}
	if (t->bits & T_MARKER) {
		/* applet, marquee, object: looked for in table scope. */
		if ((found = flatten_table_scope(f, t->h)) >= 0) {
			flatten_pop_to(f, (size_t)found);
			flatten_clear_marker(f);
		}
		return;
	}
	found = flatten_find(f, t, &special);
	/* </br> is <br>, which re-opens formatting elements. */
	if (strcmp(t->name, "br") == 0)
		flatten_reconstruct(f);
	if (found == -2 && (t->bits & T_FMT)) {
		/* Not open at all: gumbo forgets one it would re-open. */
		for (i = f->nling; i > 0; i--)
			if (f->ling[i - 1].e.h == t->h &&
			    f->ling[i - 1].markers == f->markers) {
				memmove(&f->ling[i - 1], &f->ling[i],
				    (f->nling - i) * sizeof f->ling[0]);
				f->nling--;
				break;
			}
		return;
	}
	if (found < 0)
		return;
	i = (size_t)found;
	if (t->bits & T_FMT) {
		if (special)
			flatten_adopt(f, i);
		else
			flatten_pop_to(f, i);
		return;
	}
	if (strcmp(t->name, "form") == 0) {
		/* Only the form itself leaves the stack, and p, li ... */
		f->formptr = 0;
		k = f->n - 1 - i;
		flatten_implied_ends(f, K_NONE);
		i = f->n - 1 - k;
		memmove(&f->st[k], &f->st[k + 1], i * sizeof f->st[0]);
		f->n--;
		return;
	}
	flatten_pop_to(f, i);
}

/* Models a text character C. */
static void
flatten_text(struct flatten *f, int c)
{
	if (flatten_in_foreign(f, NULL) || f->ntemplate > 0)
		return;
	/* Text closes a column group; it re-opens formatting elements. */
	if (!sanitize_space(c) && flatten_top_is(f, K_COLGROUP))
		flatten_pop(f, 0);
	if (f->nling > 0)
		flatten_reconstruct(f);
}

/*
 * The first pass: copies f->s to f->out, leaving out start tags the model
 * says would nest deeper than SANITIZE_MAXDEPTH.  -1 when out of memory.
 */
static int
flatten_run(struct flatten *f)
{
	struct flatten_tag	 t;
	const char		*s = f->s;
	size_t			 p, from = 0, e;

	f->pos = 0;
	while (f->pos < f->len) {
		p = f->pos;
		if (s[p] != '<' || p + 1 >= f->len) {
			flatten_text(f, (unsigned char)s[p]);
			f->pos++;
			continue;
		}
		if (s[p + 1] == '!' && p + 3 < f->len && s[p + 2] == '-' &&
		    s[p + 3] == '-') {
			/* A comment; "<!-->" and "<!--->" end at once. */
			for (e = p + 4; e < f->len; e++)
				if (s[e] == '>' && (e == p + 4 ||
				    (s[e - 1] == '-' && s[e - 2] == '-') ||
				    (s[e - 1] == '!' && s[e - 2] == '-' &&
				    s[e - 3] == '-')))
					break;
			f->pos = e < f->len ? e + 1 : f->len;
			continue;
		}
		if (s[p + 1] == '!' || s[p + 1] == '?' || (s[p + 1] == '/' &&
		    p + 2 < f->len &&
		    !sanitize_alpha((unsigned char)s[p + 2]))) {
			/* Doctypes and bogus comments run to the next '>'. */
			for (e = p + 2; e < f->len && s[e] != '>'; e++)
				;
			f->pos = e < f->len ? e + 1 : f->len;
			continue;
		}
		if (!sanitize_alpha((unsigned char)s[p + 1]) &&
		    !(s[p + 1] == '/' && p + 2 < f->len)) {
			flatten_text(f, '<');
			f->pos++;
			continue;
		}
		flatten_read_tag(f, &t);
		f->pos = t.end;
		if (t.endtag) {
			flatten_end(f, &t);
			continue;
		}
		switch (flatten_start(f, &t)) {
		case FL_DROP:
			buf_add(&f->out, s + from, t.start - from);
			from = t.end;
			break;
		case FL_RAW:
			f->pos = flatten_raw_end(f, t.end, t.name);
			break;
		case FL_PLAIN:
			f->pos = f->len;
			break;
		default:
			break;
		}
	}
	buf_add(&f->out, s + from, f->len - from);
	return f->out.failed ? -1 : 0;
}

/*
 * Parses LEN bytes of HTML in A's budget and writes the safe serialization
 * to W.  Returns 0, 1 when the budget ran out, -1 when out of memory.
 */
static int
sanitize_parse(struct writer *w, struct arena *a, const char *html,
    size_t len)
{
	GumboOptions		 opts = kGumboDefaultOptions;
	GumboOutput		*out;
	int			 r;

	opts.allocator = arena_alloc;
	opts.deallocator = arena_dealloc;
	opts.userdata = a;
	opts.max_errors = 0;	/* each error copies the open stack */
	opts.fragment_context = GUMBO_TAG_DIV;
	opts.fragment_namespace = GUMBO_NAMESPACE_HTML;
	if (setjmp(a->jb) != 0) {
		arena_free(a);
		return a->oom ? -1 : 1;
	}
	out = gumbo_parse_with_options(&opts, html, len);
	r = writer_walk(w, out->root);
	/* Not gumbo_destroy_output: it recurses down the tree. */
	arena_free(a);
	return r;
}

/* One attempt: the first pass, the parse, the writer.  As sanitize_parse. */
static int
sanitize_try(struct writer *w, const char *html, size_t len, int nofmt)
{
	struct flatten	*f;
	struct arena	 a;
	char		*in;
	size_t		 inlen;
	int		 r;

	if ((f = calloc(1, sizeof *f)) == NULL)
		return -1;
	f->s = html;
	f->len = len;
	f->nofmt = nofmt;
	buf_init(&f->out, len + 1);
	if (flatten_run(f) == -1 || (in = buf_release(&f->out, &inlen)) ==
	    NULL) {
		buf_free(&f->out);
		free(f);
		return -1;
	}
	free(f);
	memset(&a, 0, sizeof a);
	a.limit = SANITIZE_ARENA_MIN + SANITIZE_ARENA_MUL * inlen;
	r = sanitize_parse(w, &a, in, inlen);
	free(in);
	return r;
}

/*
 * The fast path.  Most feed HTML is tidy: allowlisted elements, properly
 * nested, attributes quoted, a handful of references.  For that subset an
 * HTML5 tree builder builds exactly the tree the markup spells, so it can
 * be read here with a small tokenizer and written by the same writer
 * functions, skipping gumbo (most of the time spent otherwise).  Anything
 * outside the subset makes fast_run decline, and the input goes through
 * gumbo as before; the subset is kept to what provably parses the same:
 *
 *	- only the elements in fast_tags, lower case; voids only as voids;
 *	- every end tag closes the current element; all closed at the end;
 *	- no block start tag while a p is open (it would close the p), no
 *	  heading directly in a heading, no a inside an a, li only directly
 *	  in ul/ol, dt/dd only directly in dl (they close their kind);
 *	- no tables, forms, raw text or foreign content (not listed); a
 *	  reference right after <pre> declines (a newline there is dropped);
 *	- attributes lower case, quoted, no duplicates;
 *	- references only the XML five, a few common named ones and plain
 *	  numeric ones, all with ';'; '&' and '<' alone only where nothing
 *	  that starts a reference or markup follows them;
 *	- no CR, C1 controls, noncharacters or BOM (gumbo rewrites them).
 */
#define FAST_MAXDEPTH	64
#define FAST_MAXATTRS	16

#define F_VOID		0x01	/* no content, no end tag */
#define F_BLOCK		0x02	/* start tag closes an open p */
#define F_P		0x04	/* p */
#define F_HEADING	0x08	/* h1 .. h6 */
#define F_A		0x10	/* a */
#define F_LIST		0x20	/* ul, ol: may hold li */
#define F_LI		0x40	/* li: only in ul/ol */
#define F_DL		0x80	/* dl: may hold dt/dd */
#define F_DITEM		0x100	/* dt, dd: only in dl */
#define F_PRE		0x200	/* pre: a newline right after it is dropped */

/*
 * Elements the fast path reads, sorted for bsearch; all kept by writer_class.
 */
static const struct {
	const char	*name;
	unsigned	 bits;
} fast_tags[] = {
	{ "a", F_A },
	{ "abbr", 0 },
	{ "address", F_BLOCK },
	{ "article", F_BLOCK },
	{ "aside", F_BLOCK },
	{ "b", 0 },
	{ "big", 0 },
	{ "blockquote", F_BLOCK },
	{ "br", F_VOID },
	{ "center", F_BLOCK },
	{ "cite", 0 },
	{ "code", 0 },
	{ "dd", F_BLOCK | F_DITEM },
	{ "del", 0 },
	{ "dfn", 0 },
	{ "div", F_BLOCK },
	{ "dl", F_BLOCK | F_DL },
	{ "dt", F_BLOCK | F_DITEM },
	{ "em", 0 },
	{ "figcaption", F_BLOCK },
	{ "figure", F_BLOCK },
	{ "footer", F_BLOCK },
	{ "h1", F_BLOCK | F_HEADING },
	{ "h2", F_BLOCK | F_HEADING },
	{ "h3", F_BLOCK | F_HEADING },
	{ "h4", F_BLOCK | F_HEADING },
	{ "h5", F_BLOCK | F_HEADING },
	{ "h6", F_BLOCK | F_HEADING },
	{ "header", F_BLOCK },
	{ "hr", F_VOID | F_BLOCK },
	{ "i", 0 },
	{ "img", F_VOID },
	{ "ins", 0 },
	{ "kbd", 0 },
	{ "li", F_BLOCK | F_LI },
	{ "mark", 0 },
	{ "nav", F_BLOCK },
	{ "ol", F_BLOCK | F_LIST },
	{ "p", F_BLOCK | F_P },
	{ "pre", F_BLOCK | F_PRE },
	{ "q", 0 },
	{ "s", 0 },
	{ "samp", 0 },
	{ "section", F_BLOCK },
	{ "small", 0 },
	{ "span", 0 },
	{ "strike", 0 },
	{ "strong", 0 },
	{ "sub", 0 },
	{ "sup", 0 },
	{ "time", 0 },
	{ "tt", 0 },
	{ "u", 0 },
	{ "ul", F_BLOCK | F_LIST },
	{ "var", 0 },
	{ "wbr", F_VOID },
};

/* Named references the fast path decodes (gumbo decodes them the same). */
static const struct {
	const char	*name;		/* without '&', with ';' */
	const char	*utf8;
} fast_refs[] = {
	{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" },
	{ "apos;", "'" }, { "nbsp;", "\xc2\xa0" }, { "copy;", "\xc2\xa9" },
	{ "reg;", "\xc2\xae" }, { "laquo;", "\xc2\xab" },
	{ "raquo;", "\xc2\xbb" }, { "middot;", "\xc2\xb7" },
	{ "ndash;", "\xe2\x80\x93" }, { "mdash;", "\xe2\x80\x94" },
	{ "lsquo;", "\xe2\x80\x98" }, { "rsquo;", "\xe2\x80\x99" },
	{ "ldquo;", "\xe2\x80\x9c" }, { "rdquo;", "\xe2\x80\x9d" },
	{ "bull;", "\xe2\x80\xa2" }, { "hellip;", "\xe2\x80\xa6" },
	{ "trade;", "\xe2\x84\xa2" }, { "euro;", "\xe2\x82\xac" },
};

/* One element open in the fast path. */
struct fast_ent {
	const char	*name;
	unsigned	 bits;
};

/* The fast path's state. */
struct fast {
	const char	*s;
	size_t		 len, pos;
	struct fast_ent	 st[FAST_MAXDEPTH];
	size_t		 n;
	size_t		 nps;		/* p elements open */
	size_t		 nas;		/* a elements open */
	int		 skiplf;	/* right after <pre> */
	struct buf	 scratch;	/* decoded text and values */
};

/* Bits of fast-path tag NAME (LEN bytes, lower case) into *BITS; its name. */
static const char *
fast_tag(const char *name, size_t len, unsigned *bits)
{
	size_t	lo = 0, hi = sizeof fast_tags / sizeof fast_tags[0], mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strncmp(name, fast_tags[mid].name, len);
		if (c == 0 && fast_tags[mid].name[len] != '\0')
			c = -1;
		if (c == 0) {
			*bits = fast_tags[mid].bits;
			return fast_tags[mid].name;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * 1 when no byte of the LEN at S is one gumbo would rewrite: CR, DEL, C1
 * controls, noncharacters, a BOM at the start.
 */
static int
fast_chars_ok(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 0;
	for (i = 0; i < len; i++) {
		/* Eight ASCII bytes, no CR, no DEL: none to look at. */
		while (i + 8 <= len) {
			uint64_t v = sw_load(p + i);

			if ((v & SW_HIGHS) || sw_has(v, '\r') ||
			    sw_has(v, 0x7f))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (p[i] < 0x80) {
			if (p[i] == '\r' || p[i] == 0x7f)
				return 0;
			continue;
		}
		/* The input is valid UTF-8 by now (sanitize_input). */
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] <= 0x9f)
			return 0;
		if (p[i] == 0xef && i + 2 < len && p[i + 1] == 0xb7 &&
		    p[i + 2] >= 0x90 && p[i + 2] <= 0xaf)
			return 0;
		if (p[i] == 0xef && i + 2 < len && p[i + 1] == 0xbf &&
		    p[i + 2] >= 0xbe)
			return 0;
		if (p[i] >= 0xf0 && i + 3 < len && (p[i + 1] & 0x0f) == 0x0f &&
		    p[i + 2] == 0xbf && p[i + 3] >= 0xbe)
			return 0;
	}
	return 1;
}

/*
 * Decodes the reference at S (LEFT bytes, S[0] == '&') into F's scratch;
 * its length, or 0 when it is not one the fast path takes.
 */
static size_t
fast_ref(struct fast *f, const char *s, size_t left)
{
	char		 u[4];
	uint32_t	 cp = 0;
	size_t		 i, k, nl;
	int		 hex;

	/* Nothing that can start a reference follows: a plain '&'. */
	if (left == 1 || (s[1] != '#' && !sanitize_alpha((unsigned char)s[1]) &&
	    !(s[1] >= '0' && s[1] <= '9'))) {
		buf_add(&f->scratch, "&", 1);
		return 1;
	}
	if (left >= 3 && s[1] == '#') {
		hex = s[2] == 'x' || s[2] == 'X';
		for (i = hex ? 3 : 2; i < left && i < 12; i++) {
			if (s[i] >= '0' && s[i] <= '9')
				cp = cp * (hex ? 16 : 10) + (s[i] - '0');
			else if (hex && s[i] >= 'a' && s[i] <= 'f')
				cp = cp * 16 + (s[i] - 'a' + 10);
			else if (hex && s[i] >= 'A' && s[i] <= 'F')
				cp = cp * 16 + (s[i] - 'A' + 10);
			else
				break;
		}
		if (i == (size_t)(hex ? 3 : 2) || i >= left || s[i] != ';')
			return 0;
		/* Only what gumbo takes as is; the rest it rewrites. */
		if (!(cp == '\t' || cp == '\n' || (cp >= 0x20 && cp < 0x7f) ||
		    (cp >= 0xa0 && cp < 0xd800) || (cp >= 0xe000 &&
		    cp < 0xfdd0) || (cp > 0xfdef && cp < 0xfffe) ||
		    (cp >= 0x10000 && cp <= 0x10ffff && (cp & 0xfffe) !=
		    0xfffe)))
			return 0;
		if (cp < 0x80) {
			u[0] = (char)cp;
			k = 1;
		} else if (cp < 0x800) {
			u[0] = (char)(0xc0 | (cp >> 6));
			u[1] = (char)(0x80 | (cp & 0x3f));
			k = 2;
		} else if (cp < 0x10000) {
			u[0] = (char)(0xe0 | (cp >> 12));
			u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
			k = 3;
		} else {
			u[0] = (char)(0xf0 | (cp >> 18));
			u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
			u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
			u[3] = (char)(0x80 | (cp & 0x3f));
			k = 4;
		}
		buf_add(&f->scratch, u, k);
		return i + 1;
	}
	for (k = 0; k < sizeof fast_refs / sizeof fast_refs[0]; k++) {
		nl = strlen(fast_refs[k].name);
		if (left - 1 >= nl && memcmp(s + 1, fast_refs[k].name, nl) ==
		    0) {
			buf_puts(&f->scratch, fast_refs[k].utf8);
			return nl + 1;
		}
	}
	return 0;
}

/* Whether the '<' at P starts markup for the HTML tokenizer. */
static int
fast_lt_markup(const struct fast *f, size_t p)
{
	int	c;

	if (p + 1 >= f->len)
		return 0;
	c = (unsigned char)f->s[p + 1];
	return sanitize_alpha(c) || c == '/' || c == '!' || c == '?';
}

/*
 * Reads text from f->pos to the next markup or the end and writes it; 0,
 * or -1 when it holds something the fast path does not take.
 */
static int
fast_text(struct fast *f, struct writer *w)
{
	const char	*s = f->s;
	size_t		 start, p = f->pos, n;
	int		 refs = 0;

	if (f->skiplf) {
		/* The parser drops one newline token after <pre>. */
		f->skiplf = 0;
		if (s[p] == '&')
			return -1;
		if (s[p] == '\n')
			f->pos = ++p;
		if (p >= f->len || (s[p] == '<' && fast_lt_markup(f, p)))
			return 0;
	}
	/* As writer_walk: a newline left there was the author's second. */
	if (w->pre != 0 && w->pre == w->b.len && s[p] == '\n')
		writer_add(w, "\n", 1);
	start = p;
	f->scratch.len = 0;
	while (p < f->len && !(s[p] == '<' && fast_lt_markup(f, p))) {
		if (s[p] != '&') {
			p++;
			/*
			 * Eight bytes with no '<' or '&' are text as they are.
			 */
			while (p + 8 <= f->len) {
				uint64_t v = sw_load((const unsigned char *)s +
				    p);

				if (sw_has(v, '<') || sw_has(v, '&'))
					break;
				p += 8;
			}
			continue;
		}
		if (!refs) {
			buf_add(&f->scratch, s + start, p - start);
			refs = 1;
		} else
			buf_add(&f->scratch, s + start, p - start);
		if ((n = fast_ref(f, s + p, f->len - p)) == 0)
			return -1;
		p += n;
		start = p;
	}
	if (refs) {
		buf_add(&f->scratch, s + start, p - start);
		if (f->scratch.failed)
			return -1;
		writer_escape_n(w, f->scratch.data, f->scratch.len, 0);
	} else
		writer_escape_n(w, s + f->pos, p - f->pos, 0);
	f->pos = p;
	return 0;
}

/* Whether C is a letter, digit or one of the name characters we take. */
static int
fast_namechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_' || c == ':';
}

/*
 * Reads the attributes of a start tag up to and including its '>' and,
 * when all is well, writes the element's start tag.  0, or -1 to decline.
 */
static int
fast_start(struct fast *f, struct writer *w, const char *name,
    unsigned bits)
{
	const char	*s = f->s;
	size_t		 p = f->pos, nattr = 0, i, j, nstart, n;
	size_t		 an[FAST_MAXATTRS], al[FAST_MAXATTRS];
	size_t		 vo[FAST_MAXATTRS];
	char		 q;

	f->scratch.len = 0;
	for (;;) {
		while (p < f->len && (s[p] == ' ' || s[p] == '\t' ||
		    s[p] == '\n'))
			p++;
		if (p >= f->len)
			return -1;
		if (s[p] == '>')
			break;
		if (s[p] == '/') {
			/* On anything but a void, gumbo ignores the '/'. */
			if (p + 1 >= f->len || s[p + 1] != '>' ||
			    !(bits & F_VOID))
				return -1;
			p++;
			break;
		}
		if (!(s[p] >= 'a' && s[p] <= 'z') || nattr == FAST_MAXATTRS)
			return -1;
		nstart = p;
		while (p < f->len && fast_namechar((unsigned char)s[p]))
			p++;
		an[nattr] = nstart;
		al[nattr] = p - nstart;
		if (al[nattr] >= 64)
			return -1;
		for (i = 0; i < nattr; i++)
			if (al[i] == al[nattr] && memcmp(s + an[i], s + nstart,
			    al[i]) == 0)
				return -1;
		vo[nattr] = f->scratch.len;
		if (p < f->len && s[p] == '=') {
			p++;
			if (p >= f->len || (s[p] != '"' && s[p] != '\''))
				return -1;
			q = s[p++];
			for (j = p; j < f->len && s[j] != q; ) {
				if (s[j] != '&') {
					buf_add(&f->scratch, s + j, 1);
					j++;
					continue;
				}
				if ((n = fast_ref(f, s + j, f->len - j)) == 0)
					return -1;
				j += n;
			}
			if (j >= f->len)
				return -1;
			p = j + 1;
			if (p < f->len && s[p] != ' ' && s[p] != '\t' &&
			    s[p] != '\n' && s[p] != '>' && s[p] != '/')
				return -1;
		} else if (p < f->len && s[p] != ' ' && s[p] != '\t' &&
		    s[p] != '\n' && s[p] != '>' && s[p] != '/')
			return -1;
		buf_add(&f->scratch, "", 1);
		nattr++;
	}
	if (f->scratch.failed)
		return -1;
	f->pos = p + 1;
	writer_add(w, "<", 1);
	writer_add(w, name, strlen(name));
	for (i = 0; i < nattr && !w->oom; i++) {
		char	aname[64];

		memcpy(aname, s + an[i], al[i]);
		aname[al[i]] = '\0';
		writer_attr_one(w, aname, f->scratch.data + vo[i]);
	}
	if (bits & F_VOID) {
		writer_add(w, " />", 3);
		return 0;
	}
	writer_add(w, ">", 1);
	w->depth++;
	f->st[f->n].name = name;
	f->st[f->n].bits = bits;
	f->n++;
	if (bits & F_P)
		f->nps++;
	if (bits & F_A)
		f->nas++;
	return 0;
}

/*
 * Reads the tag at f->pos ('<' and a letter or '/') and writes it; 0, or
 * -1 to decline.
 */
static int
fast_tagpos(struct fast *f, struct writer *w)
{
	const char	*s = f->s, *name;
	size_t		 p = f->pos + 1, start;
	unsigned	 bits;
	int		 end = 0;
	struct fast_ent	*top;

	if (p < f->len && s[p] == '/') {
		end = 1;
		p++;
	}
	start = p;
	while (p < f->len && ((s[p] >= 'a' && s[p] <= 'z') ||
	    (s[p] >= '0' && s[p] <= '9')))
		p++;
	if (p == start || (name = fast_tag(s + start, p - start, &bits)) ==
	    NULL)
		return -1;
	top = f->n > 0 ? &f->st[f->n - 1] : NULL;
	if (end) {
		while (p < f->len && (s[p] == ' ' || s[p] == '\t' ||
		    s[p] == '\n'))
			p++;
		if (p >= f->len || s[p] != '>' || top == NULL ||
		    top->name != name)
			return -1;
		f->pos = p + 1;
		f->skiplf = 0;
		writer_close(w, name);
		if (top->bits & F_P)
			f->nps--;
		if (top->bits & F_A)
			f->nas--;
		f->n--;
		return 0;
	}
	f->skiplf = 0;
	if (p >= f->len || (s[p] != ' ' && s[p] != '\t' && s[p] != '\n' &&
	    s[p] != '>' && s[p] != '/'))
		return -1;
	if (((bits & F_BLOCK) && f->nps > 0) || ((bits & F_A) && f->nas > 0) ||
	    ((bits & F_HEADING) && top != NULL && (top->bits & F_HEADING)) ||
	    ((bits & F_LI) && (top == NULL || !(top->bits & F_LIST))) ||
	    ((bits & F_DITEM) && (top == NULL || !(top->bits & F_DL))) ||
	    (!(bits & F_VOID) && f->n == FAST_MAXDEPTH))
		return -1;
	f->pos = p;
	if (fast_start(f, w, name, bits) == -1)
		return -1;
	if (bits & F_PRE) {
		w->pre = w->b.len;
		f->skiplf = 1;
	}
	return 0;
}

/*
 * Writes LEN bytes of cleaned HTML through the fast path into W.  0 when
 * done, 1 when the input is outside the subset (W must be reset), -1 when
 * out of memory.
 */
static int
fast_run(struct writer *w, const char *html, size_t len)
{
	struct fast	*f;
	int		 r = 0;

	if (!fast_chars_ok(html, len))
		return 1;
	if ((f = malloc(sizeof *f)) == NULL)
		return -1;
	f->s = html;
	f->len = len;
	f->pos = 0;
	f->n = f->nps = f->nas = 0;
	f->skiplf = 0;
	buf_init(&f->scratch, SIZE_MAX / 2);
	while (f->pos < f->len && r == 0 && !w->oom) {
		if (html[f->pos] != '<' || !fast_lt_markup(f, f->pos))
			r = fast_text(f, w);
		else if ((html[f->pos + 1] >= 'a' && html[f->pos + 1] <= 'z') ||
		    html[f->pos + 1] == '/')
			r = fast_tagpos(f, w);
		else
			r = -1;
	}
	if (r == 0 && f->n > 0)
		r = -1;
	buf_free(&f->scratch);
	free(f);
	if (w->oom)
		return -1;
	return r == 0 ? 0 : 1;
}

/*
 * Length of the numeric reference to an ampersand at S (at most LEFT bytes:
 * "&#38;" or "&#x26;", leading zeros allowed, ';' required), with its
 * marker's last byte in *MARK; 0 when S holds none.
 */
static size_t
sanitize_ampref(const char *s, size_t left, int *mark)
{
	size_t	i = 2;
	int	hex;

	if (left < 5 || s[0] != '&' || s[1] != '#')
		return 0;
	hex = s[2] == 'x' || s[2] == 'X';
	if (hex)
		i++;
	while (i < left && s[i] == '0')
		i++;
	if (left - i < 3 || s[i] != (hex ? '2' : '3') ||
	    s[i + 1] != (hex ? '6' : '8') || s[i + 2] != ';')
		return 0;
	*mark = hex ? SANITIZE_AMP_HEX : SANITIZE_AMP_DEC;
	return i + 3;
}

/*
 * LEN bytes of HTML without what XML 1.0 forbids, dropped before parsing
 * (gumbo would make them U+FFFD); form feed, HTML white space, becomes a
 * space.  Returns NULL when out of memory.  Caller frees.
 */
static char *
sanitize_input(const char *html, size_t len, size_t *outlen)
{
	const unsigned char	*p = (const unsigned char *)html;
	size_t			 i = 0, o = 0, n, skip;
	int			 mark;
	char			*out;

	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	while (i < len) {
		/*
		 * Printable ASCII but '&' is copied as it is, eight at a time.
		 */
		while (i + 8 <= len) {
			uint64_t v = sw_load(p + i);

			if ((v & SW_HIGHS) || sw_below(v, 0x20) ||
			    sw_has(v, '&'))
				break;
			memcpy(out + o, p + i, 8);
			i += 8;
			o += 8;
		}
		if (i >= len)
			break;
		if (p[i] >= 0x20 && p[i] < 0x80 && p[i] != '&') {
			out[o++] = (char)p[i++];
			continue;
		}
		if (p[i] == '\f') {
			out[o++] = ' ';
			i++;
			continue;
		}
		if (p[i] == '&' && (n = sanitize_ampref(html + i, len - i,
		    &mark)) != 0) {
			out[o++] = (char)0xf4;
			out[o++] = (char)0x8f;
			out[o++] = (char)0xbc;
			out[o++] = (char)mark;
			i += n;
			continue;
		}
		n = sanitize_xmlchar(p + i, len - i, &skip);
		if (n == 4 && sanitize_ampmark(p + i) != NULL)
			n = 0;	/* our markers: never the publisher's */
		memcpy(out + o, p + i, n);
		o += n;
		i += skip;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

char *
sanitize_html(const char *html, size_t len, const char *base)
{
	return sanitize_html_path(html, len, base, SANITIZE_AUTO);
}

char *
sanitize_html_path(const char *html, size_t len, const char *base, int path)
{
	struct writer	w;
	size_t		cut;
	char		*in;
	int		r;

	if (html == NULL)
		len = 0;
	if (len > SANITIZE_MAXIN) {
		/* Cut at a character boundary. */
		cut = SANITIZE_MAXIN;
		while (cut > 0 && ((unsigned char)html[cut] & 0xc0) == 0x80)
			cut--;
		len = cut;
	}
	if ((in = sanitize_input(len > 0 ? html : "", len, &len)) == NULL)
		return NULL;
	memset(&w, 0, sizeof w);
	w.base = base;
	w.budget = SANITIZE_OUT_MIN + SANITIZE_OUT_MUL * len;
	buf_init(&w.b, w.budget + SANITIZE_OUT_SLACK +
	    SANITIZE_MAXDEPTH * 16);
	if (path != SANITIZE_GUMBO) {
		if ((r = fast_run(&w, in, len)) != 1) {
			free(in);
			if (r == -1) {
				buf_free(&w.b);
				return NULL;
			}
			return buf_release(&w.b, NULL);
		}
		buf_free(&w.b);
		if (path == SANITIZE_FAST) {
			free(in);
			return NULL;
		}
		memset(&w, 0, sizeof w);
		w.base = base;
		w.budget = SANITIZE_OUT_MIN + SANITIZE_OUT_MUL * len;
		buf_init(&w.b, w.budget + SANITIZE_OUT_SLACK +
		    SANITIZE_MAXDEPTH * 16);
	}
	r = sanitize_try(&w, in, len, 0);
	if (r == 1) {
		/*
		 * Over budget: formatting elements re-opened across blocks
		 * multiply nodes.  Again without them; past that, nothing.
		 */
		buf_free(&w.b);
		memset(&w, 0, sizeof w);
		w.base = base;
		w.budget = SANITIZE_OUT_MIN + SANITIZE_OUT_MUL * len;
		buf_init(&w.b, w.budget + SANITIZE_OUT_SLACK +
		    SANITIZE_MAXDEPTH * 16);
		if ((r = sanitize_try(&w, in, len, 1)) == 1) {
			buf_free(&w.b);
			free(in);
			return strdup("");
		}
	}
	free(in);
	if (r == -1) {
		buf_free(&w.b);
		return NULL;
	}
	return buf_release(&w.b, NULL);
}

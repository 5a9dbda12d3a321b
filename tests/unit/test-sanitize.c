/*
 * test-sanitize: the HTML sanitizer.  Every XSS vector's output is parsed
 * again with gumbo and walked: no element, attribute or URL scheme off our
 * own lists (kept here, apart from sanitize.c's) may appear, the output
 * must be XML-safe UTF-8, and sanitizing it again must change nothing.
 * The fast path for tidy HTML is held to the full HTML5 parse: both must
 * write the same bytes for every input the fast path takes.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gumbo.h>

#include "buf.h"
#include "sanitize.h"

#define BASE	"https://example.com/blog/post/"

/* Elements the output may hold. */
static const char *const ok_elements[] = {
	"a", "abbr", "acronym", "address", "article", "aside", "audio", "b",
	"bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite",
	"code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl",
	"dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3",
	"h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li",
	"main", "mark", "nav", "ol", "p", "picture", "pre", "q", "rb", "rp",
	"rt", "rtc", "ruby", "s", "samp", "section", "small", "source", "span",
	"strike", "strong", "sub", "summary", "sup", "table", "tbody", "td",
	"tfoot", "th", "thead", "time", "tr", "track", "tt", "u", "ul", "var",
	"video", "wbr",
	/* Inert form controls and old or unknown names feedparser keeps. */
	"area", "button", "canvas", "datagrid", "datalist", "dialog", "dir",
	"event-source", "fieldset", "input", "keygen", "label", "legend", "m",
	"map", "menu", "meter", "multicol", "nextid", "optgroup", "option",
	"output", "progress", "select", "sound", "spacer", "textarea",
};

/* Attributes the output may hold. */
static const char *const ok_attrs[] = {
	"abbr", "align", "alt", "axis", "bgcolor", "border", "cellpadding",
	"cellspacing", "char", "charoff", "cite", "clear", "color", "cols",
	"colspan", "compact", "controls", "datetime", "default", "dir", "face",
	"headers", "height", "href", "hreflang", "hspace", "kind", "label",
	"lang", "longdesc", "loop", "media", "muted", "noshade", "nowrap",
	"open", "poster", "preload", "reversed", "rows", "rowspan", "rules",
	"scope", "size", "sizes", "span", "src", "srclang", "srcset", "start",
	"summary", "title", "type", "valign", "value", "vspace", "width",
	/* feedparser's harmless ones; style is checked as CSS. */
	"accept", "accept-charset", "accesskey", "autocomplete", "autofocus",
	"background", "balance", "bgproperties", "bordercolor",
	"bordercolordark", "bordercolorlight", "bottompadding", "ch",
	"challenge", "charset", "checked", "choff", "class", "contenteditable",
	"coords", "datafld", "datapagesize", "datasrc", "delay", "disabled",
	"draggable", "dynsrc", "enctype", "end", "for", "frame", "galleryimg",
	"gutter", "hidden", "hidefocus", "high", "icon", "inputmode", "ismap",
	"keytype", "leftspacing", "list", "loopcount", "loopend", "loopstart",
	"low", "lowsrc", "max", "maxlength", "method", "min", "multiple",
	"nohref", "optimum", "pattern", "point-size", "pqg", "prompt",
	"radiogroup", "readonly", "rel", "repeat-max", "repeat-min", "replace",
	"required", "rev", "rightspacing", "selected", "shape", "step", "style",
	"suppress", "tabindex", "template", "toppadding", "unselectable", "urn",
	"usemap", "variable", "volume", "vrml", "wrap",
};

/* Attributes holding one URL. */
static const char *const url_attrs[] = {
	"background", "cite", "datasrc", "dynsrc", "href", "icon", "longdesc",
	"lowsrc", "poster", "src", "vrml",
};

/* URL schemes the output may use. */
static const char *const ok_schemes[] = {
	"feed", "ftp", "ftps", "http", "https", "irc", "ircs", "magnet",
	"mailto", "news", "nntp", "sip", "sips", "sms", "tel", "webcal",
	"xmpp",
};

/* Markup that must never come out, whatever the vector. */
static const char *const never[] = {
	"<script", "<style", "<iframe", "<frame", "<svg", "<math", "<object",
	"<embed", "<applet", "<form", "<base", "<meta", "<link", "<template",
	"<noscript", "<title", "<!--", "<?", "<!doctype", "javascript:",
	"vbscript:", "livescript:", "data:", " on", "expression", "url(",
	"behavior", "binding", "@import", " id=", " name=", " action=",
	" form=", " target=", " ping=", "xlink", "srcdoc", "formaction",
	"http-equiv",
};

/* Hostile input, each checked structurally and against NEVER. */
static const char *const vectors[] = {
	"<script>alert(1)</script>",
	/* Found by tests/integration/xss.sh: feed: wrapping a script. */
	"<a href=\"feed:javascript:alert(1)\">x</a>",
	"<img src=\"FEED:JavaScript:alert(1)\" srcset=\"feed:javascript:x 1x\">",
	"<a href=\"feed:data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\">x</a>",
	"<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
	"<script/src=//evil.example/x.js></script>",
	"<img src=x onerror=alert(1)>",
	"<img/src=x/onerror=alert(1)>",
	"<img src=x:alert(1) onerror=eval(src) alt=0>",
	"<img src=\"x\"onerror=\"alert(1)\">",
	"<IMG SRC=\"jav\tascript:alert('XSS');\">",
	"<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;"
	    "&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;"
	    "&#39;&#41;>",
	"<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099"
	    "&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108"
	    "&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088>",
	"<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A"
	    "&#x61&#x6C&#x65&#x72&#x74>",
	"<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
	"<a href=\"javascript:alert(1)\">x</a>",
	"<a href=\"java&#x09;script:alert(1)\">x</a>",
	"<a href=\"java&#x0A;script:alert(1)\">x</a>",
	"<a href=\"java&#x0D;script:alert(1)\">x</a>",
	"<a href=\"javas&Tab;cript:alert(1)\">x</a>",
	"<a href=\"jav&NewLine;ascript:alert(1)\">x</a>",
	"<a href=\" JaVaScRiPt:alert(1)\">x</a>",
	"<a href=\"&#1;javascript:alert(1)\">x</a>",
	"<a href=\"&#x1f;java&#x1;script:alert(1)\">x</a>",
	"<a href=\"\x01\x02 javascript:alert(1)\">x</a>",
	"<a href=\"javascript&#58;alert(1)\">x</a>",
	"<a href=\"javascript&colon;alert(1)\">x</a>",
	"<a href=\"&#x6A;&#x61;vascript:alert(1)\">x</a>",
	"<a href='vbscript:msgbox(1)'>x</a>",
	"<a href=\"VBScript:msgbox(1)\">x</a>",
	"<a href=\"livescript:alert(1)\">x</a>",
	"<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">"
	    "x</a>",
	"<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
	"<a href=\"file:///etc/passwd\">x</a>",
	"<a/href=\"javascript:alert(1)\">x</a>",
	"<a href=\"javascript:alert(1)\" href=\"http://ok.example/\">x</a>",
	"<a href=\"http://ok.example/\" onclick=\"alert(1)\" "
	    "onmouseover=alert(1)>x</a>",
	"<a href=\"http://ok.example/&quot;onmouseover=&quot;alert(1)\">x</a>",
	"<svg><script>alert(1)</script></svg>",
	"<svg onload=alert(1)>",
	"<svg><style><img src=x onerror=alert(1)></style></svg>",
	"<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
	"<svg><foreignObject><script>alert(1)</script></foreignObject></svg>",
	"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
	"<math><style><img src onerror=alert(1)></style></math>",
	"<math href=\"javascript:alert(1)\">x</math>",
	"<!--><script>alert(1)</script>-->",
	"<!---><script>alert(1)</script>-->",
	"<!-- --!><script>alert(1)</script>-->",
	"<!-- <script>alert(1)</script> -->",
	"<![CDATA[<script>alert(1)</script>]]>",
	"<?xml-stylesheet href=\"javascript:alert(1)\"?>",
	"<!DOCTYPE html><script>alert(1)</script>",
	"<style>@import 'http://evil.example/x.css';</style>",
	"<style>body{background:url(javascript:alert(1))}</style>",
	"<div style=\"background:url(javascript:alert(1))\">x</div>",
	"<div style=\"width: expression(alert(1))\">x</div>",
	"<p STYLE=\"x:expression(alert(1))\">x</p>",
	"<iframe src=\"javascript:alert(1)\"></iframe>",
	"<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
	"<iframe><script>alert(1)</script></iframe>",
	"<frameset><frame src=\"javascript:alert(1)\"></frameset>",
	"<form action=\"javascript:alert(1)\"><input type=submit></form>",
	"<button formaction=\"javascript:alert(1)\">x</button>",
	"<input type=image src=x onerror=alert(1)>",
	"<isindex action=javascript:alert(1) type=image>",
	"<object data=\"javascript:alert(1)\"></object>",
	"<object><param name=movie value=x></object>",
	"<embed src=\"javascript:alert(1)\">",
	"<applet code=x></applet>",
	"<base href=\"javascript:alert(1)//\">",
	"<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
	"<link rel=stylesheet href=\"javascript:alert(1)\">",
	"<scr<script>ipt>alert(1)</script>",
	"<scr<script>ipt>alert(1)</scr</script>ipt>",
	"<img \"\"\"><script>alert(1)</script>\">",
	"<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
	"<noscript><style></noscript><img src=x onerror=alert(1)>",
	"<noembed><img src=x onerror=alert(1)></noembed>",
	"<table><td><script>alert(1)</script>",
	"<table><tr><td><style>x</style></td></tr></table>",
	"<table><script>alert(1)</script><tr><td>x",
	"<select><template><style><img src=x onerror=alert(1)>",
	"<template><script>alert(1)</script></template>",
	"<textarea><script>alert(1)</script></textarea>",
	"<title><script>alert(1)</script></title>",
	"<xmp><script>alert(1)</script></xmp>",
	"<plaintext><script>alert(1)</script>",
	"<body onload=alert(1)>x",
	"<video><source onerror=alert(1)></video>",
	"<video poster=javascript:alert(1)></video>",
	"<audio src=x onerror=alert(1)></audio>",
	"<details open ontoggle=alert(1)>x</details>",
	"<marquee onstart=alert(1)>x</marquee>",
	"<img srcset=\"javascript:alert(1) 1x, http://ok.example/a.png 2x\">",
	"<img srcset=\"http://ok.example/a.png (x, javascript:alert(1)) 2x\">",
	"<picture><source srcset=\"x.png, javascript:alert(1)\"></picture>",
	"<image src=x onerror=alert(1)>",
	"<div id=\"x\" name=\"y\" class=\"z\" data-x=\"1\" xmlns:x=\"y\">x</div>",
	"<a target=_blank rel=opener href=http://ok.example/>x</a>",
	"<p title=\"&lt;script&gt;alert(1)&lt;/script&gt;\">x</p>",
	"<div><a href=\"javascript:alert(1)\"",
	"<a href=\"ja\xe2\x80\x8bvascript:alert(1)\">x</a>",
	"<a href=\"\xef\xbc\xaa\xef\xbc\xa1vascript:alert(1)\">x</a>",
	"<b><p>x</b>y<script>alert(1)</script>",
	"<p>a<x-y onclick=alert(1)>b</x-y>c</p>",
};

/* 1 when NAME is on the NULL-less list V of N names (case-sensitive). */
static int
on_list(const char *const *v, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

#define ON(v, name)	on_list((v), sizeof (v) / sizeof (v)[0], (name))

/*
 * NULL when URL, as a browser reads it (C0 and spaces trimmed, tab/LF/CR
 * removed), is relative or has a listed scheme; else a complaint.
 */
static const char *
check_url(const char *url)
{
	char	 buf[4096], scheme[32];
	size_t	 len = strlen(url), i, o = 0, start = 0;

	while (start < len && (unsigned char)url[start] <= 0x20)
		start++;
	while (len > start && (unsigned char)url[len - 1] <= 0x20)
		len--;
	for (i = start; i < len && o < sizeof buf - 1; i++)
		if (url[i] != '\t' && url[i] != '\n' && url[i] != '\r')
			buf[o++] = url[i];
	buf[o] = '\0';
	if (!isalpha((unsigned char)buf[0]))
		return NULL;
	for (i = 0; buf[i] != ':'; i++) {
		if (buf[i] == '\0' || !(isalnum((unsigned char)buf[i]) ||
		    buf[i] == '+' || buf[i] == '-' || buf[i] == '.'))
			return NULL;	/* no scheme: relative */
		if (i >= sizeof scheme - 1)
			return "scheme too long";
		scheme[i] = (char)tolower((unsigned char)buf[i]);
	}
	scheme[i] = '\0';
	return ON(ok_schemes, scheme) ? NULL : "URL scheme not allowed";
}

/* NULL when every candidate URL of srcset value V passes check_url. */
static const char *
check_srcset(const char *v)
{
	char		 buf[4096];
	const char	*p = v, *err;
	size_t		 n;

	for (;;) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (*p == '\0')
			return NULL;
		for (n = 0; p[n] != '\0' && !isspace((unsigned char)p[n]); n++)
			;
		if (n >= sizeof buf)
			return "srcset URL too long";
		memcpy(buf, p, n);
		buf[n] = '\0';
		while (n > 0 && buf[n - 1] == ',')
			buf[--n] = '\0';
		if ((err = check_url(buf)) != NULL)
			return err;
		p += strlen(buf);
		/* Descriptors (we write no parentheses) run to a comma. */
		while (*p != '\0' && *p != ',') {
			if (*p == '(')
				return "parenthesis in srcset";
			p++;
		}
	}
}

/* Case-insensitive strstr. */
static const char *
find_nocase(const char *hay, const char *needle)
{
	size_t	n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/*
 * NULL when the style value V can only set plain properties: no function but
 * rgb()/rgba()/hsl()/hsla(), no escape, comment, at-rule, URL, nor anything
 * past ASCII letters, digits, spaces and # % . , ! - _ ' " : ;.
 */
static const char *
check_css(const char *v)
{
	static const char *const bad[] = { "url", "expression", "behavior",
	    "binding", "javascript", "position", "z-index" };
	const char	*p;
	size_t		 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (find_nocase(v, bad[i]) != NULL)
			return "hostile CSS";
	for (p = v; *p != '\0'; p++) {
		if (isalnum((unsigned char)*p) || strchr(" \t\n#%.,!-_'\":;",
		    *p) != NULL)
			continue;
		if (*p == '(' && p - v >= 3 && (strncasecmp(p - 3, "rgb", 3)
		    == 0 || strncasecmp(p - 3, "hsl", 3) == 0 ||
		    strncasecmp(p - 3, "gba", 3) == 0 || strncasecmp(p - 3,
		    "sla", 3) == 0))
			continue;
		if (*p == ')')
			continue;
		return "character not allowed in CSS";
	}
	return NULL;
}

/*
 * Parses OUT as a browser would and walks the tree: NULL when it holds only
 * allowed elements, attributes and URLs and is no deeper than 257 levels,
 * else what is wrong.
 */
static const char *
check_tree(const char *out)
{
	GumboOptions		 opts = kGumboDefaultOptions;
	GumboOutput		*g;
	const GumboNode		**st, *n;
	const GumboElement	*e;
	const GumboAttribute	*a;
	GumboStringPiece	 tag;
	size_t			*depth, sp = 0, cap = 1 << 16, d;
	const char		*err = NULL, *name;
	char			 tagname[64];
	unsigned		 i;

	opts.fragment_context = GUMBO_TAG_DIV;
	opts.fragment_namespace = GUMBO_NAMESPACE_HTML;
	g = gumbo_parse_with_options(&opts, out, strlen(out));
	assert_non_null(g);
	st = malloc(cap * sizeof *st);
	depth = malloc(cap * sizeof *depth);
	assert_non_null(st);
	assert_non_null(depth);
	st[sp] = g->root;
	depth[sp++] = 0;
	while (sp > 0 && err == NULL) {
		n = st[--sp];
		d = depth[sp];
		if (n->type == GUMBO_NODE_TEXT ||
		    n->type == GUMBO_NODE_WHITESPACE)
			continue;
		if (n->type != GUMBO_NODE_ELEMENT) {
			err = "comment, CDATA or template node";
			break;
		}
		e = &n->v.element;
		if (d > 257) {
			err = "nested too deep";
			break;
		}
		if (e->tag_namespace != GUMBO_NAMESPACE_HTML) {
			err = "svg or MathML element";
			break;
		}
		if (n != g->root) {
			if (e->tag == GUMBO_TAG_UNKNOWN) {
				tag = e->original_tag;
				gumbo_tag_from_original_text(&tag);
				snprintf(tagname, sizeof tagname, "%.*s",
				    (int)tag.length, tag.data);
				name = tagname;
			} else
				name = gumbo_normalized_tagname(e->tag);
			if (!ON(ok_elements, name)) {
				err = "element not allowed";
				break;
			}
		}
		for (i = 0; i < e->attributes.length && err == NULL; i++) {
			a = e->attributes.data[i];
			if (strncasecmp(a->name, "on", 2) == 0)
				err = "event handler attribute";
			else if (strncmp(a->name, "aria-", 5) == 0)
				err = a->name[strspn(a->name + 5,
				    "abcdefghijklmnopqrstuvwxyz-") + 5] ==
				    '\0' ? NULL : "odd aria- name";
			else if (!ON(ok_attrs, a->name))
				err = "attribute not allowed";
			else if (ON(url_attrs, a->name))
				err = check_url(a->value);
			else if (strcmp(a->name, "srcset") == 0)
				err = check_srcset(a->value);
			else if (strcmp(a->name, "style") == 0)
				err = check_css(a->value);
		}
		for (i = 0; i < e->children.length; i++) {
			if (sp == cap) {
				cap *= 2;
				st = realloc(st, cap * sizeof *st);
				depth = realloc(depth, cap * sizeof *depth);
				assert_non_null(st);
				assert_non_null(depth);
			}
			st[sp] = e->children.data[i];
			depth[sp++] = d + 1;
		}
	}
	free(st);
	free(depth);
	gumbo_destroy_output(&opts, g);
	return err;
}

/* NULL when S is UTF-8 with only characters XML 1.0 allows. */
static const char *
check_xml(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 c;
	size_t			 n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				return "C0 control character";
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2, c = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3, c = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4, c = *p & 0x07;
		else
			return "invalid UTF-8 lead byte";
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return "truncated UTF-8";
			c = (c << 6) | (p[i] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return "overlong or surrogate UTF-8";
		if (c == 0xfffe || c == 0xffff)
			return "U+FFFE or U+FFFF";
		p += n;
	}
	return NULL;
}

/* Sanitizes LEN bytes of IN; never NULL in these tests.  Caller frees. */
static char *
san_len(const char *in, size_t len, const char *base)
{
	char	*out;

	out = sanitize_html(in, len, base);
	assert_non_null(out);
	return out;
}

/* As san_len for a string.  Caller frees. */
static char *
san(const char *in, const char *base)
{
	return san_len(in, strlen(in), base);
}

/*
 * The checks every output must pass: structure, XML characters, and a
 * second pass that changes nothing.  Fails the test naming the input.
 */
static void
check_output(const char *in, const char *out, const char *base)
{
	const char	*err;
	char		*again;

	if ((err = check_tree(out)) == NULL)
		err = check_xml(out);
	if (err != NULL) {
		print_error("input:  %s\noutput: %s\nerror:  %s\n", in, out,
		    err);
		fail();
	}
	again = san(out, base);
	if (strcmp(again, out) != 0) {
		print_error("input:  %s\nonce:   %s\ntwice:  %s\n", in, out,
		    again);
		fail();
	}
	free(again);
}

/* Runs every vector, with and without a base. */
static void
test_xss_vectors(void **state)
{
	const char	*bases[] = { NULL, BASE, "javascript:alert(1)//" };
	char		*out;
	size_t		 v, b, k;

	(void)state;
	for (v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
		for (b = 0; b < sizeof bases / sizeof bases[0]; b++) {
			out = san(vectors[v], bases[b]);
			for (k = 0; k < sizeof never / sizeof never[0]; k++) {
				if (find_nocase(out, never[k]) == NULL)
					continue;
				print_error("input:  %s\noutput: %s\nfound:  "
				    "%s\n", vectors[v], out, never[k]);
				fail();
			}
			check_output(vectors[v], out, bases[b]);
			free(out);
		}
	}
}

/* What a few vectors leave behind, exactly. */
static void
test_xss_leftovers(void **state)
{
	static const struct {
		const char	*in, *want;
	} t[] = {
		{ "<img src=x onerror=alert(1)>", "<img src=\"x\" />" },
		{ "<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>" },
		{ "<a href=\"java&#x09;script:alert(1)\">x</a>", "<a>x</a>" },
		{ "<a href=\" JaVaScRiPt:alert(1)\">x</a>", "<a>x</a>" },
		{ "<p>a<script>alert(1)</script>b</p>", "<p>ab</p>" },
		{ "<p>a<style>p{}</style>b</p>", "<p>ab</p>" },
		{ "<p>a<noscript><b>n</b></noscript>b</p>", "<p>ab</p>" },
		{ "<p>a<svg><text>s</text></svg>b</p>", "<p>ab</p>" },
		{ "<p>a<math><mi>m</mi></math>b</p>", "<p>ab</p>" },
		{ "<p>a<iframe>i</iframe>b</p>", "<p>ab</p>" },
		{ "<p>a<object data=\"x.swf\">o</object>b</p>", "<p>aob</p>" },
		{ "<p>a<button formaction=\"javascript:alert(1)\">b</button>"
		    "<select form=f name=n><option>o</select>c</p>",
		    "<p>a<button>b</button><select><option>o</option></select>c"
		    "</p>" },
		{ "<div style=\"color: red; background: url(javascript:x)\">x"
		    "</div>", "<div style=\"color: red;\">x</div>" },
		{ "<p>a<!-- c -->b</p>", "<p>ab</p>" },
		{ "<!--><script>alert(1)</script>-->", "--&gt;" },
		{ "<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)" },
		{ "<table><td><script>alert(1)</script>",
		    "<table><tbody><tr><td></td></tr></tbody></table>" },
		{ "<div style=\"width: expression(alert(1))\">x</div>",
		    "<div>x</div>" },
		{ "<p title=\"&lt;script&gt;\">x</p>",
		    "<p title=\"&lt;script&gt;\">x</p>" },
		{ "<a href=\"http://ok.example/&quot;onmouseover=&quot;x\">x</a>",
		    "<a href=\"http://ok.example/&quot;onmouseover=&quot;x\">x"
		    "</a>" },
		{ "<blink>safe</blink> description", "safe description" },
		{ "<p>a<x-y onclick=alert(1)>b</x-y>c</p>", "<p>abc</p>" },
		{ "<img \"\"\"><script>alert(1)</script>\">",
		    "<img />\"&gt;" },
	};
	char	*out;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		out = san(t[i].in, NULL);
		if (strcmp(out, t[i].want) != 0) {
			print_error("input: %s\nwant:  %s\ngot:   %s\n", t[i].in,
			    t[i].want, out);
			fail();
		}
		free(out);
	}
}

/* Text without markup comes out escaped and otherwise unchanged. */
static void
test_plain_text(void **state)
{
	static const struct {
		const char	*in, *want;
	} t[] = {
		{ "", "" },
		{ "Hello, world", "Hello, world" },
		{ "Fish & chips < 5 > 3", "Fish &amp; chips &lt; 5 &gt; 3" },
		{ "He said \"hi\", it's fine", "He said \"hi\", it's fine" },
		{ "a&nbsp;b", "a\xc2\xa0" "b" },
		{ "&copy; 2024 &mdash; &#x263A;",
		    "\xc2\xa9 2024 \xe2\x80\x94 \xe2\x98\xba" },
		{ "&lt;b&gt;not bold&lt;/b&gt;", "&lt;b&gt;not bold&lt;/b&gt;" },
		{ "&amp;amp;", "&amp;amp;" },
		{ "AT&T", "AT&amp;T" },
		{ "  spaced\n\tlines  ", "  spaced\n\tlines  " },
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80" },
		{ "a\x01" "b\x0b" "c\x1f" "d", "abcd" },
		{ "x\xef\xbf\xbey", "xy" },
		/* A written CR stays one, raw it would be read as LF (fuzz). */
		{ "a&#13;b\r\nc", "a&#13;b\nc" },
		{ "<abbr title=\"a&#13;b\">x</abbr>",
		    "<abbr title=\"a&#13;b\">x</abbr>" },
		/* Raw, these would be read as U+FFFD (fuzz-sanitize). */
		{ "a&#127;b&#x81;c&#xFDD0;d", "a&#127;b&#x81;c&#xFDD0;d" },
		/* The newline after <pre> is judged after dropped controls. */
		{ "<pre>&#1;\nx</pre>", "<pre>\n\nx</pre>" },
	};
	char	*out;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		out = san(t[i].in, BASE);
		if (strcmp(out, t[i].want) != 0) {
			print_error("input: %s\nwant:  %s\ngot:   %s\n", t[i].in,
			    t[i].want, out);
			fail();
		}
		check_output(t[i].in, out, BASE);
		free(out);
	}
	/* NULL with no length is empty input. */
	out = sanitize_html(NULL, 0, NULL);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
}

/*
 * An element unwrapped (object) no longer stands between its parent and
 * its children: those that would misnest are unwrapped too, so that the
 * output parses back to itself (found by fuzz-sanitize).
 */
static void
test_unwrapped_misnest(void **state)
{
	static const struct {
		const char	*in, *want;
	} t[] = {
		{ "<p>a<object data=x.swf><p>b</p></object>c</p>", "<p>abc</p>" },
		{ "<a href=/x>x<object><a href=/y>y</a></object></a>",
		    "<a href=\"/x\">xy</a>" },
		{ "<ul><li>1<object><li>2</object></ul>", "<ul><li>12</li></ul>" },
		{ "<ruby>kan<rp>(<object><rt>k</object></rp></ruby>",
		    "<ruby>kan<rp>(k</rp></ruby>" },
		{ "<p><object><table><tr><td>c</td></tr></table></object></p>",
		    "<p>c</p>" },
	};
	char	*out, *again;

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		out = sanitize_html(t[i].in, strlen(t[i].in), NULL);
		assert_non_null(out);
		assert_string_equal(out, t[i].want);
		again = sanitize_html(out, strlen(out), NULL);
		assert_non_null(again);
		assert_string_equal(again, out);
		free(again);
		free(out);
	}
}

/* Bytes that are not UTF-8, or NUL, still make valid output. */
static void
test_bad_bytes(void **state)
{
	static const char	in[] = "a\xff" "b\xc0\xaf" "c\0d<p>\xed\xa0\x80"
	    "e</p>";
	char			*out;

	(void)state;
	out = san_len(in, sizeof in - 1, NULL);
	assert_null(check_xml(out));
	assert_null(check_tree(out));
	assert_non_null(strstr(out, "<p>"));
	assert_non_null(strchr(out, 'a'));
	assert_non_null(strchr(out, 'e'));
	free(out);
}

/* An ordinary article survives whole. */
static void
test_article(void **state)
{
	const char	*in =
	    "<h2>Title</h2>\n"
	    "<p>Intro with <a href=\"https://example.org/x?a=1&amp;b=2\" "
	    "title=\"X\">a link</a>, <em>emphasis</em>, <strong>weight"
	    "</strong>, <code>code()</code> and a<br>break.</p>\n"
	    "<ul><li>one</li><li>two <i>it</i></li></ul>\n"
	    "<ol start=\"3\"><li>three</li></ol>\n"
	    "<blockquote cite=\"https://example.org/q\"><p>Quoted</p>"
	    "</blockquote>\n"
	    "<figure><img src=\"https://example.org/a.png\" alt=\"A &quot;pic"
	    "&quot;\" width=\"640\" height=\"480\"><figcaption>Cap"
	    "</figcaption></figure>\n"
	    "<table border=\"1\"><thead><tr><th scope=\"col\">h</th></tr>"
	    "</thead><tbody><tr><td colspan=\"2\">c</td></tr></tbody>"
	    "</table>\n"
	    "<pre>line 1\n  line 2</pre><hr>\n"
	    "<dl><dt>term</dt><dd>def</dd></dl>"
	    "<p><del>old</del><ins>new</ins> <sub>1</sub><sup>2</sup> "
	    "<abbr title=\"HyperText\">HTML</abbr> <time datetime=\"2024-01-02"
	    "\">Jan 2</time></p>";
	const char	*want =
	    "<h2>Title</h2>\n"
	    "<p>Intro with <a href=\"https://example.org/x?a=1&amp;b=2\" "
	    "title=\"X\">a link</a>, <em>emphasis</em>, <strong>weight"
	    "</strong>, <code>code()</code> and a<br />break.</p>\n"
	    "<ul><li>one</li><li>two <i>it</i></li></ul>\n"
	    "<ol start=\"3\"><li>three</li></ol>\n"
	    "<blockquote cite=\"https://example.org/q\"><p>Quoted</p>"
	    "</blockquote>\n"
	    "<figure><img src=\"https://example.org/a.png\" alt=\"A &quot;pic"
	    "&quot;\" width=\"640\" height=\"480\" /><figcaption>Cap"
	    "</figcaption></figure>\n"
	    "<table border=\"1\"><thead><tr><th scope=\"col\">h</th></tr>"
	    "</thead><tbody><tr><td colspan=\"2\">c</td></tr></tbody>"
	    "</table>\n"
	    "<pre>line 1\n  line 2</pre><hr />\n"
	    "<dl><dt>term</dt><dd>def</dd></dl>"
	    "<p><del>old</del><ins>new</ins> <sub>1</sub><sup>2</sup> "
	    "<abbr title=\"HyperText\">HTML</abbr> <time datetime=\"2024-01-02"
	    "\">Jan 2</time></p>";
	char		*out;

	(void)state;
	out = san(in, BASE);
	assert_string_equal(out, want);
	check_output(in, out, BASE);
	free(out);
}

/* Media, details and ruby keep their safe attributes. */
static void
test_media_and_friends(void **state)
{
	static const struct {
		const char	*in, *want;
	} t[] = {
		{ "<video controls poster=\"p.jpg\" autoplay width=\"320\">"
		    "<source src=\"v.mp4\" type=\"video/mp4\"><track "
		    "src=\"c.vtt\" kind=\"captions\" srclang=\"en\">no video"
		    "</video>",
		    "<video controls=\"\" poster=\"" BASE "p.jpg\" width=\"320\">"
		    "<source src=\"" BASE "v.mp4\" type=\"video/mp4\" /><track "
		    "src=\"" BASE "c.vtt\" kind=\"captions\" srclang=\"en\" />"
		    "no video</video>" },
		{ "<audio controls src=\"/a.mp3\"></audio>",
		    "<audio controls=\"\" src=\"https://example.com/a.mp3\">"
		    "</audio>" },
		{ "<picture><source srcset=\"a.webp 1x, b.webp 2x\" "
		    "type=\"image/webp\"><img src=\"a.jpg\"></picture>",
		    "<picture><source srcset=\"" BASE "a.webp 1x, " BASE
		    "b.webp 2x\" type=\"image/webp\" /><img src=\"" BASE
		    "a.jpg\" /></picture>" },
		{ "<details open><summary>More</summary>text</details>",
		    "<details open=\"\"><summary>More</summary>text</details>" },
		{ "<ruby>kan<rp>(</rp><rt>k</rt><rp>)</rp></ruby>",
		    "<ruby>kan<rp>(</rp><rt>k</rt><rp>)</rp></ruby>" },
		{ "<font color=\"red\" face=\"x\" size=\"2\">f</font><center>c"
		    "</center>",
		    "<font color=\"red\" face=\"x\" size=\"2\">f</font><center>c"
		    "</center>" },
		{ "<p>a<wbr>b</p>", "<p>a<wbr />b</p>" },
		{ "<table><colgroup><col span=\"2\"></colgroup><caption>c"
		    "</caption></table>",
		    "<table><colgroup><col span=\"2\" /></colgroup><caption>c"
		    "</caption></table>" },
		{ "<img srcset=\"a.png 100w,b.png 200w, javascript:x 3x, "
		    "c.png (bad)\" sizes=\"50vw\">",
		    "<img srcset=\"" BASE "a.png 100w, " BASE "b.png 200w\" "
		    "sizes=\"50vw\" />" },
		{ "<img srcset=\"javascript:alert(1)\">", "<img />" },
	};
	char	*out;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		out = san(t[i].in, BASE);
		if (strcmp(out, t[i].want) != 0) {
			print_error("input: %s\nwant:  %s\ngot:   %s\n", t[i].in,
			    t[i].want, out);
			fail();
		}
		check_output(t[i].in, out, BASE);
		free(out);
	}
}

/*
 * Attributes off the list go (id, name, handlers, data-*, target, ping,
 * form, action); class, aria-* and a filtered style stay.
 */
static void
test_attributes_dropped(void **state)
{
	char	*out;

	(void)state;
	out = san("<p id=\"x\" class=\"y\" style=\"color:red\" onclick=\"z\" "
	    "title=\"t\" lang=\"en\" dir=\"ltr\" data-foo=\"1\" "
	    "xml:lang=\"en\" aria-label=\"l\" aria-x\"y=\"1\">x</p>", NULL);
	assert_string_equal(out, "<p class=\"y\" style=\"color: red;\" "
	    "title=\"t\" lang=\"en\" dir=\"ltr\" aria-label=\"l\">x</p>");
	free(out);
	out = san("<a href=\"/x\" target=\"_blank\" rel=\"opener\" "
	    "name=\"n\" ping=\"http://t.example/\" download>x</a>", NULL);
	assert_string_equal(out, "<a href=\"/x\" rel=\"opener\">x</a>");
	free(out);
	out = san("<span form=\"f\" action=\"/a\" data=\"/d\" "
	    "accesskey=\"k\" tabindex=\"1\" hidden>x</span>", NULL);
	assert_string_equal(out,
	    "<span accesskey=\"k\" tabindex=\"1\" hidden=\"\">x</span>");
	free(out);
	/* Values: & and " escaped, < and > too, the rest as written. */
	out = san("<img alt='a \"b\" & <c> &amp; d'>", NULL);
	assert_string_equal(out,
	    "<img alt=\"a &quot;b&quot; &amp; &lt;c&gt; &amp; d\" />");
	free(out);
}

/* Relative URLs resolve against the base; without one they stay. */
static void
test_relative_urls(void **state)
{
	static const struct {
		const char	*in, *base, *want;
	} t[] = {
		{ "<a href=\"../other\">x</a>", BASE,
		    "<a href=\"https://example.com/blog/other\">x</a>" },
		{ "<img src=\"/img/a.png\">", BASE,
		    "<img src=\"https://example.com/img/a.png\" />" },
		{ "<a href=\"?q=1\">x</a>", BASE,
		    "<a href=\"https://example.com/blog/post/?q=1\">x</a>" },
		{ "<a href=\"#frag\">x</a>", BASE,
		    "<a href=\"https://example.com/blog/post/#frag\">x</a>" },
		{ "<a href=\"//cdn.example.net/x\">x</a>", BASE,
		    "<a href=\"https://cdn.example.net/x\">x</a>" },
		{ "<a href=\"  page.html  \">x</a>", BASE,
		    "<a href=\"https://example.com/blog/post/page.html\">x</a>" },
		{ "<a href=\"pa\nge.html\">x</a>", BASE,
		    "<a href=\"https://example.com/blog/post/page.html\">x</a>" },
		{ "<blockquote cite=\"q.html\">x</blockquote>", BASE,
		    "<blockquote cite=\"https://example.com/blog/post/q.html\">"
		    "x</blockquote>" },
		{ "<a href=\"mailto:a@example.com\">m</a>", BASE,
		    "<a href=\"mailto:a@example.com\">m</a>" },
		{ "<a href=\"tel:+15551234\">t</a>", BASE,
		    "<a href=\"tel:+15551234\">t</a>" },
		{ "<a href=\"HTTP://Example.ORG/A\">x</a>", BASE,
		    "<a href=\"HTTP://Example.ORG/A\">x</a>" },
		{ "<a href=\"../other\">x</a>", NULL,
		    "<a href=\"../other\">x</a>" },
		{ "<a href=\"/x?a=1&b=2\">x</a>", NULL,
		    "<a href=\"/x?a=1&amp;b=2\">x</a>" },
		{ "<a href=\"\">x</a>", NULL, "<a href=\"\">x</a>" },
		/* A hostile base cannot smuggle a scheme in. */
		{ "<a href=\"x\">x</a>", "javascript:alert(1)//", "<a>x</a>" },
		{ "<a href=\"x\">x</a>", "data:text/html,", "<a>x</a>" },
	};
	char	*out;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		out = san(t[i].in, t[i].base);
		if (strcmp(out, t[i].want) != 0) {
			print_error("input: %s\nwant:  %s\ngot:   %s\n", t[i].in,
			    t[i].want, out);
			fail();
		}
		check_output(t[i].in, out, t[i].base);
		free(out);
	}
}

/* The exported scheme test. */
static void
test_url_ok(void **state)
{
	static const char *const ok[] = {
		"http://example.com/", "HTTPS://example.com/", "ftp://x/",
		"mailto:a@b.example", "tel:+1234", "/relative", "relative",
		"?q", "#frag", "//host.example/x", "", "javascript",
		"./javascript:alert(1)", "\xef\xbc\xaa" "avascript:x",
		"feed://example.com/rss", "feed:https://example.com/rss",
		"FEED:http://example.com/rss",
		"averyveryveryveryveryverylongpagename",
		"a long relative name with spaces.html",
	};
	static const char *const bad[] = {
		"javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:x",
		"java\nscript:x", "java\rscript:x", "\x01javascript:x",
		"\x01 \x1f javascript:x", "java\x01script:x", "vbscript:x",
		"VBScript:x", "livescript:x", "data:text/html,<script>",
		"data:image/png;base64,AAAA", "file:///etc/passwd", "jar:x",
		"about:blank", "blob:https://x/y", "view-source:http://x/",
		"x-unknown-scheme:foo",
		/* feed: is fine, what it wraps may not be (tests/xss). */
		"feed:javascript:alert(1)", "feed:java\tscript:x",
		"FEED:JavaScript:x", "feed:data:text/html,x", "feed:feed:x:y",
		"feed:vbscript:x",
		"averyveryveryveryveryverylongscheme:x",
		/* Blanks and controls inside the scheme (fuzz-sanitize). */
		"vbscri\x01 pt:x", "java script:x", "java\x7fscript:x",
		"da ta:text/html,x", "feed:java script:x",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (!sanitize_url_ok(ok[i])) {
			print_error("should pass: %s\n", ok[i]);
			fail();
		}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (sanitize_url_ok(bad[i])) {
			print_error("should fail: %s\n", bad[i]);
			fail();
		}
	assert_int_equal(sanitize_url_ok(NULL), 0);
}

/* Elements off the list lose their tags but keep their text. */
static void
test_unwrap(void **state)
{
	static const struct {
		const char	*in, *want;
	} t[] = {
		{ "<custom-el>x</custom-el>", "x" },
		{ "<marquee>m</marquee>", "m" },
		{ "<nobr>l</nobr><blink>g</blink><x-f>f</x-f>", "lgf" },
		{ "<span><unknown><b>x</b></unknown></span>",
		    "<span><b>x</b></span>" },
		{ "<html><body><p>x</p></body></html>", "<p>x</p>" },
		{ "<pre>\n\nx</pre>", "<pre>\n\nx</pre>" },
	};
	char	*out;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		out = san(t[i].in, NULL);
		if (strcmp(out, t[i].want) != 0) {
			print_error("input: %s\nwant:  %s\ngot:   %s\n", t[i].in,
			    t[i].want, out);
			fail();
		}
		check_output(t[i].in, out, NULL);
		free(out);
	}
}

/* Runs each IN through the sanitizer with BASE and wants WANT exactly. */
static void
want_all(const char *const (*t)[2], size_t n, const char *base)
{
	char	*out;
	size_t	 i;

	for (i = 0; i < n; i++) {
		out = san(t[i][0], base);
		if (strcmp(out, t[i][1]) != 0) {
			print_error("input: %s\nwant:  %s\ngot:   %s\n", t[i][0],
			    t[i][1], out);
			fail();
		}
		check_output(t[i][0], out, base);
		free(out);
	}
}

/* style keeps plain declarations, rewritten as "name: value;". */
static void
test_css_kept(void **state)
{
	static const char *const t[][2] = {
		{ "<span style=\"color:red\">x</span>",
		    "<span style=\"color: red;\">x</span>" },
		{ "<span style=\"border: 1px solid rgb(0, 0, 0)\">x</span>",
		    "<span style=\"border: 1px solid rgb(0, 0, 0);\">x</span>" },
		{ "<span style=\"font-family: 'Lucida Console', arial,sans-serif;"
		    " TEXT-INDENT: 0.5in\">x</span>",
		    "<span style=\"font-family: 'Lucida Console', arial,"
		    "sans-serif; TEXT-INDENT: 0.5in;\">x</span>" },
		{ "<span style=\"margin: 0 15px 0 0 !important; padding: 2ex;"
		    "background-color: #000\">x</span>",
		    "<span style=\"margin: 0 15px 0 0 !important; padding: 2ex; "
		    "background-color: #000;\">x</span>" },
		{ "<span style='font-family: \"Comic Sans\"'>x</span>",
		    "<span style=\"font-family: &quot;Comic Sans&quot;;\">x"
		    "</span>" },
		/* Only the bad declarations go. */
		{ "<span style=\"color: blue; background-image: url(x.png); "
		    "background-repeat: no-repeat; width: 10px\">x</span>",
		    "<span style=\"color: blue; width: 10px;\">x</span>" },
		{ "<span style=\"position: fixed; top: 0; z-index: 9\">x</span>",
		    "<span>x</span>" },
		{ "<span style=\"margin: 99999em\">x</span>", "<span>x</span>" },
		{ "<span style=\"margin-top: -500px\">x</span>",
		    "<span>x</span>" },
	};

	(void)state;
	want_all(t, sizeof t / sizeof t[0], NULL);
}

/* Hostile CSS: every vector loses its style attribute whole. */
static void
test_css_hostile(void **state)
{
	static const char *const css[] = {
		"background: url(javascript:alert(1))",
		"background-image: url(\"javascript:alert(1)\")",
		"background:url( http://evil.example/x.png )",
		"background: URL(x)",
		"width: expression(alert(1))",
		"width: expr/**/ession(alert(1))",
		"w\\idth: 1px",
		"color: \\72 ed",
		"background: \\75 rl(x)",
		"color: red /* comment */",
		"behavior: url(x.htc)",
		"-moz-binding: url(http://evil.example/x.xml#xss)",
		"@import 'http://evil.example/x.css'",
		"color: red; @import url(x)",
		"font-family: 'a;b'",
		"font-family: 'unclosed",
		"font-family: \"a\\\"b\"",
		"color: red; } body { background: red",
		"color: <script>",
		"color: &#106;",
		"color: rgb(1, 2, url(x))",
		"color: rgb(1, 2",
		"color: attr(title)",
		"color: var(--x)",
		"content: 'x'",
		"background: image-set(\"x.png\" 1x)",
		"list-style: url(x)",
		"cursor: url(x), auto",
		"color: r\xc3\xa9" "d",
		"color: red\xef\xbc\x9b",
		"position: absolute",
		"padding: 1px:2px",
		"border: 1px solid red; border: 1em solid url(x)",
	};
	char	 in[512], *out;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof css / sizeof css[0]; i++) {
		snprintf(in, sizeof in, "<span style=\"%s\">x</span>", css[i]);
		out = san(in, BASE);
		check_output(in, out, BASE);
		if (find_nocase(out, "url") != NULL ||
		    find_nocase(out, "expr") != NULL ||
		    find_nocase(out, "@") != NULL ||
		    find_nocase(out, "binding") != NULL ||
		    find_nocase(out, "behavior") != NULL ||
		    strchr(out, '\\') != NULL ||
		    find_nocase(out, "/*") != NULL ||
		    find_nocase(out, "&#") != NULL) {
			print_error("input:  %s\noutput: %s\n", in, out);
			fail();
		}
		free(out);
	}
	/* The whole declaration goes, and its neighbours stay intact. */
	out = san("<p style=\"color: red; background: url(javascript:x); "
	    "width: 1px\">x</p>", NULL);
	assert_string_equal(out, "<p style=\"color: red; width: 1px;\">x</p>");
	free(out);
	out = san("<p style=\"font-family: 'a;b'; color: red\">x</p>", NULL);
	assert_string_equal(out, "<p style=\"color: red;\">x</p>");
	free(out);
}

/* Inert form controls and feedparser's extra elements are kept. */
static void
test_inert_controls(void **state)
{
	static const char *const t[][2] = {
		{ "<label for=\"q\">l</label><fieldset disabled><legend>g"
		    "</legend>f</fieldset>",
		    "<label for=\"q\">l</label><fieldset disabled=\"\"><legend>g"
		    "</legend>f</fieldset>" },
		{ "<input type=\"text\" name=\"q\" id=\"q\" value=\"v\" "
		    "form=\"login\" formaction=\"/steal\" maxlength=\"5\" "
		    "onfocus=\"x()\" autofocus>",
		    "<input type=\"text\" value=\"v\" maxlength=\"5\" "
		    "autofocus=\"\" />" },
		{ "<input type=\"image\" src=\"javascript:alert(1)\">",
		    "<input type=\"image\" />" },
		{ "<input type=\"image\" src=\"b.png\">",
		    "<input type=\"image\" src=\"" BASE "b.png\" />" },
		{ "<button type=\"submit\" formmethod=\"post\">b</button>",
		    "<button type=\"submit\">b</button>" },
		{ "<textarea rows=\"2\" cols=\"3\">&lt;/textarea&gt;&lt;script&gt;"
		    "</textarea>",
		    "<textarea rows=\"2\" cols=\"3\">&lt;/textarea&gt;&lt;script&gt;"
		    "</textarea>" },
		{ "<textarea>\n\nx</textarea>", "<textarea>\n\nx</textarea>" },
		{ "<select multiple><optgroup label=\"g\"><option selected "
		    "value=\"1\">o</option></optgroup></select>",
		    "<select multiple=\"\"><optgroup label=\"g\"><option "
		    "selected=\"\" value=\"1\">o</option></optgroup></select>" },
		{ "<map name=\"m\"><area shape=\"rect\" coords=\"0,0,1,1\" "
		    "href=\"javascript:x\" nohref></map>",
		    "<map><area shape=\"rect\" coords=\"0,0,1,1\" nohref=\"\" />"
		    "</map>" },
		{ "<meter min=\"0\" max=\"1\" value=\"0.5\">m</meter><progress "
		    "value=\"1\">p</progress><output for=\"a\">o</output>",
		    "<meter min=\"0\" max=\"1\" value=\"0.5\">m</meter><progress "
		    "value=\"1\">p</progress><output for=\"a\">o</output>" },
		{ "<dialog open>d</dialog><m>x</m><menu><li>i</li></menu>",
		    "<dialog open=\"\">d</dialog><m>x</m><menu><li>i</li>"
		    "</menu>" },
		{ "<form action=\"/x\"><input name=\"a\"></form>t", "t" },
		{ "<span background=\"javascript:x\" dynsrc=\"data:x\" "
		    "lowsrc=\"l.png\">x</span>",
		    "<span lowsrc=\"" BASE "l.png\">x</span>" },
	};

	(void)state;
	want_all(t, sizeof t / sizeof t[0], BASE);
}

/* An ampersand written as a numeric reference comes out as written. */
static void
test_amp_as_written(void **state)
{
	static const char *const t[][2] = {
		{ "&#38;", "&#38;" },
		{ "&#x26;", "&#x26;" },
		{ "&#X26; &#0038; &#x0026;", "&#x26; &#38; &#x26;" },
		{ "<b>&#38;</b>", "<b>&#38;</b>" },
		{ "<a title=\"&#38;\">&#38;</a>", "<a title=\"&#38;\">&#38;</a>" },
		{ "&amp; & &#38 &#38x;", "&amp; &amp; &amp; &amp;x;" },
		/* In a URL it is an ampersand again, and may be escaped. */
		{ "<a href=\"/x?a=1&#38;b=2\">x</a>",
		    "<a href=\"/x?a=1&amp;b=2\">x</a>" },
		{ "<a href=\"java&#38;script:alert(1)\">x</a>",
		    "<a href=\"java&amp;script:alert(1)\">x</a>" },
		{ "<span style=\"color: red&#38;\">x</span>", "<span>x</span>" },
		/* The markers themselves, written by a publisher, go. */
		{ "a\xf4\x8f\xbc\xb8" "b\xf4\x8f\xbc\xa6" "c", "abc" },
		{ "<!-- &#38; --><script>&#38;</script>", "" },
	};

	(void)state;
	want_all(t, sizeof t / sizeof t[0], NULL);
}

/*
 * Holds the two ways to each other on IN: the full parse and the default
 * must agree, and the fast path, when it takes IN, must agree with both.
 * Returns 1 when the fast path took it.
 */
static int
same_both_ways(const char *in, size_t len, const char *base)
{
	char	*g, *a, *f;
	int	 took;

	g = sanitize_html_path(in, len, base, SANITIZE_GUMBO);
	a = sanitize_html_path(in, len, base, SANITIZE_AUTO);
	f = sanitize_html_path(in, len, base, SANITIZE_FAST);
	assert_non_null(g);
	assert_non_null(a);
	if (strcmp(g, a) != 0 || (f != NULL && strcmp(f, g) != 0)) {
		print_error("input: %.*s\ngumbo: %s\nauto:  %s\nfast:  %s\n",
		    (int)len, in, g, a, f != NULL ? f : "(declined)");
		fail();
	}
	took = f != NULL;
	free(g);
	free(a);
	free(f);
	return took;
}

/* Fragments the fast path should take, and near misses it must not. */
static const char *const tidy[] = {
	"<p>Hello <b>bold</b> and <i>it</i>.</p>",
	"<p>a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;</p>",
	"<p>&#38; &#x26; &#X26; &#038; &#233; &#xe9; &#x1F600; &nbsp;x"
	    "&mdash;&hellip;&rsquo;&euro;</p>",
	"AT&T & co < 3 > 2 &",
	"<p>x &#0; &#128; &#x80; &#xD800; &#x110000; &#65534; &#13;</p>",
	"<p>&notin; &not &ampx &amp</p>",
	"<ul><li>one</li><li>two <a href=\"/x?a=1&amp;b=2\">l</a></li></ul>",
	"<ol start=\"3\">\n<li>a</li>\n</ol>",
	"<dl><dt>t</dt><dd>d</dd></dl>",
	"<h2>T</h2><h3 title='s&amp;t'>u</h3>",
	"<blockquote cite=\"q.html\"><p>q</p></blockquote>",
	"<figure><img src=\"a.png\" alt=\"A\" width=\"1\"/><figcaption>c"
	    "</figcaption></figure>",
	"<p>br<br>br<br/>br<br />wbr<wbr>x</p><hr><hr/>",
	"<pre>\ncode\n</pre><pre>\n\ntwo</pre><pre>x\n</pre><pre></pre>"
	    "<pre>\n</pre><pre><code>\nc</code></pre><pre>&#10;x</pre>",
	"<div><p>a</p><p>b</p></div><section><article>x</article></section>",
	"<a href=\"javascript:alert(1)\">j</a><a href=\"java&#x09;script:x\">"
	    "k</a><img src=\"data:x\">",
	"<span style=\"color: red; background: url(x)\" class=\"c\" id=\"i\" "
	    "onclick=\"x()\" data-x=\"1\" aria-label=\"l\">s</span>",
	"<span title=\"a\" title=\"b\">dup</span>",
	"<img srcset=\"a.png 1x, b.png 2x\" src=\"c.png\">",
	"<p>nested <b><i><u><s><em><strong><code>x</code></strong></em></s>"
	    "</u></i></b></p>",
	"<b><b><b><b><b>noah</b></b></b></b></b>",
	"<a href=\"/a\"><div>block in a</div></a>",
	"<b><p>p in b</p></b>",
	/* Near misses: each must decline or agree. */
	"<p>a<div>b</div></p>", "<p>a<p>b</p></p>", "<a href=x><a>y</a></a>",
	"<h1><h2>x</h2></h1>", "<li>x</li>", "<ul><li><li>x</li></li></ul>",
	"<dd>x</dd>", "<P>upper</P>", "<p CLASS=\"x\">x</p>", "<p class=x>x</p>",
	"<b>x</i>", "<b>x", "</b>x", "<br></br>", "<span/>x", "<p>a\r\nb</p>",
	"<p>\xc2\x85</p>", "<p>\xef\xbb\xbf</p>", "\xef\xbb\xbfx",
	"<table><tr><td>x</td></tr></table>", "<p><!-- c -->x</p>",
	"<p>x</p >", "<p >x</p>", "<p\tclass=\"a\"\n>x</p>", "<pre>&amp;x</pre>",
	"<script>x</script>", "<p>a<hr>b</p>", "<i><p>x</i></p>",
	"<p title=\"a\"b=\"c\">x</p>", "<p title=\"&#x26;&amp;&lt;\">x</p>",
	"<p>x\x7fy</p>", "<img src=\"a\" / >", "<p>&#x10FF38;&#1114150;</p>",
};

/*
 * The scans skip eight plain bytes at a time: what surrounds a character
 * that needs a look must not depend on where it falls in those words.
 * Each sequence, after 0 to 19 plain letters and before 19 more, comes
 * out the same between them, and the fast path agrees with the parse.
 */
static void
test_offsets(void **state)
{
	static const char *const xs[] = { "& ", "&amp;", "< ", ">", "\"", "'",
	    "\r", "\r\n", "\x7f", "\x01", "\f", "\t", "\n", "caf\xc3\xa9",
	    "\xe2\x80\xa8", "\xef\xbf\xbe", "\xc2\x85", "&#38;", "&lt;",
	    "<b>x</b>", "\xe2\x84\xaa", "\xf0\x9f\x98\x80", "&nbsp;" };
	char		 in[128], *out, *mid0 = NULL;
	size_t		 n, len, k;

	(void)state;
	for (size_t x = 0; x < sizeof xs / sizeof xs[0]; x++) {
		for (int wrap = 0; wrap < 2; wrap++) {
			for (k = 0; k < 20; k++) {
				n = (size_t)snprintf(in, sizeof in, "%s%.*s%s"
				    "bbbbbbbbbbbbbbbbbbb%s", wrap ? "<p>" : "",
				    (int)k, "aaaaaaaaaaaaaaaaaaaa", xs[x],
				    wrap ? "</p>" : "");
				assert_non_null(out = sanitize_html(in, n,
				    NULL));
				len = strlen(out);
				/* The letters before and after are there as they were. */
				assert_true(len >= (wrap ? 7 : 0) + k + 19);
				assert_memory_equal(out + (wrap ? 3 : 0),
				    "aaaaaaaaaaaaaaaaaaaa", k);
				assert_memory_equal(out + len - 19 -
				    (wrap ? 4 : 0), "bbbbbbbbbbbbbbbbbbb", 19);
				/* The middle is the same wherever it fell. */
				out[len - 19 - (wrap ? 4 : 0)] = '\0';
				if (k == 0) {
					free(mid0);
					assert_non_null(mid0 = strdup(out +
					    (wrap ? 3 : 0)));
				} else if (strcmp(out + (wrap ? 3 : 0) + k,
				    mid0) != 0)
					fail_msg("\"%s\" after %zu letters: "
					    "\"%s\", at 0: \"%s\"", xs[x], k,
					    out + (wrap ? 3 : 0) + k, mid0);
				free(out);
				same_both_ways(in, n, NULL);
			}
		}
	}
	free(mid0);
}

/* The fast path writes exactly what the full parse does. */
static void
test_fast_path_same(void **state)
{
	const char	*bases[] = { NULL, BASE };
	char		 buf[4096];
	size_t		 i, b, n, took = 0, total = 0;
	unsigned	 seed = 12345, k, parts, r, t;
	static const char *const elems[][2] = {
		{ "p", "" }, { "b", "" }, { "i", "" }, { "em", "" },
		{ "strong", " class=\"s\"" }, { "a", " href=\"/x?a=1&amp;b\"" },
		{ "a", " href=\"javascript:x\" title='&#38;t'" },
		{ "span", " style=\"color: red; width: 9999px\" id=\"i\"" },
		{ "div", "" }, { "ul", "" }, { "ol", " start=\"2\"" },
		{ "li", "" }, { "dl", "" }, { "dt", "" }, { "dd", "" },
		{ "blockquote", " cite=\"c\"" }, { "pre", "" }, { "code", "" },
		{ "h1", "" }, { "h3", "" }, { "section", "" }, { "figure", "" },
		{ "figcaption", "" }, { "sub", "" }, { "q", "" },
	};
	static const char *const texts[] = {
		"text ", "&amp; ", "&#38;", "&#x26;", "&nbsp;", " & ", " < ",
		"\n", "caf\xc3\xa9 ", "&lt;b&gt;", "&#233;", "&quot;q&quot;",
		"<br>", "<br />", "<img src=\"i.png\" alt=\"a\">", "<hr>",
		"<wbr>", "\n\n", "x > y",
	};
	static const char *const piece[] = {
		"<p>", "</p>", "<b>", "</b>", "<i>", "</i>", "<a href=\"x\">",
		"</a>", "<ul>", "</ul>", "<li>", "</li>", "<div>", "</div>",
		"<pre>", "</pre>", "<h2>", "</h2>", "<br>", "<img src=\"i.png\">",
		"<span class=\"c\" style=\"color:red\">", "</span>", "text ",
		"&amp; ", "&#38;", "&nbsp;", " & ", " < ", "\n", "caf\xc3\xa9 ",
		"<em>", "</em>", "<hr>", "<blockquote>", "</blockquote>",
		"<dl>", "<dt>", "</dt>", "<dd>", "</dd>", "</dl>", "<code>",
		"</code>", "<table>", "<td>", "<!-- -->", "<P>", "&copy;",
	};

	(void)state;
	for (b = 0; b < sizeof bases / sizeof bases[0]; b++) {
		for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++)
			took += same_both_ways(vectors[i], strlen(vectors[i]),
			    bases[b]);
		for (i = 0; i < sizeof tidy / sizeof tidy[0]; i++)
			took += same_both_ways(tidy[i], strlen(tidy[i]),
			    bases[b]);
		total += sizeof vectors / sizeof vectors[0] +
		    sizeof tidy / sizeof tidy[0];
	}
	/*
	 * Random fragments, nested properly by a stack, with one piece of
	 * noise now and then (a stray tag, an uppercase name, a comment ...).
	 */
	for (k = 0; k < 20000; k++) {
		const char	*open[16];
		size_t		 sp = 0;

		n = 0;
		seed = seed * 1103515245u + 12345u;
		parts = 1 + (seed >> 16) % 24;
		while (parts-- > 0 && n < sizeof buf - 256) {
			seed = seed * 1103515245u + 12345u;
			r = (seed >> 16) % 100;
			if (r < 35 && sp < 16) {
				t = (seed >> 8) % (sizeof elems /
				    sizeof elems[0]);
				n += (size_t)snprintf(buf + n, sizeof buf - n,
				    "<%s%s>", elems[t][0], elems[t][1]);
				open[sp++] = elems[t][0];
			} else if (r < 55 && sp > 0)
				n += (size_t)snprintf(buf + n, sizeof buf - n,
				    "</%s>", open[--sp]);
			else if (r < 95)
				n += (size_t)snprintf(buf + n, sizeof buf - n,
				    "%s", texts[(seed >> 8) % (sizeof texts /
				    sizeof texts[0])]);
			else
				n += (size_t)snprintf(buf + n, sizeof buf - n,
				    "%s", piece[(seed >> 8) % (sizeof piece /
				    sizeof piece[0])]);
		}
		while (sp > 0)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "</%s>",
			    open[--sp]);
		took += same_both_ways(buf, n, (k & 1) ? BASE : NULL);
		total++;
	}
	/* The fast path must really be exercised, not declined throughout. */
	print_message("fast path took %zu of %zu fragments\n", took, total);
	if (took * 10 < total) {
		print_error("fast path took only %zu of %zu\n", took, total);
		fail();
	}
}

/* Reads FILE whole.  Caller frees; NULL when it cannot. */
static char *
slurp(const char *file, size_t *len)
{
	FILE	*fp;
	char	*s;
	long	 n;

	if ((fp = fopen(file, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 || (s = malloc(n + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	if (fread(s, 1, n, fp) != (size_t)n) {
		free(s);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	s[n] = '\0';
	*len = (size_t)n;
	return s;
}

/*
 * Every HTML-bearing element of the XML document S (description, content,
 * summary, title ...), its text unescaped once or its CDATA, run through
 * same_both_ways.  Counts into *TOOK and *TOTAL.
 */
static void
same_in_doc(const char *s, size_t *took, size_t *total)
{
	static const char *const names[] = { "description", "content",
	    "content:encoded", "summary", "title", "subtitle", "tagline",
	    "copyright", "rights", "info" };
	char		 close[32], *frag;
	const char	*p = s, *q, *end;
	size_t		 i, nl, o;

	while ((p = strchr(p, '<')) != NULL) {
		p++;
		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			nl = strlen(names[i]);
			if (strncmp(p, names[i], nl) == 0 && (p[nl] == '>' ||
			    p[nl] == ' '))
				break;
		}
		if (i == sizeof names / sizeof names[0] ||
		    (q = strchr(p, '>')) == NULL || q[-1] == '/')
			continue;
		q++;
		snprintf(close, sizeof close, "</%s>", names[i]);
		if ((end = strstr(q, close)) == NULL)
			continue;
		frag = malloc(end - q + 1);
		assert_non_null(frag);
		if (strncmp(q, "<![CDATA[", 9) == 0 && end - q >= 12 &&
		    strncmp(end - 3, "]]>", 3) == 0) {
			o = (size_t)(end - q - 12);
			memcpy(frag, q + 9, o);
		} else {
			for (o = 0; q < end; ) {
				if (strncmp(q, "&lt;", 4) == 0)
					frag[o++] = '<', q += 4;
				else if (strncmp(q, "&gt;", 4) == 0)
					frag[o++] = '>', q += 4;
				else if (strncmp(q, "&quot;", 6) == 0)
					frag[o++] = '"', q += 6;
				else if (strncmp(q, "&amp;", 5) == 0)
					frag[o++] = '&', q += 5;
				else
					frag[o++] = *q++;
			}
		}
		frag[o] = '\0';
		*took += same_both_ways(frag, o, BASE);
		(*total)++;
		free(frag);
		p = end;
	}
}

/* The fast path agrees with the full parse on the feedparser corpus. */
static void
test_fast_path_corpus(void **state)
{
	const char	*top = getenv("top_srcdir");
	char		 cmd[2048], path[4096], *s;
	FILE		*list;
	size_t		 len, took = 0, total = 0, files = 0, shared = 0;

	(void)state;
	if (top == NULL)
		top = "../..";
	/*
	 * The feedparser corpus beside the tree when it is there (not in a
	 * release tarball), and always our own feed fixtures.
	 */
	snprintf(cmd, sizeof cmd, "{ find '%s/../shared/corpus/feedparser' "
	    "-name '*.xml' -type f | sed 's/^/S /'; find '%s/tests/parse' "
	    "'%s/tests/integration/fixtures' -type f \\( -name '*.xml' -o "
	    "-name '*.rss' -o -name '*.atom' \\) | sed 's/^/T /'; } "
	    "2>/dev/null | sort", top, top, top);
	list = popen(cmd, "r");
	assert_non_null(list);
	while (fgets(path, sizeof path, list) != NULL) {
		path[strcspn(path, "\n")] = '\0';
		if (strlen(path) < 3 || (s = slurp(path + 2, &len)) == NULL)
			continue;
		same_in_doc(s, &took, &total);
		free(s);
		files++;
		if (path[0] == 'S')
			shared++;
	}
	pclose(list);
	print_message("corpus: %zu files (%zu of feedparser's), %zu fragments, "
	    "%zu by the fast path\n", files, shared, total, took);
	assert_true(files > 0);
	/* feedparser's corpus has plenty of tidy fragments. */
	if (shared > 0)
		assert_true(took > 0);
}

/* Builds COUNT copies of UNIT, "%d" replaced by the copy's number. */
static char *
repeat(const char *unit, int count, size_t *len)
{
	char		*s, num[16];
	const char	*p;
	size_t		 cap = (strlen(unit) + 16) * (size_t)count + 1, n = 0;
	int		 i, k;

	s = malloc(cap);
	assert_non_null(s);
	for (i = 0; i < count; i++) {
		for (p = unit; *p != '\0'; p++) {
			if (p[0] == '%' && p[1] == 'd') {
				k = snprintf(num, sizeof num, "%d", i);
				memcpy(s + n, num, (size_t)k);
				n += (size_t)k;
				p++;
			} else
				s[n++] = *p;
		}
	}
	s[n] = '\0';
	*len = n;
	return s;
}

/* Deep nesting is flattened, never recursed into, and stays balanced. */
static void
test_deep_nesting(void **state)
{
	static const char *const units[] = {
		"<div>", "<b>", "<span>", "<table><tr><td>", "<ul><li>",
		"<b id=%d>", "<a href=%d>x", "<div><svg><g><p></p><x/>",
		"<svg><img>", "<td><div></td>", "<li><ul></li>",
		"<h2><div><h3></h2>", "<form><div></form>",
		"<div><select></div></select>", "<dd><dl></noscript><noscript>",
		"<blockquote>q",
	};
	char	*in, *out;
	size_t	 i, len;

	(void)state;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		in = repeat(units[i], 4000, &len);
		out = san_len(in, len, BASE);
		check_output(units[i], out, BASE);
		free(out);
		free(in);
	}
	/* Text under a deep pile still comes out, in order. */
	in = repeat("<div>", 5000, &len);
	in = realloc(in, len + 32);
	assert_non_null(in);
	strcpy(in + len, "deep text");
	out = san(in, NULL);
	assert_non_null(strstr(out, "deep text"));
	check_output("5000 <div> and text", out, NULL);
	free(out);
	free(in);
}

/*
 * Long runs of ordinary, even sloppy, markup never count as deep: what
 * follows them keeps its nesting.  Covers every void element, unclosed
 * p, li, dd, td and option, closed inline elements, svg icons and tables.
 */
static void
test_long_flat_runs(void **state)
{
	static const char *const units[] = {
		"<area>", "<base>", "<basefont>", "<bgsound>", "<br>", "<col>",
		"<embed>", "<hr>", "<img src=a.png>", "<image>", "<input>",
		"<keygen>", "<link>", "<meta>", "<param>", "<source>",
		"<track>", "<wbr>", "<br/>", "<p>para", "<li>item",
		"<dt>t<dd>d", "<b>b</b><i>i</i><a href=x>a</a>",
		"<span>s</span>", "<div>d</div>", "<p><b>bold</p>",
		"<svg><path d=x/><g><rect/></g></svg>",
		"<table><tr><td>a<td>b</table>", "<ul><li>a<li>b</ul>",
		"<select><option>a<option>b</select>", "<h2>h</h2>",
		"<blockquote><p>q</blockquote>", "<pre>p</pre>",
		"<em>e<strong>s</strong></em>", "<a href=x><img src=y></a>",
		"<font color=red>f</font>", "<center>c</center>",
		"<noscript><p>n</p></noscript>", "<math><mi>x</mi></math>",
		"<script>var x = '<div>';</script>", "<style>p{}</style>",
		"<!-- <div> -->", "<tr><td>stray</td></tr>", "</div>", "</p>",
		"<main>m</main>", "<form>f</form>", "<dialog>d</dialog>",
		"<object>o</object>", "<marquee>m</marquee>",
	};
	const char	*tail = "<div><div><div>deep</div></div></div>";
	char		*in, *out;
	size_t		 i, len;

	(void)state;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		in = repeat(units[i], 600, &len);
		in = realloc(in, len + strlen(tail) + 1);
		assert_non_null(in);
		strcpy(in + len, tail);
		out = san(in, NULL);
		/* Formatting left open may wrap "deep"; the divs stay. */
		if (strstr(out, "<div><div><div>") == NULL ||
		    strstr(out, "deep") == NULL) {
			print_error("600 x %s flattened what follows\n",
			    units[i]);
			fail();
		}
		check_output(units[i], out, NULL);
		free(out);
		free(in);
	}
}

/*
 * Formatting elements left open are re-opened in every paragraph, which
 * multiplies nodes; past the parse budget the input is parsed again
 * without them.
 */
static void
test_parse_budget(void **state)
{
	char	*head, *body, *in, *out;
	size_t	 hlen, blen;

	(void)state;
	head = repeat("<p><b id=%d>", 200, &hlen);
	body = repeat("</p><p>x", 3000, &blen);
	in = malloc(hlen + blen + 1);
	assert_non_null(in);
	memcpy(in, head, hlen);
	memcpy(in + hlen, body, blen + 1);
	out = san_len(in, hlen + blen, NULL);
	assert_null(strstr(out, "<b"));
	assert_non_null(strstr(out, "<p>x</p><p>x</p>"));
	check_output("200 <p><b id>, 3000 </p><p>x", out, NULL);
	free(out);
	free(in);
	free(head);
	free(body);
}

/* Large plain text passes through whole. */
static void
test_large_text(void **state)
{
	char	*in, *out;
	size_t	 len = 1 << 20, i;

	(void)state;
	in = malloc(len + 1);
	assert_non_null(in);
	for (i = 0; i < len; i++)
		in[i] = "abc def\n"[i % 8];
	in[len] = '\0';
	out = san_len(in, len, NULL);
	assert_int_equal(strlen(out), len);
	assert_memory_equal(out, in, len);
	free(out);
	free(in);
}

/* sanitize_inert's output for TEXT.  Caller frees. */
static char *
inert(const char *text)
{
	struct buf	b;
	char		*out;

	buf_init(&b, 1 << 20);
	sanitize_inert(&b, text);
	out = buf_release(&b, NULL);
	assert_non_null(out);
	return out;
}

/* 1 when gumbo's tree under N holds only text and bare unknown elements. */
static int
inert_tree(const GumboNode *n)
{
	const GumboVector	*kids;

	if (n->type == GUMBO_NODE_COMMENT)
		return 0;
	if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT)
		return 1;
	if (n->type == GUMBO_NODE_ELEMENT) {
		GumboTag t = n->v.element.tag;

		if (t != GUMBO_TAG_HTML && t != GUMBO_TAG_HEAD &&
		    t != GUMBO_TAG_BODY && (t != GUMBO_TAG_UNKNOWN ||
		    n->v.element.attributes.length > 0))
			return 0;
		kids = &n->v.element.children;
	} else
		kids = &n->v.document.children;
	for (unsigned i = 0; i < kids->length; i++)
		if (!inert_tree(kids->data[i]))
			return 0;
	return 1;
}

/*
 * Plain text for readers that take it for HTML (RSS and JSON Feed titles,
 * found by tests/integration/xss.sh): read as HTML it is text and bare
 * unknown tags only, and without the word joiners it is what it was.
 */
static void
test_inert_text(void **state)
{
	static const char *const same[] = {
		"", "plain", "a < b && c > d", "<tags>", "</tags>", "<Cases>",
		"Misc & Edge <Cases>", "1<2", "< script>", "<>",
		"&lt;script&gt;",
	};
	static const struct {
		const char	*in, *out;
	} changed[] = {
		{ "<b>x</b>", "<\xe2\x81\xa0" "b>x<\xe2\x81\xa0/b>" },
		{ "</>", "<\xe2\x81\xa0/>" },
		{ "<script>alert(1)</script>",
		  "<\xe2\x81\xa0script>alert(1)<\xe2\x81\xa0/script>" },
		{ "<!--x-->", "<\xe2\x81\xa0!--x-->" },
		{ "<?x>", "<\xe2\x81\xa0?x>" },
		{ "<tags x>", "<\xe2\x81\xa0tags x>" },
		{ "<x-y>", "<\xe2\x81\xa0x-y>" },
		{ "a <tags", "a <\xe2\x81\xa0tags" },
		{ "<img src=x onerror=alert(1)", "<\xe2\x81\xa0img src=x "
		  "onerror=alert(1)" },
		{ "<<svg>", "<<\xe2\x81\xa0svg>" },
	};
	static const char *const hostile[] = {
		"<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>",
		"</title><script>alert(1)</script>", "<tags><b onclick=x>y</b>",
		"<math><mtext><table><mglyph><style><img src=x onerror=x>",
		"<noscript><p title=\"</noscript><img src=x onerror=x>\">",
		"<x/onclick=alert(1)>", "<a\thref=javascript:x>", "<!DOCTYPE x>",
		"<tags/>", "<TAGS onclick=x>", "<![CDATA[x]]>", "<iframe srcdoc=x>",
		"<tagsss><tagsss2 onclick=x>",
	};
	char	*out, *p, *q;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof same / sizeof same[0]; i++) {
		out = inert(same[i]);
		assert_string_equal(out, same[i]);
		free(out);
	}
	for (i = 0; i < sizeof changed / sizeof changed[0]; i++) {
		out = inert(changed[i].in);
		assert_string_equal(out, changed[i].out);
		free(out);
	}
	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		GumboOutput	*g;

		out = inert(hostile[i]);
		g = gumbo_parse(out);
		if (!inert_tree(g->document)) {
			print_error("not inert: %s -> %s\n", hostile[i], out);
			fail();
		}
		gumbo_destroy_output(&kGumboDefaultOptions, g);
		/* Only word joiners were added. */
		for (p = q = out; *p != '\0'; p++) {
			if (strncmp(p, "\xe2\x81\xa0", 3) == 0) {
				p += 2;
				continue;
			}
			*q++ = *p;
		}
		*q = '\0';
		assert_string_equal(out, hostile[i]);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xss_vectors),
		cmocka_unit_test(test_xss_leftovers),
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_article),
		cmocka_unit_test(test_media_and_friends),
		cmocka_unit_test(test_attributes_dropped),
		cmocka_unit_test(test_relative_urls),
		cmocka_unit_test(test_url_ok),
		cmocka_unit_test(test_inert_text),
		cmocka_unit_test(test_unwrap),
		cmocka_unit_test(test_css_kept),
		cmocka_unit_test(test_css_hostile),
		cmocka_unit_test(test_inert_controls),
		cmocka_unit_test(test_amp_as_written),
		cmocka_unit_test(test_fast_path_same),
		cmocka_unit_test(test_fast_path_corpus),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_long_flat_runs),
		cmocka_unit_test(test_parse_budget),
		cmocka_unit_test(test_large_text),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_unwrapped_misnest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test-uri: unit tests of the uri room: every example of RFC 3986 section
 * 5.4, resolution edge cases, scheme tests, http URL checks and the story
 * key built by uri_normalize.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "uri.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

/* The base URI of RFC 3986 section 5.4. */
#define RFC_BASE	"http://a/b/c/d;p?q"

struct uri_case {
	const char	*in;
	const char	*want;		/* NULL: want NULL back */
};

/* Asserts that resolving every case against BASE gives what it wants. */
static void
check_resolve(const char *base, const struct uri_case *cases, size_t n)
{
	char	*got;

	for (size_t i = 0; i < n; i++) {
		got = uri_resolve(base, cases[i].in);
		assert_non_null(got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("resolve(\"%s\", \"%s\"): got \"%s\", want "
			    "\"%s\"", base ? base : "(null)", cases[i].in, got,
			    cases[i].want);
		free(got);
	}
}

/* RFC 3986 5.4.1, the normal examples. */
static void
test_rfc3986_normal(void **state)
{
	static const struct uri_case	cases[] = {
		{ "g:h", "g:h" },
		{ "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },
		{ "//g", "http://g" },
		{ "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" },
		{ "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" },
		{ ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" },
		{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
		{ "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" },
		{ "..", "http://a/b/" },
		{ "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },
		{ "../..", "http://a/" },
		{ "../../", "http://a/" },
		{ "../../g", "http://a/g" },
	};

	(void)state;
	check_resolve(RFC_BASE, cases, NITEMS(cases));
}

/*
 * RFC 3986 5.4.2, the abnormal examples.  For "http:g" we take the
 * backward-compatible answer the RFC allows, which is what browsers do.
 */
static void
test_rfc3986_abnormal(void **state)
{
	static const struct uri_case	cases[] = {
		{ "../../../g", "http://a/g" },
		{ "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" },
		{ "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },
		{ ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." },
		{ "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" },
		{ "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" },
		{ "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		{ "g?y/./x", "http://a/b/c/g?y/./x" },
		{ "g?y/../x", "http://a/b/c/g?y/../x" },
		{ "g#s/./x", "http://a/b/c/g#s/./x" },
		{ "g#s/../x", "http://a/b/c/g#s/../x" },
		{ "http:g", "http://a/b/c/g" },
	};

	(void)state;
	check_resolve(RFC_BASE, cases, NITEMS(cases));
}

/* Fragments, empty references, whitespace, scheme case. */
static void
test_resolve_edges(void **state)
{
	static const struct uri_case	rfc[] = {
		/* Surrounding white space is not part of the reference. */
		{ "  g  ", "http://a/b/c/g" },
		{ "\t\r\n#s\n", "http://a/b/c/d;p?q#s" },
		{ " ", "http://a/b/c/d;p?q" },
		{ "HTTP:g", "http://a/b/c/g" },
		{ "Http://x/./y/../z", "http://x/z" },
		{ "https://x/y", "https://x/y" },
		{ "#", "http://a/b/c/d;p?q#" },
		{ "?", "http://a/b/c/d;p?" },
		{ "//g/../h", "http://g/h" },
		{ "//u@g:81?x#y", "http://u@g:81?x#y" },
		{ "g/a%2F..", "http://a/b/c/g/a%2F.." },
		{ "/", "http://a/" },
		{ "//", "http://" },
		{ "mailto:x@y", "mailto:x@y" },
		{ "tag:example.com,2004:entry/1",
		    "tag:example.com,2004:entry/1" },
		{ "urn:isbn:0451450523", "urn:isbn:0451450523" },
	};
	static const struct uri_case	frag[] = {
		/* The base's fragment never survives. */
		{ "", "http://a/b/c/d;p?q" },
		{ "#t", "http://a/b/c/d;p?q#t" },
		{ "g", "http://a/b/c/g" },
	};
	static const struct uri_case	nopath[] = {
		/* 5.2.3: with an authority and no path, merge under "/". */
		{ "g", "http://a/g" },
		{ "./g/../h", "http://a/h" },
		{ "?y", "http://a?y" },
		{ "", "http://a" },
	};
	static const struct uri_case	noauth[] = {
		/* No "/" in the base path: the merge keeps none (5.2.3). */
		{ "bar", "tag:bar" },
		{ "#x", "tag:example.com,2004:foo#x" },
		{ "tag:other", "tag:other" },
		/* Same scheme, not hierarchical: absolute (fuzz-sanitize). */
		{ "tag:x/y", "tag:x/y" },
	};
	static const struct uri_case	slashpath[] = {
		{ "c", "file:///a/b/c" },
		{ "file:c", "file:///a/b/c" },
		{ "../../../x", "file:///x" },
		{ "//h/x", "file://h/x" },
	};
	static const struct uri_case	dots[] = {
		/* Dot segments in the base are removed once merged. */
		{ "g", "http://a/b/g" },
		{ "", "http://a/b/./c/../d" },
	};

	(void)state;
	check_resolve(RFC_BASE, rfc, NITEMS(rfc));
	check_resolve("http://a/b/c/d;p?q#f", frag, NITEMS(frag));
	check_resolve("http://a", nopath, NITEMS(nopath));
	check_resolve("tag:example.com,2004:foo", noauth, NITEMS(noauth));
	check_resolve("file:///a/b/f", slashpath, NITEMS(slashpath));
	check_resolve("http://a/b/./c/../d", dots, NITEMS(dots));
}

/* With no usable base the reference comes back as written, trimmed. */
static void
test_resolve_no_base(void **state)
{
	static const struct uri_case	cases[] = {
		{ "g", "g" },
		{ "  ../g ", "../g" },
		{ "http://x/./y", "http://x/./y" },
		{ "", "" },
	};

	(void)state;
	check_resolve(NULL, cases, NITEMS(cases));
	check_resolve("/relative/base", cases, NITEMS(cases));
	check_resolve("", cases, NITEMS(cases));
	check_resolve("1http://a/", cases, NITEMS(cases));
}

/* A NULL reference is an empty one. */
static void
test_resolve_null_ref(void **state)
{
	char	*got;

	(void)state;
	got = uri_resolve(RFC_BASE, NULL);
	assert_non_null(got);
	assert_string_equal(got, "http://a/b/c/d;p?q");
	free(got);
}

/* Long inputs resolve without truncation (buffers are sized from them). */
static void
test_resolve_long(void **state)
{
	char	 base[2048], ref[2048], want[4096];
	char	*got;

	(void)state;
	memset(base, 'b', sizeof base - 1);
	memcpy(base, "http://host/", 12);
	base[sizeof base - 1] = '\0';
	memset(ref, 'r', sizeof ref - 1);
	ref[0] = '?';
	ref[1000] = '#';
	ref[sizeof ref - 1] = '\0';
	got = uri_resolve(base, ref);
	assert_non_null(got);
	strcpy(want, base);
	strcat(want, ref);
	assert_string_equal(got, want);
	free(got);

	/* A merged path as long as both inputs. */
	memset(ref, 'r', sizeof ref - 1);
	ref[sizeof ref - 1] = '\0';
	base[sizeof base - 2] = '/';
	got = uri_resolve(base, ref);
	assert_non_null(got);
	strcpy(want, base);
	strcat(want, ref);
	assert_string_equal(got, want);
	free(got);
}

/* uri_is_absolute and uri_scheme. */
static void
test_scheme(void **state)
{
	char	buf[16];

	(void)state;
	assert_int_equal(uri_is_absolute("http://a/"), 1);
	assert_int_equal(uri_is_absolute("tag:x"), 1);
	assert_int_equal(uri_is_absolute("urn:isbn:1"), 1);
	assert_int_equal(uri_is_absolute("mailto:a@b"), 1);
	assert_int_equal(uri_is_absolute("svn+ssh://h/"), 1);
	assert_int_equal(uri_is_absolute("a.b-c:"), 1);
	assert_int_equal(uri_is_absolute("//a/b"), 0);
	assert_int_equal(uri_is_absolute("/a:b"), 0);
	assert_int_equal(uri_is_absolute("a/b:c"), 0);
	assert_int_equal(uri_is_absolute("1a:b"), 0);
	assert_int_equal(uri_is_absolute(":b"), 0);
	assert_int_equal(uri_is_absolute(" http://a/"), 0);
	assert_int_equal(uri_is_absolute("http"), 0);
	assert_int_equal(uri_is_absolute(""), 0);
	assert_int_equal(uri_is_absolute(NULL), 0);

	assert_int_equal(uri_scheme("HTTPS://a/", buf, sizeof buf), 0);
	assert_string_equal(buf, "https");
	assert_int_equal(uri_scheme("Tag:x", buf, sizeof buf), 0);
	assert_string_equal(buf, "tag");
	assert_int_equal(uri_scheme("svn+SSH://h/", buf, sizeof buf), 0);
	assert_string_equal(buf, "svn+ssh");
	assert_int_equal(uri_scheme("//a/b", buf, sizeof buf), -1);
	assert_int_equal(uri_scheme("g", buf, sizeof buf), -1);
	assert_int_equal(uri_scheme(NULL, buf, sizeof buf), -1);
	/* The scheme and its NUL must fit. */
	assert_int_equal(uri_scheme("https://a/", buf, 6), 0);
	assert_string_equal(buf, "https");
	assert_int_equal(uri_scheme("https://a/", buf, 5), -1);
	assert_int_equal(uri_scheme("https://a/", buf, 0), -1);
}

/* uri_is_http. */
static void
test_is_http(void **state)
{
	static const char *const	good[] = {
		"http://example.com", "https://example.com/",
		"HTTP://Example.COM/a?b#c", "http://user:pw@example.com:8080/",
		"http://127.0.0.1/", "http://[::1]:80/", "http://a:/",
		"http://xn--bcher-kva.example/",
		"http://b\303\274cher.example/",
		"http://a/%20b", "https://a.b.c:65535/",
	};
	static const char *const	bad[] = {
		NULL, "", "example.com", "//example.com/", "ftp://example.com/",
		"mailto:a@b", "http:/example.com", "http:example.com",
		"http:///path", "http://", "http://user@/", "http://:80/",
		"http://a b/", "http://a/ b", " http://a/", "http://a/\n",
		"http://a/\t", "http://a/\x7f", "http://a:8o/",
		"http://a:65536/", "http://a:99999999999999999999/",
		"http://[::1/", "http://[]/", "http://a<b/", "http://a\"b/",
		"httpx://a/",
	};

	(void)state;
	for (size_t i = 0; i < NITEMS(good); i++) {
		if (uri_is_http(good[i]) != 1)
			fail_msg("\"%s\" rejected", good[i]);
	}
	for (size_t i = 0; i < NITEMS(bad); i++) {
		if (uri_is_http(bad[i]) != 0)
			fail_msg("\"%s\" accepted", bad[i]);
	}
}

/* Asserts that the story key of every case is what it wants. */
static void
check_normalize(const struct uri_case *cases, size_t n)
{
	char	*got;

	for (size_t i = 0; i < n; i++) {
		got = uri_normalize(cases[i].in);
		if (cases[i].want == NULL) {
			if (got != NULL)
				fail_msg("normalize(\"%s\"): got \"%s\", want "
				    "NULL", cases[i].in ? cases[i].in :
				    "(null)", got);
			continue;
		}
		if (got == NULL)
			fail_msg("normalize(\"%s\"): NULL, want \"%s\"",
			    cases[i].in, cases[i].want);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("normalize(\"%s\"): got \"%s\", want \"%s\"",
			    cases[i].in, got, cases[i].want);
		free(got);
	}
}

/* The story key. */
static void
test_normalize(void **state)
{
	static const struct uri_case	cases[] = {
		/* Scheme and host case, https folded into http. */
		{ "HTTP://Example.COM/Path", "http://example.com/Path" },
		{ "https://example.com/a", "http://example.com/a" },
		{ "hTTpS://EXAMPLE.com/A", "http://example.com/A" },
		/* Empty path. */
		{ "http://example.com", "http://example.com/" },
		{ "http://example.com?a=1", "http://example.com/?a=1" },
		/* Userinfo is not part of the key. */
		{ "http://user:pw@example.com/", "http://example.com/" },
		{ "http://user@example.com:8080/", "http://example.com:8080/" },
		/* Default ports, judged by the scheme as written. */
		{ "http://example.com:80/a", "http://example.com/a" },
		{ "https://example.com:443/a", "http://example.com/a" },
		{ "http://example.com:443/a", "http://example.com:443/a" },
		/* The key is http, so :80 goes too (else not idempotent). */
		{ "https://example.com:80/a", "http://example.com/a" },
		{ "http://example.com:8080/a", "http://example.com:8080/a" },
		{ "http://example.com:0080/a", "http://example.com/a" },
		{ "http://example.com:08080/a", "http://example.com:8080/a" },
		{ "http://example.com:/a", "http://example.com/a" },
		/* Dot segments. */
		{ "http://example.com/a/./b/../c", "http://example.com/a/c" },
		{ "http://example.com/../../a", "http://example.com/a" },
		{ "http://example.com/a/..", "http://example.com/" },
		{ "http://example.com/a/.", "http://example.com/a/" },
		{ "http://example.com/a/%2e%2E/b", "http://example.com/b" },
		/* Fragment. */
		{ "http://example.com/a#top", "http://example.com/a" },
		{ "http://example.com/a?b=1#top", "http://example.com/a?b=1" },
		/* Tracking parameters go, the rest keep their order. */
		{ "http://e.com/a?utm_source=rss&utm_medium=feed"
		    "&utm_campaign=x",
		    "http://e.com/a" },
		{ "http://e.com/a?b=2&utm_source=rss&a=1&utm_term=t",
		    "http://e.com/a?b=2&a=1" },
		{ "http://e.com/a?utm_whatever=1&z=9", "http://e.com/a?z=9" },
		{ "http://e.com/a?fbclid=x&gclid=y&dclid=z&msclkid=w&id=7",
		    "http://e.com/a?id=7" },
		{ "http://e.com/a?mc_cid=1&mc_eid=2&_ga=3&yclid=4&igshid=5"
		    "&ref_src=6", "http://e.com/a" },
		{ "http://e.com/a?UTM_Source=x&Fbclid=y&p=1",
		    "http://e.com/a?p=1" },
		{ "http://e.com/a?utm_source", "http://e.com/a" },
		{ "http://e.com/a?utm_source=", "http://e.com/a" },
		{ "http://e.com/a?utm%5Fsource=x&p=1", "http://e.com/a?p=1" },
		/* Look-alikes stay. */
		{ "http://e.com/a?utm=1&xutm_source=2&fbclid2=3&ref=4",
		    "http://e.com/a?utm=1&xutm_source=2&fbclid2=3&ref=4" },
		{ "http://e.com/a?q=utm_source",
		    "http://e.com/a?q=utm_source" },
		/* Empty queries and parameters. */
		{ "http://e.com/a?", "http://e.com/a" },
		{ "http://e.com/a?&&b=1&&c=2&", "http://e.com/a?b=1&c=2" },
		{ "http://e.com/a?b=1&b=1", "http://e.com/a?b=1&b=1" },
		/* Percent-encoding: hex upper-cased, unreserved decoded. */
		{ "http://e.com/%7euser/%41%62%2d%2E%5F",
		    "http://e.com/~user/Ab-._" },
		{ "http://e.com/a%2fb%3a%c3%a9",
		    "http://e.com/a%2Fb%3A%C3%A9" },
		{ "http://e.com/a?x=%2f%7E", "http://e.com/a?x=%2F~" },
		{ "http://E%2Dx.COM/", "http://e-x.com/" },
		{ "http://e%c3%a9.com/", "http://e%C3%A9.com/" },
		{ "http://e.com/100%", "http://e.com/100%" },
		{ "http://e.com/%zz%4", "http://e.com/%zz%4" },
		/* Reserved characters are left as written. */
		{ "http://e.com/a;b=c/d:e@f!$'()*+,",
		    "http://e.com/a;b=c/d:e@f!$'()*+," },
		/* IPv6 literals. */
		{ "http://[::1]:80/", "http://[::1]/" },
		{ "https://[2001:DB8::1]:8443/x",
		    "http://[2001:db8::1]:8443/x" },
		/* Surrounding white space is ignored. */
		{ "  http://e.com/a \n", "http://e.com/a" },
		/* Not absolute http(s). */
		{ NULL, NULL },
		{ "", NULL },
		{ "/a/b", NULL },
		{ "//e.com/a", NULL },
		{ "ftp://e.com/", NULL },
		{ "tag:e.com,2004:1", NULL },
		{ "http:///a", NULL },
		{ "http://e .com/", NULL },
		{ "http://e.com/a b", NULL },
		{ "http://e.com:99999/", NULL },
		{ "http://e.com:x/", NULL },
	};

	(void)state;
	check_normalize(cases, NITEMS(cases));
}

/* One story under several spellings gives one key. */
static void
test_normalize_dedup(void **state)
{
	static const char *const	same[] = {
		"http://example.com/2024/story?id=5",
		"https://example.com/2024/story?id=5",
		"HTTPS://EXAMPLE.COM:443/2024/story?id=5#comments",
		"http://example.com:80/2024/./story?utm_source=rss&id=5",
		"http://reader@example.com/2024/x/../story?id=5&fbclid=abc",
		"http://example.com/2024/%73tory?id=5&utm_medium=social",
	};
	char	*first, *got;

	(void)state;
	first = uri_normalize(same[0]);
	assert_non_null(first);
	for (size_t i = 1; i < NITEMS(same); i++) {
		got = uri_normalize(same[i]);
		assert_non_null(got);
		if (strcmp(got, first) != 0)
			fail_msg("\"%s\" keys as \"%s\", want \"%s\"", same[i],
			    got, first);
		free(got);
	}
	free(first);
}

/* The key is a fixed point: normalising it again changes nothing. */
static void
test_normalize_idempotent(void **state)
{
	static const char *const	urls[] = {
		"HTTPS://Example.COM:443/a/./b/../%7ec?utm_x=1&b=%2f#f",
		"http://e.com", "http://[::1]:8080/x/..?&&a=1&",
		"http://u@e.com:8080/%41/%2F/100%",
		/* Found by fuzz-uri: the key is http, so :80 must go. */
		"https://example.com:80/a", "http://example.com:443/a",
		/* Decoding must not make a new escape of a stray "%". */
		"http://e.com/%%41%62", "http://e.com/%4%31", "http://e.com/%%61",
		"http://E%%34%31.com/",
	};
	char	*once, *twice;

	(void)state;
	for (size_t i = 0; i < NITEMS(urls); i++) {
		once = uri_normalize(urls[i]);
		assert_non_null(once);
		twice = uri_normalize(once);
		assert_non_null(twice);
		assert_string_equal(once, twice);
		free(once);
		free(twice);
	}
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_rfc3986_normal),
		cmocka_unit_test(test_rfc3986_abnormal),
		cmocka_unit_test(test_resolve_edges),
		cmocka_unit_test(test_resolve_no_base),
		cmocka_unit_test(test_resolve_null_ref),
		cmocka_unit_test(test_resolve_long),
		cmocka_unit_test(test_scheme),
		cmocka_unit_test(test_is_http),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_normalize_dedup),
		cmocka_unit_test(test_normalize_idempotent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test-classify: the category rules.  Each test writes a config, loads it
 * through conf (so the rules are checked as the daemon checks them),
 * compiles it and asks about made-up entries.  The prefilter is checked
 * against plain PCRE2 on many patterns and texts: it may only skip
 * patterns that cannot match.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "classify.h"
#include "conf.h"

#define NOW	1700000000LL
#define DAY	86400LL

struct fx {
	char		 dir[64];
	char		 path[128];
	struct conf	*conf;
	struct classify	*cl;
	unsigned char	 in[64];
	struct classify_why why[64];
};

/* Writes TEXT as the config and loads it; EXPECT NULL means it must load. */
static char *
fx_load(struct fx *fx, const char *text)
{
	FILE	*f;
	char	*errors = NULL, *err = NULL;

	conf_free(fx->conf);
	classify_free(fx->cl);
	fx->conf = NULL;
	fx->cl = NULL;
	assert_non_null(f = fopen(fx->path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	if ((fx->conf = conf_load(fx->path, &errors)) == NULL)
		return errors;
	fx->cl = classify_new(fx->conf, &err);
	assert_null(err);
	assert_non_null(fx->cl);
	return NULL;
}

static void
fx_ok(struct fx *fx, const char *text)
{
	char	*errors = fx_load(fx, text);

	if (errors != NULL)
		fail_msg("unexpected config errors:\n%s", errors);
}

static int
setup(void **state)
{
	struct fx	*fx = calloc(1, sizeof *fx);

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/test-classify.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof fx->path, "%s/f.conf", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	conf_free(fx->conf);
	classify_free(fx->cl);
	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* A plain entry of source "s" dated NOW. */
static struct classify_entry
entry(const char *title, const char *content, const char *terms)
{
	struct classify_entry	e;

	memset(&e, 0, sizeof e);
	e.title = title;
	e.content = content;
	e.content_type = "text/html";
	e.terms = terms;
	e.source = "s";
	e.date = NOW;
	return e;
}

/* 1 when E is in category NAME; fills fx->why. */
static int
is_in(struct fx *fx, const struct classify_entry *e, const char *name)
{
	int	i = classify_find(fx->cl, name);

	assert_true(i >= 0);
	classify_run(fx->cl, e, NOW, fx->in, fx->why);
	return fx->in[i];
}

static const struct classify_why *
why(struct fx *fx, const char *name)
{
	return &fx->why[classify_find(fx->cl, name)];
}

#define SRC	"[source \"s\"]\nurl = https://s.example/feed\n" \
		"[source \"t\"]\nurl = https://t.example/feed\n"

static void
test_terms(void **state)
{
	struct fx		*fx = *state;
	struct classify_entry	 e;
	static const char *const same[] = { "Cloud & Datacentre",
	    "cloud-datacentre", "CloudDatacentre", "CLOUD DATACENTRE",
	    "other\x1f" "cloud_datacentre" };
	static const char *const other[] = { "Cloud", "Datacentre",
	    "Cloud & Datacenter", "", NULL };

	fx_ok(fx, SRC "[category \"cloud\"]\n"
	    "terms = CloudDatacentre, Cloud Computing\n");
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		e = entry("x", NULL, same[i]);
		assert_true(is_in(fx, &e, "cloud"));
		assert_int_equal(why(fx, "cloud")->how, CLASSIFY_TERMS);
		assert_int_equal(why(fx, "cloud")->line, 6);
		assert_string_equal(why(fx, "cloud")->rule,
		    "terms = CloudDatacentre, Cloud Computing");
	}
	e = entry("x", NULL, "cloud computing");
	assert_true(is_in(fx, &e, "cloud"));
	assert_string_equal(why(fx, "cloud")->detail, "cloud computing");
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		e = entry("x", NULL, other[i]);
		assert_false(is_in(fx, &e, "cloud"));
		assert_int_equal(why(fx, "cloud")->how, CLASSIFY_NONE);
	}
}

static void
test_sources(void **state)
{
	struct fx		*fx = *state;
	struct classify_entry	 e = entry("x", NULL, NULL);

	fx_ok(fx, SRC "[category \"a\"]\nsources = t\n"
	    "[category \"b\"]\ntitle = B\n"
	    "[source \"u\"]\nurl = https://u.example/\ncategories = b\n");
	assert_false(is_in(fx, &e, "a"));
	e.source = "t";
	assert_true(is_in(fx, &e, "a"));
	assert_int_equal(why(fx, "a")->how, CLASSIFY_SOURCES);
	assert_false(fx->in[classify_find(fx->cl, "b")]);
	e.source = "u";
	assert_true(is_in(fx, &e, "b"));
	assert_int_equal(why(fx, "b")->how, CLASSIFY_SOURCE);
	e.source = "nosuch";
	assert_int_equal(classify_run(fx->cl, &e, NOW, fx->in, NULL), 0);
}

static void
test_regex(void **state)
{
	struct fx		*fx = *state;
	struct classify_entry	 e;

	fx_ok(fx, SRC "[category \"k8s\"]\n"
	    "match = \\bkubernetes\\b\n"
	    "match = \\bk8s\\b\n"
	    "match_title = ^release:\n"
	    "exclude = \\bsponsored\\b\n"
	    "exclude_terms = Advertorial\n");
	e = entry("Kubernetes 1.30 is out", NULL, NULL);
	assert_true(is_in(fx, &e, "k8s"));
	assert_int_equal(why(fx, "k8s")->how, CLASSIFY_MATCH);
	assert_string_equal(why(fx, "k8s")->rule, "\\bkubernetes\\b");
	assert_string_equal(why(fx, "k8s")->detail, "Kubernetes");
	assert_int_equal(why(fx, "k8s")->line, 6);
	/* In the content, tags removed; not inside a tag's attribute. */
	e = entry("News", "<p>Running <b>K8s</b> at home</p>", NULL);
	assert_true(is_in(fx, &e, "k8s"));
	assert_int_equal(why(fx, "k8s")->line, 7);
	e = entry("News", "<a href=\"https://kubernetes.io/\">docs</a>", NULL);
	assert_false(is_in(fx, &e, "k8s"));
	/* An inline tag joins the letters around it; a block tag does not. */
	e = entry("News", "<p>Kuber<B>netes</B> now</p>", NULL);
	assert_true(is_in(fx, &e, "k8s"));
	e = entry("News", "Kuber<strong class=\"x\">netes</strong>", NULL);
	assert_true(is_in(fx, &e, "k8s"));
	e = entry("News", "Kuber<h1>netes</h1>", NULL);
	assert_false(is_in(fx, &e, "k8s"));
	e = entry("News", "Kuber<bx>netes</bx>", NULL);
	assert_false(is_in(fx, &e, "k8s"));
	/* Words must be whole: \b is honoured. */
	e = entry("Kubernetesque", NULL, NULL);
	assert_false(is_in(fx, &e, "k8s"));
	/* match_title looks at the title only. */
	e = entry("Release: 2.0", NULL, NULL);
	assert_true(is_in(fx, &e, "k8s"));
	assert_int_equal(why(fx, "k8s")->how, CLASSIFY_MATCH_TITLE);
	e = entry("News", "release: 2.0", NULL);
	assert_false(is_in(fx, &e, "k8s"));
	/* Exclusions win over every rule that let it in. */
	e = entry("Kubernetes tips", "<p>A SPONSORED post</p>", NULL);
	assert_false(is_in(fx, &e, "k8s"));
	assert_int_equal(why(fx, "k8s")->how, CLASSIFY_EXCLUDE);
	assert_string_equal(why(fx, "k8s")->detail, "SPONSORED");
	e = entry("Kubernetes tips", NULL, "news\x1f" "ADVERTORIAL");
	assert_false(is_in(fx, &e, "k8s"));
	assert_int_equal(why(fx, "k8s")->how, CLASSIFY_EXCLUDE_TERMS);
	/* Entities are decoded before matching; KELVIN SIGN folds to k. */
	e = entry("x", "<p>k&#56;s</p>", NULL);
	assert_true(is_in(fx, &e, "k8s"));
	e = entry("\xe2\x84\xaa" "ubernetes", NULL, NULL);
	assert_true(is_in(fx, &e, "k8s"));
	/* Groups that capture still match. */
	fx_ok(fx, SRC "[category \"dc\"]\nmatch = storage|datacent(er|re)\n");
	e = entry("Datacentre opens in Oslo", NULL, NULL);
	assert_true(is_in(fx, &e, "dc"));
	assert_string_equal(why(fx, "dc")->detail, "Datacentre");
	/* (?-i) makes a pattern case-sensitive. */
	fx_ok(fx, SRC "[category \"c\"]\nmatch = (?-i)\\bGo\\b\n");
	e = entry("Go 1.22", NULL, NULL);
	assert_true(is_in(fx, &e, "c"));
	e = entry("go home", NULL, NULL);
	assert_false(is_in(fx, &e, "c"));
}

static void
test_language_and_age(void **state)
{
	struct fx		*fx = *state;
	struct classify_entry	 e = entry("x", NULL, NULL);

	fx_ok(fx, SRC "[category \"en\"]\nsources = s\nlanguage = en, pt-BR\n"
	    "max_age = 30d\n");
	e.language = "en-GB";
	assert_true(is_in(fx, &e, "en"));
	e.language = "EN";
	assert_true(is_in(fx, &e, "en"));
	e.language = "pt-br";
	assert_true(is_in(fx, &e, "en"));
	e.language = "pt";
	assert_false(is_in(fx, &e, "en"));
	e.language = "fr";
	assert_false(is_in(fx, &e, "en"));
	assert_int_equal(why(fx, "en")->how, CLASSIFY_LANGUAGE);
	assert_string_equal(why(fx, "en")->detail, "fr");
	e.language = "eng";
	assert_false(is_in(fx, &e, "en"));
	e.language = NULL;	/* undeclared: kept */
	assert_true(is_in(fx, &e, "en"));

	e.date = NOW - 30 * DAY;
	assert_true(is_in(fx, &e, "en"));
	e.date = NOW - 30 * DAY - 1;
	assert_false(is_in(fx, &e, "en"));
	assert_int_equal(why(fx, "en")->how, CLASSIFY_MAX_AGE);
	assert_string_equal(why(fx, "en")->rule, "max_age = 30d");
	e.date = CLASSIFY_NODATE;
	assert_true(is_in(fx, &e, "en"));
}

static void
test_include(void **state)
{
	struct fx		*fx = *state;
	struct classify_entry	 e;

	/* Defined before what it includes: order of evaluation is by need. */
	fx_ok(fx, SRC "[category \"tech\"]\ninclude = cloud, security\n"
	    "exclude = \\bcrypto\\b\n"
	    "[category \"cloud\"]\nterms = cloud\nexclude = \\bgaming\\b\n"
	    "[category \"security\"]\nmatch = \\bCVE-\\d+\n"
	    "[category \"rest\"]\ninclude = all\nexclude_terms = cloud\n");
	e = entry("x", NULL, "Cloud");
	assert_true(is_in(fx, &e, "tech"));
	assert_int_equal(why(fx, "tech")->how, CLASSIFY_INCLUDE);
	assert_string_equal(why(fx, "tech")->detail, "cloud");
	assert_false(fx->in[classify_find(fx->cl, "rest")]);
	e = entry("Patch for CVE-2024-1234", NULL, NULL);
	assert_true(is_in(fx, &e, "tech"));
	assert_string_equal(why(fx, "tech")->detail, "security");
	assert_true(fx->in[classify_find(fx->cl, "rest")]);
	/* Excluded from cloud: not in tech through cloud either. */
	e = entry("Cloud gaming", NULL, "cloud");
	assert_false(is_in(fx, &e, "cloud"));
	assert_false(fx->in[classify_find(fx->cl, "tech")]);
	/* Excluded by tech itself. */
	e = entry("CVE-1 in a crypto wallet", NULL, NULL);
	assert_true(is_in(fx, &e, "security"));
	assert_false(fx->in[classify_find(fx->cl, "tech")]);
	assert_int_equal(why(fx, "tech")->how, CLASSIFY_EXCLUDE);

	/* Only tech wanted: what it includes is evaluated, rest is not. */
	{
		unsigned char want[4] = { 0 };

		want[classify_find(fx->cl, "tech")] = 1;
		e = entry("Patch for CVE-2024-1234", NULL, NULL);
		assert_int_equal(classify_run_some(fx->cl, &e, NOW, fx->in,
		    want), 2);
		assert_true(fx->in[classify_find(fx->cl, "tech")]);
		assert_true(fx->in[classify_find(fx->cl, "security")]);
		assert_false(fx->in[classify_find(fx->cl, "rest")]);
		e = entry("x", NULL, "Cloud");
		classify_run_some(fx->cl, &e, NOW, fx->in, want);
		assert_true(fx->in[classify_find(fx->cl, "tech")]);
		e = entry("Cloud gaming", NULL, "cloud");
		classify_run_some(fx->cl, &e, NOW, fx->in, want);
		assert_false(fx->in[classify_find(fx->cl, "tech")]);
	}
}

static void
test_fingerprints(void **state)
{
	struct fx	*fx = *state;
	uint64_t	 a, b, c;

	fx_ok(fx, SRC "[category \"a\"]\nterms = x\n"
	    "[category \"b\"]\ninclude = a\ntitle = B\n[category \"c\"]\nsources = s\n");
	a = classify_fingerprint(fx->cl, 0);
	b = classify_fingerprint(fx->cl, 1);
	c = classify_fingerprint(fx->cl, 2);
	/* Titles do not matter; a's rules matter to b, not to c. */
	fx_ok(fx, SRC "[category \"a\"]\nterms = X\n"
	    "[category \"b\"]\ninclude = a\n[category \"c\"]\nsources = s\n");
	assert_true(classify_fingerprint(fx->cl, 0) == a);
	assert_true(classify_fingerprint(fx->cl, 1) == b);
	fx_ok(fx, SRC "[category \"a\"]\nterms = y\n"
	    "[category \"b\"]\ninclude = a\n[category \"c\"]\nsources = s\n");
	assert_true(classify_fingerprint(fx->cl, 0) != a);
	assert_true(classify_fingerprint(fx->cl, 1) != b);
	assert_true(classify_fingerprint(fx->cl, 2) == c);
	/* A source's categories count too. */
	fx_ok(fx, SRC "[category \"a\"]\nterms = x\n"
	    "[category \"b\"]\ninclude = a\n[category \"c\"]\nsources = s\n"
	    "[source \"u\"]\nurl = https://u.example/\ncategories = c\n");
	assert_true(classify_fingerprint(fx->cl, 0) == a);
	assert_true(classify_fingerprint(fx->cl, 2) != c);
}

static void
test_config_errors(void **state)
{
	struct fx	*fx = *state;
	char		*errors, *want;

	errors = fx_load(fx, SRC
	    "[category \"a\"]\n"		/* 5 */
	    "include = b\n"
	    "match = (unclosed\n"
	    "match = ok|fine\n"
	    "[category \"b\"]\n"		/* 9 */
	    "include = c, nosuch\n"
	    "sources = s, ghost\n"
	    "exclude = a{2,1}\n"
	    "[category \"c\"]\n"		/* 13 */
	    "include = a\n"
	    "[category \"d\"]\n"		/* 15 */
	    "include = d\n"
	    "[category \"empty\"]\n"		/* 17 */
	    "title = Nothing\n"
	    "exclude = x\n"
	    "language = en\n"
	    "[category \"e\"]\n"		/* 21 */
	    "terms = ok, &&\n"
	    "max_age = 0s\n");
	assert_non_null(errors);
	if (asprintf(&want,
	    "%1$s:7: category \"a\": bad regex at offset 9: missing closing "
	    "parenthesis\n"
	    "%1$s:12: category \"b\": bad regex at offset 5: numbers out of "
	    "order in {} quantifier\n"
	    "%1$s:22: bad value for terms: term \"&&\" has no letter or "
	    "digit\n"
	    "%1$s:23: max_age out of range: \"0s\" (must be 1s to 366d)\n"
	    "%1$s:11: unknown source \"ghost\" in [category \"b\"]\n"
	    "%1$s:10: unknown category \"nosuch\" in [category \"b\"]\n"
	    "%1$s:17: category \"empty\" has no rule: give it sources, terms, "
	    "match, match_title or include, or name it in a source's "
	    "categories\n"
	    "%1$s:21: category \"e\" has no rule: give it sources, terms, "
	    "match, match_title or include, or name it in a source's "
	    "categories\n"
	    "%1$s:14: category \"c\": include cycle a -> b -> c -> a\n"
	    "%1$s:16: category \"d\": include cycle d -> d\n",
	    fx->path) == -1)
		fail();
	assert_string_equal(errors, want);
	free(want);
	free(errors);
}

/* A field is searched in its first CLASSIFY_FIELD_MAX bytes, HTML or not. */
static void
test_field_cap(void **state)
{
	struct fx		*fx = *state;
	struct classify_entry	 e;
	size_t			 n = CLASSIFY_FIELD_MAX + 64;
	char			*late = malloc(n + 32), *early = malloc(n + 32);

	assert_non_null(late);
	assert_non_null(early);
	fx_ok(fx, SRC "[category \"k\"]\nmatch = kubernetes\n");
	memset(late, 'x', n);
	strcpy(late + CLASSIFY_FIELD_MAX - 8, " kubernetes");
	strcpy(early, "kubernetes ");
	memset(early + 11, 'x', n - 11);
	early[n] = '\0';
	for (int html = 0; html < 2; html++) {
		e = entry("t", late, NULL);
		e.content_type = html ? "text/html" : "text/plain";
		assert_false(is_in(fx, &e, "k"));
		e.content = early;
		assert_true(is_in(fx, &e, "k"));
	}
	/* Just inside: found, in plain text and between tags. */
	strcpy(late + CLASSIFY_FIELD_MAX - 16, "<b>kubernetes</b>");
	e = entry("t", late, NULL);
	assert_true(is_in(fx, &e, "k"));
	free(late);
	free(early);
}

/*
 * The prefilter against plain PCRE2: every pattern over every text must
 * give the same answer with it on and off.
 */
static void
test_prefilter_exact(void **state)
{
	static const char *const patterns[] = {
		"\\bkubernetes\\b", "cloud|data ?cent(er|re)s?", "colou?r",
		"go+gle", "ab{0}c", "ab{2,}c", "x\\.y", "\\d+ GB", "^breaking",
		"end$", "[abc]loud", "(?:ser)ver(less)?", "foo(?=bar)",
		"foo(?!bar)", "(?<=pre)fix", "a.b", "\\bAI\\b", "zz*top",
		"ai|ml|llm", "(?i)CaSe", "(?-i)Case", "caf\xc3\xa9", "stra\xc3\x9f" "e",
		"\\Qa.b\\E", "(a)\\1", "\\x41BC", "\\p{Lu}ppercase",
		"k8s?", "x{1,3}y", "[[:digit:]]{4}-cve", "a|\\bb", "tag>",
		"data\\s+center", "(?|a|b)c", "\\N{U+0041}bc", "(*UCP)word",
		"sk", "ks", "\\Ks", "qu?ic?k",
		/* Every part a match needs; groups; words the automaton answers. */
		"\\bdata\\b.*\\bcenter\\b", "(?:kube|docker)[- ]swarm",
		"(cloud|data)\\s+(center|lake)", "\\bsk\\b", "\\bk8s\\b|\\bai\\b",
		"kubernetes|cloud", "\\bkubernetes\\b", "x-y", "\\d+-\\d+",
		"\\bcaf\\b", "(?:ab)?cd", "(ab)+cd", "(?:a|bc)de", "\\btag\\b",
		"_x_|\\b_y\\b", "end\\b", "\\bstra", "(?:k8|data)s?\\b",
	};
	static const char *const words[] = { "kubernetes", "Kubernetes",
	    "cloud", "datacenter", "data centres", "color", "colour", "gogle",
	    "google", "ac", "abc", "abbc", "x.y", "xzy", "12 GB", "breaking",
	    "end", "bloud", "server", "serverless", "ver", "foobar", "foobaz",
	    "prefix", "fix", "a-b", "AI", "ai", "ztop", "zzztop", "ml", "LLM",
	    "CaSe", "case", "Case", "caf\xc3\xa9", "CAF\xc3\x89",
	    "stra\xc3\x9f" "e", "STRASSE", "a.b", "aa", "ABC", "Uppercase",
	    "k8", "k8s", "xxy", "xxxxy", "2024-cve", "b", "tag>",
	    "data \t center", "ac", "bc", "word", "\xe2\x84\xaa" "8s",
	    "\xc5\xbf" "k", "\xc5\xbf" "\xe2\x84\xaa", "qck", "quick",
	    "<b>tag</b>", "&amp;", "\xe2\x84", "\xc5", "data lake",
	    "cloud  center", "kube-swarm", "Docker swarm", "SK", "sk8s", "K8S",
	    "1-2", "x-y-z", "cd", "abcd", "ababcd", "bcde", "ade", "_x_", "_y",
	    "a_y", "Strand", "endless", "weekend", "\xe2\x84\xaa" "ubernetes",
	    "\xc3\xa9kubernetes", "kubernetes\xc3\xa9", "datas", "aidata" };
	struct fx		*fx = *state;
	struct classify_entry	 e;
	unsigned char		 on[96], off[96], some[96], want[96];
	char			 conf[8192], title[256], body[2048];
	size_t			 n = 0, runs = 0, diff = 0;
	unsigned		 seed = 12345;

	n = (size_t)snprintf(conf, sizeof conf, "%s", SRC);
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
		n += (size_t)snprintf(conf + n, sizeof conf - n,
		    "[category \"p%zu\"]\nmatch = %s\n", i, patterns[i]);
	/* One title pattern, so the title boundary is tested too. */
	n += (size_t)snprintf(conf + n, sizeof conf - n,
	    "[category \"t\"]\nmatch_title = cloud|serverless\n"
	    "[category \"t2\"]\nmatch_title = \\bkubernetes\\b\n");
	fx_ok(fx, conf);
	assert_true(classify_unfiltered(fx->cl) > 0);
	assert_true(classify_unfiltered(fx->cl) < classify_count(fx->cl) / 2);

	for (int round = 0; round < 3000; round++) {
		size_t tl = 0, bl = 0;

		title[0] = body[0] = '\0';
		for (int w = 0; w < 4; w++) {
			seed = seed * 1103515245 + 12345;
			tl += (size_t)snprintf(title + tl, sizeof title - tl,
			    "%s%s", w ? " " : "",
			    words[(seed >> 8) % (sizeof words /
			    sizeof words[0])]);
		}
		/*
		 * Every third body is long: scanned as two halves (the
		 * words the middle cuts through are seen by the second).
		 */
		for (int w = 0; w < (round % 3 == 0 ? 90 : 6); w++) {
			seed = seed * 1103515245 + 12345;
			bl += (size_t)snprintf(body + bl, sizeof body - bl,
			    "%s%s", (seed >> 20) % 3 ? " " : "",
			    words[(seed >> 8) % (sizeof words /
			    sizeof words[0])]);
		}
		e = entry(title, body, NULL);
		classify_set_prefilter(fx->cl, 1);
		/* Every other category alone first: the same answers. */
		for (size_t i = 0; i < classify_count(fx->cl); i++)
			want[i] = (i + (size_t)round) % 2;
		classify_run_some(fx->cl, &e, NOW, some, want);
		classify_run(fx->cl, &e, NOW, on, NULL);
		for (size_t i = 0; i < classify_count(fx->cl); i++)
			if (some[i] != (want[i] ? on[i] : 0)) {
				print_error("category %s alone differs\n",
				    classify_name(fx->cl, i));
				diff++;
			}
		classify_set_prefilter(fx->cl, 0);
		classify_run(fx->cl, &e, NOW, off, NULL);
		for (size_t i = 0; i < classify_count(fx->cl); i++) {
			runs += on[i];
			if (on[i] != off[i]) {
				print_error("category %s differs on \"%s\" / "
				    "\"%s\"\n", classify_name(fx->cl, i),
				    title, body);
				diff++;
			}
		}
	}
	assert_int_equal(diff, 0);
	assert_true(runs > 1000);	/* the texts do hit the patterns */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_terms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_language_and_age, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprints, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_field_cap, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_prefilter_exact, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fuzz-conf: libFuzzer target for the config reader.  The input is written
 * as the main file of a private directory that also holds one file to
 * include, and loaded with conf_load.  Checked: a config comes back with no
 * messages or no config with at least one; every message is a
 * "file:line: text" line about a file of that directory; a config that
 * loads has valid, distinct, findable sources and categories with http(s)
 * URLs and known categories.  Includes may only name files of the
 * directory: inputs with an include line holding a slash are skipped, so
 * that a glob cannot wander over the whole file system.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	fuzz_dir[64];
static char	fuzz_main[96];

/* Stops the run with what broke; libFuzzer keeps the input. */
static void
fuzz_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz-conf: %s: %s\n", what,
	    detail != NULL ? detail : "");
	abort();
}

/* Writes LEN bytes of DATA to PATH, or dies: the harness needs its files. */
static void
fuzz_write(const char *path, const void *data, size_t len)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL ||
	    (len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* Removes the directory at exit. */
static void
fuzz_cleanup(void)
{
	char	path[128];

	snprintf(path, sizeof path, "%s/inc.conf", fuzz_dir);
	unlink(path);
	unlink(fuzz_main);
	rmdir(fuzz_dir);
}

/* The directory, with a file the input may include. */
static void
fuzz_setup(void)
{
	static const char inc[] =
	    "[category \"inc\"]\ntitle = Included\n"
	    "[source \"inc\"]\nurl = http://inc.example/feed\n"
	    "categories = inc\n";
	char	path[128];

	snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/fuzz-conf.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(fuzz_main, sizeof fuzz_main, "%s/feedmux.conf", fuzz_dir);
	snprintf(path, sizeof path, "%s/inc.conf", fuzz_dir);
	fuzz_write(path, inc, sizeof inc - 1);
	atexit(fuzz_cleanup);
}

/* Whether S is a valid section name, [A-Za-z0-9._-]+. */
static int
fuzz_name_ok(const char *s)
{
	return s != NULL && *s != '\0' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") == strlen(s);
}

/* Each message is "DIR/...: text" or "DIR/...:N: text", newline-ended. */
static void
fuzz_check_errors(const char *errors)
{
	const char	*p = errors, *nl;
	size_t		 dl = strlen(fuzz_dir), lines = 0;

	if (*p == '\0')
		fuzz_fail("empty error list", NULL);
	while (*p != '\0') {
		if ((nl = strchr(p, '\n')) == NULL)
			fuzz_fail("message without a newline", p);
		if (strncmp(p, fuzz_dir, dl) != 0 || p[dl] != '/' ||
		    memmem(p, (size_t)(nl - p), ": ", 2) == NULL)
			fuzz_fail("message without file:line", p);
		lines++;
		p = nl + 1;
	}
	if (lines > 1001)
		fuzz_fail("more messages than the limit", NULL);
}

/* A loaded config holds only what the reader promises. */
static void
fuzz_check_conf(const struct conf *c)
{
	const struct conf_source	*s;
	const struct conf_category	*k;

	if (c->database == NULL || c->user_agent == NULL || c->sync == NULL ||
	    (strcmp(c->sync, "normal") != 0 && strcmp(c->sync, "full") != 0))
		fuzz_fail("required option missing", NULL);
	for (size_t i = 0; i < c->ncategories; i++) {
		k = &c->categories[i];
		if (!fuzz_name_ok(k->name) || k->title == NULL)
			fuzz_fail("bad category", k->name);
		if (conf_category(c, k->name) != k)
			fuzz_fail("category not found by name", k->name);
		for (size_t j = 0; j < k->nincludes; j++)
			if (strcmp(k->includes[j], "all") != 0 &&
			    conf_category(c, k->includes[j]) == NULL)
				fuzz_fail("unknown included category",
				    k->includes[j]);
	}
	for (size_t i = 0; i < c->nsources; i++) {
		s = &c->sources[i];
		if (!fuzz_name_ok(s->name))
			fuzz_fail("bad source name", s->name);
		if (s->url == NULL || !uri_is_http(s->url))
			fuzz_fail("source URL is not http(s)", s->url);
		if (conf_source(c, s->name) != s)
			fuzz_fail("source not found by name", s->name);
		if (s->interval <= 0)
			fuzz_fail("source without an interval", s->name);
		for (size_t j = 0; j < s->ncategories; j++)
			if (conf_category(c, s->categories[j]) == NULL)
				fuzz_fail("unknown category of a source",
				    s->categories[j]);
		(void)conf_source_allow_private(c, s);
		(void)conf_source_proxy(c, s);
	}
}

/* Whether a line of DATA is an include naming a path with a slash. */
static int
fuzz_wanders(const uint8_t *data, size_t size)
{
	const uint8_t	*p = data, *end = data + size, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		while (p < nl && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(nl - p) >= 7 && memcmp(p, "include", 7) == 0 &&
		    memchr(p, '/', (size_t)(nl - p)) != NULL)
			return 1;
		p = nl + 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	*c;
	char		*errors = NULL;

	if (fuzz_dir[0] == '\0')
		fuzz_setup();
	if (fuzz_wanders(data, size))
		return -1;
	fuzz_write(fuzz_main, data, size);
	c = conf_load(fuzz_main, &errors);
	if (c == NULL && errors == NULL)
		fuzz_fail("no config and no message", NULL);
	if (c != NULL && errors != NULL)
		fuzz_fail("a config and messages", errors);
	if (errors != NULL)
		fuzz_check_errors(errors);
	else
		fuzz_check_conf(c);
	free(errors);
	conf_free(c);
	return 0;
}

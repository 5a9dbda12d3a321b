/*
 * cmd-explain: `feedmux explain [-c FILE] ID|URL`, which categories a
 * stored entry is in and the rule that put it there or kept it out.  The
 * rules of the config are evaluated afresh (the database is opened
 * read-only); where the stored memberships differ, it says so, since the
 * daemon re-sorts only after a reload.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "cmd.h"
#include "conf.h"
#include "store.h"
#include "store-reclass.h"

struct explain_ctx {
	const struct conf	*conf;
	struct classify		*cl;
	unsigned char		*in;
	struct classify_why	*why;
	int64_t			 now;
};

/* How a decision reads, after the category name. */
static const char *
explain_how(enum classify_how how)
{
	switch (how) {
	case CLASSIFY_NONE:
		return "no rule lets it in";
	case CLASSIFY_SOURCE:
		return "its source names this category";
	case CLASSIFY_SOURCES:
		return "from a listed source";
	case CLASSIFY_TERMS:
		return "publisher term";
	case CLASSIFY_INCLUDE:
		return "included category";
	case CLASSIFY_MATCH_TITLE:
		return "title matches";
	case CLASSIFY_MATCH:
		return "text matches";
	case CLASSIFY_LANGUAGE:
		return "excluded by language";
	case CLASSIFY_MAX_AGE:
		return "excluded as too old";
	case CLASSIFY_EXCLUDE_TERMS:
		return "excluded by publisher term";
	case CLASSIFY_EXCLUDE:
		return "excluded, text matches";
	}
	return "?";
}

/* 1 when the comma-separated list LIST holds NAME. */
static int
explain_listed(const char *list, const char *name)
{
	size_t	n = strlen(name);

	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *e = strchr(p, ',');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p = e != NULL ? e + 1 : NULL;
	}
	return 0;
}

static int
explain_entry(const struct store_class_item *it, void *arg)
{
	struct explain_ctx	*x = arg;
	size_t			 n = classify_count(x->cl);

	printf("entry %lld: \"%s\" from source %s%s\n", (long long)it->id,
	    it->entry.title != NULL ? it->entry.title : "",
	    it->entry.source, it->active ? "" :
	    " (no longer configured: hidden)");
	if (it->guid != NULL)
		printf("  id        %s\n", it->guid);
	if (it->link != NULL)
		printf("  link      %s\n", it->link);
	if (it->entry.language != NULL)
		printf("  language  %s\n", it->entry.language);
	printf("  stored in %s\n", it->stored != NULL ? it->stored : "(none)");

	classify_run(x->cl, &it->entry, x->now, x->in, x->why);
	for (size_t i = 0; i < n; i++) {
		const struct classify_why	*w = &x->why[i];
		const char			*name = classify_name(x->cl, i);

		printf("  %-16s %-3s  %s", name, w->in ? "in" : "out",
		    explain_how(w->how));
		if (w->detail[0] != '\0')
			printf(" \"%s\"", w->detail);
		if (w->rule != NULL && w->how != CLASSIFY_SOURCE)
			printf(": %s", w->rule);
		if (w->file != NULL)
			printf(" (%s:%d)", w->file, w->line);
		if (w->in != explain_listed(it->stored, name))
			printf(" [stored %s: the daemon has not re-sorted with "
			    "these rules yet]", w->in ? "out" : "in");
		printf("\n");
	}
	if (x->conf->all)
		printf("  %-16s %-3s  built in: every entry\n", "all", "in");
	return 0;
}

static int
cmd_explain_exec(int argc, char **argv)
{
	const char		*path = SYSCONFDIR "/feedmux/feedmux.conf";
	struct explain_ctx	 x;
	struct conf		*conf;
	struct store		*st;
	char			*err = NULL;
	int			 ch, n, rc = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	if ((conf = cmd_conf(path, &rc)) == NULL)
		return rc;
	memset(&x, 0, sizeof x);
	x.conf = conf;
	x.now = (int64_t)time(NULL);
	if ((x.cl = classify_new(conf, &err)) == NULL ||
	    (x.in = calloc(classify_count(x.cl) + 1, 1)) == NULL ||
	    (x.why = calloc(classify_count(x.cl) + 1, sizeof *x.why)) ==
	    NULL) {
		fprintf(stderr, "feedmux: %s\n", err != NULL ? err :
		    "out of memory");
		free(err);
		classify_free(x.cl);
		free(x.in);
		conf_free(conf);
		return 2;
	}
	if ((st = cmd_store(conf, STORE_READONLY)) == NULL) {
		rc = 2;
	} else {
		n = store_class_lookup(st, argv[optind], explain_entry, &x);
		if (n == -1) {
			fprintf(stderr, "feedmux: database error\n");
			rc = 2;
		} else if (n == 0) {
			fprintf(stderr, "feedmux: no stored entry has the id, "
			    "guid or link \"%s\"\n", argv[optind]);
			rc = 1;
		}
		store_close(st);
	}
	classify_free(x.cl);
	free(x.in);
	free(x.why);
	conf_free(conf);
	return rc;

usage:
	fprintf(stderr, "usage: feedmux explain [-c file] entry-id|url\n");
	return 2;
}

const struct cmd_entry cmd_explain_entry = {
	.name = "explain",
	.usage = "[-c file] entry-id|url",
	.help = "which categories an entry is in, and by which rule",
	.exec = cmd_explain_exec,
};

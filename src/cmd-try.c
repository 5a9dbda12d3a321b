/*
 * cmd-try: `feedmux try [-c FILE] [--source NAME] URL` fetches one URL
 * exactly as the daemon would (the fetch room on a private loop, so the
 * caps and the SSRF guard apply, with the config's allow_private, timeout,
 * size cap and User-Agent), parses it, and shows what would be stored:
 * each entry with its identity key, its dates as parsed, the categories it
 * would join, and warnings.  Nothing is written.  Exit 0 for a feed, 1
 * when the fetch failed or the answer is not a feed, 2 for usage, config
 * or setup errors.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "cmd.h"
#include "conf.h"
#include "date.h"
#include "doc.h"
#include "fetch.h"
#include "parse.h"
#include "store.h"

/* Dates further ahead than this sort as first seen (as store does). */
#define TRY_FUTURE	(24 * 3600)

struct try_ctx {
	const struct conf		*conf;
	const struct conf_source	*cs;	/* the URL's source, or NULL */
	const char			*url;
	int				 rc;
};

static int	cmd_try_exec(int, char **);

const struct cmd_entry cmd_try_entry = {
	.name = "try",
	.usage = "[-c file] [--source name] URL",
	.help = "fetch and parse a feed, show what would be stored",
	.exec = cmd_try_exec,
};

/* Prints LABEL and a date as parsed, or "-" when there is none. */
static void
try_date(const char *label, int64_t t)
{
	char	buf[DATE_RFC3339_LEN];

	if (t == DOC_NODATE || date_format_rfc3339(t, buf, sizeof buf) == -1)
		printf("     %-11s -\n", label);
	else
		printf("     %-11s %s\n", label, buf);
}

/* Prints the one-line form of TEXT (at most 100 bytes) after LABEL. */
static void
try_text(const char *label, const char *text)
{
	char	line[104];
	size_t	n = 0;

	if (text == NULL) {
		printf("     %-11s -\n", label);
		return;
	}
	for (const char *p = text; *p != '\0' && n < 100; p++)
		line[n++] = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
	/* Never end inside a UTF-8 sequence. */
	while (n > 0 && n == 100 && ((unsigned char)line[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0 && n == 100 && ((unsigned char)line[n - 1] & 0xc0) == 0xc0)
		n--;
	line[n] = '\0';
	printf("     %-11s %s%s\n", label, line, strlen(text) > n ? "..." : "");
}

/* Prints what the entries of D would become; returns the warnings count. */
static int
try_entries(struct try_ctx *x, const struct doc *d, int64_t now)
{
	char		**keys;
	int		  warnings = 0;

	if (d->nentries == 0) {
		printf("\nwarning: the feed has no entries\n");
		return 1;
	}
	if ((keys = calloc(d->nentries, sizeof *keys)) == NULL ||
	    store_preview_keys(d, keys) == -1) {
		free(keys);
		fprintf(stderr, "feedmux try: out of memory\n");
		x->rc = 2;
		return 0;
	}
	for (size_t i = 0; i < d->nentries; i++) {
		const struct doc_entry	*e = &d->entries[i];
		int64_t			 date = e->published != DOC_NODATE ?
					    e->published : doc_entry_date(e);

		printf("\n%3zu. %-11s %s (%s)\n", i + 1, "key", keys[i],
		    e->id != NULL && e->id[0] != '\0' ? "guid" :
		    e->link != NULL && e->link[0] != '\0' ? "link" :
		    "hash of title, date and content");
		try_text("title", e->title);
		try_text("link", e->link);
		try_date("published", e->published);
		try_date("updated", e->updated);
		if (e->nauthors > 0)
			try_text("author", e->authors[0].name != NULL ?
			    e->authors[0].name : e->authors[0].email);
		if (e->ncategories > 0) {
			printf("     %-11s", "terms");
			for (size_t j = 0; j < e->ncategories && j < 10; j++)
				printf(" %s%s", e->categories[j].term != NULL ?
				    e->categories[j].term : "-",
				    j + 1 < e->ncategories ? "," : "");
			printf("%s\n", e->ncategories > 10 ? " ..." : "");
		}
		printf("     %-11s", "categories");
		if (x->cs == NULL || x->cs->ncategories == 0)
			printf(" none (only /feeds/all)");
		else
			for (size_t j = 0; j < x->cs->ncategories; j++)
				printf(" %s", x->cs->categories[j]);
		printf("\n");
		if (date == DOC_NODATE) {
			printf("     warning: no date; sorted by when first "
			    "seen\n");
			warnings++;
		} else if (date > now + TRY_FUTURE) {
			printf("     warning: dated in the future; sorted by "
			    "when first seen\n");
			warnings++;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(keys[i], keys[j]) == 0) {
				printf("     warning: same key as entry %zu; "
				    "stored once\n", j + 1);
				warnings++;
				break;
			}
		}
		if ((e->title == NULL || e->title[0] == '\0') &&
		    (e->link == NULL || e->link[0] == '\0')) {
			printf("     warning: neither title nor link\n");
			warnings++;
		}
	}
	for (size_t i = 0; i < d->nentries; i++)
		free(keys[i]);
	free(keys);
	return warnings;
}

/* The transfer ended: parse and show; everything in R is borrowed. */
static void
try_done(const struct fetch_result *r, void *arg)
{
	struct try_ctx		*x = arg;
	struct parse_opts	 opts;
	struct doc		*d;
	int			 warnings;

	printf("url         %s\n", x->url);
	if (r->effective_url != NULL && strcmp(r->effective_url, x->url) != 0)
		printf("fetched     %s (after a %ld redirect)\n",
		    r->effective_url, r->first_status);
	if (r->error != FETCH_OK) {
		printf("error       %s\n", r->errmsg != NULL ? r->errmsg :
		    "transfer failed");
		x->rc = 1;
		return;
	}
	printf("status      %ld, %s, %zu bytes in %lld ms\n", r->status,
	    r->content_type != NULL ? r->content_type : "no Content-Type",
	    r->len, (long long)r->duration_ms);
	if (r->etag != NULL || r->last_modified != NULL)
		printf("validators  %s%s%s%s\n", r->etag != NULL ? "ETag " : "",
		    r->etag != NULL ? r->etag : "", r->last_modified != NULL ?
		    (r->etag != NULL ? ", Last-Modified " : "Last-Modified ") :
		    "", r->last_modified != NULL ? r->last_modified : "");
	else
		printf("validators  none: every poll fetches the whole feed\n");
	if (x->cs != NULL)
		printf("source      %s (%s:%d)\n", x->cs->name, x->cs->file,
		    x->cs->line);
	else
		printf("source      not configured: "
		    "no [source] has this url\n");
	if (r->status != 200) {
		printf("error       HTTP %ld\n", r->status);
		x->rc = 1;
		return;
	}

	memset(&opts, 0, sizeof opts);
	opts.base = r->effective_url;
	opts.content_type = r->content_type;
	opts.content_location = r->content_location;
	opts.content_language = r->content_language;
	if ((d = parse_doc(r->body, r->len, &opts)) == NULL) {
		fprintf(stderr, "feedmux try: out of memory\n");
		x->rc = 2;
		return;
	}
	if (!parse_is_feed(d)) {
		printf("error       not a feed: %s\n", d->bozo_message != NULL ?
		    d->bozo_message : "unrecognised document");
		doc_free(d);
		x->rc = 1;
		return;
	}
	printf("format      %s, encoding %s\n", d->version,
	    d->encoding != NULL ? d->encoding : "-");
	printf("feed        %s\n", d->feed.title != NULL ? d->feed.title : "-");
	if (d->feed.link != NULL)
		printf("site        %s\n", d->feed.link);
	printf("entries     %zu\n", d->nentries);
	warnings = 0;
	if (d->bozo) {
		printf("warning     recovered from malformed input: %s\n",
		    d->bozo_message != NULL ? d->bozo_message : "?");
		warnings++;
	}
	warnings += try_entries(x, d, (int64_t)time(NULL));
	printf("\n%d warning%s\n", warnings, warnings == 1 ? "" : "s");
	doc_free(d);
	if (x->rc != 2)
		x->rc = 0;
}

/* Runs `feedmux try`: one transfer on a private loop, then the report. */
static int
cmd_try_exec(int argc, char **argv)
{
	const char	*path = SYSCONFDIR "/feedmux/feedmux.conf";
	const char	*source = NULL, *url = NULL;
	struct conf	*conf;
	struct event_base *base;
	struct fetch	*f;
	struct fetch_req req;
	struct try_ctx	 x;
	int		 i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
			source = argv[++i];
		else if (url == NULL && argv[i][0] != '-')
			url = argv[i];
		else
			goto usage;
	}
	if (url == NULL)
		goto usage;
	if ((conf = cmd_conf(path, &rc)) == NULL)
		return rc;
	memset(&x, 0, sizeof x);
	x.conf = conf;
	x.url = url;
	x.rc = -1;	/* until try_done runs */
	if (source != NULL && (x.cs = conf_source(conf, source)) == NULL) {
		fprintf(stderr, "feedmux try: no source \"%s\" in %s\n", source,
		    path);
		conf_free(conf);
		return 2;
	}
	for (size_t j = 0; x.cs == NULL && j < conf->nsources; j++)
		if (strcmp(conf->sources[j].url, url) == 0)
			x.cs = &conf->sources[j];

	memset(&req, 0, sizeof req);
	req.url = url;
	req.user_agent = x.cs != NULL && x.cs->user_agent != NULL ?
	    x.cs->user_agent : conf->user_agent;
	req.allow_private = x.cs != NULL ?
	    conf_source_allow_private(conf, x.cs) : conf->allow_private;
	req.tls_insecure = !(x.cs != NULL ?
	    conf_source_tls_verify(conf, x.cs) : conf->tls_verify);
	req.max_body = conf->max_body;
	req.timeout = (long)conf->timeout;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "feedmux try: cannot initialise libcurl\n");
		conf_free(conf);
		return 2;
	}
	parse_init();
	base = event_base_new();
	f = base != NULL ? fetch_new(base, 1) : NULL;
	if (f == NULL || fetch_start(f, &req, try_done, &x) == NULL) {
		fprintf(stderr, "feedmux try: cannot start the transfer\n");
		x.rc = 2;
	} else if (event_base_dispatch(base) == -1 || x.rc == -1) {
		fprintf(stderr, "feedmux try: the transfer did not finish\n");
		x.rc = 2;
	}
	fetch_free(f);
	if (base != NULL)
		event_base_free(base);
	curl_global_cleanup();
	conf_free(conf);
	if (fflush(stdout) != 0)
		return 2;
	return x.rc;

usage:
	fprintf(stderr, "usage: feedmux try %s\n", cmd_try_entry.usage);
	return 2;
}

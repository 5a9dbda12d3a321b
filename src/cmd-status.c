/*
 * cmd-status: `feedmux status [--json] [-c FILE] [SOURCE]`, each source's
 * health and identity rule read from the database (read-only, safe beside
 * the daemon); with SOURCE, that source in detail and its recent poll
 * records.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "conf.h"
#include "date.h"
#include "store.h"

/* Poll records shown for one source. */
#define STATUS_POLLS	20

struct status_ctx {
	int		 json;
	const struct conf *conf;
	const char	*only;		/* one source in detail, or NULL */
	int		 found;
	int		 n;
	int64_t		 entries;
	int		 failing;
	struct buf	 b;
};

static void
status_time(char *out, size_t len, int64_t t)
{
	if (t <= 0 || date_format_rfc3339(t, out, len) == -1)
		snprintf(out, len, "-");
}

/* States that need no attention (moved works, but the config is stale). */
static int
status_healthy(const char *state)
{
	return strcmp(state, "ok") == 0 || strcmp(state, "new") == 0 ||
	    strcmp(state, "moved") == 0;
}

/* One poll record as a table row or a JSON object. */
static int
status_poll(const struct store_poll_info *pi, void *arg)
{
	struct status_ctx	*x = arg;
	char			 at[DATE_RFC3339_LEN], st[16];

	if (x->json) {
		buf_puts(&x->b, x->n++ > 0 ? ",\n      {" : "\n      {");
		buf_printf(&x->b, "\"at\": %lld, \"status\": %d, "
		    "\"bytes\": %lld, \"duration_ms\": %lld, \"new\": %d, "
		    "\"updated\": %d, \"next_poll\": %lld, \"state\": ",
		    (long long)pi->at, pi->status, (long long)pi->bytes,
		    (long long)pi->duration_ms, pi->new, pi->updated,
		    (long long)pi->next_poll);
		if (pi->state != NULL)
			buf_json(&x->b, pi->state);
		else
			buf_puts(&x->b, "null");
		buf_puts(&x->b, ", \"error\": ");
		if (pi->error != NULL)
			buf_json(&x->b, pi->error);
		else
			buf_puts(&x->b, "null");
		buf_puts(&x->b, "}");
		return 0;
	}
	status_time(at, sizeof at, pi->at);
	if (pi->status > 0)
		snprintf(st, sizeof st, "%d", pi->status);
	else
		snprintf(st, sizeof st, "-");
	printf("  %-20s %6s %-9s %9lld B %6lld ms %4d new %4d updated  %s\n",
	    at, st, pi->state != NULL ? pi->state : "-", (long long)pi->bytes,
	    (long long)pi->duration_ms, pi->new, pi->updated,
	    pi->error != NULL ? pi->error : "");
	return 0;
}

/* One source in detail: every field, then its recent polls. */
static int
status_detail(struct store *st, const struct store_source_info *si,
    struct status_ctx *x)
{
	const struct conf_source	*cs;
	char				 t[DATE_RFC3339_LEN];

	x->found = 1;
	if (x->json) {
		buf_puts(&x->b, "{\n  \"name\": ");
		buf_json(&x->b, si->name);
		buf_puts(&x->b, ",\n  \"url\": ");
		buf_json(&x->b, si->url);
		buf_puts(&x->b, ",\n  \"current_url\": ");
		buf_json(&x->b, si->cur_url != NULL ? si->cur_url : si->url);
		buf_puts(&x->b, ",\n  \"state\": ");
		buf_json(&x->b, si->state);
		buf_puts(&x->b, ",\n  \"identity\": ");
		buf_json(&x->b, si->id_rule);
		buf_puts(&x->b, ",\n  \"redirect_url\": ");
		if (si->redirect_url != NULL)
			buf_json(&x->b, si->redirect_url);
		else
			buf_puts(&x->b, "null");
		buf_printf(&x->b, ",\n  \"redirect_count\": %d,\n"
		    "  \"retired\": %s,\n  \"entries\": %lld,\n"
		    "  \"failures\": %d,\n  \"last_status\": %d,\n"
		    "  \"last_attempt\": %lld,\n  \"last_success\": %lld,\n"
		    "  \"failing_since\": %lld,\n  \"next_poll\": %lld,\n"
		    "  \"last_error\": ", si->redirect_count,
		    si->retired ? "true" : "false", (long long)si->entries,
		    si->failures, si->last_status, (long long)si->last_attempt,
		    (long long)si->last_success, (long long)si->failing_since,
		    (long long)si->next_poll);
		if (si->last_error != NULL)
			buf_json(&x->b, si->last_error);
		else
			buf_puts(&x->b, "null");
		buf_puts(&x->b, ",\n  \"polls\": [");
		x->n = 0;
		if (store_polls_each(st, si->name, STATUS_POLLS, status_poll,
		    x) == -1)
			return -1;
		buf_puts(&x->b, "\n  ]\n}\n");
		return 0;
	}
	printf("source %s\n", si->name);
	printf("  %-14s %s\n", "url", si->url);
	if (si->cur_url != NULL)
		printf("  %-14s %s (a permanent redirect; update the config)\n",
		    "moved to", si->cur_url);
	if (si->redirect_url != NULL)
		printf("  %-14s %s (seen on %d polls in a row)\n",
		    "redirected to", si->redirect_url, si->redirect_count);
	printf("  %-14s %s%s\n", "state", si->state, si->retired ?
	    " (retired: not polled until its url changes)" : "");
	status_time(t, sizeof t, si->last_attempt);
	printf("  %-14s %s (HTTP %d)\n", "last attempt", t, si->last_status);
	status_time(t, sizeof t, si->last_success);
	printf("  %-14s %s\n", "last success", t);
	if (si->failing_since > 0) {
		status_time(t, sizeof t, si->failing_since);
		printf("  %-14s %s (%d failures in a row)\n", "failing since",
		    t, si->failures);
	}
	status_time(t, sizeof t, si->next_poll);
	printf("  %-14s %s\n", "next poll", si->retired ? "-" : t);
	printf("  %-14s %lld\n", "entries", (long long)si->entries);
	printf("  %-14s %s\n", "identity", si->id_rule);
	if ((cs = conf_source(x->conf, si->name)) != NULL) {
		printf("  %-14s %s:%d, every %llds, categories: ", "configured",
		    cs->file, cs->line, (long long)cs->interval);
		for (size_t i = 0; i < cs->ncategories; i++)
			printf("%s%s", i > 0 ? ", " : "", cs->categories[i]);
		printf("%s\n", cs->ncategories == 0 ? "none" : "");
	}
	if (si->last_error != NULL)
		printf("  %-14s %s\n", "last error", si->last_error);
	printf("recent polls (newest first):\n");
	return store_polls_each(st, si->name, STATUS_POLLS, status_poll, x) ==
	    -1 ? -1 : 0;
}

static int
status_source(const struct store_source_info *si, void *arg)
{
	struct status_ctx	*x = arg;
	char			 last[DATE_RFC3339_LEN], next[DATE_RFC3339_LEN];

	x->entries += si->entries;
	if (!status_healthy(si->state))
		x->failing++;
	if (!x->json) {
		status_time(last, sizeof last, si->last_success);
		status_time(next, sizeof next, si->next_poll);
		printf("%-20s %-10s %-20s %-20s %7lld %-9s  %s\n", si->name,
		    si->state, last, next, (long long)si->entries,
		    si->id_rule, si->last_error != NULL ? si->last_error : "");
		if (si->cur_url != NULL)
			printf("%-20s moved to %s\n", "", si->cur_url);
		return 0;
	}
	buf_puts(&x->b, x->n++ > 0 ? ",\n    {" : "\n    {");
	buf_puts(&x->b, "\"name\": ");
	buf_json(&x->b, si->name);
	buf_puts(&x->b, ", \"url\": ");
	buf_json(&x->b, si->url);
	buf_puts(&x->b, ", \"current_url\": ");
	buf_json(&x->b, si->cur_url != NULL ? si->cur_url : si->url);
	buf_puts(&x->b, ", \"state\": ");
	buf_json(&x->b, si->state);
	buf_puts(&x->b, ", \"identity\": ");
	buf_json(&x->b, si->id_rule);
	buf_printf(&x->b, ", \"entries\": %lld, \"failures\": %d, "
	    "\"last_status\": %d, \"last_attempt\": %lld, "
	    "\"last_success\": %lld, \"next_poll\": %lld, \"last_error\": ",
	    (long long)si->entries, si->failures, si->last_status,
	    (long long)si->last_attempt, (long long)si->last_success,
	    (long long)si->next_poll);
	if (si->last_error != NULL)
		buf_json(&x->b, si->last_error);
	else
		buf_puts(&x->b, "null");
	buf_puts(&x->b, "}");
	return 0;
}

/* The context for finding one source among all. */
struct status_find {
	struct store		*st;
	struct status_ctx	*x;
	int			 rc;
};

static int
status_find_cb(const struct store_source_info *si, void *arg)
{
	struct status_find	*f = arg;

	if (strcmp(si->name, f->x->only) != 0)
		return 0;
	f->rc = status_detail(f->st, si, f->x);
	return 1;
}

/* `status SOURCE`: 0, 1 when there is no such source, 2 on errors. */
static int
status_one(struct store *st, struct status_ctx *x)
{
	struct status_find	 f = { st, x, 0 };
	char			*out;

	if (store_sources_each(st, status_find_cb, &f) == -1 || f.rc == -1) {
		buf_free(&x->b);
		fprintf(stderr, "feedmux: cannot read the database\n");
		return 2;
	}
	if (!x->found) {
		buf_free(&x->b);
		fprintf(stderr, "feedmux: no source \"%s\" in the database\n",
		    x->only);
		return 1;
	}
	if (x->json) {
		if ((out = buf_release(&x->b, NULL)) != NULL)
			fputs(out, stdout);
		free(out);
	} else
		buf_free(&x->b);
	return 0;
}

static int
cmd_status_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = SYSCONFDIR "/feedmux/feedmux.conf";
	struct status_ctx	 x;
	struct conf		*conf;
	struct store		*st;
	char			*out;
	int			 ch, rc;

	memset(&x, 0, sizeof x);
	optind = 1;
	/* Options may come before or after the source name. */
	for (;;) {
		if ((ch = getopt_long(argc, argv, "+c:", longopts,
		    NULL)) == -1) {
			if (optind < argc && x.only == NULL) {
				x.only = argv[optind++];
				continue;
			}
			break;
		}
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'j':
			x.json = 1;
			break;
		default:
			fprintf(stderr, "usage: feedmux status [--json] "
			    "[-c file] [source]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: feedmux status [--json] [-c file] "
		    "[source]\n");
		return 2;
	}
	if ((conf = cmd_conf(path, &rc)) == NULL)
		return rc;
	if ((st = cmd_store(conf, STORE_READONLY)) == NULL) {
		conf_free(conf);
		return 2;
	}
	buf_init(&x.b, 256 * 1024 * 1024);
	if (x.only != NULL) {
		x.conf = conf;
		rc = status_one(st, &x);
		store_close(st);
		conf_free(conf);
		return rc;
	}
	if (!x.json)
		printf("%-20s %-10s %-20s %-20s %7s %-9s  %s\n", "SOURCE",
		    "STATE", "LAST SUCCESS", "NEXT POLL", "ENTRIES", "IDENTITY",
		    "LAST ERROR");
	rc = store_sources_each(st, status_source, &x);
	if (x.json) {
		printf("{\n  \"sources\": %d,\n  \"entries\": %lld,\n"
		    "  \"failing\": %d,\n  \"source\": [", x.n,
		    (long long)x.entries, x.failing);
		if ((out = buf_release(&x.b, NULL)) != NULL)
			fputs(out, stdout);
		free(out);
		printf("\n  ]\n}\n");
	} else
		buf_free(&x.b);
	store_close(st);
	conf_free(conf);
	return rc == 0 ? 0 : 2;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "[--json] [-c file] [source]",
	.help = "each source's state, next poll, errors; one source's polls",
	.exec = cmd_status_exec,
};

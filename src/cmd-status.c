/*
 * cmd-status: `feedmux status [--json] [-c FILE] [SOURCE]`, each source's
 * health and identity rule read from the database (read-only, safe beside
 * the daemon), or one source in detail with its recent poll records.
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
	const char	*only;		/* the source asked for, or NULL */
	int		 found;
	int		 json;
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

/* Prints one source in detail, as text or as a JSON object. */
static void
status_detail(struct status_ctx *x, const struct store_source_info *si)
{
	char	t[4][DATE_RFC3339_LEN];

	status_time(t[0], sizeof t[0], si->last_attempt);
	status_time(t[1], sizeof t[1], si->last_success);
	status_time(t[2], sizeof t[2], si->next_poll);
	status_time(t[3], sizeof t[3], si->failing_since);
	if (x->json) {
		buf_puts(&x->b, "{\n  \"name\": ");
		buf_json(&x->b, si->name);
		buf_puts(&x->b, ",\n  \"url\": ");
		buf_json(&x->b, si->url);
		buf_puts(&x->b, ",\n  \"current_url\": ");
		buf_json(&x->b, si->cur_url != NULL ? si->cur_url : si->url);
		buf_puts(&x->b, ",\n  \"title\": ");
		if (si->title != NULL)
			buf_json(&x->b, si->title);
		else
			buf_puts(&x->b, "null");
		buf_puts(&x->b, ",\n  \"state\": ");
		buf_json(&x->b, si->state);
		buf_printf(&x->b, ",\n  \"entries\": %lld,\n  \"failures\": "
		    "%d,\n  \"last_status\": %d,\n  \"last_attempt\": %lld,\n"
		    "  \"last_success\": %lld,\n  \"failing_since\": %lld,\n"
		    "  \"next_poll\": %lld,\n  \"last_error\": ",
		    (long long)si->entries, si->failures, si->last_status,
		    (long long)si->last_attempt, (long long)si->last_success,
		    (long long)si->failing_since, (long long)si->next_poll);
		if (si->last_error != NULL)
			buf_json(&x->b, si->last_error);
		else
			buf_puts(&x->b, "null");
		buf_puts(&x->b, ",\n  \"polls\": [");
		return;
	}
	printf("source         %s\n", si->name);
	printf("url            %s\n", si->url);
	if (si->cur_url != NULL)
		printf("moved to       %s\n", si->cur_url);
	printf("title          %s\n", si->title != NULL ? si->title : "-");
	printf("state          %s\n", si->state);
	printf("entries        %lld\n", (long long)si->entries);
	printf("failures       %d%s%s\n", si->failures,
	    si->failing_since > 0 ? " in a row, failing since " : "",
	    si->failing_since > 0 ? t[3] : "");
	printf("last status    %d\n", si->last_status);
	printf("last attempt   %s\n", t[0]);
	printf("last success   %s\n", t[1]);
	printf("next poll      %s\n", t[2]);
	printf("last error     %s\n", si->last_error != NULL ?
	    si->last_error : "-");
	printf("\n%-20s %6s %10s %8s %5s %5s  %s\n", "POLLED", "STATUS",
	    "BYTES", "MS", "NEW", "UPD", "ERROR");
}

/* Prints one poll record of the detailed source. */
static int
status_poll(const struct store_poll_info *pi, void *arg)
{
	struct status_ctx	*x = arg;
	char			 at[DATE_RFC3339_LEN];

	if (x->json) {
		buf_puts(&x->b, x->n++ > 0 ? ",\n    {" : "\n    {");
		buf_printf(&x->b, "\"at\": %lld, \"status\": %d, \"bytes\": "
		    "%lld, \"duration_ms\": %lld, \"new\": %d, \"updated\": %d, "
		    "\"error\": ", (long long)pi->at, pi->status,
		    (long long)pi->bytes, (long long)pi->duration_ms, pi->new,
		    pi->updated);
		if (pi->error != NULL)
			buf_json(&x->b, pi->error);
		else
			buf_puts(&x->b, "null");
		buf_puts(&x->b, "}");
		return 0;
	}
	status_time(at, sizeof at, pi->at);
	printf("%-20s %6d %10lld %8lld %5d %5d  %s\n", at, pi->status,
	    (long long)pi->bytes, (long long)pi->duration_ms, pi->new,
	    pi->updated, pi->error != NULL ? pi->error : "");
	return 0;
}

static int
status_source(const struct store_source_info *si, void *arg)
{
	struct status_ctx	*x = arg;
	char			 last[DATE_RFC3339_LEN], next[DATE_RFC3339_LEN];

	if (x->only != NULL) {
		if (strcmp(si->name, x->only) != 0)
			return 0;
		x->found = 1;
		status_detail(x, si);
		return 1;
	}
	x->entries += si->entries;
	if (strcmp(si->state, "ok") != 0 && strcmp(si->state, "new") != 0)
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

/* Prints one source and its recent polls; 1 when it is not known. */
static int
status_one(struct status_ctx *x, struct store *st, struct conf *conf)
{
	const struct conf_source	*cs;
	char				*out;
	int				 rc;

	rc = store_sources_each(st, status_source, x);
	if (rc == 0 && x->found)
		rc = store_polls_each(st, x->only, STATUS_POLLS, status_poll,
		    x) == -1 ? -1 : 0;
	if (rc == 0 && x->found && x->json) {
		buf_puts(&x->b, "\n  ]\n}\n");
		if ((out = buf_release(&x->b, NULL)) != NULL)
			fputs(out, stdout);
		else
			rc = -1;
		free(out);
	} else
		buf_free(&x->b);
	if (rc == 0 && x->found && !x->json &&
	    (cs = conf_source(conf, x->only)) != NULL) {
		printf("\nconfigured at %s:%d, every %llds, categories:",
		    cs->file, cs->line, (long long)cs->interval);
		for (size_t i = 0; i < cs->ncategories; i++)
			printf(" %s", cs->categories[i]);
		printf("%s\n", cs->ncategories == 0 ? " none" : "");
	}
	if (rc == 0 && !x->found)
		fprintf(stderr, "feedmux: no source \"%s\" in the database\n",
		    x->only);
	store_close(st);
	conf_free(conf);
	if (rc == -1)
		return 2;
	return x->found ? 0 : 1;
}

static int	cmd_status_exec(int, char **);

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "[--json] [-c file] [source]",
	.help = "each source's health, or one source and its recent polls",
	.exec = cmd_status_exec,
};

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
	char			*errors = NULL, *err = NULL, *out;
	int			 ch, rc;

	memset(&x, 0, sizeof x);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'j':
			x.json = 1;
			break;
		default:
			fprintf(stderr, "usage: feedmux status %s\n",
			    cmd_status_entry.usage);
			return 2;
		}
	}
	if (optind < argc - 1) {
		fprintf(stderr, "usage: feedmux status %s\n",
		    cmd_status_entry.usage);
		return 2;
	}
	if (optind == argc - 1)
		x.only = argv[optind];
	if ((conf = conf_load(path, &errors)) == NULL) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		return 1;
	}
	if ((st = store_open(conf->database, STORE_READONLY, &err)) == NULL) {
		fprintf(stderr, "feedmux: %s\n", err != NULL ? err :
		    "out of memory");
		free(err);
		conf_free(conf);
		return 2;
	}
	buf_init(&x.b, 256 * 1024 * 1024);
	if (x.only != NULL)
		return status_one(&x, st, conf);
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

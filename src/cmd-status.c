/*
 * cmd-status: `feedmux status [--json] [-c FILE]`, each source's health and
 * identity rule read from the database (read-only, safe beside the daemon).
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

struct status_ctx {
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

static int
status_source(const struct store_source_info *si, void *arg)
{
	struct status_ctx	*x = arg;
	char			 last[DATE_RFC3339_LEN], next[DATE_RFC3339_LEN];

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
			fprintf(stderr, "usage: feedmux status [--json] "
			    "[-c file]\n");
			return 2;
		}
	}
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
	.usage = "[--json] [-c file]",
	.help = "each source's state, last success, next poll and errors",
	.exec = cmd_status_exec,
};

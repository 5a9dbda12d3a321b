/*
 * cmd-delete: `feedmux delete [-c FILE] ENTRY...`, an operator removing
 * entries for good.  Each ENTRY is an entry's number or its guid or link;
 * every entry it names is deleted and tombstoned, so the publisher listing
 * it again never brings it back.  Opens the database for writing beside a
 * running daemon (SQLite serialises the two writers).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "store.h"

static int
cmd_delete_exec(int argc, char **argv)
{
	const char	*path = SYSCONFDIR "/feedmux/feedmux.conf";
	struct conf	*conf;
	struct store	*st;
	int		 ch, n, rc = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			goto usage;
		path = optarg;
	}
	if (optind >= argc)
		goto usage;
	if ((conf = cmd_conf(path, &rc)) == NULL)
		return rc;
	if ((st = cmd_store(conf, conf->sync_full ?
	    STORE_SYNC_FULL : 0)) == NULL) {
		conf_free(conf);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		if ((n = store_delete(st, argv[i])) == -1) {
			rc = 2;
			break;
		}
		printf("%s: %d %s deleted\n", argv[i], n,
		    n == 1 ? "entry" : "entries");
		/* Naming nothing is an answer of "no", not an error. */
		if (n == 0 && rc == 0)
			rc = 1;
	}
	store_close(st);
	conf_free(conf);
	return rc;

usage:
	fprintf(stderr, "usage: feedmux delete [-c file] entry ...\n");
	return 2;
}

const struct cmd_entry cmd_delete_entry = {
	.name = "delete",
	.usage = "[-c file] entry ...",
	.help = "delete entries (number, guid or link) for good",
	.exec = cmd_delete_exec,
};

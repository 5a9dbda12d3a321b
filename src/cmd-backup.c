/*
 * cmd-backup: `feedmux backup [-c FILE] OUT`,
 * a consistent copy of the live database.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "store.h"

static int
cmd_backup_exec(int argc, char **argv)
{
	const char	*path = SYSCONFDIR "/feedmux/feedmux.conf";
	struct conf	*conf;
	struct store	*st;
	char		*err = NULL;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			goto usage;
		path = optarg;
	}
	if (optind != argc - 1)
		goto usage;
	if ((conf = cmd_conf(path, &rc)) == NULL)
		return rc;
	/* Read-write open is not needed: the backup API reads a snapshot. */
	if ((st = cmd_store(conf, STORE_READONLY)) == NULL) {
		conf_free(conf);
		return 2;
	}
	rc = store_backup(st, argv[optind], &err);
	if (rc == -1) {
		fprintf(stderr, "feedmux: backup: %s\n", err != NULL ? err :
		    "failed");
		free(err);
	}
	store_close(st);
	conf_free(conf);
	return rc == 0 ? 0 : 2;

usage:
	fprintf(stderr, "usage: feedmux backup [-c file] output.db\n");
	return 2;
}

const struct cmd_entry cmd_backup_entry = {
	.name = "backup",
	.usage = "[-c file] output.db",
	.help = "consistent copy of the live database",
	.exec = cmd_backup_exec,
};

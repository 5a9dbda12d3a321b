/*
 * feedmux: the command-line tool.  Dispatches to the subcommands in
 * cmd-*.c; each works offline, reading the config and (read-only) the
 * database, so it is safe beside a running daemon.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"

extern const struct cmd_entry cmd_backup_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_delete_entry;
extern const struct cmd_entry cmd_export_opml_entry;
extern const struct cmd_entry cmd_import_opml_entry;
extern const struct cmd_entry cmd_explain_entry;
extern const struct cmd_entry cmd_parse_entry;
extern const struct cmd_entry cmd_poll_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_try_entry;

static const struct cmd_entry *const cmds[] = {
	&cmd_backup_entry,
	&cmd_check_entry,
	&cmd_delete_entry,
	&cmd_export_opml_entry,
	&cmd_import_opml_entry,
	&cmd_explain_entry,
	&cmd_parse_entry,
	&cmd_poll_entry,
	&cmd_status_entry,
	&cmd_try_entry,
};
#define NCMDS	(sizeof cmds / sizeof cmds[0])

static int
usage(FILE *fp)
{
	fprintf(fp, "usage: feedmux COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(fp, "  %s %s\n      %s\n", cmds[i]->name,
		    cmds[i]->usage, cmds[i]->help);
	fprintf(fp, "\nexit status: 0 success, 1 the answer is no (not a feed, "
	    "errors in the config), 2 usage or I/O error\n");
	return fp == stdout ? 0 : 2;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("feedmux %s\n", PACKAGE_VERSION);
		return 0;
	}
	log_init(0);
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(argv[1], cmds[i]->name) == 0)
			return cmds[i]->exec(argc - 1, argv + 1);
	fprintf(stderr, "feedmux: unknown command \"%s\"\n", argv[1]);
	return usage(stderr);
}

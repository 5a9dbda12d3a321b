/*
 * cmd: the subcommands of the `feedmux` tool.  Each lives in cmd-NAME.c and
 * exports one `const struct cmd_entry cmd_NAME_entry`; feedmux.c holds the
 * table.  A command returns its exit status: 0 success, 1 the answer is
 * "no" (not a feed, config has errors, ...), 2 usage or I/O error.
 */
#ifndef FEEDMUX_CMD_H
#define FEEDMUX_CMD_H

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* arguments after the name */
	const char	*help;		/* one line */
	int		(*exec)(int argc, char **argv);	/* argv[0] is the name */
};

#endif

/*
 * cmd: the subcommands of the `feedmux` tool.  Each lives in cmd-NAME.c and
 * exports one `const struct cmd_entry cmd_NAME_entry`; feedmux.c holds the
 * table.  A command returns its exit status: 0 success, 1 the answer is
 * "no" (not a feed, config has errors, ...), 2 usage or I/O error.
 * cmd.c holds what several commands share: loading the config and opening
 * the database, each saying on stderr why it could not.
 */
#ifndef FEEDMUX_CMD_H
#define FEEDMUX_CMD_H

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* arguments after the name */
	const char	*help;		/* one line */
	int		(*exec)(int argc, char **argv);	/* argv[0]: the name */
};

struct conf;
struct store;

/*
 * Loads the config at PATH; NULL after printing its errors (*RC 1: an
 * answer) or that memory ran out (*RC 2).  Caller frees with conf_free.
 */
struct conf	*cmd_conf(const char *path, int *rc);

/*
 * Opens CONF's database with store_open FLAGS; NULL after printing why
 * (the exit status is then 2).  Caller closes with store_close.
 */
struct store	*cmd_store(const struct conf *conf, int flags);

#endif

/*
 * cmd-check: `feedmux check [-c FILE]`, the same check as feedmuxd -t;
 * `feedmux check --example` prints every option with its default and help,
 * generated from conf's table of options.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"

static int	cmd_check_exec(int, char **);

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.usage = "[-c file] | --example",
	.help = "check the configuration, every error at once; or print "
	    "every option",
	.exec = cmd_check_exec,
};

static int
cmd_check_exec(int argc, char **argv)
{
	const char	*path = SYSCONFDIR "/feedmux/feedmux.conf";
	struct conf	*conf;
	int		 ch, rc;

	if (argc == 2 && strcmp(argv[1], "--example") == 0) {
		conf_write_example(stdout);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
	}
	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c') {
			fprintf(stderr, "usage: feedmux check %s\n",
			    cmd_check_entry.usage);
			return 2;
		}
		path = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: feedmux check %s\n",
		    cmd_check_entry.usage);
		return 2;
	}
	if ((conf = cmd_conf(path, &rc)) == NULL)
		return rc;
	printf("%s: ok, %zu sources, %zu categories\n", path, conf->nsources,
	    conf->ncategories);
	conf_free(conf);
	return 0;
}

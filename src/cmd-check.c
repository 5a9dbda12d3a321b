/* cmd-check: `feedmux check [-c FILE]`, the same check as feedmuxd -t. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"

static int
cmd_check_exec(int argc, char **argv)
{
	const char	*path = SYSCONFDIR "/feedmux/feedmux.conf";
	struct conf	*conf;
	char		*errors = NULL;
	int		 ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c') {
			fprintf(stderr, "usage: feedmux check [-c file]\n");
			return 2;
		}
		path = optarg;
	}
	if ((conf = conf_load(path, &errors)) == NULL) {
		fputs(errors != NULL ? errors : "out of memory\n", stderr);
		free(errors);
		return 1;
	}
	printf("%s: ok, %zu sources, %zu categories\n", path, conf->nsources,
	    conf->ncategories);
	conf_free(conf);
	return 0;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.usage = "[-c file]",
	.help = "check the configuration, every error at once",
	.exec = cmd_check_exec,
};

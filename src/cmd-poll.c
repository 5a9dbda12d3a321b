/*
 * cmd-poll: `feedmux poll [-c FILE] SOURCE|--all` asks the running daemon,
 * over its control socket (the `control` option), to poll now.  Exit 0 when
 * the daemon took the request, 1 when it refused it (no such source), 2
 * when no daemon answered.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "ctl.h"

/* Seconds to wait for the daemon's answer. */
#define POLL_TIMEOUT	10

static int	cmd_poll_exec(int, char **);

const struct cmd_entry cmd_poll_entry = {
	.name = "poll",
	.usage = "[-c file] source|--all",
	.help = "ask the running daemon to poll now",
	.exec = cmd_poll_exec,
};

/* Runs `feedmux poll`: one request over the control socket. */
static int
cmd_poll_exec(int argc, char **argv)
{
	const char	*path = SYSCONFDIR "/feedmux/feedmux.conf", *what;
	struct conf	*conf;
	char		 request[CTL_LINE_MAX], reply[CTL_LINE_MAX];
	int		 i, rc;

	/* By hand: getopt would take "--all" for an option it does not know. */
	what = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (what == NULL && (argv[i][0] != '-' ||
		    strcmp(argv[i], "--all") == 0))
			what = argv[i];
		else
			goto usage;
	}
	if (what == NULL)
		goto usage;
	if ((conf = cmd_conf(path, &rc)) == NULL)
		return rc;
	if (strcmp(what, "--all") != 0 && conf_source(conf, what) == NULL) {
		fprintf(stderr, "feedmux poll: no source \"%s\" in %s\n", what,
		    path);
		conf_free(conf);
		return 1;
	}
	snprintf(request, sizeof request, "poll %s", what);
	rc = ctl_request(conf->control, request, reply, sizeof reply,
	    POLL_TIMEOUT);
	if (rc == -1)
		fprintf(stderr, "feedmux poll: is feedmuxd running? %s\n",
		    reply);
	else if (rc == 1)
		fprintf(stderr, "feedmux poll: the daemon says: %s\n", reply);
	else
		printf("%s\n", reply);
	conf_free(conf);
	return rc == -1 ? 2 : rc;

usage:
	fprintf(stderr, "usage: feedmux poll %s\n", cmd_poll_entry.usage);
	return 2;
}

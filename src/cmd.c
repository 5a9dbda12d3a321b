/* cmd: what several `feedmux` commands share; see cmd.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "conf.h"
#include "store.h"

struct conf *
cmd_conf(const char *path, int *rc)
{
	struct conf	*conf;
	char		*errors = NULL;

	if ((conf = conf_load(path, &errors)) != NULL)
		return conf;
	/* Errors in the config are an answer; no memory is not. */
	fputs(errors != NULL ? errors : "out of memory\n", stderr);
	*rc = errors != NULL ? 1 : 2;
	free(errors);
	return NULL;
}

struct store *
cmd_store(const struct conf *conf, int flags)
{
	struct store	*st;
	char		*err = NULL;

	if ((st = store_open(conf->database, flags, &err)) == NULL)
		fprintf(stderr, "feedmux: %s\n", err != NULL ? err :
		    "out of memory");
	free(err);
	return st;
}

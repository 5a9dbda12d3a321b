/*
 * replay: a main() for the fuzz targets when libFuzzer is not there (gcc
 * builds, `make check`).  Feeds every file named on the command line, and
 * every file of every directory named, to LLVMFuzzerTestOneInput, in name
 * order, as TAP.  With no arguments it replays tests/fuzz/corpus/TARGET
 * under $top_srcdir, so the committed seeds and past findings are regression tests
 * in every build.  A broken invariant aborts, as under libFuzzer.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_TARGET
#error FUZZ_TARGET names the corpus directory
#endif

#define REPLAY_MAX	(16 * 1024 * 1024)	/* bytes per input */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Runs the target on the file PATH; -1 when it cannot be read. */
static int
replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*data;
	size_t	 len;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if ((data = malloc(REPLAY_MAX)) == NULL) {
		fclose(f);
		return -1;
	}
	len = fread(data, 1, REPLAY_MAX, f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "%s: cannot read, or larger than %d bytes\n",
		    path, REPLAY_MAX);
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	/* A copy of exactly LEN bytes, so that ASan sees any overread. */
	{
		uint8_t	*exact = malloc(len > 0 ? len : 1);

		if (exact == NULL) {
			free(data);
			return -1;
		}
		memcpy(exact, data, len);
		free(data);
		(void)LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

/* Orders paths by bytes, whatever the locale. */
static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The inputs: every file named, and every file under every directory. */
struct replay_list {
	char	**v;
	size_t	  n;
	size_t	  size;
	int	  bad;		/* a path could not be read */
};

/* Adds PATH, a file or a directory of files, to L. */
static void
replay_collect(struct replay_list *l, const char *path)
{
	struct stat	 sb;
	struct dirent	*de;
	DIR		*dir;
	char		*full;

	if (stat(path, &sb) == -1) {
		perror(path);
		l->bad = 1;
		return;
	}
	if (S_ISDIR(sb.st_mode)) {
		if ((dir = opendir(path)) == NULL) {
			perror(path);
			l->bad = 1;
			return;
		}
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if ((full = malloc(strlen(path) +
			    strlen(de->d_name) + 2)) == NULL)
				abort();
			sprintf(full, "%s/%s", path, de->d_name);
			replay_collect(l, full);
			free(full);
		}
		closedir(dir);
		return;
	}
	if (l->n == l->size) {
		char **p;

		l->size = l->size ? l->size * 2 : 64;
		if ((p = realloc(l->v, l->size * sizeof *p)) == NULL)
			abort();
		l->v = p;
	}
	if ((l->v[l->n++] = strdup(path)) == NULL)
		abort();
}

/* TAP, one case per input; an input that breaks an invariant aborts. */
int
main(int argc, char **argv)
{
	struct replay_list	 l = { NULL, 0, 0, 0 };
	const char		*top;
	char			 def[4096];
	int			 failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		if ((top = getenv("top_srcdir")) == NULL)
			top = ".";
		snprintf(def, sizeof def, "%s/tests/fuzz/corpus/%s", top,
		    FUZZ_TARGET);
		replay_collect(&l, def);
	} else
		for (int i = 1; i < argc; i++)
			replay_collect(&l, argv[i]);
	if (l.n == 0) {
		printf("1..0 # SKIP no inputs for %s\n", FUZZ_TARGET);
		return l.bad ? 99 : 77;
	}
	qsort(l.v, l.n, sizeof *l.v, replay_cmp);
	printf("1..%zu\n", l.n + (l.bad ? 1 : 0));
	for (size_t i = 0; i < l.n; i++) {
		printf("# %s\n", l.v[i]);	/* named before a crash */
		if (replay_file(l.v[i]) == -1) {
			printf("not ok %zu - %s: cannot read\n", i + 1, l.v[i]);
			failed = 1;
		} else
			printf("ok %zu - %s\n", i + 1, FUZZ_TARGET);
		free(l.v[i]);
	}
	if (l.bad) {
		printf("not ok %zu - unreadable paths\n", l.n + 1);
		failed = 1;
	}
	free(l.v);
	return failed;
}

/*
 * parse-bench: feedmux's parse stage (encoding, libxml2, format readers,
 * dates, URLs, HTML sanitizing; no JSON printing) over files held in
 * memory, as the daemon runs it on fetched bodies.  Prints one JSON line
 * in the shape of ../shared/bench/parse-bench's results.
 *   parse-bench [--repeat R] FILE...
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "doc.h"
#include "parse.h"

struct file {
	char	*data;
	size_t	 len;
};

static double
now(clockid_t clk)
{
	struct timespec	ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
slurp(const char *path, struct file *f)
{
	FILE	*fp;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 || (f->data = malloc(n + 1)) == NULL ||
	    fread(f->data, 1, n, fp) != (size_t)n) {
		fclose(fp);
		return -1;
	}
	f->len = n;
	fclose(fp);
	return 0;
}

int
main(int argc, char **argv)
{
	struct file		*files;
	struct parse_opts	 opts = { 0 };
	struct rusage		 ru;
	double			 w0, c0, wall, cpu;
	size_t			 bytes = 0, entries = 0;
	int			 nfiles, repeat = 1, first = 1;

	if (argc > 2 && strcmp(argv[1], "--repeat") == 0) {
		repeat = atoi(argv[2]);
		first = 3;
	}
	nfiles = argc - first;
	if (nfiles <= 0 || repeat <= 0) {
		fprintf(stderr, "usage: parse-bench [--repeat R] FILE...\n");
		return 2;
	}
	if ((files = calloc(nfiles, sizeof *files)) == NULL)
		return 1;
	for (int i = 0; i < nfiles; i++) {
		if (slurp(argv[first + i], &files[i]) == -1) {
			perror(argv[first + i]);
			return 1;
		}
		bytes += files[i].len;
	}
	parse_init();
	opts.base = "http://bench.example/feed";
	opts.content_type = "application/xml";
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (int r = 0; r < repeat; r++)
		for (int i = 0; i < nfiles; i++) {
			struct doc *d = parse_doc(files[i].data, files[i].len,
			    &opts);
			if (d == NULL || !parse_is_feed(d)) {
				fprintf(stderr, "%s: not parsed\n",
				    argv[first + i]);
				return 1;
			}
			entries += d->nentries;
			doc_free(d);
		}
	wall = now(CLOCK_MONOTONIC) - w0;
	cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	getrusage(RUSAGE_SELF, &ru);
	bytes *= repeat;
	printf("{\"tool\": \"feedmux parse_doc\", \"files\": %d, \"repeat\": %d,"
	    " \"bytes\": %zu, \"entries\": %zu, \"wall_s\": %.3f, \"cpu_s\": %.3f,"
	    " \"maxrss_kb\": %ld, \"mb_per_s_wall\": %.1f, \"mb_per_s_cpu\": %.1f}\n",
	    nfiles, repeat, bytes, entries, wall, cpu, ru.ru_maxrss,
	    bytes / 1e6 / wall, bytes / 1e6 / cpu);
	for (int i = 0; i < nfiles; i++)
		free(files[i].data);
	free(files);
	return 0;
}

/*
 * cmd-parse: `feedmux parse [--base URL] [--header 'Name: value']... FILE`
 * runs one document through the parser exactly as the daemon would and
 * prints the JSON of spec/parse-json.md.  Exit 0 for a feed, 1 for not a
 * feed, 2 for usage or I/O errors.
 */
#define _DEFAULT_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "doc.h"
#include "docjson.h"
#include "parse.h"
#include "parse-int.h"

static int	cmd_parse_exec(int, char **);

const struct cmd_entry cmd_parse_entry = {
	"parse",
	"[--base URL] [--header 'Name: value']... FILE|-",
	"parse one feed document and print it as JSON",
	cmd_parse_exec,
};

/* Reads all of F, at most PARSE_MAXLEN bytes plus one to detect excess. */
static char *
cmd_parse_read(FILE *f, size_t *len)
{
	char	*buf = NULL, *p;
	size_t	 cap = 0, n = 0, r;

	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > PARSE_MAXLEN + 1)
				cap = PARSE_MAXLEN + 1;
			if (n == cap)
				break;
			if ((p = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = p;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				free(buf);
				return NULL;
			}
			break;
		}
	}
	*len = n;
	return buf != NULL ? buf : calloc(1, 1);
}

/* Stores one --header value in OPTS when it is one the parser uses. */
static int
cmd_parse_header(struct parse_opts *o, const char *h)
{
	const char	*colon, *v;
	size_t		 n;

	if ((colon = strchr(h, ':')) == NULL)
		return -1;
	n = colon - h;
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (n == 12 && strncasecmp(h, "Content-Type", n) == 0)
		o->content_type = v;
	else if (n == 16 && strncasecmp(h, "Content-Location", n) == 0)
		o->content_location = v;
	else if (n == 16 && strncasecmp(h, "Content-Language", n) == 0)
		o->content_language = v;
	return 0;
}

/* Prints the usage line. */
static void
cmd_parse_usage(void)
{
	fprintf(stderr, "usage: feedmux parse %s\n", cmd_parse_entry.usage);
}

/* Runs `feedmux parse`. */
static int
cmd_parse_exec(int argc, char **argv)
{
	struct parse_opts	 o = { 0 };
	struct doc		*d;
	const char		*file = NULL;
	char			*buf, *json;
	size_t			 len;
	FILE			*f;
	int			 i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			o.base = argv[++i];
		else if (strcmp(argv[i], "--header") == 0 && i + 1 < argc) {
			if (cmd_parse_header(&o, argv[++i]) == -1) {
				fprintf(stderr, "feedmux parse: bad header: "
				    "%s\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--") == 0 && i + 2 == argc)
			file = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cmd_parse_usage();
			return 2;
		} else if (file == NULL)
			file = argv[i];
		else {
			cmd_parse_usage();
			return 2;
		}
	}
	if (file == NULL) {
		cmd_parse_usage();
		return 2;
	}
	if (strcmp(file, "-") == 0)
		f = stdin;
	else if ((f = fopen(file, "rb")) == NULL) {
		fprintf(stderr, "feedmux parse: %s: %s\n", file,
		    strerror(errno));
		return 2;
	}
	buf = cmd_parse_read(f, &len);
	if (f != stdin)
		fclose(f);
	if (buf == NULL) {
		fprintf(stderr, "feedmux parse: %s: read error\n", file);
		return 2;
	}
	parse_init();
	d = parse_doc(buf, len, &o);
	free(buf);
	if (d == NULL || (json = docjson_dump(d)) == NULL) {
		doc_free(d);
		fprintf(stderr, "feedmux parse: out of memory\n");
		return 2;
	}
	fputs(json, stdout);
	free(json);
	rc = parse_is_feed(d) ? 0 : 1;
	doc_free(d);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 2;
	return rc;
}

/*
 * cmd-opml: subscription lists.  `feedmux import-opml [-c FILE] [--category
 * C] [-o OUT] LIST.opml` writes a config fragment (for conf.d) with one
 * [source] per feed of the list, and a [category] per folder the config
 * does not define yet; `feedmux export-opml [-c FILE]` prints the
 * configured sources as OPML 2.0.  Folders map to categories: a nested
 * folder's category is named "parent.child", a feed joins the category of
 * the folder it is in, and the categories of its OPML `category`
 * attribute ("/parent/child,/other"); export writes the same shape back,
 * so import then export gives the list's feeds, folders and categories.
 * The list is read by libxml2 from memory: no network, no entities, no
 * DOCTYPE accepted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "cmd.h"
#include "conf.h"
#include "date.h"
#include "parse.h"
#include "store.h"

#define OPML_MAXLEN	(16 * 1024 * 1024)	/* bytes of a list */
#define OPML_NAME_MAX	64			/* as conf's names */
#define OPML_TITLE_MAX	1024			/* bytes of a title kept */
#define OPML_DEPTH_MAX	32			/* folder nesting */
#define OPML_FEEDS_MAX	100000

/* A category the import defines or reuses. */
struct opml_cat {
	char	*name;
	char	*title;
	int	 defined;	/* already in the config: not written */
};

/* A feed of the list, as it will be written. */
struct opml_feed {
	char	*name;
	char	*url;
	char	*title;
	char	**cats;		/* names, the folder's first */
	size_t	 ncats;
};

struct opml_import {
	const struct conf	*conf;
	const char		*extra;		/* --category, or NULL */
	struct opml_cat		*cats;
	size_t			 ncats;
	struct opml_feed	*feeds;
	size_t			 nfeeds;
	int			 skipped;
	int			 oom;
};

static int	cmd_import_opml_exec(int, char **);
static int	cmd_export_opml_exec(int, char **);

const struct cmd_entry cmd_import_opml_entry = {
	.name = "import-opml",
	.usage = "[-c file] [--category name] [-o out.conf] list.opml",
	.help = "write a config file of the sources in an OPML list",
	.exec = cmd_import_opml_exec,
};

const struct cmd_entry cmd_export_opml_entry = {
	.name = "export-opml",
	.usage = "[-c file]",
	.help = "print the configured sources as OPML 2.0",
	.exec = cmd_export_opml_exec,
};

/*
 * Appends to *NAME (a category name being built, or NULL) the slug of
 * TEXT: lower case, [a-z0-9._-], other runs turned into one '-'.  SEP
 * joins it to what is there.  Caller frees.  NULL when out of memory.
 */
static char *
opml_slug(const char *prefix, char sep, const char *text, const char *fallback)
{
	char	 slug[OPML_NAME_MAX + 1], *out;
	size_t	 n = 0, plen = prefix != NULL ? strlen(prefix) + 1 : 0;
	int	 dash = 0;

	for (const unsigned char *p = (const unsigned char *)(text != NULL ?
	    text : ""); *p != '\0' && n < OPML_NAME_MAX; p++) {
		unsigned char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || (c == '.' && sep != '.')) {
			if (dash && n > 0)
				slug[n++] = '-';
			dash = 0;
			if (n < OPML_NAME_MAX)
				slug[n++] = (char)c;
		} else
			dash = 1;
	}
	slug[n] = '\0';
	if (n == 0)
		snprintf(slug, sizeof slug, "%s", fallback);
	/* Names are at most 64 bytes: a deep path keeps its tail's start. */
	if (plen + strlen(slug) > OPML_NAME_MAX) {
		if (plen >= OPML_NAME_MAX - 8)
			plen = 0;
		else
			slug[OPML_NAME_MAX - plen] = '\0';
	}
	if ((out = malloc(plen + strlen(slug) + 1)) == NULL)
		return NULL;
	if (plen > 0)
		snprintf(out, plen + strlen(slug) + 1, "%s%c%s", prefix, sep,
		    slug);
	else
		snprintf(out, strlen(slug) + 1, "%s", slug);
	return out;
}

/* A copy of TEXT on one line, at most OPML_TITLE_MAX bytes.  Caller frees. */
static char *
opml_title(const char *text)
{
	char	*t;
	size_t	 n;

	if (text == NULL)
		return NULL;
	n = strlen(text);
	if (n > OPML_TITLE_MAX) {
		n = OPML_TITLE_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	if ((t = strndup(text, n)) == NULL)
		return NULL;
	for (char *p = t; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return t;
}

/* The category NAME of the import, added (titled TITLE) when new. */
static const char *
opml_cat(struct opml_import *im, char *name, const char *title)
{
	struct opml_cat	*c;

	for (size_t i = 0; i < im->ncats; i++) {
		if (strcmp(im->cats[i].name, name) == 0) {
			free(name);
			return im->cats[i].name;
		}
	}
	if ((c = reallocarray(im->cats, im->ncats + 1, sizeof *c)) == NULL) {
		free(name);
		im->oom = 1;
		return NULL;
	}
	im->cats = c;
	c = &im->cats[im->ncats];
	c->name = name;
	c->defined = conf_category(im->conf, name) != NULL;
	if ((c->title = opml_title(title != NULL ? title : name)) == NULL) {
		free(name);
		im->oom = 1;
		return NULL;
	}
	im->ncats++;
	return c->name;
}

/* Is NAME taken by a configured source or one imported already? */
static int
opml_name_taken(struct opml_import *im, const char *name)
{
	if (strcmp(name, "all") == 0 || conf_source(im->conf, name) != NULL)
		return 1;
	for (size_t i = 0; i < im->nfeeds; i++)
		if (strcmp(im->feeds[i].name, name) == 0)
			return 1;
	return 0;
}

/* A source name from TEXT not used yet ("x", "x-2", ...).  Caller frees. */
static char *
opml_source_name(struct opml_import *im, const char *text)
{
	char	*base, *name;
	size_t	 len;

	if ((base = opml_slug(NULL, '-', text, "source")) == NULL)
		return NULL;
	if (!opml_name_taken(im, base))
		return base;
	len = strlen(base) + 16;
	if (strlen(base) > OPML_NAME_MAX - 8)
		base[OPML_NAME_MAX - 8] = '\0';
	if ((name = malloc(len)) == NULL) {
		free(base);
		return NULL;
	}
	for (int i = 2; i < 100000; i++) {
		snprintf(name, len, "%s-%d", base, i);
		if (!opml_name_taken(im, name))
			break;
	}
	free(base);
	return name;
}

/* Adds CAT (borrowed from im->cats) to FEED unless it is there. */
static int
opml_feed_cat(struct opml_feed *f, const char *cat)
{
	char	**v;

	for (size_t i = 0; i < f->ncats; i++)
		if (strcmp(f->cats[i], cat) == 0)
			return 0;
	if ((v = reallocarray(f->cats, f->ncats + 1, sizeof *v)) == NULL)
		return -1;
	f->cats = v;
	f->cats[f->ncats++] = (char *)cat;
	return 0;
}

/*
 * The categories of an OPML category attribute: "/a/b,/c" names the
 * categories "a.b" and "c"; each segment is slugged like a folder.
 */
static int
opml_feed_attr_cats(struct opml_import *im, struct opml_feed *f,
    const char *attr)
{
	char		*copy, *item, *seg, *save1, *save2, *name, *next;
	const char	*cat, *last;

	if ((copy = strdup(attr)) == NULL)
		return -1;
	for (item = strtok_r(copy, ",", &save1); item != NULL;
	    item = strtok_r(NULL, ",", &save1)) {
		name = NULL;
		last = NULL;
		for (seg = strtok_r(item, "/", &save2); seg != NULL;
		    seg = strtok_r(NULL, "/", &save2)) {
			while (*seg == ' ')
				seg++;
			if (*seg == '\0')
				continue;
			next = opml_slug(name, '.', seg, "category");
			free(name);
			if ((name = next) == NULL)
				goto oom;
			last = seg;
		}
		if (name == NULL)
			continue;
		if ((cat = opml_cat(im, name, last)) == NULL ||
		    opml_feed_cat(f, cat) == -1)
			goto oom;
	}
	free(copy);
	return 0;
oom:
	free(copy);
	return -1;
}

/* The plain-text value of attribute NAME of N, or NULL. */
static const char *
opml_attr(xmlNode *n, const char *name)
{
	xmlAttr	*a;

	/*
	 * Attribute values as parsed; entities were refused with the DOCTYPE.
	 */
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->name != NULL &&
		    strcmp((const char *)a->name, name) == 0 &&
		    a->children != NULL && a->children->type == XML_TEXT_NODE &&
		    a->children->next == NULL)
			return (const char *)a->children->content;
	}
	return NULL;
}

/* Walks the outlines under NODE, in the folder whose category is CAT. */
static void
opml_walk(struct opml_import *im, xmlNode *node, const char *cat, int depth)
{
	struct opml_feed	*f;
	const char		*url, *text, *attr, *sub;
	char			*name;

	for (xmlNode *n = node->children; n != NULL && !im->oom; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "outline") != 0)
			continue;
		text = opml_attr(n, "text");
		if (text == NULL)
			text = opml_attr(n, "title");
		if ((url = opml_attr(n, "xmlUrl")) == NULL) {
			/* A folder: its own category, nested in CAT's name. */
			if (depth >= OPML_DEPTH_MAX || n->children == NULL)
				continue;
			if ((name = opml_slug(cat, '.', text, "category")) ==
			    NULL || (sub = opml_cat(im, name, text)) == NULL) {
				im->oom = 1;
				return;
			}
			opml_walk(im, n, sub, depth + 1);
			continue;
		}
		if (strncmp(url, "http://", 7) != 0 &&
		    strncmp(url, "https://", 8) != 0) {
			fprintf(stderr, "feedmux import-opml: skipping \"%s\": "
			    "not an http(s) URL\n", url);
			im->skipped++;
			continue;
		}
		for (size_t i = 0; i < im->conf->nsources; i++) {
			if (strcmp(im->conf->sources[i].url, url) == 0) {
				fprintf(stderr, "feedmux import-opml: skipping "
				    "%s: already source \"%s\"\n", url,
				    im->conf->sources[i].name);
				url = NULL;
				break;
			}
		}
		for (size_t i = 0; url != NULL && i < im->nfeeds; i++) {
			if (strcmp(im->feeds[i].url, url) == 0) {
				fprintf(stderr, "feedmux import-opml: skipping "
				    "%s: listed twice\n", url);
				url = NULL;
			}
		}
		if (url == NULL) {
			im->skipped++;
			continue;
		}
		if (im->nfeeds == OPML_FEEDS_MAX) {
			fprintf(stderr, "feedmux import-opml: more than %d "
			    "feeds, the rest skipped\n", OPML_FEEDS_MAX);
			return;
		}
		if ((f = reallocarray(im->feeds, im->nfeeds + 1,
		    sizeof *f)) == NULL) {
			im->oom = 1;
			return;
		}
		im->feeds = f;
		f = &im->feeds[im->nfeeds];
		memset(f, 0, sizeof *f);
		if ((f->url = strdup(url)) == NULL ||
		    (text != NULL && (f->title = opml_title(text)) == NULL) ||
		    (f->name = opml_source_name(im, text != NULL ? text :
		    url)) == NULL) {
			free(f->url);
			free(f->title);
			im->oom = 1;
			return;
		}
		im->nfeeds++;
		if ((cat != NULL && opml_feed_cat(f, cat) == -1) ||
		    ((attr = opml_attr(n, "category")) != NULL &&
		    opml_feed_attr_cats(im, f, attr) == -1)) {
			im->oom = 1;
			return;
		}
	}
}

/* Writes VALUE so that conf reads it back exactly. */
static void
opml_conf_value(FILE *out, const char *value)
{
	size_t	n = strlen(value);
	int	quote = n == 0 || value[0] == '"' || value[0] == ' ' ||
		    value[n - 1] == ' ';

	for (size_t i = 1; i < n && !quote; i++)
		if ((value[i] == ';' || value[i] == '#') &&
		    (value[i - 1] == ' ' || value[i - 1] == '\t'))
			quote = 1;
	if (!quote) {
		fputs(value, out);
		return;
	}
	fputc('"', out);
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

/* Writes the fragment for IM to OUT. */
static void
opml_write_conf(struct opml_import *im, FILE *out, const char *from)
{
	fprintf(out, "; written by feedmux import-opml from %s\n", from);
	for (size_t i = 0; i < im->ncats; i++) {
		if (im->cats[i].defined)
			continue;
		fprintf(out, "\n[category \"%s\"]\ntitle = ", im->cats[i].name);
		opml_conf_value(out, im->cats[i].title);
		fputc('\n', out);
	}
	for (size_t i = 0; i < im->nfeeds; i++) {
		struct opml_feed *f = &im->feeds[i];

		fprintf(out, "\n[source \"%s\"]\nurl = ", f->name);
		opml_conf_value(out, f->url);
		fputc('\n', out);
		if (f->title != NULL && f->title[0] != '\0') {
			fputs("title = ", out);
			opml_conf_value(out, f->title);
			fputc('\n', out);
		}
		if (f->ncats > 0) {
			fputs("categories = ", out);
			for (size_t j = 0; j < f->ncats; j++)
				fprintf(out, "%s%s", j > 0 ? ", " : "",
				    f->cats[j]);
			fputc('\n', out);
		}
	}
}

/* Frees what an import collected. */
static void
opml_import_free(struct opml_import *im)
{
	for (size_t i = 0; i < im->ncats; i++) {
		free(im->cats[i].name);
		free(im->cats[i].title);
	}
	free(im->cats);
	for (size_t i = 0; i < im->nfeeds; i++) {
		free(im->feeds[i].name);
		free(im->feeds[i].url);
		free(im->feeds[i].title);
		free(im->feeds[i].cats);
	}
	free(im->feeds);
}

/* Reads all of PATH, at most OPML_MAXLEN bytes.  Caller frees. */
static char *
opml_read(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if ((buf = malloc(OPML_MAXLEN + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, OPML_MAXLEN + 1, f);
	if (ferror(f) || n > OPML_MAXLEN) {
		if (!ferror(f))
			errno = EFBIG;
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Runs `feedmux import-opml`. */
static int
cmd_import_opml_exec(int argc, char **argv)
{
	const char		*path = SYSCONFDIR "/feedmux/feedmux.conf";
	const char		*list = NULL, *outpath = NULL, *category = NULL;
	struct opml_import	 im;
	struct conf		*conf;
	xmlDoc			*doc;
	xmlNode			*root, *body = NULL;
	char			*buf, *name;
	size_t			 len;
	FILE			*out;
	int			 fd, rc = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			outpath = argv[++i];
		else if (strcmp(argv[i], "--category") == 0 && i + 1 < argc)
			category = argv[++i];
		else if (list == NULL && (argv[i][0] != '-' ||
		    strcmp(argv[i], "-") == 0))
			list = argv[i];
		else
			goto usage;
	}
	if (list == NULL)
		goto usage;
	if ((conf = cmd_conf(path, &rc)) == NULL)
		return rc;
	if ((buf = opml_read(list, &len)) == NULL) {
		fprintf(stderr, "feedmux import-opml: %s: %s\n", list,
		    strerror(errno));
		conf_free(conf);
		return 2;
	}
	parse_init();
	/* From memory; no network, no entity substitution, no DTD loading. */
	doc = xmlReadMemory(buf, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(buf);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL ||
	    strcmp((const char *)root->name, "opml") != 0 ||
	    doc->intSubset != NULL) {
		fprintf(stderr, "feedmux import-opml: %s: %s\n", list,
		    doc == NULL ? "not well-formed XML" :
		    doc->intSubset != NULL ? "a DOCTYPE is not accepted" :
		    "not an OPML document");
		xmlFreeDoc(doc);
		conf_free(conf);
		return 1;
	}
	for (xmlNode *n = root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "body") == 0)
			body = n;

	memset(&im, 0, sizeof im);
	im.conf = conf;
	if (body != NULL)
		opml_walk(&im, body, NULL, 0);
	if (category != NULL && !im.oom) {
		const char *cat;

		if ((name = opml_slug(NULL, '-', category,
		    "category")) == NULL ||
		    (cat = opml_cat(&im, name, category)) == NULL)
			im.oom = 1;
		for (size_t i = 0; i < im.nfeeds && !im.oom; i++)
			if (opml_feed_cat(&im.feeds[i], cat) == -1)
				im.oom = 1;
	}
	xmlFreeDoc(doc);
	if (im.oom) {
		fprintf(stderr, "feedmux import-opml: out of memory\n");
		rc = 2;
		goto done;
	}
	if (outpath == NULL)
		out = stdout;
	else if ((fd = open(outpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1 || (out = fdopen(fd, "w")) == NULL) {
		/* Never over an existing file: it may be someone's config. */
		fprintf(stderr, "feedmux import-opml: %s: %s\n", outpath,
		    strerror(errno));
		rc = 2;
		goto done;
	}
	opml_write_conf(&im, out, list);
	if (fflush(out) != 0 || ferror(out))
		rc = 2;
	if (out != stdout && fclose(out) != 0)
		rc = 2;
	if (rc != 0)
		fprintf(stderr, "feedmux import-opml: write error\n");
	else {
		size_t	newcats = 0;

		for (size_t i = 0; i < im.ncats; i++)
			newcats += !im.cats[i].defined;
		fprintf(stderr, "feedmux import-opml: %zu sources, %zu new "
		    "categories%s%s; %d skipped\n", im.nfeeds, newcats,
		    outpath != NULL ? " written to " : "",
		    outpath != NULL ? outpath : "", im.skipped);
	}
done:
	opml_import_free(&im);
	conf_free(conf);
	return rc;

usage:
	fprintf(stderr, "usage: feedmux import-opml %s\n",
	    cmd_import_opml_entry.usage);
	return 2;
}

/* A feed title from the database, for sources without a configured one. */
struct opml_titles {
	const char	*name;
	char		*title;
};

/* Keeps the stored feed title of the source being exported. */
static int
opml_title_cb(const struct store_source_info *si, void *arg)
{
	struct opml_titles	*t = arg;

	if (strcmp(si->name, t->name) != 0 || si->title == NULL)
		return 0;
	t->title = strdup(si->title);
	return 1;
}

/*
 * Writes category NAME as an OPML category path: "/Tech/Linux" for
 * "tech.linux", each step by its title when it has one that fits a path.
 */
static void
opml_export_path(struct buf *b, const struct conf *conf, const char *name)
{
	const struct conf_category	*cc;
	char				 prefix[OPML_NAME_MAX + 1];
	const char			*seg = name, *end;

	while (*seg != '\0') {
		end = seg + strcspn(seg, ".");
		snprintf(prefix, sizeof prefix, "%.*s", (int)(end - name),
		    name);
		cc = conf_category(conf, prefix);
		buf_puts(b, "/");
		if (cc != NULL && cc->title[0] != '\0' &&
		    strpbrk(cc->title, "/,") == NULL)
			buf_xml(b, cc->title);
		else {
			snprintf(prefix, sizeof prefix, "%.*s",
			    (int)(end - seg), seg);
			buf_xml(b, prefix);
		}
		seg = *end == '.' ? end + 1 : end;
	}
}

/* Writes the outline of source CS at DEPTH. */
static void
opml_export_source(struct buf *b, const struct conf *conf,
    const struct conf_source *cs, struct store *st, int depth)
{
	struct opml_titles	 t = { cs->name, NULL };
	const char		*title = cs->title;

	if (title == NULL && st != NULL &&
	    store_sources_each(st, opml_title_cb, &t) == 0 && t.title != NULL)
		title = t.title;
	if (title == NULL)
		title = cs->name;
	buf_printf(b, "%*s<outline type=\"rss\" text=\"", 2 * depth + 4, "");
	buf_xml(b, title);
	buf_puts(b, "\" title=\"");
	buf_xml(b, title);
	buf_puts(b, "\" xmlUrl=\"");
	buf_xml(b, cs->url);
	buf_puts(b, "\"");
	/* The folder gives the first category; the rest as OPML paths. */
	if (cs->ncategories > 1) {
		buf_puts(b, " category=\"");
		for (size_t i = 1; i < cs->ncategories; i++) {
			if (i > 1)
				buf_puts(b, ",");
			opml_export_path(b, conf, cs->categories[i]);
		}
		buf_puts(b, "\"");
	}
	buf_puts(b, "/>\n");
	free(t.title);
}

/* Does any source have PATH, or a category under it, as its first? */
static int
opml_folder_used(const struct conf *conf, const char *path)
{
	size_t	n = strlen(path);

	for (size_t i = 0; i < conf->nsources; i++) {
		const char *c;

		if (conf->sources[i].ncategories == 0)
			continue;
		c = conf->sources[i].categories[0];
		if (strncmp(c, path, n) == 0 && (c[n] == '\0' || c[n] == '.'))
			return 1;
	}
	return 0;
}

/*
 * Writes the folder for category path PREFIX (a name, or a leading part of
 * one, such as "tech" of "tech.cloud") with its sources and sub-folders.
 */
static void
opml_export_folder(struct buf *b, const struct conf *conf, struct store *st,
    const char *prefix, int depth)
{
	const struct conf_category	*cc;
	const char			*name, *seg;
	char				 child[OPML_NAME_MAX + 1];
	size_t				 plen = prefix != NULL ?
					    strlen(prefix) : 0;
	int				 seen;

	/* Sources whose first category is exactly this one. */
	for (size_t i = 0; prefix != NULL && i < conf->nsources; i++)
		if (conf->sources[i].ncategories > 0 &&
		    strcmp(conf->sources[i].categories[0], prefix) == 0)
			opml_export_source(b, conf, &conf->sources[i], st,
			    depth);
	/* Then each direct child path once, in the config's order. */
	for (size_t i = 0; i < conf->ncategories && depth < OPML_DEPTH_MAX;
	    i++) {
		name = conf->categories[i].name;
		if (plen > 0 && (strncmp(name, prefix, plen) != 0 ||
		    name[plen] != '.'))
			continue;
		seg = name + (plen > 0 ? plen + 1 : 0);
		snprintf(child, sizeof child, "%.*s", (int)(seg - name +
		    strcspn(seg, ".")), name);
		seen = 0;
		for (size_t j = 0; j < i && !seen; j++) {
			const char *o = conf->categories[j].name;
			size_t cl = strlen(child);

			seen = strncmp(o, child, cl) == 0 &&
			    (o[cl] == '\0' || o[cl] == '.');
		}
		if (seen || !opml_folder_used(conf, child))
			continue;
		cc = conf_category(conf, child);
		buf_printf(b, "%*s<outline text=\"", 2 * depth + 4, "");
		buf_xml(b, cc != NULL ? cc->title : child + (seg - name));
		buf_puts(b, "\">\n");
		opml_export_folder(b, conf, st, child, depth + 1);
		buf_printf(b, "%*s</outline>\n", 2 * depth + 4, "");
	}
	/* At the top: sources in no category. */
	for (size_t i = 0; prefix == NULL && i < conf->nsources; i++)
		if (conf->sources[i].ncategories == 0)
			opml_export_source(b, conf, &conf->sources[i], st,
			    depth);
}

/* Runs `feedmux export-opml`. */
static int
cmd_export_opml_exec(int argc, char **argv)
{
	const char	*path = SYSCONFDIR "/feedmux/feedmux.conf";
	struct conf	*conf;
	struct store	*st;
	struct buf	 b;
	char		*err = NULL, *out, when[DATE_RFC822_LEN];
	int		 rc = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else {
			fprintf(stderr, "usage: feedmux export-opml %s\n",
			    cmd_export_opml_entry.usage);
			return 2;
		}
	}
	if ((conf = cmd_conf(path, &rc)) == NULL)
		return rc;
	/* Feed titles for sources without one; the list is whole without. */
	if (access(conf->database, R_OK) == 0)
		st = store_open(conf->database, STORE_READONLY, &err);
	else
		st = NULL;
	free(err);
	if (date_format_rfc822((int64_t)time(NULL), when, sizeof when) == -1)
		when[0] = '\0';
	buf_init(&b, 256 * 1024 * 1024);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<opml version=\"2.0\">\n  <head>\n    <title>feedmux "
	    "subscriptions</title>\n");
	if (when[0] != '\0')
		buf_printf(&b, "    <dateCreated>%s</dateCreated>\n", when);
	buf_puts(&b, "    <docs>http://opml.org/spec2.opml</docs>\n"
	    "  </head>\n  <body>\n");
	opml_export_folder(&b, conf, st, NULL, 0);
	buf_puts(&b, "  </body>\n</opml>\n");
	if ((out = buf_release(&b, NULL)) == NULL) {
		fprintf(stderr, "feedmux export-opml: out of memory\n");
		rc = 2;
	} else {
		fputs(out, stdout);
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = 2;
	}
	free(out);
	if (st != NULL)
		store_close(st);
	conf_free(conf);
	return rc;
}

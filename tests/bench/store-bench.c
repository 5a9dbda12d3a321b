/*
 * store-bench: how fast store_poll_done stores parsed entries, to compare
 * with the raw SQLite loop of ../shared/bench/sqlite-insert measured in the
 * same run (tests/bench/store.sh runs both).
 *
 * Usage: store-bench --db PATH [--items 200000] [--per-doc 50]
 *                    [--feeds 1000] [--content-bytes 4096] [--sync normal|full]
 *                    [--dup-passes 1]
 *
 * Synthesises the same items as sqlite-insert (item i belongs to feed
 * i % feeds, guid "tag:pubNNNNN.example.com,2026:post-K", a title, a link
 * and ~content-bytes of distinct HTML-ish text) as documents of --per-doc
 * entries of one feed each, the way polls deliver them, and stores every
 * document through store_poll_done (one transaction per document), twice:
 * pass "new" (every entry new) and pass "dup" (every entry unchanged;
 * repeated --dup-passes times, for profiling).
 * Only the time inside store_poll_done is counted.  Prints one JSON line
 * per pass with entries/s and database bytes per entry.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "doc.h"
#include "log.h"
#include "store.h"

#define BENCH_T0	1767225600LL	/* 2026-01-01, as sqlite-insert */

static const char *const words[] = { "the", "market", "kernel", "release",
	"council", "energy", "season", "policy", "network", "storage",
	"latency", "festival", "museum", "research", "climate", "budget",
	"river", "school", "software", "protocol", "interview", "weather",
	"village", "railway", "harbour", "minister", "startup" };
#define NWORDS	(sizeof words / sizeof words[0])

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long
bench_fsize(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : 0;
}

/* A pool of text that item bodies are sliced from. Caller frees. */
static char *
bench_pool(size_t size, size_t *len)
{
	char		*pool;
	size_t		 n = 0;
	unsigned	 rs = 12345;

	if ((pool = malloc(size + 1)) == NULL)
		return NULL;
	while (n < size - 64) {
		rs = rs * 1103515245u + 12345u;
		if ((rs >> 8) % 29 == 0)
			n += (size_t)snprintf(pool + n, size - n, "</p>\n<p>");
		n += (size_t)snprintf(pool + n, size - n, "%s ",
		    words[(rs >> 16) % NWORDS]);
	}
	pool[n] = '\0';
	*len = n;
	return pool;
}

/* Builds the document of FEED holding items FIRST.. (PER of them). */
static struct doc *
bench_doc(long feed, long feeds, long first, long per, const char *pool,
    size_t pl, long cbytes)
{
	struct doc		*d;
	struct doc_entry	*e;
	struct doc_content	*c;
	char			 s[256];
	long			 k, i;
	size_t			 off;
	int			 n;

	if ((d = doc_new()) == NULL)
		return NULL;
	snprintf(s, sizeof s, "Publisher %05ld", feed);
	doc_set(&d->feed.title, s);
	doc_set(&d->version, "rss20");
	for (k = first; k < first + per; k++) {
		i = k * feeds + feed;		/* sqlite-insert's item number */
		if ((e = doc_add_entry(d)) == NULL ||
		    (c = doc_add_content(e)) == NULL)
			goto fail;
		snprintf(s, sizeof s, "tag:pub%05ld.example.com,2026:post-%ld",
		    feed, k);
		doc_set(&e->id, s);
		snprintf(s, sizeof s, "Item %ld of feed %ld: %s %s %s", k, feed,
		    words[i % 27], words[(i / 7) % 27], words[(i / 49) % 27]);
		doc_set(&e->title, s);
		snprintf(s, sizeof s,
		    "https://pub%05ld.example.com/2026/%02ld/item-%ld", feed,
		    1 + k % 12, k);
		doc_set(&e->link, s);
		e->published = BENCH_T0 + i * 60;
		if ((c->value = malloc((size_t)cbytes + 1)) == NULL)
			goto fail;
		off = (size_t)((i * 7919) % (long)(pl - (size_t)cbytes));
		n = snprintf(c->value, 64, "<p>[%ld] ", i);
		memcpy(c->value + n, pool + off, (size_t)cbytes - (size_t)n);
		c->value[cbytes] = '\0';
		doc_set(&c->type, "text/html");
	}
	return d;
fail:
	doc_free(d);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct conf		 conf;
	struct conf_source	*src;
	struct conf_category	 cat;
	struct store		*st;
	struct store_poll	 p;
	struct store_result	 res;
	struct doc		*d;
	const char		*path = NULL, *sync = "normal";
	char			 wal[4096], shm[4096], name[32], *err = NULL;
	char			*cats[1] = { "bench" }, *pool;
	long			 m = 200000, per = 50, feeds = 1000, cbytes = 4096;
	long			 rounds, stored, changed, dups = 1;
	size_t			 pl;
	double			 t, spent;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--items") == 0 && i + 1 < argc)
			m = atol(argv[++i]);
		else if (strcmp(argv[i], "--per-doc") == 0 && i + 1 < argc)
			per = atol(argv[++i]);
		else if (strcmp(argv[i], "--feeds") == 0 && i + 1 < argc)
			feeds = atol(argv[++i]);
		else if (strcmp(argv[i], "--content-bytes") == 0 &&
		    i + 1 < argc)
			cbytes = atol(argv[++i]);
		else if (strcmp(argv[i], "--sync") == 0 && i + 1 < argc)
			sync = argv[++i];
		else if (strcmp(argv[i], "--dup-passes") == 0 && i + 1 < argc)
			dups = atol(argv[++i]);
		else
			goto usage;
	}
	if (path == NULL || per < 1 || feeds < 1 || cbytes < 64 ||
	    m < per * feeds || (strcmp(sync, "normal") != 0 &&
	    strcmp(sync, "full") != 0))
		goto usage;
	rounds = m / (per * feeds);
	m = rounds * per * feeds;

	log_init(0);
	snprintf(wal, sizeof wal, "%s-wal", path);
	snprintf(shm, sizeof shm, "%s-shm", path);
	unlink(path);
	unlink(wal);
	unlink(shm);
	if ((pool = bench_pool((size_t)cbytes * 4 + 65536, &pl)) == NULL)
		return 1;

	memset(&conf, 0, sizeof conf);
	memset(&cat, 0, sizeof cat);
	cat.name = "bench";
	conf.categories = &cat;
	conf.ncategories = 1;
	if ((src = calloc((size_t)feeds, sizeof *src)) == NULL)
		return 1;
	for (long f = 0; f < feeds; f++) {
		snprintf(name, sizeof name, "pub%05ld", f);
		src[f].name = strdup(name);
		src[f].url = strdup("https://example.com/feed");
		src[f].categories = cats;
		src[f].ncategories = 1;
		src[f].max_entries = 1000;	/* the default retention */
	}
	conf.sources = src;
	conf.nsources = (size_t)feeds;
	if ((st = store_open(path, strcmp(sync, "full") == 0 ?
	    STORE_SYNC_FULL : 0, &err)) == NULL) {
		fprintf(stderr, "store-bench: %s\n", err);
		return 1;
	}
	if (store_sync(st, &conf) == -1)
		return 1;

	for (int pass = 0; pass < 1 + dups; pass++) {
		spent = 0;
		stored = changed = 0;
		for (long r = 0; r < rounds; r++) {
			for (long f = 0; f < feeds; f++) {
				d = bench_doc(f, feeds, r * per, per, pool, pl,
				    cbytes);
				if (d == NULL)
					return 1;
				memset(&p, 0, sizeof p);
				p.at = BENCH_T0 + 86400 * 365;
				p.status = 200;
				p.state = "ok";
				t = bench_now();
				if (store_poll_done(st, &src[f], &p, d,
				    &res) == -1)
					return 1;
				spent += bench_now() - t;
				stored += res.new;
				changed += res.updated;
				doc_free(d);
			}
		}
		printf("{\"bench\":\"store\",\"pass\":\"%s\",\"items\":%ld,"
		    "\"per_doc\":%ld,\"sync\":\"%s\",\"content_bytes\":%ld,"
		    "\"inserted\":%ld,\"updated\":%ld,\"store_s\":%.3f,"
		    "\"items_per_s\":%.0f,\"db_bytes\":%ld,\"wal_bytes\":%ld,"
		    "\"db_bytes_per_item\":%.0f}\n", pass ? "dup" : "new", m,
		    per, sync, cbytes, stored, changed, spent, m / spent,
		    bench_fsize(path), bench_fsize(wal),
		    (double)bench_fsize(path) / m);
		fflush(stdout);
		if (stored != (pass ? 0 : m) || changed != 0) {
			fprintf(stderr, "store-bench: pass %d stored %ld, "
			    "changed %ld\n", pass, stored, changed);
			return 1;
		}
	}
	store_close(st);
	for (long f = 0; f < feeds; f++) {
		free(src[f].name);
		free(src[f].url);
	}
	free(src);
	free(pool);
	return 0;

usage:
	fprintf(stderr, "usage: store-bench --db PATH [--items M] [--per-doc N]"
	    " [--feeds F] [--content-bytes B] [--sync normal|full]"
	    " [--dup-passes N]\n");
	return 2;
}

/*
 * fuzz-http: libFuzzer target for the public HTTP side: the http room's
 * request parsing, keep-alive and pipelining, and the httpd room's routing,
 * paging, caching, conditional and gzip answers, on a real store with a
 * few entries.  The seam is the one socket activation uses: httpd_new_fd
 * on a unix socket in a private directory; each input is written by a
 * client of that socket, which then reads until the server closes.  No
 * network, and no change to http.c or httpd.c.  Checked: every input is
 * answered and the connection closed (nothing hangs), the answers start
 * with a well-formed status line, and none is a 500.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "doc.h"
#include "fetch.h"
#include "httpd.h"
#include "log.h"
#include "parse.h"
#include "store.h"

#define FUZZ_MAX_IN	(128 * 1024)	/* request bytes per input */
#define FUZZ_MAX_OUT	(64 * 1024 * 1024)
#define FUZZ_MAX_SPINS	200000		/* loop turns before "it hangs" */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct daemon	 fuzz_d;
static char		 fuzz_dir[64];
static char		 fuzz_sock[80];
static char		*fuzz_out;
static size_t		 fuzz_outsize;

static const char fuzz_conf[] =
    "[feedmux]\n"
    "listen = 127.0.0.1:0\n"
    "database = %s/feedmux.db\n"
    "feed_limit = 3\n"
    "[category \"news\"]\n"
    "title = News & <Views>\n"
    "description = all the news\n"
    "[category \"tech\"]\n"
    "include = news\n"
    "[source \"a\"]\n"
    "url = http://a.example/feed\n"
    "categories = news\n"
    "[source \"b\"]\n"
    "url = https://b.example/feed.xml\n"
    "categories = news, tech\n"
    "title = B's feed\n";

static const char fuzz_feed[] =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
    "<title>T &amp; more</title><link>http://x.example/</link>"
    "<item><guid>1</guid><title>One</title><link>http://x.example/1</link>"
    "<description>&lt;p&gt;first &lt;b&gt;entry&lt;/b&gt;</description>"
    "<pubDate>Mon, 02 Jan 2006 15:04:05 GMT</pubDate></item>"
    "<item><guid>2</guid><title>Two</title><link>http://x.example/2</link>"
    "<category>linux</category>"
    "<pubDate>Tue, 03 Jan 2006 15:04:05 GMT</pubDate></item>"
    "<item><guid>3</guid><title>Three</title>"
    "<pubDate>Wed, 04 Jan 2006 15:04:05 GMT</pubDate></item>"
    "<item><guid>4</guid><title>Four</title></item>"
    "<item><guid>5</guid><title>Five</title>"
    "<pubDate>Thu, 05 Jan 2006 15:04:05 GMT</pubDate></item>"
    "</channel></rss>";

/* Stops the run with what broke; libFuzzer keeps the input. */
static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz-http: %s\n", what);
	if (fuzz_out != NULL)
		fprintf(stderr, "fuzz-http: answer begins \"%.300s\"\n",
		    fuzz_out);
	abort();
}

/* Removes the directory at exit. */
static void
fuzz_cleanup(void)
{
	char	path[128];

	httpd_free(fuzz_d.httpd);
	fetch_free(fuzz_d.fetch);
	store_close(fuzz_d.store);
	conf_free(fuzz_d.conf);
	event_base_free(fuzz_d.base);
	free(fuzz_out);
	unlink(fuzz_sock);
	snprintf(path, sizeof path, "%s/feedmux.conf", fuzz_dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/feedmux.db", fuzz_dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/feedmux.db-wal", fuzz_dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/feedmux.db-shm", fuzz_dir);
	unlink(path);
	rmdir(fuzz_dir);
}

/* A daemon with a config, a store holding entries, and the httpd. */
static void
fuzz_setup(void)
{
	struct sockaddr_un	 sun;
	struct parse_opts	 opts;
	struct store_poll	 p;
	struct store_result	 res;
	struct doc		*doc;
	char			 path[128], *err = NULL;
	FILE			*f;
	int			 fd;

	signal(SIGPIPE, SIG_IGN);
	log_init(0);
	parse_init();
	snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/fuzz-http.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL)
		fuzz_fail("mkdtemp");
	atexit(fuzz_cleanup);
	snprintf(path, sizeof path, "%s/feedmux.conf", fuzz_dir);
	if ((f = fopen(path, "w")) == NULL)
		fuzz_fail("cannot write the config");
	fprintf(f, fuzz_conf, fuzz_dir);
	fclose(f);
	if ((fuzz_d.conf = conf_load(path, &err)) == NULL) {
		fprintf(stderr, "%s", err != NULL ? err : "");
		fuzz_fail("config refused");
	}
	fuzz_d.started = daemon_now();
	fuzz_d.conf_loaded = fuzz_d.started;
	if ((fuzz_d.base = event_base_new()) == NULL ||
	    (fuzz_d.store = store_open(fuzz_d.conf->database, 0, &err)) ==
	    NULL || store_sync(fuzz_d.store, fuzz_d.conf) == -1 ||
	    (fuzz_d.fetch = fetch_new(fuzz_d.base, 2)) == NULL)
		fuzz_fail("cannot set up the daemon");

	memset(&opts, 0, sizeof opts);
	opts.content_type = "application/rss+xml";
	for (size_t i = 0; i < fuzz_d.conf->nsources; i++) {
		opts.base = fuzz_d.conf->sources[i].url;
		if ((doc = parse_doc(fuzz_feed, sizeof fuzz_feed - 1, &opts)) ==
		    NULL)
			fuzz_fail("cannot parse the feed");
		memset(&p, 0, sizeof p);
		p.at = fuzz_d.started;
		p.status = 200;
		p.state = "ok";
		p.next_poll = fuzz_d.started + 3600;
		if (store_poll_done(fuzz_d.store, &fuzz_d.conf->sources[i], &p,
		    doc, &res) == -1)
			fuzz_fail("cannot store the entries");
		doc_free(doc);
	}

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(fuzz_sock, sizeof fuzz_sock, "%s/http.sock", fuzz_dir);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", fuzz_sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(fd, 16) == -1)
		fuzz_fail("cannot listen");
	if ((fuzz_d.httpd = httpd_new_fd(&fuzz_d, fd)) == NULL)
		fuzz_fail("httpd_new_fd failed");
}

/* A connected, non-blocking client of the server. */
static int
fuzz_connect(void)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", fuzz_sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		fuzz_fail("cannot connect");
	return fd;
}

/* Checks the status lines of the answers in fuzz_out (LEN bytes). */
static void
fuzz_check_answers(size_t len)
{
	const char	*p = fuzz_out;

	if (len == 0)
		return;
	if (len < 13 || memcmp(p, "HTTP/1.1 ", 9) != 0 ||
	    p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' ||
	    p[11] < '0' || p[11] > '9' || p[12] != ' ')
		fuzz_fail("malformed status line");
	/* Any answer of the pipeline: bodies here never hold this text. */
	if (memmem(fuzz_out, len, "HTTP/1.1 500 ", 13) != NULL)
		fuzz_fail("internal server error");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		 sent = 0, got = 0;
	ssize_t		 n;
	int		 fd, spins, shut = 0;

	if (fuzz_d.httpd == NULL)
		fuzz_setup();
	if (size > FUZZ_MAX_IN)
		return -1;
	if (fuzz_out == NULL) {
		fuzz_outsize = 65536;
		if ((fuzz_out = malloc(fuzz_outsize + 1)) == NULL)
			abort();
	}
	fd = fuzz_connect();
	for (spins = 0; spins < FUZZ_MAX_SPINS; spins++) {
		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (n == -1 && errno != EAGAIN && errno != EINTR)
				sent = size;	/* the server closed early */
		}
		if (sent == size && !shut) {
			shutdown(fd, SHUT_WR);
			shut = 1;
		}
		event_base_loop(fuzz_d.base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
		if (got == fuzz_outsize) {
			if (fuzz_outsize >= FUZZ_MAX_OUT)
				fuzz_fail("answer too large");
			fuzz_outsize *= 2;
			if ((fuzz_out = realloc(fuzz_out, fuzz_outsize + 1)) ==
			    NULL)
				abort();
		}
		n = recv(fd, fuzz_out + got, fuzz_outsize - got, 0);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 && shut)
			break;
		else if (n == -1 && errno == ECONNRESET)
			break;
	}
	fuzz_out[got] = '\0';
	close(fd);
	/* For triage: FUZZ_HTTP_DUMP=1 shows every answer. */
	if (getenv("FUZZ_HTTP_DUMP") != NULL)
		fwrite(fuzz_out, 1, got, stderr);
	if (spins == FUZZ_MAX_SPINS)
		fuzz_fail("the server did not close the connection");
	fuzz_check_answers(got);
	return 0;
}

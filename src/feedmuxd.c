/*
 * main: the feedmuxd daemon.  Reads argv, loads the config, opens the
 * store, starts the rooms in order (fetch, sched, httpd), turns signals
 * into loop events (SIGHUP reloads, SIGTERM/SIGINT stop) and stops the
 * rooms in reverse order.  Runs in the foreground, systemd style.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <getopt.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "fetch.h"
#include "httpd.h"
#include "log.h"
#include "parse.h"
#include "reclass.h"
#include "sched.h"
#include "store.h"

static void
usage(void)
{
	fprintf(stderr, "usage: feedmuxd [-tv] [--once] [-c file]\n"
	    "  -c file   configuration (default " SYSCONFDIR
	    "/feedmux/feedmux.conf)\n"
	    "  -t        check the configuration and exit\n"
	    "  -v        verbose (debug) logging\n"
	    "  --once    poll every source once, then exit\n"
	    "  -V        print the version and exit\n");
	exit(2);
}

/* Prints a config's errors, one "file:line: message" per line. */
static void
print_errors(const char *errors)
{
	fputs(errors != NULL ? errors : "out of memory\n", stderr);
}

/* The old config may still be borrowed by a callback on this turn. */
static void
conf_free_later_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conf_free(arg);
}

static void
reload(struct daemon *d)
{
	struct conf	*nc, *old;
	char		*errors = NULL;
	struct timeval	 now = { 0, 0 };

	log_info("feedmuxd: reloading %s", d->conf->path);
	if ((nc = conf_load(d->conf->path, &errors)) == NULL) {
		log_warnx("feedmuxd: reload rejected, keeping the running "
		    "configuration:");
		for (char *line = errors, *nl; line != NULL && *line != '\0';
		    line = nl + 1) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl = '\0';
			log_warnx("%s", line);
			if (nl == NULL)
				break;
		}
		free(d->reload_error);
		d->reload_error = errors;
		return;
	}
	free(errors);
	free(d->reload_error);
	d->reload_error = NULL;
	if (strcmp(nc->listen_host, d->conf->listen_host) != 0 ||
	    nc->listen_port != d->conf->listen_port)
		log_warnx("feedmuxd: a new listen address takes a restart");
	if (store_sync(d->store, nc) == -1) {
		log_warnx("feedmuxd: reload rejected: cannot update the "
		    "database");
		conf_free(nc);
		return;
	}
	old = d->conf;
	d->conf = nc;
	if (sched_apply(d->sched, nc) == -1)
		log_warnx("feedmuxd: reload: out of memory scheduling");
	fetch_set_max(d->fetch, nc->max_transfers);
	reclass_apply(d->reclass, nc);
	d->generation++;	/* titles and memberships may have changed */
	if (event_base_once(d->base, -1, EV_TIMEOUT, conf_free_later_cb, old,
	    &now) == -1)
		conf_free(old);
	log_info("feedmuxd: reloaded, %zu sources, %zu categories",
	    nc->nsources, nc->ncategories);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;

	(void)what;
	switch (sig) {
	case SIGHUP:
		reload(d);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("feedmuxd: %s, shutting down",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		event_base_loopexit(d->base, NULL);
		break;
	}
}

int
main(int argc, char **argv)
{
	struct daemon	 d;
	struct event	*sigs[3];
	const int	 signums[3] = { SIGHUP, SIGTERM, SIGINT };
	const char	*path = SYSCONFDIR "/feedmux/feedmux.conf";
	char		*errors = NULL, *err = NULL;
	int		 check = 0, verbose = 0, ch;
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	memset(&d, 0, sizeof d);
	while ((ch = getopt_long(argc, argv, "c:tvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			d.once = 1;
			break;
		case 'c':
			path = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("feedmuxd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init(verbose);
	if ((d.conf = conf_load(path, &errors)) == NULL) {
		print_errors(errors);
		free(errors);
		if (check)
			fprintf(stderr, "feedmuxd: configuration %s has "
			    "errors\n", path);
		return 1;
	}
	if (check) {
		fprintf(stderr, "feedmuxd: configuration %s is ok "
		    "(%zu sources, %zu categories)\n", path, d.conf->nsources,
		    d.conf->ncategories);
		conf_free(d.conf);
		return 0;
	}

	d.started = daemon_now();
	/* Writes to a reader that went away must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("feedmuxd: cannot initialise libcurl");
	parse_init();
	if ((d.store = store_open(d.conf->database, 0, &err)) == NULL)
		fatalx("feedmuxd: database %s", err != NULL ? err :
		    "out of memory");
	if (store_sync(d.store, d.conf) == -1)
		fatalx("feedmuxd: cannot record the configured sources");
	if ((d.base = event_base_new()) == NULL)
		fatalx("feedmuxd: cannot create the event loop");
	if ((d.fetch = fetch_new(d.base, d.conf->max_transfers)) == NULL)
		fatalx("feedmuxd: cannot start the fetcher");
	if ((d.sched = sched_new(&d)) == NULL)
		fatalx("feedmuxd: out of memory");
	if ((d.reclass = reclass_new(&d)) == NULL ||
	    reclass_apply(d.reclass, d.conf) == -1)
		fatalx("feedmuxd: cannot set up the category rules");
	if (!d.once && (d.httpd = httpd_new(&d)) == NULL)
		fatalx("feedmuxd: cannot start the HTTP server");
	for (int i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(d.base, signums[i], signal_cb, &d);
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) == -1)
			fatalx("feedmuxd: cannot install signal handlers");
	}
	if (sched_apply(d.sched, d.conf) == -1)
		fatalx("feedmuxd: out of memory");
	log_info("feedmuxd %s: %zu sources, %zu categories, database %s",
	    PACKAGE_VERSION, d.conf->nsources, d.conf->ncategories,
	    d.conf->database);

	if (d.once && d.conf->nsources == 0)
		event_base_loopexit(d.base, NULL);
	event_base_dispatch(d.base);

	/* Reverse order; every store write already finished on the loop. */
	for (int i = 0; i < 3; i++)
		event_free(sigs[i]);
	httpd_free(d.httpd);
	sched_free(d.sched);
	reclass_free(d.reclass);
	fetch_free(d.fetch);
	store_close(d.store);
	event_base_free(d.base);
	conf_free(d.conf);
	free(d.reload_error);
	curl_global_cleanup();
	log_info("feedmuxd: stopped");
	return 0;
}

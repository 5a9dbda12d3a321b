/*
 * main: the feedmuxd daemon.  Reads argv, loads the config, opens the
 * store, starts the rooms in order (fetch, sched, httpd, ctl), turns
 * signals into loop events (SIGHUP reloads, SIGTERM/SIGINT stop) and stops
 * the rooms in reverse order.  Runs in the foreground, systemd style: it
 * tells the service manager when it is ready, reloading or stopping, keeps
 * a one-line STATUS= current, pets the watchdog, and serves on a socket
 * the manager passes (socket activation).
 */
#include "config.h"

#include <errno.h>
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
#include "ctl.h"
#include "daemon.h"
#include "db.h"
#include "fetch.h"
#include "httpd.h"
#include "log.h"
#include "mono.h"
#include "notify.h"
#include "parse.h"
#include "poll.h"
#include "reclass.h"
#include "sched.h"
#include "store.h"
#include "work.h"

/* How often the STATUS= line is refreshed, in seconds. */
#define MAIN_STATUS_INTERVAL	10
/* Seconds between tries to record the sources when the database refused. */
#define MAIN_SYNC_RETRY		10

/* What the status line counts, gathered from the store. */
struct main_status {
	int	 sources;
	int	 failing;
	int64_t	 last_attempt;
};

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

/*
 * Records the configured sources, again every MAIN_SYNC_RETRY seconds
 * until the database takes them (it was full or locked at start).
 */
static void
sync_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 tv = { MAIN_SYNC_RETRY, 0 };

	(void)fd;
	(void)what;
	if (store_sync(d->store, d->conf) == 0) {
		log_info("feedmuxd: the configured sources are recorded");
		d->generation++;
		/* A re-sort the refusal stopped starts over. */
		reclass_apply(d->reclass, d->conf);
		return;
	}
	if (event_base_once(d->base, -1, EV_TIMEOUT, sync_retry_cb, d,
	    &tv) == -1)
		log_warnx("feedmuxd: cannot retry recording the sources; "
		    "reload when the database is writable");
}

/* Counts sources, failing ones and the latest poll for the status line. */
static int
main_status_source(const struct store_source_info *si, void *arg)
{
	struct main_status	*ms = arg;

	ms->sources++;
	if (strcmp(si->state, "ok") != 0 && strcmp(si->state, "new") != 0)
		ms->failing++;
	if (si->last_attempt > ms->last_attempt)
		ms->last_attempt = si->last_attempt;
	return 0;
}

/* Tells the service manager the one-line summary `systemctl status` shows. */
static void
main_status(struct daemon *d)
{
	struct main_status	 ms = { 0, 0, 0 };
	char			 last[64];

	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	if (store_sources_each(d->store, main_status_source, &ms) == -1)
		return;
	if (ms.last_attempt <= 0)
		snprintf(last, sizeof last, "no poll yet");
	else
		snprintf(last, sizeof last, "last poll %llds ago",
		    (long long)(daemon_now() - ms.last_attempt));
	if (notify_send("STATUS=%d sources, %d failing, %s%s", ms.sources,
	    ms.failing, last, d->reload_error != NULL ?
	    ", last reload rejected" : "") == -1)
		log_warnx_limited("notify", "feedmuxd: cannot notify the "
		    "service manager: %s", strerror(errno));
}

/* Refreshes the STATUS= line every MAIN_STATUS_INTERVAL seconds. */
static void
status_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	main_status(arg);
}

/* Pets the service manager's watchdog. */
static void
watchdog_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	/*
	 * Sent from the loop: a wedged loop stops petting and gets restarted.
	 */
	notify_send("WATCHDOG=1");
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
	if (strcmp(nc->control, d->conf->control) != 0)
		log_warnx("feedmuxd: a new control socket path takes a "
		    "restart");
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
	fetch_set_host_limits(d->fetch, nc->host_connections,
	    nc->host_delay);
	reclass_apply(d->reclass, nc);
	d->generation++;	/* titles and memberships may have changed */
	d->conf_loaded = daemon_now();
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
		/*
		 * The monotonic clock in microseconds, as RELOADING=1 wants it.
		 */
		notify_send("RELOADING=1\nMONOTONIC_USEC=%lld",
		    (long long)mono_usec());
		reload(d);
		/* Ready either way: a rejected file keeps the old config. */
		notify_send("READY=1");
		main_status(d);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("feedmuxd: %s, shutting down",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		notify_send("STOPPING=1");
		event_base_loopexit(d->base, NULL);
		break;
	}
}

int
main(int argc, char **argv)
{
	struct daemon	 d;
	struct ctl	*ctl = NULL;
	struct event	*sigs[3], *status_ev = NULL, *watchdog_ev = NULL;
	struct timeval	 tv;
	int64_t		 watchdog;
	int		 nfds;
	const int	 signums[3] = { SIGHUP, SIGTERM, SIGINT };
	const char	*path = SYSCONFDIR "/feedmux/feedmux.conf";
	char		*errors = NULL, *err = NULL;
	int		 check = 0, verbose = 0, ch, unsynced;
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	memset(&d, 0, sizeof d);
	db_init();
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
	/*
	 * A file size limit reached is a failed write (EFBIG) that SQLite
	 * rolls back and the poll retries, not a reason to die.
	 */
	signal(SIGXFSZ, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("feedmuxd: cannot initialise libcurl");
	parse_init();
	if ((d.store = store_open(d.conf->database, STORE_CHECKPOINTER |
	    (d.conf->sync_full ? STORE_SYNC_FULL : 0), &err)) == NULL)
		fatalx("feedmuxd: database %s", err != NULL ? err :
		    "out of memory");
	/*
	 * A full or locked database still has feeds to serve: the sources
	 * are recorded later, and until then polls are not stored.
	 */
	if ((unsynced = store_sync(d.store, d.conf) == -1)) {
		if (d.once)
			fatalx("feedmuxd: cannot record the configured "
			    "sources");
		log_warnx("feedmuxd: cannot record the configured sources; "
		    "serving what is stored, retrying every %d s",
		    MAIN_SYNC_RETRY);
	}
	if ((d.base = event_base_new()) == NULL)
		fatalx("feedmuxd: cannot create the event loop");
	tv.tv_sec = MAIN_SYNC_RETRY;
	tv.tv_usec = 0;
	if (unsynced && event_base_once(d.base, -1, EV_TIMEOUT, sync_retry_cb,
	    &d, &tv) == -1)
		fatalx("feedmuxd: cannot start the retry timer");
	if ((d.fetch = fetch_new(d.base, d.conf->max_transfers)) == NULL)
		fatalx("feedmuxd: cannot start the fetcher");
	fetch_set_host_limits(d.fetch, d.conf->host_connections,
	    d.conf->host_delay);
	if ((d.work = work_new(d.base, (int)d.conf->parse_threads)) == NULL)
		fatalx("feedmuxd: cannot start the parsing threads");
	if ((d.sched = sched_new(&d)) == NULL || poll_init(&d) == -1)
		fatalx("feedmuxd: out of memory");
	if ((d.reclass = reclass_new(&d)) == NULL ||
	    reclass_apply(d.reclass, d.conf) == -1)
		fatalx("feedmuxd: cannot set up the category rules");
	nfds = d.once ? 0 : notify_listen_fds();
	if (nfds > 1)
		log_warnx("feedmuxd: %d sockets passed, serving on the first",
		    nfds);
	for (int fd = NOTIFY_LISTEN_FDS_START + 1;
	    fd < NOTIFY_LISTEN_FDS_START + nfds; fd++)
		close(fd);
	if (nfds > 0) {
		if ((d.httpd = httpd_new_fd(&d, NOTIFY_LISTEN_FDS_START)) ==
		    NULL)
			fatalx("feedmuxd: cannot serve on the passed socket");
	} else if (!d.once && (d.httpd = httpd_new(&d)) == NULL)
		fatalx("feedmuxd: cannot start the HTTP server");
	/*
	 * Without it only `feedmux poll` is lost: worth a warning, not a stop.
	 */
	if (!d.once && (ctl = ctl_new(&d)) == NULL)
		log_warnx("feedmuxd: no control socket, `feedmux poll` will "
		    "not reach this daemon");
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

	/* The database is open and the listener bound: ready. */
	notify_send("READY=1\nMAINPID=%ld", (long)getpid());
	main_status(&d);
	if (getenv("NOTIFY_SOCKET") != NULL) {
		tv.tv_sec = MAIN_STATUS_INTERVAL;
		tv.tv_usec = 0;
		if ((status_ev = event_new(d.base, -1, EV_PERSIST,
		    status_timer_cb, &d)) == NULL ||
		    event_add(status_ev, &tv) == -1)
			fatalx("feedmuxd: cannot start the status timer");
	}
	if ((watchdog = notify_watchdog_usec()) > 0) {
		/* Half the period, as sd_watchdog_enabled(3) advises. */
		tv.tv_sec = (time_t)(watchdog / 2 / 1000000);
		tv.tv_usec = (suseconds_t)(watchdog / 2 % 1000000);
		if ((watchdog_ev = event_new(d.base, -1, EV_PERSIST,
		    watchdog_timer_cb, &d)) == NULL ||
		    event_add(watchdog_ev, &tv) == -1)
			fatalx("feedmuxd: cannot start the watchdog timer");
		notify_send("WATCHDOG=1");
		log_debug("feedmuxd: watchdog every %lld ms",
		    (long long)(watchdog / 2000));
	}

	if (d.once && d.conf->nsources == 0)
		event_base_loopexit(d.base, NULL);
	event_base_dispatch(d.base);

	/* Reverse order; every store write already finished on the loop. */
	if (status_ev != NULL)
		event_free(status_ev);
	if (watchdog_ev != NULL)
		event_free(watchdog_ev);
	for (int i = 0; i < 3; i++)
		event_free(sigs[i]);
	ctl_free(ctl);
	httpd_free(d.httpd);
	sched_free(d.sched);
	poll_free(&d);
	reclass_free(d.reclass);
	work_free(d.work);
	fetch_free(d.fetch);
	store_close(d.store);
	event_base_free(d.base);
	conf_free(d.conf);
	free(d.reload_error);
	curl_global_cleanup();
	log_info("feedmuxd: stopped");
	return 0;
}

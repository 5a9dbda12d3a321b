/*
 * daemon: the context of one running feedmuxd, created by main and passed
 * to the service rooms.  Everything mutable the daemon has lives here (no
 * other global state): the loop, the current config, and the rooms.
 */
#ifndef FEEDMUX_DAEMON_H
#define FEEDMUX_DAEMON_H

#include <stdint.h>

struct conf;
struct conf_source;
struct event_base;
struct fetch;
struct httpd;
struct polls;
struct reclass;
struct sched;
struct store;
struct work;

struct daemon {
	struct event_base	*base;
	struct conf		*conf;		/* current; swapped on SIGHUP */
	struct store		*store;
	struct fetch		*fetch;
	struct sched		*sched;
	struct httpd		*httpd;
	/* parsing threads, NULL: on the loop */
	struct work		*work;
	struct polls		*polls;		/* finished polls, to store */
	struct reclass		*reclass;	/* category rules, re-sorting */
	int			 once;		/* --once: poll all and exit */
	int64_t			 started;	/* wall clock, seconds */
	/* bumped when a reload may change any view */
	uint64_t		 generation;
	/* wall clock of the last reload, 0: none */
	int64_t			 conf_loaded;
	/* last rejected config, for the index page */
	char			*reload_error;
};

/* Seconds since the epoch (wall clock). */
int64_t	daemon_now(void);

/*
 * Called by poll when a source's stored entries changed: only the views
 * that source feeds are re-rendered (see httpd_changed).
 */
void	daemon_changed(struct daemon *, const struct conf_source *);

/* Called by sched in --once mode when every source has been polled. */
void	daemon_once_done(struct daemon *);

#endif

/* reclass: rules compiled per config, stored entries re-sorted in slices; see reclass.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "classify.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "reclass.h"
#include "store.h"
#include "store-reclass.h"

#define RECLASS_SLICE_US	8000		/* work per loop turn */
#define RECLASS_AGE_EVERY	3600		/* seconds between max_age sweeps */
#define RECLASS_BUMP_EVERY	1.0		/* seconds between feed refreshes */

struct reclass {
	struct daemon			*d;
	struct classify			*cl;
	struct event			*slice;		/* next slice, on a fresh turn */
	struct event			*age;		/* hourly max_age sweep */
	int				 running;
	int64_t				 cursor;
	struct store_reclass_stats	 stats;
	struct timespec			 started;
	struct timespec			 bumped;	/* last generation bump */
	int				 dirty;		/* changes not yet bumped */
};

static double
reclass_elapsed(const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* One slice of the re-evaluation; schedules the next while entries remain. */
static void
reclass_slice_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reclass	*r = arg;
	struct timeval	 now = { 0, 0 };
	int64_t		 before = r->stats.added + r->stats.removed;
	double		 secs;
	int		 more;

	(void)fd;
	(void)what;
	more = store_reclass_step(r->d->store, &r->cursor, RECLASS_SLICE_US,
	    daemon_now(), &r->stats);
	/*
	 * Feeds re-render (new ETags) when memberships changed, at most once
	 * a second: each re-render of a big category costs the readers.
	 */
	if (r->stats.added + r->stats.removed != before)
		r->dirty = 1;
	if (r->dirty && (more != 1 ||
	    reclass_elapsed(&r->bumped) >= RECLASS_BUMP_EVERY)) {
		r->d->generation++;
		r->dirty = 0;
		clock_gettime(CLOCK_MONOTONIC, &r->bumped);
	}
	if (more == 1) {
		evtimer_add(r->slice, &now);
		return;
	}
	r->running = 0;
	if (more == -1) {
		log_warnx("categories: re-sorting stopped by a database error; "
		    "it restarts on the next reload");
		return;
	}
	store_reclass_done(r->d->store);
	secs = reclass_elapsed(&r->started);
	log_info("categories: re-sorted %lld entries in %.2f s (%.0f/s): "
	    "%lld memberships gained, %lld lost", (long long)r->stats.entries,
	    secs, secs > 0 ? (double)r->stats.entries / secs : 0.0,
	    (long long)r->stats.added, (long long)r->stats.removed);
}

/* Hourly: entries past their category's max_age leave it. */
static void
reclass_age_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reclass	*r = arg;
	int64_t		 n;

	(void)fd;
	(void)what;
	if ((n = store_reclass_age(r->d->store, daemon_now())) > 0) {
		log_info("categories: %lld entries aged out", (long long)n);
		r->d->generation++;
	}
}

struct reclass *
reclass_new(struct daemon *d)
{
	struct reclass	*r;
	struct timeval	 hour = { RECLASS_AGE_EVERY, 0 };

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->d = d;
	r->slice = evtimer_new(d->base, reclass_slice_cb, r);
	r->age = event_new(d->base, -1, EV_PERSIST, reclass_age_cb, r);
	if (r->slice == NULL || r->age == NULL || evtimer_add(r->age,
	    &hour) == -1) {
		reclass_free(r);
		return NULL;
	}
	return r;
}

void
reclass_free(struct reclass *r)
{
	if (r == NULL)
		return;
	if (r->slice != NULL)
		event_free(r->slice);
	if (r->age != NULL)
		event_free(r->age);
	store_set_classify(r->d->store, NULL);
	classify_free(r->cl);
	free(r);
}

int
reclass_apply(struct reclass *r, const struct conf *conf)
{
	struct classify	*cl;
	struct timeval	 now = { 0, 0 };
	char		*err = NULL;
	int		 pending;

	if ((cl = classify_new(conf, &err)) == NULL) {
		log_warnx("categories: %s; keeping the previous rules",
		    err != NULL ? err : "out of memory");
		free(err);
		return -1;
	}
	/* Nothing else holds the old rules: store only uses them in calls. */
	store_set_classify(r->d->store, cl);
	classify_free(r->cl);
	r->cl = cl;
	if (classify_unfiltered(cl) > 0)
		log_debug("categories: %zu patterns have no literal word to "
		    "prefilter on and run on every entry",
		    classify_unfiltered(cl));

	if ((pending = store_reclass_pending(r->d->store, cl)) == -1)
		return -1;
	if (pending == 0 && !r->running)
		return 0;
	/* A pass under way starts over: earlier entries saw older rules. */
	log_info("categories: rules of %d categor%s changed, re-sorting "
	    "stored entries in the background", pending,
	    pending == 1 ? "y" : "ies");
	r->running = 1;
	r->cursor = 0;
	memset(&r->stats, 0, sizeof r->stats);
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	r->bumped = r->started;
	evtimer_del(r->slice);
	return evtimer_add(r->slice, &now);
}

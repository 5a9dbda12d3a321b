/*
 * reclass: rules compiled per config, stored
 * entries re-sorted off the loop; see reclass.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "classify.h"
#include "conf.h"
#include "daemon.h"
#include "httpd.h"
#include "log.h"
#include "mono.h"
#include "reclass.h"
#include "store.h"
#include "store-reclass.h"
#include "work.h"

#define RECLASS_SLICE_US	3000		/* writing per loop turn */
#define RECLASS_HOLD_SLICES	32		/* slices per commit, at most */
#define RECLASS_HOLD_SECS	0.4		/* commit at least this often */
#define RECLASS_SPAN		1024		/* entry ids per job (~10 ms) */
#define RECLASS_QUEUE		2		/* batches evaluated ahead */
#define RECLASS_THREADS_MAX	4
/* seconds between max_age sweeps */
#define RECLASS_AGE_EVERY	3600
/* seconds between feed refreshes */
#define RECLASS_BUMP_EVERY	1.0
/* seconds before a failed pass restarts */
#define RECLASS_RETRY		30

struct reclass_pass;

/*
 * What one thread evaluates with: a classify serves one caller at a time,
 * and a database connection one thread.
 */
struct reclass_slot {
	struct classify			*cl;
	struct store_reclass_reader	*rd;
	int				 busy;
};

/* One batch: a range of entries, evaluated on a thread, written by the loop. */
struct reclass_job {
	struct reclass_pass		*p;
	struct reclass_slot		*slot;
	int64_t				 from;		/* after this id */
	int64_t				 to;		/* up to this one */
	size_t				 mark;
	struct store_reclass_batch	*b;
	char				*err;
	struct reclass_job		*next;
};

/*
 * One re-sort: a slot per thread, the batches waiting to be written, and
 * which feeds changed.  The entries up to the newest at the start are
 * cut into ranges that the threads evaluate in parallel, newest first:
 * a feed shows a category's newest entries, so it is right after the
 * first second's refresh rather than at the end of a long pass.  Entries
 * stored later are sorted by the new rules as they arrive.
 */
struct reclass_pass {
	struct reclass			*r;
	struct reclass_slot		*slot;
	size_t				 nslot;
	unsigned char			*affected;
	unsigned char			*touched;	/* not yet refreshed */
	int64_t				 now;
	int				 stale;		/* replaced/stopped */
	size_t				 inflight;	/* jobs on threads */
	/* next job ends at; 0: none */
	int64_t				 next;
	struct reclass_job		*head, *tail;	/* to write */
	size_t				 queued;
	struct store_reclass_stats	 stats;
	int64_t				 started;	/* mono_usec() */
	int64_t				 bumped;	/* mono_usec() */
	int				 held;		/* slices uncommitted */
	int64_t				 held_since;	/* the first of them */
	double				 longest;	/* slice, seconds */
	double				 longest_cpu;	/* same, on the CPU */
};

struct reclass {
	struct daemon			*d;
	struct classify			*cl;
	struct work			*pool;
	int				 threads;	/* in the pool */
	/* next write, on a fresh turn */
	struct event			*slice;
	/* hourly max_age sweep */
	struct event			*age;
	/* restarts a failed pass */
	struct event			*retry;
	struct reclass_pass		*pass;
};

static int	reclass_pass_start(struct reclass *, const struct conf *);

/* Seconds since T0 (mono_usec()). */
static double
reclass_elapsed(int64_t t0)
{
	return (double)(mono_usec() - t0) / 1e6;
}

/* Seconds between two readings of the thread's CPU clock. */
static double
reclass_cpu_secs(const struct timespec *c0, const struct timespec *c1)
{
	return (double)(c1->tv_sec - c0->tv_sec) +
	    (double)(c1->tv_nsec - c0->tv_nsec) / 1e9;
}

static void
reclass_job_free(struct reclass_job *j)
{
	store_reclass_batch_free(j->b);
	free(j->err);
	free(j);
}

/* Frees a pass nobody uses any more (no job on the thread). */
static void
reclass_pass_free(struct reclass_pass *p)
{
	struct reclass_job	*j;

	while ((j = p->head) != NULL) {
		p->head = j->next;
		reclass_job_free(j);
	}
	for (size_t k = 0; k < p->nslot; k++) {
		store_reclass_reader_close(p->slot[k].rd);
		classify_free(p->slot[k].cl);
	}
	free(p->slot);
	free(p->affected);
	free(p->touched);
	free(p);
}

/* Stops the current pass: freed now, or when its job comes back. */
static void
reclass_pass_stop(struct reclass *r)
{
	struct reclass_pass	*p = r->pass;

	if (p == NULL)
		return;
	r->pass = NULL;
	p->stale = 1;
	evtimer_del(r->slice);
	/* Kept even if lost: the new pass re-sorts what was unfinished. */
	if (p->held > 0)
		(void)store_reclass_flush(r->d->store);
	p->held = 0;
	store_reclass_unmark(r->d->store);
	if (p->inflight == 0)
		reclass_pass_free(p);
}

/* Refreshes the feeds of the categories whose memberships changed. */
static void
reclass_refresh(struct reclass *r, struct reclass_pass *p)
{
	for (size_t i = 0; i < classify_count(r->cl); i++)
		if (p->touched[i]) {
			httpd_category_changed(r->d->httpd,
			    classify_name(r->cl, i));
			p->touched[i] = 0;
		}
	p->bumped = mono_usec();
}

/* On the thread: evaluates one batch. */
static void
reclass_eval_fn(void *arg)
{
	struct reclass_job	*j = arg;
	struct reclass_pass	*p = j->p;

	j->b = store_reclass_eval(j->slot->rd, j->slot->cl, p->affected,
	    j->from, j->to, p->now, &j->err);
}

static void	reclass_eval_done(void *, int);

/*
 * Stops the pass after an error (a locked or full database, memory) and
 * tries again later: the affected categories stay recorded as unsorted,
 * so the retry, a reload or a restart finishes them.
 */
static void
reclass_fail(struct reclass *r)
{
	struct timeval	tv = { RECLASS_RETRY, 0 };

	reclass_pass_stop(r);
	if (r->retry != NULL)
		evtimer_add(r->retry, &tv);
}

/* The retry: starts the pass again if rules are still unsorted. */
static void
reclass_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reclass	*r = arg;
	int		 pending;

	(void)fd;
	(void)what;
	if (r->pass != NULL || r->cl == NULL)
		return;
	if ((pending = store_reclass_pending(r->d->store, r->cl)) == 0)
		return;
	if (pending == -1 || reclass_pass_start(r, r->d->conf) == -1)
		reclass_fail(r);
}

/*
 * Keeps every thread on a job while ranges remain and the loop's writing
 * keeps up (at most RECLASS_QUEUE batches wait beyond one per thread).
 */
static void
reclass_feed(struct reclass *r, struct reclass_pass *p)
{
	struct reclass_job	*j;
	size_t			 k;

	while (p->next > 0 && p->inflight < p->nslot &&
	    p->inflight + p->queued < p->nslot + RECLASS_QUEUE) {
		for (k = 0; p->slot[k].busy; k++)
			;
		if ((j = calloc(1, sizeof *j)) == NULL)
			goto fail;
		j->p = p;
		j->slot = &p->slot[k];
		j->to = p->next;
		j->from = p->next > RECLASS_SPAN ? p->next - RECLASS_SPAN : 0;
		/*
		 * Entries store sorts from now on are newer than what it reads.
		 */
		j->mark = store_reclass_mark(r->d->store);
		if (work_submit(r->pool, reclass_eval_fn, reclass_eval_done,
		    j) == NULL) {
			free(j);
			goto fail;
		}
		j->slot->busy = 1;
		p->next = j->from;
		p->inflight++;
	}
	return;
fail:
	log_warnx("categories: re-sorting stopped: out of memory; it "
	    "restarts in %d s", RECLASS_RETRY);
	reclass_fail(r);
}

/* The pass wrote everything: the rules are recorded as sorted by. */
static void
reclass_pass_done(struct reclass *r, struct reclass_pass *p)
{
	double	secs;

	if (p->held > 0 && store_reclass_flush(r->d->store) == -1) {
		log_warnx("categories: re-sorting's last writes were not "
		    "committed; it restarts in %d s", RECLASS_RETRY);
		reclass_fail(r);
		return;
	}
	p->held = 0;
	reclass_refresh(r, p);
	store_reclass_done(r->d->store);
	secs = reclass_elapsed(p->started);
	log_info("categories: re-sorted %lld entries in %.2f s (%.0f/s): "
	    "%lld memberships gained, %lld lost; longest write %.1f ms "
	    "(%.1f ms on the CPU)", (long long)p->stats.entries, secs,
	    secs > 0 ? (double)p->stats.entries / secs : 0.0,
	    (long long)p->stats.added, (long long)p->stats.removed,
	    p->longest * 1000, p->longest_cpu * 1000);
	reclass_pass_stop(r);
}

/* On the loop: a batch came back from the thread. */
static void
reclass_eval_done(void *arg, int cancelled)
{
	struct reclass_job	*j = arg;
	struct reclass_pass	*p = j->p;
	struct reclass		*r = p->r;
	struct timeval		 now = { 0, 0 };

	p->inflight--;
	j->slot->busy = 0;
	if (p->stale || cancelled) {
		reclass_job_free(j);
		if (!p->stale)
			reclass_pass_stop(r);
		else if (p->inflight == 0)
			reclass_pass_free(p);
		return;
	}
	if (j->b == NULL) {
		log_warnx("database: re-sorting categories: %s; it restarts "
		    "in %d s", j->err != NULL ? j->err : "out of memory",
		    RECLASS_RETRY);
		reclass_job_free(j);
		reclass_fail(r);
		return;
	}
	if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	reclass_feed(r, p);
	if (r->pass == p && !evtimer_pending(r->slice, NULL))
		evtimer_add(r->slice, &now);
}

/* One slice of writing; schedules the next while batches wait. */
static void
reclass_slice_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reclass		*r = arg;
	struct reclass_pass	*p = r->pass;
	struct reclass_job	*j;
	struct timeval		 now = { 0, 0 };
	struct timespec		 c0, c1;
	int64_t			 t0;
	double			 secs;
	int			 more;

	(void)fd;
	(void)what;
	if (p == NULL || (j = p->head) == NULL)
		return;
	/*
	 * Wall and CPU time: a busy machine stretches the one, not the other.
	 */
	t0 = mono_usec();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	more = store_reclass_apply(r->d->store, j->b, j->mark,
	    RECLASS_SLICE_US, &p->stats, p->touched);
	if (more != -1 && p->held++ == 0)
		p->held_since = t0;
	/*
	 * Slices are committed together: each touches a page or two of
	 * every category, so the WAL gets those pages once for several
	 * slices (32 rather than 8: a third fewer WAL writes and 8% less
	 * of the loop's CPU when every rule is replaced; the longest slice
	 * with its commit stays near 10 ms).  The commit comes sooner when
	 * nothing else is ready, so no change waits while the threads
	 * evaluate.
	 */
	if (more != -1 && (p->held >= RECLASS_HOLD_SLICES ||
	    reclass_elapsed(p->held_since) >= RECLASS_HOLD_SECS ||
	    (more == 0 && j->next == NULL))) {
		p->held = 0;
		if (store_reclass_flush(r->d->store) == -1)
			more = -1;
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	if ((secs = reclass_elapsed(t0)) > p->longest)
		p->longest = secs;
	if ((secs = reclass_cpu_secs(&c0, &c1)) > p->longest_cpu)
		p->longest_cpu = secs;
	if (more == -1) {
		log_warnx("categories: re-sorting stopped by a database error; "
		    "it restarts in %d s", RECLASS_RETRY);
		reclass_fail(r);
		return;
	}
	if (more == 0) {
		p->head = j->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->queued--;
		p->stats.entries += store_reclass_batch_entries(j->b);
		reclass_job_free(j);
		reclass_feed(r, p);
		if (r->pass != p)
			return;
	}
	if (p->head == NULL && p->next == 0 && p->inflight == 0) {
		reclass_pass_done(r, p);
		return;
	}
	/*
	 * Feeds re-render (new ETags) as their memberships change, at most
	 * once a second: each re-render of a big category costs the readers.
	 */
	if (reclass_elapsed(p->bumped) >= RECLASS_BUMP_EVERY)
		reclass_refresh(r, p);
	if (p->head != NULL)
		evtimer_add(r->slice, &now);
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
	r->retry = evtimer_new(d->base, reclass_retry_cb, r);
	/*
	 * As many threads as parse documents, one to RECLASS_THREADS_MAX:
	 * past a few, the loop's writing bounds a re-sort, and each thread
	 * holds a compiled copy of the rules and a database connection.
	 */
	r->threads = (int)d->conf->parse_threads;
	if (r->threads < 1)
		r->threads = 1;
	if (r->threads > RECLASS_THREADS_MAX)
		r->threads = RECLASS_THREADS_MAX;
	r->pool = work_new(d->base, r->threads);
	if (r->slice == NULL || r->age == NULL || r->retry == NULL ||
	    r->pool == NULL ||
	    evtimer_add(r->age, &hour) == -1) {
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
	reclass_pass_stop(r);
	/* A job still on the thread comes back cancelled and is freed. */
	if (r->pool != NULL)
		work_free(r->pool);
	if (r->slice != NULL)
		event_free(r->slice);
	if (r->age != NULL)
		event_free(r->age);
	if (r->retry != NULL)
		event_free(r->retry);
	store_set_classify(r->d->store, NULL);
	classify_free(r->cl);
	free(r);
}

/* Starts a pass over every stored entry with the rules of CONF. */
static int
reclass_pass_start(struct reclass *r, const struct conf *conf)
{
	struct reclass_pass	*p;
	size_t			 n = classify_count(r->cl);
	char			*err = NULL;

	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->affected = calloc(n + 1, 1)) == NULL ||
	    (p->touched = calloc(n + 1, 1)) == NULL ||
	    (p->slot = calloc((size_t)r->threads, sizeof *p->slot)) == NULL)
		goto oom;
	p->r = r;
	p->now = daemon_now();
	p->started = p->bumped = mono_usec();
	/* Slots not filled yet are empty: freeing the pass frees the rest. */
	p->nslot = (size_t)r->threads;
	for (size_t k = 0; k < p->nslot; k++)
		if ((p->slot[k].cl = classify_new(conf, &err)) == NULL ||
		    (p->slot[k].rd = store_reclass_reader_open(r->d->store,
		    &err)) == NULL)
			goto fail;
	/* The newest entry at the start: ranges go down from it. */
	if ((p->next = store_reclass_last(r->d->store)) == -1) {
		err = strdup("cannot read the newest entry");
		goto fail;
	}
	/*
	 * Until the pass ends the affected categories count as unsorted, so
	 * a reload or a restart in between sorts them again, whatever the
	 * rules by then.
	 */
	if (store_reclass_affected(r->d->store, r->cl, p->affected) == -1 ||
	    store_reclass_forget(r->d->store, r->cl, p->affected) == -1) {
		err = strdup("cannot read or write the recorded rules");
		goto fail;
	}
	r->pass = p;
	reclass_feed(r, p);
	if (r->pass == NULL)
		return -1;
	/* No entries at all: the rules are the stored ones already. */
	if (p->inflight == 0)
		reclass_pass_done(r, p);
	return 0;
oom:
	err = NULL;
fail:
	log_warnx("categories: cannot re-sort: %s", err != NULL ? err :
	    "out of memory");
	free(err);
	if (p != NULL)
		reclass_pass_free(p);
	return -1;
}

int
reclass_apply(struct reclass *r, const struct conf *conf)
{
	struct classify	*cl;
	char		*err = NULL;
	int		 pending;

	if ((cl = classify_new(conf, &err)) == NULL) {
		log_warnx("categories: %s; keeping the previous rules",
		    err != NULL ? err : "out of memory");
		free(err);
		return -1;
	}
	/* A pass under way starts over: earlier entries saw older rules. */
	reclass_pass_stop(r);
	evtimer_del(r->retry);
	/* Nothing else holds the old rules: store only uses them in calls. */
	store_set_classify(r->d->store, cl);
	classify_free(r->cl);
	r->cl = cl;
	if (classify_unfiltered(cl) > 0)
		log_debug("categories: %zu patterns have no literal word to "
		    "prefilter on and run on every entry",
		    classify_unfiltered(cl));

	/* The rules are in force; a database that cannot sort now retries. */
	if ((pending = store_reclass_pending(r->d->store, cl)) == -1) {
		reclass_fail(r);
		return 0;
	}
	if (pending == 0)
		return 0;
	log_info("categories: rules of %d categor%s changed, re-sorting "
	    "stored entries in the background", pending,
	    pending == 1 ? "y" : "ies");
	if (reclass_pass_start(r, conf) == -1)
		reclass_fail(r);
	return 0;
}

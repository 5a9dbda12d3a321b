/* sched: per-source timers, jitter, backoff, spreading; see sched.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "poll.h"
#include "sched.h"
#include "store.h"

struct sched_src {
	struct sched	*s;
	char		*name;
	struct event	*timer;
	struct poll_job	*job;		/* poll in flight, or NULL */
	int64_t		 next;		/* wall clock of the next poll */
	int		 done_once;	/* --once: polled */
};

struct sched {
	struct daemon		*d;
	struct sched_src	**v;	/* sorted by name */
	size_t			 n;
	size_t			 once_left;
	int			 busy;
};

static double
sched_random(void)
{
	return (double)arc4random() / 4294967296.0;
}

int64_t
sched_next(int64_t now, int64_t interval, int failures, int64_t retry_after,
    double r)
{
	int64_t	delay, base, ceiling;

	if (failures <= 0)
		delay = interval;
	else {
		/* Exponential from min(interval, 60s), capped. */
		base = interval < 60 ? interval : 60;
		ceiling = interval > SCHED_BACKOFF_MAX ? interval :
		    SCHED_BACKOFF_MAX;
		delay = base;
		for (int i = 1; i < failures && delay < ceiling; i++)
			delay *= 2;
		if (delay > ceiling)
			delay = ceiling;
	}
	/* +-10% jitter so sources on one schedule drift apart. */
	delay += (int64_t)((r - 0.5) * 0.2 * (double)delay);
	if (delay < 1)
		delay = 1;
	if (retry_after > now + delay)
		return retry_after;
	return now + delay;
}

static int
sched_cmp(const void *a, const void *b)
{
	const struct sched_src *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static struct sched_src *
sched_find(const struct sched *s, const char *name)
{
	size_t	lo = 0, hi = s->n, mid;
	int	c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(name, s->v[mid]->name)) == 0)
			return s->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void
sched_arm(struct sched_src *src, int64_t when)
{
	struct timeval	tv;
	int64_t		now = daemon_now(), d;

	src->next = when;
	d = when > now ? when - now : 0;
	tv.tv_sec = d;
	tv.tv_usec = d == 0 ? (long)(sched_random() * 100000) : 0;
	evtimer_add(src->timer, &tv);
}

static void
sched_fire(evutil_socket_t fd, short what, void *arg)
{
	struct sched_src	*src = arg;
	struct sched		*s = src->s;
	const struct conf_source *cs;

	(void)fd;
	(void)what;
	if (src->job != NULL)
		return;		/* still polling: sched_done re-arms */
	s->busy++;
	if ((src->job = poll_start(s->d, src->name)) != NULL)
		return;
	s->busy--;
	cs = conf_source(s->d->conf, src->name);
	sched_done(s, src->name, daemon_now() + (cs != NULL ? cs->interval :
	    s->d->conf->interval));
}

static void
sched_src_free(struct sched_src *src)
{
	if (src->job != NULL) {
		poll_cancel(src->job);
		src->s->busy--;
	}
	if (src->timer != NULL)
		event_free(src->timer);
	free(src->name);
	free(src);
}

struct sched *
sched_new(struct daemon *d)
{
	struct sched	*s;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	s->d = d;
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		sched_src_free(s->v[i]);
	free(s->v);
	free(s);
}

/* When a source first runs: its stored schedule, else spread over a window. */
static int64_t
sched_first(struct sched *s, const char *name, int64_t now, int64_t window)
{
	struct store_state	st;
	int64_t			when;

	when = now + (int64_t)(sched_random() * (double)window);
	if (s->d->once)
		return now;
	if (store_state(s->d->store, name, &st) == 0) {
		if (st.next_poll > now)
			when = st.next_poll;
		store_state_clear(&st);
	}
	return when;
}

int
sched_apply(struct sched *s, const struct conf *conf)
{
	struct sched_src	**v, *src;
	size_t			  n = 0, added = 0;
	int64_t			  now = daemon_now(), window;

	if ((v = calloc(conf->nsources + 1, sizeof *v)) == NULL)
		return -1;
	/* Spread over 0.1 s per source, at most SCHED_SPREAD seconds. */
	window = (int64_t)conf->nsources / 10;
	if (window > SCHED_SPREAD)
		window = SCHED_SPREAD;
	for (size_t i = 0; i < conf->nsources; i++) {
		const char *name = conf->sources[i].name;

		if ((src = sched_find(s, name)) != NULL) {
			v[n++] = src;
			continue;
		}
		if ((src = calloc(1, sizeof *src)) == NULL ||
		    (src->name = strdup(name)) == NULL ||
		    (src->timer = evtimer_new(s->d->base, sched_fire,
		    src)) == NULL) {
			if (src != NULL) {
				free(src->name);
				free(src);
			}
			for (size_t j = 0; j < n; j++)
				if (sched_find(s, v[j]->name) != v[j])
					sched_src_free(v[j]);
			free(v);
			return -1;
		}
		src->s = s;
		sched_arm(src, sched_first(s, name, now, window));
		v[n++] = src;
		added++;
	}
	qsort(v, n, sizeof *v, sched_cmp);

	/* Whatever the new config lost is cancelled, polls in flight too. */
	for (size_t i = 0; i < s->n; i++) {
		src = s->v[i];
		if (conf_source(conf, src->name) == NULL) {
			log_info("source %s: no longer polled", src->name);
			sched_src_free(src);
		}
	}
	free(s->v);
	s->v = v;
	s->n = n;
	if (s->d->once)
		s->once_left = n;
	if (added > 0)
		log_info("sched: %zu sources, %zu new", n, added);
	return 0;
}

void
sched_done(struct sched *s, const char *name, int64_t next)
{
	struct sched_src	*src;

	if ((src = sched_find(s, name)) == NULL)
		return;
	if (src->job != NULL) {
		src->job = NULL;
		s->busy--;
	}
	if (s->d->once) {
		if (!src->done_once) {
			src->done_once = 1;
			if (--s->once_left == 0)
				daemon_once_done(s->d);
		}
		return;
	}
	sched_arm(src, next);
}

int
sched_now(struct sched *s, const char *name)
{
	struct sched_src	*src;

	if ((src = sched_find(s, name)) == NULL)
		return -1;
	if (src->job == NULL)
		sched_arm(src, daemon_now());
	return 0;
}

int
sched_busy(const struct sched *s)
{
	return s->busy;
}

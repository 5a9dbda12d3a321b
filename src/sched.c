/* sched: per-source timers, jitter, backoff, spreading; see sched.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "doc.h"
#include "jitter.h"
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
	uint64_t		 rng;		/* jitter.h */
};

static double
sched_random(struct sched *s)
{
	return jitter_next(&s->rng);
}

int64_t
sched_next(int64_t now, int64_t interval, int failures, int64_t retry_after,
    int64_t ceiling, double r)
{
	int64_t	delay, base;

	if (failures <= 0)
		delay = interval;
	else {
		/* Exponential from min(interval, 60s), capped. */
		base = interval < 60 ? interval : 60;
		if (ceiling < interval)
			ceiling = interval;
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

static int64_t
clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int64_t
sched_delay(const struct sched_hints *h)
{
	int64_t	i = h->interval > 0 ? h->interval : 1, lo, hi, a, f;

	/* A configured interval outside the bounds is kept as configured. */
	lo = h->min_interval < i ? h->min_interval : i;
	hi = h->max_interval > i ? h->max_interval : i;
	if (lo < 1)
		lo = 1;

	/* The observed rate: busy sources more often, quiet ones less. */
	if (h->entries <= 0)
		a = i;
	else if (h->recent <= 0)
		a = i * SCHED_ADAPT;
	else
		a = clamp64(SCHED_RATE_WINDOW / h->recent / 2, i / SCHED_ADAPT,
		    i * SCHED_ADAPT);

	/* The publisher's hints say how long a copy stays fresh. */
	f = h->http_fresh > h->feed_hint ? h->http_fresh : h->feed_hint;
	return clamp64(a > f ? a : f, lo, hi);
}

/* 1 when wall-clock time T falls in a skipped hour or day. */
static int
sched_skipped(int64_t t, uint32_t hours, uint8_t days)
{
	int	hour = (int)((t / 3600) % 24);
	/* 1970-01-01: Thursday */
	int	day = (int)((t / 86400 + 4) % 7);

	return (hours & (1u << hour)) != 0 || (days & (1u << day)) != 0;
}

int64_t
sched_fresh(int64_t now, const struct sched_hints *h, double r)
{
	int64_t		d = sched_delay(h), hi, t;
	uint32_t	hours = h->skip_hours & 0xffffff;
	uint8_t		days = h->skip_days & 0x7f;

	hi = h->max_interval > h->interval ? h->max_interval : h->interval;
	/* +-10% jitter so sources on one schedule drift apart. */
	d += (int64_t)((r - 0.5) * 0.2 * (double)d);
	if (d < 1)
		d = 1;
	t = now + d;
	/* A publisher skipping every hour or day means nothing: ignore it. */
	if (hours == 0xffffff || days == 0x7f)
		return t;
	while (sched_skipped(t, hours, days) && t < now + hi)
		t = (t / 3600 + 1) * 3600;
	return t < now + hi ? t : now + hi;
}

int64_t
sched_feed_hint(const struct doc_feed *f)
{
	static const struct {
		const char	*name;
		int64_t		 secs;
	} periods[] = {
		{ "hourly", 3600 }, { "daily", 86400 }, { "weekly", 7 * 86400 },
		{ "monthly", 30 * 86400 }, { "yearly", 365 * 86400 },
	};
	int64_t	hint = 0, p;

	/* ttl is minutes; a year is more than any bound allows anyway. */
	if (f->ttl > 0 && f->ttl < 366LL * 24 * 60)
		hint = f->ttl * 60;
	if (f->sy_period != NULL) {
		for (size_t i = 0; i < sizeof periods / sizeof periods[0];
		    i++) {
			if (strcasecmp(f->sy_period, periods[i].name) != 0)
				continue;
			p = periods[i].secs;
			if (f->sy_frequency > 0 && f->sy_frequency < 1000000)
				p /= f->sy_frequency;
			if (p > hint)
				hint = p;
		}
	}
	return hint;
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
	/*
	 * Whole seconds from now, so a gap of D seconds computed from this
	 * second is never shorter at the server (fetch rounds a Retry-After
	 * up to the next second for the same reason).
	 */
	d = when > now ? when - now : 0;
	tv.tv_sec = d;
	tv.tv_usec = d == 0 ? (long)(sched_random(src->s) * 100000) : 0;
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
	s->rng = jitter_seed();
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

/* How the sources armed by one sched_apply start, for its log line. */
struct sched_starts {
	size_t	resumed;	/* at their stored next poll */
	size_t	due;		/* now, spread over the window */
	size_t	retired;
};

/*
 * When a source first runs: its stored schedule, else spread over a
 * window; 0 when it is retired (410 Gone) and not to be polled.
 */
static int64_t
sched_first(struct sched *s, const char *name, int64_t now, int64_t window,
    struct sched_starts *ss)
{
	int64_t	when, next;
	int	retired, resumed = 0;

	when = now + (int64_t)(sched_random(s) * (double)window);
	if (store_schedule(s->d->store, name, &next, &retired) == 0) {
		if (retired)
			when = 0;
		else if (next > now && !s->d->once) {
			when = next;
			resumed = 1;
		}
	}
	if (when != 0 && s->d->once)
		when = now;
	if (when == 0)
		ss->retired++;
	else if (resumed)
		ss->resumed++;
	else
		ss->due++;
	return when;
}

/* Arms SRC for its first poll, or says why it is not polled. */
static void
sched_start(struct sched *s, struct sched_src *src, int64_t now,
    int64_t window, struct sched_starts *ss)
{
	int64_t	when = sched_first(s, src->name, now, window, ss);

	if (when != 0) {
		sched_arm(src, when);
		return;
	}
	log_info("source %s: gone (HTTP 410), not polled until its url "
	    "changes", src->name);
	if (s->d->once)
		src->done_once = 1;
}

int
sched_apply(struct sched *s, const struct conf *conf)
{
	struct sched_src	**v, *src;
	struct sched_starts	  ss = { 0, 0, 0 };
	size_t			  n = 0, added = 0;
	int			  first = s->v == NULL;
	int64_t			  now = daemon_now(), window;

	if ((v = calloc(conf->nsources + 1, sizeof *v)) == NULL)
		return -1;
	/* Spread over 0.1 s per source, at most SCHED_SPREAD seconds. */
	window = (int64_t)conf->nsources / 10;
	if (window > SCHED_SPREAD)
		window = SCHED_SPREAD;
	/* One read transaction for every source's stored schedule. */
	store_read_begin(s->d->store);
	for (size_t i = 0; i < conf->nsources; i++) {
		const char *name = conf->sources[i].name;

		if ((src = sched_find(s, name)) != NULL) {
			/* A retired source whose URL changed polls again. */
			if (src->job == NULL &&
			    !evtimer_pending(src->timer, NULL))
				sched_start(s, src, now, window, &ss);
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
			store_read_end(s->d->store);
			for (size_t j = 0; j < n; j++)
				if (sched_find(s, v[j]->name) != v[j])
					sched_src_free(v[j]);
			free(v);
			return -1;
		}
		src->s = s;
		sched_start(s, src, now, window, &ss);
		v[n++] = src;
		added++;
	}
	store_read_end(s->d->store);
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
	if (s->d->once) {
		s->once_left = 0;
		for (size_t i = 0; i < n; i++)
			s->once_left += !v[i]->done_once;
		if (s->once_left == 0)
			daemon_once_done(s->d);
	}
	/*
	 * Whether a restart resumed the schedule or polls everything at once
	 * is what an operator wants to know here.
	 */
	if (added > 0) {
		char	was[32] = "", due[64] = "", resumed[64] = "";
		char	retired[48] = "";

		if (!first)
			snprintf(was, sizeof was, ", %zu added", added);
		if (ss.due > 0 && (s->d->once || window == 0))
			snprintf(due, sizeof due, ", %zu due now", ss.due);
		else if (ss.due > 0)
			snprintf(due, sizeof due, ", %zu due (spread over %lld "
			    "s)", ss.due, (long long)window);
		if (ss.resumed > 0)
			snprintf(resumed, sizeof resumed, ", %zu resume their "
			    "stored schedule", ss.resumed);
		if (ss.retired > 0)
			snprintf(retired, sizeof retired, ", %zu retired "
			    "(HTTP 410)", ss.retired);
		log_info("sched: %zu sources%s%s%s%s", n, was, due, resumed,
		    retired);
	}
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
	if (next > 0)
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

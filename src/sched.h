/*
 * sched: when each source is polled next.  One timer per configured source
 * on the loop; a due timer asks poll to run the source, and poll reports the
 * outcome back with sched_done.  Owns the schedule policy: after a
 * success the publisher's freshness signals (HTTP max-age/Expires, RSS ttl,
 * sy:updatePeriod/Frequency, skipHours/skipDays) and the source's observed
 * publishing rate combined within its min/max bounds, with jitter; after a
 * failure exponential backoff up to a ceiling, or Retry-After; and first
 * polls spread over a window so a start or a reload never stampedes the
 * publishers.  The schedule is persisted by store (next_poll) so a restart
 * resumes it; a retired (410) source is not scheduled.
 */
#ifndef FEEDMUX_SCHED_H
#define FEEDMUX_SCHED_H

#include <stdint.h>

struct conf;
struct daemon;
struct doc_feed;
struct sched;

/* First polls of sources never polled before are spread over this window. */
#define SCHED_SPREAD		30
/* Failures back off from min(interval, 60s), doubling, up to a ceiling. */
#define SCHED_BACKOFF_MAX	(6 * 3600)	/* the default ceiling */

struct sched	*sched_new(struct daemon *);
void		 sched_free(struct sched *);

/*
 * Brings the schedule in line with CONF: new sources are scheduled (resuming
 * their stored next_poll, else spread), removed ones cancelled (with any
 * poll in flight).  -1 when out of memory.
 */
int		 sched_apply(struct sched *, const struct conf *);

/*
 * Poll records a finished poll of NAME and when it should run next; NEXT
 * 0 leaves the source unscheduled (retired) until a reload changes it.
 */
void		 sched_done(struct sched *, const char *name, int64_t next);

/* Polls NAME as soon as possible; -1 when unknown. */
int		 sched_now(struct sched *, const char *name);

/* Sources due or polling right now. */
int		 sched_busy(const struct sched *);

/*
 * Policy, pure: the next poll time after a poll at NOW for a source with
 * INTERVAL seconds and FAILURES consecutive failures (0: plain interval),
 * backing off up to max(CEILING, INTERVAL), with RETRY_AFTER (absolute
 * time, 0 if none) honoured; R is a random value in [0, 1) for the jitter.
 */
int64_t		 sched_next(int64_t now, int64_t interval, int failures,
		     int64_t retry_after, int64_t ceiling, double r);

/* What the next poll after a successful one depends on. */
struct sched_hints {
	int64_t		 interval;	/* configured */
	int64_t		 min_interval;	/* configured bounds */
	int64_t		 max_interval;
	int64_t		 http_fresh;	/* seconds: max-age/Expires; 0 none */
	int64_t		 feed_hint;	/* seconds: ttl or sy:update*; 0 none */
	int64_t		 entries;	/* stored; 0: publishing rate unknown */
	int		 recent;	/* entries dated within the last week */
	uint32_t	 skip_hours;	/* bit h: hour h (UTC) */
	uint8_t		 skip_days;	/* bit d: day d, 0 = Sunday */
};

/* Quiet sources wait up to this many intervals; busy ones down to 1/this. */
#define SCHED_ADAPT		4
/* The window the publishing rate is counted over. */
#define SCHED_RATE_WINDOW	(7 * 86400)

/*
 * Policy, pure: the next poll time after a successful poll at NOW (the
 * formula is in the README, "Polling policy"); R in [0, 1) for the jitter.
 */
int64_t		 sched_fresh(int64_t now, const struct sched_hints *, double r);

/* The delay between polls before jitter and skip hours, for tests and logs. */
int64_t		 sched_delay(const struct sched_hints *);

/*
 * A document's own hint (RSS ttl,
 * sy:updatePeriod/Frequency) in seconds; 0 none.
 */
int64_t		 sched_feed_hint(const struct doc_feed *);

#endif

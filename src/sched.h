/*
 * sched: when each source is polled next.  One timer per configured source
 * on the loop; a due timer asks poll to run the source, and poll reports the
 * outcome back with sched_done.  Owns the schedule policy: the interval
 * with jitter, exponential backoff on failure up to a ceiling, Retry-After,
 * and spreading first polls over a window so a start or a reload never
 * stampedes the publishers.  The schedule is persisted by store (next_poll)
 * so a restart resumes it.
 */
#ifndef FEEDMUX_SCHED_H
#define FEEDMUX_SCHED_H

#include <stdint.h>

struct conf;
struct daemon;
struct sched;

/* First polls of sources never polled before are spread over this window. */
#define SCHED_SPREAD		30
/* Failures back off from min(interval, 60s), doubling, up to this ceiling. */
#define SCHED_BACKOFF_MAX	(6 * 3600)

struct sched	*sched_new(struct daemon *);
void		 sched_free(struct sched *);

/*
 * Brings the schedule in line with CONF: new sources are scheduled (resuming
 * their stored next_poll, else spread), removed ones cancelled (with any
 * poll in flight).  -1 when out of memory.
 */
int		 sched_apply(struct sched *, const struct conf *);

/* Poll records a finished poll of NAME and when it should run next. */
void		 sched_done(struct sched *, const char *name, int64_t next);

/* Polls NAME as soon as possible; -1 when unknown. */
int		 sched_now(struct sched *, const char *name);

/* Sources due or polling right now. */
int		 sched_busy(const struct sched *);

/*
 * Policy, pure: the next poll time after a poll at NOW for a source with
 * INTERVAL seconds and FAILURES consecutive failures (0 after a success),
 * with RETRY_AFTER (absolute time, 0 if none) honoured; R is a random
 * value in [0, 1) for the jitter.
 */
int64_t		 sched_next(int64_t now, int64_t interval, int failures,
		     int64_t retry_after, double r);

#endif

/*
 * host: per-host politeness, as pure bookkeeping.  A table of host names,
 * each with the transfers it has in flight, the earliest time its next
 * request may start, its recent throttling, whether it was last seen to
 * multiplex (HTTP/2), and a FIFO of the work waiting for it.  host_next
 * hands out the next piece of work whose host may start now (ready hosts
 * take turns, so one busy host never holds up the others; hosts not
 * started yet go first while the caller can keep a connection open for
 * every host started) and host_wake says when the next sleeping host
 * becomes ready.  Hosts
 * idle for long are forgotten, so the table stays bounded.  Times
 * (milliseconds on a monotonic clock) and random numbers are passed in: the
 * room has no clock, no loop and no global state, so fetch drives it and
 * the unit tests drive it the same way.
 */
#ifndef FEEDMUX_HOST_H
#define FEEDMUX_HOST_H

#include <stddef.h>
#include <stdint.h>

struct host;
struct host_table;

/* Politeness for every host. */
struct host_limits {
	int		 connections;	/* requests in flight to one host */
	int64_t		 delay_ms;	/* least gap between two starts */
	long		 keep;		/* hosts whose connection stays open */
};

/*
 * Each gap gets this fraction more, and up to HOST_JITTER more at random:
 * the margin keeps the gap whole at the server despite network jitter.
 */
#define HOST_MARGIN		0.05
#define HOST_JITTER		0.20
/* Throttled answers (429/503) from this many sources within ... */
#define HOST_SLOW_SOURCES	2
/* ... this window slow the whole host ... */
#define HOST_SLOW_WINDOW_MS	(10 * 60 * 1000LL)
/* ... for this long after the last one, ... */
#define HOST_SLOW_FOR_MS	(30 * 60 * 1000LL)
/* ... multiplying its gap by 2 per throttled source, up to this factor. */
#define HOST_SLOW_FACTOR_MAX	16
/* A Retry-After held host-wide never reaches further than this. */
#define HOST_HOLD_MAX_MS	(6 * 3600 * 1000LL)
/* A slowed host's gap is at least this, even with host_delay = 0. */
#define HOST_SLOW_GAP_MIN_MS	1000
/*
 * A host with nothing waiting or in flight, no gap or slowdown left to
 * honour, and no request for this long is forgotten (it starts afresh if
 * it comes back), so the table holds the hosts in use, not every host
 * ever polled.  The table is swept at least this often, and whenever it
 * has doubled (from HOST_PRUNE_MIN) since the last sweep.
 */
#define HOST_FORGET_MS		HOST_SLOW_FOR_MS
#define HOST_PRUNE_MIN		1024

/*
 * A piece of waiting work, embedded by the caller (an intrusive link);
 * owned by the table between host_push and host_next or host_cancel.
 */
struct host_wait {
	struct host_wait	*next;
	struct host_wait	*prev;
	struct host		*host;
	void			*item;
};

/* Table; NULL when out of memory.  Freeing forgets waiting work. */
struct host_table	*host_table_new(const struct host_limits *);
void			 host_table_free(struct host_table *);
void			 host_table_set_limits(struct host_table *,
			     const struct host_limits *);

/*
 * Queues ITEM for host NAME (lower-cased by the caller) at time NOW; W is
 * the caller's link.  -1 when out of memory.
 */
int		 host_push(struct host_table *, const char *name,
		     struct host_wait *w, void *item, int64_t now);

/* Takes W out of its queue before it started. */
void		 host_cancel(struct host_table *, struct host_wait *w,
		     int64_t now);

/*
 * The next waiting item whose host may start at NOW, marked as started
 * (its host's in-flight count and next start time updated, with R in
 * [0, 1) for the jitter), or NULL when none may start yet.  *HOSTP is set
 * to the host, to pass to host_done when the request ends.
 */
void		*host_next(struct host_table *, int64_t now, double r,
		     struct host **hostp);

/*
 * The request started by host_next is being sent now (its connection is
 * up): the gap counts from here, so a slow connect of one request never
 * brings the next closer to it at the server.
 */
void		 host_sent(struct host_table *, struct host *, int64_t now);

/* A request started by host_next ended. */
void		 host_done(struct host_table *, struct host *, int64_t now);

/*
 * Milliseconds from NOW until host_next may return something (0 when it
 * may now), or -1 when nothing waits that time alone will release.
 */
int64_t		 host_wake(const struct host_table *, int64_t now);

/*
 * Host H answered 429/503 to the source whose name hashes to WHO, asking
 * to come back at RETRY_MS (0 if it did not say).  Returns the factor by
 * which the host is slowed now (1: not slowed), for the log.
 */
int		 host_throttled(struct host_table *, struct host *,
		     uint64_t who, int64_t now, int64_t retry_ms);

/* The host's name, and its current gap factor (1 unless slowed). */
const char	*host_name(const struct host *);
int		 host_slow_factor(const struct host *, int64_t now);
/* Requests waiting for host H (those in flight not counted). */
size_t		 host_queued(const struct host *);
/*
 * Whether host H last answered over HTTP/2, as its caller learnt it (0
 * for a new or forgotten host): then its requests can share a connection.
 */
int		 host_multiplexes(const struct host *);
void		 host_set_multiplexes(struct host *, int);

/* Forgets the hosts idle for HOST_FORGET_MS at NOW; how many went. */
size_t		 host_prune(struct host_table *, int64_t now);

/* Counters: hosts known, items waiting. */
size_t		 host_count(const struct host_table *);
size_t		 host_waiting(const struct host_table *);

#endif

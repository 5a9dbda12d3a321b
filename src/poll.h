/*
 * poll: one poll of one source, end to end.  The only room that knows the
 * pipeline's order, which reads top to bottom in poll_fetched: fetch with
 * the stored validators (read with those of the other polls started on
 * the same loop turn, in one read transaction), then parse, then store
 * (with the other polls finished on the same loop turn, in one commit),
 * then tell sched when to come back.  Beginning and storing go a few
 * milliseconds per turn, and fetching pauses while documents wait to be
 * parsed or stored.  A poll in flight is owned by sched's entry for the
 * source and cancelled with it.
 */
#ifndef FEEDMUX_POLL_H
#define FEEDMUX_POLL_H

struct daemon;
struct poll_job;

/*
 * Starts polling NAME, from a fresh turn of the loop; NULL when it could
 * not start (logged).  One that fails later, on that turn, is handed back
 * with sched_done and the source's interval.
 */
struct poll_job	*poll_start(struct daemon *, const char *name);

/* Cancels a poll in flight; sched_done is not called for it. */
void		 poll_cancel(struct poll_job *);

/*
 * The queues where polls wait to begin and to be stored together
 * (d->polls); -1 when out of memory.  poll_free comes after sched_free.
 */
int		 poll_init(struct daemon *);
void		 poll_free(struct daemon *);

#endif

/*
 * work: a small pool of worker threads for the pure stages of the pipeline
 * (parsing and sanitizing a fetched document), so that the loop keeps
 * driving transfers and storing while documents are parsed on other cores.
 * A job's function runs on a worker and must touch nothing but its own
 * argument (pure rooms only: no loop, no store, no log); its done callback
 * runs afterwards on the loop, in the order jobs finish.  The pool owns
 * queued and finished jobs until their done callback has run; with no
 * threads, jobs run on the loop from a fresh turn, in the same way.
 */
#ifndef FEEDMUX_WORK_H
#define FEEDMUX_WORK_H

struct event_base;
struct work;
struct work_job;

/* Runs on a worker thread. */
typedef void	(*work_fn)(void *arg);
/* Runs on the loop once FN has run, or with CANCELLED 1 if it never will. */
typedef void	(*work_done_fn)(void *arg, int cancelled);

/* Most worker threads. */
#define WORK_THREADS_MAX	16

/* A pool of THREADS workers (0: run jobs on the loop); NULL on failure. */
struct work	*work_new(struct event_base *, int threads);

/*
 * Stops the workers once they finish the job at hand; every job not yet
 * delivered gets its done callback with CANCELLED 1 (or 0 when it ran).
 */
void		 work_free(struct work *);

/* Queues FN(ARG) then DONE(ARG, 0); NULL when out of memory. */
struct work_job	*work_submit(struct work *, work_fn fn, work_done_fn done,
		     void *arg);

/* Jobs queued or running. */
int		 work_pending(const struct work *);

#endif

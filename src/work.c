/* work: worker threads for the pure pipeline stages; see work.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "work.h"

struct work_job {
	work_fn			 fn;
	work_done_fn		 done;
	void			*arg;
	struct work_job		*next;
};

/* A FIFO of jobs. */
struct work_list {
	struct work_job		*head, *tail;
};

struct work {
	struct event_base	*base;
	int			 nthreads;
	pthread_t		 th[WORK_THREADS_MAX];
	pthread_mutex_t		 mu;		/* guards lists and stopping */
	pthread_cond_t		 cv;
	struct work_list	 todo;		/* to run */
	/* ran, to deliver on the loop */
	struct work_list	 done;
	int			 stopping;
	/* loop side: submitted, not delivered */
	int			 pending;
	int			 pipe[2];	/* workers wake the loop */
	struct event		*ev;
};

static void
work_push(struct work_list *l, struct work_job *j)
{
	j->next = NULL;
	if (l->tail != NULL)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
}

static struct work_job *
work_pop(struct work_list *l)
{
	struct work_job	*j;

	if ((j = l->head) != NULL && (l->head = j->next) == NULL)
		l->tail = NULL;
	return j;
}

/* A worker: runs jobs until the pool stops. */
static void *
work_main(void *arg)
{
	struct work	*w = arg;
	struct work_job	*j;
	int		 wake;
	char		 c = 1;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stopping && w->todo.head == NULL)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stopping)
			break;
		j = work_pop(&w->todo);
		pthread_mutex_unlock(&w->mu);
		j->fn(j->arg);
		pthread_mutex_lock(&w->mu);
		/* One byte per batch: the loop takes the whole list. */
		wake = w->done.head == NULL;
		work_push(&w->done, j);
		if (wake)
			while (write(w->pipe[1], &c, 1) == -1 && errno == EINTR)
				;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* On the loop: deliver what the workers finished (or run jobs, threadless). */
static void
work_ready_cb(evutil_socket_t fd, short what, void *arg)
{
	struct work	*w = arg;
	struct work_list done;
	struct work_job	*j;
	char		 buf[64];

	(void)what;
	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&w->mu);
	if (w->nthreads == 0) {
		while ((j = work_pop(&w->todo)) != NULL) {
			j->fn(j->arg);
			work_push(&w->done, j);
		}
	}
	done = w->done;
	w->done.head = w->done.tail = NULL;
	pthread_mutex_unlock(&w->mu);
	while ((j = work_pop(&done)) != NULL) {
		w->pending--;
		j->done(j->arg, 0);
		free(j);
	}
}

struct work *
work_new(struct event_base *base, int threads)
{
	struct work	*w;

	if ((w = calloc(1, sizeof *w)) == NULL)
		return NULL;
	w->base = base;
	w->pipe[0] = w->pipe[1] = -1;
	if (threads < 0)
		threads = 0;
	if (threads > WORK_THREADS_MAX)
		threads = WORK_THREADS_MAX;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pipe2(w->pipe, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    (w->ev = event_new(base, w->pipe[0], EV_READ | EV_PERSIST,
	    work_ready_cb, w)) == NULL || event_add(w->ev, NULL) == -1) {
		work_free(w);
		return NULL;
	}
	for (; w->nthreads < threads; w->nthreads++) {
		if (pthread_create(&w->th[w->nthreads], NULL, work_main,
		    w) != 0)
			break;
	}
	return w;
}

void
work_free(struct work *w)
{
	struct work_job	*j;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (int i = 0; i < w->nthreads; i++)
		pthread_join(w->th[i], NULL);
	/* Alone now: hand every job back so its owner can free it. */
	while ((j = work_pop(&w->done)) != NULL) {
		j->done(j->arg, 0);
		free(j);
	}
	while ((j = work_pop(&w->todo)) != NULL) {
		j->done(j->arg, 1);
		free(j);
	}
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->pipe[0] != -1)
		close(w->pipe[0]);
	if (w->pipe[1] != -1)
		close(w->pipe[1]);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

struct work_job *
work_submit(struct work *w, work_fn fn, work_done_fn done, void *arg)
{
	struct work_job	*j;

	if ((j = calloc(1, sizeof *j)) == NULL)
		return NULL;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	w->pending++;
	pthread_mutex_lock(&w->mu);
	work_push(&w->todo, j);
	if (w->nthreads > 0)
		pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	/* Threadless: run it from a fresh loop turn, never from our caller. */
	if (w->nthreads == 0)
		event_active(w->ev, EV_READ, 0);
	return j;
}

int
work_pending(const struct work *w)
{
	return w->pending;
}

/* host: per-host politeness bookkeeping, pure; see host.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "host.h"

#define HOST_RING	8	/* throttled sources remembered per host */

enum host_state {
	HOST_IDLE,		/* nothing waits */
	HOST_READY,		/* in the ready list */
	HOST_SLEEP,		/* in the heap until next_ok */
	HOST_FULL,		/* waits for one of its requests to end */
};

struct host {
	char			*name;
	struct host		*hnext;		/* hash chain */
	enum host_state		 state;
	int			 inflight;
	int64_t			 next_ok;	/* earliest next start */
	struct host_wait	*head, *tail;	/* waiting work, FIFO */
	size_t			 nwait;
	int			 midway;	/* started, more waiting */
	struct host		*rnext, *rprev;	/* ready list */
	size_t			 heapi;		/* index in the heap */
	struct {
		uint64_t	 who;
		int64_t		 at;
	}			 thr[HOST_RING];
	int			 thrpos;
	int			 nthr;
	/* of the last start, for host_sent */
	double			 jitter;
	int			 slow;		/* gap factor while slowed */
	int64_t			 slow_until;
	int64_t			 used;		/* last push, start or end */
	int			 multiplexes;	/* last answered over HTTP/2 */
};

struct host_table {
	struct host_limits	 lim;
	struct host		**bucket;
	size_t			 nbucket;
	size_t			 nhosts;
	size_t			 waiting;
	/* hosts started, more waiting */
	size_t			 midway;
	struct host		*rhead, *rtail;
	struct host		**heap;
	size_t			 nheap, heapsize;
	size_t			 prune_at;	/* sweep when nhosts hits it */
	/* sweep at the first end after it */
	int64_t			 sweep_at;
};

struct host_table *
host_table_new(const struct host_limits *lim)
{
	struct host_table	*t;

	if ((t = calloc(1, sizeof *t)) == NULL)
		return NULL;
	t->nbucket = 256;
	if ((t->bucket = calloc(t->nbucket, sizeof *t->bucket)) == NULL) {
		free(t);
		return NULL;
	}
	t->prune_at = HOST_PRUNE_MIN;
	host_table_set_limits(t, lim);
	return t;
}

void
host_table_free(struct host_table *t)
{
	struct host	*h, *next;

	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nbucket; i++) {
		for (h = t->bucket[i]; h != NULL; h = next) {
			next = h->hnext;
			free(h->name);
			free(h);
		}
	}
	free(t->bucket);
	free(t->heap);
	free(t);
}

void
host_table_set_limits(struct host_table *t, const struct host_limits *lim)
{
	t->lim = *lim;
	if (t->lim.connections < 1)
		t->lim.connections = 1;
	if (t->lim.delay_ms < 0)
		t->lim.delay_ms = 0;
	if (t->lim.keep < 0)
		t->lim.keep = 0;
}

/* Doubles the hash table so chains stay short. */
static void
host_rehash(struct host_table *t)
{
	struct host	**nb, *h, *next;
	size_t		  n = t->nbucket * 2, i;

	if ((nb = calloc(n, sizeof *nb)) == NULL)
		return;		/* longer chains, still correct */
	for (i = 0; i < t->nbucket; i++) {
		for (h = t->bucket[i]; h != NULL; h = next) {
			next = h->hnext;
			h->hnext = nb[fnv_str(h->name) & (n - 1)];
			nb[fnv_str(h->name) & (n - 1)] = h;
		}
	}
	free(t->bucket);
	t->bucket = nb;
	t->nbucket = n;
}

/* 1 when H may be forgotten at NOW: unused, and nothing left to honour. */
static int
host_forgettable(const struct host *h, int64_t now)
{
	return h->state == HOST_IDLE && h->nwait == 0 && h->inflight == 0 &&
	    now - h->used >= HOST_FORGET_MS && h->next_ok <= now &&
	    h->slow_until <= now;
}

size_t
host_prune(struct host_table *t, int64_t now)
{
	struct host	**hp, *h;
	size_t		  gone = 0;

	for (size_t i = 0; i < t->nbucket; i++) {
		for (hp = &t->bucket[i]; (h = *hp) != NULL;) {
			if (!host_forgettable(h, now)) {
				hp = &h->hnext;
				continue;
			}
			*hp = h->hnext;
			free(h->name);
			free(h);
			t->nhosts--;
			gone++;
		}
	}
	t->prune_at = t->nhosts * 2 > HOST_PRUNE_MIN ? t->nhosts * 2 :
	    HOST_PRUNE_MIN;
	t->sweep_at = now + HOST_FORGET_MS;
	return gone;
}

/* The host called NAME, made when missing; NULL when out of memory. */
static struct host *
host_get(struct host_table *t, const char *name, int64_t now)
{
	struct host	*h;
	size_t		 b = fnv_str(name) & (t->nbucket - 1);

	for (h = t->bucket[b]; h != NULL; h = h->hnext)
		if (strcmp(h->name, name) == 0)
			return h;
	/* Growing: forget the long unused first (amortised by doubling). */
	if (t->nhosts >= t->prune_at) {
		host_prune(t, now);
		b = fnv_str(name) & (t->nbucket - 1);
	}
	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;
	if ((h->name = strdup(name)) == NULL) {
		free(h);
		return NULL;
	}
	h->slow = 1;
	h->hnext = t->bucket[b];
	t->bucket[b] = h;
	if (++t->nhosts > t->nbucket)
		host_rehash(t);
	return h;
}

/* Heap of sleeping hosts by next_ok: sift up from I. */
static void
heap_up(struct host_table *t, size_t i)
{
	struct host	*h = t->heap[i];

	while (i > 0 && t->heap[(i - 1) / 2]->next_ok > h->next_ok) {
		t->heap[i] = t->heap[(i - 1) / 2];
		t->heap[i]->heapi = i;
		i = (i - 1) / 2;
	}
	t->heap[i] = h;
	h->heapi = i;
}

/* Sift down from I. */
static void
heap_down(struct host_table *t, size_t i)
{
	struct host	*h = t->heap[i];
	size_t		 c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= t->nheap)
			break;
		if (c + 1 < t->nheap &&
		    t->heap[c + 1]->next_ok < t->heap[c]->next_ok)
			c++;
		if (t->heap[c]->next_ok >= h->next_ok)
			break;
		t->heap[i] = t->heap[c];
		t->heap[i]->heapi = i;
		i = c;
	}
	t->heap[i] = h;
	h->heapi = i;
}

/* Takes H out of whichever structure its state puts it in. */
static void
host_unplace(struct host_table *t, struct host *h)
{
	struct host	*last;
	size_t		 i;

	switch (h->state) {
	case HOST_READY:
		if (h->rprev != NULL)
			h->rprev->rnext = h->rnext;
		else
			t->rhead = h->rnext;
		if (h->rnext != NULL)
			h->rnext->rprev = h->rprev;
		else
			t->rtail = h->rprev;
		h->rnext = h->rprev = NULL;
		break;
	case HOST_SLEEP:
		i = h->heapi;
		last = t->heap[--t->nheap];
		if (i < t->nheap) {
			t->heap[i] = last;
			last->heapi = i;
			heap_down(t, i);
			heap_up(t, last->heapi);
		}
		break;
	case HOST_IDLE:
	case HOST_FULL:
		break;
	}
	h->state = HOST_IDLE;
}

/* Appends H to the ready list, or puts it first when FRONT. */
static void
host_make_ready(struct host_table *t, struct host *h, int front)
{
	h->state = HOST_READY;
	if (front) {
		h->rprev = NULL;
		h->rnext = t->rhead;
		if (t->rhead != NULL)
			t->rhead->rprev = h;
		else
			t->rtail = h;
		t->rhead = h;
		return;
	}
	h->rnext = NULL;
	h->rprev = t->rtail;
	if (t->rtail != NULL)
		t->rtail->rnext = h;
	else
		t->rhead = h;
	t->rtail = h;
}

/*
 * Files H where its waiting work, in-flight count and next_ok put it; a
 * ready host goes first when FRONT.
 */
static void
host_place(struct host_table *t, struct host *h, int64_t now, int front)
{
	struct host	**v;
	size_t		  n;

	host_unplace(t, h);
	if (h->nwait == 0)
		return;
	if (h->inflight >= t->lim.connections) {
		h->state = HOST_FULL;
		return;
	}
	if (h->next_ok <= now) {
		host_make_ready(t, h, front);
		return;
	}
	if (t->nheap == t->heapsize) {
		n = t->heapsize ? t->heapsize * 2 : 64;
		if ((v = realloc(t->heap, n * sizeof *v)) == NULL) {
			/*
			 * No room to sleep: let it run early rather than never.
			 */
			host_make_ready(t, h, 0);
			return;
		}
		t->heap = v;
		t->heapsize = n;
	}
	h->state = HOST_SLEEP;
	t->heap[t->nheap] = h;
	heap_up(t, t->nheap++);
}

int
host_push(struct host_table *t, const char *name, struct host_wait *w,
    void *item, int64_t now)
{
	struct host	*h;

	if ((h = host_get(t, name, now)) == NULL)
		return -1;
	h->used = now;
	w->host = h;
	w->item = item;
	w->next = NULL;
	w->prev = h->tail;
	if (h->tail != NULL)
		h->tail->next = w;
	else
		h->head = w;
	h->tail = w;
	h->nwait++;
	t->waiting++;
	if (h->state == HOST_IDLE)
		host_place(t, h, now, 0);
	return 0;
}

/* Unlinks W from its host's queue. */
static void
host_unlink(struct host_table *t, struct host_wait *w)
{
	struct host	*h = w->host;

	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		h->head = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	else
		h->tail = w->prev;
	w->next = w->prev = NULL;
	h->nwait--;
	t->waiting--;
	if (h->nwait == 0 && h->midway) {
		h->midway = 0;
		t->midway--;
	}
}

void
host_cancel(struct host_table *t, struct host_wait *w, int64_t now)
{
	host_unlink(t, w);
	host_place(t, w->host, now, 0);
}

/* The gap factor of H at NOW: 1, or more while the host is slowed. */
int
host_slow_factor(const struct host *h, int64_t now)
{
	return now < h->slow_until ? h->slow : 1;
}

/* The least time from a request to H at NOW to the next one. */
static int64_t
host_gap(const struct host_table *t, const struct host *h, int64_t now)
{
	int64_t	gap = t->lim.delay_ms;
	int	f;

	if ((f = host_slow_factor(h, now)) > 1) {
		if (gap < HOST_SLOW_GAP_MIN_MS)
			gap = HOST_SLOW_GAP_MIN_MS;
		gap *= f;
	}
	return gap + (int64_t)((double)gap * (HOST_MARGIN +
	    HOST_JITTER * h->jitter));
}

/* Reverses the first N hosts of the ready list. */
static void
host_reverse_head(struct host_table *t, size_t n)
{
	struct host	*h, *rest, *next, *prev = NULL, *first = t->rhead;

	if (n < 2)
		return;
	rest = first;
	for (size_t i = 0; i < n; i++)
		rest = rest->rnext;
	for (h = first; h != rest; h = next) {
		next = h->rnext;
		h->rnext = prev;
		h->rprev = next;
		prev = h;
	}
	/* PREV is the new head; FIRST the new last of the N. */
	t->rhead = prev;
	prev->rprev = NULL;
	first->rnext = rest;
	if (rest != NULL)
		rest->rprev = first;
	else
		t->rtail = first;
}

void *
host_next(struct host_table *t, int64_t now, double r, struct host **hostp)
{
	struct host_wait	*w;
	struct host		*h;
	int64_t			 gap;
	size_t			 n;
	int			 front;

	/*
	 * Sleepers whose time has come join the ready hosts in the order
	 * they woke.  While the caller keeps a connection open for every
	 * host part way through its queue (lim.keep), they queue behind
	 * hosts not started yet, so every host starts as early as it can:
	 * a host's last request is at least its queue length of gaps after
	 * its first.  Past that, they go first instead, so the connections
	 * kept are used before they are closed for new hosts' ones.
	 */
	front = t->midway >= (size_t)t->lim.keep;
	for (n = 0; t->nheap > 0 && t->heap[0]->next_ok <= now; n++) {
		h = t->heap[0];
		host_unplace(t, h);
		host_make_ready(t, h, front);
	}
	/* Put first one by one, the last woken leads: restore wake order. */
	if (front)
		host_reverse_head(t, n);
	if ((h = t->rhead) == NULL)
		return NULL;
	w = h->head;
	host_unlink(t, w);
	if (h->nwait > 0 && !h->midway) {
		h->midway = 1;
		t->midway++;
	}
	h->inflight++;
	h->used = now;
	h->jitter = r;
	gap = host_gap(t, h, now);
	if (h->next_ok < now + gap)
		h->next_ok = now + gap;
	host_place(t, h, now, 0);
	*hostp = h;
	return w->item;
}

void
host_sent(struct host_table *t, struct host *h, int64_t now)
{
	int64_t	gap = host_gap(t, h, now);

	if (h->next_ok >= now + gap)
		return;
	h->next_ok = now + gap;
	/* A sleeper's key grew; a ready host goes back to sleep. */
	if (h->state == HOST_READY || h->state == HOST_SLEEP)
		host_place(t, h, now, 0);
}

void
host_done(struct host_table *t, struct host *h, int64_t now)
{
	if (h->inflight > 0)
		h->inflight--;
	h->used = now;
	/* Its connection is free now: the host's next request goes first. */
	if (h->state == HOST_FULL)
		host_place(t, h, now, 1);
	/* H was used just now, so it stays: the caller may still read it. */
	if (now >= t->sweep_at)
		host_prune(t, now);
}

int64_t
host_wake(const struct host_table *t, int64_t now)
{
	if (t->rhead != NULL)
		return 0;
	if (t->nheap == 0)
		return -1;
	return t->heap[0]->next_ok > now ? t->heap[0]->next_ok - now : 0;
}

int
host_throttled(struct host_table *t, struct host *h, uint64_t who,
    int64_t now, int64_t retry_ms)
{
	int	distinct = 0, seen;

	h->thr[h->thrpos].who = who;
	h->thr[h->thrpos].at = now;
	h->thrpos = (h->thrpos + 1) % HOST_RING;
	if (h->nthr < HOST_RING)
		h->nthr++;
	/* Distinct sources throttled within the window. */
	for (int i = 0; i < h->nthr; i++) {
		if (now - h->thr[i].at > HOST_SLOW_WINDOW_MS)
			continue;
		seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = now - h->thr[j].at <= HOST_SLOW_WINDOW_MS &&
			    h->thr[j].who == h->thr[i].who;
		distinct += !seen;
	}
	if (distinct < HOST_SLOW_SOURCES)
		return host_slow_factor(h, now);

	h->slow = 1 << (distinct - 1 < 4 ? distinct - 1 : 4);
	if (h->slow > HOST_SLOW_FACTOR_MAX)
		h->slow = HOST_SLOW_FACTOR_MAX;
	h->slow_until = now + HOST_SLOW_FOR_MS;
	/* Several sources told to wait: nothing on the host goes sooner. */
	if (retry_ms > now) {
		if (retry_ms > now + HOST_HOLD_MAX_MS)
			retry_ms = now + HOST_HOLD_MAX_MS;
		if (h->next_ok < retry_ms)
			h->next_ok = retry_ms;
	}
	if (h->state == HOST_READY || h->state == HOST_SLEEP)
		host_place(t, h, now, 0);
	return h->slow;
}

const char *
host_name(const struct host *h)
{
	return h->name;
}

size_t
host_queued(const struct host *h)
{
	return h->nwait;
}

int
host_multiplexes(const struct host *h)
{
	return h->multiplexes;
}

void
host_set_multiplexes(struct host *h, int on)
{
	h->multiplexes = on != 0;
}

size_t
host_count(const struct host_table *t)
{
	return t->nhosts;
}

size_t
host_waiting(const struct host_table *t)
{
	return t->waiting;
}

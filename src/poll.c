/*
 * poll: one poll end to end, the pipeline's order in one place; see poll.h.
 * The order: poll_start (fetch with the stored validators), poll_fetched
 * (keep the response), poll_parse on a worker thread (bytes to a doc),
 * poll_finish on the loop (judge the outcome, store in one transaction,
 * compute the next poll, hand it to sched).  Finished polls wait in a
 * queue until the loop's turn ends, and the queue is stored as one batch
 * (one commit for many polls: the pages they share, index pages above
 * all, are written once instead of once per poll).
 */
#include "config.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "daemon.h"
#include "decode.h"
#include "doc.h"
#include "fetch.h"
#include "jitter.h"
#include "log.h"
#include "mono.h"
#include "parse.h"
#include "poll.h"
#include "sched.h"
#include "store.h"
#include "uri.h"
#include "work.h"

#include <event2/event.h>

/* Polls in a row that must see one permanent redirect before it is adopted. */
#define POLL_ADOPT_AFTER	3
/*
 * Entries one document may list.  Storing runs on the loop: 65536 entries
 * stalled every other source for seconds (10 s in a sanitizer build).
 */
#define POLL_MAX_ENTRIES	10000
/*
 * Documents waiting for or in the parsing threads, or parsed and waiting
 * to be stored, before fetching pauses (it resumes at half).
 */
#define POLL_PARSE_BACKLOG	32
/* Most polls stored on one turn of the loop before a commit. */
#define POLL_BATCH_MAX		64
/*
 * Loop time one callback may spend storing or starting polls; the rest
 * waits for the next turn, so readers are answered in between.  Storing
 * a cold poll (35 new entries) takes 1 to 2 ms: 64 of them to a callback
 * held /healthz for up to 110 ms while 10,000 sources were first polled.
 */
#define POLL_SLICE_US		5000
/*
 * While many polls are on their way (a cold start, a big config's
 * round), the polls stored on one turn do not commit: the next turns'
 * go into the same transaction, up to POLL_PARK_MAX polls or for
 * POLL_PARK_MS.  Each commit writes every index page its entries touched,
 * and entries spread over dated indexes share pages only in numbers: with
 * 10,000 sources the WAL got 3.9 pages an entry, twice what 1,000 did.
 * Polls that changed nothing touch pages all over too (their source's row,
 * its poll records): 10,000 answers of 304 wrote 59,000 pages at 256 polls
 * a commit, 28,000 at 4,096.  The time bound comes first in a cold poll.
 */
#define POLL_PARK_LIVE		16
#define POLL_PARK_MAX		4096
#define POLL_PARK_MS		500

struct poll_job {
	struct daemon		*d;
	char			*name;
	struct fetch_xfer	*xfer;
	/* validators and counters before */
	struct store_state	 st;
	int64_t			 at;
	struct fetch_result	 r;		/* response, strings owned */
	char			*body;		/* owned, when to be parsed */
	/* decoded, as configured at start */
	int64_t			 max_body;
	enum decode_result	 decoded;	/* undoing Content-Encoding */
	char			 decode_err[160];
	struct doc		*doc;		/* parsed on a worker */
	int			 parsing;	/* owned by the worker pool */
	int			 cancelled;	/* freed when worker is done */
	int			 queued;	/* in the queue to be stored */
	int			 starting;	/* in the queue to be started */
	int			 live;		/* counted in polls.live */
	TAILQ_ENTRY(poll_job)	 entry;		/* in one of those queues */
};

/*
 * Polls started on one loop turn, begun together from one callback (their
 * sources' state read in one read transaction), and finished polls,
 * stored together from another.
 */
struct polls {
	struct event		*ev;
	TAILQ_HEAD(, poll_job)	 q;
	struct event		*start_ev;
	TAILQ_HEAD(, poll_job)	 starting;
	uint64_t		 rng;		/* jitter.h */
	int			 live;		/* jobs started, not freed */
	int			 nq;		/* in q */
	int			 held;		/* fetching paused (backlog) */
	struct event		*park_ev;	/* commits it at the latest */
};

static void	poll_start_cb(evutil_socket_t, short, void *);

/* The strings of a response kept past fetch's callback, in one list. */
#define POLL_RESP_STRINGS(r) \
	&(r)->errmsg, &(r)->effective_url, &(r)->content_type, \
	&(r)->content_location, &(r)->content_language, &(r)->etag, \
	&(r)->last_modified, &(r)->retry_after, &(r)->cache_control, \
	&(r)->expires, &(r)->location, &(r)->content_encoding

static void
poll_job_free(struct poll_job *job)
{
	const char	**strs[] = { POLL_RESP_STRINGS(&job->r) };

	if (job->live && job->d->polls != NULL)
		job->d->polls->live--;
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free((char *)*strs[i]);
	free(job->body);
	doc_free(job->doc);
	store_state_clear(&job->st);
	free(job->name);
	free(job);
}

/* Copies R into the job; the body only when it will be parsed.  -1 oom. */
static int
poll_keep(struct poll_job *job, const struct fetch_result *r, int body)
{
	const char	**strs[] = { POLL_RESP_STRINGS(&job->r) };
	int		  rc = 0;

	job->r = *r;
	job->r.body = "";
	job->r.len = r->len;
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (*strs[i] != NULL && (*strs[i] = strdup(*strs[i])) == NULL)
			rc = -1;
	if (body) {
		if ((job->body = malloc(r->len + 1)) == NULL)
			return -1;
		memcpy(job->body, r->body, r->len);
		job->body[r->len] = '\0';
		job->r.body = job->body;
	}
	return rc;
}

/* A not-a-feed answer that looks like a bot wall rather than a broken feed. */
static int
poll_is_blocked(const struct fetch_result *r)
{
	if (r->cf_mitigated)
		return 1;
	return r->content_type != NULL &&
	    strncasecmp(r->content_type, "text/html", 9) == 0;
}

static void
poll_size(char *buf, size_t len, size_t n)
{
	if (n < 10 * 1024)
		snprintf(buf, len, "%zu bytes", n);
	else
		snprintf(buf, len, "%zu kB", n / 1024);
}

/* Entries of DOC dated within the rate window before NOW (undated: none). */
static int
poll_recent(const struct doc *doc, int64_t now)
{
	int64_t	t;
	int	n = 0;

	for (size_t i = 0; i < doc->nentries; i++) {
		t = doc->entries[i].published != DOC_NODATE ?
		    doc->entries[i].published :
		    doc_entry_date(&doc->entries[i]);
		if (t != DOC_NODATE && t > now - SCHED_RATE_WINDOW &&
		    t <= now + 86400)
			n++;
	}
	return n;
}

/*
 * Follows a permanent redirect (301/308 on the first hop) across polls:
 * P gets the candidate and how many polls in a row saw it, and, once it
 * was seen POLL_ADOPT_AFTER times and this poll succeeded, the URL to
 * adopt.  Returns the candidate (caller frees) or NULL.
 */
static char *
poll_redirect(struct poll_job *job, const struct fetch_result *r, int ok,
    struct store_poll *p)
{
	char	*cand;

	p->redirect_url = NULL;
	p->redirect_count = 0;
	if ((r->first_status != 301 && r->first_status != 308) ||
	    r->location == NULL || r->error == FETCH_ERR_POLICY)
		return NULL;
	if ((cand = uri_resolve(job->st.url, r->location)) == NULL ||
	    !uri_is_http(cand) || strcmp(cand, job->st.url) == 0) {
		free(cand);
		return NULL;
	}
	p->redirect_count = job->st.redirect_url != NULL &&
	    strcmp(job->st.redirect_url, cand) == 0 ?
	    job->st.redirect_count + 1 : 1;
	if (ok && p->redirect_count >= POLL_ADOPT_AFTER) {
		p->adopt_url = cand;
		p->redirect_count = 0;
	} else
		p->redirect_url = cand;
	return cand;
}

/* The document is fetched and parsed: judge, store, reschedule. */
static void
poll_finish(struct poll_job *job)
{
	const struct fetch_result	*r = &job->r;
	struct daemon			*d = job->d;
	const struct conf_source	*cs;
	struct store_poll		 p;
	struct store_result		 res = { 0 };
	struct sched_hints		 h;
	struct doc			*doc = NULL;
	char				 err[512], size[32], *cand;
	int64_t				 now = daemon_now();
	int				 ok = 0, recent, stored = 1;
	double				 rnd = d->polls != NULL ?
	    jitter_next(&d->polls->rng) : (double)arc4random() / 4294967296.0;

	if ((cs = conf_source(d->conf, job->name)) == NULL) {
		/* Removed by a reload while in flight: sched cancels those. */
		sched_done(d->sched, job->name, 0);
		poll_job_free(job);
		return;
	}

	memset(&p, 0, sizeof p);
	p.at = job->at;
	p.duration_ms = r->duration_ms;
	p.status = (int)r->status;
	p.bytes = (int64_t)r->len;
	p.etag = job->st.etag;
	p.last_modified = job->st.last_modified;
	p.failures = job->st.failures + 1;
	p.feed_hint = job->st.feed_hint;
	p.skip_hours = job->st.skip_hours;
	p.skip_days = job->st.skip_days;
	p.state = "failing";
	err[0] = '\0';

	if (r->error != FETCH_OK) {
		if (r->error == FETCH_ERR_POLICY)
			p.state = "blocked";
		snprintf(err, sizeof err, "%s", r->errmsg != NULL ? r->errmsg :
		    "out of memory");
	} else if (r->status == 304) {
		/* Nothing to parse and nothing to store but the record. */
		ok = 1;
	} else if (r->status == 200) {
		doc = job->doc;
		job->doc = NULL;
		if (doc == NULL)
			snprintf(err, sizeof err, "out of memory parsing");
		else if (!parse_is_feed(doc)) {
			if (poll_is_blocked(r))
				p.state = "blocked";
			snprintf(err, sizeof err, "not a feed: %s",
			    doc->bozo_message != NULL ? doc->bozo_message :
			    "unrecognised document");
			doc_free(doc);
			doc = NULL;
		} else if (doc->cut) {
			/*
			 * Stored, its validators would hide the rest for good.
			 */
			snprintf(err, sizeof err, "document cut short (%s), "
			    "nothing stored", doc->bozo_message != NULL ?
			    doc->bozo_message : "truncated");
			doc_free(doc);
			doc = NULL;
		} else if (doc->nentries > POLL_MAX_ENTRIES) {
			snprintf(err, sizeof err, "document lists more than "
			    "%d entries, nothing stored", POLL_MAX_ENTRIES);
			doc_free(doc);
			doc = NULL;
		} else
			ok = 1;
	} else {
		if (r->status == 429 || r->status == 503)
			p.state = "throttled";
		else if (r->status == 410)
			p.state = "gone";
		else if (r->cf_mitigated)
			p.state = "blocked";
		if (r->retry_at > now && strcmp(p.state, "throttled") == 0)
			snprintf(err, sizeof err, "HTTP %ld, retry after %llds",
			    r->status, (long long)(r->retry_at - now));
		else
			snprintf(err, sizeof err, "HTTP %ld", r->status);
	}
	cand = poll_redirect(job, r, ok, &p);

	memset(&h, 0, sizeof h);
	h.interval = cs->interval;
	h.min_interval = cs->min_interval;
	h.max_interval = cs->max_interval;
	if (ok) {
		p.state = job->st.moved || p.adopt_url != NULL ? "moved" : "ok";
		p.failures = 0;
		/*
		 * Validators are the server's, byte for byte; never invented.
		 */
		if (r->status == 200 || r->etag != NULL)
			p.etag = r->etag;
		if (r->status == 200 || r->last_modified != NULL)
			p.last_modified = r->last_modified;
		recent = store_recent(d->store, cs->name, now);
		if (doc != NULL) {
			p.feed_hint = sched_feed_hint(&doc->feed);
			p.skip_hours = doc->feed.skip_hours;
			p.skip_days = doc->feed.skip_days;
			if (poll_recent(doc, now) > recent)
				recent = poll_recent(doc, now);
		}
		h.http_fresh = fetch_fresh_for(r->cache_control, r->expires,
		    now);
		h.feed_hint = p.feed_hint;
		h.entries = job->st.entries + (doc != NULL ?
		    (int64_t)doc->nentries : 0);
		h.recent = recent;
		h.skip_hours = p.skip_hours;
		h.skip_days = p.skip_days;
		p.next_poll = sched_fresh(now, &h, rnd);
	} else if (strcmp(p.state, "gone") == 0) {
		/* Retired until the configured URL changes. */
		p.retired = 1;
		p.next_poll = 0;
	} else {
		p.error = err;
		p.next_poll = sched_next(now, cs->interval, p.failures,
		    r->retry_at, d->conf->max_backoff, rnd);
	}
	if (!ok)
		p.error = err;

	if (store_poll_done(d->store, cs, &p, doc, &res) == -1) {
		/*
		 * Nothing stored, the validators neither: fetch it all again
		 * soon rather than never (store logged why).
		 */
		p.next_poll = sched_next(now, cs->interval, 1, 0,
		    d->conf->max_backoff, 0.5);
		p.adopt_url = NULL;
		stored = 0;
	}
	if (res.changed_all)
		daemon_changed(d, cs);

	poll_size(size, sizeof size, r->len);
	if (!stored) {
		/* An outcome not stored was not had: store said why, once. */
		log_debug("source %s: HTTP %ld, not stored, polled again at "
		    "%lld", cs->name, r->status, (long long)p.next_poll);
		goto done;
	}
	if (p.adopt_url != NULL)
		log_warnx("source %s: moved permanently to %s (seen on %d "
		    "polls in a row), polling it there; update the config",
		    cs->name, p.adopt_url, POLL_ADOPT_AFTER);
	else if (p.redirect_url != NULL)
		log_info("source %s: permanent redirect to %s (%d of %d before "
		    "it is adopted)", cs->name, p.redirect_url,
		    p.redirect_count, POLL_ADOPT_AFTER);
	if (ok && r->status == 304)
		log_debug("source %s: not modified (%lld ms)", cs->name,
		    (long long)r->duration_ms);
	else if (ok)
		log_info("source %s: HTTP 200, %d new, %d updated, %s in "
		    "%lld ms%s%s", cs->name, res.new, res.updated, size,
		    (long long)r->duration_ms, doc->bozo ? ", recovered: " :
		    "", doc->bozo && doc->bozo_message != NULL ?
		    doc->bozo_message : "");
	else if (p.retired)
		log_warnx("source %s: gone (HTTP 410), not polled until its "
		    "url changes in the config", cs->name);
	else
		/*
		 * The count would make every line new: repeats are held back.
		 */
		log_warnx_limited(cs->name, "source %s: %s (%s)", cs->name, err,
		    p.state);

done:
	free(cand);
	doc_free(doc);
	sched_done(d->sched, job->name, p.next_poll);
	poll_job_free(job);
}

/*
 * Pauses fetching while POLL_PARSE_BACKLOG documents wait to be parsed or
 * stored, and resumes it at half: bodies must not pile up faster than the
 * workers parse them or the loop stores them.
 */
static void
poll_backlog(struct daemon *d)
{
	struct polls	*p = d->polls;
	size_t		 n;

	if (p == NULL)
		return;
	n = (d->work != NULL ? work_pending(d->work) : 0) + (size_t)p->nq;
	if (!p->held && n >= POLL_PARSE_BACKLOG) {
		p->held = 1;
		fetch_hold(d->fetch, 1);
	} else if (p->held && n <= POLL_PARSE_BACKLOG / 2) {
		p->held = 0;
		fetch_hold(d->fetch, 0);
	}
}

/* EV runs again on the next turn of the loop, after new events. */
static void
poll_next_turn(struct event *ev)
{
	struct timeval	tv = { 0, 0 };

	evtimer_add(ev, &tv);
}

/*
 * Stores the queued polls, POLL_BATCH_MAX to a commit, for POLL_SLICE_US;
 * what is left is stored on the next turn.
 */
static void
poll_store_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct polls	*p = d->polls;
	struct poll_job	*job;
	int64_t		 start = mono_usec();
	int		 n, over = 0;

	(void)fd;
	(void)what;
	while (!TAILQ_EMPTY(&p->q) && !over) {
		store_batch_begin(d->store);
		for (n = 0; n < POLL_BATCH_MAX && !over &&
		    (job = TAILQ_FIRST(&p->q)) != NULL; n++) {
			TAILQ_REMOVE(&p->q, job, entry);
			p->nq--;
			job->queued = 0;
			poll_finish(job);
			over = mono_usec() - start >= POLL_SLICE_US;
		}
		if (p->live >= POLL_PARK_LIVE &&
		    store_batch_polls(d->store) < POLL_PARK_MAX) {
			store_batch_park(d->store);
			if (!evtimer_pending(p->park_ev, NULL)) {
				struct timeval tv = { 0, POLL_PARK_MS * 1000 };

				evtimer_add(p->park_ev, &tv);
			}
			continue;
		}
		/* Lost: those sources fetch everything again next time. */
		store_batch_end(d->store);
	}
	poll_backlog(d);
	if (!TAILQ_EMPTY(&p->q))
		poll_next_turn(p->ev);
}

/* The parked polls waited long enough: committed. */
static void
poll_park_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;

	(void)fd;
	(void)what;
	store_flush(d->store);
}

/*
 * The poll is fetched (and parsed): it joins the queue that is stored
 * once the callbacks ready on this turn of the loop have run.
 */
static void
poll_done(struct poll_job *job)
{
	struct polls	*p = job->d->polls;

	if (p == NULL) {
		poll_finish(job);
		return;
	}
	if (TAILQ_EMPTY(&p->q))
		event_active(p->ev, EV_TIMEOUT, 0);
	TAILQ_INSERT_TAIL(&p->q, job, entry);
	p->nq++;
	job->queued = 1;
	poll_backlog(job->d);
}

int
poll_init(struct daemon *d)
{
	struct polls	*p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return -1;
	TAILQ_INIT(&p->q);
	TAILQ_INIT(&p->starting);
	p->rng = jitter_seed();
	if ((p->ev = event_new(d->base, -1, 0, poll_store_cb, d)) == NULL ||
	    (p->start_ev = event_new(d->base, -1, 0, poll_start_cb, d)) ==
	    NULL || (p->park_ev = evtimer_new(d->base, poll_park_cb, d)) ==
	    NULL) {
		if (p->ev != NULL)
			event_free(p->ev);
		if (p->start_ev != NULL)
			event_free(p->start_ev);
		free(p);
		return -1;
	}
	d->polls = p;
	return 0;
}

void
poll_free(struct daemon *d)
{
	struct polls	*p = d->polls;
	struct poll_job	*job;

	if (p == NULL)
		return;
	while ((job = TAILQ_FIRST(&p->q)) != NULL) {
		TAILQ_REMOVE(&p->q, job, entry);
		poll_job_free(job);
	}
	while ((job = TAILQ_FIRST(&p->starting)) != NULL) {
		TAILQ_REMOVE(&p->starting, job, entry);
		poll_job_free(job);
	}
	/* What is parked is stored: commit it before the store goes. */
	store_flush(d->store);
	event_free(p->park_ev);
	event_free(p->start_ev);
	event_free(p->ev);
	free(p);
	d->polls = NULL;
}

/* On a worker thread: bytes to a doc, nothing else. */
static void
poll_parse(void *arg)
{
	struct poll_job		*job = arg;
	struct parse_opts	 opts;
	char			*out;
	size_t			 outlen;

	/* Past the cap or corrupt: no document (poll_decoded says why). */
	job->decoded = decode_body(job->r.content_encoding, job->r.body,
	    job->r.len, job->max_body, &out, &outlen, job->decode_err,
	    sizeof job->decode_err);
	if (job->decoded != DECODE_OK)
		return;
	if (out != NULL) {
		free(job->body);
		job->body = out;
		job->r.body = out;
		job->r.len = outlen;
	}
	memset(&opts, 0, sizeof opts);
	opts.base = job->r.effective_url;
	opts.content_type = job->r.content_type;
	opts.content_location = job->r.content_location;
	opts.content_language = job->r.content_language;
	job->doc = parse_doc(job->r.body, job->r.len, &opts);
}

/* On the loop: a body that could not be decoded fails the poll. */
static void
poll_decoded(struct poll_job *job)
{
	char	*msg;

	if (job->decoded == DECODE_OK)
		return;
	job->r.error = job->decoded == DECODE_TOOBIG ? FETCH_ERR_TOOBIG :
	    FETCH_ERR_TRANSPORT;
	if ((msg = strdup(job->decode_err)) != NULL) {
		free((char *)job->r.errmsg);
		job->r.errmsg = msg;
	}
	free(job->body);
	job->body = NULL;
	job->r.body = "";
	job->r.len = 0;
}

/* Back on the loop after parsing. */
static void
poll_parsed(void *arg, int cancelled)
{
	struct poll_job	*job = arg;

	job->parsing = 0;
	poll_backlog(job->d);
	/* Cancelled by sched, or the pool stopped with the daemon. */
	if (job->cancelled || cancelled) {
		poll_job_free(job);
		return;
	}
	poll_decoded(job);
	poll_done(job);
}

/* The fetch finished: keep the response, parse it off the loop. */
static void
poll_fetched(const struct fetch_result *r, void *arg)
{
	struct poll_job	*job = arg;
	int		 parse = r->error == FETCH_OK && r->status == 200;

	job->xfer = NULL;
	if (poll_keep(job, r, parse) == -1) {
		job->r.error = FETCH_ERR_TRANSPORT;
		job->r.errmsg = NULL;
		job->r.status = 0;
		parse = 0;
	}
	if (parse && job->d->work != NULL) {
		job->parsing = 1;
		if (work_submit(job->d->work, poll_parse, poll_parsed,
		    job) != NULL) {
			poll_backlog(job->d);
			return;
		}
		job->parsing = 0;
	}
	if (parse) {
		poll_parse(job);
		poll_decoded(job);
	}
	poll_done(job);
}

/* Reads the source's state and hands the transfer to fetch; -1 if not. */
static int
poll_begin(struct poll_job *job)
{
	struct daemon			*d = job->d;
	const struct conf_source	*cs;
	const char			*name = job->name;
	struct fetch_req		 req;

	/* A reload between poll_start and here may have removed it. */
	if ((cs = conf_source(d->conf, name)) == NULL)
		return -1;
	job->at = daemon_now();
	if (store_state(d->store, name, &job->st) == -1) {
		/*
		 * Not synced yet or a database error: poll without validators.
		 */
		if ((job->st.url = strdup(cs->url)) == NULL) {
			log_warnx("source %s: out of memory", name);
			return -1;
		}
	}
	memset(&req, 0, sizeof req);
	req.url = job->st.url;
	req.etag = job->st.etag;
	req.last_modified = job->st.last_modified;
	req.user_agent = cs->user_agent != NULL ? cs->user_agent :
	    d->conf->user_agent;
	req.who = cs->name;
	req.allow_private = conf_source_allow_private(d->conf, cs);
	req.tls_insecure = !conf_source_tls_verify(d->conf, cs);
	req.allow_networks = d->conf->allow_networks;
	req.nallow_networks = d->conf->nallow_networks;
	req.proxy = conf_source_proxy(d->conf, cs);
	req.headers = cs->headers;
	req.nheaders = cs->nheaders;
	req.max_body = d->conf->max_body;
	/* Inflating is the worker's job, not the loop's (poll_parse). */
	req.encoded = 1;
	job->max_body = d->conf->max_body;
	req.timeout = (long)d->conf->timeout;
	req.connect_timeout = (long)d->conf->connect_timeout;
	req.low_speed_limit = (long)d->conf->low_speed_limit;
	req.low_speed_time = (long)d->conf->low_speed_time;
	if ((job->xfer = fetch_start(d->fetch, &req, poll_fetched, job)) ==
	    NULL) {
		log_warnx("source %s: cannot start a transfer", name);
		return -1;
	}
	log_debug("source %s: polling %s", name, req.url);
	return 0;
}

/*
 * Begins the polls started on this turn, their state read together, for
 * POLL_SLICE_US; the rest begin on the next turn.
 */
static void
poll_start_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon			*d = arg;
	struct polls			*p = d->polls;
	struct poll_job			*job;
	const struct conf_source	*cs;
	int64_t				 next, start = mono_usec();

	(void)fd;
	(void)what;
	store_read_begin(d->store);
	while (mono_usec() - start < POLL_SLICE_US &&
	    (job = TAILQ_FIRST(&p->starting)) != NULL) {
		TAILQ_REMOVE(&p->starting, job, entry);
		job->starting = 0;
		if (poll_begin(job) == 0)
			continue;
		/* Not polled this time: sched tries again an interval on. */
		cs = conf_source(d->conf, job->name);
		next = daemon_now() + (cs != NULL ? cs->interval :
		    d->conf->interval);
		sched_done(d->sched, job->name, next);
		poll_job_free(job);
	}
	store_read_end(d->store);
	if (!TAILQ_EMPTY(&p->starting))
		poll_next_turn(p->start_ev);
}

struct poll_job *
poll_start(struct daemon *d, const char *name)
{
	struct polls	*p = d->polls;
	struct poll_job	*job;

	if (conf_source(d->conf, name) == NULL)
		return NULL;
	if ((job = calloc(1, sizeof *job)) == NULL ||
	    (job->name = strdup(name)) == NULL) {
		free(job);
		log_warnx("source %s: out of memory", name);
		return NULL;
	}
	job->d = d;
	if (p == NULL) {
		if (poll_begin(job) == -1) {
			poll_job_free(job);
			return NULL;
		}
		return job;
	}
	if (TAILQ_EMPTY(&p->starting))
		event_active(p->start_ev, EV_TIMEOUT, 0);
	TAILQ_INSERT_TAIL(&p->starting, job, entry);
	job->starting = 1;
	job->live = 1;
	p->live++;
	return job;
}

void
poll_cancel(struct poll_job *job)
{
	if (job->queued) {
		TAILQ_REMOVE(&job->d->polls->q, job, entry);
		job->d->polls->nq--;
	}
	if (job->starting)
		TAILQ_REMOVE(&job->d->polls->starting, job, entry);
	if (job->xfer != NULL)
		fetch_cancel(job->xfer);
	/* A worker still reads it: poll_parsed frees it. */
	if (job->parsing) {
		job->cancelled = 1;
		return;
	}
	poll_job_free(job);
}

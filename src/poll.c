/* poll: one poll end to end, the pipeline's order in one place; see poll.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "daemon.h"
#include "date.h"
#include "doc.h"
#include "fetch.h"
#include "log.h"
#include "parse.h"
#include "poll.h"
#include "sched.h"
#include "store.h"

struct poll_job {
	struct daemon		*d;
	char			*name;
	struct fetch_xfer	*xfer;
	struct store_state	 st;		/* validators and counters before */
	int64_t			 at;
};

static void
poll_job_free(struct poll_job *job)
{
	store_state_clear(&job->st);
	free(job->name);
	free(job);
}

/* Retry-After as an absolute time: delta seconds or an HTTP date; 0 if none. */
static int64_t
poll_retry_after(const char *v, int64_t now)
{
	char		*end;
	long long	 n;
	int64_t		 t;

	if (v == NULL)
		return 0;
	if (isdigit((unsigned char)*v)) {
		n = strtoll(v, &end, 10);
		if (*end == '\0' && n >= 0 && n < 366LL * 86400)
			return now + n;
		return 0;
	}
	t = date_parse_rfc822(v);
	return t == DATE_UNKNOWN ? 0 : t;
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

/* The fetch finished: parse, store, reschedule. */
static void
poll_fetched(const struct fetch_result *r, void *arg)
{
	struct poll_job			*job = arg;
	struct daemon			*d = job->d;
	const struct conf_source	*cs;
	struct parse_opts		 opts;
	struct store_poll		 p;
	struct store_result		 res = { 0 };
	struct doc			*doc = NULL;
	char				 err[512], size[32];
	int64_t				 now = daemon_now(), retry = 0;
	int				 ok = 0;

	job->xfer = NULL;
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
	p.state = "failing";
	err[0] = '\0';

	if (r->error != FETCH_OK) {
		if (r->error == FETCH_ERR_POLICY)
			p.state = "blocked";
		snprintf(err, sizeof err, "%s", r->errmsg);
	} else if (r->status == 304) {
		ok = 1;
	} else if (r->status == 200) {
		memset(&opts, 0, sizeof opts);
		opts.base = r->effective_url;
		opts.content_type = r->content_type;
		opts.content_location = r->content_location;
		opts.content_language = r->content_language;
		if ((doc = parse_doc(r->body, r->len, &opts)) == NULL)
			snprintf(err, sizeof err, "out of memory parsing");
		else if (!parse_is_feed(doc)) {
			if (poll_is_blocked(r))
				p.state = "blocked";
			snprintf(err, sizeof err, "not a feed: %s",
			    doc->bozo_message != NULL ? doc->bozo_message :
			    "unrecognised document");
			doc_free(doc);
			doc = NULL;
		} else
			ok = 1;
	} else {
		if (r->status == 429 || r->status == 503) {
			p.state = "throttled";
			retry = poll_retry_after(r->retry_after, now);
		} else if (r->status == 410)
			p.state = "gone";
		else if (r->cf_mitigated)
			p.state = "blocked";
		snprintf(err, sizeof err, "HTTP %ld", r->status);
	}

	if (ok) {
		p.state = "ok";
		p.failures = 0;
		/* Validators are the server's, byte for byte; never invented. */
		if (r->status == 200 || r->etag != NULL)
			p.etag = r->etag;
		if (r->status == 200 || r->last_modified != NULL)
			p.last_modified = r->last_modified;
	} else
		p.error = err;
	p.next_poll = sched_next(now, cs->interval, p.failures, retry,
	    (double)arc4random() / 4294967296.0);

	if (store_poll_done(d->store, cs, &p, doc, &res) == -1 && ok) {
		/* Nothing stored: fetch it all again soon rather than never. */
		p.next_poll = sched_next(now, cs->interval, 1, 0, 0.5);
	}
	if (res.changed_all)
		daemon_changed(d, cs);

	poll_size(size, sizeof size, r->len);
	if (ok && r->status == 304)
		log_debug("source %s: not modified (%lld ms)", cs->name,
		    (long long)r->duration_ms);
	else if (ok)
		log_info("source %s: HTTP 200, %d new, %d updated, %s in "
		    "%lld ms%s%s", cs->name, res.new, res.updated, size,
		    (long long)r->duration_ms, doc->bozo ? ", recovered: " :
		    "", doc->bozo && doc->bozo_message != NULL ?
		    doc->bozo_message : "");
	else
		log_warnx("source %s: %s (%s, failure %d)", cs->name, err,
		    p.state, p.failures);

	doc_free(doc);
	sched_done(d->sched, job->name, p.next_poll);
	poll_job_free(job);
}

struct poll_job *
poll_start(struct daemon *d, const char *name)
{
	const struct conf_source	*cs;
	struct poll_job			*job;
	struct fetch_req		 req;

	if ((cs = conf_source(d->conf, name)) == NULL)
		return NULL;
	if ((job = calloc(1, sizeof *job)) == NULL ||
	    (job->name = strdup(name)) == NULL) {
		free(job);
		log_warnx("source %s: out of memory", name);
		return NULL;
	}
	job->d = d;
	job->at = daemon_now();
	if (store_state(d->store, name, &job->st) == -1) {
		/* Not synced yet or a database error: poll without validators. */
		if ((job->st.url = strdup(cs->url)) == NULL) {
			poll_job_free(job);
			return NULL;
		}
	}
	memset(&req, 0, sizeof req);
	req.url = job->st.url;
	req.etag = job->st.etag;
	req.last_modified = job->st.last_modified;
	req.user_agent = cs->user_agent != NULL ? cs->user_agent :
	    d->conf->user_agent;
	req.allow_private = conf_source_allow_private(d->conf, cs);
	req.max_body = d->conf->max_body;
	req.timeout = (long)d->conf->timeout;
	if ((job->xfer = fetch_start(d->fetch, &req, poll_fetched, job)) ==
	    NULL) {
		log_warnx("source %s: cannot start a transfer", name);
		poll_job_free(job);
		return NULL;
	}
	log_debug("source %s: polling %s", name, req.url);
	return job;
}

void
poll_cancel(struct poll_job *job)
{
	if (job->xfer != NULL)
		fetch_cancel(job->xfer);
	poll_job_free(job);
}

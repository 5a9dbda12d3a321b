/* log: levels and stderr output; see log.h. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "fnv.h"
#include "log.h"
#include "mono.h"

/* Journal priorities (sd-daemon.h). */
#define PRI_ERR		3
#define PRI_WARNING	4
#define PRI_INFO	6
#define PRI_DEBUG	7

/* Set once at start-up by log_init; read-only afterwards. */
static int	log_level;
static int	log_journal;

/*
 * The rate limiter's memory: per key, the last message written and how
 * many identical ones were held back since.  Bounded: when full, the key
 * not heard from longest is forgotten (its count reported first).
 */
#define LOG_LIMIT_SLOTS	256
#define LOG_KEY_MAX	64
struct log_limit {
	uint64_t	 key;		/* hash of the key; 0: free slot */
	char		 name[LOG_KEY_MAX + 1];
	uint64_t	 msg;		/* hash of the last message written */
	int64_t		 written;	/* when, monotonic seconds */
	int64_t		 seen;		/* last call, for eviction */
	unsigned long	 held;		/* identical messages not written */
};
static struct log_limit	log_limits[LOG_LIMIT_SLOTS];
static int		log_window = LOG_REPEAT_WINDOW;

static void __attribute__((format(printf, 2, 0)))
log_vwrite(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char		 msg[2048], when[32];
	struct timespec	 ts;
	struct tm	 tm;
	int		 n;

	n = vsnprintf(msg, sizeof msg, fmt, ap);
	/* One event, one line: a newline in a message would forge another. */
	for (char *p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (n >= (int)sizeof msg)
		memcpy(msg + sizeof msg - 4, "...", 4);
	if (log_journal) {
		fprintf(stderr, "<%d>%s%s%s\n", pri, msg,
		    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s%s%s\n", when, ts.tv_nsec / 1000000, msg,
	    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
}

/* libevent's warnings belong in our log, not on a stray stderr line. */
static void
log_event_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

void
log_init(int verbose)
{
	log_level = verbose;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	event_set_log_callback(log_event_cb);
	setvbuf(stderr, NULL, _IOLBF, 0);
}

int
log_verbose(void)
{
	return log_level;
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < 1)
		return;
	va_start(ap, fmt);
	log_vwrite(PRI_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(PRI_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(PRI_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(PRI_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(PRI_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(PRI_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

/* Never 0, so that 0 can mark a free slot. */
static uint64_t
log_hash(const char *s)
{
	uint64_t	h = fnv_str(s);

	return h != 0 ? h : 1;
}

/* Seconds on a clock that never jumps. */
static int64_t
log_monotonic(void)
{
	return mono_usec() / 1000000;
}

static void	log_line(int, const char *, ...) LOG_ATTR(2, 3);

/* Writes one line at priority PRI. */
static void
log_line(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(pri, fmt, ap, NULL);
	va_end(ap);
}

/* The slot of KEY, claimed if new; the stalest slot is recycled when full. */
static struct log_limit *
log_limit_slot(const char *key, uint64_t kh, int64_t now)
{
	struct log_limit	*l, *stale = NULL;
	size_t			 i, start = (size_t)(kh % LOG_LIMIT_SLOTS);

	for (i = 0; i < LOG_LIMIT_SLOTS; i++) {
		l = &log_limits[(start + i) % LOG_LIMIT_SLOTS];
		if (l->key == kh)
			return l;
		if (l->key == 0) {
			stale = l;
			break;
		}
		if (stale == NULL || l->seen < stale->seen)
			stale = l;
	}
	if (stale->key != 0 && stale->held > 0)
		log_line(PRI_WARNING, "%s: previous message repeated %lu more "
		    "times", stale->name, stale->held);
	memset(stale, 0, sizeof *stale);
	stale->key = kh;
	snprintf(stale->name, sizeof stale->name, "%s", key);
	stale->written = now;
	return stale;
}

void
log_warnx_limited(const char *key, const char *fmt, ...)
{
	struct log_limit	*l;
	char			 msg[2048];
	uint64_t		 mh;
	int64_t			 now;
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (log_window <= 0) {
		log_line(PRI_WARNING, "%s", msg);
		return;
	}
	now = log_monotonic();
	mh = log_hash(msg);
	l = log_limit_slot(key, log_hash(key), now);
	l->seen = now;
	if (l->msg == mh && now - l->written < log_window) {
		l->held++;
		return;
	}
	if (l->msg == mh && l->held > 0)
		log_line(PRI_WARNING, "%s (%lu more times since last logged)",
		    msg, l->held);
	else {
		if (l->held > 0)
			log_line(PRI_WARNING, "%s: previous message repeated "
			    "%lu more times", l->name, l->held);
		log_line(PRI_WARNING, "%s", msg);
	}
	l->msg = mh;
	l->written = now;
	l->held = 0;
}

void
log_set_repeat_window(int seconds)
{
	log_window = seconds;
}

/* log: levels and stderr output; see log.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"

/* Journal priorities (sd-daemon.h). */
#define PRI_ERR		3
#define PRI_WARNING	4
#define PRI_INFO	6
#define PRI_DEBUG	7

/* Set once at start-up by log_init; read-only afterwards. */
static int	log_level;
static int	log_journal;

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

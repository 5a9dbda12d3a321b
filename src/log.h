/*
 * log: one line per event on stderr.  Under systemd (JOURNAL_STREAM set)
 * each line carries a journal priority prefix ("<4>") and no timestamp,
 * since the journal adds its own; otherwise lines start with a UTC
 * timestamp.  Lines are lower case, object first:
 * "source techweek: HTTP 503, retry in 20m".  The level is the only state
 * and is set once by main.  libevent's own messages are routed here.
 */
#ifndef FEEDMUX_LOG_H
#define FEEDMUX_LOG_H

#include <stdarg.h>

#define LOG_ATTR(f, a)	__attribute__((format(printf, f, a)))

/* Setup: VERBOSE > 0 adds debug lines. */
void	log_init(int verbose);
int	log_verbose(void);

/* Messages; the _warn forms append strerror(errno). */
void	log_debug(const char *, ...) LOG_ATTR(1, 2);
void	log_info(const char *, ...) LOG_ATTR(1, 2);
void	log_warn(const char *, ...) LOG_ATTR(1, 2);
void	log_warnx(const char *, ...) LOG_ATTR(1, 2);

/* Death: for what cannot happen or cannot be survived at start-up. */
void	fatal(const char *, ...) LOG_ATTR(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_ATTR(1, 2) __attribute__((noreturn));

#endif

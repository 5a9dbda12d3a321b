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

/*
 * Rate-limited warning for what repeats while nothing changes, such as one
 * source failing the same way every poll: a message identical to the last
 * one written under KEY (a source's name) within the repeat window is
 * counted instead of written, and the count is reported with the next line
 * written for KEY: "KEY: previous message repeated N more times" before a
 * different message, or "(N more times since last logged)" after the same
 * one once the window has passed.  Keys are tracked in a bounded table.
 */
#define LOG_REPEAT_WINDOW	3600	/* seconds */
void	log_warnx_limited(const char *key, const char *, ...) LOG_ATTR(2, 3);
/* Sets the repeat window in seconds (0 writes every message); for tests. */
void	log_set_repeat_window(int seconds);

/* Death: for what cannot happen or cannot be survived at start-up. */
void	fatal(const char *, ...) LOG_ATTR(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_ATTR(1, 2) __attribute__((noreturn));

#endif

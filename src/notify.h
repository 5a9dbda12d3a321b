/*
 * notify: systemd's service protocols, spoken without libsystemd.  State
 * datagrams to $NOTIFY_SOCKET (READY=1, STATUS=..., RELOADING=1,
 * STOPPING=1, WATCHDOG=1; a path or an abstract "@name" socket), the
 * watchdog period from $WATCHDOG_USEC, and the listening sockets handed
 * over by socket activation ($LISTEN_FDS for $LISTEN_PID).  Every function
 * does nothing when the daemon was not started by systemd, so main calls
 * them unconditionally.  No state: the environment is read on each call.
 */
#ifndef FEEDMUX_NOTIFY_H
#define FEEDMUX_NOTIFY_H

#include <stdint.h>

#include "log.h"

/* The first file descriptor socket activation passes (SD_LISTEN_FDS_START). */
#define NOTIFY_LISTEN_FDS_START	3

/* Longest state message sent; longer ones are refused, never cut. */
#define NOTIFY_MAX		1024

/*
 * Sends one state message ("READY=1\nSTATUS=...") to the service manager.
 * Returns 1 when sent, 0 when there is no manager to tell, -1 on error
 * (errno set).
 */
int		 notify_send(const char *fmt, ...) LOG_ATTR(1, 2);

/*
 * The watchdog period in microseconds the manager asked for, or 0 when it
 * asked for none (or asked another process).
 */
int64_t		 notify_watchdog_usec(void);

/*
 * How many listening sockets socket activation passed to this process,
 * from NOTIFY_LISTEN_FDS_START on; 0 when none.  They are made
 * close-on-exec and the variables are removed from the environment so no
 * child mistakes them for its own.
 */
int		 notify_listen_fds(void);

#endif

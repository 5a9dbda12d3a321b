/* daemon: the small services every room may ask of the daemon; see daemon.h. */
#include "config.h"

#include <time.h>

#include <event2/event.h>

#include "daemon.h"
#include "httpd.h"
#include "log.h"

int64_t
daemon_now(void)
{
	struct timespec	ts;

	/*
	 * Not time(3): glibc reads the kernel's coarse clock for it, which
	 * trails the real one by up to a tick, so just past a second it can
	 * still say the second before.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}


void
daemon_changed(struct daemon *d, const struct conf_source *cs)
{
	/* Only that source's views go stale; they re-render lazily. */
	httpd_changed(d->httpd, cs);
}

void
daemon_once_done(struct daemon *d)
{
	log_info("feedmuxd: every source polled once, exiting");
	event_base_loopexit(d->base, NULL);
}

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
	return (int64_t)time(NULL);
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

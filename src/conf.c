/*
 * conf: reads the INI configuration into an immutable struct conf; see
 * conf.h.  The reader is our own so that no line is ever cut short: a line
 * may be up to CONF_LINE_MAX bytes and a longer one is an error, never a
 * truncation.  conf_options is the single description of every option; it
 * drives parsing, validation, defaults and conf_write_example.  Every error
 * is collected into one message list so a broken file is fixed in one pass.
 * All state lives in a struct conf_state on the caller's stack.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "conf.h"
#include "date.h"
#include "fnv.h"
#include "uri.h"

#ifndef FEEDMUX_UA_DEFAULT
#ifdef PACKAGE_VERSION
#define FEEDMUX_UA_DEFAULT \
	"feedmux/" PACKAGE_VERSION " (+https://github.com/feedmux/feedmux)"
#else
#define FEEDMUX_UA_DEFAULT "feedmux/0.1 (+https://github.com/feedmux/feedmux)"
#endif
#endif

#define CONF_FILE_MAX	(4 * 1024 * 1024)	/* bytes in one file */
#define CONF_LINE_MAX	(64 * 1024)		/* bytes in one line */
#define CONF_NAME_MAX	64			/* category and source names */
#define CONF_DEPTH_MAX	16			/* files being read at once */
#define CONF_FILES_MAX	1024			/* files read in all */
#define CONF_ERRORS_MAX	1000			/* messages kept */
#define CONF_SHOW_MAX	80			/* bytes of a value quoted */

#define CONF_ATTR(f, a)	__attribute__((format(printf, f, a)))

enum conf_kind {
	CONF_KIND_NONE,		/* before the first section header */
	CONF_KIND_FEEDMUX,
	CONF_KIND_CATEGORY,
	CONF_KIND_SOURCE,
	CONF_KIND_SKIP		/* after a bad header: its keys are ignored */
};

enum conf_type {
	CONF_STRING,
	CONF_BOOL,
	CONF_DURATION,
	CONF_MSEC,		/* a duration in milliseconds: 250ms, 2s */
	CONF_SIZE,
	CONF_INT,
	CONF_HOSTPORT,
	CONF_URL,
	CONF_LIST,
	CONF_INCLUDE,
	CONF_PROXY,		/* scheme://host[:port] of a proxy */
	CONF_HEADER,		/* "Name: value", appended to a list */
	CONF_CIDRS,		/* comma-separated networks */
	CONF_TERMS,		/* comma-separated free text */
	CONF_REGEX		/* one PCRE2 pattern per line, repeatable */
};

#define CONF_REQUIRED	0x1
#define CONF_REPEAT	0x2
#define CONF_AT		0x4	/* where it was set is kept: conf_at_fields */

/* One option: what it is, where it goes and how it is documented. */
struct conf_option {
	const char	*name;
	enum conf_kind	 kind;
	enum conf_type	 type;
	int		 flags;
	int64_t		 min;
	int64_t		 max;
	const char	*def;		/* as written; NULL: none, inherited */
	const char	*example;	/* shown when there is no default */
	const char	*help;
	size_t		 off;		/* the member set */
	size_t		 size;
	size_t		 off2;		/* port of host:port, count of list */
};

#define CONF_FIELD(t, m)	offsetof(t, m), sizeof(((t *)0)->m)
#define CONF_NOFIELD		0, 0

#define MINUTE	60
#define HOUR	(60 * MINUTE)
#define DAY	(24 * HOUR)
#define WEEK	(7 * DAY)
#define KIB	((int64_t)1024)
#define MIB	(1024 * KIB)
#define GIB	(1024 * MIB)

/* Every option, grouped in section order; the example follows this order. */
static const struct conf_option conf_options[] = {
	{ "listen", CONF_KIND_FEEDMUX, CONF_HOSTPORT, 0, 0, 65535,
	  "127.0.0.1:8080", NULL,
	  "Address the HTTP server listens on, as HOST:PORT; write IPv6 "
	  "addresses in brackets, as [::1]:8080.  Port 0 picks any free port.",
	  CONF_FIELD(struct conf, listen_host),
	  offsetof(struct conf, listen_port) },
	{ "listen_unix", CONF_KIND_FEEDMUX, CONF_STRING, 0, 0, 0,
	  NULL, "/run/feedmux/http.sock",
	  "Also listen on this unix socket, for a reverse proxy on the same "
	  "machine; a stale socket file is replaced.",
	  CONF_FIELD(struct conf, listen_unix), 0 },
	{ "max_connections", CONF_KIND_FEEDMUX, CONF_INT, 0, 1, 65536,
	  "1024", NULL,
	  "Most HTTP connections open at once (lowered to fit ulimit -n); at "
	  "the cap the one idle the longest makes room for the next, which "
	  "waits in the kernel's queue only while all are answering.",
	  CONF_FIELD(struct conf, max_connections), 0 },
	{ "http_timeout", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 1, 10 * MINUTE,
	  "30s", NULL,
	  "An HTTP connection that sends nothing (idle keep-alive, a request "
	  "that never ends) or takes nothing of its answer for this long is "
	  "closed; a request head must arrive whole within it (else 408).",
	  CONF_FIELD(struct conf, http_timeout), 0 },
	{ "public_url", CONF_KIND_FEEDMUX, CONF_URL, 0, 0, 0,
	  NULL, "https://feeds.example.com",
	  "The URL readers reach feedmux at (behind a reverse proxy); self "
	  "links and WebSub topics use it.  Default: http:// and the "
	  "request's Host.",
	  CONF_FIELD(struct conf, public_url), 0 },
	{ "hub", CONF_KIND_FEEDMUX, CONF_URL, 0, 0, 0,
	  NULL, "https://pubsubhubbub.appspot.com/",
	  "A WebSub hub: feeds name it in rel=\"hub\" links, and it is "
	  "pinged (hub.mode=publish) whenever a category changes.",
	  CONF_FIELD(struct conf, hub), 0 },
	{ "database", CONF_KIND_FEEDMUX, CONF_STRING, 0, 0, 0,
	  "/var/lib/feedmux/feedmux.db", NULL,
	  "SQLite database file; a relative path is relative to the working "
	  "directory.",
	  CONF_FIELD(struct conf, database), 0 },
	{ "allow_private", CONF_KIND_FEEDMUX, CONF_BOOL, 0, 0, 1,
	  "no", NULL,
	  "Whether sources may connect to loopback and private addresses.  "
	  "Each source may override it.",
	  CONF_FIELD(struct conf, allow_private), 0 },
	{ "tls_verify", CONF_KIND_FEEDMUX, CONF_BOOL, 0, 0, 1,
	  "yes", NULL,
	  "Whether https sources must present a certificate that is valid "
	  "for their host name and signed by a trusted authority.  Each "
	  "source may override it.",
	  CONF_FIELD(struct conf, tls_verify), 0 },
	{ "user_agent", CONF_KIND_FEEDMUX, CONF_STRING, 0, 0, 0,
	  FEEDMUX_UA_DEFAULT, NULL,
	  "User-Agent header sent with every request.  Each source may "
	  "override it.",
	  CONF_FIELD(struct conf, user_agent), 0 },
	{ "interval", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 1, WEEK,
	  "30m", NULL,
	  "Time between polls of a source, as 90s, 30m, 2h, 1d or 1w.  "
	  "Values under a minute are meant for tests.",
	  CONF_FIELD(struct conf, interval), 0 },
	{ "min_interval", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 1, WEEK,
	  "5m", NULL,
	  "Shortest time between polls that a busy source's publishing rate "
	  "may bring its schedule down to (an interval set below it is kept "
	  "as set).  See \"Polling policy\" in the README.",
	  CONF_FIELD(struct conf, min_interval), 0 },
	{ "max_interval", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 1, 4 * WEEK,
	  "1d", NULL,
	  "Longest time between polls that a quiet source, or the "
	  "publisher's caching hints (max-age, Expires, ttl, sy:update*, "
	  "skipHours, skipDays), may stretch its schedule to (an interval "
	  "set above it is kept as set).",
	  CONF_FIELD(struct conf, max_interval), 0 },
	{ "max_backoff", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 1, 4 * WEEK,
	  "6h", NULL,
	  "Longest wait after repeated failures (or the interval, if "
	  "longer): the first retry comes after min(interval, 1m), doubling "
	  "with each failure in a row.",
	  CONF_FIELD(struct conf, max_backoff), 0 },
	{ "timeout", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 1, 10 * MINUTE,
	  "60s", NULL,
	  "Longest time one transfer may take, from connecting to the last "
	  "byte.",
	  CONF_FIELD(struct conf, timeout), 0 },
	{ "connect_timeout", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 1,
	  10 * MINUTE, "20s", NULL,
	  "Longest time to set up a connection (DNS, TCP, TLS).",
	  CONF_FIELD(struct conf, connect_timeout), 0 },
	{ "low_speed_limit", CONF_KIND_FEEDMUX, CONF_SIZE, 0, 1, GIB,
	  "64", NULL,
	  "A transfer slower than this many bytes per second for "
	  "low_speed_time is aborted.",
	  CONF_FIELD(struct conf, low_speed_limit), 0 },
	{ "low_speed_time", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 1,
	  10 * MINUTE, "30s", NULL,
	  "How long a transfer may stay below low_speed_limit.",
	  CONF_FIELD(struct conf, low_speed_time), 0 },
	{ "max_body", CONF_KIND_FEEDMUX, CONF_SIZE, 0, KIB, GIB,
	  "16M", NULL,
	  "Largest decoded response body accepted, with a K, M or G suffix; "
	  "a larger feed fails that poll.",
	  CONF_FIELD(struct conf, max_body), 0 },
	{ "max_transfers", CONF_KIND_FEEDMUX, CONF_INT, 0, 1, 1024,
	  "32", NULL,
	  "Most transfers in flight at once, over all hosts.",
	  CONF_FIELD(struct conf, max_transfers), 0 },
	{ "parse_threads", CONF_KIND_FEEDMUX, CONF_INT, 0, 0, 16,
	  "2", NULL,
	  "Threads that decode, parse and sanitize fetched documents beside "
	  "the loop, which keeps fetching and storing meanwhile; 0 parses on "
	  "the loop.  As many (one to four) re-sort stored entries after a "
	  "rules change.  A change takes a restart.",
	  CONF_FIELD(struct conf, parse_threads), 0 },
	{ "host_connections", CONF_KIND_FEEDMUX, CONF_INT, 0, 1, 64,
	  "2", NULL,
	  "Most transfers in flight at once to one host name.",
	  CONF_FIELD(struct conf, host_connections), 0 },
	{ "host_delay", CONF_KIND_FEEDMUX, CONF_MSEC, 0, 0, HOUR * 1000,
	  "100ms", NULL,
	  "Least time between two requests to one host name, counted from "
	  "when a request is sent, as 250ms or 2s; each gap gets 5% more and "
	  "up to 20% more at random.  A host that throttles several sources "
	  "gets longer gaps for a while.",
	  CONF_FIELD(struct conf, host_delay), 0 },
	{ "proxy", CONF_KIND_FEEDMUX, CONF_PROXY, 0, 0, 0,
	  NULL, "http://proxy.example:3128",
	  "Proxy for every request, as http://, https://, socks4://, "
	  "socks4a://, socks5:// or socks5h:// HOST:PORT (default: none; the "
	  "http_proxy environment variables are ignored).  The proxy is "
	  "exempt from the address policy; each source may override it.",
	  CONF_FIELD(struct conf, proxy), 0 },
	{ "allow_networks", CONF_KIND_FEEDMUX, CONF_CIDRS, 0, 0, 0,
	  NULL, "192.168.10.0/24, fd00:10::/64",
	  "Comma-separated networks (CIDR) that sources may reach even "
	  "without allow_private, for feeds on a LAN.",
	  CONF_FIELD(struct conf, allow_networks),
	  offsetof(struct conf, nallow_networks) },
	{ "feed_limit", CONF_KIND_FEEDMUX, CONF_INT, 0, 1, 1000,
	  "50", NULL,
	  "Most entries in one rendered feed.",
	  CONF_FIELD(struct conf, feed_limit), 0 },
	{ "sync", CONF_KIND_FEEDMUX, CONF_STRING, 0, 0, 0,
	  "normal", NULL,
	  "How hard the database waits for the disk: normal (a power cut may "
	  "lose the last few stored polls, which are fetched again; never "
	  "corrupts) or full (every poll's commit waits for fsync).",
	  CONF_FIELD(struct conf, sync), 0 },
	{ "max_age", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 0, 365 * DAY,
	  "0", NULL,
	  "Entries older than this are deleted (and never come back), unless "
	  "the publisher still lists them; 0 keeps them forever.  Each source "
	  "may override it.",
	  CONF_FIELD(struct conf, max_age), 0 },
	{ "max_entries", CONF_KIND_FEEDMUX, CONF_INT, 0, 0, 10000000,
	  "1000", NULL,
	  "Most entries kept per source; older ones are deleted (and never "
	  "come back) unless the publisher still lists them; 0 keeps every "
	  "entry.  Each source may override it.",
	  CONF_FIELD(struct conf, max_entries), 0 },
	{ "removed_keep", CONF_KIND_FEEDMUX, CONF_DURATION, 0, 0, 365 * DAY,
	  "30d", NULL,
	  "How long the entries of a source taken out of the config are kept "
	  "(hidden) in case it comes back; they are deleted at the first "
	  "start or reload after that; 0 keeps them forever.",
	  CONF_FIELD(struct conf, removed_keep), 0 },
	{ "control", CONF_KIND_FEEDMUX, CONF_STRING, 0, 0, 0,
	  NULL, "/run/feedmux/feedmux.sock",
	  "Unix socket on which the daemon takes commands such as `feedmux "
	  "poll`; it is made accessible to the daemon's user only and never "
	  "listens on the network.  Default: the database path with \".sock\" "
	  "appended.",
	  CONF_FIELD(struct conf, control), 0 },
	{ "all", CONF_KIND_FEEDMUX, CONF_BOOL, 0, 0, 1,
	  "yes", NULL,
	  "Whether the built-in category \"all\" (every entry of every "
	  "source, /feeds/all.atom) is served.",
	  CONF_FIELD(struct conf, all), 0 },
	{ "include", CONF_KIND_FEEDMUX, CONF_INCLUDE, CONF_REPEAT, 0, 0,
	  NULL, "conf.d/*.conf",
	  "Other files to read, as a glob pattern relative to the directory "
	  "of the file that names it; matches are read in sorted order and "
	  "a pattern matching nothing is ignored, but a pattern without "
	  "wildcards must name an existing file.  May be repeated.",
	  CONF_NOFIELD, 0 },

	{ "title", CONF_KIND_CATEGORY, CONF_STRING, 0, 0, 0,
	  NULL, "Example feeds",
	  "Title of the category's feed (default: the category's name).",
	  CONF_FIELD(struct conf_category, title), 0 },
	{ "description", CONF_KIND_CATEGORY, CONF_STRING, 0, 0, 0,
	  NULL, "Stories from the example sources.",
	  "Description of the category's feed (default: none).",
	  CONF_FIELD(struct conf_category, description), 0 },
	{ "sources", CONF_KIND_CATEGORY, CONF_LIST, CONF_AT, 0, 0,
	  NULL, "example",
	  "Comma-separated names of sources whose every entry belongs here "
	  "(as the sources' own categories option does).",
	  CONF_FIELD(struct conf_category, sources),
	  offsetof(struct conf_category, nsources) },
	{ "terms", CONF_KIND_CATEGORY, CONF_TERMS, CONF_AT, 0, 0,
	  NULL, "Example, Example News",
	  "Comma-separated publisher category terms (RSS category, Atom "
	  "term or label, dc:subject) whose entries belong here.  Terms "
	  "compare by their letters and digits only, ignoring case, so "
	  "\"Cloud & Datacentre\", \"cloud-datacentre\" and "
	  "\"CloudDatacentre\" are one term.",
	  CONF_FIELD(struct conf_category, terms),
	  offsetof(struct conf_category, nterms) },
	{ "match", CONF_KIND_CATEGORY, CONF_REGEX, CONF_REPEAT, 0, 0,
	  NULL, "\\bexamples?\\b",
	  "A PCRE2 regular expression searched in the title, summary and "
	  "content (HTML tags removed, first 32K of each); an entry it "
	  "matches belongs here.  Case-insensitive unless it starts with "
	  "(?-i).  May be repeated: any one matching is enough.",
	  CONF_FIELD(struct conf_category, match),
	  offsetof(struct conf_category, nmatch) },
	{ "match_title", CONF_KIND_CATEGORY, CONF_REGEX, CONF_REPEAT, 0, 0,
	  NULL, "^example:",
	  "Like match, searched in the title only.  May be repeated.",
	  CONF_FIELD(struct conf_category, match_title),
	  offsetof(struct conf_category, nmatch_title) },
	{ "include", CONF_KIND_CATEGORY, CONF_LIST, CONF_AT, 0, 0,
	  NULL, "all",
	  "Comma-separated names of other categories (or \"all\") whose "
	  "entries belong here too; categories may not include each other "
	  "in a cycle.",
	  CONF_FIELD(struct conf_category, includes),
	  offsetof(struct conf_category, nincludes) },
	{ "exclude", CONF_KIND_CATEGORY, CONF_REGEX, CONF_REPEAT, 0, 0,
	  NULL, "\\bsponsored\\b",
	  "A regular expression like match: an entry it matches is kept "
	  "out, whatever rule let it in.  May be repeated.",
	  CONF_FIELD(struct conf_category, exclude),
	  offsetof(struct conf_category, nexclude) },
	{ "exclude_terms", CONF_KIND_CATEGORY, CONF_TERMS, CONF_AT, 0, 0,
	  NULL, "Advertising",
	  "Publisher terms, as in terms, whose entries are kept out.",
	  CONF_FIELD(struct conf_category, exclude_terms),
	  offsetof(struct conf_category, nexclude_terms) },
	{ "language", CONF_KIND_CATEGORY, CONF_LIST, CONF_AT, 0, 0,
	  NULL, "en",
	  "Comma-separated languages (en, fr, pt-BR...): entries declared "
	  "in another language are kept out; entries that declare none are "
	  "kept.  \"en\" also takes en-GB and en-US.",
	  CONF_FIELD(struct conf_category, languages),
	  offsetof(struct conf_category, nlanguages) },
	{ "max_age", CONF_KIND_CATEGORY, CONF_DURATION, CONF_AT, 1, 366 * DAY,
	  NULL, "30d",
	  "Entries older than this (by their date) leave the category "
	  "(default: no limit).",
	  CONF_FIELD(struct conf_category, max_age), 0 },
	{ "limit", CONF_KIND_CATEGORY, CONF_INT, 0, 1, 1000,
	  NULL, "20",
	  "Most entries in this category's feed (default: the global "
	  "feed_limit).",
	  CONF_FIELD(struct conf_category, limit), 0 },
	{ "updates_bump", CONF_KIND_CATEGORY, CONF_BOOL, 0, 0, 1,
	  NULL, "no",
	  "Whether an entry the publisher edits moves to the top of this "
	  "category's feed (default: no, it keeps its place).",
	  CONF_FIELD(struct conf_category, updates_bump), 0 },

	{ "url", CONF_KIND_SOURCE, CONF_URL, CONF_REQUIRED, 0, 0,
	  NULL, "https://example.org/feed.xml",
	  "Absolute http or https URL of the feed.",
	  CONF_FIELD(struct conf_source, url), 0 },
	{ "categories", CONF_KIND_SOURCE, CONF_LIST, 0, 0, 0,
	  NULL, "example",
	  "Comma-separated names of the categories the source's entries go "
	  "to; each must be defined by a [category] section in some file.",
	  CONF_FIELD(struct conf_source, categories),
	  offsetof(struct conf_source, ncategories) },
	{ "interval", CONF_KIND_SOURCE, CONF_DURATION, 0, 1, WEEK,
	  NULL, "15m",
	  "Time between polls of this source (default: the global "
	  "interval).",
	  CONF_FIELD(struct conf_source, interval), 0 },
	{ "min_interval", CONF_KIND_SOURCE, CONF_DURATION, 0, 1, WEEK,
	  NULL, "10m",
	  "Shortest time between polls of this source (default: the global "
	  "min_interval).",
	  CONF_FIELD(struct conf_source, min_interval), 0 },
	{ "max_interval", CONF_KIND_SOURCE, CONF_DURATION, 0, 1, 4 * WEEK,
	  NULL, "6h",
	  "Longest time between polls of this source (default: the global "
	  "max_interval).",
	  CONF_FIELD(struct conf_source, max_interval), 0 },
	{ "allow_private", CONF_KIND_SOURCE, CONF_BOOL, 0, 0, 1,
	  NULL, "no",
	  "Whether this source may connect to loopback and private addresses "
	  "(default: the global allow_private).",
	  CONF_FIELD(struct conf_source, allow_private), 0 },
	{ "tls_verify", CONF_KIND_SOURCE, CONF_BOOL, 0, 0, 1,
	  NULL, "no",
	  "Whether this source's certificate is verified (default: the "
	  "global tls_verify); no accepts a self-signed or expired one.",
	  CONF_FIELD(struct conf_source, tls_verify), 0 },
	{ "proxy", CONF_KIND_SOURCE, CONF_PROXY, 0, 0, 0,
	  NULL, "socks5h://127.0.0.1:9050",
	  "Proxy for this source (default: the global proxy); \"none\" "
	  "connects directly.",
	  CONF_FIELD(struct conf_source, proxy), 0 },
	{ "header", CONF_KIND_SOURCE, CONF_HEADER, CONF_REPEAT, 0, 0,
	  NULL, "Authorization: Bearer 0123456789",
	  "An extra request header for this source, as \"Name: value\"; may "
	  "be repeated.  Headers feedmux manages itself (Host, User-Agent, "
	  "If-None-Match, If-Modified-Since, Accept-Encoding, Connection, "
	  "Content-Length, Transfer-Encoding) cannot be set here.",
	  CONF_FIELD(struct conf_source, headers),
	  offsetof(struct conf_source, nheaders) },
	{ "user_agent", CONF_KIND_SOURCE, CONF_STRING, 0, 0, 0,
	  NULL, "feedmux-example/1.0",
	  "User-Agent header for this source (default: the global "
	  "user_agent).",
	  CONF_FIELD(struct conf_source, user_agent), 0 },
	{ "max_age", CONF_KIND_SOURCE, CONF_DURATION, 0, 0, 365 * DAY,
	  NULL, "90d",
	  "Retention for this source (default: the global max_age).",
	  CONF_FIELD(struct conf_source, max_age), 0 },
	{ "max_entries", CONF_KIND_SOURCE, CONF_INT, 0, 0, 10000000,
	  NULL, "500",
	  "Retention for this source (default: the global max_entries).",
	  CONF_FIELD(struct conf_source, max_entries), 0 },
	{ "title", CONF_KIND_SOURCE, CONF_STRING, 0, 0, 0,
	  NULL, "Example Weekly",
	  "Name of the source for people, as in an OPML subscription list "
	  "(default: none; the feed's own title is shown).",
	  CONF_FIELD(struct conf_source, title), 0 },
};
#define CONF_NOPTIONS	(sizeof conf_options / sizeof conf_options[0])

/* Where each CONF_AT option of a category keeps the place it was set. */
static const struct {
	const char	*name;
	size_t		 off;
} conf_at_fields[] = {
	{ "sources", offsetof(struct conf_category, sources_at) },
	{ "terms", offsetof(struct conf_category, terms_at) },
	{ "include", offsetof(struct conf_category, includes_at) },
	{ "exclude_terms", offsetof(struct conf_category, exclude_terms_at) },
	{ "language", offsetof(struct conf_category, languages_at) },
	{ "max_age", offsetof(struct conf_category, max_age_at) },
};

/* How each section kind is written and introduced in the example. */
static const struct {
	const char	*name;
	const char	*header;	/* as shown in the example */
	const char	*help;
} conf_kinds[] = {
	[CONF_KIND_FEEDMUX] = { "feedmux", "[feedmux]",
	  "The daemon itself.  May appear in several files, but each option "
	  "(except include) may be set only once." },
	[CONF_KIND_CATEGORY] = { "category", "[category \"example\"]",
	  "One section per category, named by 1 to 64 of A-Z a-z 0-9 . _ -; "
	  "\"all\" is reserved.  Sources name the categories they feed." },
	[CONF_KIND_SOURCE] = { "source", "[source \"example\"]",
	  "One section per feed polled, named like a category." },
};

/* Where an option was first set, to report duplicates. */
struct conf_seen {
	const char	*file;
	int		 line;
};

/* What the checks at the end need to know about a source. */
struct conf_extra {
	const char	*cfile;		/* where categories was set */
	int		 cline;
	int		 interval_set;
	int		 min_set;
	int		 max_set;
};

/* The section being read in one file. */
struct conf_section {
	enum conf_kind	 kind;
	size_t		 index;		/* into categories or sources */
	const char	*file;
	int		 line;		/* of the header */
	struct conf_seen seen[CONF_NOPTIONS];
};

/* Everything one conf_load needs; lives on its stack. */
struct conf_state {
	struct conf		*conf;
	size_t			 catsize;
	size_t			 srcsize;
	size_t			 filesize;
	struct conf_extra	*extra;		/* parallel to conf->sources */
	struct conf_seen	 global[CONF_NOPTIONS];
	struct {
		dev_t		 dev;
		ino_t		 ino;
	}			 stack[CONF_DEPTH_MAX];
	int			 depth;
	char			*err;
	size_t			 errlen;
	size_t			 errsize;
	size_t			 nerrors;
	int			 oom;
	/* source index + 1 by name hash */
	size_t			*names;
	size_t			 nnames;	/* slots, a power of two */
};

/* A value parsed by its option's type, not yet stored. */
struct conf_value {
	char		*s;
	int64_t		 n;
	char		**list;
	size_t		 nlist;
	struct conf_cidr *cidrs;
	size_t		 ncidrs;
};

static void	conf_read_file(struct conf_state *, const char *, const char *,
		    int);

/* Appends "file:line: msg" (or "file: msg" for line 0) to the list. */
static void
conf_error_add(struct conf_state *st, const char *file, int line,
    const char *msg)
{
	char	 prefix[32];
	size_t	 need, size;
	char	*p;

	if (line > 0)
		snprintf(prefix, sizeof prefix, ":%d: ", line);
	else
		snprintf(prefix, sizeof prefix, ": ");
	need = st->errlen + strlen(file) + strlen(prefix) + strlen(msg) + 2;
	if (need > st->errsize) {
		size = st->errsize != 0 ? st->errsize : 256;
		while (size < need)
			size *= 2;
		if ((p = realloc(st->err, size)) == NULL) {
			st->oom = 1;
			return;
		}
		st->err = p;
		st->errsize = size;
	}
	st->errlen += (size_t)snprintf(st->err + st->errlen,
	    st->errsize - st->errlen, "%s%s%s\n", file, prefix, msg);
}

/* Records one error; past CONF_ERRORS_MAX only a last line says so. */
static void CONF_ATTR(4, 5)
conf_error(struct conf_state *st, const char *file, int line,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	int	 n;

	if (st->oom || st->nerrors >= CONF_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (msg = malloc((size_t)n + 1)) == NULL) {
		st->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	conf_error_add(st, file, line, msg);
	free(msg);
	if (++st->nerrors == CONF_ERRORS_MAX)
		conf_error_add(st, st->conf->path, 0,
		    "too many errors, stopped here");
}

/* Copies S into BUF to quote in a message, cut after CONF_SHOW_MAX bytes. */
static const char *
conf_show(const char *s, char *buf, size_t len)
{
	size_t	n = strlen(s);

	if (n < len && n <= CONF_SHOW_MAX) {
		memcpy(buf, s, n + 1);
		return buf;
	}
	n = CONF_SHOW_MAX < len - 4 ? CONF_SHOW_MAX : len - 4;
	/* Never end in the middle of a UTF-8 sequence. */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}

/* Space or tab: the only blanks a line may hold around its parts. */
static int
conf_isblank(char c)
{
	return c == ' ' || c == '\t';
}

/* 1 when S is a valid category or source name. */
static int
conf_valid_name(const char *s)
{
	size_t	n = strlen(s);

	if (n == 0 || n > CONF_NAME_MAX)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == n;
}

/* Grows *V (of *SIZE elements of ELEM bytes) to hold at least N. */
static int
conf_grow(void *v, size_t *size, size_t n, size_t elem)
{
	size_t	 want = *size ? *size : 8;
	void	*p;

	if (n <= *size)
		return 0;
	while (want < n)
		want *= 2;
	if (want > SIZE_MAX / elem)
		return -1;
	if ((p = realloc(*(void **)v, want * elem)) == NULL)
		return -1;
	*(void **)v = p;
	*size = want;
	return 0;
}

/* Writes seconds as the largest whole unit (1w, 10m, 90s). */
static void
conf_fmt_duration(int64_t v, char *buf, size_t len)
{
	if (v != 0 && v % WEEK == 0)
		snprintf(buf, len, "%lldw", (long long)(v / WEEK));
	else if (v != 0 && v % DAY == 0)
		snprintf(buf, len, "%lldd", (long long)(v / DAY));
	else if (v != 0 && v % HOUR == 0)
		snprintf(buf, len, "%lldh", (long long)(v / HOUR));
	else if (v != 0 && v % MINUTE == 0)
		snprintf(buf, len, "%lldm", (long long)(v / MINUTE));
	else
		snprintf(buf, len, "%llds", (long long)v);
}

/* Writes bytes as the largest whole suffix (1K, 16M, 1G). */
static void
conf_fmt_size(int64_t v, char *buf, size_t len)
{
	if (v != 0 && v % GIB == 0)
		snprintf(buf, len, "%lldG", (long long)(v / GIB));
	else if (v != 0 && v % MIB == 0)
		snprintf(buf, len, "%lldM", (long long)(v / MIB));
	else if (v != 0 && v % KIB == 0)
		snprintf(buf, len, "%lldK", (long long)(v / KIB));
	else
		snprintf(buf, len, "%lld", (long long)v);
}

/* Writes a bound of OPT in the units its values are written in. */
static void
conf_fmt_bound(const struct conf_option *opt, int64_t v, char *buf,
    size_t len)
{
	if (opt->type == CONF_DURATION)
		conf_fmt_duration(v, buf, len);
	else if (opt->type == CONF_MSEC && v % 1000 != 0)
		snprintf(buf, len, "%lldms", (long long)v);
	else if (opt->type == CONF_MSEC)
		conf_fmt_duration(v / 1000, buf, len);
	else if (opt->type == CONF_SIZE)
		conf_fmt_size(v, buf, len);
	else
		snprintf(buf, len, "%lld", (long long)v);
}

/* Parses a size: digits with an optional K, M or G; -1 malformed, -2 huge. */
static int
conf_parse_size(const char *s, int64_t *out)
{
	int64_t	v = 0, mult = 1;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - 9) / 10)
			return -2;
		v = v * 10 + (*s - '0');
	}
	switch (*s) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = KIB;
		break;
	case 'm':
	case 'M':
		mult = MIB;
		break;
	case 'g':
	case 'G':
		mult = GIB;
		break;
	default:
		return -1;
	}
	if (*s != '\0' && s[1] != '\0')
		return -1;
	if (v > INT64_MAX / mult)
		return -2;
	*out = v * mult;
	return 0;
}

/* Parses a decimal integer with an optional minus; -1 malformed, -2 huge. */
static int
conf_parse_int(const char *s, int64_t *out)
{
	const char	*p = s;
	char		*end;
	long long	 v;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9' || strspn(p, "0123456789") != strlen(p))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -2;
	*out = v;
	return 0;
}

/* Parses yes/no and friends; -1 when it is none of them. */
static int
conf_parse_bool(const char *s, int64_t *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/*
 * Parses HOST:PORT or [IPV6]:PORT into a malloc'd host and a port; -1
 * malformed, -2 bad IPv6 address, -3 port out of range, -4 out of memory.
 */
static int
conf_parse_hostport(const char *s, char **host, int64_t *port)
{
	struct in6_addr	 a6;
	const char	*h, *end, *p;
	size_t		 hlen;
	char		*copy;
	int64_t		 v = 0;

	if (*s == '[') {
		h = s + 1;
		if ((end = strchr(h, ']')) == NULL || end[1] != ':')
			return -1;
		hlen = (size_t)(end - h);
		p = end + 2;
	} else {
		if ((end = strrchr(s, ':')) == NULL)
			return -1;
		h = s;
		hlen = (size_t)(end - h);
		/* An unbracketed IPv6 address would be ambiguous. */
		if (hlen == 0 || strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789._-") != hlen)
			return -1;
		p = end + 1;
	}
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
		return -1;
	for (; *p != '\0'; p++) {
		v = v * 10 + (*p - '0');
		if (v > 65535)
			return -3;
	}
	if ((copy = strndup(h, hlen)) == NULL)
		return -4;
	if (*s == '[' && inet_pton(AF_INET6, copy, &a6) != 1) {
		free(copy);
		return -2;
	}
	*host = copy;
	*port = v;
	return 0;
}

/* Frees a list of N strings. */
static void
conf_list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Frees N rules. */
static void
conf_rules_free(struct conf_rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].text);
	free(r);
}

/*
 * Splits a comma-separated list of names into OUT; on a bad item writes
 * the reason into WHY and returns -1; -2 when out of memory.
 */
static int
conf_parse_list(const char *s, struct conf_value *out, char *why,
    size_t whylen)
{
	char		 show[CONF_SHOW_MAX + 4];
	const char	*p = s, *comma, *b, *e;
	size_t		 size = 0;
	char		*item;

	for (;;) {
		comma = strchr(p, ',');
		e = comma != NULL ? comma : p + strlen(p);
		for (b = p; b < e && conf_isblank(*b); b++)
			;
		while (e > b && conf_isblank(e[-1]))
			e--;
		if ((item = strndup(b, (size_t)(e - b))) == NULL)
			goto oom;
		if (*item == '\0') {
			snprintf(why, whylen, "empty name in list");
			free(item);
			goto bad;
		}
		if (!conf_valid_name(item)) {
			snprintf(why, whylen, "\"%s\" is not a valid name",
			    conf_show(item, show, sizeof show));
			free(item);
			goto bad;
		}
		for (size_t i = 0; i < out->nlist; i++) {
			if (strcmp(out->list[i], item) == 0) {
				snprintf(why, whylen, "\"%s\" named twice",
				    item);
				free(item);
				goto bad;
			}
		}
		if (conf_grow(&out->list, &size, out->nlist + 1,
		    sizeof *out->list) == -1) {
			free(item);
			goto oom;
		}
		out->list[out->nlist++] = item;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
bad:
	conf_list_free(out->list, out->nlist);
	out->list = NULL;
	out->nlist = 0;
	return -1;
oom:
	conf_list_free(out->list, out->nlist);
	out->list = NULL;
	out->nlist = 0;
	return -2;
}

/* 1 when S is "none" or a proxy URL with a scheme curl speaks and a host. */
static int
conf_valid_proxy(const char *s)
{
	static const char *const schemes[] = {
		"http://", "https://", "socks4://", "socks4a://", "socks5://",
		"socks5h://",
	};
	const char	*h = NULL;

	if (strcmp(s, "none") == 0)
		return 1;
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strncasecmp(s, schemes[i], strlen(schemes[i])) == 0)
			h = s + strlen(schemes[i]);
	if (h == NULL || *h == '\0' || *h == '/' || *h == ':')
		return 0;
	return strpbrk(s, " \t\"<>\\^`{|}") == NULL;
}

/* Request headers feedmux sets itself, which a source may not override. */
static const char *const conf_managed_headers[] = {
	"host", "user-agent", "if-none-match", "if-modified-since",
	"accept-encoding", "connection", "content-length",
	"transfer-encoding", "te", "upgrade", "keep-alive",
	"proxy-connection",
};

/*
 * Checks "Name: value" and copies it normalised to "Name: value" into
 * *OUT; -1 with WHY set when malformed, -2 when out of memory.
 */
static int
conf_parse_header_value(const char *s, char **out, char *why, size_t whylen)
{
	const char	*colon, *v;
	size_t		 n;

	if ((colon = strchr(s, ':')) == NULL || colon == s) {
		snprintf(why, whylen, "expected \"Name: value\"");
		return -1;
	}
	n = (size_t)(colon - s);
	/* RFC 9110 token characters only. */
	if (strspn(s, "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") != n) {
		snprintf(why, whylen, "bad header name");
		return -1;
	}
	for (size_t i = 0; i < sizeof conf_managed_headers /
	    sizeof conf_managed_headers[0]; i++) {
		if (strlen(conf_managed_headers[i]) == n &&
		    strncasecmp(s, conf_managed_headers[i], n) == 0) {
			snprintf(why, whylen, "%.*s is set by feedmux itself",
			    (int)n, s);
			return -1;
		}
	}
	for (v = colon + 1; conf_isblank(*v); v++)
		;
	for (const char *p = v; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t') {
			snprintf(why, whylen, "control character in value");
			return -1;
		}
	}
	if (asprintf(out, "%.*s: %s", (int)n, s, v) == -1)
		return -2;
	return 0;
}

/* Parses one "ADDR/BITS" (or a bare address) into C; -1 when malformed. */
static int
conf_parse_cidr(const char *s, struct conf_cidr *c)
{
	char		 addr[INET6_ADDRSTRLEN + 1];
	const char	*slash;
	size_t		 n;
	int64_t		 bits;
	int		 max;

	memset(c, 0, sizeof *c);
	slash = strchr(s, '/');
	n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof addr)
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else
		return -1;
	bits = max;
	if (slash != NULL && (conf_parse_int(slash + 1, &bits) != 0 ||
	    slash[1] == '-' || bits > max))
		return -1;
	c->prefix = (int)bits;
	/* Host bits set are a typo more often than not: refuse them. */
	for (int i = c->prefix; i < max; i++)
		if (c->addr[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return 0;
}

/* Splits a comma-separated list of networks into OUT; -1 with WHY, -2 oom. */
static int
conf_parse_cidrs(const char *s, struct conf_value *out, char *why,
    size_t whylen)
{
	char		 show[CONF_SHOW_MAX + 4];
	const char	*p = s, *comma, *b, *e;
	struct conf_cidr *v;
	char		*item;

	for (;;) {
		comma = strchr(p, ',');
		e = comma != NULL ? comma : p + strlen(p);
		for (b = p; b < e && conf_isblank(*b); b++)
			;
		while (e > b && conf_isblank(e[-1]))
			e--;
		if ((item = strndup(b, (size_t)(e - b))) == NULL)
			goto oom;
		if ((v = realloc(out->cidrs, (out->ncidrs + 1) *
		    sizeof *v)) == NULL) {
			free(item);
			goto oom;
		}
		out->cidrs = v;
		if (conf_parse_cidr(item, &v[out->ncidrs]) == -1) {
			snprintf(why, whylen, "\"%s\" is not a network (like "
			    "192.168.1.0/24 or fd00::/8, host bits zero)",
			    conf_show(item, show, sizeof show));
			free(item);
			free(out->cidrs);
			out->cidrs = NULL;
			out->ncidrs = 0;
			return -1;
		}
		free(item);
		out->ncidrs++;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
oom:
	free(out->cidrs);
	out->cidrs = NULL;
	out->ncidrs = 0;
	return -2;
}

/*
 * Splits a comma-separated list of publisher terms into OUT; each needs a
 * letter or digit, since terms compare by those alone.  -1 with WHY set on
 * a bad item, -2 when out of memory.
 */
static int
conf_parse_terms(const char *s, struct conf_value *out, char *why,
    size_t whylen)
{
	char		 show[CONF_SHOW_MAX + 4];
	const char	*p = s, *comma, *b, *e;
	size_t		 size = 0;
	char		*item;
	int		 alnum;

	for (;;) {
		comma = strchr(p, ',');
		e = comma != NULL ? comma : p + strlen(p);
		for (b = p; b < e && conf_isblank(*b); b++)
			;
		while (e > b && conf_isblank(e[-1]))
			e--;
		alnum = 0;
		for (const char *q = b; q < e; q++)
			if (classify_term_char(*q))
				alnum = 1;
		if (!alnum) {
			if (b == e)
				snprintf(why, whylen, "empty term in list");
			else {
				if ((item = strndup(b, (size_t)(e - b))) ==
				    NULL)
					goto oom;
				snprintf(why, whylen, "term \"%s\" has no "
				    "letter or digit",
				    conf_show(item, show, sizeof show));
				free(item);
			}
			conf_list_free(out->list, out->nlist);
			out->list = NULL;
			out->nlist = 0;
			return -1;
		}
		if ((item = strndup(b, (size_t)(e - b))) == NULL)
			goto oom;
		if (conf_grow(&out->list, &size, out->nlist + 1,
		    sizeof *out->list) == -1) {
			free(item);
			goto oom;
		}
		out->list[out->nlist++] = item;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
oom:
	conf_list_free(out->list, out->nlist);
	out->list = NULL;
	out->nlist = 0;
	return -2;
}

/*
 * Parses TEXT as OPT's type into OUT.  Returns 0, or -1 with the whole
 * message in MSG, or -2 when out of memory.
 */
static int
conf_parse_value(const struct conf_option *opt, const char *text,
    struct conf_value *out, char *msg, size_t msglen)
{
	char	 show[CONF_SHOW_MAX + 4], why[CONF_SHOW_MAX + 128];
	char	 lo[32], hi[32];
	int	 r = 0;

	memset(out, 0, sizeof *out);
	conf_show(text, show, sizeof show);
	if (*text == '\0') {
		snprintf(msg, msglen, "bad value for %s: empty", opt->name);
		return -1;
	}
	switch (opt->type) {
	case CONF_STRING:
	case CONF_INCLUDE:
	/* compiled by conf_set_key, which knows where */
	case CONF_REGEX:
		if ((out->s = strdup(text)) == NULL)
			return -2;
		return 0;
	case CONF_URL:
		if (!uri_is_http(text)) {
			snprintf(msg, msglen, "bad value for %s: \"%s\" is not "
			    "an absolute http or https URL", opt->name, show);
			return -1;
		}
		if ((out->s = strdup(text)) == NULL)
			return -2;
		return 0;
	case CONF_BOOL:
		if (conf_parse_bool(text, &out->n) == -1) {
			snprintf(msg, msglen, "bad value for %s: \"%s\" is not "
			    "yes or no", opt->name, show);
			return -1;
		}
		return 0;
	case CONF_DURATION:
		if ((out->n = date_parse_duration(text)) < 0) {
			snprintf(msg, msglen, "bad value for %s: \"%s\" is not "
			    "a duration (like 90s, 30m, 2h, 1d or 1w, at most "
			    "a year)", opt->name, show);
			return -1;
		}
		break;
	case CONF_MSEC: {
		size_t	n = strlen(text);

		/* "250ms", else a duration in seconds as everywhere. */
		if (n > 2 && strcmp(text + n - 2, "ms") == 0 &&
		    strspn(text, "0123456789") == n - 2 && n - 2 <= 9)
			out->n = strtoll(text, NULL, 10);
		else if ((out->n = date_parse_duration(text)) >= 0)
			out->n *= 1000;
		else {
			snprintf(msg, msglen, "bad value for %s: \"%s\" is not "
			    "a duration (like 250ms, 1s or 2m)", opt->name,
			    show);
			return -1;
		}
		break;
	}
	case CONF_SIZE:
		if ((r = conf_parse_size(text, &out->n)) == -1) {
			snprintf(msg, msglen, "bad value for %s: \"%s\" is not "
			    "a size (like 512K, 16M or 1G)", opt->name, show);
			return -1;
		}
		break;
	case CONF_INT:
		if ((r = conf_parse_int(text, &out->n)) == -1) {
			snprintf(msg, msglen, "bad value for %s: \"%s\" is not "
			    "an integer", opt->name, show);
			return -1;
		}
		break;
	case CONF_HOSTPORT:
		switch (conf_parse_hostport(text, &out->s, &out->n)) {
		case 0:
			return 0;
		case -1:
			snprintf(msg, msglen, "bad value for %s: \"%s\" is not "
			    "HOST:PORT (IPv6 as [::1]:8080)", opt->name, show);
			return -1;
		case -2:
			snprintf(msg, msglen, "bad value for %s: \"%s\" has a "
			    "bad IPv6 address", opt->name, show);
			return -1;
		case -3:
			conf_fmt_bound(opt, opt->min, lo, sizeof lo);
			conf_fmt_bound(opt, opt->max, hi, sizeof hi);
			snprintf(msg, msglen, "%s out of range: \"%s\" (port "
			    "must be %s to %s)", opt->name, show, lo, hi);
			return -1;
		default:
			return -2;
		}
	case CONF_LIST:
	case CONF_TERMS:
		r = opt->type == CONF_LIST ? conf_parse_list(text, out, why,
		    sizeof why) : conf_parse_terms(text, out, why, sizeof why);
		switch (r) {
		case 0:
			return 0;
		case -1:
			snprintf(msg, msglen, "bad value for %s: %s", opt->name,
			    why);
			return -1;
		default:
			return -2;
		}
	case CONF_CIDRS:
		switch (conf_parse_cidrs(text, out, why, sizeof why)) {
		case 0:
			return 0;
		case -1:
			snprintf(msg, msglen, "bad value for %s: %s", opt->name,
			    why);
			return -1;
		default:
			return -2;
		}
	case CONF_HEADER:
		switch (conf_parse_header_value(text, &out->s, why,
		    sizeof why)) {
		case 0:
			return 0;
		case -1:
			snprintf(msg, msglen, "bad value for %s: \"%s\": %s",
			    opt->name, show, why);
			return -1;
		default:
			return -2;
		}
	case CONF_PROXY:
		if (!conf_valid_proxy(text)) {
			snprintf(msg, msglen, "bad value for %s: \"%s\" is not "
			    "a proxy URL (http, https, socks4, socks4a, socks5 "
			    "or socks5h://HOST:PORT) or none", opt->name, show);
			return -1;
		}
		if ((out->s = strdup(text)) == NULL)
			return -2;
		return 0;
	}

	/* Numbers: r is -2 when too large to hold at all. */
	if (r == -2 || out->n < opt->min || out->n > opt->max) {
		conf_fmt_bound(opt, opt->min, lo, sizeof lo);
		conf_fmt_bound(opt, opt->max, hi, sizeof hi);
		snprintf(msg, msglen, "%s out of range: \"%s\" (must be %s to "
		    "%s)", opt->name, show, lo, hi);
		return -1;
	}
	return 0;
}

/* Stores an integer into a member of SIZE bytes (int, long or int64_t). */
static void
conf_store_int(char *p, size_t size, int64_t v)
{
	int	i = (int)v;

	if (size == sizeof i)
		memcpy(p, &i, sizeof i);
	else
		memcpy(p, &v, sizeof v);
}

/* Moves a parsed value into its member of BASE, freeing what it replaces. */
static void
conf_store(char *base, const struct conf_option *opt, struct conf_value *v)
{
	char	*old;
	int	 port;

	switch (opt->type) {
	case CONF_STRING:
	case CONF_URL:
	case CONF_PROXY:
	case CONF_HOSTPORT:
		memcpy(&old, base + opt->off, sizeof old);
		free(old);
		memcpy(base + opt->off, &v->s, sizeof v->s);
		v->s = NULL;
		if (opt->type == CONF_HOSTPORT) {
			port = (int)v->n;
			memcpy(base + opt->off2, &port, sizeof port);
		}
		break;
	case CONF_LIST:
	case CONF_TERMS: {
		char	**oldv;
		size_t	  oldn;

		memcpy(&oldv, base + opt->off, sizeof oldv);
		memcpy(&oldn, base + opt->off2, sizeof oldn);
		conf_list_free(oldv, oldn);
		memcpy(base + opt->off, &v->list, sizeof v->list);
		memcpy(base + opt->off2, &v->nlist, sizeof v->nlist);
		v->list = NULL;
		v->nlist = 0;
		break;
	}
	case CONF_HEADER: {
		char	**oldv, **nv;
		size_t	  oldn;

		/* Repeatable: each line appends; out of memory drops it. */
		memcpy(&oldv, base + opt->off, sizeof oldv);
		memcpy(&oldn, base + opt->off2, sizeof oldn);
		if ((nv = realloc(oldv, (oldn + 1) * sizeof *nv)) == NULL) {
			free(v->s);
			v->s = NULL;
			break;
		}
		nv[oldn++] = v->s;
		v->s = NULL;
		memcpy(base + opt->off, &nv, sizeof nv);
		memcpy(base + opt->off2, &oldn, sizeof oldn);
		break;
	}
	case CONF_CIDRS: {
		struct conf_cidr	*oldc;

		memcpy(&oldc, base + opt->off, sizeof oldc);
		free(oldc);
		memcpy(base + opt->off, &v->cidrs, sizeof v->cidrs);
		memcpy(base + opt->off2, &v->ncidrs, sizeof v->ncidrs);
		v->cidrs = NULL;
		v->ncidrs = 0;
		break;
	}
	case CONF_BOOL:
	case CONF_DURATION:
	case CONF_MSEC:
	case CONF_SIZE:
	case CONF_INT:
		conf_store_int(base + opt->off, opt->size, v->n);
		break;
	case CONF_INCLUDE:
	case CONF_REGEX:
		break;
	}
}

/* The option called NAME in sections of KIND, or -1. */
static int
conf_find_option(enum conf_kind kind, const char *name)
{
	for (size_t i = 0; i < CONF_NOPTIONS; i++) {
		if (conf_options[i].kind == kind &&
		    strcmp(conf_options[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* Writes how SEC is written in a file ([feedmux], [source "x"]). */
static const char *
conf_section_name(struct conf_state *st, const struct conf_section *sec,
    char *buf, size_t len)
{
	const char	*name = "";

	if (sec->kind == CONF_KIND_CATEGORY)
		name = st->conf->categories[sec->index].name;
	else if (sec->kind == CONF_KIND_SOURCE)
		name = st->conf->sources[sec->index].name;
	if (*name == '\0')
		snprintf(buf, len, "[%s]", conf_kinds[sec->kind].name);
	else
		snprintf(buf, len, "[%s \"%s\"]", conf_kinds[sec->kind].name,
		    name);
	return buf;
}

/* Checks the section just finished for required keys it lacks. */
static void
conf_section_end(struct conf_state *st, struct conf_section *sec)
{
	char	where[CONF_NAME_MAX + 32];

	if (sec->kind != CONF_KIND_CATEGORY && sec->kind != CONF_KIND_SOURCE)
		return;
	for (size_t i = 0; i < CONF_NOPTIONS; i++) {
		if (conf_options[i].kind != sec->kind ||
		    (conf_options[i].flags & CONF_REQUIRED) == 0 ||
		    sec->seen[i].line != 0)
			continue;
		conf_error(st, sec->file, sec->line,
		    "missing required key \"%s\" in %s", conf_options[i].name,
		    conf_section_name(st, sec, where, sizeof where));
	}
}

/* Starts a new category with NAME; -1 when out of memory. */
static int
conf_add_category(struct conf_state *st, const char *name, const char *file,
    int line)
{
	struct conf		*conf = st->conf;
	struct conf_category	*c;

	if (conf_grow(&conf->categories, &st->catsize, conf->ncategories + 1,
	    sizeof *conf->categories) == -1)
		return -1;
	c = &conf->categories[conf->ncategories];
	memset(c, 0, sizeof *c);
	if ((c->name = strdup(name)) == NULL)
		return -1;
	c->file = file;
	c->line = line;
	conf->ncategories++;
	return 0;
}

/*
 * The source called NAME read so far, or NULL: a hash table, since a
 * config of thousands of sources makes a search per section show.
 */
static const struct conf_source *
conf_named(const struct conf_state *st, const char *name)
{
	const struct conf_source	*src;
	size_t				 i;

	if (st->nnames == 0)
		return NULL;
	for (i = fnv_str(name) & (st->nnames - 1); st->names[i] != 0;
	    i = (i + 1) & (st->nnames - 1)) {
		src = &st->conf->sources[st->names[i] - 1];
		if (strcmp(src->name, name) == 0)
			return src;
	}
	return NULL;
}

/* Files source IDX in the name table, growing it; -1 when out of memory. */
static int
conf_name_add(struct conf_state *st, size_t idx)
{
	size_t	*v, n, i;

	if ((idx + 1) * 2 > st->nnames) {
		n = st->nnames > 0 ? st->nnames * 2 : 64;
		if ((v = calloc(n, sizeof *v)) == NULL)
			return -1;
		for (size_t j = 0; j < st->nnames; j++) {
			if (st->names[j] == 0)
				continue;
			for (i = fnv_str(st->conf->sources[
			    st->names[j] - 1].name) & (n - 1); v[i] != 0;
			    i = (i + 1) & (n - 1))
				;
			v[i] = st->names[j];
		}
		free(st->names);
		st->names = v;
		st->nnames = n;
	}
	for (i = fnv_str(st->conf->sources[idx].name) &
	    (st->nnames - 1); st->names[i] != 0; i = (i + 1) & (st->nnames - 1))
		;
	st->names[i] = idx + 1;
	return 0;
}

/* Starts a new source with NAME; -1 when out of memory. */
static int
conf_add_source(struct conf_state *st, const char *name, const char *file,
    int line)
{
	struct conf		*conf = st->conf;
	struct conf_source	*s;
	size_t			 size = st->srcsize;

	if (conf_grow(&conf->sources, &st->srcsize, conf->nsources + 1,
	    sizeof *conf->sources) == -1)
		return -1;
	/* The side table grows in step with the sources. */
	if (conf_grow(&st->extra, &size, conf->nsources + 1,
	    sizeof *st->extra) == -1)
		return -1;
	s = &conf->sources[conf->nsources];
	memset(s, 0, sizeof *s);
	memset(&st->extra[conf->nsources], 0, sizeof *st->extra);
	if ((s->name = strdup(name)) == NULL)
		return -1;
	s->allow_private = CONF_INHERIT;
	s->tls_verify = CONF_INHERIT;
	s->max_age = -1;		/* inherited unless set */
	s->max_entries = -1;
	s->file = file;
	s->line = line;
	conf->nsources++;
	return 0;
}

/* Parses a "[kind]" or "[kind "name"]" line and starts its section. */
static void
conf_parse_header(struct conf_state *st, struct conf_section *sec, char *s,
    int line)
{
	struct conf	*conf = st->conf;
	char		 show[CONF_SHOW_MAX + 4];
	const char	*kind, *what;
	char		*p = s + 1, *name = NULL;
	size_t		 kindlen;
	enum conf_kind	 k = CONF_KIND_NONE;

	memset(sec->seen, 0, sizeof sec->seen);
	sec->kind = CONF_KIND_SKIP;
	sec->line = line;

	while (conf_isblank(*p))
		p++;
	kind = p;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		p++;
	kindlen = (size_t)(p - kind);
	while (conf_isblank(*p))
		p++;
	if (*p == '"') {
		name = ++p;
		while (*p != '\0' && *p != '"')
			p++;
		if (*p == '\0')
			goto malformed;
		*p++ = '\0';
		while (conf_isblank(*p))
			p++;
	}
	if (kindlen == 0 || *p != ']')
		goto malformed;
	p++;
	while (conf_isblank(*p))
		p++;
	if (*p != '\0' && *p != ';' && *p != '#')
		goto malformed;

	for (size_t i = CONF_KIND_FEEDMUX; i <= CONF_KIND_SOURCE; i++) {
		if (strlen(conf_kinds[i].name) == kindlen &&
		    strncmp(conf_kinds[i].name, kind, kindlen) == 0)
			k = (enum conf_kind)i;
	}
	if (k == CONF_KIND_NONE) {
		conf_error(st, sec->file, line, "unknown section kind \"%.*s\"",
		    (int)(kindlen > CONF_SHOW_MAX ? CONF_SHOW_MAX : kindlen),
		    kind);
		return;
	}
	what = conf_kinds[k].name;
	if (k == CONF_KIND_FEEDMUX) {
		if (name != NULL) {
			conf_error(st, sec->file, line,
			    "[feedmux] takes no name");
			return;
		}
		sec->kind = k;
		return;
	}
	if (name == NULL) {
		conf_error(st, sec->file, line, "[%s] needs a name, as "
		    "[%s \"NAME\"]", what, what);
		return;
	}
	if (!conf_valid_name(name)) {
		conf_error(st, sec->file, line, "bad %s name \"%s\": use 1 to "
		    "%d of A-Z a-z 0-9 . _ -", what,
		    conf_show(name, show, sizeof show), CONF_NAME_MAX);
		return;
	}
	if (k == CONF_KIND_CATEGORY) {
		const struct conf_category	*c;

		if (strcmp(name, "all") == 0) {
			conf_error(st, sec->file, line,
			    "category name \"all\" is reserved");
			return;
		}
		if ((c = conf_category(conf, name)) != NULL) {
			conf_error(st, sec->file, line, "duplicate category "
			    "\"%s\" (first defined at %s:%d)", name, c->file,
			    c->line);
			return;
		}
		if (conf_add_category(st, name, sec->file, line) == -1) {
			st->oom = 1;
			return;
		}
		sec->index = conf->ncategories - 1;
	} else {
		const struct conf_source	*src;

		if ((src = conf_named(st, name)) != NULL) {
			conf_error(st, sec->file, line, "duplicate source "
			    "\"%s\" (first defined at %s:%d)", name, src->file,
			    src->line);
			return;
		}
		if (conf_add_source(st, name, sec->file, line) == -1 ||
		    conf_name_add(st, conf->nsources - 1) == -1) {
			st->oom = 1;
			return;
		}
		sec->index = conf->nsources - 1;
	}
	sec->kind = k;
	return;

malformed:
	conf_error(st, sec->file, line, "malformed section header: expected "
	    "[feedmux], [category \"NAME\"] or [source \"NAME\"]");
}

/* Copies S into BUF escaped for a glob pattern. */
static void
conf_glob_escape(const char *s, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr("*?[\\", s[i]) != NULL)
			*buf++ = '\\';
		*buf++ = s[i];
	}
	*buf = '\0';
}

/* Orders included paths by bytes, whatever the locale. */
static int
conf_pathcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every file PATTERN (relative to FILE's directory) matches. */
static void
conf_include(struct conf_state *st, const char *file, int line,
    const char *pattern)
{
	char		 show[CONF_SHOW_MAX + 4];
	const char	*slash;
	char		*full, *literal;
	size_t		 dirlen = 0;
	glob_t		 g;
	int		 r, saved;

	if (pattern[0] != '/' && (slash = strrchr(file, '/')) != NULL)
		dirlen = (size_t)(slash - file) + 1;

	/* A pattern without wildcards names one file, which must exist. */
	if (strpbrk(pattern, "*?[") == NULL) {
		if ((literal = malloc(dirlen + strlen(pattern) + 1)) == NULL) {
			st->oom = 1;
			return;
		}
		memcpy(literal, file, dirlen);
		strcpy(literal + dirlen, pattern);
		conf_read_file(st, literal, file, line);
		free(literal);
		return;
	}

	if ((full = malloc(2 * dirlen + strlen(pattern) + 1)) == NULL) {
		st->oom = 1;
		return;
	}
	conf_glob_escape(file, dirlen, full);
	strcat(full, pattern);
	errno = 0;
	r = glob(full, GLOB_ERR, NULL, &g);
	saved = errno;
	free(full);
	switch (r) {
	case 0:
		break;
	case GLOB_NOMATCH:
		return;
	case GLOB_NOSPACE:
		st->oom = 1;
		return;
	default:
		/* A missing directory is just no match. */
		if (saved == ENOENT || saved == ENOTDIR)
			return;
		conf_error(st, file, line, "include \"%s\": cannot read a "
		    "directory: %s", conf_show(pattern, show, sizeof show),
		    strerror(saved));
		return;
	}
	qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, conf_pathcmp);
	for (size_t i = 0; i < g.gl_pathc && !st->oom; i++)
		conf_read_file(st, g.gl_pathv[i], file, line);
	globfree(&g);
}

/*
 * Compiles a category's regex to check it and appends it to the option's
 * list of rules with where it was written.
 */
static void
conf_rule_add(struct conf_state *st, struct conf_section *sec, char *base,
    const struct conf_option *opt, struct conf_value *v, int line)
{
	struct conf_rule	*rules, *r;
	size_t			 n, offset;
	char			 why[256];

	if (classify_regex_check(v->s, &offset, why, sizeof why) == -1) {
		conf_error(st, sec->file, line, "category \"%s\": bad regex "
		    "at offset %zu: %s", st->conf->categories[sec->index].name,
		    offset, why);
		free(v->s);
		return;
	}
	memcpy(&rules, base + opt->off, sizeof rules);
	memcpy(&n, base + opt->off2, sizeof n);
	if ((r = realloc(rules, (n + 1) * sizeof *rules)) == NULL) {
		free(v->s);
		st->oom = 1;
		return;
	}
	r[n].text = v->s;
	r[n].at.file = sec->file;
	r[n].at.line = line;
	v->s = NULL;
	n++;
	memcpy(base + opt->off, &r, sizeof r);
	memcpy(base + opt->off2, &n, sizeof n);
}

/* Handles one "key = value" line of SEC. */
static void
conf_set_key(struct conf_state *st, struct conf_section *sec, const char *key,
    const char *value, int line)
{
	const struct conf_option	*opt;
	struct conf_value		 v;
	struct conf_seen		*seen;
	char				 where[CONF_NAME_MAX + 32];
	char				 msg[2 * CONF_SHOW_MAX + 256];
	char				 show[CONF_SHOW_MAX + 4];
	char				*base;
	int				 i;

	if (sec->kind == CONF_KIND_SKIP)
		return;
	if (sec->kind == CONF_KIND_NONE) {
		conf_error(st, sec->file, line, "key \"%s\" outside a section",
		    conf_show(key, show, sizeof show));
		return;
	}
	if ((i = conf_find_option(sec->kind, key)) == -1) {
		conf_error(st, sec->file, line, "unknown key \"%s\" in %s",
		    conf_show(key, show, sizeof show),
		    conf_section_name(st, sec, where, sizeof where));
		return;
	}
	opt = &conf_options[i];
	seen = sec->kind == CONF_KIND_FEEDMUX ? &st->global[i] : &sec->seen[i];
	if (seen->line != 0 && (opt->flags & CONF_REPEAT) == 0) {
		conf_error(st, sec->file, line, "duplicate key \"%s\" in %s "
		    "(first set at %s:%d)", key,
		    conf_section_name(st, sec, where, sizeof where),
		    seen->file, seen->line);
		return;
	}
	seen->file = sec->file;
	seen->line = line;

	switch (conf_parse_value(opt, value, &v, msg, sizeof msg)) {
	case 0:
		break;
	case -1:
		conf_error(st, sec->file, line, "%s", msg);
		return;
	default:
		st->oom = 1;
		return;
	}
	if (opt->type == CONF_INCLUDE) {
		conf_include(st, sec->file, line, v.s);
		free(v.s);
		return;
	}

	if (sec->kind == CONF_KIND_FEEDMUX)
		base = (char *)st->conf;
	else if (sec->kind == CONF_KIND_CATEGORY) {
		base = (char *)&st->conf->categories[sec->index];
		if (opt->type == CONF_REGEX) {
			conf_rule_add(st, sec, base, opt, &v, line);
			return;
		}
		for (size_t k = 0; (opt->flags & CONF_AT) && k <
		    sizeof conf_at_fields / sizeof conf_at_fields[0]; k++) {
			struct conf_at at = { sec->file, line };

			if (strcmp(conf_at_fields[k].name, opt->name) == 0)
				memcpy(base + conf_at_fields[k].off, &at,
				    sizeof at);
		}
	} else {
		struct conf_extra	*x = &st->extra[sec->index];

		base = (char *)&st->conf->sources[sec->index];
		if (opt->type == CONF_LIST) {
			x->cfile = sec->file;
			x->cline = line;
		} else if (opt->off == offsetof(struct conf_source, interval))
			x->interval_set = 1;
		else if (opt->off == offsetof(struct conf_source,
		    min_interval))
			x->min_set = 1;
		else if (opt->off == offsetof(struct conf_source,
		    max_interval))
			x->max_set = 1;
	}
	conf_store(base, opt, &v);
}

/*
 * Splits the text after "=" into its value, in place: quoted with \" and
 * \\, or bare up to an inline comment.  Returns NULL with WHY set when
 * malformed.
 */
static char *
conf_parse_rhs(char *s, const char **why)
{
	char	*v, *w, *p;

	while (conf_isblank(*s))
		s++;
	if (*s == '"') {
		v = w = s + 1;
		for (p = v; *p != '"'; p++) {
			if (*p == '\0') {
				*why = "unterminated quoted value";
				return NULL;
			}
			if (*p == '\\') {
				if (p[1] != '"' && p[1] != '\\') {
					*why = "bad escape in quoted value "
					    "(only \\\" and \\\\)";
					return NULL;
				}
				p++;
			}
			*w++ = *p;
		}
		*w = '\0';
		for (p++; conf_isblank(*p); p++)
			;
		if (*p != '\0' && *p != ';' && *p != '#') {
			*why = "text after quoted value";
			return NULL;
		}
		return v;
	}

	/* ";" or "#" starts a comment only after a blank, as in " ;". */
	v = s;
	for (p = s; *p != '\0'; p++) {
		if ((*p == ';' || *p == '#') && conf_isblank(p[-1]))
			break;
	}
	while (p > v && conf_isblank(p[-1]))
		p--;
	*p = '\0';
	return v;
}

/* Handles one line, NUL-terminated and without its newline. */
static void
conf_parse_line(struct conf_state *st, struct conf_section *sec, char *s,
    int line)
{
	const char	*why;
	char		*key, *value;

	while (conf_isblank(*s))
		s++;
	if (*s == '\0' || *s == ';' || *s == '#')
		return;
	if (*s == '[') {
		conf_section_end(st, sec);
		conf_parse_header(st, sec, s, line);
		return;
	}

	key = s;
	s += strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-");
	value = s;
	while (conf_isblank(*s))
		s++;
	if (value == key || *s != '=') {
		conf_error(st, sec->file, line, "malformed line: expected "
		    "\"key = value\", a [section] or a comment");
		return;
	}
	*value = '\0';
	if ((value = conf_parse_rhs(s + 1, &why)) == NULL) {
		conf_error(st, sec->file, line, "malformed value for %s: %s",
		    key, why);
		return;
	}
	conf_set_key(st, sec, key, value, line);
}

/* Parses the LEN bytes of BUF (which has room for one more) read from FILE. */
static void
conf_parse(struct conf_state *st, const char *file, char *buf, size_t len)
{
	struct conf_section	 sec;
	size_t			 pos = 0, n;
	char			*s, *nl;
	int			 line = 0;

	memset(&sec, 0, sizeof sec);
	sec.kind = CONF_KIND_NONE;
	sec.file = file;
	buf[len] = '\0';
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && !st->oom && st->nerrors < CONF_ERRORS_MAX) {
		line++;
		s = buf + pos;
		nl = memchr(s, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - s) : len - pos;
		pos += n + (nl != NULL);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > CONF_LINE_MAX) {
			conf_error(st, file, line, "line too long (limit %d "
			    "bytes)", CONF_LINE_MAX);
			continue;
		}
		if (memchr(s, '\0', n) != NULL) {
			conf_error(st, file, line, "line contains a NUL byte");
			continue;
		}
		s[n] = '\0';
		conf_parse_line(st, &sec, s, line);
	}
	conf_section_end(st, &sec);
}

/*
 * Reports a problem with reading PATH: as "path: ..." for the main file,
 * or at the include line that named it.
 */
static void
conf_file_error(struct conf_state *st, const char *path, const char *incfile,
    int incline, const char *what)
{
	if (incfile == NULL)
		conf_error(st, path, 0, "%s", what);
	else
		conf_error(st, incfile, incline, "%s: %s", path, what);
}

/*
 * Reads FD (described by SB) into a malloc'd buffer with one spare byte;
 * returns 0, -1 with WHAT set, or -2 when out of memory.  Caller frees *BUF.
 */
static int
conf_slurp(int fd, const struct stat *sb, char **buf, size_t *len, char *what,
    size_t whatlen)
{
	size_t		 size, have = 0;
	ssize_t		 r;
	char		*p;

	if (S_ISDIR(sb->st_mode)) {
		snprintf(what, whatlen, "cannot read: %s", strerror(EISDIR));
		return -1;
	}
	if (!S_ISREG(sb->st_mode)) {
		snprintf(what, whatlen, "not a regular file");
		return -1;
	}
	size = sb->st_size > 0 && sb->st_size < CONF_FILE_MAX ?
	    (size_t)sb->st_size + 2 : 4096;
	if ((*buf = malloc(size)) == NULL)
		return -2;
	for (;;) {
		if (have + 1 == size) {
			/* Room for one byte past the limit, to notice it. */
			if (size > CONF_FILE_MAX + 1)
				break;
			size = size * 2 > CONF_FILE_MAX + 2 ?
			    CONF_FILE_MAX + 2 : size * 2;
			if ((p = realloc(*buf, size)) == NULL) {
				free(*buf);
				return -2;
			}
			*buf = p;
		}
		r = read(fd, *buf + have, size - 1 - have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(what, whatlen, "cannot read: %s",
			    strerror(errno));
			free(*buf);
			return -1;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	if (have > CONF_FILE_MAX) {
		snprintf(what, whatlen, "too large (limit %d bytes)",
		    CONF_FILE_MAX);
		free(*buf);
		return -1;
	}
	*len = have;
	return 0;
}

/* Reads and parses PATH; INCFILE:INCLINE named it, or NULL for the main. */
static void
conf_read_file(struct conf_state *st, const char *path, const char *incfile,
    int incline)
{
	struct conf	*conf = st->conf;
	struct stat	 sb;
	char		 what[256];
	char		*buf, *copy;
	size_t		 len;
	int		 fd;

	if (st->depth == CONF_DEPTH_MAX) {
		snprintf(what, sizeof what, "includes nested too deeply "
		    "(limit %d)", CONF_DEPTH_MAX);
		conf_file_error(st, path, incfile, incline, what);
		return;
	}
	if (conf->nfiles == CONF_FILES_MAX) {
		snprintf(what, sizeof what, "too many files (limit %d)",
		    CONF_FILES_MAX);
		conf_file_error(st, path, incfile, incline, what);
		return;
	}
	/* Non-blocking so that a FIFO cannot hang the open. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(what, sizeof what, "cannot open: %s", strerror(errno));
		conf_file_error(st, path, incfile, incline, what);
		return;
	}
	if (fstat(fd, &sb) == -1) {
		snprintf(what, sizeof what, "cannot read: %s", strerror(errno));
		conf_file_error(st, path, incfile, incline, what);
		close(fd);
		return;
	}
	for (int i = 0; i < st->depth; i++) {
		if (st->stack[i].dev == sb.st_dev &&
		    st->stack[i].ino == sb.st_ino) {
			conf_file_error(st, path, incfile, incline,
			    "already being read (include cycle)");
			close(fd);
			return;
		}
	}
	switch (conf_slurp(fd, &sb, &buf, &len, what, sizeof what)) {
	case 0:
		break;
	case -1:
		conf_file_error(st, path, incfile, incline, what);
		close(fd);
		return;
	default:
		st->oom = 1;
		close(fd);
		return;
	}
	close(fd);

	if (conf_grow(&conf->files, &st->filesize, conf->nfiles + 1,
	    sizeof *conf->files) == -1 || (copy = strdup(path)) == NULL) {
		free(buf);
		st->oom = 1;
		return;
	}
	conf->files[conf->nfiles++] = copy;

	st->stack[st->depth].dev = sb.st_dev;
	st->stack[st->depth].ino = sb.st_ino;
	st->depth++;
	conf_parse(st, copy, buf, len);
	st->depth--;
	free(buf);
}

/* Sets every [feedmux] option to its default through the same parser. */
static void
conf_defaults(struct conf_state *st)
{
	const struct conf_option	*opt;
	struct conf_value		 v;
	char				 msg[512];

	for (size_t i = 0; i < CONF_NOPTIONS; i++) {
		opt = &conf_options[i];
		if (opt->kind != CONF_KIND_FEEDMUX || opt->def == NULL)
			continue;
		switch (conf_parse_value(opt, opt->def, &v, msg, sizeof msg)) {
		case 0:
			conf_store((char *)st->conf, opt, &v);
			break;
		case -1:
			/* A bad default is a bug in the table: say so. */
			conf_error(st, "(defaults)", 0, "%s", msg);
			break;
		default:
			st->oom = 1;
			return;
		}
	}
}

/* Index of category NAME, or -1. */
static int
conf_category_index(const struct conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->ncategories; i++)
		if (strcmp(conf->categories[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * Depth-first walk of the includes from category I, reporting every cycle
 * once, at the include line that closes it.  COLOR: 0 unseen, 1 on the
 * path PATH (of *DEPTH), 2 done.
 */
static void
conf_cycles(struct conf_state *st, size_t i, unsigned char *color,
    size_t *path, size_t *depth)
{
	struct conf		*conf = st->conf;
	struct conf_category	*c = &conf->categories[i];
	char			*msg;
	size_t			 len, at;
	int			 j;

	color[i] = 1;
	path[(*depth)++] = i;
	for (size_t k = 0; k < c->nincludes && !st->oom; k++) {
		if ((j = conf_category_index(conf, c->includes[k])) == -1)
			continue;
		if (color[j] == 2)
			continue;
		if (color[j] == 0) {
			conf_cycles(st, (size_t)j, color, path, depth);
			continue;
		}
		/* Back to a category on the path: name the loop. */
		for (at = 0; path[at] != (size_t)j; at++)
			;
		len = 1;
		for (size_t p = at; p < *depth; p++)
			len += strlen(conf->categories[path[p]].name) + 4;
		len += strlen(conf->categories[j].name);
		if ((msg = malloc(len)) == NULL) {
			st->oom = 1;
			return;
		}
		msg[0] = '\0';
		for (size_t p = at; p < *depth; p++) {
			strcat(msg, conf->categories[path[p]].name);
			strcat(msg, " -> ");
		}
		strcat(msg, conf->categories[j].name);
		conf_error(st, c->includes_at.file, c->includes_at.line,
		    "category \"%s\": include cycle %s", c->name, msg);
		free(msg);
	}
	(*depth)--;
	color[i] = 2;
}

/*
 * The category rules that need every file read: the sources and
 * categories they name exist, includes have no cycle, and each category
 * has at least one rule that lets entries in.
 */
static void
conf_finish_categories(struct conf_state *st)
{
	struct conf		*conf = st->conf;
	struct conf_category	*c;
	unsigned char		*color;
	size_t			*path, depth = 0;
	int			 named;

	for (size_t i = 0; i < conf->ncategories; i++) {
		c = &conf->categories[i];
		for (size_t j = 0; j < c->nsources; j++) {
			if (conf_source(conf, c->sources[j]) == NULL)
				conf_error(st, c->sources_at.file,
				    c->sources_at.line, "unknown source "
				    "\"%s\" in [category \"%s\"]",
				    c->sources[j], c->name);
		}
		for (size_t j = 0; j < c->nincludes; j++) {
			if (strcmp(c->includes[j], "all") != 0 &&
			    conf_category(conf, c->includes[j]) == NULL)
				conf_error(st, c->includes_at.file,
				    c->includes_at.line, "unknown category "
				    "\"%s\" in [category \"%s\"]",
				    c->includes[j], c->name);
		}
		named = 0;
		for (size_t j = 0; j < conf->nsources && !named; j++)
			for (size_t k = 0; k < conf->sources[j].ncategories;
			    k++)
				if (strcmp(conf->sources[j].categories[k],
				    c->name) == 0)
					named = 1;
		if (!named && c->nsources == 0 && c->nterms == 0 &&
		    c->nmatch == 0 && c->nmatch_title == 0 &&
		    c->nincludes == 0)
			conf_error(st, c->file, c->line, "category \"%s\" has "
			    "no rule: give it sources, terms, match, "
			    "match_title or include, or name it in a source's "
			    "categories", c->name);
	}
	if (conf->ncategories == 0)
		return;
	color = calloc(conf->ncategories, 1);
	path = calloc(conf->ncategories, sizeof *path);
	if (color == NULL || path == NULL) {
		st->oom = 1;
		free(color);
		free(path);
		return;
	}
	for (size_t i = 0; i < conf->ncategories && !st->oom; i++)
		if (color[i] == 0)
			conf_cycles(st, i, color, path, &depth);
	free(color);
	free(path);
}

/* The checks that need every file read: names used, values inherited. */
static void
conf_finish(struct conf_state *st)
{
	struct conf		*conf = st->conf;
	struct conf_source	*s;
	struct conf_category	*c;

	if (strcmp(conf->sync, "normal") == 0)
		conf->sync_full = 0;
	else if (strcmp(conf->sync, "full") == 0)
		conf->sync_full = 1;
	else {
		const struct conf_seen *at = &st->global[conf_find_option(
		    CONF_KIND_FEEDMUX, "sync")];
		char show[CONF_SHOW_MAX + 4];

		conf_error(st, at->file != NULL ? at->file : conf->path,
		    at->line, "bad value for sync: \"%s\" is not normal or "
		    "full", conf_show(conf->sync, show, sizeof show));
	}
	if (conf->min_interval > conf->max_interval &&
	    st->global[conf_find_option(CONF_KIND_FEEDMUX,
	    "min_interval")].line != 0 &&
	    st->global[conf_find_option(CONF_KIND_FEEDMUX,
	    "max_interval")].line != 0)
		conf_error(st, conf->path, 0, "min_interval is above "
		    "max_interval in [feedmux]");
	for (size_t i = 0; i < conf->nsources; i++) {
		s = &conf->sources[i];
		if (!st->extra[i].interval_set)
			s->interval = conf->interval;
		if (s->max_age < 0)
			s->max_age = conf->max_age;
		if (s->max_entries < 0)
			s->max_entries = conf->max_entries;
		if (!st->extra[i].min_set)
			s->min_interval = conf->min_interval;
		if (!st->extra[i].max_set)
			s->max_interval = conf->max_interval;
		if (st->extra[i].min_set && st->extra[i].max_set &&
		    s->min_interval > s->max_interval)
			conf_error(st, s->file, s->line, "min_interval is "
			    "above max_interval in [source \"%s\"]", s->name);
		for (size_t j = 0; j < s->ncategories; j++) {
			if (conf_category(conf, s->categories[j]) != NULL)
				continue;
			conf_error(st, st->extra[i].cfile, st->extra[i].cline,
			    "unknown category \"%s\" in [source \"%s\"]",
			    s->categories[j], s->name);
		}
	}
	for (size_t i = 0; i < conf->ncategories && !st->oom; i++) {
		c = &conf->categories[i];
		if (c->title == NULL && (c->title = strdup(c->name)) == NULL)
			st->oom = 1;
	}
	/* Next to the database, which is where the daemon may write. */
	if (conf->control == NULL && conf->database != NULL) {
		size_t	n = strlen(conf->database) + sizeof ".sock";

		if ((conf->control = malloc(n)) == NULL)
			st->oom = 1;
		else
			snprintf(conf->control, n, "%s.sock", conf->database);
	}
	if (!st->oom)
		conf_finish_categories(st);
}

static int
conf_byname_cmp(const void *a, const void *b)
{
	const struct conf_source *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/*
 * Sorts the sources by name once all are read: the daemon looks one up on
 * every poll, and thousands of sources make a linear search show.
 */
static void
conf_index(struct conf_state *st)
{
	struct conf	*conf = st->conf;

	if (conf->nsources == 0)
		return;
	if ((conf->byname = calloc(conf->nsources, sizeof *conf->byname)) ==
	    NULL) {
		st->oom = 1;
		return;
	}
	for (size_t i = 0; i < conf->nsources; i++)
		conf->byname[i] = &conf->sources[i];
	qsort(conf->byname, conf->nsources, sizeof *conf->byname,
	    conf_byname_cmp);
}

struct conf *
conf_load(const char *path, char **errors)
{
	struct conf_state	 st;

	*errors = NULL;
	memset(&st, 0, sizeof st);
	if ((st.conf = calloc(1, sizeof *st.conf)) == NULL)
		return NULL;
	if ((st.conf->path = strdup(path)) == NULL) {
		free(st.conf);
		return NULL;
	}
	conf_defaults(&st);
	if (!st.oom)
		conf_read_file(&st, path, NULL, 0);
	if (!st.oom)
		conf_index(&st);
	if (!st.oom)
		conf_finish(&st);
	free(st.extra);
	free(st.names);

	if (st.oom) {
		free(st.err);
		conf_free(st.conf);
		return NULL;
	}
	if (st.nerrors > 0) {
		*errors = st.err;
		conf_free(st.conf);
		return NULL;
	}
	free(st.err);
	return st.conf;
}

void
conf_free(struct conf *conf)
{
	if (conf == NULL)
		return;
	for (size_t i = 0; i < conf->ncategories; i++) {
		struct conf_category *c = &conf->categories[i];

		free(c->name);
		free(c->title);
		free(c->description);
		conf_list_free(c->sources, c->nsources);
		conf_list_free(c->terms, c->nterms);
		conf_list_free(c->exclude_terms, c->nexclude_terms);
		conf_list_free(c->includes, c->nincludes);
		conf_list_free(c->languages, c->nlanguages);
		conf_rules_free(c->match, c->nmatch);
		conf_rules_free(c->match_title, c->nmatch_title);
		conf_rules_free(c->exclude, c->nexclude);
	}
	free(conf->categories);
	for (size_t i = 0; i < conf->nsources; i++) {
		free(conf->sources[i].name);
		free(conf->sources[i].url);
		conf_list_free(conf->sources[i].categories,
		    conf->sources[i].ncategories);
		conf_list_free(conf->sources[i].headers,
		    conf->sources[i].nheaders);
		free(conf->sources[i].user_agent);
		free(conf->sources[i].title);
		free(conf->sources[i].proxy);
	}
	free(conf->sources);
	free(conf->byname);
	for (size_t i = 0; i < conf->nfiles; i++)
		free(conf->files[i]);
	free(conf->files);
	free(conf->path);
	free(conf->listen_host);
	free(conf->listen_unix);
	free(conf->public_url);
	free(conf->hub);
	free(conf->database);
	free(conf->user_agent);
	free(conf->sync);
	free(conf->control);
	free(conf->proxy);
	free(conf->allow_networks);
	free(conf);
}

const struct conf_source *
conf_source(const struct conf *conf, const char *name)
{
	size_t	lo = 0, hi = conf->nsources, mid;
	int	c;

	/* Sorted once every file is read; while reading, one by one. */
	while (conf->byname != NULL && lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, conf->byname[mid]->name)) == 0)
			return conf->byname[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (conf->byname != NULL)
		return NULL;
	for (size_t i = 0; i < conf->nsources; i++) {
		if (strcmp(conf->sources[i].name, name) == 0)
			return &conf->sources[i];
	}
	return NULL;
}

const struct conf_category *
conf_category(const struct conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->ncategories; i++) {
		if (strcmp(conf->categories[i].name, name) == 0)
			return &conf->categories[i];
	}
	return NULL;
}

int
conf_source_allow_private(const struct conf *conf,
    const struct conf_source *s)
{
	if (s->allow_private == CONF_INHERIT)
		return conf->allow_private;
	return s->allow_private;
}

int
conf_source_tls_verify(const struct conf *conf, const struct conf_source *s)
{
	if (s->tls_verify == CONF_INHERIT)
		return conf->tls_verify;
	return s->tls_verify;
}

const char *
conf_source_proxy(const struct conf *conf, const struct conf_source *s)
{
	const char	*p = s->proxy != NULL ? s->proxy : conf->proxy;

	return p != NULL && strcmp(p, "none") != 0 ? p : NULL;
}

/* Writes TEXT as "; " comment lines of at most about 76 columns. */
static void
conf_write_comment(FILE *f, const char *text)
{
	const char	*p = text, *brk;
	size_t		 col;

	while (*p != '\0') {
		brk = NULL;
		for (col = 0; p[col] != '\0' && (col < 74 || brk == NULL);
		    col++) {
			if (p[col] == ' ')
				brk = p + col;
		}
		if (p[col] == '\0')
			brk = p + col;
		fprintf(f, "; %.*s\n", (int)(brk - p), p);
		p = brk;
		while (*p == ' ')
			p++;
	}
}

/* Writes a value so that the reader gives back exactly VALUE. */
static void
conf_write_value(FILE *f, const char *value)
{
	size_t	n = strlen(value);
	int	quote = n == 0 || value[0] == '"' || conf_isblank(value[0]) ||
		    conf_isblank(value[n - 1]);

	for (size_t i = 1; i < n && !quote; i++) {
		if ((value[i] == ';' || value[i] == '#') &&
		    conf_isblank(value[i - 1]))
			quote = 1;
	}
	if (!quote) {
		fputs(value, f);
		return;
	}
	fputc('"', f);
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/* Describes OPT's type and bounds in a few words. */
static void
conf_describe(const struct conf_option *opt, char *buf, size_t len)
{
	char		 lo[32], hi[32];
	const char	*flags;

	conf_fmt_bound(opt, opt->min, lo, sizeof lo);
	conf_fmt_bound(opt, opt->max, hi, sizeof hi);
	flags = (opt->flags & CONF_REQUIRED) ? ", required" :
	    (opt->flags & CONF_REPEAT) ? ", repeatable" : "";
	switch (opt->type) {
	case CONF_STRING:
		snprintf(buf, len, "text%s", flags);
		break;
	case CONF_BOOL:
		snprintf(buf, len, "yes or no%s", flags);
		break;
	case CONF_DURATION:
	case CONF_MSEC:
		snprintf(buf, len, "duration, %s to %s%s", lo, hi, flags);
		break;
	case CONF_SIZE:
		snprintf(buf, len, "size, %s to %s%s", lo, hi, flags);
		break;
	case CONF_INT:
		snprintf(buf, len, "integer, %s to %s%s", lo, hi, flags);
		break;
	case CONF_HOSTPORT:
		snprintf(buf, len, "HOST:PORT, port %s to %s%s", lo, hi, flags);
		break;
	case CONF_URL:
		snprintf(buf, len, "http or https URL%s", flags);
		break;
	case CONF_LIST:
		snprintf(buf, len, "comma-separated names%s", flags);
		break;
	case CONF_INCLUDE:
		snprintf(buf, len, "glob pattern%s", flags);
		break;
	case CONF_PROXY:
		snprintf(buf, len, "proxy URL or none%s", flags);
		break;
	case CONF_HEADER:
		snprintf(buf, len, "Name: value%s", flags);
		break;
	case CONF_CIDRS:
		snprintf(buf, len, "comma-separated networks%s", flags);
		break;
	case CONF_TERMS:
		snprintf(buf, len, "comma-separated terms%s", flags);
		break;
	case CONF_REGEX:
		snprintf(buf, len, "PCRE2 regular expression%s", flags);
		break;
	}
}

void
conf_write_example(FILE *f)
{
	const struct conf_option	*opt;
	enum conf_kind			 kind = CONF_KIND_NONE;
	char				 type[128];

	conf_write_comment(f, "feedmux configuration, generated from its "
	    "table of options.");
	conf_write_comment(f, "Each option is shown commented out with its "
	    "default (or, when it has none, an example value); remove the "
	    "\";\" to set it.  A value may be \"double-quoted\", with \\\" and "
	    "\\\\, to hold \" ;\" or \" #\", which otherwise start a comment.");
	for (size_t i = 0; i < CONF_NOPTIONS; i++) {
		opt = &conf_options[i];
		if (opt->kind != kind) {
			kind = opt->kind;
			fputc('\n', f);
			conf_write_comment(f, conf_kinds[kind].help);
			/* Only [feedmux] is live: the rest are examples. */
			fprintf(f, "%s%s\n", kind == CONF_KIND_FEEDMUX ? "" :
			    ";", conf_kinds[kind].header);
		}
		fputc('\n', f);
		conf_write_comment(f, opt->help);
		conf_describe(opt, type, sizeof type);
		fprintf(f, "; (%s%s)\n", type, opt->def != NULL ? "" :
		    "; the value shown is an example");
		fprintf(f, ";%s = ", opt->name);
		conf_write_value(f, opt->def != NULL ? opt->def : opt->example);
		fputc('\n', f);
	}
}

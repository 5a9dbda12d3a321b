/*
 * conf: the immutable configuration read from the INI file.  One table of
 * options (name, type, bounds, default, help) drives parsing, validation and
 * the documented example.  Every mistake in a file (unknown section or key,
 * bad value, long line, bad URL, duplicate or unknown name) is reported at
 * once as "file:line: message"; a config with any error is never returned.
 * Values are never truncated.  Once loaded a conf is read-only: SIGHUP builds
 * a new one and main swaps it in.
 */
#ifndef FEEDMUX_CONF_H
#define FEEDMUX_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Tri-state for per-source overrides of a global yes/no. */
#define CONF_INHERIT	(-1)

/* Where an option was set; line 0 when it was not. */
struct conf_at {
	const char	*file;
	int		 line;
};

/* One regular expression of a category, as written, with where. */
struct conf_rule {
	char		*text;
	struct conf_at	 at;
};

struct conf_category {
	char		*name;		/* [category "NAME"], [A-Za-z0-9._-]+ */
	char		*title;		/* defaults to the name */
	char		*description;	/* NULL when absent */
	int		 updates_bump;	/* an edited entry moves to the top */
	const char	*file;		/* where it was defined, for messages */
	int		 line;

	/* Rules (classify compiles them); see conf_write_example for each. */
	char		**sources;	/* every entry of these sources */
	size_t		 nsources;
	char		**terms;	/* publisher terms, as written */
	size_t		 nterms;
	char		**exclude_terms;
	size_t		 nexclude_terms;
	char		**includes;	/* other categories, or "all" */
	size_t		 nincludes;
	char		**languages;	/* primary language tags */
	size_t		 nlanguages;
	struct conf_rule *match;	/* over title, summary and content */
	size_t		 nmatch;
	struct conf_rule *match_title;
	size_t		 nmatch_title;
	struct conf_rule *exclude;
	size_t		 nexclude;
	int64_t		 max_age;	/* seconds, 0: no limit */
	int64_t		 limit;		/* entries per render, 0: feed_limit */
	struct conf_at	 sources_at;	/* where each list was set */
	struct conf_at	 terms_at;
	struct conf_at	 exclude_terms_at;
	struct conf_at	 includes_at;
	struct conf_at	 languages_at;
	struct conf_at	 max_age_at;
};

/* A network allowed past the SSRF guard (allow_networks). */
struct conf_cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];	/* network byte order, host bits zero */
	int		 prefix;	/* bits */
};

struct conf_source {
	char		*name;		/* [source "NAME"], [A-Za-z0-9._-]+ */
	char		*url;		/* absolute http(s) URL */
	char		**categories;	/* names of defined categories */
	size_t		 ncategories;
	int64_t		 interval;	/* seconds between polls */
	int64_t		 min_interval;	/* bounds of the adaptive schedule */
	int64_t		 max_interval;
	int		 allow_private;	/* 0, 1 or CONF_INHERIT */
	int		 tls_verify;	/* 0, 1 or CONF_INHERIT */
	char		*user_agent;	/* NULL: the global one */
	int64_t		 max_age;	/* retention seconds; 0 keeps forever */
	int64_t		 max_entries;	/* retention; 0 keeps every entry */
	char		*title;		/* for people (OPML); NULL when unset */
	char		*proxy;		/* NULL: the global one */
	char		**headers;	/* extra headers, "Name: value" */
	size_t		 nheaders;
	const char	*file;
	int		 line;
};

struct conf {
	char			*path;		/* the main file as given */
	/* "127.0.0.1", "::1", "localhost" ... */
	char			*listen_host;
	int			 listen_port;	/* 0: any free port (tests) */
	char			*listen_unix;	/* unix socket path, or NULL */
	/* HTTP connections open at once */
	int64_t			 max_connections;
	/* seconds of silence before closing */
	int64_t			 http_timeout;
	/* base of self links, NULL: from Host */
	char			*public_url;
	char			*hub;		/* WebSub hub URL, NULL: none */
	char			*database;	/* as written; cwd-relative */
	int			 allow_private;	/* 0 or 1 */
	int			 tls_verify;	/* 0 or 1 */
	char			*user_agent;
	int64_t			 interval;	/* sources' default, seconds */
	int64_t			 min_interval;	/* default schedule bounds */
	int64_t			 max_interval;
	int64_t			 max_backoff;	/* ceiling of failure backoff */
	int64_t			 timeout;	/* total seconds per transfer */
	int64_t			 connect_timeout;
	int64_t			 low_speed_limit; /* bytes/s ... */
	int64_t			 low_speed_time;  /* ... for this long: abort */
	int64_t			 max_body;	/* decoded bytes per response */
	long			 max_transfers;	/* in flight, all hosts */
	long			 host_connections; /* in flight, one host */
	long			 parse_threads;	/* 0: parse on the loop */
	/* milliseconds between requests, one host */
	int64_t			 host_delay;
	char			*proxy;		/* NULL: none (env ignored) */
	struct conf_cidr	*allow_networks;
	size_t			 nallow_networks;
	int64_t			 feed_limit;	/* entries per rendered feed */
	char			*sync;		/* "normal" or "full" */
	int			 sync_full;	/* synchronous=FULL from sync */
	int64_t			 max_age;	/* sources' default retention */
	int64_t			 max_entries;	/* sources' default retention */
	/* seconds a removed source's data stays */
	int64_t			 removed_keep;
	/* unix socket path; default DATABASE.sock */
	char			*control;
	int			 all;		/* serve built-in "all" feed */
	char			**files;	/* every file read, owned */
	size_t			 nfiles;
	struct conf_category	*categories;
	size_t			 ncategories;
	struct conf_source	*sources;
	size_t			 nsources;
	/* the sources by name, for lookups */
	struct conf_source	**byname;
};

/*
 * Reads PATH and the files it includes.  On success returns the conf and
 * sets *ERRORS to NULL.  On failure returns NULL and sets *ERRORS to every
 * message, one "file:line: message" per line, newline-terminated (caller
 * frees), or leaves it NULL when out of memory.
 */
struct conf	*conf_load(const char *path, char **errors);
void		 conf_free(struct conf *);

/* Lookups by name; NULL when absent. */
const struct conf_source	*conf_source(const struct conf *,
				     const char *name);
const struct conf_category	*conf_category(const struct conf *,
				     const char *name);

/* 1 when the source may connect to loopback/private addresses. */
int		 conf_source_allow_private(const struct conf *,
		     const struct conf_source *);

/* 1 when the source's TLS certificate must verify. */
int		 conf_source_tls_verify(const struct conf *,
		     const struct conf_source *);

/* The proxy URL for the source, or NULL for a direct connection. */
const char	*conf_source_proxy(const struct conf *,
		     const struct conf_source *);

/* Writes every option with its default and help as a commented INI example. */
void		 conf_write_example(FILE *);

#endif

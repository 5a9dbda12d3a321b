/*
 * reclass: keeps stored categories in step with the rules on the loop.
 * For each config (at start and on every reload) it compiles the rules
 * into a classify and hands it to store, so new and updated entries are
 * sorted as they are stored; when the rules of some category changed
 * since the stored entries were sorted, it re-sorts them in the
 * background: its threads (as many as parse_threads, one to four, each
 * with its own classify and database connection) evaluate ranges of
 * entries at once, newest first, and the loop writes the membership
 * changes a few milliseconds per turn, so readers are never kept
 * waiting; the feeds of the categories that changed re-render (their
 * ETags change) at most once a second and at the end.  Once an hour it
 * takes entries past max_age out of their categories.  Owns the classify
 * and the threads.
 */
#ifndef FEEDMUX_RECLASS_H
#define FEEDMUX_RECLASS_H

struct conf;
struct daemon;
struct reclass;

/* NULL when out of memory. */
struct reclass	*reclass_new(struct daemon *);
void		 reclass_free(struct reclass *);

/*
 * Compiles CONF's rules, gives them to store and starts a re-evaluation
 * when they changed.  -1 (logged) when the rules do not compile: the
 * previous ones stay.  A re-evaluation the database refuses (locked, full)
 * is retried every 30 s until it runs.
 */
int		 reclass_apply(struct reclass *, const struct conf *);

#endif

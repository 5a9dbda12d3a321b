/*
 * members-sql: one query for the unit tests that write memberships.  An
 * entry's memberships are kept twice (entry_category rows, and the pairs
 * of its entry_member row: see src/store-member.h); the query counts every
 * way the two can disagree, so 0 means they are one: a row without its
 * pair, a pair without its row, a pair listed twice, a list of a deleted
 * entry, an empty list kept, or a list not in SQLite's own JSON spelling
 * (which the instr() look-ups of store.c rely on).
 */
#ifndef FEEDMUX_TEST_MEMBERS_SQL_H
#define FEEDMUX_TEST_MEMBERS_SQL_H

#define MEMBERS_PAIRS \
    "SELECT j.value ->> 0, j.value ->> 1, m.entry_id" \
    " FROM entry_member m, json_each(m.cats) j"
#define MEMBERS_ROWS \
    "SELECT category_id, sort_date, entry_id FROM entry_category"

#define MEMBERS_DISAGREE_SQL \
    "SELECT (SELECT count(*) FROM (" MEMBERS_ROWS " EXCEPT " \
    MEMBERS_PAIRS "))" \
    " + (SELECT count(*) FROM (" MEMBERS_PAIRS " EXCEPT " MEMBERS_ROWS "))" \
    " + (SELECT count(*) FROM (" MEMBERS_PAIRS "))" \
    " - (SELECT count(*) FROM (SELECT DISTINCT * FROM (" MEMBERS_PAIRS ")))" \
    " + (SELECT count(*) FROM entry_member" \
    "    WHERE entry_id NOT IN (SELECT id FROM entry))" \
    " + (SELECT count(*) FROM entry_member" \
    "    WHERE cats = '[]' OR json(cats) IS NOT cats)"

#endif

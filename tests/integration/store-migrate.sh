#!/bin/sh
# store-migrate: a database written by the previous schema (1, as the
# foundation release made it) is migrated on start: every entry survives,
# is served at once, and the publisher's next document matches the stored
# entries instead of duplicating them (guid and guid-less sources).
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

mkdir -p "$T/pub" "$T/db"
d1=$(st_date -7200) d2=$(st_date -3600)
{
	st_item "g-1" "http://mig.example/1" "Kept one" "$d1"
	st_item "g-2" "http://mig.example/2" "Kept two" "$d2"
} | st_rss "$T/pub/guid.rss" guid
st_item - "http://nog.example/1" "Kept linkless" "$d1" | st_rss "$T/pub/nog.rss" nog
fixpub_start "$T/pub"
st_conf <<CONF
[category "news"]
[source "guid"]
url = $FIXPUB_URL/guid.rss
categories = news
[source "nog"]
url = $FIXPUB_URL/nog.rss
categories = news
CONF

# Schema 1 exactly as shipped, with what that feedmux stored.
now=$(date +%s)
t1=$(date -u -d "$d1" +%s) t2=$(date -u -d "$d2" +%s)
sqlite3 "$ST_DB" <<SQL || fail "cannot build the schema-1 database"
PRAGMA journal_mode = WAL;
CREATE TABLE source (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL, cur_url TEXT, categories TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1, title TEXT, link TEXT, feed_id TEXT,
  updated INTEGER, etag TEXT, last_modified TEXT,
  state TEXT NOT NULL DEFAULT 'new', last_attempt INTEGER,
  last_success INTEGER, last_status INTEGER, last_error TEXT,
  failing_since INTEGER, failures INTEGER NOT NULL DEFAULT 0,
  next_poll INTEGER, entries INTEGER NOT NULL DEFAULT 0);
CREATE TABLE entry (id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  key TEXT NOT NULL, guid TEXT, link TEXT, title TEXT, title_type TEXT,
  summary TEXT, summary_type TEXT, content TEXT, content_type TEXT,
  author_name TEXT, author_email TEXT, author_uri TEXT, terms TEXT,
  published INTEGER, updated INTEGER, first_seen INTEGER NOT NULL,
  changed INTEGER NOT NULL, sort_date INTEGER NOT NULL,
  hash BLOB NOT NULL, UNIQUE (source_id, key));
CREATE INDEX entry_sort ON entry (sort_date DESC, id DESC);
CREATE INDEX entry_source ON entry (source_id, sort_date DESC);
CREATE TABLE entry_category (category TEXT NOT NULL,
  sort_date INTEGER NOT NULL,
  entry_id INTEGER NOT NULL REFERENCES entry(id) ON DELETE CASCADE,
  PRIMARY KEY (category, sort_date, entry_id)) WITHOUT ROWID;
CREATE INDEX entry_category_entry ON entry_category (entry_id);
CREATE TABLE poll (id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,
  at INTEGER NOT NULL, status INTEGER, bytes INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0, new INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0, error TEXT);
CREATE INDEX poll_source ON poll (source_id, at DESC);
PRAGMA user_version = 1;
INSERT INTO source (id, name, url, categories, state, entries) VALUES
  (1, 'guid', '$FIXPUB_URL/guid.rss', 'news', 'ok', 2),
  (2, 'nog', '$FIXPUB_URL/nog.rss', 'news', 'ok', 1);
INSERT INTO entry (id, source_id, key, guid, link, title, summary,
  summary_type, published, first_seen, changed, sort_date, hash) VALUES
  (1, 1, 'g-1', 'g-1', 'http://mig.example/1', 'Kept one', 'body of Kept one', 'text/html', $t1, $now, $now, $t1, randomblob(32)),
  (2, 1, 'g-2', 'g-2', 'http://mig.example/2', 'Kept two', 'body of Kept two', 'text/html', $t2, $now, $now, $t2, randomblob(32)),
  (3, 2, 'http://nog.example/1', NULL, 'http://nog.example/1', 'Kept linkless', 'body of Kept linkless', 'text/html', $t1, $now, $now, $t1, randomblob(32));
INSERT INTO entry_category SELECT 'news', sort_date, id FROM entry;
SQL

daemon_start "$T/feedmux.conf"
grep -q 'migrated to schema 6' "$T/daemon.log" || fail "no migration logged"
# Every migration up to this build's newest ran, in order, and stuck.
want=$(sed -n 's/.*migrated to schema \([0-9][0-9]*\)$/\1/p' "$T/daemon.log" | tail -n 1)
[ "${want:-0}" -ge 6 ] || fail "migrations stopped at schema ${want:-none}"
[ "$(st_sql 'PRAGMA user_version')" = "$want" ] || fail "user_version $(st_sql 'PRAGMA user_version'), want $want"
[ "$(st_sql 'PRAGMA integrity_check')" = ok ] || fail "integrity after migration"
[ "$(st_sql 'PRAGMA foreign_key_check' | wc -l)" = 0 ] || fail "foreign keys after migration"
st_wait_polls guid 2
st_wait_polls nog 2
[ "$(st_titles "$DAEMON_URL/feeds/news.atom")" = "Kept two,Kept linkless,Kept one" ] ||
    fail "after polls: $(st_titles "$DAEMON_URL/feeds/news.atom")"
[ "$(st_sql 'SELECT count(*) FROM entry')" = 3 ] || fail "duplicates after migration"
[ "$(st_sql 'SELECT min(id) || max(id) FROM entry')" = 13 ] || fail "entries were replaced, not kept"
# Each entry's memberships are listed in its entry_member row as its rows say.
news=$(st_sql "SELECT id FROM category WHERE name = 'news'")
[ "$(st_sql "SELECT group_concat(entry_id || '=' || cats, ' ') FROM (SELECT * FROM entry_member ORDER BY entry_id)")" = \
    "1=[[$news,$t1]] 2=[[$news,$t2]] 3=[[$news,$t1]]" ] ||
    fail "entry_member after migration: $(st_sql 'SELECT * FROM entry_member')"
pass "schema 1 migrated to $want: entries kept and matched, no duplicates"
daemon_stop
exit 0

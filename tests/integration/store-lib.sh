# store-lib.sh: helpers for the storage scenarios (store-*.sh), sourced
# after lib.sh.  They write RSS fixtures, write a daemon config polling
# fixpub every second, wait for completed polls (as recorded in the
# database, so the transaction is committed), query the database read-only
# with the sqlite3 shell, and read served feeds with python3-feedparser.
# Every wait is bounded by lib.sh's wait_for.
# shellcheck disable=SC2034

t_require curl sqlite3
[ -x "$PY" ] && "$PY" -c 'import feedparser' 2>/dev/null ||
    fail "$PY with feedparser is required (apt-get install python3-feedparser)"

ST_DB=

# Atomically replace fixture FILE with the RSS channel TITLE holding the
# items read from stdin (each an <item>...</item> block).
st_rss()
{
	{
		printf '<?xml version="1.0" encoding="utf-8"?>\n'
		printf '<rss version="2.0"><channel><title>%s</title>\n' "$2"
		printf '<link>http://%s.example/</link><description>x</description>\n' "$2"
		cat
		printf '</channel></rss>\n'
	} >"$1.tmp" && mv "$1.tmp" "$1"
}

# Print one RSS item: GUID ("-" for none) LINK ("-" for none) TITLE DATE
# ("-" for none, else an RFC 822 date) [BODY].
st_item()
{
	printf '<item><title>%s</title>' "$3"
	[ "$2" = - ] || printf '<link>%s</link>' "$2"
	[ "$1" = - ] || printf '<guid isPermaLink="false">%s</guid>' "$1"
	[ "$4" = - ] || printf '<pubDate>%s</pubDate>' "$4"
	printf '<description>%s</description></item>\n' "${5:-body of $3}"
}

# RFC 822 date SECONDS from now (negative: in the past).
st_date()
{
	date -u -d "@$(($(date +%s) + $1))" '+%a, %d %b %Y %H:%M:%S GMT'
}

# Write $T/feedmux.conf: the [feedmux] section (polling every second,
# database in $T/db) followed by the text on stdin (categories, sources).
st_conf()
{
	ST_DB=$T/db/feedmux.db
	{
		cat <<CONF
[feedmux]
listen = 127.0.0.1:0
database = $ST_DB
allow_private = yes
interval = 1s
feed_limit = 1000
CONF
		cat
	} >"$T/feedmux.conf"
}

# Run SQL on the database, read-only, beside the daemon.
st_sql()
{
	sqlite3 -readonly -batch -noheader "$ST_DB" ".timeout 5000" "$1"
}

# Kill the running daemon with SIGKILL, reap it, and check that the
# database ($ST_DB) passes PRAGMA integrity_check; WHAT names the kill in
# the failure.
st_kill9()
{
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	t_untrack "$DAEMON_PID"
	DAEMON_PID=
	[ "$(sqlite3 "$ST_DB" 'PRAGMA integrity_check')" = ok ] ||
	    fail "integrity check after $1"
}

# True when SOURCE has at least N polls recorded (committed).
st_polled()
{
	st_n=$(st_sql "SELECT count(*) FROM poll p JOIN source s ON s.id = p.source_id WHERE s.name = '$1'" 2>/dev/null) || return 1
	[ "${st_n:-0}" -ge "$2" ]
}

# Wait until SOURCE has N more polls recorded than now.
st_wait_polls()
{
	st_base=$(st_sql "SELECT count(*) FROM poll p JOIN source s ON s.id = p.source_id WHERE s.name = '$1'" 2>/dev/null) || st_base=0
	wait_for st_polled "$1" $(( ${st_base:-0} + $2 ))
}

# Print the entries of a served feed, one "id<TAB>title<TAB>via links" a line.
st_entries()
{
	"$PY" - "$1" <<'PY'
import sys, urllib.request, feedparser
raw = urllib.request.urlopen(sys.argv[1], timeout=10).read()
d = feedparser.parse(raw)
if d.bozo:
    sys.exit("bozo: %s" % d.bozo_exception)
for e in d.entries:
    via = " ".join(l.href for l in e.get("links", []) if l.get("rel") == "via")
    print("%s\t%s\t%s" % (e.id, e.title, via))
PY
}

# Print the titles of a served feed, comma-separated, in order.
st_titles()
{
	st_entries "$1" | cut -f2 | paste -sd, -
}

# The identity rule of SOURCE as `feedmux status` shows it.
st_rule()
{
	"$FEEDMUX" status -c "$T/feedmux.conf" | awk -v s="$1" '$1 == s { print $6 }'
}

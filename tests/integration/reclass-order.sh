#!/bin/sh
# reclass-order: a re-sort writes the newest entries first, so a feed
# (which shows a category's newest entries) is right long before a long
# pass over old entries ends.  20,000 generated entries are sorted by rules
# A; a copy is sorted to rules B by one uninterrupted pass (the
# reference); then the daemon re-sorts another copy from A to B on one
# thread and is killed with SIGKILL as soon as its first writes are
# committed.  Among the entries whose memberships differ between A and
# B, every one must hold exactly A's or exactly B's, and the ones already
# at B must all be newer (higher ids) than the ones still at A.
. "$(dirname "$0")/lib.sh"
t_setup

. "$t_here/reclass-lib.sh"
n=20000
rl_generate "$n"

# settled FROM: a re-sort ended after line FROM of the daemon's log.
settled()
{
	tail -n +"$1" "$T/daemon.log" | grep -q 'categories: re-sorted'
}

# sort_to RULES DB: DB sorted by RULES in one uninterrupted pass.
sort_to()
{
	with_threads "$g/$1.conf" 1 "$T/sort.conf" "$2"
	touch "$T/daemon.log"
	st_from=$(($(wc -l <"$T/daemon.log") + 1))
	daemon_start "$T/sort.conf"
	wait_for settled "$st_from"
	daemon_stop
}

sort_to rules1 "$g/bench.db"
cp "$g/bench.db" "$g/a.db"
cp "$g/bench.db" "$g/b.db"
sort_to rules2 "$g/b.db"
pass "rules A and rules B each sorted $n entries"

# by_entry DB: each entry's memberships, one line "id cat,cat,...".
by_entry()
{
	"$PY" - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = {}
for e, c in db.execute("SELECT ec.entry_id, c.name FROM entry_category ec "
                       "JOIN category c ON c.id = ec.category_id"):
    rows.setdefault(e, []).append(c)
for e, in db.execute("SELECT id FROM entry ORDER BY id"):
    print(e, ",".join(sorted(rows.get(e, []))) or "-")
PY
}
by_entry "$g/a.db" >"$T/a.txt"
by_entry "$g/b.db" >"$T/b.txt"
differ=$(paste -d' ' "$T/a.txt" "$T/b.txt" | awk '$2 != $4' | wc -l)
[ "$differ" -gt "$((n / 4))" ] ||
    fail "rules A and B differ on $differ entries only"

# A copy at A, re-sorted to B and killed once its first commit is in.
# A pass that ends before it is caught, or is caught before anything
# is committed, proves nothing: then try again, three times at most.
caught=0
for try in 1 2 3; do
	cp "$g/a.db" "$g/k.db"
	rm -f "$g/k.db-wal" "$g/k.db-shm"
	with_threads "$g/rules2.conf" 1 "$T/k.conf" "$g/k.db"
	daemon_start "$T/k.conf"
	"$PY" - "$g/k.db" "$(awk '$2 != "-" { n += split($2, x, ",") } END { print n }' \
	    "$T/a.txt")" "$DAEMON_PID" <<'PY' || fail "watching the re-sort failed"
import os, signal, sqlite3, sys, time
path, rows, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
end = time.monotonic() + 60
while time.monotonic() < end:
    try:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
        now = db.execute("SELECT count(*) FROM entry_category").fetchone()[0]
        db.close()
    except sqlite3.Error:
        now = rows
    if now != rows:
        break
    time.sleep(0.005)
os.kill(pid, signal.SIGKILL)
PY
	t_wait_gone "$DAEMON_PID" "$T_TIMEOUT" || fail "feedmuxd outlived SIGKILL"
	wait "$DAEMON_PID" 2>/dev/null
	t_untrack "$DAEMON_PID"
	DAEMON_PID=
	by_entry "$g/k.db" >"$T/k.txt"
	paste -d' ' "$T/a.txt" "$T/b.txt" "$T/k.txt" | awk '
	    $1 != $3 || $1 != $5 { print "misaligned at " $1; bad = 1; exit }
	    $2 == $4 { next }
	    $6 == $2 { na++; if ($1 > maxa) maxa = $1; next }
	    $6 == $4 { nb++; if (minb == "" || $1 < minb) minb = $1; next }
	    { print "entry " $1 " holds [" $6 "], neither A [" $2 "] nor B [" $4 "]"
	      bad = 1; exit }
	    END { if (!bad) print na + 0, nb + 0, maxa + 0, minb + 0 }' \
	    >"$T/k.sum"
	read -r na nb maxa minb <"$T/k.sum" || fail "no summary"
	case "$na" in
	''|*[!0-9]*)	fail "$(cat "$T/k.sum")" ;;
	esac
	if [ "$na" -gt 0 ] && [ "$nb" -gt 0 ]; then
		caught=1
		break
	fi
done
[ "$caught" -eq 1 ] ||
    fail "never caught the re-sort part way ($na at A, $nb at B)"
[ "$minb" -gt "$maxa" ] ||
    fail "entries up to $maxa still at A, but $minb already at B: not newest first"
pass "killed part way: $nb newest entries at B (ids $minb and up), $na older still at A (up to $maxa)"

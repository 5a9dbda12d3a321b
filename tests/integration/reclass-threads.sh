#!/bin/sh
# reclass-threads: a re-sort whose ranges of entries are evaluated on
# several threads, and cut short by reloads, leaves exactly the
# memberships one uninterrupted pass on one thread does.  6,000 entries
# (generated straight into the database by the classify benchmark's
# generator) are sorted by rules A at start; then three SIGHUPs in quick
# succession (rules B, A', B) stop passes part way and start new ones,
# with two evaluating threads.  When the last pass ends, every
# membership and every recorded rule fingerprint must equal those of a
# copy of the unsorted database sorted straight to B by one thread.
. "$(dirname "$0")/lib.sh"
t_setup

. "$t_here/reclass-lib.sh"
n=6000
rl_generate "$n"
cp "$g/bench.db" "$g/clean.db"

# settled FROM: the daemon's log from line FROM on has at least MIN
# "rules changed" lines, and a re-sort ended after the last of them.
settled()
{
	tail -n +"$1" "$T/daemon.log" | awk -v min="$MIN" '
	    /categories: rules of .* changed/ { n++; done = 0 }
	    /categories: re-sorted/ { done = 1 }
	    END { exit !(n >= min && done) }'
}

# memberships DB: every membership and recorded fingerprint, in order,
# then every membership as the entries' own lists (entry_member) say.
memberships()
{
	"$PY" - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute("SELECT c.name, ec.sort_date, ec.entry_id FROM "
                      "entry_category ec JOIN category c ON "
                      "c.id = ec.category_id ORDER BY 1, 2, 3"):
    print(*row)
for row in db.execute("SELECT name, fingerprint FROM category_rules "
                      "ORDER BY 1"):
    print("rules", *row)
for row in db.execute("SELECT c.name, j.value ->> 1, m.entry_id FROM "
                      "entry_member m, json_each(m.cats) j JOIN category c "
                      "ON c.id = j.value ->> 0 ORDER BY 1, 2, 3"):
    print("listed", *row)
PY
}

with_threads "$g/rules1.conf" 2 "$T/live.conf"
start=1
daemon_start "$T/live.conf"
MIN=1 wait_for settled "$start"
pass "first sort of $n entries"

for r in 2 4 2; do
	with_threads "$g/rules$r.conf" 2 "$T/live.conf"
	kill -HUP "$DAEMON_PID"
	sleep 0.1
done
MIN=4 wait_for settled "$start"
t_alive "$DAEMON_PID" || fail "feedmuxd died during the re-sorts"
daemon_stop
grep -q 'categories: cannot re-sort\|re-sorting stopped' "$T/daemon.log" &&
    fail "a re-sort failed: $(grep 'categories:' "$T/daemon.log" | tail -3)"

# The reference: the unsorted copy, straight to rules B, one thread.
with_threads "$g/rules2.conf" 0 "$T/ref.conf" "$g/clean.db"
start=$(($(wc -l <"$T/daemon.log") + 1))
daemon_start "$T/ref.conf"
MIN=1 wait_for settled "$start"
daemon_stop

memberships "$g/bench.db" >"$T/threads.txt"
memberships "$g/clean.db" >"$T/reference.txt"
rows=$(grep -vc '^rules \|^listed ' "$T/reference.txt")
[ "$rows" -gt "$n" ] || fail "the reference has only $rows memberships"
cmp -s "$T/threads.txt" "$T/reference.txt" ||
    fail "memberships differ from one uninterrupted pass: $(diff \
    "$T/threads.txt" "$T/reference.txt" | head -5)"
pass "interrupted re-sorts on 2 threads = one pass on 1 ($rows memberships)"
grep '^listed ' "$T/threads.txt" | cut -d' ' -f2- >"$T/listed.txt"
grep -v '^listed \|^rules ' "$T/threads.txt" >"$T/rows.txt"
cmp -s "$T/listed.txt" "$T/rows.txt" ||
    fail "entry_member lists differ from entry_category: $(diff \
    "$T/listed.txt" "$T/rows.txt" | head -5)"
pass "each entry's own list of memberships = its rows"

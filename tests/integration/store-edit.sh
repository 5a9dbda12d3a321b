#!/bin/sh
# store-edit: an entry the publisher edits is updated in place (one entry,
# new text, a new atom:updated); in a category with updates_bump = yes it
# moves to the top, in the others it keeps its place.
. "$(dirname "$0")/lib.sh"
t_setup
. "$t_here/store-lib.sh"

mkdir -p "$T/pub"
d1=$(st_date -7200) d2=$(st_date -3600)
gen()
{
	{
		st_item "e-2" "http://ed.example/2" "Second" "$d2"
		st_item "e-1" "http://ed.example/1" "First" "$d1" "$1"
	} | st_rss "$T/pub/ed.rss" ed
}
gen "original text"
fixpub_start "$T/pub"
st_conf <<CONF
[category "calm"]
[category "bumpy"]
updates_bump = yes
[source "ed"]
url = $FIXPUB_URL/ed.rss
categories = calm, bumpy
CONF
daemon_start "$T/feedmux.conf"
st_wait_polls ed 1
[ "$(st_titles "$DAEMON_URL/feeds/bumpy.atom")" = "Second,First" ] || fail "bumpy before"
before=$(st_entries "$DAEMON_URL/feeds/calm.atom")
upd1=$(curl -sS "$DAEMON_URL/feeds/calm.atom" | grep -o '<updated>[^<]*</updated>' | sed -n 3p)
sleep 1.2	# the edit gets a later time than the first sight
gen "corrected text"
wait_for sh -c "curl -sS '$DAEMON_URL/feeds/calm.atom' | grep -q 'corrected text'"
[ "$(st_sql 'SELECT count(*) FROM entry')" = 2 ] || fail "edit stored twice"
[ "$(st_titles "$DAEMON_URL/feeds/calm.atom")" = "Second,First" ] || fail "calm moved the edit"
[ "$(st_titles "$DAEMON_URL/feeds/bumpy.atom")" = "First,Second" ] || fail "bumpy did not move the edit"
upd2=$(curl -sS "$DAEMON_URL/feeds/calm.atom" | grep -o '<updated>[^<]*</updated>' | sed -n 3p)
[ "$upd1" != "$upd2" ] || fail "atom:updated of the edited entry unchanged ($upd1)"
curl -sS "$DAEMON_URL/feeds/calm.atom" | grep -q 'original text' && fail "old text still served"
pass "the edit is updated in place, bumped only where asked"
daemon_stop
exit 0

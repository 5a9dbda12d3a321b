#!/bin/sh
# store.sh: storage benchmark.  Stores M parsed entries (~4 KB of content
# each) through store_poll_done (tests/bench/store-bench, one transaction
# per document of 50 entries) as all-new and then all-duplicate batches,
# next to the raw SQLite loop of ../shared/bench/sqlite-insert (one
# prepared INSERT ... ON CONFLICT DO NOTHING, 1,000 rows per transaction)
# measured in the same run, and prints a markdown table with the ratios
# and the database bytes per entry.  Not run by `make check`.
#
# Usage: tests/bench/store.sh [--items 200000] [--per-doc 50] [--reps 1]
#        (run from the build directory, after `make tests/bench/store-bench`;
#        `make bench` does both; configure without --enable-sanitizers for
#        meaningful numbers).  Results: $OUT (default store-results.jsonl).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=.}"
: "${SHARED_BENCH:=$top_srcdir/../shared/bench}"
: "${OUT:=store-results.jsonl}"
items=200000 per=50 reps=1
while [ $# -gt 0 ]; do
	case $1 in
	--items) items=$2; shift 2 ;;
	--per-doc) per=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	*) sed -n '2,12p' "$0"; exit 2 ;;
	esac
done
bench=$top_builddir/tests/bench/store-bench
[ -x "$bench" ] || { echo "store.sh: $bench not built (make tests/bench/store-bench)" >&2; exit 2; }
[ -x "$SHARED_BENCH/build-tools" ] || { echo "store.sh: $SHARED_BENCH/build-tools not found (set SHARED_BENCH)" >&2; exit 2; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/feedmux-store-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
bin=$("$SHARED_BENCH/build-tools" "$dir/bin")
: >"$dir/run.jsonl"
for rep in $(seq 1 "$reps"); do
	"$bin/sqlite-insert" --db "$dir/raw.db" --items "$items" --batch 1000 \
	    --sync normal --dup-pass >>"$dir/run.jsonl"
	rm -f "$dir/raw.db" "$dir/raw.db-wal" "$dir/raw.db-shm"
	"$bench" --db "$dir/store.db" --items "$items" --per-doc "$per" \
	    2>/dev/null >>"$dir/run.jsonl"
	rm -f "$dir/store.db" "$dir/store.db-wal" "$dir/store.db-shm"
done
cat "$dir/run.jsonl" >>"$OUT"
/usr/bin/python3 - "$dir/run.jsonl" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(kind, p, key):
    v = [r[key] for r in rows if r.get("bench", "raw") == kind and r["pass"] == p]
    return statistics.median(v)
print("| batch | raw SQLite (entries/s) | feedmux store (entries/s) | ratio |")
print("| --- | ---: | ---: | ---: |")
for p, name in (("new", "all new"), ("dup", "all duplicate")):
    raw, st = med("raw", p, "items_per_s"), med("store", p, "items_per_s")
    print("| %s | %.0f | %.0f | %.0f%% |" % (name, raw, st, 100 * st / raw))
raw_b = med("raw", "new", "db_bytes") / med("raw", "new", "items")
st_b = med("store", "new", "db_bytes_per_item")
print()
print("Database bytes per entry: %.0f (raw table: %.0f)." % (st_b, raw_b))
PY

#!/bin/sh
# run.sh: builds the libFuzzer targets in a separate build directory and
# runs each for SECONDS (default 60) on a seed corpus made from the
# feedparser corpus and our golden files.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
# Findings land in build-fuzz/findings/; fix them and add the input to
# tests/parse as a golden file or to tests/unit as a regression test.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-fuzz-parse}
build=$top/build-fuzz
corpus=${FEEDMUX_CORPUS:-$top/../shared/corpus/feedparser}

mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ]; then
	CC=clang "$top/configure" -q --enable-fuzzing
fi
for t in $targets; do
	make -j"$(nproc)" "tests/fuzz/$t" >/dev/null
	seeds=$build/seeds/$t
	mkdir -p "$seeds" findings
	if [ -z "$(ls -A "$seeds")" ]; then
		[ -d "$corpus" ] && find "$corpus" -type f -size -64k -exec cp {} "$seeds/" \; 2>/dev/null || :
		cp "$top"/tests/parse/*.in.* "$seeds/" 2>/dev/null || :
	fi
	echo "fuzz: $t for ${secs}s"
	"tests/fuzz/$t" -max_total_time="$secs" -max_len=262144 -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix="$build/findings/$t-" \
	    -print_final_stats=1 "$seeds" 2>&1 | tail -n 12
done

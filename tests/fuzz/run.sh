#!/bin/sh
# run.sh: builds the libFuzzer targets with clang in a separate tree and
# runs each for SECONDS (default 60) on its seeds: tests/fuzz/corpus/TARGET
# (committed: hand-made inputs and past findings) plus seeds made by
# seeds.py from the feedparser corpus and the tests.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#   targets: parse date uri sanitize conf http decode (default: all)
# Environment: FUZZ_BUILD (default build-fuzz), FEEDMUX_CORPUS (the
# feedparser corpus, default ../shared/corpus/feedparser), FUZZ_FLAGS
# (more libFuzzer flags; long runs: -fork=1 -ignore_crashes=1 to go on
# past findings), FUZZ_NICE (default 10), FUZZ_NOBUILD=1 (use the last
# build, for runs in parallel).  Each target prints one line
# "fuzz: TARGET ok|FAILED ..."; the exit status is 1 when any failed.
# A finding is saved as $FUZZ_BUILD/findings/TARGET-crash-*: fix it, and add
# the input to tests/fuzz/corpus/TARGET so `make check` replays it.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-parse date uri sanitize conf http decode}
build=${FUZZ_BUILD:-$top/build-fuzz}
corpus=${FEEDMUX_CORPUS:-$top/../shared/corpus/feedparser}
jobs=$(nproc 2>/dev/null || echo 2)

if [ -z "${FUZZ_NOBUILD:-}" ]; then
	# A copy of the sources (the tree itself may be configured for gcc, and
	# automake refuses a second build of a configured tree).
	mkdir -p "$build/tree" "$build/findings" "$build/logs"
	build=$(cd "$build" && pwd)
	cd "$top"
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -co --exclude-standard -z | xargs -0 cp -p -u --parents \
		    -t "$build/tree"
	else
		tar -cf - --exclude=./build-fuzz . | tar -C "$build/tree" -xpf -
	fi
	cd "$build/tree"
	if [ ! -f Makefile ]; then
		[ -x configure ] || autoreconf -fi >"$build/logs/autoreconf.log" 2>&1
		CC=clang ./configure -q --enable-fuzzing >"$build/logs/configure.log" 2>&1 ||
		    { cat "$build/logs/configure.log"; exit 1; }
	fi
	progs=
	for t in $targets; do progs="$progs tests/fuzz/fuzz-$t"; done
	# shellcheck disable=SC2086
	make -j"$jobs" $progs >"$build/logs/make.log" 2>&1 ||
	    { tail -n 40 "$build/logs/make.log"; exit 1; }
fi
mkdir -p "$build/findings" "$build/logs"
build=$(cd "$build" && pwd)

status=0
for t in $targets; do
	seeds=$build/seeds/$t
	if [ ! -d "$seeds" ]; then
		/usr/bin/python3 "$top/tests/fuzz/seeds.py" "$t" "$seeds" "$top" \
		    "$corpus" >/dev/null
	fi
	maxlen=
	[ "$t" = parse ] && maxlen=-max_len=262144
	[ "$t" = sanitize ] && maxlen=-max_len=65536
	log=$build/logs/$t.log
	stamp=$build/logs/$t.start
	touch "$stamp"
	# shellcheck disable=SC2086
	nice -n "${FUZZ_NICE:-10}" "$build/tree/tests/fuzz/fuzz-$t" \
	    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 $maxlen \
	    -artifact_prefix="$build/findings/$t-" -print_final_stats=1 \
	    ${FUZZ_FLAGS:-} "$seeds" "$top/tests/fuzz/corpus/$t" >"$log" 2>&1 ||
	    :
	# A finding is a saved input, whether the run stopped on it or not
	# (-fork=1 -ignore_crashes=1 goes on).
	found=$(find "$build/findings" -name "$t-*" -newer "$stamp" | wc -l)
	if [ "$found" -eq 0 ] && grep -q '^stat::number_of_executed_units\|^INFO: fuzzed for\|^INFO: exiting' "$log"; then
		res=ok
	else
		res="FAILED ($found findings)"
		status=1
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*cov:.*/\1/p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
	echo "fuzz: $t $res (${secs}s, ${runs:-?} inputs, ${cov:-no coverage})"
	if [ "$res" != ok ]; then
		grep -a -A4 "^fuzz-$t: \|^==[0-9]*==ERROR\|^SUMMARY" "$log" | head -n 60
		find "$build/findings" -name "$t-*" -newer "$stamp"
	fi
done
exit "$status"

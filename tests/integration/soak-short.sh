#!/bin/sh
# soak-short: tests/soak/soak.sh at ten times the pace for 75 s (about 90 s
# with start and settle): 200 sources over 10 host names polled every 6 to
# 12 s, a fifth of the feeds publishing every 6 s, a SIGHUP with a category
# rule change every 12 s and wrk reading the outputs.  Every entry
# published must be stored, the log must hold no warning but the ones the
# misbehaving fixtures provoke, feedmuxd must exit 0 on SIGTERM (under
# --enable-sanitizers: LeakSanitizer found no leak) and the database must
# pass integrity_check.  RSS is reported, not judged: in 75 s the small
# database only grows into SQLite's page cache (make soak judges it).
# Longer than the other tests on purpose: leaks and lost entries show only
# over many polls and reloads.  Skipped without wrk.
here=$(cd "$(dirname "$0")" && pwd)
SOAK_SOURCES=200 SOAK_HOSTS=10 SOAK_PERIOD=6 SOAK_INITIAL=5 \
    SOAK_RSS_CHECK=no SOAK_OUT='' \
    exec sh "$here/../soak/soak.sh" 75

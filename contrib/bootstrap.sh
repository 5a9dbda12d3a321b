#!/bin/sh
# bootstrap.sh: the README's Quick start on Debian 12.
#
#   contrib/bootstrap.sh run     install dependencies (apt-get), build, and
#                                start feedmuxd in the foreground on
#                                conf/feedmux.conf (http://127.0.0.1:8080/)
#   contrib/bootstrap.sh test    build and run the whole test suite
#   contrib/bootstrap.sh deps    only install the dependencies
#   contrib/bootstrap.sh build   only build
#
# Environment: CONFIGURE_FLAGS adds flags to ./configure (.ci/run passes
# --enable-sanitizers); JOBS sets make's parallelism (default: nproc).
set -eu

cd "$(dirname "$0")/.."

# Build and test dependencies, all Debian 12 packages.
DEPS="build-essential autoconf automake pkg-config
	libcurl4-openssl-dev libxml2-dev libevent-dev libsqlite3-dev
	libjansson-dev libgumbo-dev libssl-dev zlib1g-dev libcmocka-dev libpcre2-dev libbrotli-dev
	curl sqlite3 libxml2-utils python3 python3-feedparser
	systemd man-db groff-base time python3-jsonschema newsboat chromium wrk
	openssl nghttp2-server"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
	missing=
	for p in $DEPS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "bootstrap: installing$missing"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
}

build() {
	jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
	want="${CONFIGURE_FLAGS:-}"
	if [ ! -x configure ]; then autoreconf -fi; fi
	# Reconfigure when the flags changed since the last build.
	if [ ! -f Makefile ] || [ "$(cat .bootstrap-flags 2>/dev/null)" != "$want" ]; then
		# shellcheck disable=SC2086
		./configure $want
		printf '%s' "$want" > .bootstrap-flags
	fi
	make -j"$jobs"
}

case "${1:-}" in
deps)	deps ;;
build)	deps; build ;;
run)
	deps
	build
	mkdir -p state
	echo "bootstrap: starting feedmuxd on conf/feedmux.conf: http://127.0.0.1:8080/ (Ctrl-C stops it)"
	exec src/feedmuxd -c conf/feedmux.conf
	;;
test)
	deps
	build
	jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
	make -j"$jobs" check
	;;
*)
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac

# reclass-lib.sh: helpers for the re-sort scenarios (reclass-*.sh), sourced
# after lib.sh and t_setup.  They fill a database with the classify
# benchmark's generated entries and rules, and write configs with a given
# number of re-sort threads.
# shellcheck disable=SC2034

# rl_generate N: $g (= $T/gen) holds bench.db, N generated entries in this
# build's schema (made by the daemon itself), and the benchmark's rules
# (rules1..4.conf, sources on a closed port).
rl_generate()
{
	rl_gen="$t_here/../bench/classify-gen.py"
	[ -f "$rl_gen" ] || fail "missing $rl_gen"
	g="$T/gen"
	mkdir -p "$g"
	printf '[feedmux]\nlisten = 127.0.0.1:0\ndatabase = %s/schema.db\n' \
	    "$g" >"$T/empty.conf"
	"$FEEDMUXD" --once -c "$T/empty.conf" >"$T/empty.log" 2>&1 ||
	    fail "cannot make an empty database: $(cat "$T/empty.log")"
	"$PY" "$rl_gen" "$g" "$1" 9 "$g/schema.db" >"$T/gen.log" 2>&1 ||
	    fail "classify-gen.py: $(cat "$T/gen.log")"
}

# with_threads CONF N OUT [DB]: CONF with N parse threads (and DB).
with_threads()
{
	sed -e "s/^\[feedmux\]\$/[feedmux]\nparse_threads = $2/" \
	    ${4:+-e "s|^database = .*|database = $4|"} "$1" >"$3"
}

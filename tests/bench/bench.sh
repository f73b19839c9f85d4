#!/bin/sh
# bench.sh [SCALE] — time rds-migrate against the peers our users would use, on
# this machine, in one run: two local PostgreSQL clusters, the sample application at
# SCALE (default 100) in the source, each tool into a fresh target database, each
# at least ROUNDS (default 3) times interleaved. Prints median wall time, the
# ratio of ours to each peer, and peak resident memory; then ours at 3x the
# scale (memory must not grow with the data), then verify (must pass), then the
# wizard's figures: time to the first screen, and the bytes per second it
# writes to the terminal during a copy (tests/bench/tui_measure.py, a pty).
SCALE=${1:-100}
ROUNDS=${ROUNDS:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export ROOT
. "$ROOT/tests/lib/testlib.sh"
BIN=${RDSM_BIN:-$ROOT/rds-migrate}
OUT="$T_TMP/bench"
mkdir -p "$OUT"
chmod 0777 "$OUT"

say() { printf '%s\n' "$*" >&2; }

say "starting clusters"
pg_start src "shared_buffers = 256MB" "max_wal_size = 4GB" "maintenance_work_mem = 256MB" || exit 1
pg_start dst "shared_buffers = 256MB" "max_wal_size = 4GB" "maintenance_work_mem = 256MB" || exit 1
say "loading the sample at scale $SCALE"
pg_load_sample src sample "$SCALE" || exit 1
pg_sql src sample -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
SRC_SIZE=$(pg_sql src sample -c "SELECT pg_size_pretty(pg_database_size('sample'))")
WORDS=$(pg_sql src sample -c "SELECT count(*) FROM words")
export PGPASSWORD=app-secret-pw # the peers take the password from here; ours from its config
SRC_URL=$(pg_url src sample)

fresh_db() { # name
	pg_sql dst postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 OWNER app" >/dev/null
}

# timed NAME CMD…: run CMD under /usr/bin/time; append "wall_s maxrss_kb" to $OUT/NAME.
timed() {
	local name rc
	name=$1; shift
	/usr/bin/time -f "%e %M" -o "$OUT/$name.last" "$@" >"$OUT/$name.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		say "$name failed (exit $rc):"; tail -20 "$OUT/$name.log" >&2
		return $rc
	fi
	cat "$OUT/$name.last" >>"$OUT/$name.times"
}

write_ini() { # db: our config for the source $SRC_URL and target database db
	cat >"$OUT/ours.ini" <<INI
[source]
url = $SRC_URL
[target]
url = $(pg_url dst "$1")
sslmode = disable
[migrate]
jobs = 2
INI
	chmod 600 "$OUT/ours.ini"
	rm -f "$OUT/.rds-migrate.state"
}

run_ours() { # db [scale-tag]
	write_ini "$1"
	timed "${2:-ours}" env -u PGPASSWORD "$BIN" -c "$OUT/ours.ini" --plain schema data
}

run_dump_psql() {
	timed dump_psql sh -c "pg_dump -d '$SRC_URL' | psql -q -X -v ON_ERROR_STOP=1 -d '$(pg_url dst "$1")'"
}

run_dump_restore() {
	rm -rf "$OUT/dumpdir"
	timed dump_restore sh -c "pg_dump -Fd -j2 -f '$OUT/dumpdir' -d '$SRC_URL' &&
		pg_restore -j2 -d '$(pg_url dst "$1")' '$OUT/dumpdir'"
}

run_pgcopydb() {
	rm -rf "$OUT/pgcopydb"
	timed pgcopydb pgcopydb clone --source "$SRC_URL" --target "$(pg_url dst "$1")" \
		--table-jobs 2 --index-jobs 2 --dir "$OUT/pgcopydb" --no-owner --no-acl
}

TOOLS=${TOOLS:-ours dump_psql dump_restore pgcopydb}
for i in $(seq 1 "$ROUNDS"); do
	for t in $TOOLS; do
		db="b_${t}_$i"
		fresh_db "$db"
		say "round $i: $t"
		"run_$t" "$db" || exit 1
		pg_sql dst postgres -c "DROP DATABASE $db" >/dev/null
	done
done

# median of column 1 (wall) and max of column 2 (rss) of a times file
median() { sort -n "$1" | awk '{w[NR]=$1} END {print w[int((NR+1)/2)]}'; }
peak() { awk 'BEGIN{m=0} {if ($2>m) m=$2} END {print m}' "$1"; }

OURS=$(median "$OUT/ours.times")
say "ours at 3x the scale: loading"
pg_load_sample src sample3 $((SCALE * 3)) || exit 1
pg_sql src sample3 -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
SRC_URL_SAVED=$SRC_URL
SRC_URL=$(pg_url src sample3)
fresh_db big
run_ours big ours3x || exit 1
pg_sql dst postgres -c "DROP DATABASE big" >/dev/null

# The wizard, in a pty: first screen (median of 10 starts), then a schema+data
# run of the 3x sample driven with keys, counting the bytes it writes.
say "TUI: time to the first screen, output rate during a copy"
fresh_db tui
write_ini tui
FIRST_MS=$(env -u PGPASSWORD python3 "$ROOT/tests/bench/tui_measure.py" first "$BIN" "$OUT/ours.ini" 10) || exit 1
TUI_RATE=$(env -u PGPASSWORD python3 "$ROOT/tests/bench/tui_measure.py" rate "$BIN" "$OUT/ours.ini") || exit 1
pg_sql dst postgres -c "DROP DATABASE tui" >/dev/null
SRC_URL=$SRC_URL_SAVED

say "verify (must pass)"
fresh_db checked
run_ours checked ours_verify_copy || exit 1
if env -u PGPASSWORD "$BIN" -c "$OUT/ours.ini" --plain verify >"$OUT/verify.log" 2>&1; then
	VERIFY=passed
else
	VERIFY=FAILED
	tail -20 "$OUT/verify.log" >&2
fi

echo
echo "rds-migrate bench: sample application, scale $SCALE ($SRC_SIZE, $WORDS words rows), $(nproc) cores, median of $ROUNDS runs"
runs() { awk '{printf "%s%s", s, $1; s = " "}' "$1"; }
printf '%-44s %10s %12s %14s   %s\n' "tool (schema + data)" "wall s" "ours/peer" "peak RSS MB" "each run, s"
for t in $TOOLS; do
	m=$(median "$OUT/$t.times")
	r=$(awk -v o="$OURS" -v p="$m" 'BEGIN {printf "%.2f", o / p}')
	case $t in
	ours) label="rds-migrate --plain schema data (jobs 2)" ;;
	dump_psql) label="pg_dump | psql" ;;
	dump_restore) label="pg_dump -Fd -j2 + pg_restore -j2" ;;
	pgcopydb) label="pgcopydb clone --table-jobs 2 --index-jobs 2" ;;
	esac
	printf '%-44s %10s %12s %14s   %s\n' "$label" "$m" "$r" "$(awk -v k="$(peak "$OUT/$t.times")" 'BEGIN {printf "%.1f", k / 1024}')" "$(runs "$OUT/$t.times")"
done
printf '%-44s %10s %12s %14s   %s\n' "rds-migrate at scale $((SCALE * 3))" "$(median "$OUT/ours3x.times")" "-" \
	"$(awk -v k="$(peak "$OUT/ours3x.times")" 'BEGIN {printf "%.1f", k / 1024}')" "$(runs "$OUT/ours3x.times")"
FASTEST=$(for t in $TOOLS; do [ "$t" = ours ] || median "$OUT/$t.times"; done | sort -n | head -n 1)
if [ -n "$FASTEST" ]; then
	awk -v o="$OURS" -v p="$FASTEST" 'BEGIN {printf "ours / fastest peer: %.2f (target <= 0.80): %s\n", o / p, o <= 0.8 * p ? "met" : "NOT met"}'
fi
awk -v a="$(peak "$OUT/ours.times")" -v b="$(peak "$OUT/ours3x.times")" 'BEGIN {printf "peak RSS at scale %d / %d: %.1f / %.1f MB (target <= 32 MB): %s\n", '"$SCALE"', '"$((SCALE * 3))"', a / 1024, b / 1024, (a <= 32768 && b <= 32768) ? "met" : "NOT met"}'
awk -v ms="$FIRST_MS" 'BEGIN {printf "TUI first screen: %.1f ms, median of 10 starts (target <= 50 ms): %s\n", ms, ms <= 50 ? "met" : "NOT met"}'
echo "$TUI_RATE" | awk '{printf "TUI output during a schema+data copy at scale '"$((SCALE * 3))"': %d bytes in %.2f s = %.0f B/s (target <= 2048 B/s): %s\n", $1, $2, $3, $3 <= 2048 ? "met" : "NOT met"}'
echo "verify after copy: $VERIFY"
[ "$VERIFY" = passed ]

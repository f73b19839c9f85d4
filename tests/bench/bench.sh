#!/bin/sh
# bench.sh [SCALE] — time rds-migrate against the peers our users would use, on
# this machine, in one run: two local PostgreSQL clusters, the sample application at
# SCALE (default 100) in the source, each tool into a fresh target database, each
# at least ROUNDS (default 3) times interleaved. Prints median wall time, the
# ratio of ours to each peer, and peak resident memory; then ours at 3x the
# scale (memory must not grow with the data), then verify (must pass), then the
# wizard's figures: time to the first screen, and the bytes per second it
# writes to the terminal during a copy (tests/bench/tui_measure.py, a pty);
# then every tool again with the source far away (FAR_RTTS, default 0 30 100
# ms of round trip; FAR_RTTS= skips it), beside the link's floor.
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

run_dump_psql() { # db [tag]
	timed "${2:-dump_psql}" sh -c "pg_dump -d '$SRC_URL' | psql -q -X -v ON_ERROR_STOP=1 -d '$(pg_url dst "$1")'"
}

run_dump_restore() { # db [tag]
	rm -rf "$OUT/dumpdir"
	timed "${2:-dump_restore}" sh -c "pg_dump -Fd -j2 -f '$OUT/dumpdir' -d '$SRC_URL' &&
		pg_restore -j2 -d '$(pg_url dst "$1")' '$OUT/dumpdir'"
}

run_pgcopydb() { # db [tag]
	rm -rf "$OUT/pgcopydb"
	timed "${2:-pgcopydb}" pgcopydb clone --source "$SRC_URL" --target "$(pg_url dst "$1")" \
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

# The source far away: tests/tools/farlink (built by make) in front of it adds
# RTT ms of round trip, shares FAR_RATE bytes/s among all connections and holds
# each connection to a FAR_WINDOW window (a TCP stream's limit), as the link
# between a Railway region and a box in Seoul does. Each tool once per RTT; the
# floor is the fewest bytes any tool moved over FAR_RATE, plus the target's
# index build after the last rows (REINDEX of the largest table, measured).
FAR_RTTS=${FAR_RTTS-0 30 100}
FAR_ROUNDS=${FAR_ROUNDS:-1}
FAR_RATE=${FAR_RATE:-50000000}
FAR_WINDOW=${FAR_WINDOW:-4194304}
FARLINK=$ROOT/${BUILD:-build}/tools/farlink
far_bytes() { awk '{print $3}' "$OUT/far.stats"; }
if [ -n "$FAR_RTTS" ]; then
	BIGGEST=$(pg_sql src sample -c "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables
		ORDER BY pg_total_relation_size(relid) DESC LIMIT 1")
	fresh_db reindexed
	run_ours reindexed far_setup || exit 1
	REINDEX_S=$(pg_sql dst reindexed -c "SELECT extract(epoch FROM clock_timestamp())" \
		-c "REINDEX TABLE $BIGGEST" -c "SELECT extract(epoch FROM clock_timestamp())" |
		awk 'NR == 1 {a = $1} END {printf "%.2f", $1 - a}')
	pg_sql dst postgres -c "DROP DATABASE reindexed" >/dev/null
	for rtt in $FAR_RTTS; do
		"$FARLINK" "$PORT_src" "$rtt" "$FAR_RATE" "$FAR_WINDOW" "$OUT/far.stats" \
			>"$OUT/far.port" 2>"$OUT/far.err" &
		FAR_PID=$!
		until [ -s "$OUT/far.port" ] && [ -s "$OUT/far.stats" ]; do sleep 0.1; done
		SRC_URL="postgresql://app:app-secret-pw@127.0.0.1:$(cat "$OUT/far.port")/sample?sslmode=disable"
		for i in $(seq 1 "$FAR_ROUNDS"); do
			for t in $TOOLS; do
				say "far link, $rtt ms, round $i: $t"
				before=$(far_bytes)
				fresh_db "far_$t"
				"run_$t" "far_$t" "far${rtt}_$t" || { kill $FAR_PID; exit 1; }
				sleep 0.3 # the proxy writes its counts when the tool's connections end
				echo $(($(far_bytes) - before)) >>"$OUT/far${rtt}_$t.bytes"
				pg_sql dst postgres -c "DROP DATABASE far_$t" >/dev/null
			done
		done
		kill $FAR_PID
		wait $FAR_PID 2>/dev/null
		rm -f "$OUT/far.port" "$OUT/far.stats"
	done
	SRC_URL=$SRC_URL_SAVED
fi

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

if [ -n "$FAR_RTTS" ]; then
	echo
	echo "far link: source through tests/tools/farlink, $(awk -v r="$FAR_RATE" 'BEGIN {printf "%.0f", r / 1e6}') MB/s shared, $(awk -v w="$FAR_WINDOW" 'BEGIN {printf "%.0f", w / 1048576}') MiB window per connection, median of $FAR_ROUNDS run(s) each"
	printf '%-8s' "rtt ms"
	for t in $TOOLS; do printf ' %14s' "$t s"; done
	printf ' %9s %9s %9s %9s %s\n' "floor s" "ours/flr" "bin flr s" "ours/bfl" "MB over the link (each tool)"
	for rtt in $FAR_RTTS; do
		printf '%-8s' "$rtt"
		for t in $TOOLS; do printf ' %14s' "$(median "$OUT/far${rtt}_$t.times")"; done
		least=$(for t in $TOOLS; do head -n 1 "$OUT/far${rtt}_$t.bytes"; done | sort -n | head -n 1)
		floor=$(awk -v b="$least" -v r="$FAR_RATE" -v x="$REINDEX_S" 'BEGIN {printf "%.2f", b / r + x}')
		bfloor=$(awk -v b="$(head -n 1 "$OUT/far${rtt}_ours.bytes")" -v r="$FAR_RATE" -v x="$REINDEX_S" 'BEGIN {printf "%.2f", b / r + x}')
		o=$(median "$OUT/far${rtt}_ours.times")
		printf ' %9s %9s %9s %9s' "$floor" "$(awk -v o="$o" -v f="$floor" 'BEGIN {printf "%.2f", o / f}')" \
			"$bfloor" "$(awk -v o="$o" -v f="$bfloor" 'BEGIN {printf "%.2f", o / f}')"
		for t in $TOOLS; do printf ' %s' "$(awk -v b="$(head -n 1 "$OUT/far${rtt}_$t.bytes")" 'BEGIN {printf "%.0f", b / 1e6}')"; done
		echo
		ahead=yes
		for t in $TOOLS; do
			[ "$t" = ours ] && continue
			awk -v o="$o" -v p="$(median "$OUT/far${rtt}_$t.times")" 'BEGIN {exit !(o < p)}' || ahead=no
		done
		[ "$rtt" -ge 100 ] && awk -v o="$o" -v f="$floor" -v b="$bfloor" -v a="$ahead" -v t="$rtt" 'BEGIN {
			printf "goal at %d ms (within 1.3x the floor, ahead of every peer): ahead %s; %.2fx the floor: %s; %.2fx the binary floor: %s\n",
				t, a, o / f, o <= 1.3 * f ? "met" : "NOT met", o / b, o <= 1.3 * b ? "met" : "NOT met"}'
	done
	echo "floor: the fewest bytes any tool moved (the peers' text COPY) / the link's rate + REINDEX of $BIGGEST on the target ($REINDEX_S s)"
	echo "binary floor: the bytes our binary COPY moved (the issue keeps binary COPY) / the link's rate + the same REINDEX"
fi
echo "verify after copy: $VERIFY"
[ "$VERIFY" = passed ]

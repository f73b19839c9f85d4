#!/bin/sh
# cutover.sh [SCALE] — live mode's write downtime, measured: the sample
# application at SCALE (default 100) in a source cluster with wal_level =
# logical, tests/tools/liveapp.py writing about RATE (default 200) rows a
# second into it the whole time, then `rds-migrate --plain --yes source probe
# schema data replicate` and `… cutover` ([cutover] verify = counts, the
# application stopped and started by tests/tools/liveapp_ctl.sh). Prints the
# write downtime the cutover reports (stop to healthy) split into its phases,
# the gap between the application's last write acknowledged by the source and
# its first by the target (seen from the application), the replication lag
# the replicate step reported during the copy, and whether every acknowledged
# write is on the target once. Goal: writes stopped at most 3 s plus the
# application's own start time (the start and health phases).
SCALE=${1:-100}
RATE=${RATE:-200}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export ROOT
. "$ROOT/tests/lib/testlib.sh"
BIN=${RDSM_BIN:-$ROOT/rds-migrate}
CTL="$ROOT/tests/tools/liveapp_ctl.sh"
say() { printf '%s\n' "$*" >&2; }

say "live cutover bench: starting clusters"
pg_start src "shared_buffers = 256MB" "max_wal_size = 4GB" "wal_level = logical" || exit 1
pg_start dst "shared_buffers = 256MB" "max_wal_size = 4GB" || exit 1
pg_sql src postgres -c "ALTER ROLE app REPLICATION" >/dev/null
pg_sql dst postgres -c "CREATE ROLE live LOGIN SUPERUSER PASSWORD 'live-secret-pw'" >/dev/null
pg_sql dst postgres -c "CREATE DATABASE live OWNER live" >/dev/null
say "loading the sample at scale $SCALE"
pg_load_sample src live "$SCALE" || exit 1
pg_sql src live -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
APP="$T_TMP/app"
mkdir -p "$APP"
printf 'DATABASE_URL=%s\n' "$(pg_url src live)" >"$APP/.env"
/usr/bin/python3 "$ROOT/tests/tools/liveapp.py" --env "$APP/.env" --schema || exit 1
PORT=$(free_port)
SRC_URL=$(pg_url src live)
CFG=$(migrate_config bench "$(pg_url dst live live live-secret-pw)" "mode = live" "[cutover]" \
	"stop_command = sh $CTL stop $APP $PORT" "start_command = sh $CTL start $APP $PORT $RATE" \
	"health_url = http://127.0.0.1:$PORT/health" "health_timeout = 60" "verify = counts" \
	"[env]" "file = $APP/.env")
sh "$CTL" start "$APP" "$PORT" "$RATE"
T_CLEANUP="stop_app $T_CLEANUP"
stop_app() { sh "$CTL" stop "$APP" 0; }
sleep 2

say "copy and replicate while the application writes"
timeout 1800 "$BIN" -c "$CFG" --plain --yes source probe schema data replicate >"$T_TMP/copy.out" 2>&1 ||
	{ say "the live copy failed:"; tail -20 "$T_TMP/copy.out" >&2; exit 1; }
sleep 3 # replication flowing, the application writing
say "cutover"
timeout 600 "$BIN" -c "$CFG" --plain --yes cutover >"$T_TMP/cutover.out" 2>&1 ||
	{ say "the cutover failed:"; tail -20 "$T_TMP/cutover.out" >&2; exit 1; }
sleep 2
stop_app

# the gap the application saw: its last write on the source, its first on the target
GAP=$(awk -v src="127.0.0.1:$PORT_src/live" -v dst="127.0.0.1:$PORT_dst/live" '
	$(NF - 1) == src { last = $NF } $(NF - 1) == dst && !first { first = $NF }
	END { if (first && last) printf "%.2f", first - last; else print "?" }' "$APP/acks.log")
pg_sql dst live -c "SELECT id, v FROM live_items" >"$T_TMP/items"
pg_sql dst live -c "SELECT item_key, n FROM live_events" >"$T_TMP/events"
CHECKED=$(python3 "$ROOT/tests/tools/liveapp_check.py" "$APP/acks.log" "$T_TMP/items" "$T_TMP/events" | tail -n 1)

echo
echo "rds-migrate live cutover bench: sample application, scale $SCALE ($(pg_sql src live -c "SELECT pg_size_pretty(pg_database_size('live'))")), application writing about $RATE rows/s, $(nproc) cores, verify = counts"
printf '%-12s %8s\n' "phase" "seconds"
for ph in stop drain sequences verify env drop start health; do
	printf '%-12s %8s\n' "$ph" "$(sed -n "s/^\[cutover\] ok: $ph: done in \([0-9.]*\) s.*/\1/p" "$T_TMP/cutover.out")"
done
DOWN=$(sed -n 's/^\[cutover\] ok: downtime: writes stopped for \([0-9.]*\) s.*/\1/p' "$T_TMP/cutover.out")
APPSTART=$(awk '/^\[cutover\] ok: (start|health): done in/ { s += $(NF - 1) } END { printf "%.2f", s }' "$T_TMP/cutover.out")
printf '%-12s %8s\n' "downtime" "$DOWN"
echo "the application's own gap (last write acknowledged by the source to first by the target): $GAP s"
awk -v d="$DOWN" -v a="$APPSTART" 'BEGIN {printf "writes stopped minus the application'"'"'s start (start + health, %.2f s): %.2f s (target <= 3 s): %s\n", a, d - a, d - a <= 3 ? "met" : "NOT met"}'
# the replicate step's lines: "[replicate] catching up: lag 1.2 MiB, 0.8 s; N rows applied; …"
LAG=$(grep '^\[replicate\] .*: lag ' "$T_TMP/copy.out" | awk '
	function bytes(t,  w) { split(t, w, " "); return w[1] * (w[2] == "KiB" ? 1024 : w[2] == "MiB" ? 1048576 : w[2] == "GiB" ? 1073741824 : 1) }
	{ s = $0; sub(/.*: lag /, "", s); split(s, a, ", "); b = bytes(a[1]); n++
	  if (n == 1) first = s; if (b >= maxb) { maxb = b; worst = s } }
	END { if (n) printf "%d lag reports; the first: %s; the largest: %s", n, first, worst }')
echo "replication lag after the copy (the changes made during it): ${LAG:-the replicate step reported none}"
echo "acknowledged writes on the target: $CHECKED"

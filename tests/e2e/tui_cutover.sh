#!/bin/sh
# Live mode's cutover in the wizard: the Run screen takes the whole live run
# (copy, replicate, cutover) while tests/tools/liveapp.py writes, asks before
# the switch in a dialog, and ends with the application on the target.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

CTL="$ROOT/tests/tools/liveapp_ctl.sh"
/usr/bin/python3 -c 'import sqlalchemy, psycopg2, dotenv' 2>/dev/null ||
	{ not_ok "the test application's stack is installed" "sh scripts/deps.sh install test"; exit 0; }
pg_start src "wal_level = logical" || { not_ok "source cluster starts"; exit 0; }
pg_start dst || { not_ok "target cluster starts"; exit 0; }
pg_load_sample src sample 1 || { not_ok "sample data loads"; exit 0; }
pg_sql src postgres -c "ALTER ROLE app REPLICATION" >/dev/null
pg_sql dst postgres -c "ALTER ROLE app SUPERUSER" >/dev/null # PostgreSQL 15: subscriptions
pg_sql dst postgres -c "CREATE DATABASE app OWNER app" >/dev/null

W="$T_TMP/work"
APP="$W/app"
mkdir -p "$APP"
printf 'DATABASE_URL=%s\n' "$(pg_url src sample)" >"$APP/.env"
/usr/bin/python3 "$ROOT/tests/tools/liveapp.py" --env "$APP/.env" --schema || { not_ok "liveapp's tables"; exit 0; }
PORT=$(free_port)
cat >"$W/config.ini" <<INI
[source]
url = $(pg_url src sample)

[target]
url = $(pg_url dst app)
sslmode = disable

[migrate]
mode = live

[cutover]
stop_command = sh $CTL stop $APP $PORT
start_command = sh $CTL start $APP $PORT
health_url = http://127.0.0.1:$PORT/health
health_timeout = 30

[env]
file = $APP/.env
INI
chmod 600 "$W/config.ini"
sh "$CTL" start "$APP" "$PORT"
T_CLEANUP="stop_app $T_CLEANUP"
stop_app() { sh "$CTL" stop "$APP" 0; }

tui_start "$W" -c config.ini || { not_ok "wizard starts"; sed 's/^/#   | /' "$SCREEN"; exit 0; }
keys Down Space Down Space
expect_screen "cutover: instance and network left out" "[ ] 3. network"
expect_screen "cutover: the cutover is chosen" "[x] 8. cutover"
for i in 1 2 3 4 5 6 7 8 9 10; do keys Enter; done
expect_screen "cutover: the Run screen opens" "11/11  Run"
keys Enter
expect_screen "cutover: the switch is asked in a dialog" "Switch the application to the target now?" 120
expect_screen "cutover: the dialog offers yes and no" "y yes    n no"
keys y
expect_screen "cutover: the run finishes" "Done: every step succeeded." 120
expect_screen "cutover: the Run screen shows the write downtime" "writes stopped for"
capture
if grep -q "✓cutover" "$SCREEN"; then ok "cutover: status bar: cutover ok"; else
	not_ok "cutover: status bar: cutover ok"; sed 's/^/#   | /' "$SCREEN"; fi
expect_match "cutover: the .env points at the target" "127.0.0.1:$PORT_dst/app" "$APP/.env"
keys q
expect_clean_exit "cutover: quit after the run" 0
i=0
until [ "$(grep -c "127.0.0.1:$PORT_dst/app " "$APP/acks.log")" -gt 0 ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "cutover: the application writes to the target" grep -q "127.0.0.1:$PORT_dst/app " "$APP/acks.log"
expect_eq "cutover: no subscription is left" 0 \
	"$(pg_sql dst app -c "SELECT count(*) FROM pg_subscription WHERE subname LIKE 'rds\_migrate\_%'")"

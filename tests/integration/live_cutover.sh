#!/bin/sh
# Live mode's cutover with a running application (tests/tools/liveapp.py:
# SQLAlchemy + psycopg2 + python-dotenv, as its users' services are), on two
# real PostgreSQL servers: the source (wal_level = logical) and the target,
# whose user is a superuser (vanilla PostgreSQL 15 lets only a superuser create
# a subscription; RDS lets its master user). The application writes the whole
# time; liveapp_check.py then holds the target to every write it saw
# acknowledged: there, exactly once.
#   - a full live run while the application writes: switched, healthy, the
#     application writing to the target with fresh ids, nothing of ours left;
#   - SIGKILL in each phase of the cutover (RDSM_CUTOVER_HOLD holds the step in
#     a phase once it is recorded; the test waits for its "holding" line and
#     kills it), then the same command again ends clean; SIGHUP before the
#     switch gives the application back to the source, replication flowing;
#   - a health check that answers 500 rolls back to the source, counting the
#     writes the target took; so does an application that does not start;
#     SIGKILL during the rollback, and the same command finishes it;
#   - no stop_command: the source is made read-only, and the step says so.
. "$(dirname "$0")/../lib/testlib.sh"

APPPY=/usr/bin/python3
CTL="$ROOT/tests/tools/liveapp_ctl.sh"
CHECK="$ROOT/tests/tools/liveapp_check.py"
if ! $APPPY -c 'import sqlalchemy, psycopg2, dotenv' 2>/dev/null; then
	not_ok "the test application's stack is installed" \
		"python3-sqlalchemy, python3-psycopg2, python3-dotenv: sh scripts/deps.sh install test"
	exit 0
fi

pg_start src "wal_level = logical" "max_replication_slots = 20" "max_wal_senders = 20" || exit 1
pg_start dst "max_logical_replication_workers = 20" "max_worker_processes = 40" || exit 1
pg_sql src postgres -c "ALTER ROLE app REPLICATION"
pg_sql dst postgres -c "CREATE ROLE live LOGIN SUPERUSER PASSWORD 'live-secret-pw'"
APPS=""
T_CLEANUP="stop_apps $T_CLEANUP"
stop_apps() { for a in $APPS; do sh "$CTL" stop "$a" 0; done; }

# setup NAME [RATE]: a source database NAME (the sample application at scale
# 1 and liveapp's tables), an empty target database NAME, the application
# running against the source from $T_TMP/NAME/app (its .env, log, port in
# $APP_PORT), and the config $CFG for a live run into the target.
setup() {
	name=$1
	pg_load_sample src "$name" 1 || return 1
	pg_sql dst postgres -c "CREATE DATABASE $name OWNER live"
	APP="$T_TMP/$name/app"
	mkdir -p "$APP"
	SRC_URL=$(pg_url src "$name")
	printf 'APP_NAME=liveapp\nDATABASE_URL=%s\n' "$SRC_URL" >"$APP/.env"
	cp "$APP/.env" "$APP/env.orig"
	$APPPY "$ROOT/tests/tools/liveapp.py" --env "$APP/.env" --schema || return 1
	APP_PORT=$(free_port)
	CFG=$(migrate_config "$name" "$(pg_url dst "$name" live live-secret-pw)" "mode = live" \
		"[cutover]" \
		"stop_command = sh $CTL stop $APP $APP_PORT" \
		"start_command = sh $CTL start $APP $APP_PORT ${2:-100}" \
		"health_url = http://127.0.0.1:$APP_PORT/health" \
		"health_timeout = 30" \
		"[env]" "file = $APP/.env")
	sh "$CTL" start "$APP" "$APP_PORT" "${2:-100}"
	APPS="$APPS $APP"
	wait_acks "$APP" 20
}

# wait_acks DIR N: until the application in DIR has N acknowledged writes more.
wait_acks() {
	touch "$1/acks.log"
	want=$(($(wc -l <"$1/acks.log") + $2))
	i=0
	while [ "$(wc -l <"$1/acks.log")" -lt "$want" ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# exactly_once WHAT NAME: the target database NAME holds every write the
# application in $T_TMP/NAME/app saw acknowledged, once, and nothing else.
exactly_once() {
	pg_sql dst "$2" -c "SELECT id, v FROM live_items" >"$T_TMP/$2/items"
	pg_sql dst "$2" -c "SELECT item_key, n FROM live_events" >"$T_TMP/$2/events"
	if python3 "$CHECK" "$T_TMP/$2/app/acks.log" "$T_TMP/$2/items" "$T_TMP/$2/events" \
		>"$T_TMP/$2/check.out"; then
		ok "$1: $(tail -n 1 "$T_TMP/$2/check.out")"
	else
		not_ok "$1" "$(head -n 20 "$T_TMP/$2/check.out")"
	fi
}

# nothing_left WHAT: no slot, publication or subscription of ours anywhere.
nothing_left() {
	n=$(pg_sql src postgres -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'rds_migrate%'")
	p=0
	for db in $(pg_sql src postgres -c "SELECT datname FROM pg_database WHERE datname NOT LIKE 'template%'"); do
		p=$((p + $(pg_sql src "$db" -c "SELECT count(*) FROM pg_publication WHERE pubname LIKE 'rds_migrate%'")))
	done
	s=$(pg_sql dst postgres -c "SELECT count(*) FROM pg_subscription WHERE subname LIKE 'rds_migrate%'")
	expect_eq "$1: no slot, publication or subscription of ours is left" "0 0 0" "$n $p $s"
}

# on_target WHAT NAME: the application now writes to the target: its .env
# names the target, and new acknowledged writes come from there.
on_target() {
	expect_match "$1: the .env points at the target" "127.0.0.1:$PORT_dst/$2" "$T_TMP/$2/app/.env"
	wait_acks "$T_TMP/$2/app" 30
	expect_match "$1: the application writes to the target" "127.0.0.1:$PORT_dst/$2 [0-9.]+\$" "$T_TMP/$2/app/acks.log"
}

# --- a full live run while the application writes --------------------------
setup fullrun || exit 1
rdsm_live() { # out steps…: like rdsm, with room for a whole live run
	out=$1; shift
	timeout 300 "$RDSM_BIN" -c "$CFG" --plain --yes "$@" >"$out" 2>&1
	RC=$?
}
rdsm_live "$T_TMP/full.out" source probe schema data replicate cutover
expect_eq "full live run: exit 0" 0 "$RC"
[ "$RC" = 0 ] || sed 's/^/#   | /' "$T_TMP/full.out" | tail -40
for ph in stop drain sequences verify env drop start health; do
	expect_match "full live run: phase $ph shown with its time" "^\[cutover\] ok: $ph: done in [0-9.]+ s" "$T_TMP/full.out"
done
expect_match "full live run: the write downtime is printed" "^\[cutover\] ok: downtime: writes stopped for [0-9.]+ s" "$T_TMP/full.out"
expect_match "full live run: the target is analyzed after the switch" \
	"^\[cutover\] ok: statistics: [0-9]+ tables analyzed after the switch" "$T_TMP/full.out"
expect_match "full live run: no restore point with [target] url (no RDS instance), said" \
	"^\[cutover\] .*restore point" "$T_TMP/full.out"
expect_match "full live run: counts compared" "ok: verify: .*tables and .*sequences match" "$T_TMP/full.out"
on_target "full live run" fullrun
sh "$CTL" stop "$T_TMP/fullrun/app" 0
exactly_once "full live run: every acknowledged write is on the target once" fullrun
expect_no_match "full live run: no insert collided with a copied id" "duplicate key" "$T_TMP/fullrun/app/app.out"
n_after=$(grep -c "^I items .*127.0.0.1:$PORT_dst/fullrun [0-9.]*\$" "$T_TMP/fullrun/app/acks.log")
check "full live run: inserts after the switch took fresh ids ($n_after)" test "$n_after" -gt 0
nothing_left "full live run"
expect_no_string "full live run: no password in the output" "app-secret-pw" "$T_TMP/full.out"
expect_no_string "full live run: no target password in the output" "live-secret-pw" "$T_TMP/full.out"
test -e "$T_TMP/fullrun/app/.env.before-cutover" && not_ok "full live run: the copy of the old .env is removed" ||
	ok "full live run: the copy of the old .env is removed"
rdsm_live "$T_TMP/full-again.out" cutover
expect_eq "cutover again after a switch: exit 0" 0 "$RC"
expect_match "cutover again says it switched earlier" "switched earlier" "$T_TMP/full-again.out"

# signal_in PHASE SIGNAL OUT: a cutover held in PHASE (RDSM_CUTOVER_HOLD, once
# the phase is recorded) gets SIGNAL; its output in OUT, its exit status in RC.
# No timeout wrapper: the signal must reach rds-migrate itself (the hold ends
# by itself after ten minutes).
signal_in() {
	: >"$3"
	RDSM_CUTOVER_HOLD=$1 "$RDSM_BIN" -c "$CFG" --plain --yes cutover >"$3" 2>&1 &
	pid=$!
	i=0
	until grep -q "holding in phase $1" "$3" || [ $i -gt 600 ]; do sleep 0.1; i=$((i + 1)); done
	kill "-$2" "$pid"
	wait_exit "$pid" 60
}

# --- SIGKILL in each phase, then the same command ----------------------------
for ph in stop drain sequences verify env drop start health; do
	setup "k_$ph" || { not_ok "kill in $ph: setup"; continue; }
	# verify = full once: checksums of every row while writes are stopped
	[ "$ph" = verify ] && sed -i 's/^health_timeout = 30$/health_timeout = 30\nverify = full/' "$CFG"
	rdsm_live "$T_TMP/k_$ph.prep" source probe schema data replicate
	[ "$RC" = 0 ] || { not_ok "kill in $ph: replicate" "$(tail -n 5 "$T_TMP/k_$ph.prep")"; continue; }
	signal_in "$ph" KILL "$T_TMP/k_$ph.1"
	expect_match "kill in $ph: the cutover was held there" "holding in phase $ph" "$T_TMP/k_$ph.1"
	rdsm_live "$T_TMP/k_$ph.2" cutover
	expect_eq "kill in $ph: cutover again: exit 0" 0 "$RC"
	[ "$RC" = 0 ] || sed 's/^/#   | /' "$T_TMP/k_$ph.2" | tail -20
	expect_match "kill in $ph: it goes on from where it stopped" "an interrupted cutover stopped in phase $ph" "$T_TMP/k_$ph.2"
	on_target "kill in $ph" "k_$ph"
	sh "$CTL" stop "$T_TMP/k_$ph/app" 0
	exactly_once "kill in $ph: nothing lost" "k_$ph"
	[ "$ph" = verify ] && expect_match "verify = full: every row's checksum compared" \
		"ok: public.live_items: [0-9]+ rows, checksum matches" "$T_TMP/k_$ph.2"
	nothing_left "kill in $ph"
done

# --- SIGHUP (an SSH session lost) before the switch: the application back ----
setup hup || exit 1
# sequences the copy carried, then moved on the source: one no column owns
# (with is_called), one set back to a value not yet handed out (is_called
# false); logical replication carries neither, the cutover must
pg_sql src hup -c "CREATE SEQUENCE free_seq" -c "CREATE SEQUENCE fresh_seq" -c "ALTER SEQUENCE free_seq OWNER TO app" -c "ALTER SEQUENCE fresh_seq OWNER TO app"
rdsm_live "$T_TMP/hup.prep" source probe schema data replicate
pg_sql src hup -c "SELECT nextval('free_seq') FROM generate_series(1, 7)" -c "SELECT setval('fresh_seq', 42, false)" >/dev/null
# --plain without --yes asks first; with no terminal to answer, nothing happens
timeout 60 "$RDSM_BIN" -c "$CFG" --plain cutover >"$T_TMP/hup.ask" 2>&1 </dev/null
expect_eq "without --yes: the cutover is not made" 1 "$?"
expect_match "without --yes: it asks first" "question: Switch the application to the target now\?" "$T_TMP/hup.ask"
expect_match "without --yes: and says nothing was switched" "not switched: the cutover was not confirmed" "$T_TMP/hup.ask"
check "without --yes: the .env is untouched" cmp -s "$T_TMP/hup/app/.env" "$T_TMP/hup/app/env.orig"
signal_in drain HUP "$T_TMP/hup.1"
expect_eq "SIGHUP before the switch: exit 130" 130 "$RC"
expect_match "SIGHUP before the switch: nothing was switched, the application is back" \
	"FAILED: .*Nothing was switched: the application was started again against the source, replication keeps flowing" "$T_TMP/hup.1"
check "SIGHUP before the switch: the .env is untouched" cmp -s "$T_TMP/hup/app/.env" "$T_TMP/hup/app/env.orig"
wait_acks "$T_TMP/hup/app" 20
check "SIGHUP before the switch: the application writes to the source again" \
	sh -c "tail -n 1 '$T_TMP/hup/app/acks.log' | grep -q '127.0.0.1:$PORT_src/hup [0-9.]*\$'"
rdsm_live "$T_TMP/hup.2" cutover
expect_eq "SIGHUP before the switch: cutover again switches" 0 "$RC"
on_target "SIGHUP before the switch" hup
sh "$CTL" stop "$T_TMP/hup/app" 0
exactly_once "SIGHUP before the switch: nothing lost" hup
for q in free_seq fresh_seq; do
	expect_eq "the cutover set $q as the source has it" \
		"$(pg_sql src hup -c "SELECT last_value || '/' || is_called FROM $q")" \
		"$(pg_sql dst hup -c "SELECT last_value || '/' || is_called FROM $q")"
done
nothing_left "SIGHUP before the switch"

# --- SIGHUP after the switch: the cutover goes on to its end ------------------
setup hup2 || exit 1
rdsm_live "$T_TMP/hup2.prep" source probe schema data replicate
signal_in start HUP "$T_TMP/hup2.1"
expect_eq "SIGHUP after the switch: the run ends as interrupted (130)" 130 "$RC"
expect_match "SIGHUP after the switch: but switched and healthy first" \
	"^\[cutover\] ok: downtime: writes stopped for" "$T_TMP/hup2.1"
on_target "SIGHUP after the switch" hup2
sh "$CTL" stop "$T_TMP/hup2/app" 0
exactly_once "SIGHUP after the switch: nothing lost" hup2
nothing_left "SIGHUP after the switch"

# --- a failing health check rolls back ---------------------------------------
setup sick || exit 1
sed -i "s|^health_url = .*|health_url = http://127.0.0.1:$APP_PORT/broken|; s|^health_timeout = .*|health_timeout = 3|" "$CFG"
rdsm_live "$T_TMP/sick.out" source probe schema data replicate cutover
expect_eq "unhealthy: exit 1" 1 "$RC"
expect_match "unhealthy: the health check's answer is named" "HTTP 500" "$T_TMP/sick.out"
expect_match "unhealthy: rolled back" "FAILED: .*rolled back" "$T_TMP/sick.out"
check "unhealthy: the old .env is back" cmp -s "$T_TMP/sick/app/.env" "$T_TMP/sick/app/env.orig"
expect_match "unhealthy: the writes the target took are counted and named" \
	"warning: target writes: [0-9]+ row writes? .* in .*live_" "$T_TMP/sick.out"
wait_acks "$T_TMP/sick/app" 30
check "unhealthy: the application writes to the source again" \
	sh -c "tail -n 1 '$T_TMP/sick/app/acks.log' | grep -q '127.0.0.1:$PORT_src/sick [0-9.]*\$'"
nothing_left "unhealthy"
rdsm_live "$T_TMP/sick-again.out" cutover
expect_eq "unhealthy: cutover again refuses without replication" 1 "$RC"
expect_match "unhealthy: and says what to run" "rolled back and replication is not running" "$T_TMP/sick-again.out"
sh "$CTL" stop "$T_TMP/sick/app" 0

# --- an application that does not start against the target rolls back too ---
# (its start_command fails while the .env names the target: nothing is started)
setup nostart || exit 1
sed -i "s|^start_command = |start_command = grep -q ':$PORT_src/' $T_TMP/nostart/app/.env \&\& |" "$CFG"
rdsm_live "$T_TMP/nostart.out" source probe schema data replicate cutover
expect_eq "no start: exit 1" 1 "$RC"
expect_match "no start: the failing start_command is named" "FAILED: start: cutover.start_command failed: exit status 1" "$T_TMP/nostart.out"
expect_match "no start: rolled back" "FAILED: .*rolled back" "$T_TMP/nostart.out"
expect_match "no start: no write reached the target" "ok: target writes: no write reached the target" "$T_TMP/nostart.out"
check "no start: the old .env is back" cmp -s "$T_TMP/nostart/app/.env" "$T_TMP/nostart/app/env.orig"
wait_acks "$T_TMP/nostart/app" 30
check "no start: the application writes to the source again" \
	sh -c "tail -n 1 '$T_TMP/nostart/app/acks.log' | grep -q '127.0.0.1:$PORT_src/nostart [0-9.]*\$'"
nothing_left "no start"
sh "$CTL" stop "$T_TMP/nostart/app" 0

# --- SIGKILL during a rollback: the same command finishes it ------------------
setup sick2 || exit 1
sed -i "s|^health_url = .*|health_url = http://127.0.0.1:$APP_PORT/broken|; s|^health_timeout = .*|health_timeout = 2|" "$CFG"
rdsm_live "$T_TMP/sick2.prep" source probe schema data replicate
signal_in rollback KILL "$T_TMP/sick2.1"
expect_match "kill in rollback: the cutover was held there" "holding in phase rollback" "$T_TMP/sick2.1"
rdsm_live "$T_TMP/sick2.2" cutover
expect_eq "kill in rollback: cutover again: exit 1 (rolled back)" 1 "$RC"
expect_match "kill in rollback: it finishes the rollback" "stopped in phase rollback: finishing its rollback" "$T_TMP/sick2.2"
expect_match "kill in rollback: rolled back" "FAILED: .*rolled back" "$T_TMP/sick2.2"
check "kill in rollback: the old .env is back" cmp -s "$T_TMP/sick2/app/.env" "$T_TMP/sick2/app/env.orig"
wait_acks "$T_TMP/sick2/app" 30
check "kill in rollback: the application writes to the source again" \
	sh -c "tail -n 1 '$T_TMP/sick2/app/acks.log' | grep -q '127.0.0.1:$PORT_src/sick2 [0-9.]*\$'"
nothing_left "kill in rollback"
sh "$CTL" stop "$T_TMP/sick2/app" 0

# --- without stop_command: the source made read-only ---------------------------
setup ro || exit 1
sed -i "s|^stop_command = .*|stop_command =|; s|^start_command = sh $CTL start|start_command = sh $CTL restart|" "$CFG"
rdsm_live "$T_TMP/ro.out" source probe schema data replicate cutover
expect_eq "no stop_command: exit 0" 0 "$RC"
[ "$RC" = 0 ] || sed 's/^/#   | /' "$T_TMP/ro.out" | tail -20
expect_match "no stop_command: the read-only fallback is said" \
	"warning: read-only: \[cutover\] stop_command is empty: the source database is read-only" "$T_TMP/ro.out"
expect_eq "no stop_command: new sessions on the source are read-only" on \
	"$(app_sql src ro -c 'SHOW default_transaction_read_only')"
on_target "no stop_command" ro
sh "$CTL" stop "$T_TMP/ro/app" 0
exactly_once "no stop_command: every acknowledged write is on the target once" ro
nothing_left "no stop_command"

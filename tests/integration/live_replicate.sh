#!/bin/sh
# live_replicate.sh — live mode's replication half against real PostgreSQL 15
# clusters while an application writes: the preflight refusals (wal_level,
# replica identity, the target's privilege) before anything is created; the
# copy from the slot's snapshot plus the changes, identical to the source;
# SIGKILL and SIGHUP during data and during replicate, the same command ending
# correct; a leftover slot shown with the WAL it holds; a target that cannot
# reach the source; cleanup leaving nothing of ours anywhere.
. "$(dirname "$0")/../lib/testlib.sh"

SCALE=${LIVE_SCALE:-10}
RATE=${LIVE_RATE:-1500000} # bytes/s per source connection through the proxy (the killed runs)

pg_start src "wal_level = logical" || exit 1
pg_start dst || exit 1
pg_start norep || exit 1 # wal_level = replica, the default
pg_sql norep postgres -c "ALTER ROLE app SUPERUSER" >/dev/null # Railway's user is one
pg_load_sample src sample "$SCALE" || { echo "cannot load the sample"; exit 1; }
# a table without a primary key: the application's audit log
app_sql src sample -c "CREATE TABLE audit_log (at timestamptz NOT NULL DEFAULT now(), what text)" \
	-c "INSERT INTO audit_log (what) SELECT 'seed ' || g FROM generate_series(1, 500) g" || exit 1
# and a scratch table it keeps unlogged: logical replication cannot carry it
app_sql src sample -c "CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY)" || exit 1
# the source's user: not a superuser, REPLICATION and the owner of its tables
pg_sql src postgres -c "ALTER ROLE app REPLICATION" >/dev/null
pg_sql src sample -c "VACUUM ANALYZE" >/dev/null
throttle_start src "$RATE" || exit 1
fast
SRC_URL="postgresql://app:app-secret-pw@127.0.0.1:$PROXY_PORT/sample?sslmode=disable"

# ours CLUSTER DB: how many slots, publications and subscriptions of ours CLUSTER holds.
ours() {
	pg_sql "$1" "$2" -c "SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'rds\_migrate\_%')
		+ (SELECT count(*) FROM pg_publication WHERE pubname LIKE 'rds\_migrate\_%')
		+ (SELECT count(*) FROM pg_subscription WHERE subname LIKE 'rds\_migrate\_%')"
}
# tables CLUSTER DB: how many tables DB holds.
tables() { pg_sql "$1" "$2" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"; }
# rdsm_bg CONFIG OUT ARGS…: the plain front end in the background; sets BG.
rdsm_bg() {
	cfg=$1 out=$2; shift 2
	"$RDSM_BIN" -c "$cfg" --plain "$@" >"$out" 2>&1 &
	BG=$!
}
# wait_for FILE REGEX SECONDS: until FILE holds a line matching REGEX.
wait_for() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
# writer: the application, inserting, updating and deleting rows in a table
# with a primary key (users) and one without (audit_log) until $T_TMP/stop.
writer_start() {
	rm -f "$T_TMP/stop"
	(
		i=0
		while [ ! -f "$T_TMP/stop" ]; do
			i=$((i + 1))
			cat <<-SQL
				INSERT INTO audit_log (what) VALUES ('w$i');
				UPDATE audit_log SET what = what || '+' WHERE what = 'w$((i - 3))';
				DELETE FROM audit_log WHERE what = 'w$((i - 7))+';
				INSERT INTO users (email, display_name) VALUES ('w$i@example.com', 'writer $i');
				UPDATE users SET display_name = 'renamed $i' WHERE email = 'w$((i - 2))@example.com';
				DELETE FROM users WHERE email = 'w$((i - 5))@example.com';
				SELECT pg_sleep(0.02);
			SQL
		done
	) | app_sql src sample >/dev/null 2>"$T_TMP/writer.err" &
	WRITER=$!
	T_CLEANUP="$T_CLEANUP writer_stop"
}
writer_stop() { touch "$T_TMP/stop"; wait "$WRITER" 2>/dev/null; }
# compare LABEL DB: after a drain, source and target hold the same rows.
compare() {
	rowsums src sample >"$T_TMP/sums.src"
	rowsums dst "$2" >"$T_TMP/sums.dst"
	same "$1" "$T_TMP/sums.src" "$T_TMP/sums.dst"
}

# --- wal_level = replica: refused with Railway's instructions -----------------
pg_load_sample norep sample 1 || exit 1
new_target norep
CFG=$(SRC_URL=$(pg_url norep sample) migrate_config norep "$(pg_url dst norep)" "mode = live")
rdsm "$CFG" "$T_TMP/norep.out" source probe schema data replicate
expect_eq "wal_level = replica: live mode is refused" 1 "$RC"
expect_match "wal_level = replica: the source step says so" \
	'\[source\] error: wal_level: is replica: logical replication needs logical' "$T_TMP/norep.out"
expect_match "wal_level = replica: Railway's instructions (ALTER SYSTEM, then redeploy)" \
	'On Railway: run ALTER SYSTEM SET wal_level = logical.*redeploy the Postgres service' "$T_TMP/norep.out"
expect_match "wal_level = replica: other hosts' instructions (the config line and a restart)" \
	'Other hosts: set wal_level = logical in postgresql.conf.*restart' "$T_TMP/norep.out"
expect_match "wal_level = replica: the ALTER SYSTEM is offered, not run without an answer" \
	'question: Run ALTER SYSTEM SET wal_level = logical on the source now.*answered no' "$T_TMP/norep.out"
expect_eq "wal_level = replica: nothing of ours was created on the source" 0 "$(ours norep sample)"
expect_eq "wal_level = replica: nothing was created on the target" 0 "$(tables dst norep)"
rdsm "$CFG" "$T_TMP/norep.yes.out" --yes source
expect_match "wal_level = replica: with --yes the ALTER SYSTEM runs and a restart is asked for" \
	'ALTER SYSTEM SET wal_level = logical done: now redeploy the service' "$T_TMP/norep.yes.out"
expect_eq "wal_level = replica: the source's pending setting is logical" logical \
	"$(pg_sql norep postgres -c "SELECT setting FROM pg_file_settings WHERE name = 'wal_level' ORDER BY seqno DESC LIMIT 1")"
expect_eq "wal_level = replica: still refused until the restart" 1 "$RC"

# --- an unlogged table: named, refused unless left out --------------------------
CFG=$(migrate_config unlogged "$(pg_url dst norep)" "mode = live")
rdsm "$CFG" "$T_TMP/unlogged.out" source
expect_eq "an unlogged table: live mode is refused" 1 "$RC"
expect_match "an unlogged table: named, with the ways out" \
	'error: public\.scratch: unlogged: logical replication does not carry it.*SET LOGGED.*exclude_tables' "$T_TMP/unlogged.out"

# --- a table without a replica identity: reported before anything is created ---
new_target live
CFG=$(migrate_config live "$(pg_url dst live)" "mode = live" "exclude_tables = public.scratch")
ST="$T_TMP/live/.rds-migrate.state"
rdsm "$CFG" "$T_TMP/noident.out" source probe schema data replicate
expect_eq "no replica identity: live mode is refused" 1 "$RC"
expect_match "no replica identity: the table is named with what it means" \
	'public\.audit_log: no primary key or replica identity: its UPDATEs and DELETEs cannot replicate' "$T_TMP/noident.out"
expect_match "no replica identity: REPLICA IDENTITY FULL is offered with its cost" \
	'question: public\.audit_log has no primary key.*REPLICA IDENTITY FULL.*whole old row' "$T_TMP/noident.out"
expect_match "no replica identity: refused before anything is created" \
	'\[source\] FAILED: live mode cannot start: tables without a replica identity.*nothing was created' "$T_TMP/noident.out"
expect_eq "no replica identity: nothing of ours on the source" 0 "$(ours src sample)"
expect_eq "no replica identity: nothing created on the target" 0 "$(tables dst live)"

# --- a target user that may not subscribe: the probe names the privilege -------
rdsm "$CFG" "$T_TMP/nosuper.out" probe
expect_eq "non-superuser target: the probe fails in live mode" 1 "$RC"
expect_match "non-superuser target: told which privilege is missing" \
	'app cannot create a subscription \(live mode\): PostgreSQL 15 lets only a superuser do it \(on RDS: the master user, a member of rds_superuser\)' \
	"$T_TMP/nosuper.out"
pg_sql dst postgres -c "ALTER ROLE app SUPERUSER" >/dev/null

# --- large objects: logical replication does not carry them; left out only by choice
newdb src lodb
app_sql src lodb -c "CREATE TABLE notes (id int PRIMARY KEY, body text)" \
	-c "INSERT INTO notes VALUES (1, 'one')" -c "SELECT lo_from_bytea(0, 'a large object')" >/dev/null
new_target lodb
LOCFG=$(SRC_URL=$(pg_url src lodb) migrate_config lodb "$(pg_url dst lodb)" "mode = live")
rdsm "$LOCFG" "$T_TMP/lo.out" source
expect_eq "large objects: live mode is refused without a choice" 1 "$RC"
expect_match "large objects: named, with why" \
	'warning: large objects: 1 large object: logical replication does not carry them' "$T_TMP/lo.out"
expect_match "large objects: what to do" \
	'error: large objects: live mode needs them left out: confirm it \(or --yes\), or use \[migrate\] mode = offline' "$T_TMP/lo.out"
rdsm "$LOCFG" "$T_TMP/lo.yes.out" --yes source probe schema data
expect_eq "large objects left out by choice: the run ends incomplete (exit 3)" 3 "$RC"
expect_match "large objects left out by choice: said so" \
	'large objects: left out by your choice: not copied' "$T_TMP/lo.yes.out"
expect_eq "large objects left out by choice: none on the target" 0 \
	"$(pg_sql dst lodb -c "SELECT count(*) FROM pg_largeobject_metadata")"
rdsm "$LOCFG" "$T_TMP/lo.cleanup.out" cleanup
expect_eq "large objects: cleanup leaves nothing of ours" 0 "$(ours src lodb)"

# --- the application writes from now on ---------------------------------------
writer_start

# --- SIGKILL during data: the slot is left, shown with its WAL; the re-run starts over
slow
rdsm_bg "$CFG" "$T_TMP/kill.out" --yes source probe schema data replicate
pid=$BG
if wait_for "$T_TMP/kill.out" 'slot: rds_migrate_.* created on the source' 30 && sleep 0.5 && copy_running live; then
	kill -9 "$pid"
	wait_exit "$pid" 10
	expect_eq "SIGKILL during data: killed" 137 "$RC"
	expect_match "SIGKILL during data: REPLICA IDENTITY FULL was set after --yes" \
		'public\.audit_log: REPLICA IDENTITY FULL set on the source' "$T_TMP/kill.out"
	expect_eq "SIGKILL during data: the slot's consistent point is in the state" 1 \
		"$(grep -c '^replica\.lsn=[0-9A-F]*/[0-9A-F]*$' "$ST")"
	rdsm "$CFG" "$T_TMP/leftover.out" source
	expect_match "a leftover slot is shown with the WAL it holds back" \
		'warning: rds_migrate_[0-9a-f]*: our slot holds [0-9.]+ [KMG]?i?B of WAL on the source: left by an interrupted copy' \
		"$T_TMP/leftover.out"
else
	not_ok "SIGKILL during data: the copy was caught running" "$(tail -3 "$T_TMP/kill.out")"
	wait_exit "$pid" 60
fi

# --- SIGHUP during data: the run stops and drops its slot -----------------------
rdsm_bg "$CFG" "$T_TMP/hup.out" --yes source probe schema data replicate
pid=$BG
if wait_for "$T_TMP/hup.out" 'slot: rds_migrate_.* created on the source' 30 && sleep 0.5 && copy_running live; then
	expect_match "after SIGKILL: the re-run says the earlier copy is dropped and done again" \
		'an earlier live copy was interrupted: its snapshot died with its connection' "$T_TMP/hup.out"
	kill -HUP "$pid"
	wait_exit "$pid" 30
	expect_eq "SIGHUP during data: exits 130" 130 "$RC"
	expect_eq "SIGHUP during data: no slot or publication of ours is left holding WAL" 0 "$(ours src sample)"
else
	not_ok "SIGHUP during data: the copy was caught running" "$(tail -3 "$T_TMP/hup.out")"
	wait_exit "$pid" 60
fi

# --- the same command ends correct ---------------------------------------------
fast
rdsm "$CFG" "$T_TMP/run.out" --yes source probe schema data replicate
expect_eq "live: source probe schema data replicate exits 0" 0 "$RC"
[ "$RC" = 0 ] || grep -E 'FAILED|error' "$T_TMP/run.out" | sed 's/^/#   | /' | head -5
expect_match "live: the copy reads the slot's snapshot" \
	'slot: rds_migrate_[0-9a-f]* created on the source at [0-9A-F]+/[0-9A-F]+: the copy reads its snapshot' "$T_TMP/run.out"
expect_match "live: every table is copied again (none taken from the killed runs)" \
	'\[data\] ok: 11 tables copied \(0 skipped\)' "$T_TMP/run.out"
expect_match "live: replicate subscribes without a copy of its own" \
	'subscription: rds_migrate_[0-9a-f]* created on the target, bound to the slot' "$T_TMP/run.out"
expect_match "live: replicate returns once caught up" '\[replicate\] ok: caught up at ' "$T_TMP/run.out"
expect_no_string "live: the source's password is not in the output" 'app-secret-pw' "$T_TMP/run.out"
expect_no_string "live: nor in the state file" 'app-secret-pw' "$ST"

# --- SIGKILL and SIGHUP during replicate: the subscription goes on, the re-run resumes
# a lock on the target holds the apply back, so replicate waits while the writer writes
pg_sql dst live -c "BEGIN" -c "LOCK TABLE users IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(120)" \
	>/dev/null 2>&1 &
LOCKER=$!
sleep 1
rdsm_bg "$CFG" "$T_TMP/rkill.out" replicate
pid=$BG
if wait_for "$T_TMP/rkill.out" '\[replicate\] catching up: lag ' 30; then
	ok "replicate: a --plain lag line every few seconds while catching up"
	expect_match "replicate: the lag line has bytes, seconds, rows applied and tables" \
		'\[replicate\] catching up: lag [0-9.]+ [KMG]?i?B, [0-9.]+ s; [0-9]+ rows applied; 11 tables streaming' "$T_TMP/rkill.out"
	kill -9 "$pid"
	wait_exit "$pid" 10
	expect_eq "SIGKILL during replicate: killed" 137 "$RC"
else
	not_ok "replicate: a --plain lag line while catching up" "$(tail -3 "$T_TMP/rkill.out")"
	wait_exit "$pid" 10
fi
expect_eq "SIGKILL during replicate: the subscription is still there" 1 \
	"$(pg_sql dst live -c "SELECT count(*) FROM pg_subscription WHERE subname LIKE 'rds\_migrate\_%'")"
rdsm_bg "$CFG" "$T_TMP/rhup.out" replicate
pid=$BG
if wait_for "$T_TMP/rhup.out" '\[replicate\] catching up' 30; then
	expect_match "after SIGKILL: replicate resumes the subscription" 'subscription: rds_migrate_[0-9a-f]* exists: resuming' "$T_TMP/rhup.out"
	kill -HUP "$pid"
	wait_exit "$pid" 10
	expect_eq "SIGHUP during replicate: exits 130" 130 "$RC"
else
	not_ok "SIGHUP during replicate: caught catching up" "$(tail -3 "$T_TMP/rhup.out")"
	wait_exit "$pid" 10
fi
pg_sql dst postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$LOCKER" 2>/dev/null
rdsm "$CFG" "$T_TMP/resume.out" replicate
expect_eq "after SIGHUP: replicate again exits 0" 0 "$RC"
expect_match "after SIGHUP: replicate catches up and says where" \
	'\[replicate\] ok: caught up at [0-9A-F]+/[0-9A-F]+: 11 tables streaming, [0-9]+ rows applied' "$T_TMP/resume.out"

# --- the writer stops: after the drain the target is the source ------------------
writer_stop
expect_eq "the writer ran without an error" "" "$(grep -v '^$' "$T_TMP/writer.err" | head -3)"
rdsm "$CFG" "$T_TMP/drain.out" replicate
expect_eq "drain: replicate exits 0" 0 "$RC"
compare "after the drain: every table identical on both (nothing lost or duplicated)" live
expect_eq "the writer's rows are there" "$(pg_sql src sample -c "SELECT count(*) FROM users WHERE email LIKE 'w%@example.com'")" \
	"$(pg_sql dst live -c "SELECT count(*) FROM users WHERE email LIKE 'w%@example.com'")"

# --- an apply that fails (a column added on the source only): its cause and a hint
app_sql src sample -c "ALTER TABLE audit_log ADD COLUMN extra integer" \
	-c "INSERT INTO audit_log (what, extra) VALUES ('after the DDL', 1)"
rdsm "$CFG" "$T_TMP/stall.out" replicate
expect_eq "a failing apply: replicate fails" 1 "$RC"
expect_match "a failing apply: the Run screen's line says STALLED" '\[replicate\] STALLED: lag ' "$T_TMP/stall.out"
expect_match "a failing apply: the cause, from comparing both sides" \
	'columns missing on the target: audit_log\.extra integer\. [0-9]+ apply errors? since the step started' "$T_TMP/stall.out"
expect_match "a failing apply: the hint" \
	'Hint: a table was changed on the source \(DDL is not replicated\): make the same change on the target' "$T_TMP/stall.out"
pg_sql dst live -c "ALTER TABLE audit_log ADD COLUMN extra integer"
rdsm "$CFG" "$T_TMP/unstall.out" replicate
expect_eq "the column added on the target: replicate goes on and exits 0" 0 "$RC"
expect_match "the table that moved is named with its state and rows" \
	'ok: (public\.)?audit_log: ready, [1-9][0-9]* rows? applied' "$T_TMP/unstall.out"
compare "the column added on the target: identical again" live

# --- a subscription that can no longer reach the source: said so, with the way through
silent_start 300
SUB=$(pg_sql dst live -c "SELECT subname FROM pg_subscription WHERE subname LIKE 'rds\_migrate\_%'")
pg_sql dst live -c "ALTER SUBSCRIPTION $SUB CONNECTION 'host=127.0.0.1 port=$SILENT_PORT dbname=sample user=app'"
app_sql src sample -c "INSERT INTO audit_log (what) VALUES ('while cut off')"
rdsm "$CFG" "$T_TMP/cutoff.out" replicate
expect_eq "cut off from the source: replicate fails" 1 "$RC"
expect_match "cut off from the source: diagnosed, with the way through this machine" \
	'FAILED: .*the subscription is not connected to the source.*Hint: the target cannot reach the source.*\[source\] relay' "$T_TMP/cutoff.out"
pg_sql dst live -c "ALTER SUBSCRIPTION $SUB CONNECTION 'host=127.0.0.1 port=$PORT_src dbname=sample user=app password=app-secret-pw'" \
	-c "SELECT pg_terminate_backend(pid) FROM pg_stat_subscription WHERE subname = '$SUB'" >/dev/null # it hangs connecting
rdsm "$CFG" "$T_TMP/reconnected.out" replicate
expect_eq "reconnected: replicate exits 0" 0 "$RC"
compare "reconnected: identical again" live

# --- after a switch (the phase the cutover step records), data and replicate keep off
echo "cutover.phase=done" >>"$ST"
rdsm "$CFG" "$T_TMP/switched.out" data replicate
expect_eq "after a cutover: data replicate exits 0" 0 "$RC"
expect_match "after a cutover: data copies nothing again" \
	'\[data\] skipped: the cutover switched the application to the target: nothing to copy' "$T_TMP/switched.out"
expect_match "after a cutover: replicate has nothing to do" \
	'\[replicate\] skipped: the cutover switched the application' "$T_TMP/switched.out"
compare "after a cutover: the target untouched" live
sed -i '/^cutover\.phase=/d' "$ST"

# --- cleanup: nothing of ours anywhere -----------------------------------------------
rdsm "$CFG" "$T_TMP/cleanup.out" cleanup
expect_eq "cleanup exits 0" 0 "$RC"
expect_match "cleanup says what it dropped" \
	'\[cleanup\] ok: dropped the subscription rds_migrate_[0-9a-f]* \(target\), the slot rds_migrate_[0-9a-f]* \(source\), the publication rds_migrate_[0-9a-f]* \(source\)' \
	"$T_TMP/cleanup.out"
expect_eq "cleanup: no slot or publication of ours on the source" 0 "$(ours src sample)"
expect_eq "cleanup: no subscription of ours on the target" 0 "$(ours dst live)"
rdsm "$CFG" "$T_TMP/cleanup2.out" cleanup
expect_match "cleanup again: nothing left, said so" 'nothing of ours was left on either server' "$T_TMP/cleanup2.out"

# --- a target that cannot reach the source: diagnosed, with the way through here ---
# the relay is a port that never answers (the one above): the target's connection times out
new_target relay
CFG=$(migrate_config relay "$(pg_url dst relay)" "mode = live" "exclude_tables = public.scratch" "[source]" "relay = 127.0.0.1:$SILENT_PORT")
rdsm "$CFG" "$T_TMP/relay.out" --yes source probe schema data replicate
expect_eq "unreachable source: replicate fails" 1 "$RC"
expect_match "unreachable source: diagnosed as the target not reaching the source, with the hint" \
	'\[replicate\] FAILED: target: cannot create the subscription: .*(timeout expired|timed out).*Hint: the target cannot reach the source.*forward a port here to the source.*\[source\] relay' \
	"$T_TMP/relay.out"
expect_no_string "unreachable source: the password is not shown" 'app-secret-pw' "$T_TMP/relay.out"
expect_no_string "unreachable source: nor written to the target's log with the failed statement" \
	'app-secret-pw' "$DIR_dst/server.log"
rdsm "$CFG" "$T_TMP/relay.cleanup.out" cleanup
expect_eq "unreachable source: cleanup leaves nothing of ours on the source" 0 "$(ours src sample)"
expect_eq "unreachable source: nor on the target" 0 "$(ours dst relay)"


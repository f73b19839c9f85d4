#!/bin/sh
# interrupt.sh — Ctrl-C is prompt everywhere, not only while rows stream
# (issue 10 item 4): a SIGINT while the target builds an index, or while
# verify waits for a checksum, ends the run with exit 130 long before the
# statement would have ended, and the statement is cancelled on the server.
# Two real PostgreSQL clusters; the long statements are real: an index over a
# function that sleeps on the target (a setting of the target's database
# makes it sleep, so the source loads at once), and a checksum waiting for a
# lock another session holds on the target.
. "$(dirname "$0")/../lib/testlib.sh"

pg_start src || exit 1
pg_start dst || exit 1

newdb src slow
app_sql src slow -c "
	CREATE FUNCTION slow(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS \$\$
	BEGIN
		PERFORM pg_sleep(coalesce(nullif(current_setting('rdsm_test.sleep', true), ''), '0')::float8);
		RETURN i;
	END \$\$;
	CREATE TABLE t (id int PRIMARY KEY, v int);
	INSERT INTO t SELECT g, g FROM generate_series(1, 120) g;
	CREATE INDEX t_slow ON t (slow(v));" >/dev/null || { not_ok "the source loads"; exit 1; }
SRC_URL=$(pg_url src slow)

# running DB PATTERN: how many statements of ours matching PATTERN (ILIKE)
# run on the target's DB now.
running() {
	pg_sql dst postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1'
		AND application_name LIKE 'rds-migrate%' AND state = 'active' AND query ILIKE '$2'"
}

# wait_running DB PATTERN: until such a statement runs (max 30 s). 0 when so.
wait_running() {
	i=0
	while [ $i -lt 300 ]; do
		[ "$(running "$1" "$2")" -gt 0 ] && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}

# wait_gone DB PATTERN: until no such statement runs (max 5 s). 0 when so.
wait_gone() {
	i=0
	while [ $i -lt 50 ]; do
		[ "$(running "$1" "$2")" -eq 0 ] && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}

# interrupt NAME PID DB PATTERN: SIGINT once a statement matching PATTERN
# runs; the run must end with 130 within 20 s (the statement takes 60) and the
# statement must be gone from the server.
interrupt() {
	if wait_running "$3" "$4"; then
		sleep 1
		kill -INT "$2"
		wait_exit "$2" 20
		echo "# $1: SIGINT to exit took ${TOOK}s (the statement takes 60 s)"
		expect_eq "$1: Ctrl-C ends the run with exit 130 before the statement would have" 130 "$RC"
		if wait_gone "$3" "$4"; then ok "$1: the statement is cancelled on the target"
		else not_ok "$1: the statement is cancelled on the target" "still running"; fi
	else
		not_ok "$1: the statement was caught running"
		kill -9 "$2" 2>/dev/null
	fi
}

# --- an index build (post-data, in the data step) ----------------------------
new_target slow
pg_sql dst postgres -c "ALTER DATABASE slow SET rdsm_test.sleep = '0.5'" >/dev/null
cfg=$(migrate_config slow "$(pg_url dst slow)")
"$RDSM_BIN" -c "$cfg" --plain schema data >"$T_TMP/index.out" 2>&1 &
interrupt "index build" $! slow "CREATE INDEX%"
expect_match "index build: the interrupted run says the state is saved" \
	'state is saved.*run the same command again' "$T_TMP/index.out"
pg_sql dst postgres -c "ALTER DATABASE slow RESET rdsm_test.sleep" >/dev/null
rdsm "$cfg" "$T_TMP/index2.out" schema data verify
expect_eq "index build: once the index is quick, the same command completes" 0 "$RC"

# --- a verify checksum ----------------------------------------------------------
# another session holds the target's table locked: verify's checksum waits
pg_sql dst slow -c "BEGIN" -c "LOCK TABLE t IN ACCESS EXCLUSIVE MODE" \
	-c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
locker=$!
T_CLEANUP="kill_locker $T_CLEANUP"
kill_locker() { kill "$locker"; }
# the lock must be held before verify starts (on a loaded machine the locker's
# psql can start after a quick verify is already done)
i=0
until [ "$(pg_sql dst slow -c "SELECT count(*) FROM pg_locks WHERE relation = 't'::regclass
	AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] || [ $i -ge 300 ]; do
	i=$((i + 1))
	sleep 0.1
done
"$RDSM_BIN" -c "$cfg" --plain verify >"$T_TMP/verify.out" 2>&1 &
interrupt "verify checksum" $! slow "SELECT count(*)%"
kill "$locker" 2>/dev/null
pg_sql dst postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE datname = 'slow' AND query LIKE '%pg_sleep(60)%'" >/dev/null
rdsm "$cfg" "$T_TMP/verify2.out" verify
expect_eq "verify checksum: once the lock is gone, verify passes" 0 "$RC"

#!/bin/sh
# after_move.sh — what follows the copy, against real PostgreSQL clusters with
# pg_stat_statements preloaded: the data step leaves every target table
# analyzed; the compare step shows the application's statements from both
# sides together, flags one made slower on the target (an index dropped
# there) with the missing index named — and, as the likely cause, a
# sequential scan where the source uses an index, or stale statistics —
# says how to enable the view where it is missing, and times lookups from
# here on both sides.
. "$(dirname "$0")/../lib/testlib.sh"

pg_start src "$PG_STAT_STATEMENTS" || exit 1
pg_start dst "$PG_STAT_STATEMENTS" "autovacuum = off" || exit 1
pg_start plain || exit 1
pg_load_sample src sample 1 || { echo "cannot load the sample"; exit 1; }
SRC_URL=$(pg_url src sample)

# --- statistics: ANALYZE of every table after the data ------------------------
new_target after
CFG=$(migrate_config after "$(pg_url dst after)")
rdsm "$CFG" "$T_TMP/data.out" schema data
expect_eq "schema and data exit 0" 0 "$RC"
expect_match "the data step says how many tables it analyzed" '\[data\] ok: 10 tables copied.*; 10 analyzed' "$T_TMP/data.out"
expect_eq "every target table has been analyzed (pg_stat_user_tables.analyze_count, autovacuum off)" "10 0" \
	"$(pg_sql dst after -F " " -c "SELECT count(*), count(*) FILTER (WHERE analyze_count = 0 OR last_analyze IS NULL) FROM pg_stat_user_tables")"
expect_eq "the planner knows the rows of words (pg_class.reltuples from ANALYZE)" \
	"$(pg_sql src sample -c "SELECT count(*) FROM words")" \
	"$(pg_sql dst after -c "SELECT reltuples::bigint FROM pg_class WHERE relname = 'words'")"

expect_match "the copy analyzes a table as soon as its rows and indexes are in" \
	'^\[data\] ANALYZE public\.words$' "$T_TMP/data.out"
expect_no_match "nothing left for the pass after the copy" "planner's statistics: ANALYZE of" "$T_TMP/data.out"

# partitions are analyzed through their parent, and a materialized view after
# its refresh: by the pass after the copy, which the copy's own leave out
pg_sql src postgres -c "CREATE DATABASE parts OWNER app" >/dev/null
PGPASSWORD=app-secret-pw psql -X -q -h 127.0.0.1 -p "$PORT_src" -U app -d parts -v ON_ERROR_STOP=1 \
	-c "CREATE TABLE m (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)" \
	-c "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2026-07-01')" \
	-c "CREATE TABLE m2 PARTITION OF m FOR VALUES FROM ('2026-07-01') TO ('2027-01-01')" \
	-c "INSERT INTO m SELECT g, date '2026-01-01' + g % 365 FROM generate_series(1, 5000) g" \
	-c "CREATE TABLE plain_t AS SELECT g AS id FROM generate_series(1, 300) g" \
	-c "CREATE MATERIALIZED VIEW mv AS SELECT at, count(*) FROM m GROUP BY at" >/dev/null
new_target parts
CFGM=$(migrate_config -s "$(pg_url src parts)" parts "$(pg_url dst parts)")
rdsm "$CFGM" "$T_TMP/parts.out" schema data
expect_eq "partitions and a materialized view: schema and data exit 0" 0 "$RC"
expect_match "the plain table is analyzed by the copy" '^\[data\] ANALYZE public\.plain_t$' "$T_TMP/parts.out"
expect_no_match "a partition is not analyzed on its own" '^\[data\] ANALYZE public\.m[12]$' "$T_TMP/parts.out"
expect_match "the parent and the materialized view after the copy" \
	"planner's statistics: ANALYZE of 2 tables" "$T_TMP/parts.out"
expect_match "the step counts both passes" '\[data\] ok: 3 tables copied.*; 3 analyzed' "$T_TMP/parts.out"
expect_eq "every partition, the parent and the view have statistics" "m m1 m2 mv" \
	"$(pg_sql dst parts -c "SELECT string_agg(DISTINCT tablename, ' ' ORDER BY tablename) FROM pg_stats WHERE tablename IN ('m', 'm1', 'm2', 'mv')")"

# --- compare: where the view is missing, how to enable it ----------------------
rdsm "$CFG" "$T_TMP/noext.out" compare
expect_eq "compare without the extension on either side still succeeds" 0 "$RC"
expect_match "the source without the extension: CREATE EXTENSION named" \
	'\[compare\] warning: source: pg_stat_statements is loaded but not created in this database: run CREATE EXTENSION pg_stat_statements' "$T_TMP/noext.out"
CFGP=$(migrate_config plain "$(pg_url plain postgres postgres x)")
pg_sql plain postgres -c "ALTER ROLE postgres PASSWORD 'x'"
pg_sql src sample -c "CREATE EXTENSION pg_stat_statements"
rdsm "$CFGP" "$T_TMP/notloaded.out" compare
expect_match "a target without the library: shared_preload_libraries, restart, CREATE EXTENSION" \
	'\[compare\] warning: target: pg_stat_statements is not loaded: add it to shared_preload_libraries \(postgresql.conf.*restart the server, then run CREATE EXTENSION' "$T_TMP/notloaded.out"

# --- compare: the application's statements on both sides ------------------------
pg_sql dst after -c "CREATE EXTENSION pg_stat_statements"
pg_sql dst after -c "DROP INDEX ix_words_script_id"
# app_run NAME DB: the application's two statements, 40 times each, as app
app_run() {
	for i in $(seq 1 40); do
		echo "SELECT * FROM words WHERE script_id = $i;"
		echo "SELECT * FROM users WHERE id = $i;"
	done | app_sql "$1" "$2" >/dev/null
}
pg_sql src sample -c "SELECT pg_stat_statements_reset()" >/dev/null
pg_sql dst after -c "SELECT pg_stat_statements_reset()" >/dev/null
app_run src sample
app_run dst after
rdsm "$CFG" "$T_TMP/compare.out" compare
expect_eq "compare exits 0" 0 "$RC"
expect_match "a statement run on both sides appears with both sides' calls, mean, total and rows" \
	'\[compare\] .*#[0-9]+: SELECT \* FROM users WHERE id = \$1 — source: 40 calls, mean [0-9.]+ ms, total [0-9.]+ ms, 40 rows; target: 40 calls, mean [0-9.]+ ms, total [0-9.]+ ms, 40 rows' "$T_TMP/compare.out"
expect_match "the statement slower on the target is flagged with the missing index named" \
	'\[compare\] warning: #[0-9]+: SELECT \* FROM words WHERE script_id = \$1 — source: 40 calls.*; target: 40 calls.*× slower on the target: missing index ix_words_script_id on words' "$T_TMP/compare.out"
expect_no_match "the unchanged statement is not flagged" 'warning: #[0-9]+: SELECT \* FROM users' "$T_TMP/compare.out"
expect_no_match "our own catalog reads and the probe are not among the application's statements" \
	'#[0-9]+: .*(pg_catalog|pg_class|rds-migrate)' "$T_TMP/compare.out"
expect_match "the latency probe on the source: connect time, p50 and p95 of a primary-key lookup" \
	'\[compare\] info: source: from here: connect [0-9.]+ ms; primary-key lookup on public\.[a-z_]+ p50 [0-9.]+ ms, p95 [0-9.]+ ms \(300 runs\)' "$T_TMP/compare.out"
expect_match "the latency probe on the target" \
	'\[compare\] info: target: from here: connect [0-9.]+ ms; primary-key lookup on public\.[a-z_]+ p50' "$T_TMP/compare.out"
expect_match "the summary counts the compared and slower statements" \
	'\[compare\] ok: 2 statements compared, 1 slower on the target; from here the target answers a lookup in [0-9.]+ ms, the source in [0-9.]+ ms' "$T_TMP/compare.out"

# statements_again: both sides' counts emptied, then the application's statements again
statements_again() {
	pg_sql src sample -c "SELECT pg_stat_statements_reset()" >/dev/null
	pg_sql dst after -c "SELECT pg_stat_statements_reset()" >/dev/null
	app_run src sample
	app_run dst after
}
# the index is there, but the target's planner avoids it (told so for the
# application's role): a sequential scan where the source uses the index
pg_sql dst after -c "CREATE INDEX ix_words_script_id ON words (script_id)" -c "ANALYZE words"
pg_sql dst postgres -c "ALTER ROLE app IN DATABASE after SET enable_indexscan = off" \
	-c "ALTER ROLE app IN DATABASE after SET enable_bitmapscan = off"
statements_again
rdsm "$CFG" "$T_TMP/seqscan.out" compare
expect_match "a sequential scan on the target where the source uses an index is named" \
	'warning: #[0-9]+: SELECT \* FROM words WHERE script_id = \$1 — .*slower on the target: a sequential scan of words where the source uses index ix_words_script_id' "$T_TMP/seqscan.out"
pg_sql dst postgres -c "ALTER ROLE app IN DATABASE after RESET ALL"
# stale statistics: 200000 rows added to the target's words after its ANALYZE
# (autovacuum is off there), so each lookup returns far more rows
pg_sql dst after -c "INSERT INTO words (script_id, start_s, end_s, word)
	SELECT 1 + g % 40, 0, 1, 'w' FROM generate_series(1, 200000) g"
statements_again
rdsm "$CFG" "$T_TMP/stale.out" compare
expect_match "statistics stale on the target are named as the likely cause" \
	'warning: #[0-9]+: SELECT \* FROM words WHERE script_id = \$1 — .*slower on the target: .*stale statistics on words: 200000 rows changed since its last ANALYZE' "$T_TMP/stale.out"

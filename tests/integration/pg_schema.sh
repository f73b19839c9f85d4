#!/bin/sh
# The schema step against two real clusters: every object kind of issue 4
# item 3 (tests/fixtures/allkinds.sql) arrives exact (pg_dump --schema-only of
# both sides, comments, sequence positions), owned by the target user; a
# re-run changes nothing; what cannot be copied is named; a schema file with
# an error names file:line and leaves the target untouched; the sample
# application copies in the right order. Then, when the data step exists, a full
# schema+data+verify round trip.
. "$(dirname "$0")/../lib/testlib.sh"

ALLKINDS="$ROOT/tests/fixtures/allkinds.sql"

pg_start src || exit 1
pg_start dst || exit 1

# comments NAME DB: every comment with a stable identity (no OIDs).
comments() {
	pg_sql "$1" "$2" -c "SELECT o.type, o.identity, d.description FROM pg_description d,
		LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
		WHERE o.schema IS DISTINCT FROM 'pg_catalog' ORDER BY 1, 2"
}

# seqs NAME DB: every sequence's position.
seqs() {
	pg_sql "$1" "$2" -c "SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2"
}

# --- every object kind, schema only (data = skip runs post-data at once) ----
newdb src allk
newdb dst allk
app_sql src allk -f "$ALLKINDS" >/dev/null 2>"$T_TMP/load.err" ||
	{ cat "$T_TMP/load.err"; not_ok "allkinds fixture loads on the source"; exit 1; }

migrate_config -s "$(pg_url src allk)" -j '' allk "$(pg_url dst allk)" "schema = copy" "data = skip" >/dev/null
"$RDSM_BIN" -c "$T_TMP/allk/config.ini" --plain schema >"$T_TMP/allk.out" 2>&1
expect_eq "schema step succeeds on every object kind" 0 $?
dump src allk >"$T_TMP/allk.src.sql"
dump dst allk >"$T_TMP/allk.dst.sql"
same "pg_dump --schema-only of source and target are identical" \
	"$T_TMP/allk.src.sql" "$T_TMP/allk.dst.sql"
comments src allk >"$T_TMP/allk.src.comments"
comments dst allk >"$T_TMP/allk.dst.comments"
same "comments are identical" "$T_TMP/allk.src.comments" "$T_TMP/allk.dst.comments"
expect_eq "the fixture has comments on many kinds of object" yes \
	"$([ "$(wc -l <"$T_TMP/allk.src.comments")" -ge 15 ] && echo yes || echo no)"
seqs src allk >"$T_TMP/allk.src.seq"
seqs dst allk >"$T_TMP/allk.dst.seq"
same "sequence positions are the source's" "$T_TMP/allk.src.seq" "$T_TMP/allk.dst.seq"
expect_eq "every copied object is owned by the target user" 0 "$(pg_sql dst allk -c "
	SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname IN ('app', 'Mixed Case') AND c.relowner <> 'app'::regrole")"
expect_eq "materialized views populated on the source are populated on the target" \
	"$(pg_sql src allk -c "SELECT string_agg(relname || '=' || relispopulated, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'm'")" \
	"$(pg_sql dst allk -c "SELECT string_agg(relname || '=' || relispopulated, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'm'")"
expect_no_match "nothing is reported as not copied for the fixture" "not copied" "$T_TMP/allk.out"

# a re-run finds everything in place and changes nothing
"$RDSM_BIN" -c "$T_TMP/allk/config.ini" --plain schema >"$T_TMP/allk2.out" 2>&1
expect_eq "a second schema run succeeds" 0 $?
dump dst allk >"$T_TMP/allk.dst2.sql"
same "a second schema run leaves the target's schema unchanged" \
	"$T_TMP/allk.dst.sql" "$T_TMP/allk.dst2.sql"
expect_match "a second run says the objects were already there" "already on the target" \
	"$T_TMP/allk2.out"

# pre-data only (data = copy): keys and indexes wait for the data step
newdb dst allk_pre
migrate_config -s "$(pg_url src allk)" -j '' pre "$(pg_url dst allk_pre)" "schema = copy" "data = copy" >/dev/null
"$RDSM_BIN" -c "$T_TMP/pre/config.ini" --plain schema >"$T_TMP/pre.out" 2>&1
expect_eq "schema step with data = copy succeeds" 0 $?
expect_eq "pre-data makes the tables but no index yet" "t 0" "$(pg_sql dst allk_pre -c "
	SELECT to_regclass('app.orders') IS NOT NULL, (SELECT count(*) FROM pg_index i JOIN pg_class c
	ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app')" |
	tr '\n|' '  ' | sed 's/ *$//')"
expect_match "the state file says post-data is pending" "^schema.post *= *pending" \
	"$T_TMP/pre/.rds-migrate.state"

# --- what cannot be copied is named, and the rest still arrives -------------
newdb src extras
newdb dst extras
pg_sql src extras -c "
	CREATE FUNCTION public.evt() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';
	CREATE EVENT TRIGGER noisy ON ddl_command_start EXECUTE FUNCTION public.evt();
	CREATE FUNCTION public.c_abs(integer) RETURNS integer LANGUAGE internal AS 'int4abs';
	CREATE TABLE public.kept (id integer PRIMARY KEY);" >/dev/null
migrate_config -s "$(pg_url src extras)" -j '' extras "$(pg_url dst extras)" "schema = copy" "data = skip" >/dev/null
"$RDSM_BIN" -c "$T_TMP/extras/config.ini" --plain schema </dev/null >"$T_TMP/extras0.out" 2>&1
expect_eq "objects that cannot be copied stop the step without a confirmation" 1 $?
expect_match "the refusal names them and says how to go on" "cannot be copied .*noisy.*--yes" \
	"$T_TMP/extras0.out"
expect_eq "nothing is written before the confirmation" f \
	"$(pg_sql dst extras -c "SELECT to_regclass('public.kept') IS NOT NULL")"
"$RDSM_BIN" -c "$T_TMP/extras/config.ini" --plain --yes schema >"$T_TMP/extras.out" 2>&1
expect_eq "schema step goes on around objects it cannot copy once confirmed, and exits 3 (incomplete)" 3 $?
expect_match "the step's result says incomplete, not ok" "^\[schema\] incomplete: 2 objects not copied" \
	"$T_TMP/extras.out"
expect_no_match "the step's result is not ok" "^\[schema\] ok:" "$T_TMP/extras.out"
expect_match "an event trigger is named as not copied" "noisy.*not copied|not copied.*noisy" \
	"$T_TMP/extras.out"
expect_match "an internal-language function is named as not copied" \
	"c_abs.*not copied|not copied.*c_abs" "$T_TMP/extras.out"
expect_eq "the copyable table arrives" t "$(pg_sql dst extras -c "SELECT to_regclass('public.kept') IS NOT NULL")"

# --- schema = file:PATH --------------------------------------------------------
newdb dst filebad
cat >"$T_TMP/bad.sql" <<'EOF'
-- a comment; with a semicolon
CREATE TABLE first_one (id integer, note text DEFAULT 'a;b');
CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $$
BEGIN RETURN 'x;y'; END $$;
/* block; comment */
CREATE TABLE second_one (
    id intege
);
CREATE TABLE never_reached (id integer);
EOF
migrate_config -s "$(pg_url src allk)" -j '' filebad "$(pg_url dst filebad)" "schema = file:$T_TMP/bad.sql" "data = skip" >/dev/null
"$RDSM_BIN" -c "$T_TMP/filebad/config.ini" --plain schema >"$T_TMP/filebad.out" 2>&1
expect_eq "a schema file with an error fails the step" 1 $?
expect_match "the error names the file and the line" "bad\\.sql:7:.*intege" "$T_TMP/filebad.out"
expect_match "the error shows the statement" "CREATE TABLE second_one" "$T_TMP/filebad.out"
expect_eq "the target is left untouched" 0 \
	"$(pg_sql dst filebad -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")"

newdb dst filegood
migrate_config -s "$(pg_url src allk)" -j '' filegood "$(pg_url dst filegood)" "schema = file:$FIXTURES/app/schema.sql" "data = skip" >/dev/null
"$RDSM_BIN" -c "$T_TMP/filegood/config.ini" --plain schema >"$T_TMP/filegood.out" 2>&1
expect_eq "a schema file with its own BEGIN/COMMIT applies" 0 $?
expect_eq "every table of the file is there" 10 \
	"$(pg_sql dst filegood -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"

# a whole pg_dump (COPY … FROM stdin blocks, SET lines, psql meta-commands) as the file
newdb dst filedump
eval "pg_dump -h \"\$DIR_src\" -p \"\$PORT_src\" -U postgres --no-owner --no-acl allk" >"$T_TMP/allk.dump.sql"
migrate_config -s "$(pg_url src allk)" -j '' filedump "$(pg_url dst filedump)" "schema = file:$T_TMP/allk.dump.sql" "data = skip" >/dev/null
"$RDSM_BIN" -c "$T_TMP/filedump/config.ini" --plain schema >"$T_TMP/filedump.out" 2>&1
expect_eq "a pg_dump file (with its data) applies as the schema file" 0 $?
[ -s "$T_TMP/filedump.out" ] && grep -q FAILED "$T_TMP/filedump.out" && sed 's/^/#   | /' "$T_TMP/filedump.out" | tail -5
# (pg_dump itself prints varchar IN lists in a form that parses back differently,
# a PostgreSQL deparse quirk the copy mode works around: those lines aside)
dump dst filedump | grep -v '= ANY' >"$T_TMP/filedump.sql"
grep -v '= ANY' "$T_TMP/allk.src.sql" >"$T_TMP/allk.src.noany.sql"
same "the pg_dump file gives the source's schema" "$T_TMP/allk.src.noany.sql" "$T_TMP/filedump.sql"
expect_eq "the pg_dump file's COPY rows arrive" 5 "$(pg_sql dst filedump -c "SELECT count(*) FROM app.orders")"

# --- the sample application, in the right order ------------------------------
pg_load_sample src sample 1 || { not_ok "sample application loads"; exit 1; }
newdb dst sample
migrate_config -s "$(pg_url src sample)" -j '' sample "$(pg_url dst sample)" "schema = copy" "data = skip" >/dev/null
"$RDSM_BIN" -c "$T_TMP/sample/config.ini" --plain schema >"$T_TMP/sample.out" 2>&1
expect_eq "sample schema copies" 0 $?
expect_no_match "no \"does not exist\" error on the sample application" "does not exist" \
	"$T_TMP/sample.out"
dump src sample >"$T_TMP/ys.src.sql"
dump dst sample >"$T_TMP/ys.dst.sql"
same "sample: pg_dump --schema-only identical" "$T_TMP/ys.src.sql" "$T_TMP/ys.dst.sql"

for db in allk sample; do
	newdb dst "rt_$db"
	migrate_config -s "$(pg_url src "$db")" -j '' "rt_$db" "$(pg_url dst "rt_$db")" "schema = copy" "data = copy" >/dev/null
	"$RDSM_BIN" -c "$T_TMP/rt_$db/config.ini" --plain schema data verify >"$T_TMP/rt_$db.out" 2>&1
	rc=$?
	if grep -q "not available in this version" "$T_TMP/rt_$db.out"; then
		echo "# skip: round trip $db (the data or verify step is not there yet)"
		continue
	fi
	expect_eq "round trip $db: schema, data and verify succeed" 0 $rc
	[ $rc -eq 0 ] || sed 's/^/#   | /' "$T_TMP/rt_$db.out" | tail -20
	dump src "$db" >"$T_TMP/rt.src.sql"
	dump dst "rt_$db" >"$T_TMP/rt.dst.sql"
	same "round trip $db: pg_dump --schema-only identical" "$T_TMP/rt.src.sql" "$T_TMP/rt.dst.sql"
	rowsums src "$db" >"$T_TMP/rt.src.rows"
	rowsums dst "rt_$db" >"$T_TMP/rt.dst.rows"
	same "round trip $db: every table's rows identical" "$T_TMP/rt.src.rows" "$T_TMP/rt.dst.rows"
	seqs src "$db" >"$T_TMP/rt.src.seq"
	seqs dst "rt_$db" >"$T_TMP/rt.dst.seq"
	same "round trip $db: sequence positions identical" "$T_TMP/rt.src.seq" "$T_TMP/rt.dst.seq"
done

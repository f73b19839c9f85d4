#!/bin/sh
# Fidelity (issue 9): a copy into a database owned by a non-superuser (as on
# RDS) is what pg_dump | psql would give. The twelve minimal cases of the
# issue (tests/fixtures/minimal9.sql), then every object kind a database
# owner may create in awkward variants (tests/fixtures/fidelity.sql), each
# compared with pg_dump --schema-only of both sides, row checksums and
# sequence positions (is_called too); the dumps keep owners and privileges.
# What cannot be copied is named before
# anything is written, asked about, and makes the run end "incomplete".
. "$(dirname "$0")/../lib/testlib.sh"

MINIMAL="$ROOT/tests/fixtures/minimal9.sql"
FIDELITY="$ROOT/tests/fixtures/fidelity.sql"

pg_start src || exit 1
pg_start dst || exit 1

# seqs NAME DB: every sequence's position and whether it was called.
seqs() {
	pg_sql "$1" "$2" -c "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' ORDER BY 1" >"$T_TMP/seqs"
	while IFS= read -r s; do
		echo "$s $(pg_sql "$1" "$2" -c "SELECT last_value || ' ' || is_called FROM $s")"
	done <"$T_TMP/seqs"
}

# both NAME SQL: ok when SQL gives the same answer on source and target.
both() {
	expect_eq "$1" "$(pg_sql src "$DB" -c "$2" 2>&1)" "$(pg_sql dst "$DB" -c "$2" 2>&1)"
}

# copy_all NAME DB FIXTURE: load FIXTURE as app, copy schema, data and
# verify; then compare schema dumps, rows and sequences.
copy_all() {
	newdb src "$2" && newdb dst "$2" || return 1
	app_sql src "$2" -f "$3" >/dev/null 2>"$T_TMP/$2.load" ||
		{ cat "$T_TMP/$2.load"; not_ok "$1: the fixture loads on the source as app"; return 1; }
	migrate_config -s "$(pg_url src "$2")" -j '' "$2" "$(pg_url dst "$2")" "schema = copy" "data = copy" >/dev/null
	"$RDSM_BIN" -c "$T_TMP/$2/config.ini" --plain schema data verify >"$T_TMP/$2.out" 2>&1
	rc=$?
	expect_eq "$1: schema, data and verify succeed with exit 0" 0 $rc
	[ $rc -eq 0 ] || sed 's/^/#   | /' "$T_TMP/$2.out" | grep -v 'rows, ' | tail -20
	expect_no_match "$1: nothing is reported as not copied" "not copied|incomplete" "$T_TMP/$2.out"
	dump src "$2" >"$T_TMP/$2.src.sql"
	dump dst "$2" >"$T_TMP/$2.dst.sql"
	same "$1: pg_dump --schema-only of source and target are identical" \
		"$T_TMP/$2.src.sql" "$T_TMP/$2.dst.sql"
	rowsums src "$2" >"$T_TMP/$2.src.rows"
	rowsums dst "$2" >"$T_TMP/$2.dst.rows"
	same "$1: every table's rows are identical" "$T_TMP/$2.src.rows" "$T_TMP/$2.dst.rows"
	seqs src "$2" >"$T_TMP/$2.src.seq"
	seqs dst "$2" >"$T_TMP/$2.dst.seq"
	same "$1: every sequence's position and is_called are identical" \
		"$T_TMP/$2.src.seq" "$T_TMP/$2.dst.seq"
}

# --- the twelve minimal cases ------------------------------------------------
DB=minimal
copy_all "minimal cases" "$DB" "$MINIMAL"
both "1. an aggregate without arguments is made as agg(*) and counts" \
	"SELECT m.cnt(*) FROM m.fd"
both "2. a view grouped by a primary key has its real definition" \
	"SELECT pg_get_viewdef('m.fd_v'::regclass) || (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM m.fd_v x)"
both "3. an inheritance child repeating a generated column computes it" \
	"SELECT b, attgenerated FROM m.gc, pg_attribute WHERE attrelid = 'm.gc'::regclass AND attname = 'b'"
both "4. a typed table is OF its type, with its rows and key" \
	"SELECT reloftype::regtype, (SELECT string_agg(x::text, ',') FROM m.persons x) FROM pg_class WHERE oid = 'm.persons'::regclass"
both "5. tables without columns, or with generated ones only, keep their row counts" \
	"SELECT (SELECT count(*) FROM m.nocols), (SELECT count(*) FROM m.nocols_rows), (SELECT count(*) FROM m.onlygen)"
expect_eq "6. a sequence set with is_called = false hands out its value next" \
	"42 7" "$(pg_sql dst "$DB" -c "SELECT nextval('m.s') || ' ' || nextval('m.r')")"
both "7. user-defined collations are made and used by their columns" \
	"SELECT string_agg(attname || ' ' || attcollation::regcollation, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'm.names'::regclass AND attnum > 0"
both "8. a partition keeps its own column order" \
	"SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'm.pt1'::regclass AND attnum > 0"
both "9. a partition without a default does not take its parent's" \
	"SELECT string_agg(adrelid::regclass || '.' || attname || '=' || pg_get_expr(adbin, adrelid), ', ' ORDER BY 1) FROM pg_attrdef JOIN pg_attribute ON attrelid = adrelid AND attnum = adnum WHERE adrelid IN ('m.pd1'::regclass, 'm.pd2'::regclass)"
both "10. each partition keeps its state of the inherited trigger" \
	"SELECT string_agg(tgrelid::regclass || '=' || tgenabled, ', ' ORDER BY tgrelid::regclass::text) FROM pg_trigger WHERE tgname = 't'"
both "11. a view's column default is kept" \
	"SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'm.vv'::regclass"
both "12. casts, operators, text search objects and every kind of aggregate are made" \
	"SELECT (SELECT count(*) FROM pg_cast WHERE castsource = 'm.pair'::regtype),
		(SELECT string_agg(oid::regoperator::text, ',' ORDER BY oid::regoperator::text) FROM pg_operator WHERE oprnamespace = 'm'::regnamespace AND oprcode <> 0),
		(SELECT string_agg(dictname || ':' || coalesce(dictinitoption, ''), ',') FROM pg_ts_dict WHERE dictnamespace = 'm'::regnamespace),
		(SELECT count(*) FROM pg_ts_config_map WHERE mapcfg = 'm.cfg'::regconfig),
		(SELECT string_agg(aggfnoid::regprocedure || ':' || aggkind || aggtransspace || aggmtransfn::text || aggsortop::regoperator::text, ',' ORDER BY aggfnoid::text) FROM pg_aggregate WHERE aggfnoid::regproc::text LIKE 'm.%')"

# a second run finds everything in place, changes nothing and still says ok
"$RDSM_BIN" -c "$T_TMP/$DB/config.ini" --plain --force schema data verify >"$T_TMP/minimal2.out" 2>&1
expect_eq "minimal cases: a second run succeeds" 0 $?
dump dst "$DB" >"$T_TMP/minimal.dst2.sql"
same "minimal cases: a second run leaves the target's schema as the source's" \
	"$T_TMP/minimal.src.sql" "$T_TMP/minimal.dst2.sql"

# --- every object kind, in awkward variants ----------------------------------
DB=fidelity
# its privileges name a role of the source; the target user may create roles
# (CREATEROLE, no superuser), as RDS's master user
pg_sql src postgres -c "CREATE ROLE fid_reader NOLOGIN" >/dev/null
pg_sql dst postgres -c "ALTER ROLE app CREATEROLE" >/dev/null
copy_all "fidelity" "$DB" "$FIDELITY"
expect_eq "fidelity: the dumps compared hold privileges and default privileges" yes "$(
	grep -qF 'GRANT UPDATE("select") ON TABLE fid.everything TO fid_reader' "$T_TMP/$DB.src.sql" &&
	grep -qF 'REVOKE ALL ON TABLE fid.base2 FROM app' "$T_TMP/$DB.src.sql" &&
	grep -qF 'ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA fid GRANT SELECT ON TABLES' "$T_TMP/$DB.src.sql" &&
	grep -qF 'REVOKE ALL ON FUNCTION fid.secret() FROM PUBLIC' "$T_TMP/$DB.src.sql" && echo yes || echo no)"
both "fidelity: large objects keep their privileges (pg_dump --schema-only leaves them out)" \
	"SELECT string_agg(oid || ':' || lomacl::text, ',' ORDER BY oid) FROM pg_largeobject_metadata"
both "fidelity: large objects arrive with their OIDs and bytes" \
	"SELECT string_agg(oid || ':' || md5(lo_get(oid)) || ':' || coalesce(obj_description(oid, 'pg_largeobject'), ''), ',' ORDER BY oid) FROM pg_largeobject_metadata"
"$RDSM_BIN" -c "$T_TMP/$DB/config.ini" --plain --force schema data verify >"$T_TMP/fidelity2.out" 2>&1
expect_eq "fidelity: a second run succeeds" 0 $?
dump dst "$DB" >"$T_TMP/fidelity.dst2.sql"
same "fidelity: a second run leaves the target's schema as the source's" \
	"$T_TMP/fidelity.src.sql" "$T_TMP/fidelity.dst2.sql"
expect_match "fidelity: verify counts the large objects" "and 2 large objects match" "$T_TMP/fidelity2.out"
pg_sql dst "$DB" -c "SELECT lo_put(424242, 0, 'A')" >/dev/null
"$RDSM_BIN" -c "$T_TMP/$DB/config.ini" --plain verify >"$T_TMP/fidelity3.out" 2>&1
expect_eq "fidelity: verify fails when a large object's bytes differ" 1 $?
expect_match "fidelity: verify names the large objects" "large objects: checksum differs" "$T_TMP/fidelity3.out"
expect_eq "fidelity: the fixture has many kinds of object" yes "$(
	[ "$(grep -c '^CREATE' "$T_TMP/fidelity.src.sql")" -ge 100 ] && echo yes || echo no)"

# --- the rows extensions keep as configuration (pg_extension_config_dump) ----
# No extension of Debian's postgresql-15 contrib keeps a configuration table,
# so a tiny one of the tests' own (tests/fixtures/ext, trusted: a database
# owner may make it) goes into the clusters' extension directory (both
# clusters share it). It is left there: another run may be using it.
extdir="$("$PGBIN/pg_config" --sharedir)/extension"
if install -m 644 "$ROOT"/tests/fixtures/ext/rdsm_cfgtest* "$extdir/" 2>"$T_TMP/extinstall.err"; then
	DB=extcfg
	newdb src "$DB" && newdb dst "$DB"
	app_sql src "$DB" -c "CREATE EXTENSION rdsm_cfgtest" \
		-c "INSERT INTO rdsm_settings (name, value) VALUES ('theme', 'dark'), ('lang', 'fr & en')" \
		-c "INSERT INTO rdsm_log (line) SELECT 'line ' || g FROM generate_series(1, 5) g" \
		-c "CREATE TABLE uses (name text REFERENCES rdsm_settings)" \
		-c "INSERT INTO uses VALUES ('theme'), ('colour')" >/dev/null
	migrate_config -s "$(pg_url src "$DB")" -j '' "$DB" "$(pg_url dst "$DB")" "schema = copy" "data = copy" >/dev/null
	"$RDSM_BIN" -c "$T_TMP/$DB/config.ini" --plain schema data verify </dev/null >"$T_TMP/extcfg.out" 2>&1
	rc=$?
	expect_eq "extension configuration: copied without a question, exit 0" 0 $rc
	[ $rc -eq 0 ] || sed 's/^/#   | /' "$T_TMP/extcfg.out" | tail -20
	expect_no_match "extension configuration: nothing is named as not copied" \
		"not copied|incomplete" "$T_TMP/extcfg.out"
	rowsums src "$DB" >"$T_TMP/extcfg.src.rows"
	rowsums dst "$DB" >"$T_TMP/extcfg.dst.rows"
	same "extension configuration: the user's rows arrive next to the extension's own, once" \
		"$T_TMP/extcfg.src.rows" "$T_TMP/extcfg.dst.rows"
	expect_match "extension configuration: verify compares the user's rows (the condition's)" \
		"public.rdsm_settings: 2 rows, checksum matches" "$T_TMP/extcfg.out"
	both "extension configuration: its sequence goes on where the source's is" \
		"SELECT last_value || ' ' || is_called FROM rdsm_log_id_seq"
	app_sql src "$DB" -c "UPDATE rdsm_settings SET value = 'light' WHERE name = 'theme'" >/dev/null
	"$RDSM_BIN" -c "$T_TMP/$DB/config.ini" --plain verify </dev/null >"$T_TMP/extcfg2.out" 2>&1
	expect_match "extension configuration: verify sees a changed row of the user's" \
		"error: public.rdsm_settings: checksum differs" "$T_TMP/extcfg2.out"
	"$RDSM_BIN" -c "$T_TMP/$DB/config.ini" --plain --force data verify </dev/null >"$T_TMP/extcfg2.out" 2>&1
	expect_eq "extension configuration: --force copies the changed rows again" 0 $?
	rowsums src "$DB" >"$T_TMP/extcfg.src.rows"
	rowsums dst "$DB" >"$T_TMP/extcfg.dst.rows"
	same "extension configuration: --force keeps the extension's rows and replaces the user's" \
		"$T_TMP/extcfg.src.rows" "$T_TMP/extcfg.dst.rows"
	pg_sql src "$DB" -c "REVOKE SELECT ON rdsm_settings FROM app" >/dev/null
	"$RDSM_BIN" -c "$T_TMP/$DB/config.ini" --plain source </dev/null >"$T_TMP/extcfg3.out" 2>&1
	expect_match "extension configuration the source user may not read is named before anything is written" \
		"warning: extension table public.rdsm_settings: not copied: the source user may not read" \
		"$T_TMP/extcfg3.out"
	# the extension missing on the target (here dropped after the schema step):
	# its configuration is named as not copied, the rest is copied, exit 3
	newdb src extmiss && newdb dst extmiss
	app_sql src extmiss -c "CREATE EXTENSION rdsm_cfgtest" \
		-c "INSERT INTO rdsm_log (line) VALUES ('x')" -c "CREATE TABLE t (id int PRIMARY KEY)" \
		-c "INSERT INTO t VALUES (1)" >/dev/null
	cfg=$(migrate_config -s "$(pg_url src extmiss)" -j '' extmiss "$(pg_url dst extmiss)" \
		"schema = copy" "data = copy")
	"$RDSM_BIN" -c "$cfg" --plain schema </dev/null >"$T_TMP/extmiss1.out" 2>&1
	pg_sql dst extmiss -c "DROP EXTENSION rdsm_cfgtest" >/dev/null
	"$RDSM_BIN" -c "$cfg" --plain data </dev/null >"$T_TMP/extmiss2.out" 2>&1
	expect_eq "extension missing on the target: the data step ends incomplete (exit 3)" 3 $?
	expect_match "extension missing on the target: its configuration tables are named" \
		"warning: public.rdsm_log: not on the target \(its extension is missing there\)" \
		"$T_TMP/extmiss2.out"
	expect_eq "extension missing on the target: the other tables are copied" 1 \
		"$(pg_sql dst extmiss -c "SELECT count(*) FROM t")"
else
	not_ok "extension configuration: the test extension installs into $extdir" \
		"$(cat "$T_TMP/extinstall.err") (the tests need to write there: run them as root, as CI does)"
fi

# --- what cannot be copied: named first, asked about, and the run incomplete ---
newdb src super
newdb dst super
app_sql src super -c "CREATE TABLE public.kept (id int PRIMARY KEY)"
pg_sql src super -c "
	CREATE OPERATOR FAMILY public.rev_fam USING btree;
	CREATE FUNCTION public.rev_cmp(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT btint4cmp(\$2, \$1)';
	CREATE OPERATOR CLASS public.rev_ops FOR TYPE int USING btree AS
		OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <, FUNCTION 1 public.rev_cmp(int, int);
	CREATE CAST (text AS bytea) WITHOUT FUNCTION;
	CREATE FUNCTION public.same(int, int) RETURNS bool LANGUAGE sql IMMUTABLE LEAKPROOF AS 'SELECT \$1 = \$2';
	ALTER FUNCTION public.same(int, int) OWNER TO app;
	SELECT lo_from_bytea(777, 'private');" >/dev/null
migrate_config -s "$(pg_url src super)" -j '' super "$(pg_url dst super)" "schema = copy" "data = copy" >/dev/null
"$RDSM_BIN" -c "$T_TMP/super/config.ini" --plain source schema data verify </dev/null >"$T_TMP/super0.out" 2>&1
expect_eq "objects a non-superuser cannot make stop the run without a confirmation" 1 $?
expect_match "the source step names the operator family before anything is written" \
	"^\\[source\\] warning: operator family public.rev_fam: not copied" "$T_TMP/super0.out"
expect_match "the source step names the operator class" \
	"^\\[source\\] warning: operator class public.rev_ops: not copied" "$T_TMP/super0.out"
expect_match "the source step names a cast between built-in types" \
	"^\\[source\\] warning: cast \\(text AS bytea\\): not copied" "$T_TMP/super0.out"
expect_eq "nothing is written before the confirmation" f \
	"$(pg_sql dst super -c "SELECT to_regclass('public.kept') IS NOT NULL")"
"$RDSM_BIN" -c "$T_TMP/super/config.ini" --plain --yes source schema data verify >"$T_TMP/super.out" 2>&1
expect_eq "once confirmed, the run goes on and exits 3 (incomplete)" 3 $?
expect_match "the schema step ends incomplete, naming how many objects were left out" \
	"^\\[schema\\] incomplete: 5 objects not copied" "$T_TMP/super.out"
expect_match "the last line says the target is not identical" \
	"^incomplete: 5 objects .* not identical" "$T_TMP/super.out"
expect_no_match "the schema step does not say ok" "^\\[schema\\] ok:" "$T_TMP/super.out"
expect_match "a LEAKPROOF function is named as made without it" \
	"warning: function public.same\\(integer, integer\\): not copied: made without LEAKPROOF" "$T_TMP/super.out"
expect_eq "the function is made, without LEAKPROOF" f \
	"$(pg_sql dst super -c "SELECT proleakproof FROM pg_proc WHERE proname = 'same'")"
expect_match "large objects the source user may not read are named" \
	"^\\[source\\] warning: large objects 1 of them: not copied: the source user may not read them" \
	"$T_TMP/super0.out"
expect_eq "the copyable table arrives" t "$(pg_sql dst super -c "SELECT to_regclass('public.kept') IS NOT NULL")"

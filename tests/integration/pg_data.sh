#!/bin/sh
# pg_data.sh — source, probe, data and verify against two real PostgreSQL
# clusters: the sample application round trip, checksums compared with psql, and
# the failure cases (wrong password, closed port, non-empty target, a copy that
# fails half way, a tampered row).
. "$(dirname "$0")/../lib/testlib.sh"

pg_start src || exit 1
pg_start dst || exit 1
pg_load_sample src sample 1 || { echo "cannot load the sample"; exit 1; }

SRC_URL=$(pg_url src sample)

# schema_by_hand DB: the sample's tables created with psql (no schema step).
schema_by_hand() {
	PGPASSWORD=app-secret-pw psql -h 127.0.0.1 -p "$PORT_dst" -U app -d "$1" -q \
		-v ON_ERROR_STOP=1 -f "$FIXTURES/app/schema.sql" >/dev/null
}
# checksums CLUSTER DB: one line per table: name, count, md5 of its sorted rows.
checksums() {
	for t in users actors actor_aliases urls tokens token_actors scripts words bookmarks \
		analysis_results; do
		pg_sql "$1" "$2" -c "SELECT '$t', count(*), md5(coalesce(string_agg(x, E'\\n' ORDER BY x), ''))
			FROM (SELECT t::text AS x FROM $t t) s"
	done
}

# --- the full round trip: source probe schema data verify ---------------------
new_target roundtrip
CFG=$(migrate_config roundtrip "$(pg_url dst roundtrip)")
rdsm "$CFG" "$T_TMP/full.out" source probe schema data verify
expect_eq "round trip source→target exits 0" 0 "$RC"
expect_match "source step lists the words table" '\[source\] .*public\.words.*rows' "$T_TMP/full.out"
expect_match "probe reports server version and round trip" '\[probe\] ok: PostgreSQL 1[0-9]' "$T_TMP/full.out"
expect_match "data step reports tables and rows" '\[data\] ok: 10 tables copied' "$T_TMP/full.out"
expect_match "verify reports every table matching" '\[verify\] ok: 10 tables and 9 sequences match' "$T_TMP/full.out"
checksums src sample >"$T_TMP/sum.src"
checksums dst roundtrip >"$T_TMP/sum.full"
if cmp -s "$T_TMP/sum.src" "$T_TMP/sum.full"; then ok "round trip: every table's rows are identical (psql checksums)"
else not_ok "round trip: every table's rows are identical (psql checksums)"; diff "$T_TMP/sum.src" "$T_TMP/sum.full" | head; fi
seq_src=$(pg_sql src sample -c "SELECT last_value FROM words_id_seq")
seq_dst=$(pg_sql dst roundtrip -c "SELECT last_value FROM words_id_seq")
expect_eq "round trip: sequence words_id_seq at the source's position" "$seq_src" "$seq_dst"
idx=$(pg_sql dst roundtrip -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'words'")
expect_eq "round trip: words has its primary key and index after the data" 2 "$idx"
grep '\[data\]' "$T_TMP/full.out" | grep -E 'ok:|total' | tail -2 | sed 's/^/#   /'
expect_no_match "a sequence is shown as a number (not 60/t)" 'sequence at [0-9]+/[tf]' "$T_TMP/full.out"
expect_match "verify counts its progress in tables, without bytes" '^\[verify\] total: 10/10 tables$' "$T_TMP/full.out"

# a second run skips what was copied and verified
rdsm "$CFG" "$T_TMP/full2.out" data verify
expect_eq "re-run of data verify exits 0" 0 "$RC"
expect_match "re-run skips tables already copied and verified" '0 tables copied \(10 skipped\)' "$T_TMP/full2.out"

# --- --force data empties only what it copies again: emptying tokens (a FK
# refuses its TRUNCATE; ON DELETE CASCADE / SET NULL reach scripts, words,
# token_actors, bookmarks, analysis_results) empties and copies those too,
# saying so; a referencing table not copied now (excluded) makes it refuse.
pg_sql src sample -c "UPDATE tokens SET view_count = view_count + 1 WHERE id = 1"
rdsm "$CFG" "$T_TMP/fk0.out" verify
expect_match "a changed source row: verify names tokens" 'public\.tokens: checksum differs' "$T_TMP/fk0.out"
rdsm "$CFG" "$T_TMP/fk1.out" data verify --force
expect_eq "--force data after a mismatch on a referenced table exits 0" 0 "$RC"
expect_match "--force data says a referencing table is emptied and copied again" 'public\.scripts: references a table emptied now' "$T_TMP/fk1.out"
checksums src sample >"$T_TMP/sum.fk.src"
checksums dst roundtrip >"$T_TMP/sum.fk.dst"
if cmp -s "$T_TMP/sum.fk.src" "$T_TMP/sum.fk.dst"; then ok "--force data: no table lost rows to a cascade (psql checksums)"
else not_ok "--force data: no table lost rows to a cascade (psql checksums)"; diff "$T_TMP/sum.fk.src" "$T_TMP/sum.fk.dst" | head; fi
pg_sql src sample -c "UPDATE tokens SET view_count = view_count - 1 WHERE id = 1"
rdsm "$CFG" "$T_TMP/fk2.out" verify
excl_before=$(pg_sql dst roundtrip -c "SELECT count(*) FROM bookmarks")
CFGX=$(migrate_config roundtrip_excl "$(pg_url dst roundtrip)" "exclude_tables = public.bookmarks")
cp "$T_TMP/roundtrip/.rds-migrate.state" "$T_TMP/roundtrip_excl/"
rdsm "$CFGX" "$T_TMP/fk3.out" data --force
expect_eq "--force data that would cascade into an excluded table exits 1" 1 "$RC"
expect_match "the refusal names the excluded table" 'FAILED: .*would change public\.bookmarks' "$T_TMP/fk3.out"
excl_after=$(pg_sql dst roundtrip -c "SELECT count(*) FROM bookmarks")
expect_eq "the excluded table keeps its rows" "$excl_before" "$excl_after"

# --- data and verify into a schema made by hand (text COPY) -------------------
new_target byhand
schema_by_hand byhand
CFG=$(migrate_config byhand "$(pg_url dst byhand)" "schema = skip")
RDSM_COPY_FORMAT=text rdsm "$CFG" "$T_TMP/byhand.out" data verify
expect_eq "text COPY into a hand-made schema exits 0" 0 "$RC"
checksums dst byhand >"$T_TMP/sum.byhand"
if cmp -s "$T_TMP/sum.src" "$T_TMP/sum.byhand"; then ok "text COPY: rows identical (psql checksums)"
else not_ok "text COPY: rows identical (psql checksums)"; diff "$T_TMP/sum.src" "$T_TMP/sum.byhand" | head; fi

# --- verify detects a tampered row and names the table ------------------------
pg_sql dst byhand -c "UPDATE scripts SET script = script || '!' WHERE id = 7"
rdsm "$CFG" "$T_TMP/tamper.out" verify
expect_eq "verify of a tampered target exits 1" 1 "$RC"
expect_match "verify names the tampered table" 'FAILED: 1 of .* differs: public\.scripts' "$T_TMP/tamper.out"
expect_match "verify says the checksum differs" 'public\.scripts: checksum differs' "$T_TMP/tamper.out"
pg_sql dst byhand -c "DELETE FROM bookmarks WHERE id = 3"
rdsm "$CFG" "$T_TMP/tamper2.out" verify
expect_match "verify reports a missing row as a row count difference" 'public\.bookmarks: row count differs: source [0-9]+, target [0-9]+' "$T_TMP/tamper2.out"
printf '[env]\nfile = %s\n' "$T_TMP/byhand/app.env" >>"$CFG"
rdsm "$CFG" "$T_TMP/tamper-env.out" env
expect_eq "env after a failed verify: refused (exit 1)" 1 "$RC"
expect_match "the refusal says the target differs" 'FAILED: the last verify found the target differs' "$T_TMP/tamper-env.out"
check "no .env written after a failed verify" test ! -e "$T_TMP/byhand/app.env"

# --- non-empty target: stops naming the table; --force truncates -------------
new_target nonempty
schema_by_hand nonempty
pg_sql dst nonempty -c "INSERT INTO actors (name) VALUES ('already here')"
CFG=$(migrate_config nonempty "$(pg_url dst nonempty)" "schema = skip")
rdsm "$CFG" "$T_TMP/nonempty.out" data
expect_eq "non-empty target table: data exits 1" 1 "$RC"
expect_match "non-empty target: the failure names the table" 'FAILED: target table public\.actors already holds rows' "$T_TMP/nonempty.out"
n=$(pg_sql dst nonempty -c "SELECT count(*) FROM words")
expect_eq "non-empty target: nothing was copied" 0 "$n"
rdsm "$CFG" "$T_TMP/force.out" data verify --force
expect_eq "--force truncates and copies" 0 "$RC"
n=$(pg_sql dst nonempty -c "SELECT count(*) FROM actors WHERE name = 'already here'")
expect_eq "--force: the old row is gone" 0 "$n"

# --- a copy that fails half way leaves its table empty; a re-run completes it
new_target halfway
schema_by_hand halfway
last=$(pg_sql src sample -c "SELECT max(id) FROM words")
pg_sql dst halfway -c "ALTER TABLE words ADD CONSTRAINT not_the_last CHECK (id < $last)"
CFG=$(migrate_config halfway "$(pg_url dst halfway)" "schema = skip")
rdsm "$CFG" "$T_TMP/half.out" data
expect_eq "a copy failing on its last row: data exits 1" 1 "$RC"
expect_match "the failure names the table and the constraint" 'FAILED: .*public\.words.*not_the_last.*left empty' "$T_TMP/half.out"
n=$(pg_sql dst halfway -c "SELECT count(*) FROM words")
expect_eq "the failed table stays empty" 0 "$n"
pg_sql dst halfway -c "ALTER TABLE words DROP CONSTRAINT not_the_last"
rdsm "$CFG" "$T_TMP/half2.out" data verify
expect_eq "after the fix a re-run completes the copy" 0 "$RC"
checksums dst halfway >"$T_TMP/sum.half"
if cmp -s "$T_TMP/sum.src" "$T_TMP/sum.half"; then ok "after the re-run every table is identical"
else not_ok "after the re-run every table is identical"; diff "$T_TMP/sum.src" "$T_TMP/sum.half" | head; fi

# --- a table split across the jobs (block ranges): a failing part empties the
# whole table, which stays "loading" (not copied); a re-run empties it without
# asking and completes it. RDSM_COPY_SPLIT_BYTES=1 splits even this small words.
new_target split
schema_by_hand split
pg_sql dst split -c "ALTER TABLE words ADD CONSTRAINT not_the_last CHECK (id < $last)"
CFG=$(migrate_config split "$(pg_url dst split)" "schema = skip")
RDSM_COPY_SPLIT_BYTES=1 rdsm "$CFG" "$T_TMP/split.out" data
expect_eq "split table, a part fails: data exits 1" 1 "$RC"
expect_match "the failure names the part" 'FAILED: .*public\.words \(part [0-9] of 2\).*not_the_last.*left empty' "$T_TMP/split.out"
n=$(pg_sql dst split -c "SELECT count(*) FROM words")
expect_eq "split table: no part is left behind" 0 "$n"
expect_match "split table: marked loading, not copied" '^table\.public\.words=loading$' "$T_TMP/split/.rds-migrate.state"
pg_sql dst split -c "ALTER TABLE words DROP CONSTRAINT not_the_last"
# as if the run had died after one part committed
pg_sql dst split -c "INSERT INTO words (script_id, start_s, end_s, word) VALUES (1, 0, 1, 'left over')"
RDSM_COPY_SPLIT_BYTES=1 rdsm "$CFG" "$T_TMP/split2.out" data verify
expect_eq "split table: the re-run completes without asking" 0 "$RC"
expect_match "split table: the re-run says it empties the unfinished table" 'public\.words: holds part of an unfinished copy' "$T_TMP/split2.out"
checksums dst split >"$T_TMP/sum.split"
if cmp -s "$T_TMP/sum.src" "$T_TMP/sum.split"; then ok "split table: after the re-run every table is identical"
else not_ok "split table: after the re-run every table is identical"; diff "$T_TMP/sum.src" "$T_TMP/sum.split" | head; fi

# --- state keys: tables whose names differ only in quoting never share one ----
pg_sql src postgres -c "CREATE DATABASE keys OWNER app" >/dev/null
PGPASSWORD=app-secret-pw psql -X -h 127.0.0.1 -p "$PORT_src" -U app -d keys -q -v ON_ERROR_STOP=1 \
	-c 'CREATE SCHEMA "a.b"' -c 'CREATE SCHEMA a' \
	-c 'CREATE TABLE "a.b".c (id int PRIMARY KEY)' -c 'CREATE TABLE a."b.c" (id int PRIMARY KEY)' \
	-c 'CREATE TABLE "x=y" (id int PRIMARY KEY)' -c 'CREATE TABLE x_y (id int PRIMARY KEY)' \
	-c 'INSERT INTO "a.b".c VALUES (1)' -c 'INSERT INTO a."b.c" VALUES (1), (2)' \
	-c 'INSERT INTO "x=y" VALUES (1)' -c 'INSERT INTO x_y VALUES (1), (2)'
new_target keys
SRC_KEEP=$SRC_URL
SRC_URL=$(pg_url src keys)
CFG=$(migrate_config keys "$(pg_url dst keys)")
SRC_URL=$SRC_KEEP
rdsm "$CFG" "$T_TMP/keys.out" schema data verify
expect_eq "tables named alike (\"a.b\".c, a.\"b.c\", \"x=y\", x_y): copied and verified" 0 "$RC"
expect_eq "each of the 4 tables has its own state key" 4 "$(grep -c '^table\.' "$T_TMP/keys/.rds-migrate.state")"
pg_sql dst keys -c "DELETE FROM x_y WHERE id = 2"
rdsm "$CFG" "$T_TMP/keys2.out" verify
rdsm "$CFG" "$T_TMP/keys3.out" data --force
expect_match "after x_y differs, --force data copies x_y again (not skipped under \"x=y\"'s key)" \
	'\[data\] ok: 1 tables copied \(3 skipped\)' "$T_TMP/keys3.out"
expect_eq "x_y holds its rows again" 2 "$(pg_sql dst keys -c 'SELECT count(*) FROM x_y')"

# exclude_tables reads quoted names, and says which names match no table
new_target keys2
SRC_URL=$(pg_url src keys)
CFG=$(migrate_config keys2 "$(pg_url dst keys2)" 'exclude_tables = "a.b".c, public.nosuch, public.X_Y')
SRC_URL=$SRC_KEEP
rdsm "$CFG" "$T_TMP/keys4.out" schema data
expect_eq "exclude_tables with a quoted name: the run exits 0" 0 "$RC"
expect_eq "the quoted name \"a.b\".c is excluded (its table stays empty)" 0 "$(pg_sql dst keys2 -c 'SELECT count(*) FROM "a.b".c')"
expect_eq "a.\"b.c\" is still copied" 2 "$(pg_sql dst keys2 -c 'SELECT count(*) FROM a."b.c"')"
expect_match "a name that matches no table is warned about" 'warning: exclude_tables: public\.nosuch matches no table' "$T_TMP/keys4.out"
expect_match "a name differing only in case is warned about" 'warning: exclude_tables: public\.X_Y matches no table' "$T_TMP/keys4.out"

# --- connection failures: diagnosis and hint ----------------------------------
CFG=$(migrate_config badpw "postgresql://app:wrong-pw@127.0.0.1:$PORT_dst/roundtrip?sslmode=disable")
rdsm "$CFG" "$T_TMP/badpw.out" probe
expect_eq "wrong password: probe exits 1" 1 "$RC"
expect_match "wrong password: the message says the password was rejected" 'FAILED: password rejected for user app' "$T_TMP/badpw.out"
expect_match "wrong password: a hint names the setting" 'Hint: check the password' "$T_TMP/badpw.out"

closed=$(free_port)
CFG=$(migrate_config closed "postgresql://app:app-secret-pw@127.0.0.1:$closed/roundtrip?sslmode=disable")
rdsm "$CFG" "$T_TMP/closed.out" probe
expect_eq "closed port: probe exits 1" 1 "$RC"
expect_match "closed port: refused, with a hint" "FAILED: connection refused by 127\.0\.0\.1 port $closed.*Hint: .*nothing listens on port $closed" "$T_TMP/closed.out"

CFG=$(migrate_config nodb "$(pg_url dst no_such_db)")
rdsm "$CFG" "$T_TMP/nodb.out" probe
expect_match "missing database: named, with a hint" 'FAILED: database no_such_db does not exist.*Hint: create it' "$T_TMP/nodb.out"

CFG=$(migrate_config nohost "postgresql://app:pw@no-such-host.invalid:5432/x?sslmode=disable")
rdsm "$CFG" "$T_TMP/nohost.out" probe
expect_match "unknown host: named as such" 'FAILED: unknown host no-such-host\.invalid' "$T_TMP/nohost.out"

# TLS required by us, server without TLS: the RDS PG15 hint path is covered by
# the diagnosis of "no encryption"; here the server offers none.
CFG=$(migrate_config nossl "postgresql://app:app-secret-pw@127.0.0.1:$PORT_dst/roundtrip?sslmode=require")
rdsm "$CFG" "$T_TMP/nossl.out" probe
expect_match "sslmode=require against a server without TLS: diagnosed" 'FAILED: TLS was required but the server does not offer it' "$T_TMP/nossl.out"

# a silent port (accepts nothing, answers nothing): our own deadline fires
silent_start 30
sp=$SILENT_PORT
CFG=$(migrate_config silent "postgresql://app:app-secret-pw@127.0.0.1:$sp/roundtrip?sslmode=disable")
start=$(date +%s)
rdsm "$CFG" "$T_TMP/silent.out" probe
took=$(( $(date +%s) - start ))
expect_match "a server that never answers: timed out, not hung" 'FAILED: .*(timed out|did not finish)' "$T_TMP/silent.out"
if [ "$took" -le 15 ]; then ok "the probe's own deadline holds (${took}s)"; else not_ok "the probe's own deadline holds" "took ${took}s"; fi

#!/bin/sh
# Roles and grants (issue 15 item 2). The source is as Railway gives it: the
# connecting user is a superuser; the application has more roles (an app
# user, a read-only user in a readers group, a migrations user owning the
# schema). The target is as RDS gives it: the user owns the database, may
# create roles (CREATEROLE) and is no superuser. After the copy, pg_dump
# --schema-only WITH owners and privileges is identical on both sides, each
# role logs in with its old password, and a SUPERUSER/REPLICATION role is
# named before anything is written. A source user that may not read
# pg_authid gets new passwords, written only to the file the config names.
. "$(dirname "$0")/../lib/testlib.sh"

pg_start src || exit 1
pg_start dst || exit 1

OWNER_PW=owner-Secret-pw1
pg_sql src postgres -c "CREATE ROLE railway LOGIN SUPERUSER PASSWORD '$OWNER_PW'" \
	-c "CREATE DATABASE shop OWNER railway" >/dev/null
pg_sql dst postgres -c "CREATE ROLE railway LOGIN CREATEROLE CREATEDB PASSWORD '$OWNER_PW'" \
	-c "CREATE DATABASE shop OWNER railway" >/dev/null

# as_railway NAME DB SQL…: SQL as the source's (or target's) own user.
as_railway() {
	eval "p=\$PORT_$1"
	db=$2; shift 2
	PGPASSWORD=$OWNER_PW psql -X -h 127.0.0.1 -p "$p" -U railway -d "$db" -qAt -v ON_ERROR_STOP=1 "$@"
}

# login NAME DB ROLE PASSWORD: "yes" when ROLE logs in over TCP with PASSWORD.
login() {
	eval "p=\$PORT_$1"
	PGPASSWORD=$4 psql -X -h 127.0.0.1 -p "$p" -U "$3" -d "$2" -qAt -c "SELECT 'yes'" 2>/dev/null || echo no
}

# The roles: an app user, a read-only user (in a readers group), a migrations
# user that owns the schema, and an operator no RDS role can equal.
as_railway src shop <<'SQL' >/dev/null || { not_ok "the roles fixture loads"; exit 1; }
CREATE ROLE app_rw LOGIN PASSWORD 'rw-Password-1';
CREATE ROLE readers NOLOGIN;
CREATE ROLE app_ro LOGIN PASSWORD 'ro-Password-2' CONNECTION LIMIT 5 IN ROLE readers;
CREATE ROLE migrator LOGIN PASSWORD 'mig-Password-3' CREATEDB;
CREATE ROLE ops LOGIN SUPERUSER REPLICATION PASSWORD 'ops-Password-4';
GRANT CREATE ON DATABASE shop TO migrator;
ALTER ROLE app_ro SET statement_timeout = '5s';
ALTER ROLE app_rw IN DATABASE shop SET search_path = shop, "$user", "Odd ""name""", public;
ALTER ROLE migrator SET lock_timeout = '3s';
REVOKE CONNECT, TEMPORARY ON DATABASE shop FROM PUBLIC;
GRANT CONNECT ON DATABASE shop TO app_rw, readers, migrator, ops;

CREATE SCHEMA shop AUTHORIZATION migrator;
SET ROLE migrator;
ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT SELECT ON TABLES TO readers;
ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT USAGE ON SEQUENCES TO app_rw;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
CREATE TYPE shop.state AS ENUM ('new', 'paid');
CREATE TABLE shop.orders (id bigserial PRIMARY KEY, state shop.state NOT NULL DEFAULT 'new', total numeric);
CREATE TABLE shop.customers (id int PRIMARY KEY, name text, email text, secret_note text);
CREATE FUNCTION shop.order_count() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM shop.orders';
CREATE PROCEDURE shop.close_all() LANGUAGE sql AS 'UPDATE shop.orders SET state = ''paid''';
GRANT USAGE ON SCHEMA shop TO app_rw, readers;
GRANT SELECT, INSERT, UPDATE, DELETE ON shop.orders TO app_rw WITH GRANT OPTION;
GRANT EXECUTE ON FUNCTION shop.order_count() TO app_rw, readers;
GRANT EXECUTE ON PROCEDURE shop.close_all() TO app_rw;
GRANT USAGE ON TYPE shop.state TO app_rw;
GRANT SELECT (id, name), UPDATE (email) ON shop.customers TO app_rw;
REVOKE SELECT ON shop.customers FROM readers;
GRANT SELECT (id, name) ON shop.customers TO readers;
INSERT INTO shop.orders (total) SELECT g FROM generate_series(1, 20) g;
INSERT INTO shop.customers VALUES (1, 'Ann', 'ann@example.com', 'vip');
RESET ROLE;
SET ROLE app_rw;
GRANT SELECT ON shop.orders TO app_ro;
RESET ROLE;

CREATE TABLE public.audit (at timestamptz DEFAULT now(), what text);
GRANT INSERT ON public.audit TO app_rw;
GRANT SELECT ON public.audit TO ops;
CREATE TABLE public.report (id int);
ALTER TABLE public.report OWNER TO app_ro;
SELECT lo_from_bytea(7001, 'receipt');
ALTER LARGE OBJECT 7001 OWNER TO app_rw;
GRANT SELECT ON LARGE OBJECT 7001 TO app_ro;
SQL

cat >"$T_TMP/shop.ini" <<EOF
[source]
url = postgresql://railway:$OWNER_PW@127.0.0.1:$PORT_src/shop?sslmode=disable

[target]
url = postgresql://railway:$OWNER_PW@127.0.0.1:$PORT_dst/shop?sslmode=disable
sslmode = disable

[migrate]
schema = copy
data = copy
EOF
chmod 600 "$T_TMP/shop.ini"

# dump NAME DB: the schema with owners and privileges, as pg_dump prints it.


# --- a role RDS cannot equal is named before anything is written ------------
"$RDSM_BIN" -c "$T_TMP/shop.ini" --plain source schema data verify </dev/null >"$T_TMP/shop0.out" 2>&1
expect_eq "a SUPERUSER role stops the run without a confirmation" 1 $?
expect_match "the source step names the role and what RDS cannot give it" \
	"^\\[source\\] warning: role ops: not copied: made without SUPERUSER, REPLICATION" "$T_TMP/shop0.out"
expect_match "the source step names the roles it will make, with their passwords" \
	"^\\[source\\] info: roles: app_ro, app_rw, migrator, ops, readers: made on the target .* and their passwords" "$T_TMP/shop0.out"
expect_no_match "the source step no longer calls privileges uncopyable" \
	"GRANTs, default privileges and owners" "$T_TMP/shop0.out"
expect_eq "no role is made before the confirmation" 0 \
	"$(pg_sql dst postgres -c "SELECT count(*) FROM pg_roles WHERE rolname IN ('app_rw', 'app_ro', 'readers', 'migrator', 'ops')")"
expect_eq "no table is made before the confirmation" f \
	"$(pg_sql dst shop -c "SELECT to_regclass('shop.orders') IS NOT NULL")"

# --- confirmed: roles, owners, privileges and default privileges arrive -----
"$RDSM_BIN" -c "$T_TMP/shop.ini" --plain --yes source schema data verify >"$T_TMP/shop.out" 2>&1
rc=$?
expect_eq "once confirmed the copy ends incomplete (exit 3): the operator is not a superuser" 3 $rc
[ $rc -eq 3 ] || sed 's/^/#   | /' "$T_TMP/shop.out" | grep -v 'rows, ' | tail -30
expect_match "the schema step counts the role as left out" "^\\[schema\\] incomplete: 1 object" "$T_TMP/shop.out"
expect_no_match "no statement fails or is skipped with a warning" "warning: (privileges|owner|membership|default privileges|role (app_r[ow]|readers|migrator))" "$T_TMP/shop.out"
expect_no_string "no password is printed" "rw-Password-1" "$T_TMP/shop.out"
expect_no_string "no password verifier is printed" "SCRAM-SHA-256" "$T_TMP/shop.out"
dump src shop >"$T_TMP/shop.src.sql"
dump dst shop >"$T_TMP/shop.dst.sql"
same "pg_dump --schema-only with owners and privileges is identical on both sides" \
	"$T_TMP/shop.src.sql" "$T_TMP/shop.dst.sql"
expect_eq "the dump compared holds owners, grants, column grants and default privileges" yes "$(
	grep -qF 'OWNER TO migrator' "$T_TMP/shop.src.sql" &&
	grep -qF 'GRANT UPDATE(email) ON TABLE shop.customers TO app_rw' "$T_TMP/shop.src.sql" &&
	grep -q 'ALTER DEFAULT PRIVILEGES FOR ROLE migrator' "$T_TMP/shop.src.sql" &&
	grep -q 'GRANT SELECT ON TABLE shop.orders TO app_ro' "$T_TMP/shop.src.sql" && echo yes || echo no)"
for r in app_rw:rw-Password-1 app_ro:ro-Password-2 migrator:mig-Password-3 ops:ops-Password-4; do
	expect_eq "role ${r%%:*} logs in on the target with its old password" yes \
		"$(login dst shop "${r%%:*}" "${r#*:}")"
done
expect_eq "attributes RDS allows are kept (login, CREATEDB, connection limit)" \
	"app_ro t f 5|migrator t t -1|ops t f -1|readers f f -1" \
	"$(pg_sql dst postgres -c "SELECT string_agg(format('%s %s %s %s', rolname, rolcanlogin, rolcreatedb, rolconnlimit), '|' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('app_ro', 'migrator', 'ops', 'readers')")"
expect_eq "no role is a superuser, replicates or bypasses RLS on the target" 0 \
	"$(pg_sql dst postgres -c "SELECT count(*) FROM pg_roles WHERE rolname IN ('app_rw', 'app_ro', 'readers', 'migrator', 'ops') AND (rolsuper OR rolreplication OR rolbypassrls)")"
expect_eq "the database's own privileges are the source's (CONNECT only for the app's roles)" \
	"$(pg_sql src postgres -c "SELECT datacl FROM pg_database WHERE datname = 'shop'")" \
	"$(pg_sql dst postgres -c "SELECT datacl FROM pg_database WHERE datname = 'shop'")"
expect_eq "the database's privileges were changed on the source (the check means something)" f \
	"$(pg_sql src postgres -c "SELECT has_database_privilege('public', 'shop', 'CONNECT')" 2>/dev/null || echo f)"
settings() { # NAME: the roles' settings, for all databases or shop
	pg_sql "$1" postgres -c "SELECT r.rolname || ' ' || (d.setdatabase <> 0) || ' ' || d.setconfig::text
		FROM pg_db_role_setting d JOIN pg_roles r ON r.oid = d.setrole
		WHERE r.rolname IN ('app_rw', 'app_ro', 'migrator') ORDER BY 1"
}
expect_eq "the roles' settings are the source's (this database's for app_rw)" "$(settings src)" "$(settings dst)"
expect_eq "the settings compared are there" 3 "$(settings dst | wc -l)"
expect_eq "app_ro is in the readers group" t \
	"$(pg_sql dst postgres -c "SELECT pg_has_role('app_ro', 'readers', 'MEMBER')")"
expect_eq "the large object keeps its owner and grant" \
	"$(pg_sql src shop -c "SELECT lomowner::regrole || ' ' || lomacl::text FROM pg_largeobject_metadata WHERE oid = 7001")" \
	"$(pg_sql dst shop -c "SELECT lomowner::regrole || ' ' || lomacl::text FROM pg_largeobject_metadata WHERE oid = 7001")"
# the privileges work: the read-only user reads what it may, and no more
expect_eq "the read-only user reads orders on the target" 20 \
	"$(PGPASSWORD=ro-Password-2 psql -X -h 127.0.0.1 -p "$PORT_dst" -U app_ro -d shop -qAt -c 'SELECT count(*) FROM shop.orders')"
expect_match "the read-only user may not read a customer's note" "permission denied" "$(
	PGPASSWORD=ro-Password-2 psql -X -h 127.0.0.1 -p "$PORT_dst" -U app_ro -d shop -qAt \
		-c 'SELECT secret_note FROM shop.customers' >"$T_TMP/ro.err" 2>&1; echo "$T_TMP/ro.err")"
expect_eq "a table the migrations user makes later gets the default privileges" t "$(
	PGPASSWORD=mig-Password-3 psql -X -h 127.0.0.1 -p "$PORT_dst" -U migrator -d shop -qAt \
		-c 'CREATE TABLE shop.later (id int)' -c "SELECT has_table_privilege('app_ro', 'shop.later', 'SELECT')")"

# a second run finds the roles there and changes nothing
"$RDSM_BIN" -c "$T_TMP/shop.ini" --plain --yes --force schema data verify >"$T_TMP/shop2.out" 2>&1
expect_eq "a second run ends as the first (exit 3)" 3 $?
expect_match "the second run keeps the roles it finds" "roles: already on the target, kept as they are: app_ro, app_rw, migrator, ops, readers" "$T_TMP/shop2.out"
pg_sql dst shop -c "DROP TABLE shop.later" >/dev/null
dump dst shop >"$T_TMP/shop.dst2.sql"
same "after a second run the dumps are still identical" "$T_TMP/shop.src.sql" "$T_TMP/shop.dst2.sql"

# --- a source user that may not read pg_authid: new passwords -----------------
newdb src notes
newdb dst notes
app_sql src notes <<'SQL' >/dev/null
CREATE TABLE public.notes (id int PRIMARY KEY, body text);
INSERT INTO public.notes VALUES (1, 'a');
SQL
pg_sql src notes -c "CREATE ROLE reporter LOGIN PASSWORD 'reporter-Old-pw'" \
	-c "CREATE ROLE auditor LOGIN PASSWORD 'auditor-Old-pw'" >/dev/null
app_sql src notes -c "GRANT SELECT ON public.notes TO reporter" -c "GRANT SELECT (id) ON public.notes TO auditor" >/dev/null
pg_sql dst postgres -c "ALTER ROLE app CREATEROLE" >/dev/null
mkdir -p "$T_TMP/notes"
cat >"$T_TMP/notes/config.ini" <<EOF
[source]
url = $(pg_url src notes)
[target]
url = $(pg_url dst notes)
sslmode = disable
[migrate]
role_passwords = $T_TMP/notes/role-passwords
EOF
chmod 600 "$T_TMP/notes/config.ini"
"$RDSM_BIN" -c "$T_TMP/notes/config.ini" --plain schema data verify >"$T_TMP/notes.out" 2>&1
expect_eq "without pg_authid the copy succeeds" 0 $?
expect_match "the new passwords are said to be in the file named" \
	"2 roles made with new passwords .*: written to $T_TMP/notes/role-passwords \\(mode 0600\\)" "$T_TMP/notes.out"
expect_eq "the password file has mode 0600" 600 "$(stat -c %a "$T_TMP/notes/role-passwords")"
expect_eq "the password file holds one .pgpass line per role" \
	"127.0.0.1:$PORT_dst:notes:auditor 127.0.0.1:$PORT_dst:notes:reporter" \
	"$(cut -d: -f1-4 "$T_TMP/notes/role-passwords" | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "reporter logs in with the password from the file (PGPASSFILE)" 1 "$(
	PGPASSFILE="$T_TMP/notes/role-passwords" psql -X -w -h 127.0.0.1 -p "$PORT_dst" -U reporter -d notes -qAt -c 'SELECT count(*) FROM public.notes' 2>&1)"
while IFS=: read -r _ _ _ _ pw; do
	expect_no_string "a new password is not printed" "$pw" "$T_TMP/notes.out"
done <"$T_TMP/notes/role-passwords"
dump src notes >"$T_TMP/notes.src.sql"
dump dst notes >"$T_TMP/notes.dst.sql"
same "the grants to the new roles are identical" "$T_TMP/notes.src.sql" "$T_TMP/notes.dst.sql"

# without role_passwords: no password is made up, and the roles are named
newdb src notes2
newdb dst notes2
app_sql src notes2 -c "CREATE TABLE public.n (id int)" >/dev/null
pg_sql src notes2 -c "CREATE ROLE viewer LOGIN PASSWORD 'viewer-Old-pw'" >/dev/null
app_sql src notes2 -c "GRANT SELECT ON public.n TO viewer" >/dev/null
mkdir -p "$T_TMP/notes2"
sed -e 's/notes/notes2/g' -e '/role_passwords/d' "$T_TMP/notes/config.ini" >"$T_TMP/notes2/config.ini"
chmod 600 "$T_TMP/notes2/config.ini"
"$RDSM_BIN" -c "$T_TMP/notes2/config.ini" --plain schema data verify >"$T_TMP/notes2.out" 2>&1
expect_eq "without a password file the copy ends incomplete" 3 $?
expect_match "the role made without a password is named, with what to do" \
	"warning: role viewer: made without a password: .*role_passwords" "$T_TMP/notes2.out"
expect_eq "the role has its grant but no password" "true false" \
	"$(pg_sql dst notes2 -c "SELECT has_table_privilege('viewer', 'public.n', 'SELECT')::text || ' ' || (rolpassword IS NOT NULL)::text FROM pg_authid WHERE rolname = 'viewer'")"

# --- a target user that may not create roles ----------------------------------
newdb src plain
newdb dst plain
app_sql src plain -c "CREATE TABLE public.p (id int)" >/dev/null
pg_sql src plain -c "CREATE ROLE guest NOLOGIN" >/dev/null
app_sql src plain -c "GRANT SELECT ON public.p TO guest" >/dev/null
pg_sql dst postgres -c "ALTER ROLE app NOCREATEROLE" >/dev/null
mkdir -p "$T_TMP/plain"
sed -e 's/notes2/plain/g' "$T_TMP/notes2/config.ini" >"$T_TMP/plain/config.ini"
chmod 600 "$T_TMP/plain/config.ini"
"$RDSM_BIN" -c "$T_TMP/plain/config.ini" --plain schema data verify >"$T_TMP/plain.out" 2>&1
expect_eq "a target user without CREATEROLE: the copy ends incomplete" 3 $?
expect_match "the role is named as not made, with the reason" \
	"warning: role guest: not copied: the target user may not create roles" "$T_TMP/plain.out"
expect_eq "the table arrives without the grant" "t" \
	"$(pg_sql dst plain -c "SELECT to_regclass('public.p') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'guest')")"

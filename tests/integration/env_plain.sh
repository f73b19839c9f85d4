#!/bin/sh
# `rds-migrate --plain env` writes DATABASE_URL into the .env (bytes, mode,
# backup, symlink, idempotence, a URL libpq connects with), and
# `--check-config` prints every bad value with its rule and exits 1.
. "$(dirname "$0")/../lib/testlib.sh"

W="$T_TMP/app"
mkdir -p "$W"
cd "$W" || exit 1

# A real server and a role whose password holds every awkward character.
PW='p%:@/#?&w 비번'
PW_ENC='p%25%3A%40%2F%23%3F%26w%20%EB%B9%84%EB%B2%88'
if pg_start env; then
	pg_sql env postgres -c "CREATE ROLE app2 LOGIN PASSWORD '$PW'" -c "CREATE DATABASE appdb OWNER app2" >/dev/null
	PORT=$PORT_env
	have_pg=1
else
	not_ok env_pg_start "cannot start PostgreSQL"
	PORT=5432
	have_pg=0
fi

printf '%s\n' '-----BEGIN CERTIFICATE-----' >ca.pem
cat >config.ini <<EOF2
[target]
url = postgresql://app2:$PW_ENC@127.0.0.1:$PORT/appdb?sslmode=disable
hostaddr = 127.0.0.1
sslrootcert = ca.pem

[env]
file = .env
key = DATABASE_URL
EOF2
chmod 600 config.ini

# An existing .env full of awkward lines, readable by others.
printf '# app settings — 설정\n\nexport SECRET_KEY='"'"'abc#def'"'"' # keep\nDATABASE_URL_OLD=x\r\n  DATABASE_URL = "postgres://old"   # live\nMULTI="a\nDATABASE_URL=inside-quotes\nb"\nLAST=no-newline' >.env
chmod 644 .env
cp .env before.env

URL="postgresql://app2:$PW_ENC@127.0.0.1:$PORT/appdb?sslmode=disable&sslrootcert=$(printf '%s' "$W/ca.pem" | sed 's|/|%2F|g')"
printf '# app settings — 설정\n\nexport SECRET_KEY='"'"'abc#def'"'"' # keep\nDATABASE_URL_OLD=x\r\n  DATABASE_URL = "%s"   # live\nMULTI="a\nDATABASE_URL=inside-quotes\nb"\nLAST=no-newline' "$URL" >want.env

"$RDSM_BIN" -c config.ini --plain env >out.txt 2>&1
expect_eq env_plain_exit_0 0 $?
if cmp -s .env want.env; then ok env_plain_file_bytes; else
	not_ok env_plain_file_bytes "file differs"; diff want.env .env | sed 's/^/#   /'; fi
expect_eq env_plain_mode_0600 600 "$(stat -c %a .env)"
if cmp -s .env.bak before.env; then ok env_plain_backup_is_old_file; else not_ok env_plain_backup_is_old_file; fi
expect_eq env_plain_backup_mode_0600 600 "$(stat -c %a .env.bak)"
expect_match env_plain_reports_path "$W/.env" out.txt
expect_match env_plain_reports_masked_url 'postgresql://app2:\*\*\*\*@127\.0\.0\.1' out.txt
expect_no_match env_plain_no_password_encoded "$PW_ENC" out.txt
expect_no_match env_plain_no_password_plain 'p%:@' out.txt
expect_no_match env_plain_no_hostaddr hostaddr .env
ls -a | grep -q '^\.\.env\.tmp' && not_ok env_plain_no_temp_left || ok env_plain_no_temp_left

# The URL written is one libpq connects with (password decoded correctly).
if [ "$have_pg" = 1 ]; then
	got=$(psql "$URL" -XqAt -c 'select current_user' 2>&1)
	expect_eq env_plain_url_connects app2 "$got"
fi

# Again: unchanged, no new backup.
rm -f .env.bak
"$RDSM_BIN" -c config.ini --plain env >out2.txt 2>&1
expect_eq env_plain_rerun_exit_0 0 $?
expect_match env_plain_rerun_unchanged 'unchanged' out2.txt
[ -e .env.bak ] && not_ok env_plain_rerun_no_backup_churn || ok env_plain_rerun_no_backup_churn
cmp -s .env want.env && ok env_plain_rerun_same_bytes || not_ok env_plain_rerun_same_bytes

# A symlinked .env: the link is kept, its target written.
mkdir -p shared
printf 'A=1\n' >shared/real.env
ln -s shared/real.env link.env
sed 's|^file = .env|file = link.env|' config.ini >link.ini
chmod 600 link.ini
"$RDSM_BIN" -c link.ini --plain env >out3.txt 2>&1
expect_eq env_plain_symlink_exit_0 0 $?
[ -L link.env ] && ok env_plain_symlink_kept || not_ok env_plain_symlink_kept
# a new line is single-quoted: the URL's & would break a shell sourcing the file
printf "A=1\nDATABASE_URL='%s'\n" "$URL" >want3.env
if cmp -s shared/real.env want3.env; then ok env_plain_symlink_target_written; else not_ok env_plain_symlink_target_written; diff want3.env shared/real.env | sed "s/^/#   /"; cat out3.txt | sed "s/^/#   /"; fi
expect_eq env_plain_symlink_backup "A=1" "$(cat shared/real.env.bak)"

# A .env link that another user planted (or that points at another user's
# file) is not followed: refused, the path named, the target untouched.
if [ "$(id -u)" -eq 0 ]; then
	printf 'VICTIM=1\n' >victim.env
	chmod 644 victim.env
	ln -s victim.env theirs.env
	chown -h nobody theirs.env
	sed 's|^file = .env|file = theirs.env|' config.ini >theirs.ini
	chmod 600 theirs.ini
	"$RDSM_BIN" -c theirs.ini --plain env >out3b.txt 2>&1
	expect_eq env_plain_foreign_symlink_exit_1 1 $?
	expect_match env_plain_foreign_symlink_named 'FAILED: .*theirs\.env is a symbolic link that belongs to uid [0-9]+' out3b.txt
	expect_eq env_plain_foreign_symlink_target_untouched "VICTIM=1 644" "$(cat victim.env) $(stat -c %a victim.env)"
	printf 'OTHER=1\n' >other.env
	chown nobody other.env
	chmod 644 other.env
	ln -s other.env mine.env
	sed 's|^file = .env|file = mine.env|' config.ini >mine.ini
	chmod 600 mine.ini
	"$RDSM_BIN" -c mine.ini --plain env >out3c.txt 2>&1
	expect_eq env_plain_link_to_foreign_file_exit_1 1 $?
	expect_match env_plain_link_to_foreign_file_named 'FAILED: .*mine\.env is a symbolic link to .*other\.env, which belongs to uid' out3c.txt
	expect_eq env_plain_link_to_foreign_file_untouched "OTHER=1 644" "$(cat other.env) $(stat -c %a other.env)"
fi

# env_on NAME TEXT: the env step on a .env NAME.env holding TEXT (config
# NAME.ini, output out-NAME.txt); sets RC. sourced NAME: DATABASE_URL as a
# POSIX shell reads NAME.env with set -a; . ./NAME.env.
env_on() {
	printf "$2" >"$1.env"
	sed "s|^file = .env|file = $1.env|" config.ini >"$1.ini"
	chmod 600 "$1.ini"
	"$RDSM_BIN" -c "$1.ini" --plain env >"out-$1.txt" 2>&1
	RC=$?
}
sourced() { sh -c "set -a; . ./$1.env; printf %s \"\$DATABASE_URL\"" 2>/dev/null; }

# An unquoted "export DATABASE_URL=…" line: the file is sourced by a shell,
# so the new value (it holds &) is quoted and the shell reads it back whole.
env_on shell 'export DATABASE_URL=postgres://old\n'
expect_eq env_plain_export_line_exit_0 0 "$RC"
expect_eq env_plain_export_line_sourced_by_sh "$URL" "$(sourced shell)"

# A plain "DATABASE_URL=…" line, unquoted: every reader the README promises
# reads the new value (it holds &) whole, so it is quoted here too: a POSIX
# shell (set -a; . ./.env) and python-dotenv (Debian's python3-dotenv).
env_on plainline 'OTHER=1\nDATABASE_URL=postgres://old\n'
expect_eq env_plain_plain_line_exit_0 0 "$RC"
expect_eq env_plain_plain_line_sourced_by_sh "$URL" "$(sourced plainline)"
expect_eq env_plain_plain_line_read_by_python_dotenv "$URL" "$(/usr/bin/python3 -c '
import sys
from dotenv import dotenv_values
sys.stdout.write(dotenv_values("plainline.env")["DATABASE_URL"])' 2>&1)"
expect_eq env_plain_plain_line_other_lines_kept "OTHER=1" "$(head -n 1 plainline.env)"

# A dangling .env link into a directory that does not exist: refused, exit 1
# (and nothing leaks: make test-asan runs this too).
ln -s nosuchdir/real.env dangling.env
sed 's|^file = .env|file = dangling.env|' config.ini >dangling.ini
chmod 600 dangling.ini
"$RDSM_BIN" -c dangling.ini --plain env >out3d.txt 2>&1
expect_eq env_plain_dangling_symlink_exit_1 1 $?
expect_match env_plain_dangling_symlink_message 'FAILED: .*dangling\.env' out3d.txt

# A .env that is a directory: refused, exit 1, the rule said.
mkdir dir.env
sed 's|^file = .env|file = dir.env|' config.ini >dir.ini
chmod 600 dir.ini
"$RDSM_BIN" -c dir.ini --plain env >out4.txt 2>&1
expect_eq env_plain_directory_exit_1 1 $?
expect_match env_plain_directory_message 'env\.file.*is a directory' out4.txt

# A .env in a directory we cannot write: exit 1, old file intact (as nobody when root).
mkdir ro
printf 'DATABASE_URL=old\n' >ro/.env
chmod 644 ro/.env
sed 's|^file = .env|file = ro/.env|' config.ini >ro.ini
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$T_TMP" "$W" ro
	chmod 644 ro.ini ca.pem
	# nobody may not reach the build through the clone's parents (a clone in
	# a mode-700 directory): run a copy of the binary from the test's own dir.
	install -m 0755 "$RDSM_BIN" "$T_TMP/rds-migrate-nobody"
	runuser -u nobody -- "$T_TMP/rds-migrate-nobody" -c ro.ini --plain env >out5.txt 2>&1
	rc=$?
else
	chmod 555 ro
	"$RDSM_BIN" -c ro.ini --plain env >out5.txt 2>&1
	rc=$?
	chmod 755 ro
fi
expect_eq env_plain_unwritable_exit_1 1 "$rc"
expect_match env_plain_unwritable_message 'not changed' out5.txt
expect_eq env_plain_unwritable_old_intact "DATABASE_URL=old" "$(cat ro/.env)"
expect_no_match env_plain_unwritable_no_password "$PW_ENC" out5.txt

# verify-full with no CA named: the cached RDS CA bundle's absolute path is
# written (no download: the bundle URL points nowhere).
mkdir -p home/.cache/rds-migrate
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=test-ca -days 2 -keyout home/ca.key \
	-out home/.cache/rds-migrate/global-bundle.pem >/dev/null 2>&1
printf '[target]\nurl = postgresql://app:pw@db.example.com:5432/appdb\n[env]\nfile = ca.env\n' >ca.ini
chmod 600 ca.ini
env -u XDG_CACHE_HOME HOME="$W/home" RDSM_RDS_CA_URL="file://$T_TMP/none.pem" \
	"$RDSM_BIN" -c ca.ini --plain env >out6.txt 2>&1
rc=$?
expect_eq env_plain_cached_bundle_exit_0 0 "$rc"
expect_match env_plain_cached_bundle_path "sslmode=verify-full&sslrootcert=$(printf '%s' "$W/home/.cache/rds-migrate/global-bundle.pem" | sed 's|/|%2F|g')'\$" ca.env

# --check-config: one line per problem (key, value, rule), secrets masked, exit 1.
cat >bad.ini <<'EOF2'
[instance]
identifier = 1abc
master_user = admin
master_password = password
storage_type = io1
storage_gb = 20
backup_retention_days = 40
class = t3.micro
[aws]
region = us-est-1
[network]
port = 80
allow = 203.0.113.5/24
[target]
sslmode = verify_full
url = postgresql://u:Topsecret%zz@h/db
[migrate]
jobs = 64
exclude_tables = audit_log
[env]
key = database_url
EOF2
chmod 600 bad.ini
"$RDSM_BIN" -c bad.ini --check-config >check.txt 2>&1
expect_eq check_config_exit_1 1 $?
expect_match check_identifier '^instance\.identifier = "1abc": must start with a letter' check.txt
expect_match check_master_user '^instance\.master_user = "admin": .*reserved by RDS' check.txt
expect_match check_password_masked '^instance\.master_password = "\*+": a well-known password' check.txt
expect_match check_storage '^instance\.storage_gb = "20": io1 storage must be a whole number of GiB from 100 to 65536' check.txt
expect_match check_backup '^instance\.backup_retention_days = "40": .*from 0 to 35' check.txt
expect_match check_class '^instance\.class = "t3\.micro": not an instance class' check.txt
expect_match check_region '^aws\.region = "us-est-1": not a region name' check.txt
expect_match check_port '^network\.port = "80": .*1150 to 65535' check.txt
expect_match check_allow '^network\.allow = "203\.0\.113\.5/24": host bits are set: the network is 203\.0\.113\.0/24' check.txt
expect_match check_sslmode '^target\.sslmode = "verify_full": must be disable, allow' check.txt
expect_match check_url '^target\.url = .*two hex digits' check.txt
expect_match check_jobs '^migrate\.jobs = "64": .*1 to 32' check.txt
expect_match check_exclude '^migrate\.exclude_tables = "audit_log": each name must be schema\.table' check.txt
expect_match check_env_key '^env\.key = "database_url": .*\[A-Z_\]\[A-Z0-9_\]\*' check.txt
expect_no_match check_no_secret 'Topsecret|= "password"' check.txt

printf '[instance]\nidentifier = yousync-db\n' >good.ini
"$RDSM_BIN" -c good.ini --check-config >good.txt 2>&1
expect_eq check_config_good_exit_0 0 $?

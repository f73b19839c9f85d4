# testlib.sh — sourced by the shell test scripts. Reporting, temp dirs, and the
# real servers the tests need: PostgreSQL clusters (run as user postgres when we
# are root, since the server refuses root) and moto_server for the AWS API.
# Every server started here is stopped by the EXIT trap.

ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
RDSM_BIN=${RDSM_BIN:-$ROOT/$BUILD/rds-migrate}
RESULTS=${RESULTS:-/dev/null}
FIXTURES=${FIXTURES:-$ROOT/tests/fixtures}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
export PATH="$PGBIN:$PATH"

T_TMP=$(mktemp -d /tmp/rdsm-test.XXXXXX)
chmod 0755 "$T_TMP"
T_CLEANUP=""
t_cleanup() {
	for c in $T_CLEANUP; do eval "$c" >/dev/null 2>&1; done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# ok NAME / not_ok NAME [WHY]: record one test case.
ok() { echo "ok $*" | tee -a "$RESULTS"; }
not_ok() {
	local n
	n=$1; shift
	echo "not ok $n" | tee -a "$RESULTS"
	[ $# -gt 0 ] && echo "#   $*"
	return 0
}
# check NAME CMD…: ok when CMD exits 0.
check() {
	local n
	n=$1; shift
	if "$@"; then ok "$n"; else not_ok "$n" "command failed: $*"; fi
}
# expect_eq NAME WANT GOT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "want [$2] got [$3]"; fi
}
# expect_match NAME PATTERN FILE: ok when grep -E finds PATTERN in FILE.
expect_match() {
	if grep -Eq -- "$2" "$3"; then ok "$1"; else
		not_ok "$1" "no match for /$2/ in $3"; sed 's/^/#   | /' "$3" | head -40; fi
}
# expect_no_string NAME STRING FILE: ok when FILE does not hold STRING (as is,
# not a pattern: a generated password holds | . ( and the like).
expect_no_string() {
	if grep -Fq -- "$2" "$3"; then not_ok "$1" "unexpected string in $3"; else ok "$1"; fi
}
expect_no_match() {
	if grep -Eq -- "$2" "$3"; then not_ok "$1" "unexpected /$2/ in $3"; sed 's/^/#   | /' "$3" | head -40; else ok "$1"; fi
}

# free_port: a TCP port nobody listens on.
free_port() {
	python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

as_pg() { # run a command as the postgres user when root
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start NAME [extra postgresql.conf lines…]: a fresh cluster on a free
# port; sets PORT_<NAME> and DIR_<NAME>. Superuser "postgres", password auth
# over TCP for the role "app" (password "app-secret-pw"), trust on the socket.
pg_start() {
	local name dir port
	name=$1; shift
	dir="$T_TMP/pg-$name"
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir" "$T_TMP"
	port=$(free_port)
	as_pg initdb -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
		-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
	{
		echo "port = $port"
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$dir'"
		echo "fsync = off"
		echo "synchronous_commit = off"
		echo "full_page_writes = off"
		echo "max_connections = 50"
		for l in "$@"; do echo "$l"; done
	} >>"$dir/data/postgresql.conf"
	as_pg pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{ cat "$dir/server.log"; return 1; }
	T_CLEANUP="$T_CLEANUP as_pg_stop_$name"
	eval "as_pg_stop_$name() { as_pg pg_ctl -D '$dir/data' -m immediate stop; }"
	eval "PORT_$name=$port; DIR_$name='$dir'"
	psql -h "$dir" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
		-c "CREATE ROLE app LOGIN PASSWORD 'app-secret-pw' CREATEDB" >/dev/null
}

# A pg_start line that preloads pg_stat_statements (as Railway's servers and
# RDS's default parameter group do); the compare step's tests pass it.
PG_STAT_STATEMENTS="shared_preload_libraries = 'pg_stat_statements'"

# pg_sql NAME DB SQL…: run SQL as the superuser on cluster NAME.
pg_sql() {
	local p d db
	eval "p=\$PORT_$1; d=\$DIR_$1"
	db=$2; shift 2
	psql -X -h "$d" -p "$p" -U postgres -d "$db" -qAt -v ON_ERROR_STOP=1 "$@"
}

# pg_url NAME DB [USER PASS]: a TCP URL for cluster NAME.
pg_url() {
	local p
	eval "p=\$PORT_$1"
	echo "postgresql://${3:-app}:${4:-app-secret-pw}@127.0.0.1:$p/$2?sslmode=disable"
}

# pg_load_sample NAME DB SCALE: the sample schema and data, owned by app.
pg_load_sample() {
	local p
	pg_sql "$1" postgres -c "CREATE DATABASE $2 OWNER app" &&
		eval "p=\$PORT_$1" &&
		PGPASSWORD=app-secret-pw psql -X -h 127.0.0.1 -p "$p" -U app -d "$2" -q -v ON_ERROR_STOP=1 \
			-f "$FIXTURES/app/schema.sql" >"$T_TMP/load-$2.log" 2>&1 &&
		PGPASSWORD=app-secret-pw psql -X -h 127.0.0.1 -p "$p" -U app -d "$2" -q -v ON_ERROR_STOP=1 \
			-v scale="${3:-1}" -f "$FIXTURES/app/data.sql" >>"$T_TMP/load-$2.log" 2>&1 ||
		{ cat "$T_TMP/load-$2.log" >&2; return 1; }
}

# moto_start: moto_server (found or installed by scripts/moto.sh, see `make
# test`) on a free loopback port; sets MOTO_URL and exports AWS_ENDPOINT_URL
# and test credentials. On failure MOTO_WHY says why in one line.
moto_start() {
	local i
	MOTO_BIN=$(sh "$ROOT/scripts/moto.sh" path) || {
		MOTO_WHY="moto_server is missing: \`make test\` installs it (scripts/moto.sh ensure), or put it on PATH"
		return 1
	}
	MOTO_PORT=$(free_port)
	"$MOTO_BIN" -H 127.0.0.1 -p "$MOTO_PORT" >"$T_TMP/moto.log" 2>&1 &
	MOTO_PID=$!
	T_CLEANUP="$T_CLEANUP kill_moto"
	kill_moto() { kill "$MOTO_PID"; }
	MOTO_URL="http://127.0.0.1:$MOTO_PORT"
	i=0
	until curl -s -o /dev/null "$MOTO_URL/moto-api/"; do
		i=$((i + 1))
		[ $i -gt 100 ] && {
			MOTO_WHY="$MOTO_BIN did not answer on $MOTO_URL within 20 s: $(tail -n 1 "$T_TMP/moto.log")"
			return 1
		}
		sleep 0.2
	done
	export AWS_ENDPOINT_URL="$MOTO_URL" AWS_EC2_METADATA_DISABLED=true
	# The Python beside moto_server has boto3 (moto's), for tests/lib/awsctl.py.
	MOTO_PY="$(dirname "$MOTO_BIN")/python"
	[ -x "$MOTO_PY" ] || MOTO_PY=python3
}

# awsctl CMD ARGS…: boto3 straight to moto, signed with $AK/$SK (tests/lib/awsctl.py).
awsctl() { MOTO_URL="$MOTO_URL" T_AK="${AK:-}" T_SK="${SK:-}" "$MOTO_PY" "$ROOT/tests/lib/awsctl.py" "$@"; }

# aws_start PREFIX USER: moto_server checking signatures after its first 3
# actions, a clean AWS environment (no AWS_* credentials or profile variables,
# HOME=$T_TMP/home with an empty ~/.aws), the IAM user USER (its key in AK and
# SK) and fakeaws in front of moto (FAKE). On failure: one "not ok PREFIX_…"
# saying what did not start, and 1.
aws_start() {
	local prefix
	prefix=$1
	export INITIAL_NO_AUTH_ACTION_COUNT=3
	moto_start || { not_ok "${prefix}_moto_server" "$MOTO_WHY"; return 1; }
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION \
		AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE SOURCE_DATABASE_URL \
		AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME \
		AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI
	export HOME="$T_TMP/home"
	mkdir -p "$HOME/.aws"
	set -- $(awsctl mkuser "$2") || true
	AK=${1:-} SK=${2:-}
	[ -n "$AK" ] || { not_ok "${prefix}_iam_user" "cannot create the IAM user in moto"; return 1; }
	fakeaws_start "$AK" "$SK" || { not_ok "${prefix}_fake_start" "fakeaws did not start"; return 1; }
}

# fakeaws_start AK SK: tests/tools/fakeaws.py in front of moto (engine
# versions, faults, IMDSv2, checkip); sets FAKE to its URL, FAKE_PORT its port.
fakeaws_start() {
	local i
	FAKE_PORT=$(free_port)
	python3 "$ROOT/tests/tools/fakeaws.py" "$FAKE_PORT" "$MOTO_URL" "$1" "$2" >"$T_TMP/fake.log" 2>&1 &
	FAKE_PID=$!
	T_CLEANUP="$T_CLEANUP kill_fake"
	kill_fake() { kill "$FAKE_PID"; }
	FAKE="http://127.0.0.1:$FAKE_PORT"
	i=0
	until curl -s -o /dev/null "$FAKE/checkip"; do
		i=$((i + 1)); [ $i -gt 50 ] && { cat "$T_TMP/fake.log"; return 1; }
		sleep 0.2
	done
}

# migrate_config [-s SOURCE_URL] [-j JOBS] NAME TARGET_URL [extra lines…]: a
# 0600 config in its own directory $T_TMP/NAME (its path is printed), from
# SOURCE_URL ($SRC_URL when not given) to TARGET_URL, sslmode disable, JOBS
# jobs (2; -j '' leaves the line out: the program's default); the extra lines
# go into [migrate].
migrate_config() {
	local cname src jobs o
	src=$SRC_URL jobs=2
	OPTIND=1
	while getopts s:j: o; do
		case $o in s) src=$OPTARG ;; j) jobs=$OPTARG ;; *) return 2 ;; esac
	done
	shift $((OPTIND - 1))
	cname=$1
	mkdir -p "$T_TMP/$cname"
	{
		echo "[source]"
		echo "url = $src"
		echo "[target]"
		echo "url = $2"
		echo "sslmode = disable"
		echo "[migrate]"
		[ -n "$jobs" ] && echo "jobs = $jobs"
		shift 2
		for l in "$@"; do echo "$l"; done
	} >"$T_TMP/$cname/config.ini"
	chmod 600 "$T_TMP/$cname/config.ini"
	echo "$T_TMP/$cname/config.ini"
}
# rdsm CONFIG OUT ARGS…: the plain front end in the foreground, output in OUT; sets RC.
rdsm() {
	cfg=$1 out=$2; shift 2
	timeout 120 "$RDSM_BIN" -c "$cfg" --plain "$@" >"$out" 2>&1
	RC=$?
}

# --- helpers the schema and fault tests share --------------------------------

# app_sql NAME DB SQL…: run SQL as the role app (not a superuser) over TCP.
app_sql() {
	eval "p=\$PORT_$1"
	db=$2; shift 2
	PGPASSWORD=app-secret-pw psql -X -h 127.0.0.1 -p "$p" -U app -d "$db" -qAt -v ON_ERROR_STOP=1 "$@"
}

# newdb NAME DB: a database owned by app.
newdb() { pg_sql "$1" postgres -c "CREATE DATABASE \"$2\" OWNER app"; }

# new_target DB: an empty database on dst owned by app (dropped first).
new_target() {
	pg_sql dst postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 OWNER app"
}

# dump NAME DB: the schema as pg_dump prints it, with owners and privileges,
# without comment and SET lines.
dump() {
	eval "p=\$PORT_$1; d=\$DIR_$1"
	pg_dump -h "$d" -p "$p" -U postgres --schema-only "$2" |
		grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' -e '^\\restrict' \
			-e '^\\unrestrict' | cat -s
}

# rowsums NAME DB: every table's row count and a checksum of its rows.
rowsums() {
	pg_sql "$1" "$2" -c "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1" >"$T_TMP/tables"
	while IFS= read -r t; do
		echo "$t $(pg_sql "$1" "$2" -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, '|'
			ORDER BY x::text)), '-') FROM $t x")"
	done <"$T_TMP/tables"
}

# same WHAT FILE_A FILE_B: ok when the files are identical, else the diff.
same() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		not_ok "$1" "differences (source < > target):"
		diff "$2" "$3" | head -60 | sed 's/^/#   /'
	fi
}

# port_of NAME FILE ERR: the port a proxy NAME started in the background
# prints to FILE (its stderr in ERR), once it does (at most 10 s).
port_of() {
	local i
	i=0
	until [ -s "$2" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "$1 did not start" >&2; cat "$3" >&2; return 1; }
		sleep 0.1
	done
	cat "$2"
}

# throttle_start NAME RATE: tests/tools/throttle_proxy.py in front of cluster
# NAME, RATE bytes/s per connection; sets PROXY_PORT. slow and fast switch it.
throttle_start() {
	THROTTLE_RATE=$2
	slow
	python3 "$ROOT/tests/tools/throttle_proxy.py" "$(eval "echo \$PORT_$1")" "$T_TMP/rate" \
		>"$T_TMP/proxy.port" 2>"$T_TMP/proxy.err" &
	PROXY_PID=$!
	T_CLEANUP="$T_CLEANUP kill_proxy"
	PROXY_PORT=$(port_of "the proxy" "$T_TMP/proxy.port" "$T_TMP/proxy.err") || return 1
}
kill_proxy() { kill "$PROXY_PID"; }
slow() { echo "$THROTTLE_RATE" >"$T_TMP/rate"; }
fast() { echo 0 >"$T_TMP/rate"; }

# farlink_start NAME RTT_MS RATE WINDOW: tests/tools/farlink (the benchmark's
# far link: round trip, RATE bytes/s shared, WINDOW bytes per connection) in
# front of cluster NAME; sets FAR_PORT.
farlink_start() {
	"$ROOT/$BUILD/tools/farlink" "$(eval "echo \$PORT_$1")" "$2" "$3" "$4" "$T_TMP/far.stats" \
		>"$T_TMP/far.port" 2>"$T_TMP/far.err" &
	FAR_PID=$!
	T_CLEANUP="$T_CLEANUP kill_farlink"
	FAR_PORT=$(port_of farlink "$T_TMP/far.port" "$T_TMP/far.err") || return 1
}
kill_farlink() { kill "$FAR_PID"; }

# silent_start SECONDS: a loopback port that accepts nothing and answers
# nothing (its backlog is full) for that long; sets SILENT_PORT.
silent_start() {
	python3 -c '
import socket, time, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
print(s.getsockname()[1], flush=True)
c = socket.create_connection(s.getsockname())  # fill the backlog
time.sleep(int(sys.argv[1]))' "$1" >"$T_TMP/silent.port" &
	SILENT=$!
	T_CLEANUP="$T_CLEANUP kill_silent"
	sleep 0.5
	SILENT_PORT=$(head -n 1 "$T_TMP/silent.port")
}
kill_silent() { kill "$SILENT"; }

# copy_running DB: whether a COPY of ours into DB is running on dst now.
copy_running() {
	n=$(pg_sql dst postgres -c "SELECT count(*) FROM pg_stat_activity
		WHERE datname = '$1' AND application_name LIKE 'rds-migrate%'
		AND state = 'active' AND query ILIKE 'COPY%'")
	[ "${n:-0}" -gt 0 ]
}

# wait_exit PID SECONDS: wait for the process to end; sets RC (124: it did
# not, and was killed) and TOOK (seconds, to a tenth).
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $(($2 * 10)) ]; then
			kill -9 "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			RC=124 TOOK=$2
			return
		fi
		# a zombie is done: reap it
		if grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; then break; fi
		sleep 0.1
	done
	wait "$1"
	RC=$?
	TOOK=$((i / 10)).$((i % 10))
}


# use_ko_locale: ko_KR.UTF-8 for the programs this test starts, compiled once
# into the build (localedef from the locales package; no system change:
# LOCPATH points the C library at it). Returns 1 when it cannot be made.
use_ko_locale() {
	LOCPATH="$ROOT/$BUILD/test-locale"
	if [ ! -f "$LOCPATH/ko_KR.UTF-8/LC_CTYPE" ]; then
		mkdir -p "$LOCPATH"
		localedef -i ko_KR -f UTF-8 "$LOCPATH/ko_KR.UTF-8" >"$T_TMP/localedef.log" 2>&1 ||
			{ cat "$T_TMP/localedef.log"; return 1; }
	fi
	export LOCPATH
}

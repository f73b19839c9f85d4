#!/bin/sh
# tls.sh — TLS for real (issue 6, item 3). A local CA and a server certificate
# for a fake RDS endpoint name, one PostgreSQL cluster whose TLS settings are
# switched by reload, and `rds-migrate --plain probe` through a tunnel
# (hostaddr = 127.0.0.1, TLS still checks the endpoint's name): verify-full
# succeeds; the wrong CA, the wrong name, a self-signed (Railway) server and a
# server without TLS each fail with their diagnosis and hint. Then the RDS CA
# bundle: downloaded once from a loopback server, checked, cached, reused.
# No network beyond loopback: RDSM_RDS_CA_URL always points at a local file or
# server, and XDG_CACHE_HOME at a temp directory.
. "$(dirname "$0")/../lib/testlib.sh"

RDS_NAME=yousync-db.abc123.ap-northeast-2.rds.amazonaws.com
OTHER_NAME=other-db.xyz789.us-east-1.rds.amazonaws.com
RAILWAY_NAME=monorail.proxy.rlwy.net
PW=app-secret-pw
TLS=$T_TMP/tls
mkdir -p "$TLS"
chmod 0755 "$TLS"
# Never the real AWS URL, whatever the code under test decides to fetch.
export RDSM_RDS_CA_URL="file://$T_TMP/no-such-bundle.pem"
export XDG_CACHE_HOME="$T_TMP/cache-default"

# --- certificates -------------------------------------------------------------

# make_ca NAME: a CA certificate TLS/NAME.crt with its key TLS/NAME.key.
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=rds-migrate test $1" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$TLS/$1.key" -out "$TLS/$1.crt" 2>>"$TLS/openssl.log"
}

# make_server NAME HOST CA: TLS/NAME.crt and .key for HOST, signed by CA, or
# self-signed when CA is "self" (what Railway serves). The key belongs to the
# server's user with mode 0600, as PostgreSQL demands.
make_server() {
	if [ "$3" = self ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-subj "/CN=$2" -addext "subjectAltName=DNS:$2" \
			-keyout "$TLS/$1.key" -out "$TLS/$1.crt" 2>>"$TLS/openssl.log" || return 1
	else
		printf '%s\n' "basicConstraints=CA:FALSE" \
			"keyUsage=critical,digitalSignature,keyEncipherment" \
			"extendedKeyUsage=serverAuth" "subjectAltName=DNS:$2" >"$TLS/$1.ext"
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-subj "/CN=$2" -keyout "$TLS/$1.key" -out "$TLS/$1.csr" 2>>"$TLS/openssl.log" &&
			openssl x509 -req -in "$TLS/$1.csr" -CA "$TLS/$3.crt" -CAkey "$TLS/$3.key" \
				-CAcreateserial -days 2 -extfile "$TLS/$1.ext" \
				-out "$TLS/$1.crt" 2>>"$TLS/openssl.log" || return 1
	fi
	chmod 0600 "$TLS/$1.key"
	[ "$(id -u)" -eq 0 ] && chown postgres "$TLS/$1.key" "$TLS/$1.crt"
	return 0
}

certs_ok=true
make_ca ca && make_ca otherca &&
	make_server rds "$RDS_NAME" ca &&
	make_server other "$OTHER_NAME" ca &&
	make_server railway "$RAILWAY_NAME" self || certs_ok=false
if $certs_ok && openssl verify -CAfile "$TLS/ca.crt" "$TLS/rds.crt" >/dev/null 2>&1; then
	ok "tls: openssl makes a CA and a server certificate for $RDS_NAME"
else
	not_ok "tls: openssl makes a CA and a server certificate for $RDS_NAME" "$(cat "$TLS/openssl.log")"
	exit 1
fi

# --- one cluster, TLS settings switched by reload ------------------------------

# use_server NAME|off: serve certificate NAME (or no TLS at all) from now on.
use_server() {
	local want got i
	if [ "$1" = off ]; then
		echo "ssl = off" >"$TLS/active.conf"
		want=off
	else
		printf "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\n" \
			"$TLS/$1.crt" "$TLS/$1.key" >"$TLS/active.conf"
		want="on $TLS/$1.crt"
	fi
	as_pg pg_ctl -D "$DIR_tls/data" reload >/dev/null
	i=0
	while :; do
		got=$(pg_sql tls postgres -F' ' -c "SELECT current_setting('ssl'), current_setting('ssl_cert_file')")
		case "$want" in off) got=${got%% *} ;; esac
		[ "$got" = "$want" ] && return 0
		i=$((i + 1))
		[ $i -gt 50 ] && { echo "# the server did not switch to $1 (has: $got)"; return 1; }
		sleep 0.1
	done
}

make_server initial "$RDS_NAME" ca
printf "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\n" \
	"$TLS/initial.crt" "$TLS/initial.key" >"$TLS/active.conf"
if pg_start tls "include_if_exists = '$TLS/active.conf'"; then
	ok "tls: a cluster with ssl=on and the endpoint's certificate starts"
else
	not_ok "tls: a cluster with ssl=on and the endpoint's certificate starts"
	exit 1
fi
PORT=$PORT_tls

# --- the probe step ------------------------------------------------------------

# probe CASE URL SSLMODE SSLROOTCERT HOSTADDR [STEPS…]: run `rds-migrate -c
# CFG --plain STEPS` (default: probe) with that [target] section in its own
# directory; output in $OUT, exit code in $RC.
probe() {
	local d name
	name=$1
	d="$T_TMP/case-$name"
	mkdir -p "$d"
	{
		echo "[target]"
		echo "url = $2"
		echo "sslmode = $3"
		echo "sslrootcert = $4"
		echo "hostaddr = $5"
		echo "[env]"
		echo "file = $d/app.env"
	} >"$d/config.ini"
	chmod 0600 "$d/config.ini"
	shift 5
	[ $# -eq 0 ] && set -- probe
	OUT="$d/out"
	(cd "$d" && timeout 60 "$RDSM_BIN" -c "$d/config.ini" --plain "$@") >"$OUT" 2>&1
	RC=$?
	CASE_DIR=$d
}

# never_shows_password NAME: the password is in no output of that case.
never_shows_password() {
	expect_no_match "$1: the password is not in the output" "$PW" "$OUT"
}

RDS_URL="postgresql://app:$PW@$RDS_NAME:$PORT/postgres"

use_server rds
probe verify-full "$RDS_URL" verify-full "$TLS/ca.crt" 127.0.0.1
expect_eq "probe: verify-full through hostaddr (a tunnel) succeeds" 0 "$RC"
expect_match "probe: verify-full reports the TLS protocol" 'TLSv1\.[23]' "$OUT"
expect_match "probe: verify-full reports the certificate verified for the endpoint's name" "certificate verified for $RDS_NAME" "$OUT"
expect_no_match "probe: verify-full is not reported unverified" 'unverified|not verified' "$OUT"
expect_no_match "probe: verify-full does not say FAILED" 'FAILED' "$OUT"
never_shows_password "probe verify-full"

probe wrong-ca "$RDS_URL" verify-full "$TLS/otherca.crt" 127.0.0.1
expect_eq "probe: the wrong CA fails" 1 "$RC"
expect_match "probe: the wrong CA is diagnosed as not trusted" 'certificate is not trusted' "$OUT"
expect_match "probe: the wrong CA's hint names the RDS CA bundle" 'sslrootcert.*RDS CA bundle|RDS CA bundle.*sslrootcert' "$OUT"
never_shows_password "probe wrong-ca"

use_server other
probe wrong-name "$RDS_URL" verify-full "$TLS/ca.crt" 127.0.0.1
expect_eq "probe: a certificate for another host fails" 1 "$RC"
expect_match "probe: the wrong name is diagnosed as a name mismatch" 'does not match the host name' "$OUT"
expect_match "probe: the name mismatch hint names hostaddr" 'hostaddr' "$OUT"
never_shows_password "probe wrong-name"

# The user put the tunnel's address in the URL: TLS checks 127.0.0.1, not the endpoint.
use_server rds
probe by-address "postgresql://app:$PW@127.0.0.1:$PORT/postgres" verify-full "$TLS/ca.crt" ""
expect_eq "probe: verify-full to the tunnel's address (no endpoint name) fails" 1 "$RC"
expect_match "probe: connecting by address is diagnosed as a name mismatch" 'does not match the host name' "$OUT"
expect_match "probe: the hint says to keep the endpoint as host and set hostaddr" 'hostaddr' "$OUT"

# Railway: a self-signed certificate; require encrypts without verifying.
use_server railway
RW_URL="postgresql://app:$PW@$RAILWAY_NAME:$PORT/postgres"
probe railway-require "$RW_URL" require "" 127.0.0.1
expect_eq "probe: sslmode=require against a self-signed server succeeds" 0 "$RC"
expect_match "probe: sslmode=require reports the TLS protocol" 'TLSv1\.[23]' "$OUT"
expect_match "probe: sslmode=require says the certificate is not verified" 'not verified|unverified' "$OUT"
expect_no_match "probe: sslmode=require does not claim a verified certificate" 'certificate verified' "$OUT"
never_shows_password "probe railway-require"

probe railway-verify-full "$RW_URL" verify-full "$TLS/ca.crt" 127.0.0.1
expect_eq "probe: verify-full against a self-signed server fails" 1 "$RC"
expect_match "probe: the self-signed certificate is diagnosed as not trusted" 'certificate is not trusted' "$OUT"
expect_match "probe: the hint says Railway works with require, not verify-full" 'Railway.*require.*verify' "$OUT"

# The same server as the source (what Railway really is): require works.
SRC_DIR="$T_TMP/case-source-require"
mkdir -p "$SRC_DIR"
printf '[source]\nurl = %s?sslmode=require&hostaddr=127.0.0.1\n' "$RW_URL" >"$SRC_DIR/config.ini"
chmod 0600 "$SRC_DIR/config.ini"
(cd "$SRC_DIR" && timeout 60 "$RDSM_BIN" -c "$SRC_DIR/config.ini" --plain source) >"$SRC_DIR/out" 2>&1
expect_eq "source: sslmode=require against a self-signed Railway server succeeds" 0 "$?"
OUT="$SRC_DIR/out"
never_shows_password "source railway-require"

SRC_DIR="$T_TMP/case-source-verify-full"
mkdir -p "$SRC_DIR"
printf '[source]\nurl = %s?sslmode=verify-full&sslrootcert=%s&hostaddr=127.0.0.1\n' \
	"$RW_URL" "$TLS/ca.crt" >"$SRC_DIR/config.ini"
chmod 0600 "$SRC_DIR/config.ini"
(cd "$SRC_DIR" && timeout 60 "$RDSM_BIN" -c "$SRC_DIR/config.ini" --plain source) >"$SRC_DIR/out" 2>&1
expect_eq "source: verify-full against a self-signed Railway server fails" 1 "$?"
expect_match "source: the hint says sslmode=require works with Railway" 'Railway.*require' "$SRC_DIR/out"

# No TLS at all on the server.
use_server off
probe no-tls "$RDS_URL" require "" 127.0.0.1
expect_eq "probe: sslmode=require against a server without TLS fails" 1 "$RC"
expect_match "probe: a server without TLS is diagnosed as offering no TLS" 'does not offer it|no encryption|unencrypted' "$OUT"
never_shows_password "probe no-tls"

# RDS with rds.force_ssl=1: the server refuses a connection without TLS
# ("no pg_hba.conf entry … no encryption").
use_server rds
cp "$DIR_tls/data/pg_hba.conf" "$TLS/pg_hba.conf.orig"
sed -i 's/^host\([[:space:]]\)/hostssl\1/' "$DIR_tls/data/pg_hba.conf"
as_pg pg_ctl -D "$DIR_tls/data" reload >/dev/null
sleep 0.5
probe force-ssl "$RDS_URL" disable "" 127.0.0.1
expect_eq "probe: sslmode=disable against a server that forces TLS fails" 1 "$RC"
expect_match "probe: a forced-TLS server is diagnosed as refusing unencrypted connections" 'refuses unencrypted' "$OUT"
expect_match "probe: the forced-TLS hint says sslmode=require or verify-full" 'sslmode=require' "$OUT"
cp "$TLS/pg_hba.conf.orig" "$DIR_tls/data/pg_hba.conf"
as_pg pg_ctl -D "$DIR_tls/data" reload >/dev/null

# --- the RDS CA bundle ---------------------------------------------------------

WWW="$T_TMP/www"
mkdir -p "$WWW"
cat "$TLS/ca.crt" "$TLS/otherca.crt" >"$WWW/global-bundle.pem"
printf '<html><body>Access denied by proxy</body></html>\n' >"$WWW/not-pem.html"
sed '/END CERTIFICATE/d' "$TLS/ca.crt" >"$WWW/truncated.pem"

# built by the Makefile (tests/tools/), with the same flags as the binary
HELPER="$ROOT/$BUILD/tools/ca_fetch"
(cd "$ROOT" && make --no-print-directory -s BUILD="$BUILD" "$BUILD/tools/ca_fetch") >"$T_TMP/helper.log" 2>&1
if [ -x "$HELPER" ]; then
	ok "rds_ca: the test helper builds against libcore.a"
else
	not_ok "rds_ca: the test helper builds against libcore.a" "$(cat "$T_TMP/helper.log")"
fi

HTTP_PORT=$(free_port)
(cd "$WWW" && exec python3 -m http.server -b 127.0.0.1 "$HTTP_PORT") >"$T_TMP/http.log" 2>&1 &
HTTP_PID=$!
T_CLEANUP="$T_CLEANUP kill_http"
kill_http() { kill "$HTTP_PID" 2>/dev/null; }
i=0
until curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/"; do
	i=$((i + 1)); [ $i -gt 100 ] && break
	sleep 0.1
done
HTTP="http://127.0.0.1:$HTTP_PORT"
gets() { grep -c "GET /$1" "$T_TMP/http.log"; }

# fetch CACHE URL: ca_fetch ensure with that cache and URL; stdout in $GOT,
# stderr in $T_TMP/fetch.err, exit code in $RC.
fetch() {
	GOT=$(XDG_CACHE_HOME="$1" RDSM_RDS_CA_URL="$2" "$HELPER" ensure 2>"$T_TMP/fetch.err")
	RC=$?
}

CACHE_A="$T_TMP/cache-a"
fetch "$CACHE_A" "$HTTP/global-bundle.pem"
expect_eq "rds_ca: the first call downloads and succeeds" 0 "$RC"
expect_eq "rds_ca: the bundle is cached under XDG_CACHE_HOME/rds-migrate" \
	"$CACHE_A/rds-migrate/global-bundle.pem" "$GOT"
check "rds_ca: the cached bytes are the downloaded bytes" cmp -s "$WWW/global-bundle.pem" "$GOT"
expect_eq "rds_ca: the cached bundle is mode 0644" 644 "$(stat -c %a "$GOT" 2>/dev/null)"
expect_eq "rds_ca: the cache directory is mode 0700" 700 "$(stat -c %a "$CACHE_A/rds-migrate" 2>/dev/null)"
expect_eq "rds_ca: the server saw one download" 1 "$(gets global-bundle.pem)"
expect_eq "rds_ca: no temp file is left in the cache" 1 "$(ls -A "$CACHE_A/rds-migrate" | wc -l)"

CACHE_B="$T_TMP/cache-b"
fetch "$CACHE_B" "$HTTP/not-pem.html"
expect_eq "rds_ca: an answer that is not PEM is refused" 1 "$RC"
expect_match "rds_ca: the refusal says it is not a PEM bundle" 'not a PEM certificate bundle' "$T_TMP/fetch.err"
check "rds_ca: nothing is cached after a refused answer" test ! -e "$CACHE_B/rds-migrate/global-bundle.pem"

fetch "$CACHE_B" "$HTTP/truncated.pem"
expect_eq "rds_ca: a certificate without its END line is refused" 1 "$RC"

fetch "$CACHE_B" "$HTTP/missing.pem"
expect_eq "rds_ca: an HTTP 404 fails" 1 "$RC"
expect_match "rds_ca: the 404 failure names the status and the way out" '404.*sslrootcert' "$T_TMP/fetch.err"

# The server goes away: the cached copy is used with no download.
kill "$HTTP_PID" 2>/dev/null
wait "$HTTP_PID" 2>/dev/null
fetch "$CACHE_A" "$HTTP/global-bundle.pem"
expect_eq "rds_ca: the second call succeeds with the server stopped (no download)" 0 "$RC"
expect_eq "rds_ca: the second call returns the same path" "$CACHE_A/rds-migrate/global-bundle.pem" "$GOT"

fetch "$CACHE_B" "$HTTP/global-bundle.pem"
expect_eq "rds_ca: no cache and no server fails" 1 "$RC"
expect_match "rds_ca: the failure says what to do offline" 'cannot download the RDS CA bundle.*Hint: .*curl -o' "$T_TMP/fetch.err"

# A damaged cached copy is fetched again (file:// URL).
CACHE_C="$T_TMP/cache-c"
mkdir -p "$CACHE_C/rds-migrate"
echo garbage >"$CACHE_C/rds-migrate/global-bundle.pem"
fetch "$CACHE_C" "file://$WWW/global-bundle.pem"
expect_eq "rds_ca: a damaged cached copy is replaced" 0 "$RC"
check "rds_ca: the replaced copy is the bundle" cmp -s "$WWW/global-bundle.pem" "$CACHE_C/rds-migrate/global-bundle.pem"

# Without XDG_CACHE_HOME: ~/.cache/rds-migrate.
GOT=$(env -u XDG_CACHE_HOME HOME="$T_TMP/home" "$HELPER" path 2>/dev/null)
expect_eq "rds_ca: without XDG_CACHE_HOME the cache is ~/.cache/rds-migrate" \
	"$T_TMP/home/.cache/rds-migrate/global-bundle.pem" "$GOT"

# --- the RDS CA bundle through the binary --------------------------------------
# [target] sslrootcert empty: the probe must fetch the bundle (here: our CA from
# a file:// URL), use it for verify-full, and the env step must write its path
# into DATABASE_URL.

export XDG_CACHE_HOME="$T_TMP/cache-bin"
RDSM_RDS_CA_URL="file://$TLS/ca.crt" probe bundle "$RDS_URL" verify-full "" 127.0.0.1 probe env
expect_eq "bundle: probe with sslrootcert empty downloads the bundle and verify-full succeeds" 0 "$RC"
check "bundle: the probe cached the bundle" test -s "$XDG_CACHE_HOME/rds-migrate/global-bundle.pem"
if [ -f "$CASE_DIR/app.env" ]; then
	expect_match "bundle: DATABASE_URL carries sslmode=verify-full" 'DATABASE_URL=.*sslmode=verify-full' "$CASE_DIR/app.env"
	expect_match "bundle: DATABASE_URL carries the cached bundle's path" 'DATABASE_URL=.*sslrootcert=[^&]*rds-migrate(/|%2F)global-bundle\.pem' "$CASE_DIR/app.env"
	expect_no_match "bundle: DATABASE_URL has no hostaddr (the tunnel is ours, not the app's)" 'hostaddr=[^&]' "$CASE_DIR/app.env"
else
	not_ok "bundle: the env step wrote the .env" "no $CASE_DIR/app.env"
	sed 's/^/#   | /' "$OUT" | head -20
fi

# A second run uses the cached bundle: the URL now leads nowhere.
RDSM_RDS_CA_URL="file://$T_TMP/no-such-bundle.pem" probe bundle-again "$RDS_URL" verify-full "" 127.0.0.1
expect_eq "bundle: a second run reuses the cached bundle (no download)" 0 "$RC"

# The env step run on its own (a later run, the bundle cached): DATABASE_URL
# still names the bundle, although no probe ran in this process.
RDSM_RDS_CA_URL="file://$T_TMP/no-such-bundle.pem" probe bundle-env-alone "$RDS_URL" verify-full "" 127.0.0.1 env
expect_eq "bundle: the env step alone succeeds" 0 "$RC"
if [ -f "$CASE_DIR/app.env" ]; then
	expect_match "bundle: the env step alone writes the cached bundle's path" 'DATABASE_URL=.*sslrootcert=[^&]*rds-migrate(/|%2F)global-bundle\.pem' "$CASE_DIR/app.env"
	expect_eq "bundle: the .env is mode 0600" 600 "$(stat -c %a "$CASE_DIR/app.env")"
else
	not_ok "bundle: the env step alone writes the cached bundle's path" "no $CASE_DIR/app.env"
	sed 's/^/#   | /' "$OUT" | head -20
fi

#!/bin/sh
# pg_conn.sh — TLS as the source and target steps see it: a server with a
# self-signed certificate (like Railway) works with sslmode=require and fails
# verify-full with a hint; verify-full with the right CA checks the name, and a
# tunnel (hostaddr) keeps the name check.
. "$(dirname "$0")/../lib/testlib.sh"

C="$T_TMP/certs"
mkdir -p "$C"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
	-keyout "$C/server.key" -out "$C/server.crt" >/dev/null 2>&1 || { echo "openssl failed"; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other-ca" \
	-keyout "$C/other.key" -out "$C/other.crt" >/dev/null 2>&1
chmod 600 "$C/server.key"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$C"
chmod 755 "$C"; chmod 644 "$C/server.crt" "$C/other.crt"

pg_start tls "ssl = on" "ssl_cert_file = '$C/server.crt'" "ssl_key_file = '$C/server.key'" || exit 1
pg_sql tls postgres -c "CREATE DATABASE app OWNER app"
P=$PORT_tls

cfg() { # NAME SOURCE_URL TARGET_URL [extra lines]
	n=$1; mkdir -p "$T_TMP/$n"
	{ echo "[source]"; echo "url = $2"; echo "[target]"; echo "url = $3"; shift 3
	  for l in "$@"; do echo "$l"; done; } >"$T_TMP/$n/config.ini"
	chmod 600 "$T_TMP/$n/config.ini"
	echo "$T_TMP/$n/config.ini"
}
run() { # CONFIG OUT STEP
	timeout 60 "$RDSM_BIN" -c "$1" --plain "$3" >"$2" 2>&1; RC=$?
}
U="app:app-secret-pw"

CFG=$(cfg req "postgresql://$U@127.0.0.1:$P/app?sslmode=require" "")
run "$CFG" "$T_TMP/req.out" source
expect_eq "self-signed source with sslmode=require: source step succeeds" 0 "$RC"
expect_match "sslmode=require: TLS protocol shown, certificate not verified" 'tls: TLSv1\.[23]; encrypted but the certificate is not verified' "$T_TMP/req.out"

CFG=$(cfg vf "postgresql://$U@127.0.0.1:$P/app?sslmode=verify-full&sslrootcert=$C/other.crt" "")
run "$CFG" "$T_TMP/vf.out" source
expect_eq "self-signed source with verify-full: source step fails" 1 "$RC"
expect_match "verify-full on a self-signed source: not trusted, Railway hint" 'FAILED: the server certificate is not trusted.*Hint: Railway serves a self-signed certificate: sslmode=require' "$T_TMP/vf.out"

CFG=$(cfg noca "postgresql://$U@127.0.0.1:$P/app?sslmode=verify-full&sslrootcert=$T_TMP/missing.pem" "")
run "$CFG" "$T_TMP/noca.out" source
expect_match "verify-full without a CA file: named, with the Railway hint" 'FAILED: the CA bundle for verifying the server is missing.*Hint: Railway' "$T_TMP/noca.out"

CFG=$(cfg name "" "postgresql://$U@127.0.0.1:$P/app" "sslmode = verify-full" "sslrootcert = $C/server.crt")
run "$CFG" "$T_TMP/name.out" probe
expect_eq "target by IP with verify-full: probe fails" 1 "$RC"
expect_match "name mismatch: diagnosed, hint names hostaddr for tunnels" 'FAILED: the server certificate does not match the host name 127\.0\.0\.1.*hostaddr' "$T_TMP/name.out"

CFG=$(cfg tunnel "" "postgresql://$U@localhost:$P/app" "hostaddr = 127.0.0.1" "sslmode = verify-full" "sslrootcert = $C/server.crt")
run "$CFG" "$T_TMP/tunnel.out" probe
expect_eq "host name + hostaddr (a tunnel) with verify-full: probe succeeds" 0 "$RC"
expect_match "tunnel: certificate verified for the host name" 'tls: TLSv1\.[23], .*; certificate verified for localhost' "$T_TMP/tunnel.out"
expect_match "tunnel: connecting to hostaddr is reported" 'dns: connecting to 127\.0\.0\.1 \(hostaddr\) for localhost' "$T_TMP/tunnel.out"
expect_match "probe summary says verified" 'probe\] ok: PostgreSQL 1[0-9.]+, TLSv1\.[23] verified, round trip' "$T_TMP/tunnel.out"

CFG=$(cfg plain "" "postgresql://$U@127.0.0.1:$P/app" "sslmode = disable")
run "$CFG" "$T_TMP/plain.out" probe
expect_match "unencrypted target: warned" 'warning: tls: not encrypted' "$T_TMP/plain.out"

# like RDS (rds.force_ssl = 1): the server rejects connections without TLS
{ echo "hostnossl all all 127.0.0.1/32 reject"; cat "$DIR_tls/data/pg_hba.conf"; } >"$T_TMP/hba"
cat "$T_TMP/hba" >"$DIR_tls/data/pg_hba.conf"
as_pg pg_ctl -D "$DIR_tls/data" reload >/dev/null; sleep 0.5
run "$CFG" "$T_TMP/forced.out" probe
expect_eq "server forcing TLS, sslmode=disable: probe fails" 1 "$RC"
expect_match "no encryption: diagnosed with the RDS PG15 hint" 'FAILED: the server refuses unencrypted connections.*Hint: RDS for PostgreSQL 15 and later forces TLS' "$T_TMP/forced.out"

#!/bin/sh
# hostile.sh — what a hostile (or unlucky) user broke (issue 10), against two
# real PostgreSQL clusters, the source behind the throttling proxy
# (tests/tools/throttle_proxy.py) so that a copy lasts a few seconds:
#   - two runs on one config: the second refuses, naming the first's pid, host,
#     start time and step; the first completes;
#   - a source whose COPY backend is stopped (SIGSTOP) mid-copy: SIGINT ends
#     the run within a few seconds, exit 130, state saved, a re-run completes;
#   - planted symlinks at the tool's own files are not followed;
#   - stale temp files of ours are removed; configs that are not regular files
#     are refused.
. "$(dirname "$0")/../lib/testlib.sh"

SCALE=${HOSTILE_SCALE:-5}
RATE=${HOSTILE_RATE:-1000000}

pg_start src || exit 1
pg_start dst || exit 1
pg_load_sample src sample "$SCALE" || { echo "cannot load the sample"; exit 1; }
pg_sql src sample -c "VACUUM ANALYZE" >/dev/null

throttle_start src "$RATE" || exit 1
SRC_URL="postgresql://app:app-secret-pw@127.0.0.1:$PROXY_PORT/sample?sslmode=disable"

# wait_copy DB: until a COPY of ours into DB runs on dst (max 30 s). 0 when so.
wait_copy() {
	i=0
	while [ $i -lt 300 ]; do
		copy_running "$1" && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}

# --- 2: one run per state file ------------------------------------------------
new_target twice
cfg=$(migrate_config twice "$(pg_url dst twice)")
"$RDSM_BIN" -c "$cfg" --plain schema data >"$T_TMP/twice1.out" 2>&1 &
first=$!
if wait_copy twice; then
	rdsm "$cfg" "$T_TMP/twice2.out" data --force
	expect_eq "a second run on the same config while the first copies: exit 1" 1 "$RC"
	expect_match "the second run names the first's pid, host, start and step" \
		"another rds-migrate run uses this state .*pid $first on host $(hostname) since [0-9-]+ [0-9:]+ UTC, step: data" \
		"$T_TMP/twice2.out"
	expect_no_match "the second run did not start a step" '^\[' "$T_TMP/twice2.out"
	timeout 20 "$RDSM_BIN" -c "$cfg" </dev/null >"$T_TMP/twice-tui.out" 2>&1
	expect_eq "the wizard on the same config meanwhile: exit 1" 1 "$?"
	expect_match "the wizard names the run holding the lock" \
		"another rds-migrate run uses this state .*pid $first " "$T_TMP/twice-tui.out"
else
	not_ok "the first run was caught copying"
fi
fast
wait_exit "$first" 60
expect_eq "the first run completes undisturbed" 0 "$RC"
rdsm "$cfg" "$T_TMP/twice3.out" verify
expect_eq "after both runs verify passes" 0 "$RC"
rdsm "$cfg" "$T_TMP/twice4.out" verify
expect_eq "the lock is released when a run ends (a third run proceeds)" 0 "$RC"
slow

# --- 5: planted symlinks at our own files are never followed ------------------
mkdir -p "$T_TMP/links"
cfg=$(migrate_config links "$(pg_url dst twice)")
printf 'precious\n' >"$T_TMP/victim"
chmod 644 "$T_TMP/victim"
ln -s "$T_TMP/victim" "$T_TMP/links/.rds-migrate.state"
rdsm "$cfg" "$T_TMP/links1.out" verify
expect_eq "a state file that is a symlink: refused (exit 1)" 1 "$RC"
expect_match "the refusal names the link" 'links/\.rds-migrate\.state is a symbolic link' "$T_TMP/links1.out"
expect_eq "the link's target is untouched (content, mode)" "precious 644" "$(cat "$T_TMP/victim") $(stat -c %a "$T_TMP/victim")"
rm "$T_TMP/links/.rds-migrate.state"
ln -s "$T_TMP/victim" "$T_TMP/links/.rds-migrate.lock"
rdsm "$cfg" "$T_TMP/links2.out" verify
expect_eq "a lock file that is a symlink: refused (exit 1)" 1 "$RC"
expect_match "the refusal names the lock link" 'links/\.rds-migrate\.lock: is a symbolic link' "$T_TMP/links2.out"
expect_eq "the lock link's target is untouched" "precious 644" "$(cat "$T_TMP/victim") $(stat -c %a "$T_TMP/victim")"
rm "$T_TMP/links/.rds-migrate.lock"
fast
rdsm "$cfg" "$T_TMP/links3.out" verify
expect_eq "without the links the run proceeds" 0 "$RC"

# --- 4: a source that stops answering mid-copy --------------------------------
# The proxy between us and the source is stopped (SIGSTOP) while a COPY runs:
# the connections stay open (the kernel still acknowledges), nothing arrives,
# as with a frozen server or a black-holed network. (Stopping the COPY
# backend itself stalls nothing here: at this scale it has already written
# the whole table into the socket buffers.)
stop_source() {
	wait_copy "$1" || return 1
	sleep 0.3
	kill -STOP "$PROXY_PID"
	T_CLEANUP="cont_proxy $T_CLEANUP"
	cont_proxy() { kill -CONT "$PROXY_PID"; }
}
slow
new_target stopped
cfg=$(migrate_config stopped "$(pg_url dst stopped)")
"$RDSM_BIN" -c "$cfg" --plain schema data >"$T_TMP/stopped.out" 2>&1 &
pid=$!
if stop_source stopped; then
	sleep 2
	kill -INT "$pid"
	wait_exit "$pid" 15
	kill -CONT "$PROXY_PID"
	expect_eq "Ctrl-C while the source sends nothing: exit 130" 130 "$RC"
	if [ "$RC" = 130 ] && [ "${TOOK%.*}" -lt 3 ]; then ok "Ctrl-C ends the run within 3 s (${TOOK}s)"
	else not_ok "Ctrl-C ends the run within 3 s" "took ${TOOK}s, rc $RC"; fi
	expect_match "the interrupted run says the state is saved" 'state is saved.*run the same command again' "$T_TMP/stopped.out"
else
	not_ok "the copy was caught running"
	wait_exit "$pid" 30
fi
fast
rdsm "$cfg" "$T_TMP/stopped2.out" schema data verify
expect_eq "after the source answers again the same command completes" 0 "$RC"

# without Ctrl-C: a source that sends nothing for the stall limit fails the copy
slow
new_target stalled
cfg=$(migrate_config stalled "$(pg_url dst stalled)")
RDSM_STALL_SECONDS=3 "$RDSM_BIN" -c "$cfg" --plain schema data >"$T_TMP/stalled.out" 2>&1 &
pid=$!
if stop_source stalled; then
	wait_exit "$pid" 20
	kill -CONT "$PROXY_PID"
	expect_eq "a silent source, no Ctrl-C: the run fails (exit 1), no hang" 1 "$RC"
	expect_match "the failure says the source sent nothing" 'FAILED: .*the source sent nothing for 3 s' "$T_TMP/stalled.out"
else
	not_ok "the copy was caught running (stall)"
	wait_exit "$pid" 30
fi
fast

# --- 6: passwords masked however the source URL is malformed ------------------
mkdir -p "$T_TMP/mask"
n=0
for u in 'postgresql://app:Pa/ssSECRET1@127.0.0.1:1/db' \
	'host=127.0.0.1 port=1 password=SECRET1 user=u dbname=d' \
	'postgresql://u@127.0.0.1:1/db?sslpassword=SECRET1&sslmode=bogus' \
	'postgresql://u:SECR%ZZET1@127.0.0.1:1/db'; do
	n=$((n + 1))
	printf '[source]\nurl = %s\n' "$u" >"$T_TMP/mask/c$n.ini"
	chmod 600 "$T_TMP/mask/c$n.ini"
	"$RDSM_BIN" -c "$T_TMP/mask/c$n.ini" --check-config >"$T_TMP/mask/check$n.out" 2>&1
	timeout 30 "$RDSM_BIN" -c "$T_TMP/mask/c$n.ini" --plain source >"$T_TMP/mask/plain$n.out" 2>&1
	SOURCE_DATABASE_URL="$u" timeout 30 "$RDSM_BIN" -c "$T_TMP/mask/c$n.ini" --plain source \
		>"$T_TMP/mask/envplain$n.out" 2>&1
	if grep -Fq SECR "$T_TMP/mask/check$n.out" "$T_TMP/mask/plain$n.out" "$T_TMP/mask/envplain$n.out"; then
		not_ok "no part of the password printed for: $u" "$(grep -Fh SECR "$T_TMP/mask/"*"$n.out" | head -2)"
	else
		ok "no part of the password printed for: $u"
	fi
done

# --- 13: leftovers, core dumps, configs that are not regular files ------------
cfg="$T_TMP/links/config.ini"
: >"$T_TMP/links/..rds-migrate.state.tmp-Ab12Cd"
: >"$T_TMP/links/..rds-migrate.secret.tmp-Zz99Yy"
printf 'DATABASE_URL=x\n' >"$T_TMP/links/app.env"
printf 'DATABASE_URL=secret-in-a-temp\n' >"$T_TMP/links/.app.env.tmp-Qq11Ww"
touch -d '-5 min' "$T_TMP/links/.app.env.tmp-Qq11Ww"
printf '[env]\nfile = %s\n' "$T_TMP/links/app.env" >>"$cfg"
rdsm "$cfg" "$T_TMP/leftovers.out" env
expect_eq "the env step after a killed run exits 0" 0 "$RC"
left=$(ls -A "$T_TMP/links" | grep -c '\.tmp-')
expect_eq "stale temp files of ours (state, secret, .env) are removed by the next run" 0 "$left"
kill -STOP "$PROXY_PID" # the source step then waits for the source
"$RDSM_BIN" -c "$cfg" --plain source >"$T_TMP/core.out" 2>&1 &
pid=$!
sleep 0.5
core=$(awk '/^Max core file size/ {print $5 $6}' "/proc/$pid/limits" 2>/dev/null)
kill -INT "$pid"
wait_exit "$pid" 30
kill -CONT "$PROXY_PID"
expect_eq "core dumps are off while running (RLIMIT_CORE 0)" 00 "$core"
# (a memory cap in case it reads after all; not under ASan, which reserves
# terabytes of address space for its shadow)
(case "$BUILD" in *asan*) ;; *) ulimit -v 1000000 ;; esac
	timeout 10 "$RDSM_BIN" -c /dev/zero --check-config) >"$T_TMP/zero.out" 2>&1
expect_eq "-c /dev/zero: refused (exit 1), not read" 1 "$?"
expect_match "-c /dev/zero: says it is not a regular file" 'not a regular file' "$T_TMP/zero.out"
# --- 14: the small ones --------------------------------------------------------
fast
rdsm "$cfg" "$T_TMP/log1.out" verify --log /dev/full
expect_match "--log that cannot be written: said on stderr" 'writing the log /dev/full failed' "$T_TMP/log1.out"
rdsm "$cfg" "$T_TMP/log2.out" verify --log "$T_TMP/no/such/dir/run.log"
expect_eq "--log that cannot be opened: exit 1" 1 "$RC"
printf '[source]\nurl = postgresql://u@127.0.0.1:1/db\n' >"$T_TMP/links/open.ini"
chmod 644 "$T_TMP/links/open.ini"
SOURCE_DATABASE_URL='postgresql://u:EnvOnly1@127.0.0.1:1/db' "$RDSM_BIN" -c "$T_TMP/links/open.ini" \
	--check-config >"$T_TMP/envpw.out" 2>&1
expect_no_match "a readable config without a password: no warning for one from the environment" \
	'holds a password' "$T_TMP/envpw.out"
mkfifo "$T_TMP/fifo.ini"
timeout 10 "$RDSM_BIN" -c "$T_TMP/fifo.ini" --check-config >"$T_TMP/fifo.out" 2>&1
expect_eq "a FIFO config: refused at once (exit 1), no hang" 1 "$?"

# --- 12: control characters in names never reach the terminal or the log raw ---
pg_sql src postgres -c "CREATE DATABASE esc OWNER app" >/dev/null
PGPASSWORD=app-secret-pw psql -X -h 127.0.0.1 -p "$PORT_src" -U app -d esc -q -v ON_ERROR_STOP=1 \
	-c "CREATE TABLE \"retitle$(printf '\033]0;pwned\007')\" (id int PRIMARY KEY)" \
	-c "CREATE TABLE \"two$(printf '\nline')\" (id int PRIMARY KEY)" \
	-c "INSERT INTO \"two$(printf '\nline')\" VALUES (1)"
new_target esc
SRC_KEEP=$SRC_URL
SRC_URL=$(pg_url src esc)
cfg=$(migrate_config esc "$(pg_url dst esc)")
SRC_URL=$SRC_KEEP
timeout 60 "$RDSM_BIN" -c "$cfg" --plain --log "$T_TMP/esc/run.log" source schema data verify \
	>"$T_TMP/esc.out" 2>&1
expect_eq "tables named with ESC, BEL and a line break: copied and verified" 0 "$?"
if LC_ALL=C grep -q "$(printf '[\033\007]')" "$T_TMP/esc.out" "$T_TMP/esc/run.log"; then
	not_ok "no raw ESC or BEL on stdout or in the log"
else ok "no raw ESC or BEL on stdout or in the log"; fi
expect_no_match "every output line is one event (a name's line break is escaped)" '^[^[]' "$T_TMP/esc.out"
expect_match "the name is shown escaped" 'retitle\\x1b\]0;pwned\\x07' "$T_TMP/esc.out"

# --- 4: a target that stops taking data mid-copy --------------------------------
# Its COPY backend is stopped: once the socket buffers are full nothing moves;
# the stall limit fails the copy instead of waiting for good, and nothing is
# waited on afterwards.
slow
new_target tstall
cfg=$(migrate_config tstall "$(pg_url dst tstall)")
RDSM_STALL_SECONDS=3 "$RDSM_BIN" -c "$cfg" --plain schema data >"$T_TMP/tstall.out" 2>&1 &
pid=$!
if wait_copy tstall; then
	held=$(pg_sql dst postgres -c "SELECT pid FROM pg_stat_activity WHERE datname = 'tstall'
		AND application_name LIKE 'rds-migrate%' AND state = 'active' AND query ILIKE 'COPY%'
		ORDER BY pid LIMIT 1")
	kill -STOP "$held"
	eval "cont_t$held() { kill -CONT $held; }"
	T_CLEANUP="cont_t$held $T_CLEANUP"
	fast
	wait_exit "$pid" 40
	kill -CONT "$held"
	expect_eq "a stopped target, no Ctrl-C: the run fails (exit 1), no hang" 1 "$RC"
	expect_match "the failure says the target took nothing" 'FAILED: .*target: it took nothing for 3 s' "$T_TMP/tstall.out"
else
	not_ok "the copy was caught running (target stall)"
	wait_exit "$pid" 30
fi
fast

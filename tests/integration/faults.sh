#!/bin/sh
# faults.sh — interruption, resume, faults and secrets (issue 6, items 1, 2, 4),
# against two real PostgreSQL clusters. The source is reached through a small
# throttling proxy (tests/tools/throttle_proxy.py) so that copying the sample
# lasts a few seconds and can be hit in the middle:
#   - SIGINT, SIGTERM, SIGHUP mid-copy: exit 130, "state saved", nothing
#     half-loaded, the state marks only complete tables, no secret in it; the
#     same command resumes (skips tables done) and verify passes;
#   - SIGKILL mid-copy (a crash): the same, without the message;
#   - the target backends terminated mid-copy, the source backends terminated
#     mid-copy: a message naming the table and what to do, nothing half-loaded,
#     a re-run completes;
#   - the target's disk full (its tablespace on a small tmpfs): the message
#     says so, nothing half-loaded; after the disk grows a re-run completes;
#   - secrets: distinctive passwords (config file only, mode 0600) appear in no
#     output, log, state file, nor /proc/PID/{cmdline,environ} of rds-migrate
#     and its children sampled while it runs; a readable config warns.
. "$(dirname "$0")/../lib/testlib.sh"

SCALE=${FAULTS_SCALE:-20}
RATE=${FAULTS_RATE:-4000000} # bytes/s per source connection through the proxy
TABLES="users actors actor_aliases urls tokens token_actors scripts words bookmarks analysis_results"

pg_start src || exit 1
pg_start dst || exit 1
pg_load_sample src sample "$SCALE" || { echo "cannot load the sample"; exit 1; }
pg_sql src sample -c "VACUUM ANALYZE" >/dev/null

# the throttling proxy in front of the source
# slow: the runs that get hit mid-copy; fast: the re-runs and verify
throttle_start src "$RATE" || exit 1
SRC_URL="postgresql://app:app-secret-pw@127.0.0.1:$PROXY_PORT/sample?sslmode=disable"

for t in $TABLES; do
	echo "$t $(pg_sql src sample -c "SELECT count(*) FROM $t")"
done >"$T_TMP/counts.src"

# rdsm_bg CONFIG OUT ARGS…: the same in the background; sets BG (its pid).
rdsm_bg() {
	cfg=$1 out=$2; shift 2
	"$RDSM_BIN" -c "$cfg" --plain "$@" >"$out" 2>"$out.err" &
	BG=$!
}
# wait_midcopy PID DB STATE: until at least one table is marked copied in the
# state file and a COPY into DB is still running (max 30 s). 0 when so.
wait_midcopy() {
	i=0
	while [ $i -lt 300 ]; do
		kill -0 "$1" 2>/dev/null || return 1
		grep -q '=copied$' "$3" 2>/dev/null && copy_running "$2" && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
# wait_idle DB: until no rds-migrate backend is left on DB of dst (max 15 s).
wait_idle() {
	i=0
	while [ $i -lt 150 ]; do
		n=$(pg_sql dst postgres -c "SELECT count(*) FROM pg_stat_activity
			WHERE datname = '$1' AND application_name LIKE 'rds-migrate%'")
		[ "${n:-1}" -eq 0 ] && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
# consistent LABEL DB STATEFILE: every target table holds all of the source's
# rows or none; a table the state marks copied/verified holds all of them.
consistent() {
	half="" lie=""
	while read -r t want; do
		got=$(pg_sql dst "$2" -c "SELECT count(*) FROM $t" 2>/dev/null || echo missing)
		[ "$got" = missing ] && got=0
		if [ "$got" != "$want" ] && [ "$got" != 0 ]; then
			half="$half $t($got of $want; state: $(grep "^table\.public\.$t=" "$3" | cut -d= -f2))"
		fi
		if grep -Eq "^table\.public\.$t=(copied|verified)$" "$3" 2>/dev/null && [ "$got" != "$want" ]; then
			lie="$lie $t($got of $want)"
		fi
	done <"$T_TMP/counts.src"
	if [ -z "$half" ]; then ok "$1: no target table half-loaded (each holds all of the source's rows or none)"
	else not_ok "$1: no target table half-loaded (each holds all of the source's rows or none)" "half-loaded:$half"; fi
	if [ -z "$lie" ]; then ok "$1: the state marks no incomplete table copied"
	else not_ok "$1: the state marks no incomplete table copied" "marked copied but incomplete:$lie"; fi
}
# no_secret LABEL FILE…: none of the files holds app's password.
no_secret() {
	local name
	name=$1; shift
	if grep -Fq 'app-secret-pw' "$@" 2>/dev/null; then not_ok "$name" "the password is in: $(grep -Fl 'app-secret-pw' "$@")"
	else ok "$name"; fi
}
# resume LABEL CFG DB: the same command again completes, skipping what is
# done; then verify passes.
resume() {
	fast
	# what the interrupted run finished (on a fast machine the fault can come
	# before any table is in: then the re-run copies them all)
	done_before=$(grep -c '^table\..*=copied$' "$T_TMP/$3/.rds-migrate.state" 2>/dev/null)
	rdsm "$2" "$T_TMP/$3.resume.out" schema data verify
	expect_eq "$1: the same command again exits 0" 0 "$RC"
	[ "$RC" = 0 ] || sed 's/^/#   | /' "$T_TMP/$3.resume.out" | grep -E 'FAILED|interrupted' | head -5
	if [ "${done_before:-0}" -gt 0 ]; then
		expect_match "$1: the re-run skips the tables already copied" \
			'already copied: skipped' "$T_TMP/$3.resume.out"
		expect_match "$1: the re-run copies the rest" \
			'\[data\] ok: [1-9][0-9]* tables copied \([1-9][0-9]* skipped\)' "$T_TMP/$3.resume.out"
	else
		echo "# $1: no table was in before the fault"
		expect_no_match "$1: the re-run skips no table (none was copied)" \
			'already copied: skipped' "$T_TMP/$3.resume.out"
		expect_match "$1: the re-run copies every table" \
			'\[data\] ok: 10 tables copied \(0 skipped\)' "$T_TMP/$3.resume.out"
	fi
	rdsm "$2" "$T_TMP/$3.verify.out" verify
	expect_eq "$1: verify then exits 0" 0 "$RC"
	expect_match "$1: verify reports every table and sequence matching" \
		'\[verify\] ok: 10 tables and 9 sequences match' "$T_TMP/$3.verify.out"
	slow
}

# --- 1 and 2: signals mid-copy --------------------------------------------------
signal_case() { # SIG DB
	sig=$1 db=$2
	new_target "$db"
	cfg=$(migrate_config "$db" "$(pg_url dst "$db")")
	st="$T_TMP/$db/.rds-migrate.state"
	rdsm_bg "$cfg" "$T_TMP/$db.out" schema data verify
	pid=$BG
	if ! wait_midcopy "$pid" "$db" "$st"; then
		not_ok "SIG$sig: the copy was caught in the middle" "no table copied while another was copying"
		sed 's/^/#   | /' "$T_TMP/$db.out" | tail -5
		wait_exit "$pid" 5
		return
	fi
	kill -s "$sig" "$pid"
	wait_exit "$pid" 20
	if [ "$sig" = KILL ]; then
		expect_eq "SIGKILL mid-copy: the process is killed" 137 "$RC"
	else
		expect_eq "SIG$sig mid-copy: exit code 130" 130 "$RC"
		expect_match "SIG$sig mid-copy: the message says the state is saved and to run again" \
			'state is saved.*run the same command again' "$T_TMP/$db.out"
	fi
	wait_idle "$db" || echo "# rds-migrate backends still on $db after 15 s"
	consistent "SIG$sig mid-copy" "$db" "$st"
	no_secret "SIG$sig mid-copy: no password in the state file or the output" \
		"$st" "$T_TMP/$db.out" "$T_TMP/$db.out.err"
	resume "SIG$sig" "$cfg" "$db"
}
signal_case INT sigint
signal_case TERM sigterm
signal_case HUP sighup
signal_case KILL sigkill

# --- 1 and 2: a table split across jobs, one part committed, the other not --------
# RDSM_COPY_SPLIT_BYTES (opt-in; off by default) makes the copy cut words (over
# half the sample) into one block range per job, each loaded in its own target
# transaction; so does a source far away (through tests/tools/farlink: 60 ms
# of round trip, a 256 KiB window per connection), into one per stream. One part's
# target backend is held with SIGSTOP until the other part has committed; then
# the signal: the table must not stay half-loaded (or, after a crash that
# cannot clean up, at least never look copied, and the re-run must empty it).
split_case() { # SIG DB [far]
	sig=$1 db=$2
	lbl="SIG$sig mid-copy of a table split across jobs"
	new_target "$db"
	cfg=$(migrate_config "$db" "$(pg_url dst "$db")")
	split=RDSM_COPY_SPLIT_BYTES=1000000
	if [ "${3:-}" = far ]; then
		lbl="SIG$sig mid-copy of a table split for a far source"
		cfg=$(migrate_config -s "$FAR_URL" "$db" "$(pg_url dst "$db")")
		split=""
	fi
	st="$T_TMP/$db/.rds-migrate.state"
	env $split "$RDSM_BIN" -c "$cfg" --plain schema data verify \
		>"$T_TMP/$db.out" 2>"$T_TMP/$db.out.err" &
	pid=$!
	held=""
	i=0
	while [ $i -lt 300 ] && kill -0 "$pid" 2>/dev/null; do
		if grep -q '^table\.public\.words=loading$' "$st" 2>/dev/null; then
			held=$(pg_sql dst postgres -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db'
				AND application_name LIKE 'rds-migrate%' AND state = 'active'
				AND query ILIKE 'COPY public.words%' ORDER BY pid")
			[ "$(echo "$held" | grep -c .)" -ge 2 ] && break
		fi
		held=""
		i=$((i + 1))
		sleep 0.05
	done
	held=$(echo "$held" | head -n 1)
	if [ -z "$held" ]; then
		not_ok "$lbl: the split copy was caught with both parts running"
		sed 's/^/#   | /' "$T_TMP/$db.out" | tail -5
		wait_exit "$pid" 30
		return
	fi
	# stop it only while it waits for the client (holding no lightweight lock,
	# e.g. the table's extension lock, that the other part would then wait on)
	eval "cont_$db() { kill -CONT $held; }"
	T_CLEANUP="cont_$db $T_CLEANUP"
	i=0
	while [ $i -lt 100 ]; do
		kill -STOP "$held"
		we=$(pg_sql dst postgres -c "SELECT wait_event FROM pg_stat_activity WHERE pid = $held")
		[ "$we" = ClientRead ] && break
		kill -CONT "$held"
		i=$((i + 1))
		sleep 0.02
	done
	# until the other part has committed and another table is copied
	i=0 part=0
	while [ $i -lt 300 ] && kill -0 "$pid" 2>/dev/null; do
		part=$(pg_sql dst "$db" -c "SELECT count(*) FROM words")
		[ "$part" -gt 0 ] && grep -q '=copied$' "$st" && break
		i=$((i + 1))
		sleep 0.05
	done
	if [ "$part" -eq 0 ]; then
		kill -CONT "$held"
		not_ok "$lbl: one part committed while the other is held" "words stayed empty"
		wait_exit "$pid" 30
		return
	fi
	[ "${3:-}" = far ] && expect_match "$lbl: the run says the distance split it" \
		'link: source [0-9]+ ms away: public\.words read as [0-9] streams' "$T_TMP/$db.out"
	echo "# words holds $part of $(grep '^words ' "$T_TMP/counts.src" | cut -d' ' -f2) rows when SIG$sig is sent"
	kill -s "$sig" "$pid"
	kill -CONT "$held"
	wait_exit "$pid" 20
	if [ "$sig" = KILL ]; then
		expect_eq "$lbl: the process is killed" 137 "$RC"
	else
		expect_eq "$lbl: exit code 130" 130 "$RC"
	fi
	wait_idle "$db" || echo "# rds-migrate backends still on $db after 15 s"
	expect_match "$lbl: the state keeps the split table 'loading' (not copied)" \
		'^table\.public\.words=loading$' "$st"
	if [ "$sig" = KILL ]; then
		# Splitting is opt-in because its parts commit one by one: after a
		# crash the committed part stays. It must never look complete: the
		# state says loading, and the env step refuses to point the app at it.
		printf '[env]\nfile = %s\n' "$T_TMP/$db/app.env" >>"$cfg"
		rdsm "$cfg" "$T_TMP/$db.env.out" env
		expect_eq "$lbl: the env step refuses while a table is half-loaded" 1 "$RC"
		expect_match "$lbl: the refusal names the table and what to do" \
			'FAILED: .*public\.words.*interrupted copy.*run the data step again' "$T_TMP/$db.env.out"
		check "$lbl: no .env written" test ! -e "$T_TMP/$db/app.env"
	else
		consistent "$lbl" "$db" "$st"
	fi
	resume "$lbl" "$cfg" "$db"
	if [ "$sig" = KILL ]; then
		expect_match "$lbl: the re-run empties the unfinished table and copies it again" \
			'public\.words: .*unfinished copy: emptied and copied again' "$T_TMP/$db.resume.out"
	fi
}
split_case INT splitint
split_case KILL splitkill
farlink_start src 60 0 262144 || exit 1
FAR_URL="postgresql://app:app-secret-pw@127.0.0.1:$FAR_PORT/sample?sslmode=disable"
split_case KILL farkill far

# --- 2: backends terminated mid-copy ----------------------------------------------
# terminate_case WHICH(dst|src) DB SOURCEDB
terminate_case() {
	which=$1 db=$2
	lbl="$which backends terminated mid-copy"
	new_target "$db"
	cfg=$(migrate_config "$db" "$(pg_url dst "$db")")
	st="$T_TMP/$db/.rds-migrate.state"
	rdsm_bg "$cfg" "$T_TMP/$db.out" schema data verify
	pid=$BG
	if ! wait_midcopy "$pid" "$db" "$st"; then
		not_ok "$lbl: the copy was caught in the middle" "no table copied while another was copying"
		wait_exit "$pid" 5
		return
	fi
	kdb=$db
	[ "$which" = src ] && kdb=sample
	n=$(pg_sql "$which" postgres -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name LIKE 'rds-migrate%' AND datname = '$kdb'")
	echo "# terminated $n $which backends"
	wait_exit "$pid" 60
	out="$T_TMP/$db.out"
	if [ "$RC" = 0 ]; then
		# it retried: then the copy must be whole and verified
		ok "$lbl: the run retried and completed"
	else
		expect_eq "$lbl: the run fails with exit 1" 1 "$RC"
		expect_match "$lbl: a FAILED line names the table" \
			'\[data\] FAILED: .*public\.[a-z_]+' "$out"
		side=target
		[ "$which" = src ] && side=source
		expect_match "$lbl: the message says which side failed ($side)" \
			"FAILED: .*$side" "$out"
		expect_match "$lbl: the message says the connection was lost" \
			'FAILED: .*(terminat|connection|closed|lost)' "$out"
		expect_match "$lbl: the message says what to do (run again)" \
			'FAILED: .*(run (it |the same command )?again|re-?run|resume)' "$out"
	fi
	wait_idle "$db" || echo "# rds-migrate backends still on $db after 15 s"
	consistent "$lbl" "$db" "$st"
	no_secret "$lbl: no password in the state file or the output" "$st" "$out" "$out.err"
	resume "$lbl" "$cfg" "$db"
}
terminate_case dst termdst
terminate_case src termsrc

# --- 2: the target's disk full ---------------------------------------------------
# The target database lives in a tablespace on a small tmpfs (WAL stays on the
# cluster's own disk, so the server does not PANIC): a real ENOSPC on the
# table files, as on an RDS instance out of storage.
diskfull() {
	db=diskfull
	mnt="$T_TMP/smallfs"
	mkdir -p "$mnt"
	if ! mount -t tmpfs -o size=12m,mode=0700 tmpfs "$mnt" 2>"$T_TMP/mount.err"; then
		echo "# skipped: target disk full: cannot mount a tmpfs here ($(cat "$T_TMP/mount.err"))"
		return
	fi
	T_CLEANUP="$T_CLEANUP umount_small" # after the clusters stop
	umount_small() { umount -l "$mnt"; }
	chown postgres "$mnt"
	pg_sql dst postgres -c "CREATE TABLESPACE small LOCATION '$mnt'" >/dev/null
	pg_sql dst postgres -c "CREATE DATABASE $db OWNER app TABLESPACE small" >/dev/null
	cfg=$(migrate_config "$db" "$(pg_url dst "$db")")
	st="$T_TMP/$db/.rds-migrate.state"
	fast
	rdsm "$cfg" "$T_TMP/$db.out" schema data verify
	out="$T_TMP/$db.out"
	expect_eq "target disk full: the run fails with exit 1" 1 "$RC"
	# ENOSPC gives "No space left on device"; a short write at the very end gives
	# "wrote only N of 8192 bytes" with the server's hint "Check free disk space."
	# (both SQLSTATE 53100): either way the message must say the disk is full.
	df='No space left on device|disk (is )?full|free disk space|out of (disk|storage)'
	expect_match "target disk full: the message says the disk is full" "FAILED: .*($df)" "$out"
	expect_match "target disk full: the message names the table" \
		"FAILED: .*public\.[a-z_]+.*($df)|FAILED: .*($df).*public\.[a-z_]+" "$out"
	expect_match "target disk full: the message says what to do (more storage, then run again)" \
		'FAILED: .*(storage|free (some )?space|disk space).*(run|again)|Hint: .*(storage|space)' "$out"
	wait_idle "$db" || true
	consistent "target disk full" "$db" "$st"
	mount -o remount,size=200m "$mnt"
	resume "target disk full, then more space" "$cfg" "$db"
}
diskfull

# --- 4: secrets ---------------------------------------------------------------
SRC_PW='SrcPw-7Kq2ZtX9vL'
DST_PW='DstPw-4Rm8WnY3hC'
pg_sql src postgres -c "CREATE ROLE mover LOGIN PASSWORD '$SRC_PW' IN ROLE app" >/dev/null
# the target user may create roles, as RDS's master user: the tables' owner
# (app, whose member the source user is) keeps them on the target
pg_sql dst postgres -c "CREATE ROLE owner2 LOGIN CREATEROLE PASSWORD '$DST_PW'" \
	-c "CREATE DATABASE secrets OWNER owner2" >/dev/null
SRC_URL="postgresql://mover:$SRC_PW@127.0.0.1:$PROXY_PORT/sample?sslmode=disable"
sdir="$T_TMP/secrets"
cfg=$(migrate_config secrets "postgresql://owner2:$DST_PW@127.0.0.1:$PORT_dst/secrets?sslmode=disable" \
	"[env]" "file = $sdir/.env")
"$RDSM_BIN" -c "$cfg" --plain --log "$sdir/run.log" source probe schema data verify env \
	>"$sdir/stdout" 2>"$sdir/stderr" &
pid=$!
: >"$sdir/proc"
samples=0
while kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; do
	for p in $pid $(cat /proc/$pid/task/*/children 2>/dev/null); do
		{
			tr '\0' '\n' <"/proc/$p/cmdline"
			tr '\0' '\n' <"/proc/$p/environ"
		} >>"$sdir/proc" 2>/dev/null
	done
	grep -q '^\[data\]' "$sdir/stdout" && samples=$((samples + 1))
	sleep 0.05
done
wait "$pid"
RC=$?
expect_eq "secrets: the full run (source probe schema data verify env) exits 0" 0 "$RC"
[ "$RC" = 0 ] || grep FAILED "$sdir/stdout" | sed 's/^/#   | /'
if [ "$samples" -gt 0 ]; then ok "secrets: /proc of rds-migrate sampled during the data step ($samples samples)"
else not_ok "secrets: /proc of rds-migrate sampled during the data step" "no sample while [data] ran"; fi
leak_check() { # NAME FILE…
	local name found f
	name=$1; shift
	found=""
	for f in "$@"; do
		[ -e "$f" ] || { found="$found (missing: $f)"; continue; }
		grep -Fq "$SRC_PW" "$f" && found="$found source-password-in:$f"
		grep -Fq "$DST_PW" "$f" && found="$found target-password-in:$f"
	done
	if [ -z "$found" ]; then ok "$name"; else not_ok "$name" "$found"; fi
}
expect_match "secrets: the --log file records the run (so its check means something)" \
	'\[data\] ok: 10 tables copied' "$sdir/run.log"
expect_match "log: the round trips each step made to the source are in the --log file" \
	'\[schema\] round trips: [0-9]+ to the source \([0-9]+ connections?\), [0-9]+ to the target' "$sdir/run.log"
expect_match "log: ... for the data step too" '\[data\] round trips: [0-9]+ to the source' "$sdir/run.log"
if grep -q "round trips" "$sdir/stdout"; then not_ok "log: round trips are in the log only, not on stdout"
else ok "log: round trips are in the log only, not on stdout"; fi
grep -hoE '(postgres(ql)?://|DATABASE_URL)[^ ]*' "$sdir/stdout" | sort -u | head -3 | sed 's/^/#   shown as: /'
leak_check "secrets: no password on stdout" "$sdir/stdout"
leak_check "secrets: no password on stderr" "$sdir/stderr"
leak_check "secrets: no password in the --log file" "$sdir/run.log"
leak_check "secrets: no password in the state file" "$sdir/.rds-migrate.state"
leak_check "secrets: no password in /proc/PID/cmdline or environ (rds-migrate and children)" "$sdir/proc"
if grep -Fq "$DST_PW" "$sdir/.env" 2>/dev/null; then ok "secrets: the .env holds the target password (where it belongs)"
else not_ok "secrets: the .env holds the target password (where it belongs)"; fi
mode=$(stat -c %a "$sdir/.env" 2>/dev/null)
expect_eq "secrets: the .env is mode 0600" 600 "$mode"
mode=$(stat -c %a "$sdir/.rds-migrate.state" 2>/dev/null)
expect_eq "secrets: the state file is mode 0600" 600 "$mode"

chmod 644 "$cfg"
"$RDSM_BIN" -c "$cfg" --check-config >"$sdir/check.out" 2>"$sdir/check.err"
expect_match "secrets: a config holding a password with mode 0644 gets a warning" \
	'warning: .*holds a password and is readable by others' "$sdir/check.err"
leak_check "secrets: the warning does not print the password" "$sdir/check.out" "$sdir/check.err"
chmod 600 "$cfg"
"$RDSM_BIN" -c "$cfg" --check-config >"$sdir/check2.out" 2>"$sdir/check2.err"
expect_no_match "secrets: the same config with mode 0600 gets no warning" 'readable by others' "$sdir/check2.err"

#!/bin/sh
# Live mode on the Run screen: the copy from the slot's snapshot, then the
# replicate step's lag line (bytes, seconds, rows applied, tables) drawn live.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

pg_start src "wal_level = logical" || { not_ok "source cluster starts"; exit 0; }
pg_start dst || { not_ok "target cluster starts"; exit 0; }
pg_load_sample src sample 1 || { not_ok "sample data loads"; exit 0; }
pg_sql src postgres -c "ALTER ROLE app REPLICATION" >/dev/null
pg_sql dst postgres -c "ALTER ROLE app SUPERUSER" >/dev/null # PostgreSQL 15: subscriptions
pg_sql dst postgres -c "CREATE DATABASE app OWNER app" >/dev/null

W="$T_TMP/work"
mkdir -p "$W"
cat >"$W/config.ini" <<INI
[source]
url = $(pg_url src sample)

[target]
url = $(pg_url dst app)
sslmode = disable

[migrate]
mode = live
INI
chmod 600 "$W/config.ini"

tui_start "$W" -c config.ini || { not_ok "wizard starts"; sed 's/^/#   | /' "$SCREEN"; exit 0; }
keys Down Space Down Space
expect_screen "live: instance and network left out" "[ ] 3. network"
keys Down Down Down Down Down Space # the cutover, which would stop the application
expect_screen "live: the cutover left out" "[ ] 8. cutover"
keys Enter
expect_screen "live: the Source screen's inventory comes" "Source database: PostgreSQL" 20
keys NPage
expect_screen "live: the Source screen checks what replication needs" "wal_level" 10
expect_screen "live: and the replication slots free" "replication slots" 5
for i in 1 2 3 4; do keys Enter; done
expect_screen "live: the Target screen says the user may subscribe" "may create a subscription" 20
keys Enter Enter Enter Enter Enter
expect_screen "live: the Run screen opens" "11/11  Run"
keys Enter
expect_screen "live: the run finishes" "Done: every step succeeded." 120
expect_screen "live: the Run screen shows replication's lag line" "Replication caught up: lag" 5
capture
expect_match "live: the lag line has bytes, seconds, rows applied and tables" \
	'Replication caught up: lag [0-9.]+ [KMG]?i?B, [0-9.]+ s; [0-9]+ rows applied; 10 tables' "$SCREEN"
if grep -q "✓replicate" "$SCREEN"; then ok "live: status bar: replicate ok"; else
	not_ok "live: status bar: replicate ok"; sed 's/^/#   | /' "$SCREEN"; fi
expect_eq "live: the subscription runs on the target" 1 \
	"$(pg_sql dst app -c "SELECT count(*) FROM pg_stat_subscription WHERE subname LIKE 'rds\_migrate\_%' AND pid IS NOT NULL")"
# back on the Source screen: the slot of ours is named with the WAL it holds
for i in 1 2 3 4 5 6 7 8 9; do keys Escape; done
expect_screen "live: back on the Source screen" "2/11  Source database" 10
expect_screen "live: the Source screen looks again" "Source database: PostgreSQL" 20
found=no
for i in 1 2 3 4 5; do
	if wait_for "our slot holds" 2; then found=yes; break; fi
	keys NPage
done
if [ "$found" = yes ]; then ok "live: the Source screen shows our slot holding WAL"; else
	not_ok "live: the Source screen shows our slot holding WAL"; sed 's/^/#   | /' "$SCREEN"; fi
keys F10 # the URL field has the focus: q would be typed
expect_clean_exit "live: quit after the run" 0
"$RDSM_BIN" -c "$W/config.ini" --plain cleanup >"$T_TMP/cleanup.out" 2>&1
expect_eq "live: cleanup afterwards exits 0" 0 "$?"

#!/bin/sh
# The Run screen migrates for real between two PostgreSQL clusters: live panels
# on Source and Target, per-step badges, progress, the summary, the .env.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

pg_start src || { not_ok "source cluster starts"; exit 0; }
pg_start dst || { not_ok "target cluster starts"; exit 0; }
pg_load_yousync src yousync 1 || { not_ok "sample data loads"; exit 0; }
pg_sql dst postgres -c "CREATE DATABASE app OWNER app" >/dev/null

W="$T_TMP/work"
mkdir -p "$W"
cat >"$W/config.ini" <<INI
[source]
url = $(pg_url src yousync)

[target]
url = $(pg_url dst app)
sslmode = disable

[env]
file = .env
INI
chmod 600 "$W/config.ini"
printf 'OTHER=1\n' >"$W/.env"

tui_start "$W" -c config.ini || { not_ok "wizard starts"; sed 's/^/#   | /' "$SCREEN"; exit 0; }
# Leave out the AWS steps: the target is a plain PostgreSQL.
keys Down Space Down Space
expect_screen "instance and network can be left out" "[ ] 3. network"
expect_screen "the status bar marks left-out steps" "–instance –network"

keys Enter
expect_screen "the Source screen's live inventory shows the server" "PostgreSQL" 20
for i in 1 2 3 4; do keys Enter; done
expect_screen "the Target screen opens" "6/9  Target database"
expect_screen "the Target screen's live probe succeeds" "✓ Target connection:" 20
keys Enter Enter Enter
expect_screen "the Run screen opens" "9/9  Run"
keys Enter
expect_screen "the run finishes with every step done" "Done: every step succeeded." 120
capture
for s in source probe schema data verify env; do
	if grep -q "✓$s" "$SCREEN"; then ok "status bar: $s ok"; else not_ok "status bar: $s ok"; sed 's/^/#   | /' "$SCREEN"; fi
done
expect_screen "the run screen shows the progress of the copy" "total"
rows_src=$(pg_sql src yousync -c "SELECT count(*) FROM information_schema.tables WHERE table_schema='public'")
rows_dst=$(pg_sql dst app -c "SELECT count(*) FROM information_schema.tables WHERE table_schema='public'")
expect_eq "every table arrived" "$rows_src" "$rows_dst"
expect_match ".env got DATABASE_URL" "^DATABASE_URL=postgresql://app:" "$W/.env"
expect_match ".env kept its other line" "^OTHER=1\$" "$W/.env"
keys q
expect_clean_exit "quit after the run" 0

# Again, data only, with the run's state gone: the target tables hold rows, so
# the step asks (a yes/no dialog); "no" stops it, "yes" truncates and copies.
rm -f "$W/.rds-migrate.state"
tm send-keys -t w "clear" Enter
tui_launch -c config.ini
wait_for "1/9  Welcome" 15
keys Space Down Space Down Space Down Space Down Space Down Down Space Down Space
expect_screen "only the data step is chosen" "[x] 6. data"
capture
expect_eq "one step chosen" 1 "$(grep -c '\[x\]' "$SCREEN")"
for i in 1 2 3 4 5 6 7 8; do keys Enter; done
expect_screen "the Run screen opens (data only)" "9/9  Run"
keys Enter
expect_screen "the step asks before truncating, in a dialog" "already hold rows" 60
expect_screen "the dialog offers yes and no" "y yes    n no"
keys n
expect_screen "no stops the step" "Stopped: a step failed" 30
expect_screen "the failure names the way out" "--force"
expect_screen "the status bar shows the data step failed" "✗data"
keys Enter
expect_screen "running again asks again" "y yes    n no" 60
keys y
expect_screen "yes truncates and copies" "Done: every step succeeded." 120
n_src=$(pg_sql src yousync -c "SELECT count(*) FROM words")
n_dst=$(pg_sql dst app -c "SELECT count(*) FROM words")
expect_eq "no row copied twice" "$n_src" "$n_dst"
keys q
expect_clean_exit "quit after the second run" 0

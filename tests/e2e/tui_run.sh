#!/bin/sh
# The Run screen migrates for real between two PostgreSQL clusters: live panels
# on Source and Target, per-step badges, progress, the summary, the .env.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

pg_start src || { not_ok "source cluster starts"; exit 0; }
pg_start dst || { not_ok "target cluster starts"; exit 0; }
pg_load_sample src sample 1 || { not_ok "sample data loads"; exit 0; }
pg_sql dst postgres -c "CREATE DATABASE app OWNER app" >/dev/null

W="$T_TMP/work"
mkdir -p "$W"
cat >"$W/config.ini" <<INI
[source]
url = $(pg_url src sample)

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
expect_screen "the Target screen opens" "6/11  Target database"
expect_screen "the Target screen's live probe succeeds" "Target connection: PostgreSQL 1" 20
# sslmode=disable: the summary carries the step's warning (not encrypted), not a ✓
expect_screen "the Target summary is marked with the TLS warning" "! Target connection:" 5
expect_screen "the login is marked ok" "✓ auth" 5
keys Enter Enter Enter Enter Enter
expect_screen "the Run screen opens" "11/11  Run"
keys Enter
expect_screen "the run finishes with every step done" "Done: every step succeeded." 120
capture
for s in source probe schema data verify env; do
	if grep -q "✓$s" "$SCREEN"; then ok "status bar: $s ok"; else not_ok "status bar: $s ok"; sed 's/^/#   | /' "$SCREEN"; fi
done
expect_screen "the run screen shows the progress of the copy" "total"
rows_src=$(pg_sql src sample -c "SELECT count(*) FROM information_schema.tables WHERE table_schema='public'")
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
wait_for "1/11  Welcome" 15
keys Space Down Space Down Space Down Space Down Space Down Down Space Down Space Down Space Down Space Down Space
expect_screen "only the data step is chosen" "[x] 6. data"
capture
expect_eq "one step chosen" 1 "$(grep -c '\[x\]' "$SCREEN")"
for i in 1 2 3 4 5 6 7 8 9 10; do keys Enter; done
expect_screen "the Run screen opens (data only)" "11/11  Run"
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
n_src=$(pg_sql src sample -c "SELECT count(*) FROM words")
n_dst=$(pg_sql dst app -c "SELECT count(*) FROM words")
expect_eq "no row copied twice" "$n_src" "$n_dst"
keys q
expect_clean_exit "quit after the second run" 0

# Ctrl-C during a copy asks first: "n" goes on, a second Ctrl-C in the dialog
# quits with 130, and no target table is left half-loaded. The source is
# reached through a throttling proxy so the copy lasts long enough to hit.
throttle_start src 300000 || not_ok "the throttling proxy starts"
sed "s|^url = postgresql://app:app-secret-pw@127.0.0.1:$PORT_src/|url = postgresql://app:app-secret-pw@127.0.0.1:$PROXY_PORT/|" \
	"$W/config.ini" >"$W/slow.ini"
chmod 600 "$W/slow.ini"
rm -f "$W/.rds-migrate.state"
tm send-keys -t w "clear" Enter
tui_launch --force -c slow.ini
wait_for "1/11  Welcome" 15
keys Space Down Space Down Space Down Space Down Space Down Down Space Down Space Down Space Down Space Down Space
expect_screen "slow run: only the data step is chosen" "[x] 6. data"
for i in 1 2 3 4 5 6 7 8 9 10; do keys Enter; done
expect_screen "slow run: the Run screen opens" "11/11  Run"
keys Enter
expect_screen "slow run: the copy is under way" "total" 30
keys C-c
expect_screen "Ctrl-C during a copy asks first" "Quit and interrupt it?" 10
keys n
expect_not_screen "n keeps the copy going" "Quit and interrupt it?" 5
capture
if grep -q "Done: every step succeeded" "$SCREEN"; then
	not_ok "the copy was still running after n" "it finished too fast to test"
else
	ok "the copy was still running after n"
fi
keys C-c
expect_screen "Ctrl-C asks again" "Quit and interrupt it?" 10
keys C-c
expect_clean_exit "a second Ctrl-C interrupts the run" 130
half=""
for t in $(pg_sql src sample -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"); do
	ns=$(pg_sql src sample -c "SELECT count(*) FROM $t")
	nd=$(pg_sql dst app -c "SELECT count(*) FROM $t")
	[ "$nd" = 0 ] || [ "$nd" = "$ns" ] || half="$half $t($nd of $ns)"
done
expect_eq "after Ctrl-C no target table is half-loaded" "" "$half"

#!/bin/sh
# The Env screen writes the application's .env: the same bytes as
# `--plain env`, every other line kept, mode 0600, the old file as a backup;
# and to a file whose name was typed in Korean.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

W="$T_TMP/work"
P="$T_TMP/plain"
mkdir -p "$W" "$P"
for d in "$W" "$P"; do
	cat >"$d/config.ini" <<'INI'
[target]
url = postgresql://app:p%40ss%3Aw0rd@db.example.com:5432/appdb
sslmode = require

[env]
file = .env
key = DATABASE_URL
INI
	chmod 600 "$d/config.ini"
	printf '# the app\nexport SECRET_KEY=abc\n\nDATABASE_URL=postgres://old@localhost/old\nQUOTED="a b # not a comment"\n' >"$d/.env"
	chmod 644 "$d/.env"
done
cp "$W/.env" "$T_TMP/env.orig"

# The reference: the plain front end on the same config.
(cd "$P" && "$RDSM_BIN" -c config.ini --plain env >"$T_TMP/plain.out" 2>&1)
check "--plain env succeeds (reference)" test -f "$P/.env.bak"

tui_start "$W" -c config.ini || { not_ok "wizard starts"; sed 's/^/#   | /' "$SCREEN"; exit 0; }
for i in 1 2 3 4 5 6 7 8; do keys Enter; done
expect_screen "the Env screen opens" "9/11  Application .env"
expect_screen "the Env screen offers to write the file" "Write .env now"
keys F6
expect_screen "F6 writes the .env and says so" "wrote DATABASE_URL" 20

if cmp -s "$W/.env" "$P/.env"; then ok "the .env has the same bytes as --plain env writes"; else
	not_ok "the .env has the same bytes as --plain env writes"; diff "$P/.env" "$W/.env" | sed 's/^/#   /'; fi
expect_match "DATABASE_URL points at the target, password percent-encoded" \
	'^DATABASE_URL=postgresql://app:p%40ss%3Aw0rd@db\.example\.com:5432/appdb' "$W/.env"
grep -v '^DATABASE_URL=' "$W/.env" >"$T_TMP/env.rest"
grep -v '^DATABASE_URL=' "$T_TMP/env.orig" >"$T_TMP/env.orig.rest"
if cmp -s "$T_TMP/env.rest" "$T_TMP/env.orig.rest"; then ok "every other line is kept byte for byte"; else
	not_ok "every other line is kept byte for byte"; diff "$T_TMP/env.orig.rest" "$T_TMP/env.rest" | sed 's/^/#   /'; fi
expect_eq "the DATABASE_URL line stays in place (line 4)" 4 "$(grep -n '^DATABASE_URL=' "$W/.env" | cut -d: -f1)"
expect_eq "the .env has mode 0600" 600 "$(stat -c %a "$W/.env")"
if cmp -s "$W/.env.bak" "$T_TMP/env.orig"; then ok "the previous file is kept as .env.bak"; else
	not_ok "the previous file is kept as .env.bak"; fi
expect_screen "the status bar shows the env step done" "✓env"

# Enter on the button does it too; a second write changes nothing.
cp "$W/.env" "$T_TMP/env.first"
keys Tab Tab Enter
expect_screen "Enter on the button writes again: unchanged" "unchanged: it already holds this DATABASE_URL" 20
if cmp -s "$W/.env" "$T_TMP/env.first"; then ok "writing again gives the same bytes"; else
	not_ok "writing again gives the same bytes"; fi

# A file name typed in Korean.
keys Tab
wait_for "▶ file"
keys C-u
type_text "앱설정.env"
expect_screen "the Korean file name shows in the field" "앱설정.env"
keys F6
expect_screen "writing to the Korean file name succeeds" "wrote DATABASE_URL" 20
if [ -f "$W/앱설정.env" ] && grep -q '^DATABASE_URL=postgresql://app:' "$W/앱설정.env"; then
	ok "the .env named in Korean holds DATABASE_URL"; else
	not_ok "the .env named in Korean holds DATABASE_URL"; ls -la "$W" | sed 's/^/#   /'; fi
expect_eq "the Korean-named .env has mode 0600" 600 "$(stat -c %a "$W/앱설정.env" 2>/dev/null)"

keys F10
expect_screen "quitting asks about the unsaved file name" "not saved"
keys y
expect_clean_exit "quit after writing .env" 0

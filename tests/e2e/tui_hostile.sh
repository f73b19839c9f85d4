#!/bin/sh
# What a hostile tester broke in the wizard (issue 10), in a real terminal:
#   - item 6: a source URL typed with a password on the Source screen (one
#     libpq cannot read: an unencoded / cuts it) — neither the field nor the
#     live panel (the source step trying the URL) shows any piece of it;
#   - item 9: a config line that did not load (invalid UTF-8) is named on the
#     Welcome screen and on its own screen, and saving other settings with F2
#     never overwrites it.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

W="$T_TMP/work"
mkdir -p "$W"
# the identifier's line holds bytes that are not UTF-8
printf '[source]\nurl = postgresql://app:plain-pw@127.0.0.1:1/railway\n\n[instance]\nidentifier = db\377\376name\nclass = db.t3.micro\n' >"$W/config.ini"
chmod 600 "$W/config.ini"
badline=$(grep -a '^identifier' "$W/config.ini" | od -An -tx1 | tr -d ' \n')

if ! tui_start "$W" -c config.ini; then
	not_ok "wizard starts at the Welcome screen" "no Welcome screen"; sed 's/^/#   | /' "$SCREEN"
	exit 0
fi

# --- item 9: a line that did not load ------------------------------------------
expect_screen "a config line that did not load is named on the Welcome screen" \
	"config.ini: 1 problem loading it; line 5"

# --- item 6: the password typed on the Source screen ---------------------------
keys Enter
wait_for "2/11  Source database"
keys C-u
PW='Qz/Kv9Xq7Wj'
# the user name is a host name that resolves, so libpq reads "localhost" as
# the host and the password's first piece as the port
type_text "postgresql://localhost:$PW@127.0.0.1:1/railway"
# the live panel tries the URL as typed (the source step, look-only): wait for
# its answer about the port, then look at the whole screen
wait_for "password as its" 15
capture
cp "$SCREEN" "$T_TMP/source-screen.txt"
leak=""
for frag in Qz Kv v9 9X Xq q7 7W Wj; do
	grep -qF -- "$frag" "$T_TMP/source-screen.txt" && leak="$leak $frag"
done
if [ -z "$leak" ]; then ok "no piece of the typed password is on the Source screen (field and live panel)"
else not_ok "no piece of the typed password is on the Source screen (field and live panel)" "shown:$leak"
	sed 's/^/#   | /' "$T_TMP/source-screen.txt"; fi
expect_screen "the live panel says libpq would read part of the password as another part" \
	"libpq reads part of the URL's password as its"
keys C-u
type_text "postgresql://app:plain-pw@127.0.0.1:1/railway"
keys Escape
wait_for "1/11  Welcome"

# --- item 9, continued: its screen, and F2 saves around it ----------------------
keys Enter Enter Enter
expect_screen "the line that did not load is named on its own screen" \
	"the file keeps its line until you change this value"
keys Tab Tab
keys C-u
type_text "db.t3.small"
keys F2
expect_screen "F2 saves the other settings" "saved to config.ini"
expect_match "the changed setting is saved" '^class *= *db\.t3\.small' "$W/config.ini"
expect_eq "the line that did not load is kept byte for byte" "$badline" \
	"$(grep -a '^identifier' "$W/config.ini" | od -An -tx1 | tr -d ' \n')"
expect_match "the source URL is saved as it was" '^url = postgresql://app:plain-pw@127\.0\.0\.1:1/railway' "$W/config.ini"
for i in 1 2 3; do keys Escape; done
wait_for "1/11  Welcome"
keys q
expect_clean_exit "q quits" 0

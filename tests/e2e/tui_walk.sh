#!/bin/sh
# The wizard in a real terminal: every screen forward and back, inline rules,
# help, password show/generate, Korean text editing, saving (mode 0600), and
# q leaving a clean shell.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

W="$T_TMP/work"
mkdir -p "$W"
cat >"$W/config.ini" <<'INI'
[source]
url = postgresql://app:source-secret-pw@railway.example.com:5432/railway?sslmode=require
INI
chmod 600 "$W/config.ini"

if ! tui_start "$W" -c config.ini; then
	not_ok "wizard starts at the Welcome screen" "no Welcome screen"; sed 's/^/#   | /' "$SCREEN"
	exit 0
fi
ok "wizard starts at the Welcome screen"
expect_screen "welcome lists every step" "write DATABASE_URL into the application's .env"
expect_screen "status bar shows the step checklist" "·source ·instance ·network ·probe ·schema ·data ·replicate"
expect_screen "status bar shows the steps after the cutover's place" "·cutover ·verify ·env ·monitor –compare"

# Forward through every screen, checking each one's title and a field.
walk() { # key title text
	keys "$1"
	expect_screen "forward to $2" "$2"
	expect_screen "$2 shows $3" "$3"
}
walk Enter "2/11  Source database" "url"
expect_screen "the source URL's password is masked" "app:****************@railway.example.com"
expect_not_screen "the source URL's password is not on screen" "source-secret-pw" 1
keys F3
expect_screen "F3 shows the source URL's password" "app:source-secret-pw@railway"
keys F3
expect_not_screen "F3 again hides it" "source-secret-pw"
walk Enter "3/11  AWS account" "region"
walk Enter "4/11  RDS instance" "master_password"
walk Enter "5/11  Network access" "allow"
walk Enter "6/11  Target database" "sslmode"
walk Enter "7/11  Migration" "exclude_tables"
walk Enter "8/11  Cutover" "health_timeout"
expect_screen "the Cutover screen shows verify's default" "counts"
walk Enter "9/11  Application .env" "DATABASE_URL"
walk Enter "10/11  Monitoring" "cpu_percent"
walk Enter "11/11  Run" "Enter starts the run"
expect_screen "Run screen lists the steps" "Write .env"

# And back to the start.
for t in "10/11  Monitoring" "9/11  Application .env" "8/11  Cutover" "7/11  Migration" "6/11  Target database" "5/11  Network access" \
	"4/11  RDS instance" "3/11  AWS account" "2/11  Source database" "1/11  Welcome"; do
	keys Escape
	expect_screen "back to $t" "$t"
done

# Live panels say plainly when a step is not there yet, or show what it found.
keys Enter
expect_screen "Source screen shows its live panel" "Source inventory"
expect_screen "the live panel shows the source step's result" "Source database:"

# An invalid value shows its rule in words, under the field.
keys Enter Enter
wait_for "4/11  RDS instance"
keys Tab
type_text "-"
expect_screen "an identifier ending in a hyphen shows its rule" "must not end with a hyphen"
expect_screen "an edited setting marks the settings unsaved" "unsaved"
keys BSpace
expect_not_screen "fixing the value removes the rule" "must not end with a hyphen"
keys Tab
keys C-u
type_text "db.x"
expect_screen "a wrong instance class shows its rule" "✗"
keys C-u
type_text "db.t3.micro"

# Help.
keys F1
expect_screen "F1 shows the help" "Help"
expect_screen "help lists the keys" "F2 or Ctrl-S"
keys Escape
expect_not_screen "any key closes the help" "F2 or Ctrl-S"

# The password: generate (shown once), hide.
keys F4
expect_screen "F4 generates a password" "generated a 24-character password"
capture
pw=$(sed -n 's/^▶ master_password *\([^ ]*\) *$/\1/p' "$SCREEN")
if [ ${#pw} -eq 24 ]; then ok "the generated password has 24 characters"; else
	not_ok "the generated password has 24 characters" "got [$pw]"; fi
keys F3
expect_screen "F3 masks the password" "************************"
expect_not_screen "the masked password is not on screen" "$pw"

# Korean text in a field: typed, shown, edited with wide characters.
keys Enter Enter Enter Enter Enter
wait_for "9/11  Application .env"
keys C-u
type_text "데이터베이스.env"
expect_screen "Korean text typed into a field shows" "데이터베이스.env"
keys Left Left Left Left BSpace BSpace BSpace
expect_screen "backspace deletes whole Korean characters" "데이터.env"
keys Home
type_text "앱"
expect_screen "Korean text inserted at the start" "앱데이터.env"

# Save: the config file holds the values and has mode 0600.
keys F2
expect_screen "F2 saves the settings" "saved to config.ini"
expect_not_screen "saving clears the unsaved mark" "unsaved"
mode=$(stat -c %a "$W/config.ini")
expect_eq "saved config has mode 0600" 600 "$mode"
expect_match "saved config holds the Korean value" '^file *= *앱데이터\.env' "$W/config.ini"
expect_match "saved config holds the generated password" "^master_password *= *.{24}\$" "$W/config.ini"
expect_match "saved config keeps the source url" 'railway.example.com' "$W/config.ini"

# Quitting with unsaved input asks first.
keys C-u
type_text ".env"
keys F10
expect_screen "quitting with unsaved input asks" "not saved"
keys n
expect_not_screen "n stays in the wizard" "not saved"
expect_screen "still on the Env screen" "9/11  Application .env"

# Ctrl-S saves too (flow control is off in the wizard); back to Welcome, where
# q quits at once (nothing unsaved).
keys C-s
expect_screen "Ctrl-S saves the settings" "saved to config.ini"
expect_not_screen "Ctrl-S clears the unsaved mark" "unsaved"
for i in 1 2 3 4 5 6 7 8; do keys Escape; done
expect_screen "Esc walks back to Welcome" "1/11  Welcome"
keys q
expect_clean_exit "q quits" 0

#!/bin/sh
# Every screen in an 80x24 terminal, in C.UTF-8 and in ko_KR.UTF-8:
# introductions whole (wrapped, never cut), a key line that fits and offers
# only the keys that work on that screen, Hangul in the form's value column,
# help that scrolls, and below 80x24 a screen asking for a bigger window.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

W="$T_TMP/work"
mkdir -p "$W"
# a source nobody listens on: the live panels show a failure, wrapped
printf '[source]\nurl = postgresql://app:pw@127.0.0.1:1/railway\n' >"$W/config.ini"
chmod 600 "$W/config.ini"
export TM_SIZE="80 24"

# keys_are NAME ITEM…: the key line holds each ITEM whole, on one row.
keys_are() {
	n=$1; shift
	for item in "$@"; do
		want=$(tr_msg "$item")
		# "F6 <what it does>": the key, then the words of the screen's action
		[ "$want" = "$item" ] && case $item in F6\ *) want="F6 $(tr_msg "${item#F6 }")" ;; esac
		if grep -qF -- "$want" "$SCREEN"; then ok "$n: key line offers $item"; else
			not_ok "$n: key line offers $item" "not on one row"; sed 's/^/#   | /' "$SCREEN"; fi
	done
}

# screen_is N TITLE INTRO KEYS…: on screen N of 11, the intro whole and the keys.
screen_is() {
	num=$1 title=$(tr_msg "$2") intro=$3; shift 3
	expect_screen "$TUI_LANG: screen $num/11 at 80x24" "$num/11  $title" 10
	sleep 0.3 # the live panel's first look
	capture
	[ -n "$intro" ] && screen_has "$TUI_LANG: $title: the introduction is whole" "$(tr_msg "$intro")"
	keys_are "$TUI_LANG: $title" "$@"
}

walk_80x24() {
	if ! tui_start "$W" -c config.ini; then
		not_ok "$TUI_LANG: wizard starts at 80x24"; sed 's/^/#   | /' "$SCREEN"; return
	fi
	screen_is 1 Welcome "This wizard moves a PostgreSQL database from Railway to AWS RDS. Each screen shows one part of the settings (from the config file; F2 saves them). Nothing changes until you start the run on the last screen." \
		"↑↓ move  Space toggle  Enter go on  F1 help  F2 save  q quit"
	screen_has "$TUI_LANG: Welcome: a step's description is whole" \
		"$(tr_msg "read the Railway database: version, size, tables, extensions")"
	screen_has "$TUI_LANG: Welcome: the hint is whole" \
		"$(tr_msg "Enter: go on to the Source screen. The checklist below shows each step's state.")"
	keys Enter
	screen_is 2 "Source database" "Where the data comes from: the Railway PostgreSQL URL. Railway uses a self-signed certificate, so sslmode=require works and verify-full does not." \
		"F3 show" "F5 check" "F10 quit"
	expect_no_string "$TUI_LANG: Source: no F4 (no password to generate)" "F4" "$SCREEN"
	keys Enter
	screen_is 3 "AWS account" "Who and where: the AWS region and the profile. Credentials follow the SDK chain: environment, the ~/.aws profile, then the EC2 instance role." \
		"F5 check" "F10 quit"
	expect_no_match "$TUI_LANG: AWS: no password keys" "F3|F4" "$SCREEN"
	keys Enter
	screen_is 4 "RDS instance" "The RDS instance to create or to adopt (mode). Nothing changes before F6 here or the run." \
		"F3 show" "F4 generate" "F6 create/adopt" "F10 quit"
	keys Enter
	screen_is 5 "Network access" "Who may connect to the instance: the narrowest rule that works is added to its security group (this machine's IP/32, or this EC2 box's own group) when you press F6 or run." \
		"F5 check" "F6 add the rule" "F10 quit"
	expect_no_match "$TUI_LANG: Network: no password keys" "F3|F4" "$SCREEN"
	keys Enter
	screen_is 6 "Target database" "Where the data goes. Leave url empty to use the RDS instance; set it to migrate into any PostgreSQL." \
		"F3 show" "F5 check" "F10 quit"
	expect_no_string "$TUI_LANG: Target: no F4" "F4" "$SCREEN"
	keys Enter
	screen_is 7 Migration "How the copy is done: the schema first (tables before data, indexes, constraints and foreign keys after), the rows with COPY from one consistent snapshot, then every table verified. In live mode the snapshot is a replication slot's and the changes made meanwhile follow by logical replication." \
		"F10 quit"
	expect_no_match "$TUI_LANG: Migration: no password or step keys" "F3|F4|F5|F6" "$SCREEN"
	# Hangul is two columns wide: the value column stays where it is
	keys Down Down Down Down
	type_text "공개.사용자"
	wait_for "공개.사용자" 5
	col=$(python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for l in open(sys.argv[1], encoding="utf-8"):
    if "exclude_tables" in l: print(w(l[:l.index("공")]))
' "$SCREEN")
	jobs_col=$(python3 -c '
import sys
for l in open(sys.argv[1], encoding="utf-8"):
    if l.lstrip("▶ ").startswith("jobs "): print(l.index("2", 10))
' "$SCREEN")
	expect_eq "$TUI_LANG: Hangul in a field starts in the value column" "$jobs_col" "$col"
	keys C-u
	keys Enter
	screen_is 8 Cutover "Live mode ends with a switch: the application's writes stop, the target applies every change, the sequences are set, the two sides compared, the .env pointed at the target, the replication dropped, the application started and its health checked. When it is not healthy in time, the old .env goes back and the application is started against the source again." \
		"F10 quit"
	expect_no_match "$TUI_LANG: Cutover: no password or step keys" "F3|F4|F5|F6" "$SCREEN"
	keys Enter
	screen_is 9 "Application .env" "Where the application finds its database: KEY=URL in its .env file. Every other line is kept, the old file is kept as a backup, the new one is written with mode 0600." \
		"F10 quit"
	expect_no_match "$TUI_LANG: Env: no password keys" "F3|F4" "$SCREEN"
	keys Enter
	screen_is 10 Monitoring "CloudWatch alarms on the instance, mailed through an SNS topic. Each threshold is shown below with what it means for this instance; 0 means no such alarm. Nothing is created until you press F6 or run." \
		"F5 check" "F6 create the alarms" "F10 quit"
	keys Enter
	screen_is 11 Run ""
	expect_screen "$TUI_LANG: Run: the plan is shown before the run" "$(tr_msg "The plan: what the run will do (nothing changes before Enter)")" 10
	# the plan is longer than the screen: PgUp/PgDn join the key line, which still fits
	expect_screen "$TUI_LANG: Run: the key line offers paging the plan" "$(tr_msg "Enter run  Esc back  PgUp/PgDn findings  F1 help  F2 save  q quit")" 10
	screen_has "$TUI_LANG: Run: the introduction is whole" \
		"$(tr_msg "Ready. Press Enter to run the steps below for real; each one is safe to run again. Press c to cancel a run.")"

	# help: whole, scrolling when longer than the box
	keys Escape Escape Escape Escape Escape Escape Escape
	wait_for "4/11" 5
	keys F1
	expect_screen "$TUI_LANG: F1 shows the help at 80x24" "$(tr_msg "Help")"
	capture
	screen_has "$TUI_LANG: the screen's help is whole" \
		"$(tr_msg "Every setting of the instance; the line under a field says its rule when the value breaks it.\nmaster_password: F3 shows or hides it, F4 generates a strong one (24 characters).\nEmpty password: one is generated at run time and saved only to .env.\nF6 creates (or adopts) the instance now and waits until it is available.")"
	keys NPage
	last=$(tr_msg "Tab Shift-Tab ↑↓  move between fields\nEnter            next screen (or press the focused button)\nEsc              back\nF2 or Ctrl-S     save the settings to the config file (0600)\nF3 / F4          show the password / generate a strong one\nF5 / F6          check again now / do this screen's step now\nPgUp / PgDn      scroll the findings\nF10 or Ctrl-Q    quit (q too, on screens without fields)\nAny key closes this help." | tail -n 1)
	expect_screen "$TUI_LANG: the help's last line is reachable" "$last" 5
	keys Escape

	# smaller than 80x24: a request for a bigger window, and back
	tm resize-window -t w -x 79 -y 24
	expect_screen "$TUI_LANG: 79x24 asks for a bigger window" "80×24" 5
	capture
	screen_has "$TUI_LANG: the request is whole" "$(tr_msg "Make the window at least %d×%d (it is %d×%d now). F10 quits." | sed 's/%d×%d/80×24/; s/%d×%d/79×24/')"
	tm resize-window -t w -x 40 -y 10
	expect_screen "$TUI_LANG: 40x10 asks too" "40×10" 5
	tm resize-window -t w -x 80 -y 23
	expect_screen "$TUI_LANG: 80x23 asks too" "80×23" 5
	tm resize-window -t w -x 80 -y 24
	expect_screen "$TUI_LANG: 80x24 brings the screen back" "4/11" 5
	keys F10
	expect_screen "$TUI_LANG: the quit question fits" "$(tr_msg "You have changed settings that are not saved.")" 5
	keys y
	expect_clean_exit "$TUI_LANG: quit at 80x24" 0
	tm_kill
}

walk_80x24

# The same in Korean: Hangul is two columns wide, and the text still wraps
# whole (the locale is the test's own, see use_ko_locale).
if use_ko_locale; then
	TUI_LANG=ko_KR.UTF-8
	TM_SOCK="$TM_SOCK-ko" # a tmux server of its own (the first one may still be going)
	walk_80x24
else
	not_ok "ko_KR.UTF-8 can be compiled for the test (localedef)"
fi

#!/bin/sh
# Terminal behaviour: too small and back, every way out restores the terminal
# (q, Ctrl-C, SIGTERM, SIGHUP, a crash), themes, NO_COLOR, and a quiet screen.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

W="$T_TMP/work"
mkdir -p "$W"
printf '[env]\nfile = .env\n' >"$W/config.ini"
chmod 600 "$W/config.ini"

# Resize: 70x20 shows the too-small screen, 100x30 brings back the screen, with
# the text typed before the resize.
tui_start "$W" -c config.ini || { not_ok "wizard starts" ; sed 's/^/#   | /' "$SCREEN"; exit 0; }
keys Enter Enter
wait_for "3/11  AWS account"
keys Tab
type_text "myprofile"
tm resize-window -t w -x 70 -y 20
expect_screen "70x20 shows the too-small screen" "terminal too small (need 80×24)"
expect_not_screen "the too-small screen hides the form" "3/11  AWS account"
tm resize-window -t w -x 100 -y 30
expect_screen "back to 100x30 restores the screen" "3/11  AWS account"
expect_screen "typed text survives the resize" "myprofile"
tm resize-window -t w -x 80 -y 24
expect_screen "80x24 is big enough" "3/11  AWS account"
expect_screen "80x24 still shows the status bar" "·source ·instance"
tm resize-window -t w -x 100 -y 30

# A live screen left open writes little to the terminal (ncurses diffs, repaints
# are throttled): under 2 KB/s over 6 seconds.
keys Escape
wait_for "2/11  Source database"
tm pipe-pane -t w -o "cat >>'$T_TMP/out.bytes'"
sleep 6
tm pipe-pane -t w
bytes=$(wc -c <"$T_TMP/out.bytes" 2>/dev/null || echo 0)
if [ "$bytes" -lt 12000 ]; then ok "a live screen writes under 2 KB/s ($bytes bytes in 6 s)"; else
	not_ok "a live screen writes under 2 KB/s" "$bytes bytes in 6 s"; fi

keys F10
expect_screen "quit asks about the unsaved profile" "not saved"
keys y
expect_clean_exit "F10 then y" 0

# Every signal that ends the wizard leaves the terminal as it was.
for sig in INT TERM HUP; do
	tm send-keys -t w "clear" Enter
	tui_launch -c config.ini
	if ! wait_for "1/11  Welcome" 15; then not_ok "SIG$sig: wizard starts"; continue; fi
	keys Enter
	wait_for "2/11  Source database"
	if [ $sig = INT ]; then keys C-c; else kill -$sig "$(cat "$T_TMP/pid")"; fi
	expect_clean_exit "SIG$sig" 130
done

# A crash (SIGSEGV) restores the terminal and dies of the same signal.
tm send-keys -t w "clear" Enter
TUI_ENV="RDSM_TEST_CRASH=1" tui_launch -c config.ini
expect_clean_exit "a crash" 139

# Themes: mono and light start; an unknown role is reported with file and line.
for th in mono light dark; do
	tm send-keys -t w "clear" Enter
	tui_launch -c config.ini --theme $th
	expect_screen "--theme $th starts" "1/11  Welcome" 15
	expect_not_screen "--theme $th has no theme problems" "theme:" 1
	keys q
	expect_clean_exit "--theme $th quits" 0
done
printf 'normal = default, default\nbogus_role = red, blue\ntitle = nocolour, blue\n' >"$T_TMP/bad.ini"
tm send-keys -t w "clear" Enter
tui_launch -c config.ini --theme "$T_TMP/bad.ini"
expect_screen "a bad theme is reported on screen with file and line" "bad.ini:2: unknown role 'bogus_role'" 15
keys q
expect_clean_exit "bad theme quits" 0
expect_match "a bad theme's problems go to stderr after quitting" "bad.ini:2: unknown role 'bogus_role'" "$T_TMP/stderr"
expect_match "an unknown colour is reported with its line" "bad.ini:3: unknown colour 'nocolour'" "$T_TMP/stderr"

# Colour by default; none with NO_COLOR.
tm send-keys -t w "clear" Enter
tui_launch -c config.ini
wait_for "1/11  Welcome" 15
tm capture-pane -e -p -t w >"$T_TMP/colour.txt"
if grep -q "$(printf '\033')\[[0-9;]*3[0-7]m\|$(printf '\033')\[[0-9;]*4[0-7]m" "$T_TMP/colour.txt"; then
	ok "the default theme uses colour"; else not_ok "the default theme uses colour"; fi
keys q
expect_clean_exit "colour run quits" 0
tm send-keys -t w "clear" Enter
TUI_ENV="NO_COLOR=1" tui_launch -c config.ini
wait_for "1/11  Welcome" 15
tm capture-pane -e -p -t w >"$T_TMP/nocolour.txt"
if grep -q "$(printf '\033')\[[0-9;]*[34][0-7]m\|38;5\|48;5" "$T_TMP/nocolour.txt"; then
	not_ok "NO_COLOR turns colour off"; else ok "NO_COLOR turns colour off"; fi
expect_match "NO_COLOR still marks the focused step" "$(printf '\033')\[[0-9;]*7" "$T_TMP/nocolour.txt"
keys q
expect_clean_exit "NO_COLOR run quits" 0

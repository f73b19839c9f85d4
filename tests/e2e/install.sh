#!/bin/sh
# make install PREFIX=…: the installed wizard finds its themes and sample config
# wherever PREFIX is, and starts from any directory.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tui.inc"

INST="$T_TMP/prefix"
if make -s -C "$ROOT" BUILD="$BUILD" install PREFIX="$INST" >"$T_TMP/install.log" 2>&1; then
	ok "make install PREFIX=… succeeds"
else
	not_ok "make install PREFIX=… succeeds" "$(cat "$T_TMP/install.log")"
fi
check "the binary is installed" test -x "$INST/bin/rds-migrate"
check "the sample config is installed" test -f "$INST/share/rds-migrate/config.ini.sample"
for th in dark light mono; do
	check "theme $th is installed" test -f "$INST/share/rds-migrate/themes/$th.ini"
done

mkdir -p "$T_TMP/elsewhere"
tui_shell "$T_TMP/elsewhere" || { not_ok "a shell starts"; exit 0; }
RDSM_BIN="$INST/bin/rds-migrate"
tui_launch --theme light -c "$T_TMP/elsewhere/config.ini"
expect_screen "the installed wizard starts" "1/11  Welcome" 15
keys F10
expect_clean_exit "the installed wizard quits" 0
if [ -s "$T_TMP/stderr" ]; then
	not_ok "the installed wizard finds the light theme" "$(cat "$T_TMP/stderr")"
else
	ok "the installed wizard finds the light theme"
fi

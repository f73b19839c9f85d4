#!/bin/sh
# Translation: every message is marked and has its Korean translation
# (po-check, and po-check failing when one is missing); the language comes
# from the locale (LANG=ko_KR.UTF-8) or --lang; what programs read stays the
# same in every language (--plain step tags, exit codes, config keys, the
# .env); libpq's and the C library's messages stay English so the diagnosis
# that reads them still works under Korean.
. "$(dirname "$0")/../lib/testlib.sh"

SRCS=$(cd "$ROOT" && ls main.c plain.c core/*.c tui/*.c core/*.h tui/*.h)
POT="$ROOT/$BUILD/po/rds-migrate.pot"

# --- the catalog is complete, and the check can tell when it is not ----------
(cd "$ROOT" && sh scripts/po-check.sh "$POT" $SRCS) >"$T_TMP/pocheck.out" 2>&1
expect_eq i18n_po_check_passes 0 $?
expect_match i18n_po_check_says_complete "every message is marked and translated" "$T_TMP/pocheck.out"

C="$T_TMP/copy"
mkdir -p "$C/scripts" "$C/core"
cp -r "$ROOT/po" "$C/"
cp "$ROOT/scripts/po-check.sh" "$ROOT/scripts/po-unmarked.py" "$C/scripts/"
cat >"$C/core/new.c" <<'C'
#include "i18n.h"
void said(void (*say)(const char *));
void said(void (*say)(const char *))
{
	say(_("a new message nobody translated yet"));
	say("a sentence for people left unmarked");
}
C
(cd "$ROOT" && xgettext --from-code=UTF-8 -C -k_ -kN_ -kP_:1,2 -o "$C/new.pot" $SRCS "$C/core/new.c")
(cd "$C" && sh scripts/po-check.sh new.pot core/new.c) >"$T_TMP/pocheck-bad.out" 2>&1
expect_eq i18n_po_check_fails_on_a_gap 1 $?
expect_match i18n_po_check_names_the_untranslated "a new message nobody translated yet" "$T_TMP/pocheck-bad.out"
expect_match i18n_po_check_names_the_unmarked 'core/new.c:6: "a sentence for people left unmarked"' "$T_TMP/pocheck-bad.out"

# --- --lang and the locale -----------------------------------------------------
"$RDSM_BIN" --lang ko --help >"$T_TMP/help.ko" 2>&1
expect_eq i18n_help_ko_exit_0 0 $?
expect_match i18n_help_in_korean "^사용법: rds-migrate" "$T_TMP/help.ko"
expect_match i18n_help_keeps_options "--check-config    설정을 검사해" "$T_TMP/help.ko"
"$RDSM_BIN" --lang 'ko;rm' --help >"$T_TMP/badlang" 2>&1
expect_eq i18n_bad_lang_is_a_usage_error 2 $?
expect_match i18n_bad_lang_named "--lang ko;rm: not a language code" "$T_TMP/badlang"

W="$T_TMP/work"
mkdir -p "$W"
printf '[instance]\nidentifier = bad--id-\n' >"$W/bad.ini"
LANG=C.UTF-8 "$RDSM_BIN" -c "$W/bad.ini" --check-config >"$T_TMP/check.c" 2>&1
rc_c=$?
if use_ko_locale; then
	LANG=ko_KR.UTF-8 "$RDSM_BIN" -c "$W/bad.ini" --check-config >"$T_TMP/check.ko" 2>&1
	rc_ko=$?
	expect_eq i18n_check_config_exit_code_same_in_korean "$rc_c" "$rc_ko"
	expect_match i18n_check_config_rule_in_korean 'instance\.identifier = "bad--id-": 하이픈을 두 개 연달아 쓸 수 없습니다 \(2행\)' "$T_TMP/check.ko"
	expect_match i18n_check_config_rule_in_english 'instance\.identifier = "bad--id-": must not contain two hyphens in a row \(line 2\)' "$T_TMP/check.c"
	LANG=ko_KR.UTF-8 "$RDSM_BIN" --lang en -c "$W/bad.ini" --check-config >"$T_TMP/check.en" 2>&1
	if cmp -s "$T_TMP/check.c" "$T_TMP/check.en"; then ok i18n_lang_en_overrides_korean_locale; else
		not_ok i18n_lang_en_overrides_korean_locale; sed 's/^/#   /' "$T_TMP/check.en"; fi
	LANG=C "$RDSM_BIN" --lang ko -c "$W/bad.ini" --check-config >"$T_TMP/check.lang" 2>&1
	expect_match i18n_lang_ko_overrides_c_locale "하이픈을 두 개 연달아" "$T_TMP/check.lang"

	# a refused connection: libpq says "Connection refused" in English (our
	# diagnosis reads it) and the diagnosis and hint are said in Korean
	PORT=$(free_port)
	printf '[source]\nurl = postgresql://app:pw@127.0.0.1:%s/railway?sslmode=disable\n' "$PORT" >"$W/src.ini"
	LANG=ko_KR.UTF-8 timeout 60 "$RDSM_BIN" -c "$W/src.ini" --plain source >"$T_TMP/src.ko" 2>&1
	expect_eq i18n_plain_exit_code_same_in_korean 1 $?
	expect_match i18n_plain_step_tags_stay_english "^\[source\] FAILED: 127\.0\.0\.1 포트 $PORT에서 연결을 거부했습니다" "$T_TMP/src.ko"
	expect_match i18n_diagnosis_finds_refused_under_korean "^\[source\] error: tcp: " "$T_TMP/src.ko"
	expect_match i18n_libpq_message_kept_english "서버 메시지: Connection refused" "$T_TMP/src.ko"
else
	not_ok i18n_ko_locale "ko_KR.UTF-8 cannot be compiled (localedef)"
fi

# --- the .env is the same in every language -----------------------------------
if pg_start i18n && use_ko_locale; then
	cat >"$W/env.ini" <<EOF2
[target]
url = postgresql://app:app-secret-pw@127.0.0.1:$PORT_i18n/postgres?sslmode=disable
[env]
file = .env
key = DATABASE_URL
EOF2
	chmod 600 "$W/env.ini"
	(cd "$W" && LANG=C.UTF-8 "$RDSM_BIN" -c env.ini --plain env >"$T_TMP/env.c" 2>&1)
	mv "$W/.env" "$W/c.env"
	(cd "$W" && LANG=ko_KR.UTF-8 "$RDSM_BIN" -c env.ini --plain env >"$T_TMP/env.ko" 2>&1)
	expect_eq i18n_env_step_exit_0_in_korean 0 $?
	if cmp -s "$W/c.env" "$W/.env"; then ok i18n_env_file_same_in_every_language; else
		not_ok i18n_env_file_same_in_every_language; diff "$W/c.env" "$W/.env" | sed 's/^/#   /'; fi
	expect_match i18n_env_ok_tag_in_korean_run '^\[env\] ok: ' "$T_TMP/env.ko"
	expect_match i18n_env_text_in_korean_run '새 파일, 모드 0600' "$T_TMP/env.ko"
else
	not_ok i18n_env_pg_start "cannot start PostgreSQL or make the locale"
fi

/* Master passwords: generated ones are strong and within the RDS alphabet;
 * weak ones are refused with a reason. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void generated_passwords_are_strong_and_rds_safe(void **state)
{
	(void)state;
	char seen[1000][PASSWORD_GEN_LEN + 1];
	for (int i = 0; i < 1000; i++) {
		char pw[64];
		assert_int_equal(password_generate(pw, sizeof pw), 0);
		assert_int_equal(strlen(pw), PASSWORD_GEN_LEN);
		assert_true(strlen(pw) >= 24);
		for (const char *p = pw; *p; p++)
			assert_true(password_char_ok((unsigned char)*p));
		assert_null(strpbrk(pw, "/\"@' "));
		assert_null(password_weakness(pw));
		memcpy(seen[i], pw, sizeof seen[i]);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(seen[j], pw);
	}
}

/* Every character of the alphabet turns up, roughly equally often. */
static void generated_characters_are_spread_evenly(void **state)
{
	(void)state;
	long count[128] = {0};
	long total = 0;
	for (int i = 0; i < 4000; i++) {
		char pw[PASSWORD_GEN_LEN + 1];
		assert_int_equal(password_generate(pw, sizeof pw), 0);
		for (const char *p = pw; *p; p++, total++)
			count[(unsigned char)*p]++;
	}
	int alphabet = 0;
	for (int c = 0; c < 128; c++)
		if (password_char_ok(c))
			alphabet++;
	assert_int_equal(alphabet, 90);
	double expect = (double)total / alphabet;
	for (int c = 0; c < 128; c++) {
		if (!password_char_ok(c)) {
			assert_int_equal(count[c], 0);
			continue;
		}
		assert_true(count[c] > expect * 0.8 && count[c] < expect * 1.2);
	}
}

static void a_small_buffer_is_refused(void **state)
{
	(void)state;
	char pw[PASSWORD_GEN_LEN];
	assert_int_equal(password_generate(pw, sizeof pw), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(pw, "");
}

static void weak_passwords_are_refused_with_a_reason(void **state)
{
	(void)state;
	static const struct {
		const char *pw;
		const char *why;
	} weak[] = {
		{"12345678", "well-known"},
		{"password", "well-known"},
		{"Password123!", "well-known"},
		{"qwerty", "too short"},
		{"QWERTYUIOP", "well-known"},
		{"short1!", "too short"},
		{"Ab1!efgh", "at least 12"},
		{"abcdefghijklmnop", "sequence"},
		{"zzzzzzzzzzzzzz", "sequence"},
		{"correcthorsebatterystaple", "one kind"},
		{"918273645546372819", "one kind"},
		{"with space in it 1A", "space"},
		{"has/slash1A-long", "/ \" @"},
		{"has@at-sign1A-long", "/ \" @"},
		{"has\"quote1A-long", "/ \" @"},
		{"has'quote1A-long", "/ \" @"},
		{"비밀번호비밀번호1A!", "printable ASCII"},
		{"tab\there1A-long", "printable ASCII"},
	};
	for (size_t i = 0; i < sizeof weak / sizeof *weak; i++) {
		const char *w = password_weakness(weak[i].pw);
		if (!w || !strstr(w, weak[i].why))
			print_error("%s: got %s, want …%s…\n", weak[i].pw, w ? w : "(strong)",
				    weak[i].why);
		assert_non_null(w);
		assert_non_null(strstr(w, weak[i].why));
	}
	char longpw[130];
	memset(longpw, 'a', 129);
	memcpy(longpw, "X1!", 3);
	longpw[129] = 0;
	assert_non_null(strstr(password_weakness(longpw), "at most 128"));
}

static void strong_passwords_pass(void **state)
{
	(void)state;
	static const char *const strong[] = {
		"correct-horse-battery", "Tr0ub4dor&3xyz",       "N9v#Lq2$wX7!kR4p",
		"yousync-Prod-2024",     "MIGRATION_2024_seoul", "a1b2c3d4e5f6g7",
	};
	for (size_t i = 0; i < sizeof strong / sizeof *strong; i++) {
		const char *w = password_weakness(strong[i]);
		if (w)
			print_error("%s: %s\n", strong[i], w);
		assert_null(w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(generated_passwords_are_strong_and_rds_safe),
		cmocka_unit_test(generated_characters_are_spread_evenly),
		cmocka_unit_test(a_small_buffer_is_refused),
		cmocka_unit_test(weak_passwords_are_refused_with_a_reason),
		cmocka_unit_test(strong_passwords_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

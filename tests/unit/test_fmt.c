/* Sizes, durations and rates as both front ends write them. */
#include <string.h>

#include "event.h"
#include "fmt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void sizes_are_written_in_powers_of_1024(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(fmt_bytes(b, sizeof b, 0), "0 B");
	assert_string_equal(fmt_bytes(b, sizeof b, 1023), "1023 B");
	assert_string_equal(fmt_bytes(b, sizeof b, 1536), "1.5 KiB");
	assert_string_equal(fmt_bytes(b, sizeof b, 183.2 * 1024 * 1024), "183.2 MiB");
	assert_string_equal(fmt_bytes(b, sizeof b, 3.0 * 1024 * 1024 * 1024 * 1024 * 1024),
			    "3072.0 TiB");
}

static void durations_round_to_the_second(void **state)
{
	(void)state;
	char b[16];
	assert_string_equal(fmt_duration(b, sizeof b, 0.4), "0s");
	assert_string_equal(fmt_duration(b, sizeof b, 59.6), "1m00s");
	assert_string_equal(fmt_duration(b, sizeof b, 65), "1m05s");
	assert_string_equal(fmt_duration(b, sizeof b, 3600 + 180), "1h03m");
}

static void the_eta_is_unknown_without_a_rate_or_a_total(void **state)
{
	(void)state;
	double per_s, eta;
	fmt_rate(50, 100, 5, &per_s, &eta);
	assert_true(per_s == 10 && eta == 5);
	fmt_rate(0, 100, 5, &per_s, &eta);
	assert_true(per_s == 0 && eta == -1);
	fmt_rate(50, 0, 5, &per_s, &eta);
	assert_true(per_s == 10 && eta == -1);
	fmt_rate(50, 100, 0, &per_s, &eta);
	assert_true(per_s == 0 && eta == -1);
}

static void the_replication_line_says_phase_lag_rows_and_tables(void **state)
{
	(void)state;
	char b[128];
	assert_string_equal(
		fmt_replication(b, sizeof b, REPL_CATCHING_UP, 1536, 0.42, 1234, 10),
		"catching up: lag 1.5 KiB, 0.4 s; 1234 rows applied; 10 tables streaming");
	assert_string_equal(fmt_replication(b, sizeof b, REPL_CAUGHT_UP, -5, 0, 0, 1),
			    "caught up: lag 0 B, 0.0 s; 0 rows applied; 1 table streaming");
	assert_string_equal(fmt_replication(b, sizeof b, REPL_STALLED, 0, 3, 0, 2),
			    "STALLED: lag 0 B, 3.0 s; 0 rows applied; 2 tables streaming");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_are_written_in_powers_of_1024),
		cmocka_unit_test(durations_round_to_the_second),
		cmocka_unit_test(the_eta_is_unknown_without_a_rate_or_a_total),
		cmocka_unit_test(the_replication_line_says_phase_lag_rows_and_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

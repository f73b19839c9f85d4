/* Splitting a user's schema file into statements, each with the line it starts on. */
#include <stdlib.h>
#include <string.h>

#include "pg_schema.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

struct split {
	struct pg_sql_stmt *v;
	size_t n;
};

static struct split split(const char *text)
{
	struct split s;
	s.n = pg_sql_split(text, &s.v);
	return s;
}

static void statements_split_on_semicolons_with_their_lines(void **state)
{
	(void)state;
	struct split s = split("CREATE TABLE a (id int);\n\nCREATE TABLE b (id int);\n"
			       "  SELECT 1;\n");
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0].sql, "CREATE TABLE a (id int)");
	assert_int_equal(s.v[0].line, 1);
	assert_string_equal(s.v[1].sql, "CREATE TABLE b (id int)");
	assert_int_equal(s.v[1].line, 3);
	assert_int_equal(s.v[2].line, 4);
	pg_sql_free(s.v, s.n);
}

static void semicolons_in_quotes_and_comments_do_not_split(void **state)
{
	(void)state;
	struct split s = split("-- a comment; still a comment\n"
			       "INSERT INTO t VALUES ('a;b', 'it''s;', E'x\\';y', \"we;ird\");\n"
			       "/* block; /* nested; */ still; */ SELECT 2;\n");
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].sql,
			    "INSERT INTO t VALUES ('a;b', 'it''s;', E'x\\';y', \"we;ird\")");
	assert_int_equal(s.v[0].line, 2);
	assert_int_equal(s.v[1].line, 3);
	pg_sql_free(s.v, s.n);
}

static void dollar_quoted_bodies_stay_whole(void **state)
{
	(void)state;
	struct split s =
		split("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\n"
		      "BEGIN\n  RETURN 1; -- $$ not the end\nEND $fn$;\n"
		      "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $$ SELECT ';' $$;\n"
		      "SELECT $1;\n");
	assert_int_equal(s.n, 3);
	assert_non_null(strstr(s.v[0].sql, "END $fn$"));
	assert_int_equal(s.v[1].line, 5);
	assert_string_equal(s.v[2].sql, "SELECT $1");
	assert_int_equal(s.v[2].line, 6);
	pg_sql_free(s.v, s.n);
}

static void begin_atomic_bodies_stay_whole(void **state)
{
	(void)state;
	struct split s = split("CREATE OR REPLACE FUNCTION c(x int) RETURNS int LANGUAGE sql\n"
			       "BEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n"
			       "  SELECT 2;\nEND;\nBEGIN;\nCOMMIT;\n");
	assert_int_equal(s.n, 3);
	assert_non_null(strstr(s.v[0].sql, "SELECT 2;\nEND"));
	assert_string_equal(s.v[1].sql, "BEGIN");
	assert_int_equal(s.v[1].line, 6);
	assert_string_equal(s.v[2].sql, "COMMIT");
	pg_sql_free(s.v, s.n);
}

static void copy_from_stdin_carries_its_data(void **state)
{
	(void)state;
	struct split s = split("COPY t (a, b) FROM stdin;\n1\tx;y\n2\t'q\n\\.\nSELECT 3;\n");
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].sql, "COPY t (a, b) FROM stdin");
	assert_string_equal(s.v[0].copy_data, "1\tx;y\n2\t'q\n");
	assert_string_equal(s.v[1].sql, "SELECT 3");
	assert_int_equal(s.v[1].line, 5);
	pg_sql_free(s.v, s.n);
}

static void meta_commands_and_a_last_statement_without_semicolon(void **state)
{
	(void)state;
	struct split s = split("\\connect db\nSELECT 1;\n-- trailing comment only\nSELECT 2\n");
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0].sql, "\\connect db");
	assert_int_equal(s.v[1].line, 2);
	assert_string_equal(s.v[2].sql, "SELECT 2");
	assert_int_equal(s.v[2].line, 4);
	pg_sql_free(s.v, s.n);
}

static void empty_and_comment_only_text_has_no_statement(void **state)
{
	(void)state;
	struct split s = split("  ;;\n-- nothing\n/* at all */\n");
	assert_int_equal(s.n, 0);
	pg_sql_free(s.v, s.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(statements_split_on_semicolons_with_their_lines),
		cmocka_unit_test(semicolons_in_quotes_and_comments_do_not_split),
		cmocka_unit_test(dollar_quoted_bodies_stay_whole),
		cmocka_unit_test(begin_atomic_bodies_stay_whole),
		cmocka_unit_test(copy_from_stdin_carries_its_data),
		cmocka_unit_test(meta_commands_and_a_last_statement_without_semicolon),
		cmocka_unit_test(empty_and_comment_only_text_has_no_statement),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

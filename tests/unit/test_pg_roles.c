/* The .pgpass file new role passwords go to: libpq's escapes, the lines of
 * the same target and role replaced, every other line kept, mode 0600, and a
 * symlink planted at the path not followed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "pg_roles.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

static char *slurp(const char *path)
{
	size_t len;
	char *cause = NULL;
	char *s = read_file(path, &len, &cause);
	assert_non_null(s);
	return s;
}

static void roles_and_passwords_are_escaped_as_libpq_reads_them(void **state)
{
	(void)state;
	char *path = xasprintf("%s/escaped", tmpdir);
	char *roles[] = {"app:ro", "back\\slash"}, *pws[] = {"pa:ss\\word", "plain"};
	char *cause = NULL;
	assert_int_equal(pg_roles_pgpass_write(path, "db.example.com", "5432", "shop", roles, pws,
					       2, &cause),
			 0);
	char *got = slurp(path);
	assert_string_equal(got, "db.example.com:5432:shop:app\\:ro:pa\\:ss\\\\word\n"
				 "db.example.com:5432:shop:back\\\\slash:plain\n");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(got);
	free(path);
}

static void a_second_write_replaces_its_roles_and_keeps_other_lines(void **state)
{
	(void)state;
	char *path = xasprintf("%s/merge", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("# "
	      "mine\nother:5432:shop:ro:keep-me\ndb:5432:shop:ro:old\ndb:5432:shop:rod:keep-too\n",
	      f);
	fclose(f);
	char *roles[] = {"ro"}, *pws[] = {"new"};
	char *cause = NULL;
	assert_int_equal(pg_roles_pgpass_write(path, "db", "5432", "shop", roles, pws, 1, &cause),
			 0);
	char *got = slurp(path);
	assert_string_equal(got, "# mine\nother:5432:shop:ro:keep-me\ndb:5432:shop:rod:keep-too\n"
				 "db:5432:shop:ro:new\n");
	free(got);
	free(path);
}

static void a_symlink_at_the_path_is_replaced_not_followed(void **state)
{
	(void)state;
	char *path = xasprintf("%s/link", tmpdir), *victim = xasprintf("%s/victim", tmpdir);
	FILE *f = fopen(victim, "w");
	assert_non_null(f);
	fputs("untouched\n", f);
	fclose(f);
	assert_int_equal(symlink(victim, path), 0);
	char *roles[] = {"r"}, *pws[] = {"p"};
	char *cause = NULL;
	assert_int_equal(pg_roles_pgpass_write(path, "h", "1", "d", roles, pws, 1, &cause), 0);
	char *got = slurp(victim);
	assert_string_equal(got, "untouched\n");
	free(got);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	free(path);
	free(victim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_and_passwords_are_escaped_as_libpq_reads_them),
		cmocka_unit_test(a_second_write_replaces_its_roles_and_keeps_other_lines),
		cmocka_unit_test(a_symlink_at_the_path_is_replaced_not_followed),
	};
	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}

/* The .env writer: every other byte kept, the key replaced or appended,
 * mode 0600, a backup, and the old file intact whenever writing fails. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "dburl.h"
#include "dotenv.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static char dir[] = "/tmp/rdsm-dotenv-XXXXXX";

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static char *write_tmp(const char *name, const char *data, unsigned mode)
{
	char *path = path_in(name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
	fclose(f);
	chmod(path, mode);
	return path;
}

static void assert_file_is(const char *path, const char *want)
{
	size_t len;
	char *got = read_file(path, &len, NULL);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		print_error("%s holds:\n[%s]\nwant:\n[%s]\n", path, got, want);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	free(got);
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Number of entries in DIR whose name starts with PREFIX (temp files left behind). */
static int count_files(const char *d, const char *prefix)
{
	DIR *dp = opendir(d);
	assert_non_null(dp);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dp)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(dp);
	return n;
}

static const char awkward_in[] =
	"\xEF\xBB\xBF# app settings — 설정\n"
	"\n"
	"   \n"
	"export SECRET_KEY='abc#def' # keep me\n"
	"DATABASE_URL_OLD=postgres://old\n"
	"  DATABASE_URL = postgres://railway:pw@old-host:5432/railway   # the live one\r\n"
	"MULTI=\"line one\n"
	"DATABASE_URL=not-a-key-inside-a-quoted-value\n"
	"line three\"\n"
	"#DATABASE_URL=commented-out\n"
	"EMPTY=\n"
	"export DATABASE_URL\n"
	"WEIRD LINE WITHOUT EQUALS\n"
	"export\tDATABASE_URL=\"quoted old\"\n"
	"UNICODE=한국어 값\n"
	"LAST=no-newline-at-end";

static const char awkward_out[] =
	"\xEF\xBB\xBF# app settings — 설정\n"
	"\n"
	"   \n"
	"export SECRET_KEY='abc#def' # keep me\n"
	"DATABASE_URL_OLD=postgres://old\n"
	"  DATABASE_URL = postgresql://u:p%40ss@new-host:5432/db?sslmode=verify-full   # the live "
	"one\r\n"
	"MULTI=\"line one\n"
	"DATABASE_URL=not-a-key-inside-a-quoted-value\n"
	"line three\"\n"
	"#DATABASE_URL=commented-out\n"
	"EMPTY=\n"
	"export DATABASE_URL\n"
	"WEIRD LINE WITHOUT EQUALS\n"
	"export\tDATABASE_URL=\"postgresql://u:p%40ss@new-host:5432/db?sslmode=verify-full\"\n"
	"UNICODE=한국어 값\n"
	"LAST=no-newline-at-end";

#define NEW_URL "postgresql://u:p%40ss@new-host:5432/db?sslmode=verify-full"

static void awkward_file_keeps_every_other_byte(void **state)
{
	(void)state;
	size_t outlen;
	int n;
	char *out = dotenv_replace(awkward_in, strlen(awkward_in), "DATABASE_URL", NEW_URL, &outlen,
				   &n);
	assert_int_equal(n, 2);
	assert_int_equal(outlen, strlen(awkward_out));
	if (strcmp(out, awkward_out) != 0)
		print_error("got:\n[%s]\n", out);
	assert_string_equal(out, awkward_out);
	char *v = dotenv_lookup(out, outlen, "DATABASE_URL");
	assert_string_equal(v, NEW_URL);
	free(v);
	v = dotenv_lookup(out, outlen, "SECRET_KEY");
	assert_string_equal(v, "abc#def");
	free(v);
	v = dotenv_lookup(out, outlen, "MULTI");
	assert_string_equal(v,
			    "line one\nDATABASE_URL=not-a-key-inside-a-quoted-value\nline three");
	free(v);
	free(out);
	/* Setting it again changes nothing. */
	char *again = dotenv_replace(awkward_out, strlen(awkward_out), "DATABASE_URL", NEW_URL,
				     &outlen, &n);
	assert_string_equal(again, awkward_out);
	free(again);
}

static void missing_key_is_appended_with_the_files_line_ending(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"", "K=v\n"},
		{"A=1\n", "A=1\nK=v\n"},
		{"A=1", "A=1\nK=v\n"},
		{"A=1\r\nB=2\r\n", "A=1\r\nB=2\r\nK=v\r\n"},
		{"A=1\r\nB=2", "A=1\r\nB=2\r\nK=v\r\n"},
		{"# only a comment\n", "# only a comment\nK=v\n"},
		{"KK=1\nK_=2\n", "KK=1\nK_=2\nK=v\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int n;
		char *out = dotenv_replace(cases[i].in, strlen(cases[i].in), "K", "v", NULL, &n);
		assert_int_equal(n, 0);
		assert_string_equal(out, cases[i].out);
		free(out);
	}
}

static void quote_style_is_kept_or_chosen_for_the_value(void **state)
{
	(void)state;
	static const struct {
		const char *in, *value, *out;
	} cases[] = {
		{"K='old'\n", "new", "K='new'\n"},
		{"K=\"old\"\n", "new", "K=\"new\"\n"},
		{"K=`old`\n", "new", "K=`new`\n"},
		{"K=old\n", "has space", "K='has space'\n"},
		{"K=old\n", "it's $HOME", "K=\"it's \\$HOME\"\n"},
		{"K='old'\n", "a'b", "K=\"a'b\"\n"},
		{"K=\"old\"\n", "a b", "K=\"a b\"\n"},
		{"K=old # note\n", "x#y", "K='x#y' # note\n"},
		{"K= # only a comment\n", "v", "K=v # only a comment\n"},
		{"K=\n", "line1\nline2", "K=\"line1\\nline2\"\n"},
		{"K=old\n", "", "K=\n"},
		/* a shell may source any .env (set -a; . ./.env), "export" or not:
		 * an unquoted & ; or ~ would change the value */
		{"K=old\n", "a?b=1&c=2", "K='a?b=1&c=2'\n"},
		{"K=old\n", "a;b", "K='a;b'\n"},
		{"K=old\n", "~/x", "K='~/x'\n"},
		{"", "a?b=1&c=2", "K='a?b=1&c=2'\n"},
		{"export K=old\n", "a?b=1&c=2", "export K='a?b=1&c=2'\n"},
		{"export K=old\n", "a;b", "export K='a;b'\n"},
		{"K=old\n", "a?b=1", "K=a?b=1\n"},
		{"", "plain", "K=plain\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int n;
		char *out = dotenv_replace(cases[i].in, strlen(cases[i].in), "K", cases[i].value,
					   NULL, &n);
		if (strcmp(out, cases[i].out) != 0)
			print_error("case %zu: got [%s]\n", i, out);
		assert_int_equal(n, *cases[i].in ? 1 : 0);
		assert_string_equal(out, cases[i].out);
		char *v = dotenv_lookup(out, strlen(out), "K");
		assert_string_equal(v, cases[i].value);
		free(v);
		free(out);
	}
}

static void unterminated_quote_is_one_line(void **state)
{
	(void)state;
	const char in[] = "A=\"open\nK=old\n";
	int n;
	char *out = dotenv_replace(in, strlen(in), "K", "new", NULL, &n);
	assert_int_equal(n, 1);
	assert_string_equal(out, "A=\"open\nK=new\n");
	free(out);
}

/* A quote opened and never closed earlier in the file: either the new value
 * reads back as written, or nothing is written and the line is named. */
static void unclosed_quote_never_gives_a_wrong_file(void **state)
{
	(void)state;
	static const char text[] = "# app\nBROKEN=\"abc\nOTHER=1\n";
	static const char *const values[] = {"plain", "it's \"quoted\" $HOME", "a&b", "x'y"};
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		char *p = write_tmp("open.env", text, 0600);
		char *cause = NULL;
		int rc = dotenv_set(p, "DATABASE_URL", values[i], NULL, &cause);
		if (rc == 0) {
			char *v = NULL;
			assert_int_equal(dotenv_get(p, "DATABASE_URL", &v, NULL), 1);
			assert_string_equal(v, values[i]);
			free(v);
			v = NULL;
			assert_int_equal(dotenv_get(p, "OTHER", &v, NULL), 1);
			assert_string_equal(v, "1");
			free(v);
		} else {
			assert_non_null(strstr(cause, "line 2 opens a quoted value"));
			assert_file_is(p, text);
		}
		free(cause);
		unlink(p);
		char *bak = xasprintf("%s.bak", p);
		unlink(bak);
		free(bak);
		free(p);
	}
}

static void set_writes_0600_keeps_a_backup_and_is_idempotent(void **state)
{
	(void)state;
	char *p = write_tmp("app.env", "# mine\nA=1\nDATABASE_URL=old\n", 0644);
	char *bak = path_in("app.env.bak");
	struct dotenv_result res;
	char *cause = NULL;
	assert_int_equal(dotenv_set(p, "DATABASE_URL", NEW_URL, &res, &cause), 0);
	assert_true(res.changed);
	assert_int_equal(res.replaced, 1);
	assert_false(res.appended);
	assert_string_equal(res.backup, bak);
	assert_file_is(p, "# mine\nA=1\nDATABASE_URL=" NEW_URL "\n");
	assert_int_equal(mode_of(p), 0600);
	assert_file_is(bak, "# mine\nA=1\nDATABASE_URL=old\n");
	assert_int_equal(mode_of(bak), 0600);
	dotenv_result_free(&res);

	/* The same value again: nothing written, no new backup. */
	unlink(bak);
	assert_int_equal(dotenv_set(p, "DATABASE_URL", NEW_URL, &res, &cause), 0);
	assert_false(res.changed);
	assert_null(res.backup);
	assert_int_equal(access(bak, F_OK), -1);
	dotenv_result_free(&res);

	/* Same content but readable by others: only the mode is fixed. */
	chmod(p, 0644);
	assert_int_equal(dotenv_set(p, "DATABASE_URL", NEW_URL, &res, &cause), 0);
	assert_false(res.changed);
	assert_true(res.mode_fixed);
	assert_int_equal(mode_of(p), 0600);
	dotenv_result_free(&res);

	char *v = NULL;
	assert_int_equal(dotenv_get(p, "DATABASE_URL", &v, &cause), 1);
	assert_string_equal(v, NEW_URL);
	free(v);
	assert_int_equal(dotenv_get(p, "NOPE", &v, &cause), 0);
	assert_int_equal(count_files(dir, ".app.env.tmp"), 0);
	unlink(p);
	free(p);
	free(bak);
}

/* Root rewriting an application's .env leaves it owned by the application. */
static void owner_is_kept(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char *p = write_tmp("owned.env", "A=1\n", 0600);
	assert_int_equal(chown(p, 65534, 65534), 0);
	struct dotenv_result res;
	char *cause = NULL;
	assert_int_equal(dotenv_set(p, "DATABASE_URL", "v", &res, &cause), 0);
	assert_true(res.changed);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_gid, 65534);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(res.backup, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	unlink(res.backup);
	dotenv_result_free(&res);
	unlink(p);
	free(p);
}

static void missing_file_is_created_0600(void **state)
{
	(void)state;
	char *p = path_in("new.env");
	struct dotenv_result res;
	assert_int_equal(dotenv_set(p, "DATABASE_URL", "x", &res, NULL), 0);
	assert_true(res.created);
	assert_true(res.appended);
	assert_null(res.backup);
	assert_file_is(p, "DATABASE_URL=x\n");
	assert_int_equal(mode_of(p), 0600);
	dotenv_result_free(&res);
	unlink(p);
	free(p);
}

static void symlink_is_kept_and_its_target_written(void **state)
{
	(void)state;
	char *real = write_tmp("real.env", "A=1\n", 0600);
	char *link = path_in("link.env");
	assert_int_equal(symlink("real.env", link), 0);
	struct dotenv_result res;
	char *cause = NULL;
	assert_int_equal(dotenv_set(link, "DATABASE_URL", "v", &res, &cause), 0);
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_file_is(real, "A=1\nDATABASE_URL=v\n");
	char *bak = path_in("real.env.bak");
	assert_file_is(bak, "A=1\n");
	assert_string_equal(res.written, real);
	dotenv_result_free(&res);
	unlink(link);
	unlink(real);
	unlink(bak);
	free(link);
	free(real);
	free(bak);
}

static void directory_is_refused(void **state)
{
	(void)state;
	char *d = path_in("envdir");
	assert_int_equal(mkdir(d, 0700), 0);
	char *cause = NULL;
	assert_int_equal(dotenv_set(d, "DATABASE_URL", "v", NULL, &cause), -1);
	assert_non_null(strstr(cause, "is a directory"));
	free(cause);
	rmdir(d);
	free(d);
}

/* In a directory this process cannot write, the old file stays as it was. */
static void unwritable_directory_leaves_the_old_file(void **state)
{
	(void)state;
	char *sub = path_in("ro");
	assert_int_equal(mkdir(sub, 0755), 0);
	char *p = xasprintf("%s/.env", sub);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs("A=1\nDATABASE_URL=old\n", f);
	fclose(f);
	chmod(p, 0644);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* root writes anywhere: drop to nobody, who may read the file but not
		 * create a file in the directory. */
		if (geteuid() == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
		} else {
			chmod(sub, 0555);
		}
		char *cause = NULL;
		int rc = dotenv_set(p, "DATABASE_URL", "new", NULL, &cause);
		_exit(rc == -1 && cause && strstr(cause, "was not changed") ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	chmod(sub, 0755);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_file_is(p, "A=1\nDATABASE_URL=old\n");
	assert_int_equal(mode_of(p), 0644);
	assert_int_equal(count_files(sub, ".env."), 0);
	assert_int_equal(count_files(sub, ".."), 1); /* only ".." itself */
	unlink(p);
	rmdir(sub);
	free(p);
	free(sub);
}

/* A password with %:@/#?& and Korean goes through the URL and the .env and
 * comes back the same. */
static void awkward_password_survives_env_and_url(void **state)
{
	(void)state;
	const char *pw = "a%:@/#?&b 비밀번호 $x\"'";
	struct dburl u = {.user = "yousync",
			  .password = (char *)pw,
			  .host = "db.example.com",
			  .port = "5432",
			  .dbname = "fastapi_db",
			  .sslmode = "verify-full"};
	char *url = dburl_build(&u);
	char *p = write_tmp("pw.env", "export DATABASE_URL=\"old\"\nOTHER=1\n", 0600);
	assert_int_equal(dotenv_set(p, "DATABASE_URL", url, NULL, NULL), 0);
	char *v = NULL;
	assert_int_equal(dotenv_get(p, "DATABASE_URL", &v, NULL), 1);
	assert_string_equal(v, url);
	struct dburl back;
	assert_int_equal(dburl_parse(v, &back, NULL), 0);
	assert_string_equal(back.password, pw);
	assert_string_equal(back.user, "yousync");
	assert_string_equal(back.dbname, "fastapi_db");
	dburl_free(&back);
	free(v);
	free(url);
	unlink(p);
	char *bak = xasprintf("%s.bak", p);
	unlink(bak);
	free(bak);
	free(p);
}

static void bad_key_is_refused(void **state)
{
	(void)state;
	char *p = path_in("k.env");
	char *cause = NULL;
	assert_int_equal(dotenv_set(p, "database-url", "v", NULL, &cause), -1);
	assert_non_null(strstr(cause, "[A-Z_][A-Z0-9_]*"));
	assert_int_equal(access(p, F_OK), -1);
	free(cause);
	free(p);
	assert_true(dotenv_key_ok("DATABASE_URL"));
	assert_true(dotenv_key_ok("_X1"));
	assert_false(dotenv_key_ok("1X"));
	assert_false(dotenv_key_ok(""));
	assert_false(dotenv_key_ok("Database_url"));
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	chmod(dir, 0755); /* nobody must reach the files in the unwritable test */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(awkward_file_keeps_every_other_byte),
		cmocka_unit_test(missing_key_is_appended_with_the_files_line_ending),
		cmocka_unit_test(quote_style_is_kept_or_chosen_for_the_value),
		cmocka_unit_test(unterminated_quote_is_one_line),
		cmocka_unit_test(unclosed_quote_never_gives_a_wrong_file),
		cmocka_unit_test(set_writes_0600_keeps_a_backup_and_is_idempotent),
		cmocka_unit_test(missing_file_is_created_0600),
		cmocka_unit_test(owner_is_kept),
		cmocka_unit_test(symlink_is_kept_and_its_target_written),
		cmocka_unit_test(directory_is_refused),
		cmocka_unit_test(unwritable_directory_leaves_the_old_file),
		cmocka_unit_test(awkward_password_survives_env_and_url),
		cmocka_unit_test(bad_key_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

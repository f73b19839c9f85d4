/* The config loader: defaults, whole long values, problems by name, saving. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "config.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static char dir[] = "/tmp/rdsm-config-XXXXXX";

static char *write_tmp(const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static bool has_problem(const struct problems *p, const char *key, const char *rule_part)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0 && strstr(p->v[i].rule, rule_part))
			return true;
	return false;
}

static void missing_file_gives_every_default(void **state)
{
	(void)state;
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, "/nonexistent/config.ini", true, &probs, NULL), 0);
	assert_int_equal(probs.n, 0);
	assert_string_equal(config_get(&cfg, CFG_AWS_REGION), "ap-northeast-2");
	assert_string_equal(config_get(&cfg, CFG_INSTANCE_CLASS), "db.t3.micro");
	assert_int_equal(config_int(&cfg, CFG_NETWORK_PORT), 5432);
	assert_true(config_bool(&cfg, CFG_INSTANCE_ENCRYPTED));
	assert_false(config_bool(&cfg, CFG_INSTANCE_MULTI_AZ));
	assert_string_equal(config_get(&cfg, CFG_ENV_KEY), "DATABASE_URL");
	config_free(&cfg);
}

static void missing_file_is_an_error_when_required(void **state)
{
	(void)state;
	struct config cfg;
	struct problems probs = {0};
	char *cause = NULL;
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, "/nonexistent/config.ini", false, &probs, &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/config.ini"));
	free(cause);
	config_free(&cfg);
}

static void sample_documents_every_key_and_loads_clean(void **state)
{
	(void)state;
	char *err = NULL;
	char *sample = read_file(SAMPLE_PATH, NULL, &err);
	assert_non_null(sample);
	for (int k = 0; k < CFG_COUNT; k++) {
		char *sec = xasprintf("[%s]", config_keys[k].section);
		char *line = xasprintf("\n%s = ", config_keys[k].name);
		char *s = strstr(sample, sec);
		assert_non_null(s);
		char *next = strstr(s + 1, "\n[");
		char *at = strstr(s, line);
		if (!at || (next && at > next))
			fail_msg("config.ini.sample does not document %s", config_key_name(k));
		/* a one-line comment on the same line */
		char *eol = strchr(at + 1, '\n');
		char *semi = strchr(at + 1, ';');
		assert_true(semi && semi < eol);
		free(sec);
		free(line);
	}
	free(sample);
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, SAMPLE_PATH, false, &probs, NULL), 0);
	for (size_t i = 0; i < probs.n; i++)
		print_message("%s: %s\n", probs.v[i].key, probs.v[i].rule);
	assert_int_equal(probs.n, 0);
	for (int k = 0; k < CFG_COUNT; k++)
		assert_string_equal(config_get(&cfg, k), config_keys[k].def);
	config_free(&cfg);
}

static void long_value_is_read_whole(void **state)
{
	(void)state;
	char token[3001];
	for (int i = 0; i < 3000; i++)
		token[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
	token[3000] = 0;
	char *text = xasprintf(
		"[source]\nurl = postgresql://u:%s@h/db\n[aws]\nregion = us-east-1\n", token);
	char *path = write_tmp("long.ini", text, strlen(text));
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, false, &probs, NULL), 0);
	assert_int_equal(probs.n, 0);
	assert_int_equal(strlen(config_get(&cfg, CFG_SOURCE_URL)), strlen(token) + 20);
	assert_non_null(strstr(config_get(&cfg, CFG_SOURCE_URL), token));
	assert_string_equal(config_get(&cfg, CFG_AWS_REGION), "us-east-1");
	config_free(&cfg);
	free(text);
	free(path);
}

static void overlong_line_is_rejected_not_cut(void **state)
{
	(void)state;
	size_t n = 70000;
	char *text = xmalloc(n + 200);
	int off = sprintf(text, "[aws]\nprofile = ");
	memset(text + off, 'x', n);
	sprintf(text + off + n, "\nregion = eu-west-1\n");
	char *path = write_tmp("overlong.ini", text, strlen(text));
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, false, &probs, NULL), 0);
	assert_true(has_problem(&probs, path, "longer than"));
	assert_int_equal(probs.v[0].line, 2);
	assert_string_equal(config_get(&cfg, CFG_AWS_PROFILE), ""); /* not a cut value */
	assert_string_equal(config_get(&cfg, CFG_AWS_REGION), "eu-west-1");
	problems_free(&probs);
	config_free(&cfg);
	free(text);
	free(path);
}

static void unknown_names_are_reported_with_the_closest_key(void **state)
{
	(void)state;
	const char *text = "[instanse]\nclass = db.t3.small\n[aws]\nregoin = us-east-1\n"
			   "[network]\nportt = 5433\nwhatever = 1\n";
	char *path = write_tmp("typo.ini", text, strlen(text));
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	config_load(&cfg, path, false, &probs, NULL);
	assert_true(has_problem(&probs, "[instanse]", "did you mean [instance]"));
	assert_true(has_problem(&probs, "aws.regoin", "did you mean aws.region"));
	assert_true(has_problem(&probs, "network.portt", "did you mean network.port"));
	assert_true(has_problem(&probs, "network.whatever", "unknown key"));
	problems_free(&probs);
	config_free(&cfg);
	free(path);
}

static void malformed_lines_are_each_reported(void **state)
{
	(void)state;
	const char text[] = "[aws]\nregion = us-east-1\njust words\n[env\nkey = X\n"
			    "bad = \xff\xfe\n= nokey\nnul = a\0b\n";
	char *path = write_tmp("bad.ini", text, sizeof text - 1);
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, false, &probs, NULL), 0);
	assert_true(has_problem(&probs, path, "expected [section]"));
	assert_true(has_problem(&probs, path, "closing ]"));
	assert_true(has_problem(&probs, path, "UTF-8"));
	assert_true(has_problem(&probs, path, "without a key"));
	assert_true(has_problem(&probs, path, "NUL"));
	assert_string_equal(config_get(&cfg, CFG_AWS_REGION), "us-east-1");
	problems_free(&probs);
	config_free(&cfg);
	free(path);
}

static void carriage_return_inside_a_line_is_reported(void **state)
{
	(void)state;
	const char *text = "[env]\r\nfile = app\r.env\r\nkey = APP_DB\r\n";
	char *path = write_tmp("cr.ini", text, strlen(text));
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	config_load(&cfg, path, false, &probs, NULL);
	assert_int_equal(probs.n, 1);
	assert_int_equal(probs.v[0].line, 2);
	assert_non_null(strstr(probs.v[0].rule, "carriage return"));
	assert_string_equal(config_get(&cfg, CFG_ENV_FILE), ".env");
	assert_string_equal(config_get(&cfg, CFG_ENV_KEY), "APP_DB"); /* CRLF ends are fine */
	problems_free(&probs);
	config_free(&cfg);
	free(path);
}

static void save_after_a_byte_order_mark_keeps_one_section(void **state)
{
	(void)state;
	const char *text = "\xef\xbb\xbf[aws]\nregion = eu-west-1\n";
	char *path = write_tmp("bom.ini", text, strlen(text));
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	config_load(&cfg, path, false, &probs, NULL);
	assert_int_equal(probs.n, 0);
	config_set(&cfg, CFG_AWS_REGION, "us-west-2");
	assert_int_equal(config_save(&cfg, path, NULL), 0);
	char *out = read_file(path, NULL, NULL);
	assert_non_null(strstr(out, "[aws]\nregion = us-west-2\n"));
	assert_null(strstr(strstr(out, "[aws]") + 1, "[aws]"));
	free(out);
	config_free(&cfg);
	free(path);
}

static void korean_values_load_intact(void **state)
{
	(void)state;
	const char *text = "[migrate]\nexclude_tables = public.단어\n";
	char *path = write_tmp("ko.ini", text, strlen(text));
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	config_load(&cfg, path, false, &probs, NULL);
	assert_int_equal(probs.n, 0);
	assert_string_equal(config_get(&cfg, CFG_MIGRATE_EXCLUDE_TABLES), "public.단어");
	config_free(&cfg);
	free(path);
}

static void save_writes_0600_and_keeps_comments(void **state)
{
	(void)state;
	const char *text = "; my notes\n[aws]\nregion = us-east-1 ; where we run\n\n[instance]\n"
			   "; the name\nidentifier = old-name\n";
	char *path = write_tmp("save.ini", text, strlen(text));
	chmod(path, 0644);
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	config_load(&cfg, path, false, &probs, NULL);
	config_set(&cfg, CFG_INSTANCE_IDENTIFIER, "new-name");
	config_set(&cfg, CFG_INSTANCE_MASTER_PASSWORD, "Zx8!kq2#Lm9$Tr4%");
	config_set(&cfg, CFG_ENV_FILE, ";app.env"); /* must not read back as a comment */
	char *cause = NULL;
	assert_int_equal(config_save(&cfg, path, &cause), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *out = read_file(path, NULL, NULL);
	assert_non_null(strstr(out, "; my notes\n[aws]\nregion = us-east-1 ; where we run\n"));
	assert_non_null(strstr(out, "; the name\nidentifier = new-name\n"));
	free(out);
	struct config back;
	config_init(&back);
	assert_int_equal(config_load(&back, path, false, &probs, NULL), 0);
	assert_int_equal(probs.n, 0);
	for (int k = 0; k < CFG_COUNT; k++)
		assert_string_equal(config_get(&back, k), config_get(&cfg, k));
	config_free(&back);
	config_free(&cfg);
	free(path);
}

static void save_refuses_values_ini_cannot_hold(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	char *path = xasprintf("%s/refuse.ini", dir);
	config_set(&cfg, CFG_INSTANCE_DB_NAME, "a ;b");
	char *cause = NULL;
	assert_int_equal(config_save(&cfg, path, &cause), -1);
	assert_non_null(strstr(cause, "instance.db_name"));
	assert_int_equal(access(path, F_OK), -1);
	free(cause);
	config_free(&cfg);
	free(path);
}

static void display_masks_secrets(void **state)
{
	(void)state;
	char *s =
		config_display_value(CFG_SOURCE_URL, "postgresql://bob:s3cret@db.example:5432/app");
	assert_string_equal(s, "postgresql://bob:****@db.example:5432/app");
	free(s);
	s = config_display_value(CFG_TARGET_URL, "postgresql://h/db?user=x&password=hunter2&a=b");
	assert_null(strstr(s, "hunter2"));
	free(s);
	s = config_display_value(CFG_SOURCE_URL,
				 "postgresql://u@h/db?password=aaaa&password=hunter2");
	assert_string_equal(s, "postgresql://u@h/db?password=****&password=****");
	free(s);
	s = config_display_value(CFG_INSTANCE_MASTER_PASSWORD, "Zx8!kq2#Lm9$Tr4%");
	assert_null(strstr(s, "Zx8"));
	free(s);
	s = config_display_value(CFG_INSTANCE_MASTER_PASSWORD, "secrets-manager");
	assert_string_equal(s, "secrets-manager");
	free(s);
}

static void env_overrides_the_source_url(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	setenv("SOURCE_DATABASE_URL", "postgresql://env@h/db", 1);
	config_apply_env(&cfg);
	unsetenv("SOURCE_DATABASE_URL");
	assert_string_equal(config_get(&cfg, CFG_SOURCE_URL), "postgresql://env@h/db");
	config_free(&cfg);
}

/* F2 saves what the user set, never what came from SOURCE_DATABASE_URL. */
static void save_never_writes_what_came_from_the_environment(void **state)
{
	(void)state;
	const char *text = "[source]\nurl = postgresql://file@h/db\n";
	char *path = write_tmp("envsave.ini", text, strlen(text));
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	config_load(&cfg, path, false, &probs, NULL);
	setenv("SOURCE_DATABASE_URL", "postgresql://env:EnvSecret1@h/db", 1);
	config_apply_env(&cfg);
	unsetenv("SOURCE_DATABASE_URL");
	config_set(&cfg, CFG_AWS_REGION, "us-west-2");
	assert_int_equal(config_save(&cfg, path, NULL), 0);
	char *out = read_file(path, NULL, NULL);
	assert_null(strstr(out, "EnvSecret1"));
	assert_non_null(strstr(out, "url = postgresql://file@h/db\n"));
	assert_non_null(strstr(out, "region = us-west-2"));
	free(out);
	/* a value the user typed over it is theirs: saved */
	config_set(&cfg, CFG_SOURCE_URL, "postgresql://typed@h/db");
	assert_int_equal(config_save(&cfg, path, NULL), 0);
	out = read_file(path, NULL, NULL);
	assert_non_null(strstr(out, "url = postgresql://typed@h/db\n"));
	free(out);
	problems_free(&probs);
	config_free(&cfg);
	free(path);
}

/* A line that did not load (invalid UTF-8) is named for its key's screen and
 * is never overwritten by the default that stands in for it. */
static void save_keeps_a_line_that_did_not_load(void **state)
{
	(void)state;
	const char text[] = "[instance]\nidentifier = caf\xe9-db\nclass = db.t3.small\n";
	char *path = write_tmp("unloaded.ini", text, sizeof text - 1);
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, false, &probs, NULL), 0);
	assert_true(has_problem(&probs, path, "UTF-8"));
	assert_int_equal(cfg.unloaded[CFG_INSTANCE_IDENTIFIER], 2);
	assert_non_null(strstr(cfg.unloaded_why[CFG_INSTANCE_IDENTIFIER], "line 2 did not load"));
	config_set(&cfg, CFG_INSTANCE_CLASS, "db.t3.medium");
	assert_int_equal(config_save(&cfg, path, NULL), 0);
	char *out = read_file(path, NULL, NULL);
	assert_non_null(strstr(out, "identifier = caf\xe9-db\n")); /* the user's line */
	assert_null(strstr(out, "identifier = yousync-db"));
	assert_non_null(strstr(out, "class = db.t3.medium\n"));
	free(out);
	/* once the user sets a value, it is theirs and saved */
	config_set(&cfg, CFG_INSTANCE_IDENTIFIER, "cafe-db");
	assert_int_equal(config_save(&cfg, path, NULL), 0);
	out = read_file(path, NULL, NULL);
	assert_non_null(strstr(out, "identifier = cafe-db\n"));
	free(out);
	problems_free(&probs);
	config_free(&cfg);
	free(path);
}

/* A FIFO or a device as the config is refused, not read (hang, memory). */
static void config_must_be_a_regular_file(void **state)
{
	(void)state;
	struct config cfg;
	struct problems probs = {0};
	char *cause = NULL;
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, "/dev/zero", false, &probs, &cause), -1);
	assert_non_null(strstr(cause, "not a regular file"));
	free(cause);
	cause = NULL;
	char *fifo = xasprintf("%s/fifo.ini", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(config_load(&cfg, fifo, false, &probs, &cause), -1);
	assert_non_null(strstr(cause, "not a regular file"));
	free(cause);
	free(fifo);
	problems_free(&probs);
	config_free(&cfg);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(missing_file_gives_every_default),
		cmocka_unit_test(missing_file_is_an_error_when_required),
		cmocka_unit_test(sample_documents_every_key_and_loads_clean),
		cmocka_unit_test(long_value_is_read_whole),
		cmocka_unit_test(overlong_line_is_rejected_not_cut),
		cmocka_unit_test(unknown_names_are_reported_with_the_closest_key),
		cmocka_unit_test(malformed_lines_are_each_reported),
		cmocka_unit_test(carriage_return_inside_a_line_is_reported),
		cmocka_unit_test(save_after_a_byte_order_mark_keeps_one_section),
		cmocka_unit_test(korean_values_load_intact),
		cmocka_unit_test(save_writes_0600_and_keeps_comments),
		cmocka_unit_test(save_refuses_values_ini_cannot_hold),
		cmocka_unit_test(display_masks_secrets),
		cmocka_unit_test(env_overrides_the_source_url),
		cmocka_unit_test(save_never_writes_what_came_from_the_environment),
		cmocka_unit_test(config_must_be_a_regular_file),
		cmocka_unit_test(save_keeps_a_line_that_did_not_load),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

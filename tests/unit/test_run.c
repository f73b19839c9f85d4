/* The run: connection strings for the target, the state file, step names. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "run.h"
#include "state.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* The value libpq reads for KEY from CONNINFO. Caller frees. */
static char *conninfo_value(const char *conninfo, const char *key)
{
	char *err = NULL;
	PQconninfoOption *o = PQconninfoParse(conninfo, &err);
	assert_non_null(o);
	char *v = NULL;
	for (PQconninfoOption *p = o; p->keyword; p++)
		if (strcmp(p->keyword, key) == 0 && p->val)
			v = xstrdup(p->val);
	PQconninfoFree(o);
	return v;
}

static void target_url_is_completed_from_the_target_section(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	config_set(&cfg, CFG_TARGET_URL,
		   "postgresql://app:p%40ss%27w%5Cd@db.example.rds.amazonaws.com/fastapi_db");
	config_set(&cfg, CFG_TARGET_HOSTADDR, "127.0.0.1");
	config_set(&cfg, CFG_TARGET_PORT, "15432");
	config_set(&cfg, CFG_TARGET_SSLROOTCERT, "/tmp/rds ca.pem");
	struct run r;
	run_init(&r, &cfg, NULL, NULL);
	char *cause = NULL;
	char *ci = run_target_conninfo(&r, &cause);
	assert_non_null(ci);
	char *v;
	assert_string_equal(v = conninfo_value(ci, "password"), "p@ss'w\\d");
	free(v);
	assert_string_equal(v = conninfo_value(ci, "host"), "db.example.rds.amazonaws.com");
	free(v);
	assert_string_equal(v = conninfo_value(ci, "hostaddr"), "127.0.0.1");
	free(v);
	assert_string_equal(v = conninfo_value(ci, "port"), "15432");
	free(v);
	assert_string_equal(v = conninfo_value(ci, "sslmode"), "verify-full");
	free(v);
	assert_string_equal(v = conninfo_value(ci, "sslrootcert"), "/tmp/rds ca.pem");
	free(v);
	free(ci);
	run_free(&r);
	config_free(&cfg);
}

static void url_parameters_win_over_the_defaults(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	config_set(&cfg, CFG_TARGET_URL, "postgresql://u:p@localhost:5433/db?sslmode=disable");
	struct run r;
	run_init(&r, &cfg, NULL, NULL);
	char *ci = run_target_conninfo(&r, NULL);
	char *v = conninfo_value(ci, "sslmode");
	assert_string_equal(v, "disable");
	free(v);
	v = conninfo_value(ci, "port");
	assert_string_equal(v, "5433");
	free(v);
	free(ci);
	run_free(&r);
	config_free(&cfg);
}

static void endpoint_target_uses_the_master_user(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	config_set(&cfg, CFG_TARGET_SSLROOTCERT, "/etc/ssl/rds-global-bundle.pem");
	struct run r;
	run_init(&r, &cfg, NULL, NULL);
	char *cause = NULL;
	assert_null(run_target_conninfo(&r, &cause));
	assert_non_null(strstr(cause, "not known yet"));
	free(cause);
	r.res.endpoint = xstrdup("yousync-db.abc.ap-northeast-2.rds.amazonaws.com");
	r.res.endpoint_port = 5432;
	r.res.master_password = xstrdup("Zx8!kq2#Lm9$Tr4%");
	char *ci = run_target_conninfo(&r, NULL);
	char *v = conninfo_value(ci, "user");
	assert_string_equal(v, "yousync");
	free(v);
	v = conninfo_value(ci, "dbname");
	assert_string_equal(v, "fastapi_db");
	free(v);
	v = conninfo_value(ci, "password");
	assert_string_equal(v, "Zx8!kq2#Lm9$Tr4%");
	free(v);
	free(ci);
	run_free(&r);
	config_free(&cfg);
}

static void source_url_missing_is_named(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	struct run r;
	run_init(&r, &cfg, NULL, NULL);
	char *cause = NULL;
	assert_null(run_source_conninfo(&r, &cause));
	assert_non_null(strstr(cause, "[source] url"));
	free(cause);
	cause = NULL;
	config_set(&cfg, CFG_SOURCE_URL, "postgresql://a:b@h:99999999999/db?x=");
	assert_null(run_source_conninfo(&r, &cause));
	free(cause);
	run_free(&r);
	config_free(&cfg);
}

static void state_survives_a_reload_and_is_private(void **state)
{
	(void)state;
	char dir[] = "/tmp/rdsm-state-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *cfgpath = xasprintf("%s/config.ini", dir);
	char *path = state_path_for(cfgpath);
	assert_non_null(strstr(path, "/.rds-migrate.state"));
	struct state st;
	assert_int_equal(state_load(&st, path, NULL), 0);
	assert_null(state_get(&st, "table.public.words"));
	assert_int_equal(state_set(&st, "table.public.words", "verified", NULL), 0);
	assert_int_equal(state_set(&st, "instance.created", "yousync-db", NULL), 0);
	assert_int_equal(state_set(&st, "instance.created", NULL, NULL), 0);
	assert_int_equal(state_set(&st, "table.public.urls", "loading", NULL), 0);
	char *found = state_find(&st, "table.", "loading");
	assert_string_equal(found, "table.public.urls");
	free(found);
	assert_null(state_find(&st, "table.", "copied"));
	char *cause = NULL;
	assert_int_equal(state_set(&st, "bad\nkey", "x", &cause), -1);
	free(cause);
	state_free(&st);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(state_load(&st, path, NULL), 0);
	assert_string_equal(state_get(&st, "table.public.words"), "verified");
	assert_null(state_get(&st, "instance.created"));
	state_free(&st);
	unlink(path);
	rmdir(dir);
	free(path);
	free(cfgpath);
}

/* A table's copy state is written as the words older state files hold, and
 * read back as the same code; an unknown word reads as not copied. */
static void table_copy_states_round_trip_through_the_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/rdsm-state-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/.rds-migrate.state", dir);
	struct state st;
	assert_int_equal(state_load(&st, path, NULL), 0);
	assert_int_equal(state_table_get(&st, "table.public.words"), TS_NONE);
	assert_int_equal(state_table_set(&st, "table.public.words", TS_VERIFIED, NULL), 0);
	assert_int_equal(state_table_set(&st, "table.public.urls", TS_LOADING, NULL), 0);
	assert_int_equal(state_table_set(&st, "table.public.users", TS_COPIED, NULL), 0);
	assert_int_equal(state_set(&st, "table.public.odd", "half-done", NULL), 0);
	state_free(&st);
	assert_int_equal(state_load(&st, path, NULL), 0);
	assert_string_equal(state_get(&st, "table.public.words"), "verified");
	assert_string_equal(state_get(&st, "table.public.urls"), "loading");
	assert_string_equal(state_get(&st, "table.public.users"), "copied");
	assert_int_equal(state_table_get(&st, "table.public.words"), TS_VERIFIED);
	assert_int_equal(state_table_get(&st, "table.public.odd"), TS_NONE);
	char *found = state_table_find(&st, TS_LOADING);
	assert_string_equal(found, "table.public.urls");
	free(found);
	assert_int_equal(state_table_set(&st, "table.public.urls", TS_NONE, NULL), 0);
	assert_null(state_table_find(&st, TS_LOADING));
	state_free(&st);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* Different tables never share a state key; plain names keep their old key. */
static void table_state_keys_are_distinct_per_table(void **state)
{
	(void)state;
	const char *pairs[][2] = {
		{"public", "words"}, {"a.b", "c"},        {"a", "b.c"},         {"public", "x=y"},
		{"public", "x_y"},   {"public", "x%3Dy"}, {"public", "User"},   {"public", "user"},
		{"s\"t", "u"},       {"s", "t\"u"},       {"p", "line\nbreak"}, {"p", "line_break"},
	};
	size_t n = sizeof pairs / sizeof pairs[0];
	char *keys[sizeof pairs / sizeof pairs[0]];
	for (size_t i = 0; i < n; i++) {
		keys[i] = state_table_key(pairs[i][0], pairs[i][1]);
		assert_null(strpbrk(keys[i], "=\n\r"));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(keys[i], keys[j]);
	}
	assert_string_equal(keys[0], "table.public.words");
	assert_string_equal(keys[1], "table.\"a.b\".c");
	assert_string_equal(keys[3], "table.public.\"x%3Dy\"");
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
}

/* K holds these values (the knobs the test sets). */
static void assert_knobs(const struct run_knobs *k, bool text, int64_t split, double stall,
			 int attempts, long poll, const char *checkip)
{
	assert_int_equal(k->copy_text, text);
	assert_int_equal(k->copy_split_bytes, split);
	assert_true(k->stall_seconds == stall);
	assert_int_equal(k->aws.max_attempts, attempts);
	assert_int_equal(k->poll_seconds, poll);
	assert_int_equal(k->wait_minutes, 40);
	assert_string_equal(k->checkip_url, checkip);
	assert_null(k->ca_url);
}

/* The RDSM_* knobs are read once, into run_knobs: set ones are taken, unset,
 * empty or out-of-range ones give the defaults a run starts with. */
static void knobs_are_read_from_the_environment_once(void **state)
{
	(void)state;
	static const char *const vars[][2] = {
		{"RDSM_COPY_FORMAT", "text"},
		{"RDSM_COPY_SPLIT_BYTES", "1048576"},
		{"RDSM_STALL_SECONDS", "2.5"},
		{"RDSM_AWS_MAX_ATTEMPTS", "99"}, /* out of range: the default */
		{"RDSM_POLL_SECONDS", "3"},
		{"RDSM_CHECKIP_URL", "http://127.0.0.1:9/ip"},
		{"RDSM_RDS_CA_URL", ""},
	};
	size_t n = sizeof vars / sizeof *vars;
	struct run_knobs k;
	for (size_t i = 0; i < n; i++)
		setenv(vars[i][0], vars[i][1], 1);
	run_knobs_from_env(&k);
	assert_knobs(&k, true, 1048576, 2.5, 5, 3, "http://127.0.0.1:9/ip");
	for (size_t i = 0; i < n; i++)
		unsetenv(vars[i][0]);
	run_knobs_from_env(&k);
	assert_knobs(&k, false, 0, 300, 5, 10, "https://checkip.amazonaws.com");
	struct run r;
	run_init(&r, NULL, NULL, NULL);
	assert_knobs(r.knobs, false, 0, 300, 5, 10, "https://checkip.amazonaws.com");
	run_free(&r);
}

static void step_names_round_trip(void **state)
{
	(void)state;
	for (int s = 0; s < step_count; s++)
		assert_int_equal(step_find(step_name(s)), s);
	assert_int_equal(step_find("nonsense"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(target_url_is_completed_from_the_target_section),
		cmocka_unit_test(url_parameters_win_over_the_defaults),
		cmocka_unit_test(endpoint_target_uses_the_master_user),
		cmocka_unit_test(source_url_missing_is_named),
		cmocka_unit_test(state_survives_a_reload_and_is_private),
		cmocka_unit_test(table_state_keys_are_distinct_per_table),
		cmocka_unit_test(table_copy_states_round_trip_through_the_file),
		cmocka_unit_test(step_names_round_trip),
		cmocka_unit_test(knobs_are_read_from_the_environment_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Live mode's replication, without a server: the names of our objects and
 * the connection string the target's subscription gets. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "replica.h"
#include "step_cutover.h"
#include "run.h"
#include "state.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* The value libpq reads for KEY from CONNINFO (NULL when absent). Caller frees. */
static char *conninfo_value(const char *conninfo, const char *key)
{
	PQconninfoOption *o = PQconninfoParse(conninfo, NULL);
	assert_non_null(o);
	char *v = NULL;
	for (PQconninfoOption *p = o; p->keyword; p++)
		if (strcmp(p->keyword, key) == 0 && p->val)
			v = xstrdup(p->val);
	PQconninfoFree(o);
	return v;
}

static void assert_value(const char *conninfo, const char *key, const char *want)
{
	char *v = conninfo_value(conninfo, key);
	if (want)
		assert_string_equal(v ? v : "(absent)", want);
	else
		assert_null(v);
	free(v);
}

/* The target reaches the source through [source] relay (hostaddr + port,
 * the host kept for TLS), with the password, and without what names files
 * on this machine: verify-full falls back to require, said in the note. */
static void the_target_gets_the_source_through_the_relay_without_local_files(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	config_set(&cfg, CFG_SOURCE_URL,
		   "postgresql://app:p%40ss%27w@db.proxy.rlwy.net:34567/railway"
		   "?sslmode=verify-full&sslrootcert=/home/me/ca.pem&application_name=mine");
	config_set(&cfg, CFG_SOURCE_RELAY, "10.0.1.5:15432");
	struct run r;
	run_init(&r, &cfg, NULL, NULL);
	char *note = NULL, *cause = NULL;
	char *ci = replica_source_for_target(&r, &note, &cause);
	assert_non_null(ci);
	assert_value(ci, "host", "db.proxy.rlwy.net");
	assert_value(ci, "hostaddr", "10.0.1.5");
	assert_value(ci, "port", "15432");
	assert_value(ci, "password", "p@ss'w");
	assert_value(ci, "dbname", "railway");
	assert_value(ci, "sslmode", "require");
	assert_value(ci, "sslrootcert", NULL);
	assert_value(ci, "application_name", NULL);
	assert_non_null(note);
	assert_non_null(strstr(note, "sslmode=require"));
	free(note);
	free_secret(ci);
	run_free(&r);
	config_free(&cfg);
}

/* Without a relay the URL's own host and port; an IPv6 relay loses its brackets. */
static void without_a_relay_the_url_is_kept_and_ipv6_relays_work(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	config_set(&cfg, CFG_SOURCE_URL,
		   "postgresql://app:pw@db.example.com:6543/app?sslmode=require");
	struct run r;
	run_init(&r, &cfg, NULL, NULL);
	char *note = NULL;
	char *ci = replica_source_for_target(&r, &note, NULL);
	assert_value(ci, "host", "db.example.com");
	assert_value(ci, "port", "6543");
	assert_value(ci, "hostaddr", NULL);
	assert_value(ci, "sslmode", "require");
	assert_null(note);
	free_secret(ci);
	config_set(&cfg, CFG_SOURCE_RELAY, "[fd00::5]:15432");
	ci = replica_source_for_target(&r, &note, NULL);
	assert_value(ci, "hostaddr", "fd00::5");
	assert_value(ci, "port", "15432");
	free_secret(ci);
	run_free(&r);
	config_free(&cfg);
}

/* A run over a fresh state file in a temporary directory. */
struct fixture {
	char dir[32];
	char *path;
	struct config cfg;
	struct state st;
	struct run r;
};

/* Load (again) the fixture's state file into a new run. */
static void fixture_load(struct fixture *f)
{
	assert_int_equal(state_load(&f->st, f->path, NULL), 0);
	run_init(&f->r, &f->cfg, &f->st, NULL);
}

static void fixture_unload(struct fixture *f)
{
	run_free(&f->r);
	state_free(&f->st);
}

static int fixture_up(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/rdsm-replica-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->path = xasprintf("%s/.rds-migrate.state", f->dir);
	config_init(&f->cfg);
	fixture_load(f);
	*state = f;
	return 0;
}

static int fixture_down(void **state)
{
	struct fixture *f = *state;
	fixture_unload(f);
	config_free(&f->cfg);
	unlink(f->path);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* One name for the publication, slot and subscription, drawn once and kept
 * by the state file: a later run finds its objects again. */
static void our_names_are_kept_by_the_state_file(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(replica_known_name(&f->r), "");
	char *slot = xstrdup(replica_slot(&f->r));
	assert_int_equal(strlen(slot), strlen(REPLICA_PREFIX) + 8);
	assert_memory_equal(slot, REPLICA_PREFIX, strlen(REPLICA_PREFIX));
	assert_string_equal(replica_publication(&f->r), slot);
	assert_string_equal(replica_subscription(&f->r), slot);
	assert_int_equal(replica_copy_get(&f->r), RC_NONE);
	assert_int_equal(replica_copy_done(&f->r, NULL), 0);
	fixture_unload(f);

	fixture_load(f);
	assert_string_equal(replica_known_name(&f->r), slot);
	assert_string_equal(replica_slot(&f->r), slot);
	assert_int_equal(replica_copy_get(&f->r), RC_DONE);
	free(slot);
}

/* A cutover under way or done forbids a new live copy; one rolled back does not. */
static void a_cutover_begun_is_read_from_the_state(void **state)
{
	struct fixture *f = *state;
	const char *phase;
	assert_false(cutover_begun(&f->r, &phase));
	static const char *const begun[] = {"stop", "drain", "env", "drop", "health", "done"};
	for (size_t i = 0; i < sizeof begun / sizeof *begun; i++) {
		state_set(&f->st, "cutover.phase", begun[i], NULL);
		assert_true(cutover_begun(&f->r, &phase));
		assert_string_equal(phase, begun[i]);
	}
	state_set(&f->st, "cutover.phase", "rolled-back", NULL);
	assert_false(cutover_begun(&f->r, &phase));
	assert_string_equal(phase, "rolled-back");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_target_gets_the_source_through_the_relay_without_local_files),
		cmocka_unit_test(without_a_relay_the_url_is_kept_and_ipv6_relays_work),
		cmocka_unit_test_setup_teardown(our_names_are_kept_by_the_state_file, fixture_up,
						fixture_down),
		cmocka_unit_test_setup_teardown(a_cutover_begun_is_read_from_the_state, fixture_up,
						fixture_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

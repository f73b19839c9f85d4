/* The cutover step (live mode): switch the application from the source to
 * the target while its writes are stopped for as short a time as it takes:
 *
 *   stop      stop_command (or: the source database made read-only for every
 *             session but ours, the others ended)
 *   drain     the target applies every change written before the stop (LSN)
 *   sequences every sequence of the source set on the target
 *   verify    [cutover] verify: row counts, full checksums, or nothing
 *   env       the .env points at the target (the old one kept for a rollback)
 *   drop      subscription, slot and publication dropped
 *   start     start_command
 *   health    health_url answers 2xx within health_timeout
 *
 * A failure before the .env is written gives the application back to the
 * source with replication still flowing (nothing was switched). A failure
 * after it (the health check, mostly) rolls back: the old .env, the
 * application started against the source, and the writes that reached the
 * target in between counted and named. The phase reached is kept in the state
 * file before each phase, so the same command after an interruption resumes
 * it and ends switched-and-healthy or rolled back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "health.h"
#include "i18n.h"
#include "pg_analyze.h"
#include "pg_conn.h"
#include "pg_copy.h"
#include "pg_verify.h"
#include "replica.h"
#include "restore_point.h"
#include "run.h"
#include "step_cutover.h"
#include "step_env.h"
#include "strbuf.h"
#include "util.h"

/* The phases, in order; the state file holds the name of the one reached. */
#define CUT_PHASES(X)                                                                              \
	X(NONE, "none", "")                                                                        \
	X(STOP, "stop", N_("stopping the application's writes"))                                   \
	X(DRAIN, "drain", N_("waiting until the target has applied every change"))                 \
	X(SEQUENCES, "sequences", N_("setting every sequence from the source"))                    \
	X(VERIFY, "verify", N_("comparing the source and the target"))                             \
	X(ENV, "env", N_("pointing the .env at the target"))                                       \
	X(DROP, "drop", N_("dropping the subscription, the slot and the publication"))             \
	X(START, "start", N_("starting the application"))                                          \
	X(HEALTH, "health", N_("waiting for the application to answer"))                           \
	X(DONE, "done", "switched")                                                                \
	X(ROLLBACK, "rollback", N_("rolling back to the source"))                                  \
	X(ROLLED_BACK, "rolled-back", N_("rolled back"))

enum cut_phase {
#define CUT_ENUM(id, name, what) CUT_##id,
	CUT_PHASES(CUT_ENUM)
#undef CUT_ENUM
		CUT_COUNT
};

static const char *const phase_names[CUT_COUNT] = {
#define CUT_NAME(id, name, what) name,
	CUT_PHASES(CUT_NAME)
#undef CUT_NAME
};

static const char *const phase_what[CUT_COUNT] = {
#define CUT_WHAT(id, name, what) what,
	CUT_PHASES(CUT_WHAT)
#undef CUT_WHAT
};

/* State keys of the cutover (values: phase_names, "on", "saved"/"absent",
 * seconds, "OID:COUNT,…"). */
#define KEY_PHASE    "cutover.phase"
#define KEY_READONLY "cutover.readonly"   /* "on": we made the source read-only */
#define KEY_ENV      "cutover.env"        /* "saved" or "absent": the .env before */
#define KEY_STOPPED  "cutover.stopped_at" /* wall-clock seconds of the stop */
#define KEY_WRITES   "cutover.writes"     /* the target's write counters at the switch */

/* A command that runs longer than this is stopped. */
#define COMMAND_SECONDS 300.0

/* One cutover in this process. */
struct cutover {
	struct run *r;
	double took[CUT_COUNT]; /* seconds each phase took in this run (0: not run) */
	bool interrupted;       /* a signal came: finish in a clean state, then say so */
	bool stopped;           /* the application was stopped (or the source made read-only) */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum cut_phase phase_get(struct run *r)
{
	const char *v = r->state ? state_get(r->state, KEY_PHASE) : NULL;
	for (int i = 0; v && i < CUT_COUNT; i++)
		if (strcmp(v, phase_names[i]) == 0)
			return (enum cut_phase)i;
	return CUT_NONE;
}

bool cutover_begun(struct run *r, const char **phase)
{
	enum cut_phase p = phase_get(r);
	*phase = phase_names[p];
	return p != CUT_NONE && p != CUT_ROLLED_BACK;
}

/* A signal asked us to stop: remember it, and let the cutover's own work go
 * on to a clean state (connections and drains watch r->cancel). */
static bool take_cancel(struct cutover *cx)
{
	if (atomic_exchange(&cx->r->cancel, 0))
		cx->interrupted = true;
	return cx->interrupted;
}

/* RDSM_CUTOVER_HOLD=PHASE holds the cutover for ten minutes once PHASE is
 * recorded, so that a test can kill the tool there. */
static void hold_for_tests(struct run *r, enum cut_phase p)
{
	const char *hold = getenv("RDSM_CUTOVER_HOLD");
	if (!hold || strcmp(hold, phase_names[p]) != 0)
		return;
	run_status(r, _("holding in phase %s (RDSM_CUTOVER_HOLD)"), phase_names[p]);
	for (int i = 0; i < 6000 && !run_cancelled(r); i++)
		usleep(100000);
}

/* Record phase P in the state before doing it, and say it. */
static void phase_enter(struct cutover *cx, enum cut_phase p)
{
	if (cx->r->state)
		state_set(cx->r->state, KEY_PHASE, p == CUT_NONE ? NULL : phase_names[p], NULL);
	if (p != CUT_NONE && p != CUT_DONE && p != CUT_ROLLED_BACK) {
		run_status(cx->r, "%s: %s", phase_names[p], phase_what[p]);
		hold_for_tests(cx->r, p);
	}
}

static void phase_done(struct cutover *cx, enum cut_phase p, double t0)
{
	cx->took[p] = now_monotonic() - t0;
	run_finding(cx->r, LEVEL_OK, phase_names[p], _("done in %.2f s"), cx->took[p]);
}

static const char *cfg(struct cutover *cx, enum config_key k)
{
	return config_get(cx->r->cfg, k);
}

/* Run one of the user's commands (KEY names it in messages). */
static int run_command(struct cutover *cx, enum config_key key, char **cause)
{
	struct command_result res;
	char *err = NULL;
	int rc = command_run(cfg(cx, key), COMMAND_SECONDS, &res, &err);
	if (rc != 0) {
		fail(cause, "%s failed: %s", config_key_name(key), err);
		free(err);
		return -1;
	}
	if (res.last[0])
		run_finding(cx->r, LEVEL_INFO, config_key_name(key), _("said: %s"), res.last);
	return 0;
}

/* --- the source made read-only (no stop_command) ------------------------------ */

/* Run SQL built by the source from FORMAT_SQL (a SELECT format(…) returning
 * one statement), then that statement. */
static int exec_formatted(PGconn *c, const char *format_sql, char **cause)
{
	char *sql = pg_value(c, format_sql, cause);
	if (!sql)
		return -1;
	int rc = pg_exec(c, sql, cause);
	free(sql);
	return rc;
}

/* End every other client session on the source database; how many ended. */
static int end_other_sessions(struct cutover *cx, PGconn *c)
{
	bool wait = PQserverVersion(c) >= 140000; /* pg_terminate_backend(pid, timeout) */
	PGresult *res =
		PQexec(c, "SELECT pid, coalesce(usename, ''), coalesce(application_name, "
			  "'') FROM pg_stat_activity WHERE datname = current_database() "
			  "AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
	int ended = 0;
	for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++) {
		char *sql = xasprintf("SELECT pg_terminate_backend(%s%s)", PQgetvalue(res, i, 0),
				      wait ? ", 5000" : "");
		char *err = NULL;
		char *v = pg_value(c, sql, &err);
		if (v && strcmp(v, "t") == 0)
			ended++;
		else
			run_finding(cx->r, LEVEL_WARN, PQgetvalue(res, i, 0),
				    _("cannot end the session of %s (%s): %s"),
				    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
				    err ? err : _("it is still there"));
		free(v);
		free(err);
		free(sql);
	}
	PQclear(res);
	return ended;
}

/* Without a stop_command: every new session of the source database defaults
 * to read-only (ours turn it off for themselves, see run_source_conninfo),
 * and the sessions open now are ended. */
static int make_source_readonly(struct cutover *cx, char **cause)
{
	PGconn *c = run_connect(cx->r, PG_SOURCE, false, cause);
	if (!c)
		return -1;
	if (cx->r->state) /* before the change: an interruption undoes it */
		state_set(cx->r->state, KEY_READONLY, "on", NULL);
	int rc = exec_formatted(c,
				"SELECT format('ALTER DATABASE %I SET "
				"default_transaction_read_only = on', current_database())",
				cause);
	if (rc == 0) {
		int ended = end_other_sessions(cx, c);
		run_finding(
			cx->r, LEVEL_WARN, _("read-only"),
			P_("[cutover] stop_command is empty: the source database is read-only "
			   "now for every session but ours (ALTER DATABASE … SET "
			   "default_transaction_read_only = on), and %d other session was ended",
			   "[cutover] stop_command is empty: the source database is read-only "
			   "now for every session but ours (ALTER DATABASE … SET "
			   "default_transaction_read_only = on), and %d other sessions were ended",
			   ended),
			ended);
	}
	PQfinish(c);
	return rc;
}

/* Undo make_source_readonly, when we did it. */
static int undo_source_readonly(struct cutover *cx, char **cause)
{
	if (!cx->r->state || !state_get(cx->r->state, KEY_READONLY))
		return 0;
	PGconn *c = run_connect(cx->r, PG_SOURCE, false, cause);
	if (!c)
		return -1;
	int rc = exec_formatted(c,
				"SELECT format('ALTER DATABASE %I RESET "
				"default_transaction_read_only', current_database())",
				cause);
	PQfinish(c);
	if (rc != 0)
		return -1;
	state_set(cx->r->state, KEY_READONLY, NULL, NULL);
	run_finding(cx->r, LEVEL_INFO, _("read-only"),
		    _("the source database takes writes again (default_transaction_read_only "
		      "reset)"));
	return 0;
}

/* --- the writes the target took after the switch ------------------------------ */

static const char writes_sql[] = "SELECT relid, n_tup_ins + n_tup_upd + n_tup_del, "
				 "relid::regclass::text FROM pg_stat_user_tables ORDER BY 1";

/* Every table's write counter on the target now, as "OID:COUNT,…". */
static char *target_writes(struct cutover *cx, char **cause)
{
	PGconn *c = run_connect(cx->r, PG_TARGET, false, cause);
	if (!c)
		return NULL;
	PGresult *res = PQexec(c, writes_sql);
	char *out = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		struct strbuf b = STRBUF_INIT;
		for (int i = 0; i < PQntuples(res); i++)
			strbuf_addf(&b, "%s%s:%s", i ? "," : "", PQgetvalue(res, i, 0),
				    PQgetvalue(res, i, 1));
		out = strbuf_detach(&b);
	} else {
		fail(cause, _("cannot read the target's statistics: %s"), PQerrorMessage(c));
	}
	PQclear(res);
	PQfinish(c);
	return out;
}

/* The count OID had in BASE ("OID:COUNT,…"), 0 when absent. */
static long long base_count(const char *base, const char *oid)
{
	size_t n = strlen(oid);
	for (const char *p = base; p && *p;) {
		if (strncmp(p, oid, n) == 0 && p[n] == ':')
			return strtoll(p + n + 1, NULL, 10);
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

/* Name the writes the target took since the switch (the counters the drop
 * phase kept in the state). */
static void report_target_writes(struct cutover *cx)
{
	const char *base = state_get(cx->r->state, KEY_WRITES);
	char *err = NULL;
	PGconn *c = run_connect(cx->r, PG_TARGET, false, &err);
	if (!c) {
		run_finding(cx->r, LEVEL_WARN, _("target writes"),
			    _("cannot count the writes the target took after the switch: %s"), err);
		free(err);
		return;
	}
	usleep(1200000); /* a session that just ended reports its counters as it exits */
	PQexec(c, "SELECT pg_stat_clear_snapshot()");
	PGresult *res = PQexec(c, writes_sql);
	struct strbuf tables = STRBUF_INIT;
	long long total = 0;
	for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++) {
		long long d = strtoll(PQgetvalue(res, i, 1), NULL, 10) -
			      base_count(base, PQgetvalue(res, i, 0));
		if (d <= 0)
			continue;
		total += d;
		char *item = xasprintf("%s (%lld)", PQgetvalue(res, i, 2), d);
		strbuf_add_item(&tables, item);
		free(item);
	}
	if (total)
		run_finding(
			cx->r, LEVEL_WARN, _("target writes"),
			P_("%lld row write (inserts, updates, deletes) reached the target "
			   "between the switch and the rollback, in %s: the source does not have "
			   "it; this is the one to look at",
			   "%lld row writes (inserts, updates, deletes) reached the target "
			   "between the switch and the rollback, in %s: the source does not have "
			   "them; these are the ones to look at",
			   total),
			total, tables.buf);
	else
		run_finding(cx->r, LEVEL_OK, _("target writes"),
			    _("no write reached the target between the switch and the rollback"));
	strbuf_free(&tables);
	PQclear(res);
	PQfinish(c);
}

/* --- the .env before the switch ------------------------------------------------ */

static char *saved_env_path(struct cutover *cx)
{
	return xasprintf("%s.before-cutover", cfg(cx, CFG_ENV_FILE));
}

/* Keep the .env as it is (once: a resumed cutover keeps the first copy). */
static int save_env(struct cutover *cx, char **cause)
{
	if (!cx->r->state || state_get(cx->r->state, KEY_ENV))
		return 0;
	size_t len = 0;
	char *err = NULL;
	char *old = read_file(cfg(cx, CFG_ENV_FILE), &len, &err);
	int rc = 0;
	if (old) {
		char *path = saved_env_path(cx);
		rc = atomic_write_own(path, old, len, 0600, cause);
		free(path);
	} else if (errno != ENOENT) {
		rc = fail(cause, _("cannot read the .env to keep it: %s"), err);
	}
	free(err);
	free_secret(old);
	if (rc == 0)
		state_set(cx->r->state, KEY_ENV, old ? "saved" : "absent", NULL);
	return rc;
}

/* Put the .env back as it was before the switch. */
static int restore_env(struct cutover *cx, char **cause)
{
	const char *how = cx->r->state ? state_get(cx->r->state, KEY_ENV) : NULL;
	const char *file = cfg(cx, CFG_ENV_FILE);
	if (!how)
		return 0; /* it was never changed */
	char *path = saved_env_path(cx);
	int rc = 0;
	if (strcmp(how, "absent") == 0) {
		if (unlink(file) != 0 && errno != ENOENT)
			rc = fail(cause, _("cannot remove %s: %s"), file, strerror(errno));
	} else {
		size_t len = 0;
		char *err = NULL;
		char *old = read_file(path, &len, &err);
		if (!old)
			rc = fail(cause, _("the copy of the old .env is gone (%s)"), err);
		else
			rc = atomic_write_file(file, old, len, 0600, NULL, cause);
		free(err);
		free_secret(old);
	}
	if (rc == 0)
		run_finding(cx->r, LEVEL_INFO, "env",
			    _("%s is back as it was before the switch (pointing at the source)"),
			    file);
	free(path);
	return rc;
}

/* The copy of the old .env is no longer needed. */
static void forget_env(struct cutover *cx)
{
	char *path = saved_env_path(cx);
	unlink(path);
	free(path);
	if (cx->r->state) {
		state_set(cx->r->state, KEY_ENV, NULL, NULL);
		state_set(cx->r->state, KEY_WRITES, NULL, NULL);
	}
}

/* --- the phases ---------------------------------------------------------------- */

static int do_stop(struct cutover *cx, char **cause)
{
	if (cx->r->state && !state_get(cx->r->state, KEY_STOPPED)) {
		char when[32];
		snprintf(when, sizeof when, "%.3f", wall_now());
		state_set(cx->r->state, KEY_STOPPED, when, NULL);
	}
	cx->stopped = true;
	if (!*cfg(cx, CFG_CUTOVER_STOP_COMMAND))
		return make_source_readonly(cx, cause);
	return run_command(cx, CFG_CUTOVER_STOP_COMMAND, cause);
}

static int do_drain(struct cutover *cx, char **cause)
{
	int timeout = (int)env_long("RDSM_DRAIN_SECONDS", 300, 1, 86400);
	int rc = replica_drain(cx->r, timeout, cause);
	return rc == 0 ? 0 : -1;
}

static int do_sequences(struct cutover *cx, char **cause)
{
	PGconn *s = run_connect(cx->r, PG_SOURCE, false, cause);
	PGconn *d = s ? run_connect(cx->r, PG_TARGET, false, cause) : NULL;
	int nset = 0, bad = -1;
	if (d)
		bad = pg_copy_sequences(cx->r, s, d, &nset, cause);
	if (bad > 0)
		fail(cause,
		     P_("%d sequence could not be set (named above): new rows would collide",
			"%d sequences could not be set (named above): new rows would collide", bad),
		     bad);
	if (s)
		PQfinish(s);
	if (d)
		PQfinish(d);
	if (bad == 0)
		run_finding(cx->r, LEVEL_INFO, _("sequences"),
			    P_("%d sequence set from the source",
			       "%d sequences set from the source", nset),
			    nset);
	return bad == 0 ? 0 : -1;
}

static int do_verify(struct cutover *cx, char **cause)
{
	const char *how = cfg(cx, CFG_CUTOVER_VERIFY);
	if (strcmp(how, "none") == 0) {
		run_finding(cx->r, LEVEL_WARN, "verify",
			    _("[cutover] verify = none: not compared"));
		return 0;
	}
	char *sci = run_source_conninfo(cx->r, cause);
	char *dci = sci ? run_target_conninfo(cx->r, cause) : NULL;
	int rc = -1;
	if (dci) {
		char *summary = NULL;
		rc = pg_verify_run(cx->r, sci, dci, cfg(cx, CFG_MIGRATE_EXCLUDE_TABLES),
				   strcmp(how, "full") == 0 ? PG_VERIFY_FULL : PG_VERIFY_COUNTS,
				   NULL, &summary);
		if (rc == 0)
			run_finding(cx->r, LEVEL_OK, "verify", "%s", summary);
		else
			fail(cause, _("the target differs from the source: %s"), summary);
		free(summary);
	}
	free_secret(sci);
	free_secret(dci);
	return rc;
}

static int do_env(struct cutover *cx, char **cause)
{
	if (save_env(cx, cause) != 0)
		return -1;
	char *summary = NULL;
	if (step_env_write(cx->r, &summary) != 0) {
		fail(cause, _("cannot write the .env: %s"), summary);
		free(summary);
		return -1;
	}
	run_finding(cx->r, LEVEL_INFO, "env", "%s", summary);
	free(summary);
	return 0;
}

static int do_drop(struct cutover *cx, char **cause)
{
	if (replica_drop(cx->r, cause) != 0)
		return -1;
	/* the apply worker is gone: what the target's counters gain from here
	 * on is the application's */
	char *writes = target_writes(cx, cause);
	if (!writes)
		return -1;
	if (cx->r->state)
		state_set(cx->r->state, KEY_WRITES, writes, NULL);
	free(writes);
	return 0;
}

static int do_start(struct cutover *cx, char **cause)
{
	if (!*cfg(cx, CFG_CUTOVER_START_COMMAND)) {
		run_finding(
			cx->r, LEVEL_WARN, "start",
			_("[cutover] start_command is empty: start (or restart) the application "
			  "yourself now; it must read the new .env"));
		return 0;
	}
	return run_command(cx, CFG_CUTOVER_START_COMMAND, cause);
}

static int do_health(struct cutover *cx, char **cause)
{
	const char *url = cfg(cx, CFG_CUTOVER_HEALTH_URL);
	if (!*url) {
		run_finding(cx->r, LEVEL_WARN, "health",
			    _("[cutover] health_url is empty: the application's health is not "
			      "checked"));
		return 0;
	}
	struct health_result h;
	return health_poll(url, (double)config_int(cx->r->cfg, CFG_CUTOVER_HEALTH_TIMEOUT), NULL,
			   &h, cause);
}

typedef int (*phase_fn)(struct cutover *cx, char **cause);

static const phase_fn phase_run[CUT_COUNT] = {
	[CUT_STOP] = do_stop,     [CUT_DRAIN] = do_drain,   [CUT_SEQUENCES] = do_sequences,
	[CUT_VERIFY] = do_verify, [CUT_ENV] = do_env,       [CUT_DROP] = do_drop,
	[CUT_START] = do_start,   [CUT_HEALTH] = do_health,
};

/* --- the two ways back, and the summary ------------------------------------------ */

/* A failure before the .env was written: nothing was switched. The
 * application goes back to the source and replication keeps flowing. */
static int abandon(struct cutover *cx, const char *why, char **cause)
{
	take_cancel(cx);
	char *err = NULL;
	struct strbuf left = STRBUF_INIT;
	if (undo_source_readonly(cx, &err) != 0)
		strbuf_addf(&left,
			    _("; the source is still read-only (%s): ALTER DATABASE … RESET "
			      "default_transaction_read_only"),
			    err);
	free(err);
	err = NULL;
	bool restarted = false;
	if (cx->stopped && *cfg(cx, CFG_CUTOVER_STOP_COMMAND) &&
	    *cfg(cx, CFG_CUTOVER_START_COMMAND)) {
		if (run_command(cx, CFG_CUTOVER_START_COMMAND, &err) == 0)
			restarted = true;
		else
			strbuf_addf(&left, _("; starting it again failed: %s"), err);
	}
	free(err);
	forget_env(cx);
	phase_enter(cx, CUT_NONE);
	if (cx->r->state)
		state_set(cx->r->state, KEY_STOPPED, NULL, NULL);
	fail(cause,
	     _("%s. Nothing was switched: the application %s the source, replication keeps "
	       "flowing; run cutover again when ready%s"),
	     why, restarted ? _("was started again against") : _("still uses"),
	     left.buf ? left.buf : "");
	strbuf_free(&left);
	return -1;
}

/* After the .env was written: the old .env back, the application started
 * against the source, and the writes the target took in between named. */
static int roll_back(struct cutover *cx, const char *why, char **cause)
{
	take_cancel(cx);
	double t0 = now_monotonic();
	/* the drop phase keeps the target's counters once replication is gone */
	bool dropped = cx->r->state && state_get(cx->r->state, KEY_WRITES);
	phase_enter(cx, CUT_ROLLBACK);
	struct strbuf left = STRBUF_INIT;
	char *err = NULL;
	if (*cfg(cx, CFG_CUTOVER_STOP_COMMAND) &&
	    run_command(cx, CFG_CUTOVER_STOP_COMMAND, &err) != 0)
		strbuf_addf(&left, _("; stopping it failed: %s"), err);
	free(err);
	err = NULL;
	if (restore_env(cx, &err) != 0) {
		fail(cause,
		     _("%s; rolling back failed: %s. Run cutover again to finish the "
		       "rollback"),
		     why, err);
		free(err);
		strbuf_free(&left);
		return -1;
	}
	if (undo_source_readonly(cx, &err) != 0) {
		strbuf_addf(&left, _("; the source is still read-only: %s"), err);
		free(err);
		err = NULL;
	}
	if (*cfg(cx, CFG_CUTOVER_START_COMMAND) &&
	    run_command(cx, CFG_CUTOVER_START_COMMAND, &err) != 0)
		strbuf_addf(&left, _("; starting it again failed: %s"), err);
	free(err);
	if (dropped)
		report_target_writes(cx);
	forget_env(cx);
	phase_enter(cx, CUT_ROLLED_BACK);
	if (cx->r->state)
		state_set(cx->r->state, KEY_STOPPED, NULL, NULL);
	run_finding(cx->r, LEVEL_INFO, "rollback", _("done in %.2f s"), now_monotonic() - t0);
	fail(cause,
	     _("%s: rolled back. The old .env is back and the application was started against "
	       "the source again%s. %s: to try again, run data (--force) and replicate, then "
	       "cutover"),
	     why, left.buf ? left.buf : "",
	     dropped ? _("Replication was dropped at the switch")
		     : _("The replication may be partly dropped (run cleanup to drop the rest)"));
	strbuf_free(&left);
	return -1;
}

/* The write downtime, from the stop to healthy, and each phase's share. */
static void report_downtime(struct cutover *cx)
{
	const char *at = cx->r->state ? state_get(cx->r->state, KEY_STOPPED) : NULL;
	struct strbuf b = STRBUF_INIT;
	for (int p = CUT_STOP; p <= CUT_HEALTH; p++) {
		if (cx->took[p] <= 0)
			continue;
		char item[64];
		snprintf(item, sizeof item, "%s %.2f s", phase_names[p], cx->took[p]);
		strbuf_add_item(&b, item);
	}
	if (at)
		run_finding(cx->r, LEVEL_OK, _("downtime"),
			    _("writes stopped for %.2f s, from the stop to healthy (%s)"),
			    wall_now() - strtod(at, NULL), b.buf ? b.buf : "");
	strbuf_free(&b);
	if (cx->r->state)
		state_set(cx->r->state, KEY_STOPPED, NULL, NULL);
}

/* --- the step -------------------------------------------------------------------- */

/* Whether our subscription is on the target (replication flowing). */
static int subscription_exists(struct cutover *cx, char **cause)
{
	PGconn *c = run_connect(cx->r, PG_TARGET, false, cause);
	if (!c)
		return -1;
	const char *name = replica_subscription(cx->r);
	const char *vals[1] = {name};
	PGresult *res =
		PQexecParams(c, "SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = $1", 1,
			     NULL, vals, NULL, NULL, 0);
	int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) > 0
							: fail(cause, "%s", PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
	return rc;
}

/* Where this run starts: a new cutover (after asking), or the phase an
 * interrupted one reached. -1 with *CAUSE when there is nothing to do. */
static int starting_phase(struct cutover *cx, enum cut_phase *from, char **cause)
{
	enum cut_phase p = phase_get(cx->r);
	bool ended = p == CUT_NONE || p == CUT_DONE || p == CUT_ROLLED_BACK;
	if (!ended) {
		/* before the .env: from the stop again (each phase may be redone) */
		*from = p < CUT_ENV ? CUT_STOP : p == CUT_HEALTH ? CUT_START : p;
		cx->stopped = true;
		run_finding(cx->r, LEVEL_WARN, _("resume"),
			    _("an interrupted cutover stopped in phase %s: %s from phase %s"),
			    phase_names[p],
			    p == CUT_ROLLBACK ? _("finishing its rollback") : _("going on"),
			    phase_names[*from]);
		return 0;
	}
	int sub = subscription_exists(cx, cause);
	if (sub < 0)
		return -1;
	if (!sub && p == CUT_DONE) {
		*cause = xstrdup(_("switched earlier: the application runs against the target"));
		return 1;
	}
	/* a new replication after a switch or a rollback: a new cutover */
	if (!sub)
		return fail(cause,
			    _("%sreplication is not running (no subscription %s on the target): "
			      "run the data and replicate steps first"),
			    p == CUT_ROLLED_BACK ? _("the last cutover was rolled back and ") : "",
			    replica_subscription(cx->r));
	const char *stop = cfg(cx, CFG_CUTOVER_STOP_COMMAND);
	if (!run_confirm(
		    cx->r,
		    _("Switch the application to the target now? Its writes stop (%s) until it "
		      "answers on the target; when it does not, it goes back to the source"),
		    *stop ? stop : _("the source database made read-only")))
		return fail(cause, _("not switched: the cutover was not confirmed (--yes confirms "
				     "it); replication keeps flowing"));
	/* a restore point of the target before the switch ([instance] snapshot) */
	char *e = NULL;
	if (restore_point_take(cx->r, "cutover", &e) != 0) {
		fail(cause,
		     _("not switched: no restore point of the target (%s); replication keeps "
		       "flowing"),
		     e ? e : "?");
		free(e);
		return -1;
	}
	*from = CUT_STOP;
	return 0;
}

/* The application's first queries on the target get real plans: ANALYZE
 * every table (the subscription's changes since the copy's ANALYZE
 * included). A failure is a warning: the switch is made. */
static void analyze_target(struct cutover *cx)
{
	char *e = NULL;
	char *dci = run_target_conninfo(cx->r, &e);
	int n = 0;
	if (dci && pg_analyze_run(cx->r, dci, (int)strtol(cfg(cx, CFG_MIGRATE_JOBS), NULL, 10),
				  NULL, 0, &n, &e) == 0)
		run_finding(cx->r, LEVEL_OK, _("statistics"),
			    P_("%d table analyzed after the switch",
			       "%d tables analyzed after the switch", n),
			    n);
	else
		run_finding(cx->r, LEVEL_WARN, _("statistics"),
			    _("ANALYZE after the switch failed (%s): autovacuum will get to it; "
			      "run ANALYZE on the target to have real plans sooner"),
			    e ? e : "?");
	free(e);
	free_secret(dci);
}

/* The switch is made: say what it cost, and what stays. */
static int switched(struct cutover *cx, char **cause)
{
	phase_enter(cx, CUT_DONE);
	report_downtime(cx);
	forget_env(cx);
	analyze_target(cx);
	if (cx->r->state && state_get(cx->r->state, KEY_READONLY)) {
		run_finding(
			cx->r, LEVEL_WARN, _("read-only"),
			_("the source database stays read-only, so that nothing writes to it by "
			  "mistake; ALTER DATABASE … RESET default_transaction_read_only undoes "
			  "it"));
		state_set(cx->r->state, KEY_READONLY, NULL, NULL);
	}
	*cause = xasprintf(_("the application runs against the target%s"),
			   *cfg(cx, CFG_CUTOVER_HEALTH_URL) ? _(" and answers its health check")
							    : "");
	return 0;
}

/* The phases from FROM on, to one of the two ends. */
static int run_phases(struct cutover *cx, enum cut_phase from, char **cause)
{
	if (from == CUT_ROLLBACK)
		return roll_back(cx, _("an interrupted rollback"), cause);
	for (enum cut_phase p = from; p <= CUT_HEALTH; p++) {
		/* before the .env is written a signal gives the application back;
		 * after it, the cutover goes on to one of its two ends */
		if (take_cancel(cx) && p < CUT_ENV)
			return abandon(cx, "interrupted", cause);
		phase_enter(cx, p);
		double t0 = now_monotonic();
		char *err = NULL;
		if (phase_run[p](cx, &err) != 0) {
			char *why = xasprintf("%s: %s", phase_names[p], err ? err : "failed");
			free(err);
			int rc = p < CUT_ENV ? abandon(cx, why, cause) : roll_back(cx, why, cause);
			free(why);
			return rc;
		}
		free(err);
		phase_done(cx, p, t0);
	}
	return switched(cx, cause);
}

/* A dry run: what a real cutover would do, phase by phase. */
static void plan_cutover(struct run *r)
{
	const char *stop = config_get(r->cfg, CFG_CUTOVER_STOP_COMMAND);
	const char *start = config_get(r->cfg, CFG_CUTOVER_START_COMMAND);
	if (config_bool(r->cfg, CFG_INSTANCE_SNAPSHOT) && !*config_get(r->cfg, CFG_TARGET_URL))
		restore_point_would(r, config_get(r->cfg, CFG_INSTANCE_IDENTIFIER), "cutover");
	if (*stop)
		run_would(r, CHANGE_SQL, _("[cutover] stop_command: %s"), stop);
	else
		run_would(r, CHANGE_SQL,
			  _("on the source: ALTER DATABASE … SET default_transaction_read_only = "
			    "on, and its other sessions ended"));
	run_would(r, CHANGE_SQL, _("setval of every sequence, from the source's"));
	char *why = NULL;
	if (step_env_write(r, &why) < 0)
		run_finding(r, LEVEL_WARN, "env", "%s", why);
	free(why);
	replica_would_drop(r);
	if (*start)
		run_would(r, CHANGE_SQL, _("[cutover] start_command: %s"), start);
	run_would(r, CHANGE_SQL, _("ANALYZE of every table, %ld at a time"),
		  config_int(r->cfg, CFG_MIGRATE_JOBS));
}

static int cutover_run(struct run *r, char **cause)
{
	if (!run_live(r)) {
		*cause = xstrdup(
			_("offline mode: nothing to switch (the env step writes the .env)"));
		return 1;
	}
	if (r->inspect) {
		if (r->dry_run)
			plan_cutover(r);
		*cause = xstrdup(_("the cutover stops the application: run it to switch"));
		return 1;
	}
	struct cutover cx = {.r = r};
	enum cut_phase from = CUT_NONE;
	int rc = starting_phase(&cx, &from, cause);
	if (rc != 0)
		return rc;
	rc = run_phases(&cx, from, cause);
	if (cx.interrupted) /* the run ends as interrupted, in a clean state */
		atomic_store(&r->cancel, 1);
	return rc;
}

const struct step step_cutover = {
	.name = "cutover",
	.title = N_("Cutover"),
	.what = N_("live mode: stop the app, drain, sequences, compare, .env, start, health check"),
	.run = cutover_run,
};

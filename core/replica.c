/* Live mode's logical replication: the names of our objects, the slot
 * whose exported snapshot the data step copies, the subscription, watching
 * the changes flow, draining and dropping. */
#include "replica.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dburl.h"
#include "fmt.h"
#include "i18n.h"
#include "pg_conn.h"
#include "run.h"
#include "state.h"
#include "strbuf.h"
#include "util.h"

/* The state file's keys. */
#define KEY_NAME "replica.name" /* our objects' name */
#define KEY_LSN  "replica.lsn"  /* the slot's consistent point */
#define KEY_COPY "replica.copy" /* enum replica_copy */

/* How often a wait polls the servers, and reports (seconds). */
#define POLL_EVERY   0.2
#define REPORT_EVERY 2.0

static pthread_mutex_t name_lock = PTHREAD_MUTEX_INITIALIZER;

/* The run's name: REPLICA_PREFIX and eight hex digits drawn once and kept in
 * the state file; without a state file, the prefix and "run". */
static const char *replica_name(const struct run *r)
{
	static const char fallback[] = REPLICA_PREFIX "run";
	if (!r->state)
		return fallback;
	pthread_mutex_lock(&name_lock);
	const char *name = state_get(r->state, KEY_NAME);
	if (!name) {
		unsigned char b[4];
		char buf[64];
		if (random_bytes(b, sizeof b) == 0) {
			snprintf(buf, sizeof buf, REPLICA_PREFIX "%02x%02x%02x%02x", b[0], b[1],
				 b[2], b[3]);
			state_set(r->state, KEY_NAME, buf, NULL);
			name = state_get(r->state, KEY_NAME);
		}
	}
	pthread_mutex_unlock(&name_lock);
	return name ? name : fallback;
}

const char *replica_known_name(const struct run *r)
{
	const char *name = r->state ? state_get(r->state, KEY_NAME) : NULL;
	return name ? name : "";
}

const char *replica_publication(const struct run *r)
{
	return replica_name(r);
}

const char *replica_slot(const struct run *r)
{
	return replica_name(r);
}

const char *replica_subscription(const struct run *r)
{
	return replica_name(r);
}

static const char *const copy_words[] = {
	[RC_NONE] = "", [RC_RUNNING] = "running", [RC_DONE] = "done"};

enum replica_copy replica_copy_get(struct run *r)
{
	const char *v = r->state ? state_get(r->state, KEY_COPY) : NULL;
	for (int i = RC_RUNNING; v && i <= RC_DONE; i++)
		if (strcmp(v, copy_words[i]) == 0)
			return (enum replica_copy)i;
	return RC_NONE;
}

/* Record where the live copy stands (and the slot's consistent point, when
 * LSN is not NULL; RC_NONE forgets both). */
static int copy_set(struct run *r, enum replica_copy v, const char *lsn, char **cause)
{
	if (!r->state)
		return 0;
	if ((lsn || v == RC_NONE) && state_set(r->state, KEY_LSN, lsn, cause) != 0)
		return -1;
	return state_set(r->state, KEY_COPY, v == RC_NONE ? NULL : copy_words[v], cause);
}

int replica_copy_done(struct run *r, char **cause)
{
	return copy_set(r, RC_DONE, NULL, cause);
}

const char *replica_start_lsn(struct run *r)
{
	return r->state ? state_get(r->state, KEY_LSN) : NULL;
}

/* Run SQL with one text parameter; the result (caller clears) when its
 * status is OK, else NULL with a cause. */
static PGresult *query1(PGconn *c, const char *sql, const char *param, char **cause)
{
	PGresult *res = pg_query_params(c, sql, param ? 1 : 0, &param);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	char *e = pg_result_error(res, c);
	fail(cause, "%s", e);
	free(e);
	PQclear(res);
	return NULL;
}

/* Our subscription on the target (one row: subenabled), or no row. */
static const char subscription_q[] =
	"SELECT subenabled FROM pg_subscription WHERE subname = $1 AND subdbid = (SELECT oid FROM "
	"pg_database WHERE datname = current_database())";

/* ------------------------------------------------------------------ */
/* The statements that change the two sides (the dry run lists them too). */
#define SQL_CREATE_PUBLICATION "DROP PUBLICATION IF EXISTS %s; CREATE PUBLICATION %s%s%s"
#define SQL_CREATE_SLOT_15     "CREATE_REPLICATION_SLOT %s LOGICAL pgoutput (SNAPSHOT 'export')"
#define SQL_CREATE_SLOT        "CREATE_REPLICATION_SLOT %s LOGICAL pgoutput EXPORT_SNAPSHOT"
#define SQL_CREATE_SUBSCRIPTION                                                                    \
	"CREATE SUBSCRIPTION %s CONNECTION %s PUBLICATION %s WITH (create_slot = false, "          \
	"slot_name = '%s', copy_data = false)"
#define SQL_DROP_SUBSCRIPTION                                                                      \
	"ALTER SUBSCRIPTION %s DISABLE; ALTER SUBSCRIPTION %s SET (slot_name = NONE); DROP "       \
	"SUBSCRIPTION %s"
#define SQL_DROP_SLOT(name)                                                                        \
	"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name "    \
	"= " name
#define SQL_DROP_PUBLICATION "DROP PUBLICATION %s"

void replica_would_start(struct run *r)
{
	const char *pub = replica_publication(r);
	char *sql = xasprintf(SQL_CREATE_PUBLICATION, pub, pub, " FOR TABLE ", "…");
	run_would(r, CHANGE_SQL, _("on the source: %s (the tables to copy)"), sql);
	free(sql);
	sql = xasprintf(SQL_CREATE_SLOT, replica_slot(r));
	run_would(r, CHANGE_SQL, _("on the source, a replication connection: %s"), sql);
	free(sql);
}

void replica_would_subscribe(struct run *r)
{
	char *sql = xasprintf(SQL_CREATE_SUBSCRIPTION, replica_subscription(r), "'… password=****'",
			      replica_publication(r), replica_slot(r));
	run_would(r, CHANGE_SQL, "%s", sql);
	free(sql);
}

void replica_would_drop(struct run *r)
{
	const char *sub = replica_subscription(r);
	char *sql = xasprintf(SQL_DROP_SUBSCRIPTION, sub, sub, sub);
	run_would(r, CHANGE_SQL, "%s", sql);
	free(sql);
	sql = xasprintf(SQL_DROP_SLOT("'%s'"), replica_slot(r));
	run_would(r, CHANGE_SQL, _("on the source: %s"), sql);
	free(sql);
	sql = xasprintf(SQL_DROP_PUBLICATION, replica_publication(r));
	run_would(r, CHANGE_SQL, _("on the source: %s"), sql);
	free(sql);
}

/* The start: publication, slot, exported snapshot */

/* A replication connection (replication=database) to the source. */
static PGconn *connect_replication(struct run *r, const char *src_ci, char **cause)
{
	char *ci = xstrdup(src_ci);
	pg_conninfo_add(&ci, "replication", "database");
	PGconn *c = pg_connect(ci, PG_SOURCE, 30, &r->cancel, NULL, cause);
	free_secret(ci);
	return c;
}

/* Create our publication for TABLES (quoted names), anew. */
static int create_publication(struct run *r, PGconn *src, char **tables, size_t n, char **cause)
{
	const char *pub = replica_publication(r);
	struct strbuf list = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_add_item(&list, tables[i]);
	char *sql = xasprintf(SQL_CREATE_PUBLICATION, pub, pub, n ? " FOR TABLE " : "",
			      n ? list.buf : "");
	strbuf_free(&list);
	char *e = NULL;
	int rc = pg_exec(src, sql, &e);
	free(sql);
	if (rc != 0)
		fail(cause, _("source: cannot create the publication %s: %s"), pub, e);
	else
		run_finding(r, LEVEL_OK, _("publication"),
			    P_("%s created on the source for %zu table",
			       "%s created on the source for %zu tables", n),
			    pub, n);
	free(e);
	return rc;
}

int replica_start(struct run *r, const char *src_ci, char **tables, size_t n,
		  struct replica_start *out, char **cause)
{
	memset(out, 0, sizeof *out);
	PGconn *src = pg_connect(src_ci, PG_SOURCE, 30, &r->cancel, NULL, cause);
	if (!src)
		return -1;
	int rc = create_publication(r, src, tables, n, cause);
	PQfinish(src);
	if (rc != 0)
		return -1;
	const char *slot = replica_slot(r);
	run_status(r,
		   _("creating the replication slot %s (it waits for transactions running now "
		     "to end)"),
		   slot);
	out->repl = connect_replication(r, src_ci, cause);
	if (!out->repl)
		return -1;
	char *sql = PQserverVersion(out->repl) >= 150000 ? xasprintf(SQL_CREATE_SLOT_15, slot)
							 : xasprintf(SQL_CREATE_SLOT, slot);
	PGresult *res = pg_query(out->repl, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		char *e = pg_result_error(res, out->repl);
		fail(cause, _("source: cannot create the replication slot %s: %s"), slot,
		     run_cancelled(r) ? "interrupted" : e);
		free(e);
		PQclear(res);
		replica_start_free(out);
		return -1;
	}
	out->lsn = xstrdup(PQgetvalue(res, 0, 1));
	out->snapshot = xstrdup(PQgetvalue(res, 0, 2));
	PQclear(res);
	run_finding(r, LEVEL_OK, _("slot"),
		    _("%s created on the source at %s: the copy reads its snapshot %s, the changes "
		      "after it wait in the slot"),
		    slot, out->lsn, out->snapshot);
	if (copy_set(r, RC_RUNNING, out->lsn, cause) != 0) {
		replica_start_free(out);
		return -1;
	}
	return 0;
}

void replica_start_free(struct replica_start *s)
{
	if (s->repl)
		PQfinish(s->repl);
	free(s->snapshot);
	free(s->lsn);
	memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------ */
/* Dropping */

/* Wait (up to about ten seconds) for the walsender streaming from SLOT to go,
 * then end it. 0 when the slot is idle or gone. */
static int slot_release(struct run *r, PGconn *src, const char *slot, char **cause)
{
	static const char q[] = "SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1 "
				"AND active_pid IS NOT NULL";
	double until = now_monotonic() + 10;
	for (;;) {
		PGresult *res = query1(src, q, slot, cause);
		if (!res)
			return -1;
		bool active = PQntuples(res) > 0;
		char pid[32] = "";
		if (active)
			snprintf(pid, sizeof pid, "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		if (!active)
			return 0;
		if (now_monotonic() >= until || run_cancelled(r)) {
			res = query1(src, "SELECT pg_terminate_backend($1::int)", pid, cause);
			if (!res)
				return -1;
			PQclear(res);
			until = now_monotonic() + 10;
		}
		sleep_cancellable(POLL_EVERY, NULL);
	}
}

/* The target's side: our subscription disabled, detached from its slot
 * (slot_name = NONE: the slot is ours to drop on the source, reachable or
 * not), dropped. *DROPPED is set when there was one. */
static int drop_subscription(struct run *r, bool *dropped, char **cause)
{
	*dropped = false;
	PGconn *d = run_connect(r, PG_TARGET, false, cause);
	if (!d)
		return -1;
	const char *sub = replica_subscription(r);
	PGresult *res = query1(d, subscription_q, sub, cause);
	int rc = res ? 0 : -1;
	if (res && PQntuples(res) > 0) {
		char *sql = xasprintf(SQL_DROP_SUBSCRIPTION, sub, sub, sub);
		char *e = NULL;
		rc = pg_exec(d, sql, &e);
		free(sql);
		if (rc != 0)
			fail(cause, _("target: cannot drop the subscription %s: %s"), sub, e);
		else
			*dropped = true;
		free(e);
	}
	PQclear(res);
	PQfinish(d);
	return rc;
}

/* The source's side: our slot (its walsender ended first) and publication.
 * Appends what it dropped to DROPPED. */
static int drop_source_side(struct run *r, struct strbuf *dropped, char **cause)
{
	PGconn *s = run_connect(r, PG_SOURCE, false, cause);
	if (!s)
		return -1;
	const char *slot = replica_slot(r), *pub = replica_publication(r);
	int rc = slot_release(r, s, slot, cause);
	PGresult *res = NULL;
	if (rc == 0)
		res = query1(s, SQL_DROP_SLOT("$1"), slot, cause);
	if (res && PQntuples(res) > 0) {
		char *what = xasprintf(_("the slot %s (source)"), slot);
		strbuf_add_item(dropped, what);
		free(what);
	}
	if (rc == 0 && !res)
		rc = -1;
	PQclear(res);
	res = rc == 0 ? query1(s, "SELECT 1 FROM pg_publication WHERE pubname = $1", pub, cause)
		      : NULL;
	if (res && PQntuples(res) > 0) {
		char *sql = xasprintf(SQL_DROP_PUBLICATION, pub);
		rc = pg_exec(s, sql, cause);
		free(sql);
		if (rc == 0) {
			char *what = xasprintf(_("the publication %s (source)"), pub);
			strbuf_add_item(dropped, what);
			free(what);
		}
	} else if (rc == 0 && !res) {
		rc = -1;
	}
	PQclear(res);
	PQfinish(s);
	return rc;
}

int replica_drop(struct run *r, char **cause)
{
	struct strbuf dropped = STRBUF_INIT;
	bool sub = false;
	char *tcause = NULL, *scause = NULL;
	run_status(r, _("dropping the subscription %s on the target"), replica_subscription(r));
	int trc = drop_subscription(r, &sub, &tcause);
	if (sub) {
		char *what = xasprintf(_("the subscription %s (target)"), replica_subscription(r));
		strbuf_add_item(&dropped, what);
		free(what);
	}
	/* the source's side goes whatever the target said: a slot left behind
	 * fills the source's disk */
	run_status(r, _("dropping the slot %s and the publication %s on the source"),
		   replica_slot(r), replica_publication(r));
	int src = drop_source_side(r, &dropped, &scause);
	if (src == 0)
		copy_set(r, RC_NONE, NULL, NULL);
	if (dropped.len)
		run_finding(r, LEVEL_OK, _("dropped"), "%s", dropped.buf);
	int rc = -1;
	if (trc != 0)
		fail(cause, _("%s; run cleanup again once the target answers"), tcause);
	else if (src != 0)
		fail(cause, "%s", scause);
	else
		rc = 0;
	if (rc == 0 && cause)
		*cause = dropped.len ? xasprintf("dropped %s", dropped.buf)
				     : xstrdup(_("nothing of ours was left on either server"));
	free(tcause);
	free(scause);
	strbuf_free(&dropped);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The subscription */

/* Keywords of the source's conninfo the target must not get: files on this
 * machine, and what only our own connections use. */
static bool local_only(const char *kw)
{
	static const char *const skip[] = {"sslrootcert", "sslcert",     "sslkey",
					   "sslcrl",      "sslcrldir",   "passfile",
					   "service",     "replication", "application_name",
					   "sslpassword", NULL};
	for (const char *const *k = skip; *k; k++)
		if (strcmp(kw, *k) == 0)
			return true;
	return false;
}

char *replica_source_for_target(struct run *r, char **note, char **cause)
{
	*note = NULL;
	char *sci = run_source_conninfo(r, cause);
	if (!sci)
		return NULL;
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(sci, &err);
	free_secret(sci);
	if (!opts) {
		fail(cause, "[source] url: %s", err ? err : _("cannot be parsed"));
		PQfreemem(err);
		return NULL;
	}
	const char *relay = config_get(r->cfg, CFG_SOURCE_RELAY);
	const char *colon = strrchr(relay, ':');
	char *ci = xstrdup("");
	bool verify = false;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val || local_only(o->keyword))
			continue;
		if (*relay &&
		    (strcmp(o->keyword, "hostaddr") == 0 || strcmp(o->keyword, "port") == 0))
			continue;
		if (strcmp(o->keyword, "sslmode") == 0 && strncmp(o->val, "verify-", 7) == 0) {
			verify = true;
			continue;
		}
		pg_conninfo_add(&ci, o->keyword, o->val);
	}
	PQconninfoFree(opts);
	if (verify) {
		/* the CA file is on this machine, not on the target */
		pg_conninfo_add(&ci, "sslmode", "require");
		*note = xstrdup(
			_("the target checks no certificate of the source (sslmode=require): "
			  "the CA file named here is not on the target"));
	}
	if (*relay && colon) {
		bool v6 = relay[0] == '[';
		char *host = xasprintf("%.*s", (int)(colon - relay) - (v6 ? 2 : 0), relay + v6);
		pg_conninfo_add(&ci, "hostaddr", host);
		pg_conninfo_add(&ci, "port", colon + 1);
		free(host);
	}
	return ci;
}

/* Whether libpq's MSG says the peer could not be reached at all. */
static bool unreachable(const char *msg)
{
	static const char *const words[] = {"timeout expired",
					    "timed out",
					    "No route to host",
					    "Network is unreachable",
					    "Connection refused",
					    "could not translate host name",
					    NULL};
	for (const char *const *w = words; *w; w++)
		if (strstr(msg, *w))
			return true;
	return false;
}

/* What to do when the target cannot reach the source. */
static const char relay_hint[] =
	N_("the target cannot reach the source: a private RDS instance has no route out. This "
	   "machine reaches both: forward a port here to the source (e.g. socat "
	   "TCP-LISTEN:15432,fork,reuseaddr TCP:SOURCE_HOST:SOURCE_PORT, or ssh -N -L "
	   "0.0.0.0:15432:SOURCE_HOST:SOURCE_PORT you@this-machine), allow that port from the "
	   "instance's security group, and set [source] relay = THIS_MACHINE_PRIVATE_IP:15432");

/* Create our subscription on D bound to our slot (no copy: the data step
 * did it from the slot's snapshot). */
static int create_subscription(struct run *r, PGconn *d, char **cause)
{
	char *note = NULL;
	char *ci = replica_source_for_target(r, &note, cause);
	if (!ci)
		return -1;
	if (note)
		run_finding(r, LEVEL_WARN, _("subscription"), "%s", note);
	free(note);
	const char *sub = replica_subscription(r);
	/* the statement holds the source's password: built with libpq's quoting,
	 * never logged */
	char *lit = PQescapeLiteral(d, ci, strlen(ci));
	free_secret(ci);
	if (!lit)
		return fail(cause, _("cannot quote the source's connection string"));
	char *sql = xasprintf(SQL_CREATE_SUBSCRIPTION, sub, lit, replica_publication(r),
			      replica_slot(r));
	memset(lit, 0, strlen(lit));
	PQfreemem(lit);
	run_status(r, _("creating the subscription %s on the target (it connects to the source)"),
		   sub);
	/* nor may the target's log get it, as a logged statement or beside an
	 * error: superuser settings, so this is best effort (a master user that
	 * may not change them keeps the server's) */
	PQclear(pg_query(d, "SET log_statement = 'none'"));
	PQclear(pg_query(d, "SET log_min_error_statement = 'panic'"));
	PGresult *res = pg_query(d, sql);
	free_secret(sql);
	PQclear(pg_query(d, "RESET log_statement; RESET log_min_error_statement"));
	int rc = 0;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		char *e = pg_result_error(res, d);
		char *shown = dburl_scrub(e, config_get(r->cfg, CFG_SOURCE_URL));
		if (unreachable(shown))
			rc = fail(cause, _("target: cannot create the subscription: %s. Hint: %s"),
				  shown, _(relay_hint));
		else
			rc = fail(cause, _("target: cannot create the subscription: %s"), shown);
		free(shown);
		free(e);
	}
	PQclear(res);
	return rc;
}

int replica_subscribe(struct run *r, char **cause)
{
	PGconn *d = run_connect(r, PG_TARGET, true, cause);
	if (!d)
		return -1;
	const char *sub = replica_subscription(r);
	PGresult *res = query1(d, subscription_q, sub, cause);
	int rc = res ? 0 : -1;
	if (res && PQntuples(res) == 0) {
		rc = create_subscription(r, d, cause);
		if (rc == 0)
			run_finding(
				r, LEVEL_OK, _("subscription"),
				_("%s created on the target, bound to the slot %s (no copy of its "
				  "own)"),
				sub, replica_slot(r));
	} else if (res && strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		char *sql = xasprintf("ALTER SUBSCRIPTION %s ENABLE", sub);
		rc = pg_exec(d, sql, cause);
		free(sql);
		if (rc == 0)
			run_finding(r, LEVEL_OK, _("subscription"),
				    _("%s was disabled: enabled again"), sub);
	} else if (res) {
		run_finding(r, LEVEL_OK, _("subscription"), _("%s exists: resuming"), sub);
	}
	PQclear(res);
	PQfinish(d);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Watching the flow */

/* One subscribed table: its state on the target and its applied rows. */
struct watch_table {
	char *name;
	char state;          /* pg_subscription_rel.srsubstate: 'r' ready… */
	int64_t rows0, rows; /* n_tup_ins+upd+del at the start, now */
};

struct watch {
	struct run *r;
	struct watch_table *t;
	size_t nt;
	PGconn *s, *d;
	char *goal;              /* the source LSN to reach */
	int64_t rows;            /* rows applied since the start (every table) */
	int64_t errors0, errors; /* apply_error_count at the start, now */
	int64_t tables;          /* tables in the subscription */
	int64_t lag_bytes;       /* goal - confirmed_flush_lsn */
	int64_t behind;          /* current WAL - confirmed_flush_lsn */
	double lag_s;            /* the walsender's flush lag */
	bool worker;             /* the apply worker runs on the target */
	bool slot_active;        /* a walsender streams from the slot */
	char confirmed[32];      /* the slot's confirmed_flush_lsn */
	double since_progress;   /* when the lag last shrank */
	int64_t best_lag;
};

static const char tables_q[] =
	"SELECT sr.srrelid::regclass::text, sr.srsubstate, coalesce(t.n_tup_ins + t.n_tup_upd + "
	"t.n_tup_del, 0) FROM pg_subscription_rel sr JOIN pg_subscription s ON s.oid = sr.srsubid "
	"LEFT JOIN pg_stat_user_tables t ON t.relid = sr.srrelid WHERE s.subname = $1 ORDER BY 1";
static const char worker_q[] =
	"SELECT (SELECT count(*) FROM pg_stat_subscription WHERE subname = $1 AND pid IS NOT "
	"NULL), %s";
static const char errors15[] = "(SELECT coalesce(apply_error_count, 0) FROM "
			       "pg_stat_subscription_stats WHERE subname = $1)";

/* Take the subscribed tables from RES: states and rows now; a table not
 * seen before starts at its count now. */
static void watch_tables(struct watch *w, const PGresult *res)
{
	w->rows = 0;
	w->tables = PQntuples(res);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		size_t k = 0;
		while (k < w->nt && strcmp(w->t[k].name, name) != 0)
			k++;
		int64_t n = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		if (k == w->nt) {
			w->t = xrealloc(w->t, (w->nt + 1) * sizeof *w->t);
			w->t[w->nt++] = (struct watch_table){.name = xstrdup(name), .rows0 = n};
		}
		w->t[k].state = PQgetvalue(res, i, 1)[0];
		w->t[k].rows = n;
		w->rows += n - w->t[k].rows0;
	}
}

/* Read the target's side: the tables, rows applied, worker, error count. */
static int watch_target(struct watch *w, char **cause)
{
	const char *sub = replica_subscription(w->r);
	PGresult *res = query1(w->d, tables_q, sub, cause);
	if (!res)
		return -1;
	watch_tables(w, res);
	PQclear(res);
	char *sql = xasprintf(worker_q, PQserverVersion(w->d) >= 150000 ? errors15 : "0");
	res = query1(w->d, sql, sub, cause);
	free(sql);
	if (!res)
		return -1;
	w->worker = strtoll(PQgetvalue(res, 0, 0), NULL, 10) > 0;
	w->errors = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return 0;
}

/* Each table that moved or is not ready, as a finding. */
static void watch_report_tables(struct watch *w)
{
	for (size_t i = 0; i < w->nt; i++) {
		const struct watch_table *t = &w->t[i];
		const char *state = t->state == 'r'   ? "ready"
				    : t->state == 'i' ? "initializing"
				    : t->state == 'd' ? "copying"
				    : t->state == 'f' ? _("copy finished")
				    : t->state == 's' ? "synchronized"
						      : _("unknown state");
		if (t->rows > t->rows0 || t->state != 'r')
			run_finding(w->r, t->state == 'r' ? LEVEL_OK : LEVEL_WARN, t->name,
				    _("%s, %lld rows applied"), state,
				    (long long)(t->rows - t->rows0));
	}
}

/* Read the source's side: the slot's confirmed position against the goal,
 * and the walsender's lag. */
static int watch_source(struct watch *w, char **cause)
{
	const char *params[2] = {replica_slot(w->r), w->goal};
	PGresult *res = pg_query_params(
		w->s,
		"SELECT s.confirmed_flush_lsn, pg_wal_lsn_diff($2::pg_lsn, s.confirmed_flush_lsn), "
		"pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn), s.active_pid IS "
		"NOT NULL, coalesce(extract(epoch FROM greatest(r.flush_lag, r.replay_lag)), 0) "
		"FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = "
		"s.active_pid WHERE s.slot_name = $1",
		2, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char *e = pg_result_error(res, w->s);
		fail(cause, "source: %s", e);
		free(e);
		PQclear(res);
		return -1;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		return fail(cause,
			    _("the slot %s is gone from the source: the changes since the copy are "
			      "lost; run the data step again (it copies every table anew)"),
			    replica_slot(w->r));
	}
	snprintf(w->confirmed, sizeof w->confirmed, "%s", PQgetvalue(res, 0, 0));
	w->lag_bytes =
		PQgetisnull(res, 0, 1) ? INT64_MAX : strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	w->behind = PQgetisnull(res, 0, 2) ? 0 : strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	w->slot_active = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	w->lag_s = strtod(PQgetvalue(res, 0, 4), NULL);
	PQclear(res);
	return 0;
}

/* The newest error the target's log holds about logical replication, when
 * the target lets us read its log (a superuser on a plain PostgreSQL; RDS
 * does not): heap, or NULL. */
static char *target_log_error(PGconn *d)
{
	PGresult *res = pg_query(d, "SELECT pg_read_file(pg_current_logfile(), -65536, 65536)");
	char *found = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    !PQgetisnull(res, 0, 0)) {
		const char *log = PQgetvalue(res, 0, 0);
		const char *last = NULL;
		for (const char *p = strstr(log, "ERROR:"); p; p = strstr(p + 1, "ERROR:"))
			last = p;
		if (last) {
			size_t len = strcspn(last, "\n");
			found = xasprintf("%.*s", (int)len, last);
		}
	}
	PQclear(res);
	return found;
}

/* Columns the source publishes that the target's tables lack (a column
 * added on the source after the copy: DDL is not replicated), as
 * "table.column type, …" (heap), or NULL. */
static char *missing_columns(struct watch *w)
{
	char *sql = xasprintf("SELECT c.oid::regclass::text, a.attname, format_type(a.atttypid, "
			      "a.atttypmod) FROM "
			      "pg_publication p JOIN pg_publication_rel pr ON pr.prpubid = p.oid "
			      "JOIN pg_class c ON "
			      "c.oid = pr.prrelid JOIN pg_attribute a ON a.attrelid = c.oid AND "
			      "a.attnum > 0 AND NOT "
			      "a.attisdropped%s WHERE p.pubname = $1 ORDER BY 1, a.attnum",
			      PQserverVersion(w->s) >= 120000 ? " AND a.attgenerated = ''" : "");
	PGresult *src = query1(w->s, sql, replica_publication(w->r), NULL);
	free(sql);
	PGresult *dst =
		query1(w->d,
		       "SELECT a.attrelid::regclass::text, a.attname FROM pg_subscription s "
		       "JOIN pg_subscription_rel sr ON sr.srsubid = s.oid JOIN pg_attribute a "
		       "ON a.attrelid = sr.srrelid AND a.attnum > 0 AND NOT a.attisdropped "
		       "WHERE s.subname = $1",
		       replica_subscription(w->r), NULL);
	struct strbuf missing = STRBUF_INIT;
	for (int i = 0; src && dst && i < PQntuples(src); i++) {
		bool found = false;
		for (int j = 0; j < PQntuples(dst) && !found; j++)
			found = strcmp(PQgetvalue(src, i, 0), PQgetvalue(dst, j, 0)) == 0 &&
				strcmp(PQgetvalue(src, i, 1), PQgetvalue(dst, j, 1)) == 0;
		if (!found) {
			char *item = xasprintf("%s.%s %s", PQgetvalue(src, i, 0),
					       PQgetvalue(src, i, 1), PQgetvalue(src, i, 2));
			strbuf_add_item(&missing, item);
			free(item);
		}
	}
	PQclear(src);
	PQclear(dst);
	if (!missing.len) {
		strbuf_free(&missing);
		return NULL;
	}
	return missing.buf;
}

/* Why the apply is not moving, in words with a hint (heap): the target's own
 * error when its log can be read (a superuser on a plain PostgreSQL), else
 * what comparing the two sides shows. */
static char *stall_cause(struct watch *w)
{
	char *log = target_log_error(w->d);
	char *cols = missing_columns(w);
	const char *l = log ? log : "";
	/* no apply error, and nothing streams: the worker cannot connect */
	bool disconnected = !log && !cols && !w->slot_active && w->errors == w->errors0;
	const char *hint =
		cols || strstr(l, "missing replicated column") || strstr(l, "does not exist")
			? _("a table was changed on the source (DDL is not replicated): make the "
			    "same change on the target, and the apply goes on by itself")
		: strstr(l, "duplicate key") || strstr(l, "conflict")
			? _("a row the source sends conflicts with one on the target (written "
			    "there "
			    "directly?): remove the conflicting row on the target, and the apply "
			    "goes on by itself")
		: strstr(l, "could not connect") || strstr(l, "timeout") || disconnected
			? _(relay_hint)
			: _("the target's log says why (RDS: Logs & events in the console, or aws "
			    "rds download-db-log-file-portion)");
	char *s = xasprintf(
		P_("%s%s%s%s%s%s%s%lld apply error since the step started. Hint: %s",
		   "%s%s%s%s%s%s%s%lld apply errors since the step started. Hint: %s",
		   (unsigned long)(w->errors - w->errors0)),
		log ? _("the target says: ") : "", l, log ? ". " : "",
		cols ? _("columns missing on the target: ") : "", cols ? cols : "",
		cols ? ". " : "",
		disconnected ? _("no walsender streams from our slot: the subscription is not "
				 "connected to the source. ")
			     : "",
		(long long)(w->errors - w->errors0), hint);
	free(log);
	free(cols);
	return s;
}

static void watch_close(struct watch *w)
{
	for (size_t i = 0; i < w->nt; i++)
		free(w->t[i].name);
	free(w->t);
	if (w->s)
		PQfinish(w->s);
	if (w->d)
		PQfinish(w->d);
	free(w->goal);
	memset(w, 0, sizeof *w);
}

/* Connect to both sides and take the starting counts. */
static int watch_open(struct run *r, struct watch *w, char **cause)
{
	memset(w, 0, sizeof *w);
	w->r = r;
	w->s = run_connect(r, PG_SOURCE, true, cause);
	w->d = w->s ? run_connect(r, PG_TARGET, true, cause) : NULL;
	if (!w->s || !w->d || watch_target(w, cause) != 0) {
		watch_close(w);
		return -1;
	}
	w->errors0 = w->errors;
	return 0;
}

/* The goal: every change the source wrote before now. */
static int watch_goal(struct watch *w, char **cause)
{
	free(w->goal);
	w->goal = NULL;
	/* pg_current_wal_lsn() is where the WAL is written so far: a transaction
	 * committed with synchronous_commit = off may lie beyond it. The goal is
	 * the insert position instead, read in a transaction of ours that then
	 * writes (a temporary table) and commits synchronously: every record
	 * before the goal is flushed, and ours after it, so the walsender passes
	 * the goal (even when it falls just past a page header). READ WRITE: a
	 * cutover may have made the database read-only by default. */
	if (pg_exec(w->s, "BEGIN READ WRITE; SET LOCAL synchronous_commit = on", cause) != 0)
		return -1;
	w->goal = pg_value(w->s, "SELECT pg_current_wal_insert_lsn()", cause);
	if (!w->goal ||
	    pg_exec(w->s, "CREATE TEMP TABLE rds_migrate_drain () ON COMMIT DROP", NULL) != 0) {
		pg_exec(w->s, "ROLLBACK", NULL);
	} else {
		pg_exec(w->s, "COMMIT", NULL);
	}
	w->best_lag = INT64_MAX;
	w->since_progress = now_monotonic();
	return w->goal ? 0 : -1;
}

static void watch_report(struct watch *w, enum repl_phase phase)
{
	run_replication(w->r, phase, w->behind, w->lag_s, w->rows, w->tables);
}

/* Poll until the goal is reached. A persisting apply error (two since the
 * start: the worker retried and failed again) or no walsender on our slot
 * and no progress for STALL_S seconds ends it. */
#define STALL_S 30
static int watch_until_goal(struct watch *w, int timeout_s, char **cause)
{
	struct run *r = w->r;
	double t0 = now_monotonic(), reported = 0;
	bool said_stall = false;
	for (;;) {
		if (watch_source(w, cause) != 0 || watch_target(w, cause) != 0)
			return -1;
		double now = now_monotonic();
		bool reached = w->lag_bytes <= 0;
		if (w->lag_bytes < w->best_lag) {
			w->best_lag = w->lag_bytes;
			w->since_progress = now;
		}
		/* nothing streams from the slot and nothing moved: the worker is
		 * gone, or cannot reach the source (it may hang connecting) */
		bool failing = w->errors - w->errors0 >= 2 ||
			       (!w->slot_active && now - w->since_progress > STALL_S);
		if (reached) {
			watch_report(w, REPL_CAUGHT_UP);
			watch_report_tables(w);
			return 0;
		}
		/* a failure is shown as STALLED even between two reports (errors
		 * can pile up faster than REPORT_EVERY) */
		if (now - reported >= REPORT_EVERY || failing) {
			reported = now;
			watch_report(w, failing || w->errors > w->errors0 ? REPL_STALLED
									  : REPL_CATCHING_UP);
		}
		if (w->errors > w->errors0 && !said_stall) {
			said_stall = true;
			char *why = stall_cause(w);
			run_finding(r, LEVEL_ERROR, _("apply"), "%s", why);
			free(why);
		}
		if (failing) {
			watch_report_tables(w);
			char *why = stall_cause(w), sz[32];
			fail(cause, _("the target's apply is stuck %s behind: %s"),
			     fmt_bytes(sz, sizeof sz, (double)w->behind), why);
			free(why);
			return -1;
		}
		if (run_cancelled(r))
			return 130;
		if (timeout_s > 0 && now - t0 >= timeout_s) {
			char sz[32];
			return fail(
				cause,
				_("the target had not caught up after %d s: it had applied up to "
				  "%s of %s (%s behind)%s"),
				timeout_s, w->confirmed, w->goal,
				fmt_bytes(sz, sizeof sz, (double)w->lag_bytes),
				w->worker ? "" : _("; its apply worker is not running"));
		}
		sleep_cancellable(POLL_EVERY, &r->cancel);
	}
}

int replica_drain(struct run *r, int timeout_s, char **cause)
{
	struct watch w;
	if (watch_open(r, &w, cause) != 0)
		return -1;
	int rc = watch_goal(&w, cause);
	if (rc == 0)
		rc = watch_until_goal(&w, timeout_s, cause);
	watch_close(&w);
	return rc;
}

int replica_catch_up(struct run *r, char **summary, char **cause)
{
	struct watch w;
	if (watch_open(r, &w, cause) != 0)
		return -1;
	run_status(r, _("waiting for the target to catch up with the source"));
	int rc = watch_goal(&w, cause);
	if (rc == 0)
		rc = watch_until_goal(&w, 0, cause);
	if (rc == 0) {
		char sz[32];
		*summary = xasprintf(_("caught up at %s: %lld tables streaming, %lld rows applied, "
				       "lag %s; the changes keep flowing until the cutover"),
				     w.goal, (long long)w.tables, (long long)w.rows,
				     fmt_bytes(sz, sizeof sz, (double)w.behind));
	}
	watch_close(&w);
	return rc;
}

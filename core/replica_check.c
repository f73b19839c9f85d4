/* Live mode's preflight on the source (and the target's privilege), before
 * anything is created. */
#include "replica_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "i18n.h"
#include "pg_conn.h"
#include "pg_copy.h"
#include "replica.h"
#include "run.h"
#include "strbuf.h"
#include "util.h"

/* One preflight: the connection, the mode, and what stays refused. */
struct check {
	struct run *r;
	PGconn *c;
	enum replica_check_mode mode;
	struct strbuf refused;
};

static bool fixing(const struct check *k)
{
	return k->mode == REPLICA_CHECK_FIX && !k->r->inspect;
}

/* A one-row query with up to one text parameter; NULL (refused, named) on error. */
static PGresult *row(struct check *k, const char *sql, const char *param, const char *what)
{
	PGresult *res = pg_query_params(k->c, sql, param ? 1 : 0, &param);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	char *e = pg_result_error(res, k->c);
	run_finding(k->r, LEVEL_ERROR, what, _("cannot be checked: %s"), e);
	strbuf_add_item(&k->refused, what);
	free(e);
	PQclear(res);
	return NULL;
}

static bool is_true(const PGresult *res, int r, int c)
{
	return strcmp(PQgetvalue(res, r, c), "t") == 0;
}

static const char wal_howto[] =
	"On Railway: run ALTER SYSTEM SET wal_level = logical on the database (psql, or the "
	"service's Data tab), then redeploy the Postgres service from its dashboard (Deployments "
	"→ Redeploy): the setting takes effect at the restart. Other hosts: set wal_level = "
	"logical in postgresql.conf (a managed service: its parameter group or settings) and "
	"restart PostgreSQL";

/* wal_level must be logical; offer the ALTER SYSTEM (a restart still needed). */
static void check_wal_level(struct check *k)
{
	char *e = NULL;
	char *level = pg_value(k->c, "SHOW wal_level", &e);
	if (!level) {
		run_finding(k->r, LEVEL_ERROR, "wal_level", _("cannot be read: %s"), e);
		strbuf_add_item(&k->refused, _("wal_level unknown"));
		free(e);
		return;
	}
	if (strcmp(level, "logical") == 0) {
		run_finding(k->r, LEVEL_OK, "wal_level", _("logical"));
		free(level);
		return;
	}
	run_finding(k->r, LEVEL_ERROR, "wal_level",
		    _("is %s: logical replication needs logical. %s"), level, wal_howto);
	strbuf_add_item(&k->refused, _("wal_level is not logical"));
	free(level);
	if (!fixing(k) ||
	    !run_confirm(k->r,
			 _("Run ALTER SYSTEM SET wal_level = logical on the source now? It "
			   "takes effect only after a restart (Railway: redeploy the service)")))
		return;
	if (pg_exec(k->c, "ALTER SYSTEM SET wal_level = logical", &e) == 0)
		run_finding(k->r, LEVEL_WARN, "wal_level",
			    _("ALTER SYSTEM SET wal_level = logical done: now redeploy the service "
			      "(Railway) or restart PostgreSQL, then run again"));
	else
		run_finding(k->r, LEVEL_ERROR, "wal_level", _("ALTER SYSTEM failed: %s"), e);
	free(e);
}

/* A replication slot and a WAL sender must be free (ours do not count). */
static void check_capacity(struct check *k)
{
	PGresult *res = row(k,
			    "SELECT current_setting('max_replication_slots')::int - (SELECT "
			    "count(*) FROM pg_replication_slots WHERE slot_name <> $1), "
			    "current_setting('max_wal_senders')::int - (SELECT count(*) FROM "
			    "pg_stat_activity WHERE backend_type = 'walsender' AND pid IS DISTINCT "
			    "FROM (SELECT active_pid FROM pg_replication_slots WHERE slot_name = "
			    "$1))",
			    replica_known_name(k->r), _("replication slots"));
	if (!res)
		return;
	long slots = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	long senders = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	if (slots < 1) {
		run_finding(
			k->r, LEVEL_ERROR, _("replication slots"),
			_("none free (max_replication_slots is used up): drop an unused slot "
			  "(SELECT pg_drop_replication_slot(name)) or raise max_replication_slots "
			  "and restart"));
		strbuf_add_item(&k->refused, _("no free replication slot"));
	} else {
		run_finding(k->r, LEVEL_OK, _("replication slots"), _("%ld free"), slots);
	}
	if (senders < 1) {
		run_finding(k->r, LEVEL_ERROR, _("WAL senders"),
			    _("none free (max_wal_senders is used up): raise max_wal_senders and "
			      "restart, or end a replication connection"));
		strbuf_add_item(&k->refused, _("no free WAL sender"));
	} else {
		run_finding(k->r, LEVEL_OK, _("WAL senders"), _("%ld free"), senders);
	}
}

/* Superuser, or REPLICATION (the slot) and CREATE on the database (the
 * publication; its tables must then be the user's own: check_tables). */
static bool check_privileges(struct check *k)
{
	PGresult *res = row(k,
			    "SELECT rolsuper, rolreplication, has_database_privilege("
			    "current_database(), 'CREATE'), current_user FROM pg_roles WHERE "
			    "rolname = current_user",
			    NULL, "privileges");
	if (!res)
		return false;
	bool super = is_true(res, 0, 0), repl = is_true(res, 0, 1), create = is_true(res, 0, 2);
	char *user = xstrdup(PQgetvalue(res, 0, 3));
	PQclear(res);
	if (super) {
		run_finding(k->r, LEVEL_OK, _("privileges"), _("%s is a superuser"), user);
	} else if (!repl || !create) {
		const char *lacks = !repl && !create ? _("REPLICATION and CREATE on the database")
				    : !repl          ? "REPLICATION"
						     : _("CREATE on the database");
		run_finding(
			k->r, LEVEL_ERROR, _("privileges"),
			_("%s lacks %s: a replication slot needs the REPLICATION attribute "
			  "(ALTER ROLE %s REPLICATION), a publication the CREATE privilege on the "
			  "database and the ownership of its tables"),
			user, lacks, user);
		strbuf_add_item(&k->refused, "privileges");
	} else {
		run_finding(k->r, LEVEL_OK, _("privileges"),
			    _("%s has REPLICATION and CREATE on the database"), user);
	}
	free(user);
	return super;
}

/* Ask to set REPLICA IDENTITY FULL on table Q; true when it was set. */
static bool offer_identity_full(struct check *k, const char *q)
{
	if (!fixing(k) ||
	    !run_confirm(k->r,
			 _("%s has no primary key or replica identity: its UPDATEs and DELETEs "
			   "cannot replicate. Set REPLICA IDENTITY FULL on it? Each update and "
			   "delete then logs the whole old row, and the target finds the row by "
			   "reading the table (slow on a big table without a usable index)"),
			 q))
		return false;
	char *sql = xasprintf("ALTER TABLE %s REPLICA IDENTITY FULL", q);
	char *e = NULL;
	int rc = pg_exec(k->c, sql, &e);
	free(sql);
	if (rc == 0)
		run_finding(k->r, LEVEL_OK, q, _("REPLICA IDENTITY FULL set on the source"));
	else
		run_finding(k->r, LEVEL_ERROR, q, _("REPLICA IDENTITY FULL failed: %s"), e);
	free(e);
	return rc == 0;
}

/* Each table's replica identity, persistence and owner, in one round trip:
 * name, no identity, unlogged, owned by the user, REPLICA IDENTITY FULL. */
static const char tables_q[] =
	"SELECT q.name, c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 "
	"FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)) OR (c.relreplident = 'i' "
	"AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND "
	"i.indisreplident)), c.relpersistence = 'u', pg_has_role(c.relowner, 'USAGE'), "
	"c.relreplident = 'f' FROM unnest($1::text[]) WITH ORDINALITY AS q(name, i) JOIN pg_class "
	"c ON c.oid = q.name::regclass ORDER BY q.i";

/* What stays refused after the checks of every table, named once each. */
struct table_verdict {
	struct strbuf noident, unlogged, notowned;
};

/* Judge one table (a row of tables_q); offers REPLICA IDENTITY FULL. */
static void check_table(struct check *k, const PGresult *res, int i, bool super,
			struct table_verdict *v)
{
	const char *q = PQgetvalue(res, i, 0);
	if (is_true(res, i, 2)) {
		run_finding(k->r, LEVEL_ERROR, q,
			    _("unlogged: logical replication does not carry it (no WAL). Make it "
			      "logged (ALTER TABLE … SET LOGGED) or leave it out ([migrate] "
			      "exclude_tables)"));
		strbuf_add_item(&v->unlogged, q);
	} else if (is_true(res, i, 1)) {
		run_finding(k->r, LEVEL_WARN, q,
			    _("no primary key or replica identity: its UPDATEs and DELETEs cannot "
			      "replicate (the source would refuse them once published)"));
		if (!offer_identity_full(k, q))
			strbuf_add_item(&v->noident, q);
	} else if (is_true(res, i, 4)) {
		run_finding(
			k->r, LEVEL_INFO, q,
			_("REPLICA IDENTITY FULL: replicates; the target finds each updated row "
			  "by its whole contents"));
	}
	if (!super && !is_true(res, i, 3))
		strbuf_add_item(&v->notowned, q);
}

/* Every table to copy: a replica identity, logged, and (without superuser)
 * owned by the user, since a publication lists it. */
static void check_tables(struct check *k, bool super)
{
	struct pg_copy_table *t = NULL;
	size_t n = 0;
	char *e = NULL;
	if (pg_copy_list_tables(k->c, config_get(k->r->cfg, CFG_MIGRATE_EXCLUDE_TABLES), &t, &n,
				&e) != 0) {
		run_finding(k->r, LEVEL_ERROR, _("tables"), _("cannot be listed: %s"), e);
		strbuf_add_item(&k->refused, "tables");
		free(e);
		return;
	}
	char **q = xcalloc(n ? n : 1, sizeof *q);
	for (size_t i = 0; i < n; i++)
		q[i] = t[i].qname;
	char *names = pg_text_array(q, n);
	free(q);
	pg_copy_tables_free(t, n);
	PGresult *res = row(k, tables_q, names, "tables");
	free(names);
	struct table_verdict v = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
	for (int i = 0; res && i < PQntuples(res); i++)
		check_table(k, res, i, super, &v);
	PQclear(res);
	if (v.noident.len) {
		run_finding(
			k->r, LEVEL_ERROR, _("replica identity"),
			_("tables without one: %s. Give each a primary key, or REPLICA IDENTITY "
			  "FULL (confirm it, or --yes), or leave it out ([migrate] "
			  "exclude_tables)"),
			v.noident.buf);
		strbuf_add_item(&k->refused, _("tables without a replica identity"));
	}
	if (v.unlogged.len)
		strbuf_add_item(&k->refused, _("unlogged tables"));
	if (v.notowned.len) {
		run_finding(k->r, LEVEL_ERROR, _("publication"),
			    _("only a superuser or the owner may publish %s"), v.notowned.buf);
		strbuf_add_item(&k->refused, _("tables the user does not own"));
	}
	strbuf_free(&v.noident);
	strbuf_free(&v.unlogged);
	strbuf_free(&v.notowned);
}

/* Large objects: logical replication does not carry them; left out only by
 * the user's choice (remembered for the run). */
static void check_large_objects(struct check *k)
{
	PGresult *res =
		row(k, "SELECT count(*) FROM pg_largeobject_metadata", NULL, _("large objects"));
	if (!res)
		return;
	long long n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (n == 0)
		return;
	struct run *r = k->r;
	pthread_mutex_lock(&r->lock);
	bool left_out = r->res.lo_left_out;
	pthread_mutex_unlock(&r->lock);
	run_finding(r, LEVEL_WARN, _("large objects"),
		    P_("%lld large object: logical replication does not carry it, so changes "
		       "made after the copy would be lost",
		       "%lld large objects: logical replication does not carry them, so changes "
		       "made after the copy would be lost",
		       n),
		    n);
	if (!left_out && fixing(k) &&
	    run_confirm(r,
			P_("Leave the %lld large object out of the live migration (not copied)?",
			   "Leave the %lld large objects out of the live migration (not copied)?",
			   n),
			n)) {
		pthread_mutex_lock(&r->lock);
		r->res.lo_left_out = left_out = true;
		pthread_mutex_unlock(&r->lock);
		run_finding(r, LEVEL_WARN, _("large objects"),
			    _("left out by your choice: not copied"));
	}
	if (!left_out) {
		run_finding(
			r, LEVEL_ERROR, _("large objects"),
			_("live mode needs them left out: confirm it (or --yes), or use [migrate] "
			  "mode = offline"));
		strbuf_add_item(&k->refused, _("large objects"));
	}
}

/* Slots and publications of ours an earlier run left, with the WAL each slot
 * holds back (a forgotten slot fills the source's disk). This run's own is
 * reused (the data step starts it anew) or in use; another run's idle one may
 * be dropped. */
static void check_leftovers(struct check *k)
{
	PGresult *res =
		row(k,
		    "SELECT slot_name, active, coalesce(pg_wal_lsn_diff(CASE WHEN "
		    "pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() "
		    "END, restart_lsn), 0)::bigint FROM pg_replication_slots WHERE "
		    "slot_name LIKE " REPLICA_LIKE " ORDER BY 1",
		    NULL, _("leftover slots"));
	if (!res)
		return;
	const char *mine = replica_known_name(k->r);
	bool copied = replica_copy_get(k->r) == RC_DONE;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		bool active = is_true(res, i, 1);
		char held[32];
		fmt_bytes(held, sizeof held, strtod(PQgetvalue(res, i, 2), NULL));
		if (strcmp(name, mine) == 0) {
			run_finding_code(
				k->r, LEVEL_WARN, FIND_SLOT_HOLDS_WAL, name,
				_("our slot holds %s of WAL on the source%s"), held,
				copied ? _(": in use by this migration until the cutover (or "
					   "cleanup)")
				       : _(": left by an interrupted copy; the data step drops "
					   "it and starts anew"));
			continue;
		}
		run_finding_code(
			k->r, LEVEL_WARN, FIND_SLOT_HOLDS_WAL, name,
			_("a slot of another rds-migrate run holds %s of WAL on the source%s"),
			held, active ? _(" (streaming now)") : "");
		if (active || !fixing(k) ||
		    !run_confirm(k->r, _("Drop the slot %s (another run's, idle, holding %s)?"),
				 name, held))
			continue;
		PGresult *d =
			pg_query_params(k->c, "SELECT pg_drop_replication_slot($1)", 1, &name);
		if (PQresultStatus(d) == PGRES_TUPLES_OK)
			run_finding(k->r, LEVEL_OK, name, _("dropped"));
		PQclear(d);
	}
	PQclear(res);
	res = row(k,
		  "SELECT pubname FROM pg_publication WHERE pubname LIKE " REPLICA_LIKE
		  " AND pubname <> $1",
		  mine, _("leftover publications"));
	for (int i = 0; res && i < PQntuples(res); i++)
		run_finding(k->r, LEVEL_INFO, PQgetvalue(res, i, 0),
			    _("a publication of another rds-migrate run (holds no WAL; DROP "
			      "PUBLICATION removes it)"));
	PQclear(res);
}

int replica_check_source(struct run *r, const char *src_ci, enum replica_check_mode mode,
			 char **cause)
{
	PGconn *c = pg_connect(src_ci, PG_SOURCE, 30, &r->cancel, NULL, cause);
	if (!c)
		return -1;
	struct check k = {.r = r, .c = c, .mode = mode, .refused = STRBUF_INIT};
	run_status(r, _("checking what logical replication needs of the source"));
	if (PQserverVersion(c) < 100000) {
		run_finding(r, LEVEL_ERROR, _("version"),
			    _("PostgreSQL %d.%d has no logical replication (10 or newer): use "
			      "[migrate] mode = offline"),
			    PQserverVersion(c) / 10000, PQserverVersion(c) / 100 % 100);
		strbuf_add_item(&k.refused, _("the version"));
	} else {
		check_wal_level(&k);
		check_capacity(&k);
		bool super = check_privileges(&k);
		check_tables(&k, super);
		check_large_objects(&k);
		check_leftovers(&k);
	}
	PQfinish(c);
	int rc = 0;
	if (k.refused.len && mode == REPLICA_CHECK_FIX && !r->inspect)
		rc = fail(cause, _("live mode cannot start: %s (named above); nothing was created"),
			  k.refused.buf);
	strbuf_free(&k.refused);
	return rc;
}

int replica_check_leftovers(struct run *r, const char *src_ci, char **cause)
{
	PGconn *c = pg_connect(src_ci, PG_SOURCE, 30, &r->cancel, NULL, cause);
	if (!c)
		return -1;
	struct check k = {.r = r, .c = c, .mode = REPLICA_CHECK_REPORT, .refused = STRBUF_INIT};
	if (PQserverVersion(c) >= 100000) /* ours need logical replication: 10+ */
		check_leftovers(&k);
	PQfinish(c);
	strbuf_free(&k.refused);
	return 0;
}

int replica_check_target(struct run *r, PGconn *d, char **cause)
{
	PGresult *res = pg_query(
		d, "SELECT rolsuper, coalesce((SELECT pg_has_role(current_user, oid, 'member') "
		   "FROM pg_roles WHERE rolname = 'rds_superuser'), false), coalesce((SELECT "
		   "pg_has_role(current_user, oid, 'member') FROM pg_roles WHERE rolname = "
		   "'pg_create_subscription'), false), has_database_privilege(current_database(), "
		   "'CREATE'), current_user FROM pg_roles WHERE rolname = current_user");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		char *e = pg_result_error(res, d);
		fail(cause, _("cannot read the target user's privileges: %s"), e);
		free(e);
		PQclear(res);
		return -1;
	}
	bool super = is_true(res, 0, 0), rds = is_true(res, 0, 1), pcs = is_true(res, 0, 2),
	     create = is_true(res, 0, 3);
	char *user = xstrdup(PQgetvalue(res, 0, 4));
	PQclear(res);
	int v = PQserverVersion(d), rc = 0;
	if (super || rds || (v >= 160000 && pcs && create)) {
		run_finding(r, LEVEL_OK, _("subscription"), _("%s may create a subscription (%s)"),
			    user,
			    super ? "superuser"
			    : rds ? "rds_superuser"
				  : "pg_create_subscription");
	} else if (v >= 160000) {
		rc = fail(cause,
			  _("%s cannot create a subscription (live mode): it needs %s (GRANT "
			    "pg_create_subscription TO %s; on RDS the master user has "
			    "rds_superuser)"),
			  user,
			  !pcs && !create ? _("membership in pg_create_subscription and CREATE on "
					      "the database")
			  : !pcs          ? _("membership in pg_create_subscription")
					  : _("CREATE on the database"),
			  user);
	} else {
		rc = fail(
			cause,
			_("%s cannot create a subscription (live mode): PostgreSQL %d lets only a "
			  "superuser do it (on RDS: the master user, a member of rds_superuser); "
			  "connect as one ([target] url) or ALTER ROLE %s SUPERUSER"),
			user, v / 10000, user);
	}
	free(user);
	return rc;
}

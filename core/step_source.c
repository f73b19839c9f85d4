/* The source step: connect to the source, inventory what it holds, name what
 * cannot be copied. Read-only. */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "pg_conn.h"
#include "pg_inventory.h"
#include "pg_schema.h"
#include "replica_check.h"
#include "run.h"
#include "util.h"

/* Report the inventory as findings. */
static void report_inventory(struct run *r, const struct pg_inventory *inv)
{
	char sz[32];
	run_finding(r, LEVEL_INFO, "database", "%s: PostgreSQL %s, %s, encoding %s", inv->database,
		    inv->server_version, fmt_bytes(sz, sizeof sz, (double)inv->db_bytes),
		    inv->encoding);
	size_t nopk = 0;
	for (size_t i = 0; i < inv->ntables; i++) {
		const struct pg_inv_table *t = &inv->tables[i];
		char item[128];
		snprintf(item, sizeof item, "%s.%s", t->schema, t->name);
		const char *kind = t->kind == 'p'   ? "partitioned table"
				   : t->kind == 'f' ? "foreign table"
				   : t->kind == 'm' ? "materialized view"
						    : "table";
		bool warn = t->kind == 'r' && !t->has_pk && !t->partition;
		nopk += warn;
		if (t->est_rows < 0)
			run_finding(r, warn ? LEVEL_WARN : LEVEL_INFO, item,
				    "%s, rows not counted yet, %s%s%s", kind,
				    fmt_bytes(sz, sizeof sz, (double)t->bytes),
				    warn ? ", no primary key" : "",
				    t->unlogged ? ", unlogged" : "");
		else
			run_finding(r, warn ? LEVEL_WARN : LEVEL_INFO, item,
				    "%s, about %lld rows, %s%s%s", kind, (long long)t->est_rows,
				    fmt_bytes(sz, sizeof sz, (double)t->bytes),
				    warn ? ", no primary key" : "",
				    t->unlogged ? ", unlogged" : "");
	}
	if (nopk)
		run_finding(r, LEVEL_WARN, "primary keys",
			    "%zu table%s without a primary key: copied, but verify cannot tell "
			    "duplicate rows apart and logical replication would need one",
			    nopk, nopk == 1 ? "" : "s");
	for (size_t i = 0; i < inv->nexts; i++) {
		char item[128];
		snprintf(item, sizeof item, "extension %s", inv->exts[i].name);
		run_finding(r, inv->exts[i].on_rds ? LEVEL_OK : LEVEL_ERROR, item, "version %s, %s",
			    inv->exts[i].version,
			    inv->exts[i].on_rds ? "offered by RDS" : "not offered by RDS");
	}
	run_finding(r, LEVEL_INFO, "objects",
		    "%lld sequences, %lld views, %lld materialized views, %lld functions, %lld "
		    "triggers, %lld large objects",
		    (long long)inv->sequences, (long long)inv->views, (long long)inv->matviews,
		    (long long)inv->functions, (long long)inv->triggers,
		    (long long)inv->large_objects);
	for (size_t i = 0; i < inv->nissues; i++)
		run_finding(r, LEVEL_WARN, inv->issues[i].object, "cannot be copied: %s",
			    inv->issues[i].reason);
}

static int source_run(struct run *r, char **cause)
{
	char *ci = run_source_conninfo(r, cause);
	if (!ci)
		return -1;
	run_status(r, "connecting to the source");
	struct pg_probe p;
	int rc = pg_probe_run(ci, PG_SOURCE, 10, &r->cancel, &p);
	pg_probe_report(r, &p);
	if (rc != 0) {
		*cause = pg_diag_text(&p.diag);
		pg_probe_free(&p);
		free_secret(ci);
		return -1;
	}
	pthread_mutex_lock(&r->lock);
	free(r->res.source_version);
	r->res.source_version = xstrdup(p.server_version);
	pthread_mutex_unlock(&r->lock);
	pg_probe_free(&p);

	run_status(r, "reading the inventory");
	PGconn *c = pg_connect(ci, PG_SOURCE, 10, &r->cancel, NULL, cause);
	if (!c) {
		free_secret(ci);
		return -1;
	}
	struct pg_inventory inv;
	rc = pg_inventory_load(c, &inv, cause);
	if (rc != 0) {
		PQfinish(c);
		pg_inventory_free(&inv);
		free_secret(ci);
		return -1;
	}
	report_inventory(r, &inv);
	/* what the schema copy would leave out, named before anything is written */
	size_t nschema = 0;
	char *schema_list = NULL;
	rc = pg_schema_uncopyable(c, r, &nschema, &schema_list, cause);
	PQfinish(c);
	if (rc != 0) {
		free(schema_list);
		pg_inventory_free(&inv);
		free_secret(ci);
		return -1;
	}
	size_t nbad = inv.nissues + nschema;
	if (nbad && !r->inspect) {
		char list[512] = "";
		for (size_t i = 0; i < inv.nissues; i++) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
				 inv.issues[i].object);
		}
		if (nschema) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof list - len, "%s%s%s", len ? ", " : "",
				 schema_list, nschema > 5 ? ", …" : "");
		}
		if (!run_confirm(r, "%zu object%s cannot be copied (%s). Continue without %s?",
				 nbad, nbad == 1 ? "" : "s", list, nbad == 1 ? "it" : "them"))
			rc = fail(cause,
				  "%zu object%s cannot be copied (%s): confirm to go on without %s "
				  "(--yes), or change the source first",
				  nbad, nbad == 1 ? "" : "s", list, nbad == 1 ? "it" : "them");
	}
	free(schema_list);
	/* live mode: what logical replication needs, before anything is created;
	 * either mode: a slot of ours still holding WAL */
	if (rc == 0 && run_live(r) &&
	    replica_check_source(r, ci, r->inspect ? REPLICA_CHECK_REPORT : REPLICA_CHECK_FIX,
				 cause) != 0)
		rc = -1;
	else if (rc == 0 && !run_live(r) && replica_check_leftovers(r, ci, cause) != 0)
		rc = -1;
	if (rc == 0) {
		char sz[32];
		int64_t rows = 0;
		for (size_t i = 0; i < inv.ntables; i++)
			rows += inv.tables[i].est_rows > 0 ? inv.tables[i].est_rows : 0;
		*cause = xasprintf(
			"PostgreSQL %s, %s, %zu tables, about %lld rows%s", inv.server_version,
			fmt_bytes(sz, sizeof sz, (double)inv.db_bytes), inv.ntables,
			(long long)rows, nbad ? "; some objects will not be copied" : "");
	}
	pg_inventory_free(&inv);
	free_secret(ci);
	return rc;
}

const struct step step_source = {
	.name = "source",
	.title = "Source database",
	.what = "read the Railway database: version, size, tables, extensions",
	.run = source_run,
};

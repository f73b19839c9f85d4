/* The data step: stream every table with COPY from one snapshot, then the
 * schema's post-data (keys, indexes, foreign keys, triggers, sequences), then
 * ANALYZE every table so the first queries get real plans. */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "i18n.h"
#include "pg_analyze.h"
#include "pg_conn.h"
#include "pg_copy.h"
#include "pg_schema.h"
#include "replica.h"
#include "step_cutover.h"
#include "replica_check.h"
#include "run.h"
#include "util.h"

/* With [migrate] data = skip the schema's post-data still has to be applied. */
static int post_data_only(struct run *r, const char *sci, const char *dci, char **cause)
{
	PGconn *s = pg_connect(sci, PG_SOURCE, 30, &r->cancel, NULL, cause);
	if (!s)
		return -1;
	PGconn *d = pg_connect(dci, PG_TARGET, 30, &r->cancel, NULL, cause);
	int rc = d ? pg_schema_post(s, d, r, cause) : -1;
	if (d)
		PQfinish(d);
	PQfinish(s);
	return rc;
}

/* Whether our slot from a finished live copy is still on the source. */
static bool slot_kept(struct run *r, const char *sci)
{
	PGconn *s = pg_connect(sci, PG_SOURCE, 30, &r->cancel, NULL, NULL);
	if (!s)
		return true; /* cannot tell: the replicate step will */
	const char *slot = replica_slot(r);
	PGresult *res = pg_query_params(
		s, "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", 1, &slot);
	bool kept = PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) > 0;
	PQclear(res);
	PQfinish(s);
	return kept;
}

/* Every table our state holds as copied is copied again: a live copy reads
 * one slot's snapshot, and tables copied from another are not in it. They
 * are ours to empty without asking, unless a cutover rolled back: then the
 * application may have written to them, and emptying them is asked (or
 * --force), as for any table holding rows. */
static void recopy_all(struct run *r)
{
	const char *phase;
	cutover_begun(r, &phase);
	bool ask = strcmp(phase, "rolled-back") == 0;
	char *key;
	int n = 0;
	while (r->state && ((key = state_table_find(r->state, TS_COPIED)) ||
			    (key = state_table_find(r->state, TS_VERIFIED)))) {
		state_table_set(r->state, key, ask ? TS_NONE : TS_LOADING, NULL);
		free(key);
		n++;
	}
	if (n)
		run_finding(
			r, LEVEL_INFO, _("tables"),
			ask ? P_("%d table copied before from another snapshot: after a cutover "
				 "that rolled back, emptied only if you agree, and copied again "
				 "from the slot's",
				 "%d tables copied before from another snapshot: after a cutover "
				 "that rolled back, emptied only if you agree, and copied again "
				 "from the slot's",
				 n)
			    : P_("%d table copied before from another snapshot: emptied and "
				 "copied again from the slot's",
				 "%d tables copied before from another snapshot: emptied and "
				 "copied again from the slot's",
				 n),
			n);
}

/* Live mode's start: our publication for the tables to copy and a new slot
 * whose exported snapshot the copy reads (*ST holds it open). An earlier
 * start that did not finish is dropped first: its snapshot died with its
 * connection, and two snapshots must never be mixed. */
static int live_start(struct run *r, const char *sci, struct pg_copy_opts *o,
		      struct replica_start *st, char **cause)
{
	if (replica_copy_get(r) == RC_DONE)
		run_finding(
			r, LEVEL_WARN, _("copy"),
			_("our slot is gone from the source, and with it the changes since the "
			  "copy: every table is copied again from a new slot (the target tables "
			  "are emptied first)"));
	else if (replica_copy_get(r) == RC_RUNNING)
		run_finding(r, LEVEL_WARN, _("copy"),
			    _("an earlier live copy was interrupted: its snapshot died with its "
			      "connection, so its slot is dropped and every table is copied again "
			      "from a new slot (the target tables are emptied first)"));
	if (replica_check_source(r, sci, REPLICA_CHECK_FIX, cause) != 0)
		return -1;
	pthread_mutex_lock(&r->lock);
	o->no_large_objects = r->res.lo_left_out;
	pthread_mutex_unlock(&r->lock);
	if (o->no_large_objects)
		run_incomplete(r, 1);
	char *e = NULL;
	if (replica_drop(r, &e) != 0) {
		fail(cause, _("cannot drop what the earlier start left: %s"), e);
		free(e);
		return -1;
	}
	free(e);
	recopy_all(r);
	PGconn *s = pg_connect(sci, PG_SOURCE, 30, &r->cancel, NULL, cause);
	if (!s)
		return -1;
	struct pg_copy_table *t = NULL;
	size_t n = 0;
	int rc = pg_copy_list_tables(s, o->exclude, &t, &n, cause);
	PQfinish(s);
	if (rc != 0)
		return -1;
	char **names = xcalloc(n + 1, sizeof *names);
	for (size_t i = 0; i < n; i++)
		names[i] = t[i].qname;
	rc = replica_start(r, sci, names, n, st, cause);
	free(names);
	pg_copy_tables_free(t, n);
	o->snapshot = st->snapshot;
	return rc;
}

/* A dry run: the ANALYZE a real run ends the copy with. */
static void would_analyze(struct run *r)
{
	run_would(r, CHANGE_SQL,
		  _("ANALYZE of each table copied as soon as its rows and indexes are in, then of "
		    "the partitioned tables and materialized views, %ld at a time"),
		  config_int(r->cfg, CFG_MIGRATE_JOBS));
}

static int data_run(struct run *r, char **cause)
{
	const char *schema = config_get(r->cfg, CFG_MIGRATE_SCHEMA);
	bool schema_copy = strcmp(schema, "copy") == 0;
	char *sci = run_source_conninfo(r, cause);
	if (!sci)
		return -1;
	if (r->dry_run && run_live(r))
		replica_would_start(r);
	if (run_dry_without_target(r, cause)) {
		char *why = NULL;
		int rc = pg_copy_dry_run(r, sci, &why);
		free_secret(sci);
		if (rc < 0) {
			free(*cause);
			*cause = why;
			return -1;
		}
		would_analyze(r);
		return 1;
	}
	char *dci = run_target_conninfo(r, cause);
	if (!dci) {
		free_secret(sci);
		return -1;
	}
	int rc;
	if (strcmp(config_get(r->cfg, CFG_MIGRATE_DATA), "skip") == 0) {
		rc = 1;
		if (schema_copy && !r->inspect && post_data_only(r, sci, dci, cause) != 0)
			rc = -1;
		else
			*cause =
				xstrdup(schema_copy && !r->inspect
						? _("[migrate] data = skip: only keys, indexes and "
						    "constraints applied")
						: "[migrate] data = skip");
		free_secret(sci);
		free_secret(dci);
		return rc;
	}
	struct pg_copy_opts o = {
		.jobs = (int)config_int(r->cfg, CFG_MIGRATE_JOBS),
		.exclude = config_get(r->cfg, CFG_MIGRATE_EXCLUDE_TABLES),
		.force = r->force,
		.post_data = schema_copy,
		.allow_binary = !r->knobs->copy_text,
		.split_bytes = r->knobs->copy_split_bytes,
		.stall_seconds = r->knobs->stall_seconds,
	};
	struct pg_copy_result res;
	struct replica_start live = {0};
	bool is_live = run_live(r) && !r->inspect;
	const char *phase;
	if (is_live && cutover_begun(r, &phase)) {
		free_secret(sci);
		free_secret(dci);
		if (strcmp(phase, "done") == 0) {
			*cause = xstrdup(
				_("the cutover switched the application to the target: "
				  "nothing to copy (copying again would erase what it wrote)"));
			return 1;
		}
		return fail(
			cause,
			_("a cutover is under way (phase %s): run cutover to finish it; copying "
			  "again would erase what the application may have written to the target"),
			phase);
	}
	if (is_live && replica_copy_get(r) == RC_DONE && slot_kept(r, sci)) {
		*cause = xasprintf(
			_("live copy done from the slot %s's snapshot (at %s); the changes "
			  "since wait in the slot: run replicate"),
			replica_slot(r), replica_start_lsn(r) ? replica_start_lsn(r) : "?");
		free_secret(sci);
		free_secret(dci);
		return 1;
	}
	rc = is_live ? live_start(r, sci, &o, &live, cause) : 0;
	if (rc == 0)
		rc = pg_copy_run(r, sci, dci, &o, &res, cause);
	/* the slot's snapshot was needed until every job had imported it */
	replica_start_free(&live);
	if (is_live && rc == 0)
		rc = replica_copy_done(r, cause);
	else if (is_live) /* a slot must not be left holding WAL for a copy that failed */
		replica_drop(r, NULL);
	free_secret(sci);
	/* the copy analyzed each table it loaded once its rows, indexes and keys
	 * were in; the rest (partitioned tables, materialized views, tables an
	 * earlier run copied) now */
	int analyzed = 0;
	if (rc == 0 && !r->inspect) {
		free(*cause);
		*cause = NULL;
		rc = pg_analyze_run(r, dci, o.jobs, res.analyzed, res.nanalyzed, &analyzed, cause);
		analyzed += (int)res.nanalyzed;
	}
	pg_copy_result_free(&res);
	free_secret(dci);
	if (rc == 0 && r->dry_run)
		would_analyze(r);
	if (rc != 0 || r->inspect)
		return rc;
	double secs = res.seconds > 0 ? res.seconds : 1e-9;
	char size[32];
	free(*cause);
	*cause = xasprintf(_("%zu tables copied (%zu skipped), %lld rows, %s in %.2f s "
			     "(%.0f rows/s, %s COPY); %d analyzed"),
			   res.copied, res.skipped, (long long)res.rows,
			   fmt_bytes(size, sizeof size, (double)res.bytes), res.seconds,
			   (double)res.rows / secs, res.binary ? "binary" : "text", analyzed);
	return 0;
}

const struct step step_data = {
	.name = "data",
	.title = N_("Data"),
	.what = N_("copy every table with COPY from one snapshot"),
	.run = data_run,
};

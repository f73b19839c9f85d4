/* The data step: stream every table with COPY from one snapshot, then the
 * schema's post-data (keys, indexes, foreign keys, triggers, sequences), then
 * ANALYZE every table so the first queries get real plans. */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "pg_analyze.h"
#include "pg_conn.h"
#include "pg_copy.h"
#include "pg_schema.h"
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

static int data_run(struct run *r, char **cause)
{
	const char *schema = config_get(r->cfg, CFG_MIGRATE_SCHEMA);
	bool schema_copy = strcmp(schema, "copy") == 0;
	char *sci = run_source_conninfo(r, cause);
	if (!sci)
		return -1;
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
			*cause = xstrdup(schema_copy && !r->inspect
						 ? "[migrate] data = skip: only keys, indexes and "
						   "constraints applied"
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
	rc = pg_copy_run(r, sci, dci, &o, &res, cause);
	free_secret(sci);
	int analyzed = 0;
	if (rc == 0 && !r->inspect) {
		free(*cause);
		*cause = NULL;
		rc = pg_analyze_run(r, dci, o.jobs, &analyzed, cause);
	}
	free_secret(dci);
	if (rc != 0 || r->inspect)
		return rc;
	double secs = res.seconds > 0 ? res.seconds : 1e-9;
	char size[32];
	free(*cause);
	*cause = xasprintf("%zu tables copied (%zu skipped), %lld rows, %s in %.2f s "
			   "(%.0f rows/s, %s COPY); %d analyzed",
			   res.copied, res.skipped, (long long)res.rows,
			   fmt_bytes(size, sizeof size, (double)res.bytes), res.seconds,
			   (double)res.rows / secs, res.binary ? "binary" : "text", analyzed);
	return 0;
}

const struct step step_data = {
	.name = "data",
	.title = "Data",
	.what = "copy every table with COPY from one snapshot",
	.run = data_run,
};

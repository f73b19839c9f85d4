/* The verify step: row counts and checksums computed on both servers, and
 * every sequence's position. A difference fails the step naming the tables. */
#include <stdlib.h>
#include <string.h>

#include "pg_verify.h"
#include "run.h"
#include "util.h"

static int verify_run(struct run *r, char **cause)
{
	if (run_live(r)) {
		*cause = xstrdup("live mode: the cutover compares while writes are stopped");
		return 1;
	}
	if (strcmp(config_get(r->cfg, CFG_MIGRATE_DATA), "skip") == 0) {
		*cause = xstrdup("[migrate] data = skip: nothing to compare");
		return 1;
	}
	if (r->inspect) {
		*cause = xstrdup("verify reads every row on both servers: run it to compare");
		return 1;
	}
	char *sci = run_source_conninfo(r, cause);
	if (!sci)
		return -1;
	char *dci = run_target_conninfo(r, cause);
	if (!dci) {
		free_secret(sci);
		return -1;
	}
	struct pg_verify_report rep = {0};
	int rc = pg_verify_run(r, sci, dci, config_get(r->cfg, CFG_MIGRATE_EXCLUDE_TABLES),
			       PG_VERIFY_FULL, &rep, cause);
	free_secret(sci);
	free_secret(dci);
	/* the env step refuses to point the application at a target that differs */
	if (r->state && (rc == 0 || rep.mismatches))
		state_set(r->state, "verify.result", rc == 0 ? "match" : "differs", NULL);
	pg_verify_report_free(&rep);
	return rc;
}

const struct step step_verify = {
	.name = "verify",
	.title = "Verify",
	.what = "compare row counts, checksums and sequences",
	.run = verify_run,
};

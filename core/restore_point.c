/* Manual DB snapshots as restore points: CreateDBSnapshot, then
 * DescribeDBSnapshots until it is available. */
#include "restore_point.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_api.h"
#include "aws_config.h"
#include "fmt.h"
#include "run.h"
#include "step_aws.h"
#include "util.h"

/* "rds-migrate-ID-YYYYMMDD-HHMMSS" (UTC): a valid snapshot identifier for
 * a valid instance identifier. */
static char *snapshot_name(const char *id)
{
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
	return xasprintf("rds-migrate-%s-%s", id, when);
}

/* Poll SNAP until it is available, showing its status and progress. */
static int wait_snapshot(struct run *r, struct aws_ctx *a, const char *snap, struct rds_snapshot *s,
			 char **cause)
{
	long bound = r->knobs->wait_minutes * 60;
	long every = r->knobs->poll_seconds;
	double start = now_monotonic();
	for (;;) {
		char el[32];
		fmt_duration(el, sizeof el, now_monotonic() - start);
		if (strcmp(s->status, "available") == 0)
			return 0;
		if (strcmp(s->status, "failed") == 0 || strcmp(s->status, "deleted") == 0)
			return fail(cause, "the snapshot %s is %s: see the RDS console's events",
				    snap, s->status);
		if (now_monotonic() - start > (double)bound)
			return fail(cause,
				    "the snapshot %s is still %s after %ld min: run again later "
				    "(RDSM_WAIT_MINUTES raises the bound)",
				    snap, s->status, bound / 60);
		run_status(r, "snapshot %s is %s, %d%% — %s elapsed, polling every %lds", snap,
			   s->status, s->percent, el, every);
		if (sleep_cancellable((double)every, &r->cancel) < 0)
			return fail(cause, "interrupted while waiting for the snapshot %s", snap);
		int rc = rds_describe_snapshot(a, snap, s, cause);
		if (rc == 1)
			return fail(cause, "the snapshot %s has disappeared (deleted?)", snap);
		if (rc < 0)
			return -1;
	}
}

int restore_point_take_with(struct run *r, struct aws_ctx *a, const char *id, const char *why,
			    char **snap_out, char **cause)
{
	char *snap = snapshot_name(id);
	struct aws_params p = {0};
	aws_params_add(&p, "Tags.Tag.1.Key", "created-by");
	aws_params_add(&p, "Tags.Tag.1.Value", "rds-migrate");
	aws_params_add(&p, "Tags.Tag.2.Key", "rds-migrate:reason");
	aws_params_add(&p, "Tags.Tag.2.Value", why);
	run_status(r, "taking a restore point of %s: snapshot %s", id, snap);
	struct rds_snapshot s;
	int rc = rds_create_snapshot(a, id, snap, &p, &s, cause);
	aws_params_free(&p);
	double start = now_monotonic();
	if (rc == 0)
		rc = wait_snapshot(r, a, snap, &s, cause);
	if (rc == 0) {
		char el[32];
		run_finding(r, LEVEL_OK, "restore point",
			    "snapshot %s of %s is available (%s, took %s); restore it with aws rds "
			    "restore-db-instance-from-db-snapshot",
			    snap, id, why, fmt_duration(el, sizeof el, now_monotonic() - start));
	}
	if (rc == 0 && snap_out)
		*snap_out = snap;
	else
		free(snap);
	return rc;
}

int restore_point_take(struct run *r, const char *why, char **cause)
{
	if (*config_get(r->cfg, CFG_TARGET_URL) || !config_bool(r->cfg, CFG_INSTANCE_SNAPSHOT)) {
		run_finding(r, LEVEL_INFO, "restore point", "none taken: %s",
			    *config_get(r->cfg, CFG_TARGET_URL)
				    ? "[target] url is set, no RDS instance"
				    : "[instance] snapshot = false");
		return 0;
	}
	struct aws_ctx a;
	int rc = step_aws_open(r, &a, cause);
	if (rc == 0)
		rc = restore_point_take_with(r, &a, config_get(r->cfg, CFG_INSTANCE_IDENTIFIER),
					     why, NULL, cause);
	aws_ctx_free(&a);
	return rc;
}

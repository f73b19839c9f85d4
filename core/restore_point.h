/* A restore point: a manual DB snapshot of the RDS instance, taken before
 * rds-migrate first writes to an instance it adopted and before a live
 * cutover ([instance] snapshot = true), tagged as ours, named with the time,
 * and waited for with its status shown. */
#ifndef RDSM_RESTORE_POINT_H
#define RDSM_RESTORE_POINT_H

#include "aws_http.h"

struct run;

/* Take a snapshot of the configured instance now and wait until it is
 * available; WHY is one word for the tag rds-migrate:reason and the findings
 * ("adopted", "cutover"). 0 when taken, or when none is wanted ([instance]
 * snapshot = false, or [target] url set: no RDS instance), said as a
 * finding; -1 with a cause. For the cutover step. */
int restore_point_take(struct run *r, const char *why, char **cause);
/* The same with an open AWS context A, for instance ID; *SNAP (may be
 * NULL) gets the snapshot's name (heap). */
int restore_point_take_with(struct run *r, struct aws_ctx *a, const char *id, const char *why,
			    char **snap, char **cause);

#endif

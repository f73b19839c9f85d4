/* Planner statistics on the target: ANALYZE every table after the data (and
 * after a live cutover), several tables at a time, so the application's first
 * queries get real plans instead of waiting for autovacuum. */
#ifndef RDSM_PG_ANALYZE_H
#define RDSM_PG_ANALYZE_H

#include <stddef.h>

struct run;

/* ANALYZE every ordinary, partitioned and materialized table of the target
 * DCI (outside the system schemas) but the NDONE named in DONE (quoted
 * names: analyzed already, by the copy), JOBS at a time over JOBS
 * connections, with progress in tables. 0, or -1 with a cause (a table that
 * cannot be analyzed is a warning, not a failure). *N_DONE (may be NULL):
 * tables analyzed. */
int pg_analyze_run(struct run *r, const char *dci, int jobs, char *const *done, size_t ndone,
		   int *n_done, char **cause);

#endif

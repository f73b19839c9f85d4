/* How fast a database answers from this machine: the time to connect, and
 * a primary-key lookup on the largest table repeated a few hundred times
 * (median and 95th percentile), so source and target can be compared. */
#ifndef RDSM_PG_LATENCY_H
#define RDSM_PG_LATENCY_H

#include <libpq-fe.h>
#include <stdatomic.h>

#include "pg_conn.h"

struct pg_latency {
	double connect_ms; /* median of a few connections */
	double p50_ms, p95_ms;
	int runs;
};

/* What to look up: the largest table of C with a one-column primary key
 * (*TABLE, *COLUMN quoted) and one of its keys (*KEY, as text). 0; 1 when
 * there is no such table or it is empty; -1 with a cause. */
int pg_latency_pick(PGconn *c, char **table, char **column, char **key, char **cause);
/* Connect to CI a few times, then look KEY up in TABLE.COLUMN RUNS times. */
int pg_latency_probe(const char *ci, enum pg_role role, atomic_int *cancel, const char *table,
		     const char *column, const char *key, int runs, struct pg_latency *out,
		     char **cause);

#endif

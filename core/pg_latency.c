/* The latency probe: connections and primary-key lookups, timed here. */
#include "pg_latency.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CONNECTS 5

int pg_latency_pick(PGconn *c, char **table, char **column, char **key, char **cause)
{
	*table = *column = *key = NULL;
	PGresult *res =
		pg_rows(c,
			"SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
			"quote_ident(a.attname) "
			"FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace "
			"JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
			"WHERE i.indisprimary AND i.indnatts = 1 "
			"AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
			"ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 1",
			"the tables to probe for latency", cause);
	if (!res)
		return -1;
	int rc = 1;
	if (PQntuples(res) == 1) {
		*table = xstrdup(PQgetvalue(res, 0, 0));
		*column = xstrdup(PQgetvalue(res, 0, 1));
		char *sql = xasprintf("SELECT %s::text FROM %s LIMIT 1", *column, *table);
		*key = pg_value(c, sql, NULL);
		free(sql);
		rc = *key ? 0 : 1;
	}
	PQclear(res);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The Pth percentile (0..100) of the N sorted values V. */
static double percentile(const double *v, int n, int p)
{
	int i = (n * p + 99) / 100 - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* Time RUNS lookups of KEY on C into MS (sorted). */
static int time_lookups(PGconn *c, const char *table, const char *column, const char *key, int runs,
			double *ms, char **cause)
{
	/* marked so compare's own statements are left out of its comparison */
	char *sql = xasprintf("SELECT /* rds-migrate latency probe */ * FROM %s WHERE %s = $1",
			      table, column);
	PGresult *res = PQprepare(c, "rdsm_probe", sql, 1, NULL);
	free(sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
	PQclear(res);
	for (int i = 0; i < runs && rc == 0; i++) {
		double t0 = now_monotonic();
		res = PQexecPrepared(c, "rdsm_probe", 1, &key, NULL, NULL, 0);
		ms[i] = (now_monotonic() - t0) * 1000.0;
		rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;
		PQclear(res);
	}
	if (rc < 0) {
		char buf[256];
		return fail(cause, "the lookup on %s failed: %s", table,
			    pg_errline(c, buf, sizeof buf));
	}
	qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
	return 0;
}

int pg_latency_probe(const char *ci, enum pg_role role, atomic_int *cancel, const char *table,
		     const char *column, const char *key, int runs, struct pg_latency *out,
		     char **cause)
{
	memset(out, 0, sizeof *out);
	double conn[CONNECTS];
	PGconn *c = NULL;
	for (int i = 0; i < CONNECTS; i++) {
		if (c)
			PQfinish(c);
		double t0 = now_monotonic();
		c = pg_connect(ci, role, 10, cancel, NULL, cause);
		if (!c)
			return -1;
		conn[i] = (now_monotonic() - t0) * 1000.0;
	}
	qsort(conn, CONNECTS, sizeof *conn, cmp_double);
	out->connect_ms = conn[CONNECTS / 2];
	double *ms = xcalloc((size_t)runs, sizeof *ms);
	int rc = time_lookups(c, table, column, key, runs, ms, cause);
	if (rc == 0) {
		out->p50_ms = percentile(ms, runs, 50);
		out->p95_ms = percentile(ms, runs, 95);
		out->runs = runs;
	}
	free(ms);
	PQfinish(c);
	return rc;
}

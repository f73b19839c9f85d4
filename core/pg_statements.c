/* pg_stat_statements on both sides, and the generic plans that explain a
 * statement that got slower. */
#include "pg_statements.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_conn.h"
#include "strbuf.h"
#include "util.h"

/* The application's statements only: not our own catalog reads
 * (pg_catalog…), sequence reads and emptiness checks (FROM ONLY, last_value,
 * is_called), utility statements (COPY, ANALYZE…), nor the latency probe
 * (marked rds-migrate). */
#define APP_ONLY                                                                                   \
	"s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "               \
	"AND s.query ~* '^\\s*(select|insert|update|delete|with)\\M' "                             \
	"AND s.query !~* '(pg_catalog|information_schema|pg_stat_statements|pg_class|"             \
	"pg_namespace|pg_attribute|pg_index|pg_constraint|pg_type|rds-migrate|from only |"         \
	"last_value, is_called)' "

void pg_statements_free(struct pg_stmts *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].query);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Where the view is: 0 and *SCHEMA; PGSS_NO_EXTENSION; -1 with a cause. */
static int view_schema(PGconn *c, char **schema, char **cause)
{
	*schema = NULL;
	/* pg_settings hides shared_preload_libraries from those who may not read it */
	PGresult *res =
		pg_rows(c,
			"SELECT quote_ident(n.nspname) "
			"FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
			"WHERE e.extname = 'pg_stat_statements' "
			"UNION ALL SELECT NULL FROM pg_settings WHERE name = "
			"'shared_preload_libraries' AND setting !~ '\\mpg_stat_statements\\M'",
			"whether pg_stat_statements is there", cause);
	int rc = 0;
	if (!res) {
		rc = -1;
	} else if (PQntuples(res) == 0 || PQgetisnull(res, PQntuples(res) - 1, 0)) {
		rc = PQntuples(res) == 0 ? PGSS_NO_EXTENSION : PGSS_NOT_LOADED;
	} else {
		*schema = xstrdup(PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	return rc;
}

static void stmts_fill(PGresult *res, struct pg_stmts *out)
{
	out->n = (size_t)PQntuples(res);
	out->v = xcalloc(out->n ? out->n : 1, sizeof *out->v);
	for (size_t i = 0; i < out->n; i++) {
		struct pg_stmt *s = &out->v[i];
		s->query = xstrdup(PQgetvalue(res, (int)i, 0));
		s->calls = strtoll(PQgetvalue(res, (int)i, 1), NULL, 10);
		s->mean_ms = strtod(PQgetvalue(res, (int)i, 2), NULL);
		s->total_ms = strtod(PQgetvalue(res, (int)i, 3), NULL);
		s->rows = strtoll(PQgetvalue(res, (int)i, 4), NULL, 10);
	}
}

int pg_statements_read(PGconn *c, size_t limit, struct pg_stmts *out, char **cause)
{
	memset(out, 0, sizeof *out);
	char *schema;
	int rc = view_schema(c, &schema, cause);
	if (rc != 0)
		return rc;
	bool v13 = PQserverVersion(c) >= 130000;
	char *sql = xasprintf("SELECT query, calls, %s, %s, rows FROM %s.pg_stat_statements s "
			      "WHERE " APP_ONLY "ORDER BY 4 DESC LIMIT %zu",
			      v13 ? "mean_exec_time" : "mean_time",
			      v13 ? "total_exec_time" : "total_time", schema, limit);
	free(schema);
	PGresult *res = pg_query(c, sql);
	free(sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		stmts_fill(res, out);
	} else {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		/* 55000: "pg_stat_statements must be loaded via shared_preload_libraries" */
		if (state && strcmp(state, "55000") == 0) {
			rc = PGSS_NOT_LOADED;
		} else {
			char *e = pg_result_error(res, c);
			rc = fail(cause, "cannot read pg_stat_statements: %s", e);
			free(e);
		}
	}
	PQclear(res);
	return rc;
}

/* A and B are the same text but for runs of white space. */
static bool same_text(const char *a, const char *b)
{
	for (;;) {
		bool sa = false, sb = false;
		while (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r')
			a++, sa = true;
		while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
			b++, sb = true;
		if (!*a || !*b)
			return !*a && !*b;
		if (sa != sb || *a != *b)
			return false;
		a++;
		b++;
	}
}

const struct pg_stmt *pg_statements_find(const struct pg_stmts *s, const char *q)
{
	for (size_t i = 0; i < s->n; i++)
		if (same_text(s->v[i].query, q))
			return &s->v[i];
	return NULL;
}

/* The highest $N in QUERY (outside quotes). */
static int param_count(const char *q)
{
	int max = 0;
	char quote = 0;
	for (const char *p = q; *p; p++) {
		if (quote) {
			quote = *p == quote ? 0 : quote;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			int n = atoi(p + 1);
			max = n > max ? n : max;
		}
	}
	return max;
}

/* The generic plan of QUERY on C (its $N parameters not filled in), as
 * EXPLAIN's JSON; NULL when it cannot be had (PostgreSQL before 12, a
 * parameter whose type cannot be inferred). Planned only, never run. */
static json_t *generic_plan(PGconn *c, const char *query)
{
	if (PQserverVersion(c) < 120000)
		return NULL;
	int n = param_count(query);
	struct strbuf ex = STRBUF_INIT;
	strbuf_add(&ex, "EXPLAIN (FORMAT JSON) EXECUTE rdsm_compare");
	for (int i = 0; i < n; i++)
		strbuf_add(&ex, i ? ", NULL" : "(NULL");
	strbuf_add(&ex, n ? ")" : "");
	char *prep = xasprintf("PREPARE rdsm_compare AS %s", query);
	json_t *plan = NULL;
	bool prepared = false;
	if (pg_exec(c, "BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_generic_plan", NULL) ==
		    0 &&
	    (prepared = pg_exec(c, prep, NULL) == 0)) {
		PGresult *res = pg_query(c, ex.buf);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			plan = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
		PQclear(res);
	}
	pg_exec(c, "ROLLBACK", NULL);
	/* a prepared statement outlives the transaction, even a failed one */
	if (prepared)
		pg_exec(c, "DEALLOCATE rdsm_compare", NULL);
	free(prep);
	strbuf_free(&ex);
	return plan;
}

/* How a plan reads one relation. */
struct scan {
	char rel[128];
	bool seq;
	char index[128]; /* "" when no index is used */
};

struct scans {
	struct scan v[32];
	int n;
};

static void scans_add(struct scans *s, const char *rel, bool seq, const char *index)
{
	if (!rel || !*rel || s->n >= (int)(sizeof s->v / sizeof s->v[0]))
		return;
	struct scan *x = &s->v[s->n++];
	snprintf(x->rel, sizeof x->rel, "%s", rel);
	x->seq = seq;
	snprintf(x->index, sizeof x->index, "%s", index ? index : "");
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* Walk plan node N: sequential scans and index scans, with the relation a
 * Bitmap Index Scan serves taken from its Bitmap Heap Scan (PARENT_REL). */
static void collect(const json_t *n, const char *parent_rel, struct scans *s)
{
	const char *type = jstr(n, "Node Type"), *rel = jstr(n, "Relation Name");
	if (strcmp(type, "Seq Scan") == 0)
		scans_add(s, rel, true, NULL);
	else if (strcmp(type, "Index Scan") == 0 || strcmp(type, "Index Only Scan") == 0)
		scans_add(s, rel, false, jstr(n, "Index Name"));
	else if (strcmp(type, "Bitmap Index Scan") == 0)
		scans_add(s, parent_rel, false, jstr(n, "Index Name"));
	size_t i;
	json_t *child;
	json_array_foreach(json_object_get(n, "Plans"), i, child)
		collect(child, *rel ? rel : parent_rel, s);
}

static bool plan_scans(PGconn *c, const char *query, struct scans *s)
{
	memset(s, 0, sizeof *s);
	json_t *plan = generic_plan(c, query);
	if (!plan)
		return false;
	collect(json_object_get(json_array_get(plan, 0), "Plan"), "", s);
	json_decref(plan);
	return true;
}

/* Whether an index named INDEX exists on C. */
static bool index_exists(PGconn *c, const char *index)
{
	const char *v[1] = {index};
	PGresult *res =
		PQexecParams(c, "SELECT 1 FROM pg_class WHERE relkind = 'i' AND relname = $1", 1,
			     NULL, v, NULL, NULL, 0);
	bool yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
	PQclear(res);
	return yes;
}

/* Statistics of REL on C never gathered, or gathered before many changes:
 * the words for it, or NULL. Heap. */
static char *stats_problem(PGconn *c, const char *rel)
{
	const char *v[1] = {rel};
	PGresult *res = PQexecParams(
		c,
		"SELECT coalesce(last_analyze, last_autoanalyze) IS NULL, n_mod_since_analyze, "
		"n_live_tup FROM pg_stat_user_tables WHERE relname = $1",
		1, NULL, v, NULL, NULL, 0);
	char *why = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
		long long mod = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		long long live = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
			why = xasprintf(
				"%s has never been analyzed on the target: stale statistics "
				"(run ANALYZE %s)",
				rel, rel);
		else if (mod > 50 && mod * 10 > live)
			why = xasprintf("stale statistics on %s: %lld rows changed since its last "
					"ANALYZE",
					rel, mod);
	}
	PQclear(res);
	return why;
}

/* The source's index on REL, when it reads REL through one. */
static const struct scan *source_index(const struct scans *src, const char *rel)
{
	for (int i = 0; i < src->n; i++)
		if (!src->v[i].seq && src->v[i].index[0] && strcmp(src->v[i].rel, rel) == 0)
			return &src->v[i];
	return NULL;
}

char *pg_statements_cause(PGconn *source, PGconn *target, const char *query)
{
	struct scans src, dst;
	if (!plan_scans(source, query, &src) || !plan_scans(target, query, &dst))
		return NULL;
	for (int i = 0; i < dst.n; i++) {
		const struct scan *ix = dst.v[i].seq ? source_index(&src, dst.v[i].rel) : NULL;
		if (ix && !index_exists(target, ix->index))
			return xasprintf("missing index %s on %s: the source uses it, the target "
					 "reads %s sequentially",
					 ix->index, ix->rel, ix->rel);
		if (ix) {
			char *stale = stats_problem(target, ix->rel);
			char *why = xasprintf("a sequential scan of %s where the source uses index "
					      "%s%s%s",
					      ix->rel, ix->index, stale ? ": " : "",
					      stale ? stale : "");
			free(stale);
			return why;
		}
	}
	for (int i = 0; i < dst.n; i++) {
		char *stale = stats_problem(target, dst.v[i].rel);
		if (stale)
			return stale;
	}
	return NULL;
}

/* Verification: row counts and checksums computed on each server. */
#include "pg_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_conn.h"
#include "pg_copy.h"
#include "pg_schema.h"
#include "run.h"
#include "state.h"
#include "strbuf.h"
#include "util.h"

const char pg_verify_sum_sql[] =
	"SELECT count(*), coalesce(sum(('x' || pg_catalog.substr(pg_catalog.md5(ROW(%s)::text), "
	"1, 16))::bit(64)::bigint), 0) FROM ONLY %s %s";

/* The same two columns without reading the rows' contents. */
static const char count_sql[] = "SELECT count(*), 0 FROM ONLY %s %s";

/* Per table of the source: its name, schema, the hashed column list, and
 * the filter of an extension's configuration table (pg_copy_table.filter). */
static const char list_sql[] =
	"SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname, c.relname, "
	"coalesce((SELECT string_agg(CASE WHEN a.atttypid IN ('float4'::regtype, "
	"'float8'::regtype) THEN 'pg_catalog.float8send(' || quote_ident(a.attname) || "
	"'::float8)' ELSE quote_ident(a.attname) END, ', ' ORDER BY a.attname COLLATE \"C\") "
	"FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT "
	"a.attisdropped), ''), " PG_COPY_FILTER_SQL " "
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE " PG_COPY_TABLE_COND " "
	"ORDER BY pg_relation_size(c.oid) DESC, 1";

/* Send SQL to both servers, then wait for both answers (pg_wait_result:
 * interruptible): each side works at once. */
static void both(PGconn *s, PGconn *d, const char *sql, PGresult **rs, PGresult **rd)
{
	int ss = PQsendQuery(s, sql), sd = PQsendQuery(d, sql);
	*rs = ss ? pg_wait_result(s) : NULL;
	*rd = sd ? pg_wait_result(d) : NULL;
}

static struct pg_verify_item *add_item(struct pg_verify_report *rep)
{
	rep->v = xrealloc(rep->v, (rep->n + 1) * sizeof *rep->v);
	struct pg_verify_item *it = &rep->v[rep->n++];
	memset(it, 0, sizeof *it);
	return it;
}

/* Fill IT from the two results of a two-column query. */
static void compare(struct pg_verify_item *it, PGconn *s, PGconn *d, PGresult *rs, PGresult *rd)
{
	if (PQresultStatus(rs) != PGRES_TUPLES_OK) {
		char *m = pg_result_error(rs, s);
		it->error = xasprintf("source: %s", m);
		free(m);
	} else if (PQresultStatus(rd) != PGRES_TUPLES_OK) {
		char *m = pg_result_error(rd, d);
		it->error = xasprintf("target: %s", m);
		free(m);
	} else if (PQntuples(rs) != 1 || PQntuples(rd) != 1) {
		it->error = xstrdup("no row");
	} else if (it->sequence) {
		it->src_sum = xasprintf("%s/%s", PQgetvalue(rs, 0, 0), PQgetvalue(rs, 0, 1));
		it->dst_sum = xasprintf("%s/%s", PQgetvalue(rd, 0, 0), PQgetvalue(rd, 0, 1));
		it->match = strcmp(it->src_sum, it->dst_sum) == 0;
	} else {
		it->src_rows = strtoll(PQgetvalue(rs, 0, 0), NULL, 10);
		it->dst_rows = strtoll(PQgetvalue(rd, 0, 0), NULL, 10);
		it->src_sum = xstrdup(PQgetvalue(rs, 0, 1));
		it->dst_sum = xstrdup(PQgetvalue(rd, 0, 1));
		it->match = it->src_rows == it->dst_rows && strcmp(it->src_sum, it->dst_sum) == 0;
	}
}

static void report_item(struct run *r, const struct pg_verify_item *it)
{
	if (!r)
		return;
	if (it->error)
		run_finding(r, LEVEL_ERROR, it->qname, "%s", it->error);
	else if (it->sequence && it->match)
		run_finding(r, LEVEL_OK, it->qname, "sequence at %.*s%s",
			    (int)strcspn(it->src_sum, "/"), it->src_sum,
			    strstr(it->src_sum, "/f") ? " (not used yet: that is its next value)"
						      : "");
	else if (it->sequence)
		run_finding(r, LEVEL_ERROR, it->qname, "sequence differs: source %s, target %s",
			    it->src_sum, it->dst_sum);
	else if (it->match && it->counted)
		run_finding(r, LEVEL_OK, it->qname, "%lld rows on each side",
			    (long long)it->src_rows);
	else if (it->match)
		run_finding(r, LEVEL_OK, it->qname, "%lld %s, checksum matches",
			    (long long)it->src_rows, it->large_objects ? "objects" : "rows");
	else if (it->src_rows != it->dst_rows)
		run_finding(r, LEVEL_ERROR, it->qname, "%s count differs: source %lld, target %lld",
			    it->large_objects ? "object" : "row", (long long)it->src_rows,
			    (long long)it->dst_rows);
	else
		run_finding(r, LEVEL_ERROR, it->qname,
			    "checksum differs (%lld rows on each side): the rows are not the same",
			    (long long)it->src_rows);
}

int pg_verify_run(struct run *r, const char *src_ci, const char *dst_ci, const char *exclude,
		  enum pg_verify_depth depth, struct pg_verify_report *rep_out, char **cause)
{
	struct pg_verify_report rep = {0};
	double t0 = now_monotonic();
	int rc = -1;
	PGresult *tabs = NULL, *seqs = NULL;
	struct strbuf bad = STRBUF_INIT;
	atomic_int *cancel = r ? &r->cancel : NULL;
	PGconn *s = pg_connect(src_ci, PG_SOURCE, 30, cancel, NULL, cause);
	PGconn *d = s ? pg_connect(dst_ci, PG_TARGET, 30, cancel, NULL, cause) : NULL;
	if (!s || !d)
		goto out;
	if (pg_exec(s, pg_copy_session_sql, cause) != 0 ||
	    pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", cause) != 0 ||
	    pg_exec(d, pg_copy_session_sql, cause) != 0)
		goto out;
	tabs = pg_query(s, list_sql);
	seqs = pg_query(s, "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) "
			   "FROM pg_sequences ORDER BY 1");
	if (PQresultStatus(tabs) != PGRES_TUPLES_OK || PQresultStatus(seqs) != PGRES_TUPLES_OK) {
		fail(cause, "cannot list the source tables: %s", PQerrorMessage(s));
		goto out;
	}
	for (int i = 0; i < PQntuples(tabs); i++) {
		if (r && run_cancelled(r)) {
			fail(cause, "interrupted");
			goto out;
		}
		if (pg_copy_excluded(exclude, PQgetvalue(tabs, i, 1), PQgetvalue(tabs, i, 2)))
			continue;
		struct pg_verify_item *it = add_item(&rep);
		it->qname = xstrdup(PQgetvalue(tabs, i, 0));
		it->state_key = state_table_key(PQgetvalue(tabs, i, 1), PQgetvalue(tabs, i, 2));
		if (r)
			run_status(r, "checking %s", it->qname);
		it->counted = depth == PG_VERIFY_COUNTS;
		char *sql = it->counted ? xasprintf(count_sql, it->qname, PQgetvalue(tabs, i, 4))
					: xasprintf(pg_verify_sum_sql, PQgetvalue(tabs, i, 3),
						    it->qname, PQgetvalue(tabs, i, 4));
		PGresult *rs, *rd;
		both(s, d, sql, &rs, &rd);
		free(sql);
		compare(it, s, d, rs, rd);
		PQclear(rs);
		PQclear(rd);
		report_item(r, it);
		if (r && r->state && depth == PG_VERIFY_FULL)
			state_table_set(r->state, it->state_key, it->match ? TS_VERIFIED : TS_NONE,
					NULL);
		if (r)
			run_progress_tables(r, NULL, i + 1, PQntuples(tabs));
	}
	for (int i = 0; i < PQntuples(seqs); i++) {
		struct pg_verify_item *it = add_item(&rep);
		it->sequence = true;
		it->qname = xstrdup(PQgetvalue(seqs, i, 0));
		char *sql = xasprintf("SELECT last_value, is_called FROM %s", it->qname);
		PGresult *rs, *rd;
		both(s, d, sql, &rs, &rd);
		free(sql);
		compare(it, s, d, rs, rd);
		PQclear(rs);
		PQclear(rd);
		report_item(r, it);
	}
	/* large objects, as one item: how many and the sum of their checksums
	 * (the source's that its user may read: the others were named) */
	static const char lo_sql[] =
		"SELECT count(*), coalesce(sum(('x' || "
		"pg_catalog.substr(pg_catalog.md5(l.oid::text "
		"|| ':' || pg_catalog.md5(pg_catalog.lo_get(l.oid))), 1, 16))::bit(64)::bigint), "
		"0) "
		"FROM pg_catalog.pg_largeobject_metadata l WHERE " PG_LO_READABLE("l");
	PGresult *ls, *ld;
	both(s, d, lo_sql, &ls, &ld);
	bool no_lo = PQresultStatus(ls) == PGRES_TUPLES_OK &&
		     PQresultStatus(ld) == PGRES_TUPLES_OK && PQntuples(ls) == 1 &&
		     PQntuples(ld) == 1 && strcmp(PQgetvalue(ls, 0, 0), "0") == 0 &&
		     strcmp(PQgetvalue(ld, 0, 0), "0") == 0;
	int64_t nlo = 0;
	if (!no_lo) {
		struct pg_verify_item *it = add_item(&rep);
		it->qname = xstrdup("large objects");
		it->large_objects = true;
		compare(it, s, d, ls, ld);
		nlo = it->src_rows;
		report_item(r, it);
	}
	PQclear(ls);
	PQclear(ld);

	size_t nbad = 0;
	for (size_t i = 0; i < rep.n; i++) {
		if (rep.v[i].match)
			continue;
		if (nbad++ < 8)
			strbuf_add_item(&bad, rep.v[i].qname);
	}
	rep.mismatches = nbad;
	if (nbad) {
		fail(cause, "%zu of %zu differ%s: %s%s", nbad, rep.n, nbad == 1 ? "s" : "", bad.buf,
		     nbad > 8 ? ", …" : "");
		goto out;
	}
	size_t ntab = 0;
	for (size_t i = 0; i < rep.n; i++)
		ntab += !rep.v[i].sequence;
	free(*cause);
	if (no_lo)
		*cause = xasprintf("%zu tables and %zu sequences match", ntab, rep.n - ntab);
	else
		*cause = xasprintf("%zu tables, %zu sequences and %lld large objects match",
				   ntab - 1, rep.n - ntab, (long long)nlo);
	rc = 0;
out:
	rep.seconds = now_monotonic() - t0;
	strbuf_free(&bad);
	PQclear(tabs);
	PQclear(seqs);
	if (s)
		PQfinish(s);
	if (d)
		PQfinish(d);
	if (rep_out)
		*rep_out = rep;
	else
		pg_verify_report_free(&rep);
	return rc;
}

void pg_verify_report_free(struct pg_verify_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->v[i].qname);
		free(rep->v[i].state_key);
		free(rep->v[i].src_sum);
		free(rep->v[i].dst_sum);
		free(rep->v[i].error);
	}
	free(rep->v);
	memset(rep, 0, sizeof *rep);
}

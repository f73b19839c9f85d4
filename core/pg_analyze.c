/* ANALYZE the target's tables in parallel: one libpq connection per job,
 * each sent the next table (biggest first) as soon as it is free, all
 * waited on in one poll() loop. */
#include "pg_analyze.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pg_conn.h"
#include "run.h"
#include "util.h"

/* Every table worth statistics, biggest first: partitions are analyzed
 * through their parent (ANALYZE of a partitioned table recurses). */
#define TABLES_SQL                                                                                 \
	"SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) "                          \
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "                           \
	"WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition "                             \
	"AND n.nspname NOT IN ('pg_catalog', 'information_schema') "                               \
	"AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "                \
	"AND NOT quote_ident(n.nspname) || '.' || quote_ident(c.relname) = ANY ($1::text[]) "      \
	"ORDER BY pg_total_relation_size(c.oid) DESC, 1"

/* One connection and the table it is analyzing (-1: idle). */
struct slot {
	PGconn *c;
	int table;
};

/* Read what SLOT's server sent; 1 when its ANALYZE has finished (a failure
 * is reported as a warning), 0 while it runs, -1 when the connection is lost. */
static int slot_read(struct run *r, struct slot *s, PGresult *tables)
{
	if (!PQconsumeInput(s->c))
		return -1;
	if (PQisBusy(s->c))
		return 0;
	PGresult *res;
	while ((res = PQgetResult(s->c))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			char *why = pg_result_error(res, s->c);
			run_finding(r, LEVEL_WARN, PQgetvalue(tables, s->table, 0),
				    _("not analyzed: %s"), why);
			free(why);
		}
		PQclear(res);
	}
	return 1;
}

/* Send the next table to every idle slot. */
static void slots_feed(struct slot *v, int n, int *next, int ntables, PGresult *tables)
{
	for (int i = 0; i < n && *next < ntables; i++) {
		if (v[i].table >= 0)
			continue;
		char *sql = xasprintf("ANALYZE %s", PQgetvalue(tables, *next, 0));
		if (PQsendQuery(v[i].c, sql))
			v[i].table = (*next)++;
		free(sql);
	}
}

/* Close the slots; an ANALYZE still running (an interruption, a lost peer)
 * is cancelled on the server first, which would otherwise finish it. */
static void slots_free(struct slot *v, int n)
{
	for (int i = 0; i < n; i++) {
		if (!v[i].c)
			continue;
		PGcancel *k = v[i].table >= 0 ? PQgetCancel(v[i].c) : NULL;
		char err[256];
		if (k) {
			PQcancel(k, err, sizeof err);
			PQfreeCancel(k);
		}
		PQfinish(v[i].c);
	}
	free(v);
}

/* Run the ANALYZEs over the N slots until every table is done. */
static int analyze_all(struct run *r, struct slot *v, int n, PGresult *tables, int *n_done,
		       char **cause)
{
	int ntables = PQntuples(tables), next = 0, done = 0;
	struct pollfd *pfd = xcalloc((size_t)n, sizeof *pfd);
	int rc = 0;
	while (done < ntables) {
		if (run_cancelled(r)) {
			rc = fail(cause, _("interrupted while analyzing (%d of %d tables done)"),
				  done, ntables);
			break;
		}
		slots_feed(v, n, &next, ntables, tables);
		for (int i = 0; i < n; i++) {
			pfd[i].fd = v[i].table >= 0 ? PQsocket(v[i].c) : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)n, 200) < 0)
			continue;
		for (int i = 0; i < n && rc == 0; i++) {
			if (v[i].table < 0 || !pfd[i].revents)
				continue;
			int st = slot_read(r, &v[i], tables);
			if (st < 0) {
				char buf[256];
				rc = fail(
					cause,
					_("target: the connection was lost while analyzing %s: %s"),
					PQgetvalue(tables, v[i].table, 0),
					pg_errline(v[i].c, buf, sizeof buf));
			} else if (st > 0) {
				v[i].table = -1;
				run_progress_tables(r, NULL, ++done, ntables);
			}
		}
		if (rc)
			break;
	}
	free(pfd);
	if (n_done)
		*n_done = done;
	return rc;
}

int pg_analyze_run(struct run *r, const char *dci, int jobs, char *const *done, size_t ndone,
		   int *n_done, char **cause)
{
	if (n_done)
		*n_done = 0;
	PGconn *first = pg_connect(dci, PG_TARGET, 30, &r->cancel, NULL, cause);
	if (!first)
		return -1;
	char *skip = pg_text_array(done, ndone);
	PGresult *tables = pg_query_params(first, TABLES_SQL, 1, (const char *const[]){skip});
	free(skip);
	if (PQresultStatus(tables) != PGRES_TUPLES_OK) {
		char *e = pg_result_error(tables, first);
		fail(cause, _("reading %s: %s"), _("the target's tables to analyze"), e);
		free(e);
		PQclear(tables);
		PQfinish(first);
		return -1;
	}
	int ntables = PQntuples(tables);
	if (ntables == 0) { /* the copy analyzed every one */
		PQclear(tables);
		PQfinish(first);
		return 0;
	}
	int n = jobs < 1 ? 1 : jobs > ntables ? (ntables > 0 ? ntables : 1) : jobs;
	struct slot *v = xcalloc((size_t)n, sizeof *v);
	v[0] = (struct slot){first, -1};
	int rc = 0;
	for (int i = 1; i < n && rc == 0; i++) {
		v[i].table = -1;
		v[i].c = pg_connect(dci, PG_TARGET, 30, &r->cancel, NULL, cause);
		if (!v[i].c)
			rc = -1;
	}
	if (rc == 0) {
		run_status(
			r,
			P_("updating the planner's statistics: ANALYZE of %d table, %d at a time",
			   "updating the planner's statistics: ANALYZE of %d tables, %d at a time",
			   ntables),
			ntables, n);
		rc = analyze_all(r, v, n, tables, n_done, cause);
	}
	slots_free(v, n);
	PQclear(tables);
	return rc;
}

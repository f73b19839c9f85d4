/* The compare step, run after the application has worked against the
 * target for a while: its own statements (pg_stat_statements) on the source
 * and the target side by side, the ones that got slower flagged with the
 * likely cause, and a latency probe from this machine to both databases.
 * Read-only on both sides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_conn.h"
#include "pg_latency.h"
#include "pg_statements.h"
#include "run.h"
#include "strbuf.h"
#include "util.h"

#define TOP          20   /* statements shown */
#define READ_LIMIT   500  /* statements read from each side */
#define SLOWER_RATIO 1.5  /* flagged when the mean grew by this factor… */
#define SLOWER_MS    0.05 /* …and by at least this many milliseconds */
#define PROBE_RUNS   300

/* Say how to make the view readable on one side. */
static void report_missing(struct run *r, bool target, int missing)
{
	const char *side = target ? "target" : "source";
	bool rds = target && !*config_get(r->cfg, CFG_TARGET_URL);
	if (missing == PGSS_NO_EXTENSION)
		run_finding(r, LEVEL_WARN, side,
			    "pg_stat_statements is loaded but not created in this database: run "
			    "CREATE EXTENSION pg_stat_statements; there");
	else if (rds)
		run_finding(r, LEVEL_WARN, side,
			    "pg_stat_statements is not loaded: add it to shared_preload_libraries "
			    "in the instance's DB parameter group, reboot the instance, then run "
			    "CREATE EXTENSION pg_stat_statements;");
	else
		run_finding(r, LEVEL_WARN, side,
			    "pg_stat_statements is not loaded: add it to shared_preload_libraries "
			    "(postgresql.conf; Railway preloads it), restart the server, then run "
			    "CREATE EXTENSION pg_stat_statements;");
}

/* Q on one line, blanks collapsed, cut at about 120 characters. */
static char *one_line(const char *q)
{
	struct strbuf sb = STRBUF_INIT;
	bool blank = false;
	for (const char *p = q; *p && sb.len < 120; p++) {
		bool b = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
		if (!b && blank && sb.len)
			strbuf_add(&sb, " ");
		blank = b;
		if (!b)
			strbuf_addn(&sb, p, 1);
	}
	if (sb.len >= 120)
		strbuf_add(&sb, "…");
	return strbuf_detach(&sb);
}

static void side_text(struct strbuf *sb, const char *side, const struct pg_stmt *s)
{
	if (s)
		strbuf_addf(sb, "%s: %lld calls, mean %.3f ms, total %.1f ms, %lld rows", side,
			    s->calls, s->mean_ms, s->total_ms, s->rows);
	else
		strbuf_addf(sb, "%s: not run there", side);
}

/* One statement side by side; true when it got slower on the target. */
static bool report_statement(struct run *r, PGconn *s, PGconn *d, int n, const struct pg_stmt *src,
			     const struct pg_stmt *dst)
{
	bool slower = src && dst->mean_ms > src->mean_ms * SLOWER_RATIO &&
		      dst->mean_ms - src->mean_ms >= SLOWER_MS;
	struct strbuf sb = STRBUF_INIT;
	char *q = one_line(dst->query), item[16];
	strbuf_addf(&sb, "%s — ", q);
	side_text(&sb, "source", src);
	strbuf_add(&sb, "; ");
	side_text(&sb, "target", dst);
	if (slower) {
		char *why = pg_statements_cause(s, d, dst->query);
		strbuf_addf(&sb, "; %.1f× slower on the target: %s",
			    src->mean_ms > 0 ? dst->mean_ms / src->mean_ms : 0.0,
			    why ? why : "the plans do not tell why (the same plan on both sides)");
		free(why);
	}
	snprintf(item, sizeof item, "#%d", n);
	run_finding(r, slower ? LEVEL_WARN : LEVEL_INFO, item, "%s", sb.buf);
	free(q);
	strbuf_free(&sb);
	return slower;
}

/* The target's top statements beside the source's; *SLOWER counts the
 * flagged ones, *SHOWN the compared ones. 0, or -1 with a cause. */
static int compare_statements(struct run *r, PGconn *s, PGconn *d, int *shown, int *slower,
			      char **cause)
{
	struct pg_stmts src, dst;
	int ms = pg_statements_read(s, READ_LIMIT, &src, cause);
	int md = ms < 0 ? -1 : pg_statements_read(d, READ_LIMIT, &dst, cause);
	if (ms > 0)
		report_missing(r, false, ms);
	if (md > 0)
		report_missing(r, true, md);
	if (ms == 0 && md == 0) {
		run_status(r, "comparing %zu statements of the target with %zu of the source",
			   dst.n, src.n);
		if (dst.n == 0)
			run_finding(r, LEVEL_WARN, "target",
				    "no application statement has run on the target yet: run "
				    "compare after the application has worked against it a while");
		for (size_t i = 0; i < dst.n && i < TOP; i++) {
			(*shown)++;
			*slower += report_statement(r, s, d, (int)i + 1,
						    pg_statements_find(&src, dst.v[i].query),
						    &dst.v[i]);
		}
	}
	if (ms == 0)
		pg_statements_free(&src);
	if (md == 0)
		pg_statements_free(&dst);
	return ms < 0 || md < 0 ? -1 : 0;
}

/* Probe one side and report it; 0, or -1 (reported as a warning). */
static int probe_side(struct run *r, const char *side, const char *ci, enum pg_role role,
		      char *const pick[3], struct pg_latency *l)
{
	run_status(r, "latency from here to the %s: connections, then %d lookups on %s", side,
		   PROBE_RUNS, pick[0]);
	char *why = NULL;
	if (pg_latency_probe(ci, role, &r->cancel, pick[0], pick[1], pick[2], PROBE_RUNS, l, &why) <
	    0) {
		run_finding(r, LEVEL_WARN, side, "latency probe failed: %s", why);
		free(why);
		return -1;
	}
	run_finding(r, LEVEL_INFO, side,
		    "from here: connect %.1f ms; primary-key lookup on %s p50 %.2f ms, p95 "
		    "%.2f ms (%d runs)",
		    l->connect_ms, pick[0], l->p50_ms, l->p95_ms, l->runs);
	return 0;
}

/* The latency probe on both sides; the verdict into SB. */
static void latency(struct run *r, PGconn *s, const char *sci, const char *dci, struct strbuf *sb)
{
	char *pick[3], *why = NULL;
	int rc = pg_latency_pick(s, &pick[0], &pick[1], &pick[2], &why);
	if (rc != 0) {
		run_finding(r, LEVEL_INFO, "latency", "no probe: %s",
			    rc < 0 ? why
				   : "no non-empty table with a one-column "
				     "primary key");
		free(why);
		return;
	}
	struct pg_latency ls, ld;
	if (probe_side(r, "source", sci, PG_SOURCE, pick, &ls) == 0 &&
	    probe_side(r, "target", dci, PG_TARGET, pick, &ld) == 0 && ld.p50_ms > 0 &&
	    ls.p50_ms > 0)
		strbuf_addf(sb,
			    "; from here the target answers a lookup in %.2f ms, the source "
			    "in %.2f ms (p50)",
			    ld.p50_ms, ls.p50_ms);
	for (int i = 0; i < 3; i++)
		free(pick[i]);
}

static int compare_run(struct run *r, char **cause)
{
	char *sci = run_source_conninfo(r, cause);
	char *dci = sci ? run_target_conninfo(r, cause) : NULL;
	PGconn *s = dci ? pg_connect(sci, PG_SOURCE, 30, &r->cancel, NULL, cause) : NULL;
	PGconn *d = s ? pg_connect(dci, PG_TARGET, 30, &r->cancel, NULL, cause) : NULL;
	int shown = 0, slower = 0;
	int rc = d ? compare_statements(r, s, d, &shown, &slower, cause) : -1;
	if (rc == 0) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%d statement%s compared, %d slower on the target", shown,
			    shown == 1 ? "" : "s", slower);
		latency(r, s, sci, dci, &sb);
		*cause = strbuf_detach(&sb);
	}
	if (d)
		PQfinish(d);
	if (s)
		PQfinish(s);
	free_secret(sci);
	free_secret(dci);
	return rc;
}

const struct step step_compare = {
	.name = "compare",
	.title = "Before and after",
	.what = "the app's own statements on source and target side by side; latency from here",
	.on_request = true,
	.run = compare_run,
};

/* The data copy: COPY streams from one exported snapshot, in parallel jobs. */
#include "pg_copy.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy_sched.h"
#include "copy_stream.h"
#include "fmt.h"
#include "i18n.h"
#include "pg_conn.h"
#include "pg_inventory.h"
#include "pg_schema.h"
#include "run.h"
#include "state.h"
#include "strbuf.h"
#include "util.h"

const char pg_copy_session_sql[] =
	"SET DateStyle = ISO, MDY; SET IntervalStyle = postgres; SET TimeZone = 'UTC'; "
	"SET extra_float_digits = 3; SET bytea_output = hex; SET statement_timeout = 0; "
	"SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0";

#define PROGRESS_EVERY 2.0 /* seconds between progress events of one table */

/* One name of an exclude list at *P: an identifier, plain (as written) or
 * "double quoted" ("" for a quote). Heap, NULL when none; *P moves past it. */
static char *exclude_ident(const char **p)
{
	const char *c = *p;
	while (*c == ' ' || *c == '\t')
		c++;
	char *out = xmalloc(strlen(c) + 1);
	size_t o = 0;
	if (*c == '"') {
		for (c++; *c; c++) {
			if (*c == '"' && c[1] == '"') {
				out[o++] = '"';
				c++;
			} else if (*c == '"') {
				c++;
				break;
			} else {
				out[o++] = *c;
			}
		}
	} else {
		while (*c && *c != '.' && *c != ',' && *c != ' ' && *c != '\t')
			out[o++] = *c++;
	}
	out[o] = 0;
	while (*c == ' ' || *c == '\t')
		c++;
	*p = c;
	if (o == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Entry I (from 0) of the EXCLUDE list as *SCHEMA and *NAME (heap; a name
 * without a schema is in public). false when there is no entry I. */
static bool exclude_entry(const char *exclude, size_t i, char **schema, char **name)
{
	const char *p = exclude ? exclude : "";
	for (size_t k = 0;; k++) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			return false;
		char *a = exclude_ident(&p), *b = NULL;
		if (*p == '.') {
			p++;
			b = exclude_ident(&p);
		}
		while (*p && *p != ',') /* whatever does not parse up to the comma */
			p++;
		if (k == i) {
			if (b) {
				*schema = a ? a : xstrdup("");
				*name = b;
			} else {
				*schema = xstrdup("public");
				*name = a ? a : xstrdup("");
			}
			return true;
		}
		free(a);
		free(b);
	}
}

/* Whether entry I of EXCLUDE names SCHEMA.NAME. */
static bool exclude_hit(const char *exclude, size_t i, const char *schema, const char *name)
{
	char *es = NULL, *en = NULL;
	if (!exclude_entry(exclude, i, &es, &en))
		return false;
	bool hit = strcmp(es, schema) == 0 && strcmp(en, name) == 0;
	free(es);
	free(en);
	return hit;
}

bool pg_copy_excluded(const char *exclude, const char *schema, const char *name)
{
	char *es, *en;
	for (size_t i = 0; exclude_entry(exclude, i, &es, &en); i++) {
		bool hit = strcmp(es, schema) == 0 && strcmp(en, name) == 0;
		free(es);
		free(en);
		if (hit)
			return true;
	}
	return false;
}

/* Free what table T holds. */
static void table_clear(struct pg_copy_table *t)
{
	free(t->schema);
	free(t->name);
	free(t->qname);
	free(t->cols);
	free(t->state_key);
	free(t->filter);
}

/* Drop the tables EXCLUDE names from T (N of them), and warn about each
 * name in it that matches no table (a typo, a case: public.User is not
 * public.user). */
static void apply_exclude(struct run *r, struct pg_copy_table *t, size_t *n, const char *exclude)
{
	char *es, *en;
	for (size_t i = 0; exclude_entry(exclude, i, &es, &en); i++) {
		bool any = false;
		for (size_t k = 0; k < *n && !any; k++)
			any = exclude_hit(exclude, i, t[k].schema, t[k].name);
		if (!any)
			run_finding(
				r, LEVEL_WARN, "exclude_tables",
				_("%s.%s matches no table on the source: nothing excluded for it "
				  "(names are exact: quote them as written, e.g. \"a.b\".c)"),
				es, en);
		free(es);
		free(en);
	}
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		if (pg_copy_excluded(exclude, t[i].schema, t[i].name)) {
			if (r && r->dry_run)
				run_finding(r, LEVEL_INFO, t[i].qname,
					    _("not copied: named in [migrate] exclude_tables"));
			table_clear(&t[i]);
			continue;
		}
		t[k++] = t[i];
	}
	*n = k;
}

/* The query listing the tables to copy (for tables_take), heap. */
static char *tables_sql(PGconn *src)
{
	bool gen = PQserverVersion(src) >= 120000;
	/* column 6: binary only when every type has send/receive and embeds no
	 * type OID that differs between clusters (arrays/composites of user types) */
	char *sql = xasprintf("SELECT n.nspname, c.relname, "
			      "quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
			      "greatest(c.reltuples, 0)::bigint, pg_relation_size(c.oid), "
			      "(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) "
			      " FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND "
			      " NOT a.attisdropped %s), "
			      "coalesce((SELECT bool_and(t.typsend <> 0 AND t.typreceive <> 0 AND "
			      " t.typtype <> 'c' AND (t.typelem = 0 OR t.typelem < 16384) AND "
			      " (t.typtype <> 'd' OR t.typbasetype < 16384)) "
			      " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
			      " WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), "
			      "true), " PG_COPY_FILTER_SQL ", %s "
			      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			      "WHERE " PG_COPY_TABLE_COND " "
			      "ORDER BY 5 DESC, 1, 2",
			      gen ? "AND a.attgenerated = ''" : "",
			      PQserverVersion(src) >= 100000 ? "c.relispartition" : "false");
	return sql;
}

/* The tables of RES (the rows of tables_sql) not in EXCLUDE into *OUT. */
static void tables_take(const PGresult *res, const char *exclude, struct pg_copy_table **out,
			size_t *n)
{
	size_t rows = (size_t)PQntuples(res), k = 0;
	struct pg_copy_table *t = xcalloc(rows, sizeof *t);
	for (size_t i = 0; i < rows; i++) {
		int r = (int)i;
		const char *s = PQgetvalue(res, r, 0), *nm = PQgetvalue(res, r, 1);
		if (pg_copy_excluded(exclude, s, nm))
			continue;
		struct pg_copy_table *x = &t[k++];
		x->schema = xstrdup(s);
		x->name = xstrdup(nm);
		x->qname = xstrdup(PQgetvalue(res, r, 2));
		x->est_rows = strtoll(PQgetvalue(res, r, 3), NULL, 10);
		x->est_bytes = strtoll(PQgetvalue(res, r, 4), NULL, 10);
		x->cols = PQgetisnull(res, r, 5) ? NULL : xstrdup(PQgetvalue(res, r, 5));
		x->binary = PQgetvalue(res, r, 6)[0] == 't';
		x->state_key = state_table_key(s, nm);
		x->filter = PQgetisnull(res, r, 7) ? NULL : xstrdup(PQgetvalue(res, r, 7));
		x->partition = PQgetvalue(res, r, 8)[0] == 't';
	}
	*out = t;
	*n = k;
}

int pg_copy_list_tables(PGconn *src, const char *exclude, struct pg_copy_table **out, size_t *n,
			char **cause)
{
	char *sql = tables_sql(src);
	PGresult *res = pg_query(src, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *m = PQresultErrorMessage(res);
		fail(cause, _("cannot list the source tables: %.*s"), (int)strcspn(m, "\n"), m);
		PQclear(res);
		return -1;
	}
	tables_take(res, exclude, out, n);
	PQclear(res);
	return 0;
}

void pg_copy_tables_free(struct pg_copy_table *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		table_clear(&t[i]);
	free(t);
}

/* A job's thread: the copy, and whether it only reads (a stream beyond the
 * jobs, for a far source: the post-data is the jobs'). */
struct job_arg {
	struct copy_ctx *x;
	bool copy_only;
	bool smallest; /* a copy-only reader taking the smallest tables first */
};

/* Shared by the jobs of one copy. What runs when is the scheduler's
 * (copy_sched.h); the tasks' states change under MU. */
struct copy_ctx {
	struct run *r;
	const struct pg_copy_opts *o;
	const char *src_ci, *dst_ci;
	const char *snapshot;
	const char *src_encoding;
	bool binary;
	struct pg_copy_table *t;
	size_t nt;
	PGconn *d0; /* the main thread's target connection */
	struct pg_post_plan *plan;
	PGresult *fks; /* the target's foreign keys (read_target_fks) */
	struct copy_sched *sched;
	size_t *plan_group; /* per scheduler group: its group in PLAN */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char **extra; /* empty tables not copied now, emptied along (foreign keys) */
	size_t nextra;
	double *tstart;                  /* per table: when its first part started */
	_Atomic int64_t *tmsgs, *tbytes; /* per table, for progress */
	_Atomic bool failed;
	char *cause;
	_Atomic int64_t rows, bytes;
	int64_t est_rows, est_bytes;
	double t0, last_total;
	double stall_s;          /* o->stall_seconds */
	double rtt;              /* seconds of one round trip to the source (open_snapshot) */
	size_t batches, batched; /* queries of several COPYs, and their COPYs (under MU) */
	int64_t block;           /* the source's block size */
	bool large_objects;      /* the source has some (in the snapshot) */
	int streams;             /* streams to read a big table with (copy_sched_streams) */
	/* the jobs' threads, started with the snapshot (their connections open
	 * while the plan is read), working once GO, leaving at STOP */
	pthread_t th[32 + COPY_MAX_STREAMS];
	struct job_arg args[32 + COPY_MAX_STREAMS];
	int jobs, readers, nthreads;
	bool go, stop;
};

static void ctx_fail(struct copy_ctx *x, char *cause)
{
	pthread_mutex_lock(&x->mu);
	if (!x->failed) {
		x->failed = true;
		x->cause = cause;
		cause = NULL;
	}
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	free(cause);
}

static void total_progress(struct copy_ctx *x, bool force)
{
	double now = now_monotonic();
	pthread_mutex_lock(&x->mu);
	bool due = force || now - x->last_total >= PROGRESS_EVERY;
	if (due)
		x->last_total = now;
	pthread_mutex_unlock(&x->mu);
	if (due)
		run_progress(x->r, NULL, atomic_load(&x->rows), x->est_rows, atomic_load(&x->bytes),
			     x->est_bytes);
}

/* Prefix *CAUSE with "post-data: "; returns -1. */
static int post_data_failed(char **cause)
{
	char *e = *cause;
	*cause = xasprintf("post-data: %s", e ? e : "failed");
	free(e);
	return -1;
}

/* What a stream moved since it last said: the copy's counters, and now and
 * then a progress line for its table and for the whole copy. */
static void stream_progress(void *ctx, struct copy_stream *cs, int64_t rows, int64_t bytes)
{
	struct copy_ctx *x = ctx;
	size_t ti = (size_t)(cs->t - x->t);
	atomic_fetch_add(&x->bytes, bytes);
	int64_t tm = atomic_fetch_add(&x->tmsgs[ti], rows) + rows;
	int64_t tb = atomic_fetch_add(&x->tbytes[ti], bytes) + bytes;
	double now = now_monotonic();
	if (now - cs->shown_at >= PROGRESS_EVERY) {
		cs->shown_at = now;
		run_progress(x->r, cs->t->qname, tm, cs->t->est_rows, tb, cs->t->est_bytes);
		total_progress(x, false);
	}
}

/* What puts a new source connection in the exported snapshot: sent ahead of
 * its first COPY, in the same round trip (copy_stream's src_setup). */
static char *source_setup_sql(const struct copy_ctx *x)
{
	return xasprintf("%s; SET client_encoding = '%s'; "
			 "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
			 "SET TRANSACTION SNAPSHOT '%s'",
			 pg_copy_session_sql, x->src_encoding, x->snapshot);
}

/* Set D, a new target connection, up for the copy; closed on failure. */
static PGconn *target_setup(struct copy_ctx *x, PGconn *d, char **cause)
{
	/* the jobs are the parallelism: parallel index builds on top of them cost
	 * CPU (worker start, merge) that a small instance does not have */
	char *sql = xasprintf("%s; SET client_encoding = '%s'; SET synchronous_commit = off; "
			      "SET maintenance_work_mem = '256MB'%s",
			      pg_copy_session_sql, x->src_encoding,
			      x->o->jobs > 1 ? "; SET max_parallel_maintenance_workers = 0" : "");
	int rc = pg_exec(d, sql, cause);
	free(sql);
	if (rc != 0) {
		PQfinish(d);
		return NULL;
	}
	return d;
}

/* The ITEM-th shared statement (an index build) of GRP: its index in GRP->v. */
static size_t nth_shared(const struct pg_post_group *grp, int item)
{
	size_t k = 0;
	for (int seen = -1; k < grp->n; k++)
		if (grp->v[k].shared && ++seen == item)
			break;
	return k;
}

/* Run statement I of group G on D, or with I = -1 every statement of G that
 * is not shared, in order. */
static int run_group(struct copy_ctx *x, PGconn *d, size_t g, ssize_t i, char **cause)
{
	const struct pg_post_group *grp = &x->plan->groups[g];
	for (size_t k = 0; k < grp->n; k++) {
		if (i >= 0 ? k != (size_t)i : grp->v[k].shared)
			continue;
		if (run_cancelled(x->r))
			return fail(cause, "%s", _("interrupted"));
		run_status(x->r, "%s", grp->v[k].what);
		if (pg_schema_exec(d, &grp->v[k], cause) != 0)
			return -1;
	}
	return 0;
}

/* Every foreign key on the target, read once for both uses: ordering the
 * loads (load_refs) and what emptying a table reaches (close_over_references).
 * A row per key and referencing table: its name, the referenced table's, and
 * whether it is the key's own table (not a leaf partition below it), a plain
 * table, and the referenced one itself. */
static int read_target_fks(struct copy_ctx *x, PGconn *d, char **cause)
{
	const char *leaves =
		PQserverVersion(d) >= 120000
			? "JOIN pg_class c ON c.oid = k.conrelid OR c.oid IN (SELECT relid "
			  "FROM pg_partition_tree(k.conrelid) WHERE isleaf) "
			: "JOIN pg_class c ON c.oid = k.conrelid ";
	char *sql = xasprintf("SELECT quote_ident(cn.nspname) || '.' || quote_ident(c.relname), "
			      "quote_ident(fn.nspname) || '.' || quote_ident(f.relname), "
			      "c.oid = k.conrelid, c.relkind = 'r', k.conrelid = k.confrelid "
			      "FROM pg_constraint k %s"
			      "JOIN pg_namespace cn ON cn.oid = c.relnamespace "
			      "JOIN pg_class f ON f.oid = k.confrelid "
			      "JOIN pg_namespace fn ON fn.oid = f.relnamespace "
			      "WHERE k.contype = 'f'",
			      leaves);
	x->fks = pg_query(d, sql);
	free(sql);
	if (PQresultStatus(x->fks) == PGRES_TUPLES_OK)
		return 0;
	char *e = pg_result_error(x->fks, d);
	fail(cause, _("cannot read the target's foreign keys: %s"), e);
	free(e);
	return -1;
}

/* Order the loads by the foreign keys already on the target (x->fks): a
 * referencing table is loaded after the tables it references. */
static void load_refs(struct copy_ctx *x)
{
	for (int r = 0; r < PQntuples(x->fks); r++) {
		if (PQgetvalue(x->fks, r, 2)[0] != 't' || PQgetvalue(x->fks, r, 4)[0] == 't')
			continue; /* a leaf below the key's table, or a self-reference */
		int a = -1, b = -1;
		for (size_t i = 0; i < x->nt; i++) {
			if (strcmp(x->t[i].qname, PQgetvalue(x->fks, r, 0)) == 0)
				a = (int)i;
			if (strcmp(x->t[i].qname, PQgetvalue(x->fks, r, 1)) == 0)
				b = (int)i;
		}
		if (a >= 0 && b >= 0)
			copy_sched_ref(x->sched, a, b);
	}
}

/* The connections of one job: the target at once, the source at once and
 * again after one was lost; the source is put in the snapshot by its first
 * COPY (S_FRESH until then). */
struct job_conns {
	PGconn *s, *d;
	bool s_fresh;
	char *chunk;
	size_t chunksz;
};

/* Where a COPY stands in a batch sent as one query (copy_stream's src_sql,
 * src_sent, src_more): the query, sent by the first; whether an earlier one
 * sent it; whether more follow. */
struct batch_pos {
	const char *sql;
	bool sent, more;
};

/* C's source connection: one opened during the schema step when one is
 * left (run_source_warm), else a new one; not in the snapshot yet. */
static int source_connect(struct copy_ctx *x, struct job_conns *c, char **cause)
{
	c->s = run_source_warm_take(x->r, x->src_ci);
	if (!c->s)
		c->s = pg_connect(x->src_ci, PG_SOURCE, 30, &x->r->cancel, NULL, cause);
	c->s_fresh = true;
	return c->s ? 0 : -1;
}

/* Copy the rows of task K (POS: its place in a batch, or NULL). */
static int do_copy(struct copy_ctx *x, struct job_conns *c, const struct copy_task *k,
		   const struct batch_pos *pos, char **cause)
{
	struct pg_copy_table *t = &x->t[k->table];
	if (!c->s && source_connect(x, c, cause) != 0)
		return -1;
	char *setup = c->s_fresh ? source_setup_sql(x) : NULL;
	struct copy_stream cs = {
		.t = t,
		.part = k->part,
		.nparts = k->nparts,
		.from = k->from,
		.to = k->to,
		.binary = x->binary && t->binary,
		.chunk = c->chunk,
		.chunksz = c->chunksz,
		.stall_s = x->stall_s,
		.cancel = &x->r->cancel,
		.failed = &x->failed,
		.progress = stream_progress,
		.ctx = x,
		.shown_at = now_monotonic(),
		.src_setup = setup,
		.src_sql = pos ? pos->sql : NULL,
		.src_sent = pos && pos->sent,
		.src_more = pos && pos->more,
	};
	int rc = copy_stream_run(&cs, c->s, c->d, cause);
	c->s_fresh = cs.src_setup != NULL; /* not sent: the target's COPY failed first */
	free(setup);
	if (cs.src_broken) {
		PQfinish(c->s);
		c->s = NULL;
	}
	if (rc == 0) {
		atomic_fetch_add(&x->rows, cs.rows);
		pthread_mutex_lock(&x->mu);
		t->rows += cs.rows;
		t->bytes += cs.bytes;
		pthread_mutex_unlock(&x->mu);
	}
	return rc;
}

/* Run task K (its state is RUNNING; POS: a COPY's place in a batch, or
 * NULL): 0, or -1 with a cause for the copy. */
static int do_task(struct copy_ctx *x, struct job_conns *c, const struct copy_task *k,
		   const struct batch_pos *pos, char **cause)
{
	char *e = NULL;
	int rc;
	switch (k->kind) {
	case TASK_COPY:
		return do_copy(x, c, k, pos, cause);
	case TASK_INDEX:
	case TASK_TAIL: {
		size_t g = x->plan_group[k->group];
		const struct pg_post_group *grp = &x->plan->groups[g];
		ssize_t stmt = k->kind == TASK_TAIL ? -1 : (ssize_t)nth_shared(grp, k->item);
		rc = run_group(x, c->d, g, stmt, &e);
		if (rc != 0)
			fail(cause, _("target: post-data of %s: %s"), grp->table, e);
		break;
	}
	case TASK_ANALYZE: {
		/* statistics are a help, not the copy: a table that cannot be
		 * analyzed is named, and the copy goes on */
		const struct pg_copy_table *t = &x->t[k->table];
		char *sql = xasprintf("ANALYZE %s", t->qname);
		run_status(x->r, "%s", sql);
		rc = pg_exec(c->d, sql, &e);
		free(sql);
		if (rc != 0 && !run_cancelled(x->r)) /* an interruption is said once, after */
			run_finding(x->r, LEVEL_WARN, t->qname, _("not analyzed: %s"), e);
		pthread_mutex_lock(&x->mu);
		x->t[k->table].analyzed = rc == 0;
		pthread_mutex_unlock(&x->mu);
		rc = 0;
		break;
	}
	case TASK_FK: {
		const struct pg_post_fk *fk = &x->plan->fks[k->item];
		run_status(x->r, "%s", fk->st.what);
		rc = pg_schema_exec(c->d, &fk->st, &e);
		if (rc != 0)
			fail(cause, _("target: post-data: %s"), e);
		break;
	}
	default:
		rc = fail(cause, _("unknown copy task"));
	}
	free(e);
	return rc;
}

/* Task K is done; with LOADED its table's rows are all in: mark it copied
 * and say so. Called without the lock. */
static void table_loaded(struct copy_ctx *x, const struct copy_task *k)
{
	struct pg_copy_table *t = &x->t[k->table];
	pthread_mutex_lock(&x->mu);
	t->seconds = now_monotonic() - x->tstart[k->table];
	int64_t rows = t->rows, bytes = t->bytes;
	pthread_mutex_unlock(&x->mu);
	state_table_set(x->r->state, t->state_key, TS_COPIED, NULL);
	run_progress(x->r, t->qname, rows, rows, bytes, bytes);
	total_progress(x, false);
}

/* The next task for job A, or NULL: none now (wait), or with *END none
 * will come. Under the lock. */
static struct copy_task *job_pick(const struct job_arg *a, bool *end)
{
	struct copy_sched *s = a->x->sched;
	struct copy_task *k =
		a->copy_only ? copy_sched_pick_copy(s, a->smallest) : copy_sched_pick(s);
	*end = !k && (a->copy_only ? !copy_sched_copies_waiting(s) : copy_sched_exhausted(s));
	return k;
}

/* Connect job C at once (the source may be far away: its connection is
 * made while the snapshot opens) and set the target's up once the snapshot
 * is known (the source's goes with its first COPY). 0, or -1 with a cause,
 * or without one when told to stop. */
static int job_connect(struct copy_ctx *x, struct job_conns *c, char **cause)
{
	if (source_connect(x, c, cause) != 0 ||
	    !(c->d = pg_connect(x->dst_ci, PG_TARGET, 30, &x->r->cancel, NULL, cause)))
		return -1;
	pthread_mutex_lock(&x->mu);
	while (!x->snapshot && !x->stop && !x->failed)
		pthread_cond_wait(&x->cv, &x->mu);
	bool open = x->snapshot && !x->stop;
	pthread_mutex_unlock(&x->mu);
	if (!open)
		return -1;
	c->d = target_setup(x, c->d, cause);
	return c->d ? 0 : -1;
}

/* Task K (running) is a COPY a batch may carry: a whole table smaller than
 * a window. */
static bool batchable(const struct copy_ctx *x, const struct copy_task *k)
{
	return k->kind == TASK_COPY && k->nparts == 1 &&
	       x->t[k->table].est_bytes < (int64_t)COPY_STREAM_WINDOW;
}

/* V[0] = K, just started; from a far source, the next tasks A would pick
 * (started too) while they are small COPYs that fit in a batch. Under the
 * lock. How many V holds. */
static size_t batch_take(const struct job_arg *a, struct copy_task *k, struct copy_task **v)
{
	struct copy_ctx *x = a->x;
	size_t n = 0;
	v[n++] = k;
	if (x->streams < 2 || !batchable(x, k))
		return n;
	int64_t bytes = x->t[k->table].est_bytes;
	while (n < COPY_BATCH_MAX) {
		bool end;
		struct copy_task *m = job_pick(a, &end);
		if (!m || !batchable(x, m) || bytes + x->t[m->table].est_bytes > COPY_BATCH_BYTES)
			break;
		bytes += x->t[m->table].est_bytes;
		copy_sched_start(x->sched, m);
		if (x->tstart[m->table] == 0)
			x->tstart[m->table] = now_monotonic();
		v[n++] = m;
	}
	return n;
}

/* The query of a batch: each COPY of V (N) in turn. Heap. */
static char *batch_sql(const struct copy_ctx *x, struct copy_task *const *v, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const struct pg_copy_table *t = &x->t[v[i]->table];
		struct copy_stream cs = {.t = t, .nparts = 1, .binary = x->binary && t->binary};
		char *sql = copy_stream_source_sql(&cs);
		strbuf_addf(&b, "%s%s", i ? "; " : "", sql);
		free(sql);
	}
	return strbuf_detach(&b);
}

/* A job: take the task the scheduler picks (a batch of them: batch_take),
 * run it, until none is left or the copy failed or was interrupted. */
static void *job_main(void *arg)
{
	const struct job_arg *a = arg;
	struct copy_ctx *x = a->x;
	char *cause = NULL;
	struct job_conns c = {.chunksz = x->o->chunk ? x->o->chunk : 256 * 1024};
	if (job_connect(x, &c, &cause) != 0) {
		if (cause)
			ctx_fail(x, cause);
		if (c.s)
			PQfinish(c.s);
		if (c.d)
			PQfinish(c.d);
		return NULL;
	}
	c.chunk = xmalloc(c.chunksz);
	pthread_mutex_lock(&x->mu);
	while (!x->go && !x->stop && !x->failed)
		pthread_cond_wait(&x->cv, &x->mu);
	while (!x->stop && !x->failed && !run_cancelled(x->r)) {
		bool end;
		struct copy_task *k = job_pick(a, &end);
		if (!k) {
			if (end)
				break;
			pthread_cond_wait(&x->cv, &x->mu);
			continue;
		}
		copy_sched_start(x->sched, k);
		if (k->kind == TASK_COPY && x->tstart[k->table] == 0)
			x->tstart[k->table] = now_monotonic();
		struct copy_task *v[COPY_BATCH_MAX];
		size_t n = batch_take(a, k, v);
		char *sql = n > 1 ? batch_sql(x, v, n) : NULL;
		if (n > 1) {
			x->batches++;
			x->batched += n;
		}
		pthread_mutex_unlock(&x->mu);
		int rc = 0;
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct batch_pos pos = {
				.sql = i ? NULL : sql, .sent = i > 0, .more = i + 1 < n};
			rc = do_task(x, &c, v[i], n > 1 ? &pos : NULL, &cause);
			if (rc != 0) {
				ctx_fail(x, cause); /* the tasks stay running: the copy stops */
				cause = NULL;
			}
			pthread_mutex_lock(&x->mu);
			if (rc == 0 && copy_sched_done(x->sched, v[i])) {
				pthread_mutex_unlock(&x->mu);
				table_loaded(x, v[i]);
				pthread_mutex_lock(&x->mu);
			}
			pthread_cond_broadcast(&x->cv);
			if (rc == 0 && i + 1 < n)
				pthread_mutex_unlock(&x->mu);
		}
		free(sql);
	}
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	free(c.chunk);
	if (c.s)
		PQfinish(c.s);
	PQfinish(c.d);
	free(cause);
	return NULL;
}

/* "schema"."name" with every part quoted, as pg_schema names groups. */
static char *quote_all(const char *schema, const char *name)
{
	size_t n = strlen(schema) * 2 + strlen(name) * 2 + 6;
	char *q = xmalloc(n), *p = q;
	const char *parts[2] = {schema, name};
	for (int i = 0; i < 2; i++) {
		if (i)
			*p++ = '.';
		*p++ = '"';
		for (const char *c = parts[i]; *c; c++) {
			if (*c == '"')
				*p++ = '"';
			*p++ = *c;
		}
		*p++ = '"';
	}
	*p = 0;
	return q;
}

int pg_copy_sequences(struct run *r, PGconn *src, PGconn *dst, int *nset, char **cause)
{
	PGresult *res = pg_query(src, "SELECT quote_ident(schemaname) || '.' || "
				      "quote_ident(sequencename) FROM pg_sequences "
				      "ORDER BY 1");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char *e = pg_result_error(res, src);
		PQclear(res);
		fail(cause, _("cannot list the source sequences: %s"), e);
		free(e);
		return -1;
	}
	int failed = 0;
	if (nset)
		*nset = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *q = PQgetvalue(res, i, 0);
		char *sql = xasprintf("SELECT last_value, is_called FROM %s", q);
		PGresult *v = pg_query(src, sql);
		free(sql);
		if (PQresultStatus(v) != PGRES_TUPLES_OK || PQntuples(v) != 1) {
			run_finding(r, LEVEL_WARN, q, _("cannot read the sequence on the source"));
			PQclear(v);
			failed++;
			continue;
		}
		sql = xasprintf("SELECT pg_catalog.setval('%s', %s, %s)", q, PQgetvalue(v, 0, 0),
				PQgetvalue(v, 0, 1)[0] == 't' ? "true" : "false");
		PQclear(v);
		char *e = NULL;
		char *set = pg_value(dst, sql, &e);
		if (!set)
			run_finding(r, LEVEL_WARN, q,
				    _("cannot set the sequence on the target: %s"), e);
		else if (nset)
			(*nset)++;
		failed += !set;
		free(set);
		free(e);
		free(sql);
	}
	PQclear(res);
	return failed;
}

/* Write one large object on the target with its OID (one left by an earlier
 * run is replaced). 0, or -1 with the target's error in *ERR. */
static int put_large_object(PGconn *dst, const char *oid, const char *data, int len, char **err)
{
	const char *vals[2] = {oid, data};
	int lens[2] = {0, len}, fmts[2] = {0, 1};
	for (int attempt = 0; attempt < 2; attempt++) {
		PGresult *res =
			PQexecParams(dst, "SELECT pg_catalog.lo_from_bytea($1::oid, $2::bytea)", 2,
				     NULL, vals, lens, fmts, 0);
		const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		/* already there: "duplicate key" on pg_largeobject_metadata (or 42710) */
		bool exists = st && (strcmp(st, "23505") == 0 || strcmp(st, "42710") == 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			PQclear(res);
			return 0;
		}
		if (!exists || attempt > 0) {
			*err = pg_result_error(res, dst);
			PQclear(res);
			return -1;
		}
		PQclear(res);
		res = PQexecParams(dst, "SELECT pg_catalog.lo_unlink($1::oid)", 1, NULL, vals, NULL,
				   NULL, 0);
		PQclear(res);
	}
	return -1;
}

/* Large objects (pg_largeobject): each one read in the snapshot and made on
 * the target with the same OID, so columns holding OIDs still point at
 * them. One that cannot be read after all is named and counted as not copied. */
static int copy_large_objects(struct run *r, PGconn *src, PGconn *dst, char **cause)
{
	/* those the source user may not read were named by the schema step */
	PGresult *res =
		pg_query(src, "SELECT l.oid::text FROM pg_catalog.pg_largeobject_metadata l "
			      "WHERE " PG_LO_READABLE("l") " ORDER BY l.oid");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char *e = pg_result_error(res, src);
		PQclear(res);
		fail(cause, _("cannot list the source's large objects: %s"), e);
		free(e);
		return -1;
	}
	int n = PQntuples(res), rc = 0;
	if (n > 0)
		run_status(r, P_("copying %d large object", "copying %d large objects", n), n);
	for (int i = 0; i < n && rc == 0 && !run_cancelled(r); i++) {
		const char *oid = PQgetvalue(res, i, 0);
		char item[64];
		snprintf(item, sizeof item, _("large object %s"), oid);
		const char *vals[1] = {oid};
		/* a savepoint keeps the snapshot's transaction usable after a refusal */
		PGresult *v = pg_query(src, "SAVEPOINT rdsm_lo");
		PQclear(v);
		v = PQexecParams(src, "SELECT pg_catalog.lo_get($1::oid)", 1, NULL, vals, NULL,
				 NULL, 1);
		if (PQresultStatus(v) != PGRES_TUPLES_OK || PQntuples(v) != 1) {
			char *e = pg_result_error(v, src);
			PQclear(v);
			PQclear(pg_query(src, "ROLLBACK TO SAVEPOINT rdsm_lo"));
			run_finding(r, LEVEL_WARN, item,
				    _("not copied: cannot read it on the source: %s"), e);
			run_incomplete(r, 1);
			free(e);
			continue;
		}
		PQclear(pg_query(src, "RELEASE SAVEPOINT rdsm_lo"));
		char *e = NULL;
		if (put_large_object(dst, oid, PQgetvalue(v, 0, 0), PQgetlength(v, 0, 0), &e) != 0)
			rc = fail(cause, _("%s: cannot write it on the target: %s"), item, e);
		free(e);
		PQclear(v);
	}
	PQclear(res);
	if (rc == 0 && run_cancelled(r))
		rc = fail(cause, "%s", _("interrupted"));
	return rc;
}

/* Which tables already hold rows on the target (of an extension's
 * configuration table: rows of the user's), which are missing there. A
 * configuration table is missing when its extension is not on the target
 * (the schema step said so, and counted the copy incomplete): not copied. */
static int check_targets(struct run *r, PGconn *d, struct pg_copy_table *t, size_t *nt,
			 char **cause)
{
	struct strbuf missing = STRBUF_INIT;
	size_t nmissing = 0, kept = 0;
	for (size_t i = 0; i < *nt; i++) {
		char *sql = xasprintf("SELECT EXISTS (SELECT 1 FROM ONLY %s %s)", t[i].qname,
				      t[i].filter ? t[i].filter : "");
		char *e = NULL;
		char *v = pg_value(d, sql, &e);
		free(sql);
		free(e);
		if (!v && t[i].filter) {
			run_finding(
				r, LEVEL_WARN, t[i].qname,
				_("not on the target (its extension is missing there): the rows "
				  "the extension keeps as configuration are not copied"));
			run_incomplete(r, 1);
			table_clear(&t[i]);
			continue;
		}
		if (!v && nmissing++ < 5)
			strbuf_add_item(&missing, t[i].qname);
		if (v) {
			t[i].nonempty = strcmp(v, "t") == 0;
			enum table_copy st = state_table_get(r->state, t[i].state_key);
			t[i].skip = t[i].nonempty && (st == TS_COPIED || st == TS_VERIFIED);
		}
		free(v);
		t[kept++] = t[i];
	}
	*nt = kept;
	/* a dry run before the schema step: that step would create them */
	if (nmissing && r->dry_run && strcmp(config_get(r->cfg, CFG_MIGRATE_SCHEMA), "copy") == 0)
		nmissing = 0;
	if (nmissing) {
		fail(cause,
		     P_("%zu table is missing on the target (%s%s): run the schema step first, "
			"or create it",
			"%zu tables are missing on the target (%s%s): run the schema step first, "
			"or create them",
			nmissing),
		     nmissing, missing.buf, nmissing > 5 ? ", …" : "");
		strbuf_free(&missing);
		return -1;
	}
	strbuf_free(&missing);
	return 0;
}

/* The index in X->t of the table named NAME ("schema"."name" quoted either
 * way), -1 when it is not copied now. */
static int find_table(const struct copy_ctx *x, const char *name)
{
	for (size_t i = 0; i < x->nt; i++) {
		char *qa = quote_all(x->t[i].schema, x->t[i].name);
		bool hit = strcmp(qa, name) == 0 || strcmp(x->t[i].qname, name) == 0;
		free(qa);
		if (hit)
			return (int)i;
	}
	return -1;
}

/* Empty TABLE on D before its parts are loaded (a foreign key referencing it:
 * delete instead). */
static int empty_table(PGconn *d, const struct pg_copy_table *t, char **cause)
{
	char *sql = xasprintf("TRUNCATE ONLY %s", t->qname);
	int rc = pg_exec(d, sql, NULL);
	free(sql);
	if (rc == 0)
		return 0;
	sql = xasprintf("DELETE FROM ONLY %s", t->qname);
	char *e = NULL;
	rc = pg_exec(d, sql, &e);
	free(sql);
	if (rc != 0)
		fail(cause, _("%s: cannot empty the target table: %s"), t->qname, e);
	free(e);
	return rc;
}

/* Whether NAME is in the list V of N names. */
static bool name_in(char **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

/* Emptying a table must not change any other: a foreign key's ON DELETE
 * CASCADE / SET NULL reaches into the tables referencing it. So the tables
 * to empty grow to their closure (every table referencing one of them,
 * transitively, partitions included): one copied before (skipped) is emptied
 * and copied again, said in a finding; one not copied now (excluded, or not on
 * the source) that holds rows makes the copy refuse, naming it; an empty one
 * is emptied along (no change). X->extra gets those. */
static int close_over_references(struct run *r, struct copy_ctx *x, PGconn *d, char **cause)
{
	size_t ns = 0;
	char **set = xcalloc(x->nt + 1, sizeof *set);
	for (size_t i = 0; i < x->nt; i++)
		if (!x->t[i].skip && x->t[i].nonempty)
			set[ns++] = x->t[i].qname;
	if (ns == 0) {
		free(set);
		return 0;
	}
	/* every foreign key as (referencing plain or leaf table, referenced table) */
	PGresult *res = x->fks;
	int nedges = PQntuples(res);
	size_t cap = x->nt + 1;
	bool grew = true;
	while (grew) {
		grew = false;
		for (int e = 0; e < nedges; e++) {
			const char *from = PQgetvalue(res, e, 0), *to = PQgetvalue(res, e, 1);
			if (PQgetvalue(res, e, 3)[0] != 't')
				continue; /* a partitioned table: its leaves are rows too */
			if (!name_in(set, ns, to) || name_in(set, ns, from))
				continue;
			if (ns + 1 >= cap)
				set = xrealloc(set, (cap *= 2) * sizeof *set);
			set[ns++] = (char *)from;
			grew = true;
		}
	}
	struct strbuf refuse = STRBUF_INIT;
	for (size_t k = 0; k < ns; k++) {
		ssize_t ti = -1;
		for (size_t i = 0; i < x->nt && ti < 0; i++)
			if (strcmp(x->t[i].qname, set[k]) == 0)
				ti = (ssize_t)i;
		if (ti >= 0) {
			struct pg_copy_table *t = &x->t[ti];
			if (t->skip) {
				t->skip = false;
				run_finding(
					r, LEVEL_INFO, t->qname,
					_("references a table emptied now (its foreign keys would "
					  "change its rows): emptied and copied again too"));
			}
			continue;
		}
		char *q = xasprintf("SELECT EXISTS (SELECT 1 FROM ONLY %s)", set[k]);
		char *v = pg_value(d, q, NULL);
		free(q);
		if (v && strcmp(v, "f") == 0) {
			x->extra = xrealloc(x->extra, (x->nextra + 1) * sizeof *x->extra);
			x->extra[x->nextra++] = xstrdup(set[k]);
		} else {
			strbuf_add_item(&refuse, set[k]);
		}
		free(v);
	}
	free(set);
	if (refuse.len) {
		fail(cause,
		     _("emptying the target tables to copy again would change %s (not copied now: "
		       "excluded, or not on the source) through foreign keys that reference them; "
		       "empty or drop %s by hand, or stop excluding them"),
		     refuse.buf, strchr(refuse.buf, ',') ? "them" : "it");
		strbuf_free(&refuse);
		return -1;
	}
	return 0;
}

/* Delete the user's rows of the extensions' configuration tables to copy
 * again (their other rows are the extension's own: kept). */
static int empty_config_rows(struct copy_ctx *x, PGconn *d, char **cause)
{
	for (size_t i = 0; i < x->nt; i++) {
		const struct pg_copy_table *t = &x->t[i];
		if (t->skip || !t->nonempty || !t->filter)
			continue;
		char *sql = xasprintf("DELETE FROM ONLY %s %s", t->qname, t->filter);
		char *e = NULL;
		int rc = pg_exec(d, sql, &e);
		free(sql);
		if (rc != 0) {
			fail(cause, _("%s: cannot delete its rows on the target: %s"), t->qname, e);
			free(e);
			return -1;
		}
	}
	return 0;
}

/* Before copying again into tables that hold rows (confirmed, or --force),
 * empty them all at once with every table to copy now and the empty
 * referencing ones (close_over_references made that set closed under
 * foreign keys, so TRUNCATE accepts it and nothing outside it changes). When
 * TRUNCATE is refused anyway, delete in passes, referencing tables first.
 * Of an extension's configuration table only the user's rows go, last (the
 * emptied tables may have referenced them). Emptied tables are marked
 * "loading" until their copy commits. */
static int empty_targets(struct copy_ctx *x, PGconn *d, char **cause)
{
	size_t n = 0, nall = 0;
	char **all = xcalloc(x->nt + x->nextra + 1, sizeof *all);
	for (size_t i = 0; i < x->nt; i++) {
		if (x->t[i].skip)
			continue;
		n += x->t[i].nonempty;
		if (!x->t[i].filter)
			all[nall++] = x->t[i].qname;
	}
	for (size_t i = 0; i < x->nextra; i++)
		all[nall++] = x->extra[i];
	if (n == 0) {
		free(all);
		return 0;
	}
	struct strbuf list = STRBUF_INIT;
	for (size_t i = 0; i < nall; i++)
		strbuf_add_item(&list, all[i]);
	run_status(x->r, P_("emptying %zu target table", "emptying %zu target tables", n), n);
	char *sql = xasprintf("TRUNCATE ONLY %s", list.buf);
	int rc = nall ? pg_exec(d, sql, NULL) : 0;
	free(sql);
	strbuf_free(&list);
	bool *left = xcalloc(nall + 1, sizeof *left);
	for (size_t i = 0; i < nall; i++)
		left[i] = rc != 0;
	size_t nleft = rc == 0 ? 0 : nall;
	while (nleft > 0) {
		size_t progress = 0;
		char *e = NULL;
		ssize_t stuck = -1;
		for (size_t i = 0; i < nall; i++) {
			if (!left[i])
				continue;
			sql = xasprintf("DELETE FROM ONLY %s", all[i]);
			free(e);
			e = NULL;
			if (pg_exec(d, sql, &e) == 0) {
				left[i] = false;
				nleft--;
				progress++;
			} else {
				stuck = (ssize_t)i;
			}
			free(sql);
		}
		if (progress == 0) {
			fail(cause, _("%s: cannot empty the target table: %s"), all[stuck],
			     e ? e : "?");
			free(e);
			free(left);
			free(all);
			return -1;
		}
		free(e);
	}
	free(left);
	free(all);
	if (empty_config_rows(x, d, cause) != 0)
		return -1;
	for (size_t i = 0; i < x->nt; i++) {
		char *e = NULL;
		if (!x->t[i].skip && x->t[i].nonempty &&
		    state_table_set(x->r->state, x->t[i].state_key, TS_LOADING, &e) != 0) {
			fail(cause, _("cannot save the state of %s: %s"), x->t[i].qname,
			     e ? e : "?");
			free(e);
			return -1;
		}
	}
	return 0;
}

/* Say what the distance to the source (at version VERSION) made of the
 * copy: which tables (FAR, "a, b") are read as several streams, or why none is. */
static void say_link(struct copy_ctx *x, int version, const char *far)
{
	double ms = x->rtt * 1000;
	if (x->streams <= 1)
		run_status(x->r, _("source %.1f ms away: each table read as one stream"), ms);
	else if (version < 140000)
		run_finding(x->r, LEVEL_INFO, _("link"),
			    _("source %.0f ms away, but PostgreSQL %d cannot read block ranges "
			      "(14+): each table read as one stream"),
			    ms, pg_major(version));
	else if (far && *far)
		run_finding(
			x->r, LEVEL_INFO, _("link"),
			_("source %.0f ms away: %s read as %d streams each (block ranges of "
			  "the one snapshot), one stream being held to a window per round trip"),
			ms, far, x->streams);
	else
		run_finding(
			x->r, LEVEL_INFO, _("link"),
			_("source %.0f ms away: no table big enough to read as several streams"),
			ms);
}

/* Table T is to be loaded in parts: mark it "loading" and empty it. */
static int split_start(struct copy_ctx *x, const struct pg_copy_table *t, char **cause)
{
	char *e = NULL;
	if (state_table_set(x->r->state, t->state_key, TS_LOADING, &e) < 0) {
		fail(cause, _("cannot save the state of %s: %s"), t->qname, e ? e : "?");
		free(e);
		return -1;
	}
	return empty_table(x->d0, t, cause);
}

/* Split the tables to copy into pieces (copy_sched_parts): when asked
 * (split_bytes), a big table into one block range per job; from a far
 * source (x->streams > 1), the biggest into one per stream. Only when the
 * source scans TID ranges (PostgreSQL 14+). A split table is loaded in
 * several target transactions, so it is marked "loading" in the state and
 * emptied first; if any part fails, empty_unfinished empties it again and it
 * is not marked copied (a re-run empties it without asking). */
static int plan_pieces(struct copy_ctx *x, PGconn *holder, int jobs, char **cause)
{
	/* Near, off unless asked for (RDSM_COPY_SPLIT_BYTES = the smallest table
	 * to split). The parts commit one by one, so a crash (SIGKILL, power)
	 * between two commits leaves part of the table in the target: it stays
	 * "loading" in the state, the env step refuses to point the application
	 * at it and a re-run empties it, but the table is not atomic, which one
	 * transaction per table guarantees. It also did not pay here: on 2 cores
	 * running both servers, words at 80 and 240 MB took 1.08 s vs 1.01 s and
	 * 3.09 s vs 2.87 s split vs whole (the parts cannot COPY … FREEZE). Far,
	 * one stream is held to a window per round trip, and the parts pay. */
	int64_t split_min = x->o->split_bytes > 0 ? x->o->split_bytes : INT64_MAX;
	bool tid_ranges = PQserverVersion(holder) >= 140000;
	struct strbuf far = STRBUF_INIT;
	for (size_t i = 0; i < x->nt; i++) {
		const struct pg_copy_table *t = &x->t[i];
		if (t->skip)
			continue;
		int64_t blocks = t->est_bytes / x->block;
		int n = tid_ranges && t->cols && !t->filter
				? copy_sched_parts(t->est_bytes, x->est_bytes, blocks, jobs,
						   split_min, x->streams)
				: 1;
		if (n > 1 && split_start(x, t, cause) != 0) {
			strbuf_free(&far);
			return -1;
		}
		if (n > 1 && n == x->streams)
			strbuf_add_item(&far, t->qname);
		for (int k = 0; k < n; k++)
			copy_sched_copy(x->sched, (int)i, k, n, k == 0 ? -1 : blocks * k / n,
					k == n - 1 ? -1 : blocks * (k + 1) / n);
	}
	say_link(x, PQserverVersion(holder), far.buf);
	strbuf_free(&far);
	return 0;
}

/* After a failure: split tables with parts in but not all are emptied (they
 * stay "loading" in the state, so they never look copied). */
static void empty_unfinished(struct copy_ctx *x, PGconn *d)
{
	for (size_t i = 0; i < x->nt; i++) {
		bool split = false, started = false;
		for (size_t k = 0; k < x->sched->ntask; k++) {
			const struct copy_task *task = &x->sched->task[k];
			if (task->kind == TASK_COPY && task->table == (int)i) {
				split = task->nparts > 1;
				started = started || task->state != TASK_WAITING;
			}
		}
		if (!split || !started || x->sched->t[i].state == TABLE_LOADED)
			continue;
		char *e = NULL;
		if (empty_table(d, &x->t[i], &e) != 0)
			run_finding(x->r, LEVEL_WARN, x->t[i].qname,
				    _("holds part of its rows (%s); it is not marked copied, and a "
				      "re-run empties it"),
				    e ? e : "?");
		free(e);
	}
}

/* The snapshot's facts (RES: its SELECT's row), set in X and given to the
 * jobs, which wait for it; RTT: the round trip it took, which sets the
 * streams. 0, or -1 with a cause. */
static int snapshot_take(struct copy_ctx *x, const PGresult *res, PGconn *holder, double rtt,
			 char **snapshot, char **enc, char **cause)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		char *e = pg_result_error(res, holder);
		fail(cause, _("cannot open a snapshot on the source: %s"), e);
		free(e);
		return -1;
	}
	*snapshot = xstrdup(PQgetvalue(res, 0, 0));
	*enc = xstrdup(PQgetvalue(res, 0, 1));
	x->block = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	x->large_objects = PQgetvalue(res, 0, 3)[0] == 't';
	if (x->block <= 0)
		x->block = 8192;
	x->rtt = rtt;
	x->streams = copy_sched_streams(x->rtt);
	pthread_mutex_lock(&x->mu); /* the jobs wait for it */
	x->snapshot = *snapshot;
	x->src_encoding = *enc;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	return 0;
}

/* The snapshot's SELECT: its name (exported, or live mode's GIVEN, the
 * slot's, imported), the source's encoding and block size, and whether it
 * has large objects. Heap. */
static char *snapshot_select(const char *given)
{
	return xasprintf("SELECT %s%s%s, current_setting('server_encoding'), "
			 "current_setting('block_size'), "
			 "EXISTS (SELECT FROM pg_catalog.pg_largeobject_metadata)",
			 given ? "'" : "", given ? given : "pg_export_snapshot()",
			 given ? "'" : "");
}

/* Open the snapshot every job reads in: a repeatable-read transaction on
 * HOLDER (the schema step's connection when it left one), exported (live
 * mode imports the slot's, and so does every job); then the tables to copy
 * and, with post_data, the post-data plan (in the snapshot's transaction:
 * what is indexed is what is copied). One round trip, a pipeline of single
 * statements; its first answer times the distance to the source (x->rtt,
 * x->streams). */
static int open_snapshot(struct copy_ctx *x, PGconn **holder, char **snapshot, char **enc,
			 char **cause)
{
	run_status(x->r, _("opening a consistent snapshot on the source"));
	*holder = run_source_take(x->r, x->src_ci);
	if (!*holder &&
	    !(*holder = pg_connect(x->src_ci, PG_SOURCE, 30, &x->r->cancel, NULL, cause)))
		return -1;
	const char *given = x->o->snapshot;
	char *set = given ? xasprintf("SET TRANSACTION SNAPSHOT '%s'", given) : NULL;
	char *sel = snapshot_select(given);
	char *session = xstrdup(pg_copy_session_sql);
	const char *first[24];
	size_t n = 0, at;
	first[n++] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
	if (set)
		first[n++] = set;
	first[at = n++] = sel;
	char *save = NULL;
	for (char *p = strtok_r(session, ";", &save); p && n < sizeof first / sizeof *first;
	     p = strtok_r(NULL, ";", &save))
		first[n++] = p + strspn(p, " ");
	PGresult *res[sizeof first / sizeof *first] = {NULL};
	char *tables = tables_sql(*holder);
	struct pg_post_with with = {.first = first, .nfirst = n, .first_res = res, .also = tables};
	struct pg_post_plan **plan = x->o->post_data && !x->r->inspect ? &x->plan : NULL;
	int rc = plan ? pg_schema_post_plan(*holder, &with, plan, cause)
		      : pg_schema_read_with(*holder, &with, cause);
	if (rc == 0)
		rc = snapshot_take(x, res[at], *holder, with.first_s, snapshot, enc, cause);
	if (rc == 0)
		tables_take(with.also_res, NULL, &x->t, &x->nt);
	for (size_t i = 0; i < n; i++)
		PQclear(res[i]);
	PQclear(with.also_res);
	free(tables);
	free(session);
	free(sel);
	free(set);
	return rc;
}

/* Say what will be copied; tables that already hold rows are emptied only
 * when the user agrees (or --force). Sets the estimates. */
static int confirm_nonempty(struct copy_ctx *x, struct pg_copy_result *res, char **cause)
{
	struct run *r = x->r;
	struct strbuf nonempty = STRBUF_INIT;
	size_t nnon = 0;
	for (size_t i = 0; i < x->nt; i++) {
		struct pg_copy_table *t = &x->t[i];
		char sz[32];
		fmt_bytes(sz, sizeof sz, (double)t->est_bytes);
		if (t->skip) {
			run_finding(r, LEVEL_OK, t->qname, _("already copied: skipped"));
			res->skipped++;
			continue;
		}
		x->est_rows += t->est_rows;
		x->est_bytes += t->est_bytes;
		if (t->nonempty && state_table_get(r->state, t->state_key) == TS_LOADING) {
			/* parts of a split copy that did not finish: ours to empty */
			run_finding(
				r, LEVEL_INFO, t->qname,
				_("holds part of an unfinished copy: emptied and copied again"));
		} else if (t->nonempty) {
			nnon++;
			strbuf_add_item(&nonempty, t->qname);
		}
		if (r->inspect)
			run_finding(r, t->nonempty ? LEVEL_WARN : LEVEL_INFO, t->qname,
				    _("about %lld rows, %s%s"), (long long)t->est_rows, sz,
				    t->nonempty ? _("; the target table already holds rows") : "");
	}
	res->tables = x->nt;
	int rc = 0;
	if (nnon && !r->inspect && !x->o->force &&
	    !run_confirm(r,
			 P_("%zu target table already holds rows (%s): truncate and copy again?",
			    "%zu target tables already hold rows (%s): truncate and copy again?",
			    nnon),
			 nnon, nonempty.buf))
		rc = fail(
			cause,
			P_("target table %s already holds rows: empty it, or run with --force to "
			   "truncate",
			   "target tables %s already hold rows: empty them, or run with --force to "
			   "truncate",
			   nnon),
			nonempty.buf);
	strbuf_free(&nonempty);
	return rc;
}

/* Give the scheduler the post-data plan's groups, biggest table first (the
 * longest builds), and the foreign keys between tables copied now. */
static void plan_post_data(struct copy_ctx *x)
{
	size_t ng = x->plan->ngroups;
	int *table = xcalloc(ng ? ng : 1, sizeof *table);
	for (size_t g = 0; g < ng; g++)
		table[g] = find_table(x, x->plan->groups[g].table);
	x->plan_group = xcalloc(ng ? ng : 1, sizeof *x->plan_group);
	/* x->t is biggest first; groups of no table copied now come last */
	for (int want = 0; want <= (int)x->nt; want++)
		for (size_t g = 0; g < ng; g++) {
			if (want < (int)x->nt ? table[g] != want : table[g] >= 0)
				continue;
			const struct pg_post_group *grp = &x->plan->groups[g];
			size_t nindex = 0;
			bool tail = false;
			for (size_t k = 0; k < grp->n; k++) {
				nindex += grp->v[k].shared != 0;
				tail = tail || !grp->v[k].shared;
			}
			int sg = copy_sched_group(x->sched, table[g], nindex, tail);
			x->plan_group[sg] = g;
		}
	free(table);
	for (size_t k = 0; k < x->plan->nfks; k++) {
		int a = find_table(x, x->plan->fks[k].table),
		    b = find_table(x, x->plan->fks[k].ref);
		if (a >= 0 && b >= 0)
			copy_sched_fk(x->sched, (int)k, a, b);
	}
}

/* Start N more of the jobs' threads (COPY_ONLY: reading streams beyond the
 * jobs, for a far source): they connect, then wait for the snapshot and
 * for run_jobs. */
static void jobs_start(struct copy_ctx *x, int n, bool copy_only)
{
	for (int j = 0; j < n; j++) {
		struct job_arg *a = &x->args[x->nthreads];
		*a = (struct job_arg){
			.x = x, .copy_only = copy_only, .smallest = copy_only && j % 2};
		if (pthread_create(&x->th[x->nthreads], NULL, job_main, a) != 0)
			break;
		x->nthreads++;
	}
}

/* Tell the jobs' threads to work (GO) or to leave (STOP), and wait for
 * them to end. */
static void jobs_join(struct copy_ctx *x, bool go)
{
	pthread_mutex_lock(&x->mu);
	x->go = go;
	x->stop = !go;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	for (int j = 0; j < x->nthreads; j++)
		pthread_join(x->th[j], NULL);
	x->nthreads = 0;
}

/* Let the jobs run the scheduler's tasks until every task is done, or one
 * failed, or the run was interrupted; then count what was copied. */
static int run_jobs(struct copy_ctx *x, struct pg_copy_result *res, char **cause)
{
	char more[96] = "";
	if (x->readers)
		snprintf(more, sizeof more,
			 P_(" and %d more stream", " and %d more streams", x->readers), x->readers);
	run_status(x->r,
		   P_("copying %zu tables (%s COPY, %d job%s)",
		      "copying %zu tables (%s COPY, %d jobs%s)", x->jobs),
		   x->sched->copies_left, x->binary ? "binary" : "text", x->jobs, more);
	x->t0 = now_monotonic();
	int started = x->nthreads;
	jobs_join(x, true);
	if (started == 0) {
		x->failed = true;
		x->cause = xstrdup(_("cannot start the copy jobs"));
	}
	if (!x->failed && run_cancelled(x->r)) {
		x->failed = true;
		x->cause = xstrdup("interrupted");
	}
	total_progress(x, true);
	for (size_t i = 0; i < x->nt; i++)
		if (!x->t[i].skip && x->sched->t[i].state == TABLE_LOADED) {
			res->copied++;
			res->rows += x->t[i].rows;
			res->bytes += x->t[i].bytes;
		}
	if (!x->failed)
		return 0;
	free(*cause);
	*cause = x->cause;
	x->cause = NULL;
	return -1;
}

/* With every table in: large objects, the foreign keys whose tables were
 * not both copied now, and the rest of post-data in order (triggers, views,
 * sequence positions…), or the sequences alone without a plan. */
static int finish_copy(struct copy_ctx *x, PGconn *holder, PGconn *d, char **cause)
{
	struct run *r = x->r;
	if (x->large_objects && !x->o->no_large_objects &&
	    copy_large_objects(r, holder, d, cause) != 0)
		return -1;
	for (size_t k = 0; x->plan && k < x->plan->nfks; k++) {
		const struct pg_post_fk *fk = &x->plan->fks[k];
		if (find_table(x, fk->table) >= 0 && find_table(x, fk->ref) >= 0)
			continue; /* added by a job */
		run_status(r, "%s", fk->st.what);
		if (pg_schema_exec(d, &fk->st, cause) != 0)
			return post_data_failed(cause);
	}
	if (!x->plan) {
		run_status(r, _("setting sequences"));
		return pg_copy_sequences(r, holder, d, NULL, cause) < 0 ? -1 : 0;
	}
	if (x->plan->nfinal) { /* the plan sets sequence positions itself */
		run_status(r, _("post-data: foreign keys, triggers, views, sequences"));
		if (pg_exec(d, pg_copy_session_sql, cause) != 0 ||
		    pg_schema_exec_list(d, x->plan->final, x->plan->nfinal, r, cause) != 0)
			return post_data_failed(cause);
	}
	return 0;
}
#define MEASURE_ROWS 200000 /* rows of the largest table read to time the link */

/* The source link's rate: the bytes COPY TO STDOUT of the first MEASURE_ROWS
 * rows of T sends here, over the seconds it takes. 0 when it cannot tell. */
static double measure_rate(PGconn *src, const struct pg_copy_table *t)
{
	char *sql = xasprintf("COPY (SELECT * FROM ONLY %s LIMIT %d) TO STDOUT", t->qname,
			      MEASURE_ROWS);
	double t0 = now_monotonic();
	PGresult *res = PQexec(src, sql);
	free(sql);
	int64_t bytes = 0;
	if (PQresultStatus(res) == PGRES_COPY_OUT) {
		char *buf;
		int n;
		while ((n = PQgetCopyData(src, &buf, 0)) > 0) {
			bytes += n;
			PQfreemem(buf);
		}
		PQclear(res);
		res = PQgetResult(src);
	}
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	while ((res = PQgetResult(src)))
		PQclear(res);
	double secs = now_monotonic() - t0;
	return ok && bytes > 0 && secs > 0 ? (double)bytes / secs : 0;
}

void pg_copy_plan(struct run *r, PGconn *src, const struct pg_copy_table *t, size_t nt, bool force,
		  bool binary)
{
	int64_t rows = 0, bytes = 0;
	const struct pg_copy_table *largest = NULL;
	for (size_t i = 0; i < nt; i++) {
		if (t[i].skip)
			continue;
		if (t[i].nonempty && force && t[i].filter) /* the user's rows of a configuration */
			run_would(r, CHANGE_SQL, "DELETE FROM ONLY %s %s", t[i].qname, t[i].filter);
		else if (t[i].nonempty && force)
			run_would(r, CHANGE_SQL, "TRUNCATE ONLY %s", t[i].qname);
		run_would(r, CHANGE_SQL, "COPY %s%s%s%s FROM STDIN (FORMAT %s)", t[i].qname,
			  t[i].cols ? " (" : "", t[i].cols ? t[i].cols : "", t[i].cols ? ")" : "",
			  binary && t[i].binary ? "binary" : "text");
		rows += t[i].est_rows > 0 ? t[i].est_rows : 0;
		bytes += t[i].est_bytes;
		if (!largest || t[i].est_bytes > largest->est_bytes)
			largest = &t[i];
	}
	char b[32], rate_b[32], d[16];
	fmt_bytes(b, sizeof b, (double)bytes);
	double rate = largest ? measure_rate(src, largest) : 0;
	if (rate > 0) {
		fmt_bytes(rate_b, sizeof rate_b, rate);
		run_finding(
			r, LEVEL_INFO, _("to copy"),
			_("about %lld rows, %s on the source; about %s at the %s/s measured from "
			  "the source now (the target's side is not measured)"),
			(long long)rows, b, fmt_duration(d, sizeof d, (double)bytes / rate),
			rate_b);
	} else {
		run_finding(r, LEVEL_INFO, _("to copy"), _("about %lld rows, %s on the source"),
			    (long long)rows, b);
	}
}

int pg_copy_dry_run(struct run *r, const char *src_conninfo, char **cause)
{
	PGconn *src = pg_connect(src_conninfo, PG_SOURCE, 30, &r->cancel, NULL, cause);
	if (!src)
		return -1;
	struct pg_copy_table *t;
	size_t n;
	int rc = pg_copy_list_tables(src, NULL, &t, &n, cause);
	if (rc == 0) {
		apply_exclude(r, t, &n, config_get(r->cfg, CFG_MIGRATE_EXCLUDE_TABLES));
		pg_copy_plan(r, src, t, n, false, false);
		pg_copy_tables_free(t, n);
	}
	PQfinish(src);
	return rc;
}

void pg_copy_result_free(struct pg_copy_result *res)
{
	for (size_t i = 0; i < res->nanalyzed; i++)
		free(res->analyzed[i]);
	free(res->analyzed);
	res->analyzed = NULL;
	res->nanalyzed = 0;
}

int pg_copy_run(struct run *r, const char *src_ci, const char *dst_ci, const struct pg_copy_opts *o,
		struct pg_copy_result *out, char **cause)
{
	struct copy_ctx x = {
		.r = r, .o = o, .src_ci = src_ci, .dst_ci = dst_ci, .stall_s = o->stall_seconds};
	struct pg_copy_result res = {0};
	PGconn *holder = NULL, *d = NULL;
	char *snapshot = NULL, *enc = NULL;
	int rc = -1;
	double t0 = now_monotonic();
	int jobs = o->jobs < 1 ? 1 : o->jobs > 32 ? 32 : o->jobs;
	pthread_mutex_init(&x.mu, NULL);
	pthread_cond_init(&x.cv, NULL);

	x.jobs = jobs;
	if (!r->inspect)
		jobs_start(&x, jobs, false);
	if (open_snapshot(&x, &holder, &snapshot, &enc, cause) != 0)
		goto out;
	x.readers = !r->inspect && x.streams > jobs ? x.streams - jobs : 0;
	jobs_start(&x, x.readers, true);
	apply_exclude(r, x.t, &x.nt, o->exclude);
	if (!(d = pg_connect(dst_ci, PG_TARGET, 30, &r->cancel, NULL, cause)))
		goto out;
	x.binary = o->allow_binary &&
		   pg_major(PQserverVersion(d)) >= pg_major(PQserverVersion(holder));
	res.binary = x.binary;
	if (check_targets(r, d, x.t, &x.nt, cause) != 0 || read_target_fks(&x, d, cause) != 0 ||
	    close_over_references(r, &x, d, cause) != 0 || confirm_nonempty(&x, &res, cause) != 0)
		goto out;
	if (r->inspect) {
		if (r->dry_run)
			pg_copy_plan(r, holder, x.t, x.nt, o->force, x.binary);
		free(*cause);
		*cause = xasprintf(_("%zu tables to copy, %zu already copied"), x.nt - res.skipped,
				   res.skipped);
		rc = 0;
		goto out;
	}

	bool *skip = xcalloc(x.nt + 1, sizeof *skip);
	for (size_t i = 0; i < x.nt; i++)
		skip[i] = x.t[i].skip;
	x.sched = copy_sched_new(x.nt, skip);
	x.sched->readers = x.readers;
	free(skip);
	x.tstart = xcalloc(x.nt + 1, sizeof *x.tstart);
	x.tmsgs = xcalloc(x.nt + 1, sizeof *x.tmsgs);
	x.tbytes = xcalloc(x.nt + 1, sizeof *x.tbytes);
	x.d0 = d;
	if (x.plan)
		plan_post_data(&x);
	for (size_t i = 0; i < x.nt; i++) /* partitions: through their parent, after */
		if (!x.t[i].skip && !x.t[i].partition)
			copy_sched_analyze(x.sched, (int)i);
	load_refs(&x);
	if (empty_targets(&x, d, cause) != 0 || plan_pieces(&x, holder, jobs, cause) != 0)
		goto out;
	if (run_jobs(&x, &res, cause) != 0) {
		empty_unfinished(&x, d);
		goto out;
	}
	if (x.batches)
		run_detail(
			r,
			"%zu small tables' COPYs sent in %zu queries (no round trip between them)",
			x.batched, x.batches);
	if (finish_copy(&x, holder, d, cause) != 0)
		goto out;
	rc = 0;
out:
	if (x.nthreads)
		jobs_join(&x, false);
	res.seconds = now_monotonic() - t0;
	for (size_t i = 0; i < x.nt; i++)
		if (x.t[i].analyzed) {
			res.analyzed =
				xrealloc(res.analyzed, (res.nanalyzed + 1) * sizeof *res.analyzed);
			res.analyzed[res.nanalyzed++] = xstrdup(x.t[i].qname);
		}
	if (out)
		*out = res;
	else
		pg_copy_result_free(&res);
	if (x.plan)
		pg_post_plan_free(x.plan);
	PQclear(x.fks);
	copy_sched_free(x.sched);
	free(x.plan_group);
	free(x.tstart);
	free(x.tmsgs);
	free(x.tbytes);
	for (size_t i = 0; i < x.nextra; i++)
		free(x.extra[i]);
	free(x.extra);
	free(x.cause);
	pg_copy_tables_free(x.t, x.nt);
	free(snapshot);
	free(enc);
	if (d)
		PQfinish(d);
	if (holder)
		PQfinish(holder);
	pthread_mutex_destroy(&x.mu);
	pthread_cond_destroy(&x.cv);
	return rc;
}

/* One table's rows from the source to the target with COPY: start, stream,
 * finish, and one way out on failure. */
#include "copy_stream.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pg_conn.h"
#include "pg_copy.h"
#include "util.h"

#define PROGRESS_ROWS 4096 /* rows between progress calls and interruption checks */

/* A stream under way: the connections and what is open on each. */
struct stream {
	struct copy_stream *cs;
	PGconn *s, *d;
	char part[48];    /* " (part 2 of 4)", or "" */
	bool src_copying; /* the source's COPY TO is under way */
	bool dst_txn;     /* the target transaction is open */
	bool dst_copying; /* the target's COPY FROM is under way */
	bool nonblocking; /* D is in nonblocking mode */
	bool dst_gone;    /* D is of no more use (data queued it does not take, or a
			    * commit cut short): nothing more is said to it */
};

/* Why a wait on the network stopped early: the run was interrupted (or the
 * copy failed in another job), or the peer stalled. NULL: go on. FINISHING
 * (the COPY's end and commit, sent already): another job's failure does not
 * stop it and an interruption only after a few seconds' grace, so a table
 * whose commit a live server is making is not left committed but not marked
 * copied. */
static const char *wait_stopped(const struct copy_stream *cs, double quiet_since, bool finishing)
{
	double quiet = now_monotonic() - quiet_since;
	if (atomic_load(cs->cancel) && (!finishing || quiet >= 5))
		return "interrupted";
	if (atomic_load(cs->failed) && !finishing)
		return "interrupted";
	if (quiet >= cs->stall_s)
		return "stalled";
	return NULL;
}

/* Wait up to 250 ms for FD to be ready for EVENTS (a signal ends it early). */
static int wait_fd(int fd, short events, short *revents)
{
	struct pollfd pf = {.fd = fd, .events = events};
	int pr = poll(&pf, 1, 250);
	*revents = pr > 0 ? pf.revents : 0;
	return pr < 0 && errno != EINTR ? -1 : 0;
}

/* The next row of the source's COPY TO (PQgetCopyData's result and *BUF),
 * waiting in steps so that an interruption or a source that stopped sending
 * ends the wait: then -3 with *WHY. */
static int source_row(struct stream *st, char **buf, const char **why)
{
	double quiet_since = now_monotonic();
	for (;;) {
		int n = PQgetCopyData(st->s, buf, 1);
		if (n != 0)
			return n;
		if ((*why = wait_stopped(st->cs, quiet_since, false)))
			return -3;
		short rev;
		if (wait_fd(PQsocket(st->s), POLLIN, &rev) != 0 || (rev && !PQconsumeInput(st->s)))
			return -2;
	}
}

/* Wait until what is queued for the target is sent: 1, -1 on a connection
 * error, -3 with *WHY when interrupted or the target stopped taking data. */
static int target_flush(struct stream *st, bool finishing, const char **why)
{
	double quiet_since = now_monotonic();
	for (;;) {
		int f = PQflush(st->d);
		if (f <= 0)
			return f == 0 ? 1 : -1;
		if ((*why = wait_stopped(st->cs, quiet_since, finishing)))
			return -3;
		short rev;
		if (wait_fd(PQsocket(st->d), POLLOUT | POLLIN, &rev) != 0 ||
		    ((rev & POLLIN) && !PQconsumeInput(st->d)))
			return -1;
	}
}

/* Send N bytes of COPY data to the target: as target_flush. */
static int target_put(struct stream *st, const char *data, int n, const char **why)
{
	if (PQputCopyData(st->d, data, n) != 1)
		return -1;
	return target_flush(st, false, why);
}

/* Wait until the target's next result is in (so PQgetResult does not
 * block): 1, -1, or -3 with *WHY, as target_flush. */
static int target_wait(struct stream *st, bool finishing, const char **why)
{
	double quiet_since = now_monotonic();
	while (PQisBusy(st->d)) {
		if ((*why = wait_stopped(st->cs, quiet_since, finishing)))
			return -3;
		short rev;
		if (wait_fd(PQsocket(st->d), POLLIN, &rev) != 0 || (rev && !PQconsumeInput(st->d)))
			return -1;
	}
	return 1;
}

/* What WHY (from a wait) means, for a message about SIDE. Heap. */
static char *stopped_text(const struct stream *st, const char *side, const char *why)
{
	if (strcmp(why, "stalled") != 0)
		return xstrdup(why);
	return strcmp(side, "source") == 0 ? xasprintf(_("the source sent nothing for %.0f s (a "
							 "server stopped or hung?); "
							 "run again once it answers"),
						       st->cs->stall_s)
					   : xasprintf(_("target: it took nothing for %.0f s (a "
							 "server stopped or hung?); "
							 "run again once it answers"),
						       st->cs->stall_s);
}

/* The one way out of a failed stream. WHAT (heap, taken) says what failed;
 * NULL: the target did, and its own error says why. Stops what is under way:
 * the source's COPY is cancelled (the connection is closed next, never
 * drained: a stopped server would hang us), the target's COPY is ended and
 * its transaction rolled back, unless the target holds data it does not
 * take (then nothing more is said to it: closing it rolls back). Then
 * "TABLE[ (part …)]: WHAT; the target table was left empty[. Hint: …]". */
static int stream_fail(struct stream *st, char *what, const char *hint, char **cause)
{
	struct copy_stream *cs = st->cs;
	if (st->src_copying && !cs->src_broken) {
		PGcancel *cn = PQgetCancel(st->s);
		char err[256];
		if (cn) {
			PQcancel(cn, err, sizeof err);
			PQfreeCancel(cn);
		}
	}
	if (st->src_copying)
		cs->src_broken = true;
	if (st->nonblocking && !st->dst_gone && PQsetnonblocking(st->d, 0) != 0)
		st->dst_gone = true;
	char *derr = NULL;
	PGresult *res = NULL;
	if (!st->dst_gone && st->dst_copying) {
		PQputCopyEnd(st->d, what ? "aborted" : "failed");
		while ((res = PQgetResult(st->d))) {
			if (!what && !derr && PQresultStatus(res) == PGRES_FATAL_ERROR) {
				derr = pg_result_error(res, st->d);
				hint = pg_failure_hint(res, st->d, derr);
			}
			PQclear(res);
		}
	}
	if (!st->dst_gone && st->dst_txn)
		pg_exec(st->d, "ROLLBACK", NULL);
	if (!what) {
		if (!derr) {
			derr = xstrdup(pg_errline(st->d, (char[256]){0}, 256));
			hint = pg_failure_hint(NULL, st->d, derr);
		}
		what = xasprintf("target: %s", derr);
	}
	fail(cause, _("%s%s: %s; the target table was left empty%s%s"), cs->t->qname, st->part,
	     what, hint ? ". Hint: " : "", hint ? hint : "");
	free(derr);
	free(what);
	return -1;
}

/* Empty a whole table in the stream's transaction, so its COPY can FREEZE.
 * One referenced by a foreign key cannot be (post-data already ran): it was
 * emptied before and is only checked to be empty (a DELETE could cascade
 * into other tables); then no FREEZE. An extension's configuration table
 * keeps the extension's rows: only the user's go (none, since they were
 * emptied before, so nothing cascades), and no FREEZE. */
static int empty_whole(struct stream *st, bool *freeze, char **cause)
{
	const struct pg_copy_table *t = st->cs->t;
	if (t->filter) {
		*freeze = false;
		char *del = xasprintf("DELETE FROM ONLY %s %s", t->qname, t->filter);
		int rc = pg_exec(st->d, del, NULL);
		free(del);
		return rc == 0 ? 0 : stream_fail(st, NULL, NULL, cause);
	}
	char *sql = xasprintf("TRUNCATE ONLY %s", t->qname);
	int rc = pg_exec(st->d, sql, NULL);
	free(sql);
	*freeze = rc == 0;
	if (rc == 0)
		return 0;
	pg_exec(st->d, "ROLLBACK", NULL);
	st->dst_txn = false;
	char *e = NULL, *v = NULL;
	if (pg_exec(st->d, "BEGIN", &e) == 0) {
		st->dst_txn = true;
		sql = xasprintf("SELECT EXISTS (SELECT 1 FROM ONLY %s)", t->qname);
		v = pg_value(st->d, sql, &e);
		free(sql);
	}
	if (!v) {
		char *what = xasprintf("target: %s", e ? e : "?");
		const char *hint = pg_failure_hint(NULL, st->d, what);
		free(e);
		return stream_fail(st, what, hint, cause);
	}
	bool has_rows = strcmp(v, "f") != 0;
	free(v);
	if (!has_rows)
		return 0;
	/* not ours to empty: say so, and leave it as it is */
	pg_exec(st->d, "ROLLBACK", NULL);
	return fail(cause, _("%s: the target table got rows since it was emptied; run again"),
		    t->qname);
}

char *copy_stream_source_sql(const struct copy_stream *cs)
{
	const struct pg_copy_table *t = cs->t;
	const char *format = cs->binary ? "binary" : "text";
	if (cs->nparts == 1 && t->filter)
		return xasprintf("COPY (SELECT %s FROM ONLY %s %s) TO STDOUT (FORMAT %s)",
				 t->cols ? t->cols : "", t->qname, t->filter, format);
	if (cs->nparts == 1)
		return xasprintf("COPY %s%s%s%s TO STDOUT (FORMAT %s)", t->qname,
				 t->cols ? " (" : "", t->cols ? t->cols : "", t->cols ? ")" : "",
				 format);
	char from[48] = "", to[48] = "";
	if (cs->from >= 0)
		snprintf(from, sizeof from, " AND ctid >= '(%lld,0)'::tid", (long long)cs->from);
	if (cs->to >= 0)
		snprintf(to, sizeof to, " AND ctid < '(%lld,0)'::tid", (long long)cs->to);
	return xasprintf("COPY (SELECT %s FROM ONLY %s WHERE true%s%s) TO STDOUT (FORMAT %s)",
			 t->cols ? t->cols : "", t->qname, from, to, format);
}

/* Open the target transaction and both COPYs. */
static int stream_start(struct stream *st, char **cause)
{
	struct copy_stream *cs = st->cs;
	const struct pg_copy_table *t = cs->t;
	bool whole = cs->nparts == 1, freeze = false;
	if (pg_exec(st->d, "BEGIN", NULL) != 0)
		return stream_fail(st, NULL, NULL, cause);
	st->dst_txn = true;
	if (whole && empty_whole(st, &freeze, cause) != 0)
		return -1;
	/* A table without columns (or with only generated ones) has rows all
	 * the same: COPY without a column list carries how many. */
	const char *format = cs->binary ? "binary" : "text";
	char *collist = t->cols ? xasprintf(" (%s)", t->cols) : xstrdup("");
	char *sql = xasprintf("COPY %s%s FROM STDIN (FORMAT %s%s)", t->qname, collist, format,
			      freeze ? ", FREEZE" : "");
	PGresult *res = pg_query(st->d, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		char *e = pg_result_error(res, st->d);
		const char *hint = pg_failure_hint(res, st->d, e);
		PQclear(res);
		free(collist);
		char *what = xasprintf(_("target COPY: %s"), e);
		free(e);
		return stream_fail(st, what, hint, cause);
	}
	PQclear(res);
	free(collist);
	st->dst_copying = true;
	if (cs->src_sent) {
		res = pg_next_result(st->s);
	} else {
		sql = cs->src_sql ? xstrdup(cs->src_sql) : copy_stream_source_sql(cs);
		if (cs->src_setup) { /* a far source: one round trip, not two */
			char *both = xasprintf("%s; %s", cs->src_setup, sql);
			free(sql);
			sql = both;
			cs->src_setup = NULL;
		}
		res = pg_query(st->s, sql);
		free(sql);
	}
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		char *e = pg_result_error(res, st->s);
		const char *hint = pg_failure_hint(res, st->s, e);
		PQclear(res);
		cs->src_broken = true;
		char *what = xasprintf(_("source COPY: %s"), e);
		free(e);
		return stream_fail(st, what, hint, cause);
	}
	PQclear(res);
	st->src_copying = true;
	return 0;
}

/* Report what moved since the last call (also the interruption check). */
static void tell(struct copy_stream *cs, int64_t *rows_told, int64_t *bytes_told, int64_t rows,
		 int64_t bytes)
{
	if (cs->progress)
		cs->progress(cs->ctx, cs, rows - *rows_told, bytes - *bytes_told);
	*rows_told = rows;
	*bytes_told = bytes;
}

/* Move the rows: read each from the source, gather them in the chunk, send
 * full chunks to the target; the target in nonblocking mode, so that every
 * wait on either side ends on an interruption. */
static int stream_rows(struct stream *st, char **cause)
{
	struct copy_stream *cs = st->cs;
	size_t fill = 0;
	int64_t msgs = 0, bytes = 0, msgs_told = 0, bytes_told = 0;
	char *what = NULL;
	const char *hint = NULL, *why = NULL;
	PQsetnonblocking(st->d, 1);
	st->nonblocking = true;
	for (;;) {
		char *buf;
		int n = source_row(st, &buf, &why);
		if (n == -1)
			break; /* the source's COPY ended */
		if (n < -1) {
			cs->src_broken = true;
			if (n == -3) {
				what = stopped_text(st, "source", why);
			} else {
				what = xasprintf("source: %s",
						 pg_errline(st->s, (char[256]){0}, 256));
				hint = pg_failure_hint(NULL, st->s, what);
			}
			break;
		}
		int put = 1;
		if (fill + (size_t)n > cs->chunksz && fill) {
			put = target_put(st, cs->chunk, (int)fill, &why);
			fill = 0;
		}
		if (put == 1 && (size_t)n > cs->chunksz) {
			put = target_put(st, buf, n, &why);
		} else if (put == 1) {
			memcpy(cs->chunk + fill, buf, (size_t)n);
			fill += (size_t)n;
		}
		PQfreemem(buf);
		if (put != 1) {
			tell(cs, &msgs_told, &bytes_told, msgs, bytes);
			/* -1: the target's own error says why (NULL) */
			return stream_fail(st, put == -3 ? stopped_text(st, "target", why) : NULL,
					   NULL, cause);
		}
		msgs++;
		bytes += n;
		if (msgs % PROGRESS_ROWS == 0) {
			tell(cs, &msgs_told, &bytes_told, msgs, bytes);
			if (atomic_load(cs->cancel) || atomic_load(cs->failed)) {
				what = xstrdup("interrupted");
				break;
			}
		}
	}
	tell(cs, &msgs_told, &bytes_told, msgs, bytes);
	if (!what && fill) {
		int put = target_put(st, cs->chunk, (int)fill, &why);
		if (put != 1)
			return stream_fail(st, put == -3 ? stopped_text(st, "target", why) : NULL,
					   NULL, cause);
	}
	if (what)
		return stream_fail(st, what, hint, cause);
	st->src_copying = false;
	cs->rows = msgs;
	cs->bytes = bytes;
	return 0;
}

/* The source's COPY result (its row count), then the end of the target's
 * COPY and the commit, waited for like the rows. */
static int stream_finish(struct stream *st, char **cause)
{
	struct copy_stream *cs = st->cs;
	PGresult *res = PQgetResult(st->s);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		char *e = pg_result_error(res, st->s);
		const char *hint = pg_failure_hint(res, st->s, e);
		PQclear(res);
		while ((res = PQgetResult(st->s)))
			PQclear(res);
		cs->src_broken = true;
		char *what = xasprintf("source: %s", e);
		free(e);
		return stream_fail(st, what, hint, cause);
	}
	if (*PQcmdTuples(res))
		cs->rows = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	while (!cs->src_more && (res = PQgetResult(st->s))) /* the query's end */
		PQclear(res);

	const char *why = NULL, *hint = NULL;
	char *derr = NULL;
	int w = PQputCopyEnd(st->d, NULL) == 1 ? target_flush(st, true, &why) : -1;
	bool ended = w == 1;
	while (w == 1 && (w = target_wait(st, true, &why)) == 1 && (res = PQgetResult(st->d))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !derr) {
			derr = pg_result_error(res, st->d);
			hint = pg_failure_hint(res, st->d, derr);
		}
		PQclear(res);
	}
	st->dst_copying = false;
	if (w == 1 && PQsendQuery(st->d, derr ? "ROLLBACK" : "COMMIT") == 1 &&
	    (w = target_flush(st, true, &why)) == 1) {
		while ((w = target_wait(st, true, &why)) == 1 && (res = PQgetResult(st->d))) {
			if (PQresultStatus(res) != PGRES_COMMAND_OK && !derr) {
				char *e = pg_result_error(res, st->d);
				derr = xasprintf("commit: %s", e);
				free(e);
				hint = _("run again");
			}
			PQclear(res);
		}
	} else if (w == 1) {
		w = -1;
	}
	st->dst_txn = false;
	if (w != 1) { /* cut short: closing the connection rolls back */
		st->dst_gone = true;
		free(derr);
		return stream_fail(st, w == -3 ? stopped_text(st, "target", why) : NULL, NULL,
				   cause);
	}
	PQsetnonblocking(st->d, 0); /* nothing is queued now */
	st->nonblocking = false;
	if (!ended || derr) { /* rolled back above */
		char *what = derr ? xasprintf("target: %s", derr) : NULL;
		free(derr);
		return stream_fail(st, what, hint, cause);
	}
	return 0;
}

int copy_stream_run(struct copy_stream *cs, PGconn *s, PGconn *d, char **cause)
{
	struct stream st = {.cs = cs, .s = s, .d = d};
	cs->rows = cs->bytes = 0;
	if (cs->nparts > 1)
		snprintf(st.part, sizeof st.part, " (part %d of %d)", cs->part + 1, cs->nparts);
	if (stream_start(&st, cause) != 0 || stream_rows(&st, cause) != 0 ||
	    stream_finish(&st, cause) != 0)
		return -1;
	return 0;
}

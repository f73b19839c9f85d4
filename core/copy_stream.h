/* One COPY of a table's rows (or of one block range of them) from a source
 * connection, in the copy's snapshot, to a target connection, in a target
 * transaction of its own: start, stream, finish. Every failure leaves by one
 * exit, which stops what is under way on both sides (the source's COPY
 * cancelled, the target's ended and rolled back), leaves the target table as
 * it was (empty), and says which side failed and what to do. Every wait on
 * the network is bounded and ends on an interruption. */
#ifndef RDSM_COPY_STREAM_H
#define RDSM_COPY_STREAM_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pg_copy_table;

struct copy_stream {
	/* what */
	const struct pg_copy_table *t;
	int part, nparts; /* part PART of NPARTS; 1: the whole table (emptied first, FREEZE) */
	int64_t from, to; /* blocks [from, to) of a part; -1: no bound */
	bool binary;      /* binary COPY (both servers and every column type allow it) */
	/* how */
	char *chunk; /* a buffer the rows are gathered in before they are sent */
	size_t chunksz;
	double stall_s;       /* a side that moves no byte this long is given up as hung */
	atomic_int *cancel;   /* the run was interrupted */
	_Atomic bool *failed; /* another job's failure: stop too */
	/* every few thousand rows and at the end: what moved since the last call */
	void (*progress)(void *ctx, struct copy_stream *cs, int64_t rows, int64_t bytes);
	void *ctx;
	double shown_at; /* the caller's: when it last showed this stream's progress */
	/* statements the source connection needs first (a new one: the session and
	 * the snapshot), sent with the COPY in one round trip; set to NULL once
	 * sent */
	const char *src_setup;
	/* several COPYs in one query (small tables from a far source: no round
	 * trip between them): SRC_SQL, when set, is what this stream sends
	 * instead of its own COPY (which comes first in it); SRC_SENT: an
	 * earlier stream's query holds this one's COPY, whose start is only
	 * awaited; SRC_MORE: more COPYs of the query follow this one's */
	const char *src_sql;
	bool src_sent, src_more;
	/* results */
	int64_t rows, bytes;
	bool src_broken; /* the source connection is of no more use: close it */
};

/* Copy CS's rows from S to D. 0 with cs->rows and cs->bytes; -1 with a
 * cause, the target table left empty. When cs->src_broken is set, S must be
 * closed; after any failure D must be closed or used for a new transaction
 * only (the caller's job closes it). */
int copy_stream_run(struct copy_stream *cs, PGconn *s, PGconn *d, char **cause);

/* CS's COPY … TO STDOUT on the source. Heap. */
char *copy_stream_source_sql(const struct copy_stream *cs);

#endif

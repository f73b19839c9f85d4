/* Which piece of the data copy runs next. The copy is a table of tasks: a
 * COPY of one table (or of one block range of a split table), one index
 * build or the rest of a table's post-data group, one foreign key. Each task
 * is WAITING, RUNNING or DONE; copy_sched_pick chooses the next one from
 * those states alone (no I/O, no locks: the caller holds its own), so its
 * decisions are unit-tested without a server (tests/unit/test_copy_sched.c).
 *
 * The policy: post-data first (it lets a table's foreign keys and what waits
 * on them go on), the rest of a group once its index builds are done, then a
 * foreign key whose two tables are loaded and indexed and not locked by
 * another key being added, then the next COPY, biggest table first, whose
 * referenced tables (foreign keys already on the target) are loaded; when a
 * cycle leaves none ready and no COPY runs, any COPY; last, when no COPY
 * can start, the ANALYZE of a table whose rows, indexes and keys are in
 * (so the statistics cover its expression indexes). */
#ifndef RDSM_COPY_SCHED_H
#define RDSM_COPY_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum copy_task_kind {
	TASK_COPY,    /* a table's rows, or one part of them */
	TASK_INDEX,   /* one CREATE INDEX of a post-data group (may run beside its siblings) */
	TASK_TAIL,    /* the rest of a group, in order, once its index builds are done */
	TASK_FK,      /* a foreign key between two tables of the copy */
	TASK_ANALYZE, /* a table's planner statistics */
};

enum copy_task_state { TASK_WAITING, TASK_RUNNING, TASK_DONE };

struct copy_task {
	enum copy_task_kind kind;
	enum copy_task_state state;
	int table;        /* the table it belongs to (for TASK_FK the referencing one); -1: none */
	int ref;          /* TASK_FK: the referenced table */
	int group;        /* TASK_INDEX, TASK_TAIL: the post-data group */
	int item;         /* TASK_INDEX: the statement in the group; TASK_FK: the key in the plan */
	int part, nparts; /* TASK_COPY: part PART of NPARTS (1 for a whole table) */
	int64_t from, to; /* TASK_COPY: blocks [from, to); -1: no bound */
};

enum copy_table_state {
	TABLE_WAITING, /* no part started */
	TABLE_LOADING, /* a part started */
	TABLE_LOADED,  /* every part is in (or it is not copied now: skipped) */
};

struct copy_sched_table {
	enum copy_table_state state;
	int *refs; /* tables it references through foreign keys already on the target */
	size_t nrefs;
	size_t parts_left;  /* its TASK_COPY tasks not done */
	size_t groups_left; /* its post-data groups not done */
	bool locked; /* a foreign key on it is being added, or it is being analyzed (the locks
		      * conflict) */
};

struct copy_sched_group {
	int table;         /* -1: a group of no table of the copy (ready once all rows are in) */
	size_t index_left; /* TASK_INDEX tasks not done */
	bool tail, done;
};

struct copy_sched {
	struct copy_sched_table *t;
	size_t nt;
	struct copy_sched_group *g;
	size_t ng;
	struct copy_task *task;
	size_t ntask;
	size_t copies_left; /* tables not loaded */
	int readers;        /* streams that only read, beyond the jobs (a far source) */
};

/* A schedule over NT tables, all waiting; SKIP[i] (may be NULL) marks the
 * tables already copied: loaded from the start. */
struct copy_sched *copy_sched_new(size_t nt, const bool *skip);
void copy_sched_free(struct copy_sched *s);

/* Table TABLE references REF through a foreign key on the target: its rows
 * go in after REF's. */
void copy_sched_ref(struct copy_sched *s, int table, int ref);
/* A COPY task: part PART of NPARTS of TABLE, blocks [FROM, TO). Add them
 * biggest table first: that is the order they are picked in. */
void copy_sched_copy(struct copy_sched *s, int table, int part, int nparts, int64_t from,
		     int64_t to);
/* A post-data group of TABLE (or -1) with NINDEX index builds and, with
 * TAIL, statements after them; returns its number. A group with neither is
 * done at once. Groups are picked in the order they are added. */
int copy_sched_group(struct copy_sched *s, int table, size_t nindex, bool tail);
/* A foreign key (ITEM in the plan) from TABLE to REF, both of the copy. */
void copy_sched_fk(struct copy_sched *s, int item, int table, int ref);
/* The ANALYZE of TABLE, once its rows, indexes and keys are in. Add it
 * after the table's groups and keys. */
void copy_sched_analyze(struct copy_sched *s, int table);

/* The next task to start now, or NULL: none can start until a running one
 * is done, or none is left (copy_sched_exhausted). Changes nothing. With
 * readers, a job does not start a COPY while the last parts of a split table
 * stream: the readers keep the link busy, and the jobs are free for that
 * table's index builds (the copy's longest post-data) the moment its rows
 * are in. */
struct copy_task *copy_sched_pick(const struct copy_sched *s);
/* The next COPY to start now, for a stream that only reads (beyond the
 * jobs): no post-data; first a part of a split table (the biggest, split
 * because one stream cannot fill a far link: every stream on it, so that its
 * rows are in early and its index builds run while the rest streams), then
 * the biggest table, or with SMALLEST the smallest: half the readers take
 * the small tables, whose round trips then pass while the others fill the
 * link with the big ones. */
struct copy_task *copy_sched_pick_copy(const struct copy_sched *s, bool smallest);
/* Whether a COPY task is still waiting. */
bool copy_sched_copies_waiting(const struct copy_sched *s);

/* The far link. One TCP stream moves at most its window per round trip
 * (COPY_STREAM_WINDOW: Linux's largest default send buffer, tcp_wmem, which
 * the source's side of a stream is held to), so from a source RTT away a
 * single COPY cannot fill a link of COPY_LINK_RATE (what a cloud region's
 * egress gives one client): the biggest tables are then read as several
 * streams, block ranges of the one snapshot. Below COPY_FAR_RTT a stream
 * fills the link and splitting only costs (the parts cannot COPY … FREEZE).
 * A table under COPY_FAR_SPLIT_MIN is not worth the parts. */
#define COPY_FAR_RTT       0.020 /* seconds: beyond a busy machine's own delays */
#define COPY_LINK_RATE     100e6 /* bytes/s */
#define COPY_STREAM_WINDOW 4194304.0
#define COPY_MAX_STREAMS   8
#define COPY_FAR_SPLIT_MIN (8 * 1048576LL)
/* A table smaller than a window takes about one round trip to move, as much
 * as its COPY's start: a reader taking the small tables sends up to
 * COPY_BATCH_MAX such COPYs (COPY_BATCH_BYTES in all) as one query. */
#define COPY_BATCH_MAX   16
#define COPY_BATCH_BYTES (4 * (int64_t)COPY_STREAM_WINDOW)

/* How many streams to read one table with from a source RTT_S seconds
 * away: 1 when near, else enough windows in flight to fill COPY_LINK_RATE
 * and one more, 2 to COPY_MAX_STREAMS. */
int copy_sched_streams(double rtt_s);
/* How many parts (block ranges) to copy a table of BYTES (BLOCKS blocks) in,
 * of TOTAL bytes to copy: one per job when it is at least SPLIT_MIN (the
 * RDSM_COPY_SPLIT_BYTES knob) and more than a job's share; STREAMS
 * (copy_sched_streams) when that is more, the table is at least
 * COPY_FAR_SPLIT_MIN and more than a stream's share. Never more parts than
 * blocks. */
int copy_sched_parts(int64_t bytes, int64_t total, int64_t blocks, int jobs, int64_t split_min,
		     int streams);

/* TASK starts running. */
void copy_sched_start(struct copy_sched *s, struct copy_task *task);
/* TASK is done (successfully: a failed copy stops picking altogether).
 * Returns true when it was the last part of its table (now loaded). */
bool copy_sched_done(struct copy_sched *s, struct copy_task *task);
/* Whether no task is left waiting. */
bool copy_sched_exhausted(const struct copy_sched *s);

#endif

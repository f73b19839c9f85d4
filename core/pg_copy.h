/* The data copy: every table streamed source→target with COPY from one
 * exported snapshot, in parallel jobs, biggest first, each table in its own
 * target transaction; post-data (indexes, constraints…) built per table as
 * soon as its rows are in, a table's index builds side by side, and foreign
 * keys between plain tables added as soon as both tables are indexed.
 *
 * Only when asked (split_bytes, off by default) is a table bigger
 * than that (and more than a job's share) split into one block range per job
 * when the source is PostgreSQL 14+ (TID range scans). Its parts commit
 * separately, so a crash can leave part of it in; the rule is: the table is marked
 * "loading" in the state and emptied before the first part; if any part
 * fails (or the run is interrupted) it is emptied again and stays "loading",
 * never "copied"; a re-run empties a "loading" table without asking and
 * copies it again, and the env step refuses while one is "loading". Only
 * when every part is in is it marked "copied". */
#ifndef RDSM_PG_COPY_H
#define RDSM_PG_COPY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct run;

/* One table to copy. */
struct pg_copy_table {
	char *schema;
	char *name;
	char *qname;     /* quote_ident(schema).quote_ident(name) */
	char *cols;      /* quoted column list, generated columns left out */
	char *state_key; /* state_table_key() */
	/* an extension's configuration table (pg_extension_config_dump): the
	 * condition that picks the rows that are the user's, as pg_dump copies
	 * them ("WHERE …", or "" for all); NULL for a table of the user's own.
	 * Its other rows are the extension's, made by CREATE EXTENSION on the
	 * target: never emptied, never compared. */
	char *filter;
	int64_t est_rows;
	int64_t est_bytes; /* heap size on the source */
	bool binary;       /* every column type has a portable binary form */
	bool partition;    /* a leaf partition (analyzed through its parent) */
	/* filled by the copy */
	bool skip;     /* already copied and verified */
	bool nonempty; /* the target table holds rows */
	int64_t rows;
	int64_t bytes;
	double seconds;
	bool analyzed; /* its ANALYZE ran, once its rows, indexes and keys were in */
};

struct pg_copy_opts {
	int jobs;              /* parallel jobs, 1-32 */
	const char *exclude;   /* "schema.table, …" */
	bool force;            /* truncate non-empty targets without asking */
	bool post_data;        /* run pg_schema's post-data plan after the rows */
	bool allow_binary;     /* binary COPY when both majors allow it */
	size_t chunk;          /* bytes per CopyData sent to the target (0: 256 kB) */
	int64_t split_bytes;   /* split tables at least this big across jobs (0: never) */
	double stall_seconds;  /* a COPY moving no byte this long is given up as hung */
	const char *snapshot;  /* read this exported snapshot (a replication slot's, held by
			       * the caller's connection) instead of exporting one */
	bool no_large_objects; /* leave large objects out (live mode, by the user's choice:
				* logical replication does not carry them) */
};

struct pg_copy_result {
	size_t tables, copied, skipped;
	int64_t rows, bytes;
	double seconds;
	bool binary;     /* binary format was used */
	char **analyzed; /* the tables (quoted names) analyzed as soon as they were in */
	size_t nanalyzed;
};

void pg_copy_result_free(struct pg_copy_result *res);

/* The tables of the source (relkind r, leaf partitions included; extension
 * tables and EXCLUDE left out, but the configuration tables of extensions
 * the source user may read kept, with their filter), biggest first. SRC should be in the snapshot's
 * transaction. */
int pg_copy_list_tables(PGconn *src, const char *exclude, struct pg_copy_table **out, size_t *n,
			char **cause);
void pg_copy_tables_free(struct pg_copy_table *t, size_t n);
/* A dry run: the statements copying T would run on the target (TRUNCATE
 * first for a table that holds rows when FORCE; COPY in binary when BINARY
 * and the table allows it), how much it would move, and how long that takes
 * at the rate of the link to SRC, measured now by reading part of the
 * largest table. */
void pg_copy_plan(struct run *r, PGconn *src, const struct pg_copy_table *t, size_t nt, bool force,
		  bool binary);
/* A dry run before the target exists: pg_copy_plan over the source's
 * tables (the exclusions named), in text format (binary needs both servers). */
int pg_copy_dry_run(struct run *r, const char *src_conninfo, char **cause);

/* Whether "schema.table" is in the comma-separated EXCLUDE list. */
bool pg_copy_excluded(const char *exclude, const char *schema, const char *name);

/* The whole data step. Reports through R (status, findings, EV_PROGRESS per
 * table and in total); with r->inspect only reports the plan. Which task
 * runs when is copy_sched's. */
int pg_copy_run(struct run *r, const char *src_conninfo, const char *dst_conninfo,
		const struct pg_copy_opts *o, struct pg_copy_result *res, char **cause);

/* Set every sequence of the target to the source's position (last_value and
 * is_called, as SRC sees them: in its snapshot, when it is in one), also
 * those no column owns. Each that cannot be read or set is named as a
 * warning. The number of those, or -1 with *CAUSE when the source's
 * sequences cannot be listed; *NSET (may be NULL) counts the ones set. */
int pg_copy_sequences(struct run *r, PGconn *src, PGconn *dst, int *nset, char **cause);

/* SQL (a WHERE condition over pg_class C) true for the tables whose rows
 * are copied: in a user's schema, and either no extension's member or an
 * extension's configuration table the current user may read. */
#define PG_COPY_TABLE_COND                                                                         \
	"c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "               \
	"AND n.nspname !~ '^pg_(toast|temp)' "                                                     \
	"AND (NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "       \
	"AND d.objid = c.oid AND d.deptype = 'e') OR (" PG_COPY_FILTER_SQL " IS NOT NULL AND "     \
	"has_table_privilege(c.oid, 'SELECT')))"

/* SQL: the filter of table C (see pg_copy_table.filter), NULL for most. */
#define PG_COPY_FILTER_SQL                                                                         \
	"(SELECT x.cond FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(cfg, cond) " \
	"WHERE x.cfg = c.oid)"

/* Session settings both sides use so text output is the same on each. */
extern const char pg_copy_session_sql[];

#endif

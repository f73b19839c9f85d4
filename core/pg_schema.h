/* Schema copy: read the source catalogs, deparse with the server's own
 * functions, and replay on the target in pg_dump's order (pre-data before the
 * data, post-data after). Also applies a user's SQL file. libpq only. */
#ifndef RDSM_PG_SCHEMA_H
#define RDSM_PG_SCHEMA_H

#include <libpq-fe.h>
#include <stddef.h>

#include "pg_sql.h"

struct run;

/* SQL: may the current user read large object L (a pg_largeobject_metadata
 * row)? Its owner's rights or a SELECT grant (PostgreSQL 15 has no
 * has_largeobject_privilege). */
#define PG_LO_READABLE(l)                                                                          \
	"(pg_catalog.pg_has_role(" l ".lomowner, 'USAGE') OR EXISTS (SELECT 1 FROM "               \
	"pg_catalog.aclexplode(" l                                                                 \
	".lomacl) g WHERE g.privilege_type = 'SELECT' AND (g.grantee = "                           \
	"0 OR pg_catalog.pg_has_role(g.grantee, 'USAGE'))))"

/* One statement to run on the target, and what it makes in words
 * ("index public.t_idx"). */
struct pg_stmt {
	char *what;
	char *sql;
	int soft;    /* a failure is a warning (e.g. a policy naming a missing role) */
	int follows; /* about an object or role made earlier (an owner, a grant):
		      * skipped when that is absent, having been named as not
		      * copied */
	int secret;  /* holds a password: the statement is never shown */
	int shared;  /* in a group: a CREATE INDEX, which may run beside the table's
		     * other CREATE INDEX statements (SHARE lock); the others in
		     * the group run after them, one at a time */
};

/* Free N statements (a secret one is wiped first). */
void pg_stmts_free(struct pg_stmt *v, size_t n);

/* Post-data statements of one table (or materialized view): its primary
 * key, unique and exclusion constraints, and indexes. A plain PRIMARY KEY or
 * UNIQUE constraint is built as its unique index (shared) then attached with
 * ADD CONSTRAINT … USING INDEX, so the table's index builds can run side by
 * side. Groups are independent of each other: jobs may run different groups
 * concurrently. */
struct pg_post_group {
	char *table; /* qualified and quoted: "public"."Users" */
	struct pg_stmt *v;
	size_t n;
};

/* A foreign key between two plain tables (neither partitioned nor a
 * partition). It may run once both tables' groups are done; two keys that
 * share no table may run concurrently (each locks both of its tables). */
struct pg_post_fk {
	char *table; /* the referencing table, quoted as in pg_post_group */
	char *ref;   /* the referenced table */
	struct pg_stmt st;
};

/* The whole post-data plan: every table's group (any order, in parallel),
 * the foreign keys between plain tables (FKS, see above), then FINAL in
 * order, serially, once every group and key is done (views and materialized
 * views that needed a primary key, index partition attachments, NOT VALID
 * checks, other foreign keys, triggers and partitions' trigger states, rules,
 * row-level security and policies, statistics objects, publications,
 * comments on those, matview refreshes, sequence positions with is_called). */
struct pg_post_plan {
	struct pg_post_group *groups;
	size_t ngroups;
	struct pg_post_fk *fks;
	size_t nfks;
	struct pg_stmt *final;
	size_t nfinal;
};

/* Pre-data, in pg_dump's order: schemas, extensions, collations, types,
 * functions, aggregates (every kind), casts, operators, conversions, text
 * search dictionaries and configurations, sequences, tables (with columns,
 * defaults, identity, generated columns, NOT NULL, CHECK; typed tables OF
 * their type; partitions as tables of their own, in their own column order,
 * then attached), column options, views (a placeholder for one that needs a
 * primary key), view column defaults, materialized views WITH NO DATA,
 * comments. Names what cannot be copied (LEVEL_WARN findings) before writing
 * anything (and, unless the source step succeeded in this run, asks
 * run_confirm), counts it with run_incomplete, then applies all of it in one
 * target transaction. Objects that already exist are kept (a
 * re-run succeeds). R may be NULL (no events). Sets search_path only inside
 * its own transactions. */
int pg_schema_pre(PGconn *src, PGconn *dst, struct run *r, char **cause);

/* Look only: name (findings) what the copy would leave out; writes nothing. */
int pg_schema_inspect(PGconn *src, struct run *r, char **cause);
/* A dry run: every statement the schema step would run on the target
 * (the roles, pre-data, then post-data), each as a run_would finding, a
 * password shown as ****; *CAUSE counts them. Reads the source, and DST
 * (NULL: the target does not exist yet) for the roles it has. */
int pg_schema_dry_run(PGconn *src, PGconn *dst, struct run *r, char **cause);

/* The same, also giving how many objects would be left out (*N) and the
 * first few of them by name (*LIST, heap, "kind name, …"). For the source
 * step's question before anything is written. */
int pg_schema_uncopyable(PGconn *src, struct run *r, size_t *n, char **list, char **cause);

/* Post-data, serially: pg_schema_post_plan, every group, then the final list;
 * then state schema.post = done. A caller that runs a plan itself (groups in
 * parallel jobs) sets schema.post = done once the final list succeeded. */
int pg_schema_post(PGconn *src, PGconn *dst, struct run *r, char **cause);

/* What a caller reads in the same round trip as the post-data plan (the
 * source may be far away): FIRST (NFIRST statements, sent before it: they
 * open the caller's transaction, its snapshot) and ALSO (one query, sent
 * after it, may be NULL); their results kept in FIRST_RES and ALSO_RES for
 * the caller (PQclear them); FIRST_S: the seconds from sending to the first
 * one's result, a round trip. */
struct pg_post_with {
	const char *const *first;
	size_t nfirst;
	PGresult **first_res;
	double first_s;
	const char *also;
	PGresult *also_res;
};

/* Read the post-data plan from the source (call it after the data is loaded,
 * so sequence positions are current), in the caller's transaction when SRC
 * is in one or WITH opens it, else in its own. Free with
 * pg_post_plan_free. WITH (may be NULL): the caller's reads in the same
 * round trip. */
int pg_schema_post_plan(PGconn *src, struct pg_post_with *with, struct pg_post_plan **out,
			char **cause);
/* Only WITH's reads, in one round trip (the caller's transaction opened by
 * them): no plan. */
int pg_schema_read_with(PGconn *src, struct pg_post_with *with, char **cause);
void pg_post_plan_free(struct pg_post_plan *p);

/* Run one post-data statement on the target (autocommit). An object that
 * already exists counts as success (a re-run). */
int pg_schema_exec(PGconn *dst, const struct pg_stmt *st, char **cause);

/* Run a list in order, retrying statements whose dependency is not there yet
 * (e.g. a matview refreshed before the one it reads) until no progress. */
int pg_schema_exec_list(PGconn *dst, const struct pg_stmt *v, size_t n, struct run *r,
			char **cause);

/* Apply the SQL file PATH on the target in one transaction. An error names
 * the file, the line and the statement; the target is left untouched.
 * Transaction control statements in the file (BEGIN/COMMIT) are ignored;
 * COPY … FROM stdin blocks are supported; psql meta-commands are skipped
 * with a warning. */
int pg_schema_apply_file(PGconn *dst, const char *path, struct run *r, char **cause);

#endif

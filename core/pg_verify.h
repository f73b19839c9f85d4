/* Verification: per table a row count and a checksum computed on each server
 * (never by pulling rows to the client), per sequence its position. */
#ifndef RDSM_PG_VERIFY_H
#define RDSM_PG_VERIFY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct run;

struct pg_verify_item {
	char *qname;     /* table or sequence, quote_ident-qualified */
	char *state_key; /* "table.SCHEMA.NAME", NULL for sequences */
	bool sequence;
	bool large_objects; /* the one item for every large object: "rows" count them */
	bool counted;       /* rows counted only (PG_VERIFY_COUNTS): no checksum */
	int64_t src_rows, dst_rows;
	char *src_sum, *dst_sum; /* checksum, or "last_value/is_called" for sequences */
	char *error;             /* the target query failed (missing table/column) */
	bool match;
};

struct pg_verify_report {
	struct pg_verify_item *v;
	size_t n;
	size_t mismatches;
	double seconds;
};

/* The checksum of a table: count(*) and the sum of the first 64 bits of
 * md5(ROW(columns sorted by name)::text) over every row, floats hashed by their
 * binary form; the same text on both servers for the same rows. The
 * expression list for a table comes from the source's catalog; the
 * arguments: that list, the table, its filter (pg_copy_table.filter or ""). */
extern const char pg_verify_sum_sql[];

/* How deep a comparison goes: row counts only (quick: the cutover's
 * default, while the application's writes are stopped), or counts and
 * checksums of every row. */
enum pg_verify_depth { PG_VERIFY_COUNTS, PG_VERIFY_FULL };

/* Compare every table (as the data step lists them, EXCLUDE left out),
 * sequence, and the large objects (one item, when there are any). Reports each item as a finding through R (may be NULL); marks
 * matching tables "verified" in the state (PG_VERIFY_FULL only). Returns 0 when all match, -1 with a
 * cause naming the tables that differ. REP (may be NULL) gets the details. */
int pg_verify_run(struct run *r, const char *src_conninfo, const char *dst_conninfo,
		  const char *exclude, enum pg_verify_depth depth, struct pg_verify_report *rep,
		  char **cause);
void pg_verify_report_free(struct pg_verify_report *rep);

#endif

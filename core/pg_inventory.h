/* Inventory of a source database: what it holds, and what cannot be copied. */
#ifndef RDSM_PG_INVENTORY_H
#define RDSM_PG_INVENTORY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pg_inv_table {
	char *schema;
	char *name;
	char kind;        /* 'r' table, 'p' partitioned, 'f' foreign, 'm' matview */
	int64_t est_rows; /* pg_class.reltuples; -1 when never analysed */
	int64_t bytes;    /* pg_total_relation_size */
	bool has_pk;
	bool unlogged;
	bool partition; /* a partition of a partitioned table */
};

struct pg_inv_ext {
	char *name;
	char *version;
	bool on_rds; /* RDS for PostgreSQL offers it */
};

/* One object the schema or data step cannot carry over, and why. */
struct pg_inv_issue {
	char *object; /* e.g. "extension timescaledb", "large objects" */
	char *reason;
};

struct pg_inventory {
	char *server_version; /* "15.8" */
	int server_version_num;
	char *database;
	char *encoding;
	int64_t db_bytes;
	struct pg_inv_table *tables; /* biggest first */
	size_t ntables;
	struct pg_inv_ext *exts;
	size_t nexts;
	int64_t large_objects;
	int64_t sequences;
	int64_t views, matviews, functions, triggers;
	struct pg_inv_issue *issues; /* cannot be copied: must be confirmed */
	size_t nissues;
};

/* Read the inventory over C (read-only queries). */
int pg_inventory_load(PGconn *c, struct pg_inventory *inv, char **cause);
void pg_inventory_free(struct pg_inventory *inv);

/* Whether RDS for PostgreSQL offers extension NAME (a list shipped with the program). */
bool pg_rds_offers_extension(const char *name);

#endif

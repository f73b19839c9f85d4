/* Inventory of a source database. */
#include "pg_inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_conn.h"
#include "util.h"

/* Extensions RDS for PostgreSQL offers (PostgreSQL 13-17, 2024), from
 * "Extensions supported for RDS for PostgreSQL" in the RDS user guide. */
static const char *const rds_extensions[] = {"address_standardizer",
					     "address_standardizer_data_us",
					     "amcheck",
					     "autoinc",
					     "aws_commons",
					     "aws_lambda",
					     "aws_s3",
					     "bloom",
					     "bool_plperl",
					     "btree_gin",
					     "btree_gist",
					     "citext",
					     "cube",
					     "dblink",
					     "dict_int",
					     "dict_xsyn",
					     "earthdistance",
					     "fuzzystrmatch",
					     "h3",
					     "h3_postgis",
					     "hll",
					     "hstore",
					     "hstore_plperl",
					     "hypopg",
					     "icu_ext",
					     "insert_username",
					     "intagg",
					     "intarray",
					     "ip4r",
					     "isn",
					     "jsonb_plperl",
					     "lo",
					     "log_fdw",
					     "ltree",
					     "moddatetime",
					     "mysql_fdw",
					     "old_snapshot",
					     "oracle_fdw",
					     "orafce",
					     "pg_bigm",
					     "pg_buffercache",
					     "pg_cron",
					     "pg_freespacemap",
					     "pg_hint_plan",
					     "pg_partman",
					     "pg_prewarm",
					     "pg_proctab",
					     "pg_repack",
					     "pg_similarity",
					     "pg_squeeze",
					     "pg_stat_statements",
					     "pg_tle",
					     "pg_transport",
					     "pg_trgm",
					     "pg_visibility",
					     "pg_walinspect",
					     "pgactive",
					     "pgaudit",
					     "pgcrypto",
					     "pgl_ddl_deploy",
					     "pglogical",
					     "pgrouting",
					     "pgrowlocks",
					     "pgstattuple",
					     "pgtap",
					     "plperl",
					     "plpgsql",
					     "plprofiler",
					     "plrust",
					     "pltcl",
					     "plv8",
					     "postgis",
					     "postgis_raster",
					     "postgis_sfcgal",
					     "postgis_tiger_geocoder",
					     "postgis_topology",
					     "postgres_fdw",
					     "prefix",
					     "rdkit",
					     "rds_tools",
					     "refint",
					     "rum",
					     "seg",
					     "sslinfo",
					     "tablefunc",
					     "tcn",
					     "tds_fdw",
					     "tsm_system_rows",
					     "tsm_system_time",
					     "unaccent",
					     "uuid-ossp",
					     "vector",
					     NULL};

bool pg_rds_offers_extension(const char *name)
{
	for (const char *const *e = rds_extensions; *e; e++)
		if (strcmp(*e, name) == 0)
			return true;
	return false;
}

static PGresult *query(PGconn *c, const char *sql, char **cause)
{
	PGresult *res = pg_query(c, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *m = PQresultErrorMessage(res);
		fail(cause, "inventory query failed: %.*s", (int)strcspn(m, "\n"), m);
		PQclear(res);
		return NULL;
	}
	return res;
}

static void add_issue(struct pg_inventory *inv, const char *object, const char *reason)
{
	inv->issues = xrealloc(inv->issues, (inv->nissues + 1) * sizeof *inv->issues);
	inv->issues[inv->nissues].object = xstrdup(object);
	inv->issues[inv->nissues].reason = xstrdup(reason);
	inv->nissues++;
}

static int64_t ll(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

#define USER_NS                                                                                    \
	" n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE "           \
	"'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
#define NOT_EXT(cls, oid)                                                                          \
	" NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" cls "'::regclass AND "        \
	"d.objid = " oid " AND d.deptype = 'e') "

int pg_inventory_load(PGconn *c, struct pg_inventory *inv, char **cause)
{
	memset(inv, 0, sizeof *inv);
	const char *v = PQparameterStatus(c, "server_version");
	inv->server_version = xstrdup(v ? v : "?");
	inv->server_version[strcspn(inv->server_version, " ")] = 0;
	inv->server_version_num = PQserverVersion(c);
	if (inv->server_version_num < 100000)
		return fail(cause, "the source runs PostgreSQL %s; 10 or later is needed",
			    inv->server_version);

	PGresult *res = query(c,
			      "SELECT current_database(), pg_database_size(current_database()), "
			      "pg_encoding_to_char(encoding), "
			      "(SELECT count(*) FROM pg_largeobject_metadata) "
			      "FROM pg_database WHERE datname = current_database()",
			      cause);
	if (!res)
		return -1;
	inv->database = xstrdup(PQgetvalue(res, 0, 0));
	inv->db_bytes = ll(res, 0, 1);
	inv->encoding = xstrdup(PQgetvalue(res, 0, 2));
	inv->large_objects = ll(res, 0, 3);
	PQclear(res);

	res = query(c,
		    "SELECT n.nspname, c.relname, c.relkind, c.reltuples::bigint, "
		    "pg_total_relation_size(c.oid), "
		    "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND "
		    "k.contype = 'p'), c.relpersistence = 'u', c.relispartition "
		    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		    "WHERE c.relkind IN ('r', 'p', 'f', 'm') AND" USER_NS
		    "AND" NOT_EXT("pg_class", "c.oid") "ORDER BY 5 DESC, 1, 2",
		    cause);
	if (!res)
		return -1;
	inv->ntables = (size_t)PQntuples(res);
	inv->tables = xcalloc(inv->ntables, sizeof *inv->tables);
	for (size_t i = 0; i < inv->ntables; i++) {
		struct pg_inv_table *t = &inv->tables[i];
		int r = (int)i;
		t->schema = xstrdup(PQgetvalue(res, r, 0));
		t->name = xstrdup(PQgetvalue(res, r, 1));
		t->kind = PQgetvalue(res, r, 2)[0];
		t->est_rows = ll(res, r, 3);
		t->bytes = ll(res, r, 4);
		t->has_pk = PQgetvalue(res, r, 5)[0] == 't';
		t->unlogged = PQgetvalue(res, r, 6)[0] == 't';
		t->partition = PQgetvalue(res, r, 7)[0] == 't';
	}
	PQclear(res);

	res = query(c, "SELECT extname, extversion FROM pg_extension ORDER BY 1", cause);
	if (!res)
		return -1;
	inv->nexts = (size_t)PQntuples(res);
	inv->exts = xcalloc(inv->nexts, sizeof *inv->exts);
	for (size_t i = 0; i < inv->nexts; i++) {
		struct pg_inv_ext *e = &inv->exts[i];
		e->name = xstrdup(PQgetvalue(res, (int)i, 0));
		e->version = xstrdup(PQgetvalue(res, (int)i, 1));
		e->on_rds = pg_rds_offers_extension(e->name);
		if (!e->on_rds) {
			char *o = xasprintf("extension %s", e->name);
			add_issue(inv, o,
				  "RDS for PostgreSQL does not offer it: objects that use it will "
				  "fail to create");
			free(o);
		}
	}
	PQclear(res);

	res = query(
		c,
		"SELECT "
		"(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
		"c.relnamespace WHERE c.relkind = 'S' AND" USER_NS "AND" NOT_EXT(
			"pg_class",
			"c.oid") "),"
				 "(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
				 "c.relnamespace WHERE c.relkind = 'v' AND" USER_NS "AND" NOT_EXT(
					 "pg_class",
					 "c.oid") "),"
						  "(SELECT count(*) FROM pg_class c JOIN "
						  "pg_namespace n ON n.oid = "
						  "c.relnamespace WHERE c.relkind = 'm' AND" USER_NS
						  "),"
						  "(SELECT count(*) FROM pg_proc p JOIN "
						  "pg_namespace n ON n.oid = "
						  "p.pronamespace WHERE" USER_NS
						  "AND" NOT_EXT("pg_proc",
								"p.oid") "),"
									 "(SELECT count(*) FROM "
									 "pg_trigger t WHERE NOT "
									 "t.tgisinternal)",
		cause);
	if (!res)
		return -1;
	inv->sequences = ll(res, 0, 0);
	inv->views = ll(res, 0, 1);
	inv->matviews = ll(res, 0, 2);
	inv->functions = ll(res, 0, 3);
	inv->triggers = ll(res, 0, 4);
	PQclear(res);

	/* What the schema copy leaves out is named by pg_schema_uncopyable (the
	 * source step asks about both lists); here only what RDS itself lacks. */
	res = query(c,
		    "SELECT 'tablespace ' || spcname, 'RDS manages its own storage: "
		    "objects in it will be created in the default tablespace' FROM "
		    "pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global')",
		    cause);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++)
		add_issue(inv, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	PQclear(res);
	return 0;
}

void pg_inventory_free(struct pg_inventory *inv)
{
	for (size_t i = 0; i < inv->ntables; i++) {
		free(inv->tables[i].schema);
		free(inv->tables[i].name);
	}
	free(inv->tables);
	for (size_t i = 0; i < inv->nexts; i++) {
		free(inv->exts[i].name);
		free(inv->exts[i].version);
	}
	free(inv->exts);
	for (size_t i = 0; i < inv->nissues; i++) {
		free(inv->issues[i].object);
		free(inv->issues[i].reason);
	}
	free(inv->issues);
	free(inv->server_version);
	free(inv->database);
	free(inv->encoding);
	memset(inv, 0, sizeof *inv);
}

/* Schema copy from the source catalogs, with the server's own deparsers, in
 * pg_dump's order; and a user's SQL file applied in one transaction. */
#include "pg_schema.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pg_conn.h"
#include "pg_roles.h"
#include "replica.h"
#include "run.h"
#include "strbuf.h"
#include "util.h"

/* SQL fragments shared by the catalog queries (run with search_path = '', so
 * every deparsed name outside pg_catalog comes back schema-qualified). */
#define NS_USER(ns) "(" ns " !~ '^pg_' AND " ns " <> 'information_schema')"
#define NOT_EXT(cls, oid)                                                                          \
	"NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = " cls " AND x.objid = " oid       \
	" AND x.deptype = 'e')"
#define COLLATE_OF(a)                                                                              \
	"CASE WHEN " a ".attcollation <> 0 AND " a ".attcollation <> (SELECT typcollation FROM "   \
	"pg_type WHERE oid = " a ".atttypid) THEN ' COLLATE ' || (SELECT format('%I.%I', "         \
	"cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = "          \
	"co.collnamespace WHERE co.oid = " a ".attcollation) ELSE '' END"
/* PostgreSQL deparses "col IN ('a', 'b')" on a varchar column as
 * "(col)::text = ANY ((ARRAY['a'::character varying, …])::text[])", which
 * parses back into a different tree (and prints differently). Give the parser
 * the IN form it came from, so the target prints exactly like the source. */
#define FIX_IN(e)                                                                                  \
	"regexp_replace(" e                                                                        \
	", $re$\\(\\(((?:\\w+|\"(?:[^\"]|\"\")+\")(?:\\.(?:\\w+|\"(?:[^\"]|\"\")+\"))*)"           \
	"\\)::text = ANY "                                                                         \
	"\\(\\(ARRAY\\[('(?:[^']|'')*'::character varying(?:, '(?:[^']|'')*'::character "          \
	"varying)*)\\]\\)::text\\[\\]\\)\\)$re$, '((\\1) IN (\\2))', 'g')"
#define QREL "format('%I.%I', n.nspname, c.relname)"
#define NOT_INTERNAL(cls, oid)                                                                     \
	"NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = " cls " AND x.objid = " oid       \
	" AND x.deptype = 'i')"
#define REL_JOIN "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
#define REL_USER NS_USER("n.nspname") " AND " NOT_EXT("'pg_class'::regclass", "c.oid")

/* A growing list of statements. */
struct list {
	struct pg_stmt *v;
	size_t n, cap;
};

static void list_add(struct list *l, const char *what, const char *sql, int soft)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	/* The deparsers end some statements with ';': drop it and trailing blanks. */
	char *s = xstrdup(sql);
	size_t len = strlen(s);
	while (len && (isspace((unsigned char)s[len - 1]) || s[len - 1] == ';'))
		s[--len] = 0;
	l->v[l->n++] = (struct pg_stmt){.what = xstrdup(what), .sql = s, .soft = soft};
}

void pg_stmts_free(struct pg_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].what);
		if (v[i].secret)
			free_secret(v[i].sql);
		else
			free(v[i].sql);
	}
	free(v);
}

/* The server's error message on one line, without the "ERROR:" prefix. */
static char *pg_error(PGconn *c, const PGresult *res)
{
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char *s = xstrdup(m ? m : PQerrorMessage(c));
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = 0;
	for (char *p = s; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return s;
}

/* Run a query that returns rows; NULL with a cause on error. */
static PGresult *query(PGconn *c, const char *sql, const char *what, char **cause)
{
	char *w = xasprintf(_("%s from the source"), what);
	PGresult *res = pg_rows(c, sql, w, cause);
	free(w);
	return res;
}

/* Run a command; 0 or -1 with a cause. */
static int command(PGconn *c, const char *sql, char **cause)
{
	PGresult *res = pg_query(c, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok) {
		char *e = pg_error(c, res);
		fail(cause, "%s: %s", sql, e);
		free(e);
	}
	PQclear(res);
	return ok ? 0 : -1;
}

/* A catalog read: its query (NULL: none on this server version), what it
 * reads (for messages), and what takes its rows into INTO (NULL: a command). */
struct read {
	const char *sql, *what;
	void (*take)(const PGresult *res, void *into);
	void *into;
};

/* Run every read of RD in one round trip (libpq's pipeline mode: the
 * source may be far away), keeping the results in RES (N slots, aligned
 * with RD; NULL for a read without a query) for take_kept. */
static int read_keep(PGconn *src, const struct read *rd, size_t n, PGresult **res, double *first_s,
		     char **cause)
{
	const char **sql = xcalloc(n, sizeof *sql);
	size_t *of = xcalloc(n, sizeof *of);
	PGresult **got = xcalloc(n, sizeof *got);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		res[i] = NULL;
		if (rd[i].sql) {
			of[m] = i;
			sql[m++] = rd[i].sql;
		}
	}
	size_t bad;
	char *e = NULL;
	int rc = pg_query_batch_timed(src, sql, m, got, &bad, first_s, &e);
	if (rc < 0)
		fail(cause, _("reading %s from the source: %s"),
		     bad < m ? rd[of[bad]].what : _("the catalogs"), e);
	for (size_t i = 0; i < m; i++) {
		if (rc == 0)
			res[of[i]] = got[i];
		else
			PQclear(got[i]);
	}
	free(of);
	free(e);
	free(got);
	free(sql);
	return rc;
}

/* Hand each read of RD its rows kept in RES (read_keep), and clear them. */
static void take_kept(const struct read *rd, size_t n, PGresult **res)
{
	for (size_t i = 0; i < n; i++) {
		if (res[i] && rd[i].take)
			rd[i].take(res[i], rd[i].into);
		PQclear(res[i]);
		res[i] = NULL;
	}
}

/* read_keep, then take_kept. */
static int read_all(PGconn *src, const struct read *rd, size_t n, double *first_s, char **cause)
{
	PGresult **res = xcalloc(n ? n : 1, sizeof *res);
	int rc = read_keep(src, rd, n, res, first_s, cause);
	if (rc == 0)
		take_kept(rd, n, res);
	free(res);
	return rc;
}

/* Add every row (columns: what, statement) to the list INTO. */
static void take_rows(const PGresult *res, void *into)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 1))
			list_add(into, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), 0);
}

/* Keep the result in INTO (a PGresult *): a copy, read_all clears its own. */
static void keep_result(const PGresult *res, void *into)
{
	*(PGresult **)into = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
}

/* The same for statements about objects and roles made earlier (owners,
 * privileges): soft, and skipped when what they name is not there. */
static void take_follows(const PGresult *res, void *into)
{
	struct list *l = into;
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 1)) {
			list_add(l, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), 1);
			l->v[l->n - 1].follows = 1;
		}
}

/* A consistent, read-only view of the source with fully qualified deparsing. */
static int src_begin(PGconn *src, char **cause)
{
	return command(src,
		       "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; "
		       "SET LOCAL search_path = ''",
		       cause);
}

static void src_end(PGconn *src)
{
	PGresult *res = pg_query(src, "COMMIT");
	PQclear(res);
}

/* ---------------------------------------------------------------- findings */

/* What the schema step cannot copy without a superuser or does not copy at
 * all: one row per object (kind, name, why). */
/* (clang-format 14 cannot align this long macro) */
/* clang-format off */
#define SQL_UNCOPYABLE(pub_uncopyable) \
	"SELECT 'function', format('%I.%I(%s)', n.nspname, p.proname, " \
	"pg_get_function_identity_arguments(p.oid)), " \
	"format('written in %s, which needs a superuser to create', l.lanname) " \
	"FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace " \
	"JOIN pg_language l ON l.oid = p.prolang " \
	"WHERE " NS_USER("n.nspname") " AND " NOT_EXT("'pg_proc'::regclass", "p.oid") \
	" AND " NOT_INTERNAL("'pg_proc'::regclass", "p.oid") " AND NOT l.lanpltrusted AND " \
	"p.prokind <> 'a' " \
	"UNION ALL SELECT 'aggregate', format('%I.%I(%s)', n.nspname, p.proname, " \
	"pg_get_function_identity_arguments(p.oid)), " \
	"'its transition state is of type internal, which needs a superuser to create' " \
	"FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace " \
	"JOIN pg_aggregate a ON a.aggfnoid = p.oid " \
	"WHERE " NS_USER("n.nspname") " AND " NOT_EXT("'pg_proc'::regclass", "p.oid") \
	" AND 'internal'::regtype IN (a.aggtranstype, a.aggmtranstype) " \
	"UNION ALL SELECT 'function', format('%I.%I(%s)', n.nspname, p.proname, " \
	"pg_get_function_identity_arguments(p.oid)), 'made without LEAKPROOF, which needs a " \
	"superuser' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN " \
	"pg_language l ON l.oid = p.prolang WHERE p.proleakproof AND l.lanpltrusted AND " \
	NS_USER("n.nspname") " AND " NOT_EXT("'pg_proc'::regclass", "p.oid") \
	" UNION ALL SELECT CASE WHEN c.relkind IN ('i', 'I') THEN 'index' ELSE 'table' END, " \
	QREL ", format('made in the default tablespace, not in %I', t.spcname) FROM " REL_JOIN \
	" JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE c.relkind IN ('r', 'p', 'm', 'i', " \
	"'I') AND " REL_USER " " \
	"UNION ALL SELECT 'event trigger', quote_ident(evtname), 'event triggers need a superuser' " \
	"FROM pg_event_trigger e WHERE " NOT_EXT("'pg_event_trigger'::regclass", "e.oid") \
	" UNION ALL SELECT 'type', format_type(t.oid, NULL), " \
	"CASE t.typtype WHEN 'b' THEN 'base types need C functions (a superuser)' " \
	"WHEN 'r' THEN 'range types with a canonical function are not copied' " \
	"ELSE 'this kind of type is not copied' END " \
	"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace " \
	"LEFT JOIN pg_range rg ON rg.rngtypid = t.oid " \
	"WHERE " NS_USER("n.nspname") " AND " NOT_EXT("'pg_type'::regclass", "t.oid") \
	" AND ((t.typtype = 'b' AND t.typelem = 0 AND t.typrelid = 0) OR t.typtype = 'p' " \
	"OR (t.typtype = 'r' AND rg.rngcanonical <> 0)) " \
	" UNION ALL SELECT 'operator class', format('%I.%I', n.nspname, o.opcname), " \
	"'operator classes need a superuser' FROM pg_opclass o " \
	"JOIN pg_namespace n ON n.oid = o.opcnamespace " \
	"WHERE " NS_USER("n.nspname") " AND " NOT_EXT("'pg_opclass'::regclass", "o.oid") \
	" UNION ALL SELECT 'operator family', format('%I.%I', n.nspname, o.opfname), " \
	"'operator families need a superuser' FROM pg_opfamily o " \
	"JOIN pg_namespace n ON n.oid = o.opfnamespace " \
	"WHERE " NS_USER("n.nspname") " AND " NOT_EXT("'pg_opfamily'::regclass", "o.oid") \
	" AND NOT EXISTS (SELECT 1 FROM pg_opclass oc WHERE oc.opcfamily = o.oid AND " \
	"oc.opcname = o.opfname AND oc.opcnamespace = o.opfnamespace) " \
	"UNION ALL SELECT 'cast', format('(%s AS %s)', format_type(c.castsource, NULL), " \
	"format_type(c.casttarget, NULL)), CASE WHEN c.castmethod = 'b' THEN 'a cast WITHOUT " \
	"FUNCTION needs a superuser' ELSE 'a cast between built-in types needs a superuser' END " \
	"FROM pg_cast c WHERE c.oid >= 16384 AND " NOT_EXT("'pg_cast'::regclass", "c.oid") " AND " \
	NOT_INTERNAL("'pg_cast'::regclass", "c.oid") " AND (c.castmethod = 'b' OR " \
	"(c.castsource < 16384 AND c.casttarget < 16384)) " \
	"UNION ALL SELECT 'text search ' || k, q, format('text search %ss need a superuser', k) " \
	"FROM (SELECT 'parser' AS k, format('%I.%I', n.nspname, t.prsname) AS q FROM pg_ts_parser " \
	"t JOIN pg_namespace n ON n.oid = t.prsnamespace WHERE " NS_USER("n.nspname") " AND " \
	NOT_EXT("'pg_ts_parser'::regclass", "t.oid") " UNION ALL SELECT 'template', " \
	"format('%I.%I', n.nspname, t.tmplname) FROM pg_ts_template t JOIN pg_namespace n ON " \
	"n.oid = t.tmplnamespace WHERE " NS_USER("n.nspname") " AND " \
	NOT_EXT("'pg_ts_template'::regclass", "t.oid") ") ts " \
	"UNION ALL SELECT 'foreign table', " QREL ", " \
	"'foreign tables need a foreign server (a superuser)' FROM " REL_JOIN \
	" WHERE " REL_USER " AND c.relkind = 'f' " \
	"UNION ALL SELECT 'foreign server', quote_ident(srvname), 'foreign servers are not copied' " \
	"FROM pg_foreign_server s WHERE " NOT_EXT("'pg_foreign_server'::regclass", "s.oid") \
	" UNION ALL SELECT 'foreign-data wrapper', quote_ident(fdwname), 'foreign-data wrappers " \
	"need a superuser' FROM pg_foreign_data_wrapper w WHERE " \
	NOT_EXT("'pg_foreign_data_wrapper'::regclass", "w.oid") \
	" UNION ALL SELECT 'user mapping', format('for %I on server %I', um.usename, " \
	"um.srvname), 'user mappings go with their foreign server, which is not copied' FROM " \
	"pg_user_mappings um " \
	"UNION ALL SELECT 'access method', quote_ident(amname), 'access methods need a " \
	"superuser' FROM pg_am a WHERE a.oid >= 16384 AND " NOT_EXT("'pg_am'::regclass", "a.oid") \
	" UNION ALL SELECT 'language', quote_ident(lanname), 'a language outside an extension " \
	"needs a superuser' FROM pg_language l WHERE l.oid >= 16384 AND " \
	NOT_EXT("'pg_language'::regclass", "l.oid") \
	" UNION ALL SELECT 'transform', format('for %s language %I', format_type(t.trftype, " \
	"NULL), l.lanname), 'transforms need C functions (a superuser)' FROM pg_transform t JOIN " \
	"pg_language l ON l.oid = t.trflang WHERE " NOT_EXT("'pg_transform'::regclass", "t.oid") \
	" UNION ALL SELECT 'publication', quote_ident(p.pubname), 'a publication FOR ALL TABLES " \
	"or FOR TABLES IN SCHEMA needs a superuser' FROM pg_publication p WHERE " pub_uncopyable " " \
	"UNION ALL SELECT 'subscription', quote_ident(subname), 'subscriptions need a superuser' " \
	"FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = " \
	"current_database()) " \
	"UNION ALL SELECT 'large objects', count(*)::text || ' of them', 'the source user may " \
	"not read them' FROM pg_largeobject_metadata l WHERE NOT " PG_LO_READABLE("l") " " \
	"HAVING count(*) > 0 " \
	"UNION ALL SELECT 'security labels', count(*)::text || ' of them', 'a label needs its " \
	"provider module, which a non-superuser cannot load' FROM pg_seclabel HAVING count(*) > 0 " \
	"UNION ALL SELECT 'extension table', x.cfg::regclass::text, format('the source user may " \
	"not read the rows extension %I keeps as its configuration', e.extname) FROM " \
	"pg_extension e, unnest(e.extconfig) AS x(cfg) JOIN pg_class c ON c.oid = x.cfg " \
	"WHERE c.relkind = 'r' AND NOT has_table_privilege(x.cfg, 'SELECT') " \
	"UNION ALL " PG_ROLES_UNCOPYABLE " " \
	"ORDER BY 1, 2"
/* clang-format on */
static const char sql_uncopyable[] = SQL_UNCOPYABLE(
	"p.puballtables OR EXISTS (SELECT 1 FROM pg_publication_namespace pn WHERE pn.pnpubid = "
	"p.oid)");
/* before PostgreSQL 15 publications are not copied at all */
static const char sql_uncopyable_14[] = SQL_UNCOPYABLE("true");

/* The query for the objects SRC's version cannot copy. */
static const char *uncopyable_sql(PGconn *src)
{
	return PQserverVersion(src) >= 150000 ? sql_uncopyable : sql_uncopyable_14;
}

/* Emit a warning for every object that will not be copied (RES: the rows
 * of uncopyable_sql); *N counts them and *LIST names the first few. */
static void report_uncopyable(const PGresult *res, struct run *r, size_t *n, char **list)
{
	*n = 0;
	*list = NULL;
	struct strbuf names = STRBUF_INIT;
	for (int i = 0; i < PQntuples(res); i++) {
		char item[128];
		snprintf(item, sizeof item, "%s %s", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
		if (r)
			run_finding(r, LEVEL_WARN, item, _("not copied: %s"),
				    PQgetvalue(res, i, 2));
		if (*n < 5)
			strbuf_add_item(&names, item);
		(*n)++;
	}
	*list = strbuf_detach(&names);
}

static const char sql_extensions[] =
	"SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname";

/* Whether AVAIL (the target's pg_available_extensions) offers NAME. */
static bool ext_offered(const PGresult *avail, const char *name)
{
	for (int j = 0; j < PQntuples(avail); j++)
		if (strcmp(PQgetvalue(avail, j, 0), name) == 0)
			return true;
	return false;
}

/* Extensions (RES: the source's, sql_extensions) the target does not offer:
 * a warning each; *AVAIL: what it offers (take_extensions leaves the rest
 * out). */
static int check_extensions(const PGresult *res, PGconn *dst, struct run *r, PGresult **out,
			    char **cause)
{
	*out = NULL;
	PGresult *avail = pg_query(dst, "SELECT name FROM pg_catalog.pg_available_extensions");
	if (PQresultStatus(avail) != PGRES_TUPLES_OK) {
		char *e = pg_error(dst, avail);
		fail(cause, _("reading the target's available extensions: %s"), e);
		free(e);
		PQclear(avail);
		return -1;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		if (ext_offered(avail, name))
			continue;
		if (r)
			run_finding(r, LEVEL_WARN, name,
				    _("extension not available on the target: not copied (objects "
				      "using it will fail)"));
		run_incomplete(r, 1);
	}
	*out = avail;
	return 0;
}

static const char sql_locale[] = "SELECT pg_catalog.pg_encoding_to_char(encoding), datcollate, "
				 "datctype FROM pg_catalog.pg_database WHERE datname = "
				 "pg_catalog.current_database()";

/* A warning when the databases' encoding or default collation differ (A:
 * the source's sql_locale): text would sort (and unique indexes compare)
 * differently on the target. */
static void check_locale(const PGresult *a, PGconn *dst, struct run *r)
{
	PGresult *b = pg_query(dst, sql_locale);
	if (r && PQresultStatus(a) == PGRES_TUPLES_OK && PQresultStatus(b) == PGRES_TUPLES_OK &&
	    PQntuples(a) == 1 && PQntuples(b) == 1) {
		static const char *const what[] = {N_("encoding"), N_("collation"),
						   N_("character type")};
		for (int i = 0; i < 3; i++)
			if (strcmp(PQgetvalue(a, 0, i), PQgetvalue(b, 0, i)) != 0)
				run_finding(
					r, LEVEL_WARN, _(what[i]),
					_("source database has %s, target %s: text may sort and "
					  "compare differently"),
					PQgetvalue(a, 0, i), PQgetvalue(b, 0, i));
	}
	PQclear(b);
}

/* ---------------------------------------------------------------- pre-data */

static const char sql_schemas[] =
	"SELECT 'schema ' || quote_ident(nspname), format('CREATE SCHEMA IF NOT EXISTS %I', "
	"nspname) FROM pg_namespace n WHERE " NS_USER("nspname") " AND " NOT_EXT(
		"'pg_namespace'::regclass", "n.oid") " ORDER BY nspname";

static const char sql_enums[] =
	"SELECT 'type ' || format('%I.%I', n.nspname, t.typname), "
	"format('CREATE TYPE %I.%I AS ENUM (%s)', n.nspname, t.typname, coalesce((SELECT "
	"string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e "
	"WHERE e.enumtypid = t.oid), '')) "
	"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e' "
	"AND " NS_USER("n.nspname") " AND " NOT_EXT("'pg_type'::regclass",
						    "t.oid") " ORDER BY t.oid";

/* Range types; MULTI names the multirange type (PostgreSQL 14 and later). */
#define SQL_RANGES(multi)                                                                          \
	"SELECT 'type ' || format('%I.%I', n.nspname, t.typname), "                                \
	"format('CREATE TYPE %I.%I AS RANGE (SUBTYPE = %s%s%s%s%s)', n.nspname, t.typname, "       \
	"format_type(r.rngsubtype, NULL), "                                                        \
	"CASE WHEN r.rngsubopc <> 0 AND NOT oc.opcdefault THEN format(', SUBTYPE_OPCLASS = "       \
	"%I.%I', ocn.nspname, oc.opcname) ELSE '' END, "                                           \
	"CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> (SELECT typcollation FROM pg_type "   \
	"WHERE oid = r.rngsubtype) THEN (SELECT format(', COLLATION = %I.%I', cn.nspname, "        \
	"co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace "     \
	"WHERE co.oid = r.rngcollation) ELSE '' END, "                                             \
	"CASE WHEN r.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text "     \
	"ELSE '' END, " multi ") "                                                                 \
	"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "                            \
	"JOIN pg_range r ON r.rngtypid = t.oid JOIN pg_opclass oc ON oc.oid = r.rngsubopc "        \
	"JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace "                                      \
	"WHERE t.typtype = 'r' AND r.rngcanonical = 0 AND " NS_USER("n.nspname") " AND " NOT_EXT(  \
		"'pg_type'::regclass", "t.oid") " ORDER BY t.oid"
static const char sql_ranges[] = SQL_RANGES(
	"(SELECT format(', MULTIRANGE_TYPE_NAME = %I.%I', mn.nspname, mt.typname) FROM pg_type mt "
	"JOIN pg_namespace mn ON mn.oid = mt.typnamespace WHERE mt.oid = r.rngmultitypid)");
static const char sql_ranges_13[] = SQL_RANGES("''");

static const char sql_domains[] =
	"SELECT 'domain ' || format('%I.%I', n.nspname, t.typname), "
	"format('CREATE DOMAIN %I.%I AS %s', n.nspname, t.typname, "
	"format_type(t.typbasetype, t.typtypmod)) "
	"|| CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation THEN "
	"(SELECT format(' COLLATE %I.%I', cn.nspname, co.collname) FROM pg_collation co "
	"JOIN "
	"pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation) ELSE "
	"'' END "
	"|| CASE WHEN t.typdefaultbin IS NOT NULL THEN ' DEFAULT ' || "
	"pg_get_expr(t.typdefaultbin, 'pg_type'::regclass) ELSE '' END "
	"|| CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END "
	"|| coalesce((SELECT string_agg(format(' CONSTRAINT %I %s', co.conname, " FIX_IN(
		"pg_get_constraintdef(co.oid)") "), '' ORDER BY co.conname) FROM "
						"pg_constraint co WHERE "
						"co.contypid = t.oid AND co.contype = 'c' "
						"AND co.convalidated), '') "
						"FROM pg_type t JOIN pg_namespace n ON "
						"n.oid = t.typnamespace "
						"JOIN pg_type bt ON bt.oid = t.typbasetype "
						"WHERE t.typtype = 'd' AND " NS_USER(
							"n."
							"nspna"
							"me") " AND " NOT_EXT("'pg_type'::regclass",
									      "t.oid") " UNION ALL "
										       "SELECT "
										       "format('"
										       "constraint "
										       "%I on "
										       "domain "
										       "%s', "
										       "co.conname,"
										       " "
										       "format_"
										       "type(t.oid,"
										       " "
										       "NULL)), "
										       "format('"
										       "ALTER "
										       "DOMAIN %s "
										       "ADD "
										       "CONSTRAINT "
										       "%I %s', "
										       "format_"
										       "type(t.oid,"
										       " "
										       "NULL), "
										       "co.conname,"
										       " "
										       "pg_get_"
										       "constraintd"
										       "ef(co."
										       "oid)) FROM "
										       "pg_"
										       "constraint "
										       "co "
										       "JOIN "
										       "pg_type t "
										       "ON t.oid "
										       "= "
										       "co."
										       "contypid "
										       "JOIN "
										       "pg_"
										       "namespace "
										       "n ON n.oid "
										       "= "
										       "t."
										       "typnamespac"
										       "e "
										       "WHERE "
										       "co.contype "
										       "= 'c' "
										       "AND NOT "
										       "co."
										       "convalidate"
										       "d "
										       "AND"
										       " " NS_USER(
											       "n."
											       "nsp"
											       "nam"
											       "e");

static const char sql_composites[] =
	"SELECT 'type ' || format('%I.%I', n.nspname, t.typname), "
	"format('CREATE TYPE %I.%I AS (%s)', n.nspname, t.typname, coalesce((SELECT "
	"string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)) "
	"|| " COLLATE_OF("a") ", ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = "
			      "t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '')) "
			      "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
			      "JOIN pg_class c ON c.oid = t.typrelid WHERE t.typtype = 'c' AND "
			      "c.relkind = 'c' AND " NS_USER("n.nspname") " AND " NOT_EXT(
				      "'pg_type'::regclass", "t.oid") " ORDER BY t.oid";

static const char sql_functions[] =
	"SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' ELSE 'function ' END || "
	"format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), "
	/* LEAKPROOF needs a superuser: made without it (named by sql_uncopyable) */
	"CASE WHEN p.proleakproof THEN regexp_replace(pg_get_functiondef(p.oid), "
	"E'\\n( [A-Z][^\\n]*) LEAKPROOF\\n', E'\\n\\\\1\\n') ELSE "
	"pg_get_functiondef(p.oid) END FROM pg_proc p JOIN pg_namespace n ON n.oid = "
	"p.pronamespace "
	"JOIN pg_language l ON l.oid = p.prolang WHERE p.prokind IN ('f', 'p', 'w') AND "
	"l.lanpltrusted AND " NS_USER("n.nspname") " AND " NOT_EXT("'pg_proc'::regclass",
								   "p.oid") " ORDER BY p.oid";

/* A function's name for an option (SFUNC = …), schema-qualified unless in
 * pg_catalog; NULL (the option left out) when the OID is 0. */
#define FN_OPT(opt, f) "CASE WHEN " f " <> 0 THEN '" opt " = ' || " f "::regproc::text END"
/* An operator as OPERATOR(schema.op), for SORTOP, COMMUTATOR and NEGATOR. */
#define OP_OPT(opt, o)                                                                             \
	"(SELECT format('" opt " = OPERATOR(%I.%s)', on_.nspname, op_.oprname) FROM pg_operator "  \
	"op_ JOIN pg_namespace on_ ON on_.oid = op_.oprnamespace WHERE op_.oid = " o ")"
/* FINALFUNC_MODIFY's words. */
#define MODIFY_OPT(opt, m)                                                                         \
	"'" opt " = ' || CASE " m " WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE "     \
	"'READ_WRITE' END"

/* Aggregates of every kind (plain, moving, ordered-set, hypothetical); one
 * without arguments is written agg(*). Options at their defaults are left out. */
static const char sql_aggregates[] =
	"SELECT 'aggregate ' || format('%I.%I(%s)', n.nspname, p.proname, "
	"pg_get_function_identity_arguments(p.oid)), "
	"format('CREATE AGGREGATE %I.%I(%s) (%s)', n.nspname, p.proname, CASE WHEN p.pronargs "
	"= 0 "
	"THEN '*' ELSE pg_get_function_arguments(p.oid) END, concat_ws(', ', "
	"'SFUNC = ' || a.aggtransfn::regproc::text, 'STYPE = ' || format_type(a.aggtranstype, "
	"NULL), CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace "
	"END, " FN_OPT("FINALFUNC",
		       "a.aggfinalfn") ", CASE WHEN a.aggfinalextra THEN "
				       "'FINALFUNC_EXTRA' "
				       "END, CASE WHEN a.aggfinalmodify <> CASE "
				       "a.aggkind WHEN 'n' THEN 'r' ELSE 'w' END "
				       "THEN " MODIFY_OPT(
					       "FINALFUNC_MODIFY",
					       "a."
					       "aggfinalm"
					       "odify") " END, " FN_OPT("COMBINEFUNC",
									"a.aggcombinefn") ","
											  " " FN_OPT("SERIALFUNC", "a.aggserialfn") ", " FN_OPT(
												  "DESERIALFUN"
												  "C",
												  "a."
												  "aggdeserial"
												  "fn") ", "
													"'INIT"
													"COND "
													"= ' "
													"|| "
													"quote"
													"_lite"
													"ral("
													"a."
													"aggin"
													"itval"
													"),"
													" " FN_OPT("MSFUNC", "a.aggmtransfn") ", " FN_OPT(
														"MINVFUNC",
														"a.aggminvtransfn") ", CASE WHEN a.aggmtransfn <> 0 THEN 'MSTYPE = ' "
																    "|| format_type(a.aggmtranstype, NULL) END, CASE WHEN a.aggmtransspace <> 0 THEN "
																    "'MSSPACE = ' || a.aggmtransspace END, " FN_OPT("MFINALFUNC", "a.aggmfinalfn") ", CASE "
																										   "WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END, CASE WHEN a.aggmtransfn <> 0 AND "
																										   "a.aggmfinalmodify <> CASE a.aggkind WHEN 'n' THEN 'r' ELSE 'w' END THEN " MODIFY_OPT("MFINALFUNC_MODIFY", "a.aggmfinalmodify") " END, 'MINITCOND = ' || "
																																										   "quote_literal(a.aggminitval), CASE WHEN a.aggsortop <> 0 THEN " OP_OPT("SORTOP", "a.aggsortop") " END, CASE WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' "
																																																						    "END, CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = "
																																																						    "RESTRICTED' END)) "
																																																						    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
																																																						    "JOIN pg_aggregate a ON a.aggfnoid = p.oid WHERE " NS_USER("n.nspname") " AND " NOT_EXT("'pg_proc'::regclass",
																																																																	    "p.oid") " AND NOT 'internal'::regtype IN "
																																																																		     "(a.aggtranstype, a.aggmtranstype) ORDER BY p.oid";

/* User-defined collations (libc and ICU; PostgreSQL 15 keeps an ICU
 * collation's locale in colliculocale). */
#define SQL_COLLATIONS(iculocale)                                                                  \
	"SELECT 'collation ' || format('%I.%I', n.nspname, co.collname), "                         \
	"format('CREATE COLLATION %I.%I (provider = %s, %s%s)', n.nspname, co.collname, CASE "     \
	"co.collprovider WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc' ELSE 'default' END, CASE WHEN "  \
	"co.collprovider = 'i' THEN 'locale = ' || quote_literal(coalesce(" iculocale ", "         \
	"co.collcollate)) WHEN co.collcollate = co.collctype THEN 'locale = ' || "                 \
	"quote_literal(co.collcollate) ELSE format('lc_collate = %L, lc_ctype = %L', "             \
	"co.collcollate, co.collctype) END, CASE WHEN NOT co.collisdeterministic THEN ', "         \
	"deterministic = false' ELSE '' END) "                                                     \
	"FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace WHERE " NS_USER(     \
		"n.nspname") " AND " NOT_EXT("'pg_collation'::regclass",                           \
					     "co.oid") " ORDER BY co.oid"
static const char sql_collations[] = SQL_COLLATIONS("co.colliculocale");
static const char sql_collations_14[] = SQL_COLLATIONS("NULL::text");

/* Casts a non-superuser may create: WITH FUNCTION or WITH INOUT, with one
 * user-defined type at either end. */
static const char sql_casts[] =
	"SELECT format('cast (%s AS %s)', format_type(c.castsource, NULL), "
	"format_type(c.casttarget, NULL)), format('CREATE CAST (%s AS %s) %s%s', "
	"format_type(c.castsource, NULL), format_type(c.casttarget, NULL), CASE c.castmethod "
	"WHEN 'i' THEN 'WITH INOUT' ELSE 'WITH FUNCTION ' || c.castfunc::regprocedure::text END, "
	"CASE c.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' ELSE '' "
	"END) FROM pg_cast c WHERE c.oid >= 16384 AND c.castmethod IN ('f', 'i') AND NOT "
	"(c.castsource < 16384 AND c.casttarget < 16384) AND " NOT_EXT(
		"'pg_cast'::regclass", "c.oid") " AND " NOT_INTERNAL("'pg_cast'::regclass",
								     "c.oid") " ORDER BY c.oid";

/* Operators (shells, made by another operator's COMMUTATOR or NEGATOR, are
 * made again the same way). */
static const char sql_operators
	[] = "SELECT 'operator ' || o.oid::regoperator::text, format('CREATE OPERATOR %I.%s (%s)', "
	     "n.nspname, o.oprname, concat_ws(', ', 'FUNCTION = ' || o.oprcode::regproc::text, "
	     "CASE WHEN o.oprleft <> 0 THEN 'LEFTARG = ' || format_type(o.oprleft, NULL) END, "
	     "CASE WHEN o.oprright <> 0 THEN 'RIGHTARG = ' || format_type(o.oprright, NULL) END, "
	     "CASE WHEN o.oprcom <> 0 THEN " OP_OPT(
		     "COMMUTATOR",
		     "o.oprcom") " END, "
				 "CASE WHEN o.oprnegate <> 0 THEN " OP_OPT("NEGATOR", "o.oprnegate") " END, " FN_OPT(
					 "RESTRICT",
					 "o.oprrest") ", " FN_OPT("JOIN",
								  "o.oprjoin") ", "
									       "CASE WHEN "
									       "o.oprcanmerge THEN "
									       "'MERGES' END, CASE "
									       "WHEN o.oprcanhash "
									       "THEN 'HASHES' "
									       "END)) "
									       "FROM pg_operator o "
									       "JOIN pg_namespace "
									       "n ON n.oid = "
									       "o.oprnamespace "
									       "WHERE o.oprcode <> "
									       "0 "
									       "AND " NS_USER(
										       "n."
										       "nspn"
										       "ame") " AND"
											      " " NOT_EXT(
												      "'pg_"
												      "operator'::"
												      "regclass",
												      "o.oid") " O"
													       "RD"
													       "ER"
													       " B"
													       "Y "
													       "o."
													       "oi"
													       "d";

/* Text search dictionaries and configurations (a configuration with its
 * mappings in one statement). */
static const char sql_text_search[] =
	"SELECT 'text search dictionary ' || format('%I.%I', n.nspname, d.dictname), "
	"format('CREATE TEXT SEARCH DICTIONARY %I.%I (TEMPLATE = %I.%I%s)', "
	"n.nspname, "
	"d.dictname, tn.nspname, t.tmplname, ', ' || d.dictinitoption) FROM "
	"pg_ts_dict d JOIN "
	"pg_namespace n ON n.oid = d.dictnamespace JOIN pg_ts_template t ON t.oid = "
	"d.dicttemplate JOIN pg_namespace tn ON tn.oid = t.tmplnamespace "
	"WHERE " NS_USER("n.nspname") " AND " NOT_EXT(
		"'pg_ts_dict'::regclass",
		"d.oid") " UNION ALL SELECT 'text search configuration ' || "
			 "format('%I.%I', n.nspname, "
			 "c.cfgname), format('CREATE TEXT SEARCH CONFIGURATION %I.%I "
			 "(PARSER = %I.%I)', "
			 "n.nspname, c.cfgname, pn.nspname, p.prsname) || "
			 "coalesce((SELECT string_agg(format("
			 "'; ALTER TEXT SEARCH CONFIGURATION %I.%I ADD MAPPING FOR %I "
			 "WITH %s', n.nspname, "
			 "c.cfgname, t.alias, m.dicts), '' ORDER BY m.maptokentype) "
			 "FROM (SELECT "
			 "maptokentype, string_agg(mapdict::regdictionary::text, ', ' "
			 "ORDER BY mapseqno) AS dicts "
			 "FROM pg_ts_config_map WHERE mapcfg = c.oid GROUP BY "
			 "maptokentype) m JOIN "
			 "ts_token_type(c.cfgparser) t ON t.tokid = m.maptokentype), "
			 "'') FROM pg_ts_config c "
			 "JOIN pg_namespace n ON n.oid = c.cfgnamespace JOIN "
			 "pg_ts_parser p ON p.oid = "
			 "c.cfgparser JOIN pg_namespace pn ON pn.oid = p.prsnamespace "
			 "WHERE " NS_USER("n.nspname") " AND " NOT_EXT("'pg_ts_config'::regclass",
								       "c.oid");

/* Encoding conversions (with a function the owner may execute). */
static const char sql_conversions[] =
	"SELECT 'conversion ' || format('%I.%I', n.nspname, v.conname), format('CREATE %s"
	"CONVERSION %I.%I FOR %L TO %L FROM %s', CASE WHEN v.condefault THEN 'DEFAULT ' ELSE '' "
	"END, n.nspname, v.conname, pg_encoding_to_char(v.conforencoding), "
	"pg_encoding_to_char(v.contoencoding), v.conproc::regproc::text) FROM pg_conversion v "
	"JOIN pg_namespace n ON n.oid = v.connamespace WHERE " NS_USER("n.nspname") " AND " NOT_EXT(
		"'pg_conversion'::regclass", "v.oid") " ORDER BY v.oid";

#define SEQ_OPTS(s)                                                                                \
	"format('START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s', " s            \
	".seqstart, " s ".seqincrement, " s ".seqmin, " s ".seqmax, " s ".seqcache, CASE WHEN " s  \
	".seqcycle THEN ' CYCLE' ELSE '' END)"

/* Sequences that are not an identity column's. */
static const char sql_sequences[] =
	"SELECT 'sequence ' || " QREL ", format('CREATE %sSEQUENCE %s AS %s ', CASE WHEN "
	"c.relpersistence = 'u' THEN 'UNLOGGED ' ELSE '' END, " QREL ", format_type(s.seqtypid, "
	"NULL)) || " SEQ_OPTS("s") " FROM " REL_JOIN " JOIN pg_sequence s ON s.seqrelid = c.oid "
				   "WHERE c.relkind = 'S' AND " REL_USER
				   " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE "
				   "d.classid = 'pg_class'::regclass AND d.objid = c.oid AND "
				   "d.deptype = 'i') ORDER BY c.oid";

#define IDENTITY_OF(a)                                                                             \
	"CASE WHEN " a ".attidentity IN ('a', 'd') THEN (SELECT format(' GENERATED %s AS "         \
	"IDENTITY (SEQUENCE NAME %I.%I ', CASE " a ".attidentity WHEN 'a' THEN 'ALWAYS' ELSE "     \
	"'BY DEFAULT' END, sn.nspname, sc.relname) || " SEQ_OPTS(                                  \
		"s") " || ')' FROM pg_depend dd "                                                  \
		     "JOIN pg_class sc ON sc.oid = dd.objid JOIN pg_namespace sn ON sn.oid = "     \
		     "sc.relnamespace "                                                            \
		     "JOIN pg_sequence s ON s.seqrelid = sc.oid WHERE dd.classid = "               \
		     "'pg_class'::regclass AND "                                                   \
		     "dd.refclassid = 'pg_class'::regclass AND dd.refobjid = " a ".attrelid AND "  \
		     "dd.refobjsubid = " a                                                         \
		     ".attnum AND dd.deptype = 'i' AND sc.relkind = 'S' LIMIT 1) ELSE ''"          \
		     " END"

/* An inheritance child that CREATE TABLE … INHERITS cannot give back: one of
 * its own columns comes before an inherited one (it was made alone, then
 * ALTER TABLE … INHERIT). When every inherited column and CHECK constraint
 * is also its own, it is made alone and joined to its parents the same way
 * (sql_attach); pg_dump makes it with INHERITS, in another column order. */
#define STANDALONE_CHILD                                                                           \
	"(NOT c.relispartition AND EXISTS (SELECT 1 FROM pg_attribute la JOIN pg_attribute ia ON " \
	"ia.attrelid = la.attrelid AND ia.attnum > la.attnum AND ia.attinhcount > 0 AND NOT "      \
	"ia.attisdropped WHERE la.attrelid = c.oid AND la.attnum > 0 AND la.attinhcount = 0 AND "  \
	"NOT la.attisdropped) AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = "    \
	"c.oid AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attislocal) AND NOT EXISTS "      \
	"(SELECT 1 FROM pg_constraint co WHERE co.conrelid = c.oid AND co.contype = 'c' AND NOT "  \
	"co.conislocal))"

/* Tables. A partition is made as a table of its own, with every column in
 * its own order, its own defaults and all its CHECK constraints, and
 * attached later (sql_attach), as pg_dump does: made PARTITION OF its parent
 * it would take the parent's column order and defaults. A typed table is
 * made OF its type, with its columns' options. Other tables carry their
 * local columns (an inherited generated column takes its parent's
 * expression) and local validated CHECK constraints. */
static const char sql_tables[] =
	"SELECT 'table ' || " QREL ", "
	"format('CREATE %sTABLE %s%s%s%s%s', "
	"CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED ' ELSE '' END, " QREL ", "
	"CASE WHEN c.reloftype <> 0 THEN ' OF ' || format_type(c.reloftype, NULL) || coalesce(' ("
	"' || NULLIF(concat_ws(', ', NULLIF(typed, ''), chk), '') || ')', '') ELSE ' (' || "
	"concat_ws(', ', NULLIF(cols, ''), chk) || ')' END, "
	"(SELECT ' INHERITS (' || string_agg(format('%I.%I', pn.nspname, pc.relname), ', ' ORDER "
	"BY i.inhseqno) || ')' FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN "
	"pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid AND NOT "
	"c.relispartition AND NOT standalone), "
	"CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END, "
	"CASE WHEN opts <> '{}' THEN ' WITH (' || array_to_string(opts, ', ') || ')' ELSE '' END) "
	"FROM " REL_JOIN ", LATERAL (SELECT "
	/* storage parameters, the TOAST table's as toast.name=value */
	"coalesce(c.reloptions, '{}') || coalesce((SELECT array_agg('toast.' || o) FROM pg_class "
	"tc, unnest(tc.reloptions) o WHERE tc.oid = c.reltoastrelid), '{}') AS "
	"opts, " STANDALONE_CHILD " AS standalone, "
	"(SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)) "
	"|| " COLLATE_OF(
		"a") " || CASE WHEN a.attgenerated = 's' THEN CASE WHEN c.relispartition OR "
		     "a.attinhcount = 0 OR " STANDALONE_CHILD
		     " THEN ' GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') "
		     "STORED' ELSE '' END WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' "
		     "|| pg_get_expr(d.adbin, d.adrelid) ELSE '' END || " IDENTITY_OF(
			     "a") " || CASE WHEN "
				  "a.attnotnull THEN ' NOT NULL' ELSE '' END, ', ' ORDER BY "
				  "a.attnum) "
				  "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = "
				  "a.attrelid AND d.adnum = "
				  "a.attnum WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT "
				  "a.attisdropped AND "
				  "(a.attislocal OR c.relispartition)) AS cols, "
				  "(SELECT string_agg(format('%I WITH OPTIONS', a.attname) || CASE "
				  "WHEN d.adbin IS NOT "
				  "NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE "
				  "'' END || CASE WHEN "
				  "a.attnotnull THEN ' NOT NULL' ELSE '' END, ', ' ORDER BY "
				  "a.attnum) FROM pg_attribute a "
				  "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = "
				  "a.attnum WHERE "
				  "a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND "
				  "(d.adbin IS NOT NULL OR "
				  "a.attnotnull)) AS typed, "
				  "(SELECT string_agg(format('CONSTRAINT %I %s', "
				  "co.conname, " FIX_IN(
					  "pg_get_constraintdef(co.oid)") "), "
									  "', ' ORDER BY "
									  "co.conname) FROM "
									  "pg_constraint co WHERE "
									  "co.conrelid = c.oid AND "
									  "co.contype "
									  "= 'c' AND "
									  "(co.conislocal OR "
									  "c.relispartition) AND "
									  "co.convalidated) AS "
									  "chk) x "
									  "WHERE c.relkind IN "
									  "('r', 'p') AND " REL_USER
									  " ORDER BY "
									  "c.relispartition, c.oid";

/* Partitions attached to their parents, and children made alone joined to
 * theirs (in their order: the statements run in list order), once every
 * table exists. */
static const char sql_attach[] =
	"SELECT 'partition ' || " QREL ", format('ALTER TABLE ONLY %I.%I ATTACH PARTITION %s "
	"%s', pn.nspname, pc.relname, " QREL
	", pg_get_expr(c.relpartbound, c.oid)), c.oid, 0 FROM " REL_JOIN
	" JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_class pc ON pc.oid = "
	"i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE c.relispartition AND "
	"c.relkind IN ('r', 'p') AND " REL_USER " UNION ALL SELECT 'table ' || " QREL
	", format('ALTER TABLE ONLY %s INHERIT %I.%I', " QREL
	", pn.nspname, pc.relname), c.oid, i.inhseqno FROM " REL_JOIN " JOIN pg_inherits i "
	"ON i.inhrelid = c.oid JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON "
	"pn.oid = pc.relnamespace WHERE c.relkind IN ('r', 'p') AND " STANDALONE_CHILD
	" AND " REL_USER " ORDER BY 3, 4";

/* Per-column settings a CREATE TABLE above does not carry: inherited
 * columns' own defaults and NOT NULL, statistics targets, storage, compression. */
static const char sql_column_alters[] =
	"SELECT 'column ' || format('%s.%I', " QREL ", a.attname), "
	"format('ALTER TABLE ONLY %s ALTER COLUMN %I SET DEFAULT %s', " QREL ", a.attname, "
	"pg_get_expr(d.adbin, d.adrelid)) FROM " REL_JOIN " JOIN pg_attribute a ON a.attrelid = "
	"c.oid JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
	"WHERE c.relkind IN ('r', 'p') AND c.reloftype = 0 AND NOT a.attislocal AND NOT "
	"c.relispartition AND a.attgenerated = '' AND a.attnum > 0 AND NOT a.attisdropped "
	"AND " REL_USER " UNION ALL SELECT 'column ' || format('%s.%I', " QREL ", a.attname), "
	"format('ALTER TABLE ONLY %s ALTER COLUMN %I SET NOT NULL', " QREL ", a.attname) "
	"FROM " REL_JOIN " JOIN pg_attribute a ON a.attrelid = c.oid "
	"WHERE c.relkind IN ('r', 'p') AND c.reloftype = 0 AND NOT a.attislocal AND NOT "
	"c.relispartition AND a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped AND " REL_USER
	" UNION ALL SELECT 'column ' || format('%s.%I', " QREL ", a.attname), "
	"format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STATISTICS %s', " QREL ", a.attname, "
	"a.attstattarget) FROM " REL_JOIN " JOIN pg_attribute a ON a.attrelid = c.oid "
	"WHERE c.relkind IN ('r', 'p', 'm') AND a.attstattarget >= 0 AND a.attnum > 0 AND NOT "
	"a.attisdropped AND " REL_USER " UNION ALL SELECT 'column ' || format('%s.%I', " QREL
	", a.attname), "
	"format('ALTER TABLE ONLY %s ALTER COLUMN %I SET STORAGE %s', " QREL ", a.attname, CASE "
	"a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE "
	"'EXTENDED' END) FROM " REL_JOIN " JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_type "
	"t ON t.oid = a.atttypid WHERE c.relkind IN ('r', 'p', 'm') AND a.attstorage <> "
	"t.typstorage AND a.attnum > 0 AND NOT a.attisdropped AND " REL_USER
	" UNION ALL SELECT 'column ' || format('%s.%I', " QREL ", a.attname), "
	"format('ALTER TABLE ONLY %s ALTER COLUMN %I SET (%s)', " QREL ", a.attname, "
	"array_to_string(a.attoptions, ', ')) FROM " REL_JOIN " JOIN pg_attribute a ON a.attrelid "
	"= c.oid WHERE c.relkind IN ('r', 'p', 'm') AND a.attoptions IS NOT NULL AND a.attnum > 0 "
	"AND NOT a.attisdropped AND " REL_USER;

/* Column compression (PostgreSQL 14 and later). */
static const char sql_column_compression[] =
	"SELECT 'column ' || format('%s.%I', " QREL ", a.attname), "
	"format('ALTER TABLE ONLY %s ALTER COLUMN %I SET COMPRESSION %s', " QREL ", a.attname, "
	"CASE a.attcompression WHEN 'l' THEN 'lz4' ELSE 'pglz' END) FROM " REL_JOIN
	" JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relkind IN ('r', 'p', 'm') AND "
	"a.attcompression <> '' AND a.attnum > 0 AND NOT a.attisdropped AND " REL_USER;

static const char sql_seq_owned[] =
	"SELECT 'sequence ' || format('%I.%I', sn.nspname, s.relname), "
	"format('ALTER SEQUENCE %I.%I OWNED BY %I.%I.%I', sn.nspname, s.relname, n.nspname, "
	"c.relname, a.attname) FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = "
	"'S' JOIN pg_namespace sn ON sn.oid = s.relnamespace JOIN " REL_JOIN " ON c.oid = "
	"d.refobjid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid "
	"WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND "
	"d.deptype = 'a' AND d.refobjsubid > 0 AND " NS_USER("sn.nspname") " AND " NOT_EXT(
		"'pg_class'::regclass", "s.oid") " ORDER BY s.oid";

/* Views and materialized views whose query needs a constraint (GROUP BY a
 * primary key), or reads a materialized view that does: the key comes after
 * the data, so pg_dump makes such a view first as a placeholder with the
 * same columns and replaces it in post-data (sql_views_replaced), and makes
 * such a materialized view (and its indexes) only in post-data. */
#define VIEW_NEEDS_KEY                                                                             \
	"c.oid IN (WITH RECURSIVE k(oid) AS (SELECT rw.ev_class FROM pg_rewrite rw JOIN "          \
	"pg_depend dk ON dk.classid = 'pg_rewrite'::regclass AND dk.objid = rw.oid AND "           \
	"dk.refclassid = 'pg_constraint'::regclass UNION SELECT rw.ev_class FROM pg_rewrite rw "   \
	"JOIN pg_depend dk ON dk.classid = 'pg_rewrite'::regclass AND dk.objid = rw.oid AND "      \
	"dk.refclassid = 'pg_class'::regclass JOIN k ON k.oid = dk.refobjid JOIN pg_class kc ON "  \
	"kc.oid = k.oid AND kc.relkind = 'm' WHERE rw.ev_class <> dk.refobjid) SELECT oid FROM k)"
#define VIEW_DEF "rtrim(rtrim(" FIX_IN("pg_get_viewdef(c.oid)") ", E' \\n'), ';')"
#define REL_OPTIONS                                                                                \
	"CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' || array_to_string(c.reloptions, ', "   \
	"') "                                                                                      \
	"|| ')' ELSE '' END"

static const char sql_views[] =
	"SELECT CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'materialized view ' END || " QREL ", "
	"format('CREATE %s %s%s AS %s%s', CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE "
	"'MATERIALIZED VIEW' END, " QREL ", " REL_OPTIONS
	", CASE WHEN c.relkind = 'v' AND " VIEW_NEEDS_KEY
	" THEN 'SELECT ' || (SELECT string_agg(format('NULL::%s', "
	"format_type(a.atttypid, a.atttypmod)) || " COLLATE_OF(
		"a") " || format(' AS %I', "
		     "a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = "
		     "c.oid AND "
		     "a.attnum > 0 AND NOT a.attisdropped) ELSE " VIEW_DEF
		     " END, CASE c.relkind WHEN 'm' "
		     "THEN ' WITH NO DATA' ELSE '' END) "
		     "FROM " REL_JOIN " WHERE c.relkind IN ('v', 'm') AND " REL_USER
		     " AND NOT (c.relkind = "
		     "'m' AND " VIEW_NEEDS_KEY ") ORDER BY c.oid";

/* The placeholders' real definitions, once the keys exist. */
static const char sql_views_replaced[] =
	"SELECT CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'materialized view ' END || " QREL ", "
	"format('CREATE %s %s%s AS %s%s', CASE c.relkind WHEN 'v' THEN 'OR REPLACE VIEW' ELSE "
	"'MATERIALIZED VIEW' END, " QREL ", " REL_OPTIONS ", " VIEW_DEF ", CASE c.relkind WHEN "
	"'m' THEN ' WITH NO DATA' ELSE '' END) FROM " REL_JOIN " WHERE c.relkind IN ('v', 'm') "
	"AND " VIEW_NEEDS_KEY " AND " REL_USER " ORDER BY c.oid";

/* The indexes of materialized views made in post-data. */
static const char sql_views_replaced_indexes[] =
	"SELECT format('index %I.%I', n.nspname, ic.relname), pg_get_indexdef(i.indexrelid) "
	"FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN " REL_JOIN " ON c.oid = "
	"i.indrelid WHERE c.relkind = 'm' AND " VIEW_NEEDS_KEY " AND " REL_USER
	" ORDER BY i.indexrelid";

/* Column defaults of views (ALTER VIEW … ALTER COLUMN … SET DEFAULT). */
static const char sql_view_defaults[] =
	"SELECT 'column ' || format('%s.%I', " QREL ", a.attname), "
	"format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', " QREL ", a.attname, "
	"pg_get_expr(d.adbin, d.adrelid)) FROM " REL_JOIN " JOIN pg_attribute a ON a.attrelid = "
	"c.oid JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
	"WHERE c.relkind = 'v' AND a.attnum > 0 AND NOT a.attisdropped AND " REL_USER;

/* Comments: COMMENT ON kind identity IS 'text'; POST says whether the object
 * is made by the post-data part. */
static const char sql_comments[] =
	"SELECT 'comment on ' || o.type || ' ' || o.identity, "
	"'COMMENT ON ' || CASE WHEN d.classoid = 'pg_constraint'::regclass THEN (SELECT CASE "
	"WHEN co.contypid <> 0 THEN format('CONSTRAINT %I ON DOMAIN %s', co.conname, "
	"format_type(co.contypid, NULL)) ELSE format('CONSTRAINT %I ON %s', co.conname, "
	"(SELECT format('%I.%I', n.nspname, c.relname) FROM " REL_JOIN " WHERE c.oid = "
	"co.conrelid)) END FROM pg_constraint co WHERE co.oid = d.objoid) "
	"ELSE CASE WHEN o.type LIKE '% column' THEN 'COLUMN' WHEN o.type = 'composite type' THEN "
	"'TYPE' WHEN o.type = 'statistics object' THEN 'STATISTICS' ELSE upper(o.type) END || ' ' "
	"|| CASE WHEN o.type = 'aggregate' THEN regexp_replace(o.identity, '\\(\\)$', '(*)') "
	"ELSE o.identity END END || ' IS ' || quote_literal(d.description), "
	"CASE WHEN d.classoid = 'pg_constraint'::regclass THEN (SELECT co.contypid = 0 AND "
	"(co.contype <> 'c' OR NOT co.convalidated) FROM pg_constraint co WHERE co.oid = d.objoid) "
	"WHEN d.classoid IN ('pg_trigger'::regclass, 'pg_rewrite'::regclass, "
	"'pg_policy'::regclass, 'pg_statistic_ext'::regclass, 'pg_largeobject'::regclass) THEN "
	"true "
	"WHEN d.classoid = 'pg_class'::regclass THEN (SELECT c.relkind IN ('i', 'I') OR "
	"(c.relkind = 'm' AND " VIEW_NEEDS_KEY ") FROM pg_class c WHERE c.oid = d.objoid) ELSE "
	"false END AS post "
	"FROM pg_description d, LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o "
	/* initdb's own objects (OIDs below 16384, thousands of comments) never need
	 * pg_identify_object; a user's comment on the public schema (2200) does */
	"WHERE (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass) "
	"AND d.classoid IN ('pg_namespace'::regclass, 'pg_extension'::regclass, "
	"'pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, "
	"'pg_constraint'::regclass, 'pg_trigger'::regclass, 'pg_rewrite'::regclass, "
	"'pg_policy'::regclass, 'pg_statistic_ext'::regclass, 'pg_collation'::regclass, "
	"'pg_operator'::regclass, 'pg_cast'::regclass, 'pg_ts_dict'::regclass, "
	"'pg_ts_config'::regclass, 'pg_conversion'::regclass, 'pg_largeobject'::regclass) "
	"AND " NOT_EXT("d.classoid",
		       "d.objoid") " AND NOT (d.classoid = 'pg_extension'::regclass AND o.identity "
				   "= 'plpgsql') "
				   "AND NOT (d.classoid = 'pg_namespace'::regclass AND o.identity "
				   "= 'public' AND "
				   "d.description = 'standard public schema') "
				   "AND coalesce(o.schema, CASE WHEN d.classoid = "
				   "'pg_namespace'::regclass THEN (SELECT "
				   "nspname FROM pg_namespace WHERE oid = d.objoid) ELSE 'x' END) "
				   "!~ '^pg_' "
				   "AND coalesce(o.schema, CASE WHEN d.classoid = "
				   "'pg_namespace'::regclass THEN (SELECT "
				   "nspname FROM pg_namespace WHERE oid = d.objoid) ELSE 'x' END) "
				   "<> 'information_schema' "
				   "AND (d.classoid <> 'pg_class'::regclass OR NOT EXISTS (SELECT "
				   "1 FROM pg_class c WHERE "
				   "c.oid = d.objoid AND (c.relkind = 'f' OR c.reloftype <> 0))) "
				   "ORDER BY d.classoid, d.objoid, d.objsubid";

/* Comments of one phase (post = false: pre-data; true: post-data). */
static void take_comments(const PGresult *res, struct list *l, bool post)
{
	for (int i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 1))
			continue;
		bool p = strcmp(PQgetvalue(res, i, 2), "t") == 0;
		if (p == post)
			list_add(l, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), 1);
	}
}

static void take_pre_comments(const PGresult *res, void *into)
{
	take_comments(res, into, false);
}

static void take_post_comments(const PGresult *res, void *into)
{
	take_comments(res, into, true);
}

/* The extensions' statements (columns: what, statement, name) the target
 * offers (INTO: a struct ext_take), the others left out. */
struct ext_take {
	struct list *l;
	const PGresult *avail; /* check_extensions's; NULL: every one (a dry run) */
};

static void take_extensions(const PGresult *res, void *into)
{
	const struct ext_take *e = into;
	for (int i = 0; i < PQntuples(res); i++)
		if (!e->avail || ext_offered(e->avail, PQgetvalue(res, i, 2)))
			list_add(e->l, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), 0);
}

static const char sql_ext_create[] =
	"SELECT 'extension ' || quote_ident(e.extname), format('CREATE EXTENSION IF NOT "
	"EXISTS %I WITH SCHEMA %I', e.extname, n.nspname), e.extname FROM pg_extension e JOIN "
	"pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY e.oid";

/* The pre-data's reads, in the order their statements run, into L (the
 * extensions' through EXT, once the target's offer is known), ending the
 * transaction; PRE_KINDS of them. */
enum { PRE_KINDS = 23 };
static void pre_kinds(PGconn *src, struct list *l, struct ext_take *ext, struct read *out)
{
	bool v14 = PQserverVersion(src) >= 140000, v15 = PQserverVersion(src) >= 150000;
	const struct read kinds[PRE_KINDS] = {
		{sql_schemas, _("schemas"), take_rows, l},
		{sql_ext_create, _("extensions"), take_extensions, ext},
		{v15 ? sql_collations : sql_collations_14, _("collations"), take_rows, l},
		{sql_enums, _("enum types"), take_rows, l},
		{v14 ? sql_ranges : sql_ranges_13, _("range types"), take_rows, l},
		{sql_domains, _("domains"), take_rows, l},
		{sql_composites, _("composite types"), take_rows, l},
		{sql_functions, _("functions"), take_rows, l},
		{sql_aggregates, _("aggregates"), take_rows, l},
		{sql_casts, _("casts"), take_rows, l},
		{sql_operators, _("operators"), take_rows, l},
		{sql_conversions, _("conversions"), take_rows, l},
		{sql_text_search, _("text search objects"), take_rows, l},
		{sql_sequences, _("sequences"), take_rows, l},
		{sql_tables, _("tables"), take_rows, l},
		{sql_attach, _("partitions"), take_rows, l},
		{sql_column_alters, _("columns"), take_rows, l},
		{v14 ? sql_column_compression : NULL, _("column compression"), take_rows, l},
		{sql_seq_owned, _("sequence owners"), take_rows, l},
		{sql_views, _("views"), take_rows, l},
		{sql_view_defaults, _("view column defaults"), take_rows, l},
		{sql_comments, _("comments"), take_pre_comments, l},
		{"COMMIT", _("the end of the transaction"), NULL, NULL},
	};
	memcpy(out, kinds, sizeof kinds);
}

/* ------------------------------------------------------------- execution */

enum outcome { DONE, EXISTED, RETRY, FAILED, SKIPPED };

/* A statement as an error message may show it. */
static const char *shown(const struct pg_stmt *st)
{
	return st->secret ? _("not shown: it holds a password") : st->sql;
}

/* What an error's SQLSTATE means for a schema statement. */
static enum outcome classify(const PGresult *res)
{
	const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!st)
		return FAILED;
	if (!strcmp(st, "42P07") || !strcmp(st, "42710") || !strcmp(st, "42723") ||
	    !strcmp(st, "42P06"))
		return EXISTED;
	if (!strcmp(st, "42P16") && msg && strstr(msg, "multiple primary keys"))
		return EXISTED;
	/* a CREATE that meets its object in a catalog's unique index (text
	 * search dictionaries and configurations say so instead of 42710) */
	if (!strcmp(st, "23505") && msg && strstr(msg, "unique constraint \"pg_"))
		return EXISTED;
	/* ATTACH PARTITION again (a re-run) */
	if (!strcmp(st, "42809") && msg && strstr(msg, "is already a partition"))
		return EXISTED;
	/* ADD CONSTRAINT … USING INDEX again (a re-run) */
	if (!strcmp(st, "55000") && msg && strstr(msg, "already associated with a constraint"))
		return EXISTED;
	if (!strcmp(st, "42P01") || !strcmp(st, "42704") || !strcmp(st, "42883") ||
	    !strcmp(st, "3F000") || !strcmp(st, "55000"))
		return RETRY;
	return FAILED;
}

/* Run L on DST. IN_TX: inside a transaction, each statement under a
 * savepoint. Statements whose dependency is missing are retried after the
 * others until no progress; one that fails for good fails the list (a soft
 * one becomes a warning). */
static int exec_list(PGconn *dst, const struct pg_stmt *v, size_t n, bool in_tx, struct run *r,
		     const char *phase, char **cause)
{
	size_t *pending = xcalloc(n, sizeof *pending);
	char **errs = xcalloc(n, sizeof *errs);
	size_t npending = n, done = 0, existed = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		pending[i] = i;
	while (npending > 0 && rc == 0) {
		size_t keep = 0, progress = 0;
		for (size_t k = 0; k < npending && rc == 0; k++) {
			size_t i = pending[k];
			if (r && run_cancelled(r)) {
				rc = fail(cause, "interrupted");
				break;
			}
			char *sql = in_tx ? xasprintf("SAVEPOINT rdsm_stmt; %s; RELEASE SAVEPOINT "
						      "rdsm_stmt",
						      v[i].sql)
					  : xstrdup(v[i].sql);
			PGresult *res = pg_query(dst, sql);
			free(sql);
			ExecStatusType s = PQresultStatus(res);
			enum outcome o = (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
						 ? DONE
						 : classify(res);
			if (o != DONE && in_tx) {
				PGresult *rb =
					pg_query(dst, "ROLLBACK TO SAVEPOINT rdsm_stmt; RELEASE "
						      "SAVEPOINT rdsm_stmt");
				if (PQresultStatus(rb) != PGRES_COMMAND_OK)
					o = FAILED;
				PQclear(rb);
			}
			if (o == RETRY && v[i].follows)
				o = SKIPPED; /* named as not copied before */
			if (o == FAILED && PQstatus(dst) != CONNECTION_OK) {
				char *e = pg_error(dst, res);
				rc = fail(cause, _("%s: %s: connection lost: %s. Hint: %s"), phase,
					  v[i].what, e, pg_failure_hint(res, dst, e));
				free(e);
			} else if (o == FAILED && v[i].soft) {
				char *e = pg_error(dst, res);
				if (r)
					run_finding(r, LEVEL_WARN, v[i].what, _("not copied: %s"),
						    e);
				run_incomplete(r, 1);
				free(e);
				progress++;
			} else if (o == FAILED) {
				char *e = pg_error(dst, res);
				const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
				bool locks = in_tx && st && strcmp(st, "53200") == 0;
				bool disk = st && strcmp(st, "53100") == 0;
				rc = fail(cause, "%s: %s: %s (statement: %.300s)%s%s%s", phase,
					  v[i].what, e, shown(&v[i]),
					  locks ? _("; hint: the whole pre-data runs in one "
						    "transaction: "
						    "raise max_locks_per_transaction on the target "
						    "(an RDS "
						    "parameter group) and run again")
						: "",
					  disk ? ". Hint: " : "",
					  disk ? pg_failure_hint(res, dst, e) : "");
				free(e);
			} else if (o == RETRY) {
				free(errs[i]);
				errs[i] = pg_error(dst, res);
				pending[keep++] = i;
			} else {
				progress++;
				done++;
				if (o == EXISTED)
					existed++;
			}
			PQclear(res);
			if (r && o != RETRY && (done % 100 == 0 || done == n))
				run_status(r, _("%s: %zu of %zu statements"), phase, done, n);
		}
		if (rc == 0 && keep > 0 && progress == 0) {
			size_t i = pending[0];
			rc = fail(cause, "%s: %s: %s (statement: %.300s)", phase, v[i].what,
				  errs[i], shown(&v[i]));
		}
		npending = keep;
	}
	if (rc == 0 && r && existed > 0)
		run_finding(r, LEVEL_INFO, phase,
			    _("%zu of %zu objects were already on the target: kept"), existed, n);
	for (size_t i = 0; i < n; i++)
		free(errs[i]);
	free(errs);
	free(pending);
	return rc;
}

int pg_schema_uncopyable(PGconn *src, struct run *r, size_t *n, char **list, char **cause)
{
	*n = 0;
	*list = NULL;
	if (src_begin(src, cause) < 0)
		return -1;
	PGresult *res = query(src, uncopyable_sql(src), _("objects that cannot be copied"), cause);
	int rc = res ? 0 : -1;
	if (rc == 0) {
		report_uncopyable(res, r, n, list);
		rc = pg_roles_inspect(src, r, cause);
	}
	PQclear(res);
	src_end(src);
	return rc;
}

/* The roles first (pg_roles_plan), at the head of L. */
static int roles_first(PGconn *src, PGconn *dst, struct run *r, PGresult *const read[],
		       struct list *l, char **cause)
{
	struct pg_stmt *v;
	size_t n;
	const char *pwfile = r ? config_get(r->cfg, CFG_MIGRATE_ROLE_PASSWORDS) : "";
	if (pg_roles_plan(src, dst, r, pwfile, read, &v, &n, cause) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		list_add(l, "", "", 0);
		free(l->v[l->n - 1].what);
		free(l->v[l->n - 1].sql);
		l->v[l->n - 1] = v[i];
	}
	free(v);
	return 0;
}

/* RD[AT…]: the reads the roles need (PG_ROLES_READS), then the pre-data's
 * (PRE_KINDS, into L and EXT); RD has room for them. Returns their end. */
static size_t pre_reads(PGconn *src, struct read *rd, size_t at, struct list *l,
			struct ext_take *ext)
{
	for (size_t i = 0; i < PG_ROLES_READS; i++)
		rd[at + i] = (struct read){pg_roles_reads[i], _("roles"), NULL, NULL};
	pre_kinds(src, l, ext, &rd[at + PG_ROLES_READS]);
	return at + PG_ROLES_READS + PRE_KINDS;
}

/* Once the checks passed (RC 0): the roles (their second round trip) and
 * then the pre-data into L, from RES (read_keep of pre_reads' RD from AT);
 * every result of the N cleared, the source's transaction ended. */
static int pre_take(PGconn *src, PGconn *dst, struct run *r, const struct read *rd, PGresult **res,
		    size_t at, size_t n, struct list *l, int rc, char **cause)
{
	if (rc == 0)
		rc = roles_first(src, dst, r, &res[at], l, cause);
	if (rc == 0)
		take_kept(&rd[at + PG_ROLES_READS], PRE_KINDS, &res[at + PG_ROLES_READS]);
	for (size_t i = 0; i < n; i++)
		PQclear(res[i]);
	if (PQtransactionStatus(src) != PQTRANS_IDLE) /* the batch commits */
		src_end(src);
	return rc;
}

/* A dry run: each statement of V as one a real run would run on the target,
 * the password a role's statement holds (its last clause) shown as ****. */
static void would_run(struct run *r, const struct pg_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *sql = v[i].sql, *pw = NULL;
		for (const char *p = sql; v[i].secret && (p = strstr(p, " PASSWORD ")); p++)
			pw = p;
		if (pw && strcmp(pw, " PASSWORD NULL") != 0)
			run_would(r, CHANGE_SQL, "%.*s PASSWORD ****", (int)(pw - sql), sql);
		else
			run_would(r, CHANGE_SQL, "%s", sql);
	}
}

int pg_schema_dry_run(PGconn *src, PGconn *dst, struct run *r, char **cause)
{
	struct list l = {0};
	struct ext_take ext = {.l = &l}; /* no target asked: every extension */
	struct read rd[2 + PG_ROLES_READS + PRE_KINDS] = {
		{"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", _("a transaction"), NULL,
		 NULL},
		{"SET LOCAL search_path = ''", _("the search path"), NULL, NULL},
	};
	size_t n = pre_reads(src, rd, 2, &l, &ext);
	PGresult *res[2 + PG_ROLES_READS + PRE_KINDS];
	int rc = read_keep(src, rd, n, res, NULL, cause);
	if (rc < 0) {
		src_end(src);
		return -1;
	}
	rc = pre_take(src, dst, r, rd, res, 2, n, &l, rc, cause);
	if (rc == 0)
		would_run(r, l.v, l.n);
	size_t npre = l.n;
	pg_stmts_free(l.v, l.n);
	if (rc < 0)
		return -1;
	struct pg_post_plan *p;
	if (pg_schema_post_plan(src, NULL, &p, cause) < 0)
		return -1;
	size_t npost = p->nfks + p->nfinal;
	for (size_t i = 0; i < p->ngroups; i++) {
		would_run(r, p->groups[i].v, p->groups[i].n);
		npost += p->groups[i].n;
	}
	for (size_t i = 0; i < p->nfks; i++)
		would_run(r, &p->fks[i].st, 1);
	would_run(r, p->final, p->nfinal);
	pg_post_plan_free(p);
	*cause = xasprintf(_("a real run runs %zu statements before the data and %zu after it"),
			   npre, npost);
	return 0;
}

int pg_schema_inspect(PGconn *src, struct run *r, char **cause)
{
	size_t n = 0;
	char *list = NULL;
	int rc = pg_schema_uncopyable(src, r, &n, &list, cause);
	free(list);
	return rc;
}

int pg_schema_pre(PGconn *src, PGconn *dst, struct run *r, char **cause)
{
	struct list l = {0};
	PGresult *avail = NULL;
	struct ext_take ext = {.l = &l};
	/* one round trip for all of it (the source may be far away): what is
	 * checked first, what the roles need, then the plan, taken once the
	 * checks pass; the roles' own query is the second */
	enum { FACTS = 5, ALL = FACTS + PG_ROLES_READS + PRE_KINDS };
	struct read rd[ALL] = {
		{"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", _("a transaction"), NULL,
		 NULL},
		{"SET LOCAL search_path = ''", _("the search path"), NULL, NULL},
		{uncopyable_sql(src), _("objects that cannot be copied"), NULL, NULL},
		{sql_extensions, _("extensions"), NULL, NULL},
		{sql_locale, _("the locale"), NULL, NULL},
	};
	size_t n = pre_reads(src, rd, FACTS, &l, &ext);
	PGresult *res[ALL];
	if (read_keep(src, rd, n, res, NULL, cause) < 0) {
		src_end(src);
		return -1;
	}
	const PGresult *const *facts = (const PGresult *const *)&res[2];
	size_t nbad = 0;
	char *bad = NULL;
	report_uncopyable(facts[0], r, &nbad, &bad);
	int rc = check_extensions(facts[1], dst, r, &avail, cause);
	if (rc == 0)
		check_locale(facts[2], dst, r);
	ext.avail = avail;
	/* The source step asks the same question; ask here when it did not run. */
	if (rc == 0 && nbad > 0 && r && run_step_status(r, &step_source) != STATUS_OK &&
	    !run_confirm(r,
			 P_("%zu object cannot be copied (%s%s). Continue without it?",
			    "%zu objects cannot be copied (%s%s). Continue without them?", nbad),
			 nbad, bad, nbad > 5 ? ", …" : ""))
		rc = fail(cause,
			  P_("%zu object cannot be copied (%s%s): confirm to go on without it "
			     "(--yes), or change the source first",
			     "%zu objects cannot be copied (%s%s): confirm to go on without them "
			     "(--yes), or change the source first",
			     nbad),
			  nbad, bad, nbad > 5 ? ", …" : "");
	free(bad);
	if (rc == 0)
		run_incomplete(r, (int)nbad);
	rc = pre_take(src, dst, r, rd, res, FACTS, n, &l, rc, cause);
	PQclear(avail);
	if (rc < 0) {
		pg_stmts_free(l.v, l.n);
		return -1;
	}
	if (r)
		run_status(r, _("creating %zu pre-data objects in one transaction"), l.n);
	rc = command(dst,
		     "BEGIN; SET LOCAL search_path = ''; SET LOCAL check_function_bodies = off; "
		     "SET LOCAL client_min_messages = warning",
		     cause);
	if (rc == 0)
		rc = exec_list(dst, l.v, l.n, true, r, "pre-data", cause);
	if (rc == 0)
		rc = command(dst, "COMMIT", cause);
	else
		PQclear(pg_query(dst, "ROLLBACK"));
	pg_stmts_free(l.v, l.n);
	return rc;
}

/* ---------------------------------------------------------------- post-data */

/* Per table: the indexes (of PRIMARY KEY and UNIQUE constraints too) first,
 * each on its own (column 5: shared), then the constraints: attached to
 * their index (USING INDEX) when the definition is plain, else built by
 * ADD CONSTRAINT (deferrable, INCLUDE, NULLS NOT DISTINCT, storage options,
 * exclusion, partitioned tables). */
#define CON_BY_INDEX                                                                               \
	"(co.contype IN ('p', 'u') AND c.relkind = 'r' AND pg_get_constraintdef(co.oid) ~ "        \
	"'^(PRIMARY KEY|UNIQUE) \\([^()]*\\)$')"
static const char sql_post_groups[] =
	"SELECT " QREL ", format('constraint %I on %s', co.conname, " QREL
	"), CASE WHEN " CON_BY_INDEX
	" THEN format('ALTER TABLE ONLY %s ADD CONSTRAINT %I %s USING INDEX %I', " QREL
	", co.conname, CASE co.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, "
	"ic.relname) ELSE format('ALTER TABLE ONLY %s ADD CONSTRAINT %I %s', " QREL ", "
	"co.conname, pg_get_constraintdef(co.oid)) END, 1 AS ord, co.oid, false "
	"FROM pg_constraint co JOIN " REL_JOIN " ON c.oid = co.conrelid "
	"LEFT JOIN pg_class ic ON ic.oid = co.conindid "
	"WHERE co.contype IN ('p', 'u', 'x') AND " REL_USER " UNION ALL SELECT " QREL
	", format('index %I.%I', n.nspname, ic.relname), "
	"pg_get_indexdef(ic.oid), 0, ic.oid, true FROM pg_constraint co JOIN " REL_JOIN " ON "
	"c.oid = co.conrelid JOIN pg_class ic ON ic.oid = co.conindid "
	"WHERE " CON_BY_INDEX " AND " REL_USER " UNION ALL SELECT " QREL
	", format('index %I.%I', n.nspname, ic.relname), " FIX_IN(
		"pg_get_indexdef(i.indexrelid)") ", 0, i.indexrelid, true FROM pg_index i JOIN "
						 "pg_class ic ON ic.oid = i.indexrelid "
						 "JOIN " REL_JOIN " ON c.oid = i.indrelid "
						 "WHERE c.relkind IN ('r', 'p', 'm') AND " REL_USER
						 " AND NOT (c.relkind = 'm' AND " VIEW_NEEDS_KEY
						 ") AND NOT EXISTS (SELECT 1 FROM "
						 "pg_constraint co WHERE co.conindid = "
						 "i.indexrelid AND co.conrelid = i.indrelid AND "
						 "co.contype IN ('p', 'u', 'x')) "
						 "ORDER BY 1, 4, 5";

/* A foreign key between plain tables: scheduled on its own (pg_post_fk). */
#define FK_PLAIN                                                                                   \
	"c.relkind = 'r' AND f.relkind = 'r' AND NOT c.relispartition AND NOT f.relispartition"

static const char sql_post_fks[] =
	"SELECT " QREL ", format('%I.%I', fn.nspname, f.relname), format('foreign key %I on %s', "
	"co.conname, " QREL "), format('ALTER TABLE ONLY %s ADD CONSTRAINT %I %s', " QREL ", "
	"co.conname, pg_get_constraintdef(co.oid)) FROM pg_constraint co JOIN " REL_JOIN " ON "
	"c.oid = co.conrelid JOIN pg_class f ON f.oid = co.confrelid JOIN pg_namespace fn ON "
	"fn.oid = f.relnamespace WHERE co.contype = 'f' AND co.conparentid = 0 AND " FK_PLAIN
	" AND " REL_USER " ORDER BY co.oid";

/* The serial part, in order. */
static const char *const sql_post_final[] = {
	sql_views_replaced,
	sql_views_replaced_indexes,
	/* index partitions */
	"SELECT format('index %I.%I', pn.nspname, pc.relname), format('ALTER INDEX %I.%I ATTACH "
	"PARTITION %I.%I', pn.nspname, pc.relname, n.nspname, c.relname) FROM pg_inherits i "
	"JOIN " REL_JOIN " ON c.oid = i.inhrelid JOIN pg_class pc ON pc.oid = i.inhparent JOIN "
	"pg_namespace pn ON pn.oid = pc.relnamespace WHERE c.relkind IN ('i', 'I') AND " REL_USER
	" ORDER BY c.oid",
	/* clustering and replica identity */
	"SELECT 'table ' || " QREL ", format('ALTER TABLE ONLY %s CLUSTER ON %I', " QREL ", "
	"ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN " REL_JOIN
	" ON c.oid = i.indrelid WHERE i.indisclustered AND " REL_USER
	" UNION ALL SELECT 'table ' || " QREL
	", format('ALTER TABLE ONLY %s REPLICA IDENTITY %s', " QREL
	", CASE c.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING' ELSE (SELECT "
	"format('USING INDEX %I', ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = "
	"i.indexrelid WHERE i.indrelid = c.oid AND i.indisreplident) END) FROM " REL_JOIN
	" WHERE c.relkind IN ('r', 'p') AND c.relreplident IN ('f', 'n', 'i') AND " REL_USER,
	/* NOT VALID checks, then foreign keys */
	"SELECT format('constraint %I on %s', co.conname, " QREL "), format('ALTER TABLE %s ADD "
	"CONSTRAINT %I %s', " QREL ", co.conname, " FIX_IN(
		"pg_get_constraintdef(co.oid)") ") FROM "
						"pg_constraint co JOIN " REL_JOIN
						" ON c.oid = co.conrelid WHERE co.contype = 'c' "
						"AND NOT "
						"co.convalidated AND co.conislocal AND " REL_USER
						" ORDER BY co.oid",
	"SELECT format('foreign key %I on %s', co.conname, " QREL "), format('ALTER TABLE %s%s "
	"ADD CONSTRAINT %I %s', CASE WHEN c.relkind = 'p' THEN '' ELSE 'ONLY ' END, " QREL ", "
	"co.conname, pg_get_constraintdef(co.oid)) FROM pg_constraint co JOIN " REL_JOIN " ON "
	"c.oid = co.conrelid JOIN pg_class f ON f.oid = co.confrelid WHERE co.contype = 'f' AND "
	"co.conparentid = 0 AND NOT (" FK_PLAIN ") AND " REL_USER " ORDER BY co.oid",
	/* triggers and their enabled state */
	"SELECT format('trigger %I on %s', t.tgname, " QREL "), pg_get_triggerdef(t.oid) FROM "
	"pg_trigger t JOIN " REL_JOIN " ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND "
	"t.tgparentid = 0 AND " REL_USER
	" UNION ALL SELECT format('trigger %I on %s', t.tgname, " QREL "), format('ALTER TABLE %s "
	"%s TRIGGER %I', " QREL ", CASE t.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE "
	"REPLICA' ELSE 'ENABLE ALWAYS' END, t.tgname) FROM pg_trigger t JOIN " REL_JOIN " ON "
	"c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgenabled <> 'O' "
	"AND " REL_USER
	/* a partition's copy of its parent's trigger, in another state */
	" UNION ALL SELECT format('trigger %I on %s', t.tgname, " QREL "), format('ALTER TABLE %s "
	"%s TRIGGER %I', " QREL ", CASE t.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE "
	"REPLICA' WHEN 'A' THEN 'ENABLE ALWAYS' ELSE 'ENABLE' END, t.tgname) FROM pg_trigger t "
	"JOIN pg_trigger pt ON pt.oid = t.tgparentid JOIN " REL_JOIN " ON c.oid = t.tgrelid "
	"WHERE t.tgenabled <> pt.tgenabled AND " REL_USER,
	/* rules */
	"SELECT format('rule %I on %s', r.rulename, " QREL "), pg_get_ruledef(r.oid) FROM "
	"pg_rewrite r JOIN " REL_JOIN
	" ON c.oid = r.ev_class WHERE r.rulename <> '_RETURN' AND " REL_USER
	" UNION ALL SELECT format('rule %I on %s', r.rulename, " QREL "), "
	"format('ALTER TABLE %s %s RULE %I', " QREL ", CASE r.ev_enabled WHEN 'D' THEN 'DISABLE' "
	"WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE ALWAYS' END, r.rulename) FROM pg_rewrite r "
	"JOIN " REL_JOIN " ON c.oid = r.ev_class WHERE r.rulename <> '_RETURN' AND r.ev_enabled "
	"<> 'O' AND " REL_USER,
	/* row-level security */
	"SELECT 'table ' || " QREL ", format('ALTER TABLE ONLY %s ENABLE ROW LEVEL SECURITY', " QREL
	") FROM " REL_JOIN " WHERE c.relrowsecurity AND " REL_USER
	" UNION ALL SELECT 'table ' || " QREL ", format('ALTER TABLE ONLY %s FORCE ROW LEVEL "
	"SECURITY', " QREL ") FROM " REL_JOIN " WHERE c.relforcerowsecurity AND " REL_USER,
	/* statistics objects */
	"SELECT format('statistics %I.%I', n.nspname, s.stxname), "
	"pg_get_statisticsobjdef(s.oid) FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = "
	"s.stxnamespace WHERE " NS_USER("n.nspname") " ORDER BY s.oid",
	/* statistics targets of index columns (expressions) */
	"SELECT format('index %I.%I', n.nspname, c.relname), format('ALTER INDEX %I.%I ALTER "
	"COLUMN %s SET STATISTICS %s', n.nspname, c.relname, a.attnum, a.attstattarget) "
	"FROM " REL_JOIN
	" JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relkind IN ('i', 'I') AND "
	"a.attstattarget >= 0 AND " REL_USER,
};

/* Statistics objects' targets (PostgreSQL 13 and later). */
static const char sql_stats_targets[] =
	"SELECT format('statistics %I.%I', n.nspname, s.stxname), format('ALTER STATISTICS "
	"%I.%I SET STATISTICS %s', n.nspname, s.stxname, s.stxstattarget) FROM pg_statistic_ext "
	"s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE s.stxstattarget >= 0 AND " NS_USER(
		"n.nspname") " ORDER BY s.oid";

/* Publications of tables (with their column lists and row filters), as the
 * owner of the tables may make them; PostgreSQL 15. */
static const char sql_publications[] =
	"SELECT 'publication ' || quote_ident(p.pubname), format('CREATE PUBLICATION %I WITH "
	"(publish = %L, publish_via_partition_root = %s)', p.pubname, concat_ws(', ', CASE WHEN "
	"p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END, CASE WHEN "
	"p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END), "
	"p.pubviaroot::text) || coalesce((SELECT string_agg(format('; ALTER PUBLICATION %I ADD "
	"TABLE "
	"ONLY %s%s%s', p.pubname, " QREL ", ' (' || (SELECT string_agg(quote_ident(a.attname), ', "
	"' ORDER BY k.i) FROM unnest(pr.prattrs) WITH ORDINALITY AS k(attnum, i) JOIN "
	"pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.attnum) || ')', ' WHERE (' "
	"|| pg_get_expr(pr.prqual, pr.prrelid) || ')'), '' ORDER BY c.oid) FROM "
	"pg_publication_rel pr JOIN " REL_JOIN " ON c.oid = pr.prrelid WHERE pr.prpubid = p.oid), "
	"'') FROM pg_publication p WHERE NOT p.puballtables AND NOT EXISTS (SELECT 1 FROM "
	"pg_publication_namespace pn WHERE pn.pnpubid = p.oid) AND p.pubname NOT LIKE " REPLICA_LIKE
	" ORDER BY p.oid"; /* live mode's own is not the application's */

/* Policies: soft when they name roles (which may not exist on the target). */
static const char sql_policies[] =
	"SELECT format('policy %I on %s', p.polname, " QREL "), format('CREATE POLICY %I ON %s AS "
	"%s FOR %s TO %s%s%s', p.polname, " QREL ", CASE WHEN p.polpermissive THEN 'PERMISSIVE' "
	"ELSE 'RESTRICTIVE' END, CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN "
	"'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END, CASE WHEN p.polroles = "
	"'{0}'::oid[] THEN 'PUBLIC' ELSE (SELECT string_agg(CASE WHEN x.r = 0 THEN 'PUBLIC' ELSE "
	"(SELECT quote_ident(rolname) FROM pg_roles WHERE oid = x.r) END, ', ') FROM "
	"unnest(p.polroles) AS x(r)) END, CASE WHEN p.polqual IS NOT NULL THEN ' USING (' || "
	"pg_get_expr(p.polqual, p.polrelid) || ')' ELSE '' END, CASE WHEN p.polwithcheck IS NOT "
	"NULL THEN ' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')' ELSE '' END), "
	"p.polroles = '{0}'::oid[] FROM pg_policy p JOIN " REL_JOIN " ON c.oid = p.polrelid "
	"WHERE " REL_USER " ORDER BY p.oid";

static const char sql_refresh[] =
	"SELECT 'materialized view ' || " QREL ", format('REFRESH MATERIALIZED VIEW %s', " QREL
	") FROM " REL_JOIN " WHERE c.relkind = 'm' AND c.relispopulated AND " REL_USER
	" ORDER BY c.oid";

/* Every sequence's position and whether the next nextval returns it
 * (is_called), read in one statement: query_to_xml reads each sequence.
 * An extension's sequences are its own, but those it keeps as configuration
 * (pg_extension_config_dump) are set like pg_dump sets them. */
/* clang-format off */
static const char sql_setval[] =
	"SELECT 'sequence ' || q, format('SELECT pg_catalog.setval(%s, %s, %s)%s', "
	"CASE WHEN cfg THEN format('to_regclass(%L)', q) ELSE quote_literal(q) END, "
	"(xpath('/row/last_value/text()', x))[1]::text, (xpath('/row/is_called/text()', "
	"x))[1]::text, CASE WHEN cfg THEN format(' WHERE to_regclass(%L) IS NOT NULL', q) "
	"ELSE '' END) FROM (SELECT " QREL " AS q, query_to_xml(format('SELECT last_value, "
	"is_called FROM %s', " QREL "), false, true, '') AS x, "
	/* an extension's: there only when the target has the extension (else
	 * named by the schema step, and the copy counted incomplete) */
	"NOT " NOT_EXT("'pg_class'::regclass", "c.oid") " AS cfg "
	"FROM " REL_JOIN " WHERE c.relkind = 'S' AND " NS_USER("n.nspname") " AND ("
	NOT_EXT("'pg_class'::regclass", "c.oid") " OR (c.oid IN (SELECT unnest(extconfig) "
	"FROM pg_extension) AND has_sequence_privilege(c.oid, 'SELECT')))) s ORDER BY 1";
/* clang-format on */

/* SQL: statement STMT run as ROLE, unless that is the source user. */
/* clang-format off */
#define AS_ROLE(role, stmt) \
	"CASE WHEN " role " <> " PG_ROLE_ME " THEN format('SET ROLE %s; %s; RESET ROLE', " \
	PG_ROLE_Q(role) ", " stmt ") ELSE " stmt " END"
/* clang-format on */
/* SQL: the rows of aclexplode(ACL) that aclexplode(BASE) lacks. */
#define ACL_MINUS(acl, base)                                                                       \
	"SELECT g.grantor, g.grantee, g.privilege_type, g.is_grantable FROM aclexplode(" acl       \
	") g EXCEPT SELECT b.grantor, b.grantee, b.privilege_type, b.is_grantable FROM "           \
	"aclexplode(" base ") b"

/* Owners other than the source user (pg_shdepend's 'o' rows), schemas
 * first. The new owner must be allowed to create in the schema (for a schema
 * or publication: in the database), as pg_dump's superuser is without
 * asking: when it is not, that is given for the change and taken back. */
#define OWNER_KW                                                                                   \
	"CASE o.type WHEN 'statistics object' THEN 'STATISTICS' ELSE upper(replace(o.type, '-', "  \
	"' ')) END"
#define OWNER_ALTER "format('ALTER %s %s OWNER TO %I', " OWNER_KW ", o.identity, r.rolname)"
/* SQL: ALTER … OWNER in a DO block; when the condition COND does not hold
 * (the new owner may not create there), under GRANT, then REVOKE. */
#define OWNER_WITH(cond, grant, revoke)                                                            \
	"'DO ' || quote_literal('BEGIN IF ' || " cond " || ' THEN ' || " OWNER_ALTER               \
	" || '; ELSE ' "                                                                           \
	"|| " grant " || '; ' || " OWNER_ALTER " || '; ' || " revoke " || '; END IF; END')"
/* (clang-format 14 cannot lay out this query's macros: kept as written) */
/* clang-format off */
/* SQL: pg_shdepend's owner rows D (with R, the owner, and O, the object)
 * the copy changes: objects of this database that the schema step made,
 * owned by another role than the source user that the target has. Not an
 * index, a TOAST table, or a sequence that belongs to a table (they follow
 * their table); not an extension's member. */
#define OWNER_ROWS \
	"d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) " \
	"AND d.deptype = 'o' AND d.refclassid = 'pg_authid'::regclass " \
	"AND d.classid <> 'pg_default_acl'::regclass " \
	"AND r.rolname <> current_user AND " PG_ROLE_MADE("r.oid") " " \
	"AND " NS_USER("coalesce(o.schema, CASE WHEN d.classid = 'pg_namespace'::regclass " \
		       "THEN (SELECT nspname FROM pg_namespace WHERE oid = d.objid) END, '')") " " \
	"AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = d.classid " \
	"AND x.objid = d.objid AND x.deptype = 'e') " \
	"AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE d.classid = 'pg_class'::regclass " \
	"AND c.oid = d.objid AND (c.relkind IN ('i', 'I', 't') OR EXISTS (SELECT 1 " \
	"FROM pg_depend x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid " \
	"AND x.refclassid = 'pg_class'::regclass AND x.deptype IN ('a', 'i'))))"
static const char sql_owners[] =
	"SELECT format('owner of %s %s', o.type, o.identity), "
	"CASE WHEN d.classid IN ('pg_namespace'::regclass, 'pg_publication'::regclass) THEN "
	OWNER_WITH("format('has_database_privilege(%L, current_database(), ''CREATE'')', "
		   "r.rolname)",
		   "format('EXECUTE format(''GRANT CREATE ON DATABASE %%I TO %%I'', "
		   "current_database(), %L)', r.rolname)",
		   "format('EXECUTE format(''REVOKE CREATE ON DATABASE %%I FROM %%I'', "
		   "current_database(), %L)', r.rolname)")
	" WHEN o.schema IS NOT NULL THEN "
	OWNER_WITH("format('has_schema_privilege(%L, %L, ''CREATE'')', r.rolname, o.schema)",
		   "format('GRANT CREATE ON SCHEMA %I TO %I', o.schema, r.rolname)",
		   "format('REVOKE CREATE ON SCHEMA %I FROM %I', o.schema, r.rolname)")
	" ELSE " OWNER_ALTER " END "
	"FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid, "
	"LATERAL pg_identify_object(d.classid, d.objid, 0) o WHERE " OWNER_ROWS " "
	"ORDER BY d.classid <> 'pg_namespace'::regclass, d.classid, d.objid";
/* clang-format on */

/* Privileges of tables, sequences, columns, schemas, routines, types and
 * large objects, as GRANT and REVOKE against the owner's defaults (the
 * initial privileges for a schema the database came with), as pg_dump's
 * buildACLCommands does: every privilege taken from the roles named, then
 * given again in the source's order (pg_dump prints them in that order).
 * Each is made by its grantor (SET ROLE: the target user is a member of
 * every role made), so that the grantor recorded is the source's when the
 * target user could act through more than one role. */
/* (clang-format 14 cannot lay out these queries' macros: kept as written) */
/* clang-format off */
#define ACL_OBJECTS \
	"SELECT 'privileges on ' || " QREL ", " \
	"CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, " QREL ", c.relowner, " \
	"c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::\"char\", " \
	"c.relowner), NULL::text " \
	"FROM " REL_JOIN " WHERE c.relacl IS NOT NULL " \
	"AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND " REL_USER " " \
	"UNION ALL SELECT format('privileges on %s.%I', " QREL ", a.attname), 'TABLE', " \
	QREL ", c.relowner, a.attacl, NULL, quote_ident(a.attname) " \
	"FROM " REL_JOIN " JOIN pg_attribute a ON a.attrelid = c.oid " \
	"WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND " REL_USER " " \
	"UNION ALL SELECT 'privileges on schema ' || quote_ident(n.nspname), 'SCHEMA', " \
	"quote_ident(n.nspname), n.nspowner, n.nspacl, " \
	"coalesce((SELECT i.initprivs FROM pg_init_privs i WHERE i.objoid = n.oid " \
	"AND i.classoid = 'pg_namespace'::regclass AND i.objsubid = 0), " \
	"acldefault('n', n.nspowner)), NULL " \
	"FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND " NS_USER("n.nspname") " " \
	"AND " NOT_EXT("'pg_namespace'::regclass", "n.oid") " " \
	"UNION ALL SELECT format('privileges on %s', p.oid::regprocedure), 'ROUTINE', " \
	"format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), " \
	"p.proowner, p.proacl, acldefault('f', p.proowner), NULL " \
	"FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace " \
	"WHERE p.proacl IS NOT NULL AND " NS_USER("n.nspname") " " \
	"AND " NOT_EXT("'pg_proc'::regclass", "p.oid") " " \
	"UNION ALL SELECT 'privileges on type ' || format_type(t.oid, NULL), 'TYPE', " \
	"format_type(t.oid, NULL), t.typowner, t.typacl, acldefault('T', t.typowner), NULL " \
	"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace " \
	"WHERE t.typacl IS NOT NULL AND " NS_USER("n.nspname") " " \
	"AND " NOT_EXT("'pg_type'::regclass", "t.oid") " " \
	"AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid) " \
	"UNION ALL SELECT 'privileges on large object ' || l.oid, 'LARGE OBJECT', " \
	"l.oid::text, l.lomowner, l.lomacl, acldefault('L', l.lomowner), NULL " \
	"FROM pg_largeobject_metadata l WHERE l.lomacl IS NOT NULL AND " PG_LO_READABLE("l")
static const char sql_acls[] =
	"WITH o(what, kind, name, owner, acl, base, col) AS (" ACL_OBJECTS "), "
	/* the grants, one per grantor, grantee and grant option, in order */
	"g AS (SELECT o.what, o.kind, o.name, o.owner, x.grantor, x.grantee, x.is_grantable, "
	"string_agg(x.privilege_type || coalesce(' (' || o.col || ')', ''), ', ' "
	"ORDER BY x.n) AS privs, min(x.n) AS n "
	"FROM o, aclexplode(o.acl) WITH ORDINALITY x(grantor, grantee, privilege_type, "
	"is_grantable, n) "
	"WHERE " PG_ROLE_MADE("x.grantee") " AND " PG_ROLE_MADE("x.grantor") " "
	"GROUP BY 1, 2, 3, 4, 5, 6, 7) "
	"SELECT what, stmt FROM ("
	"SELECT o.what, o.owner, 0 AS n, "
	AS_ROLE("o.owner",
		"format('REVOKE ALL%s ON %s %s FROM %s CASCADE', "
		"coalesce(' (' || o.col || ')', ''), o.kind, o.name, "
		"(SELECT string_agg(" PG_ROLE_Q("e.grantee") ", ', ') FROM (SELECT grantee "
		"FROM aclexplode(o.acl) UNION SELECT grantee FROM aclexplode(o.base)) e "
		"WHERE " PG_ROLE_MADE("e.grantee") "))") " AS stmt FROM o "
	"UNION ALL SELECT what, owner, n, "
	AS_ROLE("grantor",
		"format('GRANT %s ON %s %s TO %s%s', privs, kind, name, " PG_ROLE_Q("grantee") ", "
		"CASE WHEN is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)") " "
	"FROM g) s WHERE " PG_ROLE_MADE("owner") " ORDER BY what, n";

/* Default privileges (pg_default_acl), against the built-in defaults for
 * those of no schema, as they are for those of one schema. */
static const char sql_default_acls[] =
	"WITH o AS (SELECT d.defaclrole AS role, d.defaclnamespace AS ns, "
	"CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' "
	"WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS' END AS kind, "
	"d.defaclacl AS acl, CASE WHEN d.defaclnamespace = 0 THEN acldefault(CASE "
	"d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END, d.defaclrole) END AS base "
	"FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace "
	"WHERE d.defaclnamespace = 0 OR " NS_USER("n.nspname") "), "
	"d AS (SELECT o.*, 1 AS ord, 'GRANT' AS verb, x.* FROM o, "
	"LATERAL (" ACL_MINUS("o.acl", "o.base") ") x "
	"UNION ALL SELECT o.*, 0, 'REVOKE', x.* FROM o, "
	"LATERAL (" ACL_MINUS("o.base", "o.acl") ") x) "
	"SELECT format('default privileges of %s on %s', pg_get_userbyid(role), lower(kind)), "
	"format('ALTER DEFAULT PRIVILEGES FOR ROLE %s%s %s %s ON %s %s %s%s', "
	PG_ROLE_Q("role") ", "
	"CASE WHEN ns <> 0 THEN ' IN SCHEMA ' || quote_ident((SELECT nspname FROM pg_namespace "
	"WHERE oid = ns)) ELSE '' END, "
	"verb, string_agg(privilege_type, ', ' ORDER BY privilege_type), kind, "
	"CASE verb WHEN 'GRANT' THEN 'TO' ELSE 'FROM' END, " PG_ROLE_Q("grantee") ", "
	"CASE WHEN is_grantable AND verb = 'GRANT' THEN ' WITH GRANT OPTION' ELSE '' END) "
	"FROM d WHERE " PG_ROLE_MADE("role") " AND " PG_ROLE_MADE("grantee") " "
	"GROUP BY role, ns, kind, ord, verb, grantee, is_grantable ORDER BY role, ns, kind, ord";
/* clang-format on */

void pg_post_plan_free(struct pg_post_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ngroups; i++) {
		free(p->groups[i].table);
		pg_stmts_free(p->groups[i].v, p->groups[i].n);
	}
	free(p->groups);
	for (size_t i = 0; i < p->nfks; i++) {
		free(p->fks[i].table);
		free(p->fks[i].ref);
		free(p->fks[i].st.what);
		free(p->fks[i].st.sql);
	}
	free(p->fks);
	pg_stmts_free(p->final, p->nfinal);
	free(p);
}

/* The per-table groups, into the plan INTO. */
static void take_groups(const PGresult *res, void *into)
{
	struct pg_post_plan *p = into;
	struct list cur = {0};
	size_t cap = 0;
	for (int i = 0; i <= PQntuples(res); i++) {
		bool end = i == PQntuples(res);
		if (cur.n > 0 &&
		    (end || strcmp(PQgetvalue(res, i, 0), p->groups[p->ngroups - 1].table))) {
			p->groups[p->ngroups - 1].v = cur.v;
			p->groups[p->ngroups - 1].n = cur.n;
			cur = (struct list){0};
		}
		if (end)
			break;
		if (cur.n == 0) {
			if (p->ngroups == cap) {
				cap = cap ? 2 * cap : 32;
				p->groups = xrealloc(p->groups, cap * sizeof *p->groups);
			}
			p->groups[p->ngroups++] =
				(struct pg_post_group){.table = xstrdup(PQgetvalue(res, i, 0))};
		}
		list_add(&cur, PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), 0);
		cur.v[cur.n - 1].shared = PQgetvalue(res, i, 5)[0] == 't';
	}
}

/* The foreign keys between plain tables, into the plan INTO. */
static void take_fks(const PGresult *res, void *into)
{
	struct pg_post_plan *p = into;
	size_t n = (size_t)PQntuples(res);
	p->fks = xcalloc(n ? n : 1, sizeof *p->fks);
	for (size_t i = 0; i < n; i++) {
		int r = (int)i;
		p->fks[i] = (struct pg_post_fk){
			.table = xstrdup(PQgetvalue(res, r, 0)),
			.ref = xstrdup(PQgetvalue(res, r, 1)),
			.st = {.what = xstrdup(PQgetvalue(res, r, 2)),
			       .sql = xstrdup(PQgetvalue(res, r, 3))},
		};
	}
	p->nfks = n;
}

/* Policies: soft when they name roles. */
static void take_policies(const PGresult *res, void *into)
{
	for (int i = 0; i < PQntuples(res); i++)
		list_add(into, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			 strcmp(PQgetvalue(res, i, 2), "t") != 0);
}

/* WITH's reads into RD (room for nfirst + 1), from N; returns the new N. */
static size_t with_reads(struct pg_post_with *with, struct read *rd, size_t n)
{
	for (size_t i = 0; i < with->nfirst; i++)
		rd[n++] = (struct read){with->first[i], _("the snapshot"), keep_result,
					&with->first_res[i]};
	return n;
}

int pg_schema_read_with(PGconn *src, struct pg_post_with *with, char **cause)
{
	struct read *rd = xcalloc(with->nfirst + 1, sizeof *rd);
	size_t n = with_reads(with, rd, 0);
	if (with->also)
		rd[n++] = (struct read){with->also, _("the tables"), keep_result, &with->also_res};
	int rc = read_all(src, rd, n, &with->first_s, cause);
	free(rd);
	return rc;
}

int pg_schema_post_plan(PGconn *src, struct pg_post_with *with, struct pg_post_plan **out,
			char **cause)
{
	*out = NULL;
	/* inside the caller's transaction (the data step's snapshot) or our own */
	size_t nfirst = with ? with->nfirst : 0;
	bool own_tx = !nfirst && PQtransactionStatus(src) != PQTRANS_INTRANS;
	if (own_tx && src_begin(src, cause) < 0)
		return -1;
	struct pg_post_plan *p = xcalloc(1, sizeof *p);
	struct list fin = {0};
	int v = PQserverVersion(src);
	struct read *rd =
		xcalloc(nfirst + 13 + sizeof sql_post_final / sizeof *sql_post_final, sizeof *rd);
	size_t n = with ? with_reads(with, rd, 0) : 0;
	/* in the caller's transaction, the same round trip sets the search path */
	rd[n++] = (struct read){own_tx ? NULL : "SET LOCAL search_path = ''", _("the search path"),
				NULL, NULL};
	rd[n++] = (struct read){sql_post_groups, _("constraints and indexes"), take_groups, p};
	rd[n++] = (struct read){sql_post_fks, _("foreign keys"), take_fks, p};
	for (size_t i = 0; i < sizeof sql_post_final / sizeof *sql_post_final; i++)
		rd[n++] = (struct read){sql_post_final[i], _("post-data objects"), take_rows, &fin};
	rd[n++] = (struct read){v >= 130000 ? sql_stats_targets : NULL, _("statistics targets"),
				take_rows, &fin};
	rd[n++] = (struct read){sql_policies, _("policies"), take_policies, &fin};
	rd[n++] = (struct read){v >= 150000 ? sql_publications : NULL, _("publications"), take_rows,
				&fin};
	rd[n++] = (struct read){sql_comments, _("comments"), take_post_comments, &fin};
	rd[n++] = (struct read){sql_refresh, _("materialized views"), take_rows, &fin};
	rd[n++] = (struct read){sql_setval, _("sequence positions"), take_rows, &fin};
	/* last, as pg_dump does: owners, then privileges, then the defaults
	 * (which nothing made after them may pick up) */
	rd[n++] = (struct read){sql_owners, _("owners"), take_follows, &fin};
	rd[n++] = (struct read){sql_acls, _("privileges"), take_follows, &fin};
	rd[n++] = (struct read){sql_default_acls, _("default privileges"), take_follows, &fin};
	if (with && with->also)
		rd[n++] = (struct read){with->also, _("the tables"), keep_result, &with->also_res};
	int rc = read_all(src, rd, n, with ? &with->first_s : NULL, cause);
	free(rd);
	if (own_tx)
		src_end(src);
	p->final = fin.v;
	p->nfinal = fin.n;
	if (rc < 0) {
		pg_post_plan_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int pg_schema_exec(PGconn *dst, const struct pg_stmt *st, char **cause)
{
	return exec_list(dst, st, 1, false, NULL, "post-data", cause);
}

int pg_schema_exec_list(PGconn *dst, const struct pg_stmt *v, size_t n, struct run *r, char **cause)
{
	return exec_list(dst, v, n, false, r, "post-data", cause);
}

int pg_schema_post(PGconn *src, PGconn *dst, struct run *r, char **cause)
{
	struct pg_post_plan *p;
	if (pg_schema_post_plan(src, NULL, &p, cause) < 0)
		return -1;
	size_t total = p->nfinal;
	for (size_t i = 0; i < p->ngroups; i++)
		total += p->groups[i].n;
	if (r)
		run_status(r,
			   _("post-data: %zu constraints and indexes on %zu tables, then %zu more"),
			   total - p->nfinal, p->ngroups, p->nfinal);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < p->ngroups; i++) {
		if (r)
			run_status(r, _("indexes and keys of %s"), p->groups[i].table);
		rc = exec_list(dst, p->groups[i].v, p->groups[i].n, false, NULL, "post-data",
			       cause);
	}
	if (rc == 0 && r)
		run_status(r, _("foreign keys, triggers, refreshes, sequence positions"));
	for (size_t i = 0; rc == 0 && i < p->nfks; i++)
		rc = exec_list(dst, &p->fks[i].st, 1, false, NULL, "post-data", cause);
	if (rc == 0)
		rc = exec_list(dst, p->final, p->nfinal, false, r, "post-data", cause);
	pg_post_plan_free(p);
	if (rc == 0 && r && r->state)
		state_set(r->state, "schema.post", "done", NULL);
	return rc;
}

/* ---------------------------------------------------------------- SQL files */

/* The line an error position (1-based, in characters of SQL) falls on. */
static int error_line(const struct pg_sql_stmt *st, const PGresult *res)
{
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	int line = st->line;
	if (!pos)
		return line;
	long want = atol(pos);
	long ch = 0;
	for (const unsigned char *p = (const unsigned char *)st->sql; *p && ch < want - 1; p++) {
		if ((*p & 0xC0) != 0x80)
			ch++;
		if (*p == '\n')
			line++;
	}
	return line;
}

/* Send a COPY's data. */
static int send_copy(PGconn *dst, const char *data, char **err)
{
	int ok = PQputCopyData(dst, data, (int)strlen(data)) == 1 && PQputCopyEnd(dst, NULL) == 1;
	PGresult *res;
	int rc = ok ? 0 : -1;
	while ((res = PQgetResult(dst)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
			*err = pg_error(dst, res);
			rc = -1;
		}
		PQclear(res);
	}
	if (!ok && !*err)
		*err = xstrdup(PQerrorMessage(dst));
	return rc;
}

int pg_schema_apply_file(PGconn *dst, const char *path, struct run *r, char **cause)
{
	size_t len;
	char *err = NULL;
	char *text = read_file(path, &len, &err);
	if (!text) {
		fail(cause, _("schema file %s: %s"), path, err ? err : _("cannot read it"));
		free(err);
		return -1;
	}
	struct pg_sql_stmt *v;
	size_t n = pg_sql_split(text, &v);
	free(text);
	if (r)
		run_status(r, _("applying %s: %zu statements in one transaction"), path, n);
	int rc = command(dst, "BEGIN", cause);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *s = pg_sql_skip_blank(v[i].sql);
		if (*s == '\\') {
			if (r)
				run_finding(r, LEVEL_WARN, path,
					    _("line %d: psql command skipped: %.100s"), v[i].line,
					    s);
			continue;
		}
		if (pg_sql_is_tx_control(s))
			continue;
		PGresult *res = pg_query(dst, v[i].sql);
		ExecStatusType st = PQresultStatus(res);
		char *e = NULL;
		int line = v[i].line;
		if (st == PGRES_COPY_IN) {
			PQclear(res);
			res = NULL;
			if (send_copy(dst, v[i].copy_data ? v[i].copy_data : "", &e) < 0)
				st = PGRES_FATAL_ERROR;
			else
				st = PGRES_COMMAND_OK;
		} else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			e = pg_error(dst, res);
			line = error_line(&v[i], res);
		}
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			char *one = xstrdup(s);
			for (char *q = one; *q; q++)
				if (*q == '\n' || *q == '\t')
					*q = ' ';
			rc = fail(cause, _("%s:%d: %s (statement at line %d: %.200s)"), path, line,
				  e ? e : "failed", v[i].line, one);
			free(one);
		}
		free(e);
		PQclear(res);
		if (r && ((i + 1) % 100 == 0 || i + 1 == n))
			run_status(r, _("%s: %zu of %zu statements"), path, i + 1, n);
	}
	if (rc == 0)
		rc = command(dst, "COMMIT", cause);
	else
		PQclear(pg_query(dst, "ROLLBACK"));
	pg_sql_free(v, n);
	return rc;
}

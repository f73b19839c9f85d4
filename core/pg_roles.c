/* Roles recreated on the target: attributes RDS allows, memberships,
 * password verifiers or new passwords written to a .pgpass file. */
#include "pg_roles.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "i18n.h"
#include "password.h"
#include "pg_conn.h"
#include "run.h"
#include "strbuf.h"
#include "util.h"

/* The roles to make (columns: name, CREATE ROLE without a password, can
 * log in, password verifier or NULL). PW: how the verifier is read. */
#define SQL_ROLES(pw)                                                                              \
	"SELECT r.rolname, format('CREATE ROLE %I WITH %s %s%s%s CONNECTION LIMIT %s%s', "         \
	"r.rolname, CASE WHEN r.rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END, CASE WHEN "           \
	"r.rolinherit THEN 'INHERIT' ELSE 'NOINHERIT' END, CASE WHEN r.rolcreatedb THEN ' "        \
	"CREATEDB' ELSE '' END, CASE WHEN r.rolcreaterole THEN ' CREATEROLE' ELSE '' END, "        \
	"r.rolconnlimit, CASE WHEN r.rolvaliduntil IS NOT NULL THEN format(' VALID UNTIL %L', "    \
	"r.rolvaliduntil) ELSE '' END), r.rolcanlogin, " pw " FROM pg_catalog.pg_roles r WHERE "   \
	"r.oid IN (" PG_ROLES_USED ") AND r.rolname !~ '^rds_' ORDER BY 1"
static const char sql_roles_authid[] =
	SQL_ROLES("(SELECT a.rolpassword FROM pg_catalog.pg_authid a WHERE a.oid = r.oid)");
static const char sql_roles[] = SQL_ROLES("NULL");

/* Memberships of the roles made (columns: member, role, statement); the
 * role may be a predefined pg_* role. */
static const char sql_members[] =
	"SELECT m.rolname, g.rolname, format('GRANT %I TO %I%s', g.rolname, m.rolname, CASE WHEN "
	"a.admin_option THEN ' WITH ADMIN OPTION' ELSE '' END) FROM pg_catalog.pg_auth_members a "
	"JOIN pg_catalog.pg_roles g ON g.oid = a.roleid JOIN pg_catalog.pg_roles m ON m.oid = "
	"a.member WHERE a.member IN (" PG_ROLES_USED ") ORDER BY 1, 2";

/* The database's own privileges (CONNECT, TEMPORARY, CREATE), when the
 * source changed them: the roles to take every privilege from (row with a
 * NULL column 2), then the grants in the source's order (columns: order,
 * grantee, privileges, with grant option). They are given on the target's
 * database, whose owner the target user is. */
/* (clang-format 14 cannot lay out this query's macros: kept as written) */
/* clang-format off */
static const char sql_db_acl[] =
	"WITH d AS (SELECT datacl AS acl, acldefault('d', datdba) AS base "
	"FROM pg_catalog.pg_database WHERE datname = current_database() AND datacl IS NOT NULL) "
	"SELECT 0::bigint, (SELECT string_agg(" PG_ROLE_Q("e.grantee") ", ', ') "
	"FROM (SELECT grantee FROM aclexplode(d.acl) UNION SELECT grantee FROM aclexplode(d.base)) e "
	"WHERE " PG_ROLE_MADE("e.grantee") "), NULL, false FROM d "
	"UNION ALL SELECT min(x.n), " PG_ROLE_Q("x.grantee") ", "
	"string_agg(x.privilege_type, ', ' ORDER BY x.n), x.is_grantable "
	"FROM d, aclexplode(d.acl) WITH ORDINALITY x(grantor, grantee, privilege_type, "
	"is_grantable, n) "
	"WHERE " PG_ROLE_MADE("x.grantee") " GROUP BY x.grantee, x.is_grantable ORDER BY 1";
/* clang-format on */

/* Settings of the roles (ALTER ROLE … SET), for all databases or this one
 * (columns: role, for this database only, name, value as stored). */
static const char sql_settings[] =
	"SELECT r.rolname, d.setdatabase <> 0, split_part(c, '=', 1), substr(c, strpos(c, '=') + "
	"1) FROM pg_catalog.pg_db_role_setting d JOIN pg_catalog.pg_roles r ON r.oid = d.setrole, "
	"unnest(d.setconfig) c WHERE r.oid IN (" PG_ROLES_USED ") AND (d.setdatabase = 0 OR "
	"d.setdatabase = (SELECT oid FROM pg_catalog.pg_database WHERE datname = "
	"current_database())) ORDER BY 1, 2, 3";

/* A growing list of statements. */
struct stmts {
	struct pg_stmt *v;
	size_t n, cap;
};

static struct pg_stmt *stmt_add(struct stmts *l, char *what, char *sql)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n] = (struct pg_stmt){.what = what, .sql = sql, .soft = 1};
	return &l->v[l->n++];
}

/* What the target offers: its roles' names and whether its user may create
 * roles; the connection that quotes names for it (the target's, or in a dry
 * run before the target exists the source's) and its database's name. */
struct target {
	PGresult *roles;
	bool may_create;
	PGconn *c;
	const char *db;
};

static bool target_has(const struct target *t, const char *name)
{
	for (int i = 0; i < PQntuples(t->roles); i++)
		if (strcmp(PQgetvalue(t->roles, i, 0), name) == 0)
			return true;
	return false;
}

/* DST NULL: a dry run before the target exists; it will be the instance a
 * real run creates, which has none of the source's roles and whose master
 * user may create roles. */
static int target_read(PGconn *src, PGconn *dst, struct run *r, struct target *t, char **cause)
{
	t->c = dst ? dst : src;
	t->db = dst ? PQdb(dst) : config_get(r->cfg, CFG_INSTANCE_DB_NAME);
	if (!dst) {
		t->may_create = true;
		return 0;
	}
	t->roles = pg_rows(dst, "SELECT rolname FROM pg_catalog.pg_roles",
			   _("roles from the target"), cause);
	if (!t->roles)
		return -1;
	PGresult *me = pg_rows(dst,
			       "SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE "
			       "rolname = current_user",
			       _("roles from the target"), cause);
	if (!me)
		return -1;
	t->may_create = PQntuples(me) == 1 && PQgetvalue(me, 0, 0)[0] == 't';
	PQclear(me);
	return 0;
}

/* New passwords to write: role names and passwords (secrets). */
struct newpw {
	char **roles, **pws;
	size_t n;
};

static void newpw_free(struct newpw *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->roles[i]);
		free_secret(p->pws[i]);
	}
	free(p->roles);
	free(p->pws);
}

/* The password part of ROLE's CREATE ROLE (heap, a secret; "" for none). */
static char *password_clause(PGconn *src, struct run *r, const PGresult *res, int i, bool readable,
			     const char *pwfile, struct newpw *np, char **cause)
{
	const char *role = PQgetvalue(res, i, 0);
	bool login = PQgetvalue(res, i, 2)[0] == 't';
	const char *pw = NULL;
	char buf[PASSWORD_GEN_LEN + 1];
	if (readable && PQgetisnull(res, i, 3))
		return xstrdup("");
	if (readable)
		pw = PQgetvalue(res, i, 3);
	else if (!login)
		return xstrdup("");
	else if (!*pwfile) {
		char *item = xasprintf(_("role %s"), role);
		run_finding(r, LEVEL_WARN, item,
			    _("made without a password: the source user may not read the old "
			      "one (pg_authid, superusers only). Set [migrate] role_passwords = "
			      "FILE to have new ones made and written there, or run ALTER ROLE … "
			      "PASSWORD on the target"));
		free(item);
		run_incomplete(r, 1);
		return xstrdup(" PASSWORD NULL");
	} else if (password_generate(buf, sizeof buf) < 0) {
		fail(cause, _("cannot generate a password for role %s: no randomness"), role);
		return NULL;
	} else {
		pw = buf;
		np->roles = xrealloc(np->roles, (np->n + 1) * sizeof *np->roles);
		np->pws = xrealloc(np->pws, (np->n + 1) * sizeof *np->pws);
		np->roles[np->n] = xstrdup(role);
		np->pws[np->n++] = xstrdup(buf);
	}
	char *lit = PQescapeLiteral(src, pw, strlen(pw));
	char *s = xasprintf(" PASSWORD %s", lit ? lit : "NULL");
	if (lit) {
		memset(lit, 0, strlen(lit));
		PQfreemem(lit);
	}
	memset(buf, 0, sizeof buf);
	return s;
}

/* CREATE ROLE (or a finding) for each source role (its password verifier
 * when pg_authid is READABLE); AVAIL collects the names the target has once
 * they run. */
static int plan_roles(PGconn *src, bool readable, const PGresult *read, struct run *r,
		      const struct target *t, const char *pwfile, struct stmts *l,
		      struct strbuf *kept, struct newpw *np, PGresult **avail, char **cause)
{
	/* without the passwords, READ (the caller's batch) has them all */
	PGresult *res = readable ? pg_rows(src, sql_roles_authid, _("roles from the source"), cause)
				 : PQcopyResult(read, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
	if (!res)
		return -1;
	int rc = 0;
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		const char *role = PQgetvalue(res, i, 0);
		if (target_has(t, role)) {
			strbuf_add_item(kept, role);
			continue;
		}
		if (!t->may_create) {
			char *item = xasprintf(_("role %s"), role);
			run_finding(r, LEVEL_WARN, item,
				    _("not copied: the target user may not create roles "
				      "(CREATEROLE); what it owns stays with the target user and "
				      "its privileges are not granted"));
			free(item);
			run_incomplete(r, 1);
			PQsetvalue(res, i, 0, "", 0); /* not available */
			continue;
		}
		char *pw = password_clause(src, r, res, i, readable, pwfile, np, cause);
		if (!pw) {
			rc = -1;
			break;
		}
		struct pg_stmt *st = stmt_add(l, xasprintf(_("role %s"), role),
					      xasprintf("%s%s", PQgetvalue(res, i, 1), pw));
		st->secret = 1;
		free_secret(pw);
	}
	*avail = res;
	return rc;
}

/* Whether ROLE is among the source roles the target will have. */
static bool available(const PGresult *avail, const struct target *t, const char *role)
{
	if (strncmp(role, "pg_", 3) == 0)
		return target_has(t, role);
	for (int i = 0; i < PQntuples(avail); i++)
		if (strcmp(PQgetvalue(avail, i, 0), role) == 0)
			return true;
	return false;
}

/* Memberships between available roles, then the target user's own
 * membership in each. */
static void plan_members(const PGresult *res, const PGresult *avail, const struct target *t,
			 struct stmts *l)
{
	for (int i = 0; i < PQntuples(res); i++) {
		const char *member = PQgetvalue(res, i, 0), *role = PQgetvalue(res, i, 1);
		if (available(avail, t, member) && available(avail, t, role))
			stmt_add(l, xasprintf(_("membership of %s in %s"), member, role),
				 xstrdup(PQgetvalue(res, i, 2)))
				->follows = 1;
	}
	for (int i = 0; i < PQntuples(avail); i++) {
		const char *role = PQgetvalue(avail, i, 0);
		if (!*role)
			continue;
		char *q = PQescapeIdentifier(t->c, role, strlen(role));
		stmt_add(l, xasprintf(_("membership of the target user in %s"), role),
			 xasprintf("GRANT %s TO CURRENT_USER", q ? q : "\"\""))
			->follows = 1;
		PQfreemem(q);
	}
}

/* VALUE of setting NAME as ALTER ROLE … SET takes it: a list setting
 * (search_path and the like, stored as a list of names) one literal per
 * element, as pg_dumpall writes it; any other one literal. Heap. */
static char *setting_value(PGconn *c, const char *name, const char *value)
{
	static const char *const lists[] = {"search_path", "temp_tablespaces",
					    "session_preload_libraries", "local_preload_libraries"};
	bool list = false;
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
		list = list || strcmp(name, lists[i]) == 0;
	struct strbuf b = STRBUF_INIT;
	const char *p = value;
	do {
		char *elem = xstrdup(""), *lit;
		size_t n = 0;
		if (list)
			p += strspn(p, " ");
		bool quoted = list && *p == '"';
		for (p += quoted;
		     *p && (quoted ? !(p[0] == '"' && p[1] != '"') : !list || *p != ','); p++) {
			if (quoted && p[0] == '"')
				p++; /* "" inside quotes */
			elem = xrealloc(elem, n + 2);
			elem[n++] = *p;
			elem[n] = 0;
		}
		p += quoted && *p == '"';
		while (list && !quoted && n > 0 && elem[n - 1] == ' ')
			elem[--n] = 0;
		lit = PQescapeLiteral(c, elem, n);
		strbuf_add_item(&b, lit ? lit : "''");
		PQfreemem(lit);
		free(elem);
		p += strcspn(p, ",");
	} while (list && *p++ == ',');
	return strbuf_detach(&b);
}

/* The settings of the roles made now (AVAIL, not already on the target T):
 * ALTER ROLE … [IN DATABASE the target's] SET. */
static void plan_settings(const PGresult *res, const PGresult *avail, const struct target *t,
			  struct stmts *l)
{
	PGconn *c = t->c;
	char *qdb = PQescapeIdentifier(c, t->db, strlen(t->db));
	for (int i = 0; i < PQntuples(res); i++) {
		const char *role = PQgetvalue(res, i, 0), *name = PQgetvalue(res, i, 2);
		if (target_has(t, role) || !available(avail, t, role))
			continue;
		char *qr = PQescapeIdentifier(c, role, strlen(role));
		char *qn = PQescapeIdentifier(c, name, strlen(name));
		char *val = setting_value(c, name, PQgetvalue(res, i, 3));
		bool here = PQgetvalue(res, i, 1)[0] == 't';
		stmt_add(l, xasprintf(_("setting %s of role %s"), name, role),
			 xasprintf("ALTER ROLE %s%s%s SET %s TO %s", qr ? qr : "\"\"",
				   here ? " IN DATABASE " : "", here && qdb ? qdb : "",
				   qn ? qn : "\"\"", val))
			->follows = 1;
		free(val);
		PQfreemem(qn);
		PQfreemem(qr);
	}
	PQfreemem(qdb);
}

int pg_roles_inspect(PGconn *src, struct run *r, char **cause)
{
	PGresult *res =
		pg_rows(src,
			"SELECT string_agg(quote_ident(r.rolname), ', ' ORDER BY r.rolname), "
			"pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT') "
			"FROM pg_catalog.pg_roles r WHERE r.oid IN (" PG_ROLES_USED
			") AND r.rolname !~ '^rds_'",
			_("roles from the source"), cause);
	if (!res)
		return -1;
	if (!PQgetisnull(res, 0, 0))
		run_finding(
			r, LEVEL_INFO, _("roles"),
			PQgetvalue(res, 0, 1)[0] == 't'
				? _("%s: made on the target (when its user may create roles) "
				    "with their privileges and their passwords")
				: _("%s: made on the target (when its user may create roles) "
				    "with their privileges, but not their passwords, which only "
				    "a superuser may read: [migrate] role_passwords names where "
				    "new ones go"),
			PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* The source database's privileges, given on the target's (after the roles
 * exist). */
static void plan_db_acl(const PGresult *res, const struct target *t, struct stmts *l)
{
	char *q = PQescapeIdentifier(t->c, t->db, strlen(t->db));
	for (int i = 0; i < PQntuples(res); i++) {
		const char *who = PQgetvalue(res, i, 1);
		if (!*who)
			continue;
		char *sql =
			PQgetisnull(res, i, 2)
				? xasprintf("REVOKE ALL ON DATABASE %s FROM %s CASCADE", q, who)
				: xasprintf("GRANT %s ON DATABASE %s TO %s%s",
					    PQgetvalue(res, i, 2), q, who,
					    PQgetvalue(res, i, 3)[0] == 't' ? " WITH GRANT OPTION"
									    : "");
		stmt_add(l, xstrdup(_("privileges on the database")), sql)->follows = 1;
	}
	PQfreemem(q);
}

enum { SRC_READABLE, SRC_ROLES, SRC_MEMBERS, SRC_SETTINGS, SRC_DB_ACL };

const char *const pg_roles_reads[PG_ROLES_READS] = {
	"SELECT pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT')", sql_roles,
	sql_members, sql_settings, sql_db_acl};

int pg_roles_plan(PGconn *src, PGconn *dst, struct run *r, const char *pwfile,
		  PGresult *const res[], struct pg_stmt **v, size_t *n, char **cause)
{
	struct stmts l = {0};
	struct target t = {0};
	struct strbuf kept = STRBUF_INIT;
	struct newpw np = {0};
	PGresult *avail = NULL;
	int rc = target_read(src, dst, r, &t, cause);
	if (rc == 0)
		rc = plan_roles(src, PQgetvalue(res[SRC_READABLE], 0, 0)[0] == 't', res[SRC_ROLES],
				r, &t, pwfile, &l, &kept, &np, &avail, cause);
	if (rc == 0) {
		plan_members(res[SRC_MEMBERS], avail, &t, &l);
		plan_settings(res[SRC_SETTINGS], avail, &t, &l);
		plan_db_acl(res[SRC_DB_ACL], &t, &l);
	}
	char *names = strbuf_detach(&kept);
	if (rc == 0 && *names)
		run_finding(r, LEVEL_INFO, _("roles"),
			    _("already on the target, kept as they are: %s"), names);
	free(names);
	if (rc == 0 && np.n > 0 && r && r->dry_run)
		run_would(r, CHANGE_FILE,
			  P_("%s: the new password of %zu role (a .pgpass file, mode 0600)",
			     "%s: the new passwords of %zu roles (a .pgpass file, mode 0600)",
			     np.n),
			  pwfile, np.n);
	else if (rc == 0 && np.n > 0) {
		rc = pg_roles_pgpass_write(pwfile, PQhost(dst), PQport(dst), PQdb(dst), np.roles,
					   np.pws, np.n, cause);
		if (rc == 0)
			run_finding(r, LEVEL_INFO, _("roles"),
				    P_("%zu role made with a new password (the source user may "
				       "not read the old one): written to %s (mode 0600)",
				       "%zu roles made with new passwords (the source user may not "
				       "read the old ones): written to %s (mode 0600)",
				       np.n),
				    np.n, pwfile);
	}
	newpw_free(&np);
	PQclear(avail);
	PQclear(t.roles);
	if (rc < 0) {
		pg_stmts_free(l.v, l.n);
		return -1;
	}
	*v = l.v;
	*n = l.n;
	return 0;
}

/* ------------------------------------------------------------------ .pgpass */

/* S with .pgpass's escapes (\ before : and \) appended to B. */
static void pgpass_field(struct strbuf *b, const char *s, bool last)
{
	for (; *s; s++) {
		if (*s == ':' || *s == '\\')
			strbuf_addn(b, "\\", 1);
		strbuf_addn(b, s, 1);
	}
	strbuf_add(b, last ? "\n" : ":");
}

/* Whether LINE (a .pgpass line) is for HOST:PORT:DB and one of ROLES. */
static bool pgpass_replaced(const char *line, size_t len, const char *prefix, char *const *roles,
			    size_t n)
{
	size_t plen = strlen(prefix);
	if (len < plen || memcmp(line, prefix, plen) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct strbuf f = STRBUF_INIT;
		pgpass_field(&f, roles[i], false);
		char *s = strbuf_detach(&f);
		bool same = len - plen >= strlen(s) && memcmp(line + plen, s, strlen(s)) == 0;
		free(s);
		if (same)
			return true;
	}
	return false;
}

int pg_roles_pgpass_write(const char *path, const char *host, const char *port, const char *db,
			  char *const *roles, char *const *passwords, size_t n, char **cause)
{
	struct strbuf b = STRBUF_INIT, pre = STRBUF_INIT;
	pgpass_field(&pre, host ? host : "*", false);
	pgpass_field(&pre, port ? port : "*", false);
	pgpass_field(&pre, db ? db : "*", false);
	char *prefix = strbuf_detach(&pre);
	size_t len = 0;
	char *old = access(path, F_OK) == 0 ? read_file(path, &len, cause) : NULL;
	if (!old && access(path, F_OK) == 0) {
		free(prefix);
		return -1;
	}
	for (const char *p = old ? old : ""; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (!pgpass_replaced(p, l, prefix, roles, n)) {
			strbuf_addn(&b, p, l);
			strbuf_add(&b, "\n");
		}
		p += l + (e ? 1 : 0);
	}
	free_secret(old);
	for (size_t i = 0; i < n; i++) {
		strbuf_add(&b, prefix);
		pgpass_field(&b, roles[i], false);
		pgpass_field(&b, passwords[i], true);
	}
	free(prefix);
	char *data = strbuf_detach(&b);
	int rc = atomic_write_own(path, data, strlen(data), 0600, cause);
	free_secret(data);
	return rc;
}

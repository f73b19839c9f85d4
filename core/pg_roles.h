/* Roles: the source's roles that own objects in the database or hold
 * privileges on them (and the roles that are members of those), recreated on
 * the target with what RDS allows of their attributes, their memberships, and
 * their password verifiers when the source user may read them (pg_authid);
 * else new passwords, written only to the file the user names. */
#ifndef RDSM_PG_ROLES_H
#define RDSM_PG_ROLES_H

#include <libpq-fe.h>
#include <stddef.h>

#include "pg_schema.h"

struct run;

/* SQL: the oids of the roles the copy recreates, as a query ("SELECT oid
 * …"): every role pg_shdepend records against an object of this database
 * (owners, privileges, default privileges, policies), and the roles that
 * are members of them, but not the connecting user (whose part the target
 * user takes) nor the predefined pg_* roles (the target has its own). */
#define PG_ROLES_USED                                                                              \
	"WITH RECURSIVE used(oid) AS (SELECT d.refobjid FROM pg_catalog.pg_shdepend d WHERE "      \
	"d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass AND d.dbid = (SELECT oid "     \
	"FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) UNION SELECT " \
	"m.member FROM pg_catalog.pg_auth_members m JOIN used u ON m.roleid = u.oid) SELECT "      \
	"u.oid FROM used u JOIN pg_catalog.pg_roles r ON r.oid = u.oid WHERE r.rolname <> "        \
	"current_user AND r.rolname !~ '^pg_'"

/* SQL: a role in a privilege as the target names it: PUBLIC, the target
 * user for the source user, else by name. */
#define PG_ROLE_ME "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
#define PG_ROLE_Q(x)                                                                               \
	"CASE WHEN " x " = 0 THEN 'PUBLIC' WHEN " x " = " PG_ROLE_ME " THEN 'CURRENT_USER' ELSE "  \
	"quote_ident(pg_get_userbyid(" x ")) END"
/* a role the target has (rds_* roles are not made: named as not copied) */
#define PG_ROLE_MADE(x) "pg_get_userbyid(" x ") !~ '^rds_'"

/* SQL: the roles RDS cannot reproduce, as rows (kind, name, why) for the
 * list of what cannot be copied: attributes only a superuser may give, and
 * names RDS reserves. */
#define PG_ROLES_UNCOPYABLE                                                                        \
	"SELECT 'role', quote_ident(r.rolname), CASE WHEN r.rolname ~ '^rds_' THEN 'the prefix "   \
	"rds_ is reserved on RDS: not made, and what it owns or may do is left to the target "     \
	"user' ELSE format('made without %s, which RDS gives to no role', concat_ws(', ', CASE "   \
	"WHEN r.rolsuper THEN 'SUPERUSER' END, CASE WHEN r.rolreplication THEN 'REPLICATION' "     \
	"END, "                                                                                    \
	"CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END)) END FROM pg_catalog.pg_roles r WHERE "    \
	"r.oid IN (" PG_ROLES_USED ") AND (r.rolname ~ '^rds_' OR r.rolsuper OR r.rolreplication " \
	"OR r.rolbypassrls)"

/* Name (an info finding) the roles the schema step will make on the target,
 * and whether with their old passwords. Writes nothing. */
int pg_roles_inspect(PGconn *src, struct run *r, char **cause);

/* The statements that make the roles on DST, to run first in the pre-data
 * transaction: CREATE ROLE for each role DST lacks (when its user may create
 * roles; else a warning per role, counted as not copied), the memberships
 * between them, a membership of the target user in each, which lets it give
 * them their objects and grant in their name, the settings of the roles
 * made (ALTER ROLE … SET), and the source database's own
 * privileges (CONNECT…) given on the target's database. When new passwords are
 * needed they are generated and written to PWFILE (a .pgpass file for DST,
 * mode 0600) before anything is run; with PWFILE empty such roles are made
 * without a password and named. *V is heap (free each what and sql).
 * A dry run (R->dry_run) writes no file: it names the file a real run would
 * write; DST NULL in a dry run: the target does not exist yet (the instance a
 * real run creates: none of the roles, a user that may create them, the
 * database [instance] db_name). */
int pg_roles_plan(PGconn *src, PGconn *dst, struct run *r, const char *pwfile,
		  PGresult *const read[], struct pg_stmt **v, size_t *n, char **cause);

/* What pg_roles_plan reads from the source, the roles without their
 * passwords among it (read again with them, in a round trip of their own,
 * only when pg_authid is readable: the first of these): the caller sends
 * them in its own batch, the source may be far away, and hands
 * pg_roles_plan their results (READ, in this order). */
enum { PG_ROLES_READS = 5 };
extern const char *const pg_roles_reads[PG_ROLES_READS];

/* Add or replace the lines of N roles (ROLES[i], PASSWORDS[i]) for HOST,
 * PORT and DB in the .pgpass file PATH, keeping its other lines; written
 * atomically with mode 0600 (a symlink at PATH is not followed). */
int pg_roles_pgpass_write(const char *path, const char *host, const char *port, const char *db,
			  char *const *roles, char *const *passwords, size_t n, char **cause);

#endif

/* SQL scripts split into statements, as psql would run them (a user's
 * schema file, [migrate] schema = file:PATH). No connection needed. */
#ifndef RDSM_PG_SQL_H
#define RDSM_PG_SQL_H

#include <stdbool.h>
#include <stddef.h>

/* One statement of a SQL script: its text (without the final semicolon) and
 * the 1-based line it starts on. COPY_DATA holds the lines after a COPY …
 * FROM stdin statement, up to (not including) the "\." line; NULL otherwise. */
struct pg_sql_stmt {
	char *sql;
	int line;
	char *copy_data;
};

/* Split a script into statements: quotes, E'' strings, quoted identifiers,
 * dollar quotes, -- and nested block comments, BEGIN ATOMIC bodies. Empty
 * statements are dropped. Returns the count; *OUT is heap (free with
 * pg_sql_free). */
size_t pg_sql_split(const char *text, struct pg_sql_stmt **out);
void pg_sql_free(struct pg_sql_stmt *v, size_t n);
/* P past leading blanks and comments (the start of a statement's words). */
const char *pg_sql_skip_blank(const char *p);
/* Whether SQL is transaction control (BEGIN, COMMIT, ROLLBACK…; not BEGIN
 * ATOMIC), which the caller's own transaction replaces. */
bool pg_sql_is_tx_control(const char *sql);

#endif

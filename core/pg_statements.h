/* The application's statements as pg_stat_statements counts them: read on
 * the source and the target, matched by their normalized text, and the
 * likely cause when one got slower (from both sides' generic plans). */
#ifndef RDSM_PG_STATEMENTS_H
#define RDSM_PG_STATEMENTS_H

#include <libpq-fe.h>
#include <stddef.h>

/* One normalized statement (constants as $1, $2…). */
struct pg_stmt {
	char *query;
	long long calls, rows;
	double mean_ms, total_ms;
};

struct pg_stmts {
	struct pg_stmt *v;
	size_t n;
};

/* Why the view cannot be read. */
enum pg_statements_missing {
	PGSS_NOT_LOADED = 1, /* not in shared_preload_libraries */
	PGSS_NO_EXTENSION,   /* loaded, but CREATE EXTENSION was not run */
};

/* The statements of C's database, biggest total time first, at most LIMIT:
 * the application's own (our catalog reads, COPY, ANALYZE and the like are
 * left out). 0; PGSS_NOT_LOADED or PGSS_NO_EXTENSION when the view cannot
 * be read; -1 with a cause. */
int pg_statements_read(PGconn *c, size_t limit, struct pg_stmts *out, char **cause);
void pg_statements_free(struct pg_stmts *s);
/* The statement of S with the same text as Q (blanks collapsed), or NULL. */
const struct pg_stmt *pg_statements_find(const struct pg_stmts *s, const char *q);

/* Why QUERY is slower on TARGET than on SOURCE, in words, from their generic
 * plans: a missing index (named), a sequential scan where the source uses an
 * index, statistics never gathered or stale; NULL when the plans do not
 * tell. Heap. */
char *pg_statements_cause(PGconn *source, PGconn *target, const char *query);

#endif

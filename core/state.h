/* The state of a run, kept next to the config so an interrupted run resumes.
 * Plain "key=value" lines; never holds a secret. */
#ifndef RDSM_STATE_H
#define RDSM_STATE_H

#include <pthread.h>

struct state_entry {
	char *key;
	char *value;
};

struct state {
	char *path;
	struct state_entry *v;
	size_t n;
	char **retired; /* replaced values, freed by state_free: another thread may hold them */
	size_t nretired;
	pthread_mutex_t lock;
	int lock_fd;     /* the run lock (state_lock), -1 when not held */
	char *lock_host; /* what the lock file says besides the step */
	long long lock_since;
};

/* The state file for a config path: "<dir>/.rds-migrate.state". Caller frees. */
char *state_path_for(const char *config_path);
/* The key of a table's copy state: "table.SCHEMA.NAME", each part as is when
 * it is a plain lower-case identifier ([a-z_][a-z0-9_$]*), else in double
 * quotes with '"' doubled and '%', '=', CR and LF percent-encoded, so that
 * different tables never share a key ("a.b".c vs a."b.c", "x=y" vs x_y).
 * Caller frees. */
char *state_table_key(const char *schema, const char *name);
/* Where a table's copy stands, kept under its state_table_key. */
enum table_copy {
	TS_NONE,     /* not copied (no key) */
	TS_LOADING,  /* emptied, its rows going in: never to be taken as copied */
	TS_COPIED,   /* every row is in */
	TS_VERIFIED, /* and verify found it identical */
};
enum table_copy state_table_get(struct state *st, const char *key);
int state_table_set(struct state *st, const char *key, enum table_copy v, char **cause);
/* The key of the first table in state V (heap), or NULL. */
char *state_table_find(struct state *st, enum table_copy v);

/* Load PATH (missing is fine: empty state). */
int state_load(struct state *st, const char *path, char **cause);
void state_free(struct state *st);
/* NULL when unset. The pointer stays valid until state_free (jobs in other
 * threads may set the key meanwhile). */
const char *state_get(struct state *st, const char *key);
/* The first key starting with PREFIX whose value is VALUE, as a heap copy
 * (caller frees), or NULL. */
char *state_find(struct state *st, const char *prefix, const char *value);
/* Set and save at once (atomic write, 0600). VALUE NULL removes the key. */
int state_set(struct state *st, const char *key, const char *value, char **cause);

/* Take the run lock: an advisory lock on "<dir>/.rds-migrate.lock" beside
 * the state file (never through a symlink), held until state_free, so one run
 * at a time uses a state file. When another process holds it: -1 with a cause
 * naming its pid, host, start time and step. 1 with a cause (a warning) when
 * the directory cannot be written: no lock, and no state saved either. */
int state_lock(struct state *st, char **cause);
/* Write STEP (the step running now; NULL: none) into the held lock file for
 * a second run to show. */
void state_lock_note(struct state *st, const char *step);

#endif

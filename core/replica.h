/* Live mode's logical replication: our publication and slot on the source,
 * our subscription on the target, and what they hold (PostgreSQL's own
 * machinery: pgoutput, CREATE SUBSCRIPTION; no decoder of ours). */
#ifndef RDSM_REPLICA_H
#define RDSM_REPLICA_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct run;

/* Every object of ours is named REPLICA_PREFIX and a run's id; REPLICA_LIKE
 * is the SQL pattern (a quoted literal) that finds them. */
#define REPLICA_PREFIX "rds_migrate_"
#define REPLICA_LIKE   "'rds\\_migrate\\_%'"

/* Names of our publication, slot and subscription for this run (stable across runs of one state file). */
const char *replica_publication(const struct run *r);
const char *replica_slot(const struct run *r);
const char *replica_subscription(const struct run *r);
/* Wait until the target has applied every change the source wrote before this call: read
 * pg_current_wal_lsn() on the source now (the insert position, pg_current_wal_insert_lsn(),
 * followed by a synchronous commit of ours, so that transactions committed with
 * synchronous_commit = off count too), then wait (no fixed sleep: poll the
 * subscription's position / the slot's confirmed_flush_lsn) until it is reached. Reports
 * progress as events. 0 done, -1 with *cause (heap), 130 cancelled, or -1 after
 * TIMEOUT_S seconds saying where it stood. */
int replica_drain(struct run *r, int timeout_s, char **cause);
/* Drop the subscription on the target, then the slot and the publication on the source.
 * Idempotent (absent objects are fine); emits what it dropped. 0 or -1 with *cause. */
int replica_drop(struct run *r, char **cause);

/* The name of our objects when this state file has one, else "" (never
 * draws one: a look at the source must not write the state). */
const char *replica_known_name(const struct run *r);

/* Where the live copy stands, in the state file. */
enum replica_copy {
	RC_NONE,    /* no slot of ours for a copy */
	RC_RUNNING, /* a slot was created and the copy of its snapshot began */
	RC_DONE,    /* every table is in from the slot's snapshot */
};
enum replica_copy replica_copy_get(struct run *r);
int replica_copy_done(struct run *r, char **cause);
/* The slot's consistent point ("0/1A2B3C4"), or NULL. */
const char *replica_start_lsn(struct run *r);

/* The start of a live copy: the replication connection that created the
 * slot, holding its exported snapshot while it stays open and idle. */
struct replica_start {
	PGconn *repl;
	char *snapshot; /* the snapshot's name, for SET TRANSACTION SNAPSHOT */
	char *lsn;      /* the slot's consistent point */
};
/* Create our publication for TABLES (N quoted names) anew, then our logical
 * slot (pgoutput) on a replication connection with an exported snapshot, and
 * record the slot's consistent point in the state. The slot must not exist
 * (replica_drop first). 0, or -1 with a cause. */
int replica_start(struct run *r, const char *src_conninfo, char **tables, size_t n,
		  struct replica_start *out, char **cause);
void replica_start_free(struct replica_start *s);

/* The connection string the target's subscription uses to reach the source:
 * the source's, without what names files on this machine (sslrootcert…:
 * sslmode verify-* becomes require, said in *NOTE), through [source] relay
 * when set. Holds the password. Caller frees (free_secret). */
char *replica_source_for_target(struct run *r, char **note, char **cause);
/* Create our subscription on the target, bound to our slot, no copy; when it
 * exists, enable it. A target that cannot reach the source is said so, with
 * how to open a path through this machine. */
int replica_subscribe(struct run *r, char **cause);

/* A dry run: the statements a real run's data step (the publication and the
 * slot on the source), replicate step (the subscription, the source's
 * password shown as ****) and cleanup (the three dropped) would run, each
 * as a run_would finding. */
void replica_would_start(struct run *r);
void replica_would_subscribe(struct run *r);
void replica_would_drop(struct run *r);
/* replica_drain without a time limit, for the replicate step: *SUMMARY says
 * where it stands once caught up. */
int replica_catch_up(struct run *r, char **summary, char **cause);

#endif

/* Live mode's logical replication: our publication and slot on the source,
 * our subscription on the target, and what they hold (PostgreSQL's own
 * machinery: pgoutput, CREATE SUBSCRIPTION; no decoder of ours). */
#ifndef RDSM_REPLICA_H
#define RDSM_REPLICA_H

struct run;

/* Names of our publication, slot and subscription for this run (stable across runs of one state file). */
const char *replica_publication(const struct run *r);
const char *replica_slot(const struct run *r);
const char *replica_subscription(const struct run *r);
/* Wait until the target has applied every change the source wrote before this call: read
 * pg_current_wal_lsn() on the source now, then wait (no fixed sleep: poll the
 * subscription's position / the slot's confirmed_flush_lsn) until it is reached. Reports
 * progress as events. 0 done, -1 with *cause (heap), 130 cancelled, or -1 after
 * TIMEOUT_S seconds saying where it stood. */
int replica_drain(struct run *r, int timeout_s, char **cause);
/* Drop the subscription on the target, then the slot and the publication on the source.
 * Idempotent (absent objects are fine); emits what it dropped. 0 or -1 with *cause. */
int replica_drop(struct run *r, char **cause);

#endif

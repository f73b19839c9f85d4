/* Live mode's preflight: what logical replication needs of the source (and
 * of the target), checked before anything is created. */
#ifndef RDSM_REPLICA_CHECK_H
#define RDSM_REPLICA_CHECK_H

#include <libpq-fe.h>

struct run;

enum replica_check_mode {
	REPLICA_CHECK_REPORT, /* findings only: change nothing, ask nothing (a screen looking) */
	REPLICA_CHECK_FIX,    /* offer each fix after a confirmation, refuse what remains */
};

/* Check the source for live mode: wal_level = logical (on Railway: ALTER
 * SYSTEM, then redeploy; offered), a free replication slot and WAL sender,
 * superuser or REPLICATION and the right to publish the tables, every table
 * to copy with a replica identity (REPLICA IDENTITY FULL offered per table),
 * no unlogged table and no large object left silently behind (large objects
 * may be left out by the user's choice: r->res.lo_left_out), and leftover
 * slots and publications of ours with the WAL they hold back (another run's
 * idle ones may be dropped). Findings for all; with FIX, 0 only when live
 * mode can go on, else -1 with a cause naming what stays. */
int replica_check_source(struct run *r, const char *src_conninfo, enum replica_check_mode mode,
			 char **cause);
/* Only the slots and publications of ours on the source, with the WAL each
 * slot holds back (offline mode: a live run abandoned). Findings; -1 only when
 * the source cannot be reached. */
int replica_check_leftovers(struct run *r, const char *src_conninfo, char **cause);
/* Whether the target's user may create our subscription (PostgreSQL 15: a
 * superuser; RDS: rds_superuser; 16+: pg_create_subscription and CREATE on
 * the database). 0, or -1 with the missing privilege named. */
int replica_check_target(struct run *r, PGconn *d, char **cause);

#endif

/* What the monitor step asks CloudWatch for: the alarms an RDS for
 * PostgreSQL instance should have, from the [monitor] thresholds and the
 * instance's size. Pure functions, unit-tested without AWS. */
#ifndef RDSM_MONITOR_H
#define RDSM_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "aws_watch.h"
#include "config.h"
#include "rds_class.h"

enum alarm_kind {
	ALARM_CPU,
	ALARM_FREE_STORAGE,
	ALARM_FREEABLE_MEMORY,
	ALARM_CONNECTIONS,
	ALARM_CPU_CREDITS,
	ALARM_READ_LATENCY,
	ALARM_WRITE_LATENCY,
	ALARM_KINDS
};

/* What the alarms are measured against. */
struct monitor_instance {
	const char *id;       /* DBInstanceIdentifier */
	const char *cls;      /* "db.t3.micro" */
	long storage_gb;      /* allocated */
	long max_connections; /* the server's, or the class's default */
	const char *topic;    /* the SNS topic ARN alarms send to; NULL or "": none */
};

/* One alarm the settings ask for, or why there is none. */
struct alarm_plan {
	enum alarm_kind kind;
	enum config_key key; /* the [monitor] threshold it comes from */
	bool wanted;         /* false: not created, SKIP says why */
	const char *skip;
	struct cw_alarm alarm; /* when wanted */
	char what[200];        /* "CPU at or above 80% for 15 min", for people */
};

/* The plan for every kind of alarm, in enum order: OUT[ALARM_KINDS]. */
void monitor_plan(const struct config *cfg, const struct monitor_instance *in,
		  struct alarm_plan *out);
/* Whether alarm HAVE (as CloudWatch holds it) is the same as WANT. */
bool monitor_alarm_same(const struct cw_alarm *want, const struct cw_alarm *have);

#endif

/* The alarms for an RDS instance from the [monitor] thresholds: metric,
 * statistic, period and threshold in the metric's unit, after the alarms AWS
 * recommends for RDS (CPU, storage, memory, connections, CPU credits,
 * latency). */
#include "monitor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/* One kind of alarm: its metric and how it is watched. */
static const struct {
	const char *suffix; /* of the alarm's name */
	enum config_key key;
	const char *metric;
	const char *statistic;
	const char *comparison;
	int period, evaluations;
} kinds[ALARM_KINDS] = {
	[ALARM_CPU] = {"cpu", CFG_MONITOR_CPU_PERCENT, "CPUUtilization", "Average",
		       "GreaterThanOrEqualToThreshold", 300, 3},
	[ALARM_FREE_STORAGE] = {"free-storage", CFG_MONITOR_FREE_STORAGE_PERCENT,
				"FreeStorageSpace", "Minimum", "LessThanThreshold", 300, 1},
	[ALARM_FREEABLE_MEMORY] = {"freeable-memory", CFG_MONITOR_FREEABLE_MEMORY_PERCENT,
				   "FreeableMemory", "Average", "LessThanThreshold", 300, 3},
	[ALARM_CONNECTIONS] = {"connections", CFG_MONITOR_CONNECTIONS_PERCENT,
			       "DatabaseConnections", "Maximum", "GreaterThanOrEqualToThreshold",
			       300, 2},
	[ALARM_CPU_CREDITS] = {"cpu-credits", CFG_MONITOR_CPU_CREDIT_BALANCE, "CPUCreditBalance",
			       "Minimum", "LessThanThreshold", 300, 3},
	[ALARM_READ_LATENCY] = {"read-latency", CFG_MONITOR_READ_LATENCY_MS, "ReadLatency",
				"Average", "GreaterThanThreshold", 300, 3},
	[ALARM_WRITE_LATENCY] = {"write-latency", CFG_MONITOR_WRITE_LATENCY_MS, "WriteLatency",
				 "Average", "GreaterThanThreshold", 300, 3},
};

#define GIB (1024.0 * 1024.0 * 1024.0)

/* No alarm of this kind, for the reason WHY. */
static bool no_alarm(const char **skip, const char *why)
{
	*skip = why;
	return false;
}

/* The threshold in the metric's unit and the words for it; false with
 * *SKIP when the alarm cannot be made for this instance. */
static bool threshold_for(enum alarm_kind k, long v, const struct monitor_instance *in, double *th,
			  char *what, size_t n, const char **skip)
{
	char a[32], b[32];
	double mem = (double)rds_class_memory_mib(in->cls) * 1024.0 * 1024.0;
	int minutes = kinds[k].period * kinds[k].evaluations / 60;
	switch (k) {
	case ALARM_CPU:
		*th = (double)v;
		snprintf(what, n, "CPU at or above %ld%% for %d min", v, minutes);
		return true;
	case ALARM_FREE_STORAGE:
		if (in->storage_gb <= 0)
			return no_alarm(skip, "the allocated storage is not known");
		*th = floor((double)in->storage_gb * GIB * (double)v / 100.0);
		snprintf(what, n, "free storage below %s (%ld%% of %ld GiB)",
			 fmt_bytes(a, sizeof a, *th), v, in->storage_gb);
		return true;
	case ALARM_FREEABLE_MEMORY:
		if (mem <= 0)
			return no_alarm(skip, "the class's memory is not in rds-migrate's table");
		*th = floor(mem * (double)v / 100.0);
		snprintf(what, n, "freeable memory below %s (%ld%% of %s, %s) for %d min",
			 fmt_bytes(a, sizeof a, *th), v, fmt_bytes(b, sizeof b, mem), in->cls,
			 minutes);
		return true;
	case ALARM_CONNECTIONS:
		if (in->max_connections <= 0)
			return no_alarm(skip, "max_connections is not known");
		*th = ceil((double)in->max_connections * (double)v / 100.0);
		snprintf(what, n, "%.0f or more connections (%ld%% of max_connections %ld)", *th, v,
			 in->max_connections);
		return true;
	case ALARM_CPU_CREDITS:
		if (!rds_class_burstable(in->cls))
			return no_alarm(skip, "not a burstable (t3/t4g) class: no CPU credits");
		*th = (double)v;
		snprintf(what, n, "CPU credit balance below %ld for %d min", v, minutes);
		return true;
	case ALARM_READ_LATENCY:
	case ALARM_WRITE_LATENCY:
		*th = (double)v / 1000.0;
		snprintf(what, n, "average %s latency above %ld ms for %d min",
			 k == ALARM_READ_LATENCY ? "read" : "write", v, minutes);
		return true;
	case ALARM_KINDS:
		break;
	}
	return false;
}

void monitor_plan(const struct config *cfg, const struct monitor_instance *in,
		  struct alarm_plan *out)
{
	for (int k = 0; k < ALARM_KINDS; k++) {
		struct alarm_plan *p = &out[k];
		memset(p, 0, sizeof *p);
		p->kind = (enum alarm_kind)k;
		p->key = kinds[k].key;
		long v = config_int(cfg, kinds[k].key);
		if (v <= 0) {
			p->skip = "0 in the config: no alarm";
			continue;
		}
		struct cw_alarm *al = &p->alarm;
		if (!threshold_for(p->kind, v, in, &al->threshold, p->what, sizeof p->what,
				   &p->skip))
			continue;
		p->wanted = true;
		snprintf(al->name, sizeof al->name, "rds-migrate-%s-%s", in->id, kinds[k].suffix);
		snprintf(al->metric, sizeof al->metric, "%s", kinds[k].metric);
		snprintf(al->statistic, sizeof al->statistic, "%s", kinds[k].statistic);
		snprintf(al->comparison, sizeof al->comparison, "%s", kinds[k].comparison);
		al->period = kinds[k].period;
		al->evaluation_periods = kinds[k].evaluations;
		snprintf(al->instance, sizeof al->instance, "%s", in->id);
		snprintf(al->action, sizeof al->action, "%s", in->topic ? in->topic : "");
		snprintf(al->description, sizeof al->description, "%s: %s (set by rds-migrate)",
			 in->id, p->what);
	}
}

bool monitor_alarm_same(const struct cw_alarm *want, const struct cw_alarm *have)
{
	double scale = fabs(want->threshold) > 1 ? fabs(want->threshold) : 1;
	return strcmp(want->metric, have->metric) == 0 &&
	       strcmp(want->statistic, have->statistic) == 0 &&
	       strcmp(want->comparison, have->comparison) == 0 && want->period == have->period &&
	       want->evaluation_periods == have->evaluation_periods &&
	       fabs(want->threshold - have->threshold) <= 1e-9 * scale &&
	       strcmp(want->instance, have->instance) == 0 &&
	       strcmp(want->action, have->action) == 0 &&
	       strcmp(want->description, have->description) == 0;
}

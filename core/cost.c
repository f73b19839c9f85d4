/* Monthly cost estimate for RDS for PostgreSQL, single-AZ on-demand list
 * prices in USD. The table is small and dated on purpose: it covers the
 * common burstable and general-purpose classes and regions; anything else is
 * reported as not in the table rather than guessed. */
#include "cost.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

const char cost_prices_date[] = "2025-06";

#define HOURS_PER_MONTH 730.0

/* us-east-1 hourly prices per class. */
static const struct {
	const char *cls;
	double usd;
} class_prices[] = {
	{"db.t3.micro", 0.018},   {"db.t3.small", 0.036},   {"db.t3.medium", 0.072},
	{"db.t3.large", 0.145},   {"db.t3.xlarge", 0.290},  {"db.t3.2xlarge", 0.580},
	{"db.t4g.micro", 0.016},  {"db.t4g.small", 0.032},  {"db.t4g.medium", 0.065},
	{"db.t4g.large", 0.129},  {"db.t4g.xlarge", 0.258}, {"db.t4g.2xlarge", 0.517},
	{"db.m5.large", 0.178},   {"db.m5.xlarge", 0.356},  {"db.m5.2xlarge", 0.712},
	{"db.m6g.large", 0.159},  {"db.m6g.xlarge", 0.318}, {"db.m6i.large", 0.178},
	{"db.m6i.xlarge", 0.356}, {"db.m7g.large", 0.168},  {"db.r5.large", 0.250},
	{"db.r5.xlarge", 0.500},  {"db.r6g.large", 0.225},  {"db.r6g.xlarge", 0.449},
	{"db.r6i.large", 0.250},  {"db.r7g.large", 0.239},
};

/* Per region: instance price factor relative to us-east-1, and storage
 * prices per GiB-month (gp2, gp3, io1/io2) and per provisioned IOPS-month. */
static const struct {
	const char *region;
	double factor;
	double gp2, gp3, io, iops;
} region_prices[] = {
	{"us-east-1", 1.00, 0.115, 0.115, 0.125, 0.100},
	{"us-east-2", 1.00, 0.115, 0.115, 0.125, 0.100},
	{"us-west-2", 1.00, 0.115, 0.115, 0.125, 0.100},
	{"us-west-1", 1.17, 0.138, 0.138, 0.138, 0.110},
	{"ca-central-1", 1.11, 0.127, 0.127, 0.138, 0.110},
	{"eu-west-1", 1.11, 0.127, 0.127, 0.138, 0.110},
	{"eu-west-2", 1.17, 0.133, 0.133, 0.145, 0.116},
	{"eu-central-1", 1.19, 0.137, 0.137, 0.149, 0.120},
	{"ap-northeast-1", 1.36, 0.138, 0.138, 0.150, 0.120},
	{"ap-northeast-2", 1.39, 0.131, 0.131, 0.143, 0.112},
	{"ap-southeast-1", 1.39, 0.138, 0.138, 0.150, 0.120},
	{"ap-southeast-2", 1.39, 0.138, 0.138, 0.150, 0.120},
	{"ap-south-1", 1.20, 0.131, 0.131, 0.143, 0.112},
	{"sa-east-1", 1.67, 0.219, 0.219, 0.238, 0.190},
};

#define BACKUP_USD_PER_GB 0.095

int cost_estimate(const char *region, const char *cls, const char *storage_type, long storage_gb,
		  long iops, bool multi_az, int backup_days, double backup_gb, struct cost *c,
		  char **cause)
{
	memset(c, 0, sizeof *c);
	double hourly = -1;
	for (size_t i = 0; i < sizeof class_prices / sizeof *class_prices; i++)
		if (strcmp(class_prices[i].cls, cls) == 0)
			hourly = class_prices[i].usd;
	if (hourly < 0)
		return fail(cause,
			    _("no price for %s in the shipped table (%s): see "
			      "https://aws.amazon.com/rds/postgresql/pricing/"),
			    cls, cost_prices_date);
	size_t ri = 0; /* us-east-1 */
	c->region_exact = false;
	for (size_t i = 0; i < sizeof region_prices / sizeof *region_prices; i++)
		if (strcmp(region_prices[i].region, region) == 0) {
			ri = i;
			c->region_exact = true;
		}
	double factor = c->region_exact ? region_prices[ri].factor : 1.25;
	double per_gb;
	if (strcmp(storage_type, "gp2") == 0)
		per_gb = region_prices[ri].gp2;
	else if (strcmp(storage_type, "gp3") == 0)
		per_gb = region_prices[ri].gp3;
	else if (strcmp(storage_type, "io1") == 0 || strcmp(storage_type, "io2") == 0)
		per_gb = region_prices[ri].io;
	else
		return fail(cause, _("no price for storage type %s"), storage_type);
	if (!c->region_exact)
		per_gb *= factor;
	double az = multi_az ? 2.0 : 1.0;
	c->hourly = hourly * factor;
	c->instance = c->hourly * HOURS_PER_MONTH * az;
	c->storage = per_gb * (double)storage_gb * az;
	if (per_gb == region_prices[ri].io || strcmp(storage_type, "io1") == 0 ||
	    strcmp(storage_type, "io2") == 0)
		c->iops = (double)iops * region_prices[ri].iops * az;
	/* backup storage up to the allocated size is free */
	double extra = backup_days > 0 ? backup_gb - (double)storage_gb : 0;
	c->backup = extra > 0 ? extra * BACKUP_USD_PER_GB : 0;
	c->total = c->instance + c->storage + c->iops + c->backup;
	return 0;
}

void cost_format(const struct cost *c, const char *storage_type, long storage_gb, char *out,
		 size_t outsz)
{
	char iops[48] = "", backup[64] = "";
	if (c->iops > 0)
		snprintf(iops, sizeof iops, ", IOPS $%.2f", c->iops);
	if (c->backup > 0)
		snprintf(backup, sizeof backup, _(", backup beyond free $%.2f"), c->backup);
	else
		snprintf(backup, sizeof backup, _(", backups up to %ld GiB free"), storage_gb);
	snprintf(out, outsz,
		 _("about $%.2f/month (instance $%.2f, storage %s %ld GiB $%.2f%s%s); on-demand "
		   "list "
		   "prices of %s%s, check the AWS pricing page"),
		 c->total, c->instance, storage_type, storage_gb, c->storage, iops, backup,
		 cost_prices_date,
		 c->region_exact ? "" : _(", region not in the table: estimated"));
}

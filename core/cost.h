/* An estimate of an RDS for PostgreSQL instance's monthly cost, from a price
 * table shipped with the program (dated; prices change: the estimate says so). */
#ifndef RDSM_COST_H
#define RDSM_COST_H

#include <stdbool.h>
#include <stddef.h>

/* The date the shipped prices were taken, "YYYY-MM". */
extern const char cost_prices_date[];

struct cost {
	double instance; /* USD per month (730 h), ×2 with Multi-AZ */
	double storage;  /* USD per month for the allocated storage (×2 Multi-AZ) */
	double iops;     /* provisioned IOPS (io1/io2) per month */
	double backup;   /* backup storage beyond the free amount (estimated) */
	double total;
	double hourly;     /* the instance's hourly on-demand price (single-AZ) */
	bool region_exact; /* false: the region is not in the table; us-east-1 × a typical uplift */
};

/* Estimate for the settings. BACKUP_GB: expected backup storage (0 when
 * unknown: backups up to the allocated size are free). IOPS: for io1/io2.
 * 0, or -1 with a cause (class or storage type not in the table). */
int cost_estimate(const char *region, const char *cls, const char *storage_type, long storage_gb,
		  long iops, bool multi_az, int backup_days, double backup_gb, struct cost *c,
		  char **cause);
/* One line: "≈ $28.47/month (instance $18.25, storage gp3 20 GiB $2.62, …);
 * on-demand list prices of 2025-06, check the AWS pricing page". */
void cost_format(const struct cost *c, const char *storage_type, long storage_gb, char *out,
		 size_t outsz);

#endif

/* An estimate of an RDS for PostgreSQL instance's monthly cost: from the AWS
 * Price List (the pricing API's GetProducts) when it answers, else from a
 * price table shipped with the program (dated; the estimate says which). */
#ifndef RDSM_COST_H
#define RDSM_COST_H

#include <stdbool.h>
#include <stddef.h>

struct aws_ctx;

/* The date the shipped prices were taken, "YYYY-MM". */
extern const char cost_prices_date[];

/* Prices for one deployment (Multi-AZ included), in USD. */
struct cost_prices {
	double hourly;        /* the instance, per hour */
	double per_gb;        /* allocated storage, per GiB-month */
	double per_iops;      /* provisioned IOPS (io1/io2), per IOPS-month */
	double backup_per_gb; /* backup storage beyond the free amount, per GiB-month */
	bool region_exact;    /* false: the region is not in the table (an uplift) */
	bool live;            /* from the AWS Price List, not the shipped table */
	char date[32];        /* the Price List's publication date, or the table's */
};

struct cost {
	double instance; /* USD per month (730 h), ×2 with Multi-AZ */
	double storage;  /* USD per month for the allocated storage (×2 Multi-AZ) */
	double iops;     /* provisioned IOPS (io1/io2) per month */
	double backup;   /* backup storage beyond the free amount (estimated) */
	double total;
	double hourly;     /* the instance's hourly on-demand price (its deployment) */
	bool region_exact; /* false: the region is not in the table; us-east-1 × a typical uplift */
	bool live;         /* the prices came from the AWS Price List */
	char date[32];     /* of the prices */
	char why[200];     /* with the table: why the Price List was not used ("" when not asked) */
};

/* Estimate for the settings from the shipped table. BACKUP_GB: expected
 * backup storage (0 when unknown: backups up to the allocated size are
 * free). IOPS: for io1/io2. 0, or -1 with a cause (class or storage type not
 * in the table). */
int cost_estimate(const char *region, const char *cls, const char *storage_type, long storage_gb,
		  long iops, bool multi_az, int backup_days, double backup_gb, struct cost *c,
		  char **cause);

/* The same from the AWS Price List through A (signed GetProducts in
 * us-east-1, a short timeout, one retry), kept for the rest of the run per
 * region, class, storage type and deployment (a failure too); when it cannot
 * be had, from the table, with c->why saying why. A may be NULL (no
 * credentials): the table. */
int cost_estimate_aws(struct aws_ctx *a, const char *region, const char *cls,
		      const char *storage_type, long storage_gb, long iops, bool multi_az,
		      int backup_days, double backup_gb, struct cost *c, char **cause);

/* The prices in a GetProducts answer (ANS): the first product's on-demand
 * price per UNIT ("Hrs", "GB-Mo", "IOPS-Mo") into *USD and its publication
 * date into DATE. 0, or -1 with a cause. */
int cost_price_from_answer(const char *ans, const char *unit, double *usd, char *date,
			   size_t datesz, char **cause);

/* One line: "about $28.47/month (instance $18.25, storage gp3 20 GiB $2.62, …);
 * on-demand prices of 2026-11-01 from the AWS Price List" (or "… of 2025-06
 * from the shipped table (the AWS Price List: WHY)"). */
void cost_format(const struct cost *c, const char *storage_type, long storage_gb, char *out,
		 size_t outsz);

#endif

/* Monthly cost estimate for RDS for PostgreSQL, on-demand prices in USD:
 * from the AWS Price List, else a shipped table of single-AZ list prices.
 * The table is small and dated on purpose: it covers the common burstable
 * and general-purpose classes and regions; anything else is reported as not
 * in the table rather than guessed. */
#include "cost.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_http.h"
#include "aws_json.h"
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

static bool is_io(const char *storage_type)
{
	return strcmp(storage_type, "io1") == 0 || strcmp(storage_type, "io2") == 0;
}

/* The shipped table's prices for the settings (Multi-AZ: twice). */
static int table_prices(const char *region, const char *cls, const char *storage_type,
			bool multi_az, struct cost_prices *p, char **cause)
{
	memset(p, 0, sizeof *p);
	double hourly = -1;
	for (size_t i = 0; i < sizeof class_prices / sizeof *class_prices; i++)
		if (strcmp(class_prices[i].cls, cls) == 0)
			hourly = class_prices[i].usd;
	if (hourly < 0)
		return fail(cause,
			    "no price for %s in the shipped table (%s): see "
			    "https://aws.amazon.com/rds/postgresql/pricing/",
			    cls, cost_prices_date);
	size_t ri = 0; /* us-east-1 */
	for (size_t i = 0; i < sizeof region_prices / sizeof *region_prices; i++)
		if (strcmp(region_prices[i].region, region) == 0) {
			ri = i;
			p->region_exact = true;
		}
	double factor = p->region_exact ? region_prices[ri].factor : 1.25;
	double per_gb;
	if (strcmp(storage_type, "gp2") == 0)
		per_gb = region_prices[ri].gp2;
	else if (strcmp(storage_type, "gp3") == 0)
		per_gb = region_prices[ri].gp3;
	else if (is_io(storage_type))
		per_gb = region_prices[ri].io;
	else
		return fail(cause, "no price for storage type %s", storage_type);
	if (!p->region_exact)
		per_gb *= factor;
	double az = multi_az ? 2.0 : 1.0;
	p->hourly = hourly * factor * az;
	p->per_gb = per_gb * az;
	p->per_iops = region_prices[ri].iops * az;
	p->backup_per_gb = BACKUP_USD_PER_GB;
	snprintf(p->date, sizeof p->date, "%s", cost_prices_date);
	return 0;
}

/* The monthly figures from prices P. */
static void compute(const struct cost_prices *p, const char *storage_type, long storage_gb,
		    long iops, int backup_days, double backup_gb, struct cost *c)
{
	c->hourly = p->hourly;
	c->instance = p->hourly * HOURS_PER_MONTH;
	c->storage = p->per_gb * (double)storage_gb;
	c->iops = is_io(storage_type) ? (double)iops * p->per_iops : 0;
	/* backup storage up to the allocated size is free */
	double extra = backup_days > 0 ? backup_gb - (double)storage_gb : 0;
	c->backup = extra > 0 ? extra * p->backup_per_gb : 0;
	c->total = c->instance + c->storage + c->iops + c->backup;
	c->region_exact = p->region_exact;
	c->live = p->live;
	snprintf(c->date, sizeof c->date, "%s", p->date);
}

int cost_estimate(const char *region, const char *cls, const char *storage_type, long storage_gb,
		  long iops, bool multi_az, int backup_days, double backup_gb, struct cost *c,
		  char **cause)
{
	memset(c, 0, sizeof *c);
	struct cost_prices p;
	if (table_prices(region, cls, storage_type, multi_az, &p, cause) < 0)
		return -1;
	compute(&p, storage_type, storage_gb, iops, backup_days, backup_gb, c);
	return 0;
}

/* ------------------------------------------------------------ Price List */

int cost_price_from_answer(const char *ans, const char *unit, double *usd, char *date,
			   size_t datesz, char **cause)
{
	char *why = NULL;
	json_t *j = aws_json_parse(ans, strlen(ans), "the GetProducts answer", &why);
	if (!j) {
		fail(cause, "%s", why);
		free(why);
		return -1;
	}
	int rc = fail(cause, "the Price List has no on-demand price per %s for these settings",
		      unit);
	json_t *list = json_object_get(j, "PriceList"), *item;
	size_t i;
	json_array_foreach(list, i, item)
	{
		/* each product is a JSON document of its own, in a string */
		json_t *prod = json_is_string(item) ? aws_json_parse(json_string_value(item),
								     json_string_length(item),
								     "a Price List product", &why)
						    : NULL;
		free(why);
		why = NULL;
		json_t *terms = json_object_get(json_object_get(prod, "terms"), "OnDemand"), *term;
		const char *k1, *k2;
		json_object_foreach(terms, k1, term)
		{
			json_t *dim;
			json_object_foreach(json_object_get(term, "priceDimensions"), k2, dim)
			{
				const char *u = json_string_value(json_object_get(dim, "unit"));
				const char *v = json_string_value(json_object_get(
					json_object_get(dim, "pricePerUnit"), "USD"));
				char *end;
				double d = v ? strtod(v, &end) : 0;
				if (rc < 0 && u && strcmp(u, unit) == 0 && v && *end == 0 &&
				    d > 0) {
					*usd = d;
					const char *pub = json_string_value(
						json_object_get(prod, "publicationDate"));
					snprintf(date, datesz, "%.10s", pub ? pub : "undated");
					free(*cause);
					*cause = NULL;
					rc = 0;
				}
			}
		}
		json_decref(prod);
	}
	json_decref(j);
	return rc;
}

/* One GetProducts call for the RDS for PostgreSQL product with the N filters
 * (field, value pairs in F), asked of the Price List in us-east-1 with a
 * short timeout: a wizard waits for it. */
static int price_list(struct aws_ctx *a, const char *const *f, size_t n, const char *unit,
		      double *usd, char *date, size_t datesz, char **cause)
{
	json_t *filters = json_array();
	for (size_t i = 0; i + 1 < n * 2; i += 2)
		json_array_append_new(filters, json_pack("{s:s, s:s, s:s}", "Type", "TERM_MATCH",
							 "Field", f[i], "Value", f[i + 1]));
	json_t *req = json_pack("{s:s, s:s, s:i, s:o}", "ServiceCode", "AmazonRDS", "FormatVersion",
				"aws_v1", "MaxResults", 100, "Filters", filters);
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	struct aws_ctx saved = *a;
	a->region = "us-east-1";
	a->max_attempts = 2;
	a->connect_timeout_ms = 3000;
	a->timeout_ms = 8000;
	char *ans = aws_call_json(a, &aws_pricing, "AWSPriceListService.GetProducts", body, NULL,
				  cause);
	a->region = saved.region;
	a->max_attempts = saved.max_attempts;
	a->connect_timeout_ms = saved.connect_timeout_ms;
	a->timeout_ms = saved.timeout_ms;
	free(body);
	int rc = ans ? cost_price_from_answer(ans, unit, usd, date, datesz, cause) : -1;
	free(ans);
	return rc;
}

/* The Price List's volume type for a storage type. */
static const char *volume_type(const char *storage_type)
{
	if (strcmp(storage_type, "gp2") == 0)
		return "General Purpose";
	if (strcmp(storage_type, "gp3") == 0)
		return "General Purpose-GP3";
	if (strcmp(storage_type, "io2") == 0)
		return "Provisioned IOPS-IO2";
	return "Provisioned IOPS";
}

/* Every price the settings need, from the Price List. */
static int live_prices(struct aws_ctx *a, const char *region, const char *cls,
		       const char *storage_type, bool multi_az, struct cost_prices *p, char **cause)
{
	memset(p, 0, sizeof *p);
	const char *dep = multi_az ? "Multi-AZ" : "Single-AZ";
	const char *inst[] = {"productFamily",    "Database Instance",
			      "regionCode",       region,
			      "databaseEngine",   "PostgreSQL",
			      "deploymentOption", dep,
			      "instanceType",     cls};
	const char *stor[] = {"productFamily",    "Database Storage",
			      "regionCode",       region,
			      "databaseEngine",   "PostgreSQL",
			      "deploymentOption", dep,
			      "volumeType",       volume_type(storage_type)};
	const char *iops[] = {"productFamily",  "Provisioned IOPS", "regionCode",       region,
			      "databaseEngine", "PostgreSQL",       "deploymentOption", dep};
	const char *snap[] = {"productFamily", "Storage Snapshot", "regionCode",
			      region,          "databaseEngine",   "PostgreSQL"};
	char d[32];
	if (price_list(a, inst, 5, "Hrs", &p->hourly, p->date, sizeof p->date, cause) < 0 ||
	    price_list(a, stor, 5, "GB-Mo", &p->per_gb, d, sizeof d, cause) < 0 ||
	    (is_io(storage_type) &&
	     price_list(a, iops, 4, "IOPS-Mo", &p->per_iops, d, sizeof d, cause) < 0) ||
	    price_list(a, snap, 3, "GB-Mo", &p->backup_per_gb, d, sizeof d, cause) < 0)
		return -1;
	p->region_exact = true;
	p->live = true;
	return 0;
}

/* What the Price List answered in this run, per settings (or why not). */
struct cached {
	char *key;
	struct cost_prices p;
	char *why; /* NULL: P holds the prices */
};
static struct cached *cache;
static size_t ncache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* The Price List's prices for KEY's settings, asked once per run. */
static int cached_prices(struct aws_ctx *a, const char *region, const char *cls,
			 const char *storage_type, bool multi_az, struct cost_prices *p,
			 char **cause)
{
	char *key = xasprintf("%s|%s|%s|%d", region, cls, storage_type, multi_az);
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < ncache; i++)
		if (strcmp(cache[i].key, key) == 0) {
			*p = cache[i].p;
			int rc = cache[i].why ? fail(cause, "%s", cache[i].why) : 0;
			pthread_mutex_unlock(&cache_lock);
			free(key);
			return rc;
		}
	pthread_mutex_unlock(&cache_lock);
	char *why = NULL;
	int rc = live_prices(a, region, cls, storage_type, multi_az, p, &why);
	pthread_mutex_lock(&cache_lock);
	cache = xrealloc(cache, (ncache + 1) * sizeof *cache);
	cache[ncache++] = (struct cached){.key = key, .p = *p, .why = rc < 0 ? xstrdup(why) : NULL};
	pthread_mutex_unlock(&cache_lock);
	if (rc < 0)
		fail(cause, "%s", why);
	free(why);
	return rc;
}

int cost_estimate_aws(struct aws_ctx *a, const char *region, const char *cls,
		      const char *storage_type, long storage_gb, long iops, bool multi_az,
		      int backup_days, double backup_gb, struct cost *c, char **cause)
{
	struct cost_prices p;
	char *why = NULL;
	if (a && cached_prices(a, region, cls, storage_type, multi_az, &p, &why) == 0) {
		memset(c, 0, sizeof *c);
		compute(&p, storage_type, storage_gb, iops, backup_days, backup_gb, c);
		return 0;
	}
	int rc = cost_estimate(region, cls, storage_type, storage_gb, iops, multi_az, backup_days,
			       backup_gb, c, cause);
	snprintf(c->why, sizeof c->why, "%s", why ? why : "no AWS credentials to ask it with");
	free(why);
	return rc;
}

void cost_format(const struct cost *c, const char *storage_type, long storage_gb, char *out,
		 size_t outsz)
{
	char iops[48] = "", backup[64] = "", from[512];
	if (c->iops > 0)
		snprintf(iops, sizeof iops, ", IOPS $%.2f", c->iops);
	if (c->backup > 0)
		snprintf(backup, sizeof backup, ", backup beyond free $%.2f", c->backup);
	else
		snprintf(backup, sizeof backup, ", backups up to %ld GiB free", storage_gb);
	if (c->live)
		snprintf(from, sizeof from, "on-demand prices of %s from the AWS Price List",
			 c->date);
	else
		snprintf(from, sizeof from,
			 "on-demand list prices of %s from the shipped table%s%s%s%s, check the "
			 "AWS pricing page",
			 c->date, c->why[0] ? " (the AWS Price List: " : "", c->why,
			 c->why[0] ? ")" : "",
			 c->region_exact ? "" : ", region not in the table: estimated");
	snprintf(out, outsz, "about $%.2f/month (instance $%.2f, storage %s %ld GiB $%.2f%s%s); %s",
		 c->total, c->instance, storage_type, storage_gb, c->storage, iops, backup, from);
}

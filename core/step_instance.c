/* The instance step: who we are on AWS, then create the RDS instance from the
 * settings or adopt an existing one, wait until it is available, and leave
 * its endpoint and master password for the next steps. In inspect mode it
 * only reports (identity, profiles, the instance's status, the cost). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_api.h"
#include "aws_config.h"
#include "step_aws.h"
#include "cost.h"
#include "fmt.h"
#include "password.h"
#include "restore_point.h"
#include "run.h"
#include "util.h"

/* Compare dotted versions numerically ("15.10" > "15.9"). */
static int version_cmp(const char *x, const char *y)
{
	for (;;) {
		char *ex, *ey;
		long a = strtol(x, &ex, 10), b = strtol(y, &ey, 10);
		if (a != b)
			return a < b ? -1 : 1;
		if (*ex != '.' && *ey != '.')
			return 0;
		x = *ex == '.' ? ex + 1 : ex;
		y = *ey == '.' ? ey + 1 : ey;
	}
}

static bool is_major(const char *v)
{
	return *v && strchr(v, '.') == NULL;
}

/* The version to create: a major resolves to the newest minor RDS offers; a
 * full version must be offered. When the list cannot be had, the version is
 * sent as given (RDS picks its default minor for a bare major). */
static int resolve_version(struct run *r, struct aws_ctx *a, const char *want, char **out,
			   char **cause)
{
	*out = NULL;
	char **v = NULL, *why = NULL;
	run_status(r, "looking up the PostgreSQL versions RDS offers in %s", a->region);
	if (rds_engine_versions(a, "postgres", &v, &why) < 0) {
		run_finding(r, LEVEL_WARN, "engine version",
			    "cannot list the versions RDS offers (%s): sending %s as given", why,
			    want);
		free(why);
		*out = xstrdup(want);
		return 0;
	}
	size_t plen = strlen(want);
	const char *best = NULL;
	bool exact = false;
	char offered[512] = "";
	for (size_t i = 0; v[i]; i++) {
		if (strcmp(v[i], want) == 0)
			exact = true;
		if (strncmp(v[i], want, plen) == 0 && v[i][plen] == '.') {
			if (!best || version_cmp(v[i], best) > 0)
				best = v[i];
		}
		const char *dot = strchr(v[i], '.');
		size_t ml = dot ? (size_t)(dot - v[i]) : strlen(v[i]);
		size_t ol = strlen(offered);
		if (ol < sizeof offered - 16) {
			char maj[16];
			snprintf(maj, sizeof maj, "%.*s", (int)(ml < 15 ? ml : 15), v[i]);
			char needle[20];
			snprintf(needle, sizeof needle, " %s,", maj);
			char hay[520];
			snprintf(hay, sizeof hay, " %s", offered);
			if (!strstr(hay, needle))
				snprintf(offered + ol, sizeof offered - ol, "%s%s,", ol ? " " : "",
					 maj);
		}
	}
	size_t ol = strlen(offered);
	if (ol && offered[ol - 1] == ',')
		offered[ol - 1] = 0;
	int rc = 0;
	if (is_major(want)) {
		if (best) {
			*out = xstrdup(best);
			run_finding(r, LEVEL_OK, "engine version",
				    "PostgreSQL %s resolves to %s, the newest RDS offers in %s",
				    want, best, a->region);
		} else {
			rc = fail(cause, "RDS offers no PostgreSQL %s in %s (majors offered: %s)",
				  want, a->region, offered[0] ? offered : "none");
		}
	} else if (exact) {
		*out = xstrdup(want);
		run_finding(r, LEVEL_OK, "engine version", "PostgreSQL %s is offered in %s", want,
			    a->region);
	} else {
		char same[512] = "";
		const char *dot = strchr(want, '.');
		size_t ml = dot ? (size_t)(dot - want) : strlen(want);
		for (size_t i = 0; v[i]; i++)
			if (strncmp(v[i], want, ml) == 0 && v[i][ml] == '.' &&
			    strlen(same) + strlen(v[i]) + 3 < sizeof same)
				snprintf(same + strlen(same), sizeof same - strlen(same), "%s%s",
					 same[0] ? ", " : "", v[i]);
		rc = fail(cause, "RDS does not offer PostgreSQL %s in %s (offered: %s)", want,
			  a->region, same[0] ? same : offered);
	}
	aws_strv_free(v);
	return rc;
}

/* The monthly cost, from the AWS Price List through A (NULL: without
 * credentials, from the shipped table). */
static void report_cost(struct run *r, const char *region, struct aws_ctx *a)
{
	struct cost c;
	char *why = NULL;
	const struct config *cfg = r->cfg;
	const char *st = config_get(cfg, CFG_INSTANCE_STORAGE_TYPE);
	long gb = config_int(cfg, CFG_INSTANCE_STORAGE_GB);
	bool io = strcmp(st, "io1") == 0 || strcmp(st, "io2") == 0;
	if (a)
		run_status(r, "asking the AWS Price List for the prices in %s", region);
	if (cost_estimate_aws(a, region, config_get(cfg, CFG_INSTANCE_CLASS), st, gb, io ? 3000 : 0,
			      config_bool(cfg, CFG_INSTANCE_MULTI_AZ),
			      (int)config_int(cfg, CFG_INSTANCE_BACKUP_RETENTION_DAYS), 0, &c,
			      &why) < 0) {
		run_finding(r, LEVEL_INFO, "cost", "%s", why);
		free(why);
		return;
	}
	char line[1024];
	cost_format(&c, st, gb, line, sizeof line);
	run_finding(r, LEVEL_INFO, "cost", "%s", line);
}

static void report_instance(struct run *r, const struct rds_instance *in)
{
	run_finding(r, strcmp(in->status, "available") == 0 ? LEVEL_OK : LEVEL_INFO, in->id,
		    "%s: %s %s, %s, %ld GiB %s%s%s, endpoint %s%s%d", in->status, in->engine,
		    in->engine_version, in->cls, in->storage_gb, in->storage_type,
		    in->encrypted ? ", encrypted" : ", NOT encrypted",
		    in->multi_az ? ", Multi-AZ" : "", in->endpoint[0] ? in->endpoint : "(none yet)",
		    in->endpoint[0] ? ":" : "", in->endpoint[0] ? in->port : 0);
}

/* Show how an existing instance differs from the settings; returns the
 * number of differences. */
static int report_differences(struct run *r, const struct rds_instance *in)
{
	const struct config *c = r->cfg;
	int n = 0;
	char buf[64];
#define DIFF(item, want, have)                                                                     \
	do {                                                                                       \
		if (strcmp((want), (have)) != 0) {                                                 \
			run_finding(r, LEVEL_WARN, "differs: " item, "config %s, instance %s",     \
				    (want), (have));                                               \
			n++;                                                                       \
		}                                                                                  \
	} while (0)
	DIFF("class", config_get(c, CFG_INSTANCE_CLASS), in->cls);
	const char *ev = config_get(c, CFG_INSTANCE_ENGINE_VERSION);
	size_t el = strlen(ev);
	bool vmatch = is_major(ev)
			      ? strncmp(in->engine_version, ev, el) == 0 &&
					(in->engine_version[el] == '.' || !in->engine_version[el])
			      : strcmp(in->engine_version, ev) == 0;
	if (!vmatch) {
		run_finding(r, LEVEL_WARN, "differs: engine_version", "config %s, instance %s", ev,
			    in->engine_version);
		n++;
	}
	snprintf(buf, sizeof buf, "%ld", in->storage_gb);
	DIFF("storage_gb", config_get(c, CFG_INSTANCE_STORAGE_GB), buf);
	DIFF("storage_type", config_get(c, CFG_INSTANCE_STORAGE_TYPE), in->storage_type);
	DIFF("encrypted", config_bool(c, CFG_INSTANCE_ENCRYPTED) ? "true" : "false",
	     in->encrypted ? "true" : "false");
	DIFF("multi_az", config_bool(c, CFG_INSTANCE_MULTI_AZ) ? "true" : "false",
	     in->multi_az ? "true" : "false");
	DIFF("public", config_bool(c, CFG_INSTANCE_PUBLIC) ? "true" : "false",
	     in->public_access ? "true" : "false");
	snprintf(buf, sizeof buf, "%d", in->backup_days);
	DIFF("backup_retention_days", config_get(c, CFG_INSTANCE_BACKUP_RETENTION_DAYS), buf);
	DIFF("db_name", config_get(c, CFG_INSTANCE_DB_NAME), in->db_name);
	DIFF("master_user", config_get(c, CFG_INSTANCE_MASTER_USER), in->master_user);
	if (in->port) {
		snprintf(buf, sizeof buf, "%d", in->port);
		DIFF("port", config_get(c, CFG_NETWORK_PORT), buf);
	}
#undef DIFF
	if (n == 0)
		run_finding(r, LEVEL_OK, in->id, "its settings match the config");
	return n;
}

/* The CreateDBInstance parameters for the settings. */
static void create_params(struct run *r, const char *version, const char *password,
			  struct aws_params *p)
{
	const struct config *c = r->cfg;
	const char *st = config_get(c, CFG_INSTANCE_STORAGE_TYPE);
	aws_params_add(p, "DBInstanceIdentifier", config_get(c, CFG_INSTANCE_IDENTIFIER));
	aws_params_add(p, "DBInstanceClass", config_get(c, CFG_INSTANCE_CLASS));
	aws_params_add(p, "Engine", "postgres");
	aws_params_add(p, "EngineVersion", version);
	aws_params_add(p, "AllocatedStorage", config_get(c, CFG_INSTANCE_STORAGE_GB));
	aws_params_add(p, "StorageType", st);
	if (strcmp(st, "io1") == 0 || strcmp(st, "io2") == 0)
		aws_params_add(p, "Iops", "3000");
	aws_params_add(p, "StorageEncrypted",
		       config_bool(c, CFG_INSTANCE_ENCRYPTED) ? "true" : "false");
	aws_params_add(p, "BackupRetentionPeriod",
		       config_get(c, CFG_INSTANCE_BACKUP_RETENTION_DAYS));
	aws_params_add(p, "MultiAZ", config_bool(c, CFG_INSTANCE_MULTI_AZ) ? "true" : "false");
	aws_params_add(p, "PubliclyAccessible",
		       config_bool(c, CFG_INSTANCE_PUBLIC) ? "true" : "false");
	aws_params_add(p, "DBName", config_get(c, CFG_INSTANCE_DB_NAME));
	aws_params_add(p, "MasterUsername", config_get(c, CFG_INSTANCE_MASTER_USER));
	if (password)
		aws_params_add(p, "MasterUserPassword", password);
	else
		aws_params_add(p, "ManageMasterUserPassword", "true");
	aws_params_add(p, "Port", config_get(c, CFG_NETWORK_PORT));
	if (*config_get(c, CFG_INSTANCE_SECURITY_GROUP))
		aws_params_add(p, "VpcSecurityGroupIds.VpcSecurityGroupId.1",
			       config_get(c, CFG_INSTANCE_SECURITY_GROUP));
	aws_params_add(p, "CopyTagsToSnapshot", "true");
	char date[16];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	aws_params_add(p, "Tags.Tag.1.Key", "created-by");
	aws_params_add(p, "Tags.Tag.1.Value", "rds-migrate");
	aws_params_add(p, "Tags.Tag.2.Key", "rds-migrate:created");
	aws_params_add(p, "Tags.Tag.2.Value", date);
}

static bool status_ready(const char *s)
{
	return strcmp(s, "available") == 0 || strcmp(s, "storage-optimization") == 0;
}

static bool status_hopeless(const char *s)
{
	static const char *const bad[] = {"failed",
					  "incompatible-parameters",
					  "incompatible-network",
					  "incompatible-option-group",
					  "incompatible-restore",
					  "inaccessible-encryption-credentials",
					  "inaccessible-encryption-credentials-recoverable",
					  "storage-full",
					  "deleting",
					  "stopped",
					  "stopping",
					  "delete-precheck",
					  NULL};
	for (const char *const *b = bad; *b; b++)
		if (strcmp(s, *b) == 0)
			return true;
	return false;
}

/* Poll until the instance is available, showing every status change. IN
 * holds the last seen description. */
static int wait_available(struct run *r, struct aws_ctx *a, const char *id, struct rds_instance *in,
			  char **cause)
{
	long bound = r->knobs->wait_minutes * 60;
	long every = r->knobs->poll_seconds;
	double start = now_monotonic();
	char prev[64];
	snprintf(prev, sizeof prev, "%s", in->status);
	int errors = 0;
	for (;;) {
		char el[32];
		fmt_duration(el, sizeof el, now_monotonic() - start);
		if (status_ready(in->status) && in->endpoint[0])
			return 0;
		if (status_hopeless(in->status)) {
			if (strcmp(in->status, "stopped") == 0)
				return fail(cause,
					    "%s is stopped: start it (aws rds start-db-instance "
					    "--db-instance-identifier %s) and run again",
					    id, id);
			return fail(cause,
				    "%s is %s: it will not become available by waiting; see "
				    "the RDS console's events for the instance",
				    id, in->status);
		}
		if (now_monotonic() - start > (double)bound)
			return fail(cause,
				    "%s is still %s after %ld min, the wait's bound: run again "
				    "later to keep waiting (RDSM_WAIT_MINUTES raises the bound)",
				    id, in->status, bound / 60);
		char clock[16];
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(clock, sizeof clock, "%H:%M:%S", &tm);
		run_status(r,
			   "%s is %s — %s elapsed, last poll %s, polling every %lds, waiting up to "
			   "%ld min",
			   id, in->status, el, clock, every, bound / 60);
		if (sleep_cancellable((double)every, &r->cancel) < 0)
			return fail(cause, "interrupted while waiting for %s", id);
		struct rds_instance next;
		char *why = NULL;
		int rc = rds_describe_instance(a, id, &next, &why);
		if (rc != 0) {
			if (rc == 1)
				why = xasprintf("%s has disappeared (deleted?)", id);
			if (++errors >= 5 || rc == 1) {
				fail(cause, "waiting for %s: %s", id, why);
				free(why);
				return -1;
			}
			run_finding(r, LEVEL_WARN, "poll", "%s (will retry; %d of 5)", why, errors);
			free(why);
			continue;
		}
		errors = 0;
		rds_instance_free(in);
		*in = next;
		if (strcmp(prev, in->status) != 0) {
			fmt_duration(el, sizeof el, now_monotonic() - start);
			run_finding(r, LEVEL_INFO, "status", "%s → %s after %s", prev, in->status,
				    el);
			snprintf(prev, sizeof prev, "%s", in->status);
		}
	}
}

/* Put the endpoint and the master password where the next steps find them. */
static void publish(struct run *r, struct aws_ctx *a, const struct rds_instance *in,
		    const char *password)
{
	char *pw = password ? xstrdup(password) : NULL;
	if (in->secret_arn[0]) {
		char *user = NULL, *spw = NULL, *why = NULL;
		if (secrets_get_db_password(a, in->secret_arn, &user, &spw, &why) == 0) {
			free_secret(pw);
			pw = spw;
			run_finding(r, LEVEL_OK, "master password",
				    "read from AWS Secrets Manager (%s)", in->secret_arn);
		} else {
			run_finding(r, LEVEL_WARN, "master password",
				    "kept by RDS in Secrets Manager, but it cannot be read: %s",
				    why);
		}
		free(user);
		free(why);
	}
	if (!pw)
		run_finding(
			r, LEVEL_WARN, "master password",
			"not known to rds-migrate for %s: set [instance] master_password so the "
			"later steps can connect",
			in->id);
	pthread_mutex_lock(&r->lock);
	free(r->res.endpoint);
	r->res.endpoint = xstrdup(in->endpoint);
	r->res.endpoint_port = in->port;
	if (pw) {
		free_secret(r->res.master_password);
		r->res.master_password = pw;
	}
	pthread_mutex_unlock(&r->lock);
	char *ep = xasprintf("%s:%d", in->endpoint, in->port);
	state_set(r->state, "instance.endpoint", ep, NULL);
	free(ep);
}

/* Automated backups and deletion protection, as the instance has them. */
static void report_backups(struct run *r, const struct rds_instance *in)
{
	if (in->backup_days > 0)
		run_finding(r, LEVEL_OK, "automated backups",
			    "kept %d day%s, taken daily in %s UTC; latest restorable time %s",
			    in->backup_days, in->backup_days == 1 ? "" : "s",
			    in->backup_window[0] ? in->backup_window : "a window RDS picks",
			    in->latest_restorable[0] ? in->latest_restorable : "none yet");
	else
		run_finding(r, LEVEL_WARN, "automated backups",
			    "off (retention 0 days): no point-in-time restore; set "
			    "[instance] backup_retention_days");
	run_finding(r, in->deletion_protection ? LEVEL_OK : LEVEL_WARN, "deletion protection", "%s",
		    in->deletion_protection ? "on" : "off: the instance can be deleted by mistake");
}

/* Deletion protection off: offer to turn it on. */
static int offer_deletion_protection(struct run *r, struct aws_ctx *a,
				     const struct rds_instance *in, char **cause)
{
	if (in->deletion_protection)
		return 0;
	if (!run_confirm(r,
			 "Deletion protection is off on %s. Turn it on, so the instance cannot be "
			 "deleted by mistake?",
			 in->id)) {
		run_finding(
			r, LEVEL_INFO, "deletion protection",
			"left off (turn it on with F6 on the Instance screen, --yes, or aws rds "
			"modify-db-instance --deletion-protection)");
		return 0;
	}
	struct aws_params p = {0};
	aws_params_add(&p, "DeletionProtection", "true");
	int rc = rds_modify_instance(a, in->id, &p, cause);
	aws_params_free(&p);
	if (rc == 0)
		run_finding(r, LEVEL_OK, "deletion protection", "turned on");
	return rc;
}

/* An adopted instance gets a restore point before rds-migrate first writes
 * to it ([instance] snapshot), once: the state remembers it. */
static int restore_point_once(struct run *r, struct aws_ctx *a, const char *id, char **cause)
{
	const char *had = state_get(r->state, "instance.snapshot");
	char *prefix = xasprintf("rds-migrate-%s-", id);
	bool taken = had && strncmp(had, prefix, strlen(prefix)) == 0;
	free(prefix);
	if (taken) {
		run_finding(r, LEVEL_OK, "restore point", "snapshot %s, taken when it was adopted",
			    had);
		return 0;
	}
	if (!config_bool(r->cfg, CFG_INSTANCE_SNAPSHOT)) {
		run_finding(
			r, LEVEL_WARN, "restore point",
			"none taken before writing to the adopted %s ([instance] snapshot = false)",
			id);
		return 0;
	}
	char *snap = NULL;
	if (restore_point_take_with(r, a, id, "adopted", &snap, cause) < 0)
		return -1;
	state_set(r->state, "instance.snapshot", snap, NULL);
	free(snap);
	return 0;
}

/* mode = existing: list the region's instances, use the configured one. */
static int list_existing(struct run *r, struct aws_ctx *a, const char *id, char **cause)
{
	struct rds_instance *v;
	size_t n;
	if (rds_list_instances(a, &v, &n, cause) < 0)
		return -1;
	bool found = false;
	char names[512] = "";
	for (size_t i = 0; i < n; i++) {
		report_instance(r, &v[i]);
		if (strcmp(v[i].id, id) == 0)
			found = true;
		size_t l = strlen(names);
		if (l + strlen(v[i].id) + 3 < sizeof names)
			snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", v[i].id);
	}
	rds_instances_free(v, n);
	if (n == 0)
		return fail(cause, "there are no RDS instances in %s: set [instance] mode = create",
			    a->region);
	if (!found)
		return fail(cause, "no instance named %s in %s; the region has: %s", id, a->region,
			    names);
	return 0;
}

static int instance_run(struct run *r, char **cause)
{
	const struct config *c = r->cfg;
	if (*config_get(c, CFG_TARGET_URL)) {
		*cause = xstrdup("[target] url is set: no RDS instance to create");
		return 1;
	}
	const char *id = config_get(c, CFG_INSTANCE_IDENTIFIER);
	bool create = strcmp(config_get(c, CFG_INSTANCE_MODE), "existing") != 0;

	char **profiles = aws_profiles_list();
	char list[512] = "";
	for (size_t i = 0; profiles[i]; i++) {
		size_t l = strlen(list);
		snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", profiles[i]);
	}
	char *credp = aws_credentials_path(), *confp = aws_config_path();
	run_finding(r, LEVEL_INFO, "profiles", "%s (in %s, %s)", list[0] ? list : "none", credp,
		    confp);
	free(credp);
	free(confp);
	aws_strv_free(profiles);

	/* the cost is shown even when the credentials fail (from the table) */
	const char *cfg_region = config_get(c, CFG_AWS_REGION);
	struct aws_ctx a;
	if (step_aws_open(r, &a, cause) < 0) {
		if (create && *cfg_region)
			report_cost(r, cfg_region, NULL);
		aws_ctx_free(&a);
		return -1;
	}
	if (create && *cfg_region)
		report_cost(r, cfg_region, &a);
	char key[64];
	aws_key_hint(a.creds.access_key, key, sizeof key);
	run_finding(r, LEVEL_INFO, "credentials", "access key %s from %s%s", key, a.creds.source,
		    a.creds.token ? ", with a session token" : "");
	run_status(r, "asking STS who these credentials are");
	struct sts_identity who;
	if (sts_get_caller_identity(&a, &who, cause) < 0) {
		aws_ctx_free(&a);
		return -1;
	}
	run_finding(r, LEVEL_OK, "identity", "signed in as %s (account %s) in %s (region from %s)",
		    who.arn, who.account, a.region, a.region_source);
	if (create && !*cfg_region)
		report_cost(r, a.region, &a);

	int rc = 0;
	struct rds_instance in;
	memset(&in, 0, sizeof in);
	char *password = NULL; /* the one sent at create, when we know it */
	run_status(r, "looking for the RDS instance %s in %s", id, a.region);
	int found = rds_describe_instance(&a, id, &in, cause);
	if (found < 0) {
		rc = -1;
		goto out;
	}
	if (r->inspect) {
		if (!create) {
			struct rds_instance *v;
			size_t n;
			char *why = NULL;
			if (rds_list_instances(&a, &v, &n, &why) == 0) {
				for (size_t i = 0; i < n; i++)
					if (strcmp(v[i].id, id) != 0)
						report_instance(r, &v[i]);
				rds_instances_free(v, n);
			} else {
				run_finding(r, LEVEL_WARN, "instances", "cannot list them: %s",
					    why);
				free(why);
			}
		}
		if (found == 0) {
			report_instance(r, &in);
			report_backups(r, &in);
		} else
			run_finding(r, LEVEL_INFO, id, "does not exist yet in %s%s", a.region,
				    create ? ": the instance step will create it" : "");
		*cause = xasprintf("signed in as %s (account %s) in %s", who.arn, who.account,
				   a.region);
		goto out;
	}

	const char *cfgpw = config_get(c, CFG_INSTANCE_MASTER_PASSWORD);
	bool managed = strcmp(cfgpw, "secrets-manager") == 0;
	bool adopted = false; /* an instance rds-migrate did not create */
	if (!create) {
		adopted = true;
		if (list_existing(r, &a, id, cause) < 0) {
			rc = -1;
			goto out;
		}
		report_differences(r, &in);
		state_set(r->state, "instance.adopted", id, NULL);
	} else if (found == 0) {
		const char *ours = state_get(r->state, "instance.created");
		report_instance(r, &in);
		if (strcmp(in.engine, "postgres") != 0) {
			rc = fail(cause,
				  "the identifier %s is taken in %s by a %s instance: choose "
				  "another [instance] identifier",
				  id, a.region, in.engine);
			goto out;
		}
		int ndiff = report_differences(r, &in);
		if (ours && strcmp(ours, id) == 0) {
			run_finding(r, LEVEL_OK, id, "created by an earlier run: adopting it");
			if (!managed && !*cfgpw &&
			    (password = run_known_password(
				     r, in.endpoint && *in.endpoint ? in.endpoint : NULL)))
				run_finding(
					r, LEVEL_OK, "master password",
					"the one generated by that run (read back from the .env, "
					"or the 0600 file that keeps it until then)");
		} else if (!run_confirm(r,
					"An instance named %s already exists in %s (%s, %d "
					"setting%s differ). Adopt it as the target?",
					id, a.region, in.status, ndiff, ndiff == 1 ? "" : "s")) {
			rc = fail(
				cause,
				"the identifier %s is already taken in %s: choose another "
				"[instance] identifier, set mode = existing, or confirm (--yes) to "
				"adopt it",
				id, a.region);
			goto out;
		} else {
			run_finding(r, LEVEL_INFO, id, "adopting the existing instance");
			state_set(r->state, "instance.adopted", id, NULL);
			adopted = true;
		}
	} else {
		char *version = NULL;
		if (resolve_version(r, &a, config_get(c, CFG_INSTANCE_ENGINE_VERSION), &version,
				    cause) < 0) {
			rc = -1;
			goto out;
		}
		bool generated = false;
		if (!managed) {
			if (*cfgpw) {
				password = xstrdup(cfgpw);
			} else {
				char buf[PASSWORD_GEN_LEN + 8];
				if (password_generate(buf, sizeof buf) < 0) {
					free(version);
					rc = fail(cause, "cannot generate a master password: no "
							 "randomness from the kernel");
					goto out;
				}
				password = xstrdup(buf);
				memset(buf, 0, sizeof buf);
				generated = true;
				/* kept (0600) until the env step has it in the .env */
				if (run_secret_save(r, password, cause) < 0) {
					free(version);
					goto out_fail;
				}
			}
		}
		struct aws_params p = {0};
		create_params(r, version, password, &p);
		run_status(r, "creating %s: PostgreSQL %s on %s, %s GiB %s%s", id, version,
			   config_get(c, CFG_INSTANCE_CLASS),
			   config_get(c, CFG_INSTANCE_STORAGE_GB),
			   config_get(c, CFG_INSTANCE_STORAGE_TYPE),
			   config_bool(c, CFG_INSTANCE_ENCRYPTED) ? ", encrypted" : "");
		struct aws_error err;
		char *why = NULL;
		int crc = rds_create_instance(&a, &p, &in, &err, &why);
		free_secret(p.buf);
		p.buf = NULL;
		free(version);
		if (crc < 0 && strcmp(err.code, "DBInstanceAlreadyExists") == 0) {
			/* someone made it in between: adopt on the next run, with a look first */
			rc = fail(cause,
				  "the identifier %s was taken while creating it: run again "
				  "to see and adopt it",
				  id);
			free(why);
			goto out;
		}
		if (crc < 0) {
			rc = fail(cause, "%s", why);
			free(why);
			goto out;
		}
		state_set(r->state, "instance.created", id, NULL);
		run_finding(r, LEVEL_OK, id, "CreateDBInstance accepted (status %s)", in.status);
		if (generated)
			run_finding(r, LEVEL_WARN, "master password",
				    "generated (%zu characters); never logged or shown, written to "
				    "the .env by the env step (until then kept in "
				    ".rds-migrate.secret, mode 0600, beside the state file)",
				    strlen(password));
		else if (managed)
			run_finding(r, LEVEL_INFO, "master password",
				    "kept by RDS in AWS Secrets Manager");
	}

	if (wait_available(r, &a, id, &in, cause) < 0) {
		rc = -1;
		goto out;
	}
	const char *known = password;
	if (!known && !managed && *cfgpw)
		known = cfgpw;
	publish(r, &a, &in, known);
	report_backups(r, &in);
	if (offer_deletion_protection(r, &a, &in, cause) < 0 ||
	    (adopted && restore_point_once(r, &a, id, cause) < 0))
		goto out_fail;
	*cause = xasprintf("%s is available at %s:%d (PostgreSQL %s, %s)", id, in.endpoint, in.port,
			   in.engine_version, in.cls);
	goto out;
out_fail:
	rc = -1;
out:
	free_secret(password);
	rds_instance_free(&in);
	sts_identity_free(&who);
	aws_ctx_free(&a);
	return rc;
}

const struct step step_instance = {
	.name = "instance",
	.title = "RDS instance",
	.what = "create the RDS instance (or adopt one) and wait until available",
	.run = instance_run,
};

/* The monitor step: CloudWatch alarms on the RDS instance (CPU, free
 * storage, freeable memory, connections, CPU credits, read/write latency),
 * an SNS topic with an e-mail subscription they send to, and Performance
 * Insights and Enhanced Monitoring offered with their cost. Idempotent: what
 * is already as configured is left alone, and a run that changes nothing
 * says so. In inspect mode it only says what it would do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_api.h"
#include "aws_config.h"
#include "aws_watch.h"
#include "monitor.h"
#include "pg_conn.h"
#include "rds_class.h"
#include "run.h"
#include "step_aws.h"
#include "util.h"

/* What the step did, for its summary line. */
struct tally {
	int created, updated, unchanged, other; /* other: topic, subscription, settings */
};

/* The server's max_connections, else the class's default (said so). */
static long max_connections(struct run *r, const struct rds_instance *in)
{
	char *why = NULL;
	long n = 0;
	char *ci = run_target_conninfo(r, &why);
	PGconn *c = ci ? pg_connect(ci, PG_TARGET, 5, &r->cancel, NULL, &why) : NULL;
	free_secret(ci);
	char *v = c ? pg_value(c, "SHOW max_connections", &why) : NULL;
	if (c)
		PQfinish(c);
	if (v)
		n = strtol(v, NULL, 10);
	free(v);
	if (n > 0) {
		run_finding(r, LEVEL_INFO, "max_connections", "%ld (asked the server)", n);
	} else {
		n = rds_default_max_connections(in->cls);
		run_finding(r, LEVEL_INFO, "max_connections",
			    "%ld, RDS's default for %s (the server could not be asked: %s)", n,
			    in->cls, why ? why : "no answer");
	}
	free(why);
	return n;
}

/* The SNS topic the alarms send to, with EMAIL subscribed; *ARN stays NULL
 * when there is none (inspect mode before it exists). */
static int ensure_topic(struct run *r, struct aws_ctx *a, const char *id, const char *email,
			char **arn, struct tally *t, char **cause)
{
	char *name = xasprintf("rds-migrate-%s-alarms", id);
	int rc = sns_find_topic(a, name, arn, cause);
	if (rc == 1 && r->inspect) {
		run_finding(r, LEVEL_INFO, "topic", "%s would be created, mailing %s", name, email);
		free(name);
		return 0;
	}
	if (rc == 1) {
		if (sns_create_topic(a, name, arn, cause) < 0) {
			free(name);
			return -1;
		}
		t->other++;
		run_finding(r, LEVEL_OK, "topic", "%s created", *arn);
	} else if (rc == 0) {
		run_finding(r, LEVEL_OK, "topic", "%s (already there)", *arn);
	}
	free(name);
	if (rc < 0)
		return -1;
	int sub = sns_email_subscription(a, *arn, email, cause);
	if (sub < 0)
		return -1;
	if (sub == 0) {
		run_finding(r, LEVEL_OK, "e-mail", "%s is subscribed and confirmed", email);
	} else if (sub == 1) {
		run_finding(r, LEVEL_WARN, "e-mail",
			    "%s has not confirmed yet: open the mail from AWS Notifications and "
			    "click \"Confirm subscription\"; until then no alarm reaches you",
			    email);
	} else if (r->inspect) {
		run_finding(r, LEVEL_INFO, "e-mail", "%s would be subscribed", email);
	} else {
		if (sns_subscribe_email(a, *arn, email, cause) < 0)
			return -1;
		t->other++;
		run_finding(r, LEVEL_WARN, "e-mail",
			    "subscribed %s: AWS has sent it a mail; confirm the e-mail (click "
			    "\"Confirm subscription\" in it) or no alarm reaches you",
			    email);
	}
	return 0;
}

static const struct cw_alarm *find_alarm(const struct cw_alarm *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Make one planned alarm so: created, updated or left as it is. */
static int apply_alarm(struct run *r, struct aws_ctx *a, const struct alarm_plan *p,
		       const struct cw_alarm *have, struct tally *t, char **cause)
{
	const char *item = config_keys[p->key].name;
	if (have && monitor_alarm_same(&p->alarm, have)) {
		t->unchanged++;
		run_finding(r, LEVEL_OK, item, "%s — %s, unchanged", p->what, p->alarm.name);
		return 0;
	}
	const char *done = have ? "updated" : "created";
	if (r->inspect) {
		run_finding(r, LEVEL_INFO, item, "%s — would be %s", p->what, done);
		return 0;
	}
	if (cw_put_alarm(a, &p->alarm, cause) < 0)
		return -1;
	*(have ? &t->updated : &t->created) += 1;
	run_finding(r, LEVEL_OK, item, "%s — %s, %s", p->what, p->alarm.name, done);
	return 0;
}

static int apply_alarms(struct run *r, struct aws_ctx *a, const struct monitor_instance *mi,
			struct tally *t, char **cause)
{
	struct alarm_plan plan[ALARM_KINDS];
	monitor_plan(r->cfg, mi, plan);
	char *prefix = xasprintf("rds-migrate-%s-", mi->id);
	struct cw_alarm *have;
	size_t n;
	int rc = cw_describe_alarms(a, prefix, &have, &n, cause);
	free(prefix);
	for (int k = 0; k < ALARM_KINDS && rc == 0; k++) {
		if (!plan[k].wanted)
			run_finding(r, LEVEL_INFO, config_keys[plan[k].key].name, "no alarm: %s",
				    plan[k].skip);
		else
			rc = apply_alarm(r, a, &plan[k], find_alarm(have, n, plan[k].alarm.name), t,
					 cause);
	}
	free(have);
	return rc;
}

/* Enhanced Monitoring's cost: CloudWatch Logs ingestion of one OS sample
 * (about 4 KiB of JSON) every INTERVAL seconds, at $0.50 a GB. */
static double em_monthly_usd(int interval)
{
	return 730.0 * 3600.0 / interval * 4096.0 / 1e9 * 0.50;
}

/* Performance Insights and Enhanced Monitoring: shown with their cost, and
 * turned on when [monitor] asks. */
static int apply_insights(struct run *r, struct aws_ctx *a, const struct rds_instance *in,
			  struct tally *t, char **cause)
{
	bool pi = config_bool(r->cfg, CFG_MONITOR_PERFORMANCE_INSIGHTS);
	int em = (int)config_int(r->cfg, CFG_MONITOR_ENHANCED_MONITORING);
	struct aws_params p = {0};
	if (in->perf_insights)
		run_finding(r, LEVEL_OK, "performance_insights", "on");
	else if (!pi)
		run_finding(r, LEVEL_INFO, "performance_insights",
			    "off: its free tier (7 days of query-load history) costs nothing; set "
			    "[monitor] performance_insights = true to turn it on");
	if (pi && !in->perf_insights) {
		aws_params_add(&p, "EnablePerformanceInsights", "true");
		aws_params_add(&p, "PerformanceInsightsRetentionPeriod", "7");
		run_finding(r, LEVEL_INFO, "performance_insights",
			    "%s on, free tier (7 days of history, no charge)",
			    r->inspect ? "would be turned" : "turning");
	}
	if (em == in->monitoring_interval && em > 0)
		run_finding(r, LEVEL_OK, "enhanced_monitoring", "every %d s (about $%.2f a month)",
			    em, em_monthly_usd(em));
	else if (em == 0)
		run_finding(r, LEVEL_INFO, "enhanced_monitoring",
			    "%s: OS metrics every 60 s cost about $%.2f a month, every 1 s about "
			    "$%.2f (CloudWatch Logs); set [monitor] enhanced_monitoring",
			    in->monitoring_interval ? "left as it is" : "off", em_monthly_usd(60),
			    em_monthly_usd(1));
	if (em > 0 && em != in->monitoring_interval) {
		aws_params_addf(&p, "MonitoringInterval", "%d", em);
		aws_params_add(&p, "MonitoringRoleArn",
			       config_get(r->cfg, CFG_MONITOR_MONITORING_ROLE));
		run_finding(
			r, LEVEL_INFO, "enhanced_monitoring", "%s every %d s (about $%.2f a month)",
			r->inspect ? "would be turned on" : "turning on", em, em_monthly_usd(em));
	}
	int rc = 0;
	if (p.len && !r->inspect) {
		rc = rds_modify_instance(a, in->id, &p, cause);
		t->other += rc == 0;
	}
	aws_params_free(&p);
	return rc;
}

/* The step's summary line. */
static char *summary(const struct tally *t, bool inspect)
{
	int alarms = t->created + t->updated + t->unchanged;
	if (inspect)
		return xstrdup("looked only: nothing changed");
	if (t->created + t->updated + t->other == 0)
		return xasprintf("nothing to change: %d alarm%s already as configured", alarms,
				 alarms == 1 ? "" : "s");
	return xasprintf("%d alarm%s: %d created, %d updated, %d unchanged (CloudWatch: $0.10 "
			 "an alarm a month beyond the account's 10 free)",
			 alarms, alarms == 1 ? "" : "s", t->created, t->updated, t->unchanged);
}

static int watch_instance(struct run *r, struct aws_ctx *a, const struct rds_instance *in,
			  char **cause)
{
	struct tally t = {0};
	const char *email = config_get(r->cfg, CFG_MONITOR_EMAIL);
	char *topic = NULL;
	int rc = 0;
	if (*email)
		rc = ensure_topic(r, a, in->id, email, &topic, &t, cause);
	else
		run_finding(r, LEVEL_INFO, "e-mail",
			    "no [monitor] email: the alarms show in the CloudWatch console only");
	struct monitor_instance mi = {.id = in->id,
				      .cls = in->cls,
				      .storage_gb = in->storage_gb,
				      .max_connections = rc == 0 ? max_connections(r, in) : 0,
				      .topic = topic};
	if (rc == 0)
		rc = apply_alarms(r, a, &mi, &t, cause);
	if (rc == 0)
		rc = apply_insights(r, a, in, &t, cause);
	free(topic);
	if (rc == 0)
		*cause = summary(&t, r->inspect);
	return rc;
}

/* Every [monitor] value keeps its rule (the wizard may run with edits not
 * checked yet): -1 naming the first that does not. */
static int check_settings(const struct config *cfg, char **cause)
{
	for (int k = 0; k < CFG_COUNT; k++) {
		char rule[512];
		if (strcmp(config_keys[k].section, "monitor") == 0 &&
		    config_check_key(cfg, (enum config_key)k, config_get(cfg, k), rule,
				     sizeof rule) != 0)
			return fail(cause, "%s = \"%s\": %s", config_key_name(k),
				    config_get(cfg, k), rule);
	}
	return 0;
}

static int monitor_run(struct run *r, char **cause)
{
	if (*config_get(r->cfg, CFG_TARGET_URL)) {
		*cause = xstrdup("[target] url is set: no RDS instance to watch");
		return 1;
	}
	if (check_settings(r->cfg, cause) < 0)
		return -1;
	const char *id = config_get(r->cfg, CFG_INSTANCE_IDENTIFIER);
	struct aws_ctx a;
	struct rds_instance in = {0};
	int rc = step_aws_open(r, &a, cause);
	if (rc == 0) {
		run_status(r, "looking at %s and its CloudWatch alarms", id);
		rc = rds_describe_instance(&a, id, &in, cause);
	}
	if (rc == 1) {
		*cause = xasprintf("the instance %s does not exist yet in %s: the instance step "
				   "creates it",
				   id, a.region);
		rc = r->inspect ? 1 : -1;
	} else if (rc == 0) {
		rc = watch_instance(r, &a, &in, cause);
		rds_instance_free(&in);
	}
	aws_ctx_free(&a);
	return rc;
}

const struct step step_monitor = {
	.name = "monitor",
	.title = "Monitoring",
	.what = "CloudWatch alarms on the instance, mailed through an SNS topic",
	.run = monitor_run,
};

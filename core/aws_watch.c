/* CloudWatch metric alarms and SNS e-mail topics, over the Query protocol. */
#include "aws_watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Copy the text at PATH below N into DST (cut to fit). */
#define TEXT_TO(dst, n, path) snprintf((dst), sizeof(dst), "%s", xml_text((n), (path)))

static void alarm_from_xml(const struct xml_node *m, struct cw_alarm *al)
{
	memset(al, 0, sizeof *al);
	TEXT_TO(al->name, m, "AlarmName");
	TEXT_TO(al->metric, m, "MetricName");
	TEXT_TO(al->statistic, m, "Statistic");
	TEXT_TO(al->comparison, m, "ComparisonOperator");
	TEXT_TO(al->description, m, "AlarmDescription");
	al->period = atoi(xml_text(m, "Period"));
	al->evaluation_periods = atoi(xml_text(m, "EvaluationPeriods"));
	al->threshold = strtod(xml_text(m, "Threshold"), NULL);
	const struct xml_node *d = xml_find(m, "Dimensions/member");
	for (; d; d = xml_next_same(d))
		if (strcmp(xml_text(d, "Name"), "DBInstanceIdentifier") == 0)
			TEXT_TO(al->instance, d, "Value");
	const struct xml_node *act = xml_find(m, "AlarmActions/member");
	if (act)
		snprintf(al->action, sizeof al->action, "%s", act->text);
}

/* Call ACTION with P page by page (NextToken), handing each page's RESULT
 * element to EACH until it returns non-zero (found) or the pages end. 0, or
 * -1 with a cause. */
static int query_pages(struct aws_ctx *a, const struct aws_service *svc, const char *action,
		       const struct aws_params *p, const char *result,
		       int (*each)(const struct xml_node *res, void *ud), void *ud, char **cause)
{
	char *token = NULL;
	int rc = 0, found = 0;
	for (int page = 0; page < 1000 && !found; page++) {
		struct aws_params q = {0};
		aws_params_append(&q, p);
		if (token)
			aws_params_add(&q, "NextToken", token);
		struct xml_node *x = aws_query(a, svc, action, &q, NULL, cause);
		aws_params_free(&q);
		free(token);
		token = NULL;
		if (!x) {
			rc = -1;
			break;
		}
		const struct xml_node *res = xml_find(x, result);
		found = each(res, ud);
		if (*xml_text(res, "NextToken"))
			token = xstrdup(xml_text(res, "NextToken"));
		xml_free(x);
		if (!token)
			break;
	}
	free(token);
	return rc;
}

struct alarm_list {
	struct cw_alarm *v;
	size_t n;
};

static int add_alarms(const struct xml_node *res, void *ud)
{
	struct alarm_list *l = ud;
	for (const struct xml_node *m = xml_find(res, "MetricAlarms/member"); m;
	     m = xml_next_same(m)) {
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		alarm_from_xml(m, &l->v[l->n++]);
	}
	return 0;
}

int cw_describe_alarms(struct aws_ctx *a, const char *prefix, struct cw_alarm **v, size_t *n,
		       char **cause)
{
	struct aws_params p = {0};
	aws_params_add(&p, "AlarmNamePrefix", prefix);
	aws_params_add(&p, "AlarmTypes.member.1", "MetricAlarm");
	struct alarm_list l = {0};
	int rc = query_pages(a, &aws_cloudwatch, "DescribeAlarms", &p, "DescribeAlarmsResult",
			     add_alarms, &l, cause);
	aws_params_free(&p);
	if (rc < 0) {
		free(l.v);
		l = (struct alarm_list){0};
	}
	*v = l.v;
	*n = l.n;
	return rc;
}

int cw_put_alarm(struct aws_ctx *a, const struct cw_alarm *al, char **cause)
{
	struct aws_params p = {0};
	aws_params_add(&p, "AlarmName", al->name);
	aws_params_add(&p, "AlarmDescription", al->description);
	aws_params_add(&p, "Namespace", "AWS/RDS");
	aws_params_add(&p, "MetricName", al->metric);
	aws_params_add(&p, "Dimensions.member.1.Name", "DBInstanceIdentifier");
	aws_params_add(&p, "Dimensions.member.1.Value", al->instance);
	aws_params_add(&p, "Statistic", al->statistic);
	aws_params_addf(&p, "Period", "%d", al->period);
	aws_params_addf(&p, "EvaluationPeriods", "%d", al->evaluation_periods);
	aws_params_addf(&p, "Threshold", "%.17g", al->threshold);
	aws_params_add(&p, "ComparisonOperator", al->comparison);
	aws_params_add(&p, "TreatMissingData", "missing");
	if (al->action[0]) {
		aws_params_add(&p, "AlarmActions.member.1", al->action);
		aws_params_add(&p, "OKActions.member.1", al->action);
	}
	aws_params_add(&p, "Tags.member.1.Key", "created-by");
	aws_params_add(&p, "Tags.member.1.Value", "rds-migrate");
	struct xml_node *x = aws_query(a, &aws_cloudwatch, "PutMetricAlarm", &p, NULL, cause);
	aws_params_free(&p);
	xml_free(x);
	return x ? 0 : -1;
}

/* A topic looked for by name. */
struct topic_search {
	const char *name;
	char *arn;
};

static int match_topic(const struct xml_node *res, void *ud)
{
	struct topic_search *t = ud;
	for (const struct xml_node *m = xml_find(res, "Topics/member"); m && !t->arn;
	     m = xml_next_same(m)) {
		const char *arn = xml_text(m, "TopicArn"), *colon = strrchr(arn, ':');
		if (colon && strcmp(colon + 1, t->name) == 0)
			t->arn = xstrdup(arn);
	}
	return t->arn != NULL;
}

int sns_find_topic(struct aws_ctx *a, const char *name, char **arn, char **cause)
{
	struct topic_search t = {.name = name};
	int rc = query_pages(a, &aws_sns, "ListTopics", NULL, "ListTopicsResult", match_topic, &t,
			     cause);
	*arn = t.arn;
	return rc < 0 ? -1 : t.arn ? 0 : 1;
}

int sns_create_topic(struct aws_ctx *a, const char *name, char **arn, char **cause)
{
	struct aws_params p = {0};
	aws_params_add(&p, "Name", name);
	aws_params_add(&p, "Tags.member.1.Key", "created-by");
	aws_params_add(&p, "Tags.member.1.Value", "rds-migrate");
	struct xml_node *x = aws_query(a, &aws_sns, "CreateTopic", &p, NULL, cause);
	aws_params_free(&p);
	if (!x)
		return -1;
	*arn = xstrdup(xml_text(x, "CreateTopicResult/TopicArn"));
	xml_free(x);
	return **arn ? 0 : fail(cause, "CreateTopic: an answer without a topic ARN");
}

/* An e-mail subscription looked for: 0 confirmed, 1 pending, 2 none. */
struct sub_search {
	const char *email;
	int found;
};

static int match_subscription(const struct xml_node *res, void *ud)
{
	struct sub_search *s = ud;
	for (const struct xml_node *m = xml_find(res, "Subscriptions/member"); m && s->found == 2;
	     m = xml_next_same(m)) {
		if (strcmp(xml_text(m, "Protocol"), "email") != 0 ||
		    strcasecmp(xml_text(m, "Endpoint"), s->email) != 0)
			continue;
		/* AWS writes "PendingConfirmation" until the link in the mail is followed */
		s->found = strncmp(xml_text(m, "SubscriptionArn"), "arn:", 4) == 0 ? 0 : 1;
	}
	return s->found != 2;
}

int sns_email_subscription(struct aws_ctx *a, const char *topic, const char *email, char **cause)
{
	struct aws_params p = {0};
	aws_params_add(&p, "TopicArn", topic);
	struct sub_search s = {.email = email, .found = 2};
	int rc = query_pages(a, &aws_sns, "ListSubscriptionsByTopic", &p,
			     "ListSubscriptionsByTopicResult", match_subscription, &s, cause);
	aws_params_free(&p);
	return rc < 0 ? -1 : s.found;
}

int sns_subscribe_email(struct aws_ctx *a, const char *topic, const char *email, char **cause)
{
	struct aws_params p = {0};
	aws_params_add(&p, "TopicArn", topic);
	aws_params_add(&p, "Protocol", "email");
	aws_params_add(&p, "Endpoint", email);
	struct xml_node *x = aws_query(a, &aws_sns, "Subscribe", &p, NULL, cause);
	aws_params_free(&p);
	xml_free(x);
	return x ? 0 : -1;
}

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

int cw_describe_alarms(struct aws_ctx *a, const char *prefix, struct cw_alarm **v, size_t *n,
		       char **cause)
{
	*v = NULL;
	*n = 0;
	char *token = NULL;
	int rc = 0;
	for (int page = 0; page < 100; page++) {
		struct aws_params p = {0};
		aws_params_add(&p, "AlarmNamePrefix", prefix);
		aws_params_add(&p, "AlarmTypes.member.1", "MetricAlarm");
		if (token)
			aws_params_add(&p, "NextToken", token);
		struct xml_node *x =
			aws_query(a, &aws_cloudwatch, "DescribeAlarms", &p, NULL, cause);
		aws_params_free(&p);
		free(token);
		token = NULL;
		if (!x) {
			rc = -1;
			break;
		}
		const struct xml_node *res = xml_find(x, "DescribeAlarmsResult");
		const struct xml_node *m = xml_find(res, "MetricAlarms/member");
		for (; m; m = xml_next_same(m)) {
			*v = xrealloc(*v, (*n + 1) * sizeof **v);
			alarm_from_xml(m, &(*v)[(*n)++]);
		}
		if (*xml_text(res, "NextToken"))
			token = xstrdup(xml_text(res, "NextToken"));
		xml_free(x);
		if (!token)
			break;
	}
	free(token);
	if (rc < 0) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
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

int sns_find_topic(struct aws_ctx *a, const char *name, char **arn, char **cause)
{
	*arn = NULL;
	char *token = NULL;
	for (int page = 0; page < 1000; page++) {
		struct aws_params p = {0};
		if (token)
			aws_params_add(&p, "NextToken", token);
		struct xml_node *x = aws_query(a, &aws_sns, "ListTopics", &p, NULL, cause);
		aws_params_free(&p);
		free(token);
		token = NULL;
		if (!x)
			return -1;
		const struct xml_node *res = xml_find(x, "ListTopicsResult");
		const struct xml_node *m = xml_find(res, "Topics/member");
		for (; m && !*arn; m = xml_next_same(m)) {
			const char *t = xml_text(m, "TopicArn");
			const char *colon = strrchr(t, ':');
			if (colon && strcmp(colon + 1, name) == 0)
				*arn = xstrdup(t);
		}
		if (!*arn && *xml_text(res, "NextToken"))
			token = xstrdup(xml_text(res, "NextToken"));
		xml_free(x);
		if (!token)
			break;
	}
	free(token);
	return *arn ? 0 : 1;
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

int sns_email_subscription(struct aws_ctx *a, const char *topic, const char *email, char **cause)
{
	int found = 2;
	char *token = NULL;
	for (int page = 0; page < 1000 && found == 2; page++) {
		struct aws_params p = {0};
		aws_params_add(&p, "TopicArn", topic);
		if (token)
			aws_params_add(&p, "NextToken", token);
		struct xml_node *x =
			aws_query(a, &aws_sns, "ListSubscriptionsByTopic", &p, NULL, cause);
		aws_params_free(&p);
		free(token);
		token = NULL;
		if (!x)
			return -1;
		const struct xml_node *res = xml_find(x, "ListSubscriptionsByTopicResult");
		const struct xml_node *m = xml_find(res, "Subscriptions/member");
		for (; m && found == 2; m = xml_next_same(m)) {
			if (strcmp(xml_text(m, "Protocol"), "email") != 0 ||
			    strcasecmp(xml_text(m, "Endpoint"), email) != 0)
				continue;
			/* AWS writes "PendingConfirmation" until the link in the mail is followed */
			found = strncmp(xml_text(m, "SubscriptionArn"), "arn:", 4) == 0 ? 0 : 1;
		}
		if (*xml_text(res, "NextToken"))
			token = xstrdup(xml_text(res, "NextToken"));
		xml_free(x);
	}
	free(token);
	return found;
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

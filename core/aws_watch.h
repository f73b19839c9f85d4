/* The CloudWatch and SNS calls of the monitor step: metric alarms on an RDS
 * instance, and the SNS topic with an e-mail subscription they send to. */
#ifndef RDSM_AWS_WATCH_H
#define RDSM_AWS_WATCH_H

#include <stddef.h>

#include "aws_http.h"

/* A metric alarm on one RDS instance (dimension DBInstanceIdentifier), as
 * PutMetricAlarm takes it and DescribeAlarms gives it back. */
struct cw_alarm {
	char name[256];
	char metric[64];     /* "CPUUtilization" (namespace AWS/RDS) */
	char statistic[16];  /* "Average", "Minimum", "Maximum" */
	char comparison[48]; /* "GreaterThanOrEqualToThreshold"… */
	int period;          /* seconds */
	int evaluation_periods;
	double threshold;
	char instance[128];    /* the DBInstanceIdentifier dimension ("" when another) */
	char action[512];      /* the one alarm action (an SNS topic ARN); "" when none */
	char description[256]; /* what it watches, in words */
};

/* Every alarm whose name starts with PREFIX (following NextToken). */
int cw_describe_alarms(struct aws_ctx *a, const char *prefix, struct cw_alarm **v, size_t *n,
		       char **cause);
/* Create or replace the alarm AL (its action also as the OK action). */
int cw_put_alarm(struct aws_ctx *a, const struct cw_alarm *al, char **cause);

/* The ARN of the topic named NAME when it exists: 0 and *ARN (heap), 1 when
 * there is none, -1 with a cause. */
int sns_find_topic(struct aws_ctx *a, const char *name, char **arn, char **cause);
/* CreateTopic NAME; *ARN (heap). */
int sns_create_topic(struct aws_ctx *a, const char *name, char **arn, char **cause);
/* The e-mail subscription of TOPIC to EMAIL: 0 confirmed, 1 pending (the
 * user has not clicked the mail's link yet), 2 none; -1 with a cause. */
int sns_email_subscription(struct aws_ctx *a, const char *topic, const char *email, char **cause);
/* Subscribe EMAIL to TOPIC (AWS mails a confirmation link). */
int sns_subscribe_email(struct aws_ctx *a, const char *topic, const char *email, char **cause);

#endif

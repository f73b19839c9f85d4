/* The AWS calls rds-migrate makes: RDS, EC2 security groups, STS, Secrets Manager. */
#ifndef RDSM_AWS_API_H
#define RDSM_AWS_API_H

#include <stdbool.h>
#include <stddef.h>

#include "aws_http.h"

struct sts_identity {
	char *arn, *account, *user_id;
};
int sts_get_caller_identity(struct aws_ctx *a, struct sts_identity *id, char **cause);
void sts_identity_free(struct sts_identity *id);

/* One RDS instance as DescribeDBInstances shows it. Strings never NULL. */
struct rds_instance {
	char *id, *status, *cls, *engine, *engine_version;
	char *endpoint; /* "" until RDS assigns it */
	int port;
	long storage_gb;
	char *storage_type;
	bool encrypted, multi_az, public_access;
	int backup_days;
	char *db_name, *master_user, *vpc_id, *secret_arn, *az;
	char **sg_ids; /* VPC security groups, NULL-terminated */
	size_t n_sg;
	char *backup_window;     /* "03:00-03:30" (UTC); "" when unknown */
	char *latest_restorable; /* "2026-01-02T03:04:05Z"; "" when none yet */
	bool deletion_protection;
	bool perf_insights;      /* Performance Insights on */
	int monitoring_interval; /* Enhanced Monitoring seconds; 0: off */
};
void rds_instance_free(struct rds_instance *in);

/* 0 and IN filled; 1 when there is no instance ID; -1 with a cause. */
int rds_describe_instance(struct aws_ctx *a, const char *id, struct rds_instance *in, char **cause);
/* Every instance in the region (following Marker). */
int rds_list_instances(struct aws_ctx *a, struct rds_instance **v, size_t *n, char **cause);
void rds_instances_free(struct rds_instance *v, size_t n);
/* Every version RDS offers for ENGINE, oldest first as RDS lists them
 * (following Marker); NULL-terminated. */
int rds_engine_versions(struct aws_ctx *a, const char *engine, char ***versions, char **cause);
/* CreateDBInstance with P (DBInstanceIdentifier etc.); ERR tells
 * DBInstanceAlreadyExists apart. 0 and IN filled, or -1 with a cause. */
int rds_create_instance(struct aws_ctx *a, const struct aws_params *p, struct rds_instance *in,
			struct aws_error *err, char **cause);

/* ModifyDBInstance of ID with P (DeletionProtection…), applied immediately. */
int rds_modify_instance(struct aws_ctx *a, const char *id, const struct aws_params *p,
			char **cause);

/* One manual DB snapshot as DescribeDBSnapshots shows it. */
struct rds_snapshot {
	char id[256];
	char status[64]; /* "creating", "available"… */
	int percent;     /* PercentProgress */
};
/* CreateDBSnapshot SNAP of instance ID with P's extra parameters (tags). */
int rds_create_snapshot(struct aws_ctx *a, const char *id, const char *snap,
			const struct aws_params *p, struct rds_snapshot *out, char **cause);
/* 0 and OUT filled; 1 when there is no snapshot SNAP; -1 with a cause. */
int rds_describe_snapshot(struct aws_ctx *a, const char *snap, struct rds_snapshot *out,
			  char **cause);

/* One inbound rule source of a security group, flattened: a permission
 * (protocol, ports) times one source (CIDR, IPv6 CIDR or group). */
struct sg_rule {
	char *proto;  /* "tcp", "-1" (all) … */
	int from, to; /* -1 when the protocol has no ports */
	char *cidr;   /* IPv4 or IPv6 CIDR, or NULL */
	char *group;  /* sg-… or NULL */
	char *desc;   /* "" when none */
};
struct security_group {
	char *id, *name, *vpc_id;
	struct sg_rule *rules;
	size_t n;
};
int ec2_describe_security_groups(struct aws_ctx *a, char *const *ids, size_t nids,
				 struct security_group **v, size_t *n, char **cause);
void ec2_security_groups_free(struct security_group *v, size_t n);
/* Admit SOURCE (a CIDR, IPv6 CIDR or sg-…) to tcp PORT of group SG with
 * DESC. An identical rule already there counts as success (*DUPLICATE set). */
int ec2_authorize_ingress(struct aws_ctx *a, const char *sg, int port, const char *source,
			  const char *desc, bool *duplicate, char **cause);
/* Remove the rule admitting SOURCE to tcp FROM..TO (or all traffic when
 * PROTO is "-1") of SG. */
int ec2_revoke_ingress(struct aws_ctx *a, const char *sg, const char *proto, int from, int to,
		       const char *source, char **cause);

/* The username and password in the secret ARN (the JSON RDS keeps there). */
int secrets_get_db_password(struct aws_ctx *a, const char *arn, char **user, char **password,
			    char **cause);

#endif

/* The AWS calls rds-migrate makes, over the request layer. */
#include "aws_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_json.h"
#include "util.h"

static char *dup_text(const struct xml_node *n, const char *path)
{
	return xstrdup(xml_text(n, path));
}

static bool text_true(const struct xml_node *n, const char *path)
{
	return strcmp(xml_text(n, path), "true") == 0;
}

int sts_get_caller_identity(struct aws_ctx *a, struct sts_identity *id, char **cause)
{
	memset(id, 0, sizeof *id);
	struct xml_node *x = aws_query(a, &aws_sts, "GetCallerIdentity", NULL, NULL, cause);
	if (!x)
		return -1;
	const struct xml_node *r = xml_find(x, "GetCallerIdentityResult");
	id->arn = dup_text(r, "Arn");
	id->account = dup_text(r, "Account");
	id->user_id = dup_text(r, "UserId");
	xml_free(x);
	return 0;
}

void sts_identity_free(struct sts_identity *id)
{
	free(id->arn);
	free(id->account);
	free(id->user_id);
	memset(id, 0, sizeof *id);
}

static void instance_from_xml(const struct xml_node *d, struct rds_instance *in)
{
	memset(in, 0, sizeof *in);
	in->id = dup_text(d, "DBInstanceIdentifier");
	in->status = dup_text(d, "DBInstanceStatus");
	in->cls = dup_text(d, "DBInstanceClass");
	in->engine = dup_text(d, "Engine");
	in->engine_version = dup_text(d, "EngineVersion");
	in->endpoint = dup_text(d, "Endpoint/Address");
	in->port = atoi(xml_text(d, "Endpoint/Port"));
	if (!in->port)
		in->port = atoi(xml_text(d, "DbInstancePort"));
	in->storage_gb = atol(xml_text(d, "AllocatedStorage"));
	in->storage_type = dup_text(d, "StorageType");
	in->encrypted = text_true(d, "StorageEncrypted");
	in->multi_az = text_true(d, "MultiAZ");
	in->public_access = text_true(d, "PubliclyAccessible");
	in->backup_days = atoi(xml_text(d, "BackupRetentionPeriod"));
	in->db_name = dup_text(d, "DBName");
	in->master_user = dup_text(d, "MasterUsername");
	in->vpc_id = dup_text(d, "DBSubnetGroup/VpcId");
	in->secret_arn = dup_text(d, "MasterUserSecret/SecretArn");
	in->az = dup_text(d, "AvailabilityZone");
	in->backup_window = dup_text(d, "PreferredBackupWindow");
	in->latest_restorable = dup_text(d, "LatestRestorableTime");
	in->deletion_protection = text_true(d, "DeletionProtection");
	in->perf_insights = text_true(d, "PerformanceInsightsEnabled");
	in->monitoring_interval = atoi(xml_text(d, "MonitoringInterval"));
	in->sg_ids = xcalloc(1, sizeof *in->sg_ids);
	const struct xml_node *m = xml_find(d, "VpcSecurityGroups/VpcSecurityGroupMembership");
	for (; m; m = xml_next_same(m)) {
		in->sg_ids = xrealloc(in->sg_ids, (in->n_sg + 2) * sizeof *in->sg_ids);
		in->sg_ids[in->n_sg++] = dup_text(m, "VpcSecurityGroupId");
		in->sg_ids[in->n_sg] = NULL;
	}
}

void rds_instance_free(struct rds_instance *in)
{
	char **strs[] = {&in->id,
			 &in->status,
			 &in->cls,
			 &in->engine,
			 &in->engine_version,
			 &in->endpoint,
			 &in->storage_type,
			 &in->db_name,
			 &in->master_user,
			 &in->vpc_id,
			 &in->secret_arn,
			 &in->az,
			 &in->backup_window,
			 &in->latest_restorable};
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
		free(*strs[i]);
	for (size_t i = 0; i < in->n_sg; i++)
		free(in->sg_ids[i]);
	free(in->sg_ids);
	memset(in, 0, sizeof *in);
}

void rds_instances_free(struct rds_instance *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rds_instance_free(&v[i]);
	free(v);
}

int rds_describe_instance(struct aws_ctx *a, const char *id, struct rds_instance *in, char **cause)
{
	struct aws_params p = {0};
	aws_params_add(&p, "DBInstanceIdentifier", id);
	struct aws_error err;
	char *why = NULL;
	struct xml_node *x = aws_query(a, &aws_rds, "DescribeDBInstances", &p, &err, &why);
	aws_params_free(&p);
	if (!x) {
		if (strcmp(err.code, "DBInstanceNotFound") == 0 ||
		    strcmp(err.code, "DBInstanceNotFoundFault") == 0) {
			free(why);
			return 1;
		}
		fail(cause, "%s", why);
		free(why);
		return -1;
	}
	const struct xml_node *d = xml_find(x, "DescribeDBInstancesResult/DBInstances/DBInstance");
	if (!d) {
		xml_free(x);
		return 1;
	}
	instance_from_xml(d, in);
	xml_free(x);
	return 0;
}

int rds_list_instances(struct aws_ctx *a, struct rds_instance **v, size_t *n, char **cause)
{
	*v = NULL;
	*n = 0;
	char *marker = NULL;
	for (int page = 0; page < 1000; page++) {
		struct aws_params p = {0};
		aws_params_add(&p, "MaxRecords", "100");
		if (marker)
			aws_params_add(&p, "Marker", marker);
		struct xml_node *x = aws_query(a, &aws_rds, "DescribeDBInstances", &p, NULL, cause);
		aws_params_free(&p);
		free(marker);
		marker = NULL;
		if (!x) {
			rds_instances_free(*v, *n);
			*v = NULL;
			*n = 0;
			return -1;
		}
		const struct xml_node *r = xml_find(x, "DescribeDBInstancesResult");
		for (const struct xml_node *d = xml_find(r, "DBInstances/DBInstance"); d;
		     d = xml_next_same(d)) {
			*v = xrealloc(*v, (*n + 1) * sizeof **v);
			instance_from_xml(d, &(*v)[(*n)++]);
		}
		if (*xml_text(r, "Marker"))
			marker = dup_text(r, "Marker");
		xml_free(x);
		if (!marker)
			break;
	}
	free(marker);
	return 0;
}

int rds_engine_versions(struct aws_ctx *a, const char *engine, char ***versions, char **cause)
{
	size_t n = 0;
	char **v = xcalloc(1, sizeof *v);
	char *marker = NULL;
	int rc = 0;
	for (int page = 0; page < 100 && rc == 0; page++) {
		struct aws_params p = {0};
		aws_params_add(&p, "Engine", engine);
		aws_params_add(&p, "MaxRecords", "100");
		if (marker)
			aws_params_add(&p, "Marker", marker);
		struct xml_node *x =
			aws_query(a, &aws_rds, "DescribeDBEngineVersions", &p, NULL, cause);
		aws_params_free(&p);
		free(marker);
		marker = NULL;
		const struct xml_node *r = x ? xml_find(x, "DescribeDBEngineVersionsResult") : NULL;
		if (!r) {
			if (x)
				rc = fail(cause,
					  "DescribeDBEngineVersions: an answer without a result");
			rc = -1;
			xml_free(x);
			break;
		}
		for (const struct xml_node *d = xml_find(r, "DBEngineVersions/DBEngineVersion"); d;
		     d = xml_next_same(d)) {
			if (!*xml_text(d, "EngineVersion"))
				continue;
			v = xrealloc(v, (n + 2) * sizeof *v);
			v[n++] = dup_text(d, "EngineVersion");
			v[n] = NULL;
		}
		if (*xml_text(r, "Marker"))
			marker = dup_text(r, "Marker");
		xml_free(x);
		if (!marker)
			break;
	}
	free(marker);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		v = NULL;
	}
	*versions = v;
	return rc;
}

int rds_create_instance(struct aws_ctx *a, const struct aws_params *p, struct rds_instance *in,
			struct aws_error *err, char **cause)
{
	struct xml_node *x = aws_query(a, &aws_rds, "CreateDBInstance", p, err, cause);
	if (!x)
		return -1;
	const struct xml_node *d = xml_find(x, "CreateDBInstanceResult/DBInstance");
	if (!d) {
		xml_free(x);
		return fail(cause, "CreateDBInstance: an answer without an instance");
	}
	instance_from_xml(d, in);
	xml_free(x);
	return 0;
}

int rds_modify_instance(struct aws_ctx *a, const char *id, const struct aws_params *p, char **cause)
{
	struct aws_params q = {0};
	aws_params_add(&q, "DBInstanceIdentifier", id);
	aws_params_add(&q, "ApplyImmediately", "true");
	aws_params_append(&q, p);
	struct xml_node *x = aws_query(a, &aws_rds, "ModifyDBInstance", &q, NULL, cause);
	aws_params_free(&q);
	xml_free(x);
	return x ? 0 : -1;
}

static void snapshot_from_xml(const struct xml_node *d, struct rds_snapshot *out)
{
	snprintf(out->id, sizeof out->id, "%s", xml_text(d, "DBSnapshotIdentifier"));
	snprintf(out->status, sizeof out->status, "%s", xml_text(d, "Status"));
	out->percent = atoi(xml_text(d, "PercentProgress"));
}

int rds_create_snapshot(struct aws_ctx *a, const char *id, const char *snap,
			const struct aws_params *p, struct rds_snapshot *out, char **cause)
{
	struct aws_params q = {0};
	aws_params_add(&q, "DBInstanceIdentifier", id);
	aws_params_add(&q, "DBSnapshotIdentifier", snap);
	aws_params_append(&q, p);
	struct xml_node *x = aws_query(a, &aws_rds, "CreateDBSnapshot", &q, NULL, cause);
	aws_params_free(&q);
	if (!x)
		return -1;
	memset(out, 0, sizeof *out);
	snapshot_from_xml(xml_find(x, "CreateDBSnapshotResult/DBSnapshot"), out);
	xml_free(x);
	return 0;
}

int rds_describe_snapshot(struct aws_ctx *a, const char *snap, struct rds_snapshot *out,
			  char **cause)
{
	struct aws_params q = {0};
	aws_params_add(&q, "DBSnapshotIdentifier", snap);
	struct aws_error err;
	char *why = NULL;
	struct xml_node *x = aws_query(a, &aws_rds, "DescribeDBSnapshots", &q, &err, &why);
	aws_params_free(&q);
	if (!x) {
		int rc = strncmp(err.code, "DBSnapshotNotFound", 18) == 0 ? 1
									  : fail(cause, "%s", why);
		free(why);
		return rc;
	}
	const struct xml_node *d = xml_find(x, "DescribeDBSnapshotsResult/DBSnapshots/DBSnapshot");
	memset(out, 0, sizeof *out);
	if (d)
		snapshot_from_xml(d, out);
	xml_free(x);
	return d ? 0 : 1;
}

static void add_rule(struct security_group *g, const struct xml_node *perm, const char *cidr,
		     const char *group, const char *desc)
{
	g->rules = xrealloc(g->rules, (g->n + 1) * sizeof *g->rules);
	struct sg_rule *r = &g->rules[g->n++];
	r->proto = dup_text(perm, "ipProtocol");
	const char *f = xml_text(perm, "fromPort"), *t = xml_text(perm, "toPort");
	r->from = *f ? atoi(f) : -1;
	r->to = *t ? atoi(t) : -1;
	r->cidr = cidr ? xstrdup(cidr) : NULL;
	r->group = group ? xstrdup(group) : NULL;
	r->desc = xstrdup(desc);
}

int ec2_describe_security_groups(struct aws_ctx *a, char *const *ids, size_t nids,
				 struct security_group **v, size_t *n, char **cause)
{
	*v = NULL;
	*n = 0;
	char *next = NULL;
	for (int page = 0; page < 100; page++) {
		struct aws_params p = {0};
		for (size_t i = 0; i < nids; i++) {
			char k[32];
			snprintf(k, sizeof k, "GroupId.%zu", i + 1);
			aws_params_add(&p, k, ids[i]);
		}
		if (next)
			aws_params_add(&p, "NextToken", next);
		struct xml_node *x =
			aws_query(a, &aws_ec2, "DescribeSecurityGroups", &p, NULL, cause);
		aws_params_free(&p);
		free(next);
		next = NULL;
		if (!x) {
			ec2_security_groups_free(*v, *n);
			*v = NULL;
			*n = 0;
			return -1;
		}
		for (const struct xml_node *it = xml_find(x, "securityGroupInfo/item"); it;
		     it = xml_next_same(it)) {
			*v = xrealloc(*v, (*n + 1) * sizeof **v);
			struct security_group *g = &(*v)[(*n)++];
			memset(g, 0, sizeof *g);
			g->id = dup_text(it, "groupId");
			g->name = dup_text(it, "groupName");
			g->vpc_id = dup_text(it, "vpcId");
			for (const struct xml_node *pm = xml_find(it, "ipPermissions/item"); pm;
			     pm = xml_next_same(pm)) {
				for (const struct xml_node *s = xml_find(pm, "ipRanges/item"); s;
				     s = xml_next_same(s))
					add_rule(g, pm, xml_text(s, "cidrIp"), NULL,
						 xml_text(s, "description"));
				for (const struct xml_node *s = xml_find(pm, "ipv6Ranges/item"); s;
				     s = xml_next_same(s))
					add_rule(g, pm, xml_text(s, "cidrIpv6"), NULL,
						 xml_text(s, "description"));
				for (const struct xml_node *s = xml_find(pm, "groups/item"); s;
				     s = xml_next_same(s))
					add_rule(g, pm, NULL, xml_text(s, "groupId"),
						 xml_text(s, "description"));
			}
		}
		if (*xml_text(x, "nextToken"))
			next = dup_text(x, "nextToken");
		xml_free(x);
		if (!next)
			break;
	}
	free(next);
	return 0;
}

void ec2_security_groups_free(struct security_group *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < v[i].n; j++) {
			free(v[i].rules[j].proto);
			free(v[i].rules[j].cidr);
			free(v[i].rules[j].group);
			free(v[i].rules[j].desc);
		}
		free(v[i].rules);
		free(v[i].id);
		free(v[i].name);
		free(v[i].vpc_id);
	}
	free(v);
}

/* The IpPermissions.1 parameters for one source. */
static void perm_params(struct aws_params *p, const char *proto, int from, int to,
			const char *source, const char *desc)
{
	aws_params_add(p, "IpPermissions.1.IpProtocol", proto);
	if (strcmp(proto, "-1") != 0) {
		aws_params_addf(p, "IpPermissions.1.FromPort", "%d", from);
		aws_params_addf(p, "IpPermissions.1.ToPort", "%d", to);
	}
	const char *kind, *key;
	if (strncmp(source, "sg-", 3) == 0) {
		kind = "IpPermissions.1.Groups.1";
		key = "GroupId";
	} else if (strchr(source, ':')) {
		kind = "IpPermissions.1.Ipv6Ranges.1";
		key = "CidrIpv6";
	} else {
		kind = "IpPermissions.1.IpRanges.1";
		key = "CidrIp";
	}
	char name[96];
	snprintf(name, sizeof name, "%s.%s", kind, key);
	aws_params_add(p, name, source);
	if (desc && *desc) {
		snprintf(name, sizeof name, "%s.Description", kind);
		aws_params_add(p, name, desc);
	}
}

int ec2_authorize_ingress(struct aws_ctx *a, const char *sg, int port, const char *source,
			  const char *desc, bool *duplicate, char **cause)
{
	*duplicate = false;
	struct aws_params p = {0};
	aws_params_add(&p, "GroupId", sg);
	perm_params(&p, "tcp", port, port, source, desc);
	struct aws_error err;
	char *why = NULL;
	struct xml_node *x =
		aws_query(a, &aws_ec2, "AuthorizeSecurityGroupIngress", &p, &err, &why);
	aws_params_free(&p);
	if (!x) {
		if (strcmp(err.code, "InvalidPermission.Duplicate") == 0) {
			*duplicate = true;
			free(why);
			return 0;
		}
		fail(cause, "%s", why);
		free(why);
		return -1;
	}
	xml_free(x);
	return 0;
}

int ec2_revoke_ingress(struct aws_ctx *a, const char *sg, const char *proto, int from, int to,
		       const char *source, char **cause)
{
	struct aws_params p = {0};
	aws_params_add(&p, "GroupId", sg);
	perm_params(&p, proto, from, to, source, NULL);
	struct xml_node *x = aws_query(a, &aws_ec2, "RevokeSecurityGroupIngress", &p, NULL, cause);
	aws_params_free(&p);
	if (!x)
		return -1;
	int rc = 0;
	if (strcmp(xml_text(x, "return"), "false") == 0)
		rc = fail(cause, "RevokeSecurityGroupIngress: EC2 answered false (the rule was not "
				 "removed)");
	xml_free(x);
	return rc;
}

int secrets_get_db_password(struct aws_ctx *a, const char *arn, char **user, char **password,
			    char **cause)
{
	*user = *password = NULL;
	char *body = aws_json_pack("{s:s}", "SecretId", arn);
	char *ans = aws_call_json(a, &aws_secretsmanager, "secretsmanager.GetSecretValue", body,
				  NULL, cause);
	free(body);
	if (!ans)
		return -1;
	char *why = NULL;
	json_t *j = aws_json_parse(ans, strlen(ans), "the GetSecretValue answer", &why);
	free_secret(ans);
	if (!j) {
		fail(cause, "GetSecretValue: %s", why);
		free(why);
		return -1;
	}
	const char *text = json_string_value(json_object_get(j, "SecretString"));
	if (!text) {
		json_decref(j);
		return fail(cause, "GetSecretValue: the secret %s has no SecretString", arn);
	}
	json_t *secret = aws_json_parse(text, strlen(text), "the secret's SecretString", &why);
	json_decref(j);
	if (!secret) {
		fail(cause, "GetSecretValue: %s (%s)", why, arn);
		free(why);
		return -1;
	}
	*user = aws_json_str(secret, "username");
	*password = aws_json_str(secret, "password");
	json_decref(secret);
	if (!*password) {
		free(*user);
		*user = NULL;
		return fail(cause, "GetSecretValue: the secret %s holds no password", arn);
	}
	return 0;
}

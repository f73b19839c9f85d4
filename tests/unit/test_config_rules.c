/* Every config key's rule, with values that pass and values that fail (and
 * the words of the rule each failure gives). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "config.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static char dir[] = "/tmp/rdsm-rules-XXXXXX";

/* One row: KEY set to VALUE (with @DIR@ replaced by the temp directory) is
 * accepted when RULE is NULL, else refused with a message containing RULE.
 * STORAGE_TYPE, when set, is put in [instance] storage_type first. */
struct row {
	enum config_key key;
	const char *value;
	const char *rule;
	const char *storage_type;
};

#define OK(k, v)                                                                                   \
	{                                                                                          \
		CFG_##k, v, NULL, NULL                                                             \
	}
#define BAD(k, v, r)                                                                               \
	{                                                                                          \
		CFG_##k, v, r, NULL                                                                \
	}

static const struct row rows[] = {
	/* [source] url, [target] url */
	OK(SOURCE_URL, ""),
	OK(SOURCE_URL, "postgresql://postgres:pw@roundhouse.proxy.rlwy.net:12345/railway"),
	OK(SOURCE_URL, "postgres://u:p%40ss@host/db?sslmode=require"),
	OK(TARGET_URL, "postgresql://u:p@[2001:db8::1]:5432/db"),
	OK(TARGET_URL, "postgresql://u:p@h1:5432,h2:5433/db"),
	OK(TARGET_URL, "postgresql://u:p@h1,h2:5432/db"),   /* h1 on the default port */
	OK(SOURCE_URL, "postgresql:///db?service=railway"), /* pg_service.conf has the host */
	BAD(SOURCE_URL, "postgresql://u:p@h:,/db", "port is not a number"),
	BAD(SOURCE_URL, "host=x dbname=y", "must start with postgresql://"),
	BAD(SOURCE_URL, "mysql://u:p@h/db", "must start with postgresql://"),
	BAD(SOURCE_URL, "postgresql://u:p@/db", "has no host"),
	BAD(SOURCE_URL, "postgresql://u:p%zz@h/db", "two hex digits"),
	BAD(SOURCE_URL, "postgresql://u:p@h/db?nosuchparam=1", "invalid URI query parameter"),
	BAD(SOURCE_URL, "postgresql://u:p@h:port/db", "port is not a number"),
	BAD(SOURCE_URL, "postgresql://u:pa/ss@h/db", "port is not a number"),
	BAD(SOURCE_URL, "postgresql://u:p@h/db?sslmode=verify", "sslmode in the URL"),
	BAD(TARGET_URL, "postgresql://u:p@[::1/db", "not a valid URL"),
	/* [aws] */
	OK(AWS_REGION, "ap-northeast-2"),
	OK(AWS_REGION, "us-east-1"),
	OK(AWS_REGION, "us-gov-west-1"),
	OK(AWS_REGION, "cn-north-1"),
	OK(AWS_REGION, "cn-northwest-1"),
	OK(AWS_REGION, "eu-central-2"),
	OK(AWS_REGION, "il-central-1"),
	OK(AWS_REGION, ""),
	BAD(AWS_REGION, "us-est-1", "not a region name"),
	BAD(AWS_REGION, "US-EAST-1", "not a region name"),
	BAD(AWS_REGION, "seoul", "not a region name"),
	BAD(AWS_REGION, "ap-northeast", "not a region name"),
	BAD(AWS_REGION, "ap-northeast-2a", "not a region name"),
	OK(AWS_PROFILE, ""),
	OK(AWS_PROFILE, "prod-admin"),
	BAD(AWS_PROFILE, "my profile", "no spaces"),
	BAD(AWS_PROFILE, "[prod]", "no spaces"),
	/* [instance] */
	OK(INSTANCE_MODE, "create"),
	OK(INSTANCE_MODE, "existing"),
	BAD(INSTANCE_MODE, "Create", "must be create or existing"),
	BAD(INSTANCE_MODE, "", "must be create or existing"),
	OK(INSTANCE_IDENTIFIER, "yousync-db"),
	OK(INSTANCE_IDENTIFIER, "a"),
	OK(INSTANCE_IDENTIFIER, "Db1-x-2"),
	OK(INSTANCE_IDENTIFIER, "a23456789012345678901234567890123456789012345678901234567890123"),
	BAD(INSTANCE_IDENTIFIER, "", "must not be empty"),
	BAD(INSTANCE_IDENTIFIER, "1abc", "must start with a letter"),
	BAD(INSTANCE_IDENTIFIER, "-abc", "must start with a letter"),
	BAD(INSTANCE_IDENTIFIER, "my_db",
	    "only letters, digits and hyphens are allowed (found '_')"),
	BAD(INSTANCE_IDENTIFIER, "my db", "(found a space)"),
	BAD(INSTANCE_IDENTIFIER, "디비", "must start with a letter"),
	BAD(INSTANCE_IDENTIFIER, "db-디비", "non-ASCII"),
	BAD(INSTANCE_IDENTIFIER, "my--db", "two hyphens in a row"),
	BAD(INSTANCE_IDENTIFIER, "mydb-", "must not end with a hyphen"),
	BAD(INSTANCE_IDENTIFIER, "a234567890123456789012345678901234567890123456789012345678901234",
	    "at most 63"),
	OK(INSTANCE_CLASS, "db.t3.micro"),
	OK(INSTANCE_CLASS, "db.t4g.medium"),
	OK(INSTANCE_CLASS, "db.m6g.large"),
	OK(INSTANCE_CLASS, "db.r6gd.2xlarge"),
	OK(INSTANCE_CLASS, "db.x2iedn.16xlarge"),
	OK(INSTANCE_CLASS, "db.m7i.metal-48xl"),
	BAD(INSTANCE_CLASS, "t3.micro", "db.<family>.<size>"),
	BAD(INSTANCE_CLASS, "db.t3.mciro", "db.<family>.<size>"),
	BAD(INSTANCE_CLASS, "db.t3", "db.<family>.<size>"),
	BAD(INSTANCE_CLASS, "db.T3.micro", "db.<family>.<size>"),
	BAD(INSTANCE_CLASS, "db.t3.micro ", "db.<family>.<size>"),
	OK(INSTANCE_ENGINE_VERSION, "15"),
	OK(INSTANCE_ENGINE_VERSION, "15.8"),
	OK(INSTANCE_ENGINE_VERSION, "16.4"),
	OK(INSTANCE_ENGINE_VERSION, "17"),
	BAD(INSTANCE_ENGINE_VERSION, "", "major version like 16"),
	BAD(INSTANCE_ENGINE_VERSION, "15.8.1", "major version like 16"),
	BAD(INSTANCE_ENGINE_VERSION, "v15", "major version like 16"),
	BAD(INSTANCE_ENGINE_VERSION, "15.", "major version like 16"),
	BAD(INSTANCE_ENGINE_VERSION, "9.6", "11 and later"),
	BAD(INSTANCE_ENGINE_VERSION, "latest", "major version like 16"),
	OK(INSTANCE_STORAGE_TYPE, "gp2"),
	OK(INSTANCE_STORAGE_TYPE, "gp3"),
	OK(INSTANCE_STORAGE_TYPE, "io1"),
	OK(INSTANCE_STORAGE_TYPE, "io2"),
	BAD(INSTANCE_STORAGE_TYPE, "standard", "gp2, gp3, io1 or io2"),
	BAD(INSTANCE_STORAGE_TYPE, "GP3", "gp2, gp3, io1 or io2"),
	{CFG_INSTANCE_STORAGE_GB, "20", NULL, "gp3"},
	{CFG_INSTANCE_STORAGE_GB, "65536", NULL, "gp2"},
	{CFG_INSTANCE_STORAGE_GB, "19",
	 "gp3 storage must be a whole number of GiB from 20 to 65536", "gp3"},
	{CFG_INSTANCE_STORAGE_GB, "65537", "from 20 to 65536", "gp2"},
	{CFG_INSTANCE_STORAGE_GB, "100", NULL, "io1"},
	{CFG_INSTANCE_STORAGE_GB, "99", "io1 storage must be a whole number of GiB from 100",
	 "io1"},
	{CFG_INSTANCE_STORAGE_GB, "50", "io2 storage", "io2"},
	{CFG_INSTANCE_STORAGE_GB, "20GB", "whole number of GiB", "gp3"},
	{CFG_INSTANCE_STORAGE_GB, "-20", "whole number of GiB", "gp3"},
	{CFG_INSTANCE_STORAGE_GB, "", "whole number of GiB", "gp3"},
	OK(INSTANCE_ENCRYPTED, "true"),
	OK(INSTANCE_ENCRYPTED, "false"),
	OK(INSTANCE_MULTI_AZ, "no"),
	OK(INSTANCE_PUBLIC, "1"),
	OK(INSTANCE_PUBLIC, "TRUE"),
	BAD(INSTANCE_ENCRYPTED, "treu", "must be true or false"),
	BAD(INSTANCE_MULTI_AZ, "", "must be true or false"),
	BAD(INSTANCE_PUBLIC, "2", "must be true or false"),
	OK(INSTANCE_BACKUP_RETENTION_DAYS, "0"),
	OK(INSTANCE_BACKUP_RETENTION_DAYS, "7"),
	OK(INSTANCE_BACKUP_RETENTION_DAYS, "35"),
	BAD(INSTANCE_BACKUP_RETENTION_DAYS, "36", "from 0 to 35"),
	BAD(INSTANCE_BACKUP_RETENTION_DAYS, "-1", "from 0 to 35"),
	BAD(INSTANCE_BACKUP_RETENTION_DAYS, "7d", "from 0 to 35"),
	BAD(INSTANCE_BACKUP_RETENTION_DAYS, "", "from 0 to 35"),
	OK(INSTANCE_DB_NAME, "fastapi_db"),
	OK(INSTANCE_DB_NAME, "postgres"),
	OK(INSTANCE_DB_NAME, "App2"),
	BAD(INSTANCE_DB_NAME, "", "must not be empty"),
	BAD(INSTANCE_DB_NAME, "2fast", "must start with a letter"),
	BAD(INSTANCE_DB_NAME, "_db", "must start with a letter"),
	BAD(INSTANCE_DB_NAME, "my-db", "(found '-')"),
	BAD(INSTANCE_DB_NAME, "template1", "reserved by PostgreSQL or RDS"),
	BAD(INSTANCE_DB_NAME, "rdsadmin", "reserved by PostgreSQL or RDS"),
	BAD(INSTANCE_DB_NAME, "select", "SQL reserved word"),
	BAD(INSTANCE_DB_NAME, "a234567890123456789012345678901234567890123456789012345678901234",
	    "at most 63"),
	OK(INSTANCE_MASTER_USER, "yousync"),
	OK(INSTANCE_MASTER_USER, "app_admin2"),
	OK(INSTANCE_MASTER_USER, "postgres"),
	OK(INSTANCE_MASTER_USER, "a234567890123456"),
	BAD(INSTANCE_MASTER_USER, "a2345678901234567", "at most 16"),
	BAD(INSTANCE_MASTER_USER, "", "must not be empty"),
	BAD(INSTANCE_MASTER_USER, "1user", "must start with a letter"),
	BAD(INSTANCE_MASTER_USER, "app-user", "(found '-')"),
	BAD(INSTANCE_MASTER_USER, "admin", "reserved by RDS"),
	BAD(INSTANCE_MASTER_USER, "Admin", "reserved by RDS"),
	BAD(INSTANCE_MASTER_USER, "rdsadmin", "reserved by RDS"),
	BAD(INSTANCE_MASTER_USER, "rdsrepladmin", "reserved by RDS"),
	BAD(INSTANCE_MASTER_USER, "public", "reserved by RDS"),
	BAD(INSTANCE_MASTER_USER, "pg_monitor", "pg_ are reserved by PostgreSQL"),
	BAD(INSTANCE_MASTER_USER, "rds_superuser", "rds_ are reserved by RDS"),
	BAD(INSTANCE_MASTER_USER, "user", "SQL reserved word"),
	BAD(INSTANCE_MASTER_USER, "select", "SQL reserved word"),
	OK(INSTANCE_MASTER_PASSWORD, ""),
	OK(INSTANCE_MASTER_PASSWORD, "secrets-manager"),
	OK(INSTANCE_MASTER_PASSWORD, "N9v#Lq2$wX7!kR4p"),
	OK(INSTANCE_MASTER_PASSWORD, "correct-horse-battery"),
	BAD(INSTANCE_MASTER_PASSWORD, "Ab1!efg", "too short: RDS needs at least 8"),
	BAD(INSTANCE_MASTER_PASSWORD, "Ab1!efgh", "at least 12"),
	BAD(INSTANCE_MASTER_PASSWORD, "12345678", "well-known"),
	BAD(INSTANCE_MASTER_PASSWORD, "password", "well-known"),
	BAD(INSTANCE_MASTER_PASSWORD, "qwertyuiop", "well-known"),
	BAD(INSTANCE_MASTER_PASSWORD, "alllowercaseletters", "only one kind of character"),
	BAD(INSTANCE_MASTER_PASSWORD, "has space Ab1!xyz", "must not contain a space"),
	BAD(INSTANCE_MASTER_PASSWORD, "slash/Ab1!xyzw", "must not contain /"),
	BAD(INSTANCE_MASTER_PASSWORD, "at@Ab1!xyzwvu", "must not contain /"),
	BAD(INSTANCE_MASTER_PASSWORD, "dq\"Ab1!xyzwvu", "must not contain /"),
	BAD(INSTANCE_MASTER_PASSWORD, "sq'Ab1!xyzwvu", "must not contain /"),
	BAD(INSTANCE_MASTER_PASSWORD, "비밀번호Ab1!xyzwvu", "printable ASCII"),
	OK(INSTANCE_SECURITY_GROUP, ""),
	OK(INSTANCE_SECURITY_GROUP, "sg-0123abcd"),
	OK(INSTANCE_SECURITY_GROUP, "sg-0123456789abcdef0"),
	BAD(INSTANCE_SECURITY_GROUP, "sg-0123abc", "8 or 17 lower-case hex digits"),
	BAD(INSTANCE_SECURITY_GROUP, "sg-0123ABCD", "8 or 17 lower-case hex digits"),
	BAD(INSTANCE_SECURITY_GROUP, "default", "8 or 17 lower-case hex digits"),
	/* [network] */
	OK(NETWORK_ALLOW, "auto"),
	OK(NETWORK_ALLOW, "203.0.113.5/32"),
	OK(NETWORK_ALLOW, "10.0.0.0/8"),
	OK(NETWORK_ALLOW, "0.0.0.0/0"),
	OK(NETWORK_ALLOW, "2001:db8::/32"),
	OK(NETWORK_ALLOW, "2001:db8::5/128"),
	OK(NETWORK_ALLOW, "sg-0123456789abcdef0"),
	BAD(NETWORK_ALLOW, "203.0.113.5", "needs a prefix length: 203.0.113.5/32"),
	BAD(NETWORK_ALLOW, "203.0.113.5/24", "host bits are set: the network is 203.0.113.0/24"),
	BAD(NETWORK_ALLOW, "2001:db8::1/64", "the network is 2001:db8::/64"),
	BAD(NETWORK_ALLOW, "203.0.113.5/33", "from 0 to 32"),
	BAD(NETWORK_ALLOW, "2001:db8::/129", "from 0 to 128"),
	BAD(NETWORK_ALLOW, "203.0.113.256/32", "not an IPv4 address"),
	BAD(NETWORK_ALLOW, "10.0.0.0/", "from 0 to 32"),
	BAD(NETWORK_ALLOW, "sg-xyz", "8 or 17 lower-case hex digits"),
	BAD(NETWORK_ALLOW, "everyone", "must be auto, a CIDR"),
	BAD(NETWORK_ALLOW, "", "must be auto, a CIDR"),
	OK(NETWORK_PORT, "5432"),
	OK(NETWORK_PORT, "1150"),
	OK(NETWORK_PORT, "65535"),
	BAD(NETWORK_PORT, "1149", "from 1150 to 65535"),
	BAD(NETWORK_PORT, "65536", "from 1150 to 65535"),
	BAD(NETWORK_PORT, "", "from 1150 to 65535"),
	BAD(NETWORK_PORT, "5432x", "from 1150 to 65535"),
	/* [target] */
	OK(TARGET_HOSTADDR, ""),
	OK(TARGET_HOSTADDR, "127.0.0.1"),
	OK(TARGET_HOSTADDR, "::1"),
	BAD(TARGET_HOSTADDR, "localhost", "numeric IP address"),
	OK(TARGET_PORT, ""),
	OK(TARGET_PORT, "1"),
	OK(TARGET_PORT, "15432"),
	BAD(TARGET_PORT, "0", "from 1 to 65535"),
	BAD(TARGET_PORT, "70000", "from 1 to 65535"),
	OK(TARGET_SSLMODE, "disable"),
	OK(TARGET_SSLMODE, "allow"),
	OK(TARGET_SSLMODE, "prefer"),
	OK(TARGET_SSLMODE, "require"),
	OK(TARGET_SSLMODE, "verify-ca"),
	OK(TARGET_SSLMODE, "verify-full"),
	BAD(TARGET_SSLMODE, "verify_full",
	    "disable, allow, prefer, require, verify-ca or verify-full"),
	BAD(TARGET_SSLMODE, "", "verify-full"),
	OK(TARGET_SSLROOTCERT, ""),
	OK(TARGET_SSLROOTCERT, "@DIR@/ca.pem"),
	BAD(TARGET_SSLROOTCERT, "@DIR@/missing.pem", "cannot be found"),
	BAD(TARGET_SSLROOTCERT, "@DIR@", "is a directory"),
	/* [migrate] */
	OK(SOURCE_RELAY, ""),
	OK(SOURCE_RELAY, "10.0.1.5:15432"),
	OK(SOURCE_RELAY, "[fd00::5]:15432"),
	BAD(SOURCE_RELAY, "relay.internal:15432", "IP:PORT"),
	BAD(SOURCE_RELAY, "10.0.1.5", "IP:PORT"),
	BAD(SOURCE_RELAY, "10.0.1.5:0", "IP:PORT"),
	OK(MIGRATE_MODE, "offline"),
	OK(MIGRATE_MODE, "live"),
	BAD(MIGRATE_MODE, "Live", "offline or live"),
	BAD(MIGRATE_MODE, "online", "offline or live"),
	OK(MIGRATE_SCHEMA, "copy"),
	OK(MIGRATE_SCHEMA, "skip"),
	OK(MIGRATE_SCHEMA, "file:@DIR@/schema.sql"),
	BAD(MIGRATE_SCHEMA, "file:", "needs a path"),
	BAD(MIGRATE_SCHEMA, "file:@DIR@/nope.sql", "cannot be found"),
	BAD(MIGRATE_SCHEMA, "dump", "copy, skip, or file:PATH"),
	OK(MIGRATE_DATA, "copy"),
	OK(MIGRATE_DATA, "skip"),
	BAD(MIGRATE_DATA, "yes", "copy or skip"),
	OK(MIGRATE_JOBS, "1"),
	OK(MIGRATE_JOBS, "32"),
	BAD(MIGRATE_JOBS, "0", "from 1 to 32"),
	BAD(MIGRATE_JOBS, "33", "from 1 to 32"),
	BAD(MIGRATE_JOBS, "two", "from 1 to 32"),
	OK(MIGRATE_EXCLUDE_TABLES, ""),
	OK(MIGRATE_EXCLUDE_TABLES, "public.audit_log"),
	OK(MIGRATE_EXCLUDE_TABLES, "public.audit_log, app.sessions,x.y"),
	OK(MIGRATE_EXCLUDE_TABLES, "\"My Schema\".\"odd\"\"name\""),
	BAD(MIGRATE_EXCLUDE_TABLES, "audit_log",
	    "schema.table, like public.audit_log (found \"audit_log\")"),
	BAD(MIGRATE_EXCLUDE_TABLES, "public.a,,public.b", "empty name between commas"),
	BAD(MIGRATE_EXCLUDE_TABLES, "public.a,", "empty name between commas"),
	BAD(MIGRATE_EXCLUDE_TABLES, "public.a b", "schema.table"),
	BAD(MIGRATE_EXCLUDE_TABLES, "a.b.c", "schema.table"),
	OK(MIGRATE_ROLE_PASSWORDS, ""),
	OK(MIGRATE_ROLE_PASSWORDS, "@DIR@/role-passwords"),
	BAD(MIGRATE_ROLE_PASSWORDS, "@DIR@", "is a directory: give the file's path, like"),
	BAD(MIGRATE_ROLE_PASSWORDS, "@DIR@/nodir/pw", "does not exist"),
	/* [env] */
	/* [cutover] */
	OK(CUTOVER_STOP_COMMAND, ""),
	OK(CUTOVER_STOP_COMMAND, "sudo systemctl stop api && sleep 1"),
	BAD(CUTOVER_STOP_COMMAND, "stop\x1b[2J", "no control characters"),
	OK(CUTOVER_START_COMMAND, "cd /srv/api && ./run.sh start\t# the app"),
	BAD(CUTOVER_START_COMMAND, "start\x01", "no control characters"),
	OK(CUTOVER_HEALTH_URL, ""),
	OK(CUTOVER_HEALTH_URL, "http://127.0.0.1:8000/health"),
	OK(CUTOVER_HEALTH_URL, "HTTPS://api.example.com/healthz?db=1"),
	BAD(CUTOVER_HEALTH_URL, "ftp://h/health", "http:// or https://"),
	BAD(CUTOVER_HEALTH_URL, "127.0.0.1:8000/health", "http:// or https://"),
	BAD(CUTOVER_HEALTH_URL, "http://", "not a valid URL"),
	BAD(CUTOVER_HEALTH_URL, "http://h:99999/", "not a valid URL"),
	OK(CUTOVER_HEALTH_TIMEOUT, "1"),
	OK(CUTOVER_HEALTH_TIMEOUT, "3600"),
	BAD(CUTOVER_HEALTH_TIMEOUT, "0", "from 1 to 3600"),
	BAD(CUTOVER_HEALTH_TIMEOUT, "3601", "from 1 to 3600"),
	BAD(CUTOVER_HEALTH_TIMEOUT, "-5", "from 1 to 3600"),
	BAD(CUTOVER_HEALTH_TIMEOUT, "1.5", "from 1 to 3600"),
	OK(CUTOVER_VERIFY, "counts"),
	OK(CUTOVER_VERIFY, "full"),
	OK(CUTOVER_VERIFY, "none"),
	BAD(CUTOVER_VERIFY, "checksum", "counts, full or none"),
	OK(ENV_FILE, ".env"),
	OK(ENV_FILE, "@DIR@/app/.env"),
	BAD(ENV_FILE, "", "must not be empty"),
	BAD(ENV_FILE, "@DIR@", "is a directory"),
	BAD(ENV_FILE, "@DIR@/app/", "must name a file"),
	BAD(ENV_FILE, "@DIR@/nodir/.env", "does not exist"),
	/* [instance] snapshot, [monitor] */
	OK(INSTANCE_SNAPSHOT, "false"),
	BAD(INSTANCE_SNAPSHOT, "sometimes", "must be true or false"),
	OK(MONITOR_EMAIL, ""),
	OK(MONITOR_EMAIL, "ops+db@example.co.uk"),
	BAD(MONITOR_EMAIL, "ops@@example.com", "not an e-mail address"),
	BAD(MONITOR_EMAIL, "ops@example", "not an e-mail address"),
	BAD(MONITOR_EMAIL, "ops @example.com", "not an e-mail address"),
	BAD(MONITOR_EMAIL, "example.com", "not an e-mail address"),
	OK(MONITOR_CPU_PERCENT, "0"),
	OK(MONITOR_CPU_PERCENT, "100"),
	BAD(MONITOR_CPU_PERCENT, "101", "percent from 1 to 100, or 0 for no alarm"),
	BAD(MONITOR_CPU_PERCENT, "80%", "percent from 1 to 100"),
	OK(MONITOR_FREE_STORAGE_PERCENT, "25"),
	BAD(MONITOR_FREE_STORAGE_PERCENT, "100", "percent from 1 to 99"),
	OK(MONITOR_FREEABLE_MEMORY_PERCENT, "5"),
	BAD(MONITOR_FREEABLE_MEMORY_PERCENT, "-5", "percent from 1 to 99"),
	OK(MONITOR_CONNECTIONS_PERCENT, "90"),
	BAD(MONITOR_CONNECTIONS_PERCENT, "", "percent from 1 to 100"),
	OK(MONITOR_CPU_CREDIT_BALANCE, "50"),
	BAD(MONITOR_CPU_CREDIT_BALANCE, "9999", "credits from 1 to 5000"),
	OK(MONITOR_READ_LATENCY_MS, "5"),
	BAD(MONITOR_READ_LATENCY_MS, "0.5", "milliseconds from 1 to 10000"),
	OK(MONITOR_WRITE_LATENCY_MS, "10000"),
	BAD(MONITOR_WRITE_LATENCY_MS, "10001", "milliseconds from 1 to 10000"),
	OK(MONITOR_PERFORMANCE_INSIGHTS, "true"),
	BAD(MONITOR_PERFORMANCE_INSIGHTS, "free", "must be true or false"),
	OK(MONITOR_ENHANCED_MONITORING, "0"),
	BAD(MONITOR_ENHANCED_MONITORING, "7", "0 (off), 1, 5, 10, 15, 30 or 60 seconds"),
	BAD(MONITOR_ENHANCED_MONITORING, "60", "needs [monitor] monitoring_role"),
	OK(MONITOR_MONITORING_ROLE, "arn:aws:iam::123456789012:role/rds-monitoring-role"),
	BAD(MONITOR_MONITORING_ROLE, "rds-monitoring-role", "must be an IAM role ARN"),
	OK(ENV_KEY, "DATABASE_URL"),
	OK(ENV_KEY, "_DB2"),
	BAD(ENV_KEY, "database_url", "[A-Z_][A-Z0-9_]*"),
	BAD(ENV_KEY, "2DB", "[A-Z_][A-Z0-9_]*"),
	BAD(ENV_KEY, "DATABASE-URL", "[A-Z_][A-Z0-9_]*"),
	BAD(ENV_KEY, "", "[A-Z_][A-Z0-9_]*"),
};

static char *expand(const char *v)
{
	const char *at = strstr(v, "@DIR@");
	if (!at)
		return xstrdup(v);
	return xasprintf("%.*s%s%s", (int)(at - v), v, dir, at + 5);
}

static void every_rule_accepts_and_refuses_as_stated(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		const struct row *r = &rows[i];
		struct config cfg;
		config_init(&cfg);
		if (r->storage_type)
			config_set(&cfg, CFG_INSTANCE_STORAGE_TYPE, r->storage_type);
		char *v = expand(r->value);
		char rule[512] = "untouched";
		int rc = config_check_key(&cfg, r->key, v, rule, sizeof rule);
		if (!r->rule && rc != 0) {
			print_error("%s = \"%s\": refused (%s), want accepted\n",
				    config_key_name(r->key), v, rule);
			failures++;
		} else if (r->rule && rc == 0) {
			print_error("%s = \"%s\": accepted, want refused (%s)\n",
				    config_key_name(r->key), v, r->rule);
			failures++;
		} else if (r->rule && !strstr(rule, r->rule)) {
			print_error("%s = \"%s\": rule \"%s\", want it to say \"%s\"\n",
				    config_key_name(r->key), v, rule, r->rule);
			failures++;
		}
		free(v);
		config_free(&cfg);
	}
	assert_int_equal(failures, 0);
}

/* The defaults of the contract pass every rule. */
static void defaults_pass_every_rule(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	for (int k = 0; k < CFG_COUNT; k++) {
		char rule[512];
		int rc = config_check_key(&cfg, (enum config_key)k, config_get(&cfg, k), rule,
					  sizeof rule);
		if (rc != 0)
			print_error("default %s: %s\n", config_key_name(k), rule);
		assert_int_equal(rc, 0);
	}
	config_free(&cfg);
}

/* Every key has a rule that refuses something (so none was forgotten). */
static void every_key_is_tested_both_ways(void **state)
{
	(void)state;
	for (int k = 0; k < CFG_COUNT; k++) {
		bool good = false, bad = false;
		for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
			if ((int)rows[i].key != k)
				continue;
			if (rows[i].rule)
				bad = true;
			else
				good = true;
		}
		if (!good || !bad)
			print_error("%s lacks a %s value in the table\n", config_key_name(k),
				    good ? "bad" : "good");
		assert_true(good && bad);
	}
}

/* A refused password, or a URL holding one, is never repeated in the rule. */
static void rules_never_repeat_a_secret(void **state)
{
	(void)state;
	static const struct {
		enum config_key k;
		const char *v;
	} secrets[] = {
		{CFG_INSTANCE_MASTER_PASSWORD, "Topsecret1 x"},
		{CFG_SOURCE_URL, "postgresql://u:Topsecret%zz@h/db"},
		{CFG_SOURCE_URL, "postgresql://u:Topsecret@[::1/db"},
		{CFG_TARGET_URL, "postgresql://u:Top/secret@h/db"},
		{CFG_TARGET_URL, "postgresql://u:p@h/db?password=Topsecret=1"},
	};
	struct config cfg;
	config_init(&cfg);
	for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++) {
		char rule[512];
		assert_int_equal(
			config_check_key(&cfg, secrets[i].k, secrets[i].v, rule, sizeof rule), -1);
		if (strstr(rule, "Top"))
			print_error("leak: %s\n", rule);
		assert_null(strstr(rule, "Top"));
	}
	config_free(&cfg);
}

/* The whole config checked at once: each problem names its key. */
static void config_check_reports_each_bad_key(void **state)
{
	(void)state;
	struct config cfg;
	struct problems probs = {0};
	config_init(&cfg);
	config_set(&cfg, CFG_INSTANCE_IDENTIFIER, "1abc");
	config_set(&cfg, CFG_NETWORK_PORT, "80");
	config_set(&cfg, CFG_MIGRATE_JOBS, "64");
	assert_int_equal(config_check(&cfg, &probs), 3);
	assert_string_equal(probs.v[0].key, "instance.identifier");
	assert_string_equal(probs.v[0].value, "1abc");
	assert_string_equal(probs.v[0].rule, "must start with a letter");
	problems_free(&probs);
	config_free(&cfg);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	char *p = xasprintf("%s/ca.pem", dir);
	FILE *f = fopen(p, "w");
	fputs("-----BEGIN CERTIFICATE-----\n", f);
	fclose(f);
	free(p);
	p = xasprintf("%s/schema.sql", dir);
	f = fopen(p, "w");
	fputs("CREATE TABLE t (id int);\n", f);
	fclose(f);
	free(p);
	p = xasprintf("%s/app", dir);
	mkdir(p, 0700);
	free(p);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_rule_accepts_and_refuses_as_stated),
		cmocka_unit_test(defaults_pass_every_rule),
		cmocka_unit_test(every_key_is_tested_both_ways),
		cmocka_unit_test(rules_never_repeat_a_secret),
		cmocka_unit_test(config_check_reports_each_bad_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

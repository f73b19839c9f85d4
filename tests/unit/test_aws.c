/* AWS building blocks without a network: the JSON reader, the XML tree and
 * both error shapes, form encoding, the shared-file profiles (long session
 * tokens, [profile x]), and the cost table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "aws_config.h"
#include "aws_http.h"
#include "aws_json.h"
#include "aws_xml.h"
#include "cost.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* The string member KEY of TEXT parsed as an object, or NULL. */
static char *json_member(const char *text, const char *key)
{
	json_t *j = aws_json_parse(text, text ? strlen(text) : 0, "test", NULL);
	char *v = aws_json_str(j, key);
	json_decref(j);
	return v;
}

static void json_reads_strings_with_escapes_and_skips_the_rest(void **state)
{
	(void)state;
	const char *j =
		"{\"n\": 12.5e3, \"a\": [1, {\"x\": \"y\"}], \"o\": {\"password\": \"no\"},"
		" \"t\": true, \"z\": null, \"password\": \"p\\\"w\\\\/\\u00e9\\ud83d\\ude00\\n\"}";
	char *pw = json_member(j, "password");
	assert_non_null(pw);
	assert_string_equal(pw, "p\"w\\/\xc3\xa9\xf0\x9f\x98\x80\n");
	free(pw);
	assert_null(json_member(j, "n"));       /* not a string */
	assert_null(json_member(j, "missing")); /* absent */
}

static void json_refuses_malformed_or_truncated_input(void **state)
{
	(void)state;
	assert_null(json_member("{\"password\": \"abc\"", "password"));
	assert_null(json_member("{\"password\": \"abc\"} trailing", "password"));
	assert_null(json_member("[\"password\"]", "password"));
	assert_null(json_member("{\"password\": \"\\ud83d\"}", "password")); /* lone surrogate */
	assert_null(json_member("{\"password\": \"a\\u0000b\"}", "password"));
	assert_null(json_member("{\"password\": \"a\tb\"}", "password")); /* raw control */
	assert_null(json_member(NULL, "password"));
	/* the library also refuses invalid UTF-8 and a key given twice */
	assert_null(json_member("{\"password\": \"\xc3\x28\"}", "password"));
	assert_null(json_member("{\"password\": \"a\", \"password\": \"b\"}", "password"));
}

static void json_error_names_the_input_and_the_place_never_the_text(void **state)
{
	(void)state;
	char *cause = NULL;
	const char *t = "{\"SecretAccessKey\": \"s3cr3t\",\n \"Expiration\": oops}";
	assert_null(aws_json_parse(t, strlen(t), "the output of credential_process", &cause));
	assert_non_null(strstr(cause, "the output of credential_process is not valid JSON: "));
	assert_non_null(strstr(cause, "at line 2, column"));
	assert_null(strstr(cause, "oops"));
	assert_null(strstr(cause, "s3cr3t"));
	free(cause);
	cause = NULL;
	assert_null(aws_json_parse("[1]", 3, "the token cache", &cause));
	assert_string_equal(cause, "the token cache is not a JSON object");
	free(cause);
}

static void json_pack_round_trips(void **state)
{
	(void)state;
	const char *s = "arn:aws:secretsmanager:x:1:secret:rds!db-\"q\"\\\n\x01\xc3\xa9";
	char *doc = aws_json_pack("{s:s}", "SecretId", s);
	char *back = json_member(doc, "SecretId");
	assert_string_equal(back, s);
	free(back);
	free(doc);
}

static void json_times_as_aws_writes_them(void **state)
{
	(void)state;
	time_t t = 0;
	assert_int_equal(aws_json_time("2026-11-28T09:00:00Z", &t), 0);
	assert_int_equal((long long)t, 1795856400LL);
	assert_int_equal(aws_json_time("2026-11-28T09:00:00.123Z", &t), 0);
	assert_int_equal((long long)t, 1795856400LL);
	assert_int_equal(aws_json_time("2026-11-28T10:00:00+01:00", &t), 0);
	assert_int_equal((long long)t, 1795856400LL);
	assert_int_equal(aws_json_time("2026-11-28 09:00", &t), -1);
	assert_int_equal(aws_json_time("2026-11-28T09:00:00", &t), -1);
	assert_int_equal(aws_json_time("2026-11-28T09:00:00Zjunk", &t), -1);
}

static void xml_tree_finds_paths_and_lists(void **state)
{
	(void)state;
	const char *x =
		"<?xml version=\"1.0\"?><DescribeDBInstancesResponse xmlns=\"http://rds\">"
		"<DescribeDBInstancesResult><DBInstances><DBInstance><DBInstanceIdentifier>a"
		"</DBInstanceIdentifier><Endpoint><Address>a.rds</Address><Port>5432</Port>"
		"</Endpoint></DBInstance><DBInstance><DBInstanceIdentifier>b &amp; c"
		"</DBInstanceIdentifier></DBInstance></DBInstances><Marker>m2</Marker>"
		"</DescribeDBInstancesResult></DescribeDBInstancesResponse>";
	char *cause = NULL;
	struct xml_node *root = xml_parse(x, strlen(x), &cause);
	assert_non_null(root);
	const struct xml_node *d =
		xml_find(root, "DescribeDBInstancesResult/DBInstances/DBInstance");
	assert_non_null(d);
	assert_string_equal(xml_text(d, "Endpoint/Address"), "a.rds");
	assert_string_equal(xml_text(d, "Endpoint/Port"), "5432");
	d = xml_next_same(d);
	assert_non_null(d);
	assert_string_equal(xml_text(d, "DBInstanceIdentifier"), "b & c");
	assert_string_equal(xml_text(d, "Endpoint/Address"), "");
	assert_null(xml_next_same(d));
	assert_string_equal(xml_text(root, "DescribeDBInstancesResult/Marker"), "m2");
	xml_free(root);
}

static void xml_both_error_shapes_have_a_code(void **state)
{
	(void)state;
	const char *rds = "<ErrorResponse xmlns=\"x\"><Error><Type>Sender</Type><Code>"
			  "DBInstanceNotFound</Code><Message>DBInstance x not found.</Message>"
			  "</Error><RequestId>1</RequestId></ErrorResponse>";
	const char *ec2 = "<Response><Errors><Error><Code>InvalidPermission.Duplicate</Code>"
			  "<Message>exists</Message></Error></Errors><RequestID>2</RequestID>"
			  "</Response>";
	struct xml_node *a = xml_parse(rds, strlen(rds), NULL);
	struct xml_node *b = xml_parse(ec2, strlen(ec2), NULL);
	assert_string_equal(xml_text(xml_find_deep(a, "Error"), "Code"), "DBInstanceNotFound");
	assert_string_equal(xml_text(xml_find_deep(b, "Error"), "Code"),
			    "InvalidPermission.Duplicate");
	xml_free(a);
	xml_free(b);
	char *cause = NULL;
	assert_null(xml_parse("<a><b></a>", 10, &cause));
	assert_non_null(strstr(cause, "not valid XML"));
	free(cause);
}

static void form_encoding_is_what_botocore_sends(void **state)
{
	(void)state;
	struct aws_params p = {0};
	aws_params_add(&p, "IpPermissions.1.IpRanges.1.CidrIp", "1.2.3.4/32");
	aws_params_add(&p, "Description", "rds-migrate 2025-01-02 ~é&=+");
	assert_string_equal(p.buf, "IpPermissions.1.IpRanges.1.CidrIp=1.2.3.4%2F32&Description="
				   "rds-migrate+2025-01-02+~%C3%A9%26%3D%2B");
	aws_params_free(&p);
}

static char *write_tmp(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void clear_aws_env(void)
{
	const char *vars[] = {"AWS_ACCESS_KEY_ID",
			      "AWS_SECRET_ACCESS_KEY",
			      "AWS_SESSION_TOKEN",
			      "AWS_PROFILE",
			      "AWS_REGION",
			      "AWS_DEFAULT_REGION",
			      NULL};
	for (const char **v = vars; *v; v++)
		unsetenv(*v);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static void profile_with_a_long_session_token_from_the_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/rdsm-aws-unit.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char token[1201];
	for (int i = 0; i < 1200; i++)
		token[i] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="[i % 65];
	token[1200] = 0;
	char *creds = xasprintf(
		"# comment\n[default]\naws_access_key_id = AKIADEFAULT0000000\n"
		"aws_secret_access_key = d\n\n[dev]\r\nAWS_ACCESS_KEY_ID=ASIADEV000000000001\r\n"
		"aws_secret_access_key = s3cr/et+key ; a comment\r\naws_session_token = %s\r\n",
		token);
	char *cp = write_tmp(dir, "credentials", creds);
	char *fp = write_tmp(dir, "config",
			     "[default]\nregion = eu-west-1\n[profile dev]\n"
			     "region = ap-northeast-2\n[profile sso]\nsso_session = x\n"
			     "[sso-session x]\nsso_region = us-east-1\n");
	clear_aws_env();
	setenv("AWS_SHARED_CREDENTIALS_FILE", cp, 1);
	setenv("AWS_CONFIG_FILE", fp, 1);

	struct aws_ctx a;
	char *cause = NULL;
	assert_int_equal(aws_ctx_init(&a, "dev", "", NULL, NULL, &cause), 0);
	assert_string_equal(a.creds.access_key, "ASIADEV000000000001");
	assert_string_equal(a.creds.secret_key, "s3cr/et+key");
	assert_string_equal(a.creds.token, token);
	assert_string_equal(a.region, "ap-northeast-2");
	assert_non_null(strstr(a.creds.source, "profile dev in"));
	aws_ctx_free(&a);

	/* the default chain: environment keys first, then AWS_PROFILE / default */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV000000000000", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "e", 1);
	assert_int_equal(aws_ctx_init(&a, "", "us-west-2", NULL, NULL, &cause), 0);
	assert_string_equal(a.creds.access_key, "AKIAENV000000000000");
	assert_null(a.creds.token);
	assert_string_equal(a.region, "us-west-2");
	aws_ctx_free(&a);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	assert_int_equal(aws_ctx_init(&a, "", "", NULL, NULL, &cause), 0);
	assert_string_equal(a.creds.access_key, "AKIADEFAULT0000000");
	assert_string_equal(a.region, "eu-west-1");
	aws_ctx_free(&a);

	/* an SSO profile whose session lacks its start URL, and a profile that
	 * is not there, say so */
	assert_int_equal(aws_ctx_init(&a, "sso", "us-east-1", NULL, NULL, &cause), -1);
	assert_non_null(strstr(cause, "profile sso: its sso_session x has no sso_start_url (in "
				      "[sso-session x] of"));
	free(cause);
	aws_ctx_free(&a);
	cause = NULL;
	assert_int_equal(aws_ctx_init(&a, "nope", "us-east-1", NULL, NULL, &cause), -1);
	assert_non_null(strstr(cause, "profile nope is not in"));
	free(cause);
	aws_ctx_free(&a);

	char **names = aws_profiles_list();
	assert_string_equal(names[0], "default");
	assert_string_equal(names[1], "dev");
	assert_string_equal(names[2], "sso");
	assert_null(names[3]);
	aws_strv_free(names);

	unlink(cp);
	unlink(fp);
	rmdir(dir);
	free(cp);
	free(fp);
	free(creds);
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
}

static void endpoints_follow_the_sdk_variables(void **state)
{
	(void)state;
	struct aws_ctx a = {.region = "eu-central-1"};
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_RDS");
	char *u = aws_endpoint(&a, &aws_rds);
	assert_string_equal(u, "https://rds.eu-central-1.amazonaws.com");
	free(u);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/", 1);
	setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:6000", 1);
	u = aws_endpoint(&a, &aws_ec2);
	assert_string_equal(u, "http://127.0.0.1:5000");
	free(u);
	u = aws_endpoint(&a, &aws_secretsmanager);
	assert_string_equal(u, "http://127.0.0.1:6000");
	free(u);
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_SECRETS_MANAGER");
}

static void cost_adds_up_and_multi_az_doubles(void **state)
{
	(void)state;
	struct cost one, two;
	char *cause = NULL;
	assert_int_equal(
		cost_estimate("us-east-1", "db.t3.micro", "gp3", 20, 0, false, 7, 0, &one, &cause),
		0);
	assert_true(one.instance > 13.0 && one.instance < 13.3); /* 0.018 × 730 */
	assert_true(one.storage > 2.29 && one.storage < 2.31);
	assert_true(one.total > one.instance);
	assert_int_equal(
		cost_estimate("us-east-1", "db.t3.micro", "gp3", 20, 0, true, 7, 0, &two, &cause),
		0);
	assert_true(two.total > 1.99 * one.total && two.total < 2.01 * one.total);
	char line[512];
	cost_format(&one, "gp3", 20, line, sizeof line);
	assert_non_null(strstr(line, cost_prices_date));
	assert_int_equal(
		cost_estimate("us-east-1", "db.x9.huge", "gp3", 20, 0, false, 7, 0, &one, &cause),
		-1);
	assert_non_null(strstr(cause, "no price for db.x9.huge"));
	free(cause);
}

/* A GetProducts answer: each product a JSON document in a string. */
static const char price_answer[] =
	"{\"FormatVersion\":\"aws_v1\",\"PriceList\":[\"{\\\"product\\\":{\\\"productFamily\\\":"
	"\\\"Database Instance\\\"},\\\"terms\\\":{\\\"OnDemand\\\":{\\\"A.B\\\":{"
	"\\\"priceDimensions\\\":{\\\"A.B.C\\\":{\\\"unit\\\":\\\"Hrs\\\",\\\"pricePerUnit\\\":"
	"{\\\"USD\\\":\\\"0.0250000000\\\"}}}}}},\\\"publicationDate\\\":"
	"\\\"2026-10-30T18:21:40Z\\\"}\"]}";

static void price_list_answer_gives_the_price_and_its_date(void **state)
{
	(void)state;
	double usd = 0;
	char date[32];
	char *cause = NULL;
	assert_int_equal(
		cost_price_from_answer(price_answer, "Hrs", &usd, date, sizeof date, &cause), 0);
	assert_true(usd > 0.0249 && usd < 0.0251);
	assert_string_equal(date, "2026-10-30");
	assert_int_equal(
		cost_price_from_answer(price_answer, "GB-Mo", &usd, date, sizeof date, &cause), -1);
	assert_non_null(strstr(cause, "no on-demand price per GB-Mo"));
	free(cause);
	cause = NULL;
	assert_int_equal(cost_price_from_answer("{\"PriceList\": [\"{not json\"]}", "Hrs", &usd,
						date, sizeof date, &cause),
			 -1);
	free(cause);
	cause = NULL;
	assert_int_equal(cost_price_from_answer("<html>", "Hrs", &usd, date, sizeof date, &cause),
			 -1);
	assert_non_null(strstr(cause, "GetProducts answer is not valid JSON"));
	free(cause);
}

static void cost_line_says_where_its_prices_come_from(void **state)
{
	(void)state;
	struct cost c;
	char *cause = NULL, line[1024];
	assert_int_equal(cost_estimate_aws(NULL, "us-east-1", "db.t3.micro", "gp3", 20, 0, false, 7,
					   0, &c, &cause),
			 0);
	cost_format(&c, "gp3", 20, line, sizeof line);
	assert_non_null(strstr(line, "list prices of 2025-06 from the shipped table (the AWS Price "
				     "List: no AWS credentials"));
	c.live = true;
	snprintf(c.date, sizeof c.date, "2026-10-30");
	cost_format(&c, "gp3", 20, line, sizeof line);
	assert_non_null(strstr(line, "on-demand prices of 2026-10-30 from the AWS Price List"));
	assert_null(strstr(line, "shipped"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_reads_strings_with_escapes_and_skips_the_rest),
		cmocka_unit_test(json_refuses_malformed_or_truncated_input),
		cmocka_unit_test(json_error_names_the_input_and_the_place_never_the_text),
		cmocka_unit_test(json_pack_round_trips),
		cmocka_unit_test(json_times_as_aws_writes_them),
		cmocka_unit_test(xml_tree_finds_paths_and_lists),
		cmocka_unit_test(xml_both_error_shapes_have_a_code),
		cmocka_unit_test(form_encoding_is_what_botocore_sends),
		cmocka_unit_test(profile_with_a_long_session_token_from_the_files),
		cmocka_unit_test(endpoints_follow_the_sdk_variables),
		cmocka_unit_test(cost_adds_up_and_multi_az_doubles),
		cmocka_unit_test(price_list_answer_gives_the_price_and_its_date),
		cmocka_unit_test(cost_line_says_where_its_prices_come_from),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

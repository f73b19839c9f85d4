/* The credential sources of ~/.aws/config without AWS: credential_process
 * (argv as the AWS CLI splits it, its JSON, a failing or lying process),
 * role chains refused before any call (loops, MFA in --plain, missing
 * sources), and the SSO token cache (where it is, expired tokens). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "aws_config.h"
#include "aws_creds.h"
#include "aws_http.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static char tmpdir[] = "/tmp/rdsm-creds-unit.XXXXXX";

static char *write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	const char *vars[] = {"AWS_ACCESS_KEY_ID",
			      "AWS_SECRET_ACCESS_KEY",
			      "AWS_SESSION_TOKEN",
			      "AWS_PROFILE",
			      "AWS_REGION",
			      "AWS_DEFAULT_REGION",
			      "AWS_WEB_IDENTITY_TOKEN_FILE",
			      "AWS_ROLE_ARN",
			      NULL};
	for (const char **v = vars; *v; v++)
		unsetenv(*v);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", tmpdir, 1);
	char *c = xasprintf("%s/credentials", tmpdir), *f = xasprintf("%s/config", tmpdir);
	setenv("AWS_SHARED_CREDENTIALS_FILE", c, 1);
	setenv("AWS_CONFIG_FILE", f, 1);
	free(c);
	free(f);
	/* nothing may reach AWS: a closed loopback port */
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
	return 0;
}

/* nothing reaches AWS (a closed port): one attempt, no backoff */
static const struct aws_limits one_attempt = {10, 30, 1, 60};

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* aws_ctx_init for PROFILE with CONFIG as ~/.aws/config (and no credentials
 * file): its return code, the context in A, the cause in *CAUSE. */
static int init_with(const char *config, const char *profile, struct aws_ctx *a, char **cause)
{
	free(write_tmp("config", config));
	free(write_tmp("credentials", ""));
	*cause = NULL;
	return aws_ctx_init(a, profile, "us-east-1", &one_attempt, NULL, cause);
}

static void argv_is_split_as_the_aws_cli_does_without_a_shell(void **state)
{
	(void)state;
	char *cause = NULL;
	char **v = aws_creds_split_argv(
		"  /opt/get\\ creds  'a $HOME; b' \"c \\\"d\\\" \\$x\" e\\*f '' ", &cause);
	assert_non_null(v);
	assert_string_equal(v[0], "/opt/get creds");
	assert_string_equal(v[1], "a $HOME; b");
	assert_string_equal(v[2], "c \"d\" $x");
	assert_string_equal(v[3], "e*f");
	assert_string_equal(v[4], "");
	assert_null(v[5]);
	aws_strv_free(v);
	assert_null(aws_creds_split_argv("get 'open", &cause));
	assert_string_equal(cause, "the command line has an unclosed ' quote");
	free(cause);
	cause = NULL;
	assert_null(aws_creds_split_argv("get \"open", &cause));
	assert_string_equal(cause, "the command line has an unclosed \" quote");
	free(cause);
	cause = NULL;
	assert_null(aws_creds_split_argv("get \\", &cause));
	assert_string_equal(cause, "the command line ends with a lone \\");
	free(cause);
	cause = NULL;
	assert_null(aws_creds_split_argv("   ", &cause));
	assert_string_equal(cause, "the command line is empty");
	free(cause);
}

static void process_output_version_1_with_expiration(void **state)
{
	(void)state;
	struct aws_creds c = {0};
	char *cause = NULL;
	const char *out =
		"{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": "
		"\"sk\", \"SessionToken\": \"tok\", \"Expiration\": \"2026-11-28T09:00:00Z\"}";
	assert_int_equal(aws_creds_parse_process(out, strlen(out), 1795856400 - 60, &c, &cause), 0);
	assert_string_equal(c.access_key, "ASIAPROC");
	assert_string_equal(c.secret_key, "sk");
	assert_string_equal(c.token, "tok");
	assert_int_equal((long long)c.expires, 1795856400LL);
	aws_creds_clear(&c);
	const char *forever =
		"{\"Version\": 1, \"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"s\"}";
	assert_int_equal(aws_creds_parse_process(forever, strlen(forever), 0, &c, &cause), 0);
	assert_null(c.token);
	assert_int_equal((long long)c.expires, 0);
	aws_creds_clear(&c);
}

/* The cause for process output OUT at NOW (asserted to be refused). */
static char *refusal(const char *out, time_t now)
{
	struct aws_creds c = {0};
	char *cause = NULL;
	assert_int_equal(aws_creds_parse_process(out, strlen(out), now, &c, &cause), -1);
	assert_null(c.access_key);
	assert_non_null(cause);
	assert_null(strstr(cause, "s3cr3t")); /* never the secret */
	return cause;
}

static void process_output_refused_with_the_reason(void **state)
{
	(void)state;
	struct {
		const char *out, *why;
	} cases[] = {
		{"{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s3cr3t\"}",
		 "its output has no Version (1 expected)"},
		{"{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s3cr3t\"}",
		 "its output is not Version 1, the only version the AWS CLI reads"},
		{"{\"Version\": 1, \"SecretAccessKey\": \"s3cr3t\"}",
		 "its output has no AccessKeyId"},
		{"{\"Version\": 1, \"AccessKeyId\": \"A\"}", "its output has no SecretAccessKey"},
		{"{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s3cr3t\", "
		 "\"Expiration\": \"tomorrow\"}",
		 "its output's Expiration is not an ISO 8601 time"},
		{"{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s3cr3t\", "
		 "\"Expiration\": \"2026-11-28T09:00:00Z\"}",
		 "it returned credentials that have already expired (Expiration "
		 "2026-11-28T09:00:00Z)"},
		{"Password: s3cr3t\n",
		 "its output is not valid JSON: '[' or '{' expected at line 1, column 8"},
		{"{\"Version\": 1, \"SecretAccessKey\": \"s3cr3t\",\n",
		 "its output is not valid JSON: "},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *cause = refusal(cases[i].out, 1795856400 + 1);
		if (!strstr(cause, cases[i].why))
			print_error("case %zu: %s\n", i, cause);
		assert_non_null(strstr(cause, cases[i].why));
		free(cause);
	}
}

static void credential_process_runs_without_a_shell(void **state)
{
	(void)state;
	struct aws_ctx a;
	char *cause = NULL;
	/* printf's own argv: no shell would keep '$HOME; x' and the quotes */
	assert_int_equal(
		init_with("[profile proc]\ncredential_process = printf "
			  "'{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", "
			  "\"SecretAccessKey\": \"%s\", \"SessionToken\": \"t\"}' '$HOME; x'\n",
			  "proc", &a, &cause),
		0);
	assert_string_equal(a.creds.access_key, "AKIAPROC");
	assert_string_equal(a.creds.secret_key, "$HOME; x");
	assert_string_equal(a.creds.source, "profile proc (credential_process printf)");
	assert_int_equal(a.creds.kind, AWS_CREDS_PROCESS);
	aws_ctx_free(&a);
}

static void credential_process_failures_name_the_profile(void **state)
{
	(void)state;
	struct aws_ctx a;
	char *cause = NULL;
	assert_int_equal(init_with("[profile p]\ncredential_process = sh -c 'echo first >&2; echo "
				   "\"token expired, run login\" >&2; exit 3'\n",
				   "p", &a, &cause),
			 -1);
	assert_string_equal(cause, "profile p: credential_process sh failed (exit status 3): token "
				   "expired, run login");
	free(cause);
	aws_ctx_free(&a);

	assert_int_equal(init_with("[profile p]\ncredential_process = /nonexistent/get-creds --x\n",
				   "p", &a, &cause),
			 -1);
	/* posix_spawnp's error, or the child's 127 where spawning forks (valgrind) */
	assert_non_null(
		strstr(cause, "profile p: credential_process: cannot run /nonexistent/get-creds"));
	assert_true(strstr(cause, ": No such file or directory") ||
		    strstr(cause, " (exit status 127: not found or not executable)"));
	free(cause);
	aws_ctx_free(&a);

	assert_int_equal(
		init_with("[profile p]\ncredential_process = echo not json\n", "p", &a, &cause),
		-1);
	assert_string_equal(cause, "profile p: credential_process echo: its output is not valid "
				   "JSON: '[' or '{' expected at line 1, column 3");
	free(cause);
	aws_ctx_free(&a);

	assert_int_equal(
		init_with("[profile p]\ncredential_process = get 'creds\n", "p", &a, &cause), -1);
	assert_string_equal(cause,
			    "profile p: credential_process: the command line has an unclosed "
			    "' quote");
	free(cause);
	aws_ctx_free(&a);
}

/* How many lines FILE has (0 when absent). */
static int lines_in(const char *path)
{
	char *t = read_file(path, NULL, NULL);
	int n = 0;
	for (char *p = t; p && *p; p++)
		n += *p == '\n';
	free(t);
	return n;
}

static void credential_process_runs_once_while_its_credentials_last(void **state)
{
	(void)state;
	char *runs = xasprintf("%s/runs", tmpdir);
	char *config =
		xasprintf("[profile once]\ncredential_process = sh -c 'echo run >>\"$0\"; "
			  "printf \"{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"ASIA1\\\", "
			  "\\\"SecretAccessKey\\\": \\\"s\\\", \\\"Expiration\\\": "
			  "\\\"2099-01-01T00:00:00Z\\\"}\"' %s\n",
			  runs);
	struct aws_ctx a;
	char *cause = NULL;
	assert_int_equal(init_with(config, "once", &a, &cause), 0);
	assert_string_equal(a.creds.access_key, "ASIA1");
	assert_int_equal(lines_in(runs), 1);
	assert_non_null(a.refresh); /* temporary: fetched again before 2099 */
	aws_ctx_free(&a);
	/* a second context (a screen checking again): no second run */
	assert_int_equal(aws_ctx_init(&a, "once", "us-east-1", &one_attempt, NULL, &cause), 0);
	assert_string_equal(a.creds.access_key, "ASIA1");
	assert_string_equal(a.creds.source, "profile once (credential_process sh, expires "
					    "2099-01-01 00:00:00 UTC)");
	assert_int_equal(lines_in(runs), 1);
	/* a refresh runs it again */
	assert_int_equal(a.refresh(&a, &cause), 0);
	assert_int_equal(lines_in(runs), 2);
	aws_ctx_free(&a);
	/* the config changed (its modification time): read again */
	char *cpath = write_tmp("config", config);
	struct timespec later[2] = {{time(NULL) + 10, 0}, {time(NULL) + 10, 0}};
	assert_int_equal(utimensat(AT_FDCWD, cpath, later, 0), 0);
	free(cpath);
	assert_int_equal(aws_ctx_init(&a, "once", "us-east-1", &one_attempt, NULL, &cause), 0);
	assert_int_equal(lines_in(runs), 3);
	aws_ctx_free(&a);
	free(config);
	free(runs);
}

static void keys_in_the_credentials_file_come_before_credential_process(void **state)
{
	(void)state;
	free(write_tmp("config", "[profile both]\ncredential_process = false\n"));
	free(write_tmp("credentials",
		       "[both]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n"));
	struct aws_ctx a;
	char *cause = NULL;
	assert_int_equal(aws_ctx_init(&a, "both", "us-east-1", &one_attempt, NULL, &cause), 0);
	assert_string_equal(a.creds.access_key, "AKIAFILE");
	assert_int_equal(a.creds.kind, AWS_CREDS_PROFILE);
	aws_ctx_free(&a);
}

static void role_chains_refused_before_any_call(void **state)
{
	(void)state;
	struct {
		const char *config, *profile, *why;
	} cases[] = {
		{"[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
		 "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
		 "a", "profile a: its source_profile chain comes back to a"},
		{"[profile m]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = base\n"
		 "mfa_serial = arn:aws:iam::1:mfa/me\n[profile base]\naws_access_key_id = A\n"
		 "aws_secret_access_key = s\n",
		 "m",
		 "profile m assumes arn:aws:iam::1:role/m with an MFA code (mfa_serial "
		 "arn:aws:iam::1:mfa/me), which --plain cannot ask for: run the wizard (it asks "
		 "for the code), or export credentials first"},
		{"[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = gone\n", "r",
		 "profile r: its source_profile gone is not in"},
		{"[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = empty\n[profile "
		 "empty]\n"
		 "region = us-east-1\n",
		 "r", "profile r: its source_profile empty has no credentials"},
		{"[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = x\n"
		 "credential_source = Environment\n",
		 "r", "profile r has both source_profile and credential_source: keep one"},
		{"[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n",
		 "r",
		 "profile r: credential_source = Environment, but AWS_ACCESS_KEY_ID and "
		 "AWS_SECRET_ACCESS_KEY are not set"},
		{"[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Laptop\n", "r",
		 "profile r: credential_source = Laptop is not one of Environment, "
		 "Ec2InstanceMetadata, EcsContainer"},
		{"[profile r]\nrole_arn = arn:aws:iam::1:role/r\n", "r",
		 "profile r has role_arn but no source_profile, credential_source or "
		 "web_identity_token_file"},
		{"[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = "
		 "r\nduration_seconds = 60\n",
		 "r",
		 "profile r: duration_seconds = 60 is not a number of seconds from 900 to 43200"},
		{"[profile w]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = "
		 "/nonexistent/t\n",
		 "w", "web_identity_token_file /nonexistent/t: "},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct aws_ctx a;
		char *cause = NULL;
		assert_int_equal(init_with(cases[i].config, cases[i].profile, &a, &cause), -1);
		if (!strstr(cause, cases[i].why))
			print_error("case %zu: %s\n", i, cause);
		assert_non_null(strstr(cause, cases[i].why));
		free(cause);
		aws_ctx_free(&a);
	}
}

static void sso_token_cache_is_where_aws_sso_login_writes_it(void **state)
{
	(void)state;
	struct aws_creds_sso s = {.profile = "p", .session = "corp"};
	char *path = aws_creds_sso_cache_path(&s);
	char *want = xasprintf("%s/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
			       tmpdir);
	assert_string_equal(path, want);
	free(path);
	free(want);
	struct aws_creds_sso legacy = {.profile = "p",
				       .start_url = "https://legacy.awsapps.com/start"};
	path = aws_creds_sso_cache_path(&legacy);
	assert_non_null(
		strstr(path, "/.aws/sso/cache/79e435d7a515078e81c9dffc35f38d5687ebd3a7.json"));
	free(path);
}

static void sso_without_a_valid_token_says_run_aws_sso_login(void **state)
{
	(void)state;
	const char *config = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
			     "sso_role_name = Admin\n[sso-session corp]\nsso_start_url = "
			     "https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
	struct aws_ctx a;
	char *cause = NULL;
	assert_int_equal(init_with(config, "dev", &a, &cause), -1);
	assert_non_null(strstr(cause, "profile dev: no IAM Identity Center token in "));
	assert_non_null(strstr(cause, "run aws sso login --profile dev"));
	free(cause);
	aws_ctx_free(&a);

	char *dir = xasprintf("%s/.aws/sso/cache", tmpdir);
	char *cmd = xasprintf("mkdir -p '%s'", dir);
	assert_int_equal(system(cmd), 0);
	char *tok = xasprintf("%s/ee0bfd2552fbd840c02cc48b6e823320543c450f.json", dir);
	FILE *f = fopen(tok, "w");
	assert_non_null(f);
	fputs("{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-west-1\", "
	      "\"accessToken\": \"aoa-secret\", \"expiresAt\": \"2020-01-01T00:00:00Z\"}",
	      f);
	fclose(f);
	assert_int_equal(init_with(config, "dev", &a, &cause), -1);
	assert_string_equal(cause, "profile dev: the IAM Identity Center token expired at "
				   "2020-01-01T00:00:00Z: run aws sso login --profile dev");
	free(cause);
	aws_ctx_free(&a);

	/* the legacy keys: a missing one is named */
	assert_int_equal(init_with("[profile old]\nsso_start_url = https://x.awsapps.com/start\n"
				   "sso_region = us-east-1\nsso_account_id = 1\n",
				   "old", &a, &cause),
			 -1);
	assert_non_null(strstr(cause, "profile old has no sso_role_name (in "));
	free(cause);
	aws_ctx_free(&a);
	free(tok);
	free(cmd);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(argv_is_split_as_the_aws_cli_does_without_a_shell),
		cmocka_unit_test(process_output_version_1_with_expiration),
		cmocka_unit_test(process_output_refused_with_the_reason),
		cmocka_unit_test(credential_process_runs_without_a_shell),
		cmocka_unit_test(credential_process_failures_name_the_profile),
		cmocka_unit_test(credential_process_runs_once_while_its_credentials_last),
		cmocka_unit_test(keys_in_the_credentials_file_come_before_credential_process),
		cmocka_unit_test(role_chains_refused_before_any_call),
		cmocka_unit_test(sso_token_cache_is_where_aws_sso_login_writes_it),
		cmocka_unit_test(sso_without_a_valid_token_says_run_aws_sso_login),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* DATABASE_URL: built with percent-encoding, read back by libpq to the same values. */
#include <stdlib.h>
#include <string.h>

/* before cmocka.h, whose fail() macro would hide util.h's fail() */
#include "dburl.h"
#include "pg_conn.h"
#include "util.h"

#include <poll.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Build U, parse it back with PQconninfoParse, and compare every part. */
static void assert_round_trip(const struct dburl *u)
{
	char *url = dburl_build(u);
	struct dburl back;
	char *cause = NULL;
	int rc = dburl_parse(url, &back, &cause);
	if (rc != 0)
		print_error("parse of %s failed: %s\n", url, cause);
	assert_int_equal(rc, 0);
	assert_string_equal(back.user, u->user);
	assert_string_equal(back.password, u->password);
	assert_string_equal(back.host, u->host);
	assert_string_equal(back.port, u->port);
	assert_string_equal(back.dbname, u->dbname);
	assert_string_equal(back.sslmode, u->sslmode);
	if (u->sslrootcert)
		assert_string_equal(back.sslrootcert, u->sslrootcert);
	dburl_free(&back);
	free(url);
}

static void plain_values_give_the_expected_url(void **state)
{
	(void)state;
	struct dburl u = {.user = "yousync",
			  .password = "s3cret",
			  .host = "db.example.com",
			  .port = "5432",
			  .dbname = "fastapi_db",
			  .sslmode = "verify-full",
			  .sslrootcert = "/root/.postgresql/rds-ca.pem"};
	char *url = dburl_build(&u);
	assert_string_equal(url,
			    "postgresql://yousync:s3cret@db.example.com:5432/fastapi_db"
			    "?sslmode=verify-full&sslrootcert=%2Froot%2F.postgresql%2Frds-ca.pem");
	free(url);
	assert_round_trip(&u);
}

static void awkward_password_survives_the_round_trip(void **state)
{
	(void)state;
	struct dburl u = {.user = "app user@x",
			  .password = "p%:@/#?&=+ '\"\\ 비밀번호 ~-._",
			  .host = "mydb.abc123.ap-northeast-2.rds.amazonaws.com",
			  .port = "5432",
			  .dbname = "my db/데이터",
			  .sslmode = "verify-full",
			  .sslrootcert = "/home/사용자/ca bundle#1.pem"};
	char *url = dburl_build(&u);
	/* Only unreserved characters, %XX escapes and the URL's own delimiters. */
	const char *q = strchr(url, '?');
	for (const char *p = url + strlen("postgresql://"); p < q; p++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789-._~%:@/",
				       *p));
	assert_non_null(strstr(url, "%25%3A%40%2F%23%3F%26"));
	assert_non_null(strstr(url, "~-._")); /* unreserved kept */
	free(url);
	assert_round_trip(&u);
}

static void ipv6_host_is_bracketed(void **state)
{
	(void)state;
	struct dburl u = {.user = "u",
			  .password = "p",
			  .host = "2001:db8::1",
			  .port = "6543",
			  .dbname = "d",
			  .sslmode = "require"};
	char *url = dburl_build(&u);
	assert_string_equal(url, "postgresql://u:p@[2001:db8::1]:6543/d?sslmode=require");
	free(url);
	assert_round_trip(&u);
}

static void extra_params_are_kept_and_empty_parts_left_out(void **state)
{
	(void)state;
	char *params[] = {"application_name", "my app", "hostaddr", ""};
	struct dburl u = {.host = "h", .dbname = "d", .params = params, .nparams = 2};
	char *url = dburl_build(&u);
	assert_string_equal(url, "postgresql://h/d?application_name=my%20app");
	free(url);
}

static void mask_hides_only_the_password(void **state)
{
	(void)state;
	char *m = dburl_mask("postgresql://user:pa%40ss@host:5432/db?sslmode=require");
	assert_string_equal(m, "postgresql://user:****@host:5432/db?sslmode=require");
	free(m);
	m = dburl_mask("postgresql://user@host/db");
	assert_string_equal(m, "postgresql://user@host/db");
	free(m);
	/* an unencoded ? in the password must still be hidden (libpq reads to the @) */
	m = dburl_mask("postgres://u:pa?ss@host/db");
	assert_string_equal(m, "postgres://u:****@host/db");
	free(m);
}

/* However the URL is malformed, the password is hidden (never hoping it parses). */
static void mask_hides_passwords_in_malformed_input(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{"postgresql://app:Pa/ssSECRET1@host/db", "postgresql://app:****@host/db"},
		{"postgresql://app:p@ss/wSECRET1@rd@host:5432/db",
		 "postgresql://app:****@host:5432/db"},
		{"host=h password=SECRET1 user=u", "host=h password=**** user=u"},
		{"host=h password = 'SEC RET1\\' x' dbname=d", "host=h password = **** dbname=d"},
		{"host=h sslpassword=SECRET1", "host=h sslpassword=****"},
		{"postgresql://u@h/db?sslpassword=SECRET1&sslmode=require",
		 "postgresql://u@h/db?sslpassword=****&sslmode=require"},
		{"postgresql://u:SECRET1@h/db?password=SECRET1",
		 "postgresql://u:****@h/db?password=****"},
		{"postgresql://app:SECRET1",
		 "postgresql://app:SECRET1"}, /* host:port, no password */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *m = dburl_mask(cases[i][0]);
		assert_string_equal(m, cases[i][1]);
		free(m);
	}
}

static void parse_errors_never_show_the_password(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"postgresql://u:topsecret%zz@host/db",
		"postgresql://u:topsecret@[::1/db",
		"postgresql://u:topsecret@host/db?password=topsecret=x",
		"mysql://u:topsecret@host/db",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct dburl u;
		char *cause = NULL;
		assert_int_equal(dburl_parse(bad[i], &u, &cause), -1);
		assert_non_null(cause);
		if (strstr(cause, "topsecret"))
			print_error("leak: %s\n", cause);
		assert_null(strstr(cause, "topsecret"));
		free(cause);
	}
}

/* Whether TEXT holds any two characters in a row of PW (its "/" aside). */
static bool holds_fragment(const char *text, const char *pw)
{
	for (size_t j = 0; pw[j] && pw[j + 1]; j++) {
		char two[3] = {pw[j], pw[j + 1], 0};
		if (!strchr(two, '/') && strstr(text, two))
			return true;
	}
	return false;
}

/* libpq cuts a URL whose password holds an unencoded / inside the password
 * (postgresql://app:Qz/Kv…: host "app", port "Qz"): its error, and our
 * diagnosis and hint, show no fragment of it, however short. No server is
 * needed: the connection fails before it is tried. */
static void connect_errors_show_no_fragment_of_the_password(void **state)
{
	(void)state;
	static const char pw[] = "Qz/Kv9Xq7Wj";
	static const char *const typed[] = {
		"postgresql://app:Qz/Kv9Xq7Wj@127.0.0.1/db",
		"postgresql://app:Qz/Kv9Xq7Wj@127.0.0.1:1/db",
	};
	for (size_t i = 0; i < sizeof typed / sizeof *typed; i++) {
		struct pg_attempt *a = pg_attempt_start(typed[i], PG_SOURCE, 3);
		while (pg_attempt_poll(a) == 0) {
			struct pollfd p = {.fd = pg_attempt_fd(a), .events = pg_attempt_events(a)};
			poll(&p, p.fd >= 0, 100);
		}
		char *text = pg_diag_text(pg_attempt_diag(a));
		if (holds_fragment(text, pw))
			print_error("leak: %s\n", text);
		assert_false(holds_fragment(text, pw));
		assert_non_null(strstr(text, "****"));
		free(text);
		pg_attempt_free(a);
	}
	/* libpq's quoted tokens: a piece of the password is hidden, however
	 * short; a value the user typed elsewhere is kept */
	char *m = dburl_scrub("invalid integer value \"Qz\" for connection option \"port\"",
			      typed[0]);
	assert_string_equal(m, "invalid integer value \"****\" for connection option \"port\"");
	free(m);
	m = dburl_scrub("invalid integer value \"Qz\" for connection option \"port\"",
			"host=h port=Qz password=Qz/Kv9");
	assert_string_equal(m, "invalid integer value \"Qz\" for connection option \"port\"");
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_values_give_the_expected_url),
		cmocka_unit_test(awkward_password_survives_the_round_trip),
		cmocka_unit_test(ipv6_host_is_bracketed),
		cmocka_unit_test(extra_params_are_kept_and_empty_parts_left_out),
		cmocka_unit_test(mask_hides_passwords_in_malformed_input),
		cmocka_unit_test(mask_hides_only_the_password),
		cmocka_unit_test(parse_errors_never_show_the_password),
		cmocka_unit_test(connect_errors_show_no_fragment_of_the_password),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

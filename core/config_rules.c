/* The rule for every config key: config_check_key(). Each message names the
 * rule in words a user understands; none repeats a secret. */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dburl.h"
#include "dotenv.h"
#include "password.h"
#include "util.h"

/* Write the broken rule into RULE; returns -1 so checks can `return bad(…)`. */
static int bad(char *rule, size_t rulesz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(char *rule, size_t rulesz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (rule && rulesz)
		vsnprintf(rule, rulesz, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_letter(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Whether S matches the extended regular expression RE, whole. */
static bool matches(const char *re, const char *s)
{
	regex_t rx;
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	bool m = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return m;
}

/* S as a whole number in [LO, HI]: digits only, no sign or spaces. */
static bool parse_range(const char *s, long lo, long hi, long *out)
{
	if (!*s || strlen(s) > 9)
		return false;
	for (const char *p = s; *p; p++)
		if (!is_digit((unsigned char)*p))
			return false;
	long v = strtol(s, NULL, 10);
	if (out)
		*out = v;
	return v >= lo && v <= hi;
}

/* How to name character C in a message. */
static const char *char_name(int c, char *buf, size_t n)
{
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else if (c == ' ')
		snprintf(buf, n, "a space");
	else if (c & 0x80)
		snprintf(buf, n, "a non-ASCII character");
	else
		snprintf(buf, n, "a control character");
	return buf;
}

static int check_one_of(const char *v, const char *const *allowed, const char *words, char *rule,
			size_t rulesz)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return 0;
	return bad(rule, rulesz, "must be %s", words);
}

static int check_bool(const char *v, char *rule, size_t rulesz)
{
	static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "1", "0"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcasecmp(v, words[i]) == 0)
			return 0;
	return bad(rule, rulesz, "must be true or false (yes/no, on/off, 1/0 are read the same)");
}

/* RDS DB instance identifier. */
static int check_identifier(const char *v, char *rule, size_t rulesz)
{
	size_t n = strlen(v);
	char cb[32];
	if (n == 0)
		return bad(rule, rulesz, "must not be empty: 1-63 letters, digits or hyphens");
	if (n > 63)
		return bad(rule, rulesz, "too long: at most 63 characters (has %zu)", n);
	if (!is_letter((unsigned char)v[0]))
		return bad(rule, rulesz, "must start with a letter");
	for (const char *p = v; *p; p++)
		if (!is_letter((unsigned char)*p) && !is_digit((unsigned char)*p) && *p != '-')
			return bad(rule, rulesz,
				   "only letters, digits and hyphens are allowed (found %s)",
				   char_name((unsigned char)*p, cb, sizeof cb));
	if (strstr(v, "--"))
		return bad(rule, rulesz, "must not contain two hyphens in a row");
	if (v[n - 1] == '-')
		return bad(rule, rulesz, "must not end with a hyphen");
	return 0;
}

/* SQL key words PostgreSQL reserves (they cannot name a role or a database
 * without quotes), and names RDS or PostgreSQL keep for themselves. */
static const char *const sql_reserved[] = {"all",
					   "analyse",
					   "analyze",
					   "and",
					   "any",
					   "array",
					   "as",
					   "asc",
					   "asymmetric",
					   "authorization",
					   "binary",
					   "both",
					   "case",
					   "cast",
					   "check",
					   "collate",
					   "collation",
					   "column",
					   "concurrently",
					   "constraint",
					   "create",
					   "cross",
					   "current_catalog",
					   "current_date",
					   "current_role",
					   "current_schema",
					   "current_time",
					   "current_timestamp",
					   "current_user",
					   "default",
					   "deferrable",
					   "desc",
					   "distinct",
					   "do",
					   "else",
					   "end",
					   "except",
					   "false",
					   "fetch",
					   "for",
					   "foreign",
					   "freeze",
					   "from",
					   "full",
					   "grant",
					   "group",
					   "having",
					   "ilike",
					   "in",
					   "initially",
					   "inner",
					   "intersect",
					   "into",
					   "is",
					   "isnull",
					   "join",
					   "lateral",
					   "leading",
					   "left",
					   "like",
					   "limit",
					   "localtime",
					   "localtimestamp",
					   "natural",
					   "not",
					   "notnull",
					   "null",
					   "offset",
					   "on",
					   "only",
					   "or",
					   "order",
					   "outer",
					   "overlaps",
					   "placing",
					   "primary",
					   "references",
					   "returning",
					   "right",
					   "select",
					   "session_user",
					   "similar",
					   "some",
					   "symmetric",
					   "system_user",
					   "table",
					   "tablesample",
					   "then",
					   "to",
					   "trailing",
					   "true",
					   "union",
					   "unique",
					   "user",
					   "using",
					   "variadic",
					   "verbose",
					   "when",
					   "where",
					   "window",
					   "with",
					   NULL};

static bool in_list(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(v, *list) == 0)
			return true;
	return false;
}

/* Letters, digits, underscore; letter first; 1..MAX. WHAT names the thing. */
static int check_sql_name(const char *v, size_t max, char *rule, size_t rulesz)
{
	size_t n = strlen(v);
	char cb[32];
	if (n == 0)
		return bad(rule, rulesz, "must not be empty: 1-%zu letters, digits or underscores",
			   max);
	if (n > max)
		return bad(rule, rulesz, "too long: at most %zu characters (has %zu)", max, n);
	if (!is_letter((unsigned char)v[0]))
		return bad(rule, rulesz, "must start with a letter");
	for (const char *p = v; *p; p++)
		if (!is_letter((unsigned char)*p) && !is_digit((unsigned char)*p) && *p != '_')
			return bad(rule, rulesz,
				   "only letters, digits and underscores are allowed (found %s)",
				   char_name((unsigned char)*p, cb, sizeof cb));
	if (in_list(v, sql_reserved))
		return bad(rule, rulesz, "\"%s\" is an SQL reserved word; choose another name", v);
	return 0;
}

static int check_master_user(const char *v, char *rule, size_t rulesz)
{
	static const char *const rds_reserved[] = {
		"admin",         "rdsadmin", "rdsrepladmin", "rdstopmgr",
		"rdsproxyadmin", "public",   "none",         NULL};
	if (check_sql_name(v, 16, rule, rulesz) != 0)
		return -1;
	if (in_list(v, rds_reserved))
		return bad(rule, rulesz,
			   "\"%s\" is reserved by RDS or PostgreSQL; choose another name", v);
	if (strncasecmp(v, "pg_", 3) == 0)
		return bad(rule, rulesz, "names starting with pg_ are reserved by PostgreSQL");
	if (strncasecmp(v, "rds_", 4) == 0)
		return bad(rule, rulesz, "names starting with rds_ are reserved by RDS");
	return 0;
}

static int check_db_name(const char *v, char *rule, size_t rulesz)
{
	static const char *const reserved[] = {"template0", "template1", "rdsadmin", NULL};
	if (check_sql_name(v, 63, rule, rulesz) != 0)
		return -1;
	if (in_list(v, reserved))
		return bad(rule, rulesz,
			   "\"%s\" is reserved by PostgreSQL or RDS; choose another name", v);
	return 0;
}

static int check_password(const char *v, char *rule, size_t rulesz)
{
	if (!*v || strcmp(v, "secrets-manager") == 0)
		return 0;
	const char *w = password_weakness(v);
	if (w)
		return bad(rule, rulesz, "%s (leave it empty to generate a strong one)", w);
	return 0;
}

static int check_storage_gb(const struct config *cfg, const char *v, char *rule, size_t rulesz)
{
	const char *type = config_get(cfg, CFG_INSTANCE_STORAGE_TYPE);
	bool io = strcmp(type, "io1") == 0 || strcmp(type, "io2") == 0;
	bool gp = strcmp(type, "gp2") == 0 || strcmp(type, "gp3") == 0;
	long lo = io ? 100 : 20;
	if (parse_range(v, lo, 65536, NULL))
		return 0;
	if (io || gp)
		return bad(rule, rulesz,
			   "%s storage must be a whole number of GiB from %ld to 65536", type, lo);
	return bad(rule, rulesz,
		   "must be a whole number of GiB: gp2/gp3 20-65536, io1/io2 100-65536");
}

static int check_region(const char *v, char *rule, size_t rulesz)
{
	if (!*v)
		return 0; /* AWS_REGION, the profile or IMDS */
	if (matches("^[a-z]{2}(-(gov|iso|isob|isoe|isof))?-(north|south|east|west|central|"
		    "northeast|"
		    "northwest|southeast|southwest)-[0-9]{1,2}$",
		    v))
		return 0;
	return bad(
		rule, rulesz,
		"not a region name: like ap-northeast-2, us-east-1, eu-central-1 or us-gov-west-1");
}

static int check_profile(const char *v, char *rule, size_t rulesz)
{
	for (const char *p = v; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("[]#;=\"'", *p))
			return bad(
				rule, rulesz,
				"a profile name is printable ASCII (as in ~/.aws/config) with no "
				"spaces, quotes or [ ] # ; = characters");
	return 0;
}

static int check_class(const char *v, char *rule, size_t rulesz)
{
	if (matches("^db\\.[a-z][a-z]*[0-9][a-z0-9]*\\.(nano|micro|small|medium|large|xlarge|"
		    "[0-9]+xlarge|metal|metal-[0-9]+xl)$",
		    v))
		return 0;
	return bad(rule, rulesz,
		   "not an instance class: db.<family>.<size>, like db.t3.micro, db.m6g.large, "
		   "db.r6g.2xlarge");
}

static int check_engine_version(const char *v, char *rule, size_t rulesz)
{
	long major;
	char majbuf[8];
	size_t mlen = strcspn(v, ".");
	if (mlen == 0 || mlen >= sizeof majbuf || !matches("^[0-9]+(\\.[0-9]+)?$", v))
		return bad(rule, rulesz,
			   "must be a major version like 16, or major.minor like 16.4");
	memcpy(majbuf, v, mlen);
	majbuf[mlen] = 0;
	if (!parse_range(majbuf, 11, 99, &major))
		return bad(rule, rulesz, "RDS offers PostgreSQL 11 and later");
	return 0;
}

static int check_security_group(const char *v, bool empty_ok, char *rule, size_t rulesz)
{
	if (!*v && empty_ok)
		return 0;
	if (matches("^sg-([0-9a-f]{8}|[0-9a-f]{17})$", v))
		return 0;
	return bad(rule, rulesz,
		   "a security group id is sg- and 8 or 17 lower-case hex digits, like "
		   "sg-0123456789abcdef0");
}

/* An IPv4 or IPv6 CIDR with its host bits clear. */
static int check_cidr(const char *v, char *rule, size_t rulesz)
{
	const char *slash = strchr(v, '/');
	char addr[64];
	unsigned char bytes[16];
	if (!slash) {
		unsigned char tmp[16];
		if (inet_pton(AF_INET, v, tmp) == 1 || inet_pton(AF_INET6, v, tmp) == 1)
			return bad(rule, rulesz,
				   "a CIDR needs a prefix length: %s/%d for this one "
				   "address",
				   v, strchr(v, ':') ? 128 : 32);
		return bad(rule, rulesz,
			   "must be auto, a CIDR like 203.0.113.5/32 or "
			   "2001:db8::/64, or a security group sg-…");
	}
	size_t alen = (size_t)(slash - v);
	if (alen == 0 || alen >= sizeof addr)
		return bad(rule, rulesz, "not a CIDR: an address, /, and a prefix length");
	memcpy(addr, v, alen);
	addr[alen] = 0;
	bool v6 = strchr(addr, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bytes) != 1)
		return bad(rule, rulesz, "\"%s\" is not an IPv%d address", addr, v6 ? 6 : 4);
	int bits = v6 ? 128 : 32;
	long prefix;
	if (!parse_range(slash + 1, 0, bits, &prefix) || slash[1] == 0)
		return bad(rule, rulesz, "the prefix length must be a number from 0 to %d", bits);
	int nbytes = bits / 8;
	bool hostbits = false;
	for (int i = 0; i < nbytes; i++) {
		int keep = (int)prefix - 8 * i;
		unsigned char mask = keep >= 8   ? 0xff
				     : keep <= 0 ? 0
						 : (unsigned char)(0xff << (8 - keep));
		if (bytes[i] & ~mask)
			hostbits = true;
		bytes[i] &= mask;
	}
	if (hostbits) {
		char net[64];
		inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, net, sizeof net);
		return bad(rule, rulesz, "host bits are set: the network is %s/%ld", net, prefix);
	}
	return 0;
}

static int check_allow(const char *v, char *rule, size_t rulesz)
{
	if (strcmp(v, "auto") == 0)
		return 0;
	if (strncmp(v, "sg-", 3) == 0)
		return check_security_group(v, false, rule, rulesz);
	return check_cidr(v, rule, rulesz);
}

static int check_ip(const char *v, char *rule, size_t rulesz)
{
	unsigned char tmp[16];
	if (!*v || inet_pton(AF_INET, v, tmp) == 1 || inet_pton(AF_INET6, v, tmp) == 1)
		return 0;
	return bad(rule, rulesz,
		   "must be a numeric IP address (the local end of a tunnel, like 127.0.0.1), not "
		   "a host name");
}

/* [source] relay: empty, or IPv4:PORT ([IPv6]:PORT) the target connects to. */
static int check_relay(const char *v, char *rule, size_t rulesz)
{
	const char *colon = strrchr(v, ':');
	char host[64];
	unsigned char tmp[16];
	if (!*v)
		return 0;
	if (colon && colon - v < (int)sizeof host && parse_range(colon + 1, 1, 65535, NULL)) {
		snprintf(host, sizeof host, "%.*s", (int)(colon - v), v);
		size_t n = strlen(host);
		if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
			memmove(host, host + 1, n - 2);
			host[n - 2] = 0;
			if (inet_pton(AF_INET6, host, tmp) == 1)
				return 0;
		} else if (inet_pton(AF_INET, host, tmp) == 1) {
			return 0;
		}
	}
	return bad(rule, rulesz,
		   "must be empty or IP:PORT (a numeric address on this machine's network the "
		   "target can reach, e.g. 10.0.1.5:15432; IPv6 as [addr]:port)");
}

static const char *const sslmodes[] = {"disable",   "allow",       "prefer", "require",
				       "verify-ca", "verify-full", NULL};
#define SSLMODE_WORDS "disable, allow, prefer, require, verify-ca or verify-full"

/* PATH names an existing regular file this process can read. */
static int check_readable_file(const char *path, char *rule, size_t rulesz)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return bad(rule, rulesz, "the file %s cannot be found: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return bad(rule, rulesz, "%s is a directory, not a file", path);
	if (access(path, R_OK) != 0)
		return bad(rule, rulesz, "the file %s cannot be read: %s", path, strerror(errno));
	return 0;
}

/* A postgresql:// URL as libpq reads it, with a host, a numeric port and a known sslmode. */
static int check_url(const char *v, char *rule, size_t rulesz)
{
	if (!*v)
		return 0;
	struct dburl u;
	char *cause = NULL;
	if (dburl_parse(v, &u, &cause) != 0) {
		bad(rule, rulesz, "not a valid URL: %s", cause);
		free(cause);
		return -1;
	}
	int rc = 0;
	bool service = false; /* pg_service.conf supplies what the URL leaves out */
	for (size_t i = 0; i < u.nparams; i++)
		service = service || strcmp(u.params[2 * i], "service") == 0;
	if (!u.host && !service)
		rc = bad(rule, rulesz, "the URL has no host: postgresql://USER:PASS@HOST:PORT/DB");
	else if (u.host && (strchr(u.host, '@') || (strchr(u.host, '/') && u.host[0] != '/')))
		rc = bad(rule, rulesz,
			 "the host part holds @ or /: write @ in the password as %%40 "
			 "and / as %%2F");
	/* several hosts (h1,h2:5433) give one port each, empty for the default */
	else if (u.port &&
		 (!matches("^[0-9]{0,5}(,[0-9]{0,5})*$", u.port) || !strpbrk(u.port, "0123456789")))
		rc = bad(rule, rulesz,
			 "the port is not a number (if the password holds / @ : or #, "
			 "percent-encode them: %%2F %%40 %%3A %%23)");
	else if (u.sslmode && !in_list(u.sslmode, sslmodes))
		rc = bad(rule, rulesz, "sslmode in the URL must be " SSLMODE_WORDS);
	dburl_free(&u);
	return rc;
}

static int check_schema(const char *v, char *rule, size_t rulesz)
{
	if (strcmp(v, "copy") == 0 || strcmp(v, "skip") == 0)
		return 0;
	if (strncmp(v, "file:", 5) != 0)
		return bad(rule, rulesz, "must be copy, skip, or file:PATH (an SQL file to apply)");
	if (!v[5])
		return bad(rule, rulesz, "file: needs a path, like file:schema.sql");
	return check_readable_file(v + 5, rule, rulesz);
}

/* An identifier: plain (letter or _, then letters, digits, _ $) or "double quoted". */
static const char *scan_ident(const char *p)
{
	if (*p == '"') {
		for (p++; *p; p++) {
			if (*p == '"') {
				if (p[1] != '"')
					return p + 1;
				p++;
			}
		}
		return NULL;
	}
	if (!is_letter((unsigned char)*p) && *p != '_' && !((unsigned char)*p & 0x80))
		return NULL;
	while (is_letter((unsigned char)*p) || is_digit((unsigned char)*p) || *p == '_' ||
	       *p == '$' || ((unsigned char)*p & 0x80))
		p++;
	return p;
}

static int check_exclude_tables(const char *v, char *rule, size_t rulesz)
{
	const char *p = v;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *start = p;
		const char *q = scan_ident(p);
		if (q && *q == '.')
			q = scan_ident(q + 1);
		else
			q = NULL;
		if (q) {
			p = q;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (!q || (*p && *p != ',')) {
			size_t n = strcspn(start, ",");
			if (n == 0)
				return bad(rule, rulesz,
					   "an empty name between commas: each name must "
					   "be schema.table");
			return bad(rule, rulesz,
				   "each name must be schema.table, like public.audit_log "
				   "(found \"%.*s\")",
				   (int)(n > 60 ? 60 : n), start);
		}
		if (!*p)
			return 0;
		p++; /* the comma */
	}
}

/* A file we write: its directory exists and it is not a directory itself
 * (NAME: the file's usual name, for the hint). */
static int check_out_file(const char *v, const char *name, char *rule, size_t rulesz)
{
	struct stat st;
	if (strlen(v) >= 4096)
		return bad(rule, rulesz, "the path is too long");
	if (v[strlen(v) - 1] == '/')
		return bad(rule, rulesz, "must name a file, not a directory");
	if (stat(v, &st) == 0 && S_ISDIR(st.st_mode))
		return bad(rule, rulesz, "%s is a directory: give the file's path, like %s/%s", v,
			   v, name);
	const char *slash = strrchr(v, '/');
	if (slash && slash != v) {
		char *dir = xasprintf("%.*s", (int)(slash - v), v);
		int ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
		if (!ok)
			bad(rule, rulesz, "the directory %s does not exist", dir);
		free(dir);
		if (!ok)
			return -1;
	}
	return 0;
}

/* A whole-number alarm threshold in [LO, HI], or 0 for no alarm; UNIT names it. */
static int check_threshold(const char *v, long lo, long hi, const char *unit, char *rule,
			   size_t rulesz)
{
	long n;
	if (parse_range(v, 0, hi, &n) && (n == 0 || n >= lo))
		return 0;
	return bad(rule, rulesz, "must be a whole number of %s from %ld to %ld, or 0 for no alarm",
		   unit, lo, hi);
}

/* An e-mail address SNS accepts: local@domain, the domain with a dot. */
static int check_email(const char *v, char *rule, size_t rulesz)
{
	if (!*v ||
	    matches("^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
		    "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$",
		    v))
		return 0;
	return bad(rule, rulesz,
		   "not an e-mail address: name@example.com (one @, a domain with a dot, no "
		   "spaces)");
}

static int check_monitoring(const struct config *cfg, const char *v, char *rule, size_t rulesz)
{
	static const char *const intervals[] = {"0", "1", "5", "10", "15", "30", "60", NULL};
	if (check_one_of(v, intervals, "0 (off), 1, 5, 10, 15, 30 or 60 seconds", rule, rulesz))
		return -1;
	if (strcmp(v, "0") != 0 && !*config_get(cfg, CFG_MONITOR_MONITORING_ROLE))
		return bad(rule, rulesz,
			   "needs [monitor] monitoring_role: the ARN of an IAM role RDS may assume "
			   "with the AmazonRDSEnhancedMonitoringRole policy");
	return 0;
}

static int check_role_arn(const char *v, char *rule, size_t rulesz)
{
	if (!*v || matches("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", v))
		return 0;
	return bad(
		rule, rulesz,
		"must be an IAM role ARN like arn:aws:iam::123456789012:role/rds-monitoring-role");
}

/* A shell command line (run with /bin/sh -c): any text but control characters. */
static int check_command(const char *v, char *rule, size_t rulesz)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return bad(rule, rulesz,
				   "a shell command on one line: no control characters (found one "
				   "at byte %d)",
				   (int)(p - (const unsigned char *)v) + 1);
	return 0;
}

/* Empty, or an http:// or https:// URL with a host, as libcurl reads it. */
static int check_health_url(const char *v, char *rule, size_t rulesz)
{
	if (!*v)
		return 0;
	if (strncasecmp(v, "http://", 7) != 0 && strncasecmp(v, "https://", 8) != 0)
		return bad(rule, rulesz,
			   "must be empty or an http:// or https:// URL, like "
			   "http://127.0.0.1:8000/health");
	CURLU *u = curl_url();
	char *host = NULL;
	CURLUcode rc = u ? curl_url_set(u, CURLUPART_URL, v, 0) : CURLUE_OUT_OF_MEMORY;
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	bool ok = rc == CURLUE_OK && host && *host;
	curl_free(host);
	curl_url_cleanup(u);
	if (ok)
		return 0;
	return bad(rule, rulesz, "not a valid URL (%s): http(s)://HOST[:PORT]/PATH",
		   curl_url_strerror(rc));
}

int config_check_key(const struct config *cfg, enum config_key k, const char *value, char *rule,
		     size_t rulesz)
{
	static const char *const modes[] = {"create", "existing", NULL};
	static const char *const storage[] = {"gp2", "gp3", "io1", "io2", NULL};
	static const char *const copy_skip[] = {"copy", "skip", NULL};
	static const char *const verify_modes[] = {"counts", "full", "none", NULL};
	static const char *const migrate_modes[] = {"offline", "live", NULL};
	const char *v = value ? value : "";
	long n;
	if (rule && rulesz)
		rule[0] = 0;
	if (strlen(v) > 4096)
		return bad(rule, rulesz, "the value is too long (over 4096 bytes)");
	switch (k) {
	case CFG_SOURCE_URL:
	case CFG_TARGET_URL:
		return check_url(v, rule, rulesz);
	case CFG_SOURCE_RELAY:
		return check_relay(v, rule, rulesz);
	case CFG_AWS_REGION:
		return check_region(v, rule, rulesz);
	case CFG_AWS_PROFILE:
		return check_profile(v, rule, rulesz);
	case CFG_INSTANCE_MODE:
		return check_one_of(v, modes, "create or existing", rule, rulesz);
	case CFG_INSTANCE_IDENTIFIER:
		return check_identifier(v, rule, rulesz);
	case CFG_INSTANCE_CLASS:
		return check_class(v, rule, rulesz);
	case CFG_INSTANCE_ENGINE_VERSION:
		return check_engine_version(v, rule, rulesz);
	case CFG_INSTANCE_STORAGE_GB:
		return check_storage_gb(cfg, v, rule, rulesz);
	case CFG_INSTANCE_STORAGE_TYPE:
		return check_one_of(v, storage, "gp2, gp3, io1 or io2", rule, rulesz);
	case CFG_INSTANCE_ENCRYPTED:
	case CFG_INSTANCE_SNAPSHOT:
	case CFG_INSTANCE_MULTI_AZ:
	case CFG_INSTANCE_PUBLIC:
	case CFG_MONITOR_PERFORMANCE_INSIGHTS:
		return check_bool(v, rule, rulesz);
	case CFG_INSTANCE_BACKUP_RETENTION_DAYS:
		if (parse_range(v, 0, 35, NULL))
			return 0;
		return bad(rule, rulesz,
			   "must be a whole number of days from 0 to 35 (0 turns "
			   "automated backups off)");
	case CFG_INSTANCE_DB_NAME:
		return check_db_name(v, rule, rulesz);
	case CFG_INSTANCE_MASTER_USER:
		return check_master_user(v, rule, rulesz);
	case CFG_INSTANCE_MASTER_PASSWORD:
		return check_password(v, rule, rulesz);
	case CFG_INSTANCE_SECURITY_GROUP:
		return check_security_group(v, true, rule, rulesz);
	case CFG_NETWORK_ALLOW:
		return check_allow(v, rule, rulesz);
	case CFG_NETWORK_PORT:
		if (parse_range(v, 1150, 65535, &n))
			return 0;
		return bad(rule, rulesz,
			   "must be a port number from 1150 to 65535 (RDS refuses "
			   "lower ones)");
	case CFG_TARGET_HOSTADDR:
		return check_ip(v, rule, rulesz);
	case CFG_TARGET_PORT:
		if (!*v || parse_range(v, 1, 65535, NULL))
			return 0;
		return bad(rule, rulesz, "must be empty or a port number from 1 to 65535");
	case CFG_TARGET_SSLMODE:
		return check_one_of(v, sslmodes, SSLMODE_WORDS, rule, rulesz);
	case CFG_TARGET_SSLROOTCERT:
		return *v ? check_readable_file(v, rule, rulesz) : 0;
	case CFG_MIGRATE_MODE:
		return check_one_of(v, migrate_modes, "offline or live", rule, rulesz);
	case CFG_MIGRATE_SCHEMA:
		return check_schema(v, rule, rulesz);
	case CFG_MIGRATE_DATA:
		return check_one_of(v, copy_skip, "copy or skip", rule, rulesz);
	case CFG_MIGRATE_JOBS:
		if (parse_range(v, 1, 32, NULL))
			return 0;
		return bad(rule, rulesz, "must be a whole number from 1 to 32");
	case CFG_MIGRATE_EXCLUDE_TABLES:
		return check_exclude_tables(v, rule, rulesz);
	case CFG_MIGRATE_ROLE_PASSWORDS:
		return *v ? check_out_file(v, "role-passwords", rule, rulesz) : 0;
	case CFG_MONITOR_EMAIL:
		return check_email(v, rule, rulesz);
	case CFG_MONITOR_CPU_PERCENT:
	case CFG_MONITOR_CONNECTIONS_PERCENT:
		return check_threshold(v, 1, 100, "percent", rule, rulesz);
	case CFG_MONITOR_FREE_STORAGE_PERCENT:
	case CFG_MONITOR_FREEABLE_MEMORY_PERCENT:
		return check_threshold(v, 1, 99, "percent", rule, rulesz);
	case CFG_MONITOR_CPU_CREDIT_BALANCE:
		return check_threshold(v, 1, 5000, "credits", rule, rulesz);
	case CFG_MONITOR_READ_LATENCY_MS:
	case CFG_MONITOR_WRITE_LATENCY_MS:
		return check_threshold(v, 1, 10000, "milliseconds", rule, rulesz);
	case CFG_MONITOR_ENHANCED_MONITORING:
		return check_monitoring(cfg, v, rule, rulesz);
	case CFG_MONITOR_MONITORING_ROLE:
		return check_role_arn(v, rule, rulesz);
	case CFG_CUTOVER_STOP_COMMAND:
	case CFG_CUTOVER_START_COMMAND:
		return check_command(v, rule, rulesz);
	case CFG_CUTOVER_HEALTH_URL:
		return check_health_url(v, rule, rulesz);
	case CFG_CUTOVER_HEALTH_TIMEOUT:
		if (parse_range(v, 1, 3600, NULL))
			return 0;
		return bad(rule, rulesz, "must be a whole number of seconds from 1 to 3600");
	case CFG_CUTOVER_VERIFY:
		return check_one_of(v, verify_modes, "counts, full or none", rule, rulesz);
	case CFG_ENV_FILE:
		if (!*v)
			return bad(rule, rulesz,
				   "must not be empty: the path of the application's .env");
		return check_out_file(v, ".env", rule, rulesz);
	case CFG_ENV_KEY:
		if (dotenv_key_ok(v))
			return 0;
		return bad(rule, rulesz,
			   "must be upper-case letters, digits and underscores, not "
			   "starting with a digit ([A-Z_][A-Z0-9_]*)");
	case CFG_COUNT:
		break;
	}
	return bad(rule, rulesz, "unknown key");
}

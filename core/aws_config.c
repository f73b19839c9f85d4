/* Who and where, as the AWS SDKs decide it. The shared files are parsed here
 * (not with inih, whose line limit would cut session tokens): sections,
 * key = value, comments, any line length. */
#include "aws_config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_json.h"
#include "util.h"

static char *home_path(const char *env, const char *rel)
{
	const char *e = getenv(env);
	const char *home = getenv("HOME");
	if (e && *e) {
		if (e[0] == '~' && e[1] == '/' && home)
			return xasprintf("%s%s", home, e + 1);
		return xstrdup(e);
	}
	return xasprintf("%s/%s", home ? home : "", rel);
}

char *aws_credentials_path(void)
{
	return home_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
}

char *aws_config_path(void)
{
	return home_path("AWS_CONFIG_FILE", ".aws/config");
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

/* Calls FN for each key/value in FILE, with the section name as written
 * (for the config file, "profile x" stays as is). */
typedef void (*ini_fn)(void *ud, const char *section, const char *key, const char *value);
static void ini_walk(const char *path, ini_fn fn, void *ud)
{
	char *data = read_file(path, NULL, NULL);
	if (!data)
		return;
	char *section = xstrdup("");
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line);
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *end = strchr(l, ']');
			if (!end)
				continue;
			*end = 0;
			free(section);
			section = xstrdup(trim(l + 1));
			/* collapse inner runs of spaces: "[profile   x]" */
			char *w = section;
			for (char *r = section; *r; r++)
				if (!(isspace((unsigned char)*r) && w > section && w[-1] == ' '))
					*w++ = isspace((unsigned char)*r) ? ' ' : *r;
			*w = 0;
			fn(ud, section, NULL, NULL);
			continue;
		}
		char *eq = strchr(l, '=');
		if (!eq || !*section)
			continue;
		*eq = 0;
		char *v = eq + 1;
		/* an inline comment needs whitespace before it */
		for (char *c = v; *c; c++)
			if ((*c == '#' || *c == ';') && c > v && isspace((unsigned char)c[-1])) {
				*c = 0;
				break;
			}
		char *k = trim(l);
		for (char *c = k; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		fn(ud, section, k, trim(v));
	}
	free(section);
	free_secret(data);
}

/* The profile name a section of FILE stands for (config: "profile x" or
 * "default"; credentials: any), or NULL. */
static const char *section_profile(const char *section, bool config_file)
{
	if (!config_file)
		return section;
	if (strcmp(section, "default") == 0)
		return section;
	if (strncmp(section, "profile ", 8) == 0)
		return section + 8;
	return NULL; /* sso-session, services… */
}

struct list_ud {
	char **v;
	size_t n;
	bool config_file;
};

static void list_fn(void *ud, const char *section, const char *key, const char *value)
{
	struct list_ud *l = ud;
	(void)value;
	if (key)
		return;
	const char *p = section_profile(section, l->config_file);
	if (!p || !*p)
		return;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], p) == 0)
			return;
	l->v = xrealloc(l->v, (l->n + 2) * sizeof *l->v);
	l->v[l->n++] = xstrdup(p);
	l->v[l->n] = NULL;
}

char **aws_profiles_list(void)
{
	struct list_ud l = {0};
	char *cred = aws_credentials_path(), *conf = aws_config_path();
	ini_walk(cred, list_fn, &l);
	l.config_file = true;
	ini_walk(conf, list_fn, &l);
	free(cred);
	free(conf);
	if (!l.v)
		l.v = xcalloc(1, sizeof *l.v);
	return l.v;
}

void aws_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The keys of one profile gathered from a file. */
struct prof {
	const char *want;
	bool config_file;
	bool found;
	char *access_key, *secret_key, *token, *region;
	char *unsupported; /* role_arn, sso_*, credential_process… seen */
};

static void set_once(char **dst, const char *v)
{
	if (!*dst)
		*dst = xstrdup(v);
}

static void prof_fn(void *ud, const char *section, const char *key, const char *value)
{
	struct prof *p = ud;
	const char *name = section_profile(section, p->config_file);
	if (!name || strcmp(name, p->want) != 0)
		return;
	p->found = true;
	if (!key)
		return;
	if (strcmp(key, "aws_access_key_id") == 0)
		set_once(&p->access_key, value);
	else if (strcmp(key, "aws_secret_access_key") == 0)
		set_once(&p->secret_key, value);
	else if (strcmp(key, "aws_session_token") == 0 || strcmp(key, "aws_security_token") == 0)
		set_once(&p->token, value);
	else if (strcmp(key, "region") == 0)
		set_once(&p->region, value);
	else if (strcmp(key, "role_arn") == 0 || strncmp(key, "sso_", 4) == 0 ||
		 strcmp(key, "credential_process") == 0 || strcmp(key, "web_identity_token_file") == 0)
		set_once(&p->unsupported, key);
}

static void prof_free(struct prof *p)
{
	free(p->access_key);
	free_secret(p->secret_key);
	free_secret(p->token);
	free(p->region);
	free(p->unsupported);
}

static bool env_true(const char *name)
{
	const char *v = getenv(name);
	return v && strcasecmp(v, "true") == 0;
}

bool aws_imds_enabled(void)
{
	return !env_true("AWS_EC2_METADATA_DISABLED");
}

static pthread_mutex_t imds_lock = PTHREAD_MUTEX_INITIALIZER;
static char *imds_token;
static char *imds_token_base;
static double imds_token_until;
static double imds_down_until;
static char *imds_down_base;

static char *imds_base(void)
{
	const char *e = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	char *b = xstrdup(e && *e ? e : "http://169.254.169.254");
	size_t n = strlen(b);
	while (n > 0 && b[n - 1] == '/')
		b[--n] = 0;
	return b;
}

int aws_imds_get(const char *path, char **value, char **cause)
{
	*value = NULL;
	if (!aws_imds_enabled())
		return fail(cause, "IMDS is disabled (AWS_EC2_METADATA_DISABLED)");
	char *base = imds_base();
	pthread_mutex_lock(&imds_lock);
	double now = now_monotonic();
	if (imds_down_base && strcmp(imds_down_base, base) == 0 && now < imds_down_until) {
		pthread_mutex_unlock(&imds_lock);
		free(base);
		return fail(cause, "not on EC2 (the instance metadata service did not answer)");
	}
	char *token = NULL;
	if (imds_token && imds_token_base && strcmp(imds_token_base, base) == 0 &&
	    now < imds_token_until)
		token = xstrdup(imds_token);
	pthread_mutex_unlock(&imds_lock);

	if (!token) {
		char *url = xasprintf("%s/latest/api/token", base);
		static const char *const h[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL};
		char *body = NULL, *why = NULL;
		long st = aws_http_plain("PUT", url, h, 1000, &body, &why);
		free(url);
		if (st != 200) {
			pthread_mutex_lock(&imds_lock);
			free(imds_down_base);
			imds_down_base = xstrdup(base);
			imds_down_until = now_monotonic() + 60;
			pthread_mutex_unlock(&imds_lock);
			if (st < 0)
				fail(cause, "not on EC2 (the instance metadata service did not answer: %s)",
				     why);
			else
				fail(cause, "the instance metadata service refused a token (HTTP %ld)", st);
			free(why);
			free(body);
			free(base);
			return -1;
		}
		token = xstrdup(trim(body));
		free(body);
		pthread_mutex_lock(&imds_lock);
		free(imds_token);
		free(imds_token_base);
		imds_token = xstrdup(token);
		imds_token_base = xstrdup(base);
		imds_token_until = now_monotonic() + 21000;
		pthread_mutex_unlock(&imds_lock);
	}
	char *url = xasprintf("%s/latest/%s", base, path);
	char *hdr = xasprintf("X-aws-ec2-metadata-token: %s", token);
	const char *h[] = {hdr, NULL};
	char *body = NULL, *why = NULL;
	long st = aws_http_plain("GET", url, h, 2000, &body, &why);
	free(url);
	free(hdr);
	free_secret(token);
	free(base);
	if (st != 200) {
		if (st < 0)
			fail(cause, "instance metadata %s: %s", path, why);
		else
			fail(cause, "instance metadata %s: HTTP %ld", path, st);
		free(why);
		free(body);
		return -1;
	}
	*value = body;
	return 0;
}

/* Role credentials from IMDS. */
static int imds_creds(struct aws_creds *c, char **cause)
{
	char *roles = NULL;
	if (aws_imds_get("meta-data/iam/security-credentials/", &roles, cause) < 0)
		return -1;
	char *role = trim(roles);
	role[strcspn(role, "\r\n")] = 0;
	if (!*role) {
		free(roles);
		return fail(cause, "this EC2 instance has no IAM role");
	}
	char *path = xasprintf("meta-data/iam/security-credentials/%s", role);
	char *json = NULL;
	int rc = aws_imds_get(path, &json, cause);
	free(path);
	json_t *j = NULL;
	char *why = NULL;
	if (rc == 0 && !(j = aws_json_parse(json, strlen(json), "the instance role's credentials", &why))) {
		rc = fail(cause, "%s", why);
		free(why);
	}
	if (rc == 0) {
		c->access_key = aws_json_str(j, "AccessKeyId");
		c->secret_key = aws_json_str(j, "SecretAccessKey");
		c->token = aws_json_str(j, "Token");
		if (!c->access_key || !c->secret_key) {
			rc = fail(cause, "the instance role %s gave no credentials", role);
		} else {
			char *exp = aws_json_str(j, "Expiration");
			c->source = xasprintf("EC2 instance role %s%s%s", role, exp ? ", expires " : "",
					      exp ? exp : "");
			free(exp);
		}
	}
	json_decref(j);
	free_secret(json);
	free(roles);
	return rc;
}

static long env_long(const char *name, long def, long min, long max)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end || n < min || n > max)
		return def;
	return n;
}

int aws_ctx_init(struct aws_ctx *a, const char *profile, const char *region, atomic_int *cancel,
		 char **cause)
{
	memset(a, 0, sizeof *a);
	a->cancel = cancel;
	a->connect_timeout_ms = env_long("RDSM_AWS_CONNECT_TIMEOUT", 10, 1, 600) * 1000;
	a->timeout_ms = env_long("RDSM_AWS_TIMEOUT", 30, 1, 3600) * 1000;
	a->max_attempts = (int)env_long("RDSM_AWS_MAX_ATTEMPTS", 5, 1, 20);

	bool explicit_profile = profile && *profile;
	const char *envp = getenv("AWS_PROFILE");
	const char *pname = explicit_profile ? profile : (envp && *envp ? envp : "default");
	bool named = explicit_profile || (envp && *envp);
	a->profile = xstrdup(pname);

	char *credpath = aws_credentials_path(), *confpath = aws_config_path();
	struct prof pc = {.want = pname}, pf = {.want = pname, .config_file = true};
	ini_walk(credpath, prof_fn, &pc);
	ini_walk(confpath, prof_fn, &pf);

	int rc = 0;
	/* credentials */
	const char *ek = getenv("AWS_ACCESS_KEY_ID"), *es = getenv("AWS_SECRET_ACCESS_KEY");
	if (!explicit_profile && ek && *ek && es && *es) {
		a->creds.access_key = xstrdup(ek);
		a->creds.secret_key = xstrdup(es);
		const char *et = getenv("AWS_SESSION_TOKEN");
		if (et && *et)
			a->creds.token = xstrdup(et);
		a->creds.source = xstrdup("environment (AWS_ACCESS_KEY_ID)");
	} else if (pc.access_key || pf.access_key) {
		struct prof *p = pc.access_key ? &pc : &pf;
		if (!p->secret_key) {
			rc = fail(cause, "profile %s in %s has aws_access_key_id but no aws_secret_access_key",
				  pname, p == &pc ? credpath : confpath);
		} else {
			a->creds.access_key = xstrdup(p->access_key);
			a->creds.secret_key = xstrdup(p->secret_key);
			if (p->token)
				a->creds.token = xstrdup(p->token);
			a->creds.source = xasprintf("profile %s in %s", pname,
						    p == &pc ? credpath : confpath);
		}
	} else if (named && !pc.found && !pf.found) {
		rc = fail(cause, "profile %s is not in %s or %s (aws configure --profile %s)", pname,
			  credpath, confpath, pname);
	} else if (pc.unsupported || pf.unsupported) {
		rc = fail(cause, "profile %s uses %s, which rds-migrate cannot follow: export "
			  "credentials first (e.g. aws configure export-credentials --profile %s "
			  "--format env)",
			  pname, pc.unsupported ? pc.unsupported : pf.unsupported, pname);
	} else if (named) {
		rc = fail(cause, "profile %s has no aws_access_key_id (in %s or %s)", pname, credpath,
			  confpath);
	} else {
		char *why = NULL;
		if (imds_creds(&a->creds, &why) < 0) {
			rc = fail(cause, "no AWS credentials: none in the environment "
				  "(AWS_ACCESS_KEY_ID), no profile %s in %s or %s, and %s",
				  pname, credpath, confpath, why ? why : "no instance role");
		}
		free(why);
	}

	/* region */
	const char *er = getenv("AWS_REGION"), *edr = getenv("AWS_DEFAULT_REGION");
	if (region && *region) {
		a->region = xstrdup(region);
		a->region_source = xstrdup("config [aws] region");
	} else if (er && *er) {
		a->region = xstrdup(er);
		a->region_source = xstrdup("AWS_REGION");
	} else if (edr && *edr) {
		a->region = xstrdup(edr);
		a->region_source = xstrdup("AWS_DEFAULT_REGION");
	} else if (pf.region || pc.region) {
		a->region = xstrdup(pf.region ? pf.region : pc.region);
		a->region_source = xasprintf("profile %s", pname);
	} else {
		char *r = NULL;
		if (aws_imds_get("meta-data/placement/region", &r, NULL) == 0 && *trim(r)) {
			a->region = xstrdup(trim(r));
			a->region_source = xstrdup("EC2 instance metadata");
		}
		free(r);
	}
	if (!a->region) {
		a->region = xstrdup("");
		a->region_source = xstrdup("none");
		if (rc == 0)
			rc = fail(cause, "no AWS region: set [aws] region, AWS_REGION, or region in "
				  "profile %s",
				  pname);
	}
	prof_free(&pc);
	prof_free(&pf);
	free(credpath);
	free(confpath);
	return rc;
}

void aws_ctx_free(struct aws_ctx *a)
{
	free(a->region);
	free(a->region_source);
	free(a->profile);
	free(a->creds.access_key);
	free_secret(a->creds.secret_key);
	free_secret(a->creds.token);
	free(a->creds.source);
	memset(a, 0, sizeof *a);
}

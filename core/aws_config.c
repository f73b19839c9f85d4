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
#include <sys/stat.h>
#include <time.h>

#include "aws_creds.h"
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
		char *l = str_trim(line);
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *end = strchr(l, ']');
			if (!end)
				continue;
			*end = 0;
			free(section);
			section = xstrdup(str_trim(l + 1));
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
		char *k = str_trim(l);
		for (char *c = k; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		fn(ud, section, k, str_trim(v));
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

/* Every key of every section of both shared files, in file order; a
 * section header is an entry with a NULL key. */
struct kv {
	char *section, *key, *value;
	bool config_file;
};
struct files {
	struct kv *v;
	size_t n;
	bool config_file; /* the file being read */
	char *credpath, *confpath;
};

/* ini_walk's callback: keep every entry. */
static void files_fn(void *ud, const char *section, const char *key, const char *value)
{
	struct files *f = ud;
	f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
	f->v[f->n++] = (struct kv){xstrdup(section), key ? xstrdup(key) : NULL,
				   value ? xstrdup(value) : NULL, f->config_file};
}

/* Read both shared files (as their paths resolve now) into F. */
static void files_load(struct files *f)
{
	memset(f, 0, sizeof *f);
	f->credpath = aws_credentials_path();
	f->confpath = aws_config_path();
	ini_walk(f->credpath, files_fn, f);
	f->config_file = true;
	ini_walk(f->confpath, files_fn, f);
}

static void files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].section);
		free(f->v[i].key);
		free_secret(f->v[i].value);
	}
	free(f->v);
	free(f->credpath);
	free(f->confpath);
	memset(f, 0, sizeof *f);
}

/* Whether entry E belongs to profile NAME. */
static bool kv_is_profile(const struct kv *e, const char *name)
{
	const char *p = section_profile(e->section, e->config_file);
	return p && strcmp(p, name) == 0;
}

/* KEY of profile NAME in one file (the first one given), or NULL. */
static const char *prof_get_in(const struct files *f, const char *name, const char *key,
			       bool config_file)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct kv *e = &f->v[i];
		if (e->config_file == config_file && e->key && strcmp(e->key, key) == 0 &&
		    kv_is_profile(e, name))
			return e->value;
	}
	return NULL;
}

/* KEY of profile NAME: the credentials file first, as the AWS CLI reads them. */
static const char *prof_get(const struct files *f, const char *name, const char *key)
{
	const char *v = prof_get_in(f, name, key, false);
	return v ? v : prof_get_in(f, name, key, true);
}

/* KEY of the config file's section SECTION ("sso-session corp"), or NULL. */
static const char *section_get(const struct files *f, const char *section, const char *key)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct kv *e = &f->v[i];
		if (e->config_file && e->key && strcmp(e->key, key) == 0 &&
		    strcmp(e->section, section) == 0)
			return e->value;
	}
	return NULL;
}

/* Whether either file has a section for profile NAME. */
static bool prof_found(const struct files *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (kv_is_profile(&f->v[i], name))
			return true;
	return false;
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
		static const char *const h[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600",
						NULL};
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
				fail(cause,
				     "not on EC2 (the instance metadata service did not answer: "
				     "%s)",
				     why);
			else
				fail(cause,
				     "the instance metadata service refused a token (HTTP %ld)",
				     st);
			free(why);
			free(body);
			free(base);
			return -1;
		}
		token = xstrdup(str_trim(body));
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
	char *role = str_trim(roles);
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
	if (rc == 0 &&
	    !(j = aws_json_parse(json, strlen(json), "the instance role's credentials", &why))) {
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
			c->source = xasprintf("EC2 instance role %s%s%s", role,
					      exp ? ", expires " : "", exp ? exp : "");
			free(exp);
		}
	}
	json_decref(j);
	free_secret(json);
	free(roles);
	return rc;
}

/* What resolving one profile's credentials needs: the files, the context
 * (region, timeouts, cancellation for STS and the portal) and the chain of
 * profiles followed so far (source_profile loops are refused). */
struct resolver {
	const struct files *f;
	const struct aws_ctx *a;
	const char *chain[8];
	int depth;
};

/* Keys from the environment, for the default chain and credential_source. */
static int env_creds(struct aws_creds *c)
{
	const char *ek = getenv("AWS_ACCESS_KEY_ID"), *es = getenv("AWS_SECRET_ACCESS_KEY");
	if (!ek || !*ek || !es || !*es)
		return 1;
	c->access_key = xstrdup(ek);
	c->secret_key = xstrdup(es);
	const char *et = getenv("AWS_SESSION_TOKEN");
	if (et && *et)
		c->token = xstrdup(et);
	c->source = xstrdup("environment (AWS_ACCESS_KEY_ID)");
	c->kind = AWS_CREDS_ENV;
	return 0;
}

/* Keys written in profile NAME of one file: 0, 1 when there are none, -1
 * when half there. */
static int static_creds(const struct resolver *r, const char *name, bool config_file,
			struct aws_creds *c, char **cause)
{
	const char *ak = prof_get_in(r->f, name, "aws_access_key_id", config_file);
	if (!ak)
		return 1;
	const char *path = config_file ? r->f->confpath : r->f->credpath;
	const char *sk = prof_get_in(r->f, name, "aws_secret_access_key", config_file);
	if (!sk)
		return fail(cause,
			    "profile %s in %s has aws_access_key_id but no aws_secret_access_key",
			    name, path);
	const char *tok = prof_get_in(r->f, name, "aws_session_token", config_file);
	if (!tok)
		tok = prof_get_in(r->f, name, "aws_security_token", config_file);
	c->access_key = xstrdup(ak);
	c->secret_key = xstrdup(sk);
	c->token = tok && *tok ? xstrdup(tok) : NULL;
	c->source = xasprintf("profile %s in %s", name, path);
	c->kind = AWS_CREDS_PROFILE;
	return 0;
}

/* The web identity token in PATH (trailing blanks cut), or NULL with a cause. */
static char *read_token_file(const char *path, const char *what, char **cause)
{
	char *why = NULL;
	char *t = read_file(path, NULL, &why);
	if (!t) {
		fail(cause, "%s %s: %s", what, path, why ? why : "cannot read it");
		free(why);
		return NULL;
	}
	size_t n = strlen(t);
	while (n > 0 && isspace((unsigned char)t[n - 1]))
		t[--n] = 0;
	if (!n) {
		free(t);
		fail(cause, "%s %s is empty", what, path);
		return NULL;
	}
	return t;
}

/* Whether URL may be asked over plain http for container credentials: a
 * loopback address or the ECS/EKS agent's, as the AWS SDKs allow. */
static bool container_host_ok(const char *url)
{
	static const char *const hosts[] = {"localhost", "[::1]", "169.254.170.2", "169.254.170.23",
					    "[fd00:ec2::23]"};
	if (strncmp(url, "https://", 8) == 0)
		return true;
	if (strncmp(url, "http://", 7) != 0)
		return false;
	const char *h = url + 7;
	size_t n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/?#");
	for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++)
		if (strlen(hosts[i]) == n && strncmp(h, hosts[i], n) == 0)
			return true;
	/* 127.0.0.0/8, written as four numbers */
	return n > 4 && strncmp(h, "127.", 4) == 0 && strspn(h, "0123456789.") == n;
}

/* The Authorization header for the container's endpoint (from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, read each time, else
 * AWS_CONTAINER_AUTHORIZATION_TOKEN): a heap secret, "" when there is none,
 * NULL with a cause. */
static char *container_auth(char **cause)
{
	const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char *t = file && *file
			  ? read_token_file(file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", cause)
			  : xstrdup(tok ? tok : "");
	if (t && strpbrk(t, "\r\n")) {
		free_secret(t);
		fail(cause, "the container authorization token holds a line break");
		return NULL;
	}
	if (!t || !*t)
		return t;
	char *h = xasprintf("Authorization: %s", t);
	free_secret(t);
	return h;
}

/* Credentials from the container's endpoint (an ECS task role, EKS Pod
 * Identity) as the AWS SDKs find them: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 * under http://169.254.170.2, else AWS_CONTAINER_CREDENTIALS_FULL_URI. 1 when
 * neither is set; 0; -1 with a cause naming the variable. */
static int container_creds(const struct aws_ctx *a, struct aws_creds *c, char **cause)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *var = rel && *rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
				      : "AWS_CONTAINER_CREDENTIALS_FULL_URI";
	if (!(rel && *rel) && !(full && *full))
		return 1;
	char *url = rel && *rel ? xasprintf("http://169.254.170.2%s%s", *rel == '/' ? "" : "/", rel)
				: xstrdup(full);
	if (!container_host_ok(url)) {
		fail(cause,
		     "%s = %s: plain http is used only to a loopback address or the ECS/EKS "
		     "agent (169.254.170.2, 169.254.170.23, fd00:ec2::23); use https",
		     var, url);
		free(url);
		return -1;
	}
	char *auth = container_auth(cause), *body = NULL, *why = NULL;
	const char *hdrs[] = {auth && *auth ? auth : NULL, NULL};
	long st = auth ? aws_http_plain("GET", url, hdrs, a->timeout_ms ? a->timeout_ms : 5000,
					&body, &why)
		       : -1;
	free_secret(auth);
	json_t *j = NULL;
	int rc = 0;
	if (st < 0)
		rc = why ? fail(cause, "%s: %s", var, why) : -1;
	else if (st != 200)
		rc = fail(cause, "%s: the container's credentials endpoint answered HTTP %ld", var,
			  st);
	else if (!(j = aws_json_parse(body, strlen(body), "the container's credentials", &why)))
		rc = fail(cause, "%s: %s", var, why);
	time_t until = 0;
	const char *exp = j ? json_string_value(json_object_get(j, "Expiration")) : NULL;
	if (rc == 0) {
		c->access_key = aws_json_str(j, "AccessKeyId");
		c->secret_key = aws_json_str(j, "SecretAccessKey");
		c->token = aws_json_str(j, "Token");
		if (!c->access_key || !c->secret_key)
			rc = fail(cause, "%s: the answer has no AccessKeyId or SecretAccessKey",
				  var);
		else if (exp && aws_json_time(exp, &until) < 0)
			rc = fail(cause, "%s: the answer's Expiration is not an ISO 8601 time",
				  var);
	}
	if (rc == 0) {
		c->expires = until;
		c->kind = AWS_CREDS_CONTAINER;
		c->source = xasprintf("container credentials (%s %s)%s%s", var, url,
				      exp ? ", expires " : "", exp ? exp : "");
	} else {
		aws_creds_clear(c);
	}
	json_decref(j);
	free(why);
	free_secret(body);
	free(url);
	return rc;
}

/* STS for the role of a profile: a context with the source credentials SRC
 * (moved in) and R's region, endpoints and timeouts. */
static int assume(const struct resolver *r, struct aws_creds *src,
		  const struct aws_creds_role *role, struct aws_creds *c, char **arn, char **cause)
{
	struct aws_ctx sub = {0};
	sub.region = r->a->region && *r->a->region ? r->a->region : (char *)"us-east-1";
	sub.creds = *src;
	sub.connect_timeout_ms = r->a->connect_timeout_ms;
	sub.timeout_ms = r->a->timeout_ms;
	sub.max_attempts = r->a->max_attempts;
	sub.cancel = r->a->cancel;
	int rc = aws_creds_assume_role(&sub, role, c, arn, cause);
	aws_creds_clear(&sub.creds);
	memset(src, 0, sizeof *src);
	return rc;
}

static int profile_creds(struct resolver *r, const char *name, struct aws_creds *c, char **cause);

/* The MFA code for profile NAME's mfa_serial SERIAL, asked of the front end
 * (the wizard asks; --plain cannot). 0, or -1 with a cause. */
static int mfa_code(const struct aws_ctx *a, const char *name, const char *role_arn,
		    const char *serial, char *code, size_t n, char **cause)
{
	int asked = a->ask_mfa ? a->ask_mfa(a->ud, name, serial, code, n) : -1;
	if (asked < 0)
		return fail(cause,
			    "profile %s assumes %s with an MFA code (mfa_serial %s), which --plain "
			    "cannot ask for: run the wizard (it asks for the code), or export "
			    "credentials first (aws configure export-credentials --profile %s "
			    "--format env)",
			    name, role_arn, serial, name);
	if (asked == 0)
		return fail(cause, "profile %s: no MFA code given for %s", name, serial);
	char *t = str_trim(code);
	if (strlen(t) != 6 || strspn(t, "0123456789") != 6) {
		explicit_bzero(code, n);
		return fail(cause,
			    "profile %s: the MFA code must be the 6 digits your device shows",
			    name);
	}
	memmove(code, t, 7);
	return 0;
}

/* role_arn: the source credentials (source_profile, credential_source or a
 * web identity token file), then STS. */
static int role_creds(struct resolver *r, const char *name, const char *role_arn,
		      struct aws_creds *c, char **cause)
{
	const char *srcp = prof_get(r->f, name, "source_profile");
	const char *csrc = prof_get(r->f, name, "credential_source");
	const char *wif = prof_get(r->f, name, "web_identity_token_file");
	const char *mfa = prof_get(r->f, name, "mfa_serial");
	const char *dur = prof_get(r->f, name, "duration_seconds");
	struct aws_creds_role role = {
		.role_arn = role_arn,
		.session_name = prof_get(r->f, name, "role_session_name"),
		.external_id = prof_get(r->f, name, "external_id"),
	};
	if (dur) {
		char *end;
		role.duration_seconds = strtol(dur, &end, 10);
		if (*end || role.duration_seconds < 900 || role.duration_seconds > 43200)
			return fail(cause,
				    "profile %s: duration_seconds = %s is not a number of seconds "
				    "from 900 to 43200",
				    name, dur);
	}
	char code[16] = "";
	if (mfa && *mfa && mfa_code(r->a, name, role_arn, mfa, code, sizeof code, cause) < 0)
		return -1;
	role.serial_number = mfa && *mfa ? mfa : NULL;
	role.token_code = code;
	if (srcp && csrc)
		return fail(cause,
			    "profile %s has both source_profile and credential_source: keep one",
			    name);
	struct aws_creds src = {0};
	char *arn = NULL, *via = NULL;
	int rc;
	if (srcp) {
		if (strcmp(srcp, name) == 0) {
			rc = static_creds(r, name, false, &src, cause);
			if (rc == 1)
				rc = static_creds(r, name, true, &src, cause);
		} else if (!prof_found(r->f, srcp)) {
			return fail(cause, "profile %s: its source_profile %s is not in %s or %s",
				    name, srcp, r->f->credpath, r->f->confpath);
		} else {
			rc = profile_creds(r, srcp, &src, cause);
		}
		if (rc == 1)
			return fail(cause, "profile %s: its source_profile %s has no credentials",
				    name, srcp);
	} else if (csrc) {
		if (strcmp(csrc, "Environment") == 0) {
			rc = env_creds(&src);
			if (rc == 1)
				return fail(
					cause,
					"profile %s: credential_source = Environment, but "
					"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
					name);
		} else if (strcmp(csrc, "Ec2InstanceMetadata") == 0) {
			char *why = NULL;
			rc = imds_creds(&src, &why);
			if (rc < 0) {
				fail(cause,
				     "profile %s: credential_source = Ec2InstanceMetadata: %s",
				     name, why);
				free(why);
			}
		} else if (strcmp(csrc, "EcsContainer") == 0) {
			char *why = NULL;
			rc = container_creds(r->a, &src, &why);
			if (rc == 1)
				return fail(cause,
					    "profile %s: credential_source = EcsContainer, but "
					    "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
					    "AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
					    name);
			if (rc < 0) {
				fail(cause, "profile %s: credential_source = EcsContainer: %s",
				     name, why);
				free(why);
			}
		} else {
			return fail(cause,
				    "profile %s: credential_source = %s is not one of Environment, "
				    "Ec2InstanceMetadata, EcsContainer",
				    name, csrc);
		}
	} else if (wif) {
		char *tok = read_token_file(wif, "web_identity_token_file", cause);
		if (!tok)
			return -1;
		role.web_identity_token = tok;
		rc = assume(r, &src, &role, c, &arn, cause);
		free_secret(tok);
		if (rc == 0) {
			free(c->source);
			c->source = xasprintf("profile %s (web identity token %s, assumed role %s)",
					      name, wif, arn);
			c->kind = AWS_CREDS_WEB_IDENTITY;
		}
		free(arn);
		return rc;
	} else {
		return fail(cause,
			    "profile %s has role_arn but no source_profile, credential_source "
			    "or web_identity_token_file to assume it with",
			    name);
	}
	if (rc < 0) {
		aws_creds_clear(&src);
		return -1;
	}
	via = xstrdup(src.source ? src.source : "?");
	rc = assume(r, &src, &role, c, &arn, cause);
	if (rc < 0 && cause) {
		char *t = *cause;
		*cause = xasprintf("profile %s: %s (signed with %s)", name, t ? t : "?", via);
		free(t);
	} else if (rc == 0) {
		free(c->source);
		c->source = xasprintf("profile %s (assumed role %s, with %s)", name, arn, via);
		c->kind = AWS_CREDS_ASSUME_ROLE;
	}
	free(arn);
	free(via);
	return rc;
}

/* IAM Identity Center: the profile's sso_session (or legacy sso_* keys). */
static int sso_creds(struct resolver *r, const char *name, struct aws_creds *c, char **cause)
{
	const char *sess = prof_get(r->f, name, "sso_session");
	struct aws_creds_sso s = {
		.profile = name,
		.session = sess,
		.account = prof_get(r->f, name, "sso_account_id"),
		.role = prof_get(r->f, name, "sso_role_name"),
	};
	char *sect = NULL;
	if (sess) {
		sect = xasprintf("sso-session %s", sess);
		s.start_url = section_get(r->f, sect, "sso_start_url");
		s.region = section_get(r->f, sect, "sso_region");
	} else {
		s.start_url = prof_get(r->f, name, "sso_start_url");
		s.region = prof_get(r->f, name, "sso_region");
	}
	const char *missing = !s.start_url || !*s.start_url ? "sso_start_url"
			      : !s.region || !*s.region     ? "sso_region"
			      : !s.account || !*s.account   ? "sso_account_id"
			      : !s.role || !*s.role         ? "sso_role_name"
							    : NULL;
	int rc;
	if (missing && sess &&
	    (!strcmp(missing, "sso_start_url") || !strcmp(missing, "sso_region")))
		rc = fail(cause, "profile %s: its sso_session %s has no %s (in [%s] of %s)", name,
			  sess, missing, sect, r->f->confpath);
	else if (missing)
		rc = fail(cause, "profile %s has no %s (in %s), which IAM Identity Center needs",
			  name, missing, r->f->confpath);
	else
		rc = aws_creds_sso((struct aws_ctx *)r->a, &s, c, cause);
	free(sect);
	return rc;
}

/* The credentials of profile NAME, in the AWS CLI's order: role_arn, SSO,
 * keys in the credentials file, credential_process, keys in the config
 * file. 0, 1 when the profile holds no credentials, or -1 with a cause. */
static int profile_creds(struct resolver *r, const char *name, struct aws_creds *c, char **cause)
{
	for (int i = 0; i < r->depth; i++)
		if (strcmp(r->chain[i], name) == 0)
			return fail(cause, "profile %s: its source_profile chain comes back to %s",
				    r->chain[0], name);
	if (r->depth == (int)(sizeof r->chain / sizeof *r->chain))
		return fail(cause,
			    "profile %s: its source_profile chain is longer than %d profiles",
			    r->chain[0], r->depth);
	r->chain[r->depth++] = name;
	int rc;
	const char *role = prof_get(r->f, name, "role_arn");
	const char *proc = prof_get(r->f, name, "credential_process");
	if (role && *role) {
		rc = role_creds(r, name, role, c, cause);
	} else if (prof_get(r->f, name, "sso_session") || prof_get(r->f, name, "sso_start_url") ||
		   prof_get(r->f, name, "sso_account_id") ||
		   prof_get(r->f, name, "sso_role_name")) {
		rc = sso_creds(r, name, c, cause);
	} else if ((rc = static_creds(r, name, false, c, cause)) != 1) {
		/* the credentials file's keys, or their error */
	} else if (proc && *proc) {
		rc = aws_creds_process(name, proc, r->a->credential_process_timeout_ms,
				       r->a->cancel, c, cause);
	} else {
		rc = static_creds(r, name, true, c, cause);
	}
	r->depth--;
	return rc;
}

/* The default chain: environment keys, a profile's role, the environment's
 * web identity, the profile, IMDS. Fills C, or -1 with a cause saying
 * what was looked at. */
static int resolve_creds(const struct aws_ctx *a, const struct files *f, struct aws_creds *c,
			 char **cause)
{
	const char *pname = a->creds_profile;
	bool explicit_profile = a->creds_explicit;
	const char *envp = getenv("AWS_PROFILE");
	bool named = explicit_profile || (envp && *envp);
	struct resolver r = {.f = f, .a = a};
	const char *wtf = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), *wrole = getenv("AWS_ROLE_ARN");
	const char *role = prof_get(f, pname, "role_arn");
	if (!explicit_profile && env_creds(c) == 0)
		return 0;
	if (!(role && *role) && !explicit_profile && wtf && *wtf && wrole && *wrole) {
		char *tok = read_token_file(wtf, "AWS_WEB_IDENTITY_TOKEN_FILE", cause);
		if (!tok)
			return -1;
		struct aws_creds_role wr = {.role_arn = wrole,
					    .session_name = getenv("AWS_ROLE_SESSION_NAME"),
					    .web_identity_token = tok};
		struct aws_creds none = {0};
		char *arn = NULL;
		int rc = assume(&r, &none, &wr, c, &arn, cause);
		free_secret(tok);
		if (rc == 0) {
			c->source =
				xasprintf("web identity token %s (AWS_WEB_IDENTITY_TOKEN_FILE), "
					  "assumed role %s",
					  wtf, arn);
			c->kind = AWS_CREDS_WEB_IDENTITY;
		}
		free(arn);
		return rc;
	}
	if (prof_found(f, pname)) {
		int rc = profile_creds(&r, pname, c, cause);
		if (rc <= 0)
			return rc;
		if (named)
			return fail(cause, "profile %s has no aws_access_key_id (in %s or %s)",
				    pname, f->credpath, f->confpath);
	} else if (named) {
		return fail(cause, "profile %s is not in %s or %s (aws configure --profile %s)",
			    pname, f->credpath, f->confpath, pname);
	}
	int rc = container_creds(a, c, cause);
	if (rc <= 0)
		return rc;
	char *why = NULL;
	if (imds_creds(c, &why) < 0) {
		fail(cause,
		     "no AWS credentials: none in the environment (AWS_ACCESS_KEY_ID), no "
		     "profile %s in %s or %s, and %s",
		     pname, f->credpath, f->confpath, why ? why : "no instance role");
		free(why);
		aws_creds_clear(c);
		return -1;
	}
	free(why);
	return 0;
}

/* Temporary credentials already fetched in this process, so that screens
 * that check every few seconds do not run credential_process or call STS
 * and the SSO portal each time: one entry per way of resolving them (the
 * profile, the variables read and the shared files' modification times). */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cache_key;
static struct aws_creds cache_creds;

/* What the resolution of A's credentials depends on, as one string. */
static char *creds_key(const struct aws_ctx *a, const struct files *f)
{
	struct stat sc = {0}, sf = {0};
	stat(f->credpath, &sc);
	stat(f->confpath, &sf);
	const char *ek = getenv("AWS_ACCESS_KEY_ID"), *wt = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *wr = getenv("AWS_ROLE_ARN");
	const char *cr = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *cf = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	return xasprintf("%d|%s|%s|%s|%s|%s|%s|%s:%lld.%ld|%s:%lld.%ld", a->creds_explicit,
			 a->creds_profile, ek ? ek : "", wt ? wt : "", wr ? wr : "", cr ? cr : "",
			 cf ? cf : "", f->credpath, (long long)sc.st_mtim.tv_sec,
			 sc.st_mtim.tv_nsec, f->confpath, (long long)sf.st_mtim.tv_sec,
			 sf.st_mtim.tv_nsec);
}

/* A copy of credentials C. */
static void creds_copy(struct aws_creds *dst, const struct aws_creds *c)
{
	*dst = *c;
	dst->access_key = c->access_key ? xstrdup(c->access_key) : NULL;
	dst->secret_key = c->secret_key ? xstrdup(c->secret_key) : NULL;
	dst->token = c->token ? xstrdup(c->token) : NULL;
	dst->source = c->source ? xstrdup(c->source) : NULL;
}

/* resolve_creds, through the cache: FRESH skips an entry (a refresh). */
static int cached_creds(const struct aws_ctx *a, const struct files *f, bool fresh,
			struct aws_creds *c, char **cause)
{
	char *key = creds_key(a, f);
	pthread_mutex_lock(&cache_lock);
	if (!fresh && cache_key && strcmp(cache_key, key) == 0 &&
	    time(NULL) + AWS_CREDS_REFRESH_MARGIN < cache_creds.expires) {
		creds_copy(c, &cache_creds);
		pthread_mutex_unlock(&cache_lock);
		free(key);
		return 0;
	}
	pthread_mutex_unlock(&cache_lock);
	int rc = resolve_creds(a, f, c, cause);
	if (rc == 0 && c->expires) {
		pthread_mutex_lock(&cache_lock);
		free(cache_key);
		aws_creds_clear(&cache_creds);
		cache_key = key;
		key = NULL;
		creds_copy(&cache_creds, c);
		pthread_mutex_unlock(&cache_lock);
	}
	free(key);
	return rc;
}

/* aws_ctx.refresh: resolve the same chain again and swap the credentials in. */
static int ctx_refresh(struct aws_ctx *a, char **cause)
{
	struct files f;
	files_load(&f);
	struct aws_creds c = {0};
	int rc = cached_creds(a, &f, true, &c, cause);
	files_free(&f);
	if (rc < 0) {
		aws_creds_clear(&c);
		return -1;
	}
	aws_creds_clear(&a->creds);
	a->creds = c;
	return 0;
}

int aws_ctx_init(struct aws_ctx *a, const char *profile, const char *region,
		 const struct aws_limits *limits, atomic_int *cancel, char **cause)
{
	return aws_ctx_init_asking(a, profile, region, limits, cancel, NULL, NULL, cause);
}

int aws_ctx_init_asking(struct aws_ctx *a, const char *profile, const char *region,
			const struct aws_limits *limits, atomic_int *cancel,
			int (*ask_mfa)(void *ud, const char *profile, const char *serial,
				       char *code, size_t n),
			void *ud, char **cause)
{
	static const struct aws_limits defaults = AWS_LIMITS_DEFAULT;
	const struct aws_limits *lim = limits ? limits : &defaults;
	memset(a, 0, sizeof *a);
	a->cancel = cancel;
	a->connect_timeout_ms = lim->connect_timeout_s * 1000;
	a->timeout_ms = lim->timeout_s * 1000;
	a->max_attempts = lim->max_attempts;
	a->credential_process_timeout_ms = lim->credential_process_timeout_s * 1000;
	a->ask_mfa = ask_mfa;
	a->ud = ud;

	bool explicit_profile = profile && *profile;
	const char *envp = getenv("AWS_PROFILE");
	const char *pname = explicit_profile ? profile : (envp && *envp ? envp : "default");
	a->profile = xstrdup(pname);
	a->creds_profile = xstrdup(pname);
	a->creds_explicit = explicit_profile;

	struct files f;
	files_load(&f);

	/* region first: STS calls for a role need it */
	const char *er = getenv("AWS_REGION"), *edr = getenv("AWS_DEFAULT_REGION");
	const char *pr = prof_get_in(&f, pname, "region", true);
	if (!pr)
		pr = prof_get_in(&f, pname, "region", false);
	if (region && *region) {
		a->region = xstrdup(region);
		a->region_source = xstrdup("config [aws] region");
	} else if (er && *er) {
		a->region = xstrdup(er);
		a->region_source = xstrdup("AWS_REGION");
	} else if (edr && *edr) {
		a->region = xstrdup(edr);
		a->region_source = xstrdup("AWS_DEFAULT_REGION");
	} else if (pr) {
		a->region = xstrdup(pr);
		a->region_source = xasprintf("profile %s", pname);
	} else {
		char *r = NULL;
		if (aws_imds_get("meta-data/placement/region", &r, NULL) == 0 && *str_trim(r)) {
			a->region = xstrdup(str_trim(r));
			a->region_source = xstrdup("EC2 instance metadata");
		}
		free(r);
	}

	int rc = cached_creds(a, &f, false, &a->creds, cause);
	if (rc == 0 && a->creds.expires)
		a->refresh = ctx_refresh;

	if (!a->region) {
		a->region = xstrdup("");
		a->region_source = xstrdup("none");
		if (rc == 0)
			rc = fail(cause,
				  "no AWS region: set [aws] region, AWS_REGION, or region in "
				  "profile %s",
				  pname);
	}
	files_free(&f);
	return rc;
}

void aws_ctx_free(struct aws_ctx *a)
{
	free(a->region);
	free(a->region_source);
	free(a->profile);
	free(a->creds_profile);
	aws_creds_clear(&a->creds);
	memset(a, 0, sizeof *a);
}

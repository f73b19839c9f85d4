/* The credential sources beyond plain keys: credential_process, STS
 * AssumeRole / AssumeRoleWithWebIdentity, and IAM Identity Center (SSO). */
#include "aws_creds.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws_config.h"
#include "aws_json.h"
#include "util.h"

extern char **environ;

void aws_creds_clear(struct aws_creds *c)
{
	free(c->access_key);
	free_secret(c->secret_key);
	free_secret(c->token);
	free(c->source);
	memset(c, 0, sizeof *c);
}

/* C takes the keys AK, SK and TOK (heap, taken), valid until UNTIL, in
 * place of the ones it held. */
static void creds_take(struct aws_creds *c, char *ak, char *sk, char *tok, time_t until)
{
	free(c->access_key);
	free_secret(c->secret_key);
	free_secret(c->token);
	c->access_key = ak;
	c->secret_key = sk;
	c->token = tok;
	c->expires = until;
}

void aws_creds_expiry_words(time_t t, char *out, size_t outsz)
{
	struct tm tm;
	char when[32];
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, outsz, ", expires %s UTC", when);
}

/* A growing string for the argv splitter. */
struct word {
	char *p;
	size_t n, cap;
};

static void word_put(struct word *w, char c)
{
	if (w->n + 2 > w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->p = xrealloc(w->p, w->cap);
	}
	w->p[w->n++] = c;
	w->p[w->n] = 0;
}

char **aws_creds_split_argv(const char *cmdline, char **cause)
{
	char **v = xcalloc(1, sizeof *v);
	size_t n = 0;
	const char *p = cmdline ? cmdline : "";
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		struct word w = {0};
		char quote = 0;
		word_put(&w, 0); /* an empty word ('' or "") is still a word */
		w.n = 0;
		while (*p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
			if (*p == '\'') {
				quote = '\'';
				const char *end = strchr(p + 1, '\'');
				if (!end)
					goto unclosed;
				for (p++; p < end; p++)
					word_put(&w, *p);
				p++;
			} else if (*p == '"') {
				quote = '"';
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && p[1] && strchr("\\\"$`\n", p[1]))
						p++;
					word_put(&w, *p);
				}
				if (*p != '"')
					goto unclosed;
				p++;
			} else if (*p == '\\') {
				if (!p[1]) {
					free(w.p);
					aws_strv_free(v);
					fail(cause, "the command line ends with a lone \\");
					return NULL;
				}
				word_put(&w, p[1]);
				p += 2;
			} else {
				word_put(&w, *p++);
			}
			continue;
		unclosed:
			free(w.p);
			aws_strv_free(v);
			fail(cause, "the command line has an unclosed %c quote", quote);
			return NULL;
		}
		v = xrealloc(v, (n + 2) * sizeof *v);
		v[n++] = w.p;
		v[n] = NULL;
	}
	if (n == 0) {
		free(v);
		fail(cause, "the command line is empty");
		return NULL;
	}
	return v;
}

int aws_creds_parse_process(const char *out, size_t len, time_t now, struct aws_creds *c,
			    char **cause)
{
	char *why = NULL;
	json_t *j = aws_json_parse(out, len, "its output", &why);
	if (!j) {
		fail(cause, "%s", why);
		free(why);
		return -1;
	}
	int rc = 0;
	json_t *ver = json_object_get(j, "Version");
	const char *exp = json_string_value(json_object_get(j, "Expiration"));
	time_t until = 0;
	if (!ver)
		rc = fail(cause, "its output has no Version (1 expected)");
	else if (!json_is_integer(ver) || json_integer_value(ver) != 1)
		rc = fail(cause, "its output is not Version 1, the only version the AWS CLI reads");
	else if (!json_is_string(json_object_get(j, "AccessKeyId")) ||
		 !*json_string_value(json_object_get(j, "AccessKeyId")))
		rc = fail(cause, "its output has no AccessKeyId");
	else if (!json_is_string(json_object_get(j, "SecretAccessKey")) ||
		 !*json_string_value(json_object_get(j, "SecretAccessKey")))
		rc = fail(cause, "its output has no SecretAccessKey");
	else if (json_object_get(j, "SessionToken") &&
		 !json_is_string(json_object_get(j, "SessionToken")))
		rc = fail(cause, "its output's SessionToken is not a string");
	else if (json_object_get(j, "Expiration") && (!exp || aws_json_time(exp, &until) < 0))
		rc = fail(cause, "its output's Expiration is not an ISO 8601 time");
	else if (json_object_get(j, "Expiration") && until <= now)
		rc = fail(cause,
			  "it returned credentials that have already expired (Expiration %s)", exp);
	if (rc == 0) {
		free(c->access_key);
		free_secret(c->secret_key);
		free_secret(c->token);
		c->access_key = aws_json_str(j, "AccessKeyId");
		c->secret_key = aws_json_str(j, "SecretAccessKey");
		c->token = aws_json_str(j, "SessionToken");
		if (c->token && !*c->token) {
			free(c->token);
			c->token = NULL;
		}
		c->expires = until;
	}
	json_decref(j);
	return rc;
}

/* The last non-empty line of TEXT, cut to 200 bytes, in OUT. */
static void last_line(const char *text, char *out, size_t outsz)
{
	out[0] = 0;
	if (!text)
		return;
	size_t n = strlen(text);
	while (n > 0 && strchr("\r\n \t", text[n - 1]))
		n--;
	size_t s = n;
	while (s > 0 && text[s - 1] != '\n')
		s--;
	size_t l = n - s < 200 ? n - s : 200;
	snprintf(out, outsz, "%.*s", (int)l, text + s);
}

/* Read from FD into B (at most MAX bytes kept); 0 at EOF, 1 when more may come. */
static int drain(int fd, char **b, size_t *len, size_t max)
{
	char tmp[4096];
	ssize_t r = read(fd, tmp, sizeof tmp);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (r == 0)
		return 0;
	size_t keep = *len + (size_t)r > max ? max - *len : (size_t)r;
	*b = xrealloc(*b, *len + keep + 1);
	memcpy(*b + *len, tmp, keep);
	*len += keep;
	(*b)[*len] = 0;
	return 1;
}

int aws_creds_process(const char *profile, const char *cmdline, long timeout_ms, atomic_int *cancel,
		      struct aws_creds *c, char **cause)
{
	char *why = NULL;
	char **argv = aws_creds_split_argv(cmdline, &why);
	if (!argv) {
		fail(cause, "profile %s: credential_process: %s", profile, why);
		free(why);
		return -1;
	}
	int out[2] = {-1, -1}, err[2] = {-1, -1};
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		int e = errno;
		for (int i = 0; i < 2; i++) {
			if (out[i] >= 0)
				close(out[i]);
			if (err[i] >= 0)
				close(err[i]);
		}
		aws_strv_free(argv);
		return fail(cause, "profile %s: credential_process: pipe: %s", profile,
			    strerror(e));
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	pid_t pid;
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(err[1]);
	if (e != 0) {
		close(out[0]);
		close(err[0]);
		fail(cause, "profile %s: credential_process: cannot run %s: %s", profile, argv[0],
		     strerror(e));
		aws_strv_free(argv);
		return -1;
	}
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	bool oopen = true, eopen = true, timed_out = false, cancelled = false;
	double end = now_monotonic() + (double)timeout_ms / 1000.0;
	while (oopen || eopen) {
		struct pollfd pf[2] = {{oopen ? out[0] : -1, POLLIN, 0},
				       {eopen ? err[0] : -1, POLLIN, 0}};
		if (cancel && atomic_load(cancel)) {
			cancelled = true;
			break;
		}
		double left = end - now_monotonic();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		int r = poll(pf, 2, left > 0.1 ? 100 : (int)(left * 1000) + 1);
		if (r < 0 && errno != EINTR)
			break;
		if (oopen && (pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			oopen = drain(out[0], &obuf, &olen, 1u << 20) == 1;
		if (eopen && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)))
			eopen = drain(err[0], &ebuf, &elen, 64u << 10) == 1;
	}
	close(out[0]);
	close(err[0]);
	if (timed_out || cancelled)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	char line[256];
	last_line(ebuf, line, sizeof line);
	int rc = 0;
	if (cancelled)
		rc = fail(cause, "profile %s: credential_process %s: interrupted", profile,
			  argv[0]);
	else if (timed_out)
		rc = fail(cause,
			  "profile %s: credential_process %s gave no answer within %ld s "
			  "(stopped)",
			  profile, argv[0], timeout_ms / 1000);
	else if (WIFSIGNALED(status))
		rc = fail(cause, "profile %s: credential_process %s was killed by signal %d%s%s",
			  profile, argv[0], WTERMSIG(status), line[0] ? ": " : "", line);
	else if (WEXITSTATUS(status) == 127 && !olen)
		rc = fail(cause,
			  "profile %s: credential_process: cannot run %s (exit status 127: not "
			  "found or not executable)%s%s",
			  profile, argv[0], line[0] ? ": " : "", line);
	else if (WEXITSTATUS(status) != 0)
		rc = fail(cause, "profile %s: credential_process %s failed (exit status %d)%s%s",
			  profile, argv[0], WEXITSTATUS(status), line[0] ? ": " : "", line);
	if (rc == 0 && aws_creds_parse_process(obuf, olen, time(NULL), c, &why) < 0) {
		rc = fail(cause, "profile %s: credential_process %s: %s", profile, argv[0], why);
		free(why);
	}
	if (rc == 0) {
		char exp[64] = "";
		if (c->expires)
			aws_creds_expiry_words(c->expires, exp, sizeof exp);
		free(c->source);
		c->source =
			xasprintf("profile %s (credential_process %s%s)", profile, argv[0], exp);
		c->kind = AWS_CREDS_PROCESS;
	}
	free_secret(obuf);
	free(ebuf);
	aws_strv_free(argv);
	return rc;
}

/* Copy the text of PATH under N into a new string, NULL when absent or empty. */
static char *xml_dup(const struct xml_node *n, const char *path)
{
	const char *t = xml_text(n, path);
	return t && *t ? xstrdup(t) : NULL;
}

int aws_creds_assume_role(struct aws_ctx *src, const struct aws_creds_role *role,
			  struct aws_creds *c, char **arn, char **cause)
{
	*arn = NULL;
	bool web = role->web_identity_token != NULL;
	const char *action = web ? "AssumeRoleWithWebIdentity" : "AssumeRole";
	struct aws_params p = {0};
	aws_params_add(&p, "RoleArn", role->role_arn);
	if (role->session_name && *role->session_name)
		aws_params_add(&p, "RoleSessionName", role->session_name);
	else
		aws_params_addf(&p, "RoleSessionName", "rds-migrate-%lld", (long long)time(NULL));
	if (role->external_id && *role->external_id && !web)
		aws_params_add(&p, "ExternalId", role->external_id);
	if (role->duration_seconds > 0)
		aws_params_addf(&p, "DurationSeconds", "%ld", role->duration_seconds);
	if (role->serial_number && !web) {
		aws_params_add(&p, "SerialNumber", role->serial_number);
		aws_params_add(&p, "TokenCode", role->token_code ? role->token_code : "");
	}
	if (web)
		aws_params_add(&p, "WebIdentityToken", role->web_identity_token);
	bool was_anonymous = src->anonymous;
	src->anonymous = web;
	struct xml_node *x = aws_query(src, &aws_sts, action, &p, NULL, cause);
	src->anonymous = was_anonymous;
	free_secret(p.buf); /* the web identity token */
	if (!x)
		return -1;
	char path[96];
	snprintf(path, sizeof path, "%sResult", action);
	const struct xml_node *r = xml_find(x, path);
	char *ak = xml_dup(r, "Credentials/AccessKeyId");
	char *sk = xml_dup(r, "Credentials/SecretAccessKey");
	char *tok = xml_dup(r, "Credentials/SessionToken");
	const char *exp = xml_text(r, "Credentials/Expiration");
	time_t until = 0;
	int rc = 0;
	if (!ak || !sk || !tok)
		rc = fail(cause, "%s %s: STS answered without credentials", action, role->role_arn);
	else if (aws_json_time(exp, &until) < 0)
		rc = fail(cause, "%s %s: STS answered without a valid Expiration", action,
			  role->role_arn);
	if (rc == 0) {
		creds_take(c, ak, sk, tok, until);
		*arn = xml_dup(r, "AssumedRoleUser/Arn");
		if (!*arn)
			*arn = xstrdup(role->role_arn);
	} else {
		free(ak);
		free_secret(sk);
		free_secret(tok);
	}
	xml_free(x);
	return rc;
}

char *aws_creds_sso_cache_path(const struct aws_creds_sso *s)
{
	const char *key = s->session ? s->session : s->start_url;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL);
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	const char *home = getenv("HOME");
	return xasprintf("%s/.aws/sso/cache/%s.json", home ? home : "", hex);
}

int aws_creds_sso(struct aws_ctx *a, const struct aws_creds_sso *s, struct aws_creds *c,
		  char **cause)
{
	char *path = aws_creds_sso_cache_path(s);
	char *why = NULL;
	size_t len = 0;
	char *text = read_file(path, &len, NULL);
	if (!text) {
		fail(cause,
		     "profile %s: no IAM Identity Center token in %s: run aws sso login "
		     "--profile %s",
		     s->profile, path, s->profile);
		free(path);
		return -1;
	}
	json_t *j = aws_json_parse(text, len, "the cached SSO token", &why);
	free_secret(text);
	if (!j) {
		fail(cause, "profile %s: %s (%s): run aws sso login --profile %s", s->profile, why,
		     path, s->profile);
		free(why);
		free(path);
		return -1;
	}
	const char *token = json_string_value(json_object_get(j, "accessToken"));
	const char *exp = json_string_value(json_object_get(j, "expiresAt"));
	time_t until = 0;
	int rc = 0;
	if (!token || !*token)
		rc = fail(cause,
			  "profile %s: the cached SSO token (%s) holds no accessToken: run aws "
			  "sso login --profile %s",
			  s->profile, path, s->profile);
	else if (!exp || aws_json_time(exp, &until) < 0)
		rc = fail(cause,
			  "profile %s: the cached SSO token (%s) has no valid expiresAt: run "
			  "aws sso login --profile %s",
			  s->profile, path, s->profile);
	else if (until <= time(NULL))
		rc = fail(cause,
			  "profile %s: the IAM Identity Center token expired at %s: run aws sso "
			  "login --profile %s",
			  s->profile, exp, s->profile);
	if (rc < 0) {
		json_decref(j);
		free(path);
		return -1;
	}
	/* GetRoleCredentials: GET /federation/credentials with the bearer token */
	struct aws_ctx portal = {.region = (char *)s->region};
	char *base = aws_endpoint(&portal, &aws_sso);
	struct aws_params q = {0};
	aws_params_add(&q, "account_id", s->account);
	aws_params_add(&q, "role_name", s->role);
	char *url = xasprintf("%s/federation/credentials?%s", base, q.buf);
	aws_params_free(&q);
	free(base);
	char *hdr = xasprintf("x-amz-sso_bearer_token: %s", token);
	json_decref(j);
	const char *h[] = {hdr, NULL};
	char *body = NULL;
	long st = aws_http_plain("GET", url, h, a->timeout_ms ? a->timeout_ms : 30000, &body, &why);
	free_secret(hdr);
	free(url);
	if (st < 0) {
		rc = fail(cause, "profile %s: IAM Identity Center GetRoleCredentials: %s",
			  s->profile, why);
	} else if (st == 401) {
		rc = fail(cause,
			  "profile %s: IAM Identity Center refused the cached token (HTTP 401: "
			  "expired or revoked): run aws sso login --profile %s",
			  s->profile, s->profile);
	} else if (st == 403) {
		rc = fail(cause,
			  "profile %s: IAM Identity Center gives this user no role %s in "
			  "account %s (HTTP 403)",
			  s->profile, s->role, s->account);
	} else if (st != 200) {
		rc = fail(cause, "profile %s: IAM Identity Center GetRoleCredentials: HTTP %ld",
			  s->profile, st);
	}
	free(why);
	why = NULL;
	json_t *ans = NULL;
	if (rc == 0 &&
	    !(ans = aws_json_parse(body, strlen(body), "the GetRoleCredentials answer", &why))) {
		rc = fail(cause, "profile %s: %s", s->profile, why);
		free(why);
	}
	free_secret(body);
	if (rc == 0) {
		json_t *rcj = json_object_get(ans, "roleCredentials");
		json_t *ms = json_object_get(rcj, "expiration");
		char *ak = aws_json_str(rcj, "accessKeyId");
		char *sk = aws_json_str(rcj, "secretAccessKey");
		char *tok = aws_json_str(rcj, "sessionToken");
		if (!ak || !sk || !tok || !json_is_integer(ms)) {
			rc = fail(cause,
				  "profile %s: the GetRoleCredentials answer holds no "
				  "roleCredentials",
				  s->profile);
			free(ak);
			free_secret(sk);
			free_secret(tok);
		} else {
			creds_take(c, ak, sk, tok, (time_t)(json_integer_value(ms) / 1000));
			char w[64];
			aws_creds_expiry_words(c->expires, w, sizeof w);
			free(c->source);
			c->source =
				xasprintf("profile %s (IAM Identity Center: account %s, role %s, "
					  "%s%s)",
					  s->profile, s->account, s->role, s->start_url, w);
			c->kind = AWS_CREDS_SSO;
		}
	}
	json_decref(ans);
	free(path);
	return rc;
}

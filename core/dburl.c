/* DATABASE_URL building, parsing (through libpq) and masking. */
#include "dburl.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Append S to the buffer at *P, percent-encoded; KEEP lists extra characters left as they are. */
static void append_encoded(char **buf, size_t *len, size_t *cap, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (*len + 4 >= *cap)
			*buf = xrealloc(*buf, *cap = *cap * 2 + 16);
		if (unreserved(c) || (keep && strchr(keep, c))) {
			(*buf)[(*len)++] = (char)c;
		} else {
			(*buf)[(*len)++] = '%';
			(*buf)[(*len)++] = hex[c >> 4];
			(*buf)[(*len)++] = hex[c & 15];
		}
	}
	(*buf)[*len] = 0;
}

static void append_raw(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 1 >= *cap)
		*buf = xrealloc(*buf, *cap = *cap * 2 + n + 16);
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

char *dburl_encode(const char *s)
{
	size_t len = 0, cap = 16;
	char *buf = xmalloc(cap);
	buf[0] = 0;
	append_encoded(&buf, &len, &cap, s, NULL);
	return buf;
}

static bool set(const char *s)
{
	return s && *s;
}

char *dburl_build(const struct dburl *u)
{
	size_t len = 0, cap = 128;
	char *b = xmalloc(cap);
	b[0] = 0;
	append_raw(&b, &len, &cap, "postgresql://");
	if (set(u->user) || set(u->password)) {
		append_encoded(&b, &len, &cap, u->user, NULL);
		if (set(u->password)) {
			append_raw(&b, &len, &cap, ":");
			append_encoded(&b, &len, &cap, u->password, NULL);
		}
		append_raw(&b, &len, &cap, "@");
	}
	if (set(u->host)) {
		if (strchr(u->host, ':')) { /* IPv6: brackets, colons kept */
			append_raw(&b, &len, &cap, "[");
			append_encoded(&b, &len, &cap, u->host, ":");
			append_raw(&b, &len, &cap, "]");
		} else {
			append_encoded(&b, &len, &cap, u->host, NULL);
		}
	}
	if (set(u->port)) {
		append_raw(&b, &len, &cap, ":");
		append_encoded(&b, &len, &cap, u->port, NULL);
	}
	append_raw(&b, &len, &cap, "/");
	append_encoded(&b, &len, &cap, u->dbname, NULL);
	char sep = '?';
	const char *fixed[] = {"sslmode", u->sslmode, "sslrootcert", u->sslrootcert};
	for (size_t i = 0; i < 4; i += 2) {
		if (!set(fixed[i + 1]))
			continue;
		char s[2] = {sep, 0};
		append_raw(&b, &len, &cap, s);
		append_raw(&b, &len, &cap, fixed[i]);
		append_raw(&b, &len, &cap, "=");
		append_encoded(&b, &len, &cap, fixed[i + 1], NULL);
		sep = '&';
	}
	for (size_t i = 0; i < u->nparams; i++) {
		const char *k = u->params[2 * i], *v = u->params[2 * i + 1];
		if (!set(k) || !set(v))
			continue;
		char s[2] = {sep, 0};
		append_raw(&b, &len, &cap, s);
		append_encoded(&b, &len, &cap, k, NULL);
		append_raw(&b, &len, &cap, "=");
		append_encoded(&b, &len, &cap, v, NULL);
		sep = '&';
	}
	return b;
}

void dburl_free(struct dburl *u)
{
	if (!u)
		return;
	free(u->user);
	free_secret(u->password);
	free(u->host);
	free(u->port);
	free(u->dbname);
	free(u->sslmode);
	free(u->sslrootcert);
	for (size_t i = 0; i < 2 * u->nparams; i++)
		free(u->params[i]);
	free(u->params);
	memset(u, 0, sizeof *u);
}

static char *xstrndup_line(const char *s)
{
	size_t n = strcspn(s, "\n");
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

/* libpq's message, first line only; a message about percent-encoding would
 * quote the token (possibly the password), so it is replaced by ours. */
static int parse_error(char **cause, const char *err, const char *url)
{
	if (!err)
		return fail(cause, "not a valid URL");
	if (strstr(err, "percent"))
		return fail(cause, "a %%-escape is not %% followed by two hex digits, or decodes "
				   "to a NUL byte (write a literal %% as %%25)");
	char *msg = xstrndup_line(err);
	/* libpq quotes the whole URL in some messages: show it masked. */
	char *hit = strstr(msg, url);
	if (hit) {
		char *masked = dburl_mask(url);
		char *m2 = xasprintf("%.*s%s%s", (int)(hit - msg), msg, masked, hit + strlen(url));
		free(masked);
		free_secret(msg);
		msg = m2;
	}
	/* A quoted query parameter may be password=…: drop the quote. */
	char *q = strstr(msg, ": \"");
	if (q && strstr(q, "password"))
		*q = 0;
	fail(cause, "%s", msg);
	free_secret(msg);
	return -1;
}

int dburl_parse(const char *url, struct dburl *u, char **cause)
{
	memset(u, 0, sizeof *u);
	if (!url || (strncmp(url, "postgresql://", 13) != 0 && strncmp(url, "postgres://", 11) != 0))
		return fail(cause, "must start with postgresql:// (a URL such as "
				   "postgresql://USER:PASS@HOST:PORT/DB)");
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &err);
	if (!opts) {
		parse_error(cause, err, url);
		PQfreemem(err);
		return -1;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		char **slot = NULL;
		if (strcmp(o->keyword, "user") == 0)
			slot = &u->user;
		else if (strcmp(o->keyword, "password") == 0)
			slot = &u->password;
		else if (strcmp(o->keyword, "host") == 0)
			slot = &u->host;
		else if (strcmp(o->keyword, "port") == 0)
			slot = &u->port;
		else if (strcmp(o->keyword, "dbname") == 0)
			slot = &u->dbname;
		else if (strcmp(o->keyword, "sslmode") == 0)
			slot = &u->sslmode;
		else if (strcmp(o->keyword, "sslrootcert") == 0)
			slot = &u->sslrootcert;
		if (slot) {
			*slot = xstrdup(o->val);
		} else {
			u->params = xrealloc(u->params, (u->nparams + 1) * 2 * sizeof *u->params);
			u->params[2 * u->nparams] = xstrdup(o->keyword);
			u->params[2 * u->nparams + 1] = xstrdup(o->val);
			u->nparams++;
		}
	}
	/* Wipe the password out of libpq's copy before it is freed. */
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val && strcmp(o->keyword, "password") == 0)
			memset(o->val, 0, strlen(o->val));
	PQconninfoFree(opts);
	return 0;
}

/* Replace the value of every "password=" query parameter in URL with ****. */
static char *mask_query_passwords(char *url)
{
	char *q = strchr(url, '?');
	while (q) {
		char *p = q + 1;
		char *end = p + strcspn(p, "&");
		if (strncmp(p, "password=", 9) == 0 && strncmp(p + 9, "****", 4) != 0) {
			char *masked = xasprintf("%.*s****%s", (int)(p + 9 - url), url, end);
			size_t at = (size_t)(p + 9 + 4 - url);
			free_secret(url);
			url = masked;
			end = url + at;
		}
		q = *end ? end : NULL;
	}
	return url;
}

char *dburl_mask(const char *url)
{
	if (!url)
		return xstrdup("");
	const char *scheme = strstr(url, "://");
	if (!scheme)
		return xstrdup(url);
	const char *auth = scheme + 3;
	/* Like libpq, the user part ends at the last @ before the first /. */
	size_t alen = strcspn(auth, "/");
	const char *at = NULL;
	for (const char *p = auth; p < auth + alen; p++)
		if (*p == '@')
			at = p;
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	char *out = colon ? xasprintf("%.*s****%s", (int)(colon + 1 - url), url, at) : xstrdup(url);
	return mask_query_passwords(out);
}

/* DATABASE_URL building, parsing (through libpq) and masking. */
#include "dburl.h"

#include <libpq-fe.h>
#include <ctype.h>
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
	if (!url ||
	    (strncmp(url, "postgresql://", 13) != 0 && strncmp(url, "postgres://", 11) != 0))
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

/* Whether the N bytes at P name a keyword holding a secret. */
static bool secret_keyword(const char *p, size_t n)
{
	return (n == 8 && strncmp(p, "password", 8) == 0) ||
	       (n == 11 && strncmp(p, "sslpassword", 11) == 0);
}

/* Replace the value of every password= and sslpassword= query parameter of
 * the URL from QUERY on with ****. Takes URL (heap), returns the result. */
static char *mask_query_passwords(char *url, size_t query)
{
	char *q = strchr(url + query, '?');
	while (q) {
		char *p = q + 1;
		char *end = p + strcspn(p, "&");
		char *eq = memchr(p, '=', (size_t)(end - p));
		if (eq && secret_keyword(p, (size_t)(eq - p)) && strncmp(eq + 1, "****", 4) != 0) {
			char *masked = xasprintf("%.*s****%s", (int)(eq + 1 - url), url, end);
			size_t at = (size_t)(eq + 1 + 4 - url);
			free_secret(url);
			url = masked;
			end = url + at;
		}
		q = *end ? end : NULL;
	}
	return url;
}

/* A key=value conninfo with the value of every password or sslpassword
 * keyword replaced by ****, read as leniently as possible: a value is '…'
 * (backslash escapes, to the closing quote or the end) or runs to white
 * space (any isspace(), as libpq separates them). */
static char *mask_conninfo(const char *ci)
{
	size_t n = strlen(ci);
	char *out = xmalloc(n + 8 * (n / 8 + 1) + 8);
	size_t o = 0;
	const char *p = ci;
	while (*p) {
		const char *w = p;
		while (*w && *w != '=' && !isspace((unsigned char)*w))
			w++;
		const char *eq = w;
		while (isspace((unsigned char)*eq))
			eq++;
		if (*eq != '=') { /* not an assignment: copy one character */
			out[o++] = *p++;
			continue;
		}
		bool secret = secret_keyword(p, (size_t)(w - p));
		const char *v = eq + 1;
		while (isspace((unsigned char)*v))
			v++;
		const char *end = v;
		if (*end == '\'') {
			for (end++; *end && *end != '\''; end++)
				if (*end == '\\' && end[1])
					end++;
			if (*end)
				end++;
		} else {
			while (*end && !isspace((unsigned char)*end))
				end++;
		}
		memcpy(out + o, p, (size_t)(v - p));
		o += (size_t)(v - p);
		if (secret && end > v) {
			memcpy(out + o, "****", 4);
			o += 4;
		} else {
			memcpy(out + o, v, (size_t)(end - v));
			o += (size_t)(end - v);
		}
		p = end;
	}
	out[o] = 0;
	return out;
}

/* A URL as typed, masked without trusting it to parse: the password runs
 * from the ':' after the user name to the LAST '@' (a generated password may
 * hold an unescaped '/', '?' or '@'); hiding too much is the safe error.
 * Then password= and sslpassword= parameters. */
char *dburl_mask(const char *url)
{
	if (!url)
		return xstrdup("");
	const char *scheme = strstr(url, "://");
	if (!scheme)
		return mask_conninfo(url);
	const char *auth = scheme + 3;
	const char *user_end = auth + strcspn(auth, ":@/?");
	const char *at = strrchr(auth, '@');
	char *out;
	size_t query;
	if (*user_end == ':' && at && at > user_end) {
		out = xasprintf("%.*s****%s", (int)(user_end + 1 - url), url, at);
		query = (size_t)(user_end + 1 - url) + 4;
	} else {
		out = xstrdup(url);
		query = (size_t)(auth - url);
	}
	return mask_query_passwords(out, query);
}

/* Where the first password in S is, as typed (a URL's user:PASSWORD@, else
 * the value of password= or sslpassword=), read leniently like dburl_mask:
 * bytes [*START, *END). false when there is none. */
static bool password_span(const char *s, size_t *start, size_t *end)
{
	const char *scheme = strstr(s, "://");
	if (scheme) {
		const char *auth = scheme + 3;
		const char *user_end = auth + strcspn(auth, ":@/?");
		const char *at = strrchr(auth, '@');
		if (*user_end == ':' && at && at > user_end + 1) {
			*start = (size_t)(user_end + 1 - s);
			*end = (size_t)(at - s);
			return true;
		}
	}
	const char *kw[] = {"password", "sslpassword"};
	for (int k = 0; k < 2; k++)
		for (const char *p = strstr(s, kw[k]); p; p = strstr(p + 1, kw[k])) {
			const char *v = p + strlen(kw[k]);
			while (isspace((unsigned char)*v))
				v++;
			if (*v != '=')
				continue;
			v++;
			while (isspace((unsigned char)*v) || *v == '\'')
				v++;
			size_t n = strcspn(v, " \t\n\v\f\r&'");
			if (n) {
				*start = (size_t)(v - s);
				*end = *start + n;
				return true;
			}
		}
	return false;
}

/* The first password in S as typed (password_span); NULL when none. Caller
 * frees (free_secret). */
static char *typed_password(const char *s)
{
	size_t a, b;
	return password_span(s, &a, &b) ? xasprintf("%.*s", (int)(b - a), s + a) : NULL;
}

/* Whether TOKEN (N bytes) shares 4 characters in a row with PW, or holds all
 * of a shorter PW. */
static bool shares_secret(const char *token, size_t n, const char *pw)
{
	size_t m = strlen(pw);
	if (m == 0)
		return false;
	size_t w = m < 4 ? m : 4;
	for (size_t i = 0; i + w <= n; i++)
		for (size_t j = 0; j + w <= m; j++)
			if (memcmp(token + i, pw + j, w) == 0)
				return true;
	return false;
}

bool dburl_secret_part(const char *token, size_t n, const char *typed)
{
	size_t ps, pe;
	if (!token || !typed || n == 0 || !password_span(typed, &ps, &pe))
		return false;
	/* a value libpq cut out of a malformed URL: found in what was typed,
	 * and only where it overlaps the password */
	bool inside = false;
	size_t len = strlen(typed);
	for (size_t at = 0; at + n <= len; at++) {
		if (memcmp(typed + at, token, n) != 0)
			continue;
		if (at + n <= ps || at >= pe)
			return false; /* also outside the password: the user's own value */
		inside = true;
	}
	if (inside)
		return true;
	char *pw = xasprintf("%.*s", (int)(pe - ps), typed + ps);
	bool shares = n >= 4 && shares_secret(token, n, pw);
	free_secret(pw);
	return shares;
}

char *dburl_scrub(const char *msg, const char *typed)
{
	char *out = xstrdup(msg ? msg : "");
	if (!typed || !dburl_has_password(typed))
		return out;
	/* libpq quotes the token it could not read: hide any that holds part
	 * of the password */
	size_t o = 0;
	for (const char *p = msg; *p;) {
		const char *q = strchr(p, '"');
		const char *e = q ? strchr(q + 1, '"') : NULL;
		if (!e) {
			o += (size_t)sprintf(out + o, "%s", p);
			break;
		}
		memcpy(out + o, p, (size_t)(q + 1 - p));
		o += (size_t)(q + 1 - p);
		if (dburl_secret_part(q + 1, (size_t)(e - q - 1), typed)) {
			memcpy(out + o, "****", 4);
			o += 4;
		} else {
			memcpy(out + o, q + 1, (size_t)(e - q - 1));
			o += (size_t)(e - q - 1);
		}
		out[o++] = '"';
		p = e + 1;
	}
	out[o] = 0;
	return out;
}

bool dburl_has_password(const char *typed)
{
	char *pw = typed ? typed_password(typed) : NULL;
	bool has = pw && *pw;
	free_secret(pw);
	return has;
}

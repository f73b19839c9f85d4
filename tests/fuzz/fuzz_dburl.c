/* Fuzz the DATABASE_URL builder. The input is the parts of a URL separated
 * by NUL bytes: user, password, host, port, dbname, sslmode, sslrootcert,
 * then extra parameters, each a byte choosing a libpq keyword followed by its
 * value. Properties: libpq's PQconninfoParse reads the built URL back to the
 * same parts; dburl_parse agrees; the masked URL reads back the same except
 * a password (and an sslpassword) of "****"; a cause for a bad URL never holds the password. The
 * whole input is also tried as a URL of its own. */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dburl.h"
#include "fuzz_common.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { NFIXED = 7, MAXPARAMS = 8 };
static const char *const fixed_kw[NFIXED] = {"user",   "password", "host",       "port",
					     "dbname", "sslmode",  "sslrootcert"};
static char *extra_kw[64]; /* libpq's other keywords */
static size_t n_extra;

static void load_keywords(void)
{
	PQconninfoOption *d = PQconndefaults();
	for (PQconninfoOption *o = d; o && o->keyword && n_extra < 64; o++) {
		bool fixed = false;
		for (int i = 0; i < NFIXED; i++)
			fixed |= strcmp(o->keyword, fixed_kw[i]) == 0;
		if (!fixed)
			extra_kw[n_extra++] = xstrdup(o->keyword);
	}
	PQconninfoFree(d);
}

static bool set(const char *s)
{
	return s && *s;
}

/* The value libpq read for KEYWORD, or "". */
static const char *opt(PQconninfoOption *opts, const char *keyword)
{
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0)
			return o->val ? o->val : "";
	return "";
}

static const char *part(const struct dburl *u, int i)
{
	const char *v[NFIXED] = {u->user,   u->password, u->host,       u->port,
				 u->dbname, u->sslmode,  u->sslrootcert};
	return v[i] ? v[i] : "";
}

static const char *param(const struct dburl *u, const char *kw)
{
	for (size_t i = 0; i < u->nparams; i++)
		if (strcmp(u->params[2 * i], kw) == 0)
			return u->params[2 * i + 1];
	return "";
}

/* U read back as GOT (from dburl_parse), with PASSWORD in place of U's;
 * MASKED: read from dburl_mask's URL, where an sslpassword reads "****" too. */
static void check_same(const struct dburl *u, const struct dburl *got, const char *password,
		       bool masked, const char *url)
{
	for (int i = 0; i < NFIXED; i++) {
		const char *want = i == 1 ? password : part(u, i);
		FUZZ_CHECK(strcmp(want, part(got, i)) == 0, "%s: [%s] came back as [%s] from %s",
			   fixed_kw[i], want, part(got, i), url);
	}
	size_t n = 0;
	for (size_t i = 0; i < u->nparams; i++) {
		const char *k = u->params[2 * i], *v = u->params[2 * i + 1];
		if (!set(k) || !set(v))
			continue;
		n++;
		if (masked && strcmp(k, "sslpassword") == 0)
			v = "****";
		FUZZ_CHECK(strcmp(v, param(got, k)) == 0, "%s: [%s] came back as [%s] from %s", k,
			   v, param(got, k), url);
	}
	FUZZ_CHECK(got->nparams == n, "%zu parameters came back as %zu from %s", n, got->nparams,
		   url);
}

/* The cause dburl_parse gives for URL (which must be bad). Caller frees. */
static char *bad_cause(const char *url)
{
	struct dburl got;
	char *cause = NULL;
	int rc = dburl_parse(url, &got, &cause);
	FUZZ_CHECK(rc != 0, "a bad URL was accepted: %s", url);
	FUZZ_CHECK(cause && *cause, "no cause for %s", url);
	dburl_free(&got);
	return cause;
}

/* U's URL spoiled: an unknown parameter (HOW 0), or a bad %-escape right
 * after the password (HOW 1). Caller frees. */
static char *spoil(const struct dburl *u, int how)
{
	char *url = dburl_build(u), *bad = NULL;
	if (how == 0) {
		bad = xasprintf("%s%cnosuchparameter=1", url, strchr(url, '?') ? '&' : '?');
	} else {
		/* postgresql://USER:PASSWORD@… */
		char *user = dburl_encode(u->user ? u->user : "");
		char *enc = dburl_encode(u->password);
		size_t at = strlen("postgresql://") + strlen(user) + 1 + strlen(enc);
		FUZZ_CHECK(at < strlen(url) && url[at] == '@', "no password where expected in %s",
			   url);
		bad = xasprintf("%.*s%%G%s", (int)at, url, url + at);
		free(user);
		free_secret(enc);
	}
	free_secret(url);
	return bad;
}

/* A cause for a spoiled URL holds the password (as is or encoded) only when
 * the same URL with another password gives a cause holding it too (libpq's
 * own words, the other parts). */
static void check_cause(struct dburl *u, int how)
{
	char *bad = spoil(u, how);
	if (!bad)
		return;
	char *cause = bad_cause(bad);
	char *password = u->password;
	u->password = (char *)"x";
	char *ref_url = spoil(u, how);
	u->password = password;
	char *ref = ref_url ? bad_cause(ref_url) : xstrdup("");
	char *enc = dburl_encode(password);
	const char *secrets[] = {password, enc};
	for (int i = 0; i < 2; i++)
		if (strlen(secrets[i]) >= 4 && !strstr(ref, secrets[i]))
			FUZZ_CHECK(!strstr(cause, secrets[i]),
				   "the cause [%s] repeats the password", cause);
	free_secret(enc);
	free(ref);
	free_secret(ref_url);
	free_secret(cause);
	free_secret(bad);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!n_extra)
		load_keywords();

	/* The whole input as a URL: no crash, no leak. */
	char *raw = fuzz_strndup(data, size);
	struct dburl any;
	char *cause = NULL;
	if (dburl_parse(raw, &any, &cause) == 0)
		dburl_free(&any);
	free_secret(cause);
	cause = NULL;
	free_secret(dburl_mask(raw));
	free_secret(raw);

	/* Split into parts. */
	char *fields[NFIXED + MAXPARAMS] = {0};
	size_t nf = 0, start = 0;
	for (size_t i = 0; i <= size && nf < NFIXED + MAXPARAMS; i++)
		if (i == size || data[i] == 0) {
			fields[nf++] = fuzz_strndup(data + start, i - start);
			start = i + 1;
		}
	struct dburl u = {0};
	char **slots[NFIXED] = {&u.user,   &u.password, &u.host,       &u.port,
				&u.dbname, &u.sslmode,  &u.sslrootcert};
	for (size_t i = 0; i < NFIXED && i < nf; i++)
		*slots[i] = fields[i];
	u.params = xcalloc(2 * MAXPARAMS, sizeof *u.params);
	for (size_t i = NFIXED; i < nf; i++) {
		if (!fields[i][0])
			continue;
		const char *kw = extra_kw[(unsigned char)fields[i][0] % n_extra];
		bool dup = false;
		for (size_t j = 0; j < u.nparams; j++)
			dup |= strcmp(u.params[2 * j], kw) == 0;
		if (dup)
			continue;
		u.params[2 * u.nparams] = xstrdup(kw);
		u.params[2 * u.nparams + 1] = xstrdup(fields[i] + 1);
		u.nparams++;
	}

	char *url = dburl_build(&u);
	FUZZ_CHECK(strncmp(url, "postgresql://", 13) == 0, "built [%s]", url);

	/* libpq itself reads the parts back. */
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &err);
	FUZZ_CHECK(opts, "libpq rejects the built URL %s: %s", url, err ? err : "?");
	for (int i = 0; i < NFIXED; i++)
		FUZZ_CHECK(strcmp(part(&u, i), opt(opts, fixed_kw[i])) == 0,
			   "%s: [%s] came back as [%s] from %s", fixed_kw[i], part(&u, i),
			   opt(opts, fixed_kw[i]), url);
	for (size_t i = 0; i < u.nparams; i++)
		if (set(u.params[2 * i + 1]))
			FUZZ_CHECK(strcmp(u.params[2 * i + 1], opt(opts, u.params[2 * i])) == 0,
				   "%s: [%s] came back as [%s] from %s", u.params[2 * i],
				   u.params[2 * i + 1], opt(opts, u.params[2 * i]), url);
	PQconninfoFree(opts);

	/* dburl_parse agrees. */
	struct dburl got;
	FUZZ_CHECK(dburl_parse(url, &got, &cause) == 0, "dburl_parse: %s", cause);
	check_same(&u, &got, part(&u, 1), false, url);
	dburl_free(&got);

	/* The masked URL: the same, but the password reads "****". */
	char *masked = dburl_mask(url);
	FUZZ_CHECK(dburl_parse(masked, &got, &cause) == 0, "the masked URL %s: %s", masked, cause);
	check_same(&u, &got, set(u.password) ? "****" : "", true, masked);
	dburl_free(&got);
	free(masked);

	/* Bad URLs holding the password: an unknown parameter, a bad %-escape. */
	if (set(u.password)) {
		check_cause(&u, 0);
		check_cause(&u, 1);
	}

	free_secret(url);
	dburl_free(&u);
	for (size_t i = NFIXED; i < nf; i++)
		free(fields[i]);
	return 0;
}

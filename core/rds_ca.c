/* The RDS CA bundle: download once, check, cache, reuse. */
#include "rds_ca.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

#define PEM_BEGIN         "-----BEGIN CERTIFICATE-----"
#define PEM_END           "-----END CERTIFICATE-----"
#define MAX_BUNDLE        (4u << 20) /* the real bundle is about 160 KiB */
#define CONNECT_TIMEOUT_S 15L
#define TOTAL_TIMEOUT_S   60L

/* One caller at a time in this process: the probe and env steps may run in
 * different threads. */
static pthread_mutex_t ca_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The value of a base64 character, -1 when it is not one. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode the base64 body of one PEM block into OUT (at least LEN*3/4 bytes);
 * whitespace is skipped, '=' ends the data. The decoded length, or -1. */
static long b64_decode(const char *s, size_t len, unsigned char *out)
{
	unsigned acc = 0;
	int bits = 0;
	long n = 0;
	bool padded = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			padded = true;
			continue;
		}
		int v = b64_value(c);
		if (v < 0 || padded)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return n;
}

/* True when DER is exactly one SEQUENCE with a definite length. */
static bool der_is_one_sequence(const unsigned char *der, long n)
{
	if (n < 2 || der[0] != 0x30)
		return false;
	unsigned long body, hdr;
	if (der[1] < 0x80) {
		body = der[1];
		hdr = 2;
	} else {
		unsigned k = der[1] & 0x7f;
		if (k == 0 || k > 4 || (long)(2 + k) > n)
			return false;
		body = 0;
		for (unsigned i = 0; i < k; i++)
			body = (body << 8) | der[2 + i];
		hdr = 2 + k;
	}
	return hdr + body == (unsigned long)n;
}

int rds_ca_check_pem(const char *data, size_t len, char **cause)
{
	if (!data || len == 0)
		return fail(cause, _("it is empty"));
	if (memchr(data, 0, len))
		return fail(cause, _("it is binary data, not PEM text"));
	const size_t blen = strlen(PEM_BEGIN), elen = strlen(PEM_END);
	const char *p = data, *end = data + len;
	int certs = 0;
	for (;;) {
		const char *b = memmem(p, (size_t)(end - p), PEM_BEGIN, blen);
		if (!b)
			break;
		const char *body = b + blen;
		const char *e = memmem(body, (size_t)(end - body), PEM_END, elen);
		if (!e)
			return fail(cause, _("certificate %d has no \"%s\" line"), certs + 1,
				    PEM_END);
		const char *nested = memmem(body, (size_t)(e - body), PEM_BEGIN, blen);
		if (nested)
			return fail(cause, _("certificate %d is not closed before the next one"),
				    certs + 1);
		size_t n = (size_t)(e - body);
		unsigned char *der = xmalloc(n);
		long dn = b64_decode(body, n, der);
		bool good = dn > 0 && der_is_one_sequence(der, dn);
		free(der);
		if (!good)
			return fail(cause, _("certificate %d is not valid base64 DER"), certs + 1);
		certs++;
		p = e + elen;
	}
	if (certs == 0)
		return fail(cause, _("it holds no \"%s\" block"), PEM_BEGIN);
	return 0;
}

/* The cache directory: $XDG_CACHE_HOME/rds-migrate (absolute values only, as
 * the XDG spec says) or ~/.cache/rds-migrate. Heap. */
static char *cache_dir(char **cause)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/rds-migrate", xdg);
	const char *home = getenv("HOME");
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
	}
	if (!home) {
		fail(cause, _("no home directory to keep the RDS CA bundle in: set HOME or "
			      "XDG_CACHE_HOME, or set [target] sslrootcert"));
		return NULL;
	}
	return xasprintf("%s/.cache/rds-migrate", home);
}

char *rds_ca_cache_path(char **cause)
{
	char *dir = cache_dir(cause);
	if (!dir)
		return NULL;
	char *path = xasprintf("%s/%s", dir, RDS_CA_FILE);
	free(dir);
	return path;
}

/* mkdir -p DIR, each missing component with mode 0700. */
static int make_dirs(const char *dir, char **cause)
{
	char *d = xstrdup(dir);
	int rc = 0;
	for (char *s = d + 1;; s++) {
		if (*s != '/' && *s != 0)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(d, 0700) != 0 && errno != EEXIST) {
			rc = fail(cause, _("cannot create %s for the RDS CA bundle: %s"), d,
				  strerror(errno));
			break;
		}
		*s = c;
		if (c == 0)
			break;
	}
	struct stat st;
	if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		rc = fail(cause, _("%s is not a directory; cannot keep the RDS CA bundle there"),
			  dir);
	free(d);
	return rc;
}

/* Fetch URL into DL with TLS verification on and bounded timeouts. The
 * default URL may use https only; an override may also be http or file (a
 * mirror, or a test's loopback server). */
static int download(const char *url, bool overridden, struct body *dl, char **cause)
{
	pthread_once(&curl_once, curl_init_once);
	CURL *c = curl_easy_init();
	if (!c)
		return fail(cause, _("cannot start a download (libcurl)"));
	char err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, overridden ? "https,http,file" : "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, overridden ? "https,http" : "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE, (long)MAX_BUNDLE);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "rds-migrate/" RDSM_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, dl);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (dl->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return fail(cause, _("the answer is larger than %u MiB, not a CA bundle"),
			    MAX_BUNDLE >> 20);
	if (rc != CURLE_OK)
		return fail(cause, "%s", err[0] ? err : curl_easy_strerror(rc));
	return 0;
}

int rds_ca_ensure(const char *url_override, char **path, char **cause)
{
	*path = NULL;
	char *dir = cache_dir(cause);
	if (!dir)
		return -1;
	char *file = xasprintf("%s/%s", dir, RDS_CA_FILE);
	int rc = -1;
	pthread_mutex_lock(&ca_lock);

	/* A valid cached copy: no network. A damaged one is fetched again. */
	size_t len = 0;
	char *have = read_file(file, &len, NULL);
	bool cached = have && rds_ca_check_pem(have, len, NULL) == 0;
	free(have);
	if (cached) {
		*path = file;
		file = NULL;
		rc = 0;
		goto out;
	}

	bool overridden = url_override && *url_override;
	const char *url = overridden ? url_override : RDS_CA_URL_DEFAULT;
	struct body dl = {.max = MAX_BUNDLE};
	char *why = NULL;
	if (download(url, overridden, &dl, &why) != 0) {
		fail(cause,
		     _("cannot download the RDS CA bundle from %s: %s. Hint: download it yourself "
		       "(curl -o %s %s) or set [target] sslrootcert to a copy"),
		     url, why, file, url);
	} else if (rds_ca_check_pem(dl.p, dl.len, &why) != 0) {
		fail(cause,
		     _("the RDS CA bundle from %s is not a PEM certificate bundle: %s. Hint: check "
		       "the URL%s, or set [target] sslrootcert to a copy"),
		     url, why,
		     overridden ? " in " RDS_CA_URL_ENV : _(" (a proxy may answer instead)"));
	} else if (make_dirs(dir, cause) == 0 &&
		   atomic_write_own(file, dl.p, dl.len, 0644, cause) == 0) {
		*path = file;
		file = NULL;
		rc = 0;
	}
	free(why);
	free(dl.p);
out:
	pthread_mutex_unlock(&ca_lock);
	free(file);
	free(dir);
	return rc;
}

/* The AWS request layer: signed requests with libcurl's SigV4, answers
 * parsed with expat, errors mapped to code + message + a hint, retries. */
#include "aws_http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws_json.h"
#include "i18n.h"
#include "strbuf.h"
#include "util.h"

const struct aws_service aws_rds = {"RDS", "rds", "rds", "2014-10-31"};
const struct aws_service aws_ec2 = {"EC2", "ec2", "ec2", "2016-11-15"};
const struct aws_service aws_sts = {"STS", "sts", "sts", "2011-06-15"};
const struct aws_service aws_secretsmanager = {"SECRETS_MANAGER", "secretsmanager",
					       "secretsmanager", NULL};
const struct aws_service aws_sso = {"SSO", "awsssoportal", "portal.sso", NULL};
/* the Price List: its endpoints are in us-east-1 (and a few others) only */
const struct aws_service aws_pricing = {"PRICING", "pricing", "api.pricing", NULL};
const struct aws_service aws_cloudwatch = {"CLOUDWATCH", "monitoring", "monitoring", "2010-08-01"};
const struct aws_service aws_sns = {"SNS", "sns", "sns", "2010-03-31"};

/* Fetch temporary credentials again when they expire within the margin. A
 * failed refresh is an error only once the old ones have expired. */
static int creds_fresh(struct aws_ctx *a, const char *action, char **cause)
{
	time_t now = time(NULL);
	if (!a->creds.expires || !a->refresh || now + AWS_CREDS_REFRESH_MARGIN < a->creds.expires)
		return 0;
	char *why = NULL;
	if (a->refresh(a, &why) == 0)
		return 0;
	int rc = 0;
	if (now >= a->creds.expires)
		rc = fail(cause,
			  _("%s: the credentials (from %s) have expired and cannot be renewed: %s"),
			  action, a->creds.source ? a->creds.source : "?", why ? why : "?");
	free(why);
	return rc;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Form-encode S onto P the way botocore does (Python's quote_plus): RFC 3986
 * unreserved characters kept, space as '+', the rest %XX. AWS accepts any
 * correct form encoding; moto re-encodes the body this way before checking
 * the signature's payload hash, so %20 for a space would fail there. */
static void params_put_encoded(struct aws_params *p, const char *s)
{
	size_t n = strlen(s);
	p->buf = xrealloc(p->buf, p->len + n * 3 + 2);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			p->buf[p->len++] = (char)c;
		else if (c == ' ')
			p->buf[p->len++] = '+';
		else
			p->len += (size_t)sprintf(p->buf + p->len, "%%%02X", c);
	}
	p->buf[p->len] = 0;
}

void aws_params_add(struct aws_params *p, const char *name, const char *value)
{
	if (p->len) {
		p->buf = xrealloc(p->buf, p->len + 2);
		p->buf[p->len++] = '&';
		p->buf[p->len] = 0;
	}
	params_put_encoded(p, name);
	p->buf = xrealloc(p->buf, p->len + 2);
	p->buf[p->len++] = '=';
	p->buf[p->len] = 0;
	params_put_encoded(p, value);
}

void aws_params_addf(struct aws_params *p, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v = xvasprintf(fmt, ap);
	va_end(ap);
	aws_params_add(p, name, v);
	free(v);
}

/* The value of hex digit C. */
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c - 'a' + 10;
}

char *aws_params_shown(const struct aws_params *p, const char *secret)
{
	struct strbuf out = STRBUF_INIT;
	const char *s = p->buf ? p->buf : "";
	while (*s) {
		size_t n = strcspn(s, "&");
		struct strbuf pair = STRBUF_INIT;
		for (size_t i = 0; i < n; i++) {
			char c = s[i];
			if (c == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
			    isxdigit((unsigned char)s[i + 2])) {
				c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
				i += 2;
			} else if (c == '+') {
				c = ' ';
			}
			strbuf_addn(&pair, &c, 1);
		}
		char *kv = strbuf_detach(&pair);
		size_t klen = strcspn(kv, "=");
		if (out.len)
			strbuf_add(&out, " ");
		if (secret && strlen(secret) == klen && strncmp(kv, secret, klen) == 0)
			strbuf_addf(&out, "%.*s=****", (int)klen, kv);
		else
			strbuf_add(&out, kv);
		free(kv);
		s += n;
		if (*s == '&')
			s++;
	}
	return strbuf_detach(&out);
}

void aws_params_append(struct aws_params *p, const struct aws_params *more)
{
	if (!more || !more->len)
		return;
	p->buf = xrealloc(p->buf, p->len + more->len + 2);
	if (p->len)
		p->buf[p->len++] = '&';
	memcpy(p->buf + p->len, more->buf, more->len + 1);
	p->len += more->len;
}

void aws_params_free(struct aws_params *p)
{
	free(p->buf);
	p->buf = NULL;
	p->len = 0;
}

void aws_key_hint(const char *key, char *out, size_t outsz)
{
	size_t n = key ? strlen(key) : 0;
	if (n >= 12)
		snprintf(out, outsz, "%.4s…%s", key, key + n - 4);
	else
		snprintf(out, outsz, "%s", n ? _("(short key)") : "(none)");
}

char *aws_endpoint(const struct aws_ctx *a, const struct aws_service *svc)
{
	char name[64];
	snprintf(name, sizeof name, "AWS_ENDPOINT_URL_%s", svc->env_id);
	const char *e = getenv(name);
	if (!e || !*e)
		e = getenv("AWS_ENDPOINT_URL");
	if (e && *e) {
		char *u = xstrdup(e);
		size_t n = strlen(u);
		while (n > 0 && u[n - 1] == '/')
			u[--n] = 0;
		return u;
	}
	const char *suffix =
		strncmp(a->region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
	return xasprintf("https://%s.%s.%s", svc->host, a->region, suffix);
}

struct hdrs {
	time_t server_date;
};

static size_t on_header(char *data, size_t sz, size_t n, void *ud)
{
	struct hdrs *h = ud;
	size_t len = sz * n;
	if (len > 5 && strncasecmp(data, "Date:", 5) == 0) {
		char tmp[96];
		size_t l = len - 5 < sizeof tmp - 1 ? len - 5 : sizeof tmp - 1;
		memcpy(tmp, data + 5, l);
		tmp[l] = 0;
		struct tm tm = {0};
		const char *s = tmp;
		while (*s == ' ')
			s++;
		if (strptime(s, "%a, %d %b %Y %H:%M:%S", &tm))
			h->server_date = timegm(&tm);
	}
	return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	atomic_int *cancel = ud;
	return cancel && atomic_load(cancel) ? 1 : 0;
}

/* One HTTP exchange. Returns the status (>0) or -1 with CURLCODE set. */
static long perform(const char *method, const char *url, const char *const *headers,
		    const char *body, const char *sigv4, const char *userpwd, long connect_ms,
		    long total_ms, atomic_int *cancel, struct body *out, struct hdrs *h,
		    CURLcode *curlcode, char *errbuf)
{
	pthread_once(&curl_once, curl_init_once);
	CURL *c = curl_easy_init();
	if (!c) {
		*curlcode = CURLE_FAILED_INIT;
		return -1;
	}
	struct curl_slist *hl = NULL;
	for (const char *const *x = headers; x && *x; x++)
		hl = curl_slist_append(hl, *x);
	errbuf[0] = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "rds-migrate/" RDSM_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total_ms);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, cancel);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	if (sigv4) {
		curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
	}
	*curlcode = curl_easy_perform(c);
	long status = -1;
	if (*curlcode == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return status;
}

/* The host part of URL, for messages. */
static void url_host(const char *url, char *out, size_t outsz)
{
	const char *s = strstr(url, "://");
	s = s ? s + 3 : url;
	size_t n = strcspn(s, "/?");
	snprintf(out, outsz, "%.*s", (int)n, s);
}

/* A message for a transport failure (no HTTP answer). */
static char *transport_cause(CURLcode cc, const char *errbuf, const char *url, const char *region,
			     long total_ms, int attempts)
{
	char host[256];
	url_host(url, host, sizeof host);
	const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(cc);
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return xasprintf(
			_("cannot resolve %s: no network or DNS, or no such region (%s) (%s)"),
			host, region ? region : "?", detail);
	case CURLE_COULDNT_CONNECT:
		return xasprintf(
			P_("cannot connect to %s (tried %d time): no network, a firewall, or a "
			   "proxy in the way (%s)",
			   "cannot connect to %s (tried %d times): no network, a firewall, or a "
			   "proxy in the way (%s)",
			   attempts),
			host, attempts, detail);
	case CURLE_OPERATION_TIMEDOUT:
		return xasprintf(
			P_("no answer from %s within %.0f s (tried %d time): the network or the "
			   "service is too slow; try again, or raise RDSM_AWS_TIMEOUT",
			   "no answer from %s within %.0f s (tried %d times): the network or the "
			   "service is too slow; try again, or raise RDSM_AWS_TIMEOUT",
			   attempts),
			host, (double)total_ms / 1000.0, attempts);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		return xasprintf(
			_("TLS with %s failed: %s (is the system CA bundle installed, or is a "
			  "proxy intercepting TLS?)"),
			host, detail);
	case CURLE_ABORTED_BY_CALLBACK:
		return xasprintf("interrupted");
	default:
		return xasprintf(_("request to %s failed: %s"), host, detail);
	}
}

static bool retryable_code(const char *code)
{
	static const char *const codes[] = {"Throttling",
					    "ThrottlingException",
					    "ThrottledException",
					    "RequestThrottledException",
					    "TooManyRequestsException",
					    "RequestLimitExceeded",
					    "RequestThrottled",
					    "SlowDown",
					    "EC2ThrottledException",
					    "PriorRequestNotComplete",
					    "InternalError",
					    "InternalFailure",
					    "ServiceUnavailable",
					    "ServiceUnavailableException",
					    "RequestTimeout",
					    "RequestTimeoutException",
					    "BandwidthLimitExceeded",
					    "TransactionInProgressException",
					    NULL};
	for (const char *const *c = codes; *c; c++)
		if (strcmp(code, *c) == 0)
			return true;
	return false;
}

/* Codes AWS answers when session credentials have expired. */
static bool expired_code(const char *code)
{
	return strcmp(code, "ExpiredToken") == 0 || strcmp(code, "ExpiredTokenException") == 0 ||
	       strcmp(code, "TokenRefreshRequired") == 0;
}

static bool retryable_curl(CURLcode cc)
{
	return cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_COULDNT_CONNECT ||
	       cc == CURLE_SEND_ERROR || cc == CURLE_RECV_ERROR || cc == CURLE_GOT_NOTHING ||
	       cc == CURLE_PARTIAL_FILE || cc == CURLE_HTTP2 || cc == CURLE_HTTP2_STREAM;
}

/* Fill ERR from an error answer: the Query shapes (RDS/STS
 * ErrorResponse/Error/Code, EC2 Response/Errors/Error/Code) or JSON. */
static void parse_error(const char *body, size_t len, bool json, struct aws_error *err)
{
	err->code[0] = err->message[0] = 0;
	if (!body || !len)
		return;
	if (json) {
		json_t *j = aws_json_parse(body, len, _("the error answer"), NULL);
		const char *type = json_string_value(json_object_get(j, "__type"));
		const char *msg = json_string_value(json_object_get(j, "message"));
		if (!msg)
			msg = json_string_value(json_object_get(j, "Message"));
		if (type) {
			const char *hash = strrchr(type, '#');
			snprintf(err->code, sizeof err->code, "%s", hash ? hash + 1 : type);
		}
		if (msg)
			snprintf(err->message, sizeof err->message, "%s", msg);
		json_decref(j);
		return;
	}
	struct xml_node *root = xml_parse(body, len, NULL);
	if (!root)
		return;
	const struct xml_node *e =
		strcmp(root->name, "Error") == 0 ? root : xml_find_deep(root, "Error");
	if (e) {
		snprintf(err->code, sizeof err->code, "%s", xml_text(e, "Code"));
		snprintf(err->message, sizeof err->message, "%s", xml_text(e, "Message"));
	}
	xml_free(root);
}

/* A cause for an error AWS answered with, with a hint where we know one. */
static char *error_cause(const struct aws_ctx *a, const char *action, const struct aws_error *err,
			 double skew)
{
	const char *c = err->code;
	char key[64];
	aws_key_hint(a->creds.access_key, key, sizeof key);
	const char *src = a->creds.source ? a->creds.source : "?";
	char base[800];
	if (*c)
		snprintf(base, sizeof base, "%s: %s%s%s", action, c, err->message[0] ? ": " : "",
			 err->message);
	else
		snprintf(base, sizeof base, "%s: HTTP %ld", action, err->http);
	bool skewed = skew > 300 || skew < -300;
	if (skewed &&
	    (strcmp(c, "SignatureDoesNotMatch") == 0 || strcmp(c, "RequestExpired") == 0 ||
	     strcmp(c, "InvalidSignatureException") == 0 || strcmp(c, "AuthFailure") == 0 ||
	     strcmp(c, "RequestTimeTooSkewed") == 0 || strstr(err->message, "Signature expired")))
		return xasprintf(
			_("%s — this machine's clock is %.0f s %s AWS's: fix the clock (NTP), "
			  "signatures are only accepted within 5 minutes"),
			base, skew < 0 ? -skew : skew, skew > 0 ? _("behind") : _("ahead of"));
	if (strcmp(c, "InvalidClientTokenId") == 0 ||
	    strcmp(c, "UnrecognizedClientException") == 0 || strcmp(c, "InvalidAccessKeyId") == 0 ||
	    strcmp(c, "AuthFailure") == 0 || strcmp(c, "InvalidUserID.NotFound") == 0)
		return xasprintf(
			_("%s — AWS does not accept the access key %s (from %s): check the "
			  "key, or pick another profile"),
			base, key, src);
	if (strcmp(c, "SignatureDoesNotMatch") == 0 || strcmp(c, "IncompleteSignature") == 0 ||
	    strcmp(c, "InvalidSignatureException") == 0)
		return xasprintf(
			_("%s — the secret key does not match the access key %s (from %s)"), base,
			key, src);
	if (strcmp(c, "ExpiredToken") == 0 || strcmp(c, "ExpiredTokenException") == 0 ||
	    strcmp(c, "RequestExpired") == 0 || strcmp(c, "TokenRefreshRequired") == 0)
		return xasprintf(
			_("%s — the session credentials (from %s) have expired: get new ones "
			  "(aws sso login, or refresh the profile)"),
			base, src);
	if (strcmp(c, "AccessDenied") == 0 || strcmp(c, "AccessDeniedException") == 0 ||
	    strcmp(c, "UnauthorizedOperation") == 0 || strcmp(c, "UnauthorizedAccess") == 0)
		return xasprintf(
			_("%s — the credentials (from %s) are not allowed to do this: an IAM "
			  "policy must grant it"),
			base, src);
	if (strcmp(c, "OptInRequired") == 0)
		return xasprintf(_("%s — the region %s is not enabled for this account"), base,
				 a->region);
	return xstrdup(base);
}

/* A number in [0, 1) for backoff jitter; thread-safe enough (xorshift per
 * thread, seeded from the clock and the thread's stack address). */
static double jitter(void)
{
	static _Thread_local unsigned long long x;
	if (!x) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = ((unsigned long long)ts.tv_nsec << 20) ^ (unsigned long long)(uintptr_t)&ts ^
		    (unsigned long long)ts.tv_sec;
		x |= 1;
	}
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (double)(x >> 11) / 9007199254740992.0;
}

/* Send one signed request with retries. Returns the answer's body (2xx) or
 * NULL with a cause (ERR filled when AWS answered). */
static char *aws_send(struct aws_ctx *a, const struct aws_service *svc, const char *action,
		      const char *const *headers, const char *body, bool json, size_t *len,
		      struct aws_error *err, char **cause)
{
	memset(err, 0, sizeof *err);
	if (!a->anonymous && creds_fresh(a, action, cause) < 0)
		return NULL;
	if (!a->anonymous && (!a->creds.access_key || !a->creds.secret_key)) {
		fail(cause, _("%s: no AWS credentials"), action);
		return NULL;
	}
	char *url = aws_endpoint(a, svc);
	size_t ulen = strlen(url);
	if (ulen == 0 || url[ulen - 1] != '/') {
		url = xrealloc(url, ulen + 2);
		strcpy(url + ulen, "/");
	}
	char sigv4[160];
	snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", a->region, svc->signing);
	char *userpwd = NULL, *tokhdr = NULL;
	const char *hv[12];
	bool refreshed = false;
	int max = a->max_attempts > 0 ? a->max_attempts : 5;
	char *result = NULL;
	for (int attempt = 1;; attempt++) {
		/* signed with the credentials as they are now (a refresh may change them) */
		free_secret(userpwd);
		free_secret(tokhdr);
		userpwd = tokhdr = NULL;
		size_t nh = 0;
		for (const char *const *hh = headers; hh && *hh && nh < 8; hh++)
			hv[nh++] = *hh;
		if (!a->anonymous) {
			userpwd = xasprintf("%s:%s", a->creds.access_key, a->creds.secret_key);
			if (a->creds.token && *a->creds.token) {
				tokhdr = xasprintf("X-Amz-Security-Token: %s", a->creds.token);
				hv[nh++] = tokhdr;
			}
		}
		hv[nh] = NULL;
		struct body out = {.max = 64u << 20};
		struct hdrs h = {0};
		CURLcode cc;
		char errbuf[CURL_ERROR_SIZE];
		long status = perform("POST", url, hv, body, a->anonymous ? NULL : sigv4, userpwd,
				      a->connect_timeout_ms, a->timeout_ms, a->cancel, &out, &h,
				      &cc, errbuf);
		char what[700];
		bool retry;
		if (status < 0) {
			if (a->cancel && atomic_load(a->cancel)) {
				fail(cause, "%s: interrupted", action);
				free(out.p);
				break;
			}
			retry = retryable_curl(cc) && attempt < max;
			if (!retry) {
				char *t = transport_cause(cc, errbuf, url, a->region, a->timeout_ms,
							  attempt);
				fail(cause, "%s: %s", action, t);
				free(t);
				free(out.p);
				break;
			}
			snprintf(what, sizeof what, "%s: %s", action,
				 cc == CURLE_OPERATION_TIMEDOUT ? _("no answer in time")
								: curl_easy_strerror(cc));
		} else if (status >= 200 && status < 300) {
			result = out.p ? out.p : xstrdup("");
			if (len)
				*len = out.len;
			break;
		} else {
			err->http = status;
			parse_error(out.p, out.len, json, err);
			/* temporary credentials that AWS already finds expired: fetch them
			 * again once and send again */
			if (!refreshed && a->refresh && !a->anonymous && expired_code(err->code) &&
			    attempt < max) {
				refreshed = true;
				char *why = NULL;
				if (a->refresh(a, &why) == 0) {
					free(out.p);
					continue;
				}
				free(why);
			}
			retry = (status >= 500 || status == 429 || retryable_code(err->code)) &&
				attempt < max;
			if (!retry) {
				double skew =
					h.server_date ? (double)(h.server_date - time(NULL)) : 0;
				char *t = error_cause(a, action, err, skew);
				if ((status >= 500 || status == 429 || retryable_code(err->code)) &&
				    attempt > 1)
					fail(cause, "%s (after %d attempts)", t, attempt);
				else
					fail(cause, "%s", t);
				free(t);
				free(out.p);
				break;
			}
			snprintf(what, sizeof what, "%s: %s", action,
				 err->code[0] ? err->code : _("server error"));
			if (status >= 500 && !err->code[0])
				snprintf(what, sizeof what, "%s: HTTP %ld", action, status);
		}
		free(out.p);
		/* capped exponential backoff with jitter: half fixed, half random */
		double d = 0.2 * (double)(1u << (attempt - 1 < 6 ? attempt - 1 : 6));
		if (d > 10)
			d = 10;
		d = d / 2 + d / 2 * jitter();
		if (a->on_retry) {
			char msg[800];
			snprintf(msg, sizeof msg, "%s; retry %d of %d in %.1f s", what, attempt + 1,
				 max, d);
			a->on_retry(a->ud, msg);
		}
		if (sleep_cancellable(d, a->cancel) < 0) {
			fail(cause, "%s: interrupted", action);
			break;
		}
	}
	free_secret(tokhdr);
	free_secret(userpwd);
	free(url);
	return result;
}

struct xml_node *aws_query(struct aws_ctx *a, const struct aws_service *svc, const char *action,
			   const struct aws_params *params, struct aws_error *err, char **cause)
{
	struct aws_params body = {0};
	aws_params_add(&body, "Action", action);
	aws_params_add(&body, "Version", svc->version);
	aws_params_append(&body, params);
	static const char *const hdrs[] = {
		"Content-Type: application/x-www-form-urlencoded; charset=utf-8", NULL};
	size_t len = 0;
	struct aws_error local;
	char *ans =
		aws_send(a, svc, action, hdrs, body.buf, false, &len, err ? err : &local, cause);
	free_secret(body.buf); /* may hold MasterUserPassword */
	if (!ans)
		return NULL;
	char *why = NULL;
	struct xml_node *root = xml_parse(ans, len, &why);
	if (!root) {
		fail(cause, "%s: %s", action, why);
		free(why);
	}
	free(ans);
	return root;
}

char *aws_call_json(struct aws_ctx *a, const struct aws_service *svc, const char *target,
		    const char *body, struct aws_error *err, char **cause)
{
	char *th = xasprintf("X-Amz-Target: %s", target);
	const char *hdrs[] = {"Content-Type: application/x-amz-json-1.1", th, NULL};
	const char *dot = strrchr(target, '.');
	struct aws_error local;
	char *ans = aws_send(a, svc, dot ? dot + 1 : target, hdrs, body, true, NULL,
			     err ? err : &local, cause);
	free(th);
	return ans;
}

long aws_http_plain(const char *method, const char *url, const char *const *headers,
		    long timeout_ms, char **body, char **cause)
{
	struct body out = {.max = 1u << 20};
	struct hdrs h = {0};
	CURLcode cc;
	char errbuf[CURL_ERROR_SIZE];
	long status = perform(method, url, headers, strcmp(method, "PUT") == 0 ? "" : NULL, NULL,
			      NULL, timeout_ms, timeout_ms, NULL, &out, &h, &cc, errbuf);
	if (status < 0) {
		char *t = transport_cause(cc, errbuf, url, NULL, timeout_ms, 1);
		fail(cause, "%s", t);
		free(t);
		free(out.p);
		*body = NULL;
		return -1;
	}
	*body = out.p ? out.p : xstrdup("");
	return status;
}

/* The application's health check: libcurl GETs until 2xx or the deadline. */
#include "health.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define HEALTH_EVERY_S   0.5
#define HEALTH_ATTEMPT_S 5.0

/* One GET; the HTTP status (0 when none came) and, when it is not 2xx, why in RES->last. */
static long health_once(const char *url, double max_s, struct health_result *res)
{
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(res->last, sizeof res->last, "cannot start a request (libcurl)");
		return 0;
	}
	char err[CURL_ERROR_SIZE] = "";
	struct body b = {.max = 200};
	long ms = (long)(max_s * 1000) + 1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "rds-migrate/" RDSM_VERSION " (health check)");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	if (rc == CURLE_OK || rc == CURLE_WRITE_ERROR)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (status >= 200 && status < 300) {
		free(b.p);
		return status;
	}
	if (status) {
		if (b.p)
			b.p[strcspn(b.p, "\r\n")] = 0; /* the first line */
		char *text = text_printable(b.p ? b.p : "");
		snprintf(res->last, sizeof res->last, "HTTP %ld%s%s", status, text[0] ? ": " : "",
			 text);
		free(text);
	} else {
		snprintf(res->last, sizeof res->last, "%s", err[0] ? err : curl_easy_strerror(rc));
	}
	free(b.p);
	return status;
}

int health_poll(const char *url, double timeout_s, atomic_int *cancel, struct health_result *res,
		char **cause)
{
	memset(res, 0, sizeof *res);
	double t0 = now_monotonic(), end = t0 + timeout_s;
	for (;;) {
		double left = end - now_monotonic();
		res->attempts++;
		res->http_status = health_once(
			url, left < HEALTH_ATTEMPT_S && left > 0.2 ? left : HEALTH_ATTEMPT_S, res);
		res->seconds = now_monotonic() - t0;
		if (res->http_status >= 200 && res->http_status < 300) {
			res->healthy = true;
			return 0;
		}
		if (cancel && atomic_load(cancel))
			return fail(cause, "interrupted; the last answer: %s", res->last);
		if (now_monotonic() + HEALTH_EVERY_S > end)
			break;
		usleep((useconds_t)(HEALTH_EVERY_S * 1e6));
	}
	return fail(cause, "no 2xx answer from %s within %.0f s (%d attempts); the last: %s", url,
		    timeout_s, res->attempts, res->last);
}

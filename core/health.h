/* The application's health check after a cutover: an http(s) URL polled
 * until it answers 2xx or the time is up. */
#ifndef RDSM_HEALTH_H
#define RDSM_HEALTH_H

#include <stdatomic.h>
#include <stdbool.h>

/* What the last attempt saw. */
struct health_result {
	bool healthy;     /* an answer 2xx came */
	long http_status; /* the last HTTP status, 0 when none came */
	int attempts;
	double seconds; /* from the first attempt to the answer (or the end) */
	char last[256]; /* the last failure in words: "HTTP 500: db down", "connection refused" */
};

/* GET URL every quarter second (each attempt at most 5 s) until it answers
 * 2xx or TIMEOUT_S seconds have passed; CANCEL (may be NULL) ends it early.
 * 0 when healthy, else -1 with *CAUSE. Redirects are not followed: a 3xx
 * is not healthy. */
int health_poll(const char *url, double timeout_s, atomic_int *cancel, struct health_result *res,
		char **cause);

#endif

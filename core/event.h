/* Events: how a running step tells a front end what is happening. */
#ifndef RDSM_EVENT_H
#define RDSM_EVENT_H

#include <stdint.h>

enum step_id {
	STEP_SOURCE,
	STEP_INSTANCE,
	STEP_NETWORK,
	STEP_PROBE,
	STEP_SCHEMA,
	STEP_DATA,
	STEP_VERIFY,
	STEP_ENV,
	STEP_COUNT
};

enum step_status { STATUS_PENDING, STATUS_RUNNING, STATUS_OK, STATUS_FAILED, STATUS_SKIPPED };

enum event_kind {
	EV_STEP_START, /* text: the step's title */
	EV_STATUS,     /* text: what is being done now */
	EV_PROGRESS,   /* item: table or "total"; done/total rows, bytes/bytes_total */
	EV_FINDING,    /* level + item + text: a fact worth showing (inventory line, rule, check) */
	EV_STEP_DONE,  /* text: one-line result */
	EV_STEP_FAILED,/* text: the cause and a hint */
	EV_STEP_SKIPPED/* text: why */
};

enum finding_level { LEVEL_INFO, LEVEL_OK, LEVEL_WARN, LEVEL_ERROR };

struct event {
	enum event_kind kind;
	enum step_id step;
	enum finding_level level;
	char item[128];
	char text[1024];
	int64_t done, total;
	int64_t bytes, bytes_total;
	enum progress_unit { UNIT_ROWS, UNIT_TABLES } unit; /* what done/total count */
	double elapsed; /* seconds since the step started */
};

/* A front end: receives events, answers questions. Both may be called from
 * any job thread; implementations must be thread-safe. */
struct sink {
	void (*emit)(void *ctx, const struct event *ev);
	/* Ask a yes/no question; returns 1 for yes. May block until answered. */
	int (*confirm)(void *ctx, enum step_id step, const char *question);
	void *ctx;
};

const char *step_name(enum step_id s);  /* "source", "instance", … */
const char *step_title(enum step_id s); /* "Source database", … */
int step_find(const char *name);        /* step id or -1 */
const char *level_name(enum finding_level l);

#endif

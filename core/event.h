/* Events: how a running step tells a front end what is happening. */
#ifndef RDSM_EVENT_H
#define RDSM_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "step.h"

enum step_status { STATUS_PENDING, STATUS_RUNNING, STATUS_OK, STATUS_FAILED, STATUS_SKIPPED };

enum event_kind {
	EV_STEP_START, /* text: the step's title */
	EV_STATUS,     /* text: what is being done now */
	EV_PROGRESS, /* item: a table, or "total" with EVF_TOTAL; done/total rows, bytes/bytes_total */
	EV_FINDING,   /* level + item + text: a fact worth showing (inventory line, rule, check) */
	EV_STEP_DONE, /* text: one-line result; with EVF_INCOMPLETE (and LEVEL_WARN): done,
			* but objects named as not copied were left out */
	EV_STEP_FAILED,  /* text: the cause and a hint */
	EV_STEP_SKIPPED, /* text: why */
	EV_REPLICATION   /* live mode's changes flowing: phase, lag_bytes, lag_seconds,
			  * done = rows applied since the step started, total = tables */
};

/* Where logical replication stands (EV_REPLICATION). */
enum repl_phase {
	REPL_CATCHING_UP, /* the target is behind the point it must reach */
	REPL_CAUGHT_UP,   /* it has applied everything up to that point */
	REPL_STALLED,     /* the apply fails or its worker is gone (a finding says why) */
};

enum finding_level { LEVEL_INFO, LEVEL_OK, LEVEL_WARN, LEVEL_ERROR };

/* What a finding means to a front end beyond its level; the text is for
 * people only, and no front end reads it. */
enum finding_code {
	FIND_NONE,
	FIND_WORLD_OPEN,     /* the step's verdict: the port is open to the whole internet */
	FIND_SLOT_HOLDS_WAL, /* a replication slot of ours keeps WAL on the source */
};

/* Flags on an event. */
enum event_flag {
	EVF_TOTAL = 1 << 0,      /* EV_PROGRESS: the step's total, not one item */
	EVF_INCOMPLETE = 1 << 1, /* EV_STEP_DONE: objects were left out: never shown as plain ok */
	EVF_DETAIL = 1 << 2,     /* EV_STATUS: for the log (--log) only, not the screen or stdout */
};

struct event {
	enum event_kind kind;
	int step; /* the index of the step in steps[] */
	enum finding_level level;
	enum finding_code code; /* EV_FINDING */
	unsigned flags;         /* enum event_flag */
	char item[128];
	char text[1024];
	int64_t done, total;
	int64_t bytes, bytes_total;
	enum progress_unit { UNIT_ROWS, UNIT_TABLES } unit; /* what done/total count */
	double elapsed;                                     /* seconds since the step started */
	enum repl_phase phase;                              /* EV_REPLICATION */
	int64_t lag_bytes;  /* EV_REPLICATION: WAL the target has not confirmed */
	double lag_seconds; /* EV_REPLICATION: how late the applied changes are */
};

/* A front end: receives events, answers questions. Both may be called from
 * any job thread; implementations must be thread-safe. */
struct sink {
	void (*emit)(void *ctx, const struct event *ev);
	/* Ask a yes/no question; returns 1 for yes. May block until answered. */
	int (*confirm)(void *ctx, int step, const char *question);
	/* Ask for a secret typed masked (an MFA code): 1 with ANSWER (N bytes)
	 * filled, 0 when declined. NULL: this front end cannot ask (--plain). */
	int (*ask_secret)(void *ctx, int step, const char *question, char *answer, size_t n);
	void *ctx;
};

const char *level_name(enum finding_level l);

#endif

/* Jobs: steps run in threads; their events reach the UI loop through a queue
 * and a pipe. No curses here. */
#ifndef RDSM_TUI_JOBS_H
#define RDSM_TUI_JOBS_H

#include <stdbool.h>

#include "config.h"
#include "event.h"
#include "state.h"
#include "tui.h"

struct job;

enum job_msg_kind {
	JM_EVENT,   /* ev holds an event of the job */
	JM_DONE,    /* the job ended; rc is run_steps' result */
	JM_CONFIRM, /* the job asks ev.text; answer with job_answer(job, …) then job_release */
	JM_ASK,     /* the job asks ev.text for a secret typed masked (an MFA code):
		     * job_answer_text(job, text), or job_answer(job, false) to
		     * decline, then job_release */
};

struct job_msg {
	enum job_msg_kind kind;
	unsigned id;  /* the job it came from */
	bool inspect; /* the job only looks */
	int rc;
	struct job *job; /* JM_CONFIRM, JM_ASK: a reference the receiver must release */
	struct event ev;
};

/* Set up the queue; returns the fd the loop polls, or -1. */
int jobs_init(void);
/* Pop the next message; false when the queue is empty (drains the pipe). */
bool jobs_pop(struct job_msg *m);
/* Wait up to SECONDS for every job thread to end (cancel them first). */
int jobs_wait(double seconds); /* returns how many jobs still run */

/* Start the steps in MASK (in order, stopping at the first failure) on a
 * private copy of CFG, with the front end's options OPT (--force,
 * --allow-world, the knobs). Returns a handle the caller releases with
 * job_release. */
struct job *job_start(const struct config *cfg, struct state *st, unsigned mask, bool inspect,
		      const struct tui_options *opt);
unsigned job_id(const struct job *j);
void job_cancel(struct job *j);
bool job_cancelled(struct job *j);
void job_answer(struct job *j, bool yes);
/* Answer a JM_ASK with TEXT (copied, then wiped by the job). */
void job_answer_text(struct job *j, const char *text);
struct job *job_ref(struct job *j);
void job_release(struct job *j);

#endif

/* The steps of a migration. Each is one const struct step, defined in its own
 * file (core/step_NAME.c) beside the function that does it; STEP_LIST names
 * them in the order a run takes them. Adding a step is its file and one
 * entry in STEP_LIST (as tmux adds a command: its cmd_entry and a line in
 * cmd_table[]). A step is known elsewhere by its index in steps[]; a set of
 * steps is a bit mask of indices. */
#ifndef RDSM_STEP_H
#define RDSM_STEP_H

#include <stdbool.h>

struct run;

struct step {
	const char *name;  /* "source": on the command line, in --plain lines, in logs */
	const char *title; /* "Source database": headings and dialogs */
	const char *what;  /* what it does, in one line (the Welcome screen) */
	bool on_request;   /* run only when named (--plain STEP, or chosen in the wizard);
			    * not part of "every step" */
	/* 0 on success, -1 with *cause (heap) on failure, 1 when skipped with
	 * *cause saying why. */
	int (*run)(struct run *r, char **cause);
};

/* The steps, in run order: X(name) for the struct step step_NAME. */
/* One line, so adding a step is a one-line change. */
/* clang-format off */
#define STEP_LIST(X) X(source) X(instance) X(network) X(probe) X(schema) X(data) X(replicate) X(cutover) X(verify) X(env) X(monitor) X(compare) X(cleanup)
/* clang-format on */

#define STEP_DECLARE(n) extern const struct step step_##n;
STEP_LIST(STEP_DECLARE)
#undef STEP_DECLARE

#define STEP_MAX 32 /* a set of steps is an unsigned bit mask */

extern const struct step *const steps[]; /* in run order */
extern const int step_count;

/* The index of S in steps[] (its bit in a mask is 1u << index). */
int step_index(const struct step *s);
/* The bit mask of every step a run takes when none is named (those not
 * on_request). */
unsigned step_all(void);
const char *step_name(int i);    /* "source", "instance", …; "?" out of range */
const char *step_title(int i);   /* "Source database", …; "?" out of range */
int step_find(const char *name); /* index, or -1 */

#endif

/* The plain front end: steps run on this thread, one line per event on stdout. */
#ifndef RDSM_PLAIN_H
#define RDSM_PLAIN_H

#include <stdbool.h>

#include "config.h"
#include "state.h"

struct run_knobs;

struct plain_options {
	unsigned steps; /* bit per step id */
	bool force;
	bool yes;
	bool allow_world; /* --allow-world */
	const char *log_path;
	const struct run_knobs *knobs; /* the RDSM_* knobs, read once (main.c) */
};

/* Every step succeeded, but objects named as not copied were left out (the
 * user confirmed going on without them): the target is not identical. */
#define PLAIN_EXIT_INCOMPLETE 3

/* Run the steps; returns the exit code (0, 1, PLAIN_EXIT_INCOMPLETE or 130). */
int plain_run(struct config *cfg, struct state *st, const struct plain_options *opt);

#endif

/* The ncurses front end. */
#ifndef RDSM_TUI_H
#define RDSM_TUI_H

#include <stdbool.h>

#include "config.h"
#include "state.h"

struct run_knobs;

struct tui_options {
	const char *theme;                    /* --theme NAME, or NULL for the default */
	const char *log_path;                 /* --log FILE, or NULL */
	bool force;                           /* --force: truncate non-empty target tables */
	bool allow_world;                     /* --allow-world: allow rules wider than /24 (/56) */
	const struct problems *load_problems; /* what config_load reported */
	const struct run_knobs *knobs;        /* the RDSM_* knobs, read once (main.c) */
};

/* Run the wizard until the user quits. Returns the process exit code
 * (0 done or quit, 1 a step failed, 130 interrupted). */
int tui_run(struct config *cfg, struct state *st, const struct tui_options *opt);

#endif

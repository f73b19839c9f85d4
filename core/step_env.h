/* The env step's writer, which the cutover (live mode) uses as well. */
#ifndef RDSM_STEP_ENV_H
#define RDSM_STEP_ENV_H

#include "run.h"

/* Write the target's URL as [env] key into [env] file, keeping every other
 * line (the old file kept as .bak), and report it as findings. 0 with a
 * one-line summary in *CAUSE, or -1 with the reason. */
int step_env_write(struct run *r, char **cause);

#endif

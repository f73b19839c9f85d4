/* What the cutover step tells the other steps of a live run. */
#ifndef RDSM_STEP_CUTOVER_H
#define RDSM_STEP_CUTOVER_H

#include <stdbool.h>

struct run;

/* Whether a cutover has begun and not been rolled back (the phase the step
 * records in the state): the target may hold the application's writes, so
 * the live copy must not start again. *PHASE gets the phase's name ("none",
 * "stop", …, "done", "rolled-back"). */
bool cutover_begun(struct run *r, const char **phase);

#endif

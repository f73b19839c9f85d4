/* The replicate step (live mode): the target subscribes to our slot, the
 * changes made since the data step's snapshot flow, and the step returns
 * once the target has caught up (replication keeps flowing). */
#include <stdlib.h>

#include "replica.h"
#include "run.h"
#include "util.h"

static int replicate_run(struct run *r, char **cause)
{
	if (!run_live(r)) {
		*cause = xstrdup("offline mode: nothing to replicate ([migrate] mode = live "
				 "replicates)");
		return 1;
	}
	return fail(cause, "replicate: not built yet");
}

const struct step step_replicate = {
	.name = "replicate",
	.title = "Replicate",
	.what = "live mode: stream the changes made since the copy, until caught up",
	.run = replicate_run,
};

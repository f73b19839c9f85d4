/* The replicate step (live mode): the target subscribes to our slot, the
 * changes made since the data step's snapshot flow, and the step returns
 * once the target has caught up (replication keeps flowing). */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "replica.h"
#include "step_cutover.h"
#include "run.h"
#include "util.h"

static int replicate_run(struct run *r, char **cause)
{
	if (!run_live(r)) {
		*cause = xstrdup(_("offline mode: nothing to replicate ([migrate] mode = live "
				   "replicates)"));
		return 1;
	}
	if (r->inspect) {
		if (r->dry_run)
			replica_would_subscribe(r);
		*cause = xstrdup(_("replicate creates the subscription on the target: run it to "
				   "start the changes flowing"));
		return 1;
	}
	const char *phase;
	if (cutover_begun(r, &phase) && strcmp(phase, "done") == 0) {
		*cause = xstrdup(_("the cutover switched the application to the target: nothing "
				   "to replicate"));
		return 1;
	}
	if (replica_copy_get(r) != RC_DONE)
		return fail(cause,
			    _("the live copy is not done: run the data step first (it copies "
			      "from our slot's snapshot)"));
	if (replica_subscribe(r, cause) != 0)
		return -1;
	char *summary = NULL;
	int rc = replica_catch_up(r, &summary, cause);
	if (rc == 0) {
		free(*cause);
		*cause = summary;
		return 0;
	}
	free(summary);
	return -1; /* 130: interrupted; the subscription goes on, running again resumes */
}

const struct step step_replicate = {
	.name = "replicate",
	.title = N_("Replicate"),
	.what = N_("live mode: stream the changes made since the copy, until caught up"),
	.run = replicate_run,
};

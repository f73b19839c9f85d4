/* The cleanup step (on request): drop what a live run left, the
 * subscription on the target, the slot and the publication on the source. */
#include <stdlib.h>

#include "replica.h"
#include "run.h"
#include "util.h"

static int cleanup_run(struct run *r, char **cause)
{
	if (r->inspect) {
		*cause = xstrdup("cleanup drops our subscription, slot and publication: run it "
				 "to drop them");
		return 1;
	}
	return replica_drop(r, cause);
}

const struct step step_cleanup = {
	.name = "cleanup",
	.title = "Cleanup",
	.what = "drop the subscription, slot and publication a live run left",
	.on_request = true,
	.run = cleanup_run,
};

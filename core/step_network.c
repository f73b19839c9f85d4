/* The network step. */
#include "run.h"
#include "util.h"

int step_network_run(struct run *r, char **cause)
{
	(void)r;
	return fail(cause, "the network step is not available in this version");
}

/* The instance step. */
#include "run.h"
#include "util.h"

int step_instance_run(struct run *r, char **cause)
{
	(void)r;
	return fail(cause, "the instance step is not available in this version");
}

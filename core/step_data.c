/* The data step. */
#include "run.h"
#include "util.h"

int step_data_run(struct run *r, char **cause)
{
	(void)r;
	return fail(cause, "the data step is not available in this version");
}

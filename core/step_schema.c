/* The schema step. */
#include "run.h"
#include "util.h"

int step_schema_run(struct run *r, char **cause)
{
	(void)r;
	return fail(cause, "the schema step is not available in this version");
}

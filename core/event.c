/* Names of steps and finding levels. */
#include "event.h"

#include <string.h>

static const struct {
	const char *name;
	const char *title;
} steps[STEP_COUNT] = {
	[STEP_SOURCE] = {"source", "Source database"},
	[STEP_INSTANCE] = {"instance", "RDS instance"},
	[STEP_NETWORK] = {"network", "Security group"},
	[STEP_PROBE] = {"probe", "Target connection"},
	[STEP_SCHEMA] = {"schema", "Schema"},
	[STEP_DATA] = {"data", "Data"},
	[STEP_VERIFY] = {"verify", "Verify"},
	[STEP_ENV] = {"env", "Write .env"},
};

const char *step_name(enum step_id s)
{
	return s < STEP_COUNT ? steps[s].name : "?";
}

const char *step_title(enum step_id s)
{
	return s < STEP_COUNT ? steps[s].title : "?";
}

int step_find(const char *name)
{
	for (int i = 0; i < STEP_COUNT; i++)
		if (strcmp(steps[i].name, name) == 0)
			return i;
	return -1;
}

const char *level_name(enum finding_level l)
{
	switch (l) {
	case LEVEL_OK:
		return "ok";
	case LEVEL_WARN:
		return "warning";
	case LEVEL_ERROR:
		return "error";
	default:
		return "info";
	}
}

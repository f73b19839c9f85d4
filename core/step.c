/* The table of steps (STEP_LIST, in step.h) and look-ups over it. */
#include "step.h"

#include <string.h>

#include "i18n.h"

#define STEP_ENTRY(n) &step_##n,
const struct step *const steps[] = {STEP_LIST(STEP_ENTRY)};
#undef STEP_ENTRY

const int step_count = (int)(sizeof steps / sizeof steps[0]);

_Static_assert(sizeof steps / sizeof steps[0] <= STEP_MAX, "more steps than a mask holds");

int step_index(const struct step *s)
{
	for (int i = 0; i < step_count; i++)
		if (steps[i] == s)
			return i;
	return -1;
}

unsigned step_all(void)
{
	unsigned mask = 0;
	for (int i = 0; i < step_count; i++)
		if (!steps[i]->on_request)
			mask |= 1u << i;
	return mask;
}

const char *step_name(int i)
{
	return i >= 0 && i < step_count ? steps[i]->name : "?";
}

const char *step_title(int i)
{
	return i >= 0 && i < step_count ? _(steps[i]->title) : "?";
}

int step_find(const char *name)
{
	for (int i = 0; i < step_count; i++)
		if (strcmp(steps[i]->name, name) == 0)
			return i;
	return -1;
}

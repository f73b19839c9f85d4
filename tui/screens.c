/* The wizard's screens, in order. */
#include "app.h"

const struct screen *const screens[] = {
	&screen_welcome, &screen_source,  &screen_aws,     &screen_instance,
	&screen_network, &screen_target,  &screen_migrate, &screen_cutover,
	&screen_env,     &screen_monitor, &screen_run,
};

const int screen_count = (int)(sizeof screens / sizeof screens[0]);

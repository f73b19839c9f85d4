/* The RDS instance screen: [instance] settings and a live panel; F6 creates or adopts. */
#include "settings.h"

static const struct settings_spec spec = {
	.section = "instance",
	.intro = "The RDS instance to create or to adopt (mode). Nothing changes before F6 here or "
		 "the run.",
	.live_step = &step_instance,
	.inspect = true,
	.interval = 10.0,
	.live_heading = "Instance status (read only until F6)",
	.act = "create/adopt",
};

const struct screen screen_instance = {
	.name = "instance",
	.title = "RDS instance",
	.help = "Every setting of the instance; the line under a field says its rule when the "
		"value breaks it.\nmaster_password: F3 shows or hides it, F4 generates a strong "
		"one (24 characters).\nEmpty password: one is generated at run time and saved only "
		"to .env.\nF6 creates (or adopts) the instance now and waits until it is "
		"available.",
	SETTINGS_SCREEN(&spec),
};

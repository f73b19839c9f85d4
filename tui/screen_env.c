/* The Env screen: [env] settings, and writing the application's .env now (F6). */
#include "i18n.h"
#include "settings.h"

static const struct settings_spec spec = {
	.section = "env",
	.intro = N_(
		"Where the application finds its database: KEY=URL in its .env file. Every other "
		"line is kept, the old file is kept as a backup, the new one is written with mode "
		"0600."),
	.live_step = &step_env,
	.inspect = false,
	.live_heading = N_("Write .env"),
	.button = N_("Write .env now (F6)"),
};

const struct screen screen_env = {
	.name = "env",
	.title = N_("Application .env"),
	.help = N_("file: the application's .env (created when missing).\n"
		   "key: the variable to set, usually DATABASE_URL.\n"
		   "The URL uses sslmode=verify-full and the RDS CA bundle; user and password are "
		   "percent-encoded.\nF6 (or Enter on the button) writes the file now."),
	SETTINGS_SCREEN(&spec),
};

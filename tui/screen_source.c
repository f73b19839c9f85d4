/* The Source database screen: [source] settings and a live panel. */
#include "settings.h"

static const struct settings_spec spec = {
	.section = "source",
	.intro =
		"Where the data comes from: the Railway PostgreSQL URL. Railway uses a self-signed "
		"certificate, so sslmode=require works and verify-full does not.",
	.live_step = &step_source,
	.inspect = true,
	.interval = 5.0,
	.live_heading = "Source inventory (read only, refreshed every few seconds)",
};

const struct screen screen_source = {
	.name = "source",
	.title = "Source database",
	.help = "The source database URL, as Railway shows it (Connect > Public URL).\nThe panel "
		"below connects in look-only mode every few seconds and lists what it finds: "
		"server version, size, tables, extensions, objects that cannot be copied; in live "
		"mode also what logical replication needs, and a slot of ours holding WAL.\nrelay "
		"(live mode): IP:PORT the target reaches the source at when it has no route to it, "
		"a forward on this machine.\nF5 checks again now.",
	SETTINGS_SCREEN(&spec),
};

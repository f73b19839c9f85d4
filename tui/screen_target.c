/* The Target screen: [target] settings and a live connection panel. */
#include "i18n.h"
#include "settings.h"

static const struct settings_spec spec = {
	.section = "target",
	.intro = N_(
		"Where the data goes. Leave url empty to use the RDS instance; set it to migrate "
		"into any PostgreSQL."),
	.live_step = &step_probe,
	.inspect = true,
	.interval = 5.0,
	.live_heading = N_("Target connection"),
};

const struct screen screen_target = {
	.name = "target",
	.title = N_("Target database"),
	.help = N_(
		"url: a postgresql:// URL to skip the instance and network steps.\nhostaddr: "
		"connect through a tunnel while TLS still checks the endpoint's name.\nsslmode: "
		"verify-full checks the certificate and the name (the RDS CA bundle).\nThe panel "
		"below probes the target every few seconds: DNS, TCP, TLS, auth, version. F5 "
		"checks again now."),
	SETTINGS_SCREEN(&spec),
};

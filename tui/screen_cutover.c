/* The Cutover screen: [cutover] settings (live mode's switch; no live panel:
 * the switch stops the application, so it runs from the Run screen). */
#include "settings.h"

static const struct settings_spec spec = {
	.section = "cutover",
	.intro = "Live mode ends with a switch: the application's writes stop, the target applies "
		 "every change, the sequences are set, the two sides compared, the .env pointed at "
		 "the target, the replication dropped, the application started and its health "
		 "checked. When it is not healthy in time, the old .env goes back and the "
		 "application is started against the source again.",
};

const struct screen screen_cutover = {
	.name = "cutover",
	.title = "Cutover",
	.help = "stop_command: a shell command that stops the application's writes (empty: the "
		"source database is made read-only and its other sessions ended).\n"
		"start_command: starts it again; it reads the new .env.\n"
		"health_url: http(s) URL that must answer 2xx; health_timeout: seconds for that.\n"
		"verify: counts, full (every row's checksum) or none, while writes are stopped.",
	SETTINGS_SCREEN(&spec),
};

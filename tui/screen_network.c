/* The Network access screen: [network] settings and a live panel; F6 adds the rule. */
#include "i18n.h"
#include "settings.h"

static const struct settings_spec spec = {
	.section = "network",
	.intro =
		N_("Who may connect to the instance: the narrowest rule that works is added to its "
		   "security group (this machine's IP/32, or this EC2 box's own group) when you "
		   "press F6 "
		   "or run."),
	.live_step = &step_network,
	.inspect = true,
	.interval = 5.0,
	.live_heading = N_("Security group rules for the port (read only until F6)"),
	.act = N_("add the rule"),
	.act_on_world = N_("fix: revoke world rule"), /* F6 asks before revoking 0.0.0.0/0 */
};

const struct screen screen_network = {
	.name = "network",
	.title = N_("Network access"),
	.help = N_(
		"allow: auto picks this EC2 instance's security group, else this machine's public "
		"IP/32; or give a CIDR or an sg- id.\nport: the PostgreSQL port of the "
		"instance.\nThe panel below reads the rules live. F5 checks again now; F6 does the "
		"step for real (questions appear as yes/no dialogs)."),
	SETTINGS_SCREEN(&spec),
};

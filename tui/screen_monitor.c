/* The Monitoring screen: [monitor] thresholds and e-mail, and a live panel
 * of the alarms as they are (or would be); F6 creates or updates them. */
#include "settings.h"

static const struct settings_spec spec = {
	.section = "monitor",
	.intro = "CloudWatch alarms on the instance, mailed through an SNS topic. Each threshold "
		 "is shown below with what it means for this instance; 0 means no such alarm. "
		 "Nothing is created until you press F6 or run.",
	.live_step = &step_monitor,
	.inspect = true,
	.interval = 15.0,
	.live_heading = "Alarms (read only until F6)",
	.act = "create the alarms",
};

const struct screen screen_monitor = {
	.name = "monitor",
	.title = "Monitoring",
	.help = "email: the address the alarms' SNS topic mails. AWS first sends it a "
		"confirmation mail: click \"Confirm subscription\" in it, or no alarm reaches "
		"you.\nThresholds: CPU and connections in %, free storage and freeable memory in % "
		"of the instance's size, CPU credits (t3/t4g only), latency in ms; 0: no "
		"alarm.\nperformance_insights: its free tier keeps 7 days at no charge. "
		"enhanced_monitoring: OS metrics every N s, billed as CloudWatch Logs (needs "
		"monitoring_role).\nF6 creates or updates the alarms now; a second time changes "
		"nothing.",
	SETTINGS_SCREEN(&spec),
};

/* The AWS account screen: [aws] settings and a live panel. */
#include "i18n.h"
#include "settings.h"

static const struct settings_spec spec = {
	.section = "aws",
	.intro = N_(
		"Who and where: the AWS region and the profile. Credentials follow the SDK chain: "
		"environment, the ~/.aws profile, then the EC2 instance role."),
	.live_step = &step_instance,
	.inspect = true,
	.interval = 5.0,
	.live_heading = N_("AWS identity and instance (read only)"),
};

const struct screen screen_aws = {
	.name = "aws",
	.title = N_("AWS account"),
	.help = N_("region: where the RDS instance lives (e.g. ap-northeast-2, Seoul).\nprofile: a "
		   "profile from ~/.aws/credentials or ~/.aws/config; empty uses the default "
		   "chain.\nThe panel below shows who you are signed in as, live. F5 checks again "
		   "now."),
	SETTINGS_SCREEN(&spec),
};

/* The AWS account screen: [aws] settings and a live panel. */
#include "form.h"

static void *aws_enter(struct tui *t)
{
	return settings_new(
		t, "aws",
		"Who and where: the AWS region and the profile. Credentials follow the SDK chain: "
		"environment, the ~/.aws profile, then the EC2 instance role.",
		1u << STEP_INSTANCE, true, 5.0, "AWS identity and instance (read only)");
}

static void aws_leave(struct tui *t, void *data)
{
	(void)t;
	settings_free(data);
}

static void aws_draw(struct tui *t, void *data, int top, int rows)
{
	settings_draw(t, data, top, rows);
}

static int aws_key(struct tui *t, void *data, int type, wint_t ch)
{
	return settings_key(t, data, type, ch);
}

static int aws_tick(struct tui *t, void *data, double now, double *next)
{
	return settings_tick(t, data, now, next);
}

static int aws_event(struct tui *t, void *data, const struct job_msg *m)
{
	return settings_event(t, data, m);
}

const struct screen screen_aws = {
	.name = "aws",
	.title = "AWS account",
	.help = "region: where the RDS instance lives (e.g. ap-northeast-2, Seoul).\nprofile: a "
		"profile from ~/.aws/credentials or ~/.aws/config; empty uses the default "
		"chain.\nThe panel below shows who you are signed in as, live. F5 checks again "
		"now.",
	.enter = aws_enter,
	.leave = aws_leave,
	.draw = aws_draw,
	.key = aws_key,
	.tick = aws_tick,
	.event = aws_event,
};

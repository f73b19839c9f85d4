/* The Target database screen: [target] settings and a live panel. */
#include "form.h"

static void *target_enter(struct tui *t)
{
	return settings_new(t, "target",
			    "Where the data goes. Leave url empty to use the RDS instance; set it "
			    "to migrate into any PostgreSQL.",
			    1u << STEP_PROBE, true, 5.0, "Target connection");
}

static void target_leave(struct tui *t, void *data)
{
	(void)t;
	settings_free(data);
}

static void target_draw(struct tui *t, void *data, int top, int rows)
{
	settings_draw(t, data, top, rows);
}

static int target_key(struct tui *t, void *data, int type, wint_t ch)
{
	return settings_key(t, data, type, ch);
}

static int target_tick(struct tui *t, void *data, double now, double *next)
{
	return settings_tick(t, data, now, next);
}

static int target_event(struct tui *t, void *data, const struct job_msg *m)
{
	return settings_event(t, data, m);
}

const struct screen screen_target = {
	.name = "target",
	.title = "Target database",
	.help = "url: a postgresql:// URL to skip the instance and network steps.\nhostaddr: "
		"connect through a tunnel while TLS still checks the endpoint's name.\nsslmode: "
		"verify-full checks the certificate and the name (the RDS CA bundle).\nThe panel "
		"below probes the target every few seconds: DNS, TCP, TLS, auth, version. F5 "
		"checks again now.",
	.enter = target_enter,
	.leave = target_leave,
	.draw = target_draw,
	.key = target_key,
	.tick = target_tick,
	.event = target_event,
};

/* The Network access screen: [network] settings and a live panel. */
#include "form.h"

static void *network_enter(struct tui *t)
{
	struct settings *s = settings_new(t, "network",
					  "Who may connect to the instance: the narrowest rule "
					  "that works is added to its security "
					  "group (this machine's IP/32, or this EC2 box's own "
					  "group) when you press F6 or run.",
					  1u << STEP_NETWORK, true, 5.0,
					  "Security group rules for the port (read only until F6)");
	s->act = "add the rule";
	s->act_on_error = "fix: revoke world rule"; /* F6 asks before revoking 0.0.0.0/0 */
	return s;
}

static void network_leave(struct tui *t, void *data)
{
	(void)t;
	settings_free(data);
}

static void network_draw(struct tui *t, void *data, int top, int rows)
{
	settings_draw(t, data, top, rows);
}

static int network_key(struct tui *t, void *data, int type, wint_t ch)
{
	return settings_key(t, data, type, ch);
}

static int network_tick(struct tui *t, void *data, double now, double *next)
{
	return settings_tick(t, data, now, next);
}

static int network_event(struct tui *t, void *data, const struct job_msg *m)
{
	return settings_event(t, data, m);
}

const struct screen screen_network = {
	.name = "network",
	.title = "Network access",
	.help = "allow: auto picks this EC2 instance's security group, else this machine's public "
		"IP/32; or give a CIDR or an sg- id.\nport: the PostgreSQL port of the "
		"instance.\nThe panel below reads the rules live. F5 checks again now; F6 does the "
		"step for real (questions appear as yes/no dialogs).",
	.enter = network_enter,
	.leave = network_leave,
	.draw = network_draw,
	.key = network_key,
	.tick = network_tick,
	.event = network_event,
};

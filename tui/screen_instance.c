/* The RDS instance screen: [instance] settings and a live panel. */
#include "form.h"

static void *instance_enter(struct tui *t)
{
	struct settings *s = settings_new(
		t, "instance",
		"The RDS for PostgreSQL instance to create (mode = create) or to adopt (mode = "
		"existing). "
		"Nothing is created until you press F6 here or start the run.",
		1u << STEP_INSTANCE, true, 10.0, "Instance status (read only until F6)");
	s->act = "create/adopt";
	return s;
}

static void instance_leave(struct tui *t, void *data)
{
	(void)t;
	settings_free(data);
}

static void instance_draw(struct tui *t, void *data, int top, int rows)
{
	settings_draw(t, data, top, rows);
}

static int instance_key(struct tui *t, void *data, int type, wint_t ch)
{
	return settings_key(t, data, type, ch);
}

static int instance_tick(struct tui *t, void *data, double now, double *next)
{
	return settings_tick(t, data, now, next);
}

static int instance_event(struct tui *t, void *data, const struct job_msg *m)
{
	return settings_event(t, data, m);
}

const struct screen screen_instance = {
	.name = "instance",
	.title = "RDS instance",
	.help = "Every setting of the instance; the line under a field says its rule when the "
		"value breaks it.\nmaster_password: F3 shows or hides it, F4 generates a strong "
		"one (24 characters).\nEmpty password: one is generated at run time and saved only "
		"to .env.\nF6 creates (or adopts) the instance now and waits until it is "
		"available.",
	.enter = instance_enter,
	.leave = instance_leave,
	.draw = instance_draw,
	.key = instance_key,
	.tick = instance_tick,
	.event = instance_event,
};

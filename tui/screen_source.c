/* The Source database screen: [source] settings and a live panel. */
#include "form.h"

static void *source_enter(struct tui *t)
{
	return settings_new(
		t, "source",
		"Where the data comes from: the Railway PostgreSQL URL. Railway uses a self-signed "
		"certificate, so sslmode=require works and verify-full does not.",
		1u << STEP_SOURCE, true, 5.0,
		"Source inventory (read only, refreshed every few seconds)");
}

static void source_leave(struct tui *t, void *data)
{
	(void)t;
	settings_free(data);
}

static void source_draw(struct tui *t, void *data, int top, int rows)
{
	settings_draw(t, data, top, rows);
}

static int source_key(struct tui *t, void *data, int type, wint_t ch)
{
	return settings_key(t, data, type, ch);
}

static int source_tick(struct tui *t, void *data, double now, double *next)
{
	return settings_tick(t, data, now, next);
}

static int source_event(struct tui *t, void *data, const struct job_msg *m)
{
	return settings_event(t, data, m);
}

const struct screen screen_source = {
	.name = "source",
	.title = "Source database",
	.help = "The source database URL, as Railway shows it (Connect > Public URL).\nThe panel "
		"below connects in look-only mode every few seconds and lists what it finds: "
		"server version, size, tables, extensions, objects that cannot be copied.\nF5 "
		"checks again now.",
	.enter = source_enter,
	.leave = source_leave,
	.draw = source_draw,
	.key = source_key,
	.tick = source_tick,
	.event = source_event,
};

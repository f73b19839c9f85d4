/* The Migration screen: [migrate] settings. */
#include "form.h"

static void *migrate_enter(struct tui *t)
{
	return settings_new(t, "migrate",
			    "How the copy is done: the schema first (tables before data, indexes, "
			    "constraints and foreign keys after), the rows with COPY from one "
			    "consistent snapshot, then every table verified.",
			    0, false, 0, "");
}

static void migrate_leave(struct tui *t, void *data)
{
	(void)t;
	settings_free(data);
}

static void migrate_draw(struct tui *t, void *data, int top, int rows)
{
	settings_draw(t, data, top, rows);
}

static int migrate_key(struct tui *t, void *data, int type, wint_t ch)
{
	return settings_key(t, data, type, ch);
}

static int migrate_tick(struct tui *t, void *data, double now, double *next)
{
	return settings_tick(t, data, now, next);
}

static int migrate_event(struct tui *t, void *data, const struct job_msg *m)
{
	return settings_event(t, data, m);
}

const struct screen screen_migrate = {
	.name = "migrate",
	.title = "Migration",
	.help = "schema: copy, skip, or file:PATH to apply your own SQL file.\ndata: copy or "
		"skip.\njobs: tables copied in parallel.\nexclude_tables: schema.table names not "
		"to copy, comma-separated.",
	.enter = migrate_enter,
	.leave = migrate_leave,
	.draw = migrate_draw,
	.key = migrate_key,
	.tick = migrate_tick,
	.event = migrate_event,
};

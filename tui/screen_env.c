/* The Env screen: [env] settings, and writing the application's .env now. */
#include "form.h"

static void *env_enter(struct tui *t)
{
	struct settings *s = settings_new(
		t, "env",
		"Where the application finds its database: KEY=URL in its .env file. Every other "
		"line "
		"is kept, the old file is kept as a backup, the new one is written with mode 0600.",
		1u << STEP_ENV, false, 0, "Write .env");
	s->form.buttons[0] = "Write .env now (F6)";
	s->form.nbuttons = 1;
	return s;
}

static void env_leave(struct tui *t, void *data)
{
	(void)t;
	settings_free(data);
}

static void env_draw(struct tui *t, void *data, int top, int rows)
{
	settings_draw(t, data, top, rows);
}

static int env_key(struct tui *t, void *data, int type, wint_t ch)
{
	struct settings *s = data;
	int r = settings_key(t, s, type, ch);
	if ((r && s->form.pressed == 0) || (type == KT_KEY && ch == KEY_F(6))) {
		if (s->live.running) {
			tui_message(t, ROLE_WARN, "the .env is being written");
		} else {
			tui_log(t, "env: writing %s", config_get(t->cfg, CFG_ENV_FILE));
			live_start(&s->live, t);
		}
		return R_HANDLED | R_REDRAW;
	}
	return r;
}

static int env_tick(struct tui *t, void *data, double now, double *next)
{
	return settings_tick(t, data, now, next);
}

static int env_event(struct tui *t, void *data, const struct job_msg *m)
{
	return settings_event(t, data, m);
}

const struct screen screen_env = {
	.name = "env",
	.title = "Application .env",
	.help = "file: the application's .env (created when missing).\n"
		"key: the variable to set, usually DATABASE_URL.\n"
		"The URL uses sslmode=verify-full and the RDS CA bundle; user and password are "
		"percent-encoded.\nF6 (or Enter on the button) writes the file now.",
	.enter = env_enter,
	.leave = env_leave,
	.draw = env_draw,
	.key = env_key,
	.tick = env_tick,
	.event = env_event,
};

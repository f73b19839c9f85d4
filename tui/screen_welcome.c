/* The Welcome screen: what will happen, and which steps to run. */
#include <stdlib.h>

#include "app.h"
#include "util.h"

struct welcome {
	int cur;
};

static void *welcome_enter(struct tui *t, const struct screen *self)
{
	(void)t;
	(void)self;
	return xcalloc(1, sizeof(struct welcome));
}

static void welcome_leave(struct tui *t, void *data)
{
	(void)t;
	free(data);
}

static void welcome_draw(struct tui *t, void *data, int top, int rows)
{
	struct welcome *w = data;
	int y = top + 1;
	y += ui_wrap(y, 2, COLS - 4, 3, ROLE_NORMAL,
		     "This wizard moves a PostgreSQL database from Railway to AWS RDS. Each screen "
		     "shows one part of the settings (from the config file; F2 saves them). "
		     "Nothing changes until you start the run on the last screen.");
	y++;
	ui_text(y++, 2, COLS - 4, ROLE_HEADING, "Steps (Space to include or leave out one):");
	for (int s = 0; s < step_count && y < top + rows; s++, y++) {
		bool on = t->steps_mask & (1u << s);
		int role = s == w->cur ? ROLE_SELECTED : ROLE_NORMAL;
		ui_fill(y, 2, COLS - 4, role);
		ui_textf(y, 2, COLS - 4, role, " [%s] %d. %-9s %s", on ? "x" : " ", s + 1,
			 steps[s]->name, steps[s]->what);
	}
	y++;
	ui_textf(y, 2, COLS - 4, ROLE_INFO, "Config: %s%s", t->cfg->path ? t->cfg->path : "(none)",
		 t->cfg->from_file ? "" : " (not found: defaults)");
}

static const char *welcome_hint(struct tui *t, void *data)
{
	(void)t;
	(void)data;
	return "Enter: go on to the Source screen. The checklist below shows each step's state.";
}

static const char *welcome_keys(struct tui *t, void *data)
{
	(void)t;
	(void)data;
	return "↑↓ move  Space toggle  Enter go on  F1 help  F2 save  q quit";
}

static int welcome_key(struct tui *t, void *data, int type, wint_t ch)
{
	struct welcome *w = data;
	if (type == KT_KEY && ch == KEY_UP) {
		w->cur = (w->cur + step_count - 1) % step_count;
		return R_HANDLED | R_REDRAW;
	}
	if ((type == KT_KEY && ch == KEY_DOWN) || (type == KT_CHAR && ch == '\t')) {
		w->cur = (w->cur + 1) % step_count;
		return R_HANDLED | R_REDRAW;
	}
	if (type == KT_CHAR && ch == ' ') {
		t->steps_mask ^= 1u << w->cur;
		return R_HANDLED | R_REDRAW;
	}
	return R_NONE;
}

const struct screen screen_welcome = {
	.name = "welcome",
	.title = "Welcome",
	.help = "The wizard walks through the settings, one screen per part:\n"
		"Source, AWS, Instance, Network, Target, Migrate, Env, Monitoring, then Run.\n"
		"Each settings screen checks values as you type and says the rule a value breaks.\n"
		"Space on this screen leaves a step out of the run.",
	.enter = welcome_enter,
	.leave = welcome_leave,
	.draw = welcome_draw,
	.hint = welcome_hint,
	.keys = welcome_keys,
	.key = welcome_key,
};

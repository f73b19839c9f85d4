/* The Welcome screen: what will happen, and which steps to run. */
#include <stdlib.h>

#include "app.h"
#include "i18n.h"
#include "util.h"

struct welcome {
	int cur;
	int scroll; /* rows of the screen scrolled off the top */
};

#define STEP_X    2
#define WHAT_X    (STEP_X + 18) /* after " [x] 12. instance " */
#define INTRO_GAP 1

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

static const char *welcome_intro(void)
{
	return _("This wizard moves a PostgreSQL database from Railway to AWS RDS. Each screen "
		 "shows one part of the settings (from the config file; F2 saves them). "
		 "Nothing changes until you start the run on the last screen.");
}

/* Rows before the first step: the intro, a gap, the heading. */
static int head_rows(void)
{
	return 1 + ui_wrap_rows(COLS - 4, welcome_intro()) + INTRO_GAP + 1;
}

/* Rows step S takes: what it does, wrapped beside its name. */
static int step_rows(int s)
{
	return ui_wrap_rows(COLS - WHAT_X - 2, _(steps[s]->what));
}

/* Keep the chosen step in view in ROWS rows. */
static void welcome_scroll(struct welcome *w, int rows)
{
	int y = head_rows();
	for (int s = 0; s < w->cur; s++)
		y += step_rows(s);
	int h = step_rows(w->cur);
	if (w->cur == 0)
		w->scroll = 0;
	if (y < w->scroll)
		w->scroll = y;
	if (y + h > w->scroll + rows)
		w->scroll = y + h - rows;
}

static void welcome_draw(struct tui *t, void *data, int top, int rows)
{
	struct welcome *w = data;
	welcome_scroll(w, rows);
	int y = top + 1 - w->scroll;
	y += ui_wrap(y, STEP_X, COLS - 4, rows, ROLE_NORMAL, welcome_intro());
	y += INTRO_GAP;
	ui_text(y++, STEP_X, COLS - 4, ROLE_HEADING,
		_("Steps (Space to include or leave out one):"));
	for (int s = 0; s < step_count; s++) {
		bool on = t->steps_mask & (1u << s);
		int role = s == w->cur ? ROLE_SELECTED : ROLE_NORMAL;
		int h = step_rows(s);
		for (int i = 0; i < h; i++)
			ui_fill(y + i, STEP_X, COLS - 4, role);
		ui_textf(y, STEP_X, WHAT_X - STEP_X, role, " [%s] %d. %s", on ? "x" : " ", s + 1,
			 steps[s]->name);
		ui_wrap(y, WHAT_X, COLS - WHAT_X - 2, h, role, _(steps[s]->what));
		y += h;
	}
	y++;
	ui_textf(y, STEP_X, COLS - 4, ROLE_INFO, _("Config: %s%s"),
		 t->cfg->path ? t->cfg->path : _("(none)"),
		 t->cfg->from_file ? "" : _(" (not found: defaults)"));
}

static const char *welcome_hint(struct tui *t, void *data)
{
	(void)t;
	(void)data;
	return _("Enter: go on to the Source screen. The checklist below shows each step's "
		 "state.");
}

static const char *welcome_keys(struct tui *t, void *data)
{
	(void)t;
	(void)data;
	return _("↑↓ move  Space toggle  Enter go on  F1 help  F2 save  q quit");
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
	.title = N_("Welcome"),
	.help = N_(
		"The wizard walks through the settings, one screen per part:\n"
		"Source, AWS, Instance, Network, Target, Migrate, Env, Monitoring, then Run.\n"
		"Each settings screen checks values as you type and says the rule a value breaks.\n"
		"Space on this screen leaves a step out of the run."),
	.enter = welcome_enter,
	.leave = welcome_leave,
	.draw = welcome_draw,
	.hint = welcome_hint,
	.keys = welcome_keys,
	.key = welcome_key,
};

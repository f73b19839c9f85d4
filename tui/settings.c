/* A settings screen: an intro, the form of one config section, and
 * optionally a live panel; described by a const struct settings_spec. */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "strbuf.h"
#include "util.h"

void *settings_enter(struct tui *t, const struct screen *self)
{
	const struct settings_spec *spec = self->spec;
	struct settings *s = xcalloc(1, sizeof *s);
	s->spec = spec;
	form_init(&s->form, t, spec->section);
	if (spec->button) {
		s->form.buttons[0] = spec->button;
		s->form.nbuttons = 1;
	}
	if (spec->live_step) {
		s->has_live = true;
		live_init(&s->live, 1u << step_index(spec->live_step), spec->inspect,
			  spec->interval);
		if (spec->inspect)
			live_start(&s->live, t);
	}
	return s;
}

void settings_leave(struct tui *t, void *data)
{
	(void)t;
	struct settings *s = data;
	if (!s)
		return;
	form_free(&s->form);
	if (s->has_live)
		live_free(&s->live);
	free(s);
}

void settings_draw(struct tui *t, void *data, int top, int rows)
{
	struct settings *s = data;
	int y = top, end = top + rows;
	if (s->spec->intro) /* whole: the form and the panel scroll below it */
		y += ui_wrap(y, 1, COLS - 2, rows - 6, ROLE_NORMAL, _(s->spec->intro));
	y++;
	int live_min = s->has_live ? 5 : 0;
	int fr = form_rows(&s->form);
	int avail = end - y - live_min - (s->has_live ? 1 : 0);
	if (s->has_live && avail > 6 && fr > avail / 2 + 3)
		avail = avail / 2 + 3; /* the form scrolls; the panel gets the rest */
	if (fr > avail)
		fr = avail;
	if (fr < 1)
		fr = 1;
	y += form_draw(&s->form, t, y, fr);
	if (s->has_live && y + 1 < end)
		live_draw(&s->live, y + 1, end - y - 1, _(s->spec->live_heading));
}

const char *settings_hint(struct tui *t, void *data)
{
	(void)t;
	struct settings *s = data;
	return form_help(&s->form);
}

/* Whether the panel's last look found the port open to the whole internet. */
static bool world_open(const struct settings *s)
{
	for (int i = 0; i < s->live.nrows; i++)
		if (s->live.rows[i].code == FIND_WORLD_OPEN)
			return true;
	return false;
}

/* Whether the form has a field F3 reveals (a password, or a URL's). */
static bool has_secret(const struct form *fm)
{
	for (int i = 0; i < fm->n; i++)
		if (config_keys[fm->keys[i]].flags & (CFGF_SECRET | CFGF_SECRET_URL))
			return true;
	return false;
}

/* The keys that do something on this screen, and no other. */
const char *settings_keys(struct tui *t, void *data)
{
	(void)t;
	struct settings *s = data;
	const struct settings_spec *spec = s->spec;
	struct strbuf b = STRBUF_INIT;
	strbuf_addf(&b, "%s", _("Tab/↑↓ field  Enter next  Esc back  F1 help  F2 save"));
	if (has_secret(&s->form))
		strbuf_addf(&b, "  %s", _("F3 show"));
	if (form_password_index(&s->form) >= 0)
		strbuf_addf(&b, "  %s", _("F4 generate"));
	if (s->has_live && spec->inspect)
		strbuf_addf(&b, "  %s", _("F5 check"));
	if (s->has_live && (spec->act || spec->button)) {
		const char *act =
			spec->act_on_world && world_open(s) ? spec->act_on_world : spec->act;
		strbuf_addf(&b, "  F6 %s", act ? _(act) : _("do it"));
	}
	if (s->has_live && (s->live.shown_first > 0 || s->live.shown_last < s->live.nrows))
		strbuf_addf(&b, "  %s", _("PgUp/PgDn findings"));
	strbuf_addf(&b, "  %s", _("F10 quit"));
	char *line = strbuf_detach(&b);
	snprintf(s->keys, sizeof s->keys, "%s", line);
	free(line);
	return s->keys;
}

/* F6, or Enter on the button: run the panel's steps for real, once. */
static int act_now(struct tui *t, struct settings *s)
{
	if (t->run_active && !(s->live.running && !s->live.inspect)) {
		tui_message(t, ROLE_WARN, _("another step is running"));
	} else if (s->live.running && !s->live.inspect) {
		tui_message(t, ROLE_WARN, _("this screen's step is running"));
	} else {
		tui_log(t, "run now: %s", s->spec->act ? s->spec->act : s->spec->button);
		live_start_real(&s->live, t);
	}
	return R_HANDLED | R_REDRAW;
}

int settings_key(struct tui *t, void *data, int type, wint_t ch)
{
	struct settings *s = data;
	bool can_act = s->has_live && (s->spec->act || s->spec->button);
	if (s->has_live && live_key(&s->live, type, ch))
		return R_HANDLED | R_REDRAW;
	if (can_act && type == KT_KEY && ch == KEY_F(6))
		return act_now(t, s);
	if (s->has_live && s->spec->inspect && type == KT_KEY && ch == KEY_F(5)) {
		if (!s->live.running)
			live_start(&s->live, t);
		return R_HANDLED | R_REDRAW;
	}
	int r = form_key(&s->form, t, type, ch);
	if (s->form.changed) {
		s->form.changed = false;
		if (s->has_live)
			live_settings_changed(&s->live);
	}
	if (can_act && r && s->form.pressed == 0)
		return act_now(t, s);
	return r;
}

int settings_tick(struct tui *t, void *data, double now, double *next)
{
	struct settings *s = data;
	return s->has_live ? live_tick(&s->live, t, now, next) : R_NONE;
}

int settings_event(struct tui *t, void *data, const struct job_msg *m)
{
	struct settings *s = data;
	return s->has_live ? live_event(&s->live, t, m) : R_NONE;
}

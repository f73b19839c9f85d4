/* A settings form generated from config_keys[]: one field per key of a
 * section, each checked against its rule as it is edited. */
#include "form.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "password.h"
#include "util.h"

#define LABEL_X       2
#define LABEL_W       22
#define FIELD_X       (LABEL_X + LABEL_W + 2)
#define RULE_ROWS_MAX 3 /* a field's rule wraps onto at most this many rows */

void form_init(struct form *fm, struct tui *t, const char *section)
{
	memset(fm, 0, sizeof *fm);
	for (int k = 0; k < CFG_COUNT; k++) {
		if (strcmp(config_keys[k].section, section) != 0)
			continue;
		fm->keys[fm->n] = k;
		field_set(&fm->f[fm->n], config_get(t->cfg, (enum config_key)k));
		fm->n++;
	}
	form_validate(fm, t);
}

void form_free(struct form *fm)
{
	for (int i = 0; i < fm->n; i++)
		field_free(&fm->f[i]);
	memset(fm, 0, sizeof *fm);
}

void form_validate(struct form *fm, struct tui *t)
{
	for (int i = 0; i < fm->n; i++) {
		char *v = field_get(&fm->f[i]);
		fm->rule[i][0] = 0;
		fm->bad[i] = config_check_key(t->cfg, (enum config_key)fm->keys[i], v, fm->rule[i],
					      sizeof fm->rule[i]) != 0;
		/* the key's line in the file did not load: say so while the field
		 * still shows the default the loader put in its place */
		const char *why = t->cfg->unloaded_why[fm->keys[i]];
		if (!fm->bad[i] && why && strcmp(v, config_get(t->cfg, fm->keys[i])) == 0) {
			fm->bad[i] = true;
			snprintf(fm->rule[i], sizeof fm->rule[i],
				 "%s; shown is the default, the file keeps its line until you "
				 "change this value",
				 why);
		}
		if (fm->bad[i] && !fm->rule[i][0])
			snprintf(fm->rule[i], sizeof fm->rule[i], "%s",
				 config_keys[fm->keys[i]].help);
		free_secret(v);
	}
}

int form_bad_count(const struct form *fm)
{
	int n = 0;
	for (int i = 0; i < fm->n; i++)
		n += fm->bad[i];
	return n;
}

int form_password_index(const struct form *fm)
{
	for (int i = 0; i < fm->n; i++)
		if (config_keys[fm->keys[i]].flags & CFGF_SECRET)
			return i;
	return -1;
}

/* Store field I's text in the config and re-check the form. */
static void commit(struct form *fm, struct tui *t, int i)
{
	char *v = field_get(&fm->f[i]);
	if (strcmp(v, config_get(t->cfg, (enum config_key)fm->keys[i])) != 0) {
		config_set(t->cfg, (enum config_key)fm->keys[i], v);
		t->unsaved = true;
		fm->changed = true;
	}
	free_secret(v);
	form_validate(fm, t);
}

int form_key(struct form *fm, struct tui *t, int type, wint_t ch)
{
	int total = fm->n + fm->nbuttons;
	fm->pressed = -1;
	if (total == 0)
		return R_NONE;
	bool enter = (type == KT_CHAR && (ch == '\n' || ch == '\r')) ||
		     (type == KT_KEY && ch == KEY_ENTER);
	if ((type == KT_CHAR && ch == '\t') || (type == KT_KEY && ch == KEY_DOWN)) {
		fm->focus = (fm->focus + 1) % total;
		return R_HANDLED | R_REDRAW;
	}
	if (type == KT_KEY && (ch == KEY_BTAB || ch == KEY_UP)) {
		fm->focus = (fm->focus + total - 1) % total;
		return R_HANDLED | R_REDRAW;
	}
	if (enter && fm->focus >= fm->n) {
		fm->pressed = fm->focus - fm->n;
		return R_HANDLED | R_REDRAW;
	}
	int pw = form_password_index(fm);
	if ((type == KT_KEY && ch == KEY_F(3)) || (type == KT_CHAR && ch == KEY_CTRL('r'))) {
		bool secret = false;
		for (int i = 0; i < fm->n; i++)
			secret |= (config_keys[fm->keys[i]].flags &
				   (CFGF_SECRET | CFGF_SECRET_URL)) != 0;
		if (!secret)
			return R_NONE;
		fm->reveal = !fm->reveal;
		return R_HANDLED | R_REDRAW;
	}
	if ((type == KT_KEY && ch == KEY_F(4)) || (type == KT_CHAR && ch == KEY_CTRL('g'))) {
		if (pw < 0)
			return R_NONE;
		char buf[PASSWORD_GEN_LEN + 8];
		if (password_generate(buf, sizeof buf) != 0) {
			tui_message(t, ROLE_ERROR,
				    "cannot generate a password: no randomness from the kernel");
			return R_HANDLED | R_REDRAW;
		}
		field_set(&fm->f[pw], buf);
		memset(buf, 0, sizeof buf);
		commit(fm, t, pw);
		fm->focus = pw;
		fm->reveal = true;
		tui_message(
			t, ROLE_OK,
			"generated a %d-character password (shown now; F3 hides it; save with F2)",
			PASSWORD_GEN_LEN);
		return R_HANDLED | R_REDRAW;
	}
	if (fm->focus >= fm->n)
		return R_NONE;
	int r = field_key(&fm->f[fm->focus], type, ch);
	if (r == 1)
		commit(fm, t, fm->focus);
	return r ? R_HANDLED | R_REDRAW : R_NONE;
}

/* Rows field I's rule takes under it: 0 when valid, else its wrapped height. */
static int rule_rows(const struct form *fm, int i)
{
	if (!fm->bad[i])
		return 0;
	int fw = COLS - FIELD_X - 2;
	wchar_t w[512];
	size_t n = mbstowcs(w, fm->rule[i], 511);
	int width = n == (size_t)-1 ? (int)strlen(fm->rule[i]) : wcswidth(w, n);
	if (width < 0)
		width = (int)n;
	/* word wrapping loses up to a word per row: count rows 10 columns short */
	int usable = fw > 20 ? fw - 10 : fw > 0 ? fw : 1;
	int rows = (width + 2 + usable - 1) / usable;
	return rows < 1 ? 1 : rows > RULE_ROWS_MAX ? RULE_ROWS_MAX : rows;
}

int form_rows(const struct form *fm)
{
	int rows = 0;
	for (int i = 0; i < fm->n; i++)
		rows += 1 + rule_rows(fm, i);
	return rows + (fm->nbuttons ? 1 + fm->nbuttons : 0);
}

const char *form_help(const struct form *fm)
{
	if (fm->focus < fm->n)
		return config_keys[fm->keys[fm->focus]].help;
	return "press Enter to do it";
}

/* The first row to show in a view ROWS high, moved from the last one shown
 * only as far as needed to keep the focused field and its rule in view.
 * Rows are known only when drawing (the screen's layout and the rules'
 * wrapping follow the terminal's size), so the form's draw calls this; the
 * result is a view offset, not a setting, and drawing twice draws the same. */
static int scroll_to_focus(const struct form *fm, int rows)
{
	int focus_row = 0;
	for (int i = 0; i < fm->n && i < fm->focus; i++)
		focus_row += 1 + rule_rows(fm, i);
	if (fm->focus >= fm->n)
		focus_row += 1 + (fm->focus - fm->n);
	int focus_h = fm->focus < fm->n ? 1 + rule_rows(fm, fm->focus) : 1;
	int scroll = fm->scroll;
	if (focus_row < scroll)
		scroll = focus_row;
	if (focus_row + focus_h > scroll + rows)
		scroll = focus_row + focus_h - rows;
	return scroll < 0 ? 0 : scroll;
}

int form_draw(struct form *fm, struct tui *t, int top, int rows)
{
	(void)t;
	int fw = COLS - FIELD_X - 2;
	fm->scroll = scroll_to_focus(fm, rows);
	int row = 0, used = 0;
#define EMIT_ROW() (row >= fm->scroll && row < fm->scroll + rows)
#define Y          (top + row - fm->scroll)
	for (int i = 0; i < fm->n; i++) {
		const struct config_key_info *ki = &config_keys[fm->keys[i]];
		bool focus = fm->focus == i;
		if (EMIT_ROW()) {
			ui_textf(Y, LABEL_X - 2, 2, ROLE_LABEL, "%s", focus ? "▶" : " ");
			ui_text(Y, LABEL_X, LABEL_W, focus ? ROLE_HEADING : ROLE_LABEL, ki->name);
			int role = focus        ? ROLE_FIELD_FOCUS
				   : fm->bad[i] ? ROLE_FIELD_ERROR
						: ROLE_FIELD;
			char *v = field_get(&fm->f[i]);
			size_t mf = 0, mt = 0;
			if ((ki->flags & CFGF_SECRET) && !fm->reveal &&
			    strcmp(v, "secrets-manager") != 0)
				mt = fm->f[i].len;
			if ((ki->flags & CFGF_SECRET_URL) && !fm->reveal)
				field_url_password(&fm->f[i], &mf, &mt);
			field_draw(&fm->f[i], Y, FIELD_X, fw, role, focus, mf, mt);
			if (!*v && !focus)
				ui_text(Y, FIELD_X, fw, ROLE_HELP, "(empty)");
			free_secret(v);
			used = row - fm->scroll + 1;
		}
		row++;
		int rr = rule_rows(fm, i);
		if (rr) {
			if (EMIT_ROW()) {
				int h = fm->scroll + rows - row; /* rows left in view */
				char *msg = xasprintf("✗ %s", fm->rule[i]);
				ui_wrap(Y, FIELD_X, fw, h < rr ? h : rr, ROLE_FIELD_ERROR, msg);
				free(msg);
				used = row - fm->scroll + (h < rr ? h : rr);
			}
			row += rr;
		}
	}
	if (fm->nbuttons)
		row++;
	for (int b = 0; b < fm->nbuttons; b++) {
		if (EMIT_ROW()) {
			bool focus = fm->focus == fm->n + b;
			ui_textf(Y, FIELD_X, fw, focus ? ROLE_SELECTED : ROLE_HEADING, "[ %s ]",
				 fm->buttons[b]);
			used = row - fm->scroll + 1;
		}
		row++;
	}
#undef EMIT_ROW
#undef Y
	return used;
}

/* Settings forms generated from config_keys[], and the live panel. */
#include "form.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "password.h"
#include "util.h"

#define LABEL_X 2
#define LABEL_W 22
#define FIELD_X (LABEL_X + LABEL_W + 2)
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

static int password_index(const struct form *fm)
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
	int pw = password_index(fm);
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

int form_draw(struct form *fm, struct tui *t, int top, int rows)
{
	(void)t;
	int fw = COLS - FIELD_X - 2;
	/* Keep the focused field (and its rule) in view. */
	int focus_row = 0;
	for (int i = 0; i < fm->n && i < fm->focus; i++)
		focus_row += 1 + rule_rows(fm, i);
	if (fm->focus >= fm->n)
		focus_row += 1 + (fm->focus - fm->n);
	int focus_h = fm->focus < fm->n ? 1 + rule_rows(fm, fm->focus) : 1;
	if (focus_row < fm->scroll)
		fm->scroll = focus_row;
	if (focus_row + focus_h > fm->scroll + rows)
		fm->scroll = focus_row + focus_h - rows;
	if (fm->scroll < 0)
		fm->scroll = 0;
	int row = 0, used = 0;
#define EMIT_ROW() (row >= fm->scroll && row < fm->scroll + rows)
#define Y	   (top + row - fm->scroll)
	for (int i = 0; i < fm->n; i++) {
		const struct config_key_info *ki = &config_keys[fm->keys[i]];
		bool focus = fm->focus == i;
		if (EMIT_ROW()) {
			ui_textf(Y, LABEL_X - 2, 2, ROLE_LABEL, "%s", focus ? "▶" : " ");
			ui_text(Y, LABEL_X, LABEL_W, focus ? ROLE_HEADING : ROLE_LABEL, ki->name);
			int role = focus	? ROLE_FIELD_FOCUS
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

/* The live panel. */

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void live_init(struct live *lv, unsigned mask, bool inspect, double interval)
{
	memset(lv, 0, sizeof *lv);
	lv->mask = mask;
	lv->inspect = inspect;
	lv->interval = interval;
	lv->scroll = -1;
}

void live_cancel(struct live *lv)
{
	if (lv->job) {
		job_cancel(lv->job);
		job_release(lv->job);
		lv->job = NULL;
	}
	if (lv->running && !lv->inspect && lv->t)
		lv->t->run_active = false;
	if (lv->real_once) {
		lv->real_once = false;
		lv->inspect = true;
	}
	lv->id = 0;
	lv->running = false;
}

void live_start_real(struct live *lv, struct tui *t)
{
	if (lv->running && !lv->inspect)
		return;
	live_cancel(lv);
	if (lv->inspect) {
		lv->real_once = true;
		lv->inspect = false;
	}
	live_start(lv, t);
}

void live_settings_changed(struct live *lv)
{
	if (!lv->inspect || lv->interval <= 0)
		return;
	if (lv->running)
		lv->stale = true;
	else
		lv->next_at = mono_now() + 0.8;
}

void live_free(struct live *lv)
{
	live_cancel(lv);
	free(lv->rows);
	free(lv->next_rows);
	memset(lv, 0, sizeof *lv);
}

void live_start(struct live *lv, struct tui *t)
{
	if (lv->running)
		return;
	lv->t = t;
	lv->stale = false;
	lv->job = job_start(t->cfg, t->st, lv->mask, lv->inspect, t->opt->force,
				    t->opt->allow_world);
	lv->id = job_id(lv->job);
	lv->running = true;
	lv->runs++;
	lv->next_at = 0;
	lv->nnext = 0;
	lv->nprog = 0;
	if (lv->runs == 1 || !lv->inspect)
		lv->nrows = 0;
	if (!lv->inspect)
		lv->result[0] = 0;
	snprintf(lv->status, sizeof lv->status, "starting…");
	if (!lv->inspect)
		t->run_active = true;
}

static void add_row(struct live_row **v, int *n, const struct event *ev)
{
	if (*n >= 1000)
		return;
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
	struct live_row *r = &(*v)[(*n)++];
	r->level = ev->level;
	snprintf(r->item, sizeof r->item, "%s", ev->item);
	snprintf(r->text, sizeof r->text, "%s", ev->text);
}

int live_event(struct live *lv, struct tui *t, const struct job_msg *m)
{
	if (!lv->id || m->id != lv->id)
		return R_NONE;
	const struct event *ev = &m->ev;
	if (m->kind == JM_DONE) {
		lv->running = false;
		lv->rc = m->rc;
		if (lv->job) {
			job_release(lv->job);
			lv->job = NULL;
		}
		if (lv->runs > 1 && lv->inspect) {
			struct live_row *tmp = lv->rows;
			lv->rows = lv->next_rows;
			lv->nrows = lv->nnext;
			lv->next_rows = tmp;
			lv->nnext = 0;
		}
		lv->status[0] = 0;
		if (!lv->inspect)
			t->run_active = false;
		if (lv->real_once) {
			lv->real_once = false;
			lv->inspect = true;
		}
		if (lv->interval > 0)
			lv->next_at = mono_now() + (lv->stale ? 0.8 : lv->interval);
		return R_REDRAW;
	}
	if (m->kind != JM_EVENT)
		return R_NONE;
	switch (ev->kind) {
	case EV_STEP_START:
		snprintf(lv->status, sizeof lv->status, "%s…", ev->text);
		lv->worst = LEVEL_OK;
		break;
	case EV_STATUS:
		snprintf(lv->status, sizeof lv->status, "%s", ev->text);
		break;
	case EV_FINDING:
		if (ev->level > lv->worst)
			lv->worst = ev->level;
		if (lv->runs > 1 && lv->inspect)
			add_row(&lv->next_rows, &lv->nnext, ev);
		else
			add_row(&lv->rows, &lv->nrows, ev);
		break;
	case EV_PROGRESS: {
		int i;
		for (i = 0; i < lv->nprog; i++)
			if (strcmp(lv->prog[i].item, ev->item) == 0)
				break;
		if (i == lv->nprog) {
			if (lv->nprog == (int)(sizeof lv->prog / sizeof lv->prog[0]))
				return R_NONE;
			lv->nprog++;
			snprintf(lv->prog[i].item, sizeof lv->prog[i].item, "%s", ev->item);
		}
		lv->prog[i].done = ev->done;
		lv->prog[i].total = ev->total;
		lv->prog[i].bytes = ev->bytes;
		lv->prog[i].bytes_total = ev->bytes_total;
		lv->prog[i].elapsed = ev->elapsed;
		lv->prog[i].unit = ev->unit;
		return R_LAZY;
	}
	case EV_STEP_DONE:
		snprintf(lv->result, sizeof lv->result, "%s: %s", step_title(ev->step), ev->text);
		/* done, but an error or warning among its findings shows on the summary */
		lv->result_level = lv->worst > LEVEL_OK ? lv->worst : LEVEL_OK;
		break;
	case EV_STEP_FAILED:
		snprintf(lv->result, sizeof lv->result, "%s: %s", step_title(ev->step), ev->text);
		lv->result_level = strstr(ev->text, "not available in this version") ? LEVEL_WARN
										     : LEVEL_ERROR;
		break;
	case EV_STEP_SKIPPED:
		snprintf(lv->result, sizeof lv->result, "%s: skipped: %s", step_title(ev->step),
			 ev->text);
		lv->result_level = LEVEL_INFO;
		break;
	}
	return R_REDRAW;
}

int live_tick(struct live *lv, struct tui *t, double now, double *next)
{
	if (!lv->running && lv->next_at > 0) {
		if (now >= lv->next_at) {
			live_start(lv, t);
			return R_REDRAW;
		}
		if (*next == 0 || lv->next_at < *next)
			*next = lv->next_at;
	}
	return R_NONE;
}

static const char *level_mark(enum finding_level l)
{
	switch (l) {
	case LEVEL_OK:
		return "✓";
	case LEVEL_WARN:
		return "!";
	case LEVEL_ERROR:
		return "✗";
	default:
		return "·";
	}
}

/* Rows a finding takes: its text wrapped, at most three lines. */
static int row_height(const struct live_row *r)
{
	int x = r->item[0] ? 27 : 4, w = COLS - x - 1;
	if (w < 10)
		return 1;
	int h = (ui_width(r->text) + w - 1) / w;
	return h < 1 ? 1 : h > 3 ? 3 : h;
}

/* One progress line: item, bar, rows, bytes, rate, ETA. */
static void draw_progress(const struct live_prog *p, int y)
{
	double frac = p->bytes_total > 0 ? (double)p->bytes / (double)p->bytes_total
		      : p->total > 0	 ? (double)p->done / (double)p->total
					 : 0;
	bool total = strcmp(p->item, "total") == 0;
	ui_text(y, 2, 24, total ? ROLE_HEADING : ROLE_LABEL, p->item);
	ui_bar(y, 27, 16, frac);
	char b[32], bt[32], rate[32] = "", eta[32] = "";
	fmt_bytes(b, sizeof b, (double)p->bytes);
	fmt_bytes(bt, sizeof bt, (double)p->bytes_total);
	if (p->elapsed > 0.5 && p->bytes > 0) {
		double r = (double)p->bytes / p->elapsed;
		fmt_bytes(rate, sizeof rate, r);
		strcat(rate, "/s");
		if (p->bytes_total > p->bytes && r > 0) {
			char d[16];
			fmt_duration(d, sizeof d, (double)(p->bytes_total - p->bytes) / r);
			snprintf(eta, sizeof eta, "ETA %s", d);
		}
	}
	char bytes[80] = "";
	if (p->bytes || p->bytes_total)
		snprintf(bytes, sizeof bytes, "  %s/%s", b, bt);
	ui_textf(y, 44, COLS - 46, ROLE_NORMAL, "%lld/%lld %s%s  %s  %s", p->done, p->total,
		 p->unit == UNIT_TABLES ? "tables" : "rows", bytes, rate, eta);
}

int live_draw(struct live *lv, int top, int rows, const char *heading)
{
	int y = top, end = top + rows;
	if (y < end && heading) {
		ui_textf(y, 0, COLS, ROLE_HEADING, "%s%s", heading,
			 lv->running			? "  (checking…)"
			 : lv->interval > 0 && lv->runs ? "  (live)"
							: "");
		y++;
	}
	if (y < end && lv->running && lv->status[0])
		ui_textf(y++, 2, COLS - 4, ROLE_INFO, "» %s", lv->status);
	if (y < end && lv->result[0]) {
		char line[1300];
		snprintf(line, sizeof line, "%s %s", level_mark(lv->result_level), lv->result);
		y += ui_wrap(y, 2, COLS - 4, end - y < 3 ? end - y : 3,
			     level_role(lv->result_level), line);
	}
	/* "total" first, then the items still moving, then finished ones, while
	 * leaving room for the findings. */
	int bars = lv->running ? (end - y) / 2 : 3;
	for (int pass = 0; pass < 3; pass++)
		for (int i = 0; i < lv->nprog && y < end; i++) {
			const struct live_prog *p = &lv->prog[i];
			bool total = strcmp(p->item, "total") == 0;
			bool moving = p->done < p->total || p->bytes < p->bytes_total;
			if (pass == 0 ? !total : total || (pass == 1) != moving)
				continue;
			if (!total && bars-- <= 0)
				continue;
			draw_progress(p, y++);
		}
	int avail = end - y, first = 0;
	if (lv->scroll >= 0) {
		first = lv->scroll < lv->nrows ? lv->scroll : lv->nrows - 1;
	} else if (!lv->inspect) { /* a run: follow the newest rows */
		int h = 0;
		first = lv->nrows;
		while (first > 0 && h + row_height(&lv->rows[first - 1]) <= avail)
			h += row_height(&lv->rows[--first]);
	}
	if (first < 0)
		first = 0;
	lv->shown_first = first;
	lv->page = avail > 1 ? avail - 1 : 1;
	int i;
	for (i = first; i < lv->nrows && y < end; i++) {
		const struct live_row *r = &lv->rows[i];
		int role = level_role(r->level);
		ui_text(y, 2, 2, role, level_mark(r->level));
		int x = 4;
		if (r->item[0]) {
			ui_text(y, x, 22, ROLE_LABEL, r->item);
			x += 23;
		}
		int h = row_height(r);
		if (h > end - y)
			h = end - y;
		y += ui_wrap(y, x, COLS - x - 1, h, role == ROLE_INFO ? ROLE_NORMAL : role,
			     r->text);
	}
	lv->shown_last = i;
	if (heading && i == first && lv->nrows)
		ui_textf(top, COLS - 34, 33, ROLE_HELP, "%d findings below (PgDn)",
			 lv->nrows - first);
	else if (heading && (first > 0 || i < lv->nrows))
		ui_textf(top, COLS - 34, 33, ROLE_HELP, "rows %d-%d of %d (PgUp/PgDn)", first + 1,
			 i, lv->nrows);
	return y - top;
}

int live_key(struct live *lv, int type, wint_t ch)
{
	if (type != KT_KEY || (ch != KEY_PPAGE && ch != KEY_NPAGE))
		return R_NONE;
	int first = lv->shown_first;
	if (ch == KEY_NPAGE) {
		if (lv->shown_last >= lv->nrows)
			return R_HANDLED;
		first = lv->shown_last;
	} else {
		first -= lv->page;
		if (first < 0)
			first = 0;
	}
	lv->scroll = first;
	return R_HANDLED | R_REDRAW;
}

/* Settings screens. */

struct settings *settings_new(struct tui *t, const char *section, const char *intro,
			      unsigned live_mask, bool inspect, double interval,
			      const char *live_heading)
{
	struct settings *s = xcalloc(1, sizeof *s);
	s->intro = intro;
	s->live_heading = live_heading;
	form_init(&s->form, t, section);
	if (live_mask) {
		s->has_live = true;
		live_init(&s->live, live_mask, inspect, interval);
		if (inspect)
			live_start(&s->live, t);
	}
	return s;
}

void settings_free(struct settings *s)
{
	if (!s)
		return;
	form_free(&s->form);
	if (s->has_live)
		live_free(&s->live);
	free(s);
}

void settings_draw(struct tui *t, struct settings *s, int top, int rows)
{
	int y = top, end = top + rows;
	if (s->intro)
		y += ui_wrap(y, 1, COLS - 2, 2, ROLE_NORMAL, s->intro);
	y++;
	int live_min = s->has_live ? 5 : 0;
	int fr = form_rows(&s->form);
	int avail = end - y - live_min - (s->has_live ? 1 : 0);
	if (fr > avail)
		fr = avail;
	if (fr < 1)
		fr = 1;
	/* Validation may depend on other screens' keys: check again each draw. */
	form_validate(&s->form, t);
	y += form_draw(&s->form, t, y, fr);
	if (s->has_live && y + 1 < end)
		live_draw(&s->live, y + 1, end - y - 1, s->live_heading);
	t->hint = form_help(&s->form);
	if (s->act) {
		static char keys[200];
		const char *act = s->act;
		for (int i = 0; s->act_on_error && i < s->live.nrows; i++)
			if (s->live.rows[i].level == LEVEL_ERROR &&
			    strcmp(s->live.rows[i].item, "verdict") == 0 &&
			    strstr(s->live.rows[i].text, "open to the whole internet"))
				act = s->act_on_error;
		snprintf(keys, sizeof keys,
			 "Enter next  Esc back  F1 help  F2 save  %sF6 %s  F10 quit",
			 password_index(&s->form) >= 0 ? "F3/F4 password  " : "F5 check  ", act);
		t->keys = keys;
	}
}

int settings_key(struct tui *t, struct settings *s, int type, wint_t ch)
{
	if (s->has_live && live_key(&s->live, type, ch))
		return R_HANDLED | R_REDRAW;
	if (s->has_live && s->act && type == KT_KEY && ch == KEY_F(6)) {
		if (t->run_active && !(s->live.running && !s->live.inspect)) {
			tui_message(t, ROLE_WARN, "another step is running");
		} else {
			tui_log(t, "run now: %s", s->act);
			live_start_real(&s->live, t);
		}
		return R_HANDLED | R_REDRAW;
	}
	if (s->has_live && type == KT_KEY && ch == KEY_F(5)) {
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
	return r;
}

int settings_tick(struct tui *t, struct settings *s, double now, double *next)
{
	return s->has_live ? live_tick(&s->live, t, now, next) : R_NONE;
}

int settings_event(struct tui *t, struct settings *s, const struct job_msg *m)
{
	return s->has_live ? live_event(&s->live, t, m) : R_NONE;
}

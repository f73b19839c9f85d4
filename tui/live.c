/* The live panel: runs steps as a job (look-only every few seconds, or for
 * real once) and shows their status, progress bars and findings. */
#include "live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "util.h"

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
		lv->next_at = now_monotonic() + 0.8;
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
	lv->job = job_start(t->cfg, t->st, lv->mask, lv->inspect, t->opt);
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
	r->code = ev->code;
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
			lv->next_at = now_monotonic() + (lv->stale ? 0.8 : lv->interval);
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
		if (!(ev->flags & EVF_DETAIL))
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
			lv->prog[i].is_total = ev->flags & EVF_TOTAL;
		}
		lv->prog[i].done = ev->done;
		lv->prog[i].total = ev->total;
		lv->prog[i].bytes = ev->bytes;
		lv->prog[i].bytes_total = ev->bytes_total;
		lv->prog[i].elapsed = ev->elapsed;
		lv->prog[i].unit = ev->unit;
		return R_LAZY;
	}
	case EV_REPLICATION:
		lv->repl_phase = ev->phase;
		fmt_replication(lv->repl, sizeof lv->repl, ev->phase, ev->lag_bytes,
				ev->lag_seconds, ev->done, ev->total);
		return R_LAZY;
	case EV_STEP_DONE:
		snprintf(lv->result, sizeof lv->result, "%s: %s", step_title(ev->step), ev->text);
		/* done, but an error or warning among its findings shows on the summary */
		lv->result_level = lv->worst > LEVEL_OK ? lv->worst : LEVEL_OK;
		/* done, but objects were left out: never shown as plain OK */
		if ((ev->flags & EVF_INCOMPLETE) && lv->result_level < LEVEL_WARN)
			lv->result_level = LEVEL_WARN;
		break;
	case EV_STEP_FAILED:
		snprintf(lv->result, sizeof lv->result, "%s: %s", step_title(ev->step), ev->text);
		lv->result_level = LEVEL_ERROR;
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
		      : p->total > 0     ? (double)p->done / (double)p->total
					 : 0;
	ui_text(y, 2, 24, p->is_total ? ROLE_HEADING : ROLE_LABEL, p->item);
	ui_bar(y, 27, 16, frac);
	char b[32], bt[32], rate[32] = "", eta[32] = "";
	fmt_bytes(b, sizeof b, (double)p->bytes);
	fmt_bytes(bt, sizeof bt, (double)p->bytes_total);
	if (p->elapsed > 0.5 && p->bytes > 0) {
		double per_s, left;
		fmt_rate(p->bytes, p->bytes_total, p->elapsed, &per_s, &left);
		fmt_bytes(rate, sizeof rate, per_s);
		strcat(rate, "/s");
		if (left >= 0) {
			char d[16];
			snprintf(eta, sizeof eta, "ETA %s", fmt_duration(d, sizeof d, left));
		}
	}
	char bytes[80] = "";
	if (p->bytes || p->bytes_total)
		snprintf(bytes, sizeof bytes, "  %s/%s", b, bt);
	ui_textf(y, 44, COLS - 46, ROLE_NORMAL, "%lld/%lld %s%s  %s  %s", p->done, p->total,
		 p->unit == UNIT_TABLES ? "tables" : "rows", bytes, rate, eta);
}

/* The first findings row to show in AVAIL rows: where PgUp/PgDn left it, or
 * the top (look-only), or, for a run, as far down as shows the newest rows.
 * Row heights follow the terminal's width, known when drawing: live_draw
 * calls this and notes what it showed (shown_first/last, page) for live_key,
 * a record of the view, not state of the panel; drawing twice draws the same. */
static int first_row(const struct live *lv, int avail)
{
	int first = 0;
	if (lv->scroll >= 0) {
		first = lv->scroll < lv->nrows ? lv->scroll : lv->nrows - 1;
	} else if (!lv->inspect) { /* a run: follow the newest rows */
		int h = 0;
		first = lv->nrows;
		while (first > 0 && h + row_height(&lv->rows[first - 1]) <= avail)
			h += row_height(&lv->rows[--first]);
	}
	return first < 0 ? 0 : first;
}

int live_draw(struct live *lv, int top, int rows, const char *heading)
{
	int y = top, end = top + rows;
	if (y < end && heading) {
		ui_textf(y, 0, COLS, ROLE_HEADING, "%s%s", heading,
			 lv->running                    ? "  (checking…)"
			 : lv->interval > 0 && lv->runs ? "  (live)"
							: "");
		y++;
	}
	if (y < end && lv->running && lv->status[0])
		ui_textf(y++, 2, COLS - 4, ROLE_INFO, "» %s", lv->status);
	if (y < end && lv->repl[0])
		ui_textf(y++, 2, COLS - 4,
			 lv->repl_phase == REPL_STALLED     ? ROLE_ERROR
			 : lv->repl_phase == REPL_CAUGHT_UP ? ROLE_OK
							    : ROLE_INFO,
			 "Replication %s", lv->repl);
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
			bool total = p->is_total;
			bool moving = p->done < p->total || p->bytes < p->bytes_total;
			if (pass == 0 ? !total : total || (pass == 1) != moving)
				continue;
			if (!total && bars-- <= 0)
				continue;
			draw_progress(p, y++);
		}
	int avail = end - y, first = first_row(lv, avail);
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

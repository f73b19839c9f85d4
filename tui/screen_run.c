/* The Run screen: runs the chosen steps for real, then shows the summary. */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "live.h"
#include "run.h"
#include "util.h"

struct runscr {
	struct live live;
	struct live plan; /* a dry run of the chosen steps, shown before the run starts */
	bool started, done;
	char text[STEP_MAX][1024];
	int problems;
};

static void *run_enter(struct tui *t, const struct screen *self)
{
	(void)self;
	struct runscr *r = xcalloc(1, sizeof *r);
	live_init(&r->live, t->steps_mask, false, 0);
	live_init(&r->plan, t->steps_mask, true, 0);
	r->plan.dry_run = true;
	if (t->steps_mask)
		live_start(&r->plan, t);
	struct problems p = {0};
	r->problems = (int)config_check(t->cfg, &p);
	problems_free(&p);
	return r;
}

static void run_leave(struct tui *t, void *data)
{
	(void)t;
	struct runscr *r = data;
	live_free(&r->live);
	live_free(&r->plan);
	free(r);
}

static void run_draw(struct tui *t, void *data, int top, int rows)
{
	struct runscr *r = data;
	int y = top + 1, end = top + rows;
	if (!r->started) {
		y += ui_wrap(y, 2, COLS - 4, rows, ROLE_NORMAL,
			     _("Ready. Press Enter to run the steps below for real; each one is "
			       "safe to run again. Press c to cancel a run."));
		if (r->problems)
			ui_textf(
				y, 2, COLS - 4, ROLE_WARN,
				P_("! %d setting breaks a rule (see the screens or --check-config)",
				   "! %d settings break a rule (see the screens or --check-config)",
				   r->problems),
				r->problems);
		y++;
	} else {
		const char *s =
			r->live.running   ? _("Running…")
			: r->live.rc == 0 ? _("Done: every step succeeded.")
			: r->live.rc == RUN_INCOMPLETE
				? _("Done, but incomplete: objects named below were not copied.")
			: r->live.rc == 130 ? _("Interrupted: run again to resume.")
					    : _("Stopped: a step failed (see below).");
		ui_text(y++, 2, COLS - 4,
			r->live.running                ? ROLE_HEADING
			: r->live.rc == 0              ? ROLE_OK
			: r->live.rc == RUN_INCOMPLETE ? ROLE_WARN
						       : ROLE_ERROR,
			s);
		y++;
	}
	if (!r->started) { /* the plan: each step's verdict among its findings */
		if (y + 1 < end)
			live_draw(
				&r->plan, y + 1, end - y - 1,
				_("The plan: what the run will do (nothing changes before Enter)"));
		return;
	}
	for (int s = 0; s < step_count && y < end; s++) {
		if (!(t->steps_mask & (1u << s)))
			continue;
		enum step_status st = t->badge[s];
		ui_textf(y, 2, 4, status_role(st), " %s ", status_badge(st));
		ui_text(y, 6, 20, ROLE_LABEL, step_title(s));
		int h = ui_wrap(y, 27, COLS - 29, 2, st == STATUS_FAILED ? ROLE_ERROR : ROLE_NORMAL,
				r->text[s]);
		y += h > 0 ? h : 1;
	}
	if (y + 1 < end)
		live_draw(&r->live, y + 1, end - y - 1, _("Findings and progress"));
}

static const char *run_hint(struct tui *t, void *data)
{
	(void)t;
	const struct runscr *r = data;
	return r->live.running ? _("c cancels the run (state is saved; run again to resume)")
	       : r->started    ? _("Enter runs again; Esc goes back to the settings")
			       : _("Enter starts the run");
}

static const char *run_keys(struct tui *t, void *data)
{
	(void)t;
	const struct runscr *r = data;
	if (r->live.running)
		return _("c cancel  PgUp/PgDn findings  F1 help  F10 quit");
	const struct live *lv = r->started ? &r->live : &r->plan;
	bool more = lv->shown_first > 0 || lv->shown_last < lv->nrows;
	return more ? _("Enter run  Esc back  PgUp/PgDn findings  F1 help  "
			"F2 save  q quit")
		    : _("Enter run  Esc back  F1 help  F2 save  q quit");
}

static int run_key(struct tui *t, void *data, int type, wint_t ch)
{
	struct runscr *r = data;
	bool enter = (type == KT_CHAR && (ch == '\n' || ch == '\r')) ||
		     (type == KT_KEY && ch == KEY_ENTER);
	if ((enter || (type == KT_CHAR && ch == 'r')) && !r->live.running) {
		if (!t->steps_mask) {
			tui_message(t, ROLE_WARN, "%s",
				    _("no step chosen: pick some on the Welcome screen"));
			return R_HANDLED | R_REDRAW;
		}
		r->started = true;
		live_cancel(&r->plan);
		memset(r->text, 0, sizeof r->text);
		for (int s = 0; s < step_count; s++)
			if (t->steps_mask & (1u << s))
				t->badge[s] = STATUS_PENDING;
		r->live.mask = t->steps_mask;
		tui_log(t, "run: starting steps mask %#x", t->steps_mask);
		live_start(&r->live, t);
		return R_HANDLED | R_REDRAW;
	}
	if (type == KT_CHAR && ch == 'c' && r->live.running) {
		job_cancel(r->live.job);
		tui_message(t, ROLE_WARN, "%s",
			    _("cancelling: the step stops at the next safe point"));
		return R_HANDLED | R_REDRAW;
	}
	if (type == KT_CHAR && ch == 27 && r->live.running) {
		tui_message(t, ROLE_WARN, "%s",
			    _("a run is in progress: press c to cancel it first"));
		return R_HANDLED | R_REDRAW;
	}
	if (live_key(r->started ? &r->live : &r->plan, type, ch))
		return R_HANDLED | R_REDRAW;
	if (enter)
		return R_HANDLED;
	return R_NONE;
}

static int run_event(struct tui *t, void *data, const struct job_msg *m)
{
	struct runscr *r = data;
	if ((m->id == r->live.id || m->id == r->plan.id) && m->kind == JM_EVENT) {
		const struct event *ev = &m->ev;
		if (ev->kind == EV_STEP_START)
			snprintf(r->text[ev->step], sizeof r->text[ev->step], "%s", _("running…"));
		else if (ev->kind == EV_STATUS)
			snprintf(r->text[ev->step], sizeof r->text[ev->step], "%s", ev->text);
		else if (ev->kind == EV_STEP_DONE || ev->kind == EV_STEP_FAILED ||
			 ev->kind == EV_STEP_SKIPPED)
			snprintf(r->text[ev->step], sizeof r->text[ev->step], "%s", ev->text);
	}
	if (m->id == r->plan.id && m->kind == JM_EVENT && m->ev.kind >= EV_STEP_DONE) {
		/* the plan lists each step's verdict as a finding of its own */
		struct job_msg f = *m;
		f.ev.kind = EV_FINDING;
		f.ev.level = m->ev.kind == EV_STEP_FAILED ? LEVEL_ERROR : LEVEL_INFO;
		snprintf(f.ev.item, sizeof f.ev.item, "%s", step_title(m->ev.step));
		live_event(&r->plan, t, &f);
	}
	int rc = live_event(&r->live, t, m) | live_event(&r->plan, t, m);
	r->plan.result[0] = 0; /* the verdicts are among the findings */
	return rc;
}

const struct screen screen_run = {
	.name = "run",
	.title = N_("Run"),
	.help = N_("Enter runs the chosen steps in order, stopping at the first failure.\n"
		   "Each step is idempotent: running again after a failure or an interruption "
		   "resumes.\n"
		   "Questions (for example before truncating a table) appear as a yes/no dialog.\n"
		   "c cancels; the state is saved next to the config."),
	.enter = run_enter,
	.leave = run_leave,
	.draw = run_draw,
	.hint = run_hint,
	.keys = run_keys,
	.key = run_key,
	.event = run_event,
};

/* The ncurses front end: terminal set-up and restore, the one poll() loop over
 * the terminal, a signal self-pipe, job events and timers; the frame (title,
 * footer, step checklist), the help overlay and the yes/no dialogs. */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "util.h"

#define MIN_COLS      80
#define MIN_ROWS      24
#define LAZY_INTERVAL 1.0 /* seconds between progress repaints (SSH stays light) */
#define MAX_CONFIRMS  8

static volatile sig_atomic_t term_active;
static int sig_pipe[2] = {-1, -1};
static int cursor_y = -1, cursor_x;

/* What the loop shows on top of the screen, and what it will do next. */
struct loop {
	bool dirty;
	double lazy_at; /* 0: no throttled repaint pending */
	double last_draw;
	bool help;
	int quit_dialog;                       /* 0 none, 1 unsaved input, 2 a run is active */
	struct job_msg confirms[MAX_CONFIRMS]; /* questions: JM_CONFIRM or JM_ASK */
	int nconfirm;
	char typed[32]; /* what is typed for the first question, a JM_ASK (masked) */
	size_t ntyped;
	bool quit;
	int exit_code;
	int last_run_rc;
	char theme_warn[2048];
};

void ui_cursor(int y, int x)
{
	cursor_y = y;
	cursor_x = x;
}

void tui_shutdown(void)
{
	if (!term_active)
		return;
	term_active = 0;
	curs_set(1);
	endwin();
}

/* Signal handlers only write the signal's number to the self-pipe. */
static void on_signal(int sig)
{
	int e = errno;
	unsigned char b = (unsigned char)sig;
	ssize_t w = write(sig_pipe[1], &b, 1);
	(void)w;
	errno = e;
}

/* A crash: give the terminal back, then die of the same signal. */
static void on_crash(int sig)
{
	tui_shutdown();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	int sigs[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	int crash[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
		sigaction(crash[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void tui_log(struct tui *t, const char *fmt, ...)
{
	if (!t->log)
		return;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	fprintf(t->log, "%s ", stamp);
	va_list ap;
	va_start(ap, fmt);
	char *line = xvasprintf(fmt, ap);
	va_end(ap);
	char *shown = text_printable(line); /* one line, no terminal escapes */
	fputs(shown, t->log);
	free(shown);
	free(line);
	fputc('\n', t->log);
	fflush(t->log);
}

void tui_message(struct tui *t, int role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg_role = role;
	t->msg_until = now_monotonic() + 6;
	tui_log(t, "message: %s", t->msg);
}

int tui_save(struct tui *t)
{
	if (!t->cfg->path)
		t->cfg->path = xstrdup("config.ini");
	char *cause = NULL;
	if (config_save(t->cfg, t->cfg->path, &cause) != 0) {
		tui_message(t, ROLE_ERROR, "not saved: %s", cause ? cause : "unknown error");
		free(cause);
		return -1;
	}
	t->unsaved = false;
	t->cfg->from_file = true;
	struct problems p = {0};
	size_t n = config_check(t->cfg, &p);
	problems_free(&p);
	if (n)
		tui_message(t, ROLE_WARN, "saved to %s (mode 0600); %zu setting%s break%s a rule",
			    t->cfg->path, n, n == 1 ? "" : "s", n == 1 ? "s" : "");
	else
		tui_message(t, ROLE_OK, "saved to %s (mode 0600)", t->cfg->path);
	return 0;
}

/* The step checklist with a badge per step. */
static void draw_status_bar(struct tui *t)
{
	int y = LINES - 1;
	ui_fill(y, 0, COLS, ROLE_STATUS_BAR);
	int x = 1;
	for (int s = 0; s < step_count; s++) {
		bool chosen = t->steps_mask & (1u << s);
		enum step_status st = t->badge[s];
		int role = chosen ? status_role(st) : ROLE_STATUS_SKIPPED;
		char cell[32];
		snprintf(cell, sizeof cell, "%s%s", chosen ? status_badge(st) : "–", step_name(s));
		x += ui_text(y, x, COLS - x, role, cell) + 1;
	}
}

static void draw_frame(struct tui *t)
{
	const struct screen *sc = screens[t->cur];
	const char *hint = sc->hint ? sc->hint(t, t->data) : NULL;
	const char *keys = sc->keys ? sc->keys(t, t->data) : NULL;
	ui_fill(0, 0, COLS, ROLE_TITLE);
	ui_textf(0, 1, COLS - 2, ROLE_TITLE, "rds-migrate  %d/%d  %s", t->cur + 1, screen_count,
		 sc->title);
	if (t->unsaved)
		ui_text(0, COLS - 17, 16, ROLE_TITLE, "● unsaved (F2)");
	if (t->msg[0] && now_monotonic() < t->msg_until)
		ui_text(LINES - 4, 1, COLS - 2, t->msg_role, t->msg);
	if (hint)
		ui_textf(LINES - 3, 1, COLS - 2, ROLE_HELP, "› %s", hint);
	ui_fill(LINES - 2, 0, COLS, ROLE_KEYS);
	ui_text(LINES - 2, 1, COLS - 2, ROLE_KEYS,
		keys ? keys
		     : "Tab/↑↓ field  Enter go on  Esc back  F1 help  F2 save  F3 show  F4 "
		       "generate  F10 quit");
	draw_status_bar(t);
}

static void draw_help(struct tui *t)
{
	const struct screen *sc = screens[t->cur];
	int y, x, w = COLS - 4, h = LINES - 2;
	ui_box(h, w, ROLE_DIALOG, "Help", &y, &x);
	static const char keys[] = "Tab Shift-Tab ↑↓  move between fields\n"
				   "Enter            next screen (or press the focused button)\n"
				   "Esc              back\n"
				   "F2 or Ctrl-S     save the settings to the config file (0600)\n"
				   "F3 / F4          show the password / generate a strong one\n"
				   "F5 / F6          check again now / do this screen's step now\n"
				   "PgUp / PgDn      scroll the findings\n"
				   "F10 or Ctrl-Q    quit (q too, on screens without fields)\n"
				   "Any key closes this help.";
	int used = ui_wrap(y, x, w - 4, h - 12, ROLE_DIALOG, sc->help ? sc->help : "");
	ui_wrap(y + used + 1, x, w - 4, 9, ROLE_DIALOG, keys);
}

/* A yes/no question in a box. */
static void draw_question(const char *title, const char *q, const char *choices)
{
	int w = COLS - 16, y, x;
	if (w > 76)
		w = 76;
	ui_box(9, w, ROLE_DIALOG, title, &y, &x);
	ui_wrap(y + 1, x, w - 4, 4, ROLE_DIALOG, q);
	ui_text(y + 6, x, w - 4, ROLE_DIALOG_TITLE, choices);
}

static void draw_too_small(struct tui *t, struct loop *L)
{
	char msg[128];
	snprintf(msg, sizeof msg, "terminal too small (need %d×%d)", MIN_COLS, MIN_ROWS);
	int y = LINES / 2 - 1;
	if (y < 0)
		y = 0;
	int w = ui_width(msg);
	ui_text(y, COLS > w ? (COLS - w) / 2 : 0, COLS, ROLE_ERROR, msg);
	char now[64];
	snprintf(now, sizeof now, "now %d×%d: enlarge the window, or F10 to quit", COLS, LINES);
	w = ui_width(now);
	ui_text(y + 1, COLS > w ? (COLS - w) / 2 : 0, COLS, ROLE_NORMAL, now);
	if (L->quit_dialog)
		ui_text(y + 2, 0, COLS, ROLE_WARN,
			"quit? y: without saving  s: save and quit  n: stay");
	(void)t;
}

static void draw(struct tui *t, struct loop *L)
{
	erase();
	cursor_y = -1;
	if (COLS < MIN_COLS || LINES < MIN_ROWS) {
		draw_too_small(t, L);
	} else {
		screens[t->cur]->draw(t, t->data, 1, LINES - 5);
		draw_frame(t);
		if (L->help) {
			draw_help(t);
			cursor_y = -1;
		} else if (L->nconfirm && L->confirms[0].kind == JM_ASK) {
			const struct job_msg *m = &L->confirms[0];
			char stars[sizeof L->typed + 8], q[sizeof m->ev.text + sizeof stars + 8];
			memset(stars, '*', L->ntyped);
			stars[L->ntyped] = 0;
			snprintf(q, sizeof q, "%s  Code: %s_", m->ev.text, stars);
			draw_question(step_title(m->ev.step), q, "Enter send    Esc cancel");
			cursor_y = -1;
		} else if (L->nconfirm) {
			const struct job_msg *m = &L->confirms[0];
			draw_question(step_title(m->ev.step), m->ev.text, "y yes    n no");
			cursor_y = -1;
		} else if (L->quit_dialog == 1) {
			draw_question("Quit", "You have changed settings that are not saved.",
				      "s save and quit    y quit without saving    n stay");
			cursor_y = -1;
		} else if (L->quit_dialog == 2) {
			draw_question(
				"Quit",
				"A step is running. Quit and interrupt it? The state is saved; "
				"running again resumes.",
				"y quit    n stay");
			cursor_y = -1;
		}
	}
	if (cursor_y >= 0) {
		move(cursor_y, cursor_x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
	L->dirty = false;
	L->lazy_at = 0;
	L->last_draw = now_monotonic();
}

static void answer_confirm(struct loop *L, bool yes);

static void switch_screen(struct tui *t, struct loop *L, int to)
{
	if (to < 0 || to >= screen_count || to == t->cur)
		return;
	if (screens[t->cur]->leave)
		screens[t->cur]->leave(t, t->data);
	/* Questions of the jobs the old screen cancelled need no answer now. */
	for (int i = 0; i < L->nconfirm;) {
		if (job_cancelled(L->confirms[i].job)) {
			struct job_msg tmp = L->confirms[0];
			L->confirms[0] = L->confirms[i];
			L->confirms[i] = tmp;
			answer_confirm(L, false);
		} else {
			i++;
		}
	}
	t->cur = to;
	t->data = screens[to]->enter ? screens[to]->enter(t, screens[to]) : NULL;
	tui_log(t, "screen: %s", screens[to]->name);
}

static void ask_quit(struct tui *t, struct loop *L)
{
	if (t->run_active)
		L->quit_dialog = 2;
	else if (t->unsaved)
		L->quit_dialog = 1;
	else
		L->quit = true;
	L->dirty = true;
}

/* Act on a handler's reaction bits. */
static void react(struct tui *t, struct loop *L, int r)
{
	if (r & (R_REDRAW | R_NEXT | R_BACK))
		L->dirty = true;
	if ((r & R_LAZY) && !L->lazy_at)
		L->lazy_at = L->last_draw + LAZY_INTERVAL;
	if (r & R_HELP)
		L->help = true;
	if (r & R_NEXT) {
		if (t->cur + 1 < screen_count)
			switch_screen(t, L, t->cur + 1);
	}
	if (r & R_BACK) {
		if (t->cur > 0)
			switch_screen(t, L, t->cur - 1);
	}
	if (r & R_QUIT)
		ask_quit(t, L);
}

static bool is_enter(int type, wint_t ch)
{
	return (type == KT_CHAR && (ch == '\n' || ch == '\r')) ||
	       (type == KT_KEY && ch == KEY_ENTER);
}

static void answer_confirm(struct loop *L, bool yes)
{
	if (yes && L->confirms[0].kind == JM_ASK)
		job_answer_text(L->confirms[0].job, L->typed);
	else
		job_answer(L->confirms[0].job, yes);
	explicit_bzero(L->typed, sizeof L->typed);
	L->ntyped = 0;
	job_release(L->confirms[0].job);
	memmove(&L->confirms[0], &L->confirms[1],
		(size_t)(L->nconfirm - 1) * sizeof L->confirms[0]);
	L->nconfirm--;
	L->dirty = true;
}

static void handle_key(struct tui *t, struct loop *L, int type, wint_t ch)
{
	bool small = COLS < MIN_COLS || LINES < MIN_ROWS;
	bool esc = type == KT_CHAR && ch == 27;
	bool quitkey =
		(type == KT_KEY && ch == KEY_F(10)) || (type == KT_CHAR && ch == KEY_CTRL('q'));
	if (L->nconfirm && L->confirms[0].kind == JM_ASK) {
		if (is_enter(type, ch))
			answer_confirm(L, true);
		else if (esc)
			answer_confirm(L, false);
		else if ((type == KT_KEY && ch == KEY_BACKSPACE) ||
			 (type == KT_CHAR && (ch == 127 || ch == 8)))
			L->ntyped -= L->ntyped > 0;
		else if (type == KT_CHAR && ch > ' ' && ch < 127 && L->ntyped + 1 < sizeof L->typed)
			L->typed[L->ntyped++] = (char)ch;
		L->typed[L->ntyped] = 0;
		L->dirty = true;
		return;
	}
	if (L->nconfirm) {
		if (type == KT_CHAR && (ch == 'y' || ch == 'Y'))
			answer_confirm(L, true);
		else if (esc || (type == KT_CHAR && (ch == 'n' || ch == 'N')))
			answer_confirm(L, false);
		return;
	}
	if (L->quit_dialog) {
		if (type == KT_CHAR && (ch == 'y' || ch == 'Y' || ch == 'q')) {
			L->quit = true;
			if (L->quit_dialog == 2) /* the run is interrupted */
				L->exit_code = 130;
		} else if (L->quit_dialog == 1 && type == KT_CHAR && (ch == 's' || ch == 'S')) {
			if (tui_save(t) == 0)
				L->quit = true;
			L->quit_dialog = 0;
		} else if (esc || (type == KT_CHAR && (ch == 'n' || ch == 'N'))) {
			L->quit_dialog = 0;
		}
		L->dirty = true;
		return;
	}
	if (small) {
		if (quitkey || (type == KT_CHAR && ch == 'q'))
			ask_quit(t, L);
		return;
	}
	if (L->help) {
		L->help = false;
		L->dirty = true;
		return;
	}
	if (type == KT_KEY && ch == KEY_F(1)) {
		L->help = true;
		L->dirty = true;
		return;
	}
	if ((type == KT_KEY && ch == KEY_F(2)) || (type == KT_CHAR && ch == KEY_CTRL('s'))) {
		tui_save(t);
		L->dirty = true;
		return;
	}
	if (quitkey) {
		ask_quit(t, L);
		return;
	}
	if (type == KT_KEY && ch == KEY_RESIZE) {
		L->dirty = true;
		return;
	}
	int r = screens[t->cur]->key ? screens[t->cur]->key(t, t->data, type, ch) : R_NONE;
	if (!(r & R_HANDLED)) {
		if (is_enter(type, ch))
			r |= R_NEXT;
		else if (esc)
			r |= R_BACK;
		else if (type == KT_CHAR && ch == 'q')
			r |= R_QUIT;
	}
	react(t, L, r);
}

/* Jobs' messages: update the checklist for real runs, queue questions, and
 * pass the rest to the screen. */
static void handle_job_msg(struct tui *t, struct loop *L, struct job_msg *m)
{
	if (m->kind == JM_CONFIRM || m->kind == JM_ASK) {
		tui_log(t, "job %u asks: %s", m->id, m->ev.text);
		if (L->nconfirm == MAX_CONFIRMS) {
			job_answer(m->job, false);
			job_release(m->job);
			return;
		}
		L->confirms[L->nconfirm++] = *m;
		L->dirty = true;
		return;
	}
	if (m->kind == JM_EVENT) {
		const struct event *ev = &m->ev;
		if (ev->kind != EV_PROGRESS)
			tui_log(t, "job %u%s %s: %d %s%s%s", m->id, m->inspect ? " (inspect)" : "",
				step_name(ev->step), (int)ev->kind, ev->item,
				ev->item[0] ? ": " : "", ev->text);
		if (!m->inspect) {
			switch (ev->kind) {
			case EV_STEP_START:
				t->badge[ev->step] = STATUS_RUNNING;
				react(t, L, R_LAZY);
				break;
			case EV_STEP_DONE:
				t->badge[ev->step] = STATUS_OK;
				react(t, L, R_LAZY);
				break;
			case EV_STEP_FAILED:
				t->badge[ev->step] = STATUS_FAILED;
				L->dirty = true;
				break;
			case EV_STEP_SKIPPED:
				t->badge[ev->step] = STATUS_SKIPPED;
				L->dirty = true;
				break;
			default:
				break;
			}
		}
	} else if (m->kind == JM_DONE) {
		tui_log(t, "job %u ended: %d", m->id, m->rc);
		if (!m->inspect)
			L->last_run_rc = m->rc;
	}
	if (screens[t->cur]->event) {
		int r = screens[t->cur]->event(t, t->data, m);
		/* A run's status lines and findings come in bursts: repaint them at
		 * most once per LAZY_INTERVAL, like progress, so the terminal (often
		 * over SSH) stays quiet; failures and the end are drawn at once. */
		if (m->kind == JM_EVENT && !m->inspect && (r & R_REDRAW) &&
		    m->ev.kind != EV_STEP_FAILED)
			r = (r & ~R_REDRAW) | R_LAZY;
		react(t, L, r);
	}
}

static void handle_resize(struct tui *t, struct loop *L)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	L->dirty = true;
	tui_log(t, "resize: %dx%d", COLS, LINES);
}

/* UTF-8 in the terminal: the user's locale, or C.UTF-8 when none is set. */
static void set_locale(void)
{
	setlocale(LC_CTYPE, "");
	const char *cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8") != 0) {
		const char *l = getenv("LC_ALL");
		if (!l || !*l)
			l = getenv("LC_CTYPE");
		if (!l || !*l)
			l = getenv("LANG");
		if (!l || !*l || strcmp(l, "C") == 0 || strcmp(l, "POSIX") == 0)
			setlocale(LC_CTYPE, "C.UTF-8");
	}
}

static int term_start(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -1;
	if (!newterm(NULL, stdout, stdin))
		return -1;
	term_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	/* Ctrl-S and Ctrl-Q are keys here, not flow control. */
	struct termios tio;
	if (tcgetattr(STDIN_FILENO, &tio) == 0) {
		tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
		tcsetattr(STDIN_FILENO, TCSANOW, &tio);
		def_prog_mode();
	}
	theme_apply();
	curs_set(0);
	return 0;
}

int tui_run(struct config *cfg, struct state *st, const struct tui_options *opt)
{
	struct tui app = {.cfg = cfg, .st = st, .opt = opt, .steps_mask = step_all()};
	struct tui *t = &app;
	static struct loop loop;
	struct loop *L = &loop;
	memset(L, 0, sizeof *L);

	if (opt->log_path) {
		t->log = fopen(opt->log_path, "a");
		if (!t->log) {
			fprintf(stderr, "rds-migrate: cannot open the log %s: %s\n", opt->log_path,
				strerror(errno));
			return 1;
		}
	}
	theme_load(opt->theme, L->theme_warn, sizeof L->theme_warn);
	int jobfd = jobs_init();
	if (jobfd < 0 || pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		fprintf(stderr, "rds-migrate: cannot create a pipe: %s\n", strerror(errno));
		if (t->log)
			fclose(t->log);
		return 1;
	}
	set_locale();
	install_signals();
	atexit(tui_shutdown);
	if (term_start() != 0) {
		fprintf(stderr, "rds-migrate: the wizard needs a terminal (TERM=%s); use --plain\n",
			getenv("TERM") ? getenv("TERM") : "");
		if (t->log)
			fclose(t->log);
		return 1;
	}
	tui_log(t, "start: %dx%d, colours %d, config %s", COLS, LINES, has_colors() ? COLORS : 0,
		cfg->path ? cfg->path : "(none)");
	if (L->theme_warn[0]) {
		char first[256];
		snprintf(first, sizeof first, "%.*s", (int)strcspn(L->theme_warn, "\n"),
			 L->theme_warn);
		tui_message(t, ROLE_WARN, "theme: %s", first);
		t->msg_until = now_monotonic() + 15;
		tui_log(t, "theme problems:\n%s", L->theme_warn);
	}
	if (opt->load_problems && opt->load_problems->n) {
		/* every line that did not load, on the screen (and in the log) */
		const struct problems *lp = opt->load_problems;
		const struct problem *p0 = &lp->v[0];
		tui_message(t, ROLE_WARN, "%s: %zu problem%s loading it; line %d: %s: %s%s",
			    cfg->path, lp->n, lp->n == 1 ? "" : "s", p0->line, p0->key, p0->rule,
			    lp->n > 1 ? " (rds-migrate --check-config lists all)" : "");
		t->msg_until = now_monotonic() + 30;
		for (size_t i = 0; i < lp->n; i++)
			tui_log(t, "config: line %d: %s: %s", lp->v[i].line, lp->v[i].key,
				lp->v[i].rule);
	}
	t->cur = 0;
	t->data = screens[0]->enter ? screens[0]->enter(t, screens[0]) : NULL;
	L->dirty = true;
	int hup = 0;
	int idle_reads = 0;
	const char *crash = getenv("RDSM_TEST_CRASH");

	while (!L->quit) {
		double now = now_monotonic();
		if (L->lazy_at && now >= L->lazy_at)
			L->dirty = true;
		if (t->msg[0] && t->msg_until && now >= t->msg_until) {
			t->msg[0] = 0;
			L->dirty = true;
		}
		if (L->dirty)
			draw(t, L);
		if (crash && *crash) /* tests: prove a crash restores the terminal */
			raise(SIGSEGV);

		/* The timeout is the nearest deadline. */
		double next = 0;
		if (screens[t->cur]->tick)
			react(t, L, screens[t->cur]->tick(t, t->data, now, &next));
		if (L->lazy_at && (next == 0 || L->lazy_at < next))
			next = L->lazy_at;
		if (t->msg[0] && (next == 0 || t->msg_until < next))
			next = t->msg_until;
		if (L->dirty) /* the tick asked for a repaint */
			continue;
		int timeout = -1;
		if (next > 0) {
			double ms = (next - now_monotonic()) * 1000.0;
			timeout = ms < 0 ? 0 : (int)(ms + 1);
		}
		struct pollfd fds[3] = {
			{.fd = STDIN_FILENO, .events = POLLIN},
			{.fd = sig_pipe[0], .events = POLLIN},
			{.fd = jobfd, .events = POLLIN},
		};
		int n = poll(fds, 3, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tui_log(t, "poll: %s", strerror(errno));
			break;
		}
		if (fds[1].revents & POLLIN) {
			unsigned char sigs[64];
			ssize_t k;
			while ((k = read(sig_pipe[0], sigs, sizeof sigs)) > 0)
				for (ssize_t i = 0; i < k; i++) {
					if (sigs[i] == SIGWINCH) {
						handle_resize(t, L);
					} else if (sigs[i] == SIGINT && t->run_active &&
						   L->quit_dialog != 2) {
						/* Ctrl-C during a run asks first; a second one quits */
						tui_log(t, "Ctrl-C during a run: asking");
						L->quit_dialog = 2;
						L->dirty = true;
					} else {
						tui_log(t, "signal %d: quitting", sigs[i]);
						if (sigs[i] == SIGHUP)
							hup = 1;
						L->exit_code = 130;
						L->quit = true;
					}
				}
		}
		if (fds[2].revents & POLLIN) {
			struct job_msg m;
			while (jobs_pop(&m))
				handle_job_msg(t, L, &m);
		}
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			tui_log(t, "terminal hung up: quitting");
			hup = 1;
			L->exit_code = 130;
			L->quit = true;
		} else if (fds[0].revents & POLLIN) {
			wint_t ch;
			int type, got = 0;
			while (!L->quit && (type = get_wch(&ch)) != ERR) {
				got++;
				handle_key(t, L, type, ch);
			}
			/* Readable but nothing to read, again and again: the terminal is gone. */
			idle_reads = got ? 0 : idle_reads + 1;
			if (idle_reads > 100) {
				tui_log(t, "terminal gives no input: quitting");
				hup = 1;
				L->exit_code = 130;
				L->quit = true;
			}
		}
	}

	/* Leave: cancel the screen's jobs, answer pending questions, restore the terminal. */
	while (L->nconfirm)
		answer_confirm(L, false);
	if (screens[t->cur]->leave)
		screens[t->cur]->leave(t, t->data);
	t->data = NULL;
	tui_shutdown();
	if (!hup && L->theme_warn[0])
		fprintf(stderr, "%s", L->theme_warn);
	int left = jobs_wait(3.0);
	/* what the jobs said after the loop stopped reading: drop it, and the
	 * job references that questions hold */
	struct job_msg late;
	while (!left && jobs_pop(&late))
		if (late.job)
			job_release(late.job);
	int rc = L->exit_code;
	if (!rc && L->last_run_rc)
		rc = L->last_run_rc == 130 ? 130 : 1;
	tui_log(t, "exit %d%s", rc, left ? " (a job did not stop in time)" : "");
	if (t->log)
		fclose(t->log);
	if (left) {
		/* A job thread still uses the state and config: end the process here
		 * rather than free them under it. The state is saved on every change,
		 * and a target transaction left open is rolled back by the server. */
		fflush(NULL);
		_exit(rc ? rc : 130);
	}
	return rc;
}

/* Internals shared by the TUI's files: the app, screens, reactions, drawing helpers. */
#ifndef RDSM_TUI_APP_H
#define RDSM_TUI_APP_H

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <wchar.h>

#include "config.h"
#include "event.h"
#include "jobs.h"
#include "state.h"
#include "theme.h"
#include "tui.h"

/* What a handler asks the loop to do; only the loop acts on these. */
enum reaction {
	R_NONE = 0,
	R_HANDLED = 1 << 0,
	R_REDRAW = 1 << 1, /* repaint at the end of this pass */
	R_NEXT = 1 << 2,   /* go to the next screen */
	R_BACK = 1 << 3,   /* go to the previous screen */
	R_QUIT = 1 << 4,   /* quit (with confirmation when there is unsaved input) */
	R_LAZY = 1 << 5,   /* repaint, but no more often than the progress throttle */
	R_HELP = 1 << 6,   /* show the help overlay */
};

/* Key types as get_wch returns them. */
#define KT_CHAR OK
#define KT_KEY  KEY_CODE_YES

#define KEY_CTRL(c) ((c)&0x1f)

struct tui;

/* One screen of the wizard: a vtable over private state allocated in enter.
 * Only the loop calls these; draw, hint and keys read state and change none. */
struct screen {
	const char *name;  /* short name for the log and the title */
	const char *title; /* shown in the title bar */
	const char *help;  /* F1 text: lines separated by \n */
	const void *spec;  /* what a data-only screen is made of (struct settings_spec) */
	void *(*enter)(struct tui *t, const struct screen *self);
	void (*leave)(struct tui *t, void *data);
	void (*draw)(struct tui *t, void *data, int top, int rows);
	/* The help line above the keys, and the key line (NULL: the default). */
	const char *(*hint)(struct tui *t, void *data);
	const char *(*keys)(struct tui *t, void *data);
	int (*key)(struct tui *t, void *data, int type, wint_t ch);
	/* Timers: NOW is monotonic seconds; set *NEXT to the next deadline (or leave it). */
	int (*tick)(struct tui *t, void *data, double now, double *next);
	/* A message from a job; ignore the ones from jobs it did not start. */
	int (*event)(struct tui *t, void *data, const struct job_msg *m);
};

extern const struct screen *const screens[];
extern const struct screen screen_welcome, screen_source, screen_aws, screen_instance,
	screen_network, screen_target, screen_migrate, screen_cutover, screen_env, screen_monitor,
	screen_run;
extern const int screen_count;

/* The app: what every screen may look at. The UI thread alone touches it. */
struct tui {
	struct config *cfg;
	struct state *st;
	const struct tui_options *opt;
	int cur;    /* index into screens[] */
	void *data; /* the current screen's state */
	bool unsaved;
	unsigned steps_mask;              /* steps chosen on the Welcome screen */
	enum step_status badge[STEP_MAX]; /* the real run's status per step */
	bool run_active;                  /* a real (not inspect) job is running */
	char msg[512];
	int msg_role;
	double msg_until;
	FILE *log;
};

/* Restore the terminal; safe to call any number of times, from any exit path. */
void tui_shutdown(void);

/* A one-line message above the status bar, for a few seconds. */
void tui_message(struct tui *t, int role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tui_log(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Save the settings to the config file; a message either way. 0 on success. */
int tui_save(struct tui *t);

/* Drawing helpers (widgets.c). Text is UTF-8 and clipped to W columns. */
int ui_width(const char *s);
int ui_text(int y, int x, int w, int role, const char *s);
int ui_textf(int y, int x, int w, int role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void ui_fill(int y, int x, int w, int role);
/* Wrap S into lines of W columns starting at row Y, at most H rows; returns rows used. */
int ui_wrap(int y, int x, int w, int h, int role, const char *s);
void ui_bar(int y, int x, int w, double frac);
/* Where the terminal cursor goes after this draw (a focused field); none by default. */
void ui_cursor(int y, int x);
/* A centred box with a title; returns its inner top-left through Y and X. */
void ui_box(int h, int w, int role, const char *title, int *y, int *x);
int level_role(enum finding_level l);
int status_role(enum step_status s);
const char *status_badge(enum step_status s);

/* An editable line of wide characters. */
struct field {
	wchar_t *buf;
	size_t len, cap, cur;
	int scroll; /* first column shown */
};
void field_set(struct field *f, const char *utf8);
char *field_get(const struct field *f); /* heap UTF-8 */
void field_free(struct field *f);
/* Returns 1 when the text changed, 2 when only the cursor moved, 0 when not handled. */
int field_key(struct field *f, int type, wint_t ch);
/* Characters [MASK_FROM, MASK_TO) are drawn as '*'. */
void field_draw(struct field *f, int y, int x, int w, int role, bool focus, size_t mask_from,
		size_t mask_to);
/* The password part of a URL in F ("scheme://user:PASSWORD@host"), as a range. */
void field_url_password(const struct field *f, size_t *from, size_t *to);

#endif

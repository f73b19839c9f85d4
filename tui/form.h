/* Building blocks of the settings screens: a form over config keys, and a
 * live panel that runs a step (in look-only mode) and shows what it reports. */
#ifndef RDSM_TUI_FORM_H
#define RDSM_TUI_FORM_H

#include "app.h"

#define FORM_MAX     CFG_COUNT
#define FORM_BUTTONS 2

struct form {
	int keys[FORM_MAX];
	int n;
	struct field f[FORM_MAX];
	char rule[FORM_MAX][256];
	bool bad[FORM_MAX];
	const char *buttons[FORM_BUTTONS];
	int nbuttons;
	int focus;   /* 0..n-1 a field, n.. a button */
	int pressed; /* the button Enter activated, after form_key returned R_HANDLED|R_REDRAW */
	int scroll;
	bool reveal;
	bool changed; /* a value changed since the owner last looked */
};

/* The keys of SECTION (e.g. "instance"), prefilled from t->cfg. */
void form_init(struct form *fm, struct tui *t, const char *section);
void form_free(struct form *fm);
/* Re-check every field (other keys may have changed). */
void form_validate(struct form *fm, struct tui *t);
int form_key(struct form *fm, struct tui *t, int type, wint_t ch);
/* Draw in rows [TOP, TOP+ROWS); returns the rows used. */
int form_draw(struct form *fm, struct tui *t, int top, int rows);
/* Rows the form wants. */
int form_rows(const struct form *fm);
/* The help line for the focused field. */
const char *form_help(const struct form *fm);
int form_bad_count(const struct form *fm);

struct live_row {
	enum finding_level level;
	char item[128];
	char text[1024];
};

struct live_prog {
	char item[128];
	long long done, total, bytes, bytes_total;
	double elapsed;
	enum progress_unit unit; /* what done/total count */
};

struct live {
	unsigned mask; /* steps it runs */
	bool inspect;
	double interval; /* seconds between runs; 0: once, on demand */
	struct job *job;
	unsigned id;
	bool running;
	int runs;
	double next_at; /* 0: no run scheduled */
	char status[1100];
	char result[1200];
	enum finding_level result_level;
	enum finding_level worst; /* the worst finding of the step running now */
	struct live_row *rows, *next_rows;
	int nrows, nnext;
	struct live_prog prog[32];
	int nprog;
	int rc;
	int scroll;	/* first findings row shown; -1: automatic (top, or the tail for runs) */
	bool real_once; /* the current job is a real run of a look-only panel */
	bool stale;	/* settings changed while a check ran: check again soon */
	struct tui *t;
	int shown_first, shown_last, page;
};

void live_init(struct live *lv, unsigned mask, bool inspect, double interval);
void live_free(struct live *lv);
void live_start(struct live *lv, struct tui *t);
void live_cancel(struct live *lv);
/* Run the panel's steps for real once (questions as dialogs), then go back to looking. */
void live_start_real(struct live *lv, struct tui *t);
/* The settings changed: check again shortly (debounced). */
void live_settings_changed(struct live *lv);
int live_event(struct live *lv, struct tui *t, const struct job_msg *m);
int live_tick(struct live *lv, struct tui *t, double now, double *next);
/* PgUp/PgDn over the findings; R_NONE for other keys. */
int live_key(struct live *lv, int type, wint_t ch);
/* Draw the status line, progress bars and findings table in the box; returns rows used. */
int live_draw(struct live *lv, int top, int rows, const char *heading);

/* A settings screen: an intro, the form of one section, and optionally a
 * live panel running steps in look-only mode every few seconds. */
struct settings {
	const char *intro;
	const char *live_heading;
	const char *act; /* F6 runs the live panel's step for real: what it does, in words */
	const char *act_on_error; /* F6's words while the verdict says world-open */
	struct form form;
	struct live live;
	bool has_live;
};

struct settings *settings_new(struct tui *t, const char *section, const char *intro,
			      unsigned live_mask, bool inspect, double interval,
			      const char *live_heading);
void settings_free(struct settings *s);
void settings_draw(struct tui *t, struct settings *s, int top, int rows);
int settings_key(struct tui *t, struct settings *s, int type, wint_t ch);
int settings_tick(struct tui *t, struct settings *s, double now, double *next);
int settings_event(struct tui *t, struct settings *s, const struct job_msg *m);

#endif

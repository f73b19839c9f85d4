/* The live panel: runs steps as a job and shows what they report. */
#ifndef RDSM_TUI_LIVE_H
#define RDSM_TUI_LIVE_H

#include "app.h"

struct live_row {
	enum finding_level level;
	enum finding_code code;
	char item[128];
	char text[1024];
};

struct live_prog {
	char item[128];
	bool is_total; /* the step's total (EVF_TOTAL), drawn first */
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
	char repl[256];             /* live replication's line (EV_REPLICATION); "" none */
	enum repl_phase repl_phase; /* its phase, for the colour */
	struct live_prog prog[32];
	int nprog;
	int rc;
	int scroll;     /* first findings row shown; -1: automatic (top, or the tail for runs) */
	bool real_once; /* the current job is a real run of a look-only panel */
	bool stale;     /* settings changed while a check ran: check again soon */
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

#endif

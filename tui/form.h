/* A settings form over the config keys of one section. */
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
/* The field holding a password (CFGF_SECRET), or -1. */
int form_password_index(const struct form *fm);

#endif

/* Settings screens: an intro, the form of one config section, and optionally
 * a live panel. A screen that is only that is data: a const struct
 * settings_spec, pointed at by its struct screen's spec, with the settings_*
 * functions below as its callbacks (SETTINGS_SCREEN). */
#ifndef RDSM_TUI_SETTINGS_H
#define RDSM_TUI_SETTINGS_H

#include "form.h"
#include "live.h"

/* What a settings screen shows and does. */
struct settings_spec {
	const char *section;          /* the config section of its form ("instance") */
	const char *intro;            /* a paragraph above the form */
	const struct step *live_step; /* the step its live panel runs; NULL: no panel */
	bool inspect;                 /* the panel looks only (every INTERVAL seconds) */
	double interval;              /* seconds between looks; 0: on demand */
	const char *live_heading;     /* the panel's heading */
	const char *act;          /* F6 runs the panel's steps for real: what that does, in words */
	const char *act_on_world; /* F6's words while the verdict says the port is world-open */
	const char *button;       /* a button under the form (Enter on it acts like F6) */
};

/* A settings screen's state. */
struct settings {
	const struct settings_spec *spec;
	struct form form;
	struct live live;
	bool has_live;
	char keys[512]; /* the key line, kept with the state it depends on */
};

/* The callbacks of a settings screen: SPEC comes from SELF->spec. */
void *settings_enter(struct tui *t, const struct screen *self);
void settings_leave(struct tui *t, void *data);
void settings_draw(struct tui *t, void *data, int top, int rows);
const char *settings_hint(struct tui *t, void *data);
const char *settings_keys(struct tui *t, void *data);
int settings_key(struct tui *t, void *data, int type, wint_t ch);
int settings_tick(struct tui *t, void *data, double now, double *next);
int settings_event(struct tui *t, void *data, const struct job_msg *m);

/* The struct screen fields of a settings screen described by SPEC. */
#define SETTINGS_SCREEN(SPEC)                                                                      \
	.spec = (SPEC), .enter = settings_enter, .leave = settings_leave, .draw = settings_draw,   \
	.hint = settings_hint, .keys = settings_keys, .key = settings_key, .tick = settings_tick,  \
	.event = settings_event

#endif

/* Colour roles and themes: a theme maps each role to fg, bg and attributes. */
#ifndef RDSM_TUI_THEME_H
#define RDSM_TUI_THEME_H

#include <stddef.h>

/* X(ID, name, fg, bg, attrs, mono attrs): the compiled-in default (dark). */
#define THEME_ROLES(X)                                                                             \
	X(NORMAL, "normal", "default", "default", "", "")                                          \
	X(TITLE, "title", "white", "blue", "bold", "reverse|bold")                                 \
	X(LABEL, "label", "cyan", "default", "", "")                                               \
	X(FIELD, "field", "white", "default", "", "underline")                                     \
	X(FIELD_FOCUS, "field_focus", "black", "cyan", "", "reverse")                              \
	X(FIELD_ERROR, "field_error", "red", "default", "bold", "bold")                            \
	X(HELP, "help", "yellow", "default", "", "")                                               \
	X(KEYS, "keys", "black", "white", "", "reverse")                                           \
	X(STATUS_BAR, "status_bar", "white", "blue", "", "reverse")                                \
	X(STATUS_PENDING, "status_pending", "white", "blue", "dim", "reverse")                     \
	X(STATUS_RUNNING, "status_running", "yellow", "blue", "bold", "reverse|bold")              \
	X(STATUS_OK, "status_ok", "green", "blue", "bold", "reverse|bold")                         \
	X(STATUS_FAILED, "status_failed", "red", "blue", "bold", "reverse|bold|underline")         \
	X(STATUS_SKIPPED, "status_skipped", "cyan", "blue", "", "reverse")                         \
	X(INFO, "info", "default", "default", "", "")                                              \
	X(OK, "ok", "green", "default", "", "")                                                    \
	X(WARN, "warn", "yellow", "default", "bold", "bold")                                       \
	X(ERROR, "error", "red", "default", "bold", "bold|underline")                              \
	X(HEADING, "heading", "white", "default", "bold", "bold")                                  \
	X(PROGRESS_DONE, "progress_done", "black", "green", "", "reverse")                         \
	X(PROGRESS_TODO, "progress_todo", "white", "black", "", "")                                \
	X(DIALOG, "dialog", "white", "magenta", "", "reverse")                                     \
	X(DIALOG_TITLE, "dialog_title", "yellow", "magenta", "bold", "reverse|bold")               \
	X(SELECTED, "selected", "black", "cyan", "", "reverse")

enum role {
#define THEME_ENUM(id, name, fg, bg, a, m) ROLE_##id,
	THEME_ROLES(THEME_ENUM)
#undef THEME_ENUM
		ROLE_COUNT
};

/* Read theme NAME (a name looked up in ./themes, next to the program, then RDSM_DATADIR/themes, or
 * a path containing '/'). Problems (unknown role, bad colour…) are appended
 * to WARN as "file:line: …" lines. NULL NAME: the default, "dark". */
void theme_load(const char *name, char *warn, size_t warnsz);
/* After initscr: make colour pairs (or monochrome attributes when the
 * terminal has no colours or NO_COLOR is set). */
void theme_apply(void);
/* The curses attributes for ROLE. */
int theme_attr(int role);

#endif

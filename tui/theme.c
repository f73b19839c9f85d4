/* Themes: role = fg, bg, attrs files, a compiled-in default, monochrome. */
#include "theme.h"

#include <ctype.h>
#include <curses.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

#ifndef RDSM_DATADIR
#define RDSM_DATADIR "/usr/local/share/rds-migrate"
#endif

struct role_spec {
	short fg, bg; /* -1: terminal default */
	int attrs;
	int mono;
};

static const char *const role_names[ROLE_COUNT] = {
#define THEME_NAME(id, name, fg, bg, a, m) name,
	THEME_ROLES(THEME_NAME)
#undef THEME_NAME
};

static struct role_spec specs[ROLE_COUNT];
static int role_attrs[ROLE_COUNT];

static const struct {
	const char *name;
	short n;
} colour_names[] = {
	{"default", -1},       {"black", 0},        {"red", 1},           {"green", 2},
	{"yellow", 3},         {"blue", 4},         {"magenta", 5},       {"cyan", 6},
	{"white", 7},          {"gray", 8},         {"grey", 8},          {"brightblack", 8},
	{"brightred", 9},      {"brightgreen", 10}, {"brightyellow", 11}, {"brightblue", 12},
	{"brightmagenta", 13}, {"brightcyan", 14},  {"brightwhite", 15},
};

/* Append one "file:line: message" line to WARN. */
static void warnf(char *warn, size_t sz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warnf(char *warn, size_t sz, const char *fmt, ...)
{
	size_t len = strlen(warn);
	if (len + 2 >= sz)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(warn + len, sz - len, fmt, ap);
	va_end(ap);
	len = strlen(warn);
	if (len + 1 < sz) {
		warn[len] = '\n';
		warn[len + 1] = 0;
	}
}

/* A colour by name or number 0-255; -2 when unknown. */
static short parse_colour(const char *s)
{
	for (size_t i = 0; i < sizeof colour_names / sizeof colour_names[0]; i++)
		if (strcasecmp(s, colour_names[i].name) == 0)
			return colour_names[i].n;
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end && n >= 0 && n <= 255)
		return (short)n;
	return -2;
}

/* Attributes like "bold|underline" or "bold underline"; -1 when one is unknown. */
static int parse_attrs(const char *s, char *bad, size_t badsz)
{
	int a = 0;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", s);
	for (char *tok = strtok(buf, "| +"); tok; tok = strtok(NULL, "| +")) {
		if (strcasecmp(tok, "bold") == 0)
			a |= A_BOLD;
		else if (strcasecmp(tok, "underline") == 0)
			a |= A_UNDERLINE;
		else if (strcasecmp(tok, "reverse") == 0)
			a |= A_REVERSE;
		else if (strcasecmp(tok, "dim") == 0)
			a |= A_DIM;
		else if (strcasecmp(tok, "standout") == 0)
			a |= A_STANDOUT;
		else if (strcasecmp(tok, "italic") == 0)
			a |= A_ITALIC;
		else if (strcasecmp(tok, "blink") == 0)
			a |= A_BLINK;
		else if (strcasecmp(tok, "none") == 0 || strcasecmp(tok, "normal") == 0)
			;
		else {
			snprintf(bad, badsz, "%s", tok);
			return -1;
		}
	}
	return a;
}

static void load_defaults(void)
{
	static const char *const def[ROLE_COUNT][4] = {
#define THEME_DEF(id, name, fg, bg, a, m) {fg, bg, a, m},
		THEME_ROLES(THEME_DEF)
#undef THEME_DEF
	};
	char bad[64];
	for (int i = 0; i < ROLE_COUNT; i++) {
		specs[i].fg = parse_colour(def[i][0]);
		specs[i].bg = parse_colour(def[i][1]);
		specs[i].attrs = parse_attrs(def[i][2], bad, sizeof bad);
		specs[i].mono = parse_attrs(def[i][3], bad, sizeof bad);
	}
}

/* Parse one theme file over the defaults. */
static void load_file(const char *path, FILE *f, char *warn, size_t wsz)
{
	char line[512];
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strpbrk(line, "#;");
		if (hash)
			*hash = 0;
		char *s = str_trim(line);
		if (!*s || *s == '[')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			warnf(warn, wsz, "%s:%d: expected 'role = fg, bg, attrs'", path, lineno);
			continue;
		}
		*eq = 0;
		char *name = str_trim(s), *val = eq + 1;
		int r = -1;
		for (int i = 0; i < ROLE_COUNT; i++)
			if (strcasecmp(name, role_names[i]) == 0)
				r = i;
		if (r < 0) {
			warnf(warn, wsz, _("%s:%d: unknown role '%s'"), path, lineno, name);
			continue;
		}
		char *parts[3] = {NULL, NULL, NULL};
		int np = 0;
		for (char *p = val; np < 3;) {
			char *c = strchr(p, ',');
			if (c)
				*c = 0;
			parts[np++] = str_trim(p);
			if (!c)
				break;
			p = c + 1;
		}
		short fg = parts[0] && *parts[0] ? parse_colour(parts[0]) : -1;
		short bg = parts[1] && *parts[1] ? parse_colour(parts[1]) : -1;
		if (fg == -2 || bg == -2) {
			warnf(warn, wsz, _("%s:%d: unknown colour '%s' for role '%s'"), path,
			      lineno, fg == -2 ? parts[0] : parts[1], name);
			continue;
		}
		char bad[64] = "";
		int a = parse_attrs(parts[2] ? parts[2] : "", bad, sizeof bad);
		if (a < 0) {
			warnf(warn, wsz, _("%s:%d: unknown attribute '%s' for role '%s'"), path,
			      lineno, bad, name);
			continue;
		}
		specs[r].fg = fg;
		specs[r].bg = bg;
		specs[r].attrs = a;
	}
}

void theme_load(const char *name, char *warn, size_t warnsz)
{
	load_defaults();
	bool explicit = name != NULL;
	if (!name)
		name = "dark";
	char path[4096];
	FILE *f = NULL;
	if (strchr(name, '/')) {
		snprintf(path, sizeof path, "%s", name);
		f = fopen(path, "r");
	} else {
		/* ./themes, then next to the program (a build tree), then the
		 * install relative to the program (PREFIX/bin → PREFIX/share), then
		 * the install directory compiled in. */
		char exe[4096] = "", here[4200] = "", up[4200] = "", share[4200] = "";
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n > 0) {
			exe[n] = 0;
			char *slash = strrchr(exe, '/');
			if (slash) {
				*slash = 0;
				snprintf(here, sizeof here, "%s/themes", exe);
				snprintf(up, sizeof up, "%s/../themes", exe);
				snprintf(share, sizeof share, "%s/../share/rds-migrate/themes",
					 exe);
			}
		}
		const char *dirs[] = {"themes", here, up, share, RDSM_DATADIR "/themes"};
		for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && !f; i++) {
			if (!dirs[i][0])
				continue;
			snprintf(path, sizeof path, "%s/%s.ini", dirs[i], name);
			f = fopen(path, "r");
		}
	}
	if (!f) {
		if (explicit)
			warnf(warn, warnsz,
			      _("theme '%s' not found in ./themes, next to the program or in "
				"%s/themes: using the default"),
			      name, RDSM_DATADIR);
		return;
	}
	load_file(path, f, warn, warnsz);
	fclose(f);
}

void theme_apply(void)
{
	const char *nc = getenv("NO_COLOR");
	bool colour = has_colors() && !(nc && *nc);
	if (colour && start_color() == OK) {
		use_default_colors();
		for (int i = 0; i < ROLE_COUNT; i++) {
			short fg = specs[i].fg, bg = specs[i].bg;
			if (fg >= COLORS)
				fg = (short)(fg - 8 >= 0 && fg - 8 < COLORS ? fg - 8 : -1);
			if (bg >= COLORS)
				bg = (short)(bg - 8 >= 0 && bg - 8 < COLORS ? bg - 8 : -1);
			if (i + 1 < COLOR_PAIRS && init_pair((short)(i + 1), fg, bg) == OK)
				role_attrs[i] = (int)COLOR_PAIR(i + 1) | specs[i].attrs;
			else
				role_attrs[i] = specs[i].mono;
		}
	} else {
		for (int i = 0; i < ROLE_COUNT; i++)
			role_attrs[i] = specs[i].mono;
	}
}

int theme_attr(int role)
{
	return role >= 0 && role < ROLE_COUNT ? role_attrs[role] : 0;
}

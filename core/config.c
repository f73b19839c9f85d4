/* Settings: load config.ini with inih, defaults, typed access, save. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dburl.h"
#include "i18n.h"
#include "util.h"

/* Longest line we read whole; longer lines are rejected, never cut. */
#define CONFIG_MAX_LINE 65536

const struct config_key_info config_keys[CFG_COUNT] = {
#define CONFIG_ROW(id, sec, nm, dflt, fl, hlp)                                                     \
	[CFG_##id] = {.section = sec, .name = nm, .def = dflt, .flags = fl, .help = hlp},
	CONFIG_KEYS(CONFIG_ROW)
#undef CONFIG_ROW
};

void problems_add(struct problems *p, const char *key, const char *value, int line, const char *fmt,
		  ...)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	struct problem *pr = &p->v[p->n++];
	va_list ap;
	va_start(ap, fmt);
	pr->rule = xvasprintf(fmt, ap);
	va_end(ap);
	pr->key = xstrdup(key);
	pr->value = value ? xstrdup(value) : NULL;
	pr->line = line;
}

void problems_free(struct problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
		free(p->v[i].rule);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	for (int k = 0; k < CFG_COUNT; k++)
		cfg->values[k] = xstrdup(config_keys[k].def);
}

void config_free(struct config *cfg)
{
	for (int k = 0; k < CFG_COUNT; k++) {
		if (config_keys[k].flags & (CFGF_SECRET | CFGF_SECRET_URL))
			free_secret(cfg->values[k]);
		else
			free(cfg->values[k]);
		cfg->values[k] = NULL;
	}
	for (int k = 0; k < CFG_COUNT; k++) {
		free_secret(cfg->env_value[k]);
		free_secret(cfg->file_value[k]);
		cfg->env_value[k] = cfg->file_value[k] = NULL;
		free(cfg->unloaded_why[k]);
		cfg->unloaded_why[k] = NULL;
	}
	free(cfg->path);
	cfg->path = NULL;
}

const char *config_get(const struct config *cfg, enum config_key k)
{
	return cfg->values[k] ? cfg->values[k] : "";
}

int config_set(struct config *cfg, enum config_key k, const char *value)
{
	if (k >= CFG_COUNT)
		return -1;
	char *old = cfg->values[k];
	cfg->values[k] = xstrdup(value);
	free_secret(old);
	return 0;
}

long config_int(const struct config *cfg, enum config_key k)
{
	return strtol(config_get(cfg, k), NULL, 10);
}

bool config_bool(const struct config *cfg, enum config_key k)
{
	const char *v = config_get(cfg, k);
	return strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0 ||
	       strcasecmp(v, "on") == 0;
}

const char *config_key_name(enum config_key k)
{
	static char names[CFG_COUNT][64];
	if (k >= CFG_COUNT)
		return "?";
	if (!names[k][0])
		snprintf(names[k], sizeof names[k], "%s.%s", config_keys[k].section,
			 config_keys[k].name);
	return names[k];
}

int config_find(const char *section, const char *name)
{
	for (int k = 0; k < CFG_COUNT; k++)
		if (strcmp(config_keys[k].section, section) == 0 &&
		    strcmp(config_keys[k].name, name) == 0)
			return k;
	return -1;
}

/* Edit distance, for "did you mean" hints on unknown names. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 99;
	size_t d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	return d[la][lb];
}

/* The closest known "section.name" to an unknown one, or NULL when none is close. */
static const char *closest_key(const char *section, const char *name)
{
	char want[160];
	snprintf(want, sizeof want, "%s.%s", section, name);
	const char *best = NULL;
	size_t bestd = 3;
	for (int k = 0; k < CFG_COUNT; k++) {
		size_t d = edit_distance(want, config_key_name(k));
		if (strcmp(config_keys[k].section, section) == 0) {
			size_t dn = edit_distance(name, config_keys[k].name);
			if (dn < d)
				d = dn;
		}
		if (d < bestd) {
			bestd = d;
			best = config_key_name(k);
		}
	}
	return best;
}

static bool known_section(const char *section)
{
	for (int k = 0; k < CFG_COUNT; k++)
		if (strcmp(config_keys[k].section, section) == 0)
			return true;
	return false;
}

struct loader {
	struct config *cfg;
	struct problems *probs;
	const char *path;
	const char *buf; /* the file, with rejected lines blanked */
	size_t len, pos;
	int lineno; /* line most recently handed to inih */
	char last_bad_section[128];
};

/* inih reader: hands out the buffer line by line and counts lines. */
static char *loader_read(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	if (ld->pos >= ld->len || num <= 1)
		return NULL;
	size_t n = 0;
	bool at_line_start = ld->pos == 0 || ld->buf[ld->pos - 1] == '\n';
	while (ld->pos < ld->len && n < (size_t)num - 1) {
		char c = ld->buf[ld->pos++];
		str[n++] = c;
		if (c == '\n')
			break;
	}
	str[n] = 0;
	if (at_line_start)
		ld->lineno++;
	return str;
}

static int loader_handle(void *user, const char *section, const char *name, const char *value)
{
	struct loader *ld = user;
	if (!known_section(section)) {
		if (strcmp(ld->last_bad_section, section) != 0) {
			snprintf(ld->last_bad_section, sizeof ld->last_bad_section, "%s", section);
			char full[160];
			snprintf(full, sizeof full, "[%s]", section);
			const char *near = NULL;
			size_t bestd = 3;
			for (int k = 0; k < CFG_COUNT; k++) {
				size_t d = edit_distance(section, config_keys[k].section);
				if (d < bestd) {
					bestd = d;
					near = config_keys[k].section;
				}
			}
			if (near)
				problems_add(ld->probs, full, NULL, ld->lineno,
					     _("unknown section (did you mean [%s]?)"), near);
			else
				problems_add(ld->probs, full, NULL, ld->lineno,
					     _("unknown section"));
		}
		return 1;
	}
	int k = config_find(section, name);
	if (k < 0) {
		char full[160];
		snprintf(full, sizeof full, "%s.%s", section, name);
		const char *near = closest_key(section, name);
		if (near)
			problems_add(ld->probs, full, NULL, ld->lineno,
				     _("unknown key (did you mean %s?)"), near);
		else
			problems_add(ld->probs, full, NULL, ld->lineno, _("unknown key"));
		return 1;
	}
	if (ld->cfg->lines[k])
		problems_add(ld->probs, config_key_name(k), NULL, ld->lineno,
			     _("set twice (first at line %d); keep one"), ld->cfg->lines[k]);
	config_set(ld->cfg, k, value);
	ld->cfg->lines[k] = ld->lineno;
	return 1;
}

/* Check that S[0..n) is well-formed UTF-8. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t extra;
		if (c < 0x80)
			extra = 0;
		else if (c >= 0xc2 && c <= 0xdf)
			extra = 1;
		else if (c >= 0xe0 && c <= 0xef)
			extra = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			extra = 3;
		else
			return false;
		for (size_t j = 1; j <= extra; j++)
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return false;
		i += extra + 1;
	}
	return true;
}

/* When LINE (N bytes) is a "[name]" header, copy name to SECTION. */
static void prescan_section(const char *line, size_t n, char *section, size_t size)
{
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t' || (unsigned char)line[i] == 0xef ||
			 (unsigned char)line[i] == 0xbb || (unsigned char)line[i] == 0xbf))
		i++;
	if (i >= n || line[i] != '[')
		return;
	const char *close = memchr(line + i, ']', n - i);
	if (close)
		snprintf(section, size, "%.*s", (int)(close - line - i - 1), line + i + 1);
}

/* The known key a rejected LINE (N bytes) of SECTION was setting, or -1: the
 * bytes before its '=' or ':', blanks trimmed. */
static int prescan_key(const char *line, size_t n, const char *section)
{
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	size_t e = i;
	while (e < n && line[e] != '=' && line[e] != ':')
		e++;
	if (e >= n)
		return -1;
	while (e > i && (line[e - 1] == ' ' || line[e - 1] == '\t'))
		e--;
	char name[128];
	if (e - i >= sizeof name)
		return -1;
	snprintf(name, sizeof name, "%.*s", (int)(e - i), line + i);
	return config_find(section, name);
}

/* Reject lines inih would cut, mangle or misread: too long, NUL bytes,
 * invalid UTF-8, not "[section]" / "key = value" / comment. Such lines are
 * blanked in BUF (so the rest of the file still loads) and reported. */
static void prescan(struct loader *ld, char *buf, size_t len)
{
	size_t start = 0;
	int lineno = 0;
	char section[128] = "";
	while (start < len) {
		size_t end = start;
		while (end < len && buf[end] != '\n')
			end++;
		lineno++;
		size_t n = end - start;
		char *line = buf + start;
		const char *bad = NULL;
		char why[128];
		if (n > CONFIG_MAX_LINE - 2) {
			snprintf(why, sizeof why, _("line longer than %d bytes (not read)"),
				 CONFIG_MAX_LINE - 2);
			bad = why;
		} else if (memchr(line, 0, n)) {
			bad = _("line holds a NUL byte: is this a text file?");
		} else if (!utf8_valid((const unsigned char *)line, n)) {
			bad = _("line is not valid UTF-8");
		} else if (n > 1 && memchr(line, '\r', n - 1)) {
			bad = _("line holds a carriage return (\\r) before its end");
		} else {
			size_t i = 0;
			if (lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
				i = 3;
			while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
				i++;
			if (i < n && line[i] == '[') {
				size_t j = i;
				while (j < n && line[j] != ']')
					j++;
				if (j >= n)
					bad = _("section header without a closing ]");
			} else if (i < n && line[i] != ';' && line[i] != '#') {
				if (!memchr(line + i, '=', n - i) && !memchr(line + i, ':', n - i))
					bad = _("expected [section], key = value, or a ; comment");
				else if (line[i] == '=' || line[i] == ':')
					bad = _("a value without a key name");
			}
		}
		if (!bad)
			prescan_section(line, n, section, sizeof section);
		if (bad) {
			/* the key it set keeps its default, and the line is kept when saving */
			int k = prescan_key(line, n, section);
			if (k >= 0 && !ld->cfg->unloaded[k]) {
				ld->cfg->unloaded[k] = lineno;
				ld->cfg->unloaded_why[k] =
					xasprintf(_("line %d did not load: %s"), lineno, bad);
			}
			problems_add(ld->probs, ld->path, NULL, lineno, "%s", bad);
			memset(line, ' ', n);
			if (n && line[n - 1] == ' ')
				line[0] = ';';
		}
		start = end + 1;
	}
}

#define CONFIG_MAX_BYTES (1024 * 1024)

int config_load(struct config *cfg, const char *path, bool missing_ok, struct problems *probs,
		char **cause)
{
	free(cfg->path);
	cfg->path = xstrdup(path);
	size_t len;
	char *err = NULL;
	/* a regular file of sane size: not /dev/zero (memory), not a FIFO (hang) */
	char *buf = read_file_ex(path, CONFIG_MAX_BYTES, 0, &len, &err);
	if (!buf) {
		bool missing = errno == ENOENT;
		if (missing && missing_ok) {
			free(err);
			return 0;
		}
		fail(cause, _("cannot read the config: %s"), err);
		free(err);
		return -1;
	}
	cfg->from_file = true;
	struct loader ld = {.cfg = cfg, .probs = probs, .path = path, .buf = buf, .len = len};
	prescan(&ld, buf, len);
	/* Debian's inih cuts lines at 200 bytes on the stack; read whole lines. */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = CONFIG_MAX_LINE;
	ini_allow_multiline = false;
	int rc = ini_parse_stream(loader_read, &ld, loader_handle, &ld);
	if (rc > 0)
		problems_add(probs, path, NULL, rc, _("malformed line"));
	else if (rc < 0)
		problems_add(probs, path, NULL, 0, _("cannot parse (out of memory)"));
	free_secret(buf);
	return 0;
}

void config_apply_env(struct config *cfg)
{
	const char *v = getenv("SOURCE_DATABASE_URL");
	if (!v || !*v)
		return;
	enum config_key k = CFG_SOURCE_URL;
	if (!cfg->env_value[k])
		cfg->file_value[k] = xstrdup(config_get(cfg, k));
	free_secret(cfg->env_value[k]);
	cfg->env_value[k] = xstrdup(v);
	config_set(cfg, k, v);
}

const char *config_file_value(const struct config *cfg, enum config_key k)
{
	const char *v = config_get(cfg, k);
	if (cfg->env_value[k] && strcmp(v, cfg->env_value[k]) == 0)
		return cfg->file_value[k] ? cfg->file_value[k] : "";
	return v;
}

size_t config_check(const struct config *cfg, struct problems *probs)
{
	size_t before = probs->n;
	for (int k = 0; k < CFG_COUNT; k++) {
		char rule[512];
		if (config_check_key(cfg, k, config_get(cfg, k), rule, sizeof rule) != 0) {
			char *shown = config_display_value(k, config_get(cfg, k));
			problems_add(probs, config_key_name(k), shown, cfg->lines[k], "%s", rule);
			free(shown);
		}
	}
	return probs->n - before;
}

char *config_display_value(enum config_key k, const char *value)
{
	if (!value || !*value)
		return xstrdup("");
	if (config_keys[k].flags & CFGF_SECRET) {
		if (strcmp(value, "secrets-manager") == 0)
			return xstrdup(value);
		return xstrdup("********");
	}
	if (config_keys[k].flags & CFGF_SECRET_URL)
		return dburl_mask(value);
	return xstrdup(value);
}

/* The value as written to the file: inih strips spaces and cuts " ;" comments. */
static bool value_round_trips(const char *v)
{
	size_t n = strlen(v);
	if (n && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t'))
		return false;
	return !strstr(v, " ;") && !strstr(v, "\t;") && !strchr(v, '\n') && !strchr(v, '\r');
}

/* Append "name = value" to OUT, with the key's help as a comment when new. */
static void emit_kv(char **out, size_t *len, const char *name, const char *value)
{
	/* "= ;x" would read back as a comment: no space before a leading ; */
	char *line = xasprintf("%s =%s%s\n", name, value[0] == ';' ? "" : " ", value);
	size_t n = strlen(line);
	*out = xrealloc(*out, *len + n + 1);
	memcpy(*out + *len, line, n + 1);
	*len += n;
	free(line);
}

static void emit_raw(char **out, size_t *len, const char *s, size_t n)
{
	*out = xrealloc(*out, *len + n + 1);
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = 0;
}

int config_save(const struct config *cfg, const char *path, char **cause)
{
	for (int k = 0; k < CFG_COUNT; k++)
		if (!value_round_trips(config_file_value(cfg, k)))
			return fail(cause,
				    _("%s: the value cannot be saved in an ini file (leading or "
				      "trailing spaces, a line break, or \" ;\")"),
				    config_key_name(k));
	size_t oldlen = 0;
	char *old = read_file(path, &oldlen, NULL);
	bool written[CFG_COUNT] = {0};
	char *out = xstrdup("");
	size_t len = 0;
	char section[128] = "";
	/* Walk the old file: keep every line, replace known keys' values in place,
	 * and add a section's missing keys at the end of that section. */
	size_t pos = 0;
	int lineno = 0;
	while (old && pos < oldlen) {
		lineno++;
		size_t end = pos;
		while (end < oldlen && old[end] != '\n')
			end++;
		char *line = xasprintf("%.*s", (int)(end - pos), old + pos);
		char *p = line;
		if (pos == 0 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3; /* a UTF-8 byte order mark */
		while (*p == ' ' || *p == '\t')
			p++;
		bool handled = false;
		if (*p == '[') {
			/* leaving a section: add its keys that were not in the file */
			for (int k = 0; k < CFG_COUNT && section[0]; k++)
				if (!written[k] && strcmp(config_keys[k].section, section) == 0) {
					emit_kv(&out, &len, config_keys[k].name,
						config_file_value(cfg, k));
					written[k] = true;
				}
			char *close = strchr(p, ']');
			snprintf(section, sizeof section, "%.*s", close ? (int)(close - p - 1) : 0,
				 p + 1);
		} else if (*p && *p != ';' && *p != '#') {
			char *eq = strpbrk(p, "=:");
			if (eq) {
				char *nend = eq;
				while (nend > p && (nend[-1] == ' ' || nend[-1] == '\t'))
					nend--;
				char name[128];
				snprintf(name, sizeof name, "%.*s", (int)(nend - p), p);
				int k = config_find(section, name);
				if (k >= 0 && cfg->unloaded[k] == lineno &&
				    strcmp(config_file_value(cfg, k), config_keys[k].def) == 0) {
					/* it did not load and was not changed: the user's
					 * line stays as written */
					written[k] = true;
				} else if (k >= 0 && !written[k]) {
					/* keep an inline comment */
					char *comment = strstr(eq, " ;");
					const char *v = config_file_value(cfg, k);
					char *nl = xasprintf("%.*s%s%s%s\n", (int)(nend - line),
							     line, v[0] == ';' ? " =" : " = ", v,
							     comment ? comment : "");
					emit_raw(&out, &len, nl, strlen(nl));
					free_secret(nl);
					written[k] = true;
					handled = true;
				} else if (k >= 0) {
					handled = true; /* a duplicate: drop it */
				}
			}
		}
		if (!handled) {
			emit_raw(&out, &len, old + pos, end - pos);
			emit_raw(&out, &len, "\n", 1);
		}
		free_secret(line);
		pos = end + 1;
	}
	for (int k = 0; k < CFG_COUNT && section[0]; k++)
		if (!written[k] && strcmp(config_keys[k].section, section) == 0) {
			emit_kv(&out, &len, config_keys[k].name, config_file_value(cfg, k));
			written[k] = true;
		}
	/* sections the old file did not have */
	for (int k = 0; k < CFG_COUNT; k++) {
		if (written[k])
			continue;
		char hdr[160];
		snprintf(hdr, sizeof hdr, "%s[%s]\n", len ? "\n" : "", config_keys[k].section);
		emit_raw(&out, &len, hdr, strlen(hdr));
		for (int j = k; j < CFG_COUNT; j++)
			if (!written[j] &&
			    strcmp(config_keys[j].section, config_keys[k].section) == 0) {
				char *c = xasprintf("; %s\n", config_keys[j].help);
				emit_raw(&out, &len, c, strlen(c));
				free(c);
				emit_kv(&out, &len, config_keys[j].name, config_file_value(cfg, j));
				written[j] = true;
			}
	}
	free_secret(old);
	int rc = atomic_write_file(path, out, len, 0600, NULL, cause);
	free_secret(out);
	return rc;
}

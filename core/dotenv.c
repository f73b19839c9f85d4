/* The .env reader and writer: one assignment replaced, every other byte kept. */
#include "dotenv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"

/* One entry of the file: a line, or several when a quoted value spans lines. */
struct entry {
	size_t start;        /* first byte of the entry */
	size_t end;          /* just past its final newline (or the end of the text) */
	bool assign;         /* KEY=VALUE */
	size_t key, key_len; /* the key */
	size_t val, val_end; /* the value as written, quotes included */
	char quote;          /* 0, '\'', '"' or '`' */
	bool unclosed;       /* a quote opened and never closed: read as one line */
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

bool dotenv_key_ok(const char *key)
{
	if (!key || !*key || (*key >= '0' && *key <= '9'))
		return false;
	for (const char *p = key; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static size_t line_end(const char *t, size_t len, size_t pos)
{
	const char *nl = memchr(t + pos, '\n', len - pos);
	return nl ? (size_t)(nl - t) + 1 : len;
}

/* Parse the entry starting at POS. */
static void parse_entry(const char *t, size_t len, size_t pos, struct entry *e)
{
	memset(e, 0, sizeof *e);
	e->start = pos;
	e->end = line_end(t, len, pos);
	size_t eol = e->end; /* the end of this line's content, before \n or \r\n */
	if (eol > pos && t[eol - 1] == '\n')
		eol--;
	if (eol > pos && t[eol - 1] == '\r')
		eol--;
	size_t p = pos;
	if (p == 0 && len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
		p = 3; /* a UTF-8 byte-order mark */
	while (p < eol && blank(t[p]))
		p++;
	if (eol - p > 7 && memcmp(t + p, "export", 6) == 0 && blank(t[p + 6])) {
		p += 6; /* "export KEY=…" */
		while (p < eol && blank(t[p]))
			p++;
	}
	if (p >= eol || !key_char(t[p]) || (t[p] >= '0' && t[p] <= '9'))
		return;
	e->key = p;
	while (p < eol && key_char(t[p]))
		p++;
	e->key_len = p - e->key;
	while (p < eol && blank(t[p]))
		p++;
	if (p >= eol || t[p] != '=')
		return;
	p++;
	size_t after_eq = p;
	while (p < eol && blank(t[p]))
		p++;
	if (p < eol && p > after_eq && t[p] == '#')
		p = after_eq; /* "KEY= # comment": an empty value before the comment */
	e->assign = true;
	e->val = p;
	if (p < eol && (t[p] == '\'' || t[p] == '"' || t[p] == '`')) {
		char q = t[p];
		for (size_t i = p + 1; i < len; i++) {
			if (q == '"' && t[i] == '\\' && i + 1 < len) {
				i++;
				continue;
			}
			if (t[i] == q) {
				e->quote = q;
				e->val_end = i + 1;
				if (i >=
				    eol) /* spans lines: the entry ends with the closing line */
					e->end = line_end(t, len, i);
				return;
			}
		}
		/* No closing quote: an unquoted value of this line. */
		e->unclosed = true;
	}
	size_t v = p;
	while (v < eol && !(t[v] == '#' && blank(t[v - 1])))
		v++;
	while (v > p && blank(t[v - 1]))
		v--;
	e->val_end = v;
}

static bool entry_is(const char *t, const struct entry *e, const char *key)
{
	return e->assign && e->key_len == strlen(key) && memcmp(t + e->key, key, e->key_len) == 0;
}

/* Whether V needs quotes for one of the readers of a .env we promise
 * (README: python-dotenv, a POSIX shell's `set -a; . ./.env`, docker
 * compose, systemd's EnvironmentFile): blanks, comments, quotes, expansions
 * and escapes, and what a shell reads specially (& ; | < > ( ) { } ~). */
static bool needs_quotes(const char *v)
{
	for (const char *p = v; *p; p++)
		if (strchr(" \t\r\n#'\"`$\\;&|<>(){}~", *p))
			return true;
	return false;
}

/* VALUE written for an assignment that used quote Q (0: none): the quote
 * style is kept while the value reads the same to every promised reader
 * (needs_quotes), else single quotes, else double quotes with escapes. The
 * same for plain and "export" lines: either may be sourced by a shell. */
static char *render_value(const char *value, char q)
{
	if (!needs_quotes(value))
		return q ? xasprintf("%c%s%c", q, value, q) : xstrdup(value);
	if (!strchr(value, '\'') && !strchr(value, '\n') && !strchr(value, '\r') && q != '"')
		return xasprintf("'%s'", value);
	/* Double quotes with \\ \" \$ \` \n escapes. */
	char *out = xmalloc(2 * strlen(value) + 3), *o = out;
	*o++ = '"';
	for (const char *p = value; *p; p++) {
		if (*p == '\n' || *p == '\r') {
			*o++ = '\\';
			*o++ = *p == '\n' ? 'n' : 'r';
			continue;
		}
		if (*p == '"' || *p == '\\' || *p == '$' || *p == '`')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '"';
	*o = 0;
	return out;
}

char *dotenv_replace(const char *text, size_t len, const char *key, const char *value,
		     size_t *outlen, int *replaced)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_addn(&b, "", 0);
	int n = 0;
	const char *eol = "\n";
	size_t first = line_end(text, len, 0);
	if (first >= 2 && text[first - 1] == '\n' && text[first - 2] == '\r')
		eol = "\r\n";
	for (size_t pos = 0; pos < len;) {
		struct entry e;
		parse_entry(text, len, pos, &e);
		if (entry_is(text, &e, key)) {
			char *v = render_value(value, e.quote);
			strbuf_addn(&b, text + e.start, e.val - e.start);
			strbuf_addn(&b, v, strlen(v));
			strbuf_addn(&b, text + e.val_end, e.end - e.val_end);
			free_secret(v);
			n++;
		} else {
			strbuf_addn(&b, text + e.start, e.end - e.start);
		}
		pos = e.end;
	}
	if (n == 0) {
		if (len > 0 && text[len - 1] != '\n')
			strbuf_addn(&b, eol, strlen(eol));
		char *v = render_value(value, 0);
		strbuf_addn(&b, key, strlen(key));
		strbuf_addn(&b, "=", 1);
		strbuf_addn(&b, v, strlen(v));
		strbuf_addn(&b, eol, strlen(eol));
		free_secret(v);
	}
	if (outlen)
		*outlen = b.len;
	if (replaced)
		*replaced = n;
	return strbuf_detach(&b);
}

/* The value of entry E without its quotes and escapes. */
static char *decode_value(const char *t, const struct entry *e)
{
	if (!e->quote) {
		char *v = xmalloc(e->val_end - e->val + 1);
		memcpy(v, t + e->val, e->val_end - e->val);
		v[e->val_end - e->val] = 0;
		return v;
	}
	size_t s = e->val + 1, end = e->val_end - 1;
	char *out = xmalloc(end - s + 1), *o = out;
	for (size_t i = s; i < end; i++) {
		if (e->quote == '"' && t[i] == '\\' && i + 1 < end) {
			i++;
			*o++ = t[i] == 'n' ? '\n' : t[i] == 't' ? '\t' : t[i] == 'r' ? '\r' : t[i];
			continue;
		}
		*o++ = t[i];
	}
	*o = 0;
	return out;
}

char *dotenv_lookup(const char *text, size_t len, const char *key)
{
	char *found = NULL;
	for (size_t pos = 0; pos < len;) {
		struct entry e;
		parse_entry(text, len, pos, &e);
		if (entry_is(text, &e, key)) {
			free_secret(found);
			found = decode_value(text, &e);
		}
		pos = e.end;
	}
	return found;
}

/* Read the .env at PATH; a missing file is empty text with *EXISTS false. */
static char *read_env(const char *path, size_t *len, bool *exists, char **cause)
{
	struct stat st;
	*exists = false;
	*len = 0;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return xstrdup("");
		fail(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		fail(cause, "%s is a directory, not a file: set [env] file to the file's path",
		     path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(cause, "%s is not a regular file", path);
		return NULL;
	}
	char *err = NULL;
	char *t = read_file(path, len, &err);
	if (!t) {
		fail(cause, "cannot read %s: %s", path, err ? err : "unknown error");
		free(err);
		return NULL;
	}
	if (memchr(t, 0, *len)) {
		free_secret(t);
		fail(cause, "%s holds NUL bytes: it does not look like a .env file", path);
		return NULL;
	}
	*exists = true;
	return t;
}

/* The line number of the first value whose quote is never closed, or 0. */
static size_t unclosed_quote_line(const char *t, size_t len)
{
	size_t line = 1;
	for (size_t pos = 0; pos < len;) {
		struct entry e;
		parse_entry(t, len, pos, &e);
		if (e.unclosed)
			return line;
		for (size_t i = e.start; i < e.end; i++)
			line += t[i] == '\n';
		pos = e.end;
	}
	return 0;
}

int dotenv_get(const char *path, const char *key, char **value, char **cause)
{
	size_t len;
	bool exists;
	*value = NULL;
	char *t = read_env(path, &len, &exists, cause);
	if (!t)
		return -1;
	*value = dotenv_lookup(t, len, key);
	free_secret(t);
	return *value ? 1 : 0;
}

void dotenv_result_free(struct dotenv_result *res)
{
	if (!res)
		return;
	free(res->written);
	free(res->backup);
	memset(res, 0, sizeof *res);
}

/* The file a write to PATH lands in: PATH itself, or the end of its symlinks. */
static char *final_target(const char *path)
{
	char *cur = xstrdup(path);
	for (int hops = 0; hops < 40; hops++) {
		struct stat st;
		char buf[PATH_MAX];
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			break;
		ssize_t n = readlink(cur, buf, sizeof buf - 1);
		if (n < 0)
			break;
		buf[n] = 0;
		char *next;
		if (buf[0] == '/' || !strchr(cur, '/')) {
			next = xstrdup(buf);
		} else {
			next = xasprintf("%.*s/%s", (int)(strrchr(cur, '/') - cur), cur, buf);
		}
		free(cur);
		cur = next;
	}
	return cur;
}

int dotenv_set(const char *path, const char *key, const char *value, struct dotenv_result *res,
	       char **cause)
{
	struct dotenv_result local;
	if (!res)
		res = &local;
	memset(res, 0, sizeof *res);
	if (!path || !*path)
		return fail(cause, "no .env file given: set [env] file");
	if (!dotenv_key_ok(key))
		return fail(cause, "\"%s\" is not a variable name: [A-Z_][A-Z0-9_]*",
			    key ? key : "");
	if (!value)
		value = "";
	size_t len, outlen;
	bool exists;
	char *old = read_env(path, &len, &exists, cause);
	if (!old)
		return -1;
	/* a killed earlier write may have left a temp file holding a password */
	char *final = final_target(path);
	remove_stale_temps(final, 60);
	free(final);
	struct stat old_st = {0};
	if (!exists || stat(path, &old_st) != 0) {
		old_st.st_uid = geteuid();
		old_st.st_gid = getegid();
	}
	char *text = dotenv_replace(old, len, key, value, &outlen, &res->replaced);
	/* A quote left open earlier in the file can be closed by the quotes of
	 * the new value, and the file then reads differently: refuse rather
	 * than write a file whose KEY is not VALUE. */
	char *check = dotenv_lookup(text, outlen, key);
	bool reads_back = check && strcmp(check, value) == 0;
	free_secret(check);
	if (!reads_back) {
		size_t line = unclosed_quote_line(old, len);
		free_secret(old);
		free_secret(text);
		if (line)
			return fail(cause,
				    "%s was not changed: line %zu opens a quoted value that is "
				    "never closed; close the quote (or remove the line) and run "
				    "again",
				    path, line);
		return fail(cause, "%s was not changed: %s would not read back as written", path,
			    key);
	}
	res->appended = res->replaced == 0;
	res->created = !exists;
	res->written = final_target(path);
	int rc = 0;
	if (exists && outlen == len && memcmp(old, text, len) == 0) {
		struct stat st;
		if (stat(path, &st) == 0 && (st.st_mode & 077)) {
			if (chmod(path, 0600) != 0)
				rc = fail(cause, "%s: cannot make it private (mode 0600): %s", path,
					  strerror(errno));
			else
				res->mode_fixed = true;
		}
	} else {
		char *err = NULL;
		if (atomic_write_file(path, text, outlen, 0600,
				      exists ? DOTENV_BACKUP_SUFFIX : NULL, &err) != 0) {
			rc = fail(cause, "%s was not changed: %s", path,
				  err ? err : "write failed");
			free(err);
		} else {
			res->changed = true;
			if (exists)
				res->backup = xasprintf("%s%s", res->written, DOTENV_BACKUP_SUFFIX);
			/* Run as root on an application's file: the new file (and the
			 * backup) keep the old owner, or the application could no
			 * longer read its own .env. */
			if (exists && (old_st.st_uid != geteuid() || old_st.st_gid != getegid())) {
				if (chown(res->written, old_st.st_uid, old_st.st_gid) != 0)
					rc = fail(cause,
						  "%s was written but its owner could not be "
						  "restored to uid %u: %s",
						  res->written, (unsigned)old_st.st_uid,
						  strerror(errno));
				/* Should this fail, the backup stays ours: still private. */
				int bc = res->backup
						 ? chown(res->backup, old_st.st_uid, old_st.st_gid)
						 : 0;
				(void)bc;
			}
		}
	}
	free_secret(old);
	free_secret(text);
	if (res == &local)
		dotenv_result_free(res);
	return rc;
}

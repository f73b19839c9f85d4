/* Splitting a SQL script into statements: quotes, dollar quotes, comments,
 * BEGIN ATOMIC bodies and COPY … FROM stdin data. */
#include "pg_sql.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

struct split {
	struct pg_sql_stmt *v;
	size_t n, cap;
};

static void split_add(struct split *s, const char *start, size_t len, int line)
{
	/* the statement starts after its leading blanks and comments */
	const char *b = pg_sql_skip_blank(start);
	if (b > start + len)
		b = start + len;
	for (; start < b; start++, len--)
		if (*start == '\n')
			line++;
	while (len && isspace((unsigned char)start[len - 1]))
		len--;
	if (!len)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	char *sql = xmalloc(len + 1);
	memcpy(sql, start, len);
	sql[len] = 0;
	s->v[s->n++] = (struct pg_sql_stmt){.sql = sql, .line = line};
}

/* Is the word at P (case-insensitive, whole word) WORD? */
static bool word_is(const char *p, const char *word)
{
	size_t n = strlen(word);
	return strncasecmp(p, word, n) == 0 && !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/* Does a statement's text (so far) start a routine whose body may be BEGIN ATOMIC? */
static bool is_create_routine(const char *p, const char *end)
{
	char buf[64];
	size_t k = 0;
	for (; p < end && k < sizeof buf - 1; p++) {
		if (isspace((unsigned char)*p)) {
			if (k && buf[k - 1] != ' ')
				buf[k++] = ' ';
		} else {
			buf[k++] = (char)tolower((unsigned char)*p);
		}
	}
	buf[k] = 0;
	return strncmp(buf, "create function", 15) == 0 ||
	       strncmp(buf, "create procedure", 16) == 0 ||
	       strncmp(buf, "create or replace function", 26) == 0 ||
	       strncmp(buf, "create or replace procedure", 27) == 0;
}

const char *pg_sql_skip_blank(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

size_t pg_sql_split(const char *text, struct pg_sql_stmt **out)
{
	struct split s = {0};
	const char *p = text, *start = text;
	int line = 1, start_line = 1, depth = 0, paren = 0;
	bool routine = false, prev_word_char = false;
	while (*p) {
		char c = *p;
		if (p == pg_sql_skip_blank(start) && c == '\\') {
			/* psql meta-command: one line, kept as its own "statement" */
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			split_add(&s, p, len, line);
			p += len;
			start = p;
			start_line = line;
			continue;
		}
		if (c == '\n') {
			line++;
			p++;
			prev_word_char = false;
			continue;
		}
		if (c == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (c == '/' && p[1] == '*') {
			int nest = 1;
			p += 2;
			while (*p && nest) {
				if (p[0] == '/' && p[1] == '*')
					nest++, p++;
				else if (p[0] == '*' && p[1] == '/')
					nest--, p++;
				else if (*p == '\n')
					line++;
				p++;
			}
			continue;
		}
		if (c == '\'' || c == '"') {
			bool esc =
				c == '\'' && p > text && (p[-1] == 'E' || p[-1] == 'e') &&
				!(p - 1 > text && (isalnum((unsigned char)p[-2]) || p[-2] == '_'));
			p++;
			while (*p) {
				if (esc && *p == '\\' && p[1]) {
					if (p[1] == '\n')
						line++;
					p += 2;
					continue;
				}
				if (*p == '\n')
					line++;
				if (*p == c) {
					if (p[1] == c) {
						p += 2;
						continue;
					}
					break;
				}
				p++;
			}
			if (*p)
				p++;
			prev_word_char = false;
			continue;
		}
		if (c == '$' && !prev_word_char) {
			const char *q = p + 1;
			while (isalnum((unsigned char)*q) || *q == '_')
				q++;
			if (*q == '$' && !isdigit((unsigned char)p[1])) {
				size_t tl = (size_t)(q - p + 1);
				const char *body = q + 1, *e = body;
				while (*e && strncmp(e, p, tl) != 0)
					e++;
				for (const char *k = p; k < e; k++)
					if (*k == '\n')
						line++;
				p = *e ? e + tl : e;
				continue;
			}
		}
		if (!prev_word_char && (isalpha((unsigned char)c) || c == '_')) {
			if (!routine && depth == 0)
				routine = is_create_routine(pg_sql_skip_blank(start), p);
			if (routine) {
				if (word_is(p, "begin"))
					depth++;
				else if (depth > 0 && word_is(p, "case"))
					depth++;
				else if (depth > 0 && word_is(p, "end"))
					depth--;
			}
		}
		if (c == '(')
			paren++;
		else if (c == ')' && paren > 0)
			paren--;
		if (c == ';' && depth == 0 && paren == 0) {
			split_add(&s, start, (size_t)(p - start), start_line);
			p++;
			start = p;
			start_line = line;
			routine = false;
			prev_word_char = false;
			/* COPY … FROM stdin: the data follows, up to a "\." line */
			struct pg_sql_stmt *last = s.n ? &s.v[s.n - 1] : NULL;
			if (last && !last->copy_data &&
			    word_is(pg_sql_skip_blank(last->sql), "copy")) {
				size_t L = strlen(last->sql);
				if (L >= 10 &&
				    strncasecmp(last->sql + L - 10, "from stdin", 10) == 0) {
					const char *d = strchr(p, '\n');
					d = d ? d + 1 : p + strlen(p);
					line++;
					const char *ds = d;
					while (*d &&
					       !(d[0] == '\\' && d[1] == '.' &&
						 (d[2] == '\n' || d[2] == 0 || d[2] == '\r'))) {
						const char *nl = strchr(d, '\n');
						d = nl ? nl + 1 : d + strlen(d);
						line++;
					}
					size_t dl = (size_t)(d - ds);
					last->copy_data = xmalloc(dl + 1);
					memcpy(last->copy_data, ds, dl);
					last->copy_data[dl] = 0;
					if (*d) {
						const char *nl = strchr(d, '\n');
						d = nl ? nl + 1 : d + strlen(d);
						line++;
					}
					p = d;
					start = p;
					start_line = line;
				}
			}
			continue;
		}
		prev_word_char = isalnum((unsigned char)c) || c == '_' || c == '$';
		p++;
	}
	/* a last statement without ';' (only blanks and comments are dropped) */
	const char *rest = pg_sql_skip_blank(start);
	if (*rest) {
		int l = start_line;
		for (const char *q = start; q < rest; q++)
			if (*q == '\n')
				l++;
		split_add(&s, rest, strlen(rest), l);
	}
	*out = s.v;
	return s.n;
}

void pg_sql_free(struct pg_sql_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].sql);
		free(v[i].copy_data);
	}
	free(v);
}

bool pg_sql_is_tx_control(const char *sql)
{
	const char *p = pg_sql_skip_blank(sql);
	if (word_is(p, "begin")) {
		const char *q = p + 5;
		while (isspace((unsigned char)*q))
			q++;
		return !word_is(q, "atomic");
	}
	return word_is(p, "commit") || word_is(p, "end") || word_is(p, "start") ||
	       word_is(p, "abort") || word_is(p, "rollback");
}

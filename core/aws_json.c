/* Just enough JSON for AWS answers: a validating scanner over one object,
 * reading string members. Numbers, arrays and nested objects are skipped. */
#include "aws_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Scan a string starting at the opening quote. Returns the position after
 * the closing quote, or NULL. When OUT is set, the unescaped value (heap). */
static const char *scan_string(const char *p, char **out)
{
	if (*p != '"')
		return NULL;
	p++;
	size_t cap = strlen(p) + 1;
	char *buf = out ? xmalloc(cap) : NULL;
	size_t n = 0;
	while (*p && *p != '"') {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			if (buf)
				buf[n++] = (char)c;
			p++;
			continue;
		}
		p++;
		char e = *p++;
		char ch = 0;
		switch (e) {
		case '"': ch = '"'; break;
		case '\\': ch = '\\'; break;
		case '/': ch = '/'; break;
		case 'b': ch = '\b'; break;
		case 'f': ch = '\f'; break;
		case 'n': ch = '\n'; break;
		case 'r': ch = '\r'; break;
		case 't': ch = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (hex4(p, &cp) < 0)
				goto bad;
			p += 4;
			if (cp >= 0xD800 && cp < 0xDC00) {
				if (p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) < 0 || lo < 0xDC00 ||
				    lo > 0xDFFF)
					goto bad;
				p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp < 0xE000) {
				goto bad;
			}
			if (cp == 0)
				goto bad; /* a NUL would cut the C string */
			if (buf)
				n += put_utf8(buf + n, cp); /* never longer than the 6+ escape */
			continue;
		}
		default:
			goto bad;
		}
		if (buf)
			buf[n++] = ch;
	}
	if (*p != '"')
		goto bad;
	if (buf) {
		buf[n] = 0;
		*out = buf;
	}
	return p + 1;
bad:
	free(buf);
	return NULL;
}

static const char *skip_value(const char *p, int depth);

static const char *skip_container(const char *p, int depth, char open, char close)
{
	if (depth > 64 || *p != open)
		return NULL;
	p = skip_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (open == '{') {
			p = scan_string(p, NULL);
			if (!p)
				return NULL;
			p = skip_ws(p);
			if (*p++ != ':')
				return NULL;
			p = skip_ws(p);
		}
		p = skip_value(p, depth + 1);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p == ',') {
			p = skip_ws(p + 1);
			continue;
		}
		if (*p == close)
			return p + 1;
		return NULL;
	}
}

static const char *skip_value(const char *p, int depth)
{
	switch (*p) {
	case '"':
		return scan_string(p, NULL);
	case '{':
		return skip_container(p, depth, '{', '}');
	case '[':
		return skip_container(p, depth, '[', ']');
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			const char *s = p;
			while (*p && strchr("+-0123456789.eE", *p))
				p++;
			return p > s ? p : NULL;
		}
		return NULL;
	}
}

char *json_get_string(const char *json, const char *key)
{
	if (!json)
		return NULL;
	const char *p = skip_ws(json);
	if (*p != '{')
		return NULL;
	/* validate the whole object first, so a truncated answer is refused */
	const char *end = skip_container(p, 0, '{', '}');
	if (!end || *skip_ws(end))
		return NULL;
	p = skip_ws(p + 1);
	char *found = NULL;
	while (*p && *p != '}') {
		char *k = NULL;
		p = scan_string(p, &k);
		if (!p)
			break;
		p = skip_ws(p);
		p = skip_ws(p + 1); /* ':' checked above */
		if (strcmp(k, key) == 0 && *p == '"' && !found) {
			p = scan_string(p, &found);
		} else {
			p = skip_value(p, 1);
		}
		free(k);
		if (!p)
			break;
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
	}
	return found;
}

char *json_quote(const char *s)
{
	size_t n = strlen(s);
	char *o = xmalloc(n * 6 + 3), *q = o;
	*q++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			*q++ = '\\';
			*q++ = (char)c;
		} else if (c < 0x20) {
			q += sprintf(q, "\\u%04x", c);
		} else {
			*q++ = (char)c;
		}
	}
	*q++ = '"';
	*q = 0;
	return o;
}

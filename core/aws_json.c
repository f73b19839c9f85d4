/* JSON through jansson. Everything jansson allocates is overwritten before
 * it is freed: its strings hold secret keys, tokens and passwords. */
#include "aws_json.h"

#include <ctype.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

/* jansson's free: zero the block first (strings of secrets pass here). */
static void zero_free(void *p)
{
	if (!p)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

static pthread_once_t alloc_once = PTHREAD_ONCE_INIT;
static void set_alloc(void)
{
	json_set_alloc_funcs(malloc, zero_free);
}

json_t *aws_json_parse(const char *text, size_t len, const char *what, char **cause)
{
	pthread_once(&alloc_once, set_alloc);
	if (!text) {
		fail(cause, _("%s is empty"), what);
		return NULL;
	}
	json_error_t e;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		/* jansson's text may quote a token of the input: keep only the
		 * part before it (e.g. "invalid token near 'abc'" → "invalid token") */
		char reason[JSON_ERROR_TEXT_LENGTH];
		snprintf(reason, sizeof reason, "%s", e.text);
		char *near = strstr(reason, " near ");
		if (near)
			*near = 0;
		fail(cause, _("%s is not valid JSON: %s at line %d, column %d"), what, reason,
		     e.line, e.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		fail(cause, _("%s is not a JSON object"), what);
		return NULL;
	}
	return j;
}

char *aws_json_str(const json_t *obj, const char *key)
{
	if (!json_is_object(obj))
		return NULL;
	const json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return NULL;
	return xstrdup(json_string_value(v));
}

char *aws_json_pack(const char *fmt, ...)
{
	pthread_once(&alloc_once, set_alloc);
	va_list ap;
	va_start(ap, fmt);
	json_error_t e;
	json_t *j = json_vpack_ex(&e, 0, fmt, ap);
	va_end(ap);
	if (!j)
		abort(); /* a format of ours that does not match its arguments */
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		abort();
	char *out = xstrdup(s);
	zero_free(s);
	return out;
}

int aws_json_time(const char *s, time_t *out)
{
	struct tm tm = {0};
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!p)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || p[3] != ':' ||
		    !isdigit((unsigned char)p[4]) || !isdigit((unsigned char)p[5]))
			return -1;
		off = sign * (((p[1] - '0') * 10 + (p[2] - '0')) * 3600L +
			      ((p[4] - '0') * 10 + (p[5] - '0')) * 60L);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*out = timegm(&tm) - off;
	return 0;
}

/* A growing string, for building text piece by piece in linear time (as
 * git's strbuf): lists joined with ", ", messages made of parts. */
#ifndef RDSM_STRBUF_H
#define RDSM_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf; /* NUL-terminated once anything was added; NULL before */
	size_t len, cap;
};

#define STRBUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void strbuf_add(struct strbuf *sb, const char *s);
/* N bytes of S (which may hold NULs). */
void strbuf_addn(struct strbuf *sb, const char *s, size_t n);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* S after ", " (nothing before the first item). */
void strbuf_add_item(struct strbuf *sb, const char *s);
/* The text ("" when empty), the caller's to free; SB is empty again. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

#endif

/* Small helpers shared by core modules. */
#ifndef RDSM_UTIL_H
#define RDSM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* malloc that never returns NULL (aborts on exhaustion). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
/* Set *cause (when CAUSE is not NULL) to a formatted message; returns -1. */
int fail(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Overwrite then free a string that held a secret. */
void free_secret(char *s);

/* Seconds from a monotonic clock. */
double now_monotonic(void);

/* Write DATA to PATH atomically: a temp file in the same directory, fsync,
 * rename, fsync of the directory. MODE is the new file's mode. When PATH is a
 * symlink, its target is written and the link kept. When BACKUP_SUFFIX is not
 * NULL and PATH exists, the old file is kept as PATH+suffix. */
int atomic_write_file(const char *path, const char *data, size_t len, unsigned mode,
		      const char *backup_suffix, char **cause);
/* Read a whole file (NUL-terminated). */
char *read_file(const char *path, size_t *len, char **cause);

#endif

/* Small helpers shared by core modules. */
#ifndef RDSM_UTIL_H
#define RDSM_UTIL_H

/* The version the Makefile names; a build without it (the fuzz targets') says 0.0.0. */
#ifndef RDSM_VERSION
#define RDSM_VERSION "0.0.0"
#endif

#include <stdarg.h>
#include <stdatomic.h>
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

/* S without leading and trailing white space (S is changed in place). */
char *str_trim(char *s);
/* The environment's NAME as a whole number within [MIN, MAX]; DEF when it is
 * unset, empty, not a number, or out of range. */
long env_long(const char *name, long def, long min, long max);

/* A response body gathered by libcurl (CURLOPT_WRITEFUNCTION = body_write,
 * CURLOPT_WRITEDATA = the body), NUL-terminated; more than MAX bytes stops
 * the transfer and sets TOO_BIG. */
struct body {
	char *p;
	size_t len, max;
	bool too_big;
};
size_t body_write(char *data, size_t size, size_t n, void *body);

/* Fill BUF with LEN random bytes from getrandom(); 0, or -1 (errno set). */
int random_bytes(void *buf, size_t len);

/* Sleep SECONDS unless *CANCEL (may be NULL) becomes non-zero, looking every
 * 100 ms; returns -1 when cancelled. */
int sleep_cancellable(double seconds, atomic_int *cancel);

/* Seconds from a monotonic clock. */
double now_monotonic(void);

/* Write DATA to PATH atomically: a temp file in the same directory (created
 * O_EXCL), fsync, rename, fsync of the directory. MODE is the new file's
 * mode. For the user's files (the .env, the config): when PATH is a symlink,
 * its target is written and the link kept, but only when every link and the
 * target belong to the user running us (or root); else -1 naming the path.
 * When BACKUP_SUFFIX is not NULL and PATH exists, the old file is kept as
 * PATH+suffix. */
int atomic_write_file(const char *path, const char *data, size_t len, unsigned mode,
		      const char *backup_suffix, char **cause);
/* The same for rds-migrate's own files (state, secret, caches): a symlink
 * at PATH is never followed (the rename replaces the link itself). */
int atomic_write_own(const char *path, const char *data, size_t len, unsigned mode, char **cause);
/* SRC for a terminal or a one-line-per-event log: control characters
 * (C0, DEL, C1 such as ESC, BEL, CSI, OSC, line breaks) written as \n, \r,
 * \t, \xNN or \u00NN; cut to fit N bytes. Returns the length. */
size_t text_escape_controls(char *dst, size_t n, const char *src);
/* The same, on the heap. Caller frees. */
char *text_printable(const char *src);
/* Remove the temp files a killed writer of PATH left (".NAME.tmp-XXXXXX"
 * beside it, regular, ours), those older than MIN_AGE_S seconds (0: all).
 * Returns how many. */
int remove_stale_temps(const char *path, double min_age_s);
/* Read a whole regular file (NUL-terminated); anything else (a FIFO, a
 * device, a directory) is refused. */
char *read_file(const char *path, size_t *len, char **cause);
/* read_file refusing files over MAX bytes (0: no limit); with READ_NOFOLLOW a
 * symlink at PATH is refused (our own files). errno tells why (ENOENT…). */
enum { READ_NOFOLLOW = 1 };
char *read_file_ex(const char *path, size_t max, int flags, size_t *len, char **cause);

#endif

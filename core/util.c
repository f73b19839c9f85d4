/* Small helpers shared by core modules. */
#include "util.h"

#include <ctype.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void out_of_memory(void)
{
	static const char msg[] = "rds-migrate: out of memory\n";
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		out_of_memory();
	return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory();
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int fail(char **cause, const char *fmt, ...)
{
	if (cause) {
		va_list ap;
		va_start(ap, fmt);
		free(*cause);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

void free_secret(char *s)
{
	if (!s)
		return;
	volatile char *v = s;
	while (*v)
		*v++ = 0;
	free(s);
}

char *str_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

long env_long(const char *name, long def, long min, long max)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	long n = strtol(v, &end, 10);
	return *end || n < min || n > max ? def : n;
}

size_t body_write(char *data, size_t size, size_t n, void *body)
{
	struct body *b = body;
	size_t add = size * n;
	if (b->len + add > b->max) {
		b->too_big = true;
		return 0; /* stops the transfer */
	}
	b->p = xrealloc(b->p, b->len + add + 1);
	memcpy(b->p + b->len, data, add);
	b->len += add;
	b->p[b->len] = 0;
	return add;
}

double now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether a file owned by UID may be trusted: ours, or root's. */
static bool owned_by_us(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

/* Resolve PATH through symlinks so the link itself is kept; a missing target
 * is fine. A link is followed only when it and its target belong to the user
 * running us (or root): another user's link could point our write anywhere. */
static char *resolve_target(const char *path, char **cause)
{
	char *cur = xstrdup(path);
	bool linked = false;
	for (int hops = 0; hops < 40; hops++) {
		struct stat st;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
			if (linked && lstat(cur, &st) == 0 && !owned_by_us(st.st_uid)) {
				fail(cause,
				     "%s is a symbolic link to %s, which belongs to uid %u (not "
				     "you "
				     "or root): refusing to write through it",
				     path, cur, (unsigned)st.st_uid);
				free(cur);
				return NULL;
			}
			return cur;
		}
		if (!owned_by_us(st.st_uid)) {
			fail(cause,
			     "%s is a symbolic link that belongs to uid %u (not you or root): "
			     "refusing to follow it",
			     cur, (unsigned)st.st_uid);
			free(cur);
			return NULL;
		}
		linked = true;
		char buf[PATH_MAX];
		ssize_t n = readlink(cur, buf, sizeof buf - 1);
		if (n < 0) {
			fail(cause, "%s: cannot read the link: %s", cur, strerror(errno));
			free(cur);
			return NULL;
		}
		buf[n] = 0;
		char *next;
		if (buf[0] == '/') {
			next = xstrdup(buf);
		} else {
			char *tmp = xstrdup(cur);
			next = xasprintf("%s/%s", dirname(tmp), buf);
			free(tmp);
		}
		free(cur);
		cur = next;
	}
	fail(cause, "%s: too many levels of symbolic links", path);
	free(cur);
	return NULL;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Replace the file at TARGET (never following a link there) with DATA: a
 * fresh temp file in the same directory (mkostemp: no name another user can
 * plant), fsync, rename, fsync of the directory. SHOWN names it in errors. */
static int replace_file(const char *target, const char *shown, const char *data, size_t len,
			unsigned mode, char **cause)
{
	char *dcopy = xstrdup(target);
	char *dir = xstrdup(dirname(dcopy));
	free(dcopy);
	char *bcopy = xstrdup(target);
	char *tmp = xasprintf("%s/.%s.tmp-XXXXXX", dir, basename(bcopy));
	free(bcopy);
	int rc = -1;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		fail(cause, "%s: cannot create a file in %s: %s", shown, dir, strerror(errno));
	} else if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		fail(cause, "%s: cannot write: %s", shown, strerror(errno));
		close(fd);
		unlink(tmp);
	} else if (close(fd) != 0 || rename(tmp, target) != 0) {
		fail(cause, "%s: cannot replace the file: %s", shown, strerror(errno));
		unlink(tmp);
	} else {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		rc = 0;
	}
	free(tmp);
	free(dir);
	return rc;
}

int atomic_write_file(const char *path, const char *data, size_t len, unsigned mode,
		      const char *backup_suffix, char **cause)
{
	char *target = resolve_target(path, cause);
	if (!target)
		return -1;
	int rc = -1;
	struct stat st;
	if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
		fail(cause, "%s is a directory, not a file", target);
		goto out;
	}
	if (backup_suffix && access(target, F_OK) == 0) {
		size_t olen;
		char *old = read_file(target, &olen, cause);
		if (!old)
			goto out;
		char *bak = xasprintf("%s%s", target, backup_suffix);
		int b = replace_file(bak, bak, old, olen, 0600, cause);
		memset(old, 0, olen);
		free(old);
		free(bak);
		if (b != 0)
			goto out;
	}
	rc = replace_file(target, path, data, len, mode, cause);
out:
	free(target);
	return rc;
}

int atomic_write_own(const char *path, const char *data, size_t len, unsigned mode, char **cause)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return fail(cause, "%s is a directory, not a file", path);
	/* rename replaces a symlink at PATH itself: its target is never touched */
	return replace_file(path, path, data, len, mode, cause);
}

char *read_file(const char *path, size_t *len, char **cause)
{
	return read_file_ex(path, 0, 0, len, cause);
}

char *read_file_ex(const char *path, size_t max, int flags, size_t *len, char **cause)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path,
		      O_RDONLY | O_CLOEXEC | O_NONBLOCK | (flags & READ_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0) {
		int e = errno; /* callers test errno == ENOENT */
		if (e == ELOOP && (flags & READ_NOFOLLOW))
			fail(cause,
			     "%s is a symbolic link: rds-migrate never follows one for its "
			     "own files (remove it)",
			     path);
		else
			fail(cause, "%s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		fail(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		fail(cause, "%s: is a directory", path);
		close(fd);
		errno = EISDIR;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(cause, "%s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (max && (size_t)st.st_size > max) {
		fail(cause, "%s: too big (%lld bytes; at most %zu)", path, (long long)st.st_size,
		     max);
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail(cause, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (max && n > max) {
			fail(cause, "%s: too big (more than %zu bytes)", path, max);
			free(buf);
			close(fd);
			errno = EFBIG;
			return NULL;
		}
	}
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

int remove_stale_temps(const char *path, double min_age_s)
{
	char *dcopy = xstrdup(path), *bcopy = xstrdup(path);
	char *dir = xstrdup(dirname(dcopy));
	char *prefix = xasprintf(".%s.tmp-", basename(bcopy));
	free(dcopy);
	free(bcopy);
	int removed = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(prefix);
		/* exactly what replace_file's mkostemp makes: PREFIX + 6 characters */
		if (strncmp(e->d_name, prefix, n) != 0 || strlen(e->d_name) != n + 6)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (min_age_s > 0 && difftime(time(NULL), st.st_mtime) < min_age_s)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			removed++;
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
	return removed;
}

size_t text_escape_controls(char *dst, size_t n, const char *src)
{
	size_t o = 0;
	if (n == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)src; p && *p; p++) {
		char esc[8] = "";
		if (*p == '\n')
			snprintf(esc, sizeof esc, "\\n");
		else if (*p == '\r')
			snprintf(esc, sizeof esc, "\\r");
		else if (*p == '\t')
			snprintf(esc, sizeof esc, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(esc, sizeof esc, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) /* C1 controls: CSI, OSC… */
			snprintf(esc, sizeof esc, "\\u%04x", *++p);
		size_t len = esc[0] ? strlen(esc) : 1;
		if (o + len >= n)
			break;
		if (esc[0])
			memcpy(dst + o, esc, len);
		else
			dst[o] = (char)*p;
		o += len;
	}
	dst[o] = 0;
	return o;
}

char *text_printable(const char *src)
{
	size_t n = strlen(src ? src : "") * 6 + 1;
	char *out = xmalloc(n);
	text_escape_controls(out, n, src ? src : "");
	return out;
}

/* Fill BUF with LEN random bytes, retrying short reads and EINTR. */
int random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;
	while (len > 0) {
		ssize_t r = getrandom(p, len, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int sleep_cancellable(double seconds, atomic_int *cancel)
{
	double end = now_monotonic() + seconds;
	for (;;) {
		if (cancel && atomic_load(cancel))
			return -1;
		double left = end - now_monotonic();
		if (left <= 0)
			return 0;
		if (left > 0.1)
			left = 0.1;
		struct timespec ts = {0, (long)(left * 1e9)};
		nanosleep(&ts, NULL);
	}
}

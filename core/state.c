/* The state of a run: "key=value" lines next to the config, saved on every change. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

char *state_path_for(const char *config_path)
{
	char *copy = xstrdup(config_path ? config_path : "config.ini");
	char *p = xasprintf("%s/.rds-migrate.state", dirname(copy));
	free(copy);
	return p;
}

/* Append one part of a table key to OUT at *LEN (see state_table_key). */
static void key_part(char *out, size_t *len, const char *part)
{
	bool plain = *part && !(*part >= '0' && *part <= '9') && *part != '$';
	for (const char *c = part; *c && plain; c++)
		plain = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
			*c == '$';
	if (plain) {
		*len += (size_t)sprintf(out + *len, "%s", part);
		return;
	}
	out[(*len)++] = '"';
	for (const char *c = part; *c; c++) {
		if (*c == '%' || *c == '=' || *c == '\n' || *c == '\r')
			*len += (size_t)sprintf(out + *len, "%%%02X", (unsigned char)*c);
		else if (*c == '"')
			*len += (size_t)sprintf(out + *len, "\"\"");
		else
			out[(*len)++] = *c;
	}
	out[(*len)++] = '"';
	out[*len] = 0;
}

char *state_table_key(const char *schema, const char *name)
{
	char *out = xmalloc(sizeof "table.." + 3 * (strlen(schema) + strlen(name)) + 8);
	size_t len = (size_t)sprintf(out, "table.");
	key_part(out, &len, schema);
	out[len++] = '.';
	out[len] = 0;
	key_part(out, &len, name);
	return out;
}

/* Keep a replaced value until state_free: state_get handed it out unlocked. */
static void state_retire(struct state *st, char *value)
{
	st->retired = xrealloc(st->retired, (st->nretired + 1) * sizeof *st->retired);
	st->retired[st->nretired++] = value;
}

static void state_put(struct state *st, const char *key, const char *value)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->v[i].key, key) == 0) {
			if (strcmp(st->v[i].value, value) == 0)
				return;
			state_retire(st, st->v[i].value);
			st->v[i].value = xstrdup(value);
			return;
		}
	st->v = xrealloc(st->v, (st->n + 1) * sizeof *st->v);
	st->v[st->n].key = xstrdup(key);
	st->v[st->n].value = xstrdup(value);
	st->n++;
}

int state_load(struct state *st, const char *path, char **cause)
{
	memset(st, 0, sizeof *st);
	pthread_mutex_init(&st->lock, NULL);
	st->lock_fd = -1;
	st->path = xstrdup(path);
	char *err = NULL;
	char *buf = read_file_ex(path, 0, READ_NOFOLLOW, NULL, &err);
	if (!buf) {
		int missing = errno == ENOENT;
		if (missing) {
			free(err);
			return 0;
		}
		fail(cause, _("cannot read the state file: %s"), err);
		free(err);
		return -1;
	}
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = 0;
		state_put(st, line, eq + 1);
	}
	free(buf);
	return 0;
}

void state_free(struct state *st)
{
	for (size_t i = 0; i < st->n; i++) {
		free(st->v[i].key);
		free(st->v[i].value);
	}
	free(st->v);
	for (size_t i = 0; i < st->nretired; i++)
		free(st->retired[i]);
	free(st->retired);
	free(st->path);
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* releases the lock */
	free(st->lock_host);
	pthread_mutex_destroy(&st->lock);
	memset(st, 0, sizeof *st);
	st->lock_fd = -1;
}

const char *state_get(struct state *st, const char *key)
{
	const char *v = NULL;
	pthread_mutex_lock(&st->lock);
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->v[i].key, key) == 0)
			v = st->v[i].value;
	pthread_mutex_unlock(&st->lock);
	return v;
}

/* Serialise and write the whole state; called with the lock held. */
static int state_save_locked(struct state *st, char **cause)
{
	size_t cap = 64, len = 0;
	char *out = xmalloc(cap);
	len = (size_t)snprintf(out, cap, "# rds-migrate run state: no secrets here\n");
	for (size_t i = 0; i < st->n; i++) {
		size_t need = strlen(st->v[i].key) + strlen(st->v[i].value) + 3;
		if (len + need >= cap) {
			cap = (len + need) * 2;
			out = xrealloc(out, cap);
		}
		len += (size_t)snprintf(out + len, cap - len, "%s=%s\n", st->v[i].key,
					st->v[i].value);
	}
	int rc = atomic_write_own(st->path, out, len, 0600, cause);
	free(out);
	return rc;
}

int state_set(struct state *st, const char *key, const char *value, char **cause)
{
	if (strpbrk(key, "=\n") || (value && strchr(value, '\n')))
		return fail(cause, _("state: a key or value holds '=' or a line break"));
	pthread_mutex_lock(&st->lock);
	if (value) {
		state_put(st, key, value);
	} else {
		for (size_t i = 0; i < st->n; i++)
			if (strcmp(st->v[i].key, key) == 0) {
				free(st->v[i].key);
				state_retire(st, st->v[i].value);
				st->v[i] = st->v[--st->n];
				break;
			}
	}
	int rc = st->path ? state_save_locked(st, cause) : 0;
	pthread_mutex_unlock(&st->lock);
	return rc;
}

char *state_find(struct state *st, const char *prefix, const char *value)
{
	char *key = NULL;
	size_t n = strlen(prefix);
	pthread_mutex_lock(&st->lock);
	for (size_t i = 0; i < st->n && !key; i++)
		if (strncmp(st->v[i].key, prefix, n) == 0 && strcmp(st->v[i].value, value) == 0)
			key = xstrdup(st->v[i].key);
	pthread_mutex_unlock(&st->lock);
	return key;
}

/* The lock file beside the state file. Caller frees. */
static char *lock_path(const struct state *st)
{
	char *copy = xstrdup(st->path);
	char *p = xasprintf("%s/.rds-migrate.lock", dirname(copy));
	free(copy);
	return p;
}

/* "pid 123 on host h since 2026-…Z, step data" from a lock file's lines. */
static char *lock_holder(const char *text)
{
	char pid[32] = "?", host[256] = "?", step[64];
	snprintf(step, sizeof step, "%s", _("none yet"));
	long long since = 0;
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		int n = (int)strcspn(l, "\n");
		if (strncmp(l, "pid=", 4) == 0)
			snprintf(pid, sizeof pid, "%.*s", n - 4, l + 4);
		else if (strncmp(l, "host=", 5) == 0)
			snprintf(host, sizeof host, "%.*s", n - 5, l + 5);
		else if (strncmp(l, "step=", 5) == 0 && n > 5)
			snprintf(step, sizeof step, "%.*s", n - 5, l + 5);
		else if (strncmp(l, "since=", 6) == 0)
			since = strtoll(l + 6, NULL, 10);
	}
	for (char *c = host; *c; c++) /* it is shown: no control characters */
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	for (char *c = step; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	char when[64];
	snprintf(when, sizeof when, "%s", _("an unknown time"));
	if (since > 0) {
		time_t t = (time_t)since;
		struct tm tm;
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
	}
	return xasprintf(_("pid %s on host %s since %s, step: %s"), pid, host, when, step);
}

/* Rewrite the held lock file: who holds it, since when, which step. */
static void lock_write(struct state *st, const char *step)
{
	char *text = xasprintf("pid=%ld\nhost=%s\nsince=%lld\nstep=%s\n", (long)getpid(),
			       st->lock_host, st->lock_since, step ? step : "");
	size_t len = strlen(text);
	if (pwrite(st->lock_fd, text, len, 0) == (ssize_t)len)
		(void)ftruncate(st->lock_fd, (off_t)len);
	free(text);
}

int state_lock(struct state *st, char **cause)
{
	if (st->lock_fd >= 0)
		return 0;
	char *path = lock_path(st);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EACCES || errno == EROFS)) {
		/* a directory we cannot write: no state can be saved there either */
		fail(cause,
		     _("%s: %s: running without the run lock (and without saving the state)"), path,
		     strerror(errno));
		free(path);
		return 1;
	}
	if (fd < 0) {
		int e = errno;
		fail(cause, "%s: %s", path,
		     e == ELOOP ? _("is a symbolic link; the run lock is never taken through one "
				    "(remove it)")
				: strerror(e));
		free(path);
		return -1;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fail(cause, _("%s: not a regular file (remove it)"), path);
		close(fd);
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		if (e == EWOULDBLOCK) {
			char buf[1024];
			ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
			buf[n > 0 ? n : 0] = 0;
			char *who = lock_holder(buf);
			fail(cause,
			     _("another rds-migrate run uses this state (%s): %s; wait for it to "
			       "end, or "
			       "stop it (its lock file is %s)"),
			     st->path, who, path);
			free(who);
		} else {
			fail(cause, _("%s: cannot lock: %s"), path, strerror(e));
		}
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) != 0)
		snprintf(host, sizeof host, "?");
	st->lock_fd = fd;
	st->lock_host = xstrdup(host);
	st->lock_since = (long long)time(NULL);
	lock_write(st, NULL);
	/* no other run writes here now: what a killed one left is stale */
	char *copy = xstrdup(st->path);
	char *secret = xasprintf("%s/.rds-migrate.secret", dirname(copy));
	free(copy);
	remove_stale_temps(st->path, 0);
	remove_stale_temps(secret, 0);
	free(secret);
	return 0;
}

void state_lock_note(struct state *st, const char *step)
{
	if (st->lock_fd < 0)
		return;
	pthread_mutex_lock(&st->lock);
	lock_write(st, step);
	pthread_mutex_unlock(&st->lock);
}

/* How each table_copy is written in the file: spelled here only. */
static const char *const table_copy_word[] = {
	[TS_NONE] = NULL,
	[TS_LOADING] = "loading",
	[TS_COPIED] = "copied",
	[TS_VERIFIED] = "verified",
};

enum table_copy state_table_get(struct state *st, const char *key)
{
	const char *v = state_get(st, key);
	for (int i = TS_LOADING; v && i <= TS_VERIFIED; i++)
		if (strcmp(v, table_copy_word[i]) == 0)
			return (enum table_copy)i;
	return TS_NONE;
}

int state_table_set(struct state *st, const char *key, enum table_copy v, char **cause)
{
	return state_set(st, key, table_copy_word[v], cause);
}

char *state_table_find(struct state *st, enum table_copy v)
{
	return v == TS_NONE ? NULL : state_find(st, "table.", table_copy_word[v]);
}

/* The state of a run: "key=value" lines next to the config, saved on every change. */
#include "state.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char *state_path_for(const char *config_path)
{
	char *copy = xstrdup(config_path ? config_path : "config.ini");
	char *p = xasprintf("%s/.rds-migrate.state", dirname(copy));
	free(copy);
	return p;
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
	st->path = xstrdup(path);
	char *err = NULL;
	char *buf = read_file(path, NULL, &err);
	if (!buf) {
		int missing = errno == ENOENT;
		if (missing) {
			free(err);
			return 0;
		}
		fail(cause, "cannot read the state file: %s", err);
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
	pthread_mutex_destroy(&st->lock);
	memset(st, 0, sizeof *st);
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
	int rc = atomic_write_file(st->path, out, len, 0600, NULL, cause);
	free(out);
	return rc;
}

int state_set(struct state *st, const char *key, const char *value, char **cause)
{
	if (strpbrk(key, "=\n") || (value && strchr(value, '\n')))
		return fail(cause, "state: a key or value holds '=' or a line break");
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

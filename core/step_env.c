/* The env step: write DATABASE_URL (the [env] key) into the application's
 * .env, keeping every other line of the file.
 *
 * The URL comes from [target] url when it is set (its own sslmode, port and
 * sslrootcert win; [target] port/sslmode/sslrootcert fill what it lacks),
 * else from the RDS endpoint the instance step found, with [instance]
 * master_user, db_name and the master password. [target] hostaddr is left
 * out on purpose: it is this machine's tunnel, and the application connects
 * to the endpoint by name. A relative sslrootcert is made absolute, since
 * the application runs from another directory; with verify-ca/verify-full
 * and no CA named anywhere, the cached RDS CA bundle is used. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dburl.h"
#include "dotenv.h"
#include "run.h"
#include "step_env.h"
#include "util.h"

static char *dup_set(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* The CA bundle path as the application should see it: absolute when it exists. */
static char *absolute_cert(const char *path)
{
	if (!path || !*path)
		return NULL;
	char buf[PATH_MAX];
	if (path[0] != '/' && realpath(path, buf))
		return xstrdup(buf);
	return xstrdup(path);
}

/* Fill U from [target] url and the [target] settings. */
static int url_from_target(struct run *r, struct dburl *u, char **cause)
{
	const struct config *c = r->cfg;
	char *err = NULL;
	if (dburl_parse(config_get(c, CFG_TARGET_URL), u, &err) != 0) {
		fail(cause, "[target] url is not valid: %s", err);
		free(err);
		return -1;
	}
	if (!u->host) {
		dburl_free(u);
		return fail(cause, "[target] url has no host");
	}
	if (strchr(u->host, ',')) {
		dburl_free(u);
		return fail(cause, "[target] url names several hosts; the .env needs one");
	}
	/* hostaddr is this machine's tunnel: not for the application. */
	for (size_t i = 0; i < u->nparams; i++) {
		if (strcmp(u->params[2 * i], "hostaddr") == 0) {
			free(u->params[2 * i + 1]);
			u->params[2 * i + 1] = xstrdup("");
		}
	}
	if (!u->port)
		u->port = dup_set(config_get(c, CFG_TARGET_PORT));
	if (!u->sslmode)
		u->sslmode = dup_set(config_get(c, CFG_TARGET_SSLMODE));
	if (!u->sslrootcert) {
		pthread_mutex_lock(&r->lock);
		const char *rc = *config_get(c, CFG_TARGET_SSLROOTCERT)
					 ? config_get(c, CFG_TARGET_SSLROOTCERT)
					 : r->res.sslrootcert;
		u->sslrootcert = absolute_cert(rc);
		pthread_mutex_unlock(&r->lock);
	} else {
		char *abs = absolute_cert(u->sslrootcert);
		free(u->sslrootcert);
		u->sslrootcert = abs;
	}
	return 0;
}

/* Fill U from the instance the instance step created or adopted. */
static int url_from_instance(struct run *r, struct dburl *u, char **cause)
{
	const struct config *c = r->cfg;
	int rc = 0;
	memset(u, 0, sizeof *u);
	run_recall_target(r);
	pthread_mutex_lock(&r->lock);
	if (!r->res.endpoint) {
		rc = fail(cause, "the target is not known yet: run the instance step first, or set "
				 "[target] url");
	} else if (!r->res.master_password) {
		rc = fail(cause,
			  "the master password is not known: run the instance step in the "
			  "same run (it generates it, or reads it back from Secrets Manager), "
			  "or set [instance] master_password");
	} else {
		u->host = xstrdup(r->res.endpoint);
		u->password = xstrdup(r->res.master_password);
		if (*config_get(c, CFG_TARGET_PORT))
			u->port = xstrdup(config_get(c, CFG_TARGET_PORT));
		else if (r->res.endpoint_port)
			u->port = xasprintf("%d", r->res.endpoint_port);
		else
			u->port = dup_set(config_get(c, CFG_NETWORK_PORT));
		u->sslrootcert = absolute_cert(*config_get(c, CFG_TARGET_SSLROOTCERT)
						       ? config_get(c, CFG_TARGET_SSLROOTCERT)
						       : r->res.sslrootcert);
	}
	pthread_mutex_unlock(&r->lock);
	if (rc != 0)
		return rc;
	u->user = xstrdup(config_get(c, CFG_INSTANCE_MASTER_USER));
	u->dbname = xstrdup(config_get(c, CFG_INSTANCE_DB_NAME));
	u->sslmode = dup_set(config_get(c, CFG_TARGET_SSLMODE));
	return 0;
}

/* Write the .env (the step's work, whatever the mode). */
int step_env_write(struct run *r, char **cause)
{
	const struct config *c = r->cfg;
	const char *file = config_get(c, CFG_ENV_FILE);
	const char *key = config_get(c, CFG_ENV_KEY);
	if (!*file)
		return fail(cause, "[env] file is empty: set the path of the application's .env");
	if (!dotenv_key_ok(key))
		return fail(cause, "[env] key \"%s\" is not a variable name ([A-Z_][A-Z0-9_]*)",
			    key);
	/* never point the application at a table an interrupted copy left
	 * half-loaded (a split table after a crash) */
	char *loading = r->state ? state_table_find(r->state, TS_LOADING) : NULL;
	if (loading) {
		fail(cause,
		     "the target table %s holds part of an interrupted copy: run the data "
		     "step again (it empties and copies it), then verify, before the "
		     "application is pointed at the target",
		     loading + strlen("table."));
		free(loading);
		return -1;
	}
	const char *verified = r->state ? state_get(r->state, "verify.result") : NULL;
	if (verified && strcmp(verified, "differs") == 0)
		return fail(cause, "the last verify found the target differs from the source: copy "
				   "again (the data step, --force for the tables that differ) and "
				   "verify, before the application is pointed at the target");
	/* verify-ca/verify-full with no CA named: the RDS bundle (cached, or
	 * downloaded once) goes into res.sslrootcert, which the URL then names */
	char *err = NULL;
	if (run_ensure_rootcert(r, &err) != 0) {
		fail(cause, "the target's sslmode needs a CA bundle: %s", err);
		free(err);
		return -1;
	}
	struct dburl u;
	int rc = *config_get(c, CFG_TARGET_URL) ? url_from_target(r, &u, cause)
						: url_from_instance(r, &u, cause);
	if (rc != 0)
		return -1;
	char *url = dburl_build(&u);
	dburl_free(&u);
	char *masked = dburl_mask(url);
	run_status(r, "writing %s into %s", key, file);
	struct dotenv_result res;
	rc = dotenv_set(file, key, url, &res, cause);
	free_secret(url);
	if (rc != 0) {
		dotenv_result_free(&res);
		free(masked);
		return -1;
	}
	run_secret_clear(r); /* a generated password is now in the .env */
	const char *where = res.written ? res.written : file;
	char abs[PATH_MAX];
	if (where[0] != '/' && realpath(where, abs))
		where = abs;
	run_finding(r, LEVEL_OK, key, "%s", masked);
	if (!res.changed) {
		if (res.mode_fixed)
			run_finding(r, LEVEL_WARN, "mode",
				    "%s was readable by others; it is now mode 0600", where);
		*cause = xasprintf("%s unchanged: it already holds this %s", where, key);
	} else if (res.created) {
		run_finding(r, LEVEL_INFO, "file", "created %s (mode 0600)", where);
		*cause = xasprintf("wrote %s to %s (new file, mode 0600)", key, where);
	} else {
		run_finding(r, LEVEL_INFO, "backup", "the previous file is kept as %s%s", where,
			    DOTENV_BACKUP_SUFFIX);
		if (res.replaced > 1)
			run_finding(
				r, LEVEL_WARN, key,
				"%s was set %d times in the file; every one now holds the new URL",
				key, res.replaced);
		*cause = xasprintf("wrote %s to %s (%s, mode 0600)", key, where,
				   res.replaced ? "replaced in place" : "appended");
	}
	free(masked);
	dotenv_result_free(&res);
	return 0;
}

static int env_run(struct run *r, char **cause)
{
	if (run_live(r)) {
		*cause = xstrdup("live mode: the cutover writes the .env once the target has "
				 "every change");
		return 1;
	}
	return step_env_write(r, cause);
}

const struct step step_env = {
	.name = "env",
	.title = "Write .env",
	.what = "write DATABASE_URL into the application's .env",
	.run = env_run,
};

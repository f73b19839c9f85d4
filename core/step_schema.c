/* The schema step: copy the source's schema (pre-data now; post-data after the
 * data step, or now when [migrate] data = skip), or apply a user's SQL file.
 *
 * State keys: schema.pre = done once pre-data (or the file) is on the target;
 * schema.post = pending while post-data still has to run (the data step runs
 * pg_schema_post at its end when it finds "pending", then sets "done"). */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pg_conn.h"
#include "pg_schema.h"
#include "run.h"
#include "util.h"

/* Connect with CONNINFO (NULL when unknown: CAUSE is set already), as
 * every step does (pg_connect: keepalives, and Ctrl-C interrupts it and
 * every statement on it). */
static PGconn *connect_to(struct run *r, enum pg_role role, char *conninfo, char **cause)
{
	if (!conninfo)
		return NULL;
	char *e = NULL;
	PGconn *c = pg_connect(conninfo, role, 30, &r->cancel, NULL, &e);
	free_secret(conninfo);
	if (!c)
		fail(cause,
		     role == PG_SOURCE ? _("cannot connect to the source: %s")
				       : _("cannot connect to the target: %s"),
		     e ? e : "?");
	free(e);
	return c;
}

/* Record a state key; a failure to save is reported, not fatal. */
static void set_state(struct run *r, const char *key, const char *value)
{
	char *err = NULL;
	if (r->state && state_set(r->state, key, value, &err) < 0) {
		run_finding(r, LEVEL_WARN, _("state"), _("cannot save %s: %s"), key,
			    err ? err : "?");
		free(err);
	}
}

/* schema = file:PATH */
static int apply_file(struct run *r, const char *path, char **cause)
{
	char *done_key = xasprintf("file:%s", path);
	const char *pre = r->state ? state_get(r->state, "schema.pre") : NULL;
	if (pre && strcmp(pre, done_key) == 0) {
		free(done_key);
		*cause = xasprintf(_("%s was applied by an earlier run: not applied again"), path);
		return 0;
	}
	PGconn *dst = connect_to(r, PG_TARGET, run_target_conninfo(r, cause), cause);
	if (!dst) {
		free(done_key);
		return -1;
	}
	int rc = pg_schema_apply_file(dst, path, r, cause);
	PQfinish(dst);
	if (rc == 0) {
		set_state(r, "schema.pre", done_key);
		set_state(r, "schema.post", "done");
		*cause = xasprintf(_("applied %s"), path);
	}
	free(done_key);
	return rc;
}

/* A dry run: the plan against the target as it is (its roles), or, before
 * it exists, against the instance a real run creates. */
static int dry_run(struct run *r, PGconn *src, char **cause)
{
	char *why = NULL;
	PGconn *dst = NULL;
	if (!run_dry_without_target(r, &why) &&
	    !(dst = connect_to(r, PG_TARGET, run_target_conninfo(r, cause), cause)))
		return -1;
	free(why);
	int rc = pg_schema_dry_run(src, dst, r, cause);
	PQfinish(dst);
	return rc;
}

static int schema_run(struct run *r, char **cause)
{
	const char *mode = config_get(r->cfg, CFG_MIGRATE_SCHEMA);
	if (strcmp(mode, "skip") == 0) {
		*cause = xstrdup("[migrate] schema = skip");
		return 1;
	}
	if (strncmp(mode, "file:", 5) == 0) {
		if (r->inspect) {
			*cause = xasprintf(_("%s will be applied"), mode + 5);
			return 1;
		}
		return apply_file(r, mode + 5, cause);
	}
	if (strcmp(mode, "copy") != 0)
		return fail(cause, _("[migrate] schema = %s: use copy, file:PATH or skip"), mode);
	if (r->inspect) {
		PGconn *s = connect_to(r, PG_SOURCE, run_source_conninfo(r, cause), cause);
		if (!s)
			return -1;
		int rc = pg_schema_inspect(s, r, cause);
		if (rc == 0 && r->dry_run)
			rc = dry_run(r, s, cause);
		else if (rc == 0)
			*cause = xstrdup(_("look-only run: the schema is not written"));
		PQfinish(s);
		return rc < 0 ? -1 : 1;
	}

	char *sci = run_source_conninfo(r, cause);
	PGconn *src = sci ? run_source_take(r, sci) : NULL;
	if (!src && !(src = connect_to(r, PG_SOURCE, sci ? xstrdup(sci) : NULL, cause))) {
		free_secret(sci);
		return -1;
	}
	PGconn *dst = connect_to(r, PG_TARGET, run_target_conninfo(r, cause), cause);
	if (!dst) {
		PQfinish(src);
		free_secret(sci);
		return -1;
	}
	bool data_skip = strcmp(config_get(r->cfg, CFG_MIGRATE_DATA), "skip") == 0;
	/* the data step's jobs connect while this step works */
	if (!data_skip && run_will_run(r, &step_data))
		run_source_warm(r, sci, (int)config_int(r->cfg, CFG_MIGRATE_JOBS));
	run_status(r, _("reading the source's catalogs"));
	int rc = pg_schema_pre(src, dst, r, cause);
	if (rc == 0) {
		set_state(r, "schema.pre", "done");
		if (data_skip) {
			rc = pg_schema_post(src, dst, r, cause);
			if (rc == 0) {
				set_state(r, "schema.post", "done");
				*cause = xstrdup(_("schema copied (pre-data and post-data)"));
			}
		} else {
			set_state(r, "schema.post", "pending");
			*cause = xstrdup(
				_("pre-data copied; keys, indexes, foreign keys and triggers "
				  "follow the data"));
		}
	}
	PQfinish(dst);
	run_source_keep(r, sci, src); /* the data step's, when it follows */
	free_secret(sci);
	return rc;
}

const struct step step_schema = {
	.name = "schema",
	.title = N_("Schema"),
	.what = N_("copy the schema: tables first, indexes and keys after the data"),
	.run = schema_run,
};

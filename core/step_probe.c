/* The probe step: connect to the target and report every stage (DNS, TCP,
 * TLS, authentication, version, round trip), with a diagnosis and a hint when
 * it fails. Read-only. */
#include <stdlib.h>
#include <string.h>

#include "pg_conn.h"
#include "replica_check.h"
#include "run.h"
#include "util.h"

/* Live mode: the target's user must be allowed to create our subscription. */
static int live_privileges(struct run *r, const char *ci, char **cause)
{
	PGconn *d = pg_connect(ci, PG_TARGET, 10, &r->cancel, NULL, cause);
	if (!d)
		return -1;
	int rc = replica_check_target(r, d, cause);
	PQfinish(d);
	return rc;
}

static int probe_run(struct run *r, char **cause)
{
	char *ci = run_target_conninfo(r, cause);
	if (!ci)
		return -1;
	run_status(r, "connecting to the target");
	struct pg_probe p;
	int rc = pg_probe_run(ci, PG_TARGET, 10, &r->cancel, &p);
	pg_probe_report(r, &p);
	if (rc != 0) {
		*cause = pg_diag_text(&p.diag);
		pg_probe_free(&p);
		free_secret(ci);
		return -1;
	}
	if (run_live(r) && live_privileges(r, ci, cause) != 0) {
		pg_probe_free(&p);
		free_secret(ci);
		return -1;
	}
	free_secret(ci);
	pthread_mutex_lock(&r->lock);
	free(r->res.target_version);
	r->res.target_version = xstrdup(p.server_version);
	char *src = r->res.source_version ? xstrdup(r->res.source_version) : NULL;
	pthread_mutex_unlock(&r->lock);
	if (!p.can_create)
		run_finding(r, LEVEL_WARN, "privileges",
			    "%s cannot create schemas in database %s: the schema step needs the "
			    "CREATE privilege (the RDS master user has it)",
			    p.current_user ? p.current_user : "?", p.dbname ? p.dbname : "?");
	if (src) {
		int smaj = atoi(src), tmaj = atoi(p.server_version);
		if (tmaj < smaj)
			run_finding(
				r, LEVEL_WARN, "version",
				"the target (%s) is older than the source (%s): objects that use "
				"newer features may fail; choose [instance] engine_version >= %d",
				p.server_version, src, smaj);
		else
			run_finding(r, LEVEL_OK, "version", "source %s, target %s", src,
				    p.server_version);
	}
	free(src);
	*cause = xasprintf("PostgreSQL %s, %s%s, round trip %.1f ms", p.server_version,
			   p.tls ? p.tls_protocol : "not encrypted",
			   p.tls ? (p.name_checked ? " verified" : " unverified") : "", p.rtt_ms);
	pg_probe_free(&p);
	return 0;
}

const struct step step_probe = {
	.name = "probe",
	.title = "Target connection",
	.what = "connect to the target: DNS, TCP, TLS, login",
	.run = probe_run,
};

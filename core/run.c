/* A run: shared results, the step runner, and event helpers for steps. */
#include "run.h"

#include <libgen.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dburl.h"
#include "dotenv.h"
#include "i18n.h"
#include "pg_conn.h"
#include "rds_ca.h"
#include "util.h"

const struct run_knobs run_knobs_default = {
	.stall_seconds = 300,
	.aws = AWS_LIMITS_DEFAULT,
	.wait_minutes = 40,
	.poll_seconds = 10,
	.checkip_url = "https://checkip.amazonaws.com",
};

/* The environment's NAME, or DEF when unset or empty. */
static const char *env_str(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

void run_knobs_from_env(struct run_knobs *k)
{
	const struct run_knobs *d = &run_knobs_default;
	*k = *d;
	k->copy_text = strcmp(env_str("RDSM_COPY_FORMAT", ""), "text") == 0;
	k->copy_split_bytes = strtoll(env_str("RDSM_COPY_SPLIT_BYTES", "0"), NULL, 10);
	double stall = strtod(env_str("RDSM_STALL_SECONDS", "0"), NULL);
	if (stall > 0)
		k->stall_seconds = stall;
	k->aws.connect_timeout_s =
		env_long("RDSM_AWS_CONNECT_TIMEOUT", d->aws.connect_timeout_s, 1, 600);
	k->aws.timeout_s = env_long("RDSM_AWS_TIMEOUT", d->aws.timeout_s, 1, 3600);
	k->aws.max_attempts = (int)env_long("RDSM_AWS_MAX_ATTEMPTS", d->aws.max_attempts, 1, 20);
	k->aws.credential_process_timeout_s = env_long(
		"RDSM_CREDENTIAL_PROCESS_TIMEOUT", d->aws.credential_process_timeout_s, 1, 3600);
	k->wait_minutes = env_long("RDSM_WAIT_MINUTES", d->wait_minutes, 1, 100000);
	k->poll_seconds = env_long("RDSM_POLL_SECONDS", d->poll_seconds, 1, 100000);
	k->checkip_url = env_str("RDSM_CHECKIP_URL", d->checkip_url);
	k->ca_url = env_str(RDS_CA_URL_ENV, NULL);
}

void run_init(struct run *r, struct config *cfg, struct state *st, struct sink *sink)
{
	memset(r, 0, sizeof *r);
	r->knobs = &run_knobs_default;
	r->cfg = cfg;
	r->state = st;
	r->sink = sink;
	atomic_init(&r->cancel, 0);
	atomic_init(&r->incomplete, 0);
	pthread_mutex_init(&r->lock, NULL);
}

/* A source connection being opened ahead (run_source_warm). */
struct run_warm {
	pthread_t th;
	struct run *r;
	char *conninfo;
	PGconn *c;    /* NULL: it failed */
	double at;    /* now_monotonic() when it was made */
	bool started; /* the thread runs (join it) */
};

static void *warm_main(void *arg)
{
	struct run_warm *w = arg;
	char *e = NULL;
	w->c = pg_connect(w->conninfo, PG_SOURCE, 30, &w->r->cancel, NULL, &e);
	w->at = now_monotonic();
	free(e); /* the job connects again and says why */
	return NULL;
}

void run_source_warm(struct run *r, const char *conninfo, int n)
{
	if (r->warm || n < 1 || !conninfo)
		return;
	r->warm = xcalloc((size_t)n, sizeof *r->warm);
	for (int i = 0; i < n; i++) {
		struct run_warm *w = &r->warm[r->nwarm];
		*w = (struct run_warm){.r = r, .conninfo = xstrdup(conninfo)};
		w->started = pthread_create(&w->th, NULL, warm_main, w) == 0;
		if (!w->started) {
			free_secret(w->conninfo);
			break;
		}
		r->nwarm++;
	}
}

PGconn *run_source_warm_take(struct run *r, const char *conninfo)
{
	pthread_mutex_lock(&r->lock);
	struct run_warm *w = r->warm_taken < r->nwarm ? &r->warm[r->warm_taken++] : NULL;
	pthread_mutex_unlock(&r->lock);
	if (!w)
		return NULL;
	pthread_join(w->th, NULL);
	w->started = false;
	PGconn *c = w->c;
	w->c = NULL;
	bool good = c && conninfo && strcmp(conninfo, w->conninfo) == 0 &&
		    PQstatus(c) == CONNECTION_OK && now_monotonic() - w->at < RUN_KEPT_SECONDS;
	if (good)
		return c;
	PQfinish(c);
	return NULL;
}

/* Close the connections opened ahead that no step took. */
static void warm_free(struct run *r)
{
	for (size_t i = 0; i < r->nwarm; i++) {
		struct run_warm *w = &r->warm[i];
		if (w->started)
			pthread_join(w->th, NULL);
		PQfinish(w->c);
		free_secret(w->conninfo);
	}
	free(r->warm);
	r->warm = NULL;
	r->nwarm = r->warm_taken = 0;
}

bool run_will_run(const struct run *r, const struct step *s)
{
	for (int i = 0; i < step_count; i++)
		if (steps[i] == s)
			return (r->chosen & (1u << i)) != 0;
	return false;
}

void run_free(struct run *r)
{
	warm_free(r);
	PQfinish(run_source_take(r, r->kept_conninfo));
	free(r->res.endpoint);
	free_secret(r->res.master_password);
	free(r->res.sslrootcert);
	free(r->res.source_version);
	free(r->res.target_version);
	pthread_mutex_destroy(&r->lock);
	memset(&r->res, 0, sizeof r->res);
}

bool run_cancelled(struct run *r)
{
	return atomic_load(&r->cancel) != 0;
}

bool run_live(const struct run *r)
{
	return r->cfg && strcmp(config_get(r->cfg, CFG_MIGRATE_MODE), "live") == 0;
}

static double step_elapsed(struct run *r)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	const struct timespec *s = &r->started[r->current];
	return (double)(now.tv_sec - s->tv_sec) + (double)(now.tv_nsec - s->tv_nsec) / 1e9;
}

static void emit(struct run *r, struct event *ev)
{
	/* names from the servers and the config may hold terminal escapes or
	 * line breaks: no front end or log ever gets them raw */
	char buf[sizeof ev->text];
	snprintf(buf, sizeof buf, "%s", ev->text);
	text_escape_controls(ev->text, sizeof ev->text, buf);
	snprintf(buf, sizeof buf, "%s", ev->item);
	text_escape_controls(ev->item, sizeof ev->item, buf);
	ev->step = r->current;
	ev->elapsed = step_elapsed(r);
	if (r->sink && r->sink->emit)
		r->sink->emit(r->sink->ctx, ev);
}

static void emit_text(struct run *r, enum event_kind kind, enum finding_level lvl,
		      enum finding_code code, const char *item, const char *fmt, va_list ap)
{
	if (!r)
		return;
	struct event ev = {.kind = kind, .level = lvl, .code = code};
	if (item)
		snprintf(ev.item, sizeof ev.item, "%s", item);
	vsnprintf(ev.text, sizeof ev.text, fmt, ap);
	emit(r, &ev);
}

static void emit_plain(struct run *r, enum event_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void emit_plain(struct run *r, enum event_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_text(r, kind, LEVEL_INFO, FIND_NONE, NULL, fmt, ap);
	va_end(ap);
}

void run_status(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_text(r, EV_STATUS, LEVEL_INFO, FIND_NONE, NULL, fmt, ap);
	va_end(ap);
}

void run_detail(struct run *r, const char *fmt, ...)
{
	if (!r)
		return;
	struct event ev = {.kind = EV_STATUS, .level = LEVEL_INFO, .flags = EVF_DETAIL};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof ev.text, fmt, ap);
	va_end(ap);
	emit(r, &ev);
}

void run_finding(struct run *r, enum finding_level lvl, const char *item, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_text(r, EV_FINDING, lvl, FIND_NONE, item, fmt, ap);
	va_end(ap);
}

void run_would(struct run *r, enum run_change kind, const char *fmt, ...)
{
	static const char *const items[] = {
		[CHANGE_AWS] = N_("would call"),
		[CHANGE_SQL] = N_("would run"),
		[CHANGE_FILE] = N_("would write"),
	};
	va_list ap;
	va_start(ap, fmt);
	emit_text(r, EV_FINDING, LEVEL_INFO, FIND_CHANGE, _(items[kind]), fmt, ap);
	va_end(ap);
}

void run_finding_code(struct run *r, enum finding_level lvl, enum finding_code code,
		      const char *item, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_text(r, EV_FINDING, lvl, code, item, fmt, ap);
	va_end(ap);
}

void run_progress(struct run *r, const char *item, int64_t done, int64_t total, int64_t bytes,
		  int64_t bytes_total)
{
	struct event ev = {.kind = EV_PROGRESS,
			   .done = done,
			   .total = total,
			   .bytes = bytes,
			   .bytes_total = bytes_total,
			   .flags = item ? 0 : EVF_TOTAL};
	snprintf(ev.item, sizeof ev.item, "%s", item ? item : "total");
	emit(r, &ev);
}

void run_incomplete(struct run *r, int n)
{
	if (r && n > 0)
		atomic_fetch_add(&r->incomplete, n);
}

void run_progress_tables(struct run *r, const char *item, int64_t done, int64_t total)
{
	struct event ev = {.kind = EV_PROGRESS,
			   .done = done,
			   .total = total,
			   .unit = UNIT_TABLES,
			   .flags = item ? 0 : EVF_TOTAL};
	snprintf(ev.item, sizeof ev.item, "%s", item ? item : "total");
	emit(r, &ev);
}

/* A question for the front end: FMT's text, control characters escaped. */
static void question(char *q, size_t n, const char *fmt, va_list ap)
{
	char raw[1024];
	vsnprintf(raw, sizeof raw, fmt, ap);
	text_escape_controls(q, n, raw);
}

void run_replication(struct run *r, enum repl_phase phase, int64_t lag_bytes, double lag_seconds,
		     int64_t rows, int64_t tables)
{
	struct event ev = {.kind = EV_REPLICATION,
			   .phase = phase,
			   .lag_bytes = lag_bytes,
			   .lag_seconds = lag_seconds,
			   .done = rows,
			   .total = tables};
	emit(r, &ev);
}

bool run_confirm(struct run *r, const char *fmt, ...)
{
	char q[1024];
	va_list ap;
	va_start(ap, fmt);
	question(q, sizeof q, fmt, ap);
	va_end(ap);
	if (r->yes)
		return true;
	if (!r->sink || !r->sink->confirm)
		return false;
	return r->sink->confirm(r->sink->ctx, r->current, q) == 1;
}

int run_ask_secret(struct run *r, char *answer, size_t n, const char *fmt, ...)
{
	char q[1024];
	va_list ap;
	va_start(ap, fmt);
	question(q, sizeof q, fmt, ap);
	va_end(ap);
	answer[0] = 0;
	if (!r->sink || !r->sink->ask_secret)
		return -1;
	return r->sink->ask_secret(r->sink->ctx, r->current, q, answer, n) == 1 ? 1 : 0;
}

/* The round trips the step made to each server, into the log: over a far
 * link they, not the bytes, are what a step's time is made of. */
static void log_trips(struct run *r, const struct pg_trips before[2])
{
	struct pg_trips now[2];
	pg_trips_read(now);
	long st = now[PG_SOURCE].trips - before[PG_SOURCE].trips;
	long tt = now[PG_TARGET].trips - before[PG_TARGET].trips;
	long sc = now[PG_SOURCE].connections - before[PG_SOURCE].connections;
	long tc = now[PG_TARGET].connections - before[PG_TARGET].connections;
	if (st + tt + sc + tc == 0)
		return;
	run_detail(r,
		   "round trips: %ld to the source (%ld connection%s), %ld to the target (%ld "
		   "connection%s)",
		   st, sc, sc == 1 ? "" : "s", tt, tc, tc == 1 ? "" : "s");
}

int run_step(struct run *r, int s)
{
	char *cause = NULL;
	struct pg_trips trips_before[2];
	pg_trips_read(trips_before);
	r->current = s;
	clock_gettime(CLOCK_MONOTONIC, &r->started[s]);
	r->status[s] = STATUS_RUNNING;
	if (r->state && !r->inspect)
		state_lock_note(r->state, step_name(s));
	emit_plain(r, EV_STEP_START, "%s", step_title(s));
	int before = atomic_load(&r->incomplete);
	int rc = steps[s]->run(r, &cause);
	log_trips(r, trips_before);
	int left_out = atomic_load(&r->incomplete) - before;
	if (rc == 0 && left_out > 0) {
		/* done, but not everything was copied */
		r->status[s] = STATUS_OK;
		struct event ev = {
			.kind = EV_STEP_DONE, .level = LEVEL_WARN, .flags = EVF_INCOMPLETE};
		snprintf(ev.text, sizeof ev.text,
			 P_("%d object not copied (named above); %s",
			    "%d objects not copied (named above); %s", left_out),
			 left_out, cause ? cause : _("done"));
		emit(r, &ev);
	} else if (rc == 0) {
		r->status[s] = STATUS_OK;
		emit_plain(r, EV_STEP_DONE, "%s", cause ? cause : _("done"));
	} else if (rc > 0) {
		r->status[s] = STATUS_SKIPPED;
		emit_plain(r, EV_STEP_SKIPPED, "%s", cause ? cause : _("skipped"));
		rc = 0;
	} else {
		r->status[s] = STATUS_FAILED;
		if (run_cancelled(r))
			emit_plain(r, EV_STEP_FAILED, "interrupted%s%s", cause ? ": " : "",
				   cause ? cause : "");
		else
			emit_plain(r, EV_STEP_FAILED, "%s", cause ? cause : "failed");
	}
	free(cause);
	return rc;
}

enum step_status run_step_status(struct run *r, const struct step *s)
{
	int i = step_index(s);
	return i >= 0 ? r->status[i] : STATUS_PENDING;
}

int run_steps(struct run *r, unsigned mask)
{
	bool failed = false;
	r->chosen = mask;
	for (int s = 0; s < step_count; s++) {
		if (!(mask & (1u << s)))
			continue;
		if (run_cancelled(r))
			return 130;
		if (run_step(r, s) != 0) {
			if (!r->dry_run || run_cancelled(r))
				return run_cancelled(r) ? 130 : -1;
			failed = true; /* a dry run looks at every step */
		}
	}
	if (run_cancelled(r))
		return 130;
	if (failed)
		return -1;
	return atomic_load(&r->incomplete) > 0 ? RUN_INCOMPLETE : 0;
}

/* A peer that vanished (no FIN: a cable, a VM gone) is found within about a
 * minute: TCP keepalives on an idle connection, tcp_user_timeout while data
 * waits unacknowledged. Keyword/value pairs, added unless the URL sets them. */
#define RUN_KEEPALIVES                                                                             \
	"keepalives", "1", "keepalives_idle", "30", "keepalives_interval", "10",                   \
		"keepalives_count", "3", "tcp_user_timeout", "60000"

/* Build a conninfo from URL, filling what the URL lacks from DEFAULTS
 * (pairs of key, value; NULL-terminated). */
static char *conninfo_from_url(const char *url, const char *const *defaults, char **cause)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &err);
	if (!opts) {
		char *shown = dburl_scrub(err ? err : "cannot parse the URL", url);
		shown[strcspn(shown, "\n")] = 0;
		fail(cause, "%s", shown);
		free(shown);
		PQfreemem(err);
		return NULL;
	}
	/* libpq cut the password where it holds an unencoded / ? # or @: a
	 * piece of it became the port, host or database. Never connect with
	 * that (the piece would show in libpq's errors): say what to fix. */
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val && *o->val && !strstr(o->keyword, "password") &&
		    dburl_secret_part(o->val, strlen(o->val), url)) {
			fail(cause,
			     _("libpq reads part of the URL's password as its %s: percent-encode / "
			       "? # @ and : in the password (%%2F %%3F %%23 %%40 %%3A)"),
			     o->keyword);
			PQconninfoFree(opts);
			return NULL;
		}
	char *ci = xstrdup("");
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val && *o->val)
			pg_conninfo_add(&ci, o->keyword, o->val);
	for (const char *const *d = defaults; d && d[0]; d += 2) {
		bool set = false;
		for (PQconninfoOption *o = opts; o->keyword; o++)
			if (strcmp(o->keyword, d[0]) == 0 && o->val && *o->val)
				set = true;
		if (!set && d[1] && *d[1])
			pg_conninfo_add(&ci, d[0], d[1]);
	}
	PQconninfoFree(opts);
	return ci;
}

char *run_source_conninfo(struct run *r, char **cause)
{
	const char *url = config_get(r->cfg, CFG_SOURCE_URL);
	if (!*url) {
		fail(cause,
		     _("[source] url is empty: set it in the config or SOURCE_DATABASE_URL"));
		return NULL;
	}
	static const char *const defaults[] = {
		"application_name", "rds-migrate", "connect_timeout", "10", RUN_KEEPALIVES, NULL};
	/* live mode: our sessions stay writable when the cutover has made the
	 * source database read-only for every other (ALTER DATABASE … SET
	 * default_transaction_read_only): they drop the publication. Only
	 * then: a pooler in front of an offline source may refuse options
	 * (live mode needs a direct connection anyway) */
	static const char *const live_defaults[] = {
		"application_name", "rds-migrate",
		"connect_timeout",  "10",
		"options",          "-c default_transaction_read_only=off",
		RUN_KEEPALIVES,     NULL};
	return conninfo_from_url(url, run_live(r) ? live_defaults : defaults, cause);
}

void run_source_keep(struct run *r, const char *conninfo, PGconn *c)
{
	PQfinish(run_source_take(r, r->kept_conninfo));
	if (PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE) {
		PQfinish(c);
		return;
	}
	r->kept_source = c;
	r->kept_conninfo = xstrdup(conninfo);
	r->kept_at = now_monotonic();
}

PGconn *run_source_take(struct run *r, const char *conninfo)
{
	PGconn *c = r->kept_source;
	bool same = c && conninfo && strcmp(conninfo, r->kept_conninfo) == 0 &&
		    now_monotonic() - r->kept_at < RUN_KEPT_SECONDS;
	free_secret(r->kept_conninfo);
	r->kept_source = NULL;
	r->kept_conninfo = NULL;
	if (same && PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE)
		return c;
	PQfinish(c);
	return NULL;
}

/* verify-ca/verify-full with no CA bundle named (neither [target] sslrootcert
 * nor the URL's own sslrootcert): fetch the RDS CA bundle once (it is cached)
 * into r->res.sslrootcert. 0 when nothing is needed or it is there. */
int run_ensure_rootcert(struct run *r, char **cause)
{
	const struct config *c = r->cfg;
	if (*config_get(c, CFG_TARGET_SSLROOTCERT))
		return 0;
	char mode[32];
	snprintf(mode, sizeof mode, "%s", config_get(c, CFG_TARGET_SSLMODE));
	const char *url = config_get(c, CFG_TARGET_URL);
	if (*url) {
		PQconninfoOption *opts = PQconninfoParse(url, NULL);
		bool own = false;
		for (PQconninfoOption *o = opts; o && o->keyword; o++) {
			if (!o->val || !*o->val)
				continue;
			if (strcmp(o->keyword, "sslrootcert") == 0)
				own = true;
			else if (strcmp(o->keyword, "sslmode") == 0)
				snprintf(mode, sizeof mode, "%s", o->val);
		}
		PQconninfoFree(opts);
		if (own)
			return 0;
	}
	if (strcmp(mode, "verify-ca") != 0 && strcmp(mode, "verify-full") != 0)
		return 0;
	pthread_mutex_lock(&r->lock);
	bool have = r->res.sslrootcert != NULL;
	pthread_mutex_unlock(&r->lock);
	if (have)
		return 0;
	char *path = NULL;
	if (rds_ca_ensure(r->knobs->ca_url, &path, cause) != 0)
		return -1;
	pthread_mutex_lock(&r->lock);
	free(r->res.sslrootcert);
	r->res.sslrootcert = path;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

PGconn *run_connect(struct run *r, int role, bool interruptible, char **cause)
{
	char *ci =
		role == PG_SOURCE ? run_source_conninfo(r, cause) : run_target_conninfo(r, cause);
	if (!ci)
		return NULL;
	PGconn *c = pg_connect(ci, role, 30, interruptible ? &r->cancel : NULL, NULL, cause);
	free_secret(ci);
	return c;
}

char *run_target_conninfo(struct run *r, char **cause)
{
	if (run_ensure_rootcert(r, cause) != 0)
		return NULL;
	const struct config *c = r->cfg;
	const char *port = *config_get(c, CFG_TARGET_PORT) ? config_get(c, CFG_TARGET_PORT) : NULL;
	pthread_mutex_lock(&r->lock); /* res.sslrootcert may be set by another job */
	char *rootcert = *config_get(c, CFG_TARGET_SSLROOTCERT)
				 ? xstrdup(config_get(c, CFG_TARGET_SSLROOTCERT))
			 : r->res.sslrootcert ? xstrdup(r->res.sslrootcert)
					      : NULL;
	pthread_mutex_unlock(&r->lock);
	const char *url = config_get(c, CFG_TARGET_URL);
	if (!*url)
		run_recall_target(r);
	if (*url) {
		const char *const defaults[] = {"hostaddr",
						config_get(c, CFG_TARGET_HOSTADDR),
						"port",
						port,
						"sslmode",
						config_get(c, CFG_TARGET_SSLMODE),
						"sslrootcert",
						rootcert,
						"application_name",
						"rds-migrate",
						"connect_timeout",
						"10",
						RUN_KEEPALIVES,
						NULL};
		char *ci = conninfo_from_url(url, defaults, cause);
		free(rootcert);
		return ci;
	}
	pthread_mutex_lock(&r->lock);
	char *ci = NULL;
	if (!r->res.endpoint) {
		fail(cause,
		     _("the target is not known yet: run the instance step, or set [target] url"));
	} else if (!r->res.master_password) {
		fail(cause, _("the master password is not known: set [instance] master_password"));
	} else {
		char portbuf[16];
		snprintf(portbuf, sizeof portbuf, "%d",
			 r->res.endpoint_port ? r->res.endpoint_port
					      : (int)config_int(c, CFG_NETWORK_PORT));
		ci = xstrdup("");
		pg_conninfo_add(&ci, "host", r->res.endpoint);
		if (*config_get(c, CFG_TARGET_HOSTADDR))
			pg_conninfo_add(&ci, "hostaddr", config_get(c, CFG_TARGET_HOSTADDR));
		pg_conninfo_add(&ci, "port", port ? port : portbuf);
		pg_conninfo_add(&ci, "dbname", config_get(c, CFG_INSTANCE_DB_NAME));
		pg_conninfo_add(&ci, "user", config_get(c, CFG_INSTANCE_MASTER_USER));
		pg_conninfo_add(&ci, "password", r->res.master_password);
		pg_conninfo_add(&ci, "sslmode", config_get(c, CFG_TARGET_SSLMODE));
		if (rootcert && *rootcert)
			pg_conninfo_add(&ci, "sslrootcert", rootcert);
		pg_conninfo_add(&ci, "application_name", "rds-migrate");
		pg_conninfo_add(&ci, "connect_timeout", "10");
		static const char *const keep[] = {RUN_KEEPALIVES, NULL};
		for (const char *const *k = keep; *k; k += 2)
			pg_conninfo_add(&ci, k[0], k[1]);
	}
	pthread_mutex_unlock(&r->lock);
	free(rootcert);
	return ci;
}

/* The pending-secret file beside the state file. Caller frees. */
static char *secret_path(struct run *r)
{
	if (!r->state || !r->state->path)
		return NULL;
	char *copy = xstrdup(r->state->path);
	char *p = xasprintf("%s/.rds-migrate.secret", dirname(copy));
	free(copy);
	return p;
}

int run_secret_save(struct run *r, const char *password, char **cause)
{
	char *path = secret_path(r);
	if (!path)
		return 0;
	char *data = xasprintf("%s\n", password);
	int rc = atomic_write_own(path, data, strlen(data), 0600, cause);
	free_secret(data);
	free(path);
	return rc;
}

char *run_secret_load(struct run *r)
{
	char *path = secret_path(r);
	if (!path)
		return NULL;
	char *data = read_file_ex(path, 0, READ_NOFOLLOW, NULL, NULL);
	free(path);
	if (data)
		data[strcspn(data, "\n")] = 0;
	if (data && !*data) {
		free_secret(data);
		return NULL;
	}
	return data;
}

void run_secret_clear(struct run *r)
{
	char *path = secret_path(r);
	if (path)
		unlink(path);
	free(path);
}

char *run_known_password(struct run *r, const char *endpoint)
{
	char *pw = run_secret_load(r);
	if (pw)
		return pw;
	const struct config *c = r->cfg;
	const char *file = config_get(c, CFG_ENV_FILE), *key = config_get(c, CFG_ENV_KEY);
	char *url = NULL;
	if (!*file || !*key || dotenv_get(file, key, &url, NULL) != 1)
		return NULL;
	struct dburl u;
	if (dburl_parse(url, &u, NULL) == 0) {
		bool ours = u.host && u.user && u.password && *u.password &&
			    strcmp(u.user, config_get(c, CFG_INSTANCE_MASTER_USER)) == 0 &&
			    (!endpoint || strcmp(u.host, endpoint) == 0);
		if (ours) {
			pw = u.password;
			u.password = NULL;
		}
		dburl_free(&u);
	}
	free_secret(url);
	return pw;
}

bool run_dry_without_target(struct run *r, char **cause)
{
	if (!r->dry_run || *config_get(r->cfg, CFG_TARGET_URL))
		return false;
	run_recall_target(r);
	pthread_mutex_lock(&r->lock);
	bool known = r->res.endpoint != NULL;
	pthread_mutex_unlock(&r->lock);
	if (!known)
		*cause = xasprintf(_("the target does not exist yet: it is the instance a real run "
				     "creates, reached with sslmode=%s"),
				   config_get(r->cfg, CFG_TARGET_SSLMODE));
	return !known;
}

void run_recall_target(struct run *r)
{
	const struct config *c = r->cfg;
	const char *ep = r->state ? state_get(r->state, "instance.endpoint") : NULL;
	const char *cfgpw = config_get(c, CFG_INSTANCE_MASTER_PASSWORD);
	pthread_mutex_lock(&r->lock);
	if (!r->res.endpoint && ep && strrchr(ep, ':')) {
		const char *colon = strrchr(ep, ':');
		r->res.endpoint = xasprintf("%.*s", (int)(colon - ep), ep);
		r->res.endpoint_port = atoi(colon + 1);
	}
	bool need_pw = !r->res.master_password;
	char *host = r->res.endpoint ? xstrdup(r->res.endpoint) : NULL;
	pthread_mutex_unlock(&r->lock);
	if (!need_pw) {
		free(host);
		return;
	}
	char *pw = *cfgpw && strcmp(cfgpw, "secrets-manager") != 0 ? xstrdup(cfgpw)
		   : host                                          ? run_known_password(r, host)
								   : NULL;
	free(host);
	pthread_mutex_lock(&r->lock);
	if (!r->res.master_password) {
		r->res.master_password = pw;
		pw = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	free_secret(pw);
}

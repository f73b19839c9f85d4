/* A run: the settings, the shared results of steps, and the step runner. */
#ifndef RDSM_RUN_H
#define RDSM_RUN_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "aws_http.h"
#include "config.h"
#include "event.h"
#include "state.h"

/* What one step leaves for the next ones. Strings are heap-owned; NULL when unknown. */
struct run_results {
	char *endpoint; /* RDS endpoint host, once known */
	int endpoint_port;
	char *master_password; /* generated or read back from Secrets Manager: never logged */
	char *sslrootcert;     /* the CA bundle path in use */
	char *source_version;  /* server_version of the source */
	char *target_version;
	bool lo_left_out; /* live mode: the user chose to leave large objects out */
};

/* The RDSM_* knobs (README, "Environment"): read once, where the options
 * are built (main.c, run_knobs_from_env), and handed to every run of both
 * front ends; core reads no RDSM_* variable itself. */
struct run_knobs {
	bool copy_text;           /* RDSM_COPY_FORMAT=text: text COPY (tests) */
	int64_t copy_split_bytes; /* RDSM_COPY_SPLIT_BYTES: 0, never split */
	double stall_seconds;     /* RDSM_STALL_SECONDS: 300 */
	struct aws_limits aws;    /* RDSM_AWS_*, RDSM_CREDENTIAL_PROCESS_TIMEOUT */
	long wait_minutes;        /* RDSM_WAIT_MINUTES: 40 */
	long poll_seconds;        /* RDSM_POLL_SECONDS: 10 */
	const char *checkip_url;  /* RDSM_CHECKIP_URL: https://checkip.amazonaws.com */
	const char *ca_url;       /* RDSM_RDS_CA_URL: NULL, RDS_CA_URL_DEFAULT */
};
/* The knobs when none is set (run_init's). */
extern const struct run_knobs run_knobs_default;
/* Read the knobs from the environment (out-of-range numbers: the default). */
void run_knobs_from_env(struct run_knobs *k);

struct run {
	struct config *cfg;
	struct state *state;
	struct sink *sink;
	atomic_int cancel; /* set to 1 to ask every step to stop soon */
	bool force;        /* truncate non-empty target tables without asking */
	bool yes;          /* answer yes to confirmations (plain front end) */
	bool allow_world;  /* --allow-world: a rule wider than /24 (/56) may be added */
	bool inspect;      /* look only: report findings (live screens), change nothing */
	bool dry_run; /* with inspect (--dry-run): also name each change a real run would make */
	const struct run_knobs *knobs; /* never NULL: run_knobs_default unless set */
	atomic_int incomplete;         /* objects named as not copied that the run went on without:
				* the target is not identical to the source */
	struct run_results res;
	pthread_mutex_t lock;              /* guards res when jobs run in threads */
	enum step_status status[STEP_MAX]; /* by index in steps[] */
	struct timespec started[STEP_MAX];
	int current;
	/* a source connection a step was done with, for the next step (a far
	 * source costs round trips per connection): run_source_keep */
	struct pg_conn *kept_source;
	char *kept_conninfo;
	double kept_at;  /* now_monotonic() when kept */
	unsigned chosen; /* the steps run_steps runs (1u << index) */
	/* source connections opened ahead, while a step works, for the next
	 * step's jobs (run_source_warm) */
	struct run_warm *warm;
	size_t nwarm, warm_taken;
};

void run_init(struct run *r, struct config *cfg, struct state *st, struct sink *sink);
void run_free(struct run *r);

/* Run steps[S], emitting START and DONE/FAILED/SKIPPED. 0 on success. */
int run_step(struct run *r, int s);
/* Run the steps whose bit (1u << index) is set in MASK, in order; stops at
 * the first failure. Returns 0 when all succeeded, RUN_INCOMPLETE when they
 * did but objects named as not copied were left out (the target is not
 * identical), -1 on failure, 130 on cancel. */
#define RUN_INCOMPLETE 3
int run_steps(struct run *r, unsigned mask);

bool run_cancelled(struct run *r);
/* [migrate] mode = live: the data flows by logical replication and the
 * cutover switches; offline: the application stops writing for the copy. */
bool run_live(const struct run *r);

/* Event helpers for steps (printf-style text). */
void run_status(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line for the log (--log) only: how the work was done, for who measures
 * it (not translated). */
void run_detail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void run_finding(struct run *r, enum finding_level lvl, const char *item, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A dry run's finding: a change a real run would make, of a KIND. */
enum run_change {
	CHANGE_AWS,  /* an AWS API call: "rds:CreateDBInstance Name=value …" */
	CHANGE_SQL,  /* a statement on the target */
	CHANGE_FILE, /* a file written */
};
void run_would(struct run *r, enum run_change kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A finding that a front end acts on: CODE says what it means. */
void run_finding_code(struct run *r, enum finding_level lvl, enum finding_code code,
		      const char *item, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Progress of ITEM, or of the whole step when ITEM is NULL (EVF_TOTAL). */
void run_progress(struct run *r, const char *item, int64_t done, int64_t total, int64_t bytes,
		  int64_t bytes_total);
/* Count N objects as not copied (each already named by a finding): the step
 * ends "incomplete" instead of ok, and so does the run. */
void run_incomplete(struct run *r, int n);
/* Progress counted in tables (DONE of TOTAL), no bytes: e.g. verify. */
void run_progress_tables(struct run *r, const char *item, int64_t done, int64_t total);
/* Live replication's state: PHASE, the lag in bytes and seconds, ROWS
 * applied since the step started, TABLES subscribed (EV_REPLICATION). */
void run_replication(struct run *r, enum repl_phase phase, int64_t lag_bytes, double lag_seconds,
		     int64_t rows, int64_t tables);
/* Ask the front end; returns true for yes. --yes answers yes in plain mode. */
bool run_confirm(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Ask the front end for a secret typed masked (an MFA code) into ANSWER (N
 * bytes): 1 when given, 0 when declined, -1 when the front end cannot ask
 * (--plain). */
int run_ask_secret(struct run *r, char *answer, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The target connection string: [target] url (+hostaddr/port/sslmode/
 * sslrootcert), or the instance endpoint with the master user and password.
 * Caller frees. NULL with a cause when not known yet. */
char *run_target_conninfo(struct run *r, char **cause);
/* With verify-ca/verify-full and no sslrootcert given, set res.sslrootcert to
 * the RDS CA bundle (rds_ca_ensure: downloaded once, cached). 0 when done or
 * not needed; -1 with a cause when it cannot be had. */
int run_ensure_rootcert(struct run *r, char **cause);
/* A generated master password waits in a 0600 file next to the state
 * (".rds-migrate.secret") from before the instance is created until the env
 * step has written it into the .env, so a run that stops in between does not
 * lose it. load returns NULL when there is none (caller frees with
 * free_secret); clear removes the file. */
int run_secret_save(struct run *r, const char *password, char **cause);
char *run_secret_load(struct run *r);
void run_secret_clear(struct run *r);
/* A generated master password an earlier run left: the pending-secret file,
 * else the one in the .env the env step wrote ([env] file and key) when that
 * URL names the master user and ENDPOINT (any host when NULL). NULL when
 * neither has it; caller frees with free_secret. */
char *run_known_password(struct run *r, const char *endpoint);
/* What an earlier run learnt about the target, when this run has not: the
 * endpoint from the state, the master password from the config or
 * run_known_password. Steps are idempotent: a later run reads them back. */
void run_recall_target(struct run *r);
/* A dry run before the instance exists, when a step needs the target: true,
 * with *CAUSE saying so (the step is skipped). */
bool run_dry_without_target(struct run *r, char **cause);
/* The source connection string ([source] url). Caller frees. */
char *run_source_conninfo(struct run *r, char **cause);
/* A connection to the source or the target of this run (ROLE: enum
 * pg_role). INTERRUPTIBLE: its statements stop when the run is interrupted;
 * otherwise a signal does not cut them short (a clean-up, a rollback needs
 * them after one). NULL with *CAUSE. */
struct pg_conn *run_connect(struct run *r, int role, bool interruptible, char **cause);
/* Keep source connection C (made with CONNINFO), idle, for the next step of
 * the run; one not idle is closed. Takes C. */
void run_source_keep(struct run *r, const char *conninfo, struct pg_conn *c);
/* The kept source connection when it was made with CONNINFO and is still
 * good, kept less than RUN_KEPT_SECONDS ago (an idle connection may have
 * been dropped on the way, unseen: the wizard waits for the user between
 * steps); the caller owns it. Else NULL: connect. */
#define RUN_KEPT_SECONDS 30.0
struct pg_conn *run_source_take(struct run *r, const char *conninfo);
/* Open N source connections (CONNINFO) in the background, for the next
 * step's jobs: over a far link each costs several round trips, which then
 * pass while this step works. */
void run_source_warm(struct run *r, const char *conninfo, int n);
/* One of them, made with CONNINFO and good, made less than
 * RUN_KEPT_SECONDS ago (waited for while still connecting); the caller owns
 * it. Else NULL: connect. Any thread may call it. */
struct pg_conn *run_source_warm_take(struct run *r, const char *conninfo);
/* Whether step S is among the steps run_steps runs. */
bool run_will_run(const struct run *r, const struct step *s);

/* The status of step S in this run (STATUS_PENDING when it has not run). */
enum step_status run_step_status(struct run *r, const struct step *s);

#endif

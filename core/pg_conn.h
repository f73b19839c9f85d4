/* PostgreSQL connections: an async connect with its own deadline, a diagnosis
 * and a hint for every way it fails, and a probe that reports each stage (DNS,
 * TCP, TLS, authentication, server version, round-trip time). */
#ifndef RDSM_PG_CONN_H
#define RDSM_PG_CONN_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>

/* Which side a connection is for: the hints differ (Railway vs RDS). */
enum pg_role { PG_SOURCE, PG_TARGET };

/* Why a connection failed. */
enum pg_fail {
	PGF_NONE,
	PGF_BAD_CONNINFO,   /* the URL/conninfo does not parse */
	PGF_DNS,            /* unknown host */
	PGF_TIMEOUT,        /* no answer before the deadline */
	PGF_REFUSED,        /* nothing listens on the port */
	PGF_UNREACHABLE,    /* no route to host / network unreachable */
	PGF_PASSWORD,       /* password rejected */
	PGF_NO_PASSWORD,    /* the server wants a password and none was given */
	PGF_NO_ROLE,        /* the role does not exist */
	PGF_NO_DATABASE,    /* the database does not exist */
	PGF_NO_ENCRYPTION,  /* the server refuses unencrypted connections (RDS PG 15+) */
	PGF_HBA,            /* pg_hba.conf has no entry for this host/user */
	PGF_NO_SSL_SUPPORT, /* TLS required by us, the server does not offer it */
	PGF_CERT_UNTRUSTED, /* the server certificate does not chain to the root */
	PGF_CERT_NAME,      /* the certificate does not match the host name */
	PGF_ROOTCERT,       /* the CA bundle file is missing or unreadable */
	PGF_TOO_MANY,       /* too many connections */
	PGF_STARTING,       /* the server is starting up or shutting down */
	PGF_CANCELLED,      /* the run was cancelled */
	PGF_OTHER
};

/* A failure explained: the stage it stopped at, what happened in words, and
 * what to do. */
struct pg_diag {
	enum pg_fail kind;
	const char *stage;   /* "dns", "tcp", "tls", "auth", "ready" */
	char message[512];   /* libpq's message, first line */
	char diagnosis[256]; /* e.g. "password rejected for user app" */
	char hint[512];      /* e.g. "check [target] url's password" */
};

/* An asynchronous connection attempt, driven by the caller's poll() loop:
 * wait for pg_attempt_events() on pg_attempt_fd() at most
 * pg_attempt_timeout_ms(), then call pg_attempt_poll(). */
struct pg_attempt;

struct pg_attempt *pg_attempt_start(const char *conninfo, enum pg_role role, double timeout_s);
int pg_attempt_fd(const struct pg_attempt *a);       /* -1 when none yet */
short pg_attempt_events(const struct pg_attempt *a); /* POLLIN or POLLOUT */
int pg_attempt_timeout_ms(const struct pg_attempt *a);
/* Advance: 0 still connecting, 1 connected, -1 failed (see pg_attempt_diag). */
int pg_attempt_poll(struct pg_attempt *a);
const struct pg_diag *pg_attempt_diag(const struct pg_attempt *a);
/* Take the connection out of a successful attempt (the caller PQfinish-es it). */
PGconn *pg_attempt_take(struct pg_attempt *a);
void pg_attempt_free(struct pg_attempt *a);

/* Connect, blocking with a deadline; CANCEL (may be NULL) is checked every
 * 100 ms. On failure returns NULL with "diagnosis: message. Hint: hint" in
 * *CAUSE and the details in *DIAG (may be NULL). */
PGconn *pg_connect(const char *conninfo, enum pg_role role, double timeout_s, atomic_int *cancel,
		   struct pg_diag *diag, char **cause);

/* What a probe learnt about a server. Strings are heap-owned. */
struct pg_probe {
	bool ok;
	struct pg_diag diag; /* when !ok */
	char *host;          /* host name as given (or hostaddr when no host) */
	char *hostaddr;      /* the address connected to, when known */
	char *port;
	char *user;
	char *dbname;
	char *sslmode;
	double dns_ms;  /* -1 when no lookup was needed (hostaddr, socket) */
	char *resolved; /* first address the name resolved to */
	double connect_ms;
	bool tls;
	char *tls_protocol; /* "TLSv1.3" */
	char *tls_cipher;
	bool cert_verified;   /* verify-ca/verify-full and TLS in use */
	bool name_checked;    /* verify-full */
	char *server_version; /* "15.8" */
	int server_version_num;
	char *current_user;
	double rtt_ms;   /* median of a few SELECT 1 round trips */
	bool can_create; /* CREATE privilege on the database */
};

/* Probe a server end to end. Returns 0 when connected (P->ok), -1 with
 * P->diag filled otherwise. Never prints. */
int pg_probe_run(const char *conninfo, enum pg_role role, double timeout_s, atomic_int *cancel,
		 struct pg_probe *p);
void pg_probe_free(struct pg_probe *p);

struct run;
/* Report a probe as findings (one per stage: dns, tcp, tls, auth, version,
 * rtt) through R; on failure the diagnosis and the hint. */
void pg_probe_report(struct run *r, const struct pg_probe *p);
/* "diagnosis (message). Hint: hint", heap. */
char *pg_diag_text(const struct pg_diag *d);

/* Diagnose a libpq error message for ROLE with the conninfo's options (for
 * the hint). Exposed for tests. */
void pg_diagnose(const char *message, enum pg_role role, const char *conninfo, struct pg_diag *d);

/* Append KEY='VALUE' to the libpq conninfo *CI (heap), quoted as libpq reads it. */
void pg_conninfo_add(char **ci, const char *key, const char *value);
/* Run SQL (several statements allowed) as PQexec does, but interruptible:
 * the wait for the answer is in 250 ms slices, and when the run's cancel
 * flag (given to pg_connect) is set meanwhile, the statement is cancelled
 * on the server (PQcancel), which answers with an error; one that does not
 * answer within 2 s is given up (NULL). A statement sent after the
 * interruption (a clean-up: ROLLBACK, emptying a half-loaded table) is not
 * cancelled, but given up after 5 s. Stops at a COPY's start, as PQexec. A
 * NULL result (PQresultStatus: fatal) leaves C busy: finish it. */
PGresult *pg_query(PGconn *c, const char *sql);
/* V (N strings) as a PostgreSQL text[] literal ({"a","b"}: " and \ escaped),
 * for a $n::text[] parameter. Heap. */
char *pg_text_array(char *const *v, size_t n);
/* pg_query with N text parameters ($1…) in PARAMS. */
PGresult *pg_query_params(PGconn *c, const char *sql, int n, const char *const *params);
/* pg_query's wait, for a statement sent already (PQsendQuery…), so that a
 * caller may send to several servers first and then wait for each. */
PGresult *pg_wait_result(PGconn *c);
/* The same wait for the next result of a query sent and counted already
 * (one of several statements in it), not counted as a round trip. */
PGresult *pg_next_result(PGconn *c);
/* Run SQL expecting no rows (several statements allowed; pg_query); -1
 * with a cause. */
int pg_exec(PGconn *c, const char *sql, char **cause);
/* Run SQL (pg_query) returning one value (the first column of the first row), heap copy;
 * NULL with a cause on error, "" for a NULL value. */
char *pg_value(PGconn *c, const char *sql, char **cause);
/* Run the N single statements SQL[] (no parameters) on C in one round trip,
 * with libpq's pipeline mode; RES[i] gets the result of SQL[i] (the caller
 * PQclears them). Interruptible as pg_query. 0 when every statement
 * succeeded; else -1 with *cause (the first failing statement's error),
 * *failed its index (n when the connection failed or the batch was
 * interrupted) and every RES[i] NULL. */
int pg_query_batch(PGconn *c, const char *const *sql, size_t n, PGresult **res, size_t *failed,
		   char **cause);
/* The same, with *FIRST_S (may be NULL) the seconds from sending to the
 * first statement's result: one round trip when it is a cheap one. */
int pg_query_batch_timed(PGconn *c, const char *const *sql, size_t n, PGresult **res,
			 size_t *failed, double *first_s, char **cause);
/* Round trips (statements, or batches of them) and connections made to one
 * side by this process so far, through pg_connect's connections. */
struct pg_trips {
	atomic_long trips, connections;
};
/* OUT[PG_SOURCE], OUT[PG_TARGET]: the counts now. */
void pg_trips_read(struct pg_trips out[2]);
/* The server's major version: 15 for 150008, 906 for 90624 (9.6). */
int pg_major(int server_version_num);
/* The first line of the connection's error message (static per conn). */
const char *pg_errline(PGconn *c, char *buf, size_t n);
/* The first line of RES's error, else of C's (heap). */
char *pg_result_error(const PGresult *res, PGconn *c);
/* The rows of SQL (pg_query); NULL with *CAUSE "reading WHAT: the error". */
PGresult *pg_rows(PGconn *c, const char *sql, const char *what, char **cause);
/* What the user can do about a failed statement or COPY, from the error's
 * SQLSTATE (RES may be NULL), its text MSG and the connection C: a full
 * disk, a lost connection, or else fix-and-run-again. */
const char *pg_failure_hint(PGresult *res, PGconn *c, const char *msg);

#endif

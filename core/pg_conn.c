/* PostgreSQL connections: async connect with a deadline, diagnosis, probe. */
#include "pg_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libpq-events.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "i18n.h"
#include "run.h"
#include "dburl.h"
#include "strbuf.h"
#include "util.h"

#define RDS_CA_URL "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"

struct pg_attempt {
	PGconn *conn;
	enum pg_role role;
	char *conninfo;
	double deadline;
	PostgresPollingStatusType st;
	struct pg_diag diag;
	int done; /* 0 running, 1 ok, -1 failed */
};

/* The value of KEY in a conninfo string, heap copy, or NULL; "****" when it
 * is part of the password (libpq cut a malformed URL inside it). */
static char *conninfo_get(const char *conninfo, const char *key)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
	PQfreemem(err);
	if (!opts)
		return NULL;
	char *v = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, key) == 0 && o->val && *o->val)
			v = xstrdup(dburl_secret_part(o->val, strlen(o->val), conninfo) ? "****"
											: o->val);
	PQconninfoFree(opts);
	return v;
}

static bool host_is_railway(const char *host)
{
	if (!host)
		return false;
	return strstr(host, "railway.app") || strstr(host, "rlwy.net") ||
	       strstr(host, "railway.internal");
}

static bool host_is_rds(const char *host)
{
	return host && strstr(host, ".rds.amazonaws.com");
}

static void first_line(char *dst, size_t n, const char *msg)
{
	if (!msg)
		msg = "";
	/* libpq prefixes some messages with "connection to server at … failed: ". */
	const char *p = strstr(msg, "failed: ");
	if (p && (size_t)(p - msg) < 200 && strncmp(msg, "connection to server", 20) == 0)
		msg = p + 8;
	size_t len = strcspn(msg, "\n");
	if (len >= n)
		len = n - 1;
	memcpy(dst, msg, len);
	dst[len] = 0;
	while (len > 0 && (dst[len - 1] == ' ' || dst[len - 1] == '\r'))
		dst[--len] = 0;
}

const char *pg_errline(PGconn *c, char *buf, size_t n)
{
	first_line(buf, n, c ? PQerrorMessage(c) : "out of memory");
	return buf;
}

char *pg_result_error(const PGresult *res, PGconn *c)
{
	const char *m = res ? PQresultErrorMessage(res) : "";
	if (!m || !*m)
		m = c ? PQerrorMessage(c) : _("out of memory");
	return xasprintf("%.*s", (int)strcspn(m, "\n"), m);
}

PGresult *pg_rows(PGconn *c, const char *sql, const char *what, char **cause)
{
	PGresult *res = pg_query(c, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	char *e = pg_result_error(res, c);
	fail(cause, _("reading %s: %s"), what, e);
	free(e);
	PQclear(res);
	return NULL;
}

static bool has(const char *msg, const char *needle)
{
	return strcasestr(msg, needle) != NULL;
}

void pg_diagnose(const char *message, enum pg_role role, const char *conninfo, struct pg_diag *d)
{
	char *host = conninfo_get(conninfo, "host");
	char *hostaddr = conninfo_get(conninfo, "hostaddr");
	char *port = conninfo_get(conninfo, "port");
	char *user = conninfo_get(conninfo, "user");
	char *db = conninfo_get(conninfo, "dbname");
	char *sslmode = conninfo_get(conninfo, "sslmode");
	const char *side = role == PG_SOURCE ? "[source] url" : "[target]";
	const char *h = host ? host : hostaddr ? hostaddr : "localhost";
	const char *pt = port ? port : "5432";
	bool railway = host_is_railway(host);
	bool rds = role == PG_TARGET || host_is_rds(host);
	char *scrubbed = dburl_scrub(message, conninfo);
	const char *msg = scrubbed;

	if (d->kind == PGF_NONE)
		d->kind = PGF_OTHER;
	if (!d->message[0])
		first_line(d->message, sizeof d->message, msg);
	if (!d->stage)
		d->stage = "tcp";
#define DIAG(k, stg, ...)                                                                          \
	do {                                                                                       \
		d->kind = (k);                                                                     \
		d->stage = (stg);                                                                  \
		snprintf(d->diagnosis, sizeof d->diagnosis, __VA_ARGS__);                          \
	} while (0)
#define HINT(...) snprintf(d->hint, sizeof d->hint, __VA_ARGS__)

	if (d->kind == PGF_TIMEOUT) {
		if (strcmp(d->stage, "tcp") == 0) {
			DIAG(PGF_TIMEOUT, "tcp", _("timed out connecting to %s port %s"), h, pt);
			if (role == PG_TARGET)
				HINT(_("packets are dropped on the way: the security group must "
				       "allow "
				       "port %s from this machine (run the network step), the "
				       "instance "
				       "must be publicly accessible ([instance] public = true) "
				       "when "
				       "you "
				       "connect from outside its VPC, and the subnet's network ACL "
				       "must "
				       "allow the port and the return traffic"),
				     pt);
			else
				HINT(_("check the host and port (Railway: use the public TCP proxy "
				       "host and port, e.g. xxx.proxy.rlwy.net:PORT, not "
				       "*.railway.internal) and that a firewall does not drop the "
				       "traffic"));
		} else {
			DIAG(PGF_TIMEOUT, d->stage,
			     _("the server at %s:%s accepted TCP but did not finish the %s stage "
			       "in "
			       "time"),
			     h, pt, strcmp(d->stage, "tls") == 0 ? "TLS" : "login");
			HINT(_("the server or a proxy in front of it is overloaded or not "
			       "PostgreSQL; "
			       "try again, or check the port"));
		}
	} else if (d->kind == PGF_CANCELLED) {
		DIAG(PGF_CANCELLED, d->stage, "cancelled");
		HINT(_("run the step again"));
	} else if (d->kind == PGF_BAD_CONNINFO || has(msg, "invalid connection option") ||
		   has(msg, "invalid URI") || has(msg, "missing \"=\"") ||
		   has(msg, "invalid sslmode") || has(msg, "invalid percent-encoded")) {
		DIAG(PGF_BAD_CONNINFO, "dns", _("the connection settings do not parse"));
		HINT(_("check %s: postgresql://USER:PASS@HOST:PORT/DB, with special characters in "
		       "the password percent-encoded (@ as %%40, / as %%2F)"),
		     side);
	} else if (has(msg, "could not translate host name") ||
		   has(msg, "Name or service not known") || has(msg, "nodename nor servname") ||
		   has(msg, "Temporary failure in name resolution")) {
		DIAG(PGF_DNS, "dns", _("unknown host %s"), h);
		if (railway && host && strstr(host, "railway.internal"))
			HINT(_("*.railway.internal names resolve only inside Railway: use the "
			       "public TCP proxy URL from the Railway dashboard (Connect → Public "
			       "network)"));
		else if (role == PG_TARGET)
			HINT(_("check the endpoint name (the instance step prints it); a new RDS "
			       "endpoint can take a few minutes to appear in DNS"));
		else
			HINT(_("check the host in %s and this machine's DNS"), side);
	} else if (has(msg, "Connection refused")) {
		DIAG(PGF_REFUSED, "tcp", _("connection refused by %s port %s"), h, pt);
		if (hostaddr)
			HINT(_("nothing listens at %s:%s: when that is a tunnel (ssh -L or SSM "
			       "port forwarding), start it first and check its local port"),
			     hostaddr, pt);
		else if (role == PG_TARGET)
			HINT(_("the host answers but nothing listens on port %s: check the port "
			       "([target] port / [network] port) and that the instance is "
			       "available"),
			     pt);
		else
			HINT(_("the host answers but nothing listens on port %s: check the port "
			       "and that the database is running"),
			     pt);
	} else if (has(msg, "No route to host") || has(msg, "Network is unreachable")) {
		DIAG(PGF_UNREACHABLE, "tcp", _("no route to %s"), h);
		HINT(_("the address is not reachable from this machine: a private address needs "
		       "a VPN, a tunnel (set [target] hostaddr) or a public instance"));
	} else if (has(msg, "password authentication failed") ||
		   has(msg, "authentication failed for user")) {
		DIAG(PGF_PASSWORD, "auth", _("password rejected for user %s"), user ? user : "?");
		if (role == PG_SOURCE)
			HINT(_("copy the URL again from the Railway dashboard (Variables → "
			       "DATABASE_PUBLIC_URL); the password may have been rotated"));
		else
			HINT(_("check the password in [target] url or [instance] master_password; "
			       "after changing the master password in RDS it takes a minute to "
			       "apply"));
	} else if (has(msg, "no password supplied") || has(msg, "fe_sendauth")) {
		DIAG(PGF_NO_PASSWORD, "auth", _("the server wants a password and none was given"));
		HINT(_("put the password in the URL: postgresql://USER:PASS@HOST:PORT/DB"));
	} else if (has(msg, "role \"") && has(msg, "does not exist")) {
		DIAG(PGF_NO_ROLE, "auth", _("user %s does not exist on the server"),
		     user ? user : "?");
		HINT(_("check the user name in %s"), side);
	} else if (has(msg, "database \"") && has(msg, "does not exist")) {
		DIAG(PGF_NO_DATABASE, "auth", _("database %s does not exist"), db ? db : "?");
		if (role == PG_TARGET)
			HINT(_("create it (CREATE DATABASE %s) or set [instance] db_name to one "
			       "that exists; RDS creates only the db_name given at creation"),
			     db ? db : "?");
		else
			HINT(_("check the database name at the end of %s (Railway: usually "
			       "\"railway\")"),
			     side);
	} else if (has(msg, "no encryption") ||
		   (has(msg, "pg_hba.conf") && sslmode && strcmp(sslmode, "disable") == 0)) {
		DIAG(PGF_NO_ENCRYPTION, "auth", _("the server refuses unencrypted connections"));
		HINT(_("%sset sslmode=require or better (verify-full with the RDS CA bundle)"),
		     rds ? _("RDS for PostgreSQL 15 and later forces TLS (rds.force_ssl = 1): ")
			 : "");
	} else if (has(msg, "pg_hba.conf")) {
		DIAG(PGF_HBA, "auth",
		     _("the server does not allow this host or user (pg_hba.conf)"));
		HINT(_("allow this machine's address for user %s in pg_hba.conf, or try "
		       "sslmode=require"),
		     user ? user : "?");
	} else if (has(msg, "server does not support SSL")) {
		DIAG(PGF_NO_SSL_SUPPORT, "tls",
		     _("TLS was required but the server does not offer it"));
		HINT(_("the server has no TLS: use sslmode=disable or prefer only on a trusted "
		       "network or through a tunnel"));
	} else if (has(msg, "root certificate file") ||
		   has(msg, "could not read root certificate")) {
		DIAG(PGF_ROOTCERT, "tls", _("the CA bundle for verifying the server is missing"));
		if (rds)
			HINT(_("download the RDS CA bundle (%s) and set [target] sslrootcert to "
			       "its "
			       "path, or leave it empty to have it downloaded"),
			     RDS_CA_URL);
		else if (role == PG_SOURCE || railway)
			HINT(_("Railway serves a self-signed certificate: sslmode=require encrypts "
			       "without verifying it and works; verify-ca/verify-full cannot work "
			       "with Railway"));
		else
			HINT(_("set sslrootcert=PATH to the server's CA, or use sslmode=require to "
			       "encrypt without verifying"));
	} else if (has(msg, "does not match host name") || has(msg, "does not match")) {
		DIAG(PGF_CERT_NAME, "tls",
		     _("the server certificate does not match the host name %s"), h);
		if (hostaddr || !host_is_rds(host))
			HINT(_("connect by the RDS endpoint name so verify-full can check it; "
			       "through "
			       "a tunnel keep host = the endpoint and set [target] hostaddr = the "
			       "tunnel's local address (127.0.0.1)"));
		else
			HINT(_("use the instance's endpoint name exactly as RDS shows it (not a "
			       "CNAME or an IP address)"));
	} else if (has(msg, "certificate verify failed") || has(msg, "self-signed certificate") ||
		   has(msg, "self signed certificate") || has(msg, "unable to get local issuer") ||
		   has(msg, "certificate has expired") || has(msg, "unknown ca")) {
		DIAG(PGF_CERT_UNTRUSTED, "tls", _("the server certificate is not trusted"));
		if (role == PG_SOURCE || railway)
			HINT(_("Railway serves a self-signed certificate: sslmode=require encrypts "
			       "without verifying it and works; verify-ca/verify-full cannot work "
			       "with Railway"));
		else
			HINT(_("set [target] sslrootcert to the RDS CA bundle (%s) or leave it "
			       "empty "
			       "to have it downloaded; the bundle must contain the instance's CA "
			       "(rds-ca-rsa2048-g1 …)"),
			     RDS_CA_URL);
	} else if (has(msg, "too many connections") || has(msg, "remaining connection slots") ||
		   has(msg, "too many clients")) {
		DIAG(PGF_TOO_MANY, "auth", _("the server has no free connection slot"));
		HINT(_("close idle clients or lower [migrate] jobs; on RDS max_connections "
		       "follows the instance class (db.t3.micro allows about 80)"));
	} else if (has(msg, "starting up") || has(msg, "shutting down") ||
		   has(msg, "in recovery mode")) {
		DIAG(PGF_STARTING, "auth", _("the server is starting up or shutting down"));
		HINT(_("wait a minute and try again"));
	} else if (has(msg, "SSL") || has(msg, "TLS") || has(msg, "certificate")) {
		DIAG(PGF_OTHER, "tls", _("the TLS handshake failed"));
		HINT(_("check sslmode and sslrootcert for %s"), side);
	} else if (has(msg, "timeout expired") || has(msg, "timed out")) {
		DIAG(PGF_TIMEOUT, "tcp", _("timed out connecting to %s port %s"), h, pt);
		HINT(_("check the security group, public accessibility and network ACLs"));
	} else {
		if (!d->diagnosis[0])
			DIAG(PGF_OTHER, d->stage, _("cannot connect to %s port %s"), h, pt);
		if (!d->hint[0])
			HINT(_("see the server's message above"));
	}
#undef DIAG
#undef HINT
	free(scrubbed);
	free(host);
	free(hostaddr);
	free(port);
	free(user);
	free(db);
	free(sslmode);
}

/* The stage a connection in progress has reached, for timeouts. */
static const char *stage_of(PGconn *c)
{
	switch (PQstatus(c)) {
	case CONNECTION_STARTED:
		return "tcp";
	case CONNECTION_SSL_STARTUP:
#ifdef CONNECTION_GSS_STARTUP
	case CONNECTION_GSS_STARTUP:
#endif
		return "tls";
	case CONNECTION_MADE:
	case CONNECTION_AWAITING_RESPONSE:
	case CONNECTION_AUTH_OK:
		return "auth";
	default:
		return "ready";
	}
}

struct pg_attempt *pg_attempt_start(const char *conninfo, enum pg_role role, double timeout_s)
{
	struct pg_attempt *a = xcalloc(1, sizeof *a);
	a->role = role;
	a->conninfo = xstrdup(conninfo);
	a->deadline = now_monotonic() + (timeout_s > 0 ? timeout_s : 10);
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		a->diag.kind = PGF_BAD_CONNINFO;
		char *shown = dburl_scrub(err ? err : "invalid connection string", conninfo);
		pg_diagnose(shown, role, "", &a->diag);
		free(shown);
		PQfreemem(err);
		a->done = -1;
		return a;
	}
	PQconninfoFree(opts);
	a->conn = PQconnectStart(conninfo);
	if (!a->conn || PQstatus(a->conn) == CONNECTION_BAD) {
		a->diag.stage = "dns";
		pg_diagnose(a->conn ? PQerrorMessage(a->conn) : "out of memory", role, conninfo,
			    &a->diag);
		a->done = -1;
		return a;
	}
	a->st = PGRES_POLLING_WRITING;
	return a;
}

int pg_attempt_fd(const struct pg_attempt *a)
{
	return a->conn && a->done == 0 ? PQsocket(a->conn) : -1;
}

short pg_attempt_events(const struct pg_attempt *a)
{
	return a->st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
}

int pg_attempt_timeout_ms(const struct pg_attempt *a)
{
	double left = a->deadline - now_monotonic();
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

int pg_attempt_poll(struct pg_attempt *a)
{
	if (a->done)
		return a->done;
	int fd = PQsocket(a->conn);
	bool ready = true;
	if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = pg_attempt_events(a)};
		ready = poll(&p, 1, 0) > 0;
	}
	if (ready) {
		a->st = PQconnectPoll(a->conn);
		if (a->st == PGRES_POLLING_OK)
			return a->done = 1;
		if (a->st == PGRES_POLLING_FAILED) {
			a->diag.stage = stage_of(a->conn);
			pg_diagnose(PQerrorMessage(a->conn), a->role, a->conninfo, &a->diag);
			return a->done = -1;
		}
	}
	if (now_monotonic() >= a->deadline) {
		a->diag.kind = PGF_TIMEOUT;
		a->diag.stage = stage_of(a->conn);
		snprintf(a->diag.message, sizeof a->diag.message,
			 _("no answer within the deadline"));
		pg_diagnose("", a->role, a->conninfo, &a->diag);
		return a->done = -1;
	}
	return 0;
}

const struct pg_diag *pg_attempt_diag(const struct pg_attempt *a)
{
	return &a->diag;
}

PGconn *pg_attempt_take(struct pg_attempt *a)
{
	if (a->done != 1)
		return NULL;
	PGconn *c = a->conn;
	a->conn = NULL;
	return c;
}

void pg_attempt_free(struct pg_attempt *a)
{
	if (!a)
		return;
	if (a->conn)
		PQfinish(a->conn);
	free_secret(a->conninfo);
	free(a);
}

char *pg_diag_text(const struct pg_diag *d)
{
	if (d->message[0] && strcmp(d->message, d->diagnosis) != 0)
		return xasprintf(_("%s (%s). Hint: %s"), d->diagnosis, d->message, d->hint);
	return xasprintf(_("%s. Hint: %s"), d->diagnosis, d->hint);
}

/* Server notices (NOTICE, WARNING) are not ours to print: stderr is the
 * wizard's screen, and what matters is said as findings. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The run's cancel flag rides on each connection pg_connect makes, as
 * libpq's instance data of this event procedure: every statement on the
 * connection (pg_query) can then be interrupted without the flag passed along. */
static int cancel_flag_event(PGEventId id, void *info, void *flag)
{
	if (id == PGEVT_REGISTER)
		return PQsetInstanceData(((PGEventRegister *)info)->conn, cancel_flag_event, flag);
	return 1;
}

/* Round trips and connections per role, counted for the log (a far source
 * costs a round trip per statement): each connection pg_connect makes
 * carries its role's counters as instance data of this event procedure. */
static struct pg_trips trips[2];

static int trips_event(PGEventId id, void *info, void *counters)
{
	if (id == PGEVT_REGISTER)
		return PQsetInstanceData(((PGEventRegister *)info)->conn, trips_event, counters);
	return 1;
}

static void count_trip(PGconn *c)
{
	struct pg_trips *t = PQinstanceData(c, trips_event);
	if (t)
		atomic_fetch_add(&t->trips, 1);
}

void pg_trips_read(struct pg_trips out[2])
{
	for (int i = 0; i < 2; i++) {
		out[i].trips = atomic_load(&trips[i].trips);
		out[i].connections = atomic_load(&trips[i].connections);
	}
}

PGconn *pg_connect(const char *conninfo, enum pg_role role, double timeout_s, atomic_int *cancel,
		   struct pg_diag *diag, char **cause)
{
	struct pg_attempt *a = pg_attempt_start(conninfo, role, timeout_s);
	int rc;
	while ((rc = pg_attempt_poll(a)) == 0) {
		if (cancel && atomic_load(cancel)) {
			a->diag.kind = PGF_CANCELLED;
			a->diag.stage = stage_of(a->conn);
			pg_diagnose("", role, conninfo, &a->diag);
			rc = -1;
			break;
		}
		int ms = pg_attempt_timeout_ms(a);
		if (ms > 100)
			ms = 100;
		struct pollfd p = {.fd = pg_attempt_fd(a), .events = pg_attempt_events(a)};
		poll(&p, p.fd >= 0 ? 1 : 0, ms);
	}
	PGconn *c = NULL;
	if (rc == 1) {
		c = pg_attempt_take(a);
		PQsetNoticeProcessor(c, ignore_notice, NULL);
		if (cancel)
			PQregisterEventProc(c, cancel_flag_event, "rds-migrate cancel", cancel);
		PQregisterEventProc(c, trips_event, "rds-migrate round trips", &trips[role]);
		atomic_fetch_add(&trips[role].connections, 1);
	} else {
		if (diag)
			*diag = a->diag;
		if (cause) {
			free(*cause);
			*cause = pg_diag_text(&a->diag);
		}
	}
	pg_attempt_free(a);
	return c;
}

/* Append key='value' to a libpq conninfo string, quoting as libpq expects. */
void pg_conninfo_add(char **ci, const char *key, const char *value)
{
	size_t len = strlen(*ci);
	size_t need = len + strlen(key) + 2 * strlen(value) + 8;
	*ci = xrealloc(*ci, need);
	char *p = *ci + len;
	if (len)
		*p++ = ' ';
	p += sprintf(p, "%s='", key);
	for (const char *v = value; *v; v++) {
		if (*v == '\'' || *v == '\\')
			*p++ = '\\';
		*p++ = *v;
	}
	*p++ = '\'';
	*p = 0;
}

/* Ask the server to stop C's statement (its answer is an error result). */
static void cancel_statement(PGconn *c)
{
	PGcancel *cn = PQgetCancel(c);
	char err[256];
	if (cn) {
		PQcancel(cn, err, sizeof err);
		PQfreeCancel(cn);
	}
}

#define CANCEL_GRACE  2.0 /* seconds a server has to answer a cancel request */
#define CLEANUP_GRACE 5.0 /* seconds a statement sent after the interruption has */

PGresult *pg_wait_result(PGconn *c)
{
	if (PQpipelineStatus(c) == PQ_PIPELINE_OFF) /* a batch counts once */
		count_trip(c);
	return pg_next_result(c);
}

PGresult *pg_next_result(PGconn *c)
{
	atomic_int *cancel = PQinstanceData(c, cancel_flag_event);
	bool late = cancel && atomic_load(cancel); /* sent after the interruption */
	double give_up = late ? now_monotonic() + CLEANUP_GRACE : 0;
	PGresult *last = NULL;
	for (;;) {
		while (!PQisBusy(c)) {
			PGresult *res = PQgetResult(c);
			if (!res)
				return last;
			ExecStatusType st = PQresultStatus(res);
			if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
				PQclear(last);
				return res;
			}
			if (last && PQresultStatus(last) == PGRES_FATAL_ERROR) {
				PQclear(res); /* the first error is the one to tell */
			} else {
				PQclear(last);
				last = res;
			}
		}
		if (!give_up && cancel && atomic_load(cancel)) {
			cancel_statement(c);
			give_up = now_monotonic() + CANCEL_GRACE;
		}
		if (give_up && now_monotonic() >= give_up)
			break;
		int unsent = PQflush(c); /* a nonblocking connection may hold some back */
		if (unsent < 0)
			break;
		struct pollfd p = {.fd = PQsocket(c), .events = unsent ? POLLIN | POLLOUT : POLLIN};
		if (poll(&p, 1, 250) < 0 && errno != EINTR)
			break;
		if (!PQconsumeInput(c) && PQisBusy(c))
			break;
	}
	PQclear(last);
	return NULL;
}

PGresult *pg_query(PGconn *c, const char *sql)
{
	return PQsendQuery(c, sql) ? pg_wait_result(c) : NULL;
}

char *pg_text_array(char *const *v, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_add(&b, "{");
	for (size_t i = 0; i < n; i++) {
		strbuf_add(&b, i ? ",\"" : "\"");
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_add(&b, "\\");
			strbuf_addn(&b, p, 1);
		}
		strbuf_add(&b, "\"");
	}
	strbuf_add(&b, "}");
	return strbuf_detach(&b);
}

PGresult *pg_query_params(PGconn *c, const char *sql, int n, const char *const *params)
{
	return PQsendQueryParams(c, sql, n, NULL, params, NULL, NULL, 0) ? pg_wait_result(c) : NULL;
}

int pg_exec(PGconn *c, const char *sql, char **cause)
{
	PGresult *res = pg_query(c, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		char buf[512];
		first_line(buf, sizeof buf, res ? PQresultErrorMessage(res) : PQerrorMessage(c));
		rc = fail(cause, "%s", buf[0] ? buf : _("query failed"));
	}
	PQclear(res);
	return rc;
}

char *pg_value(PGconn *c, const char *sql, char **cause)
{
	PGresult *res = pg_query(c, sql);
	char *v = NULL;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char buf[512];
		first_line(buf, sizeof buf, res ? PQresultErrorMessage(res) : PQerrorMessage(c));
		fail(cause, "%s", buf[0] ? buf : _("query failed"));
	} else if (PQntuples(res) < 1) {
		fail(cause, _("the query returned no row"));
	} else {
		v = xstrdup(PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	return v;
}

int pg_query_batch(PGconn *c, const char *const *sql, size_t n, PGresult **res, size_t *failed,
		   char **cause)
{
	return pg_query_batch_timed(c, sql, n, res, failed, NULL, cause);
}

int pg_query_batch_timed(PGconn *c, const char *const *sql, size_t n, PGresult **res,
			 size_t *failed, double *first_s, char **cause)
{
	double t0 = now_monotonic();
	for (size_t i = 0; i < n; i++)
		res[i] = NULL;
	*failed = n;
	if (!PQenterPipelineMode(c) || PQsetnonblocking(c, 1) != 0)
		return fail(cause, "%s", PQerrorMessage(c));
	bool broken = false;
	for (size_t i = 0; i < n && !broken; i++) {
		broken = !PQsendQueryParams(c, sql[i], 0, NULL, NULL, NULL, NULL, 0);
		/* the server holds its answers until the sync: ask for the first
		 * at once, so that its time is a round trip */
		if (i == 0 && first_s && !broken)
			broken = !PQsendFlushRequest(c);
	}
	broken = broken || !PQpipelineSync(c);
	count_trip(c);
	/* each statement's result (pg_wait_result reads up to the NULL that
	 * ends it), then the sync's */
	char *err = NULL;
	for (size_t i = 0; i < n && !broken; i++) {
		res[i] = pg_wait_result(c);
		if (i == 0 && first_s)
			*first_s = now_monotonic() - t0;
		ExecStatusType st = PQresultStatus(res[i]);
		broken = !res[i];
		if (!broken && !err && st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			err = pg_result_error(res[i], c);
			*failed = i;
		}
	}
	PGresult *sync = broken ? NULL : pg_wait_result(c);
	broken = broken || PQresultStatus(sync) != PGRES_PIPELINE_SYNC;
	PQclear(sync);
	broken = broken || !PQexitPipelineMode(c);
	PQsetnonblocking(c, 0);
	if (!broken && !err)
		return 0;
	for (size_t i = 0; i < n; i++) {
		PQclear(res[i]);
		res[i] = NULL;
	}
	if (!err) {
		char buf[512];
		err = xstrdup(pg_errline(c, buf, sizeof buf));
		*failed = n;
	}
	int rc = fail(cause, "%s", err[0] ? err : _("the connection failed"));
	free(err);
	return rc;
}

int pg_major(int v)
{
	return v >= 100000 ? v / 10000 : v / 100;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static char *opt_dup(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

int pg_probe_run(const char *conninfo, enum pg_role role, double timeout_s, atomic_int *cancel,
		 struct pg_probe *p)
{
	memset(p, 0, sizeof *p);
	p->dns_ms = -1;
	char *host = conninfo_get(conninfo, "host");
	char *hostaddr = conninfo_get(conninfo, "hostaddr");
	p->host = host ? xstrdup(host) : hostaddr ? xstrdup(hostaddr) : NULL;
	p->hostaddr = hostaddr ? xstrdup(hostaddr) : NULL;
	p->port = conninfo_get(conninfo, "port");
	p->user = conninfo_get(conninfo, "user");
	p->dbname = conninfo_get(conninfo, "dbname");
	p->sslmode = conninfo_get(conninfo, "sslmode");
	if (!p->sslmode)
		p->sslmode = xstrdup("prefer");

	/* DNS on its own so a lookup failure is named as such and timed. */
	if (host && !hostaddr && host[0] != '/' && !strchr(host, ',')) {
		double t0 = now_monotonic();
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
		int g = getaddrinfo(host, NULL, &hints, &ai);
		p->dns_ms = (now_monotonic() - t0) * 1000;
		if (g != 0) {
			p->diag.stage = "dns";
			char msg[300];
			snprintf(msg, sizeof msg, _("could not translate host name \"%s\": %s"),
				 host, gai_strerror(g));
			pg_diagnose(msg, role, conninfo, &p->diag);
			free(host);
			free(hostaddr);
			return -1;
		}
		char addr[INET6_ADDRSTRLEN] = "";
		if (ai->ai_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, addr,
				  sizeof addr);
		else if (ai->ai_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, addr,
				  sizeof addr);
		p->resolved = opt_dup(addr);
		freeaddrinfo(ai);
	}
	free(host);
	free(hostaddr);

	double t0 = now_monotonic();
	PGconn *c = pg_connect(conninfo, role, timeout_s, cancel, &p->diag, NULL);
	p->connect_ms = (now_monotonic() - t0) * 1000;
	if (!c)
		return -1;
	p->ok = true;
	p->tls = PQsslInUse(c);
	if (p->tls) {
		p->tls_protocol = opt_dup(PQsslAttribute(c, "protocol"));
		p->tls_cipher = opt_dup(PQsslAttribute(c, "cipher"));
		p->cert_verified = strcmp(p->sslmode, "verify-ca") == 0 ||
				   strcmp(p->sslmode, "verify-full") == 0;
		p->name_checked = strcmp(p->sslmode, "verify-full") == 0;
	}
	p->server_version = opt_dup(PQparameterStatus(c, "server_version"));
	if (p->server_version) /* "15.8 (Debian 15.8-1)" → "15.8" */
		p->server_version[strcspn(p->server_version, " ")] = 0;
	p->server_version_num = PQserverVersion(c);
	double rtts[3];
	int n = 0;
	for (int i = 0; i < 3; i++) {
		double s = now_monotonic();
		PGresult *res = PQexec(c, "SELECT 1");
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			rtts[n++] = (now_monotonic() - s) * 1000;
		PQclear(res);
	}
	if (n) {
		qsort(rtts, (size_t)n, sizeof rtts[0], cmp_double);
		p->rtt_ms = rtts[n / 2];
	}
	p->current_user = pg_value(c, "SELECT current_user", NULL);
	char *cc = pg_value(c, "SELECT has_database_privilege(current_database(), 'CREATE')", NULL);
	p->can_create = cc && strcmp(cc, "t") == 0;
	free(cc);
	PQfinish(c);
	return 0;
}

void pg_probe_free(struct pg_probe *p)
{
	free(p->host);
	free(p->hostaddr);
	free(p->port);
	free(p->user);
	free(p->dbname);
	free(p->sslmode);
	free(p->resolved);
	free(p->tls_protocol);
	free(p->tls_cipher);
	free(p->server_version);
	free(p->current_user);
	memset(p, 0, sizeof *p);
}

void pg_probe_report(struct run *r, const struct pg_probe *p)
{
	const char *h = p->host ? p->host : "localhost";
	if (p->dns_ms >= 0 && p->resolved)
		run_finding(r, LEVEL_OK, _("dns"), _("%s resolves to %s (%.0f ms)"), h, p->resolved,
			    p->dns_ms);
	else if (p->hostaddr)
		run_finding(r, LEVEL_INFO, _("dns"), _("connecting to %s (hostaddr) for %s"),
			    p->hostaddr, h);
	if (!p->ok) {
		const char *stage = p->diag.stage ? p->diag.stage : "tcp";
		run_finding(r, LEVEL_ERROR, stage, "%s", p->diag.diagnosis);
		if (p->diag.message[0] && strcmp(p->diag.message, p->diag.diagnosis) != 0)
			run_finding(r, LEVEL_INFO, stage, _("server said: %s"), p->diag.message);
		run_finding(r, LEVEL_INFO, _("hint"), "%s", p->diag.hint);
		return;
	}
	run_finding(r, LEVEL_OK, _("tcp"), _("connected to %s port %s in %.0f ms"), h,
		    p->port ? p->port : "5432", p->connect_ms);
	if (!p->tls)
		run_finding(r, LEVEL_WARN, _("tls"),
			    _("not encrypted (sslmode=%s): passwords and rows cross the network in "
			      "clear"),
			    p->sslmode);
	else if (p->name_checked)
		run_finding(r, LEVEL_OK, _("tls"), _("%s, %s; certificate verified for %s"),
			    p->tls_protocol, p->tls_cipher ? p->tls_cipher : "?", h);
	else if (p->cert_verified)
		run_finding(r, LEVEL_OK, _("tls"),
			    _("%s; certificate chain verified, host name not checked (verify-ca)"),
			    p->tls_protocol);
	else
		run_finding(r, LEVEL_WARN, _("tls"),
			    _("%s; encrypted but the certificate is not verified (sslmode=%s)"),
			    p->tls_protocol, p->sslmode);
	run_finding(r, LEVEL_OK, _("auth"), _("logged in as %s to database %s"),
		    p->current_user ? p->current_user
		    : p->user       ? p->user
				    : "?",
		    p->dbname ? p->dbname : "?");
	run_finding(r, LEVEL_OK, _("version"), "PostgreSQL %s", p->server_version);
	run_finding(r, LEVEL_OK, _("rtt"), _("round trip %.2f ms"), p->rtt_ms);
}

const char *pg_failure_hint(PGresult *res, PGconn *c, const char *msg)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if ((state && strcmp(state, "53100") == 0) || (msg && strstr(msg, "No space left")))
		return _(
			"the disk is full: give the target more storage (RDS: raise the allocated "
			"storage or turn on storage autoscaling), then run the same command again");
	if (PQstatus(c) == CONNECTION_BAD ||
	    (state && (strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0)))
		return _("the connection was lost: check that the server is up and reachable, then "
			 "run the same command again (tables already copied are kept)");
	return _("fix the cause, then run the same command again (tables already copied are kept)");
}

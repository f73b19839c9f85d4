/* DATABASE_URL: build a postgresql:// URL that libpq reads back to the same
 * values, parse one with PQconninfoParse, and mask its password. */
#ifndef RDSM_DBURL_H
#define RDSM_DBURL_H

#include <stdbool.h>
#include <stddef.h>

/* The parts of a URL. Any may be NULL or empty (left out). PARAMS are extra
 * query parameters as keyword/value pairs, written after sslmode and
 * sslrootcert in the order given. */
struct dburl {
	char *user;
	char *password;
	char *host; /* a name, an IPv4 or IPv6 address (bracketed when written) */
	char *port;
	char *dbname;
	char *sslmode;
	char *sslrootcert;
	char **params;  /* keyword, value, keyword, value… */
	size_t nparams; /* number of pairs */
};

/* postgresql://USER:PASS@HOST:PORT/DB?sslmode=…&sslrootcert=…&…, with every
 * part percent-encoded except the RFC 3986 unreserved characters
 * (A-Z a-z 0-9 - . _ ~). Caller frees (free_secret: it holds the password). */
char *dburl_build(const struct dburl *u);

/* Read URL with libpq's PQconninfoParse into U (all heap strings, NULL when
 * absent; every other non-empty keyword goes to PARAMS). Returns 0, or -1
 * with a cause that never repeats the password. */
int dburl_parse(const char *url, struct dburl *u, char **cause);
void dburl_free(struct dburl *u);

/* URL with the password (user:PASSWORD@ and every password= query
 * parameter) replaced by "****"; any other text is returned unchanged.
 * Caller frees. */
char *dburl_mask(const char *url);

/* MSG (libpq's complaint about TYPED, a URL or conninfo as the user typed
 * it) with every quoted token that holds part of TYPED's password replaced by
 * ****. Caller frees. */
char *dburl_scrub(const char *msg, const char *typed);
/* Whether TOKEN (N bytes; a value libpq read out of TYPED, or quoted in its
 * message) is part of TYPED's password: found in TYPED only where it
 * overlaps the password (libpq cut a malformed URL there, e.g. the "port"
 * Pa of postgresql://u:Pa/ss@h/db), or sharing 4 characters in a row with it. */
bool dburl_secret_part(const char *token, size_t n, const char *typed);
/* Whether TYPED (a URL or conninfo as written) holds a password. */
bool dburl_has_password(const char *typed);
/* Percent-encode S, keeping only the unreserved characters. Caller frees. */
char *dburl_encode(const char *s);

#endif

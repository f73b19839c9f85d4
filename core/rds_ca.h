/* The RDS CA bundle (global-bundle.pem): downloaded once over verified TLS,
 * checked to hold PEM certificates, kept in the user's cache directory and
 * reused from there. verify-full against RDS needs it as sslrootcert. */
#ifndef RDSM_RDS_CA_H
#define RDSM_RDS_CA_H

#include <stddef.h>

/* Where AWS publishes the bundle; the environment variable RDSM_RDS_CA_URL
 * overrides it (tests point it at a loopback server or a file:// URL; read
 * once per run into run_knobs). */
#define RDS_CA_URL_DEFAULT "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
#define RDS_CA_URL_ENV     "RDSM_RDS_CA_URL"
#define RDS_CA_FILE        "global-bundle.pem"

/* The bundle's path, downloading it first (from URL, or RDS_CA_URL_DEFAULT
 * when NULL or empty) when the cache does not hold a valid copy. 0 with
 * *PATH (heap, absolute) set; -1 with *CAUSE otherwise. */
int rds_ca_ensure(const char *url, char **path, char **cause);

/* The path the bundle is cached at: $XDG_CACHE_HOME/rds-migrate/ or
 * ~/.cache/rds-migrate/ + RDS_CA_FILE. Heap; NULL with *CAUSE when there is
 * no home directory. Creates nothing. */
char *rds_ca_cache_path(char **cause);

/* 0 when DATA holds at least one PEM certificate block, every
 * "-----BEGIN CERTIFICATE-----" is closed, and each block's base64 decodes to
 * one complete DER SEQUENCE; -1 with *CAUSE otherwise. Text outside the
 * blocks is allowed. Exposed for tests. */
int rds_ca_check_pem(const char *data, size_t len, char **cause);

#endif

/* The AWS request layer: who we are (credentials, region), where the
 * services are (endpoints), and signed requests with retries, over libcurl. */
#ifndef RDSM_AWS_HTTP_H
#define RDSM_AWS_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws_xml.h"

/* Where credentials came from, for front ends and tests (the words are in
 * aws_creds.source). */
enum aws_creds_kind {
	AWS_CREDS_NONE,
	AWS_CREDS_ENV,          /* AWS_ACCESS_KEY_ID */
	AWS_CREDS_PROFILE,      /* keys in the shared files */
	AWS_CREDS_PROCESS,      /* credential_process */
	AWS_CREDS_ASSUME_ROLE,  /* role_arn with source_profile or credential_source */
	AWS_CREDS_WEB_IDENTITY, /* a web identity token file and a role */
	AWS_CREDS_SSO,          /* IAM Identity Center (sso_session or legacy sso_*) */
	AWS_CREDS_CONTAINER,    /* the container's endpoint (ECS task role, EKS Pod Identity) */
	AWS_CREDS_IMDS,         /* the EC2 instance's role */
};

struct aws_creds {
	char *access_key;
	char *secret_key; /* secret */
	char *token;      /* secret; NULL without a session token */
	char *source;     /* "environment", "profile dev in /root/.aws/credentials", … */
	enum aws_creds_kind kind;
	time_t expires; /* when temporary credentials expire; 0: never */
};

/* Temporary credentials are fetched again this long before they expire. */
#define AWS_CREDS_REFRESH_MARGIN 300

/* Limits of AWS requests: the RDSM_AWS_* and RDSM_CREDENTIAL_PROCESS_TIMEOUT
 * knobs (run_knobs holds them, read once per run). */
struct aws_limits {
	long connect_timeout_s;            /* 10 */
	long timeout_s;                    /* 30, per attempt */
	int max_attempts;                  /* 5 */
	long credential_process_timeout_s; /* 60 */
};
#define AWS_LIMITS_DEFAULT                                                                         \
	{                                                                                          \
		10, 30, 5, 60                                                                      \
	}

/* Everything a request needs. Filled by aws_ctx_init (aws_config.c). */
struct aws_ctx {
	char *region;
	char *region_source; /* where the region came from, in words */
	char *profile;       /* the profile looked at ("default" when none named) */
	struct aws_creds creds;
	long connect_timeout_ms;            /* aws_limits */
	long timeout_ms;                    /* aws_limits, per attempt */
	int max_attempts;                   /* aws_limits */
	long credential_process_timeout_ms; /* aws_limits */
	atomic_int *cancel;                 /* when set and non-zero, requests stop soon */
	bool anonymous;                     /* send unsigned (AssumeRoleWithWebIdentity) */
	/* Fetch the credentials again (set by aws_ctx_init for temporary ones);
	 * called before a request when they expire within AWS_CREDS_REFRESH_MARGIN. */
	int (*refresh)(struct aws_ctx *a, char **cause);
	char *creds_profile; /* what refresh resolves again */
	bool creds_explicit; /* the profile was named in the config */
	/* Asks for the MFA code of SERIAL (a profile's mfa_serial) into CODE (N
	 * bytes): 1 when given, 0 when declined, -1 when it cannot be asked
	 * (--plain). NULL: cannot be asked. Gets UD. */
	int (*ask_mfa)(void *ud, const char *profile, const char *serial, char *code, size_t n);
	/* Told about each retry (e.g. to show a status line); may be NULL. */
	void (*on_retry)(void *ud, const char *what);
	void *ud;
};

/* An AWS service: its id for AWS_ENDPOINT_URL_<ID>, signing name, host
 * prefix and Query API version. */
struct aws_service {
	const char *env_id;
	const char *signing;
	const char *host;
	const char *version;
};
extern const struct aws_service aws_rds, aws_ec2, aws_sts, aws_secretsmanager, aws_sso, aws_pricing,
	aws_cloudwatch, aws_sns;

/* The error AWS answered with, when it answered. */
struct aws_error {
	long http;     /* HTTP status, 0 when there was no answer */
	char code[96]; /* e.g. "DBInstanceNotFound"; "" when none */
	char message[512];
};

/* Form parameters of a Query request ("Name=value&…", URL-encoded). */
struct aws_params {
	char *buf;
	size_t len;
};
void aws_params_add(struct aws_params *p, const char *name, const char *value);
void aws_params_addf(struct aws_params *p, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* MORE's parameters after P's. */
void aws_params_append(struct aws_params *p, const struct aws_params *more);
void aws_params_free(struct aws_params *p);

/* The endpoint URL of SVC in the context's region (AWS_ENDPOINT_URL_<ID>,
 * then AWS_ENDPOINT_URL, then https://HOST.REGION.amazonaws.com). Caller frees. */
char *aws_endpoint(const struct aws_ctx *a, const struct aws_service *svc);

/* Call ACTION of a Query-protocol service (RDS, EC2, STS): signed POST,
 * retried on throttling, 5xx and timeouts. Returns the parsed answer, or
 * NULL with *cause (and ERR filled when AWS answered with an error). */
struct xml_node *aws_query(struct aws_ctx *a, const struct aws_service *svc, const char *action,
			   const struct aws_params *params, struct aws_error *err, char **cause);
/* Call TARGET ("secretsmanager.GetSecretValue") of a JSON-protocol service
 * with BODY. Returns the answer's body (caller frees), or NULL with *cause. */
char *aws_call_json(struct aws_ctx *a, const struct aws_service *svc, const char *target,
		    const char *body, struct aws_error *err, char **cause);

/* An unsigned HTTP request (IMDS, checkip): METHOD to URL with extra HEADERS
 * (NULL-terminated), within TIMEOUT_MS. Returns the HTTP status and the body
 * (caller frees), or -1 with a cause when there was no answer. */
long aws_http_plain(const char *method, const char *url, const char *const *headers,
		    long timeout_ms, char **body, char **cause);

/* The access key as it may be shown: "AKIA…WXYZ". Static buffer per call site use. */
void aws_key_hint(const char *key, char *out, size_t outsz);

#endif

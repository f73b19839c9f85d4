/* The credential sources the AWS CLI follows beyond plain keys: a
 * credential_process, STS AssumeRole and AssumeRoleWithWebIdentity, and IAM
 * Identity Center (SSO) role credentials from the token `aws sso login`
 * caches. aws_config.c decides which one a profile uses. */
#ifndef RDSM_AWS_CREDS_H
#define RDSM_AWS_CREDS_H

#include <stddef.h>
#include <time.h>

#include "aws_http.h"

/* Free the strings of C (secrets overwritten) and zero it. */
void aws_creds_clear(struct aws_creds *c);

/* Split a credential_process command line into argv as the AWS CLI does
 * (Python's shlex.split, POSIX mode: blanks separate words, '…' literal,
 * "…" with \\ \" \$ \` escapes, \ outside quotes escapes the next
 * character; nothing is expanded). NULL-terminated, or NULL with a cause
 * (an unclosed quote, a trailing \, no words). Free with aws_strv_free. */
char **aws_creds_split_argv(const char *cmdline, char **cause);

/* Read a credential_process's output (JSON, Version 1): AccessKeyId,
 * SecretAccessKey, optional SessionToken and Expiration (ISO 8601; already
 * past at NOW is refused). Fills the keys and expiry of C. 0, or -1 with a
 * cause that names what is wrong and never quotes the output. */
int aws_creds_parse_process(const char *out, size_t len, time_t now, struct aws_creds *c,
			    char **cause);
/* Run CMDLINE (no shell; stdin /dev/null; within TIMEOUT_MS, stopped when
 * CANCEL is set) and read its output into C. The cause names PROFILE and
 * what failed: the program not found, its exit status and last line of
 * stderr, bad output. */
int aws_creds_process(const char *profile, const char *cmdline, long timeout_ms, atomic_int *cancel,
		      struct aws_creds *c, char **cause);

/* What an STS role call needs beyond the role. */
struct aws_creds_role {
	const char *role_arn;
	const char *session_name;       /* NULL: rds-migrate-<time> */
	const char *external_id;        /* may be NULL */
	long duration_seconds;          /* 0: STS's default */
	const char *web_identity_token; /* set: AssumeRoleWithWebIdentity (unsigned) */
	const char *serial_number;      /* an MFA device (mfa_serial), or NULL */
	const char *token_code;         /* its code, with SERIAL_NUMBER */
};
/* STS AssumeRole signed with SRC's credentials (or, with a web identity
 * token, AssumeRoleWithWebIdentity unsigned) through the settings of SRC
 * (region, endpoint, timeouts). Fills the keys and expiry of C; *ARN gets
 * the assumed role's ARN as STS names it (caller frees). */
int aws_creds_assume_role(struct aws_ctx *src, const struct aws_creds_role *role,
			  struct aws_creds *c, char **arn, char **cause);

/* The SSO settings of a profile (from the profile or its sso-session). */
struct aws_creds_sso {
	const char *profile;
	const char *session;   /* sso_session name, NULL for the legacy keys */
	const char *start_url; /* sso_start_url */
	const char *region;    /* sso_region */
	const char *account;   /* sso_account_id */
	const char *role;      /* sso_role_name */
};
/* The path of the token cache file `aws sso login` writes for S
 * (~/.aws/sso/cache/<sha1 of the session name or start URL>.json). */
char *aws_creds_sso_cache_path(const struct aws_creds_sso *s);
/* Role credentials from the IAM Identity Center portal (GetRoleCredentials)
 * with the cached token; an absent or expired token says "run aws sso login
 * --profile X". A supplies timeouts and cancellation. */
int aws_creds_sso(struct aws_ctx *a, const struct aws_creds_sso *s, struct aws_creds *c,
		  char **cause);

/* ", expires 2026-11-28 09:00:00 UTC" for T (static buffer of the caller). */
void aws_creds_expiry_words(time_t t, char *out, size_t outsz);

#endif

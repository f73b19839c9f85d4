/* Who and where, as the AWS SDKs decide it: credentials, region and profiles
 * from the environment, ~/.aws/credentials, ~/.aws/config and IMDSv2. */
#ifndef RDSM_AWS_CONFIG_H
#define RDSM_AWS_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>

#include "aws_http.h"

/* Resolve credentials and region into A. PROFILE: the [aws] profile setting
 * ("" for the SDK default chain); REGION: the [aws] region setting ("" for
 * AWS_REGION, AWS_DEFAULT_REGION, the profile, IMDS); LIMITS: of every
 * request (NULL: AWS_LIMITS_DEFAULT). 0, or -1 with a cause saying precisely
 * what was looked at. A is usable for aws_ctx_free either way. */
int aws_ctx_init(struct aws_ctx *a, const char *profile, const char *region,
		 const struct aws_limits *limits, atomic_int *cancel, char **cause);
/* The same, able to ask for a profile's MFA code through ASK_MFA (with UD;
 * see struct aws_ctx), also when the credentials are fetched again. */
int aws_ctx_init_asking(struct aws_ctx *a, const char *profile, const char *region,
			const struct aws_limits *limits, atomic_int *cancel,
			int (*ask_mfa)(void *ud, const char *profile, const char *serial,
				       char *code, size_t n),
			void *ud, char **cause);
void aws_ctx_free(struct aws_ctx *a);

/* The profiles named in the shared credentials and config files, in file
 * order without duplicates, NULL-terminated (never NULL itself). */
char **aws_profiles_list(void);
void aws_strv_free(char **v);
/* The two files' paths as resolved (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE). Caller frees. */
char *aws_credentials_path(void);
char *aws_config_path(void);

/* IMDSv2: false when AWS_EC2_METADATA_DISABLED=true. */
bool aws_imds_enabled(void);
/* GET a metadata PATH ("meta-data/mac") with a session token. 0 and a heap
 * VALUE, or -1 with a cause (not on EC2, path missing). A failure to reach
 * IMDS is remembered for a minute so live screens do not stall. */
int aws_imds_get(const char *path, char **value, char **cause);

#endif

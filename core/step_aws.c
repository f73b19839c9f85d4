/* What the instance and network steps share about AWS. */
#include "step_aws.h"

#include <stdlib.h>

#include "aws_config.h"
#include "util.h"

/* Retries of the request layer become status lines. */
static void on_retry(void *ud, const char *what)
{
	run_status(ud, "AWS: %s", what);
}

/* A profile's MFA code, asked of the front end (masked). */
static int ask_mfa(void *ud, const char *profile, const char *serial, char *code, size_t n)
{
	return run_ask_secret(ud, code, n,
			      "The AWS profile %s needs a code from the MFA device %s: type the 6 "
			      "digits it shows now.",
			      profile, serial);
}

int step_aws_open(struct run *r, struct aws_ctx *a, char **cause)
{
	char *why = NULL;
	int rc = aws_ctx_init_asking(a, config_get(r->cfg, CFG_AWS_PROFILE),
				     config_get(r->cfg, CFG_AWS_REGION), &r->knobs->aws, &r->cancel,
				     ask_mfa, r, &why);
	a->on_retry = on_retry;
	a->ud = r;
	if (rc < 0) {
		fail(cause, "%s", why);
		free(why);
		return -1;
	}
	return 0;
}

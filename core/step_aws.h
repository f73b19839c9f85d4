/* What the instance and network steps share about AWS. */
#ifndef RDSM_STEP_AWS_H
#define RDSM_STEP_AWS_H

#include "aws_http.h"
#include "run.h"

/* Open an AWS context for R's [aws] settings; request retries become status
 * lines of the current step. 0, or -1 with the precise reason. Free A with
 * aws_ctx_free either way. */
int step_aws_open(struct run *r, struct aws_ctx *a, char **cause);

#endif

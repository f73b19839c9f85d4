/* JSON for AWS answers and the files the AWS CLI leaves (IMDS, Secrets
 * Manager, credential_process, the SSO token cache and portal, STS), read
 * with jansson: strict RFC 8259, UTF-8 checked, errors with a position. */
#ifndef RDSM_AWS_JSON_H
#define RDSM_AWS_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/* Parse LEN bytes of TEXT as one JSON object. Refused: malformed or
 * truncated text, invalid UTF-8, \u0000 or lone surrogates, raw control
 * characters, anything after the object, a key given twice, or a top-level
 * value that is not an object. NULL with a cause "WHAT is not valid JSON:
 * REASON at line L, column C" (or "WHAT is not a JSON object"); the cause
 * never quotes the text itself, which may hold a secret. json_decref it. */
json_t *aws_json_parse(const char *text, size_t len, const char *what, char **cause);
/* A heap copy of the string member KEY of OBJ; NULL when OBJ is not an
 * object or KEY is absent or not a string. */
char *aws_json_str(const json_t *obj, const char *key);
/* The compact text of the object built by json_pack's FMT (e.g.
 * "{s:s}", "SecretId", arn). Caller frees (free_secret when it holds one). */
char *aws_json_pack(const char *fmt, ...);
/* An ISO 8601 UTC time as AWS writes it ("2026-01-02T03:04:05Z", with
 * optional fractional seconds, or a +hh:mm offset) to seconds since the
 * epoch. 0, or -1 when S is not such a time. */
int aws_json_time(const char *s, time_t *out);

#endif

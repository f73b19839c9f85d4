/* Just enough JSON for AWS answers (IMDS credentials, Secrets Manager). */
#ifndef RDSM_AWS_JSON_H
#define RDSM_AWS_JSON_H

/* The string value of KEY in the top-level object of JSON, unescaped
 * (\uXXXX and surrogate pairs to UTF-8). NULL when JSON is not an object,
 * is malformed, or KEY is absent or not a string. Caller frees. */
char *json_get_string(const char *json, const char *key);
/* JSON-quote S into a new string ("..." with escapes). Caller frees. */
char *json_quote(const char *s);

#endif

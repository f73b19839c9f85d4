/* Fuzz what reads JSON and command lines that users' tools and AWS hand us.
 * The first byte picks the reader, the rest is its input:
 *   0  aws_json_parse (jansson): a parsed object dumps and parses back equal,
 *      aws_json_str agrees with the tree; a refusal has a cause;
 *   1  aws_creds_parse_process (credential_process output): accepted output
 *      has both keys and an expiry in the future or none; a refusal leaves
 *      no keys behind;
 *   2  aws_creds_split_argv: the words, quoted again, split back the same;
 *   3  aws_json_time: a time read prints and reads back the same.
 * No cause may quote the input: any input holding SECRETX is checked. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws_config.h"
#include "aws_creds.h"
#include "aws_json.h"
#include "fuzz_common.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_secret(const char *cause)
{
	FUZZ_CHECK(cause, "a refusal without a cause");
	FUZZ_CHECK(!strstr(cause, "SECRETX"), "the cause quotes the input: %s", cause);
}

static void fuzz_parse(const char *text, size_t len)
{
	char *cause = NULL;
	json_t *j = aws_json_parse(text, len, "input", &cause);
	if (!j) {
		no_secret(cause);
		free(cause);
		return;
	}
	FUZZ_CHECK(json_is_object(j), "parsed to something other than an object");
	char *dump = json_dumps(j, JSON_COMPACT);
	FUZZ_CHECK(dump, "a parsed object does not dump");
	json_t *back = aws_json_parse(dump, strlen(dump), "dump", &cause);
	FUZZ_CHECK(back && json_equal(j, back), "the dump does not parse back equal: %s", dump);
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v)
	{
		char *s = aws_json_str(j, key);
		FUZZ_CHECK(!s == !json_is_string(v), "aws_json_str disagrees on %s", key);
		if (s)
			FUZZ_CHECK(strcmp(s, json_string_value(v)) == 0, "aws_json_str differs");
		free(s);
	}
	free(dump);
	json_decref(back);
	json_decref(j);
}

static void fuzz_process(const char *text, size_t len)
{
	struct aws_creds c = {0};
	char *cause = NULL;
	time_t now = 1795856400;
	if (aws_creds_parse_process(text, len, now, &c, &cause) == 0) {
		FUZZ_CHECK(c.access_key && *c.access_key && c.secret_key && *c.secret_key,
			   "accepted without both keys");
		FUZZ_CHECK(c.expires == 0 || c.expires > now, "accepted already expired");
		FUZZ_CHECK(!c.token || *c.token, "an empty session token kept");
	} else {
		no_secret(cause);
		FUZZ_CHECK(!c.access_key && !c.secret_key && !c.token, "keys left after a refusal");
	}
	free(cause);
	aws_creds_clear(&c);
}

static void fuzz_argv(const char *text)
{
	char *cause = NULL;
	char **v = aws_creds_split_argv(text, &cause);
	if (!v) {
		FUZZ_CHECK(cause, "a refusal without a cause");
		free(cause);
		return;
	}
	FUZZ_CHECK(v[0], "no words and no refusal");
	/* quote every word in '…' ('\'' for a quote) and split again */
	size_t cap = 1, n = 0;
	for (char **w = v; *w; w++)
		cap += 4 * strlen(*w) + 3;
	char *line = xmalloc(cap);
	for (char **w = v; *w; w++) {
		line[n++] = '\'';
		for (const char *p = *w; *p; p++) {
			if (*p == '\'') {
				memcpy(line + n, "'\\''", 4);
				n += 4;
			} else {
				line[n++] = *p;
			}
		}
		line[n++] = '\'';
		line[n++] = ' ';
	}
	line[n] = 0;
	char **again = aws_creds_split_argv(line, &cause);
	FUZZ_CHECK(again, "quoted words do not split: %s", cause ? cause : "?");
	size_t i = 0;
	for (; v[i] && again[i]; i++)
		FUZZ_CHECK(strcmp(v[i], again[i]) == 0, "word %zu differs: [%s] [%s]", i, v[i],
			   again[i]);
	FUZZ_CHECK(!v[i] && !again[i], "a different number of words");
	aws_strv_free(again);
	aws_strv_free(v);
	free(line);
}

static void fuzz_time(const char *text)
{
	time_t t;
	if (aws_json_time(text, &t) < 0)
		return;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || tm.tm_year > 9000 || tm.tm_year < -1800)
		return;
	char buf[64];
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	time_t back;
	FUZZ_CHECK(aws_json_time(buf, &back) == 0 && back == t, "%s does not read back", buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* a NUL-terminated copy: the string readers stop at the first NUL */
	char *text = xmalloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	switch (data[0] % 4) {
	case 0:
		fuzz_parse(text, size - 1);
		break;
	case 1:
		fuzz_process(text, size - 1);
		break;
	case 2:
		fuzz_argv(text);
		break;
	default:
		fuzz_time(text);
		break;
	}
	free(text);
	return 0;
}

/* Fuzz the .env reader and writer. The input is a .env file; when it starts
 * with "KEY\0VALUE\0" those name the assignment to make, else the key is
 * DATABASE_URL and the value one of a few awkward ones, picked by the size.
 * Properties: after setting KEY=VALUE, reading KEY gives VALUE; setting it
 * again changes nothing; a file without KEY only gains one line at its end;
 * and dotenv_set/dotenv_get on a real file agree with the in-memory calls
 * (new file mode 0600, old file kept as .bak). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "dotenv.h"
#include "fuzz_common.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const values[] = {
	"postgresql://app:s3cr%40t@db.example.rds.amazonaws.com:5432/app?sslmode=verify-full",
	"",
	"two words",
	"it's \"quoted\" $HOME `cmd` \\ # not a comment",
	"line one\nline two\r\n",
	"'",
	"#",
	"a=b;c&d|e",
};

static char *read_all(const char *path, size_t *len)
{
	char *err = NULL;
	char *t = read_file(path, len, &err);
	FUZZ_CHECK(t, "cannot read back %s: %s", path, err ? err : "?");
	return t;
}

/* Whether TEXT leaves a quoted value open: a probe line after it, holding
 * every quote character, is then swallowed by that value. */
static bool open_quote(const char *text, size_t len)
{
	static const char probe[] = "\nFUZZ_PROBE_=1\n\"'`\n";
	char *t = xmalloc(len + sizeof probe);
	memcpy(t, text, len);
	memcpy(t + len, probe, sizeof probe);
	char *v = dotenv_lookup(t, len + sizeof probe - 1, "FUZZ_PROBE_");
	bool open = !v || strcmp(v, "1") != 0;
	free(v);
	free(t);
	return open;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t len = size;
	char *key = NULL, *value = NULL;
	const uint8_t *z1 = memchr(data, 0, size);
	const uint8_t *z2 = z1 ? memchr(z1 + 1, 0, size - (size_t)(z1 + 1 - data)) : NULL;
	if (z1 && z2) {
		key = fuzz_strndup(data, (size_t)(z1 - data));
		value = fuzz_strndup(z1 + 1, (size_t)(z2 - z1 - 1));
		text = (const char *)z2 + 1;
		len = size - (size_t)(z2 + 1 - data);
	} else {
		key = xstrdup("DATABASE_URL");
		value = xstrdup(values[size % (sizeof values / sizeof *values)]);
	}
	/* Whatever the key, reading must not crash. */
	free_secret(dotenv_lookup(text, len, key));
	if (!dotenv_key_ok(key)) {
		char *cause = NULL;
		FUZZ_CHECK(dotenv_set(fuzz_write("bad.env", "", 0), key, value, NULL, &cause) != 0,
			   "dotenv_set accepted the key [%s]", key);
		free(cause);
		goto out;
	}

	size_t outlen = 0, againlen = 0;
	int replaced = -1, again_replaced = -1;
	char *out = dotenv_replace(text, len, key, value, &outlen, &replaced);
	FUZZ_CHECK(out && replaced >= 0, "dotenv_replace failed");
	/* A value left open by an earlier line (KEY2="abc, never closed) can be
	 * closed by the quotes of the new value, which it then swallows
	 * (crashes/dotenv-open-quote-swallows-key.env). dotenv_replace, a pure
	 * text function, still does that; dotenv_set refuses such a file. */
	char *got = dotenv_lookup(out, outlen, key);
	bool reads_back = got && strcmp(got, value) == 0;
	bool known = !reads_back && !fuzz_strict() && open_quote(text, len);
	FUZZ_CHECK(reads_back || known, "set %s=[%s], read back [%s]", key, value,
		   got ? got : "(absent)");
	free_secret(got);
	char *again = dotenv_replace(out, outlen, key, value, &againlen, &again_replaced);
	FUZZ_CHECK(known || (againlen == outlen && memcmp(again, out, outlen) == 0),
		   "setting %s=[%s] a second time changed the text", key, value);
	FUZZ_CHECK(known || again_replaced >= 1, "the line just written is not an assignment");
	if (replaced == 0) {
		/* Appended: the old text is kept as it was, then at most a line end. */
		FUZZ_CHECK(outlen > len && memcmp(out, text, len) == 0,
			   "appending %s changed the text before it", key);
	}

	/* The same through files, for text a .env file can hold (no NUL). */
	if (!memchr(text, 0, len)) {
		const char *path = fuzz_write("app.env", text, len);
		chmod(path, 0644);
		struct dotenv_result res;
		char *cause = NULL;
		char bakpath[600];
		snprintf(bakpath, sizeof bakpath, "%s%s", path, DOTENV_BACKUP_SUFFIX);
		unlink(bakpath);
		int rc = dotenv_set(path, key, value, &res, &cause);
		size_t flen;
		struct stat st;
		if (!reads_back) {
			/* refused, file untouched, no backup */
			FUZZ_CHECK(rc != 0 && cause && *cause,
				   "dotenv_set wrote a file in which %s does not read back", key);
			char *file = read_all(path, &flen);
			FUZZ_CHECK(flen == len && memcmp(file, text, len) == 0,
				   "a refused dotenv_set changed the file");
			free_secret(file);
			FUZZ_CHECK(stat(bakpath, &st) != 0, "a refused dotenv_set left a backup");
			dotenv_result_free(&res);
			free(cause);
			goto done;
		}
		FUZZ_CHECK(rc == 0, "dotenv_set failed: %s", cause ? cause : "?");
		FUZZ_CHECK(res.replaced == replaced && res.appended == (replaced == 0) &&
				   !res.created,
			   "dotenv_set result differs from dotenv_replace");
		char *file = read_all(path, &flen);
		FUZZ_CHECK(flen == outlen && memcmp(file, out, outlen) == 0,
			   "the file written differs from dotenv_replace's text");
		free_secret(file);
		FUZZ_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
			   "the .env is mode %o, not 0600", (unsigned)(st.st_mode & 0777));
		if (res.changed) {
			FUZZ_CHECK(res.backup, "changed without a backup");
			char *bak = read_all(res.backup, &flen);
			FUZZ_CHECK(flen == len && memcmp(bak, text, len) == 0,
				   "the backup is not the old file");
			free_secret(bak);
		} else {
			FUZZ_CHECK(outlen == len && memcmp(out, text, len) == 0,
				   "dotenv_set wrote nothing though the text changed");
		}
		char *v = NULL;
		rc = dotenv_get(path, key, &v, &cause);
		FUZZ_CHECK(rc == 1 && v && strcmp(v, value) == 0,
			   "dotenv_get after set: rc %d [%s]", rc, v ? v : "(absent)");
		free_secret(v);
		dotenv_result_free(&res);
		free(cause);
	}
done:
	free_secret(again);
	free_secret(out);
out:
	free(key);
	free_secret(value);
	return 0;
}

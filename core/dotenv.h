/* The application's .env file: read a key, set a key while keeping every
 * other byte of the file. */
#ifndef RDSM_DOTENV_H
#define RDSM_DOTENV_H

#include <stdbool.h>
#include <stddef.h>

/* The previous file is kept as PATH + this suffix (mode 0600). */
#define DOTENV_BACKUP_SUFFIX ".bak"

struct dotenv_result {
	int replaced;    /* assignments to the key replaced in place */
	bool appended;   /* the key was not there: a line was appended */
	bool changed;    /* the file was written (else it already had the value) */
	bool created;    /* there was no file before */
	bool mode_fixed; /* the file was readable by others and is now 0600 */
	char *written;   /* the file written: PATH, or a symlink's target. Caller frees. */
	char *backup;    /* the backup of the previous file, or NULL. Caller frees. */
};

void dotenv_result_free(struct dotenv_result *res);

/* TEXT (LEN bytes) with every assignment to KEY given VALUE, or one
 * "KEY=VALUE" line appended when there is none. Recognised assignments:
 * optional leading blanks, an optional "export " prefix, KEY, blanks, "=",
 * then an unquoted value (up to a " #" comment or the end of the line) or a
 * value in '…', "…" or `…` quotes (which may span lines). Everything outside
 * the replaced values is kept byte for byte: comments, blank lines, other
 * keys, the prefix, the quote style (unless VALUE needs other quotes), a
 * trailing comment, CRLF line endings. Duplicates are all replaced, so
 * whichever one the application's loader takes, it gets VALUE. The number
 * replaced goes to *REPLACED. Caller frees; *OUTLEN is the length. */
char *dotenv_replace(const char *text, size_t len, const char *key, const char *value,
		     size_t *outlen, int *replaced);

/* The value of the last assignment to KEY in TEXT, unquoted; NULL when absent. */
char *dotenv_lookup(const char *text, size_t len, const char *key);

/* Read KEY from the file at PATH. Returns 1 and *VALUE (caller frees) when
 * found, 0 when the file or the key is absent, -1 with a cause. */
int dotenv_get(const char *path, const char *key, char **value, char **cause);

/* Set KEY=VALUE in the file at PATH (created when missing): the new file is
 * written to a temp file, fsynced and renamed (mode 0600), the old one kept
 * as PATH.bak; a symlink is kept and its target written. When the file
 * already holds exactly that content nothing is written (no backup churn),
 * only a mode looser than 0600 is tightened. The file keeps its owner and
 * group (when we run as root on another user's file). On any error the old
 * file is left untouched. RES may be NULL. */
int dotenv_set(const char *path, const char *key, const char *value, struct dotenv_result *res,
	       char **cause);

/* Whether KEY is a valid variable name: [A-Z_][A-Z0-9_]*. */
bool dotenv_key_ok(const char *key);

#endif

/* Master passwords: generate a strong one, and say why a given one is weak. */
#ifndef RDSM_PASSWORD_H
#define RDSM_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

/* Length of a generated password. */
#define PASSWORD_GEN_LEN 24
/* RDS for PostgreSQL accepts 8-128 characters; we refuse fewer than 12 as weak. */
#define PASSWORD_MIN_LEN    8
#define PASSWORD_STRONG_LEN 12
#define PASSWORD_MAX_LEN    128

/* Whether C may appear in an RDS master password: printable ASCII except
 * / " @ ' and space. */
bool password_char_ok(int c);

/* Fill BUF with a NUL-terminated password of PASSWORD_GEN_LEN characters from
 * getrandom(), each drawn uniformly from the RDS alphabet, with at least one
 * lower-case letter, upper-case letter, digit and symbol. N must be greater
 * than PASSWORD_GEN_LEN. Returns 0, or -1 (errno set) when N is too small or
 * the kernel gives no randomness; BUF is then the empty string. */
int password_generate(char *buf, size_t n);

/* Why PW is not acceptable as a master password, in words; NULL when it is
 * strong. Checks the RDS rules (length 8-128, the alphabet) and weakness
 * (shorter than 12, a single character class, a well-known password). */
const char *password_weakness(const char *pw);

#endif

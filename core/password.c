/* Master passwords: generation from getrandom() and the weakness check. */
#include "password.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util.h"

bool password_char_ok(int c)
{
	return c > 0x20 && c < 0x7f && c != '/' && c != '"' && c != '@' && c != '\'';
}

/* A uniform index below N (N <= 256), by rejecting bytes past the last full multiple. */
static int random_below(unsigned n, unsigned *out)
{
	unsigned limit = 256 - 256 % n;
	for (;;) {
		unsigned char b[32];
		if (random_bytes(b, sizeof b) != 0)
			return -1;
		for (size_t i = 0; i < sizeof b; i++) {
			if (b[i] < limit) {
				*out = b[i] % n;
				return 0;
			}
		}
	}
}

enum { CLASS_LOWER = 1, CLASS_UPPER = 2, CLASS_DIGIT = 4, CLASS_SYMBOL = 8 };

static unsigned char_class(int c)
{
	if (islower(c))
		return CLASS_LOWER;
	if (isupper(c))
		return CLASS_UPPER;
	if (isdigit(c))
		return CLASS_DIGIT;
	return CLASS_SYMBOL;
}

static unsigned classes_of(const char *s)
{
	unsigned m = 0;
	for (; *s; s++)
		m |= char_class((unsigned char)*s);
	return m;
}

int password_generate(char *buf, size_t n)
{
	if (!buf || n <= PASSWORD_GEN_LEN) {
		if (buf && n)
			buf[0] = 0;
		errno = EINVAL;
		return -1;
	}
	char alphabet[96];
	unsigned na = 0;
	for (int c = 0x21; c < 0x7f; c++)
		if (password_char_ok(c))
			alphabet[na++] = (char)c;
	/* Draw whole passwords until one has every class: each draw stays
	 * uniform over the passwords that qualify (no bias from patching). */
	for (int tries = 0; tries < 1000; tries++) {
		for (size_t i = 0; i < PASSWORD_GEN_LEN; i++) {
			unsigned idx;
			if (random_below(na, &idx) != 0) {
				memset(buf, 0, n);
				return -1;
			}
			buf[i] = alphabet[idx];
		}
		buf[PASSWORD_GEN_LEN] = 0;
		if (classes_of(buf) == (CLASS_LOWER | CLASS_UPPER | CLASS_DIGIT | CLASS_SYMBOL))
			return 0;
	}
	memset(buf, 0, n);
	errno = EAGAIN;
	return -1;
}

/* Passwords found at the top of every leaked-password list (compared
 * ignoring case, and also with trailing digits and symbols removed). */
static const char *const well_known[] = {
	"password",   "passw0rd",    "p@ssw0rd", "p@ssword",   "12345678",      "123456789",
	"1234567890", "12345678910", "qwerty",   "qwertyuiop", "qwerty123",     "asdfghjkl",
	"zxcvbnm",    "1q2w3e4r",    "1qaz2wsx", "abc123",     "abcd1234",      "abcdefgh",
	"letmein",    "welcome",     "iloveyou", "admin",      "administrator", "root",
	"changeme",   "secret",      "postgres", "postgresql", "database",      "master",
	"default",    "monkey",      "dragon",   "sunshine",   "football",      "baseball",
	"princess",   "trustno1",    "superman", "11111111",   "00000000",      "87654321",
	"q1w2e3r4",   "test1234",    "qwer1234", "asdf1234",   "mypassword",    "yousync",
};

static bool is_well_known(const char *pw)
{
	char core[PASSWORD_MAX_LEN + 1];
	size_t n = strlen(pw);
	if (n > PASSWORD_MAX_LEN)
		return false;
	memcpy(core, pw, n + 1);
	for (size_t i = 0; i < sizeof well_known / sizeof *well_known; i++)
		if (strcasecmp(core, well_known[i]) == 0)
			return true;
	/* "Password123!" is still "password": strip trailing digits and symbols. */
	while (n > 0 && !isalpha((unsigned char)core[n - 1]))
		core[--n] = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < sizeof well_known / sizeof *well_known; i++)
		if (strcasecmp(core, well_known[i]) == 0)
			return true;
	return false;
}

/* True when PW is one character repeated, or a run like abcdefgh / 98765432. */
static bool is_sequence(const char *pw)
{
	size_t n = strlen(pw);
	if (n < 2)
		return true;
	int step = (unsigned char)pw[1] - (unsigned char)pw[0];
	if (step < -1 || step > 1)
		return false;
	for (size_t i = 2; i < n; i++)
		if ((unsigned char)pw[i] - (unsigned char)pw[i - 1] != step)
			return false;
	return true;
}

const char *password_weakness(const char *pw)
{
	if (!pw)
		return "no password";
	size_t n = strlen(pw);
	for (const char *p = pw; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ' ')
			return "must not contain a space";
		if (c == '/' || c == '"' || c == '@' || c == '\'')
			return "must not contain / \" @ or ' (RDS refuses them)";
		if (!password_char_ok(c))
			return "only printable ASCII characters are allowed (no accents, "
			       "Korean or control characters)";
	}
	if (n < PASSWORD_MIN_LEN)
		return "too short: RDS needs at least 8 characters, and 12 or more to be strong";
	if (n > PASSWORD_MAX_LEN)
		return "too long: at most 128 characters";
	if (is_well_known(pw))
		return "a well-known password that is tried first by attackers";
	if (is_sequence(pw))
		return "a repeated character or a simple sequence";
	if (n < PASSWORD_STRONG_LEN)
		return "weak: use at least 12 characters";
	unsigned cls = classes_of(pw);
	if (cls == CLASS_LOWER || cls == CLASS_UPPER || cls == CLASS_DIGIT || cls == CLASS_SYMBOL)
		return "weak: only one kind of character; mix letters, digits and symbols";
	return NULL;
}

/* Translation set-up: the locale, the --lang override, the catalog's directory. */
#include "i18n.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RDSM_LOCALEDIR
#define RDSM_LOCALEDIR "/usr/local/share/locale"
#endif

int i18n_lang_valid(const char *lang)
{
	size_t n = strspn(lang, "abcdefghijklmnopqrstuvwxyz");
	if (n < 2 || n > 3)
		return 0;
	if (!lang[n])
		return 1;
	const char *c = lang + n;
	return c[0] == '_' && strspn(c + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2 && !c[3];
}

/* Whether a locale category names no language ("C", "POSIX"): gettext then
 * ignores LANGUAGE. */
static int is_c_locale(const char *l)
{
	return !l || strcmp(l, "C") == 0 || strcmp(l, "POSIX") == 0;
}

/* The directory of the message catalogs: PREFIX/share/locale beside an
 * installed program (PREFIX/bin, with PREFIX/share/rds-migrate), else the
 * build's own (make run, the tests), else the one compiled in. */
static const char *locale_dir(void)
{
	static char installed[4200];
	char exe[4096];
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		char data[4200];
		snprintf(data, sizeof data, "%s/../share/rds-migrate", exe);
		if (stat(data, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(installed, sizeof installed, "%s/../share/locale", exe);
			return installed;
		}
	}
#ifdef RDSM_BUILD_LOCALEDIR
	if (stat(RDSM_BUILD_LOCALEDIR, &st) == 0 && S_ISDIR(st.st_mode))
		return RDSM_BUILD_LOCALEDIR;
#endif
	return RDSM_LOCALEDIR;
}

void i18n_init(const char *lang)
{
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C"); /* numbers in SQL, JSON and AWS requests */
	const char *cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8") != 0) {
		/* no locale set (or C): UTF-8 all the same, for names and Hangul */
		const char *l = getenv("LC_ALL");
		if (!l || !*l)
			l = getenv("LC_CTYPE");
		if (!l || !*l)
			l = getenv("LANG");
		if (!l || !*l || is_c_locale(l))
			setlocale(LC_CTYPE, "C.UTF-8");
	}
	if (lang) {
		setenv("LANGUAGE", lang, 1);
		if (is_c_locale(setlocale(LC_MESSAGES, NULL)))
			setlocale(LC_MESSAGES, "C.UTF-8");
	}
	const char *dir = locale_dir();
	/* libpq's and the C library's messages stay in English: pg_diagnose reads
	 * them ("Connection refused") and says what they mean in our words, which
	 * are translated. Both look their catalogs up in a directory that holds
	 * only ours. */
	setenv("PGLOCALEDIR", dir, 1);
	bindtextdomain("libc", dir);
	bindtextdomain(RDSM_DOMAIN, dir);
	bind_textdomain_codeset(RDSM_DOMAIN, "UTF-8");
	textdomain(RDSM_DOMAIN);
}

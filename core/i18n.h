/* Translation with GNU gettext (the C library's libintl). Every string a
 * person reads is marked where it is written: _("…") where it is used,
 * N_("…") in a table (translated with _() where it is shown), P_(one, many,
 * n) when it depends on a count. Machine-readable text (--plain step tags,
 * config keys, the .env, the state file, SQL) is never marked. */
#ifndef RDSM_I18N_H
#define RDSM_I18N_H

#include <libintl.h>

#define RDSM_DOMAIN "rds-migrate"

#define _(s)        gettext(s)
#define N_(s)       s
#define P_(s, p, n) ngettext(s, p, (unsigned long)(n))

/* Whether LANG (from --lang) is a language code gettext can look up:
 * "ko", "en", "pt_BR". */
int i18n_lang_valid(const char *lang);

/* Set the locale from the environment (UTF-8 when none is set; numbers stay
 * in the C format), LANG (or NULL) overriding the language of messages, and
 * bind the message catalog: the installed one beside an installed program,
 * else the build's own. */
void i18n_init(const char *lang);

#endif

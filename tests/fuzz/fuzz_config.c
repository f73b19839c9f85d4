/* Fuzz the config reader: any bytes as config.ini must load without a crash
 * or leak, be checked, be shown with secrets masked, and — when the file had
 * no problem at all — save and load back to the very same values, both into a
 * new file and over the old one (the in-place rewrite that keeps comments). */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "fuzz_common.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The password libpq reads from URL, or NULL. Caller frees. */
static char *url_password(const char *url)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &err);
	PQfreemem(err);
	if (!opts)
		return NULL;
	char *pw = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			pw = xstrdup(o->val);
	PQconninfoFree(opts);
	return pw;
}

static size_t count_in(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* What may be shown of a value never holds its secret. */
static void check_display(enum config_key k, const char *value)
{
	char *shown = config_display_value(k, value);
	if (config_keys[k].flags & CFGF_SECRET) {
		FUZZ_CHECK(!*value || strcmp(shown, "secrets-manager") == 0 ||
				   strcmp(shown, "********") == 0,
			   "%s shown as [%s]", config_key_name(k), shown);
	} else if (config_keys[k].flags & CFGF_SECRET_URL) {
		char *pw = url_password(value);
		/* Only a password written once, as is, that the mask cannot
		 * produce by itself is a clear test. */
		if (pw && strlen(pw) >= 4 && !strchr(pw, '*') && count_in(value, pw) == 1)
			FUZZ_CHECK(!strstr(shown, pw), "%s: password [%s] shown in [%s]",
				   config_key_name(k), pw, shown);
		free_secret(pw);
	}
	free_secret(shown);
}

/* Save CFG to PATH, load it back, and compare every value. */
static void check_round_trip(const struct config *cfg, const char *path, const char *how)
{
	char *cause = NULL;
	int rc = config_save(cfg, path, &cause);
	FUZZ_CHECK(rc == 0, "%s: a clean config does not save: %s", how, cause ? cause : "?");
	struct config back;
	config_init(&back);
	struct problems probs = {0};
	rc = config_load(&back, path, false, &probs, &cause);
	FUZZ_CHECK(rc == 0, "%s: the saved file does not load: %s", how, cause ? cause : "?");
	FUZZ_CHECK(probs.n == 0, "%s: the saved file has problems: %s line %d: %s", how,
		   probs.v[0].key, probs.v[0].line, probs.v[0].rule);
	for (int k = 0; k < CFG_COUNT; k++)
		FUZZ_CHECK(strcmp(config_get(cfg, k), config_get(&back, k)) == 0,
			   "%s: %s saved as [%s], read back as [%s]", how, config_key_name(k),
			   config_get(cfg, k), config_get(&back, k));
	problems_free(&probs);
	config_free(&back);
	free(cause);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("config.ini", data, size);
	struct config cfg;
	config_init(&cfg);
	struct problems probs = {0};
	char *cause = NULL;
	int rc = config_load(&cfg, path, false, &probs, &cause);
	FUZZ_CHECK(rc == 0, "an existing readable file fails to load: %s", cause ? cause : "?");
	for (size_t i = 0; i < probs.n; i++)
		FUZZ_CHECK(probs.v[i].key && probs.v[i].rule && *probs.v[i].rule,
			   "a problem without a key or rule");
	config_check(&cfg, &probs);
	for (int k = 0; k < CFG_COUNT; k++)
		check_display(k, config_get(&cfg, k));
	/* Regressions (fixed): a carriage return inside a line, a value starting
	 * with ";", a section header after a UTF-8 BOM (crashes/config-*). */
	if (probs.n == 0) {
		char fresh[512];
		snprintf(fresh, sizeof fresh, "%s/fresh.ini", fuzz_scratch_dir());
		unlink(fresh);
		check_round_trip(&cfg, fresh, "saved to a new file");
		check_round_trip(&cfg, path, "saved over the file read");
	}
	problems_free(&probs);
	config_free(&cfg);
	free(cause);
	return 0;
}

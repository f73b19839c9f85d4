/* rds-migrate: parse the command line, load the config, pick a front end. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "config.h"
#include "dburl.h"
#include "event.h"
#include "plain.h"
#include "run.h"
#include "state.h"
#include "tui.h"
#include "util.h"

#define EXIT_USAGE 2

/* " source instance …": every step's name, in run order; a step that runs
 * only when named is in brackets. */
static void print_step_names(FILE *f)
{
	for (int i = 0; i < step_count; i++)
		fprintf(f, steps[i]->on_request ? " [%s]" : " %s", steps[i]->name);
}

static void usage(FILE *f)
{
	fputs("usage: rds-migrate [-c FILE] [--theme NAME] [--log FILE] [--allow-world]\n"
	      "       rds-migrate [-c FILE] --plain [--yes] [--force] [--allow-world] [STEP...]\n"
	      "       rds-migrate [-c FILE] --check-config\n"
	      "       rds-migrate --help | --version\n"
	      "\n"
	      "Moves a PostgreSQL database (e.g. from Railway) to AWS RDS for PostgreSQL.\n"
	      "\n"
	      "  (no options)      the full-screen wizard; reads ./config.ini when it exists\n"
	      "  -c, --config FILE another config file (see config.ini.sample)\n"
	      "  --plain [STEP...] no TUI: run the steps (default: all, in order), one line per\n"
	      "                    event on stdout; exit 0 only when every step succeeded and\n"
	      "                    everything was copied (3: done, but objects left out)\n"
	      "  --check-config    validate the config, print every problem, exit 1 if any\n"
	      "  --yes             answer yes to questions (e.g. copy although some objects\n"
	      "                    cannot be copied; switch the application in the cutover)\n"
	      "  --force           empty target tables that already hold rows before copying\n"
	      "  --allow-world     let [network] allow add a rule wider than a /24 (IPv6: /56),\n"
	      "                    e.g. 0.0.0.0/0 (--yes is not enough)\n"
	      "  --theme NAME      colour theme: themes/NAME.ini (dark, light, mono); NO_COLOR\n"
	      "                    turns colour off\n"
	      "  --log FILE        append a log of events to FILE (no secrets)\n"
	      "  -h, --help        this text\n"
	      "  -V, --version     the version\n"
	      "\n",
	      f);
	fputs("Steps, in order ([bracketed]: only when named):", f);
	print_step_names(f);
	fputs("\n(monitor: CloudWatch alarms and an e-mail topic from [monitor]; compare: the\n"
	      "application's statements on both sides, once it has run against the target)\n"
	      "Exit codes: 0 success, 1 a step failed or the config is invalid, 2 usage error,\n"
	      "3 done but incomplete (objects named as not copied), 130 interrupted (state\n"
	      "saved; run again to resume).\n"
	      "Live mode ([migrate] mode = live): --plain source probe schema data replicate\n"
	      "cutover; the cutover runs [cutover] stop_command, waits for the target, sets the\n"
	      "sequences, compares, writes the .env, drops the replication, runs start_command\n"
	      "and polls health_url (else rolls back); run it again after an interruption.\n"
	      "Environment: SOURCE_DATABASE_URL overrides [source] url; AWS_* as the AWS SDKs.\n",
	      f);
}

static void print_problems(const struct problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct problem *pr = &p->v[i];
		/* keys and values come from the file: no raw control characters */
		char *key = text_printable(pr->key), *rule = text_printable(pr->rule);
		char *value = pr->value ? text_printable(pr->value) : NULL;
		if (value)
			printf("%s = \"%s\": %s", key, value, rule);
		else
			printf("%s: %s", key, rule);
		free(key);
		free(rule);
		free(value);
		if (pr->line > 0)
			printf(" (line %d)", pr->line);
		putchar('\n');
	}
}

/* Warn when a config that holds a secret can be read by other users. */
static void warn_if_readable(const struct config *cfg)
{
	struct stat st;
	if (!cfg->from_file || stat(cfg->path, &st) != 0 || !(st.st_mode & 077))
		return;
	bool secret = false;
	for (int k = 0; k < CFG_COUNT; k++) {
		const char *v = config_file_value(cfg, k); /* not what the environment set */
		if ((config_keys[k].flags & CFGF_SECRET) && *v && strcmp(v, "secrets-manager") != 0)
			secret = true;
		if ((config_keys[k].flags & CFGF_SECRET_URL) && dburl_has_password(v))
			secret = true;
	}
	if (secret)
		fprintf(stderr,
			"rds-migrate: warning: %s holds a password and is readable by others "
			"(mode %03o); run: chmod 600 %s\n",
			cfg->path, (unsigned)(st.st_mode & 0777), cfg->path);
}

int main(int argc, char **argv)
{
	enum {
		OPT_PLAIN = 256,
		OPT_CHECK,
		OPT_THEME,
		OPT_LOG,
		OPT_FORCE,
		OPT_YES,
		OPT_ALLOW_WORLD
	};
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"plain", no_argument, NULL, OPT_PLAIN},
		{"check-config", no_argument, NULL, OPT_CHECK},
		{"theme", required_argument, NULL, OPT_THEME},
		{"log", required_argument, NULL, OPT_LOG},
		{"force", no_argument, NULL, OPT_FORCE},
		{"yes", no_argument, NULL, OPT_YES},
		{"allow-world", no_argument, NULL, OPT_ALLOW_WORLD},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0, 0, 0, 0},
	};
	/* a core dump would hold both passwords: none, and no ptrace by others */
	struct rlimit nocore = {0, 0};
	setrlimit(RLIMIT_CORE, &nocore);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	const char *config_path = "config.ini";
	bool explicit_config = false, plain = false, check = false, force = false, yes = false;
	bool allow_world = false;
	const char *theme = NULL, *log_path = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			explicit_config = true;
			break;
		case OPT_PLAIN:
			plain = true;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_THEME:
			theme = optarg;
			break;
		case OPT_LOG:
			log_path = optarg;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_YES:
			yes = true;
			break;
		case OPT_ALLOW_WORLD:
			allow_world = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("rds-migrate %s\n", RDSM_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	unsigned mask = 0;
	for (int i = optind; i < argc; i++) {
		if (!plain) {
			fprintf(stderr, "rds-migrate: steps (%s) are only taken with --plain\n",
				argv[i]);
			return EXIT_USAGE;
		}
		int s = step_find(argv[i]);
		if (s < 0) {
			fprintf(stderr, "rds-migrate: unknown step '%s' (steps:", argv[i]);
			print_step_names(stderr);
			fputs(")\n", stderr);
			return EXIT_USAGE;
		}
		mask |= 1u << s;
	}
	if (plain && check) {
		fputs("rds-migrate: --plain and --check-config do not go together\n", stderr);
		return EXIT_USAGE;
	}
	if (!mask)
		mask = step_all();

	struct config cfg;
	struct problems probs = {0};
	char *cause = NULL;
	config_init(&cfg);
	bool missing_ok = !explicit_config || (!plain && !check);
	if (config_load(&cfg, config_path, missing_ok, &probs, &cause) != 0) {
		fprintf(stderr, "rds-migrate: %s\n", cause);
		free(cause);
		problems_free(&probs);
		config_free(&cfg);
		return 1;
	}
	config_apply_env(&cfg);
	warn_if_readable(&cfg);

	int rc = 0;
	if (check || plain) {
		config_check(&cfg, &probs);
		if (probs.n) {
			print_problems(&probs);
			printf("%s: %zu problem%s\n", cfg.path, probs.n, probs.n == 1 ? "" : "s");
			rc = 1;
		} else if (check) {
			printf("%s: OK\n", cfg.path);
		}
	}
	if (check || rc != 0) {
		problems_free(&probs);
		config_free(&cfg);
		return rc;
	}

	char *state_path = state_path_for(cfg.path);
	struct state st;
	if (state_load(&st, state_path, &cause) != 0) {
		fprintf(stderr, "rds-migrate: %s\n", cause);
		free(cause);
		free(state_path);
		problems_free(&probs);
		config_free(&cfg);
		return 1;
	}
	free(state_path);
	int locked = state_lock(&st, &cause); /* one run per state file */
	if (locked > 0) {
		fprintf(stderr, "rds-migrate: warning: %s\n", cause);
		free(cause);
		cause = NULL;
	} else if (locked < 0) {
		fprintf(stderr, "rds-migrate: %s\n", cause);
		free(cause);
		problems_free(&probs);
		state_free(&st);
		config_free(&cfg);
		return 1;
	}

	struct run_knobs knobs;
	run_knobs_from_env(&knobs);
	if (plain) {
		struct plain_options po = {.steps = mask,
					   .knobs = &knobs,
					   .force = force,
					   .yes = yes,
					   .allow_world = allow_world,
					   .log_path = log_path};
		rc = plain_run(&cfg, &st, &po);
	} else {
		struct tui_options to = {.theme = theme,
					 .knobs = &knobs,
					 .log_path = log_path,
					 .force = force,
					 .allow_world = allow_world,
					 .load_problems = &probs};
		rc = tui_run(&cfg, &st, &to);
	}
	problems_free(&probs);
	state_free(&st);
	config_free(&cfg);
	return rc;
}
